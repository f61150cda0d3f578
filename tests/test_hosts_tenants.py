"""Many tenants in one run: a Graph client per tenant with its own token, the domain list once per
tenant, a throttled tenant backing off alone, a failing tenant failing alone, and requests of a
busy tenant batched. Through ``hosts --file`` against the stand-in Graph (each tenant its own
token and data)."""

from __future__ import annotations

import json
import time
import types
from typing import Any

import pytest

from mxsplit_component.cli import main
from mxsplit_component.testing.graph import MS, TOKEN, GraphStandIn, Reply, records_page

FABRIKAM = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fabrikam-secret-token-51de"
CONTOSO_DOMAINS = {f"c{i}.example": f"c{i}-example.{MS}" for i in range(6)}
FABRIKAM_DOMAINS = {f"f{i}.example": f"f{i}-example.{MS}" for i in range(6)}


@pytest.fixture(autouse=True)
def no_environment_token(monkeypatch):
    monkeypatch.delenv("MXSPLIT_GRAPH_TOKEN", raising=False)


@pytest.fixture
def graph():
    with GraphStandIn() as server:
        server.tenant("contoso.onmicrosoft.com", CONTOSO_DOMAINS)
        server.tenants[FABRIKAM] = {}
        server.tenant("fabrikam.onmicrosoft.com", FABRIKAM_DOMAINS, token=FABRIKAM)
        yield server


def tokens_file(tmp_path, text: str = f"tenant,token\ncontoso,{TOKEN}\nfabrikam,{FABRIKAM}\n", mode: int = 0o600):
    path = tmp_path / "tokens.csv"
    path.write_text(text)
    path.chmod(mode)
    return path


def hosts(capsys, graph, csv_text: str, tmp_path, *extra: str) -> tuple[int, list[dict[str, Any]], str]:
    csv = tmp_path / "d.csv"
    csv.write_text(csv_text)
    code = main(["hosts", "--graph", "--graph-url", graph.url, "--file", str(csv), "--json", "--timeout", "5", *extra])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_a_throttled_tenant_backs_off_alone(capsys, graph, tmp_path):
    """contoso's first lookups get 429 with Retry-After: 1.5; with two slots, fabrikam's rows go on meanwhile,
    because a row waiting out its tenant's pause gives its slot back."""
    for domain in ("c0.example", "c1.example"):
        graph.set(f"/domains/{domain}/serviceConfigurationRecords",
                  Reply(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "1.5"}),
                  Reply(200, records_page(domain, CONTOSO_DOMAINS[domain])))
    rows = "domain,tenant\nc0.example,contoso\nc1.example,contoso\n" + "".join(
        f"{d},fabrikam\n" for d in FABRIKAM_DOMAINS)
    started = time.monotonic()
    code, found, _ = hosts(capsys, graph, rows, tmp_path, "--graph-tokens", str(tokens_file(tmp_path)),
                           "--concurrency", "2")
    elapsed = time.monotonic() - started
    assert code == 0 and [r["domain"] for r in found] == ["c0.example", "c1.example", *FABRIKAM_DOMAINS]
    throttled = [t for t, path, auth, status in graph.answered if status == 429]
    retried = [t for t, path, auth, status in graph.answered
               if auth == f"Bearer {TOKEN}" and path.startswith("/v1.0/domains/c") and status == 200]
    fabrikam = [t for t, path, auth, status in graph.answered
                if auth == f"Bearer {FABRIKAM}" and path.startswith("/v1.0/domains/f") and ".example" in path]
    assert len(throttled) == 2 and len(fabrikam) == len(FABRIKAM_DOMAINS)
    assert max(fabrikam) < min(retried), "fabrikam waited for contoso's pause"
    assert min(retried) - min(throttled) >= 1.4  # the pause was kept
    assert elapsed < 6


def test_each_tenant_lists_its_domains_once_and_a_failing_token_fails_its_rows_only(capsys, graph, tmp_path):
    broken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.not-a-token-graph-knows"
    tokens = tokens_file(tmp_path, f"tenant,token\ncontoso,{TOKEN}\nfabrikam,{FABRIKAM}\nbroken,{broken}\n")
    rows = "domain,tenant\n" + "".join(f"{d},contoso\n" for d in CONTOSO_DOMAINS) + "b.example,broken\n" + \
        "".join(f"{d},fabrikam\n" for d in FABRIKAM_DOMAINS) + "x.example,broken\n"
    code, found, err = hosts(capsys, graph, rows, tmp_path, "--graph-tokens", str(tokens))
    by_domain = {r["domain"]: r for r in found}
    assert code == 3
    assert all(by_domain[d]["ok"] and by_domain[d]["dual_stack_host"]["source"] == "graph"
               for d in [*CONTOSO_DOMAINS, *FABRIKAM_DOMAINS])
    assert by_domain["f3.example"]["tenant"] == "fabrikam" and by_domain["c3.example"]["tenant"] == "contoso"
    for domain in ("b.example", "x.example"):
        [note] = [n for n in by_domain[domain]["notes"] if n["id"] == "graph-lookup-failed"]
        assert "Graph rejected the token (401" in note["message"]
    listings = [(path, auth) for path, auth in graph.requests if path == "/v1.0/domains"]
    assert sorted(auth for _, auth in listings) == sorted(f"Bearer {t}" for t in (TOKEN, FABRIKAM, broken))
    assert broken not in json.dumps(found) + err


def test_a_row_of_a_tenant_the_token_file_does_not_name_is_that_rows_error(capsys, graph, tmp_path):
    tokens = tokens_file(tmp_path, f"tenant,token\ncontoso,{TOKEN}\n")
    code, found, _ = hosts(capsys, graph, "domain,tenant\nc1.example,contoso\nf1.example,fabrikam\n", tmp_path,
                           "--graph-tokens", str(tokens))
    assert code == 2 and found[0]["ok"]
    assert "line 3: --graph-tokens" in found[1]["error"] and "has no token for tenant fabrikam" in found[1]["error"]


def test_a_busy_tenants_lookups_go_in_batches(capsys, tmp_path):
    """Sixty domains of one tenant, thirty rows at once: the requests that wait for the tenant's turn go out
    together in $batch requests (20 at most), throttled ones inside a batch are retried, and every row
    still gets its own answer."""
    domains = {f"d{i}.example": f"d{i}-example.{MS}" for i in range(60)}
    with GraphStandIn() as graph:
        graph.tenant("contoso.onmicrosoft.com", domains)
        graph.throttle(TOKEN, every=7, retry_after="0.2")
        code, found, _ = hosts(capsys, graph, "domain\n" + "".join(f"{d}\n" for d in domains), tmp_path,
                               "--graph-tokens", str(tokens_file(tmp_path, f"tenant,token\ncontoso,{TOKEN}\n")),
                               "--concurrency", "30")
        batches = [p for p, _ in graph.requests if p == "/v1.0/$batch"]
        answered = [(path, status) for _, path, _, status in graph.answered]
    assert code == 0 and [r["dual_stack_host"]["host"] for r in found] == list(domains.values())
    assert batches, "no request went in a batch"
    assert len(graph.requests) < len(domains) / 2
    records = [p for p, status in answered if status == 200 and p.startswith("/v1.0/domains/d")]
    assert sorted(records) == sorted(f"/v1.0/domains/{d}/serviceConfigurationRecords" for d in domains)
    assert any(status == 429 for _, status in answered)


class FakeIdentity:
    """azure-identity's DefaultAzureCredential as mxsplit uses it for many tenants: a token per tenant_id."""

    made: list[dict[str, Any]] = []
    asked: list[str | None] = []

    def __init__(self, **kwargs: Any) -> None:
        FakeIdentity.made.append(kwargs)

    def get_token(self, *scopes: str, tenant_id: str | None = None, **kwargs: Any) -> Any:
        FakeIdentity.asked.append(tenant_id)
        if tenant_id == "failing.onmicrosoft.com":
            raise RuntimeError(f"AADSTS700016: application not found in the directory (tenant {tenant_id})")
        token = {"contoso.onmicrosoft.com": TOKEN, "fabrikam.onmicrosoft.com": FABRIKAM}[str(tenant_id)]
        return types.SimpleNamespace(token=token, expires_on=time.time() + 3600)


def test_rows_naming_several_tenants_ask_one_multi_tenant_credential_per_tenant(capsys, graph, tmp_path, monkeypatch):
    monkeypatch.setattr("azure.identity.DefaultAzureCredential", FakeIdentity)
    FakeIdentity.made.clear()
    FakeIdentity.asked.clear()
    rows = "domain,tenant\nc1.example,contoso\nf1.example,fabrikam\nz.example,failing\nf2.example,\n" \
           "z2.example,failing\n"
    code, found, err = hosts(capsys, graph, rows, tmp_path)
    assert [r["ok"] for r in found] == [True, True, False, True, False]
    assert found[3]["tenant"] == "fabrikam"  # no tenant named: the tenant whose list holds it
    assert "could not get a Microsoft Graph token (RuntimeError: AADSTS700016" in json.dumps(found[2])
    assert code == 3
    assert [m["additionally_allowed_tenants"] for m in FakeIdentity.made] == [["*"]]
    assert sorted(set(FakeIdentity.asked)) == ["contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com",
                                               "failing.onmicrosoft.com"]
    assert FakeIdentity.asked.count("failing.onmicrosoft.com") == 1  # a failed tenant is not asked again


def test_one_named_tenant_keeps_the_single_tenant_sign_in(capsys, graph, tmp_path, monkeypatch):
    """MXSPLIT_GRAPH_TOKEN is the single-tenant form: one client, whatever the rows say."""
    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", TOKEN)
    code, found, _ = hosts(capsys, graph, "domain,tenant\nc1.example,contoso\nf1.example,fabrikam\n", tmp_path)
    assert code == 1 and found[0]["ok"]
    assert [c["id"] for c in found[1]["conflicts"]] == ["tenant-conflict"]
    assert {auth for _, auth in graph.requests} == {f"Bearer {TOKEN}"}


def test_hosts_file_summary_and_text_totals(capsys, graph, tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\nc1.example,contoso\nf1.example,fabrikam\nnot a domain,contoso\n")
    summary = tmp_path / "hosts.md"
    code = main(["hosts", "--graph", "--graph-url", graph.url, "--file", str(csv), "--graph-tokens",
                 str(tokens_file(tmp_path)), "--summary", str(summary)])
    out = capsys.readouterr().out.splitlines()
    assert code == 2
    assert out[-1] == "looked up 3 domains: 2 resolved, 0 unresolved, 0 lookup failed, 1 bad rows"
    assert "tenant contoso: 1 resolved, 0 unresolved, 0 lookup failed, 1 bad rows" in out
    md = summary.read_text()
    assert md.startswith("# mxsplit hosts: 3 domains\n") and "| resolved | 2 |" in md
    assert "| not a domain | contoso | `bad-row` | line 4: domain 'not a domain'" in md
