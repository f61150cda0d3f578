"""Check many domains from a CSV, concurrently, with results in input order and flat memory.

Rows come from the shared ``--file`` reader (:mod:`mxsplit_component.edges.csvfile`), lazily,
so one bad line is that row's error and the run goes on. At most ``window`` rows are in
flight or waiting to be emitted, so memory does not grow with the file. All checks share
one :class:`DnsClient` and the run's :class:`~.run.RunShared` (SMTP sessions, authoritative
servers). With ``--graph``/``--published`` a ``planner`` looks each row's hosts up first,
outside the check slots: a row waiting on its tenant's Graph holds none.
"""

from __future__ import annotations

import asyncio
import gc
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from functools import partial
from typing import Any, Protocol

from ..core.plan import MxPlan, plan_mx
from ..dns.transport import DnsClient
from ..edges.csvfile import Columns, Row
from ..errors import MxSplitError
from ..options import CheckOptions
from .report import CheckReport, Result, RowError
from .run import RunShared, check_plan

REQUIRED = ("domain", "tenant")
OPTIONAL = ("dual_stack_host", "ipv4_only_host", "mode")
#: The header of ``check --file`` and ``plan --file``.
COLUMNS = Columns(REQUIRED, OPTIONAL)
#: Their header with ``--graph`` or ``--published``: the lookup can name the tenant.
LOOKUP_COLUMNS = Columns(REQUIRED[:1], REQUIRED[1:] + OPTIONAL)
#: Young-generation threshold while rows are checked. A bulk run makes almost no reference
#: cycles, but its lookups in flight keep the net count of new objects climbing: at
#: CPython's default (700), 20 000 rows ran about 2 200 young and 18 full collections, a
#: sixth of the run's CPU, that freed almost nothing. Cycles are still collected, in larger
#: batches; the previous threshold comes back when the rows end.
BULK_GC_THRESHOLD = 100_000


class Planned(Protocol):
    """A row planned by a :data:`RowPlanner`: its plan, and what it adds to the row's check."""

    @property
    def plan(self) -> MxPlan: ...

    def finish(self, rep: CheckReport) -> CheckReport: ...


#: Plans a row (looking its hosts up), or says why it cannot be checked.
RowPlanner = Callable[[Row], Awaitable["Planned | RowError"]]
Finish = Callable[[CheckReport], CheckReport] | None


def _done(loop: asyncio.AbstractEventLoop, result: Result) -> asyncio.Future[Result]:
    fut: asyncio.Future[Result] = loop.create_future()
    fut.set_result(result)
    return fut


def _copy_result(slot: asyncio.Future[Result], task: asyncio.Future[Result]) -> None:
    """A queued row's check ended: its slot gets the outcome."""
    if slot.done():
        return
    if task.cancelled():
        slot.cancel()
    elif task.exception() is not None:
        slot.set_exception(task.exception())  # type: ignore[arg-type]
    else:
        slot.set_result(task.result())


async def check_rows(rows: Iterable[Row], client: DnsClient, options: CheckOptions, concurrency: int,
                     defaults: dict[str, Any], *, planner: RowPlanner | None = None,
                     shared: RunShared | None = None,
                     idle: Callable[[], None] | None = None) -> AsyncGenerator[Result, None]:
    """Yield a result per row, in input order.

    At most ``concurrency`` checks run at once, started in input order; up to twice as many
    rows wait to be emitted, so one slow row does not stall the others. When the run is
    cancelled (Ctrl-C), the rows already finished are still yielded, in input order, before
    the cancellation goes on.

    :param planner: plans each row instead of its columns alone (``--graph``/``--published``).
    :param shared: what the run's checks share (default: one of its own for this call).
    :param idle: called before waiting for the next row (the caller flushes its output then:
        a line per row on a slow run, one write per burst of rows on a fast one).
    """
    loop = asyncio.get_running_loop()
    window = max(2 * concurrency, 8)
    #: Each row's result in input order: its check's task, or a future already holding a
    #: row error, or (while it waits for its hosts or a free check) a future filled later.
    pending: deque[asyncio.Future[Result]] = deque()
    #: Planned rows waiting for one of the ``concurrency`` running checks to end.
    queued: deque[tuple[asyncio.Future[Result], MxPlan, Finish]] = deque()
    #: Running checks and host lookups, cancelled when the run ends early.
    tasks: set[asyncio.Future[Any]] = set()
    running = 0

    def finished(task: asyncio.Future[Result]) -> None:
        nonlocal running
        running -= 1
        tasks.discard(task)
        while queued and running < concurrency:
            slot, plan, finish = queued.popleft()
            start(plan, finish).add_done_callback(partial(_copy_result, slot))

    async def finished_with(plan: MxPlan, finish: Callable[[CheckReport], CheckReport]) -> Result:
        # The check's coroutine is made here, not passed in: a task cancelled before its first
        # step never runs this body, and a coroutine made outside would be left unawaited.
        return finish(await check_plan(plan, client, options, shared=shared))

    def start(plan: MxPlan, finish: Finish) -> asyncio.Task[Result]:
        # A counter and a deque instead of a semaphore: no future per waiting row, and the
        # check's own task is the row's result (no wrapper coroutine unless a finish is due).
        nonlocal running
        running += 1
        checking = check_plan(plan, client, options, shared=shared) if finish is None else finished_with(plan, finish)
        task: asyncio.Task[Result] = loop.create_task(checking)
        task.add_done_callback(finished)
        tasks.add(task)
        return task

    def enqueue(slot: asyncio.Future[Result], plan: MxPlan, finish: Finish) -> None:
        if running < concurrency:
            start(plan, finish).add_done_callback(partial(_copy_result, slot))
        else:
            queued.append((slot, plan, finish))

    async def look_up(slot: asyncio.Future[Result], row: Row) -> None:
        assert planner is not None
        try:
            found = await planner(row)
        except Exception as exc:
            if not slot.done():
                slot.set_exception(exc)
            return
        if slot.done():
            return
        if isinstance(found, RowError):
            slot.set_result(found)
        else:
            enqueue(slot, found.plan, found.finish)

    def admit(row: Row) -> None:
        domain = row.fields.get("domain", "")
        if row.error is not None:
            pending.append(_done(loop, RowError(row.line, domain, row.error, tenant=row.fields.get("tenant") or None)))
            return
        if planner is not None:
            slot: asyncio.Future[Result] = loop.create_future()
            pending.append(slot)
            task = loop.create_task(look_up(slot, row))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            return
        try:
            extra = {k: row.fields[k] for k in OPTIONAL if row.fields.get(k)}
            plan = plan_mx(domain=domain, tenant=row.fields.get("tenant", ""), **{**defaults, **extra})
        except MxSplitError as exc:
            error = RowError(row.line, domain, f"line {row.line}: {exc}", tenant=row.fields.get("tenant") or None)
            pending.append(_done(loop, error))
            return
        if running < concurrency:
            pending.append(start(plan, None))
        else:
            slot = loop.create_future()
            pending.append(slot)
            queued.append((slot, plan, None))

    iterator = iter(rows)
    exhausted = False
    saved = gc.get_threshold()
    if saved[0]:  # 0: the program turned automatic collection off
        gc.set_threshold(max(saved[0], BULK_GC_THRESHOLD), *saved[1:])
    try:
        while True:
            while not exhausted and len(pending) < window:
                row = next(iterator, None)
                if row is None:
                    exhausted = True
                    break
                admit(row)
            if not pending:
                return
            head = pending[0]
            if not head.done():
                if idle is not None:
                    idle()
                await head
            yield head.result()
            pending.popleft()
    except asyncio.CancelledError:
        for fut in pending:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                yield fut.result()
        raise
    finally:
        gc.set_threshold(*saved)
        queued.clear()
        # Slots and checks in the window, and what runs for a slot (a host lookup, a queued
        # row's check): cancelling a slot does not cancel the task that would fill it.
        for fut in (*pending, *tasks):
            fut.cancel()
