"""A bulk run in numbers people read: ``--summary FILE.md`` and the totals a text run ends with.

Fed one row at a time (its JSON, as ``--json`` prints it, and its exit code), so memory does
not grow with the file beyond the domains that need action, which are capped. The Markdown
fits a CI job summary or a ticket: totals per verdict and finding id, per tenant, then the
domains that need action with the fix (each error finding's message names it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..exitcodes import ExitCode

VERDICTS = ((ExitCode.OK, "OK"), (ExitCode.FINDINGS, "with errors"), (ExitCode.INCOMPLETE, "could not check"),
            (ExitCode.USAGE, "bad rows"))
#: ``hosts --file``: what each exit code means for a lookup.
HOSTS_VERDICTS = ((ExitCode.OK, "resolved"), (ExitCode.FINDINGS, "unresolved"), (ExitCode.INCOMPLETE, "lookup failed"),
                  (ExitCode.USAGE, "bad rows"))
#: Domains listed under "needs action"; the rest are counted.
MAX_LISTED = 1000
#: Tenants counted one by one (a file with a tenant per row would otherwise grow the totals with it);
#: the rest are counted together.
MAX_TENANTS = 1000
#: Tenants a text run ends with (those with the most rows not OK, when there are more).
TEXT_TENANTS = 20
NO_TENANT = "(none)"
OTHER_TENANTS = "(other tenants)"


@dataclass(frozen=True)
class ActionItem:
    domain: str
    tenant: str
    code: ExitCode
    #: (finding id or change kind, message naming the fix).
    reasons: tuple[tuple[str, str], ...]


@dataclass
class Summary:
    """Totals of a bulk run, fed row by row with :meth:`add`."""

    title: str = "mxsplit check"
    #: (exit code, what it means) in the order shown.
    labels: tuple[tuple[ExitCode, str], ...] = VERDICTS
    verdicts: Counter[ExitCode] = field(default_factory=Counter)
    #: Finding id -> (severity, domains with it).
    findings: dict[str, tuple[str, int]] = field(default_factory=dict)
    tenants: dict[str, Counter[ExitCode]] = field(default_factory=dict)
    action: list[ActionItem] = field(default_factory=list)
    unlisted: int = 0
    changed: int = 0
    #: Rows with a change that needs action; ``baseline``: rows were compared with one.
    acting: int = 0
    baseline: bool = False

    def add(self, row: Mapping[str, Any], code: ExitCode, tenant: str | None = None) -> None:
        """Count one row: its JSON (``domain``, ``findings``, ``error``, ``changes``) and exit code."""
        code = ExitCode(code)
        tenant = tenant or NO_TENANT
        if tenant not in self.tenants and len(self.tenants) >= MAX_TENANTS:
            tenant = OTHER_TENANTS
        self.verdicts[code] += 1
        self.tenants.setdefault(tenant, Counter())[code] += 1
        for fid, severity in {str(f.get("id")): str(f.get("severity")) for f in row.get("findings") or ()}.items():
            _, n = self.findings.get(fid, (severity, 0))
            self.findings[fid] = (severity, n + 1)
        reasons = reasons_of(row)
        if "changes" in row:
            # With a baseline, what needs action is what changed, plus what could not be checked.
            changes = [c for c in row["changes"] or () if isinstance(c, Mapping)]
            self.baseline = True
            self.changed += bool(changes)
            reasons = [(str(c.get("kind")), str(c.get("message"))) for c in changes if c.get("action")]
            self.acting += bool(reasons)
            reasons += [(fid, msg) for fid, msg in reasons_of(row) if fid == "dns-error"]
        if "error" in row:  # a row with no check: unreadable or refused (2), or its host lookup failed (3)
            reasons.append(("lookup-failed" if code == ExitCode.INCOMPLETE else "bad-row", str(row["error"])))
        if not reasons:
            return
        if len(self.action) < MAX_LISTED:
            self.action.append(ActionItem(str(row.get("domain") or ""), tenant, code, tuple(reasons)))
        else:
            self.unlisted += 1

    @property
    def total(self) -> int:
        return sum(self.verdicts.values())

    def totals_line(self) -> str:
        return ", ".join(f"{self.verdicts.get(code, 0)} {label}" for code, label in self.labels)

    def text_lines(self) -> list[str]:
        """Finding and tenant totals for the end of a text run (before its last "checked" line)."""
        lines = []
        if self.findings:
            lines.append("findings: " + ", ".join(f"{fid} {n}" for fid, (_, n) in self._by_count()))
        if len(self.tenants) > 1 or NO_TENANT not in self.tenants:
            shown = sorted(self.tenants.items())
            if len(shown) > TEXT_TENANTS:
                shown = sorted(shown, key=lambda kv: -sum(n for c, n in kv[1].items() if c != ExitCode.OK))
                shown = sorted(shown[:TEXT_TENANTS])
            for tenant, counts in shown:
                lines.append(f"tenant {tenant}: " + ", ".join(f"{counts.get(c, 0)} {label}" for c, label in self.labels))
            if len(self.tenants) > len(shown):
                lines.append(f"… and {len(self.tenants) - len(shown)} more tenants (--summary lists them)")
        if self.baseline:
            lines.append(f"since the baseline: {self.changed} domains changed, {self.acting} need action")
        return lines

    def _by_count(self) -> list[tuple[str, tuple[str, int]]]:
        rank = {"error": 0, "warning": 1, "info": 2}
        return sorted(self.findings.items(), key=lambda kv: (rank.get(kv[1][0], 3), -kv[1][1], kv[0]))

    def markdown(self) -> str:
        out = [f"# {self.title}: {self.total} domains", "", "| verdict | domains |", "|---|---:|"]
        out += [f"| {label} | {self.verdicts.get(code, 0)} |" for code, label in self.labels]
        if self.baseline:
            out += ["", f"{self.changed} domains changed since the baseline, {self.acting} of them need action."]
        if self.findings:
            out += ["", "## Findings", "", "| finding | severity | domains |", "|---|---|---:|"]
            out += [f"| `{fid}` | {severity} | {n} |" for fid, (severity, n) in self._by_count()]
        if len(self.tenants) > 1 or NO_TENANT not in self.tenants:
            out += ["", "## Per tenant", "", "| tenant | domains | " + " | ".join(label for _, label in self.labels)
                    + " |", "|---|---:|" + "---:|" * len(self.labels)]
            for tenant, counts in sorted(self.tenants.items()):
                cells = " | ".join(str(counts.get(code, 0)) for code, _ in self.labels)
                out.append(f"| {cell(tenant)} | {sum(counts.values())} | {cells} |")
        listed = len(self.action) + self.unlisted
        out += ["", f"## Needs action ({listed})", ""]
        if not listed:
            out.append("Nothing needs action.")
        else:
            out += ["| domain | tenant | what | fix |", "|---|---|---|---|"]
            for item in self.action:
                for what, message in item.reasons:
                    out.append(f"| {cell(item.domain)} | {cell(item.tenant)} | `{cell(what)}` | {cell(message)} |")
            if self.unlisted:
                out += ["", f"… and {self.unlisted} more domains (listed in the JSON lines)."]
        return "\n".join(out) + "\n"


def write_summary(path: str, summary: Summary, flag: str = "--summary") -> None:
    """Write ``summary``'s Markdown to ``path`` with the one user-file writer.

    :raises MxSplitError: (field ``summary``) naming the file and the fix.
    """
    from pathlib import Path

    from ..edges.userfile import UserFileError, replace_file
    from ..errors import MxSplitError

    try:
        replace_file(Path(path), summary.markdown().encode("utf-8"))
    except UserFileError as exc:
        raise MxSplitError(f"{flag} {path}: {exc}", field="summary") from None


def check_summary_file(path: str) -> None:
    """Refuse, before any lookup, a ``--summary`` file that could not be written.

    :raises MxSplitError: (field ``summary``) naming the file and the fix.
    """
    from pathlib import Path

    from ..edges.userfile import UserFileError, check_replaceable
    from ..errors import MxSplitError

    try:
        check_replaceable(Path(path))
    except UserFileError as exc:
        raise MxSplitError(f"--summary {path}: {exc}", field="summary") from None


def reasons_of(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(id, message) of a row's error findings: each message names the fix."""
    return [(str(f.get("id")), str(f.get("message", ""))) for f in row.get("findings") or ()
            if f.get("severity") == "error"]


def cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell: one line, no pipe, control characters shown."""
    out = []
    for ch in text:
        if ch == "|":
            out.append("\\|")
        elif ch in "\r\n\t":
            out.append(" ")
        elif ord(ch) < 32 or ord(ch) == 127 or 0x80 <= ord(ch) < 0xA0:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


__all__ = ["MAX_LISTED", "ActionItem", "Summary", "cell"]
