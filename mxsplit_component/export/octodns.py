"""An octoDNS zone file for ``YamlProvider``: ``<domain>.yaml`` with the apex record under ``''``.

octoDNS 1.x (``octodns.provider.yaml.YamlProvider``, ``enforce_order: true`` by default)
refuses keys out of order, so every mapping here is written with sorted keys; MX values
are ``{exchange, preference}`` with absolute exchanges (octoDNS rejects them without the
trailing dot). Written by hand: the document is tiny and fixed, and PyYAML stays out of
the runtime dependencies. Host names are LDH ASCII, so no value needs quoting.
"""

from __future__ import annotations

from ..core.plan import MxPlan

SUFFIX = ".yaml"


def render(plan: MxPlan) -> str:
    """The zone file for ``plan.domain`` holding only the MX record of the apex."""
    lines = ["---", "'':", f"  ttl: {plan.ttl}", "  type: MX", "  values:"]
    for record in plan.records:
        lines += [f"  - exchange: {record.exchange}.", f"    preference: {record.preference}"]
    return "\n".join(lines) + "\n"
