"""The plan as documents for tools that are not Pulumi: one module per format. Pure, no I/O.

``zone``, ``dnscontrol`` and ``octodns`` are the same records whatever hosts the zone;
``tf-json`` is provider-specific, so it needs a provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ..core.plan import MxPlan
from ..errors import MxSplitError
from . import dnscontrol, octodns, tf_json, zone


class Format(NamedTuple):
    name: str
    #: File name suffix with ``--file``: ``<domain><suffix>``.
    suffix: str
    needs_provider: bool


FORMATS = {f.name: f for f in (
    Format("zone", zone.SUFFIX, False),
    Format("tf-json", tf_json.SUFFIX, True),
    Format("dnscontrol", dnscontrol.SUFFIX, False),
    Format("octodns", octodns.SUFFIX, False),
)}


def file_name(fmt: str, domain: str) -> str:
    """``contoso.com.yaml``: the name each tool expects (octoDNS loads ``<zone>.yaml``)."""
    return f"{domain}{FORMATS[fmt].suffix}"


def render(fmt: str, plan: MxPlan, *, provider: str | None = None, settings: Mapping[str, Any] | None = None,
           adopt: Mapping[str, str] | None = None, name: str | None = None) -> str:
    """The document for ``plan`` in format ``fmt``.

    :param provider: required for ``tf-json``; ignored otherwise.
    :param settings: the provider's settings (``zone_id``, …); missing required ones become variables.
    :param adopt: import ids by role (``mx``, ``ipv4_only``, ``dual_stack``) for Terraform ``import`` blocks.
    :param name: base of resource names (default: the domain).
    :raises MxSplitError: unknown format, ``tf-json`` without a provider, or a bad setting or id.
    """
    if fmt not in FORMATS:
        raise MxSplitError(f"format {fmt!r} is unknown; use one of: {', '.join(FORMATS)}", field="format")
    if fmt == "tf-json":
        if provider is None:
            raise MxSplitError("--format tf-json writes one provider's resources; pass --provider "
                               f"({', '.join(tf_json.TF_TYPES)})", field="provider")
        return tf_json.render(plan, provider, settings or {}, adopt or {}, name or plan.domain)
    if fmt == "zone":
        return zone.render(plan)
    if fmt == "dnscontrol":
        return dnscontrol.render(plan)
    return octodns.render(plan)


__all__ = ["FORMATS", "Format", "file_name", "render"]
