"""``mxsplit plan --format …``: the I/O around the pure exports (flags, CSV rows, files).

Prints nothing itself: the CLI passes ``emit`` (stdout) and ``warn`` (stderr), so with
``--format`` stdout holds the document and nothing else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..backends.flags import adopt_roles_text
from ..core.plan import MxPlan, plan_mx
from ..core.rules import validate_plan
from ..edges.userfile import UserFileError, replace_file
from ..errors import MxSplitError
from ..exitcodes import ExitCode
from . import FORMATS, file_name, render

if TYPE_CHECKING:
    from ..edges.csvfile import Row
    from ..options import PlanArgs

Emit = Callable[[str], None]


def adopt_ids(pairs: list[str]) -> dict[str, str]:
    """``["mx=<id>"]`` -> ``{"mx": "<id>"}``; the backend checks each id later."""
    ids: dict[str, str] = {}
    for pair in pairs:
        role, sep, value = pair.partition("=")
        role = role.strip().replace("-", "_")
        if not sep or not role or not value.strip():
            raise MxSplitError(f"--adopt {pair!r} is not ROLE=ID: {adopt_roles_text()}", field="adopt")
        if role in ids:
            raise MxSplitError(f"--adopt {role} given twice; pass one id per role", field=f"adopt.{role}")
        ids[role] = value.strip()
    return ids


def _document(args: PlanArgs, plan: MxPlan, adopt: dict[str, str], name: str | None) -> str:
    assert args.format is not None
    if args.provider is not None and not FORMATS[args.format].needs_provider:
        from .targets import describe

        describe(plan, args.provider, args.settings)  # the records must be publishable there (its TTL range)
    return render(args.format, plan, provider=args.provider, settings=args.settings, adopt=adopt, name=name)


def run_export(args: PlanArgs, planner: Callable[[PlanArgs], MxPlan], emit: Emit, warn: Emit) -> int:
    """One domain to stdout, or every ``--file`` row to ``--out-dir``. Returns the exit code.

    The CLI has refused every flag this export would not use.
    """
    adopt = adopt_ids(list(args.adopt))
    if args.file is None:
        plan = planner(args)
        emit(_document(args, plan, adopt, args.name))
        return ExitCode.OK if validate_plan(plan)["ok"] else ExitCode.FINDINGS
    return _export_rows(args, emit, warn)


def _export_rows(args: PlanArgs, emit: Emit, warn: Emit) -> int:
    """Each row's document into ``--out-dir``; a row that cannot be planned or written is that row's error.

    With ``--graph``/``--published`` each row's hosts are looked up first (several rows at once,
    documents still written in input order): a refusal is that row's error (exit 2), a lookup
    that failed too (exit 3). Ctrl-C stops after the file being written is complete or untouched
    (exit 130).
    """
    from ..check.bulk import COLUMNS, LOOKUP_COLUMNS
    from ..edges.csvfile import open_rows

    assert args.file is not None and args.out_dir is not None and args.format is not None
    out = Path(args.out_dir)
    rows_out = _Rows(args, out, emit, warn)
    with open_rows(args.file, LOOKUP_COLUMNS if args.sources.names else COLUMNS) as rows:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise MxSplitError(f"--out-dir {args.out_dir} is a file; name a folder", field="out_dir") from None
        except OSError as exc:
            raise MxSplitError(f"--out-dir {args.out_dir}: {exc.strerror}", field="out_dir") from None
        try:
            if args.sources.names:
                asyncio.run(_looked_up(args, rows, rows_out))
            else:
                for row in rows:
                    try:
                        plan = _from_columns(args, row)
                    except MxSplitError as exc:
                        rows_out.failed(row.line, str(exc))
                        continue
                    rows_out.write(row.line, plan)
        except KeyboardInterrupt:
            return ExitCode.INTERRUPTED
    return rows_out.worst


def _from_columns(args: PlanArgs, row: Row) -> MxPlan:
    from ..check.bulk import OPTIONAL

    if row.error is not None:
        raise MxSplitError(row.error, field="file")
    fields = row.fields
    extra = {k: fields[k] for k in OPTIONAL if fields.get(k)}
    return plan_mx(domain=fields.get("domain", ""), tenant=fields.get("tenant", ""), **{**args.plan.shape(), **extra})


async def _looked_up(args: PlanArgs, rows: Iterable[Row], rows_out: _Rows) -> None:
    from ..check.bulk import LOOKUP_COLUMNS
    from ..check.rowplans import RowFailure, RowPlan, RowPlanner
    from ..hosts.command import lookup_options, named_tenants
    from ..hosts.lookup import in_order, open_finder
    from ..hosts.model import LOOKUP_CONCURRENCY

    assert args.file is not None
    tenants = named_tenants(args.file, LOOKUP_COLUMNS, args.plan.cloud) if args.sources.graph else ()
    options = lookup_options(args.sources, args.sources.names, args.plan.cloud, args.dns, tenants)
    async with open_finder(options) as finder:
        planner = RowPlanner(finder, args.plan, check=False)

        async def plan(row: Row) -> tuple[int, RowPlan | RowFailure]:
            return row.line, await planner.plan(row)

        async for line, found in in_order(rows, plan, LOOKUP_CONCURRENCY):
            if isinstance(found, RowFailure):
                rows_out.failed(line, found.error, found.code)
            else:
                rows_out.write(line, found.plan)


class _Rows:
    """Writes each row's document, remembering the worst exit code and the domains written."""

    def __init__(self, args: PlanArgs, out: Path, emit: Emit, warn: Emit) -> None:
        self.args, self.out, self.emit, self.warn = args, out, emit, warn
        self.worst = ExitCode.OK
        self.written: set[str] = set()

    def failed(self, line: int, error: str, code: ExitCode = ExitCode.USAGE) -> None:
        self.warn(f"{self.args.file}:{line}: {error}\n")
        self.worst = max(self.worst, code)

    def write(self, line: int, plan: MxPlan) -> None:
        assert self.args.format is not None
        try:
            if plan.domain in self.written:
                raise MxSplitError(f"domain {plan.domain} appears twice; its document is already written",
                                   field="domain")
            path = self.out / file_name(self.args.format, plan.domain)
            replace_file(path, _document(self.args, plan, {}, None).encode("utf-8"))
        except (MxSplitError, UserFileError) as exc:
            self.failed(line, str(exc))
            return
        self.written.add(plan.domain)
        self.emit(f"{path}\n")
        if not validate_plan(plan)["ok"] and self.worst == ExitCode.OK:
            self.worst = ExitCode.FINDINGS


__all__ = ["adopt_ids", "run_export"]
