"""What a hostile Graph can make us do is bounded: compressed bombs, deep nesting, odd shapes.

The bomb runs the CLI in a child limited to 1 GiB of address space: decoding a 2 GiB body
there ends in ``MemoryError``, so only a reader that stops at the cap passes.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import subprocess
import sys
import time
import zlib
from functools import cache
from pathlib import Path

import pytest

from mxsplit_component.cli import main
from mxsplit_component.testing.graph import MS, TOKEN, GraphStandIn, Reply, contoso, records_page

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_RECORDS = "/domains/contoso.com/serviceConfigurationRecords"
MEMORY_LIMIT = 1 << 30


@cache
def gzip_of_zeros(gib: int) -> bytes:
    """A gzip stream of ``gib`` GiB of zeros in about a KiB per MiB: full flushes make every MiB's block the same."""
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    mib = bytes(1 << 20)
    first = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    return first + block * (gib * 1024 - 1)  # no trailer: a reader must stop long before the end


@pytest.fixture
def graph(monkeypatch):
    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", TOKEN)
    with GraphStandIn() as server:
        yield contoso(server)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def hosts_in_a_small_child(graph: GraphStandIn, timeout: float) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MXSPLIT_GRAPH_TOKEN": TOKEN}
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "mxsplit_component.cli", "hosts", "contoso.com", "--graph",
                           "--graph-url", graph.url, "--timeout", str(timeout), "--json"],
                          capture_output=True, text=True, env=env, timeout=60, preexec_fn=_limit_memory)
    return done, time.monotonic() - start


@pytest.mark.parametrize(("encoding", "body", "says"), [
    ("gzip, gzip", lambda: gzip.compress(gzip_of_zeros(2), 1), "is compressed more than once (Content-Encoding: gzip, gzip)"),
    ("gzip", lambda: gzip_of_zeros(2), "is larger than 8192 KiB"),
    ("br", lambda: b"\x00" * 64, "uses a compression we did not ask for (Content-Encoding: br)"),
])
def test_a_compressed_bomb_is_refused_or_capped_while_streaming(graph, encoding, body, says):
    graph.set(DOMAIN_RECORDS, Reply(200, body(), {"Content-Encoding": encoding}))
    done, took = hosts_in_a_small_child(graph, timeout=5)
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 3, done.stdout + done.stderr
    row = json.loads(done.stdout)
    [note] = [n for n in row["notes"] if n["id"] == "graph-lookup-failed"]
    assert note["message"].startswith(f"Graph's answer for contoso.com {says}"), note
    assert took < 15


def test_an_ordinary_gzip_answer_is_read(capsys, graph):
    """Graph compresses when asked: one gzip layer is decoded, within the cap."""
    page = gzip.compress(json.dumps(records_page("contoso.com", f"contoso-com.{MS}")).encode())
    graph.set(DOMAIN_RECORDS, Reply(200, page, {"Content-Encoding": "gzip"}))
    code = main(["hosts", "contoso.com", "--graph", "--graph-url", graph.url, "--json"])
    row = json.loads(capsys.readouterr().out)
    assert code == 0 and row["dual_stack_host"] == {"host": f"contoso-com.{MS}", "source": "graph"}


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(("path", "reply"), [
    (DOMAIN_RECORDS, Reply(200, DEEP)),
    ("/domains", Reply(200, b'{"value": ' + DEEP + b"}")),
    (DOMAIN_RECORDS, Reply(500, b'{"error": ' + DEEP + b"}")),
])
@pytest.mark.parametrize("command", ["hosts", "plan", "check"])
def test_json_nested_100000_deep_is_a_failed_lookup_naming_the_domain(capsys, graph, path, reply, command):
    graph.set(path, reply)
    extra = ["--nameserver", "127.0.0.1:9", "--timeout", "2", "--no-mta-sts"] if command == "check" else []
    code = main([command, "contoso.com", "--graph", "--graph-url", graph.url, *extra])
    out, err = capsys.readouterr()
    assert code == 3, out + err
    text = out + err
    assert "contoso.com" in text and ("nested too deep" in text or "Graph answered 500" in text), text


@pytest.mark.parametrize("records", [
    [{"recordType": "Mx", "mailExchange": "x" * 5_000_000 + f".{MS}", "preference": 0}],
    [{"recordType": {"Mx": 1}, "mailExchange": ["a"], "preference": [0]}],
    [{"recordType": "Mx", "mailExchange": f"contoso-com.{MS}", "preference": 1e400}],
])
def test_odd_shapes_and_huge_values_are_short_clean_answers(capsys, graph, records):
    graph.set(DOMAIN_RECORDS, Reply(200, {"value": records}))
    code = main(["hosts", "contoso.com", "--graph", "--graph-url", graph.url, "--json"])
    out = capsys.readouterr().out
    row = json.loads(out)
    assert code in (0, 1, 3) and len(out) < 5_000, out[:500]
    assert all(len(n["message"]) <= 601 for n in row["notes"])


def test_a_body_that_drips_stops_at_the_deadline(capsys, graph):
    page = json.dumps(records_page("contoso.com", f"contoso-com.{MS}")).encode()
    graph.set(DOMAIN_RECORDS, Reply(200, page, drip=0.05))  # about 40 s for the whole page
    start = time.monotonic()
    code = main(["hosts", "contoso.com", "--graph", "--graph-url", graph.url, "--timeout", "1", "--json"])
    took = time.monotonic() - start
    row = json.loads(capsys.readouterr().out)
    assert code == 3 and took < 4, took
    assert [n["message"] for n in row["notes"]] == [
        "Graph did not answer within 1 s while looking up contoso.com; retry, or raise --timeout"]
