"""``mxsplit plan --format …``: the I/O around the pure exports (flags, CSV rows, files).

Prints nothing itself: the CLI passes ``emit`` (stdout) and ``warn`` (stderr), so with
``--format`` stdout holds the document and nothing else.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..backends.flags import adopt_roles_text, provider_settings
from ..core.plan import MxPlan, plan_mx
from ..core.rules import validate_plan
from ..errors import MxSplitError
from ..exitcodes import ExitCode
from . import file_name, render

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


def _check_flags(ns: argparse.Namespace) -> None:
    if ns.json:
        raise MxSplitError("--format prints only the document; drop --json", field="json")
    if ns.file is not None:
        if ns.domain is not None:
            raise MxSplitError("pass either DOMAIN or --file, not both", field="domain")
        if ns.out_dir is None:
            raise MxSplitError("--file writes one document per domain: name the folder with --out-dir DIR",
                               field="out_dir")
        if ns.name is not None:
            raise MxSplitError("--name names one domain's resources; with --file each domain names its own",
                               field="name")
    elif ns.out_dir is not None:
        raise MxSplitError("--out-dir goes with --file; for one domain the document goes to stdout", field="out_dir")
    if ns.adopt and ns.format != "tf-json":
        raise MxSplitError("--adopt becomes Terraform import blocks: use it with --format tf-json", field="adopt")


def _document(ns: argparse.Namespace, plan: MxPlan, adopt: dict[str, str], name: str | None) -> str:
    return render(ns.format, plan, provider=ns.provider, settings=provider_settings(ns), adopt=adopt, name=name)


def run_export(ns: argparse.Namespace, plan_from_ns: Callable[[argparse.Namespace], MxPlan], emit: Emit,
               warn: Emit) -> int:
    """One domain to stdout, or every ``--file`` row to ``--out-dir``. Returns the exit code."""
    if ns.format is None:
        raise MxSplitError("--file writes documents for other tools: pass --format "
                           "zone|tf-json|dnscontrol|octodns", field="format")
    _check_flags(ns)
    adopt = adopt_ids(ns.adopt)
    if ns.file is None:
        if ns.domain is None:
            raise MxSplitError("pass a DOMAIN, or --file domains.csv with --out-dir", field="domain")
        plan = plan_from_ns(ns)
        emit(_document(ns, plan, adopt, ns.name))
        return ExitCode.OK if validate_plan(plan)["ok"] else ExitCode.FINDINGS
    if adopt:
        raise MxSplitError("--adopt ids belong to one domain; with --file export without them", field="adopt")
    return _export_rows(ns, emit, warn)


def _export_rows(ns: argparse.Namespace, emit: Emit, warn: Emit) -> int:
    from ..check.bulk import OPTIONAL, read_rows

    if ns.format == "tf-json" and ns.provider is None:
        raise MxSplitError("--format tf-json writes one provider's resources; pass --provider", field="provider")
    out = Path(ns.out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        fh = open(ns.file, "rb")
    except OSError as exc:
        raise MxSplitError(f"{exc.filename}: {exc.strerror}", field="file") from None
    defaults: dict[str, Any] = {"mode": ns.mode, "primary_priority": ns.primary_priority,
                                "secondary_priority": ns.secondary_priority, "cloud": ns.cloud, "ttl": ns.ttl}
    worst, written = ExitCode.OK, set()
    with fh:
        for row in read_rows(fh):
            line, fields = row.line, row.fields
            try:
                if row.error is not None:
                    raise MxSplitError(row.error, field="file")
                extra = {k: fields[k] for k in OPTIONAL if fields.get(k)}
                plan = plan_mx(domain=fields.get("domain", ""), tenant=fields.get("tenant", ""), **{**defaults, **extra})
                if plan.domain in written:
                    raise MxSplitError(f"domain {plan.domain} appears twice; its document is already written",
                                       field="domain")
                document = _document(ns, plan, {}, None)
            except MxSplitError as exc:
                warn(f"{ns.file}:{line}: {exc}\n")
                worst = ExitCode.USAGE
                continue
            path = out / file_name(ns.format, plan.domain)
            path.write_text(document, encoding="utf-8")
            written.add(plan.domain)
            emit(f"{path}\n")
            if not validate_plan(plan)["ok"] and worst == ExitCode.OK:
                worst = ExitCode.FINDINGS
    return worst


# provider_settings lives with the backends' flags; the CLI takes it from here with the rest of --format.
__all__ = ["adopt_ids", "provider_settings", "run_export"]
