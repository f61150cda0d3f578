"""The checks of the mxsplit policy pack, as plain functions over resource properties.

They see every MX record a stack declares, whether or not it comes from MxSplit, group
them by owner name, and run mxsplit's planning rules on each group that points at
Microsoft 365. Which resource types hold MX records, and how to read them, comes from the
backends (``TYPE_TOKEN`` and ``declared_mx``), as do their own advisory checks. Props use
the engine's (camelCase) property names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mxsplit_component.backends import BACKENDS
from mxsplit_component.backends.base import Backend
from mxsplit_component.backends.spec import Advisory
from mxsplit_component.core.clouds import CLOUDS, is_microsoft_host
from mxsplit_component.core.findings import Severity
from mxsplit_component.core.plan import MxRecord
from mxsplit_component.core.rules import RULES, RuleContext

#: The backend of each resource type that holds MX records.
BY_TYPE_TOKEN: dict[str, Backend] = {b.TYPE_TOKEN: b for b in BACKENDS.values()}
#: Every backend's advisory checks, each a resource policy of the pack.
ADVISORIES: tuple[Advisory, ...] = tuple(a for b in BACKENDS.values() for a in b.ADVISORIES)
#: Rules that make sense on records declared without a plan.
SPLIT_RULES = [r for r in RULES if r.id in ("hosts-distinct", "priority-order", "dane-compatible")]
#: Suffixes under which a tenant's own (IPv4-only) host lives, ``<tenant>.<suffix>``. Not
#: core's ``TENANT_SUFFIXES``, which are the suffixes of a tenant's initial *domain*.
TENANT_HOST_SUFFIXES = tuple(sorted({cloud.protection_suffix for cloud in CLOUDS.values()}))

Report = Callable[..., None]


@dataclass
class MxGroup:
    """All MX values declared for one owner name, with the URN of each declaring resource."""

    owner: str
    records: list[MxRecord] = field(default_factory=list)
    urns: list[str] = field(default_factory=list)


def is_tenant_host(host: str) -> bool:
    """``contoso.mail.protection.outlook.com``: tenant names have no hyphen, domain tokens do."""
    for suffix in TENANT_HOST_SUFFIXES:
        if host.endswith("." + suffix):
            token = host[: -len(suffix) - 1]
            return "." not in token and "-" not in token
    return False


def mx_values(resource_type: str, props: Mapping[str, Any]) -> tuple[str, list[MxRecord]] | None:
    """(owner, values) of an MX record set or record on any supported provider, else ``None``."""
    backend = BY_TYPE_TOKEN.get(resource_type)
    return backend.declared_mx(props) if backend is not None else None


def mx_groups(resources: Iterable[Any]) -> list[MxGroup]:
    """Group the MX values of every supported provider's records by owner."""
    groups: dict[str, MxGroup] = {}
    for res in resources:
        found = mx_values(res.resource_type, res.props or {})
        if found is None:
            continue
        owner, values = found
        group = groups.setdefault(owner, MxGroup(owner))
        group.records += values
        group.urns.append(res.urn)
    return list(groups.values())


def check_split(resources: Iterable[Any], report: Report, severity: Severity) -> None:
    """Run the split rules of ``severity`` on every group that mixes a tenant host and a domain host."""
    for group in mx_groups(resources):
        microsoft = [r for r in group.records if is_microsoft_host(r.exchange)]
        tenant = sorted({r.exchange for r in microsoft if is_tenant_host(r.exchange)})
        domain = sorted({r.exchange for r in microsoft if not is_tenant_host(r.exchange)})
        if not tenant or not domain:
            continue  # not a split: a single Microsoft MX is Microsoft's own recommendation
        ctx = RuleContext("split", tenant[0], domain[0])
        for rule in SPLIT_RULES:
            result = rule(sorted(group.records), ctx)
            if not result.ok and result.severity is severity:
                report(f"{result.id}: {result.message}", group.urns[0])


def check_split_order(resources: Iterable[Any], report: Report) -> None:
    """Mandatory: a group that mixes a tenant host and a domain host must be a correct split."""
    check_split(resources, report, Severity.ERROR)


def check_split_advisories(resources: Iterable[Any], report: Report) -> None:
    """Advisory: warning rules (``dane-compatible``) on the same groups; they never block."""
    check_split(resources, report, Severity.WARNING)

