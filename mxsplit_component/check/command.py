"""``mxsplit check``: options from the flags, and the single and bulk runs (printing lives in cli)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import MxSplitError
from ..exitcodes import ExitCode

if TYPE_CHECKING:
    from ..core.plan import MxPlan
    from .report import CheckReport, Result
    from .run import CheckOptions


def checked_seconds(value: float, flag: str, *, zero_ok: bool) -> float:
    """``value`` when it is a usable number of seconds for ``flag``, else a usage error naming it."""
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        more = "0 or more" if zero_ok else "more than 0"
        raise MxSplitError(f"{flag} {value:g} is not a usable number of seconds; give a finite number, {more}",
                           field=flag.lstrip("-"))
    return value


def options_from(ns: argparse.Namespace) -> CheckOptions:
    from ..dns.options import DnsOptions
    from .run import CheckOptions

    timeout = checked_seconds(ns.timeout, "--timeout", zero_ok=False)
    wait = checked_seconds(ns.wait, "--wait", zero_ok=True)
    dns = DnsOptions(nameservers=tuple(ns.nameserver) or None, timeout=timeout, authoritative=ns.authoritative,
                     port=ns.port, fixed_window=ns.fixed_window)
    return CheckOptions(dns=dns, wait=wait, fetch_mta_sts=not ns.no_mta_sts_fetch, mta_sts=not ns.no_mta_sts,
                        smtp=ns.smtp, smtp_port=ns.smtp_port, simulate=ns.simulate or ns.file is None)


def run_single(ns: argparse.Namespace, plan_from_ns: Callable[[argparse.Namespace], MxPlan]) -> CheckReport:
    from ..dns.options import make_client
    from .run import check_plan

    plan = plan_from_ns(ns)
    options = options_from(ns)

    async def main() -> CheckReport:
        async with make_client(options.dns) as client:
            return await check_plan(plan, client, options)

    return asyncio.run(main())


def run_bulk(ns: argparse.Namespace, emit: Callable[[Result], None], progress: TextIO | None,
             counts: Counter[ExitCode]) -> ExitCode:
    """Check every row of ``--file``; ``counts`` gets one entry per emitted row, even when interrupted.

    :returns: the worst row's exit code (a bad row counts :data:`ExitCode.USAGE`).
    """
    from ..edges.csvfile import open_rows
    from .args import MAX_CONCURRENCY
    from .bulk import COLUMNS

    if not 1 <= ns.concurrency <= MAX_CONCURRENCY:
        raise MxSplitError(f"--concurrency {ns.concurrency} is out of range; use 1..{MAX_CONCURRENCY}",
                           field="concurrency")
    options = options_from(ns)
    defaults: dict[str, Any] = {"mode": ns.mode, "primary_priority": ns.primary_priority,
                                "secondary_priority": ns.secondary_priority, "cloud": ns.cloud, "ttl": ns.ttl}
    with open_rows(ns.file, COLUMNS) as rows:  # a bad header is a usage error before any check
        first = next(rows, None)
        if first is None:
            return ExitCode.OK
        return _run_rows(_chain(first, rows), ns.concurrency, options, defaults, emit, progress, counts)


def _chain(first: Any, rest: Any) -> Any:
    yield first
    yield from rest


def _run_rows(rows: Any, concurrency: int, options: CheckOptions, defaults: dict[str, Any],
              emit: Callable[[Result], None], progress: TextIO | None, counts: Counter[ExitCode]) -> ExitCode:
    from ..dns.options import make_client
    from .bulk import check_rows

    async def main() -> None:
        async with make_client(options.dns) as client, \
                contextlib.aclosing(check_rows(rows, client, options, concurrency, defaults)) as results:
            async for result in results:
                emit(result)
                counts[result.exit_code] += 1
                done = sum(counts.values())
                if progress is not None and done % 50 == 0:
                    progress.write(f"\rchecked {done} domains")
                    progress.flush()
        if progress is not None:
            progress.write(f"\rchecked {sum(counts.values())} domains\n")

    asyncio.run(main())
    return max(counts, default=ExitCode.OK)
