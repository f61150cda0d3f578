"""`mxsplit hosts`, `plan --graph` and `check --graph`: from nothing to a passing check, with no host typed.

Graph is the stand-in on 127.0.0.1 (mxsplit_component/testing/graph.py); DNS is a real BIND9 with zones
these tests write.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mxsplit_component.cli import main
from mxsplit_component.testing.bind import BindServer, free_port, zone
from mxsplit_component.testing.graph import CONTOSO, MS, TOKEN, GraphStandIn, Reply, contoso
from tests.support.bind import require_bind
from tests.support.interrupt import interrupt_after_first_line

ADDRESSES = {f"contoso.{MS}": False, f"contoso-com.{MS}": True, f"foo1-bar-com0i.{MS}": True,
             f"xnbcher-kva-example01c.{MS}": True, f"contosotest-com.{MS}": True, f"other-com.{MS}": True}


def host_zones() -> dict[str, str]:
    """Microsoft's side: the tenant host answers A only, every domain host A and AAAA."""
    lines = []
    for i, (host, v6) in enumerate(ADDRESSES.items()):
        label = host.removesuffix(f".{MS}")
        lines.append(f"{label} IN A 192.0.2.{i + 1}")
        if v6:
            lines.append(f"{label} IN AAAA 2001:db8::{i + 1}")
    return {MS: zone(MS, "\n".join(lines)),
            "mx.microsoft": zone("mx.microsoft", "contosotest-com.o-v1 IN A 192.0.2.50\n"
                                                 "contosotest-com.o-v1 IN AAAA 2001:db8::50")}


@pytest.fixture
def graph(monkeypatch):
    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", TOKEN)
    with GraphStandIn() as server:
        yield contoso(server)


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("domain", ["foo-1-bar.com", "bücher.example"])
def test_plan_refuses_without_graph(capsys, domain):
    code, _, err = run(capsys, "plan", domain, "--tenant", "contoso")
    assert code == 2 and "--dual-stack-host cannot be derived" in err and "pass --dual-stack-host" in err


def test_from_nothing_to_a_passing_check(capsys, graph):
    """Hyphenated, IDN and mx.microsoft domains: plan with --graph, publish the plan, check with --graph: exit 0."""
    require_bind()
    plans = {}
    for domain in ("foo-1-bar.com", "bücher.example", "contosotest.com"):
        code, out, err = run(capsys, "plan", domain, "--graph", "--graph-url", graph.url, "--json")
        assert code == 0, err
        plans[domain] = json.loads(out)
        assert plans[domain]["validation"]["ok"] is True
        assert plans[domain]["hosts"]["dual_stack_host"]["source"] == "graph"
        assert plans[domain]["hosts"]["ipv4_only_host"] == {"host": f"contoso.{MS}", "source": "graph"}
    assert plans["bücher.example"]["domain"] == "xn--bcher-kva.example"
    assert plans["bücher.example"]["dual_stack_host"] == CONTOSO["xn--bcher-kva.example"]
    assert plans["foo-1-bar.com"]["mx_records"] == [{"preference": 0, "exchange": f"contoso.{MS}"},
                                                    {"preference": 10, "exchange": f"foo1-bar-com0i.{MS}"}]
    assert plans["contosotest.com"]["dual_stack_host"] == "contosotest-com.o-v1.mx.microsoft"
    # What `pulumi up` would publish: exactly the planned zone lines.
    zones = host_zones()
    for plan in plans.values():
        body = "\n".join(line.replace(f"{plan['domain']}. 3600", "@ 3600") for line in plan["zone_records"])
        zones[plan["domain"]] = zone(plan["domain"], body)
    with BindServer(zones) as bind:
        for domain, plan in plans.items():
            code, out, err = run(capsys, "check", domain, "--graph", "--graph-url", graph.url, "--nameserver",
                                 bind.nameserver, "--timeout", "3", "--no-mta-sts", "--json")
            rep = json.loads(out)
            errors = [f for f in rep["findings"] if f["severity"] == "error"]
            assert code == 0 and not errors, (domain, rep["findings"], err)
            assert rep["published"] == plan["mx_records"]
            assert rep["hosts"]["conflicts"] == []
        # The text form says where the hosts came from.
        code, out, _ = run(capsys, "plan", "foo-1-bar.com", "--graph", "--graph-url", graph.url)
        assert f"  dual-stack  foo1-bar-com0i.{MS} (source: graph)" in out


DRIFT_ZONES = {
    # Microsoft moved contosotest.com to mx.microsoft; the zone still has the old host: warning, exit 0.
    "contosotest.com": zone("contosotest.com", f"@ IN MX 0 contoso.{MS}.\n@ IN MX 10 contosotest-com.{MS}."),
    # The zone publishes a host Graph does not name for contoso.com: error.
    "contoso.com": zone("contoso.com", f"@ IN MX 0 contoso.{MS}.\n@ IN MX 10 other-com.{MS}."),
    # Published-source scenarios.
    "standard.test": zone("standard.test", f"@ IN MX 0 contoso-com.{MS}."),
    "split.test": zone("split.test", f"@ IN MX 0 contoso.{MS}.\n@ IN MX 10 foo1-bar-com0i.{MS}."),
    "foreign.test": zone("foreign.test", "@ IN MX 10 mx1.mailgw.example.\n@ IN MX 20 mx2.mailgw.example."),
    "two.test": zone("two.test", f"@ IN MX 0 contoso-com.{MS}.\n@ IN MX 0 foo1-bar-com0i.{MS}."),
}


@pytest.fixture(scope="module")
def bind():
    require_bind()
    with BindServer({**host_zones(), **DRIFT_ZONES}) as server:
        yield server


def test_check_graph_moved_host_is_a_warning(capsys, graph, bind):
    code, out, err = run(capsys, "check", "contosotest.com", "--graph", "--graph-url", graph.url, "--nameserver",
                         bind.nameserver, "--timeout", "3", "--no-mta-sts", "--json")
    rep = json.loads(out)
    [moved] = [f for f in rep["findings"] if f["id"] == "graph-host-moved"]
    assert moved["severity"] == "warning"
    assert moved["message"].startswith("Microsoft has moved contosotest.com to contosotest-com.o-v1.mx.microsoft "
                                       f"(Graph), but the zone still publishes contosotest-com.{MS}")
    assert code == 0, (rep["findings"], err)
    assert [c["id"] for c in rep["hosts"]["conflicts"]] == ["dual-stack-host-conflict"]


def test_check_graph_mismatch_is_an_error(capsys, graph, bind):
    code, out, _ = run(capsys, "check", "contoso.com", "--graph", "--graph-url", graph.url, "--nameserver",
                       bind.nameserver, "--timeout", "3", "--no-mta-sts", "--json")
    rep = json.loads(out)
    [mismatch] = [f for f in rep["findings"] if f["id"] == "graph-host-mismatch"]
    assert mismatch["severity"] == "error"
    assert mismatch["message"] == (f"the zone publishes other-com.{MS} for contoso.com, but Graph names "
                                   f"contoso-com.{MS}: mail to a host Microsoft did not assign for the domain may be "
                                   f"refused; publish contoso-com.{MS}")
    assert code == 1 and rep["ok"] is False
    assert rep["expected"][1]["exchange"] == f"contoso-com.{MS}"  # Graph wins


@pytest.mark.parametrize(("domain", "v4", "dual", "note"), [
    ("standard.test", f"contoso.{MS}", f"contoso-com.{MS}", None),
    ("split.test", f"contoso.{MS}", f"foo1-bar-com0i.{MS}", None),
    ("foreign.test", None, None, "published-foreign"),
    ("two.test", None, None, "published-ambiguous"),
    ("nosuch.test", None, None, "published-lookup-failed"),  # BIND is not authoritative for it: REFUSED
])
def test_hosts_published(capsys, bind, domain, v4, dual, note):
    tenant = ["--tenant", "contoso"] if domain == "standard.test" else []
    code, out, _ = run(capsys, "hosts", domain, "--published", "--nameserver", bind.nameserver, "--timeout", "2",
                       "--json", *tenant)
    [data] = [json.loads(line) for line in out.splitlines()]
    if dual:
        assert data["dual_stack_host"]["host"] == dual
        assert data["dual_stack_host"]["source"] == "published"
        assert data["ipv4_only_host"]["host"] == v4
        assert code == 0 and data["ok"] is True
    else:  # the zone says nothing; only the last resort, derivation, is left (and no tenant host)
        assert data["dual_stack_host"] == {"host": f"{domain.replace('.', '-')}.{MS}", "source": "derived"}
        assert data["ipv4_only_host"]["host"] is None
        assert note in [n["id"] for n in data["notes"]]
        assert code == (3 if note == "published-lookup-failed" else 1)


def test_hosts_nxdomain(capsys, bind):
    zones = {"parent.test": zone("parent.test", "")}
    with BindServer(zones) as server:
        code, out, _ = run(capsys, "hosts", "gone.parent.test", "--published", "--nameserver", server.nameserver,
                           "--json")
    data = json.loads(out)
    assert code == 1 and [n["id"] for n in data["notes"]] == ["published-nxdomain"]
    assert data["notes"][0]["message"] == "gone.parent.test does not exist in DNS (NXDOMAIN), so it publishes no host"


def test_hosts_graph_and_published_conflict(capsys, graph, bind):
    code, out, _ = run(capsys, "hosts", "contoso.com", "--graph", "--published", "--graph-url", graph.url,
                       "--nameserver", bind.nameserver, "--json")
    data = json.loads(out)
    assert code == 0
    assert data["dual_stack_host"] == {"host": f"contoso-com.{MS}", "source": "graph"}
    [conflict] = data["conflicts"]
    assert conflict["id"] == "dual-stack-host-conflict" and conflict["chosen"] == "graph"
    assert conflict["hosts"] == {"graph": f"contoso-com.{MS}", "published": f"other-com.{MS}"}


def test_conflicts_and_notes_as_text(capsys, graph, bind):
    """`hosts` and `plan` print a conflict and a note as one labelled line each."""
    conflict = (f"  WARNING     dual-stack-host-conflict: contoso.com dual-stack host: Graph names contoso-com.{MS}, but "
                f"the zone publishes other-com.{MS}; using contoso-com.{MS} (Graph is Microsoft's source of truth "
                f"(MC1048624)); update the zone (pulumi up) so it publishes contoso-com.{MS}")
    for command in ("hosts", "plan"):
        code, out, _ = run(capsys, command, "contoso.com", "--graph", "--published", "--graph-url", graph.url,
                           "--nameserver", bind.nameserver)
        assert code == 0 and conflict in out.splitlines(), out
    code, out, _ = run(capsys, "hosts", "foreign.test", "--published", "--nameserver", bind.nameserver)
    assert "  note        published-foreign: foreign.test publishes no Microsoft 365 host (10 mx1.mailgw.example, 20 " \
           "mx2.mailgw.example); the zone cannot say which host Microsoft assigned" in out.splitlines()


def test_hosts_file_in_input_order_and_exit_codes(capsys, graph, tmp_path):
    csv = tmp_path / "domains.csv"
    csv.write_text("domain,tenant\ncontosotest.com,\nfoo-1-bar.com,\nnot a domain,\nfabrikam.com,\ncontoso.com,\n")
    code, out, _ = run(capsys, "hosts", "--graph", "--graph-url", graph.url, "--file", str(csv), "--json",
                       "--concurrency", "3")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["domain"] for r in rows] == ["contosotest.com", "foo-1-bar.com", "not a domain", "fabrikam.com",
                                           "contoso.com"]
    assert [r["ok"] for r in rows] == [True, True, False, False, True]
    assert "error" in rows[2] and "domain 'not a domain'" in rows[2]["error"]
    # Every row has the pinned shape, a bad one too: a script reading row["dual_stack_host"]["host"] does not crash.
    pinned = {"domain", "ipv4_only_host", "dual_stack_host", "conflicts"}
    assert all(pinned <= set(r) for r in rows)
    assert rows[2]["dual_stack_host"] == rows[2]["ipv4_only_host"] == {"host": None, "source": None}
    assert rows[2]["conflicts"] == [] and rows[2]["notes"] == []
    assert code == 2  # a bad row counts 2, the highest here
    # one /domains listing for the whole run (one tenant, one token)
    assert [p for p, _ in graph.requests].count("/v1.0/domains") == 1


def test_hosts_exit_3_on_a_failed_lookup(capsys, graph):
    graph.set("/domains", Reply(503, None, {"Retry-After": "60"}))
    code, out, err = run(capsys, "hosts", "contoso.com", "--graph", "--graph-url", graph.url, "--timeout", "1")
    assert code == 3
    assert "ERROR       graph-lookup-failed: Graph is throttling (503)" in out
    assert TOKEN not in out + err


def test_plan_graph_failure_exits_3_and_names_the_fix(capsys, graph):
    graph.set("/domains", Reply(403, {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient"}}))
    code, out, err = run(capsys, "plan", "foo-1-bar.com", "--graph", "--graph-url", graph.url)
    assert code == 3 and out == ""
    assert "Domain.Read.All" in err and TOKEN not in err


def test_plan_graph_tenant_conflict(capsys, graph):
    code, _, err = run(capsys, "plan", "contoso.com", "--tenant", "fabrikam", "--graph", "--graph-url", graph.url)
    assert code == 2
    assert "you gave tenant fabrikam, but the Graph token is for tenant contoso" in err


def test_plain_http_graph_url_off_loopback_is_refused_before_any_request(capsys, graph):
    code, _, err = run(capsys, "hosts", "contoso.com", "--graph", "--graph-url", "http://graph.example.net")
    assert code == 2 and "plain http:// is allowed only for a loopback address" in err
    assert graph.requests == []


def test_check_without_graph_imports_no_graph_client():
    port = free_port()
    code = ("import sys; from mxsplit_component.cli import main; "
            f"rc = main(['check', 'contoso.com', '--tenant', 'contoso', '--nameserver', '127.0.0.1:{port}', "
            "'--timeout', '0.3', '--no-mta-sts']);"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('httpx', 'azure', 'ruamel', 'msal')];"
            "sys.exit(10 + len(bad) if bad else rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 3, proc.stderr  # nothing listens: the lookup failed, and nothing was imported


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-1"])
def test_hosts_timeout_must_be_usable_seconds(capsys, value):
    """As for check: a timeout that cannot bound a lookup is a usage error naming the flag, before any query."""
    code, _, err = run(capsys, "hosts", "contoso.com", "--published", "--nameserver", "127.0.0.1:9", "--timeout", value)
    assert code == 2 and f"--timeout {value} is not a usable number of seconds" in err


def test_no_initial_domain_in_graph_is_rescued_by_the_tenant_you_give(capsys, graph):
    """Graph names no isInitial domain: the message says to pass --tenant, and passing it must then work."""
    graph.set("/domains", Reply(200, {"value": [{"id": "contoso.com", "isVerified": True, "isInitial": False}]}))
    code, out, _ = run(capsys, "hosts", "contoso.com", "--graph", "--graph-url", graph.url, "--json")
    row = json.loads(out)
    assert code == 1  # a definite answer, not a failed lookup
    [note] = row["notes"]
    assert note["id"] == "graph-no-initial" and "pass --tenant" in note["message"]
    code, out, _ = run(capsys, "hosts", "contoso.com", "--graph", "--graph-url", graph.url, "--tenant", "contoso",
                       "--json")
    row = json.loads(out)
    assert code == 0, row
    assert row["dual_stack_host"] == {"host": f"contoso-com.{MS}", "source": "graph"}
    assert row["ipv4_only_host"] == {"host": f"contoso.{MS}", "source": "derived"}


def test_check_graph_refusal_is_not_masked_by_the_zone_lookup(capsys, graph, bind):
    """pending.com is unverified in Graph and its zone is not served: Graph's definite answer is what to fix."""
    code, out, err = run(capsys, "check", "pending.com", "--graph", "--graph-url", graph.url, "--nameserver",
                         bind.nameserver, "--timeout", "2", "--no-mta-sts", "--json")
    assert code == 2, err
    assert "pending.com is not verified in this tenant" in err and "REFUSED" not in err


def test_ctrl_c_in_hosts_file_keeps_finished_rows_and_exits_130(graph, tmp_path):
    """Ctrl-C while a row waits on Graph: the finished rows stay printed, exit 130, no traceback."""
    graph.set("/domains/foo-1-bar.com/serviceConfigurationRecords", Reply(200, {"value": []}, delay=30))
    csv = tmp_path / "d.csv"
    csv.write_text("domain\ncontoso.com\nfoo-1-bar.com\n")
    run = interrupt_after_first_line(["hosts", "--graph", "--graph-url", graph.url, "--file", str(csv), "--json",
                                      "--timeout", "60"], env={"MXSPLIT_GRAPH_TOKEN": TOKEN})
    assert json.loads(run.first)["domain"] == "contoso.com"
    assert run.returncode == 130 and run.rest == b"" and b"Traceback" not in run.err, run.err[-2000:]


@pytest.mark.parametrize("value", ["0", "513", "1000000"])
def test_concurrency_is_bounded_as_for_check(capsys, tmp_path, value):
    """Rows read ahead grow with --concurrency: 1000000 held 430 MB for 200,000 rows; check caps it at 512."""
    csv_file = tmp_path / "d.csv"
    csv_file.write_text("domain\ncontoso.com\n")
    code = main(["hosts", "--file", str(csv_file), "--tenant", "contoso", "--concurrency", value])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "") and f"--concurrency {value} is out of range; use 1..512" in err
