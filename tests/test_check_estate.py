"""A whole estate in one run (issue 20): many tenants, each row's hosts from its tenant's Graph,
SMTP probed once per address, a baseline diff and a Markdown summary, through the CLI against
the stand-ins: Graph serving each tenant its own data by token, BIND, and SMTP sinks that
count their sessions."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from mxsplit_component.cli import main
from mxsplit_component.simulation.inputs import AS_PROBED
from mxsplit_component.testing.bind import BindServer, zone
from mxsplit_component.testing.graph import TOKEN, GraphStandIn, Reply, records_page
from mxsplit_component.testing.smtp import MS_WILDCARD, Pki, SessionCounter, free_port, smtp_servers
from tests.support.bind import require_bind

MS = "mail.protection.outlook.com"
FABRIKAM_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fabrikam-secret-token-2b81"
#: A token the stand-in knows for no tenant: every request with it is answered 401.
BROKEN_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.broken-secret-token-9c44"
TENANT_HOST_ADDRESS = "127.0.0.2"
DOMAIN_HOST_ADDRESSES = ("127.0.0.3", "::1")
#: Per tenant: domain -> the dual-stack host Graph names.
GRAPH = {
    "contoso": {"contoso.com": f"contoso-com.{MS}", "foo-1-bar.com": f"foo1-bar-com0i.{MS}",
                "contosotest.com": "contosotest-com.o-v1.mx.microsoft", "stale.com": f"stale-com.{MS}"},
    "fabrikam": {"fabrikam.com": f"fabrikam-com.{MS}", "widgets.net": f"widgets-net.{MS}"},
}
#: The rows: widgets.net names no tenant (Graph tells), ghost.example is in no tenant's list.
ESTATE = ("domain,tenant\ncontoso.com,contoso\nfoo-1-bar.com,contoso\ncontosotest.com,contoso\nstale.com,contoso\n"
          "fabrikam.com,fabrikam\nwidgets.net,\nbroken.example,broken\nghost.example,\n")


def zones(*, ipv6_on_fabrikam: bool = False) -> dict[str, str]:
    """Every domain publishes the split (stale.com only its own host: mx-mismatch), with the zone's old host for
    contosotest.com; ``ipv6_on_fabrikam``: Microsoft turned IPv6 on for fabrikam's tenant host (MC835648)."""
    hosts = [f"{t} IN A {TENANT_HOST_ADDRESS}" for t in ("contoso", "fabrikam", "broken")]
    if ipv6_on_fabrikam:
        hosts.append("fabrikam IN AAAA ::1")
    domains = {"contoso.com": "contoso", "foo-1-bar.com": "contoso", "contosotest.com": "contoso",
               "fabrikam.com": "fabrikam", "widgets.net": "fabrikam", "broken.example": "broken"}
    labels = {"foo-1-bar.com": "foo1-bar-com0i"}
    out: dict[str, str] = {}
    for domain, tenant in domains.items():
        label = labels.get(domain, domain.replace(".", "-"))
        hosts += [f"{label} IN A {DOMAIN_HOST_ADDRESSES[0]}", f"{label} IN AAAA {DOMAIN_HOST_ADDRESSES[1]}"]
        out[domain] = zone(domain, f"@ IN MX 0 {tenant}.{MS}.\n@ IN MX 10 {label}.{MS}.")
    hosts += [f"stale-com IN A {DOMAIN_HOST_ADDRESSES[0]}"]
    out["stale.com"] = zone("stale.com", f"@ IN MX 0 stale-com.{MS}.")
    out[MS] = zone(MS, "\n".join(hosts))
    return out


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(autouse=True)
def trust_the_test_ca(pki, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", pki.ca_file)
    monkeypatch.delenv("MXSPLIT_GRAPH_TOKEN", raising=False)


@pytest.fixture
def sinks(pki):
    counting = {a: SessionCounter() for a in (TENANT_HOST_ADDRESS, *DOMAIN_HOST_ADDRESSES)}
    servers = {a: (h, pki.context(MS_WILDCARD)) for a, h in counting.items()}
    with smtp_servers(free_port(tuple(servers)), servers) as port:
        yield port, counting


def graph_of(server: GraphStandIn) -> GraphStandIn:
    server.tenant("contoso.onmicrosoft.com", GRAPH["contoso"])
    server.tenants[FABRIKAM_TOKEN] = {}
    server.tenant("fabrikam.onmicrosoft.com", GRAPH["fabrikam"], token=FABRIKAM_TOKEN)
    return server


@pytest.fixture
def graph():
    with GraphStandIn() as server:
        yield graph_of(server)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "estate.csv").write_text(ESTATE)
    tokens = tmp_path / "tokens.csv"
    tokens.write_text(f"tenant,token\ncontoso,{TOKEN}\nfabrikam.onmicrosoft.com,{FABRIKAM_TOKEN}\n"
                      f"broken,{BROKEN_TOKEN}\n")
    tokens.chmod(0o600)
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str, float]:
    started = time.monotonic()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err, time.monotonic() - started


def estate(bind: BindServer, graph: GraphStandIn, files: Path, smtp_port: int, *extra: str,
           csv: str = "estate.csv") -> tuple[str, ...]:
    return ("check", "--file", str(files / csv), "--graph", "--graph-url", graph.url, "--graph-tokens",
            str(files / "tokens.csv"), "--nameserver", bind.nameserver, "--smtp", "--smtp-port", str(smtp_port),
            "--no-mta-sts", "--timeout", "2", *extra)


def test_one_run_checks_every_tenant_with_graph_hosts_and_probes_each_address_once(capsys, graph, files, sinks):
    require_bind()
    port, counting = sinks
    with BindServer(zones()) as bind:
        code, out, err, elapsed = run(capsys, *estate(bind, graph, files, port, "--json", "--simulate"))
    rows = {r["domain"]: r for r in map(json.loads, out.splitlines())}
    assert list(rows) == ["contoso.com", "foo-1-bar.com", "contosotest.com", "stale.com", "fabrikam.com",
                          "widgets.net", "broken.example", "ghost.example"]
    assert elapsed < 60
    # Each row's hosts come from its own tenant's Graph, as single check --graph has them.
    assert rows["foo-1-bar.com"]["hosts"]["dual_stack_host"] == {"host": f"foo1-bar-com0i.{MS}", "source": "graph"}
    assert rows["foo-1-bar.com"]["ok"] and rows["contoso.com"]["ok"]
    assert rows["widgets.net"]["hosts"]["tenant"] == "fabrikam"  # no tenant in the row: its tenant's list has it
    assert rows["widgets.net"]["expected"][0]["exchange"] == f"fabrikam.{MS}"
    assert "graph-host-moved" in {f["id"] for f in rows["contosotest.com"]["findings"]}
    assert "mx-mismatch" in {f["id"] for f in rows["stale.com"]["findings"]}
    # A tenant whose token fails is its rows' error (exit 3), not the run's; a domain no tenant holds is refused.
    assert "401" in rows["broken.example"]["error"] and "line 8" in rows["broken.example"]["error"]
    assert [n["id"] for n in rows["broken.example"]["hosts"]["notes"]] == ["graph-lookup-failed"]
    # ghost.example names no tenant and is in no list that could be read; broken's could not: unknown, not "none".
    assert "could not tell which tenant holds ghost.example: the domain list of broken could not be read" in \
        rows["ghost.example"]["error"]
    assert code == 3
    # One SMTP session per address, whichever rows publish it; every row still routes its simulation over them.
    assert {a: s.sessions for a, s in counting.items()} == {a: 1 for a in counting}
    for domain in ("contoso.com", "foo-1-bar.com", "fabrikam.com", "widgets.net"):
        assert rows[domain]["simulation_note"] == AS_PROBED and rows[domain]["simulation"], domain
        assert {p["address"] for p in rows[domain]["smtp"]["probes"]} == {TENANT_HOST_ADDRESS, *DOMAIN_HOST_ADDRESSES}
    # Graph: each tenant's domain list once; the tokens never in the output.
    lists = [(auth, path) for path, auth in graph.requests if path == "/v1.0/domains"]
    assert sorted(lists) == sorted({(auth, path) for auth, path in lists})
    for secret in (TOKEN, FABRIKAM_TOKEN, BROKEN_TOKEN, "secret-token"):
        assert secret not in out + err


def test_the_nightly_run_exits_on_change_not_on_state(capsys, graph, files, sinks, tmp_path):
    """Run, then run again with --baseline: standing errors stay listed but do not exit 1; IPv6 turned on for
    fabrikam's tenant host and contoso.com moved to an mx.microsoft host do."""
    require_bind()
    port, _ = sinks
    (files / "good.csv").write_text(ESTATE.rsplit("broken.example", 1)[0])
    last = files / "last.jsonl"
    with BindServer(zones()) as bind:
        code, out, _, _ = run(capsys, *estate(bind, graph, files, port, "--json", csv="good.csv"))
        assert code == 1  # stale.com's mx-mismatch
        last.write_text(out)
        code, out, _, _ = run(capsys, *estate(bind, graph, files, port, "--json", "--baseline", str(last),
                                              csv="good.csv"))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["changes"] for r in rows] == [[]] * 6
    assert code == 0 and not rows[3]["ok"]  # stale.com: still an error, no longer news

    graph.set("/domains/contoso.com/serviceConfigurationRecords",
              Reply(200, records_page("contoso.com", "contoso-com.o-v1.mx.microsoft")))
    summary = tmp_path / "nightly.md"
    with BindServer(zones(ipv6_on_fabrikam=True)) as bind:
        code, out, _, _ = run(capsys, *estate(bind, graph, files, port, "--baseline", str(last), "--summary",
                                              str(summary), csv="good.csv"))
    assert code == 1
    lines = out.splitlines()
    assert lines[-1] == "checked 6 rows: 3 OK, 3 with errors, 0 could not check, 0 bad rows"
    assert lines[-2] == "since the baseline: 3 domains changed, 3 need action"
    by_domain = {line.split()[0]: line for line in lines[1:7]}
    assert "host-moved (action)" in by_domain["contoso.com"]
    assert "family-appeared (action)" in by_domain["fabrikam.com"] and "ipv4-host-has-aaaa" in by_domain["fabrikam.com"]
    assert "family-appeared (action)" in by_domain["widgets.net"]
    assert "changes" not in by_domain["stale.com"] and "mx-mismatch" in by_domain["stale.com"]
    md = summary.read_text()
    assert md.startswith("# mxsplit check: 6 domains\n")
    assert "3 domains changed since the baseline, 3 of them need action." in md
    assert "| contoso.com | contoso | `host-moved` | the dual-stack host moved from contoso-com." in md
    assert "| fabrikam.com | fabrikam | `family-appeared` | fabrikam.mail.protection.outlook.com has IPv6 now" in md
    assert "| fabrikam | 2 | 0 | 2 | 0 | 0 |" in md
    assert "stale.com" not in md.split("## Needs action")[1]  # known: not news


def test_a_summary_that_cannot_be_written_stops_the_run_before_any_lookup(capsys, graph, files, sinks, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    port, counting = sinks
    code, out, err, _ = run(capsys, "check", "--file", str(files / "estate.csv"), "--graph", "--graph-url", graph.url,
                            "--graph-tokens", str(files / "tokens.csv"), "--nameserver", "127.0.0.1:9", "--summary",
                            str(folder / "s.md"), "--smtp", "--smtp-port", str(port))
    assert code == 2 and out == ""
    assert f"--summary {folder / 's.md'}: {folder} is read-only" in err
    assert graph.requests == [] and all(s.sessions == 0 for s in counting.values())


def test_plan_file_exports_each_rows_graph_hosts(capsys, graph, files, tmp_path):
    out_dir = tmp_path / "zones"
    (files / "plan.csv").write_text(ESTATE.replace("broken.example,broken\n", "").replace("ghost.example,\n", "")
                                    + "broken.example,broken\nghost.example,contoso\n")
    code, out, err, _ = run(capsys, "plan", "--file", str(files / "plan.csv"), "--graph", "--graph-url", graph.url,
                            "--graph-tokens", str(files / "tokens.csv"), "--format", "zone", "--out-dir", str(out_dir))
    written = sorted(p.name for p in out_dir.iterdir())
    assert written == ["contoso.com.zone", "contosotest.com.zone", "fabrikam.com.zone", "foo-1-bar.com.zone",
                       "stale.com.zone", "widgets.net.zone"]
    assert f"IN MX 10 foo1-bar-com0i.{MS}." in (out_dir / "foo-1-bar.com.zone").read_text()
    assert "IN MX 10 contosotest-com.o-v1.mx.microsoft." in (out_dir / "contosotest.com.zone").read_text()
    assert f"IN MX 0 fabrikam.{MS}." in (out_dir / "widgets.net.zone").read_text()
    assert "plan.csv:8: line 8: " in err and "401" in err  # broken: its lookup failed (exit 3)
    assert "plan.csv:9: line 9: ghost.example is not a domain of this tenant in Graph" in err  # refused (exit 2)
    assert code == 3
    assert out.splitlines() == [str(out_dir / name) for name in (
        "contoso.com.zone", "foo-1-bar.com.zone", "contosotest.com.zone", "stale.com.zone", "fabrikam.com.zone",
        "widgets.net.zone")]
    assert BROKEN_TOKEN not in out + err and TOKEN not in out + err
