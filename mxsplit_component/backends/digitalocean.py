"""DigitalOcean: one ``digitalocean.DnsRecord`` per MX value (pulumi-digitalocean, bridged
from terraform-provider-digitalocean's ``digitalocean_record``).

Inputs are in the form DigitalOcean stores (the SDK's docstrings and examples): ``domain``
(DigitalOcean's name for the zone), ``name`` relative to it with ``@`` for the apex,
``value`` the exchange as an absolute name WITH its trailing dot, ``priority`` and ``ttl``.
Records are imported by ``<domain>,<record id>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core.names import relative_to
from ..core.plan import MxPlan, MxRecord
from . import spec
from .base import Backend, as_declared

NAME = "digitalocean"
#: The ``MxSplitArgs`` field that selects this backend.
ARGS_KEY = "digitalocean"
LABEL = "DigitalOcean"
ORDER = 40
SDK_MODULE = "pulumi_digitalocean"
EXTRA = "digitalocean"
TYPE_TOKEN = "digitalocean:index/dnsRecord:DnsRecord"
#: The DigitalOcean API refuses record TTLs under 30 seconds (the SDK only says "at least 0").
TTL = spec.TtlRange(30, 2147483647)
CAPABILITIES = spec.PER_RECORD
SETTINGS = (
    spec.Setting("domain", "The DigitalOcean domain (zone) that holds the domain, e.g. contoso.com; defaults to the "
                 "domain itself.", required=False, flag="--zone-name"),
)
SETTINGS_REQUIRED, SETTINGS_OPTIONAL = spec.setting_names(SETTINGS)
SETTINGS_TYPE = "DigitalOceanDnsArgs"
SETTINGS_DOC = "Where the MX records live in DigitalOcean DNS."
ADOPT_ROLES = spec.adopt_roles(CAPABILITIES)
ADOPT_ID = "<domain>,<record id> (e.g. contoso.com,12345678)"
ADOPT_HINT = "find record ids with: doctl compute domain records list <domain> --format ID,Type,Priority,Data"


def record_name(domain: str, zone: str) -> str:
    """The record's name in its DigitalOcean domain: ``@`` at the apex, else the labels below it."""
    return relative_to(domain, spec.zone_containing(domain, zone, f"{ARGS_KEY}.domain", LABEL))


def describe(plan: MxPlan, settings: object) -> list[spec.ResourceSpec]:
    """The records for ``plan`` on DigitalOcean. Pure: ``domain`` may be a ``pulumi.Input``."""
    cfg = spec.require_settings(settings, ARGS_KEY, SETTINGS_REQUIRED, SETTINGS_OPTIONAL)
    TTL.check(plan.ttl, LABEL)
    zone, name = spec.zone_and_name(plan.domain, cfg.get("domain"), "domain", f"{ARGS_KEY}.domain", record_name)
    # The value is absolute, with its dot: DigitalOcean stores MX data that way, so anything else diffs.
    return [spec.ResourceSpec(TYPE_TOKEN, SDK_MODULE, "DnsRecord", role,
                              {"domain": zone, "name": name, "type": "MX", "value": f"{record.exchange}.",
                               "priority": record.preference, "ttl": plan.ttl})
            for role, record in spec.records_by_role(plan)]


def check_adopt_id(role: str, value: object, resource: spec.ResourceSpec) -> str:
    """Check a ``<domain>,<record id>`` import id against the record we would declare."""
    return spec.zone_record_id(f"adopt.{role.replace('-', '_')}", value, resource.inputs["domain"], ",", LABEL,
                               "domain", ADOPT_HINT)


adopted = as_declared

#: ``digitalocean_record``: the same attributes and import id as the bridged resource.
TERRAFORM = spec.Terraform("digitalocean_record")
ADVISORIES: tuple[spec.Advisory, ...] = ()


def declared_mx(props: Mapping[str, Any]) -> tuple[str, list[MxRecord]] | None:
    """The owner and value of a declared MX record."""
    return spec.declared_record(NAME, props, "domain", "value")


stack_settings = spec.as_given

if TYPE_CHECKING:  # mypy checks this module against the backend contract
    from . import digitalocean as _this

    _CONTRACT: Backend = _this
