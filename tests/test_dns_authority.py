"""Authoritative servers found once per domain per run, one client per server set: a dead
authoritative server is learnt once, not once per row."""

from __future__ import annotations

import asyncio
import time

from mxsplit_component.dns.authority import Authorities
from mxsplit_component.dns.nameservers import Nameserver
from mxsplit_component.dns.observe import parse_mx
from mxsplit_component.dns.options import DnsOptions
from mxsplit_component.dns.transport import DnsClient
from tests.support.dnsfaults import FaultServer, free_port_on

DOMAINS = [f"d{i}.test" for i in range(20)]


def zone(ns: bool) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"ns1.hoster.test.": ["A 127.0.0.2"], "ns2.hoster.test.": ["A 127.0.0.3"]}
    for d in DOMAINS:
        out[f"{d}."] = ["MX 0 mx.example."] + (["NS ns1.hoster.test.", "NS ns2.hoster.test."] if ns else [])
    return out


def test_one_lookup_per_domain_and_one_client_per_server_set():
    port = free_port_on("127.0.0.2", "127.0.0.3")
    with FaultServer(zone(True)) as resolver, \
            FaultServer(zone(False), ["silent"], address="127.0.0.2", port=port) as dead, \
            FaultServer(zone(False), address="127.0.0.3", port=port) as good:

        async def run():
            options = DnsOptions(timeout=2, port=port)
            async with DnsClient([Nameserver("127.0.0.1", resolver.port)], timeout=2) as client:
                authorities = Authorities(client, options)
                try:
                    clients = await asyncio.gather(*(authorities.client_for(d) for d in DOMAINS + DOMAINS))
                    gate = asyncio.Semaphore(4)

                    async def row(d: str):  # rows a few at a time, as a bulk run checks them
                        async with gate:
                            return await (await authorities.client_for(d)).query(d, "MX")

                    return clients, await asyncio.gather(*(row(d) for d in DOMAINS))
                finally:
                    authorities.close()

        started = time.monotonic()
        clients, answers = asyncio.run(run())
        elapsed = time.monotonic() - started
        ns_queries = [q for q in resolver.queries if q[2] == "NS"]
    assert len({id(c) for c in clients}) == 1
    assert sorted(q[1] for q in ns_queries) == sorted(f"{d}." for d in DOMAINS)  # once per domain
    assert all(parse_mx(a)[0] for a in answers)
    # The dead server (first or second in the NS set, which comes in random order) is learnt once for
    # the run, not once per row: after a few silent sends it is only probed once per retry interval.
    assert len([q for q in dead.queries if q[2] == "MX"]) <= 8
    assert len([q for q in good.queries if q[2] == "MX"]) == len(DOMAINS)
    assert elapsed < 10


def test_servers_not_found_is_a_lookup_error_and_can_be_asked_again():
    with FaultServer({"x.test.": ["MX 0 mx.example."]}) as resolver:

        async def run():
            async with DnsClient([Nameserver("127.0.0.1", resolver.port)], timeout=1) as client:
                authorities = Authorities(client, DnsOptions(timeout=1))
                try:
                    for _ in range(2):
                        try:
                            await authorities.client_for("x.test")
                        except LookupError as exc:
                            message = str(exc)
                    before = len(resolver.queries)
                    authorities.forget("x.test")
                    try:
                        await authorities.client_for("x.test")
                    except LookupError:
                        pass
                    return message, before, len(resolver.queries)
                finally:
                    authorities.close()

        message, before, after = asyncio.run(run())
    assert "cannot find the authoritative servers of x.test" in message
    assert after > before
