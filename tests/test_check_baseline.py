"""``--baseline``: what changed since the last run, and what needs action. Pure comparisons of
rows as ``check --json`` prints them."""

from __future__ import annotations

import io

import pytest

from mxsplit_component.check.baseline import changes, needs_action, read_baseline
from mxsplit_component.errors import MxSplitError

MS = "mail.protection.outlook.com"
EXPECTED = [{"preference": 0, "exchange": f"contoso.{MS}"}, {"preference": 10, "exchange": f"contoso-com.{MS}"}]


def row(*, findings=(), published=EXPECTED, v4=("192.0.2.1",), v4_v6=(), ds_v6=("2001:db8::1",), hosts=None):
    out = {"domain": "contoso.com", "ok": not any(f[1] == "error" for f in findings), "expected": EXPECTED,
           "published": list(published),
           "addresses": {f"contoso.{MS}": {"ipv4": list(v4), "ipv6": list(v4_v6)},
                         f"contoso-com.{MS}": {"ipv4": ["198.51.100.1"], "ipv6": list(ds_v6)}},
           "findings": [{"id": i, "severity": s, "message": f"{i} message"} for i, s in findings]}
    if hosts is not None:
        out["hosts"] = hosts
    return out


def kinds(found):
    return [(c.kind, c.action) for c in found]


def test_nothing_changed_is_an_empty_list():
    assert changes(row(), row()) == []


def test_ipv6_on_the_ipv4_only_host_needs_action():
    now = row(v4_v6=("2a01:111:f400::1",), findings=[("ipv4-host-has-aaaa", "error")])
    found = changes(row(), now)
    assert kinds(found) == [("finding-new", True), ("family-appeared", True)]
    assert found[1].host == f"contoso.{MS}" and found[1].family == "ipv6"
    assert "keeps nobody on IPv4" in found[1].message
    assert needs_action(found)


def test_ipv6_appearing_on_the_dual_stack_host_is_news_not_action():
    found = changes(row(ds_v6=()), row())
    assert kinds(found) == [("family-appeared", False)]


def test_a_resolved_finding_and_a_vanished_family_are_reported_without_action():
    before = row(findings=[("dual-stack-host-no-aaaa", "error")], ds_v6=())
    found = changes(row(), before)  # the other way round: IPv6 went away, a new error
    assert kinds(found) == [("finding-new", True), ("family-vanished", False)]
    assert kinds(changes(before, row())) == [("finding-resolved", False), ("family-appeared", False)]


def test_a_moved_host_needs_action():
    graph = {"dual_stack_host": {"host": f"contoso-com.{MS}", "source": "graph"},
             "ipv4_only_host": {"host": f"contoso.{MS}", "source": "graph"}}
    moved = {**graph, "dual_stack_host": {"host": "contoso-com.o-v1.mx.microsoft", "source": "graph"}}
    found = changes(row(hosts=graph), row(hosts=moved))
    assert kinds(found) == [("host-moved", True)]
    assert found[0].before == f"contoso-com.{MS}" and found[0].after == "contoso-com.o-v1.mx.microsoft"


def test_a_published_set_that_changes_off_plan_needs_action_and_back_to_plan_does_not():
    off = [{"preference": 0, "exchange": f"contoso-com.{MS}"}]
    away = changes(row(), row(published=off, findings=[("mx-mismatch", "error")]))
    assert kinds(away) == [("finding-new", True), ("mx-changed", True)]
    back = changes(row(published=off, findings=[("mx-mismatch", "error")]), row())
    assert kinds(back) == [("finding-resolved", False), ("mx-changed", False)]


def test_an_incomplete_run_claims_nothing_resolved_or_vanished():
    """A lookup that failed is not 'the finding went away' nor 'the addresses vanished'."""
    before = row(findings=[("mx-mismatch", "error")])
    now = row(findings=[("dns-error", "error")], published=[], v4=(), ds_v6=())
    found = changes(before, now)
    assert kinds(found) == [("finding-new", True)] and found[0].id == "dns-error"


def test_a_domain_new_to_the_baseline_lists_only_its_errors():
    found = changes(None, row(findings=[("mx-mismatch", "error"), ("internet-nl-mx-aaaa", "info")]))
    assert kinds(found) == [("domain-new", False), ("finding-new", True)]


def test_a_bad_row_has_no_changes():
    assert changes(row(), {"domain": "x", "ok": False, "line": 3, "error": "bad"}) == []


def test_read_baseline_takes_json_lines_and_refuses_anything_else():
    rows = read_baseline(io.BytesIO(b'{"domain": "a.test", "ok": true}\n\n{"domain": "b.test", "ok": false}\n'), "x")
    assert list(rows) == ["a.test", "b.test"]
    with pytest.raises(MxSplitError, match="line 2 is not a JSON object with a domain") as exc:
        read_baseline(io.BytesIO(b'{"domain": "a.test"}\n[1, 2]\n'), "last.jsonl")
    assert exc.value.field == "baseline"
    with pytest.raises(MxSplitError, match="line 1 is not a JSON object"):
        read_baseline(io.BytesIO(b"[" * 100_000 + b"\n"), "deep.jsonl")  # nested past the recursion limit
