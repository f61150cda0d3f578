"""``mxsplit check``: the single and bulk runs for the options the CLI built (printing lives in cli)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from ..exitcodes import ExitCode

if TYPE_CHECKING:
    from ..cli.options import CheckArgs
    from ..core.plan import MxPlan
    from .report import CheckReport, Result
    from .run import CheckOptions


def run_single(plan: MxPlan, options: CheckOptions) -> CheckReport:
    from ..dns.options import make_client
    from .run import check_plan

    async def main() -> CheckReport:
        async with make_client(options.dns) as client:
            return await check_plan(plan, client, options)

    return asyncio.run(main())


def run_bulk(args: CheckArgs, emit: Callable[[Result], None], progress: TextIO | None,
             counts: Counter[ExitCode]) -> ExitCode:
    """Check every row of ``args.file``; ``counts`` gets one entry per emitted row, even when interrupted.

    :returns: the worst row's exit code (a bad row counts :data:`ExitCode.USAGE`).
    """
    from ..edges.csvfile import open_rows
    from .bulk import COLUMNS

    assert args.file is not None
    with open_rows(args.file, COLUMNS) as rows:  # a bad header is a usage error before any check
        first = next(rows, None)
        if first is None:
            return ExitCode.OK
        return _run_rows(_chain(first, rows), args.concurrency, args.options, args.plan.shape(), emit, progress,
                         counts)


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
