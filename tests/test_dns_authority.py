"""Authoritative servers found once per domain per run, one client per server set: a dead
authoritative server is learnt once, not once per row."""

from __future__ import annotations

import asyncio

from mxsplit_component.dns.authority import Authorities
from mxsplit_component.dns.nameservers import Nameserver
from mxsplit_component.dns.observe import parse_mx
from mxsplit_component.dns.options import DnsOptions
from mxsplit_component.dns.transport import DnsClient
from tests.support.dnsfaults import FaultServer, free_port_on

DOMAINS = [f"d{i}.test" for i in range(60)]


def zone(ns: bool) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"ns1.hoster.test.": ["A 127.0.0.2"], "ns2.hoster.test.": ["A 127.0.0.3"]}
    for d in DOMAINS:
        out[f"{d}."] = ["MX 0 mx.example."] + (["NS ns1.hoster.test.", "NS ns2.hoster.test."] if ns else [])
    return out


def test_one_lookup_per_domain_and_one_client_per_server_set():
    """Rows run ten at a time, as a bulk run's would: the first wave meets the dead first server,
    the rows after it skip it (one probe per retry interval), since their client is shared."""
    port = free_port_on("127.0.0.2", "127.0.0.3")
    with FaultServer(zone(True)) as resolver, \
            FaultServer(zone(False), ["silent"], address="127.0.0.2", port=port) as dead, \
            FaultServer(zone(False), address="127.0.0.3", port=port) as good:

        async def run():
            options = DnsOptions(timeout=2, port=port)
            gate = asyncio.Semaphore(10)
            async with DnsClient([Nameserver("127.0.0.1", resolver.port)], timeout=2) as client:
                authorities = Authorities(client, options)

                async def row(domain):
                    async with gate:
                        own = await authorities.client_for(domain)
                        return own, await own.query(domain, "MX")

                try:
                    return await asyncio.gather(*(row(d) for d in DOMAINS + DOMAINS[:10]))
                finally:
                    authorities.close()

        results = asyncio.run(run())
        ns_queries = [q for q in resolver.queries if q[2] == "NS"]
    assert len({id(own) for own, _ in results}) == 1
    assert sorted(q[1] for q in ns_queries) == sorted(f"{d}." for d in DOMAINS)  # once per domain
    assert all(parse_mx(answer)[0] for _, answer in results)
    # A client per row would ask the dead server first for every row (70 queries).
    assert len([q for q in dead.queries if q[2] == "MX"]) <= 30
    assert len([q for q in good.queries if q[2] == "MX"]) == len(results)


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
