"""``mxsplit plan --format …``: the I/O around the pure exports (flags, CSV rows, files).

Prints nothing itself: the CLI passes ``emit`` (stdout) and ``warn`` (stderr), so with
``--format`` stdout holds the document and nothing else.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.plan import MxPlan, plan_mx
from ..core.rules import validate_plan
from ..edges.userfile import UserFileError, replace_file
from ..errors import MxSplitError
from ..exitcodes import ExitCode
from . import file_name, render

Emit = Callable[[str], None]


#: The plan flag (its ``argparse`` dest) behind each backend setting, per ``--provider``.
SETTING_FLAGS = {
    "azure": {"resource_group_name": "resource_group", "zone_name": "zone_name"},
    "cloudflare": {"zone_id": "zone_id"},
    "route53": {"zone_id": "zone_id"},
    "cloud-dns": {"managed_zone": "managed_zone", "project": "project"},
}


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def provider_settings(ns: argparse.Namespace) -> dict[str, Any]:
    """The backend settings the plan flags give for ``--provider`` (missing ones left out).

    :raises MxSplitError: for a flag of another provider, which would otherwise be dropped.
    """
    own = SETTING_FLAGS.get(ns.provider or "", {})
    for dest in dict.fromkeys(d for flags in SETTING_FLAGS.values() for d in flags.values()):
        if getattr(ns, dest, None) is None or dest in own.values():
            continue
        owners = " and ".join(p for p, flags in SETTING_FLAGS.items() if dest in flags.values())
        fix = (f"--provider {ns.provider} takes {', '.join(_flag(d) for d in own.values())}" if ns.provider
               else f"pass --provider {owners.replace(' and ', ' or ')}, or drop it")
        raise MxSplitError(f"{_flag(dest)} is a {owners} setting; {fix}", field=dest)
    return {key: getattr(ns, dest) for key, dest in own.items() if getattr(ns, dest, None) is not None}


def adopt_ids(pairs: list[str]) -> dict[str, str]:
    """``["mx=<id>"]`` -> ``{"mx": "<id>"}``; the backend checks each id later."""
    ids: dict[str, str] = {}
    for pair in pairs:
        role, sep, value = pair.partition("=")
        role = role.strip().replace("-", "_")
        if not sep or not role or not value.strip():
            raise MxSplitError(f"--adopt {pair!r} is not ROLE=ID; e.g. --adopt mx=<import id> (Azure, Route 53, Cloud "
                               "DNS) or --adopt dual_stack=<zone_id>/<record_id> (Cloudflare)", field="adopt")
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
    """Each row's document into ``--out-dir``; a row that cannot be planned or written is that row's error.

    Ctrl-C stops after the file being written is complete or untouched (exit 130).
    """
    from ..check.bulk import COLUMNS, OPTIONAL
    from ..edges.csvfile import open_rows

    if ns.format == "tf-json" and ns.provider is None:
        raise MxSplitError("--format tf-json writes one provider's resources; pass --provider", field="provider")
    out = Path(ns.out_dir)
    defaults: dict[str, Any] = {"mode": ns.mode, "primary_priority": ns.primary_priority,
                                "secondary_priority": ns.secondary_priority, "cloud": ns.cloud, "ttl": ns.ttl}
    worst, written = ExitCode.OK, set()
    with open_rows(ns.file, COLUMNS) as rows:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise MxSplitError(f"--out-dir {ns.out_dir} is a file; name a folder", field="out_dir") from None
        except OSError as exc:
            raise MxSplitError(f"--out-dir {ns.out_dir}: {exc.strerror}", field="out_dir") from None
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
                    path = out / file_name(ns.format, plan.domain)
                    replace_file(path, _document(ns, plan, {}, None).encode("utf-8"))
                except (MxSplitError, UserFileError) as exc:
                    warn(f"{ns.file}:{row.line}: {exc}\n")
                    worst = ExitCode.USAGE
                    continue
                written.add(plan.domain)
                emit(f"{path}\n")
                if not validate_plan(plan)["ok"] and worst == ExitCode.OK:
                    worst = ExitCode.FINDINGS
        except KeyboardInterrupt:
            return ExitCode.INTERRUPTED
    return worst
