"""Azure DNS: one ``azure-native:dns:RecordSet`` holding every MX value.

Azure keeps all MX values of a name in ONE record set; creating a set that exists fails and
an update replaces the whole set (Microsoft Learn, "Azure DNS record sets"; pulumi
``azure-native.dns.RecordSet`` v3). So the split is a single child whose ``mx_records`` list
changes in place between split and standard modes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core.names import relative_to
from ..core.plan import MxPlan, MxRecord
from ..errors import MxSplitError
from . import spec
from .base import Adoption, Backend, ExistingSet, mx_value

NAME = "azure"
#: The ``MxSplitArgs`` field that selects this backend.
ARGS_KEY = "azure"
LABEL = "Azure DNS"
ORDER = 10
SDK_MODULE = "pulumi_azure_native.dns"
EXTRA = "azure"
TYPE_TOKEN = "azure-native:dns:RecordSet"
TTL = spec.TtlRange(1, 2147483647)
CAPABILITIES = (
    spec.Capability(spec.ONE_SET_PER_NAME, True, "both MX values live in one record set, so the split is one resource"),
    spec.Capability(spec.CREATE_OVER_EXISTING, False, "creating a record set that already exists fails: adopt it instead"),
    spec.REPLACES_WHOLE_SET,
)
SETTINGS = (
    spec.Setting("resource_group_name", "Resource group of the Azure DNS zone.", flag="--resource-group"),
    spec.Setting("zone_name", "The Azure DNS zone that holds the domain; defaults to the domain itself.", required=False,
                 flag="--zone-name"),
)
SETTINGS_REQUIRED, SETTINGS_OPTIONAL = spec.setting_names(SETTINGS)
SETTINGS_TYPE = "AzureDnsArgs"
SETTINGS_DOC = "Where the MX record set lives in Azure DNS."


def relative_record_name(domain: str, zone_name: str) -> str:
    """``@`` at the zone apex, else the labels of ``domain`` below ``zone_name``.

    :raises MxSplitError: (field ``azure.zone_name``) when the domain is not inside the zone.
    """
    return relative_to(domain, spec.zone_containing(domain, zone_name, f"{ARGS_KEY}.zone_name", LABEL))


def describe(plan: MxPlan, settings: object) -> list[spec.ResourceSpec]:
    """The resources for ``plan`` on Azure DNS. Pure: values may be ``pulumi.Input``.

    When ``zone_name`` is not a plain string (an output of another resource) the relative
    name is a :class:`~.base.Deferred`, computed once the zone name is known.
    """
    cfg = spec.require_settings(settings, NAME, SETTINGS_REQUIRED, SETTINGS_OPTIONAL)
    TTL.check(plan.ttl, LABEL)
    zone, name = spec.zone_and_name(plan.domain, cfg.get("zone_name"), "zone_name", f"{ARGS_KEY}.zone_name",
                                    relative_record_name)
    inputs: dict[str, Any] = {
        "resource_group_name": cfg["resource_group_name"],
        "zone_name": zone,
        "record_type": "MX",
        "ttl": plan.ttl,
        # No metadata: an adopted (imported) set must match its inputs exactly.
        "mx_records": plan.mx_records,
        "relative_record_set_name": name,
    }
    return [spec.ResourceSpec(TYPE_TOKEN, SDK_MODULE, "RecordSet", "mx", inputs)]


#: ``/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/dnszones/<zone>/MX/<name>``
_ARM_ID = (r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/"
                     r"Microsoft\.Network/dnszones/(?P<zone>[^/]+)/(?P<type>[A-Za-z]+)/(?P<name>[^/]+)$")
ADOPT_ROLES = spec.adopt_roles(CAPABILITIES)
ADOPT_ID = "its ARM id (az network dns record-set mx show ... --query id)"
ADOPT_HINT = ("find it with: az network dns record-set mx show -g <resource group> -z <zone> -n @ --query id -o tsv")


def check_adopt_id(role: str, value: object, resource: spec.ResourceSpec) -> str:
    """Check an existing record set's ARM id against the set we would declare."""
    field = f"adopt.{role.replace('-', '_')}"
    if not isinstance(value, str) or not (m := re.match(_ARM_ID, value.strip(), re.I)):
        raise MxSplitError(f"{field} {value!r} is not an Azure DNS record set id "
                           "(/subscriptions/…/resourceGroups/…/providers/Microsoft.Network/dnszones/<zone>/MX/<name>); "
                           f"{ADOPT_HINT}", field=field)
    if m["type"].upper() != "MX":
        raise MxSplitError(f"{field} names a {m['type']} record set; adopt the MX set ({ADOPT_HINT})", field=field)
    expected = {"rg": resource.inputs["resource_group_name"], "zone": resource.inputs["zone_name"],
                "name": resource.inputs["relative_record_set_name"]}
    for key, want in expected.items():
        if isinstance(want, str) and m[key].lower() != want.lower():
            raise MxSplitError(f"{field} points at {key} {m[key]!r}, but the component manages {want!r}; adopt the "
                               f"record set the component declares ({ADOPT_HINT})", field=field)
    return value.strip()


def _existing_values(result: Any) -> list[MxRecord]:
    """The values of a ``GetRecordSetResult`` (``mx_records`` of ``MxRecordResponse``)."""
    return [mx_value(r.preference, r.exchange) for r in (getattr(result, "mx_records", None) or [])]


def adopted(resource: spec.ResourceSpec, plan: MxPlan) -> Adoption:
    """Import the set as declared, after reading it: an update replaces the whole set."""
    lookup = {key: resource.inputs[key] for key in ("resource_group_name", "zone_name", "relative_record_set_name")}
    return Adoption(resource, ExistingSet(SDK_MODULE, "get_record_set_output", {**lookup, "record_type": "MX"},
                                      _existing_values, "mx_records"))


def _tf_attributes(resource: spec.ResourceSpec) -> dict[str, Any]:
    """azure-native's RecordSet and azurerm's ``azurerm_dns_mx_record`` name the same fields differently."""
    inputs = resource.inputs
    return {
        "name": inputs["relative_record_set_name"],
        "zone_name": inputs["zone_name"],
        "resource_group_name": inputs["resource_group_name"],
        "ttl": inputs["ttl"],
        "record": [{"preference": r["preference"], "exchange": r["exchange"]} for r in inputs["mx_records"]],
    }


def _tf_import_id(value: str) -> str:
    """azurerm parses record ids with the documented casing; the Azure CLI prints ``dnszones``."""
    return re.sub(r"/dnszones/", "/dnsZones/", value, flags=re.IGNORECASE)


#: ``azurerm_dns_mx_record`` (azurerm 3.x/4.x): one resource, one ``record`` block per value.
TERRAFORM = spec.Terraform("azurerm_dns_mx_record", _tf_attributes, _tf_import_id)
ADVISORIES: tuple[spec.Advisory, ...] = ()


def declared_mx(props: Mapping[str, Any]) -> tuple[str, list[MxRecord]] | None:
    """The owner and values of a declared ``RecordSet`` of type MX."""
    if not spec.is_mx(props, "recordType"):
        return None
    return (f"{NAME}:{props.get('zoneName')}:{props.get('relativeRecordSetName')}",
            [spec.record_value(r.get("preference"), r.get("exchange")) for r in props.get("mxRecords") or []])


stack_settings = spec.as_given

if TYPE_CHECKING:  # mypy checks this module against the backend contract
    from . import azure as _this

    _CONTRACT: Backend = _this
