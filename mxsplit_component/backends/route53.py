"""AWS Route 53: one ``aws:route53/record:Record`` holding every MX value.

Route 53 keeps all values of a name and type in ONE record set (``records``). Creating a set
that exists fails (the provider sends CREATE); ``allow_overwrite=True`` sends UPSERT and
silently replaces whatever the set held, so it is not a way to adopt: import the set by id
``<zone id>_<name>_MX`` and guard its foreign values instead. Inputs are in the stored form
the AWS provider compares against (terraform-provider-aws ``aws_route53_record``, which
pulumi-aws bridges): ``name`` lower case without the trailing dot (its state function), and
``records`` as a set of ``"<preference> <host>."`` strings, so order never diffs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from ..core.clouds import is_microsoft_host
from ..core.plan import MxPlan, MxRecord
from ..errors import MxSplitError
from . import spec
from .base import Adoption, Backend, ExistingSet, mx_text_values, parse_mx_text

NAME = "route53"
#: The ``MxSplitArgs`` key that holds this backend's settings.
ARGS_KEY = "route53"
LABEL = "AWS Route 53"
ORDER = 50
SDK_MODULE = "pulumi_aws.route53"
EXTRA = "aws"
TYPE_TOKEN = "aws:route53/record:Record"
#: Route 53 API ``ResourceRecordSet.TTL``: 0..2147483647; mxsplit's own floor is 1.
TTL = spec.TtlRange(1, 2147483647)
CAPABILITIES = (
    spec.Capability(spec.ONE_SET_PER_NAME, True,
                    "both MX values live in one record set (records), so the split is one resource"),
    spec.Capability(spec.CREATE_OVER_EXISTING, False,
                    "creating a record set that already exists fails, and allow_overwrite silently replaces it: adopt it "
                    "instead (import id <zone id>_<name>_MX)"),
    spec.REPLACES_WHOLE_SET,
)
SETTINGS = (
    spec.Setting("zone_id", "Route 53 hosted zone id (e.g. Z0123456789ABC) of the public zone that holds the domain.",
                 flag="--zone-id"),
)
SETTINGS_REQUIRED, SETTINGS_OPTIONAL = spec.setting_names(SETTINGS)
SETTINGS_TYPE = "Route53DnsArgs"
SETTINGS_DOC = "Where the MX record set lives in AWS Route 53."
ADOPT_ROLES = spec.adopt_roles(CAPABILITIES)
ADOPT_ID = "ZONEID_name_MX (e.g. Z0123456789ABC_contoso.com_MX)"
ADOPT_HINT = ("find it with: aws route53 list-resource-record-sets --hosted-zone-id <zone id> --query "
              "\"ResourceRecordSets[?Type=='MX']\"; the import id is <zone id>_<name>_MX, e.g. Z0123456789ABC_contoso.com_MX")

#: Hosted zone ids are upper-case letters and digits; the API also returns them as ``/hostedzone/<id>``.
_ZONE_ID = re.compile(r"^(?:/hostedzone/)?([A-Z0-9]{1,32})$")


def clean_zone_id(value: str, field: str = "route53.zone_id") -> str:
    """``/hostedzone/Z0123`` or ``Z0123`` -> ``Z0123``, as the provider cleans it before every call."""
    m = _ZONE_ID.match(value.strip())
    if not m:
        raise MxSplitError(f"{field} {value!r} is not a Route 53 hosted zone id (e.g. Z0123456789ABC); find it with: "
                           "aws route53 list-hosted-zones-by-name --dns-name <domain>", field=field)
    return m[1]


def describe(plan: MxPlan, settings: object) -> list[spec.ResourceSpec]:
    """The resources for ``plan`` on Route 53. Pure: ``zone_id`` may be a ``pulumi.Input``."""
    cfg = spec.require_settings(settings, ARGS_KEY, SETTINGS_REQUIRED, SETTINGS_OPTIONAL)
    TTL.check(plan.ttl, "Route 53")
    zone_id = cfg["zone_id"]
    if isinstance(zone_id, str):
        clean_zone_id(zone_id)  # checked here; passed as given, since the provider keeps it as given
    inputs: dict[str, Any] = {
        "zone_id": zone_id,
        "name": plan.domain,
        "type": "MX",
        "ttl": plan.ttl,
        "records": mx_text_values(plan),
    }
    return [spec.ResourceSpec(TYPE_TOKEN, SDK_MODULE, "Record", "mx", inputs)]


def import_id(zone_id: str, name: str) -> str:
    """The provider's import id of the MX set: ``<zone id>_<name>_MX`` (name lower case, no dot)."""
    return f"{clean_zone_id(zone_id)}_{name.rstrip('.').lower()}_MX"


def check_adopt_id(role: str, value: object, resource: spec.ResourceSpec) -> str:
    """Check an existing set's import id against the set we would declare."""
    field = f"adopt.{role.replace('-', '_')}"
    parts = value.strip().split("_") if isinstance(value, str) else []
    # A fourth part is a set identifier (weighted, latency, … routing): not a plain MX set.
    if len(parts) != 3 or not all(parts):
        raise MxSplitError(f"{field} {value!r} is not a Route 53 import id '<zone id>_<name>_MX' of a plain (simple "
                           f"routing) record set; {ADOPT_HINT}", field=field)
    zone, name, rtype = parts
    if rtype.upper() != "MX":
        raise MxSplitError(f"{field} names a {rtype} record set; adopt the MX set ({ADOPT_HINT})", field=field)
    zone = clean_zone_id(zone, field)
    want_zone = resource.inputs["zone_id"]
    if isinstance(want_zone, str) and zone != clean_zone_id(want_zone):
        raise MxSplitError(f"{field} is in hosted zone {zone!r}, but the component manages zone "
                           f"{clean_zone_id(want_zone)!r}", field=field)
    name = name.rstrip(".").lower()
    if name != resource.inputs["name"]:
        raise MxSplitError(f"{field} points at name {name!r}, but the component manages {resource.inputs['name']!r}; adopt "
                           f"the record set the component declares ({ADOPT_HINT})", field=field)
    return f"{zone}_{name}_MX"


def name_regex(name: str) -> str:
    """The ``name_regex`` for ``route53.get_records`` that matches exactly the set's name.

    Route 53 returns names absolute, with the trailing dot.
    """
    return f"^{re.escape(name.rstrip('.').lower())}\\.?$"


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def existing_values(result: Any, name: str) -> list[str]:
    """The values of the plain MX set called ``name`` in a ``route53.get_records`` result.

    The data source lists every set whose name matches the regex; only the simple-routing
    MX set of exactly this name is the one the component would adopt.
    """
    values: list[str] = []
    for rrset in _get(result, "resource_record_sets") or ():
        if (str(_get(rrset, "type")).upper() == "MX" and not _get(rrset, "set_identifier")
                and str(_get(rrset, "name")).rstrip(".").lower() == name.rstrip(".").lower()):
            values += [str(_get(r, "value")) for r in _get(rrset, "resource_records") or ()]
    return values


def _existing_records(name: str, result: Any) -> list[MxRecord]:
    return [parse_mx_text(v) for v in existing_values(result, name)]


def adopted(resource: spec.ResourceSpec, plan: MxPlan) -> Adoption:
    """Import the set as declared, after reading it: an update replaces the whole set."""
    name = str(resource.inputs["name"])
    lookup = {"zone_id": resource.inputs["zone_id"], "name_regex": name_regex(name)}
    return Adoption(resource, ExistingSet(SDK_MODULE, "get_records_output", lookup,
                                      partial(_existing_records, name), "records"))



#: ``aws_route53_record`` (aws 5.x/6.x, bridged by pulumi-aws): one resource, ``records = ["0 host.", …]``.
TERRAFORM = spec.Terraform("aws_route53_record")


def declared_mx(props: Mapping[str, Any]) -> tuple[str, list[MxRecord]] | None:
    """The owner and values of a declared ``Record`` of type MX."""
    if not spec.is_mx(props):
        return None
    return f"{NAME}:{props.get('zoneId')}:{spec.host(props.get('name'))}", spec.rdata_records(props.get("records"))


def check_overwrite(resource_type: str, props: Mapping[str, Any], report: Callable[..., None]) -> None:
    """Advisory: ``allow_overwrite`` on a Microsoft MX set replaces foreign values without a word."""
    if resource_type != TYPE_TOKEN or not spec.is_mx(props):
        return
    values = spec.rdata_records(props.get("records"))
    if props.get("allowOverwrite") and any(is_microsoft_host(r.exchange) for r in values):
        report("allowOverwrite: an UPSERT silently replaces whatever the MX set held (a gateway, a backup MX); "
               "import the existing set instead (pulumi import id <zone id>_<name>_MX) and drop allowOverwrite")


ADVISORIES = (spec.Advisory("route53-mx-overwrite", "Route 53 MX sets to Microsoft 365 are adopted by import, "
                            "not overwritten with allow_overwrite (which drops foreign MX values silently).", check_overwrite),)
stack_settings = spec.as_given

if TYPE_CHECKING:  # mypy checks this module against the backend contract
    from . import route53 as _this

    _CONTRACT: Backend = _this
