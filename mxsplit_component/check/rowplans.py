"""Each ``--file`` row's hosts looked up, then planned: ``plan --file`` and ``check --file`` with
``--graph`` or ``--published``.

A row is looked up the way ``mxsplit hosts`` looks a domain up (:class:`~..hosts.lookup.HostFinder`:
the same sources, trust order, conflicts and refusals), with its own columns as what was
given (``tenant``, ``dual_stack_host``, ``ipv4_only_host``, ``mode``). A Graph refusal is that
row's error and is never rescued by derivation; a lookup that failed is that row's error
with exit 3. ``check --graph`` then compares the published MX with Graph's host
(:mod:`..hosts.drift`), as a single ``check --graph`` does.
"""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ..core.plan import MxPlan
from ..errors import HostLookupError, MxSplitError
from ..exitcodes import ExitCode
from ..hosts.drift import graph_findings, is_moved
from ..hosts.lookup import HostFinder, HostRequest
from ..hosts.model import HostsResult

if TYPE_CHECKING:
    from ..edges.csvfile import Row
    from ..options import PlanFlags
    from .report import CheckReport, RowError

T = TypeVar("T")


@dataclass(frozen=True)
class RowPlan:
    """A row's plan, the lookup it came from, and Graph's host to compare with the zone."""

    plan: MxPlan
    hosts: HostsResult
    graph_host: str | None = None

    def finish(self, rep: CheckReport) -> CheckReport:
        """The row's check with the lookup (``hosts``) and the Graph drift findings."""
        drift = graph_findings(self.plan, self.graph_host, rep.published)
        return replace(rep, findings=(*rep.findings, *drift), hosts=self.hosts)


def plan_checked(result: HostsResult, flags: PlanFlags) -> RowPlan:
    """The plan to check for a looked-up domain (``check --graph``/``--published``).

    Moved (Graph names an ``mx.microsoft`` host, the zone still the old one): the old host still
    receives mail, so what is published is checked, and a warning says to move.

    :raises MxSplitError: a source refused, or a host is unknown (as :func:`..hosts.command.plan_from_result`).
    :raises HostLookupError: a lookup failed.
    """
    from ..hosts.command import plan_from_result

    graph = result.sources.get("graph")
    graph_host = graph.dual_stack_host if graph is not None else None
    published = result.sources.get("published")
    old = published.dual_stack_host if published is not None else None
    moved = graph_host is not None and old is not None and is_moved(graph_host, old)
    return RowPlan(plan_from_result(result, flags, dual_stack_host=old if moved else None), result, graph_host)


class RowPlanner:
    """Plans ``--file`` rows with their hosts looked up, sharing ``finder``'s clients across the run.

    :param flags: what every row shares (``--mode``, priorities, ``--cloud``); a row's columns win.
    :param check: plan for a check (a moved host is checked as published; see :func:`plan_checked`).
    """

    def __init__(self, finder: HostFinder, flags: PlanFlags, *, check: bool) -> None:
        self.finder, self.flags, self.check = finder, flags, check

    def _flags(self, row: Row) -> PlanFlags:
        fields = row.fields
        return replace(self.flags, tenant=fields.get("tenant") or self.flags.tenant,
                       dual_stack_host=fields.get("dual_stack_host") or None,
                       ipv4_only_host=fields.get("ipv4_only_host") or None, mode=fields.get("mode") or self.flags.mode)

    async def plan(self, row: Row) -> RowPlan | RowFailure:
        """The row's plan, or why it has none (its message names the line)."""
        from ..hosts.command import plan_from_result

        result: HostsResult | None = None
        tenant = row.fields.get("tenant") or None
        try:
            if row.error is not None:
                return RowFailure(row.line, row.fields.get("domain", ""), row.error, ExitCode.USAGE, tenant)
            flags = self._flags(row)
            request = HostRequest(row.fields.get("domain", ""), flags.tenant, flags.dual_stack_host,
                                  flags.ipv4_only_host)
            result = await self.finder.find(request)
            return plan_checked(result, flags) if self.check else RowPlan(plan_from_result(result, flags), result)
        except (MxSplitError, HostLookupError) as exc:
            code = ExitCode.INCOMPLETE if isinstance(exc, HostLookupError) else ExitCode.USAGE
            domain = result.domain if result is not None else row.fields.get("domain", "")
            return RowFailure(row.line, domain, f"line {row.line}: {in_columns(str(exc))}", code,
                              tenant or (result.tenant if result is not None else None), result)

    async def check_row(self, row: Row) -> RowPlan | RowError:
        """:meth:`plan`, a failure as ``check --file`` reports it (with the lookup, when there was one)."""
        from .report import RowError

        found = await self.plan(row)
        if isinstance(found, RowPlan):
            return found
        return RowError(found.line, found.domain, found.error, code=found.code, hosts=found.hosts, tenant=found.tenant)


#: Rows whose hosts are looked up ahead of their check: a throttled tenant's pause overlaps with the work on
#: other rows instead of stalling the rows behind it (rows are reported in input order). Each row looked up
#: ahead holds about 10 KB while it waits: with the check's own window (512 rows), a run holds at most about
#: 2,500 rows, whatever the length of the file.
LOOKAHEAD = 2048


class Lookahead(Generic[T]):
    """The rows of a ``--file``, each looked up (``plan``) up to :data:`LOOKAHEAD` rows before its turn.

    Iterate over it for the rows, in order; :meth:`planned` gives a row's result (a row that cannot
    be read is not looked up: its error is the reader's). :meth:`close` cancels what is still
    looked up (Ctrl-C). Memory stays flat: at most ``ahead`` rows are held.
    """

    def __init__(self, rows: Iterable[Row], plan: Callable[[Row], Coroutine[Any, Any, T]], ahead: int = LOOKAHEAD) -> None:
        self._rows = iter(rows)
        self._plan, self._ahead = plan, max(1, ahead)
        self._queue: deque[Row] = deque()
        self._tasks: dict[int, asyncio.Task[T]] = {}

    def __iter__(self) -> Lookahead[T]:
        return self

    def __next__(self) -> Row:
        while len(self._queue) < self._ahead:
            row = next(self._rows, None)
            if row is None:
                break
            if row.error is None:
                self._tasks[id(row)] = asyncio.get_running_loop().create_task(self._plan(row))
            self._queue.append(row)
        if not self._queue:
            raise StopIteration
        return self._queue.popleft()

    async def planned(self, row: Row) -> T:
        task = self._tasks.pop(id(row), None)
        return await task if task is not None else await self._plan(row)

    def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()


#: A flag that names one domain's value, and the column a row gives it in (``xn--`` labels are not flags).
_ROW_FLAGS = re.compile(r"(?<![\w-])--(tenant|dual-stack-host|ipv4-only-host)\b")


def in_columns(message: str) -> str:
    """``message`` about a row, naming the file's columns where it names one domain's flags."""
    return _ROW_FLAGS.sub(lambda m: f"the {m.group(1).replace('-', '_')} column", message)


@dataclass(frozen=True)
class RowFailure:
    """A row with no plan: unreadable or refused (exit 2), or its lookup failed (exit 3)."""

    line: int
    domain: str
    error: str
    code: ExitCode
    tenant: str | None = None
    hosts: HostsResult | None = None


__all__ = ["LOOKAHEAD", "Lookahead", "RowFailure", "RowPlan", "RowPlanner", "plan_checked"]
