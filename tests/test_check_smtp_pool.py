"""Probe once, use everywhere: one SMTP session per address however many rows publish it,
sessions capped per address and per network, the certificate name checked per host."""

from __future__ import annotations

import asyncio
import time

import pytest

from mxsplit_component.check.smtp import Target
from mxsplit_component.check.smtp_pool import ProbePool, name_matches, network_of
from mxsplit_component.testing.smtp import MS_WILDCARD, Pki, SessionCounter, free_port, smtp_servers

MS = "mail.protection.outlook.com"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


def test_names_match_exactly_or_by_a_whole_left_label_wildcard():
    assert name_matches(f"contoso-com.{MS}", [f"*.{MS}"])
    assert name_matches("MX.Example.COM.", ["mx.example.com"])
    assert not name_matches(f"a.b.{MS}", [f"*.{MS}"])          # one label only
    assert not name_matches(MS, [f"*.{MS}"])                    # the wildcard needs a label
    assert not name_matches("mx.other.example", [f"*.{MS}"])
    assert network_of("192.0.2.77") == "192.0.2.0/24" and network_of("2001:db8:1:2::5") == "2001:db8:1::/48"


def test_five_hundred_rows_of_one_tenant_open_one_session_per_address(pki):
    sinks = {"127.0.0.2": SessionCounter(), "::1": SessionCounter()}
    servers = {a: (h, pki.context(MS_WILDCARD)) for a, h in sinks.items()}
    targets = [Target(f"d{i}-com.{MS}" if i else f"contoso.{MS}", a, "ipv6" if ":" in a else "ipv4")
               for i in range(500) for a in sinks]
    ctx = __import__("ssl").create_default_context(cafile=pki.ca_file)
    with smtp_servers(free_port(tuple(sinks)), servers) as port:
        pool = ProbePool(port=port, timeout=2, context=ctx)
        started = time.monotonic()
        probes = asyncio.run(pool.probe_all(targets))
    assert time.monotonic() - started < 20
    assert [s.sessions for s in sinks.values()] == [1, 1]
    assert dict(pool.sessions) == {"127.0.0.2": 1, "::1": 1}
    assert {(p.outcome, p.tls) for p in probes} == {("ok", "verified")}
    assert [p.host for p in probes] == [t.host for t in targets]


def test_the_certificate_name_is_checked_per_host(pki):
    sink = SessionCounter()
    ctx = __import__("ssl").create_default_context(cafile=pki.ca_file)
    with smtp_servers(free_port(("127.0.0.2",)), {"127.0.0.2": (sink, pki.context(MS_WILDCARD))}) as port:
        pool = ProbePool(port=port, timeout=2, context=ctx)
        ours, other = asyncio.run(pool.probe_all([Target(f"contoso.{MS}", "127.0.0.2", "ipv4"),
                                                  Target("mx.other.example", "127.0.0.2", "ipv4")]))
    assert ours.tls == "verified"
    assert other.tls == "name-mismatch" and f"*.{MS}" in other.tls_detail and "mx.other.example" in other.tls_detail
    assert sink.sessions == 2  # another parent name may get another certificate (SNI): its own session


def test_sessions_are_capped_per_network():
    busy: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def opener(host, port):
        net = network_of(host)
        busy[net] = busy.get(net, 0) + 1
        peak[net] = max(peak.get(net, 0), busy[net])
        await asyncio.sleep(0.05)
        busy[net] -= 1
        raise ConnectionRefusedError()

    targets = [Target(f"h{i}.example", f"192.0.2.{i}", "ipv4") for i in range(1, 13)]
    targets += [Target(f"h{i}.example", f"2001:db8:0:{i}::1", "ipv6") for i in range(1, 13)]
    pool = ProbePool(timeout=1, per_network=3, opener=opener)
    probes = asyncio.run(pool.probe_all(targets))
    assert {p.outcome for p in probes} == {"refused"}
    assert peak == {"192.0.2.0/24": 3, "2001:db8::/48": 3}
