"""What a ``check --file`` run says beyond each row's own check: what changed since a baseline
(``--baseline``), the exit code that follows from it, and the totals a text run ends with
(and ``--summary`` writes).

With a baseline, a row's exit code is about change: 1 only when a change needs action (a new
error, a host that moved, IPv6 on the IPv4-only host, the published set changed off plan);
errors the baseline already had stay in the row's findings without raising 1 again; 2 (a
bad row) and 3 (a lookup or probe that could not complete) stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..exitcodes import ExitCode
from .baseline import Change, changes, needs_action
from .report import Result
from .summary import Summary


@dataclass(frozen=True)
class Judged:
    """One row as the run reports it."""

    result: Result
    #: The row's JSON, with ``changes`` when there is a baseline (``None``: nobody needed it).
    row: dict[str, Any] | None
    #: The row's part in the run's exit code.
    code: ExitCode
    changes: tuple[Change, ...] | None = None


class BulkRun:
    """Judges the rows of one run, in order; ``summary`` is fed every row."""

    def __init__(self, baseline: Mapping[str, Mapping[str, Any]] | None = None, summary: Summary | None = None) -> None:
        self.baseline = baseline
        self.summary = summary

    def judge(self, result: Result) -> Judged:
        if self.baseline is None and self.summary is None:
            return Judged(result, None, result.exit_code)
        row = result.to_json()
        code = result.exit_code
        found: tuple[Change, ...] | None = None
        if self.baseline is not None:
            found = tuple(changes(self.baseline.get(str(row.get("domain"))), row))
            row["changes"] = [c.to_json() for c in found]
            if code not in (ExitCode.USAGE, ExitCode.INCOMPLETE):
                code = ExitCode.FINDINGS if needs_action(found) else ExitCode.OK
        if self.summary is not None:
            self.summary.add(row, result.exit_code, result.tenant)
        return Judged(result, row, code, found)


__all__ = ["BulkRun", "Judged"]
