"""Text from the network cannot paint the terminal: escaped in text output, kept in JSON.

A hostile SMTP banner and EHLO reply (``check --smtp``), SPF record (``sender``) and Graph
error message (``hosts``/``plan --graph``) carry ``ESC ] 0 ; … BEL`` (retitle), ``ESC [ 2 J``
(clear), ``ESC [ 8 m`` (hide what follows), a carriage return, a backspace and a NUL.
"""

from __future__ import annotations

import json

import pytest

from mxsplit_component.cli import main
from mxsplit_component.edges.display import shown
from mxsplit_component.testing.bind import BindServer, zone
from mxsplit_component.testing.graph import TOKEN, GraphStandIn, Reply, contoso
from mxsplit_component.testing.smtp import Scripted, free_port, smtp_servers
from tests.support.bind import require_bind

MS = "mail.protection.outlook.com"
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[8mhidden\rOK\x08\x00"
ESCAPED = "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[8mhidden\\rOK\\x08\\x00"
#: The same text as BIND zone-file escapes (\DDD, decimal).
HOSTILE_ZONE = "\\027]0;pwned\\007\\027[2J\\027[8mhidden\\013OK\\008\\000"


def assert_inert(text: str) -> None:
    """No control character but the line breaks, and the hostile text shown as escapes."""
    assert not [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0], repr(text[:3000])
    assert ESCAPED in text, text


@pytest.mark.parametrize(("raw", "seen"), [
    ("plain text, ünïcode", "plain text, ünïcode"),
    (HOSTILE, ESCAPED),
    ("\t\n\x7f\x9b\u202e\u2028", "\\t\\n\\x7f\\x9b\\u202e\\u2028"),
    ("bad byte: " + b"\xff".decode("utf-8", "surrogateescape"), "bad byte: \\xff"),
])
def test_shown_makes_control_characters_visible(raw, seen):
    assert shown(raw) == seen


@pytest.fixture(scope="module")
def bind():
    require_bind()
    rev = "8.b.d.0.1.0.0.2.ip6.arpa"
    zones = {
        MS: zone(MS, "evil IN A 127.0.0.31\nevil-test IN A 127.0.0.32"),
        "evil.test": zone("evil.test", f"@ IN MX 0 evil.{MS}.\n@ IN MX 10 evil-test.{MS}."),
        "sender.test": zone("sender.test", f'@ IN TXT "v=spf1 {HOSTILE_ZONE} -all"\nmail IN AAAA 2001:db8::25'),
        rev: zone(rev, "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR mail.sender.test."),
    }
    with BindServer(zones) as server:
        yield server


@pytest.fixture(scope="module")
def smtp():
    banner = f"220 mx ESMTP {HOSTILE}\r\n".encode("latin-1")
    servers = {"127.0.0.31": (Scripted(banner, {"EHLO": b"250 mx\r\n"}), None),
               "127.0.0.32": (Scripted(b"220 mx ESMTP\r\n", {"EHLO": f"554 5.7.1 {HOSTILE}\r\n".encode("latin-1")}),
                              None)}
    with smtp_servers(free_port(tuple(servers)), servers) as port:
        yield port


def test_check_smtp_banner_and_ehlo_reply(capsys, bind, smtp):
    argv = ["check", "evil.test", "--tenant", "evil", "--nameserver", bind.nameserver, "--timeout", "2",
            "--no-mta-sts", "--smtp", "--smtp-port", str(smtp)]
    main(argv)
    text = capsys.readouterr().out
    assert_inert(text)
    assert text.count(ESCAPED) >= 2  # the banner, and the EHLO refusal
    main([*argv, "--json"])
    data = json.loads(capsys.readouterr().out)
    assert any(HOSTILE in (p.get("banner") or "") for p in data["smtp"]["probes"])  # JSON keeps the value


def test_sender_spf_record(capsys, bind):
    argv = ["sender", "--ip", "2001:db8::25", "--from", "sender.test", "--nameserver", bind.nameserver,
            "--timeout", "2"]
    main(argv)
    assert_inert(capsys.readouterr().out)
    main([*argv, "--json"])
    [frame] = json.loads(capsys.readouterr().out)["spf_detail"]["path"]
    assert frame["record"] == f"v=spf1 {HOSTILE} -all"  # JSON keeps the value


@pytest.fixture
def graph(monkeypatch):
    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", TOKEN)
    with GraphStandIn() as server:
        contoso(server)
        server.set("/domains/contoso.com/serviceConfigurationRecords",
                   Reply(500, {"error": {"code": "Debug", "message": HOSTILE}}))
        yield server


def test_graph_message_in_hosts_and_plan(capsys, graph):
    assert main(["hosts", "contoso.com", "--graph", "--graph-url", graph.url]) == 3
    assert_inert(capsys.readouterr().out)
    assert main(["plan", "contoso.com", "--graph", "--graph-url", graph.url]) == 3
    assert_inert(capsys.readouterr().err)
    assert main(["hosts", "contoso.com", "--graph", "--graph-url", graph.url, "--json"]) == 3
    [note] = json.loads(capsys.readouterr().out)["notes"]
    assert HOSTILE in note["message"]


class HostileDeviceCode:
    """A device-code sign-in whose prompt (the authority's verification URI and code) carries escapes."""

    def __init__(self, *, authority: str, prompt_callback) -> None:
        self.prompt = prompt_callback

    def get_token(self, *scopes: str):
        from types import SimpleNamespace

        self.prompt(f"https://microsoft.com/devicelogin{HOSTILE}", HOSTILE, None)
        return SimpleNamespace(token=TOKEN, expires_on=0)


def test_device_code_prompt(capsys, monkeypatch):
    monkeypatch.delenv("MXSPLIT_GRAPH_TOKEN", raising=False)
    monkeypatch.setattr("azure.identity.DeviceCodeCredential", HostileDeviceCode)
    with GraphStandIn() as server:
        contoso(server)
        main(["hosts", "contoso.com", "--graph", "--graph-url", server.url, "--device-code"])
    err = capsys.readouterr().err
    assert "To sign in to Microsoft Graph, open https://microsoft.com/devicelogin" in err
    assert_inert(err)
