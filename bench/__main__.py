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
from .bulk import QUERIES_PER_DOMAIN

HERE = Path(__file__).resolve().parent


def machine_line() -> str:
    named = subprocess.run([bulk.BindServer({"x": ""}).named, "-v"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"dnspython {dns.version.version}, {named}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small N, for a smoke run (numbers not reported)")
    parser.add_argument("case", nargs="?", choices=("bulk0", "estate"),
                        help="run one case and print it (README.md is left alone): bulk0 = 0 ms, mxsplit vs the floors; "
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
    r0 = bulk.measure(nbig, bulk.DIRECT, ("mxsplit", READER_0MS, "floor", "async"), repeat=1 if q else 3)
    nlat = 500 if q else 2000
    rlat = bulk.measure(nlat, LATENCY, ("mxsplit", READER_LATENCY, "mxsplit-fixed128"), repeat=1 if q else 3)
    nthr = 200 if q else 2000
    rthr = {route: bulk.measure(nthr, route, ("mxsplit",), strict=False) for route in THROTTLED}
    nsmall, nhuge = (200, 2000) if q else (2000, 200000)
    rsmall = bulk.measure(nsmall, bulk.DIRECT, ("mxsplit",))
    rhuge = bulk.measure(nhuge, bulk.DIRECT, ("mxsplit",))
    sections.append(bulk_report(nbig, r0, nlat, rlat, nthr, rthr, nsmall, rsmall, nhuge, rhuge))
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


LATENCY = bulk.Route(delay_ms=100)
#: Queries the add_reader floor keeps in flight at 0 ms: the fastest of 64 to 1024 on the
#: benchmark machine (more overflows BIND's receive buffer, and every drop costs a second).
READER_0MS = "reader-128"
#: ... and at 100 ms, where the window, not the CPU, sets the pace: mxsplit's largest window.
READER_LATENCY = "reader-1024"
#: The throttled resolver of issue 21: 500 queries/s, a bucket of 50, over the limit dropped or refused.
THROTTLED = (bulk.Route(rate=500, burst=50, mode="drop"), bulk.Route(rate=500, burst=50, mode="refuse"))
#: How much longer than the throttle's own pace (5 queries per domain / rate) a run may take.
THROTTLE_SLACK = 1.5


def _met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def _rows(label: str, n: int, res: dict[str, Any]) -> list[str]:
    return [f"| {label} | {m} | {r['seconds']:.2f} | {n / r['seconds']:.0f} | {r['cpu']:.2f} | {r['peak_rss_mib']:.1f} | "
            f"{r['runs']} | {r['correct']}/{n} | {'' if r['retransmits'] is None else r['retransmits']} |"
            for m, r in res.items()]


HEADER = ["| case | method | median time (s) | domains/s | CPU (s) | peak RSS (MiB) | runs | answers verified | "
          "resends seen |", "|---|---|---|---|---|---|---|---|---|"]


def floor_case(n: int, repeat: int) -> str:
    """The 0 ms case for mxsplit and both floors only (no plain-resolver baseline)."""
    res = bulk.measure(n, bulk.DIRECT, ("mxsplit", READER_0MS, "floor"), repeat=repeat)
    ratio = res[READER_0MS]["seconds"] / res["mxsplit"]["seconds"]
    old = res["floor"]["seconds"] / res["mxsplit"]["seconds"]
    return "\n".join([*HEADER, *_rows(f"0 ms, N={n}", n, res), "",
                      f"0 ms, N={n}: mxsplit ≥ 0.45× the add_reader floor: {ratio:.2f}× ({_met(ratio >= 0.45)}); "
                      f"against the asyncio endpoint floor: {old:.2f}×"])


def bulk_report(nbig: int, r0: dict[str, Any], nlat: int, rlat: dict[str, Any], nthr: int,
                rthr: dict[bulk.Route, dict[str, Any]], nsmall: int, rsmall: dict[str, Any], nhuge: int,
                rhuge: dict[str, Any]) -> str:
    rate = {m: nbig / r["seconds"] for m, r in r0.items()}
    vs_reader = rate["mxsplit"] / rate[READER_0MS]
    vs_floor = rate["mxsplit"] / rate["floor"]
    vs_async = rate["mxsplit"] / rate["async"]
    lat_reader = rlat[READER_LATENCY]["seconds"] / rlat["mxsplit"]["seconds"]
    speedup = rlat["mxsplit-fixed128"]["seconds"] / rlat["mxsplit"]["seconds"]
    drops = rlat["mxsplit"]["retransmits"]
    mem = rhuge["mxsplit"]["peak_rss_mib"] / rsmall["mxsplit"]["peak_rss_mib"]
    rows = list(HEADER)
    cases = [(f"0 ms, N={nbig}", nbig, r0), (f"{LATENCY.label}, N={nlat}", nlat, rlat),
             *((f"{route.label}, N={nthr}", nthr, res) for route, res in rthr.items()),
             (f"0 ms, N={nsmall}", nsmall, rsmall), (f"0 ms, N={nhuge}", nhuge, rhuge)]
    for label, n, res in cases:
        rows += _rows(label, n, res)
    targets = [
        "| target | measured | result |",
        "|---|---|---|",
        f"| 0 ms, N={nbig}: mxsplit ≥ 0.45× the add_reader floor | {vs_reader:.2f}× | {_met(vs_reader >= 0.45)} |",
        f"| 0 ms, N={nbig}: mxsplit against the asyncio endpoint floor (the previous floor; no target) | "
        f"{vs_floor:.2f}× | n/a |",
        f"| 0 ms, N={nbig}: mxsplit ≥ 5× the plain `dns.asyncresolver` loop | {vs_async:.2f}× | {_met(vs_async >= 5)} |",
        f"| {LATENCY.label}, N={nlat}: mxsplit ≥ 1.0× the add_reader floor at a window of 1,024 | {lat_reader:.2f}× | "
        f"{_met(lat_reader >= 1.0)} |",
        f"| {LATENCY.label}, N={nlat}: mxsplit without drops (queries beyond 5 per domain, counted by the forwarder) | "
        f"{drops} | {_met(drops == 0)} |",
        f"| {LATENCY.label}, N={nlat}: mxsplit ≥ 3× a fixed window of 128 in flight | {speedup:.2f}× | "
        f"{_met(speedup >= 3)} |",
    ]
    for route, res in rthr.items():
        ideal = QUERIES_PER_DOMAIN * nthr / route.rate
        took, good = res["mxsplit"]["seconds"], res["mxsplit"]["correct"]
        targets.append(f"| {route.label}, N={nthr}: every row correct, wall ≤ {THROTTLE_SLACK:g}× the ideal "
                       f"{ideal:.0f} s | {good}/{nthr} rows, {took / ideal:.2f}× | "
                       f"{_met(good == nthr and took <= THROTTLE_SLACK * ideal)} |")
    targets.append(f"| peak memory N={nhuge} / N={nsmall} (flat: ≤ 1.1×) | {mem:.2f}× | {_met(mem <= 1.1)} |")
    return "### Bulk live checks\n\n" + "\n".join(rows) + "\n\n" + "\n".join(targets)


if __name__ == "__main__":
    main()
