"""Check many domains from a CSV, concurrently, with results in input order and flat memory.

Rows are read lazily; at most ``window`` rows are in flight or waiting to be emitted, so
memory does not grow with the file. All checks share one :class:`DnsClient` (one UDP
socket per nameserver).
"""

from __future__ import annotations

import asyncio
import csv
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, TextIO

from ..core.plan import plan_mx
from ..errors import MxSplitError
from .run import CheckOptions, check_plan
from .transport import DnsClient

REQUIRED = ("domain", "tenant")
OPTIONAL = ("dual_stack_host", "ipv4_only_host", "mode")
EXIT_USAGE = 2
ROW_ERROR = "\0error"  # not a valid column name, so never a user's column


def read_rows(fh: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; raises ``MxSplitError`` for a bad header."""
    reader = csv.DictReader(fh)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise MxSplitError(f"--file needs a header with {', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)}); "
                           f"missing: {', '.join(missing)}", field="file")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise MxSplitError(f"--file has an unknown column {unknown[0]!r}; use {', '.join(REQUIRED + OPTIONAL)}",
                           field="file")
    reader.fieldnames = header
    for row in reader:
        clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            clean[ROW_ERROR] = f"line {reader.line_num} has more fields than the header"
        yield reader.line_num, clean


def _row_error(line: int, row: dict[str, Any], message: str) -> dict[str, Any]:
    return {"domain": row.get("domain") or "", "ok": False, "line": line, "error": message}


async def check_rows(rows: Iterable[tuple[int, dict[str, str]]], client: DnsClient, options: CheckOptions,
                     concurrency: int, defaults: dict[str, Any]) -> AsyncIterator[tuple[dict[str, Any], int]]:
    """Yield (result, exit code) per row, in input order."""
    gate = asyncio.Semaphore(concurrency)
    window = max(2 * concurrency, 8)

    async def one(line: int, row: dict[str, str]) -> tuple[dict[str, Any], int]:
        try:
            if ROW_ERROR in row:
                raise MxSplitError(row[ROW_ERROR])
            extra = {k: row[k] for k in OPTIONAL if row.get(k)}
            plan = plan_mx(domain=row.get("domain", ""), tenant=row.get("tenant", ""), **{**defaults, **extra})
        except MxSplitError as exc:
            return _row_error(line, row, str(exc)), EXIT_USAGE
        async with gate:
            return await check_plan(plan, client, options)

    pending: deque[asyncio.Future[tuple[dict[str, Any], int]]] = deque()
    iterator = iter(rows)
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            try:
                line, row = next(iterator)
            except StopIteration:
                exhausted = True
                break
            pending.append(asyncio.ensure_future(one(line, row)))
        if not pending:
            return
        yield await pending.popleft()
