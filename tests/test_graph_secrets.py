"""The Graph token never leaves the process: every Graph error path, against a Graph that echoes it.

The stand-in puts the request's ``Authorization`` header (``Bearer <token>``) into the error
body, the reason phrase and the headers of every reply it can, and into the values of
answers it gives. Each path is driven through ``hosts`` (text and ``--json``), ``plan
--graph`` and ``check --graph`` (stdout and stderr), and the library (``lookup_hosts``'s
result and the client's exceptions); none may show the token or any part of it.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from mxsplit_component.cli import main
from mxsplit_component.core.clouds import COMMERCIAL
from mxsplit_component.errors import HostLookupError
from mxsplit_component.hosts import lookup_hosts
from mxsplit_component.hosts.graphclient import GraphClient
from mxsplit_component.testing.graph import ECHO, MS, TOKEN, GraphStandIn, Reply, contoso, records_page
from tests.support.dnsfaults import FaultServer

HEADER, _, SIGNATURE = TOKEN.partition(".")
DOMAIN = "contoso.com"
TENANT_RECORDS = "/domains/contoso.onmicrosoft.com/serviceConfigurationRecords"
DOMAIN_RECORDS = f"/domains/{DOMAIN}/serviceConfigurationRecords"
ECHO_HEADERS = {"X-Debug": f"request had Authorization: {ECHO}",
                "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{ECHO}"'}


def echoed_error(status: int, **extra: Any) -> Reply:
    body = {"error": {"code": "Debug", "message": f"request had Authorization: {ECHO}"}}
    return Reply(status, body, {**ECHO_HEADERS, **extra}, reason=f"Failed {ECHO}")


def raw(text: str) -> Reply:
    return Reply(200, text.encode(), raw=True)


#: Each status has its own message (401, 403, 404) or shares the general one (the rest).
STATUSES = [400, 401, 403, 404, 409, 500, 502, 504]
#: The three requests a lookup makes; 404 and 500 are tried on each (a 404 on the tenant's was the leak).
PATHS = {"list": "/domains", "tenant": TENANT_RECORDS, "domain": DOMAIN_RECORDS}
#: name -> (path broken, replies): every way a Graph answer can end in an error message.
SCENARIOS: dict[str, tuple[str, list[Reply]]] = {
    **{f"status-{status}-{which}": (path, [echoed_error(status)])
       for status in STATUSES for which, path in PATHS.items() if status in (404, 500) or which == "domain"},
    "throttled-beyond-timeout": (DOMAIN_RECORDS, [echoed_error(429, **{"Retry-After": "3600"})]),
    "unavailable-beyond-timeout": (TENANT_RECORDS, [echoed_error(503, **{"Retry-After": "3600"})]),
    "redirect": (DOMAIN_RECORDS, [Reply(302, {"error": {"message": ECHO}}, {**ECHO_HEADERS,
                                                                           "Location": f"https://evil.example/{ECHO}"},
                                        reason=f"Found {ECHO}")]),
    "malformed-json": (DOMAIN_RECORDS, [Reply(200, f"not json: {ECHO}".encode(), ECHO_HEADERS, reason=ECHO)]),
    "json-not-an-object": (TENANT_RECORDS, [Reply(200, [ECHO], ECHO_HEADERS)]),
    "value-not-a-list": (DOMAIN_RECORDS, [Reply(200, {"value": ECHO}, ECHO_HEADERS)]),
    "next-link-elsewhere": ("/domains", [Reply(200, {"value": [], "@odata.nextLink": f"https://u:{ECHO}@evil.example/"})]),
    "next-link-loop": (DOMAIN_RECORDS, [Reply(200, {"value": [], "@odata.nextLink": f"PLACEHOLDER{DOMAIN_RECORDS}"})]),
    "next-link-not-a-url": (DOMAIN_RECORDS, [Reply(200, {"value": [], "@odata.nextLink": [ECHO]})]),
    "host-is-the-token": (DOMAIN_RECORDS, [Reply(200, records_page(DOMAIN, ECHO))]),
    "tenant-host-is-the-token": (TENANT_RECORDS, [Reply(200, records_page("contoso.onmicrosoft.com", ECHO))]),
    "host-is-the-token-as-a-label": (DOMAIN_RECORDS, [Reply(200, records_page(DOMAIN, f"{HEADER}.{MS}"))]),
    "second-mx-is-the-token": (DOMAIN_RECORDS, [Reply(200, {"value": [
        *records_page(DOMAIN, f"contoso-com.{MS}")["value"],
        {"recordType": "Mx", "mailExchange": ECHO, "preference": 10, "label": DOMAIN}]})]),
    "bad-header-line": (DOMAIN_RECORDS, [raw(f"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n{ECHO}\r\n\r\n{{}}")]),
    "bad-status-line": (TENANT_RECORDS, [raw(f"HTTP/1.1 {ECHO}\r\n\r\n")]),
    "cut-body": (DOMAIN_RECORDS, [raw(f"HTTP/1.1 500 {ECHO}\r\nContent-Length: 900\r\n\r\n{ECHO}")]),
}

#: Scenarios where Graph answers (the client returns), and the token is in the answer's values.
ANSWERS = {"host-is-the-token", "tenant-host-is-the-token", "host-is-the-token-as-a-label", "second-mx-is-the-token"}


@pytest.fixture
def graph(monkeypatch):
    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", TOKEN)
    with GraphStandIn() as server:
        yield contoso(server)


@pytest.fixture(scope="module")
def dns():
    with FaultServer({}) as server:  # every name is NXDOMAIN at once: the Graph side decides
        yield server


def break_graph(graph: GraphStandIn, scenario: str) -> None:
    path, replies = SCENARIOS[scenario]
    for reply in replies:
        if isinstance(reply.body, dict) and str(reply.body.get("@odata.nextLink", "")).startswith("PLACEHOLDER"):
            reply.body["@odata.nextLink"] = reply.body["@odata.nextLink"].replace("PLACEHOLDER", f"{graph.url}/v1.0")
    graph.routes[f"/v1.0{path}"] = list(replies)


def assert_no_token(text: str) -> None:
    """No part of the token, in any case (a host name echoing it comes back lowercased)."""
    for secret in (TOKEN, HEADER, SIGNATURE):
        at = text.lower().find(secret.lower())
        assert at < 0, text[max(0, at - 200):at + 100]


def cli(capsys, graph, dns, *argv: str) -> tuple[int, str]:
    code = main([*argv, "--graph", "--graph-url", graph.url, "--timeout", "2"] +
                (["--nameserver", dns.nameserver, "--no-mta-sts"] if argv[0] == "check" else []))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_error_path_shows_the_token(capsys, graph, dns, scenario):
    break_graph(graph, scenario)
    runs = {
        "hosts": cli(capsys, graph, dns, "hosts", DOMAIN),
        "hosts --json": cli(capsys, graph, dns, "hosts", DOMAIN, "--json"),
        "plan --graph": cli(capsys, graph, dns, "plan", DOMAIN),
        "plan --graph --json": cli(capsys, graph, dns, "plan", DOMAIN, "--json"),
        "check --graph --json": cli(capsys, graph, dns, "check", DOMAIN, "--json"),
    }
    for name, (code, text) in runs.items():
        assert_no_token(text)
        # The lookup failed or was refused, cleanly; a stray second Mx record is only a warning.
        assert code in ((0, 1) if scenario == "second-mx-is-the-token" else (1, 2, 3)), (name, code, text)
    code, text = runs["hosts --json"]
    row = json.loads(text)
    assert row["notes"] and (row["ok"] is False or scenario == "second-mx-is-the-token"), row
    # Library callers: the result (every message in it) and what the client raises.
    assert_no_token(repr(lookup_hosts(DOMAIN, graph_url=graph.url, timeout=2)))
    raised = []
    for path in ("/domains", TENANT_RECORDS, DOMAIN_RECORDS):
        try:
            asyncio.run(_get_all(graph, path))
        except HostLookupError as exc:
            raised.append(f"{exc!r} {exc}")
    assert raised or scenario in ANSWERS  # an answer holding the token is refused above the client
    assert_no_token(" ".join(raised))


async def _get_all(graph: GraphStandIn, path: str) -> Any:
    async with GraphClient(COMMERCIAL, base_url=graph.url, timeout=2) as client:
        return await client.get_all(path, about="x")


class EchoingCredential:
    """A credential whose library puts a token (not the one it would give) in its error."""

    def get_token(self, *scopes: str) -> Any:
        raise RuntimeError(f"AADSTS700082: the refresh token expired; request had Authorization: Bearer {TOKEN}")


def test_a_failed_sign_in_does_not_show_the_token(graph, monkeypatch):
    monkeypatch.delenv("MXSPLIT_GRAPH_TOKEN")
    result = lookup_hosts(DOMAIN, graph_url=graph.url, timeout=2, credential=EchoingCredential())
    [note] = [n for n in result.notes if n.incomplete]
    assert "could not get a Microsoft Graph token (RuntimeError: AADSTS700082" in note.message
    assert_no_token(repr(result))
    assert graph.requests == []


@pytest.mark.parametrize(("text", "secrets", "seen"), [
    ("the token is not a bearer token (it has spaces)", (), "the token is not a bearer token (it has spaces)"),
    (f"had Authorization: Bearer {TOKEN}", (), "had Authorization: Bearer [token]"),
    ("GET /x?h=Bearer%20EwBwA8l6BAAUkj1hKXGbX2WfxkL8", (), "GET /x?h=Bearer [token]"),
    (f"token {TOKEN.upper()} lowercased {TOKEN.lower()}", (), "token [token] lowercased [token]"),
    ("opaque EwBwA8l6BAAUkj1hKXGbX2Wfxk and EWBWA8L6BAAUKJ1HKXGBX2WFXK", ("EwBwA8l6BAAUkj1hKXGbX2Wfxk",),
     "opaque [token] and [token]"),
    ("contoso-com.mail.protection.outlook.com", ("short",), "contoso-com.mail.protection.outlook.com"),
])
def test_redact(text, secrets, seen):
    from mxsplit_component.edges.redact import redact

    assert redact(text, secrets) == seen


OPAQUE = "EwBwA8l6BAAUkj1hKXGbX2WfxkL8opaqueNotAJwt0123456789"


@pytest.mark.parametrize("cut_into_token", [4, 9, 15, 30])
def test_a_message_cut_short_is_redacted_before_the_cut(capsys, dns, monkeypatch, cut_into_token):
    """An opaque (non-JWT) token echoed where a long message is cut: no first characters of it survive."""
    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", OPAQUE)
    with GraphStandIn(token=OPAQUE) as graph:
        contoso(graph)
        # Graph's "code: message" is cut at 300 characters: put the cut that far into the echoed token.
        pad = "x" * (300 - len("Debug: ") - len("Authorization: Bearer ") - cut_into_token)
        graph.set(DOMAIN_RECORDS, Reply(500, {"error": {"code": "Debug", "message": f"{pad}Authorization: {ECHO}"}}))
        code, text = cli(capsys, graph, dns, "hosts", DOMAIN)
        assert code == 3 and "Graph answered 500" in text
        assert OPAQUE[:4] not in text, text
        with pytest.raises(HostLookupError) as raised:
            asyncio.run(_get_all(graph, DOMAIN_RECORDS))
        assert OPAQUE[:4] not in str(raised.value)
