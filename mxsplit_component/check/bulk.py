"""Check many domains from a CSV, concurrently, with results in input order and flat memory.

Rows are read lazily, one line at a time, so one bad line (bytes that are not UTF-8, a
field far too long, a stray quote, too many fields) is that row's error and the run goes
on. Quoted fields spanning lines are not supported: no column of this file can hold a
line break. At most ``window`` rows are in flight or waiting to be emitted, so memory does
not grow with the file. All checks share one :class:`DnsClient`.
"""

from __future__ import annotations

import asyncio
import csv
import gc
from collections import deque
from collections.abc import AsyncGenerator, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO

from ..core.plan import MxPlan, plan_mx
from ..dns.transport import DnsClient
from ..errors import MxSplitError
from .report import Result, RowError
from .run import CheckOptions, check_plan

REQUIRED = ("domain", "tenant")
OPTIONAL = ("dual_stack_host", "ipv4_only_host", "mode")
#: Longest line accepted: far above any row of host names (each at most 253 octets).
MAX_LINE = 4096
BOM = b"\xef\xbb\xbf"
#: Young-generation threshold while rows are checked. A bulk run makes almost no reference
#: cycles, but its lookups in flight keep the net count of new objects climbing: at
#: CPython's default (700), 20 000 rows ran about 2 200 young and 18 full collections, a
#: sixth of the run's CPU, that freed almost nothing. Cycles are still collected, in larger
#: batches; the previous threshold comes back when the rows end.
BULK_GC_THRESHOLD = 100_000


@dataclass(frozen=True)
class Row:
    line: int
    fields: dict[str, str]
    #: Why the line cannot be read as a row (then ``fields`` holds what could be read).
    error: str | None = None


def _lines(fh: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the line break) — ``None`` for a line over MAX_LINE."""
    number = 0
    while True:
        line = fh.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the long line
                line = fh.readline(1 << 16)
            yield number, None
            continue
        yield number, line.rstrip(b"\r\n")


def _decode(number: int, raw: bytes) -> tuple[str | None, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"line {number} is not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); save the file as UTF-8"


def _split(text: str) -> list[str]:
    if '"' not in text and "\r" not in text and "\n" not in text and "\0" not in text:
        return text.split(",")  # what the csv module reads from a line without quotes
    return next(csv.reader([text], strict=True), [])


def read_rows(fh: BinaryIO) -> Iterator[Row]:
    """The rows of a CSV opened in binary mode; raises ``MxSplitError`` for a bad header.

    A UTF-8 byte order mark (Excel's "CSV UTF-8") is accepted. Unknown columns are refused,
    naming the column, before anything is checked.
    """
    lines = _lines(fh)
    header: list[str] = []
    for number, raw in lines:
        if raw is None:
            raise MxSplitError(f"--file line {number} (the header) is longer than {MAX_LINE} bytes", field="file")
        text, error = _decode(number, raw.removeprefix(BOM) if number == 1 else raw)
        if error or text is None:
            raise MxSplitError(f"--file header: {error}", field="file")
        if text.strip():
            try:
                header = [h.strip() for h in _split(text)]
            except csv.Error as exc:
                raise MxSplitError(f"--file header is not valid CSV ({exc})", field="file") from None
            break
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise MxSplitError(f"--file needs a header with {', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)}); "
                           f"missing: {', '.join(missing)}", field="file")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise MxSplitError(f"--file has an unknown column {unknown[0]!r}; use {', '.join(REQUIRED + OPTIONAL)}",
                           field="file")
    repeated = [c for c in header if header.count(c) > 1]
    if repeated:
        raise MxSplitError(f"--file names the column {repeated[0]!r} twice", field="file")
    for number, raw in lines:
        if raw is None:
            yield Row(number, {}, f"line {number} is longer than {MAX_LINE} bytes")
            continue
        text, error = _decode(number, raw)
        if text is None:
            yield Row(number, {}, error)
            continue
        if not text.strip():
            continue
        try:
            values = _split(text)
        except csv.Error as exc:
            yield Row(number, {}, f"line {number} is not valid CSV ({exc})")
            continue
        fields = {k: v.strip() for k, v in zip(header, values, strict=False)}
        error = f"line {number} has more fields than the header" if len(values) > len(header) else None
        yield Row(number, fields, error)


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
                     defaults: dict[str, Any]) -> AsyncGenerator[Result, None]:
    """Yield a result per row, in input order.

    At most ``concurrency`` checks run at once, started in input order; up to twice as many
    rows wait to be emitted, so one slow row does not stall the others. When the run is
    cancelled (Ctrl-C), the rows already finished are still yielded, in input order, before
    the cancellation goes on.
    """
    loop = asyncio.get_running_loop()
    window = max(2 * concurrency, 8)
    #: Each row's result in input order: its check's task, or a future already holding a
    #: row error, or (while it waits for a free check) a future the task will fill.
    pending: deque[asyncio.Future[Result]] = deque()
    #: Planned rows waiting for one of the ``concurrency`` running checks to end.
    queued: deque[tuple[asyncio.Future[Result], MxPlan]] = deque()
    running = 0

    def finished(_: asyncio.Future[Result]) -> None:
        nonlocal running
        running -= 1
        while queued and running < concurrency:
            slot, plan = queued.popleft()
            start(plan).add_done_callback(partial(_copy_result, slot))

    def start(plan: MxPlan) -> asyncio.Task[Result]:
        # A counter and a deque instead of a semaphore: no future per waiting row, and the
        # check's own task is the row's result (no wrapper coroutine, no extra future).
        nonlocal running
        running += 1
        task: asyncio.Task[Result] = loop.create_task(check_plan(plan, client, options))
        task.add_done_callback(finished)
        return task

    def admit(row: Row) -> None:
        domain = row.fields.get("domain", "")
        if row.error is not None:
            pending.append(_done(loop, RowError(row.line, domain, row.error)))
            return
        try:
            extra = {k: row.fields[k] for k in OPTIONAL if row.fields.get(k)}
            plan = plan_mx(domain=domain, tenant=row.fields.get("tenant", ""), **{**defaults, **extra})
        except MxSplitError as exc:
            pending.append(_done(loop, RowError(row.line, domain, f"line {row.line}: {exc}")))
            return
        if running < concurrency:
            pending.append(start(plan))
        else:
            slot: asyncio.Future[Result] = loop.create_future()
            pending.append(slot)
            queued.append((slot, plan))

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
            yield head.result() if head.done() else await head
            pending.popleft()
    except asyncio.CancelledError:
        for fut in pending:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                yield fut.result()
        raise
    finally:
        gc.set_threshold(*saved)
        queued.clear()
        for fut in pending:
            fut.cancel()
