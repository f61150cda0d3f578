"""Reports as data, and renderers that turn them into text or JSON. Nothing here prints."""

from __future__ import annotations

import json
from typing import Any

from .core.findings import RuleResult, finding_lines, note_lines
from .core.plan import MxPlan
from .core.rules import validate_plan
from .edges.display import shown_lines
from .hosts.model import Conflict


def _plain(value: Any) -> Any:
    """JSON-safe form of a resource input (Deferred values render as a description, settings
    not given as ``<setting>``)."""
    from .backends.spec import Deferred
    from .export.targets import Unset

    if isinstance(value, Deferred):
        return repr(value)
    if isinstance(value, Unset):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def plan_report(plan: MxPlan, *, provider: str | None = None, settings: dict[str, Any] | None = None,
                name: str = "mx") -> dict[str, Any]:
    """Everything ``mxsplit plan`` shows, as plain data.

    Required backend settings missing from ``settings`` show as ``<setting>``.
    """
    report = plan.as_dict()
    report["validation"] = validate_plan(plan)
    if provider is not None:
        from .export.targets import describe

        specs = describe(plan, provider, settings or {})
        report["provider"] = provider
        report["resources"] = [_plain(s.as_dict(name)) for s in specs]
    return report


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=False)


#: Shared by every line: ``json.dumps`` would build an encoder per call (a bulk run's rows).
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def json_line(data: Any) -> str:
    """``data`` as one compact JSON line, exactly as ``json.dumps(data, separators=(",", ":"))``."""
    return _COMPACT.encode(data)


def plan_text(report: dict[str, Any]) -> str:
    """Human-readable ``mxsplit plan`` output."""
    derived = " (derived from the domain: confirm it in the admin center)" if report["dual_stack_host_derived"] \
        else " (given)"
    v4_note = " (tenant host)" if report["ipv4_only_host"] == report["tenant_host"] else " (given)"
    found = report.get("hosts")  # set by --graph / --published: say which source named each host
    if found:
        derived = derived if report["dual_stack_host_derived"] else f" (source: {found['dual_stack_host']['source']})"
        v4_note = f" (source: {found['ipv4_only_host']['source'] or 'tenant'})"
    out = [
        f"mxsplit plan for {report['domain']}: tenant {report['tenant']}, mode {report['mode']}, "
        f"cloud {report['cloud']}",
        "",
        "Hosts",
        f"  IPv4-only   {report['ipv4_only_host']}{v4_note}",
        f"  dual-stack  {report['dual_stack_host']}{derived}",
        *note_lines(Conflict.from_json(c) for c in (found or {}).get("conflicts", [])),
        "",
        "Zone records",
        *(f"  {line}" for line in report["zone_records"]),
        "",
        "Rules" + ("" if report["validation"]["ok"] else " (errors found)"),
        *finding_lines(RuleResult.from_json(r) for r in report["validation"]["rules"]),
    ]
    if "resources" in report:
        out += ["", f"Resources the MxSplit component declares on {report['provider']}"]
        for res in report["resources"]:
            out.append(f"  {res['type']}  {res['name']}")
            for key, value in res["inputs"].items():
                out.append(f"      {key} = {json.dumps(value)}")
    if "simulation" in report:
        from .simulation import simulation_lines

        out += ["", "Sender simulation (addresses Microsoft is expected to publish)",
                *simulation_lines(report["simulation"])]
    return shown_lines(out)  # hosts and notes from Graph or DNS are network text


def backend_table() -> str:
    """The README's provider table, generated from the backends' capability data."""
    from .backends import BACKENDS

    rows = ["| backend | extra | resource | TTL | notes |", "|---|---|---|---|---|"]
    for backend in BACKENDS.values():
        notes = "; ".join(c.reason for c in backend.CAPABILITIES)
        rows.append(f"| {backend.NAME} | `mxsplit-component[{backend.EXTRA}]` | `{backend.SDK_MODULE}` "
                    f"| {backend.TTL} | {notes} |")
    return "\n".join(rows)
