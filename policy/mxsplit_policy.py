"""The checks of the mxsplit policy pack, as plain functions over resource properties.

They see every MX record a stack declares, whether or not it comes from MxSplit, group
them by owner name, and run mxsplit's planning rules on each group that points at
Microsoft 365. Props use the engine's (camelCase) property names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mxsplit_component.core.clouds import is_microsoft_host
from mxsplit_component.core.plan import MxRecord
from mxsplit_component.core.rules import RULES, RuleContext

AZURE_SET = "azure-native:dns:RecordSet"
CF_RECORD = "cloudflare:index/dnsRecord:DnsRecord"
#: Rules that make sense on records declared without a plan.
SPLIT_RULES = [r for r in RULES if r.id in ("hosts-distinct", "priority-order", "dane-compatible")]
TENANT_SUFFIXES = ("mail.protection.outlook.com", "mail.protection.partner.outlook.cn")

Report = Callable[..., None]


@dataclass
class MxGroup:
    """All MX values declared for one owner name, with the URN of each declaring resource."""

    owner: str
    records: list[MxRecord] = field(default_factory=list)
    urns: list[str] = field(default_factory=list)


def _host(value: Any) -> str:
    return str(value or "").rstrip(".").lower()


def is_tenant_host(host: str) -> bool:
    """``contoso.mail.protection.outlook.com``: tenant names have no hyphen, domain tokens do."""
    for suffix in TENANT_SUFFIXES:
        if host.endswith("." + suffix):
            token = host[: -len(suffix) - 1]
            return "." not in token and "-" not in token
    return False


def mx_groups(resources: Iterable[Any]) -> list[MxGroup]:
    """Group the MX values of Azure record sets and Cloudflare records by owner."""
    groups: dict[str, MxGroup] = {}
    for res in resources:
        props: Mapping[str, Any] = res.props or {}
        if res.resource_type == AZURE_SET and str(props.get("recordType", "")).upper() == "MX":
            owner = f"azure:{props.get('zoneName')}:{props.get('relativeRecordSetName')}"
            values = [(r.get("preference"), r.get("exchange")) for r in props.get("mxRecords") or []]
        elif res.resource_type == CF_RECORD and str(props.get("type", "")).upper() == "MX":
            name = _host(props.get("name"))
            owner = f"cloudflare:{props.get('zoneId')}:{name}"
            values = [(props.get("priority"), props.get("content"))]
        else:
            continue
        group = groups.setdefault(owner, MxGroup(owner))
        group.records += [MxRecord(int(p or 0), _host(e)) for p, e in values]
        group.urns.append(res.urn)
    return list(groups.values())


def check_split_order(resources: Iterable[Any], report: Report) -> None:
    """Mandatory: a group that mixes a tenant host and a domain host must be a correct split."""
    for group in mx_groups(resources):
        microsoft = [r for r in group.records if is_microsoft_host(r.exchange)]
        tenant = sorted({r.exchange for r in microsoft if is_tenant_host(r.exchange)})
        domain = sorted({r.exchange for r in microsoft if not is_tenant_host(r.exchange)})
        if not tenant or not domain:
            continue  # not a split: a single Microsoft MX is Microsoft's own recommendation
        ctx = RuleContext("split", tenant[0], domain[0])
        for rule in SPLIT_RULES:
            result = rule(sorted(group.records), ctx)
            if not result.ok and result.severity == "error":
                report(f"{result.id}: {result.message}", group.urns[0])


def check_cloudflare_form(resource_type: str, props: Mapping[str, Any], report: Report) -> None:
    """Advisory: Cloudflare MX records written in a form Cloudflare rewrites diff on every preview."""
    if resource_type != CF_RECORD or str(props.get("type", "")).upper() != "MX":
        return
    if not is_microsoft_host(_host(props.get("content"))):
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
