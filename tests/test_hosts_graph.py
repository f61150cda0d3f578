"""The Graph source and its REST client, against a stand-in Graph on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import namedtuple

import pytest

from mxsplit_component.core.clouds import CHINA, COMMERCIAL
from mxsplit_component.errors import HostLookupError, MxSplitError
from mxsplit_component.hosts.graph import GraphHosts, check_graph_url, graph_scope
from mxsplit_component.hosts.graphclient import GraphClient, default_credential
from mxsplit_component.testing.graph import MS, TOKEN, GraphStandIn, Reply, contoso, error, records_page

AccessToken = namedtuple("AccessToken", "token expires_on")


class Credential:
    """Anything with get_token: records the scopes it was asked for."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, time.time() + 3600)


@pytest.fixture
def graph():
    with GraphStandIn() as server:
        yield contoso(server)


def lookup(graph, domain, *, timeout=3.0, credential=None):
    async def main():
        async with GraphClient(COMMERCIAL, base_url=graph.url, credential=credential or Credential(),
                               timeout=timeout) as client:
            return await GraphHosts(client, COMMERCIAL).lookup(domain)

    return asyncio.run(main())


@pytest.mark.parametrize(("domain", "host"), [
    ("contoso.com", f"contoso-com.{MS}"),
    ("foo-1-bar.com", f"foo1-bar-com0i.{MS}"),
    ("xn--bcher-kva.example", f"xnbcher-kva-example01c.{MS}"),
    ("contosotest.com", "contosotest-com.o-v1.mx.microsoft"),
])
def test_hosts_and_tenant_from_graph(graph, domain, host):
    cred = Credential()
    result = lookup(graph, domain, credential=cred)
    assert result.dual_stack_host == host
    assert result.ipv4_only_host == f"contoso.{MS}"  # the isInitial domain's own Mx record
    assert result.tenant == "contoso"
    assert result.notes == ()
    assert cred.scopes == [("https://graph.microsoft.com/.default",)]  # one token per client, the right scope
    # /domains was paged: the initial domain sits on the second page, reached via @odata.nextLink
    paths = [p for p, _ in graph.requests]
    assert "/v1.0/domains?$skiptoken=X%274453707402000100000017" in paths
    assert all(auth == f"Bearer {TOKEN}" for _, auth in graph.requests)


def test_unverified_domain_is_refused(graph):
    result = lookup(graph, "pending.com")
    assert result.dual_stack_host is None
    [note] = result.notes
    assert note.id == "graph-unverified" and not note.incomplete
    assert "pending.com is not verified" in note.message and "verify it first" in note.message
    assert not any("pending.com/serviceConfigurationRecords" in p for p, _ in graph.requests)


def test_domain_of_another_tenant(graph):
    result = lookup(graph, "fabrikam.com")
    [note] = result.notes
    assert note.id == "graph-not-in-tenant" and not note.incomplete
    assert "fabrikam.com is not a domain of this tenant" in note.message and "--graph-tokens" in note.message


def test_404_on_records_means_not_in_tenant(graph):
    graph.set("/domains/contoso.com/serviceConfigurationRecords", error(404, "error-404.json"))
    result = lookup(graph, "contoso.com")
    assert [n.id for n in result.notes] == ["graph-not-in-tenant"]


def test_no_mx_record(graph):
    result = lookup(graph, "nomx.com")
    [note] = result.notes
    assert note.id == "graph-no-mx"
    assert note.message.startswith("Graph lists no Mx record for nomx.com")


def test_records_paging_and_lowest_preference(graph):
    page1 = records_page("contoso.com", None)
    page1["@odata.nextLink"] = f"{graph.url}/v1.0/domains/contoso.com/serviceConfigurationRecords?$skiptoken=2"
    graph.set("/domains/contoso.com/serviceConfigurationRecords", Reply(200, page1))
    graph.routes["/v1.0/domains/contoso.com/serviceConfigurationRecords?$skiptoken=2"] = [
        Reply(200, records_page("contoso.com", f"contoso-com.{MS}"))]
    assert lookup(graph, "contoso.com").dual_stack_host == f"contoso-com.{MS}"


def test_next_link_to_another_origin_is_not_followed(graph):
    page = records_page("contoso.com", None)
    page["@odata.nextLink"] = "https://graph.example.net/v1.0/domains/contoso.com/serviceConfigurationRecords?$s=2"
    graph.set("/domains/contoso.com/serviceConfigurationRecords", Reply(200, page))
    result = lookup(graph, "contoso.com")
    [note] = result.notes
    assert note.incomplete and "another origin (graph.example.net)" in note.message
    assert "refusing to send the token there" in note.message


@pytest.mark.parametrize(("reply", "expected"), [
    (Reply(403, None), "Graph denied access (403 Authorization_RequestDenied: Insufficient privileges"),
    (Reply(500, {"error": {"code": "InternalServerError", "message": "boom"}}),
     "Graph answered 500 InternalServerError: boom while looking up contoso.com; retry later"),
    (Reply(200, b'{"value": [ {"recordType": "Mx", '), "Graph returned malformed JSON for contoso.com"),
    (Reply(200, {"no": "value"}), "Graph's answer for contoso.com has no 'value' list"),
])
def test_failures_are_incomplete_and_named(graph, reply, expected):
    if reply.status == 403:
        reply = error(403, "error-403.json")
    graph.set("/domains/contoso.com/serviceConfigurationRecords", reply)
    result = lookup(graph, "contoso.com")
    [note] = [n for n in result.notes if n.id == "graph-lookup-failed"]
    assert note.incomplete
    assert expected in note.message


def test_403_names_the_permission(graph):
    graph.set("/domains", error(403, "error-403.json"))
    result = lookup(graph, "contoso.com")
    assert result.dual_stack_host is None and result.ipv4_only_host is None
    [note] = result.notes  # one failure, reported once
    assert "Domain.Read.All" in note.message and "Global Reader" in note.message


def test_401_wrong_token(graph):
    result = lookup(graph, "contoso.com", credential=Credential("not-the-right-token-0123456789"))
    [note] = result.notes
    assert note.incomplete and note.message.startswith("Graph rejected the token (401 InvalidAuthenticationToken")
    assert "https://graph.microsoft.com/.default" in note.message
    assert "not-the-right-token-0123456789" not in note.message


def test_429_retry_after_is_honoured(graph):
    path = "/domains/contoso.com/serviceConfigurationRecords"
    good = records_page("contoso.com", f"contoso-com.{MS}")
    graph.set(path, Reply(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "1"}), Reply(200, good))
    start = time.monotonic()
    result = lookup(graph, "contoso.com", timeout=5)
    assert result.dual_stack_host == f"contoso-com.{MS}"
    assert time.monotonic() - start >= 0.9
    assert [p for p, _ in graph.requests].count(f"/v1.0{path}") == 2


def test_429_beyond_the_timeout_fails_at_once(graph):
    graph.set("/domains/contoso.com/serviceConfigurationRecords", Reply(429, None, {"Retry-After": "120"}))
    start = time.monotonic()
    result = lookup(graph, "contoso.com", timeout=2)
    assert time.monotonic() - start < 1.5
    [note] = result.notes
    assert "throttling (429) the lookup of contoso.com" in note.message and "after 120 s" in note.message


def test_slower_than_the_timeout(graph):
    graph.set("/domains/contoso.com/serviceConfigurationRecords", Reply(200, {"value": []}, delay=3))
    start = time.monotonic()
    result = lookup(graph, "contoso.com", timeout=0.5)
    assert time.monotonic() - start < 2
    [note] = result.notes
    assert note.message == "Graph did not answer within 0.5 s while looking up contoso.com; retry, or raise --timeout"


def test_tls_error_is_clear(graph):
    async def main():
        async with GraphClient(COMMERCIAL, base_url=graph.url.replace("http:", "https:"), credential=Credential(),
                               timeout=3) as client:
            return await client.get_all("/domains", about="the tenant's domains")

    with pytest.raises(HostLookupError, match=r"cannot reach Microsoft Graph at 127\.0\.0\.1:\d+ for the tenant's "
                                              r"domains \(ConnectError: .*\); check --graph-url, the network, and TLS"):
        asyncio.run(main())


def test_token_never_appears_in_errors_or_logs(graph, caplog):
    caplog.set_level(logging.DEBUG)
    graph.set("/domains/contoso.com/serviceConfigurationRecords", Reply(500, {"error": {"message": TOKEN}}))
    result = lookup(graph, "contoso.com")
    text = repr(result) + "".join(r.getMessage() for r in caplog.records)
    assert result.notes and TOKEN not in text and "[token]" in result.notes[0].message

    class Broken:
        def get_token(self, *scopes):
            raise RuntimeError(f"refresh failed for {TOKEN}\nsecond line")

    with pytest.raises(HostLookupError) as info:
        asyncio.run(GraphClient(COMMERCIAL, base_url=graph.url, credential=Broken(), token=None)._bearer())
    assert "could not get a Microsoft Graph token (RuntimeError: refresh failed" in str(info.value)
    assert "second line" not in str(info.value)


def test_environment_token_is_used_as_is(graph, monkeypatch):
    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", TOKEN)

    async def main():
        async with GraphClient(COMMERCIAL, base_url=graph.url) as client:
            return await GraphHosts(client, COMMERCIAL).lookup("contoso.com")

    assert asyncio.run(main()).dual_stack_host == f"contoso-com.{MS}"


@pytest.mark.parametrize(("url", "ok"), [
    ("https://graph.microsoft.com", True), ("http://127.0.0.1:8080/", True), ("http://[::1]:80", True),
    ("http://graph.microsoft.com", False), ("http://10.0.0.1", False), ("http://localhost", False),
    ("ftp://127.0.0.1", False), ("https://graph.microsoft.com/?x=1", False),
])
def test_graph_url_plain_http_only_on_loopback(url, ok):
    if ok:
        assert check_graph_url(url) == url.rstrip("/")
    else:
        with pytest.raises(MxSplitError) as info:
            check_graph_url(url)
        assert info.value.field == "graph_url" and "--graph-url" in str(info.value)


@pytest.mark.parametrize(("cloud", "scope", "authority"), [
    (COMMERCIAL, "https://graph.microsoft.com/.default", "login.microsoftonline.com"),
    (CHINA, "https://microsoftgraph.chinacloudapi.cn/.default", "login.chinacloudapi.cn"),
])
def test_default_credential_per_cloud(monkeypatch, cloud, scope, authority):
    import azure.identity

    made = []

    class Recording:
        def __init__(self, **kwargs):
            made.append(kwargs)

        def get_token(self, *scopes):
            made.append(scopes)
            return AccessToken("t" * 40, time.time() + 3600)

    monkeypatch.delenv("MXSPLIT_GRAPH_TOKEN", raising=False)
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", Recording)
    monkeypatch.setattr(azure.identity, "DeviceCodeCredential", Recording)
    assert graph_scope(cloud) == scope
    client = GraphClient(cloud)
    assert client.base_url == scope.removesuffix("/.default")
    assert asyncio.run(client._bearer()) == "t" * 40
    assert made == [{"authority": authority}, (scope,)]
    made.clear()
    default_credential(cloud, device_code=True)
    assert made[0]["authority"] == authority and callable(made[0]["prompt_callback"])


@pytest.mark.parametrize("bad", ["Zq1part-one\nZq2part-two", "Zq1tokén-Zq2", "Zq1 Zq2", 'Zq1"Zq2', ""])
def test_a_token_that_is_no_bearer_token_is_refused_without_echoing_it(graph, monkeypatch, bad):
    """httpx would put a token with a line break into its error text (escaped, so redaction misses it), and
    crash on a non-ASCII one: refuse such a token before any request, without showing any of it."""
    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", bad)
    if not bad:
        monkeypatch.delenv("MXSPLIT_GRAPH_TOKEN")

    async def main():
        async with GraphClient(COMMERCIAL, base_url=graph.url, credential=Credential(bad), token=bad or None) as c:
            return await GraphHosts(c, COMMERCIAL).lookup("contoso.com")

    result = asyncio.run(main())
    notes = [n for n in result.notes if n.incomplete]
    assert notes, result
    text = repr(result)
    assert "Zq1" not in text and "Zq2" not in text
    assert "is not a bearer token" in notes[0].message
    assert graph.requests == []


def test_surrounding_whitespace_of_the_environment_token_is_ignored(graph, monkeypatch):
    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", f"  {TOKEN}\n")

    async def main():
        async with GraphClient(COMMERCIAL, base_url=graph.url) as client:
            return await GraphHosts(client, COMMERCIAL).lookup("contoso.com")

    assert asyncio.run(main()).dual_stack_host == f"contoso-com.{MS}"


@pytest.mark.parametrize("retry_after", ["0", "Wed, 21 Oct 2015 07:28:00 GMT", "nan", "-5"])
def test_throttled_without_a_usable_wait_backs_off_and_says_so(graph, monkeypatch, retry_after):
    """A Retry-After of 0, in the past or not a number: back off anyway, and when the tries run out say the
    service kept throttling (not that it 'did not answer within' a timeout that has not passed)."""
    from mxsplit_component.hosts import graphclient

    monkeypatch.setattr(graphclient, "MIN_BACKOFF", 0.05)  # 0.05 + 0.1 + 0.2 + 0.4 + 0.8 s between six tries
    path = "/domains/contoso.com/serviceConfigurationRecords"
    graph.set(path, Reply(429, None, {"Retry-After": retry_after}))
    start = time.monotonic()
    result = lookup(graph, "contoso.com", timeout=30)
    elapsed = time.monotonic() - start
    [note] = result.notes
    assert note.incomplete
    assert note.message.startswith("Graph kept answering 429 (throttled or unavailable) to the lookup of contoso.com")
    tries = [p for p, _ in graph.requests].count(f"/v1.0{path}")
    assert f"after {tries} tries" in note.message
    assert tries == graphclient.MAX_ATTEMPTS
    assert 1.4 < elapsed < 10  # backed off between tries, and gave up long before the 30 s timeout


def test_a_next_link_back_to_a_page_already_read_is_a_loop(graph):
    path = "/domains/contoso.com/serviceConfigurationRecords"
    page = records_page("contoso.com", None)
    page["@odata.nextLink"] = f"{graph.url}/v1.0{path}"  # the same page, forever
    graph.set(path, Reply(200, page))
    start = time.monotonic()
    result = lookup(graph, "contoso.com", timeout=10)
    assert time.monotonic() - start < 2
    [note] = result.notes
    assert note.incomplete and "Graph's paging for contoso.com loops" in note.message
    assert [p for p, _ in graph.requests].count(f"/v1.0{path}") == 1


def test_pages_are_bounded_in_number(graph, monkeypatch):
    from mxsplit_component.hosts import graphclient

    monkeypatch.setattr(graphclient, "MAX_PAGES", 3)
    path = "/domains/contoso.com/serviceConfigurationRecords"
    for n in range(5):  # every page links to a new one
        page = records_page("contoso.com", None)
        page["@odata.nextLink"] = f"{graph.url}/v1.0{path}?$skiptoken={n + 1}"
        graph.routes[f"/v1.0{path}" + (f"?$skiptoken={n}" if n else "")] = [Reply(200, page)]
    [note] = lookup(graph, "contoso.com").notes
    assert note.incomplete and "more than 3 pages" in note.message


def test_a_next_link_that_is_not_a_url_is_named_as_such(graph):
    page = records_page("contoso.com", None)
    page["@odata.nextLink"] = 5
    graph.set("/domains/contoso.com/serviceConfigurationRecords", Reply(200, page))
    [note] = lookup(graph, "contoso.com").notes
    assert note.incomplete and "@odata.nextLink that is not a URL" in note.message


def test_a_huge_response_is_refused_without_reading_it_all(graph, monkeypatch):
    from mxsplit_component.hosts import graphclient

    monkeypatch.setattr(graphclient, "MAX_BODY_BYTES", 64 * 1024)
    page = records_page("contoso.com", f"contoso-com.{MS}")
    page["value"] += [{"recordType": "Txt", "text": "x" * 1000}] * 200
    graph.set("/domains/contoso.com/serviceConfigurationRecords", Reply(200, page))
    [note] = lookup(graph, "contoso.com").notes
    assert note.incomplete
    assert "Graph's answer for contoso.com is larger than 64 KiB" in note.message


def _mx(host, preference):
    return {"recordType": "Mx", "mailExchange": host, "preference": preference, "ttl": 3600, "label": "contoso.com",
            "isOptional": False, "supportedService": "Email", "id": host}


@pytest.mark.parametrize("preference", ["10", None, True, 10.5, "ten"])
def test_an_mx_preference_that_is_no_whole_number_does_not_jump_the_queue(graph, preference):
    """Only a real 0 outranks 10; a preference Graph sent as text is read as the number it spells."""
    graph.set("/domains/contoso.com/serviceConfigurationRecords", Reply(200, {"value": [
        _mx(f"odd-com.{MS}", preference), _mx(f"contoso-com.{MS}", 0)]}))
    result = lookup(graph, "contoso.com")
    assert result.dual_stack_host == f"contoso-com.{MS}"


def test_several_mx_records_with_different_hosts_are_not_picked_silently(graph):
    graph.set("/domains/contoso.com/serviceConfigurationRecords", Reply(200, {"value": [
        _mx(f"contoso-com.{MS}", 0), _mx("contoso-com.o-v1.mx.microsoft", 10)]}))
    result = lookup(graph, "contoso.com")
    assert result.dual_stack_host == f"contoso-com.{MS}"
    [note] = result.notes
    assert (note.id, note.severity, note.incomplete) == ("graph-several-mx", "warning", False)
    assert note.message == (f"Graph lists 2 Mx records for contoso.com (0 contoso-com.{MS}, 10 contoso-com.o-v1."
                            f"mx.microsoft); using the preferred one, contoso-com.{MS}; check which one the admin "
                            "center shows, and pin that one")


def test_the_same_host_twice_with_a_trailing_dot_or_in_capitals_is_one_host(graph):
    graph.set("/domains/contoso.com/serviceConfigurationRecords", Reply(200, {"value": [
        _mx(f"contoso-com.{MS}", 0), _mx(f"CONTOSO-COM.{MS.upper()}.", 0)]}))
    result = lookup(graph, "contoso.com")
    assert result.dual_stack_host == f"contoso-com.{MS}" and result.notes == ()
