"""Cloudflare: one ``cloudflare.DnsRecord`` (provider v6) per MX value.

Cloudflare normalises what it stores, and anything that differs from its stored form shows
as a diff on every ``pulumi preview`` (pulumi-cloudflare issues on ``@`` names, trailing
dots and ``proxied``). So the inputs are already in Cloudflare's form: the full name
(``contoso.com``, never ``@``), ``content`` without a trailing dot, a top-level
``priority``, ``proxied=False`` and a real TTL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..core.clouds import is_microsoft_host
from ..core.plan import MxPlan, MxRecord
from ..errors import MxSplitError
from . import spec
from .base import Adoption, Backend

NAME = "cloudflare"
#: The ``MxSplitArgs`` field that selects this backend.
ARGS_KEY = "cloudflare"
LABEL = "Cloudflare"
ORDER = 20
SDK_MODULE = "pulumi_cloudflare"
EXTRA = "cloudflare"
TYPE_TOKEN = "cloudflare:index/dnsRecord:DnsRecord"
#: 1 means "automatic"; otherwise 60..86400 (30 on Enterprise zones, which we do not assume).
TTL = spec.TtlRange(60, 86400, also=(1,))
CAPABILITIES = (
    spec.Capability(spec.ONE_SET_PER_NAME, False, "one record per MX value, so each role is its own resource"),
    spec.Capability(spec.CREATE_OVER_EXISTING, True, "a new record lands beside an existing MX: adopt the old one"),
    spec.Capability(spec.PARTIAL_UPDATE, True, "each record updates on its own; records mxsplit does not manage stay"),
)
SETTINGS = (
    spec.Setting("zone_id", "Cloudflare zone id of the zone that holds the domain.", flag="--zone-id"),
)
SETTINGS_REQUIRED, SETTINGS_OPTIONAL = spec.setting_names(SETTINGS)
SETTINGS_TYPE = "CloudflareDnsArgs"
SETTINGS_DOC = "Where the MX records live in Cloudflare."
COMMENT = "managed by mxsplit: {role} MX of the {domain} IPv6 split"


def describe(plan: MxPlan, settings: object) -> list[spec.ResourceSpec]:
    """The resources for ``plan`` on Cloudflare. Pure: ``zone_id`` may be a ``pulumi.Input``."""
    cfg = spec.require_settings(settings, NAME, SETTINGS_REQUIRED, SETTINGS_OPTIONAL)
    TTL.check(plan.ttl, "Cloudflare")
    return [spec.ResourceSpec(TYPE_TOKEN, SDK_MODULE, "DnsRecord", role, {
        "zone_id": cfg["zone_id"],
        "name": plan.domain,
        "type": "MX",
        "content": record.exchange,
        "priority": record.preference,
        "proxied": False,
        "ttl": plan.ttl,
        "comment": COMMENT.format(role=role, domain=plan.domain),
    }) for role, record in spec.records_by_role(plan)]


ADOPT_ROLES = spec.adopt_roles(CAPABILITIES)
ADOPT_ID = "zone_id/record_id"
ADOPT_HINT = ("find record ids with: curl -s -H 'Authorization: Bearer $TOKEN' "
              "'https://api.cloudflare.com/client/v4/zones/<zone_id>/dns_records?type=MX' | jq '.result[] | "
              "{id, content, priority}'")


def check_adopt_id(role: str, value: object, resource: spec.ResourceSpec) -> str:
    """Check a ``zone_id/record_id`` import id against the record we would declare."""
    field = f"adopt.{role.replace('-', '_')}"
    parts = value.strip().split("/") if isinstance(value, str) else []
    if len(parts) != 2 or not all(p and p.isalnum() for p in parts):
        raise MxSplitError(f"{field} {value!r} is not a Cloudflare import id '<zone_id>/<record_id>'; {ADOPT_HINT}",
                           field=field)
    zone_id = resource.inputs["zone_id"]
    if isinstance(zone_id, str) and parts[0] != zone_id:
        raise MxSplitError(f"{field} is in zone {parts[0]!r}, but the component manages zone {zone_id!r}", field=field)
    return "/".join(parts)


def adopted(resource: spec.ResourceSpec, plan: MxPlan) -> Adoption:
    """Import without our comment, so the record matches what exists (older CLIs refuse an
    import whose inputs differ). Each record updates on its own: nothing else to guard."""
    return Adoption(resource._replace(inputs={k: v for k, v in resource.inputs.items() if k != "comment"}))


#: ``cloudflare_dns_record`` (cloudflare 5.x, bridged by pulumi-cloudflare 6): one resource
#: per value, top-level ``priority``; same attributes and import id.
TERRAFORM = spec.Terraform("cloudflare_dns_record")


def declared_mx(props: Mapping[str, Any]) -> tuple[str, list[MxRecord]] | None:
    """The owner and value of a declared ``DnsRecord`` of type MX."""
    return spec.declared_record(NAME, props, "zoneId", "content")


def check_form(resource_type: str, props: Mapping[str, Any], report: Callable[..., None]) -> None:
    """Advisory: Cloudflare MX records written in a form Cloudflare rewrites diff on every preview."""
    if resource_type != TYPE_TOKEN or not spec.is_mx(props):
        return
    if not is_microsoft_host(spec.host(props.get("content"))):
        return
    if props.get("name") == "@":
        report("name '@': Cloudflare stores the full name (e.g. contoso.com), so '@' shows as a diff on every "
               "preview; use the full domain name")
    if str(props.get("content", "")).endswith("."):
        report("content ends with '.': Cloudflare stores host names without the trailing dot, so this diffs on "
               "every preview; drop the dot")
    if props.get("proxied"):
        report("proxied: MX records cannot be proxied; set proxied=False")
    if props.get("ttl") in (None, 0):
        report("ttl: set a real TTL (1 = automatic, or 60..86400); a missing TTL diffs on every preview")


ADVISORIES = (spec.Advisory("cloudflare-mx-form", "Cloudflare MX records to Microsoft 365 use Cloudflare's stored "
                            "form (full name, no trailing dot, not proxied, a real TTL), so previews stay clean.", check_form),)


def _zone_id(result: Any) -> Any:
    return result.zone_id or result.id


def stack_settings(settings: Mapping[str, Any], domain: str) -> spec.StackSettings:
    """Stack config may name the zone (``zone_name: contoso.com``) instead of its id; the
    rollout program looks the id up (``cloudflare.get_zone_output``) at deployment."""
    if not isinstance(settings, Mapping) or "zone_name" not in settings:
        return spec.StackSettings(settings)
    if "zone_id" in settings:
        raise MxSplitError(f"{ARGS_KEY} takes zone_id or zone_name, not both", field=ARGS_KEY)
    zone_name = settings["zone_name"]
    field = f"{ARGS_KEY}.zone_name"
    if not isinstance(zone_name, str) or not zone_name.strip():
        raise MxSplitError(f"{field} must be a zone name such as contoso.com", field=field)
    zone = spec.zone_containing(domain, zone_name, field, LABEL)
    rest = {k: v for k, v in settings.items() if k != "zone_name"}
    # "all" is the API default; the typed filter requires it.
    lookup = spec.Lookup(ARGS_KEY, "zone_id", SDK_MODULE, "get_zone_output", {"filter": {"name": zone, "match": "all"}},
                         _zone_id)
    return spec.StackSettings({**rest, "zone_id": spec.Deferred(zone, str, f"zone id of {zone}")}, (lookup,))

if TYPE_CHECKING:  # mypy checks this module against the backend contract
    from . import cloudflare as _this

    _CONTRACT: Backend = _this
