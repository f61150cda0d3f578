"""Trade-off findings: info only, each with a source, raised only where the split gives something up."""

from __future__ import annotations

from mxsplit_component.check.observe import Observation
from mxsplit_component.check.tradeoffs import SOURCES, tradeoff_findings
from mxsplit_component.core.plan import MxRecord, plan_mx
from mxsplit_component.dns.observe import HostLookup

MS = "mail.protection.outlook.com"
PLAN = plan_mx(domain="contoso.com", tenant="contoso")


def obs(records, hosts):
    return Observation("contoso.com", mx=[MxRecord(p, h) for p, h in records], hosts=hosts)


def test_split_with_an_ipv4_only_mx0_fails_internet_nl_by_design():
    o = obs([(0, f"contoso.{MS}"), (10, f"contoso-com.{MS}")],
            {f"contoso.{MS}": HostLookup(ipv4=["192.0.2.1"]),
             f"contoso-com.{MS}": HostLookup(ipv4=["192.0.2.2"], ipv6=["2001:db8::2"])})
    [finding] = tradeoff_findings(PLAN, o)
    assert finding.id == "internet-nl-mx-aaaa" and finding.severity == "info"
    assert finding.message == (f"internet.nl's IPv6 mail test (mx_aaaa) requires AAAA on every MX host, so it marks "
                               f"this domain as failing: contoso.{MS} has no AAAA by design (that is the split); "
                               "expected, not a fault")


def test_no_internet_nl_note_when_nothing_has_ipv6_or_a_lookup_failed():
    no_v6 = obs([(0, f"contoso.{MS}"), (10, f"contoso-com.{MS}")],
                {f"contoso.{MS}": HostLookup(ipv4=["192.0.2.1"]), f"contoso-com.{MS}": HostLookup(ipv4=["192.0.2.2"])})
    assert tradeoff_findings(PLAN, no_v6) == []
    failed = obs([(0, f"contoso.{MS}"), (10, f"contoso-com.{MS}")],
                 {f"contoso.{MS}": HostLookup(ipv4=["192.0.2.1"], errors=["AAAA timed out"]),
                  f"contoso-com.{MS}": HostLookup(ipv4=["192.0.2.2"], ipv6=["2001:db8::2"])})
    assert tradeoff_findings(PLAN, failed) == []


def test_dane_on_mx_microsoft_does_not_cover_mx0():
    ds = "contoso-com.o-v1.mx.microsoft"
    plan = plan_mx(domain="contoso.com", tenant="contoso", dual_stack_host=ds)
    o = obs([(0, f"contoso.{MS}"), (10, ds)],
            {f"contoso.{MS}": HostLookup(ipv4=["192.0.2.1"]), ds: HostLookup(ipv4=["192.0.2.2"], ipv6=["2001:db8::2"])})
    found = {f.id: f for f in tradeoff_findings(plan, o)}
    assert set(found) == {"internet-nl-mx-aaaa", "dane-mx0-unsigned"}
    assert found["dane-mx0-unsigned"].message.startswith(
        f"DANE and DNSSEC for {ds} do not cover contoso.{MS} in the unsigned mail.protection.outlook.com zone")


def test_standard_mode_gives_nothing_up():
    plan = plan_mx(domain="contoso.com", tenant="contoso", mode="standard")
    o = obs([(0, f"contoso-com.{MS}")], {f"contoso-com.{MS}": HostLookup(ipv4=["192.0.2.2"], ipv6=["2001:db8::2"])})
    assert tradeoff_findings(plan, o) == []


def test_every_tradeoff_has_a_source():
    assert set(SOURCES) == {"internet-nl-mx-aaaa", "dane-mx0-unsigned"}
    assert all(SOURCES.values())
