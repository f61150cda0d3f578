"""What Python's cyclic garbage collector costs a program declaring N MxSplit under mocks,
with the default settings and with :func:`mxsplit_component.gctune.tune_gc` (what the
rollout program applies). Each run is its own process (GC settings are process-wide).

Run: python -m bench.gc_cost {default|tuned} N   (prints seconds and GC seconds as JSON)
"""

from __future__ import annotations

import gc
import json
import logging
import statistics
import subprocess
import sys
import time
from typing import Any

from .component_cost import ROOT, build_mxsplit, domains

MODES = ("default", "tuned")


def child(mode: str, n: int) -> None:
    import pulumi_azure_native.dns  # noqa: F401 - the imports a rollout program has done
    import pulumi_cloudflare  # noqa: F401

    import mxsplit_component  # noqa: F401
    from mxsplit_component.testing.mocks import RecordingMocks, run_program

    logging.getLogger().setLevel(logging.ERROR)
    if mode == "tuned":
        from mxsplit_component.gctune import tune_gc

        tune_gc()
    spent = [0.0, 0.0]

    def clock(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            spent[1] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - spent[1]

    gc.callbacks.append(clock)
    start = time.perf_counter()
    run_program(lambda: build_mxsplit(domains(n)), mocks=RecordingMocks())
    print(json.dumps({"seconds": time.perf_counter() - start, "gc_seconds": spent[0]}))


def report(n: int, repeat: int = 3) -> str:
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in MODES}
    for _ in range(repeat):
        for mode in MODES:
            out = subprocess.run([sys.executable, "-m", "bench.gc_cost", mode, str(n)], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout
            runs[mode].append(json.loads(out.strip().splitlines()[-1]))
    med = {m: {k: statistics.median(r[k] for r in rs) for k in ("seconds", "gc_seconds")} for m, rs in runs.items()}
    ratio = med["default"]["seconds"] / med["tuned"]["seconds"]
    rows = ["| GC settings | median time (s) | of which collecting (s) |", "|---|---|---|"]
    rows += [f"| {m} | {v['seconds']:.2f} | {v['gc_seconds']:.2f} ({v['gc_seconds'] / v['seconds']:.0%}) |"
             for m, v in med.items()]
    targets = ["| target | measured | met |", "|---|---|---|",
               f"| N={n} MxSplit: `tune_gc()` (the rollout program's setting) faster than the defaults "
               f"| {ratio:.2f}× | {'met' if ratio > 1.2 else 'NOT MET'} |"]
    return (f"### Garbage collector (N={n} MxSplit under mocks, half Azure, half Cloudflare; median of {repeat}, "
            "interleaved, one process each)\n\n" + "\n".join(rows) + "\n\n" + "\n".join(targets))


if __name__ == "__main__":
    child(sys.argv[1], int(sys.argv[2]))
