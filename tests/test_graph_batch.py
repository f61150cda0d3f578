"""Requests of one tenant that wait for their turn go out together in a ``$batch``: each still gets
its own answer, its own throttling and its own error, and no answer shows the token."""

from __future__ import annotations

import asyncio
import time

import pytest

from mxsplit_component.core.clouds import COMMERCIAL
from mxsplit_component.hosts.graph import GraphHosts
from mxsplit_component.hosts.graphbatch import read_batch
from mxsplit_component.hosts.graphclient import GraphClient
from mxsplit_component.testing.graph import ANSWER, DROP_ONE, ECHO, MS, TOKEN, GraphStandIn, Reply, error, records_page

DOMAINS = {f"d{i}.example": f"d{i}-example.{MS}" for i in range(6)}


@pytest.fixture
def graph():
    with GraphStandIn() as server:
        server.tenant("contoso.onmicrosoft.com", DOMAINS)
        yield server


def lookups(graph, domains=tuple(DOMAINS), timeout=3.0):
    """Every domain at once, with one request of the tenant on the wire at a time: the rest are batched."""
    async def main():
        async with GraphClient(COMMERCIAL, base_url=graph.url, token=TOKEN, timeout=timeout, in_flight=1) as client:
            hosts = GraphHosts(client, COMMERCIAL)
            await hosts.domains()
            found = await asyncio.gather(*(hosts.lookup(d) for d in domains))
            return found, client

    return asyncio.run(main())


def test_waiting_requests_go_in_one_batch_and_each_gets_its_own_answer(graph):
    found, client = lookups(graph)
    assert [r.dual_stack_host for r in found] == list(DOMAINS.values())
    assert any(p == "/v1.0/$batch" for p, _ in graph.requests)
    assert client.gets == len(DOMAINS) + 3  # the listing's two pages, each domain, the initial domain
    assert client.http_requests < client.gets


def test_answers_inside_a_batch_are_each_requests_own(graph):
    graph.set("/domains/d2.example/serviceConfigurationRecords", error(404, "error-404.json"))
    graph.set("/domains/d3.example/serviceConfigurationRecords",
              Reply(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "0.3"}),
              Reply(200, records_page("d3.example", DOMAINS["d3.example"])))
    graph.set("/domains/d4.example/serviceConfigurationRecords",
              Reply(500, {"error": {"code": "x", "message": f"upstream said {ECHO}"}}))
    found, _ = lookups(graph)
    notes = {r.dual_stack_host or d: [n.id for n in r.notes] for d, r in zip(DOMAINS, found, strict=True)}
    assert notes[DOMAINS["d0.example"]] == [] and notes[DOMAINS["d3.example"]] == []  # retried after its 429
    assert notes["d2.example"] == ["graph-not-in-tenant"]
    assert notes["d4.example"] == ["graph-lookup-failed"]
    message = found[4].notes[0].message
    assert "Graph answered 500" in message and TOKEN not in message and "[token]" in message


def test_a_throttled_batch_is_sent_again_after_its_retry_after(graph):
    graph.set("/$batch", Reply(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "0.4"}), Reply(200, ANSWER))
    started = time.monotonic()
    found, _ = lookups(graph, timeout=5)
    assert [r.dual_stack_host for r in found] == list(DOMAINS.values())
    assert sum(1 for p, _ in graph.requests if p == "/v1.0/$batch") >= 2
    assert time.monotonic() - started >= 0.4


def test_a_batch_answer_without_a_requests_answer_fails_that_request_only(graph):
    graph.set("/$batch", Reply(200, DROP_ONE))
    found, _ = lookups(graph)
    failed = [r for r in found if r.dual_stack_host is None]
    assert len(failed) == 1 and len(found) - len(failed) == len(DOMAINS) - 1
    assert "Graph's batch answer has no answer for" in failed[0].notes[0].message


@pytest.mark.parametrize("body", [b"not json", b"[1]", b'{"responses": 3}', b"[" * 100_000])
def test_a_batch_answer_that_is_not_one_fails_its_requests_clearly(graph, body):
    graph.set("/$batch", Reply(200, body))
    found, _ = lookups(graph)
    failed = [r for r in found if r.dual_stack_host is None]
    assert failed and all(n.id == "graph-lookup-failed" and "Graph's" in n.message and "retry later" in n.message
                          for r in failed for n in r.notes)


def test_reading_a_batch_ignores_answers_for_requests_it_did_not_make():
    answers = read_batch(b'{"responses": [{"id": "1", "status": 200, "body": {"value": []}}, {"id": "7", "status": 200},'
                         b' {"id": "x", "status": 200}, {"id": "0", "status": "200"}, 5]}', 2)
    assert answers[0] is None and answers[1] is not None and answers[1].status == 200


def test_tenants_sharing_one_connection_pool_keep_to_its_gate():
    """Every tenant's client on the run's pool waits for the shared gate: httpx looks at each pooled
    connection whenever a request starts or ends, so the pool (and the gate) stay small."""
    from mxsplit_component.hosts.graphclient import new_http_client

    tenants = {f"{TOKEN}.t{i}": {f"t{i}-d{j}.example": f"t{i}-d{j}-example.{MS}" for j in range(3)} for i in range(4)}

    def run(gate_size):
        with GraphStandIn() as graph:
            for i, (token, domains) in enumerate(tenants.items()):
                graph.tenant(f"t{i}.onmicrosoft.com", domains, token=token)
                for name in domains:  # slow answers: requests of every tenant overlap
                    graph.tenants[token][f"/v1.0/domains/{name}/serviceConfigurationRecords"][0].delay = 0.1

            async def main():
                http, gate = new_http_client(), asyncio.Semaphore(gate_size)
                try:
                    clients = [GraphClient(COMMERCIAL, base_url=graph.url, token=token, timeout=5, http=http, gate=gate)
                               for token in tenants]
                    found = await asyncio.gather(*(GraphHosts(c, COMMERCIAL).lookup(d) for c, domains
                                                   in zip(clients, tenants.values(), strict=True) for d in domains))
                    return [r.dual_stack_host for r in found]
                finally:
                    await http.aclose()

            hosts = asyncio.run(main())
            assert hosts == [h for domains in tenants.values() for h in domains.values()]
            return graph.most_on_wire

    assert run(2) == 2
    assert run(16) > 2  # the same requests, a wider gate: they do overlap
