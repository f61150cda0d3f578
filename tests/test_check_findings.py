"""Findings from hand-built observations: each id, severity and exit code, offline."""

import asyncio

import pytest

from mxsplit_component import MxRecord, plan_mx
from mxsplit_component.check.findings import evaluate, exit_code
from mxsplit_component.check.observe import Observation, observe
from mxsplit_component.dns.observe import HostLookup
from mxsplit_component.dns.transport import Answer

PLAN = plan_mx(domain="contoso.com", tenant="contoso", dual_stack_host="contoso-com.mail.protection.outlook.com")
V4, DS = PLAN.ipv4_only_host, PLAN.dual_stack_host


def good_obs(**changes):
    obs = Observation("contoso.com", mx=list(PLAN.records),
                      hosts={V4: HostLookup(ipv4=["192.0.2.1"]),
                             DS: HostLookup(ipv4=["198.51.100.1"], ipv6=["2001:db8::1"])})
    for key, value in changes.items():
        setattr(obs, key, value)
    return obs


def by_id(findings, fid):
    return next(f for f in findings if f.id == fid)


def test_clean_observation_has_no_findings():
    findings = evaluate(PLAN, good_obs())
    assert findings == [] and exit_code(findings) == 0


def test_dns_error_wins_over_errors():
    obs = good_obs(mx=None, mx_error="no answer from 127.0.0.1:53 within 5s")
    obs.hosts[V4].ipv6 = ["2001:db8::9"]
    findings = evaluate(PLAN, obs)
    assert {f.id for f in findings} >= {"dns-error", "ipv4-host-has-aaaa"}
    assert exit_code(findings) == 3


def test_host_lookup_error_is_dns_error_not_no_address():
    obs = good_obs()
    obs.hosts[DS] = HostLookup(errors=["AAAA contoso-com.mail.protection.outlook.com: 127.0.0.1:53 answered SERVFAIL"])
    findings = evaluate(PLAN, obs)
    assert [f.id for f in findings] == ["dns-error"]
    assert exit_code(findings) == 3


def test_host_no_address():
    obs = good_obs()
    obs.hosts[DS] = HostLookup(nxdomain=True)
    f = by_id(evaluate(PLAN, obs), "host-no-address")
    assert f.message == (f"MX target {DS} has neither A nor AAAA (NXDOMAIN); senders cannot use it: check the host "
                         "name against the admin center")


def test_dual_stack_no_aaaa_is_info_in_standard_mode():
    plan = plan_mx(domain="contoso.com", tenant="contoso", mode="standard", dual_stack_host=DS)
    obs = Observation("contoso.com", mx=list(plan.records),
                      hosts={V4: HostLookup(ipv4=["192.0.2.1"]), DS: HostLookup(ipv4=["198.51.100.1"])})
    findings = evaluate(plan, obs)
    assert [(f.id, f.severity) for f in findings] == [("dual-stack-host-no-aaaa", "info")]
    assert exit_code(findings) == 0


def test_rules_run_on_the_published_set():
    obs = good_obs(mx=[MxRecord(10, V4), MxRecord(10, DS)])
    findings = evaluate(PLAN, obs)
    assert {"mx-mismatch", "priority-order"} <= {f.id for f in findings}


@pytest.mark.parametrize("policy, severity, fragment", [
    ("version: STSv1\nmode: enforce\nmx: contoso-com.mail.protection.outlook.com\nmax_age: 86400\n", "error",
     "does not list contoso.mail.protection.outlook.com"),
    ("version: STSv1\nmode: testing\nmx: contoso-com.mail.protection.outlook.com\nmax_age: 86400\n", "warning",
     "before switching the policy to enforce"),
    ("version: STSv1\nmode: enforce\nmx: *.mail.protection.outlook.com\nmax_age: 86400\n", "info",
     "lists every MX host"),
    ("hello", "warning", "policy is unusable"),
])
def test_mta_sts_policy_checked_when_fetched(policy, severity, fragment):
    obs = good_obs(mta_sts_txt=["v=STSv1; id=1"], mta_sts_policy=policy)
    f = by_id(evaluate(PLAN, obs), "mta-sts-present")
    assert f.severity == severity and fragment in f.message


class FakeClient:
    """Answers from a dict; records what was asked."""

    def __init__(self, answers):
        self.answers = answers
        self.asked = []

    async def query(self, qname, rdtype):
        self.asked.append((qname, rdtype))
        return self.answers.get((qname, rdtype), Answer(qname, rdtype, rcode="NOERROR"))


def test_observe_fetches_policy_only_when_txt_published():
    import dns.rrset

    txt = dns.rrset.from_text("_mta-sts.contoso.com.", 60, "IN", "TXT", '"v=STSv1; id=1"')
    client = FakeClient({("_mta-sts.contoso.com", "TXT"): Answer("_mta-sts.contoso.com", "TXT", rcode="NOERROR",
                                                                answer=[txt])})
    fetched = []

    async def fetcher(domain, _client):
        fetched.append(domain)
        return "version: STSv1\nmode: enforce\nmx: *.mail.protection.outlook.com\n"

    obs = asyncio.run(observe(PLAN, client, fetch_policy=fetcher))
    assert fetched == ["contoso.com"]
    assert obs.mta_sts_txt == ["v=STSv1; id=1"]
    # the tenant host is looked up, A and AAAA separately
    assert (V4, "A") in client.asked and (V4, "AAAA") in client.asked
    obs = asyncio.run(observe(PLAN, FakeClient({}), fetch_policy=fetcher))
    assert fetched == ["contoso.com"]  # no TXT, no fetch


def test_fetch_failure_keeps_a_warning():
    obs = good_obs(mta_sts_txt=["v=STSv1; id=1"], mta_sts_policy_error="connection refused")
    f = by_id(evaluate(PLAN, obs), "mta-sts-present")
    assert f.severity == "warning" and "policy not fetched: connection refused" in f.message
