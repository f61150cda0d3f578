"""``mxsplit plan --format …``: the I/O around the pure exports (flags, CSV rows, files).

Prints nothing itself: the CLI passes ``emit`` (stdout) and ``warn`` (stderr), so with
``--format`` stdout holds the document and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
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
    from ..cli.options import PlanArgs

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

    Ctrl-C stops after the file being written is complete or untouched (exit 130).
    """
    from ..check.bulk import COLUMNS, OPTIONAL
    from ..edges.csvfile import open_rows

    assert args.file is not None and args.out_dir is not None and args.format is not None
    out = Path(args.out_dir)
    defaults = args.plan.shape()
    worst, written = ExitCode.OK, set()
    with open_rows(args.file, COLUMNS) as rows:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise MxSplitError(f"--out-dir {args.out_dir} is a file; name a folder", field="out_dir") from None
        except OSError as exc:
            raise MxSplitError(f"--out-dir {args.out_dir}: {exc.strerror}", field="out_dir") from None
        try:
            for row in rows:
                try:
                    if row.error is not None:
                        raise MxSplitError(row.error, field="file")
                    fields = row.fields
                    extra = {k: fields[k] for k in OPTIONAL if fields.get(k)}
                    plan = plan_mx(domain=fields.get("domain", ""), tenant=fields.get("tenant", ""),
                                   **{**defaults, **extra})
                    if plan.domain in written:
                        raise MxSplitError(f"domain {plan.domain} appears twice; its document is already written",
                                           field="domain")
                    path = out / file_name(args.format, plan.domain)
                    replace_file(path, _document(args, plan, {}, None).encode("utf-8"))
                except (MxSplitError, UserFileError) as exc:
                    warn(f"{args.file}:{row.line}: {exc}\n")
                    worst = ExitCode.USAGE
                    continue
                written.add(plan.domain)
                emit(f"{path}\n")
                if not validate_plan(plan)["ok"] and worst == ExitCode.OK:
                    worst = ExitCode.FINDINGS
        except KeyboardInterrupt:
            return ExitCode.INTERRUPTED
    return worst


__all__ = ["adopt_ids", "run_export"]
