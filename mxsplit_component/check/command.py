"""``mxsplit check``: the single and bulk runs for the options the CLI built (printing lives in cli)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from ..exitcodes import ExitCode

if TYPE_CHECKING:
    from ..core.plan import MxPlan
    from ..options import CheckArgs, CheckOptions, PlanFlags, Sources
    from .bulkrun import BulkRun, Judged
    from .report import CheckReport


def run_single(plan: MxPlan, options: CheckOptions) -> CheckReport:
    from ..dns.options import make_client
    from .run import check_plan

    async def main() -> CheckReport:
        async with make_client(options.dns) as client:
            return await check_plan(plan, client, options)

    return asyncio.run(main())


def read_baseline_file(path: str) -> dict[str, Any]:
    """The rows of ``--baseline path`` by domain, read before any check.

    :raises MxSplitError: (field ``baseline``) when it cannot be opened or is not JSON lines of a check.
    """
    from ..errors import MxSplitError
    from .baseline import read_baseline

    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise MxSplitError(f"--baseline {path}: {exc.strerror}; pass the JSON lines of an earlier "
                           "check --file --json run", field="baseline") from None
    with fh:
        return read_baseline(fh, path)


def run_bulk(args: CheckArgs, run: BulkRun, emit: Callable[[Judged], None], progress: TextIO | None,
             counts: Counter[ExitCode], idle: Callable[[], None] | None = None) -> ExitCode:
    """Check every row of ``args.file``; ``counts`` gets each emitted row's own exit code, even when interrupted.

    :param idle: called whenever the next row is not ready yet (to flush what was emitted).
    :returns: the worst row's part in the exit code (a bad row counts :data:`ExitCode.USAGE`; with a
        baseline, 1 only for a change that needs action).
    """
    from ..edges.csvfile import open_rows
    from .bulk import COLUMNS, LOOKUP_COLUMNS

    assert args.file is not None
    columns = LOOKUP_COLUMNS if args.sources.names else COLUMNS
    tenants: tuple[str, ...] = ()
    if args.sources.graph:
        from ..hosts.command import named_tenants

        tenants = named_tenants(args.file, columns, args.plan.cloud)
    with open_rows(args.file, columns) as rows:  # a bad header is a usage error before any check
        first = next(rows, None)
        if first is None:
            return ExitCode.OK
        return _run_rows(_chain(first, rows), args, tenants, run, emit, progress, counts, idle)


def _chain(first: Any, rest: Any) -> Any:
    yield first
    yield from rest


def _run_rows(rows: Any, args: CheckArgs, tenants: tuple[str, ...], run: BulkRun, emit: Callable[[Judged], None],
              progress: TextIO | None, counts: Counter[ExitCode], idle: Callable[[], None] | None) -> ExitCode:
    from ..dns.options import make_client
    from .bulk import RowPlanner, check_rows
    from .run import open_shared

    options = args.options
    worst = ExitCode.OK

    async def main() -> None:
        nonlocal worst
        async with make_client(options.dns) as client, contextlib.AsyncExitStack() as stack:
            shared = stack.enter_context(open_shared(client, options))
            planner: RowPlanner | None = None
            todo = rows
            if args.sources.names:
                from ..hosts.command import lookup_options
                from ..hosts.lookup import open_finder
                from .rowplans import Lookahead
                from .rowplans import RowPlanner as Planner

                # --graph reads the published MX too, to compare it with Graph's host.
                names = ("graph", "published") if args.sources.graph else args.sources.names
                finder = await stack.enter_async_context(open_finder(
                    lookup_options(args.sources, names, args.plan.cloud, options.dns, tenants), dns=client,
                    authorities=shared.authorities))
                ahead = Lookahead(rows, Planner(finder, args.plan, check=True).check_row)
                stack.callback(ahead.close)
                todo, planner = ahead, ahead.planned
            results = await stack.enter_async_context(contextlib.aclosing(
                check_rows(todo, client, options, args.concurrency, args.plan.shape(), planner=planner,
                           shared=shared, idle=idle)))
            async for result in results:
                judged = run.judge(result)
                emit(judged)
                counts[result.exit_code] += 1
                worst = max(worst, judged.code)
                done = sum(counts.values())
                if progress is not None and done % 50 == 0:
                    progress.write(f"\rchecked {done} domains")
                    progress.flush()
        if progress is not None:
            progress.write(f"\rchecked {sum(counts.values())} domains\n")

    asyncio.run(main())
    return worst


def check_with_sources(domain: str, flags: PlanFlags, sources: Sources, options: CheckOptions) -> CheckReport:
    """``check --graph`` / ``--published``: look the hosts up, check the plan, add the Graph findings.

    With ``--graph`` the published MX is read too, to compare it with Graph's host.
    """
    from ..hosts.command import lookup_one, lookup_options, request_for
    from .rowplans import plan_checked

    names = ("graph", "published") if sources.graph else sources.names
    result = lookup_one(request_for(domain, flags), lookup_options(sources, names, flags.cloud, options.dns))
    found = plan_checked(result, flags)
    return found.finish(run_single(found.plan, options))
