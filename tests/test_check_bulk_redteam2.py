"""``check_rows`` closed early: no check or host lookup it started is left running."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from mxsplit_component.check import bulk
from mxsplit_component.check.bulk import Row, check_rows
from mxsplit_component.check.report import RowError
from mxsplit_component.options import CheckOptions


def _rows(n: int) -> list[Row]:
    return [Row(line, {"domain": f"d{line}.test", "tenant": "x"}) for line in range(1, n + 1)]


async def _first_then_close(results: Any) -> Any:
    async with contextlib.aclosing(results) as rows:
        async for result in rows:
            first = result
            break
    await asyncio.sleep(0)  # the cancelled tasks' callbacks run
    return first, [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]


def test_closing_early_cancels_host_lookups() -> None:
    async def planner(row: Row) -> RowError:
        if row.line == 1:
            return RowError(row.line, row.fields["domain"], "no hosts")
        await asyncio.Event().wait()  # a tenant's Graph that does not answer
        raise AssertionError("unreachable")

    async def run() -> Any:
        return await _first_then_close(check_rows(_rows(5), None, CheckOptions(), 2, {},  # type: ignore[arg-type]
                                                  planner=planner))

    first, left = asyncio.run(run())
    assert first.error == "no hosts"
    assert left == []


def test_closing_early_cancels_a_queued_rows_check(monkeypatch: pytest.MonkeyPatch) -> None:
    async def check_plan(plan: Any, *_: Any, **__: Any) -> Any:
        if plan.domain == "d1.test":
            return RowError(1, plan.domain, "first")
        await asyncio.Event().wait()  # a check waiting on a silent server

    monkeypatch.setattr(bulk, "check_plan", check_plan)

    async def run() -> Any:
        # One check at a time: row 2 starts from the queue when row 1 ends, outside the window's own tasks.
        return await _first_then_close(check_rows(_rows(5), None, CheckOptions(), 1, {}))  # type: ignore[arg-type]

    first, left = asyncio.run(run())
    assert first.error == "first"
    assert left == []


def test_a_planned_rows_check_cancelled_before_it_starts_leaves_no_unawaited_coroutine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import warnings

    from mxsplit_component.core.plan import plan_mx

    async def check_plan(plan: Any, *_: Any, **__: Any) -> Any:
        return plan.domain

    class Found:
        def __init__(self, domain: str) -> None:
            self.plan = plan_mx(domain=domain, tenant="x")

        def finish(self, rep: Any) -> Any:
            return rep

    async def planner(row: Row) -> Any:
        await asyncio.sleep(0)  # both rows' hosts arrive in the same turn of the loop
        if row.line == 1:
            return RowError(row.line, row.fields["domain"], "no hosts")
        return Found(row.fields["domain"])

    monkeypatch.setattr(bulk, "check_plan", check_plan)

    async def run() -> Any:
        # Row 1's error wakes the reader before row 2's check (just created) first runs.
        return await _first_then_close(check_rows(_rows(2), None, CheckOptions(), 1, {},  # type: ignore[arg-type]
                                                  planner=planner))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first, _ = asyncio.run(run())
        gc.collect()
    assert first.error == "no hosts"
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []
