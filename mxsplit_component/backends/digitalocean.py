"""DigitalOcean: one ``digitalocean.DnsRecord`` per MX value (pulumi-digitalocean, bridged
from terraform-provider-digitalocean's ``digitalocean_record``).

Inputs are in the form DigitalOcean stores (the SDK's docstrings and examples): ``domain``
(DigitalOcean's name for the zone), ``name`` relative to it with ``@`` for the apex,
``value`` the exchange as an absolute name WITH its trailing dot, ``priority`` and ``ttl``.
Records are imported by ``<domain>,<record id>``.
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

NAME = "digitalocean"
#: The ``MxSplitArgs`` field that selects this backend.
ARGS_KEY = "digitalocean"
LABEL = "DigitalOcean"
ORDER = 40
SDK_MODULE = "pulumi_digitalocean"
EXTRA = "digitalocean"
TYPE_TOKEN = "digitalocean:index/dnsRecord:DnsRecord"
#: The DigitalOcean API refuses record TTLs under 30 seconds (the SDK only says "at least 0").
TTL = TtlRange(30, 2147483647)
CAPABILITIES = (
    Capability(ONE_SET_PER_NAME, False, "one record per MX value, so each role is its own resource"),
    Capability(CREATE_OVER_EXISTING, True, "a new record lands beside an existing MX: adopt the old one"),
    Capability(PARTIAL_UPDATE, True, "each record updates on its own, so adopting one drops no other MX: "
                                     "nothing to read or guard first"),
)
SETTINGS = (
    Setting("domain", "The DigitalOcean domain (zone) that holds the domain, e.g. contoso.com; defaults to the domain "
            "itself.", required=False, flag="--zone-name"),
)
SETTINGS_REQUIRED, SETTINGS_OPTIONAL = setting_names(SETTINGS)
SETTINGS_TYPE = "DigitalOceanDnsArgs"
SETTINGS_DOC = "Where the MX records live in DigitalOcean DNS."
ADOPT_ROLES = adopt_roles(CAPABILITIES)
ADOPT_ID = "<domain>,<record id> (e.g. contoso.com,12345678)"
ADOPT_HINT = "find record ids with: doctl compute domain records list <domain> --format ID,Type,Priority,Data"
_IMPORT_ID = re.compile(r"^(?P<domain>[^,\s]+),(?P<record>[0-9]+)$")


def record_name(domain: str, zone: str) -> str:
    """The record's name in its DigitalOcean domain: ``@`` at the apex, else the labels below it."""
    return relative_to(domain, zone_containing(domain, zone, f"{ARGS_KEY}.domain", LABEL))


def describe(plan: MxPlan, settings: object) -> list[ResourceSpec]:
    """The records for ``plan`` on DigitalOcean. Pure: ``domain`` may be a ``pulumi.Input``."""
    cfg = require_settings(settings, ARGS_KEY, SETTINGS_REQUIRED, SETTINGS_OPTIONAL)
    TTL.check(plan.ttl, LABEL)
    zone, name = zone_and_name(plan.domain, cfg.get("domain"), "domain", f"{ARGS_KEY}.domain", record_name)
    # The value is absolute, with its dot: DigitalOcean stores MX data that way, so anything else diffs.
    return [ResourceSpec(TYPE_TOKEN, SDK_MODULE, "DnsRecord", role,
                         {"domain": zone, "name": name, "type": "MX", "value": f"{record.exchange}.",
                          "priority": record.preference, "ttl": plan.ttl})
            for role, record in records_by_role(plan)]


def check_adopt_id(role: str, value: object, spec: ResourceSpec) -> str:
    """Check a ``<domain>,<record id>`` import id against the record we would declare."""
    field = f"adopt.{role.replace('-', '_')}"
    m = _IMPORT_ID.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise MxSplitError(f"{field} {value!r} is not a DigitalOcean import id '<domain>,<record id>' (e.g. "
                           f"contoso.com,12345678); {ADOPT_HINT}", field=field)
    zone = normalize_name(m["domain"], field, min_labels=1)  # as the component's own zone is (IDN, case, dot)
    want = spec.inputs["domain"]
    if isinstance(want, str) and zone != want:
        raise MxSplitError(f"{field} is in domain {zone!r}, but the component manages domain {want!r}", field=field)
    return f"{zone},{m['record']}"


def adopted(spec: ResourceSpec, plan: MxPlan) -> Adoption:
    """Import the record as declared: it updates on its own, so there is nothing to guard."""
    return Adoption(spec)


#: ``digitalocean_record``: the same attributes and import id as the bridged resource.
TERRAFORM = Terraform("digitalocean_record")
ADVISORIES: tuple[Advisory, ...] = ()


def declared_mx(props: Mapping[str, Any]) -> tuple[str, list[MxRecord]] | None:
    """The owner and value of a declared ``DnsRecord`` of type MX."""
    if not is_mx(props):
        return None
    return (f"{NAME}:{host(props.get('domain'))}:{host(props.get('name'))}",
            [record_value(props.get("priority"), props.get("value"))])


stack_settings = as_given

if TYPE_CHECKING:  # mypy checks this module against the backend contract
    from . import digitalocean as _this

    _CONTRACT: Backend = _this
