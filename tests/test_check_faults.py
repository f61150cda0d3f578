"""The DNS client and ``mxsplit check`` against misbehaving servers on 127.0.0.x.

Each server is a :class:`dnsfaults.FaultServer`; every lookup here uses a short
``--timeout`` and asserts an upper bound on how long it took.
"""

from __future__ import annotations

import asyncio
import json
import time

import dns.rrset
import pytest

from mxsplit_component.cli import main
from mxsplit_component.dns.nameservers import Nameserver, parse_nameserver
from mxsplit_component.dns.observe import HostLookup, parse_addresses, parse_mx
from mxsplit_component.dns.transport import MAX_TRIES, DnsClient
from tests.support.dnsfaults import LATE, FaultServer, free_port_on

MS = "mail.protection.outlook.com"
V4, DS = f"contoso.{MS}.", f"contoso-com.{MS}."
GOOD = {
    "contoso.com.": [f"MX 0 {V4}", f"MX 10 {DS}"],
    V4: ["A 192.0.2.1"],
    DS: ["A 198.51.100.1", "AAAA 2001:db8::1"],
}


def lookup(server, qname="contoso.com", rdtype="MX", *, timeout=2.0, servers=None, **kw):
    async def run():
        ns = servers or [parse_nameserver(server.nameserver)]
        async with DnsClient(ns, timeout=timeout, **kw) as client:
            return await client.query(qname, rdtype), client.stats

    start = time.monotonic()
    answer, stats = asyncio.run(run())
    return answer, stats, time.monotonic() - start


def check(capsys, *nameservers, domain="contoso.com", timeout="2", extra=()):
    args = ["check", domain, "--tenant", "contoso", "--no-mta-sts", "--json", "--timeout", timeout]
    for ns in nameservers:
        args += ["--nameserver", ns]
    start = time.monotonic()
    code = main([*args, *extra])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out else None, err, time.monotonic() - start


def ids(rep):
    return sorted({f["id"] for f in rep["findings"]})


# --- replies that must be ignored, with the real one right behind ---------------------------
@pytest.mark.parametrize("fault", ["wrong-id", "wrong-question", "garbage", "pointer-loop", "other-port"])
def test_bad_reply_is_ignored_and_the_real_one_counts(fault):
    with FaultServer(GOOD, [fault, "ok"]) as server:
        answer, _, elapsed = lookup(server)
    assert answer.error is None, answer.error
    assert parse_mx(answer)[0][0].exchange == V4.rstrip(".").lower()
    assert elapsed < 1.5


@pytest.mark.parametrize("fault", ["wrong-id", "wrong-question", "garbage", "pointer-loop", "other-port"])
def test_only_bad_replies_is_an_error_not_an_answer(fault):
    with FaultServer(GOOD, [fault], address="127.0.0.2") as server:
        answer, _, elapsed = lookup(server, timeout=0.6)
    assert not answer.ok and answer.answer == []
    assert "no reply within 0.6s" in answer.error
    assert elapsed < 1.5


def test_check_exits_3_on_a_server_that_only_sends_garbage(capsys):
    with FaultServer(GOOD, ["garbage"]) as server:
        code, rep, err, elapsed = check(capsys, server.nameserver, timeout="0.5")
    assert code == 3 and rep["ok"] is False and "dns-error" in ids(rep)
    assert elapsed < 2 * 0.5 + 1


# --- records of other owners, duplicates, DNS64 ---------------------------------------------
def test_records_of_other_owners_are_not_the_hosts_addresses(capsys):
    # The dual-stack host has no AAAA; the reply carries one for another owner: must fail.
    zone = {**GOOD, DS: ["A 198.51.100.1"]}
    with FaultServer(zone, ["other-owner"]) as server:
        code, rep, _, _ = check(capsys, server.nameserver)
    assert code == 1
    assert "dual-stack-host-no-aaaa" in ids(rep)
    # Mirror case: the tenant host gets no false AAAA, and the MX set no stranger.
    assert "ipv4-host-has-aaaa" not in ids(rep)
    assert rep["addresses"][V4.rstrip(".")] == {"ipv4": ["192.0.2.1"], "ipv6": []}
    assert [r["exchange"] for r in rep["published"]] == [V4.rstrip("."), DS.rstrip(".")]


def _answer(qname, *rrsets):
    from mxsplit_component.dns.transport import Answer

    return Answer(qname, "A", rcode="NOERROR", answer=[dns.rrset.from_text(*r) for r in rrsets])


def test_cname_chain_end_counts_as_the_host():
    answer = _answer("alias.example", ("alias.example.", 60, "IN", "CNAME", "mid.example."),
                     ("mid.example.", 60, "IN", "CNAME", "real.example."),
                     ("real.example.", 60, "IN", "A", "192.0.2.9"),
                     ("unrelated.example.", 60, "IN", "A", "203.0.113.1"),
                     ("alias.example.", 60, "IN", "A", "203.0.113.2"))  # beside a CNAME: not the chain's end
    host = HostLookup()
    parse_addresses(host, answer, "ipv4")
    assert host.ipv4 == ["192.0.2.9"] and host.cname == "mid.example"


def test_cname_loop_answers_nothing():
    answer = _answer("a.example", ("a.example.", 60, "IN", "CNAME", "b.example."),
                     ("b.example.", 60, "IN", "CNAME", "a.example."), ("b.example.", 60, "IN", "A", "192.0.2.1"))
    host = HostLookup()
    parse_addresses(host, answer, "ipv4")
    assert host.ipv4 == []


def test_duplicate_records_are_one_set(capsys):
    with FaultServer(GOOD, ["duplicates"]) as server:
        code, rep, _, _ = check(capsys, server.nameserver)
    assert code == 0, rep["findings"]
    assert len(rep["published"]) == 2
    assert rep["addresses"][DS.rstrip(".")]["ipv6"] == ["2001:db8::1"]


def test_dns64_synthesised_aaaa_is_not_ipv6(capsys):
    zone = {**GOOD, V4: ["A 192.0.2.1", "AAAA 64:ff9b::c000:201"]}
    with FaultServer(zone) as server:
        code, rep, _, _ = check(capsys, server.nameserver)
    assert code == 0, rep["findings"]
    assert "ipv4-host-has-aaaa" not in ids(rep)
    finding = next(f for f in rep["findings"] if f["id"] == "dns64-synthesized")
    assert finding["severity"] == "info" and "64:ff9b::/96" in finding["message"]
    assert rep["addresses"][V4.rstrip(".")] == {"ipv4": ["192.0.2.1"], "ipv6": [],
                                                "ipv6_synthesized": ["64:ff9b::c000:201"]}


# --- slow servers and failover ----------------------------------------------------------------
def test_a_reply_after_the_first_retransmit_is_heard():
    with FaultServer(GOOD, ["late"]) as server:
        answer, stats, elapsed = lookup(server, timeout=10)
    assert answer.error is None, answer.error
    assert stats.udp_sent >= 2  # it was retransmitted, and the reply to the first send counted
    assert LATE <= elapsed < LATE + 1


@pytest.mark.parametrize("rcode", ["servfail", "refused", "notimp", "formerr"])
def test_error_rcode_moves_to_the_next_nameserver(capsys, rcode):
    with FaultServer(GOOD, [rcode]) as bad, FaultServer(GOOD, address="127.0.0.3") as good:
        code, rep, _, elapsed = check(capsys, bad.nameserver, good.nameserver)
    assert code == 0, rep["findings"]
    assert elapsed < 1.5


@pytest.mark.parametrize("rcode", ["servfail", "refused", "notimp"])
def test_every_server_outcome_is_reported_when_all_fail(rcode):
    with FaultServer(GOOD, [rcode]) as one, FaultServer(GOOD, ["silent"], address="127.0.0.3") as two:
        answer, _, elapsed = lookup(one, timeout=0.8, servers=[parse_nameserver(one.nameserver),
                                                               parse_nameserver(two.nameserver)])
    assert answer.error == f"{one.nameserver} answered {rcode.upper()}; {two.nameserver} no reply within 0.8s"
    assert answer.outcomes == {one.nameserver: f"answered {rcode.upper()}", two.nameserver: "no reply within 0.8s"}
    assert elapsed < 1.5


def test_formerr_to_edns_falls_back_to_plain_dns():
    with FaultServer(GOOD, ["formerr-edns"]) as server:
        answer, _, _ = lookup(server)
        edns = [q[3] for q in server.queries]
    assert answer.error is None and len(parse_mx(answer)[0]) == 2
    assert edns == [True, False]


def test_lame_authoritative_server_never_flaps(capsys):
    port = free_port_on("127.0.0.2", "127.0.0.3")
    resolver_zone = {**GOOD, "contoso.com.": GOOD["contoso.com."] + ["NS ns1.contoso.com.", "NS ns2.contoso.com."],
                     "ns1.contoso.com.": ["A 127.0.0.2"], "ns2.contoso.com.": ["A 127.0.0.3"]}
    with FaultServer(resolver_zone) as resolver, \
            FaultServer(GOOD, ["refused"], address="127.0.0.2", port=port), \
            FaultServer(GOOD, address="127.0.0.3", port=port) as good:
        for _ in range(5):
            code, rep, _, _ = check(capsys, resolver.nameserver, extra=("--authoritative", "--port", str(port)))
            assert code == 0, rep["findings"]
        assert any(q[1] == "contoso.com." and q[2] == "MX" for q in good.queries)


# --- truncation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("tcp", ["refuse", "cut"])
def test_truncation_with_broken_tcp_is_bounded(tcp):
    with FaultServer(GOOD, ["truncate"], tcp=tcp) as server:
        answer, stats, elapsed = lookup(server, timeout=2)
    assert not answer.ok and "truncated over UDP and TCP failed" in answer.error
    assert stats.udp_sent + stats.tcp <= MAX_TRIES
    assert elapsed < 2.5


def test_truncation_then_tcp_answer():
    with FaultServer(GOOD, ["truncate"]) as server:
        answer, stats, _ = lookup(server)
    assert answer.error is None and answer.tcp and stats.tcp == 1
    assert len(parse_mx(answer)[0]) == 2


def test_big_udp_reply_is_read_whole():
    hosts = [f"MX {i} mx{i}.contoso.com." for i in range(300)]
    with FaultServer({"contoso.com.": hosts}) as server:
        answer, _, _ = lookup(server)
    records, _ = parse_mx(answer)
    assert answer.error is None and len(records) == 300
    assert records[-1].exchange == "mx299.contoso.com"


def test_big_mx_set_check_is_fast(capsys):
    # 300 hosts at one preference: the simulation must stay bounded (it enumerated permutations).
    zone = {"contoso.com.": [f"MX 10 mx{i}.contoso.com." for i in range(300)],
            **{f"mx{i}.contoso.com.": ["A 192.0.2.1", "AAAA 2001:db8::1"] for i in range(300)}, **{V4: ["A 192.0.2.1"]},
            DS: ["A 198.51.100.1", "AAAA 2001:db8::1"]}
    with FaultServer(zone) as server:
        code, rep, _, elapsed = check(capsys, server.nameserver, timeout="3")
    assert code == 1 and "mx-mismatch" in ids(rep)
    assert len(rep["published"]) == 300
    postfix = next(c for c in rep["simulation"] if c["profile"] == "postfix" and c["auth"] == "unauthenticated")
    assert postfix["outcome"] == "varies"
    assert elapsed < 10


# --- timeouts, sockets, queueing --------------------------------------------------------------
def test_waiting_for_a_slot_is_not_a_timeout():
    # One lookup in flight at a time, each answered after LATE s, a 1.5 s timeout: queueing
    # for the slot would exceed it if it counted.
    def behaviour(query):
        return ["late"]

    with FaultServer({f"h{i}.example.": ["A 192.0.2.1"] for i in range(3)}, behaviour) as server:
        async def run():
            async with DnsClient([parse_nameserver(server.nameserver)], timeout=1.5, max_in_flight=1) as client:
                return await asyncio.gather(*(client.query(f"h{i}.example", "A") for i in range(3)))

        answers = asyncio.run(run())
    assert [a.error for a in answers] == [None, None, None]


def test_single_check_is_bounded_by_twice_the_timeout(capsys):
    with FaultServer(GOOD, ["silent"]) as server:
        code, rep, _, elapsed = check(capsys, server.nameserver, timeout="1")
    assert code == 3
    assert elapsed < 2 * 1 + 0.5


def test_unopenable_socket_is_a_clean_dns_error(capsys):
    code, rep, err, elapsed = check(capsys, "255.255.255.255", timeout="1")
    assert code == 3 and "dns-error" in ids(rep)
    assert "cannot open a UDP socket" in next(f["message"] for f in rep["findings"] if f["id"] == "dns-error")
    assert err == ""
    assert elapsed < 2


@pytest.mark.parametrize("flag, value", [("--timeout", "nan"), ("--timeout", "inf"), ("--timeout", "0"),
                                         ("--timeout", "-1"), ("--wait", "nan"), ("--wait", "inf"),
                                         ("--wait", "-2")])
def test_unusable_seconds_are_usage_errors(capsys, flag, value):
    code = main(["check", "contoso.com", "--tenant", "contoso", "--nameserver", "127.0.0.1:9", flag, value])
    assert code == 2
    assert f"mxsplit: error: {flag} {value.lstrip('+')}" in capsys.readouterr().err


def test_concurrency_has_an_upper_bound(capsys, tmp_path):
    csv_file = tmp_path / "d.csv"
    csv_file.write_text("domain,tenant\ncontoso.com,contoso\n")
    code = main(["check", "--file", str(csv_file), "--nameserver", "127.0.0.1:9", "--concurrency", "20000"])
    assert code == 2 and "--concurrency 20000 is out of range; use 1..512" in capsys.readouterr().err


def test_mode_is_a_choice(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "contoso.com", "--tenant", "contoso", "--mode", "splitt"])
    assert exc.value.code == 2
    assert "invalid choice: 'splitt'" in capsys.readouterr().err


def test_wait_polls_for_the_full_window(capsys):
    zone = {**GOOD, "contoso.com.": [f"MX 0 {DS}"]}
    with FaultServer(zone) as server:
        code, rep, _, elapsed = check(capsys, server.nameserver, extra=("--wait", "1.5"))
    assert code == 1 and "mx-mismatch" in ids(rep)
    assert 1.5 <= elapsed < 4


def test_nameserver_dataclass_is_stable():
    assert str(Nameserver("::1", 53)) == "[::1]:53"


def test_plan_only_name_flag_is_not_taken_for_nameserver(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "contoso.com", "--tenant", "contoso", "--name", "127.0.0.1:9", "--timeout", "0.5"])
    assert exc.value.code == 2
    assert "--name" in capsys.readouterr().err


@pytest.mark.parametrize("flag, value", [("--nameserver", "127.0.0.1:²"), ("--nameserver", "[::1]:٥٣"),
                                         ("--smtp-port", "²")])
def test_a_port_is_ascii_digits(capsys, flag, value):
    """'²' is a digit to str.isdigit() but not to int(): a usage error in words, never int()'s message."""
    with pytest.raises(SystemExit) as done:
        main(["check", "contoso.com", "--tenant", "contoso", "--smtp", flag, value])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "invalid literal" not in err and ("bad port" in err or "port number" in err), err
