"""``check`` routes the simulation over what it observed, never over what it could not learn:
no report holds a finding and a simulated path that contradict each other."""

from __future__ import annotations

import json

import dns.rdatatype
import pytest

from mxsplit_component.check.smtp import AddressProbe
from mxsplit_component.cli import main
from mxsplit_component.core.plan import MxRecord
from mxsplit_component.dns.observe import HostLookup
from mxsplit_component.simulation.inputs import AS_PROBED, AS_PUBLISHED, observed
from mxsplit_component.testing.bind import BindServer, zone
from mxsplit_component.testing.smtp import Accept, free_port, smtp_servers
from tests.support.bind import require_bind
from tests.support.dnsfaults import FaultServer

MS = "mail.protection.outlook.com"
V4, DS = f"contoso.{MS}", f"contoso-com.{MS}"
TENANT_ADDRESS, DS_ADDRESS = "127.0.0.21", "127.0.0.22"


def check(capsys, nameserver, *extra):
    code = main(["check", "contoso.com", "--tenant", "contoso", "--no-mta-sts", "--json", "--timeout", "2",
                 "--nameserver", nameserver, *extra])
    return code, json.loads(capsys.readouterr().out)


def assert_consistent(rep):
    """No simulated attempt gets an SMTP reply from an address the report's probes found closed,
    and a report with a DNS error routes nothing."""
    if any(f["id"] == "dns-error" for f in rep["findings"]):
        assert rep["simulation"] == [] and rep["simulation_note"].startswith("not run: ")
    probes = rep.get("smtp", {}).get("probes", [])
    if any(f["id"] == "smtp-blocked-here" for f in rep["findings"]):
        return
    unknown = rep.get("smtp", {}).get("unprobed_families", [])  # smtp-no-route-here: not the host's fault
    closed = {(p["host"], p["address"]) for p in probes if p["outcome"] != "ok" and p["family"] not in unknown}
    for case in rep["simulation"]:
        for path in [case, *case.get("orders", [])]:
            for attempt in path.get("attempts", []):
                if (attempt["host"], attempt["address"]) in closed:
                    assert not attempt["reply"][:1].isdigit(), (case, closed)


def case(rep, profile, auth="unauthenticated"):
    return next(c for c in rep["simulation"] if c["profile"] == profile and c["auth"] == auth)


# --- DNS that could not be read: unknown, not empty --------------------------------------------
GOOD = {"contoso.com.": [f"MX 0 {V4}.", f"MX 10 {DS}."], f"{V4}.": ["A 192.0.2.1"],
        f"{DS}.": ["A 198.51.100.1", "AAAA 2001:db8::1"]}


def _servfail(rdtype, name=None):
    def behaviour(query):
        q = query.question[0]
        hit = q.rdtype == dns.rdatatype.from_text(rdtype) and (name is None or q.name.to_text() == name)
        return ["servfail"] * 8 if hit else ["ok"]
    return behaviour


@pytest.mark.parametrize("extra", [(), ("--smtp", "--smtp-port", "1")])
def test_an_mx_lookup_that_failed_is_not_simulated(capsys, extra):
    with FaultServer(GOOD, _servfail("MX")) as server:
        code, rep = check(capsys, server.nameserver, *extra)
    assert code == 3 and "dns-error" in {f["id"] for f in rep["findings"]}
    assert rep["simulation"] == []
    assert rep["simulation_note"].startswith("not run: the published MX records are unknown")
    assert_consistent(rep)


def test_an_address_lookup_that_failed_is_not_simulated(capsys):
    with FaultServer(GOOD, _servfail("AAAA", f"{DS}.")) as server:
        code, rep = check(capsys, server.nameserver)
        main(["check", "contoso.com", "--tenant", "contoso", "--no-mta-sts", "--timeout", "2",
              "--nameserver", server.nameserver])
        text = capsys.readouterr().out
    assert code == 3
    assert rep["simulation"] == [] and rep["simulation_note"].startswith(f"not run: the addresses of {DS} (AAAA")
    assert f"Sender simulation: not run: the addresses of {DS}" in text
    assert_consistent(rep)


# --- SMTP as probed --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bind():
    require_bind()
    ms = zone(MS, f"contoso IN A {TENANT_ADDRESS}\ncontoso-com IN A {DS_ADDRESS}\ncontoso-com IN AAAA ::1")
    with BindServer({MS: ms, "contoso.com": zone("contoso.com", f"@ IN MX 0 {V4}.\n@ IN MX 10 {DS}.")}) as server:
        yield server


def test_mx0_refusing_ipv4_routes_everyone_to_mx10(capsys, bind):
    """The issue's report: smtp-unreachable on MX 0, yet the simulation said delivered MX 0 ipv4."""
    port = free_port((TENANT_ADDRESS, DS_ADDRESS, "::1"))
    with smtp_servers(port, {DS_ADDRESS: (Accept(), None), "::1": (Accept(), None)}):
        code, rep = check(capsys, bind.nameserver, "--smtp", "--smtp-port", str(port))
    assert code == 1
    unreachable = [f for f in rep["findings"] if f["id"] == "smtp-unreachable"]
    assert len(unreachable) == 1 and unreachable[0]["message"].startswith(f"MX 0 {V4} does not accept SMTP over IPv4")
    assert rep["simulation_note"] == AS_PROBED
    assert_consistent(rep)
    v4 = case(rep, "ipv4-only")
    assert [(a["preference"], a["reply"]) for a in v4["attempts"]] == [(0, "connection refused"),
                                                                      (10, "250 2.6.0 Queued mail for delivery")]
    # Postfix preferring IPv6 falls through to MX 10 and meets its IPv6 first: 450, then IPv4
    # (the refused connect used no session of the two).
    pf = case(rep, "postfix-prefer-ipv6")
    assert pf["outcome"] == "delivered" and pf["family"] == "ipv4"
    assert [(a["preference"], a["reply"][:10]) for a in pf["attempts"]] == [
        (0, "connection"), (10, "450 4.7.26"), (10, "250 2.6.0 ")]
    # Nobody delivers at MX 0 any more.
    assert not any(a["preference"] == 0 and a["reply"].startswith("250")
                   for c in rep["simulation"] for p in [c, *c.get("orders", [])] for a in p.get("attempts", []))


def test_mx10_closed_over_ipv6_defers_ipv6_only_senders(capsys, bind):
    port = free_port((TENANT_ADDRESS, DS_ADDRESS, "::1"))
    with smtp_servers(port, {TENANT_ADDRESS: (Accept(), None), DS_ADDRESS: (Accept(), None)}):
        code, rep = check(capsys, bind.nameserver, "--smtp", "--smtp-port", str(port))
    assert code == 1
    assert any(f["id"] == "smtp-unreachable" and "over IPv6" in f["message"] for f in rep["findings"])
    assert_consistent(rep)
    v6 = case(rep, "ipv6-only", "authenticated")
    assert v6["outcome"] == "deferred" and [a["reply"] for a in v6["attempts"]] == ["connection refused"]
    assert case(rep, "postfix", "authenticated")["outcome"] == "delivered"


def test_probes_that_could_not_run_from_here_do_not_close_anything(capsys, bind):
    port = free_port((TENANT_ADDRESS, DS_ADDRESS, "::1"))  # nothing listens: every connect is refused alike
    code, rep = check(capsys, bind.nameserver, "--smtp", "--smtp-port", str(port))
    assert code == 3 and "smtp-blocked-here" in {f["id"] for f in rep["findings"]}
    assert "could not run from here" in rep["simulation_note"]
    assert case(rep, "ipv4-only")["outcome"] == "delivered"  # as DNS says: the probes tell nothing


def test_without_smtp_the_note_says_what_was_not_probed(capsys, bind):
    code, rep = check(capsys, bind.nameserver)
    assert code == 0 and rep["simulation_note"] == AS_PUBLISHED
    assert case(rep, "ipv4-only")["attempts"][0]["preference"] == 0


# --- the routing input itself ----------------------------------------------------------------------
RECORDS = (MxRecord(0, V4), MxRecord(10, DS))
LOOKUPS = {V4: HostLookup(ipv4=["192.0.2.1"]), DS: HostLookup(ipv4=["198.51.100.1"], ipv6=["2001:db8::1"])}


def _probe(host, address, family, outcome, stage="connect"):
    return AddressProbe(host, address, family, stage, outcome)


def test_a_family_this_machine_cannot_probe_is_assumed_to_answer():
    probes = [_probe(V4, "192.0.2.1", "ipv4", "ok", "done"), _probe(DS, "198.51.100.1", "ipv4", "ok", "done"),
              _probe(DS, "2001:db8::1", "ipv6", "no-route")]
    routing = observed(RECORDS, LOOKUPS, probes=probes, unprobed=("ipv6",))
    assert routing.reach == {} and "ipv6 not probable from here, assumed to answer" in routing.note


def test_probe_outcomes_become_address_states():
    probes = [_probe(V4, "192.0.2.1", "ipv4", "refused"), _probe(DS, "198.51.100.1", "ipv4", "timeout"),
              _probe(DS, "2001:db8::1", "ipv6", "rejected", "banner"), _probe(DS, "2001:db8::2", "ipv6", "no-route")]
    assert observed(RECORDS, LOOKUPS, probes=probes).reach == {
        (V4, "192.0.2.1"): "refused", (DS, "198.51.100.1"): "timeout", (DS, "2001:db8::1"): "fails",
        (DS, "2001:db8::2"): "unreachable"}


def test_only_published_hosts_matter():
    lookups = {**LOOKUPS, "tenant.example": HostLookup(errors=["A tenant.example: timed out"])}
    assert observed(RECORDS, lookups).skipped is None
    assert observed((*RECORDS, MxRecord(20, "tenant.example")), lookups).skipped == (
        "not run: the addresses of tenant.example (A tenant.example: timed out) are unknown")


def test_a_domain_without_mx_or_that_does_not_exist_is_not_simulated():
    assert observed((), LOOKUPS, nxdomain=True).skipped == (
        "not run: the domain does not exist (NXDOMAIN), so every sender bounces")
    assert "implicit MX, RFC 5321 §5.1" in (observed((), LOOKUPS).skipped or "")


def test_a_family_unreachable_from_here_is_assumed_to_answer_and_said_so(bind):
    """smtp-no-route-here: the IPv6 verdicts are unknown, so the simulation keeps IPv6 as DNS says
    (and says so) while MX 0's refused IPv4 still counts."""
    import asyncio
    import errno

    from mxsplit_component.check.run import CheckOptions, check_plan
    from mxsplit_component.check.smtp_pool import ProbePool
    from mxsplit_component.check.smtp_report import probe_smtp
    from mxsplit_component.core.plan import plan_mx
    from mxsplit_component.dns.nameservers import parse_nameserver
    from mxsplit_component.dns.options import DnsOptions, make_client

    plan = plan_mx(domain="contoso.com", tenant="contoso")
    options = CheckOptions(DnsOptions(nameservers=(parse_nameserver(bind.nameserver),), timeout=1), mta_sts=False)
    port = free_port((TENANT_ADDRESS, DS_ADDRESS, "::1"))

    async def opener(host, port):
        if ":" in host:
            raise OSError(errno.ENETUNREACH, "Network is unreachable")
        return await asyncio.open_connection(host, port)

    async def run():
        async with make_client(options.dns) as client:
            rep = await check_plan(plan, client, options)
        return await probe_smtp(plan, rep, ProbePool(port=port, timeout=1, opener=opener))

    with smtp_servers(port, {DS_ADDRESS: (Accept(), None)}):
        rep = asyncio.run(run()).to_json()
    assert {"smtp-no-route-here", "smtp-unreachable"} <= {f["id"] for f in rep["findings"]}
    assert rep["simulation_note"] == f"{AS_PROBED}; ipv6 not probable from here, assumed to answer"
    assert_consistent(rep)
    v6 = case(rep, "ipv6-only", "authenticated")
    assert v6["outcome"] == "delivered" and v6["attempts"][-1]["address"] == "::1"
    assert case(rep, "ipv4-only")["attempts"][0]["reply"] == "connection refused"
