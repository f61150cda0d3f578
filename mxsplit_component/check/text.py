"""Text renderers for ``mxsplit check``: read the typed report, return strings. Nothing prints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..core.findings import finding_lines
from ..core.plan import MxRecord
from ..edges.display import shown, shown_lines
from ..exitcodes import ExitCode
from ..options import PER_ADDRESS, PER_NETWORK
from ..simulation import simulation_lines
from .baseline import Change
from .report import CheckReport, Result, RowError, SmtpResult
from .smtp_findings import FAMILY_NAME, SMTP_INCOMPLETE_IDS

VERDICTS = {ExitCode.OK: "OK", ExitCode.FINDINGS: "FAIL", ExitCode.USAGE: "BAD INPUT",
            ExitCode.INCOMPLETE: "INCOMPLETE (a lookup or probe could not complete)"}
#: Bulk rows: the state column and the totals, per exit code.
ROW_STATES = {ExitCode.OK: "ok", ExitCode.FINDINGS: "FAIL", ExitCode.INCOMPLETE: "INCOMPLETE", ExitCode.USAGE: "BAD ROW"}
TOTALS = ((ExitCode.OK, "OK"), (ExitCode.FINDINGS, "with errors"), (ExitCode.INCOMPLETE, "could not check"),
          (ExitCode.USAGE, "bad rows"))


def _records(items: Iterable[MxRecord]) -> str:
    return "; ".join(f"{r.preference} {r.exchange}" for r in items) or "(none)"


#: Shown where a lookup failed: unknown, never "(none)" or "-", which mean "nothing published".
UNKNOWN = "unknown (the lookup failed: see dns-error)"


def check_text(rep: CheckReport) -> str:
    code = rep.exit_code
    published = UNKNOWN if rep.mx_error is not None else _records(rep.published)
    out = [f"mxsplit check {rep.domain}", "", f"  expected   {_records(rep.expected)}",
           f"  published  {published}", "", "Addresses"]
    for host, addr in rep.addresses.items():
        out.append(f"  {host}")
        for family, label, found in (("ipv4", "IPv4", addr.ipv4), ("ipv6", "IPv6", addr.ipv6)):
            out.append(f"      {label} {UNKNOWN if family in addr.unknown else ', '.join(found) or '-'}")
        if addr.ipv6_synthesized:
            out.append(f"      DNS64 {', '.join(addr.ipv6_synthesized)} (synthesised by the resolver, ignored)")
    if rep.smtp is not None:
        out += ["", *smtp_lines(rep.smtp)]
    out += ["", "Findings"]
    if rep.findings:
        out += finding_lines(rep.findings)
    else:
        out.append("  none: the split is published and every host answers as planned")
    if rep.simulation_skipped:
        out += ["", f"Sender simulation: {rep.simulation_note}"]
    elif rep.simulation:
        out += ["", f"Sender simulation ({rep.simulation_note or 'addresses as published'})",
                *simulation_lines([c.to_json() for c in rep.simulation])]
    out += ["", f"verdict: {VERDICTS[code]} (exit {int(code)})"]
    return shown_lines(out)  # banners, EHLO lines and DNS details come from the network


def smtp_lines(smtp: SmtpResult) -> list[str]:
    """Per host and address: how far the session got."""
    lines = [f"SMTP (port {smtp.port})"]
    if smtp.limits is not None and smtp.limits != (PER_ADDRESS, PER_NETWORK):
        lines[0] = (f"SMTP (port {smtp.port}; sessions at once: at most {smtp.limits[0]} per address, "
                    f"{smtp.limits[1]} per /24 or /48)")
    host = None
    for p in smtp.probes:
        if p.host != host:
            host = p.host
            lines.append(f"  {host}")
        if p.outcome == "ok":
            tls = "no STARTTLS" if not p.starttls else (
                f"{p.tls_version or 'TLS'}, certificate verified" if p.tls == "verified"
                else f"STARTTLS, TLS {p.tls}")
            state = f"ok       {p.banner or ''} | {tls}"
        else:
            where = "" if p.stage == "connect" else f" at {p.stage}"
            state = f"{p.outcome + where:<8} {p.detail}"
        lines.append(f"      {FAMILY_NAME[p.family]} {p.address:<26}{state}")
    if not smtp.probes:
        lines.append("  no addresses to probe")
    return lines


def summary_header() -> str:
    return f"{'domain':<40} {'verdict':<10} findings (errors) / reason"


def summary_line(rep: Result) -> str:
    if isinstance(rep, RowError):
        return shown(f"{rep.domain or '(line ' + str(rep.line) + ')':<40} {ROW_STATES[rep.exit_code]:<10} {rep.error}")
    # A row can be incomplete with no error finding: the SMTP probe could not run from here.
    ids = sorted({f.id for f in rep.findings if f.severity == "error" or f.id in SMTP_INCOMPLETE_IDS})
    return shown(f"{rep.domain:<40} {ROW_STATES[rep.exit_code]:<10} {', '.join(ids)}")


def changes_text(changes: Iterable[Change] | None) -> str:
    """A bulk row's changes since the baseline, after its line: each kind, ``(action)`` where it needs one."""
    kinds = Counter(c.kind + (" (action)" if c.action else "") for c in changes or ())
    shown = [kind if n == 1 else f"{kind} ×{n}" for kind, n in kinds.items()]
    return f"  changes: {', '.join(shown)}" if shown else ""


def totals_line(counts: Counter[ExitCode], *, interrupted: bool = False) -> str:
    total = sum(counts.values())
    parts = ", ".join(f"{counts.get(code, 0)} {label}" for code, label in TOTALS)
    return f"{'interrupted after' if interrupted else 'checked'} {total} rows: {parts}"
