"""DNSimple: one ``dnsimple.ZoneRecord`` per MX value (pulumi-dnsimple, bridged from
terraform-provider-dnsimple's ``dnsimple_zone_record``).

Inputs are in the form DNSimple stores (the SDK's docstrings): ``zone_name``, ``name``
relative to the zone with ``""`` for the apex (not ``@``), ``value`` the exchange without a
trailing dot, ``priority`` and ``ttl``. Records are imported by ``<zone>_<record id>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core.names import relative_to
from ..core.plan import MxPlan, MxRecord
from . import spec
from .base import Backend, as_declared

NAME = "dnsimple"
#: The ``MxSplitArgs`` field that selects this backend.
ARGS_KEY = "dnsimple"
LABEL = "DNSimple"
ORDER = 30
SDK_MODULE = "pulumi_dnsimple"
EXTRA = "dnsimple"
TYPE_TOKEN = "dnsimple:index/zoneRecord:ZoneRecord"
#: DNSimple takes record TTLs from 60 seconds.
TTL = spec.TtlRange(60, 2147483647)
CAPABILITIES = spec.PER_RECORD
SETTINGS = (
    spec.Setting("zone_name", "The DNSimple zone that holds the domain (e.g. contoso.com); defaults to the domain "
                 "itself.", required=False, flag="--zone-name"),
)
SETTINGS_REQUIRED, SETTINGS_OPTIONAL = spec.setting_names(SETTINGS)
SETTINGS_TYPE = "DnsimpleDnsArgs"
SETTINGS_DOC = "Where the MX records live in DNSimple."
ADOPT_ROLES = spec.adopt_roles(CAPABILITIES)
ADOPT_ID = "<zone>_<record id> (e.g. contoso.com_1234)"
ADOPT_HINT = ("find record ids with: curl -s -H 'Authorization: Bearer $TOKEN' "
              "'https://api.dnsimple.com/v2/<account id>/zones/<zone>/records?type=MX' | jq '.data[] | "
              "{id, content, priority}'")


def record_name(domain: str, zone_name: str) -> str:
    """The record's name in its zone: ``""`` at the apex (DNSimple's form), else the labels below it."""
    name = relative_to(domain, spec.zone_containing(domain, zone_name, f"{ARGS_KEY}.zone_name", LABEL))
    return "" if name == "@" else name


def describe(plan: MxPlan, settings: object) -> list[spec.ResourceSpec]:
    """The records for ``plan`` on DNSimple. Pure: ``zone_name`` may be a ``pulumi.Input``."""
    cfg = spec.require_settings(settings, ARGS_KEY, SETTINGS_REQUIRED, SETTINGS_OPTIONAL)
    TTL.check(plan.ttl, LABEL)
    zone, name = spec.zone_and_name(plan.domain, cfg.get("zone_name"), "zone_name", f"{ARGS_KEY}.zone_name",
                                    record_name)
    return [spec.ResourceSpec(TYPE_TOKEN, SDK_MODULE, "ZoneRecord", role,
                              {"zone_name": zone, "name": name, "type": "MX", "value": record.exchange,
                               "priority": record.preference, "ttl": plan.ttl})
            for role, record in spec.records_by_role(plan)]


def check_adopt_id(role: str, value: object, resource: spec.ResourceSpec) -> str:
    """Check a ``<zone>_<record id>`` import id against the record we would declare."""
    return spec.zone_record_id(f"adopt.{role.replace('-', '_')}", value, resource.inputs["zone_name"], "_", LABEL,
                               "zone", ADOPT_HINT)


adopted = as_declared

#: ``dnsimple_zone_record``: the same attributes and import id as the bridged resource.
TERRAFORM = spec.Terraform("dnsimple_zone_record")
ADVISORIES: tuple[spec.Advisory, ...] = ()


def declared_mx(props: Mapping[str, Any]) -> tuple[str, list[MxRecord]] | None:
    """The owner and value of a declared MX record."""
    return spec.declared_record(NAME, props, "zoneName", "value")


stack_settings = spec.as_given

if TYPE_CHECKING:  # mypy checks this module against the backend contract
    from . import dnsimple as _this

    _CONTRACT: Backend = _this
