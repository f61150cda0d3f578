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
#: Domains listed under "needs action"; the rest are counted.
MAX_LISTED = 1000
NO_TENANT = "(none)"


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
    verdicts: Counter[ExitCode] = field(default_factory=Counter)
    #: Finding id -> (severity, domains with it).
    findings: dict[str, tuple[str, int]] = field(default_factory=dict)
    tenants: dict[str, Counter[ExitCode]] = field(default_factory=dict)
    action: list[ActionItem] = field(default_factory=list)
    unlisted: int = 0
    changed: int = 0

    def add(self, row: Mapping[str, Any], code: ExitCode, tenant: str | None = None) -> None:
        """Count one row: its JSON (``domain``, ``findings``, ``error``, ``changes``) and exit code."""
        code = ExitCode(code)
        tenant = tenant or NO_TENANT
        self.verdicts[code] += 1
        self.tenants.setdefault(tenant, Counter())[code] += 1
        for fid, severity in {str(f.get("id")): str(f.get("severity")) for f in row.get("findings") or ()}.items():
            _, n = self.findings.get(fid, (severity, 0))
            self.findings[fid] = (severity, n + 1)
        reasons = reasons_of(row)
        if "changes" in row:
            # With a baseline, what needs action is what changed, plus what could not be checked.
            changes = [c for c in row["changes"] or () if isinstance(c, Mapping)]
            self.changed += bool(changes)
            reasons = [(str(c.get("kind")), str(c.get("message"))) for c in changes if c.get("action")]
            reasons += [(fid, msg) for fid, msg in reasons_of(row) if fid == "dns-error"]
        if "error" in row:
            reasons.append(("bad-row", str(row["error"])))
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
        return ", ".join(f"{self.verdicts.get(code, 0)} {label}" for code, label in VERDICTS)

    def text_lines(self) -> list[str]:
        """Finding and tenant totals for the end of a text run (before its last "checked" line)."""
        lines = []
        if self.findings:
            lines.append("findings: " + ", ".join(f"{fid} {n}" for fid, (_, n) in self._by_count()))
        if len(self.tenants) > 1 or NO_TENANT not in self.tenants:
            for tenant, counts in sorted(self.tenants.items()):
                lines.append(f"tenant {tenant}: " + ", ".join(f"{counts.get(c, 0)} {label}" for c, label in VERDICTS))
        return lines

    def _by_count(self) -> list[tuple[str, tuple[str, int]]]:
        rank = {"error": 0, "warning": 1, "info": 2}
        return sorted(self.findings.items(), key=lambda kv: (rank.get(kv[1][0], 3), -kv[1][1], kv[0]))

    def markdown(self) -> str:
        out = [f"# {self.title}: {self.total} domains", "", "| verdict | domains |", "|---|---:|"]
        out += [f"| {label} | {self.verdicts.get(code, 0)} |" for code, label in VERDICTS]
        if self.changed:
            out += ["", f"{self.changed} domains changed since the baseline."]
        if self.findings:
            out += ["", "## Findings", "", "| finding | severity | domains |", "|---|---|---:|"]
            out += [f"| `{fid}` | {severity} | {n} |" for fid, (severity, n) in self._by_count()]
        if len(self.tenants) > 1 or NO_TENANT not in self.tenants:
            out += ["", "## Per tenant", "", "| tenant | domains | " + " | ".join(label for _, label in VERDICTS) + " |",
                    "|---|---:|" + "---:|" * len(VERDICTS)]
            for tenant, counts in sorted(self.tenants.items()):
                cells = " | ".join(str(counts.get(code, 0)) for code, _ in VERDICTS)
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
