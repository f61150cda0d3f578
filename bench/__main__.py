"""Run every benchmark and write bench/README.md: python -m bench  (or: make bench)."""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import dns.version

from . import bulk, component_cost, startup

HERE = Path(__file__).resolve().parent


def machine_line() -> str:
    named = subprocess.run([bulk.BindServer({"x": ""}).named, "-v"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"dnspython {dns.version.version}, {named}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small N, for a smoke run (numbers not reported)")
    ns = parser.parse_args()
    q = ns.quick
    # pip compiles a package's bytecode at install time; an editable checkout under
    # PYTHONDONTWRITEBYTECODE=1 (as here) would recompile every module in every process
    # and charge that to mxsplit alone. Compile once, as an install would.
    compileall.compile_dir(str(HERE.parent / "mxsplit_component"), quiet=1)
    sections = []

    n0 = 200 if q else 2000
    r0 = bulk.measure(n0, 0, ("mxsplit", "async"), repeat=1 if q else 3)
    n20 = 50 if q else 500
    r20 = bulk.measure(n20, 20, ("mxsplit", "sequential", "async"))
    nbig = 2000 if q else 20000
    rbig = bulk.measure(nbig, 0, ("mxsplit",))
    sections.append(bulk_report(n0, r0, n20, r20, nbig, rbig))
    sections.append(component_cost.report(30 if q else 300))
    sections.append(startup.report(5 if q else 40))

    text = (HERE / "README.in.md").read_text().format(machine=machine_line(), tables="\n\n".join(sections))
    if q:
        print(text)
    else:
        (HERE / "README.md").write_text(text)
        print(text)


def bulk_report(n0: int, r0: dict[str, Any], n20: int, r20: dict[str, Any], nbig: int, rbig: dict[str, Any]) -> str:
    ratio0 = r0["mxsplit"]["seconds"] / r0["async"]["seconds"]
    speedup20 = r20["sequential"]["seconds"] / r20["mxsplit"]["seconds"]
    mem = rbig["mxsplit"]["peak_rss_mib"] / r0["mxsplit"]["peak_rss_mib"]
    rows = [
        "| case | method | time (s) | peak RSS (MiB) | answers verified |",
        "|---|---|---|---|---|",
    ]
    for label, n, res in ((f"0 ms, N={n0}", n0, r0), (f"20 ms, N={n20}", n20, r20), (f"0 ms, N={nbig}", nbig, rbig)):
        for method, r in res.items():
            rows.append(f"| {label} | {method} | {r['seconds']:.2f} | {r['peak_rss_mib']:.1f} | {r['correct']}/{n} |")
    targets = [
        "| target | measured | met |",
        "|---|---|---|",
        f"| 0 ms, N={n0}: mxsplit time ≤ 1.1× plain async loop | {ratio0:.2f}× | {'yes' if ratio0 <= 1.1 else 'NO'} |",
        f"| 20 ms, N={n20}: mxsplit ≥ 30× faster than sequential | {speedup20:.1f}× | "
        f"{'yes' if speedup20 >= 30 else 'NO'} |",
        f"| peak memory N={nbig} / N={n0} (flat) | {mem:.2f}× | {'yes' if mem <= 1.15 else 'NO'} |",
    ]
    return "### Bulk live checks\n\n" + "\n".join(rows) + "\n\n" + "\n".join(targets)


if __name__ == "__main__":
    main()
