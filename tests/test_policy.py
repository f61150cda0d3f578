"""The CrossGuard pack's validate functions on sample resource properties."""

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "policy"))

from mxsplit_component.backends.cloudflare import check_form as check_cloudflare_form  # noqa: E402
from mxsplit_component.backends.route53 import check_overwrite as check_route53_overwrite  # noqa: E402
from mxsplit_component.core.plan import MxRecord  # noqa: E402
from mxsplit_policy import (  # noqa: E402
    TENANT_HOST_SUFFIXES,
    check_split_advisories,
    check_split_order,
    is_tenant_host,
    mx_groups,
)

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"


@dataclass
class Res:
    resource_type: str
    props: dict
    urn: str = field(default="urn:pulumi:dev::p::t::r")


def azure_set(*values, name="@"):
    return Res("azure-native:dns:RecordSet", {"recordType": "MX", "zoneName": "contoso.com",
                                              "relativeRecordSetName": name,
                                              "mxRecords": [{"preference": p, "exchange": e} for p, e in values]},
               urn=f"urn:azure:{name}")


def cf(priority, content, name="contoso.com", **extra):
    return Res("cloudflare:index/dnsRecord:DnsRecord", {"type": "MX", "zoneId": "z", "name": name,
                                                        "priority": priority, "content": content, "ttl": 3600,
                                                        "proxied": False, **extra}, urn=f"urn:cf:{content}")


def route53(*values, name="contoso.com", **extra):
    return Res("aws:route53/record:Record", {"type": "MX", "zoneId": "Z1", "name": name, "ttl": 3600,
                                              "records": [f"{p} {e}." for p, e in values], **extra},
               urn=f"urn:route53:{name}")


def gcp(*values, name="contoso.com.", project="acme"):
    return Res("gcp:dns/recordSet:RecordSet", {"type": "MX", "managedZone": "contoso-com", "project": project,
                                                "name": name, "ttl": 3600, "rrdatas": [f"{p} {e}." for p, e in values]},
               urn=f"urn:gcp:{project}:{name}")


def violations(fn, *args):
    found = []
    fn(*args, lambda message, urn=None: found.append((message, urn)))
    return found


def test_tenant_host_detection():
    assert is_tenant_host(V4) and not is_tenant_host(DS)
    assert is_tenant_host("contoso.mail.protection.partner.outlook.cn")
    assert TENANT_HOST_SUFFIXES == ("mail.protection.outlook.com", "mail.protection.partner.outlook.cn")
    assert not is_tenant_host("contoso-com.o-v1.mx.microsoft")


def test_correct_split_passes():
    assert violations(check_split_order, [azure_set((0, V4), (10, DS))]) == []
    assert violations(check_split_order, [cf(0, V4), cf(10, DS)]) == []
    assert violations(check_split_order, [route53((0, V4), (10, DS))]) == []
    assert violations(check_split_order, [gcp((0, V4), (10, DS))]) == []


@pytest.mark.parametrize("resources", [
    [azure_set((10, V4), (0, DS))],
    [cf(10, V4), cf(0, DS)],
    [route53((10, V4), (0, DS))],
    [gcp((10, V4), (0, DS))],
])
def test_tenant_host_not_strictly_preferred(resources):
    [(message, urn)] = violations(check_split_order, resources)
    assert message.startswith(f"priority-order: {DS} (MX 0) is preferred over {V4} (MX 10)")
    assert urn == resources[0].urn


def test_equal_priorities():
    [(message, _)] = violations(check_split_order, [cf(10, V4), cf(10, DS)])
    assert message.startswith(f"priority-order: {V4} and {DS} share preference 10")


def test_single_microsoft_mx_is_not_judged():
    assert violations(check_split_order, [azure_set((0, DS))]) == []
    assert violations(check_split_order, [cf(0, "mx.example.net")]) == []


def test_groups_are_per_owner():
    groups = mx_groups([azure_set((0, V4), name="@"), azure_set((0, DS), name="eu"), cf(0, V4), cf(10, DS)])
    assert sorted(len(g.records) for g in groups) == [1, 1, 2]
    # Records on different names never form a split with each other
    assert violations(check_split_order, [azure_set((10, V4), name="@"), azure_set((0, DS), name="eu")]) == []


@pytest.mark.parametrize("extra, fragment", [
    ({"name": "@"}, "name '@'"),
    ({"content": V4 + "."}, "content ends with '.'"),
    ({"proxied": True}, "MX records cannot be proxied"),
    ({"ttl": None}, "set a real TTL"),
])
def test_cloudflare_forms_that_diff_forever(extra, fragment):
    res = cf(0, V4)
    res.props.update(extra)
    found = violations(check_cloudflare_form, res.resource_type, res.props)
    assert any(fragment in m for m, _ in found)


def test_cloudflare_clean_record_and_non_microsoft_are_fine():
    res = cf(0, V4)
    assert violations(check_cloudflare_form, res.resource_type, res.props) == []
    other = cf(0, "mx.example.net.", name="@")
    assert violations(check_cloudflare_form, other.resource_type, other.props) == []


def test_mxsplit_component_output_passes_the_pack():
    """What MxSplit declares on Cloudflare is exactly the form the pack asks for."""
    from mxsplit_component import plan_mx
    from mxsplit_component.backends import cloudflare

    specs = cloudflare.describe(plan_mx(domain="contoso.com", tenant="contoso"), {"zone_id": "z"})
    resources = [Res(s.type_token, {"type": "MX", "zoneId": "z", "name": s.inputs["name"], "ttl": s.inputs["ttl"],
                                    "priority": s.inputs["priority"], "content": s.inputs["content"],
                                    "proxied": s.inputs["proxied"]}) for s in specs]
    assert violations(check_split_order, resources) == []
    for r in resources:
        assert violations(check_cloudflare_form, r.resource_type, r.props) == []


def test_pack_entry_point_builds():
    code = ("import sys, unittest.mock as m; sys.path.insert(0, 'policy');"
            "import pulumi_policy;"
            "m.patch.object(pulumi_policy.PolicyPack, '__init__', lambda self, name, policies, **kw: "
            "print(name, sorted(p.name for p in policies))).start();"
            "import runpy; runpy.run_path('policy/__main__.py')")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ("mxsplit ['cloudflare-mx-form', 'mx-split-advisories', 'mx-split-order', "
                                   "'route53-mx-overwrite']")


def test_route53_and_gcp_groups_are_per_owner():
    groups = mx_groups([route53((0, V4)), route53((10, DS), name="eu.contoso.com"), gcp((0, V4), (10, DS)),
                        gcp((0, V4), project="other"), route53((0, "x"), type="TXT")])
    assert sorted((g.owner, len(g.records)) for g in groups) == [
        ("cloud-dns:acme:contoso-com:contoso.com", 2), ("cloud-dns:other:contoso-com:contoso.com", 1),
        ("route53:Z1:contoso.com", 1), ("route53:Z1:eu.contoso.com", 1)]
    # A bad order split across two names is no split at all.
    assert violations(check_split_order, [route53((10, V4)), route53((0, DS), name="eu.contoso.com")]) == []


def test_unparseable_text_values_are_ignored():
    res = route53((0, V4))
    res.props["records"] = ["garbage", f"10 {DS}."]
    [group] = mx_groups([res])
    assert group.records == [MxRecord(10, DS)]


DANE = "contoso-com.o-v1.mx.microsoft"


@pytest.mark.parametrize("resources", [
    [azure_set((0, V4), (10, DANE))],
    [cf(0, V4), cf(10, DANE)],
    [route53((0, V4), (10, DANE))],
    [gcp((0, V4), (10, DANE))],
])
def test_dane_conflict_is_advisory_on_every_provider(resources):
    [(message, urn)] = violations(check_split_advisories, resources)
    assert message.startswith(f"dane-compatible: {DANE} is an mx.microsoft host: inbound DANE for Exchange Online "
                              "requires a single MX with no fallback")
    assert urn == resources[0].urn
    # A correct order with a DANE host is not an error: the mandatory policy stays quiet.
    assert violations(check_split_order, resources) == []


def test_advisories_do_not_repeat_errors():
    assert violations(check_split_advisories, [route53((10, V4), (0, DS))]) == []


def test_route53_overwrite_is_flagged_on_microsoft_mx_only():
    [(message, _)] = violations(check_route53_overwrite, "aws:route53/record:Record",
                                route53((0, V4), allowOverwrite=True).props)
    assert message.startswith("allowOverwrite: an UPSERT silently replaces whatever the MX set held")
    assert violations(check_route53_overwrite, "aws:route53/record:Record", route53((0, V4)).props) == []
    assert violations(check_route53_overwrite, "aws:route53/record:Record",
                      route53((0, "mx.example.net"), allowOverwrite=True).props) == []


def test_route53_and_cloud_dns_component_output_passes_the_pack():
    """What the new backends declare (inputs as the engine sees them, camelCase) passes the pack."""
    from mxsplit_component import plan_mx
    from mxsplit_component.backends import clouddns
    from mxsplit_component.backends import route53 as r53

    plan = plan_mx(domain="contoso.com", tenant="contoso")
    [a] = r53.describe(plan, {"zone_id": "Z1"})
    [b] = clouddns.describe(plan, {"managed_zone": "contoso-com"})
    resources = [Res(a.type_token, {"zoneId": "Z1", "name": a.inputs["name"], "type": "MX",
                                    "records": a.inputs["records"]}),
                 Res(b.type_token, {"managedZone": "contoso-com", "name": b.inputs["name"], "type": "MX",
                                    "rrdatas": b.inputs["rrdatas"]})]
    assert [len(g.records) for g in mx_groups(resources)] == [2, 2]
    assert violations(check_split_order, resources) == []
    assert violations(check_split_advisories, resources) == []
    assert violations(check_route53_overwrite, a.type_token, resources[0].props) == []
