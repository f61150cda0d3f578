"""DNSimple: one ``dnsimple.ZoneRecord`` per MX value (pulumi-dnsimple, bridged from
terraform-provider-dnsimple's ``dnsimple_zone_record``).

Inputs are in the form DNSimple stores (the SDK's docstrings): ``zone_name``, ``name``
relative to the zone with ``""`` for the apex (not ``@``), ``value`` the exchange without a
trailing dot, ``priority`` and ``ttl``. Records are imported by ``<zone>_<record id>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core.names import normalize_name, relative_to
from ..core.plan import MxPlan, MxRecord
from ..errors import MxSplitError
from .base import Adoption, Backend
from .spec import (
    CREATE_OVER_EXISTING,
    ONE_SET_PER_NAME,
    PARTIAL_UPDATE,
    Advisory,
    Capability,
    ResourceSpec,
    Setting,
    Terraform,
    TtlRange,
    adopt_roles,
    as_given,
    host,
    is_mx,
    record_value,
    records_by_role,
    require_settings,
    setting_names,
    zone_and_name,
    zone_containing,
)

NAME = "dnsimple"
#: The ``MxSplitArgs`` field that selects this backend.
ARGS_KEY = "dnsimple"
LABEL = "DNSimple"
ORDER = 30
SDK_MODULE = "pulumi_dnsimple"
EXTRA = "dnsimple"
TYPE_TOKEN = "dnsimple:index/zoneRecord:ZoneRecord"
#: DNSimple takes record TTLs from 60 seconds.
TTL = TtlRange(60, 2147483647)
CAPABILITIES = (
    Capability(ONE_SET_PER_NAME, False, "one record per MX value, so each role is its own resource"),
    Capability(CREATE_OVER_EXISTING, True, "a new record lands beside an existing MX: adopt the old one"),
    Capability(PARTIAL_UPDATE, True, "each record updates on its own, so adopting one drops no other MX: "
                                     "nothing to read or guard first"),
)
SETTINGS = (
    Setting("zone_name", "The DNSimple zone that holds the domain (e.g. contoso.com); defaults to the domain itself.",
            required=False, flag="--zone-name"),
)
SETTINGS_REQUIRED, SETTINGS_OPTIONAL = setting_names(SETTINGS)
SETTINGS_TYPE = "DnsimpleDnsArgs"
SETTINGS_DOC = "Where the MX records live in DNSimple."
ADOPT_ROLES = adopt_roles(CAPABILITIES)
ADOPT_ID = "<zone>_<record id> (e.g. contoso.com_1234)"
ADOPT_HINT = ("find record ids with: curl -s -H 'Authorization: Bearer $TOKEN' "
              "'https://api.dnsimple.com/v2/<account id>/zones/<zone>/records?type=MX' | jq '.data[] | "
              "{id, content, priority}'")
_IMPORT_ID = re.compile(r"^(?P<zone>[^_\s]+)_(?P<record>[0-9]+)$")


def record_name(domain: str, zone_name: str) -> str:
    """The record's name in its zone: ``""`` at the apex (DNSimple's form), else the labels below it."""
    name = relative_to(domain, zone_containing(domain, zone_name, f"{ARGS_KEY}.zone_name", LABEL))
    return "" if name == "@" else name


def describe(plan: MxPlan, settings: object) -> list[ResourceSpec]:
    """The records for ``plan`` on DNSimple. Pure: ``zone_name`` may be a ``pulumi.Input``."""
    cfg = require_settings(settings, ARGS_KEY, SETTINGS_REQUIRED, SETTINGS_OPTIONAL)
    TTL.check(plan.ttl, LABEL)
    zone, name = zone_and_name(plan.domain, cfg.get("zone_name"), "zone_name", f"{ARGS_KEY}.zone_name", record_name)
    return [ResourceSpec(TYPE_TOKEN, SDK_MODULE, "ZoneRecord", role,
                         {"zone_name": zone, "name": name, "type": "MX", "value": record.exchange,
                          "priority": record.preference, "ttl": plan.ttl})
            for role, record in records_by_role(plan)]


def check_adopt_id(role: str, value: object, spec: ResourceSpec) -> str:
    """Check a ``<zone>_<record id>`` import id against the record we would declare."""
    field = f"adopt.{role.replace('-', '_')}"
    m = _IMPORT_ID.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise MxSplitError(f"{field} {value!r} is not a DNSimple import id '<zone>_<record id>' (e.g. "
                           f"contoso.com_1234); {ADOPT_HINT}", field=field)
    zone = normalize_name(m["zone"], field, min_labels=1)  # as the component's own zone is (IDN, case, dot)
    want = spec.inputs["zone_name"]
    if isinstance(want, str) and zone != want:
        raise MxSplitError(f"{field} is in zone {zone!r}, but the component manages zone {want!r}", field=field)
    return f"{zone}_{m['record']}"


def adopted(spec: ResourceSpec, plan: MxPlan) -> Adoption:
    """Import the record as declared: it updates on its own, so there is nothing to guard."""
    return Adoption(spec)


#: ``dnsimple_zone_record``: the same attributes and import id as the bridged resource.
TERRAFORM = Terraform("dnsimple_zone_record")
ADVISORIES: tuple[Advisory, ...] = ()


def declared_mx(props: Mapping[str, Any]) -> tuple[str, list[MxRecord]] | None:
    """The owner and value of a declared ``ZoneRecord`` of type MX."""
    if not is_mx(props):
        return None
    return (f"{NAME}:{host(props.get('zoneName'))}:{host(props.get('name'))}",
            [record_value(props.get("priority"), props.get("value"))])


stack_settings = as_given

if TYPE_CHECKING:  # mypy checks this module against the backend contract
    from . import dnsimple as _this

    _CONTRACT: Backend = _this
