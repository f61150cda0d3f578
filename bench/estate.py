"""An MSP's estate in one run (issue 20): ``check --file --graph --smtp`` against ``check --file``.

The estate: N domains across 50 tenants, rows sorted by domain name (so tenants mix, as an
exported list does), each tenant with its own token and data in a stand-in Graph
(``mxsplit_component/testing/graph.py``, in this process) that throttles one tenant in ten (every
``THROTTLE_EVERY``-th request of those tenants answers 429 with ``Retry-After: 1``), one BIND9
serving the zones, and SMTP sinks (aiosmtpd, a throwaway CA) on the hosts' addresses counting
their sessions. Tenant hosts share a few addresses and domain hosts a few others, as
Microsoft's front doors do. Both commands run as child processes with the same interpreter,
interleaved, and every row of their output is checked (the Graph run's hosts must come from
Graph, its probes must all have answered).

Counted: Graph GETs per domain (alone or inside a ``$batch``; retries after a 429 apart) against
1 plus the domain-list pages and the initial domain per tenant, HTTP requests per domain, SMTP
sessions per (address, port), the wall-time ratio, and peak RSS at N and N/10.
"""

from __future__ import annotations

import os
import ssl
import statistics
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .proc import Run, run_module

TENANTS = 50
#: One tenant in ten is throttled: every THROTTLE_EVERY-th of its GETs answers 429.
THROTTLED = 10
THROTTLE_EVERY = 10
RETRY_AFTER = "1"
MS = "mail.protection.outlook.com"
TENANT_ADDRESSES = tuple(f"127.0.1.{i}" for i in range(1, 5))
DOMAIN_ADDRESSES = (*(f"127.0.2.{i}" for i in range(1, 5)), "::1")
TLDS = ("com", "net", "org", "nl")
WORDS = ("contoso fabrikam northwind tailspin wingtip adatum litware proseware woodgrove alpine blue coho lucerne "
         "margie southridge trey humongous relecloud munson pickles").split()


@dataclass(frozen=True)
class Domain:
    domain: str
    tenant: str
    ds_host: str
    v4_address: str
    ds_v4: str
    ds_v6: str


def token(tenant: int) -> str:
    return f"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.estate-tenant-{tenant:03d}-token"


def estate(n: int) -> list[Domain]:
    """``n`` domains, tenant ``i % TENANTS``, sorted by name (tenants mixed, as an exported list is)."""
    out = []
    for i in range(n):
        t = i % TENANTS
        domain = f"{WORDS[i % len(WORDS)]}{WORDS[(i // len(WORDS)) % len(WORDS)]}{i}.{TLDS[i % len(TLDS)]}"
        out.append(Domain(domain, f"tenant{t:03d}", f"{domain.replace('.', '-')}.{MS}",
                          TENANT_ADDRESSES[t % len(TENANT_ADDRESSES)], DOMAIN_ADDRESSES[i % 4], DOMAIN_ADDRESSES[4]))
    return sorted(out, key=lambda d: d.domain)


def zones(domains: list[Domain]) -> dict[str, str]:
    header = "$TTL 3600\n@ IN SOA ns.bench. hostmaster.bench. 1 3600 600 86400 60\n@ IN NS ns.bench.\n"
    by_tld: dict[str, list[str]] = {t: [] for t in TLDS}
    hosts = [f"tenant{t:03d}.{MS}. IN A {TENANT_ADDRESSES[t % len(TENANT_ADDRESSES)]}" for t in range(TENANTS)]
    for d in domains:
        by_tld[d.domain.rsplit(".", 1)[1]] += [f"{d.domain}. IN MX 0 {d.tenant}.{MS}.",
                                               f"{d.domain}. IN MX 10 {d.ds_host}."]
        hosts += [f"{d.ds_host}. IN A {d.ds_v4}", f"{d.ds_host}. IN AAAA {d.ds_v6}"]
    out = {tld: header + "\n".join(lines) + "\n" for tld, lines in by_tld.items()}
    out[MS] = header + "\n".join(hosts) + "\n"
    return out


@contextmanager
def graph_for(domains: list[Domain]) -> Iterator[Any]:
    from mxsplit_component.testing.graph import GraphStandIn

    with GraphStandIn(token=token(0)) as graph:
        for t in range(TENANTS):
            graph.tenants.setdefault(token(t), {})
            mine: dict[str, str | None] = {d.domain: d.ds_host for d in domains if d.tenant == f"tenant{t:03d}"}
            graph.tenant(f"tenant{t:03d}.onmicrosoft.com", mine, token=token(t))
            if t % THROTTLED == 0:
                graph.throttle(token(t), every=THROTTLE_EVERY, retry_after=RETRY_AFTER)
        yield graph


@contextmanager
def sinks(folder: Path) -> Iterator[tuple[int, dict[str, Any], str]]:
    from mxsplit_component.testing.smtp import MS_WILDCARD, Pki, SessionCounter, free_port, smtp_servers

    pki = Pki(folder)
    counting = {a: SessionCounter() for a in (*TENANT_ADDRESSES, *DOMAIN_ADDRESSES)}
    servers: dict[str, tuple[Any, ssl.SSLContext | None]] = {a: (sink, pki.context(MS_WILDCARD))
                                                             for a, sink in counting.items()}
    with smtp_servers(free_port(tuple(servers)), servers) as port:
        yield port, counting, pki.ca_file


def _verify(out: Path, domains: list[Domain], *, estate_run: bool) -> int:
    """Rows that came out right: in input order, ok, and with --graph --smtp their hosts from Graph and every
    probe answered."""
    import json

    good = 0
    with out.open() as fh:
        for d, line in zip(domains, fh, strict=False):
            row = json.loads(line)
            ok = row.get("domain") == d.domain and row.get("ok") is True
            if estate_run:
                ok = ok and row["hosts"]["dual_stack_host"] == {"host": d.ds_host, "source": "graph"} and all(
                    p["outcome"] == "ok" and p["tls"] == "verified" for p in row["smtp"]["probes"])
            good += ok
    return good


def _run(args: list[str], out: Path, env: dict[str, str]) -> Run:
    with out.open("w") as fh:
        old = dict(os.environ)
        os.environ.update(env)
        try:
            return run_module("mxsplit_component.cli", args, stdout=fh)
        finally:
            os.environ.clear()
            os.environ.update(old)


def measure(n: int, repeat: int, *, small: int | None = None) -> dict[str, Any]:
    """Interleaved runs of ``check --file`` and ``check --file --graph --smtp`` on ``n`` domains (and, with
    ``small``, the Graph run once more on that many, for memory)."""
    from mxsplit_component.testing.bind import BindServer

    domains = estate(n)
    with tempfile.TemporaryDirectory() as tmp, BindServer(zones(domains), threads=1) as bind, \
            graph_for(domains) as graph, sinks(Path(tmp)) as (port, counting, ca_file):
        folder = Path(tmp)
        csv = folder / "estate.csv"
        csv.write_text("domain,tenant\n" + "".join(f"{d.domain},{d.tenant}\n" for d in domains))
        tokens = folder / "tokens.csv"
        tokens.write_text("tenant,token\n" + "".join(f"tenant{t:03d},{token(t)}\n" for t in range(TENANTS)))
        tokens.chmod(0o600)
        # --timeout 10: a lookup throttled several times in a row needs more than the default 5 s (both runs alike).
        plain = ["check", "--file", str(csv), "--nameserver", bind.nameserver, "--no-mta-sts", "--json", "--timeout",
                 "10"]
        with_all = [*plain, "--graph", "--graph-url", graph.url, "--graph-tokens", str(tokens), "--smtp",
                    "--smtp-port", str(port)]
        env = {"SSL_CERT_FILE": ca_file}
        runs: dict[str, list[Run]] = {"check": [], "graph+smtp": []}
        counts: dict[str, Any] = {}
        for _ in range(repeat):
            for name, args in (("check", plain), ("graph+smtp", with_all)):
                graph.requests.clear()
                graph.answered.clear()
                for sink in counting.values():
                    sink.sessions = 0
                out = folder / f"{name}.jsonl"
                runs[name].append(_run(args, out, env))
                correct = _verify(out, domains, estate_run=name != "check")
                if correct != n:
                    raise RuntimeError(f"{name}: {correct}/{n} rows right")
                if name != "check":
                    statuses = Counter(status for _, _, _, status in graph.answered)
                    counts = {"http": len(graph.requests), "gets": sum(statuses.values()) - statuses[429],
                              "throttled": statuses[429],
                              "pages": sum(1 for _, path, _, _ in graph.answered if path.startswith("/v1.0/domains?")
                                           or path == "/v1.0/domains"),
                              "sessions": {a: s.sessions for a, s in counting.items()}}
        small_run = None
        if small:
            part = domains[:small]
            small_csv = folder / "small.csv"
            small_csv.write_text("domain,tenant\n" + "".join(f"{d.domain},{d.tenant}\n" for d in part))
            args = [a if a != str(csv) else str(small_csv) for a in with_all]
            small_run = _run(args, folder / "small.jsonl", env)
            if _verify(folder / "small.jsonl", part, estate_run=True) != small:
                raise RuntimeError("graph+smtp small: rows not right")
    return {"n": n, "runs": runs, "counts": counts, "small": small, "small_run": small_run}


def _median(runs: list[Run], attr: str) -> float:
    return float(statistics.median(getattr(r, attr) for r in runs))


def report(result: dict[str, Any]) -> str:
    n, runs, counts = result["n"], result["runs"], result["counts"]
    check, both = _median(runs["check"], "seconds"), _median(runs["graph+smtp"], "seconds")
    ratio = both / check
    bound = n + TENANTS * (counts["pages"] / TENANTS + 1)  # each domain, the list's pages and the initial domain
    sessions = counts["sessions"]
    rows = ["| case | method | median time (s) | CPU (s) | peak RSS (MiB) | runs |", "|---|---|---|---|---|---|"]
    for name, found in runs.items():
        rows.append(f"| N={n}, {TENANTS} tenants | `check --file{' --graph --smtp' if name != 'check' else ''}` | "
                    f"{_median(found, 'seconds'):.2f} | {_median(found, 'cpu'):.2f} | "
                    f"{_median(found, 'peak_rss_mib'):.1f} | {len(found)} |")
    small = result["small_run"]
    if small is not None:
        rows.append(f"| N={result['small']}, {TENANTS} tenants | `check --file --graph --smtp` | {small.seconds:.2f} | "
                    f"{small.cpu:.2f} | {small.peak_rss_mib:.1f} | 1 |")
    met = "met" if ratio <= 3 else "NOT MET"
    gets_ok = counts["gets"] <= bound
    targets = [
        "| target | measured | result |", "|---|---|---|",
        f"| Graph GETs ≤ 1 per domain + the domain list's pages and the initial domain per tenant ({bound:.0f}) | "
        f"{counts['gets']} ({counts['gets'] / n:.3f} per domain; {counts['throttled']} more answered 429 and were "
        f"retried) | {'met' if gets_ok else 'NOT MET'} |",
        f"| HTTP requests to Graph (a `$batch` of up to 20 GETs counts once) | {counts['http']} "
        f"({counts['http'] / n:.3f} per domain) | - |",
        f"| SMTP sessions per distinct (address, port) = 1 | {min(sessions.values())}..{max(sessions.values())} "
        f"over {len(sessions)} addresses | {'met' if set(sessions.values()) == {1} else 'NOT MET'} |",
        f"| wall time `check --file --graph --smtp` / `check --file` ≤ 3× | {ratio:.2f}× | {met} |",
    ]
    if small is not None:
        mem = _median(runs["graph+smtp"], "peak_rss_mib") / small.peak_rss_mib
        targets.append(f"| peak RSS N={n} / N={result['small']} (flat: ≤ 1.1×) | {mem:.2f}× | "
                       f"{'met' if mem <= 1.1 else 'NOT MET'} |")
    how = (f"`python -m bench estate`: {n} domains of {TENANTS} tenants (rows sorted by name, so tenants mix), "
           f"a stand-in Graph serving each tenant its own data by its token and throttling one tenant in {THROTTLED} "
           f"(every {THROTTLE_EVERY}th GET of it answers 429, `Retry-After: {RETRY_AFTER}`), one BIND9, SMTP sinks "
           f"counting sessions on the {len(TENANT_ADDRESSES)} tenant-host and {len(DOMAIN_ADDRESSES)} domain-host "
           "addresses; `check --file --json --no-mta-sts --timeout 10` against the same with `--graph --graph-tokens FILE "
           "--smtp`, "
           "as child processes, interleaved, every output row verified (see `bench/estate.py`).")
    return "### An estate in one run\n\n" + how + "\n\n" + "\n".join(rows) + "\n\n" + "\n".join(targets)


__all__ = ["estate", "measure", "report", "zones"]
