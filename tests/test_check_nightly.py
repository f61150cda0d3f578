"""The nightly job's edges: a baseline or summary that cannot be used stops the run before any lookup,
and Ctrl-C keeps the finished rows and still writes the summary of what was done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mxsplit_component.cli import main
from mxsplit_component.testing.graph import MS, TOKEN, GraphStandIn, Reply, contoso
from tests.support.dnsfaults import FaultServer
from tests.support.interrupt import interrupt_after_first_line

ROOT = Path(__file__).resolve().parent.parent
ZONE = {"contoso.com.": [f"MX 0 contoso.{MS}.", f"MX 10 contoso-com.{MS}."], f"contoso.{MS}.": ["A 127.0.0.2"],
        f"contoso-com.{MS}.": ["A 127.0.0.3", "AAAA ::1"],
        "foo-1-bar.com.": [f"MX 0 contoso.{MS}.", f"MX 10 foo1-bar-com0i.{MS}."],
        f"foo1-bar-com0i.{MS}.": ["A 127.0.0.3", "AAAA ::1"]}


@pytest.mark.parametrize("content, message", [
    (b'{"domain": "contoso.com", "ok": true}\nnot json\n', "--baseline {path}: line 2 is not a JSON object with a "
                                                         "domain; pass the JSON lines of an earlier check --file "
                                                         "--json run"),
    (b"\xff\xfe{", "--baseline {path}: line 1 is not a JSON object with a domain"),
    (None, "--baseline {path}: No such file or directory; pass the JSON lines of an earlier check --file --json run"),
])
def test_a_baseline_that_is_not_one_stops_the_run_before_any_lookup(capsys, tmp_path, content, message):
    path = tmp_path / "last.jsonl"
    if content is not None:
        path.write_bytes(content)
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\ncontoso.com,contoso\n")
    with FaultServer(ZONE) as dns:
        code = main(["check", "--file", str(csv), "--nameserver", dns.nameserver, "--baseline", str(path)])
        asked = list(dns.queries)
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and asked == []
    assert message.format(path=path) in err


def test_a_summary_at_a_folder_stops_the_run_before_any_lookup(capsys, tmp_path):
    (tmp_path / "s.md").mkdir()
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\ncontoso.com,contoso\n")
    with FaultServer(ZONE) as dns:
        code = main(["check", "--file", str(csv), "--nameserver", dns.nameserver, "--summary", str(tmp_path / "s.md")])
        asked = list(dns.queries)
    assert code == 2 and asked == []
    assert f"--summary {tmp_path / 's.md'}: {tmp_path / 's.md'} is a folder" in capsys.readouterr().err


def test_ctrl_c_keeps_finished_rows_and_writes_the_summary_of_what_was_done(tmp_path):
    """Ctrl-C while a row waits on its tenant's Graph: exit 130, no traceback, finished rows printed, the summary
    says it was interrupted."""
    with GraphStandIn() as graph, FaultServer(ZONE) as dns:
        contoso(graph)
        graph.set("/domains/foo-1-bar.com/serviceConfigurationRecords", Reply(200, {"value": []}, delay=30))
        csv = tmp_path / "d.csv"
        csv.write_text("domain\ncontoso.com\nfoo-1-bar.com\n")
        summary = tmp_path / "s.md"
        run = interrupt_after_first_line(["check", "--file", str(csv), "--graph", "--graph-url", graph.url,
                                          "--nameserver", dns.nameserver, "--no-mta-sts", "--timeout", "60", "--json",
                                          "--summary", str(summary)], env={"MXSPLIT_GRAPH_TOKEN": TOKEN})
    first = json.loads(run.first)
    assert first["domain"] == "contoso.com" and first["hosts"]["dual_stack_host"]["source"] == "graph"
    assert run.returncode == 130 and run.rest == b"" and b"Traceback" not in run.err, run.err[-2000:]
    md = summary.read_text()
    assert md.startswith("# mxsplit check (interrupted): 1 domains\n") and "| OK | 1 |" in md
