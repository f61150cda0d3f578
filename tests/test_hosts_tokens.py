"""``--graph-tokens FILE``: one ready token per tenant, read with the one ``--file`` reader, checked
before anything is sent, never shown, and a warning when others may read the file."""

from __future__ import annotations

import pytest

from mxsplit_component.cli import main
from mxsplit_component.core.clouds import COMMERCIAL
from mxsplit_component.hosts.tokens import readable_by_others, token_rows
from mxsplit_component.testing.graph import MS, TOKEN, GraphStandIn, contoso

SECRET = "Zq9secret-part-of-a-token"


@pytest.fixture(autouse=True)
def no_environment_token(monkeypatch):
    monkeypatch.delenv("MXSPLIT_GRAPH_TOKEN", raising=False)


@pytest.fixture
def graph():
    with GraphStandIn() as server:
        yield contoso(server)


def lookup(capsys, graph, tokens, *extra: str) -> tuple[int, str, str]:
    code = main(["hosts", "contoso.com", "--graph", "--graph-url", graph.url, "--graph-tokens", str(tokens), *extra])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("content", [
    f"tenant,token\ncontoso,{TOKEN}\n",
    f"\ufefftenant,token\r\ncontoso.onmicrosoft.com,Bearer {TOKEN}\r\n\r\n",  # Excel's BOM, CRLF, a Bearer prefix
    f"token,tenant\n{TOKEN},CONTOSO\n",
])
def test_a_token_file_in_any_usual_shape_gives_the_tenants_token(capsys, graph, tmp_path, content):
    tokens = tmp_path / "t.csv"
    tokens.write_bytes(content.encode())
    tokens.chmod(0o600)
    code, out, err = lookup(capsys, graph, tokens)
    assert code == 0 and f"contoso-com.{MS}  [graph]" in out and err == ""
    assert {auth for _, auth in graph.requests} == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize("content, message", [
    (f"tenant,token\ncontoso,{SECRET} x\n", "line 2: the token for contoso is not a bearer token"),
    (f'tenant,token\ncontoso,"{SECRET}\n', "line 2 is not valid CSV"),
    (f"tenant,token\ncontoso,{TOKEN}\nCONTOSO,{SECRET}\n", "line 3: tenant contoso is given twice"),
    (f"tenant,token\nnot a tenant,{SECRET}\n", "line 2: tenant 'not a tenant' may contain only letters and digits"),
    (f"tenant,token,secret\ncontoso,{TOKEN},{SECRET}\n", "has an unknown column 'secret'"),
    ("tenant\ncontoso\n", "needs a header with tenant, token; missing: token"),
    (b"tenant,token\ncontoso,\xff" + SECRET.encode() + b"\n", "line 2 is not UTF-8"),
])
def test_a_bad_token_file_is_refused_before_anything_is_sent_and_never_shown(capsys, graph, tmp_path, content,
                                                                           message):
    tokens = tmp_path / "t.csv"
    tokens.write_bytes(content if isinstance(content, bytes) else content.encode())
    tokens.chmod(0o600)
    code, out, err = lookup(capsys, graph, tokens)
    assert code == 2 and out == "" and graph.requests == []
    assert f"mxsplit: error: --graph-tokens {tokens}" in err and message in err, err
    assert SECRET not in err and "Zq9" not in err


def test_a_missing_token_file_names_it(capsys, graph, tmp_path):
    code, _, err = lookup(capsys, graph, tmp_path / "nope.csv")
    assert code == 2 and f"--graph-tokens {tmp_path / 'nope.csv'}: No such file or directory" in err
    assert graph.requests == []


def test_a_token_file_others_may_read_gets_a_warning_and_is_used(capsys, graph, tmp_path):
    tokens = tmp_path / "t.csv"
    tokens.write_text(f"tenant,token\ncontoso,{TOKEN}\n")
    tokens.chmod(0o644)
    assert readable_by_others(str(tokens))
    code, out, err = lookup(capsys, graph, tokens)
    assert code == 0 and f"contoso-com.{MS}" in out
    assert f"mxsplit: warning: --graph-tokens {tokens} can be read by others than its owner" in err
    assert f"chmod 600 {tokens}" in err
    tokens.chmod(0o600)
    assert not readable_by_others(str(tokens))


@pytest.mark.parametrize("extra, env, message", [
    ((), True, "--graph-tokens gives a token per tenant, but MXSPLIT_GRAPH_TOKEN is set"),
    (("--device-code",), False, "--device-code signs in interactively, but --graph-tokens gives a token per tenant"),
])
def test_one_source_of_tokens_at_a_time(capsys, graph, tmp_path, monkeypatch, extra, env, message):
    tokens = tmp_path / "t.csv"
    tokens.write_text(f"tenant,token\ncontoso,{TOKEN}\n")
    tokens.chmod(0o600)
    if env:
        monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", TOKEN)
    code, out, err = lookup(capsys, graph, tokens, *extra)
    assert code == 2 and out == "" and message in err and graph.requests == []


def test_the_token_file_object_shows_no_token():
    tokens = token_rows([(2, "contoso", TOKEN)], COMMERCIAL, name="t.csv")
    assert TOKEN not in repr(tokens) and "contoso" in repr(tokens)
    assert tokens.token_for("contoso") == TOKEN and tokens.token_for("fabrikam") is None
