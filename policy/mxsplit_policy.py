"""The checks of the mxsplit policy pack, as plain functions over resource properties.

They see every MX record a stack declares, whether or not it comes from MxSplit, group
them by owner name, and run mxsplit's planning rules on each group that points at
Microsoft 365. Props use the engine's (camelCase) property names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mxsplit_component.core.clouds import CLOUDS, is_microsoft_host
from mxsplit_component.core.findings import Severity
from mxsplit_component.core.plan import MxRecord
from mxsplit_component.core.rules import RULES, RuleContext

AZURE_SET = "azure-native:dns:RecordSet"
CF_RECORD = "cloudflare:index/dnsRecord:DnsRecord"
ROUTE53_RECORD = "aws:route53/record:Record"
GCP_RECORD_SET = "gcp:dns/recordSet:RecordSet"
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


def _host(value: Any) -> str:
    return str(value or "").rstrip(".").lower()


def is_tenant_host(host: str) -> bool:
    """``contoso.mail.protection.outlook.com``: tenant names have no hyphen, domain tokens do."""
    for suffix in TENANT_HOST_SUFFIXES:
        if host.endswith("." + suffix):
            token = host[: -len(suffix) - 1]
            return "." not in token and "-" not in token
    return False


def _text_values(values: Any) -> list[tuple[Any, Any]]:
    """``["10 host.", …]`` (Route 53 ``records``, Cloud DNS ``rrdatas``) as (preference, exchange)."""
    pairs = []
    for value in values or []:
        parts = str(value).split()
        if len(parts) == 2 and parts[0].isdigit():
            pairs.append((int(parts[0]), parts[1]))
    return pairs


def mx_values(resource_type: str, props: Mapping[str, Any]) -> tuple[str, list[tuple[Any, Any]]] | None:
    """(owner, values) of an MX record set or record on any supported provider, else ``None``."""
    if resource_type == AZURE_SET and str(props.get("recordType", "")).upper() == "MX":
        return (f"azure:{props.get('zoneName')}:{props.get('relativeRecordSetName')}",
                [(r.get("preference"), r.get("exchange")) for r in props.get("mxRecords") or []])
    if resource_type == CF_RECORD and str(props.get("type", "")).upper() == "MX":
        return f"cloudflare:{props.get('zoneId')}:{_host(props.get('name'))}", [(props.get("priority"), props.get("content"))]
    if resource_type == ROUTE53_RECORD and str(props.get("type", "")).upper() == "MX":
        return f"route53:{props.get('zoneId')}:{_host(props.get('name'))}", _text_values(props.get("records"))
    if resource_type == GCP_RECORD_SET and str(props.get("type", "")).upper() == "MX":
        return (f"cloud-dns:{props.get('project')}:{props.get('managedZone')}:{_host(props.get('name'))}",
                _text_values(props.get("rrdatas")))
    return None


def mx_groups(resources: Iterable[Any]) -> list[MxGroup]:
    """Group the MX values of every supported provider's records by owner."""
    groups: dict[str, MxGroup] = {}
    for res in resources:
        found = mx_values(res.resource_type, res.props or {})
        if found is None:
            continue
        owner, values = found
        group = groups.setdefault(owner, MxGroup(owner))
        group.records += [MxRecord(int(p or 0), _host(e)) for p, e in values]
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


def check_route53_overwrite(resource_type: str, props: Mapping[str, Any], report: Report) -> None:
    """Advisory: ``allow_overwrite`` on a Microsoft MX set replaces foreign values without a word."""
    if resource_type != ROUTE53_RECORD or str(props.get("type", "")).upper() != "MX":
        return
    if props.get("allowOverwrite") and any(is_microsoft_host(_host(e)) for _, e in _text_values(props.get("records"))):
        report("allowOverwrite: an UPSERT silently replaces whatever the MX set held (a gateway, a backup MX); "
               "import the existing set instead (pulumi import id <zone id>_<name>_MX) and drop allowOverwrite")


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
