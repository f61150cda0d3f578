"""Bulk live checks: mxsplit check --file vs a sequential dnspython loop vs dns.asyncresolver."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import synth
from .proc import Run, run_module

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from bindserver import BindServer as BindServer  # noqa: E402  (re-exported for bench.__main__)
from bindserver import free_port  # noqa: E402

PY = sys.executable
CONCURRENCY = 64


@contextmanager
def bind_with(domains: list[synth.Domain]) -> Iterator[BindServer]:
    server = BindServer(synth.zones(domains), threads=1)  # named -n 1: the client keeps a core
    with server:
        yield server


@contextmanager
def forwarder(upstream_port: int, delay_ms: float) -> Iterator[int]:
    port = free_port()
    proc = subprocess.Popen([PY, "-m", "bench.forwarder", str(port), str(upstream_port), str(delay_ms)],
                            cwd=ROOT, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait()
        proc.stdout.close()


def answers(row: dict[str, Any]) -> tuple[list[Any], dict[str, Any]] | None:
    """(MX set, addresses) from a result line of either shape; ``None`` for a failed check."""
    if "published" in row:  # mxsplit check --json
        if not row["ok"]:
            return None
        mx = sorted([r["preference"], r["exchange"]] for r in row["published"])
        return mx, row["addresses"]
    return row["mx"], row["addresses"]


def verify(path: Path, truth: dict[str, dict[str, Any]]) -> int:
    """Count rows whose MX set and per-family addresses match the generated truth."""
    good = 0
    with path.open() as fh:
        for line in fh:
            row = json.loads(line)
            want, got = truth[row["domain"]], answers(row)
            good += got is not None and got[0] == want["mx"] and all(
                got[1].get(h) == a for h, a in want["addresses"].items())
    return good


def method_mxsplit(csv_path: Path, port: int, out: Path) -> Run:
    with out.open("w") as fh:
        return run_module("mxsplit_component.cli", ["check", "--file", str(csv_path), "--nameserver",
                          f"127.0.0.1:{port}", "--json", "--no-mta-sts", "--concurrency", str(CONCURRENCY),
                          "--timeout", "10"], stdout=fh)


def method_baseline(kind: str, csv_path: Path, port: int, out: Path) -> Run:
    return run_module("bench.baselines", [kind, str(csv_path), "127.0.0.1", str(port), str(CONCURRENCY), str(out)])


def measure(n: int, delay_ms: float, methods: tuple[str, ...], repeat: int = 1) -> dict[str, dict[str, Any]]:
    domains = synth.generate(n)
    truth = {d.domain: synth.truth(d) for d in domains}
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="mxsplit-bench-") as tmp, bind_with(domains) as server:
        work = Path(tmp)
        csv_path = work / "domains.csv"
        synth.write_csv(domains, csv_path)
        ctx = forwarder(server.port, delay_ms) if delay_ms else None
        port = ctx.__enter__() if ctx else server.port
        try:
            for method in methods:
                best: Run | None = None
                for _ in range(repeat):
                    out = work / f"{method}.jsonl"
                    r = (method_mxsplit(csv_path, port, out) if method == "mxsplit"
                         else method_baseline(method, csv_path, port, out))
                    good = verify(out, truth)
                    if good != n:
                        raise RuntimeError(f"{method} at N={n}, {delay_ms} ms: {n - good} wrong answers")
                    if best is None or r.seconds < best.seconds:
                        best = r
                assert best is not None
                results[method] = {"seconds": best.seconds, "peak_rss_mib": best.peak_rss_mib, "correct": n}
                time.sleep(0.2)
        finally:
            if ctx:
                ctx.__exit__(None, None, None)
    return results
