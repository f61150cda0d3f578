"""``mxsplit check``: argument parsing and output for the live checks (printing lives in cli)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import MxSplitError

if TYPE_CHECKING:
    from .run import CheckOptions


def options_from(ns: argparse.Namespace) -> CheckOptions:
    from .run import CheckOptions

    if ns.timeout <= 0:
        raise MxSplitError("--timeout must be more than 0 seconds", field="timeout")
    if not 0 < ns.port < 65536:
        raise MxSplitError(f"--port {ns.port} is not a port number (1..65535)", field="port")
    return CheckOptions(nameservers=tuple(ns.nameserver) or None, authoritative=ns.authoritative, port=ns.port,
                        wait=ns.wait, timeout=ns.timeout, fetch_mta_sts=not ns.no_mta_sts_fetch, mta_sts=not ns.no_mta_sts,
                        smtp=ns.smtp, smtp_port=ns.smtp_port)


def run_single(ns: argparse.Namespace, plan_from_ns: Callable[[argparse.Namespace], Any]) -> tuple[dict[str, Any], int]:
    import asyncio

    from .run import check_plan, make_client

    plan = plan_from_ns(ns)
    options = options_from(ns)

    async def main() -> tuple[dict[str, Any], int]:
        async with make_client(options) as client:
            return await check_plan(plan, client, options)

    return asyncio.run(main())


def run_bulk(ns: argparse.Namespace, emit: Callable[[dict[str, Any], int], None], progress: TextIO | None) -> int:
    from .bulk import read_rows

    if ns.concurrency < 1:
        raise MxSplitError("--concurrency must be at least 1", field="concurrency")
    options = options_from(ns)
    defaults: dict[str, Any] = {"mode": ns.mode, "primary_priority": ns.primary_priority,
                                "secondary_priority": ns.secondary_priority, "cloud": ns.cloud, "ttl": ns.ttl}
    try:
        fh = open(ns.file, encoding="utf-8", newline="")
    except OSError as exc:
        raise MxSplitError(f"--file {ns.file}: {exc.strerror}", field="file") from None
    with fh:
        return _run_rows(read_rows(fh), ns, options, defaults, emit, progress)


def _run_rows(rows: Any, ns: argparse.Namespace, options: CheckOptions, defaults: dict[str, Any],
              emit: Callable[[dict[str, Any], int], None], progress: TextIO | None) -> int:
    import asyncio

    from .bulk import check_rows
    from .run import make_client

    async def main() -> int:
        worst, done = 0, 0
        async with make_client(options) as client:
            async for result, code in check_rows(rows, client, options, ns.concurrency, defaults):
                emit(result, code)
                worst, done = max(worst, code), done + 1
                if progress is not None and done % 50 == 0:
                    progress.write(f"\rchecked {done} domains")
                    progress.flush()
        if progress is not None:
            progress.write(f"\rchecked {done} domains\n")
        return worst

    return asyncio.run(main())


def check_text(rep: dict[str, Any], code: int) -> str:
    from ..render import rules_lines
    from ..simulate import simulation_lines

    def recs(items: list[dict[str, Any]]) -> str:
        return "; ".join(f"{r['preference']} {r['exchange']}" for r in items) or "(none)"

    out = [f"mxsplit check {rep['domain']}", "", f"  expected   {recs(rep['expected'])}",
           f"  published  {recs(rep['published'])}", "", "Addresses"]
    for host, addr in rep["addresses"].items():
        out.append(f"  {host}")
        out.append(f"      IPv4 {', '.join(addr['ipv4']) or '-'}")
        out.append(f"      IPv6 {', '.join(addr['ipv6']) or '-'}")
    if "smtp" in rep:
        from .smtp_report import smtp_lines

        out += ["", *smtp_lines(rep["smtp"])]
    out += ["", "Findings"]
    if rep["findings"]:
        out += rules_lines({"ok": False, **f} for f in rep["findings"])
    else:
        out.append("  none: the split is published and every host answers as planned")
    if rep["simulation"]:
        out += ["", "Sender simulation (addresses as published)", *simulation_lines(rep["simulation"])]
    verdict = {0: "OK", 1: "FAIL", 2: "BAD INPUT", 3: "INCOMPLETE (a lookup or probe could not complete)"}[code]
    out += ["", f"verdict: {verdict} (exit {code})"]
    return "\n".join(out) + "\n"


def summary_line(rep: dict[str, Any], code: int) -> str:
    if "error" in rep:
        return f"{rep['domain'] or '(line ' + str(rep.get('line')) + ')':<40} {'BAD ROW':<10} {rep['error']}"
    ids = sorted({f["id"] for f in rep["findings"] if f["severity"] == "error"})
    state = {0: "ok", 1: "FAIL", 3: "DNS ERROR"}.get(code, str(code))
    return f"{rep['domain']:<40} {state:<10} {', '.join(ids)}"
