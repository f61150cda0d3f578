"""``--summary``: the Markdown of a bulk run, fed row by row."""

from __future__ import annotations

from mxsplit_component.check.summary import MAX_LISTED, Summary, cell
from mxsplit_component.exitcodes import ExitCode


def finding(fid, severity, message="the fix"):
    return {"id": fid, "severity": severity, "message": message}


def test_totals_per_verdict_finding_and_tenant_and_the_domains_that_need_action():
    s = Summary()
    s.add({"domain": "a.test", "findings": [finding("internet-nl-mx-aaaa", "info")]}, ExitCode.OK, "alpha")
    s.add({"domain": "b.test", "findings": [finding("mx-mismatch", "error", "publish the planned records")]},
          ExitCode.FINDINGS, "alpha")
    s.add({"domain": "c.test", "findings": [finding("dns-error", "error", "MX c.test: timeout")]},
          ExitCode.INCOMPLETE, "beta")
    s.add({"domain": "", "ok": False, "line": 5, "error": "line 5: tenant is required"}, ExitCode.USAGE, None)
    md = s.markdown()
    assert md.startswith("# mxsplit check: 4 domains\n")
    assert "| OK | 1 |\n| with errors | 1 |\n| could not check | 1 |\n| bad rows | 1 |" in md
    assert "| `mx-mismatch` | error | 1 |" in md and "| `internet-nl-mx-aaaa` | info | 1 |" in md
    assert "| alpha | 2 | 1 | 1 | 0 | 0 |" in md and "| beta | 1 | 0 | 0 | 1 | 0 |" in md
    assert "## Needs action (3)" in md
    assert "| b.test | alpha | `mx-mismatch` | publish the planned records |" in md
    assert "| c.test | beta | `dns-error` | MX c.test: timeout |" in md
    assert "| (none) | `bad-row` | line 5: tenant is required |" in md
    assert s.text_lines() == ["findings: dns-error 1, mx-mismatch 1, internet-nl-mx-aaaa 1",
                              "tenant (none): 0 OK, 0 with errors, 0 could not check, 1 bad rows",
                              "tenant alpha: 1 OK, 1 with errors, 0 could not check, 0 bad rows",
                              "tenant beta: 0 OK, 0 with errors, 1 could not check, 0 bad rows"]


def test_with_a_baseline_only_changes_that_need_action_are_listed():
    s = Summary()
    standing = {"domain": "a.test", "findings": [finding("mx-mismatch", "error")], "changes": []}
    moved = {"domain": "b.test", "findings": [finding("mx-mismatch", "error")],
             "changes": [{"kind": "host-moved", "action": True, "message": "the dual-stack host moved from x to y"},
                         {"kind": "finding-resolved", "action": False, "message": "finding z is gone"}]}
    s.add(standing, ExitCode.OK)
    s.add(moved, ExitCode.FINDINGS)
    md = s.markdown()
    assert "1 domains changed since the baseline, 1 of them need action." in md
    assert "## Needs action (1)" in md and "| b.test | (none) | `host-moved` | the dual-stack host moved from x to y |" in md
    assert "a.test" not in md.split("## Needs action")[1]


def test_the_list_is_capped_and_the_rest_counted():
    s = Summary()
    for i in range(MAX_LISTED + 7):
        s.add({"domain": f"d{i}.test", "findings": [finding("mx-mismatch", "error")]}, ExitCode.FINDINGS)
    md = s.markdown()
    assert f"## Needs action ({MAX_LISTED + 7})" in md and "… and 7 more domains" in md
    assert len(s.action) == MAX_LISTED


def test_a_row_whose_host_lookup_failed_is_not_called_a_bad_row():
    s = Summary()
    s.add({"domain": "a.test", "ok": False, "line": 2, "error": "line 2: Graph rejected the token (401)"},
          ExitCode.INCOMPLETE, "alpha")
    assert "| a.test | alpha | `lookup-failed` | line 2: Graph rejected the token (401) |" in s.markdown()
    assert "| could not check | 1 |" in s.markdown()


def test_cells_from_the_network_cannot_break_the_table_or_paint_a_terminal():
    assert cell("a|b\r\nc\x1b[2J\x07") == "a\\|b  c\\x1b[2J\\x07"
