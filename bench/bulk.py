"""Bulk live checks: ``mxsplit check --file`` against baselines doing the same five queries
per domain (MX; A and AAAA of both hosts), every answer verified against the generated truth.

Methods (each a separate process with the same interpreter, start-up included):
``mxsplit`` (default flags), ``mxsplit-fixed128`` (``--fixed-window 128``: a fixed window
of 128 lookups in flight, how the client worked before it adapted), ``async`` (a plain
``dns.asyncresolver`` loop, 64 domains at once) and ``floor`` (:mod:`bench.floor`, 32 domains at once).
Runs are interleaved (A B C, A B C, ...) so machine drift hits every method alike.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mxsplit_component.testing.bind import BindServer as BindServer  # re-exported for bench.__main__
from mxsplit_component.testing.bind import free_port

from . import synth
from .proc import Run, run_module

ROOT = Path(__file__).resolve().parent.parent

PY = sys.executable
#: Domains at once for the baselines.
CONCURRENCY = 64
#: The floor has no window of its own: 32 domains (160 queries) stay below what one BIND
#: buffers, so no datagram is dropped and the floor is not charged its resend sweeps.
FLOOR_CONCURRENCY = 32
QUERIES_PER_DOMAIN = 5


@contextmanager
def bind_with(domains: list[synth.Domain]) -> Iterator[BindServer]:
    server = BindServer(synth.zones(domains), threads=1)  # named -n 1: the client keeps a core
    with server:
        yield server


@contextmanager
def forwarder(upstream_port: int, delay_ms: float, counts: Path) -> Iterator[int]:
    port = free_port()
    proc = subprocess.Popen([PY, "-m", "bench.forwarder", str(port), str(upstream_port), str(delay_ms), str(counts)],
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


def run_method(method: str, csv_path: Path, port: int, out: Path) -> Run:
    if method.startswith("mxsplit"):
        args = ["check", "--file", str(csv_path), "--nameserver", f"127.0.0.1:{port}", "--json", "--no-mta-sts"]
        if method == "mxsplit-fixed128":
            args += ["--fixed-window", "128"]
        with out.open("w") as fh:
            return run_module("mxsplit_component.cli", args, stdout=fh)
    if method == "floor":
        return run_module("bench.floor", [str(csv_path), "127.0.0.1", str(port), str(FLOOR_CONCURRENCY), str(out)])
    return run_module("bench.baselines", [method, str(csv_path), "127.0.0.1", str(port), str(CONCURRENCY), str(out)])


def measure(n: int, delay_ms: float, methods: tuple[str, ...], repeat: int = 1) -> dict[str, dict[str, Any]]:
    """Median time, CPU and peak RSS per method over ``repeat`` interleaved rounds; with a
    delay, also the queries the forwarder saw beyond five per domain (retransmits: drops)."""
    domains = synth.generate(n)
    truth = {d.domain: synth.truth(d) for d in domains}
    runs: dict[str, list[Run]] = {m: [] for m in methods}
    extra: dict[str, list[int]] = {m: [] for m in methods}
    with tempfile.TemporaryDirectory(prefix="mxsplit-bench-") as tmp, bind_with(domains) as server:
        work = Path(tmp)
        csv_path = work / "domains.csv"
        synth.write_csv(domains, csv_path)
        for _ in range(repeat):
            for method in methods:
                out = work / f"{method}.jsonl"
                counts = work / "counts.json"
                if delay_ms:
                    with forwarder(server.port, delay_ms, counts) as port:
                        r = run_method(method, csv_path, port, out)
                    extra[method].append(json.loads(counts.read_text())["received"] - QUERIES_PER_DOMAIN * n)
                else:
                    r = run_method(method, csv_path, server.port, out)
                good = verify(out, truth)
                if good != n:
                    raise RuntimeError(f"{method} at N={n}, {delay_ms} ms: {n - good} wrong answers")
                runs[method].append(r)
                time.sleep(0.2)
    results: dict[str, dict[str, Any]] = {}
    for method, rs in runs.items():
        results[method] = {"seconds": statistics.median(r.seconds for r in rs),
                           "cpu": statistics.median(r.cpu for r in rs),
                           "peak_rss_mib": max(r.peak_rss_mib for r in rs), "correct": n, "runs": len(rs),
                           "retransmits": max(extra[method]) if extra[method] else None}
    return results
