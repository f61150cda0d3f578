"""Bulk live checks: ``mxsplit check --file`` against baselines doing the same five queries
per domain (MX; A and AAAA of both hosts), every answer verified against the generated truth.

Methods (each a separate process with the same interpreter, start-up included):
``mxsplit`` (default flags), ``mxsplit-fixed128`` (``--fixed-window 128``: a fixed window
of 128 lookups in flight, how the client worked before it adapted), ``async`` (a plain
``dns.asyncresolver`` loop, 64 domains at once), ``floor`` (:mod:`bench.floor`, the asyncio
datagram endpoint, 32 domains at once) and ``reader-N`` (:mod:`bench.reader_floor`,
``loop.add_reader`` with N queries in flight, resending after :data:`READER_RESEND` round
trips: the floor the targets are ratios against).
Runs are interleaved (A B C, A B C, ...) so machine drift hits every method alike.

Between the client and BIND there may be a :class:`Route`: a delay (``bench.forwarder``,
every reply held), or a throttle (:mod:`mxsplit_component.testing.throttle`, a token
bucket that drops or refuses over its rate).
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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Route:
    """What stands between the client and BIND: nothing, a delay, or a throttle."""

    delay_ms: float = 0
    #: Queries per second and bucket size of a throttle, and what it does over the limit.
    rate: float = 0
    burst: int = 0
    mode: str = "drop"

    @property
    def label(self) -> str:
        if self.rate:
            over = "refused" if self.mode == "refuse" else "dropped"
            return f"throttled {self.rate:g} q/s, burst {self.burst}, {over} over"
        return f"{self.delay_ms:g} ms"


DIRECT = Route()
#: The add_reader floor resends what a sweep finds unanswered for this many round trips (of
#: the route's delay), and never sooner than READER_MIN_RESEND seconds.
READER_RESEND = 4
READER_MIN_RESEND = 0.1


@contextmanager
def bind_with(domains: list[synth.Domain]) -> Iterator[BindServer]:
    server = BindServer(synth.zones(domains), threads=1)  # named -n 1: the client keeps a core
    with server:
        yield server


@contextmanager
def front(route: Route, upstream_port: int, counts: Path) -> Iterator[int]:
    """The port to ask: BIND's, or that of a delay or throttle process started for one run
    (it writes how many queries it received to ``counts`` when it stops)."""
    if not route.delay_ms and not route.rate:
        yield upstream_port
        return
    port = free_port()
    if route.rate:
        cmd = [PY, "-m", "mxsplit_component.testing.throttle", str(port), str(upstream_port), str(route.rate),
               str(route.burst), route.mode, str(counts)]
    else:
        cmd = [PY, "-m", "bench.forwarder", str(port), str(upstream_port), str(route.delay_ms), str(counts)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE)
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


def run_method(method: str, route: Route, csv_path: Path, port: int, out: Path,
               exit_codes: tuple[int, ...] = (0, 1)) -> Run:
    if method.startswith("reader-"):
        window = method.removeprefix("reader-")
        resend = max(READER_MIN_RESEND, READER_RESEND * route.delay_ms / 1000)
        return run_module("bench.reader_floor", [str(csv_path), "127.0.0.1", str(port), window, str(resend), str(out)])
    if method.startswith("mxsplit"):
        args = ["check", "--file", str(csv_path), "--nameserver", f"127.0.0.1:{port}", "--json", "--no-mta-sts"]
        if method == "mxsplit-fixed128":
            args += ["--fixed-window", "128"]
        with out.open("w") as fh:
            return run_module("mxsplit_component.cli", args, stdout=fh, exit_codes=exit_codes)
    if method == "floor":
        return run_module("bench.floor", [str(csv_path), "127.0.0.1", str(port), str(FLOOR_CONCURRENCY), str(out)])
    return run_module("bench.baselines", [method, str(csv_path), "127.0.0.1", str(port), str(CONCURRENCY), str(out)])


def measure(n: int, route: Route, methods: tuple[str, ...], repeat: int = 1, *,
            strict: bool = True) -> dict[str, dict[str, Any]]:
    """Median time, CPU and peak RSS per method over ``repeat`` interleaved rounds; through a
    delay or throttle, also the queries it saw beyond five per domain (resends). A wrong
    answer stops the run, unless not ``strict``: then ``correct`` is the fewest right rows of
    any round (a throttled run whose rows end in DNS errors is a target not met)."""
    domains = synth.generate(n)
    truth = {d.domain: synth.truth(d) for d in domains}
    runs: dict[str, list[Run]] = {m: [] for m in methods}
    extra: dict[str, list[int]] = {m: [] for m in methods}
    correct: dict[str, list[int]] = {m: [] for m in methods}
    with tempfile.TemporaryDirectory(prefix="mxsplit-bench-") as tmp, bind_with(domains) as server:
        work = Path(tmp)
        csv_path = work / "domains.csv"
        synth.write_csv(domains, csv_path)
        for _ in range(repeat):
            for method in methods:
                out = work / f"{method}.jsonl"
                counts = work / "counts.json"
                with front(route, server.port, counts) as port:
                    r = run_method(method, route, csv_path, port, out, exit_codes=(0, 1) if strict else (0, 1, 3))
                if port != server.port:
                    extra[method].append(json.loads(counts.read_text())["received"] - QUERIES_PER_DOMAIN * n)
                good = verify(out, truth)
                if good != n and strict:
                    raise RuntimeError(f"{method} at N={n}, {route.label}: {n - good} wrong answers")
                correct[method].append(good)
                runs[method].append(r)
                time.sleep(0.2)
    results: dict[str, dict[str, Any]] = {}
    for method, rs in runs.items():
        results[method] = {"seconds": statistics.median(r.seconds for r in rs),
                           "cpu": statistics.median(r.cpu for r in rs),
                           "peak_rss_mib": max(r.peak_rss_mib for r in rs), "correct": min(correct[method]),
                           "runs": len(rs),
                           "retransmits": max(extra[method]) if extra[method] else None}
    return results
