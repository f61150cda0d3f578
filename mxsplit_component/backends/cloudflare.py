"""Cloudflare: one ``cloudflare.DnsRecord`` (provider v6) per MX value.

Cloudflare normalises what it stores, and anything that differs from its stored form shows
as a diff on every ``pulumi preview`` (pulumi-cloudflare issues on ``@`` names, trailing
dots and ``proxied``). So the inputs are already in Cloudflare's form: the full name
(``contoso.com``, never ``@``), ``content`` without a trailing dot, a top-level
``priority``, ``proxied=False`` and a real TTL.
"""

from __future__ import annotations

from typing import Any

from ..core.plan import MxPlan
from ..errors import MxSplitError
from .base import Adoption, Capability, ResourceSpec, TtlRange, require_settings

NAME = "cloudflare"
#: The ``MxSplitArgs`` field that selects this backend.
ARGS_KEY = "cloudflare"
SDK_MODULE = "pulumi_cloudflare"
EXTRA = "cloudflare"
#: 1 means "automatic"; otherwise 60..86400 (30 on Enterprise zones, which we do not assume).
TTL = TtlRange(60, 86400, also=(1,))
CAPABILITIES = (
    Capability("one-set-per-name", False, "one record per MX value, so each role is its own resource"),
    Capability("create-over-existing", True, "a new record lands beside an existing MX: adopt the old one"),
    Capability("partial-update", True, "each record updates on its own; records mxsplit does not manage stay"),
)
SETTINGS_REQUIRED = ("zone_id",)
SETTINGS_OPTIONAL: tuple[str, ...] = ()
COMMENT = "managed by mxsplit: {role} MX of the {domain} IPv6 split"


def describe(plan: MxPlan, settings: object) -> list[ResourceSpec]:
    """The resources for ``plan`` on Cloudflare. Pure: ``zone_id`` may be a ``pulumi.Input``."""
    cfg = require_settings(settings, NAME, SETTINGS_REQUIRED, SETTINGS_OPTIONAL)
    TTL.check(plan.ttl, "Cloudflare")
    specs = []
    for role in ("ipv4-only", "dual-stack"):
        record = plan.record_for(role)
        if record is None:
            continue
        inputs: dict[str, Any] = {
            "zone_id": cfg["zone_id"],
            "name": plan.domain,
            "type": "MX",
            "content": record.exchange,
            "priority": record.preference,
            "proxied": False,
            "ttl": plan.ttl,
            "comment": COMMENT.format(role=role, domain=plan.domain),
        }
        specs.append(ResourceSpec("cloudflare:index/dnsRecord:DnsRecord", SDK_MODULE, "DnsRecord", role, inputs))
    return specs


ADOPT_ROLES = ("ipv4-only", "dual-stack")
ADOPT_HINT = ("find record ids with: curl -s -H 'Authorization: Bearer $TOKEN' "
              "'https://api.cloudflare.com/client/v4/zones/<zone_id>/dns_records?type=MX' | jq '.result[] | "
              "{id, content, priority}'")


def check_adopt_id(role: str, value: object, spec: ResourceSpec) -> str:
    """Check a ``zone_id/record_id`` import id against the record we would declare."""
    field = f"adopt.{role.replace('-', '_')}"
    parts = value.strip().split("/") if isinstance(value, str) else []
    if len(parts) != 2 or not all(p and p.isalnum() for p in parts):
        raise MxSplitError(f"{field} {value!r} is not a Cloudflare import id '<zone_id>/<record_id>'; {ADOPT_HINT}",
                           field=field)
    zone_id = spec.inputs["zone_id"]
    if isinstance(zone_id, str) and parts[0] != zone_id:
        raise MxSplitError(f"{field} is in zone {parts[0]!r}, but the component manages zone {zone_id!r}", field=field)
    return "/".join(parts)


def adopted(spec: ResourceSpec, plan: MxPlan) -> Adoption:
    """Import without our comment, so the record matches what exists (older CLIs refuse an
    import whose inputs differ). Each record updates on its own: nothing else to guard."""
    return Adoption(spec._replace(inputs={k: v for k, v in spec.inputs.items() if k != "comment"}))
