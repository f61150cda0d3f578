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

from . import bulk, component_cost, estate, gc_cost, startup

HERE = Path(__file__).resolve().parent


def machine_line() -> str:
    named = subprocess.run([bulk.BindServer({"x": ""}).named, "-v"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"dnspython {dns.version.version}, {named}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small N, for a smoke run (numbers not reported)")
    parser.add_argument("case", nargs="?", choices=("bulk0", "estate"),
                        help="run one case and print it (README.md is left alone): bulk0 = 0 ms, mxsplit vs the floor; "
                             "estate = 10,000 domains of 50 tenants, check --file --graph --smtp vs check --file")
    ns = parser.parse_args()
    q = ns.quick
    # pip compiles a package's bytecode at install time; an editable checkout under
    # PYTHONDONTWRITEBYTECODE=1 (as here) would recompile every module in every process
    # and charge that to mxsplit alone. Compile once, as an install would.
    compileall.compile_dir(str(HERE.parent / "mxsplit_component"), quiet=1)
    if ns.case == "bulk0":
        print(floor_case(2000 if q else 20000, 1 if q else 3))
        return
    if ns.case == "estate":
        print(estate.report(estate.measure(1000 if q else 10000, 1 if q else 3, small=100 if q else 1000)))
        return
    sections = []

    nbig = 2000 if q else 20000
    r0 = bulk.measure(nbig, 0, ("mxsplit", "floor", "async"), repeat=1 if q else 3)
    nlat = 500 if q else 2000
    rlat = bulk.measure(nlat, LATENCY_MS, ("mxsplit", "mxsplit-fixed128"), repeat=1 if q else 3)
    nsmall, nhuge = (200, 2000) if q else (2000, 200000)
    rsmall = bulk.measure(nsmall, 0, ("mxsplit",))
    rhuge = bulk.measure(nhuge, 0, ("mxsplit",))
    sections.append(bulk_report(nbig, r0, nlat, rlat, nsmall, rsmall, nhuge, rhuge))
    sections.append(component_cost.report(30 if q else 300))
    sections.append(gc_cost.report(200 if q else 2000, 1 if q else 3))
    sections.append(startup.report(5 if q else 40))
    sections.append(estate.report(estate.measure(1000 if q else 10000, 1 if q else 3, small=100 if q else 1000)))

    text = (HERE / "README.in.md").read_text().format(machine=machine_line(), tables="\n\n".join(sections))
    if q:
        print(text)
    else:
        (HERE / "README.md").write_text(text)
        print(text)


LATENCY_MS = 100


def _met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def floor_case(n: int, repeat: int) -> str:
    """The 0 ms case for mxsplit and the floor only (no plain-resolver baseline): the floor target."""
    res = bulk.measure(n, 0, ("mxsplit", "floor"), repeat=repeat)
    rows = [f"| 0 ms, N={n} | {m} | {r['seconds']:.2f} | {n / r['seconds']:.0f} | {r['cpu']:.2f} | {r['runs']} |"
            for m, r in res.items()]
    ratio = res["floor"]["seconds"] / res["mxsplit"]["seconds"]
    return "\n".join(["| case | method | median time (s) | domains/s | CPU (s) | runs |", "|---|---|---|---|---|---|", *rows,
                      "", f"0 ms, N={n}: mxsplit ≥ 0.8× the minimal asyncio client (the floor): {ratio:.2f}× "
                      f"({_met(ratio >= 0.8)})"])


def bulk_report(nbig: int, r0: dict[str, Any], nlat: int, rlat: dict[str, Any], nsmall: int, rsmall: dict[str, Any], nhuge: int,
                rhuge: dict[str, Any]) -> str:
    rate = {m: nbig / r["seconds"] for m, r in r0.items()}
    vs_async = rate["mxsplit"] / rate["async"]
    vs_floor = rate["mxsplit"] / rate["floor"]
    speedup = rlat["mxsplit-fixed128"]["seconds"] / rlat["mxsplit"]["seconds"]
    drops = rlat["mxsplit"]["retransmits"]
    mem = rhuge["mxsplit"]["peak_rss_mib"] / rsmall["mxsplit"]["peak_rss_mib"]
    rows = ["| case | method | median time (s) | domains/s | CPU (s) | peak RSS (MiB) | runs | answers verified |",
            "|---|---|---|---|---|---|---|---|"]
    cases = ((f"0 ms, N={nbig}", nbig, r0), (f"{LATENCY_MS} ms, N={nlat}", nlat, rlat),
             (f"0 ms, N={nsmall}", nsmall, rsmall), (f"0 ms, N={nhuge}", nhuge, rhuge))
    for label, n, res in cases:
        for method, r in res.items():
            rows.append(f"| {label} | {method} | {r['seconds']:.2f} | {n / r['seconds']:.0f} | {r['cpu']:.2f} | "
                        f"{r['peak_rss_mib']:.1f} | {r['runs']} | {r['correct']}/{n} |")
    targets = [
        "| target | measured | result |",
        "|---|---|---|",
        f"| 0 ms, N={nbig}: mxsplit ≥ 5× the plain `dns.asyncresolver` loop | {vs_async:.2f}× | {_met(vs_async >= 5)} |",
        f"| 0 ms, N={nbig}: mxsplit ≥ 0.8× the minimal asyncio client (the floor) | {vs_floor:.2f}× | "
        f"{_met(vs_floor >= 0.8)} |",
        f"| {LATENCY_MS} ms, N={nlat}: mxsplit ≥ 3× a fixed window of 128 in flight | {speedup:.2f}× | "
        f"{_met(speedup >= 3)} |",
        f"| {LATENCY_MS} ms, N={nlat}: no drops (queries beyond 5 per domain, counted by the forwarder) | "
        f"{drops} | {_met(drops == 0)} |",
        f"| peak memory N={nhuge} / N={nsmall} (flat: ≤ 1.1×) | {mem:.2f}× | {_met(mem <= 1.1)} |",
    ]
    return "### Bulk live checks\n\n" + "\n".join(rows) + "\n\n" + "\n".join(targets)


if __name__ == "__main__":
    main()
