"""The typed check report: one exit code for DNS, SMTP and extra findings; JSON keys scripts rely on."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from mxsplit_component.check.report import CheckReport, SmtpResult
from mxsplit_component.check.smtp import AddressProbe, targets_for
from mxsplit_component.check.text import check_text, summary_line, totals_line
from mxsplit_component.core.findings import Finding
from mxsplit_component.core.plan import MxRecord
from mxsplit_component.dns.observe import HostLookup
from mxsplit_component.exitcodes import ExitCode

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"
RECORDS = (MxRecord(0, V4), MxRecord(10, DS))
ADDRESSES = {V4: HostLookup(ipv4=["192.0.2.1"]), DS: HostLookup(ipv4=["198.51.100.1"], ipv6=["2001:db8::1"])}
BASE = CheckReport("contoso.com", RECORDS, RECORDS, ADDRESSES, ())
BLOCKED = Finding("smtp-blocked-here", "info", "every connection to port 25 failed the same way")
REFUSED = AddressProbe(V4, "192.0.2.1", "ipv4", "connect", "refused", "Connection refused")


class Sources:
    def to_json(self) -> dict[str, object]:
        return {"domain": "contoso.com", "sources": {"graph": {"dual_stack_host": DS}}}


def test_a_probe_that_could_not_run_is_incomplete_but_not_failed():
    rep = replace(BASE.with_findings([BLOCKED]), smtp=SmtpResult(25, (REFUSED,), (), ExitCode.INCOMPLETE))
    assert rep.ok and rep.exit_code == ExitCode.INCOMPLETE
    assert rep.to_json()["ok"] is True


def test_incomplete_wins_over_findings_from_either_side():
    failed = BASE.with_findings([Finding("mx-mismatch", "error", "differs")])
    assert failed.exit_code == ExitCode.FINDINGS
    assert replace(failed, smtp=SmtpResult(25, (), ("ipv6",), ExitCode.INCOMPLETE)).exit_code == ExitCode.INCOMPLETE
    dns_error = BASE.with_findings([Finding("dns-error", "error", "timed out")])
    assert replace(dns_error, smtp=SmtpResult(25, (), (), ExitCode.FINDINGS)).exit_code == ExitCode.INCOMPLETE


def test_extra_findings_join_the_verdict():
    """Graph drift (and any later finding) changes ok and the exit code through the same findings."""
    warned = BASE.with_findings([Finding("graph-host-moved", "warning", "moved")])
    assert warned.ok and warned.exit_code == ExitCode.OK
    mismatch = warned.with_findings([Finding("graph-host-mismatch", "error", "differs")])
    assert not mismatch.ok and mismatch.exit_code == ExitCode.FINDINGS
    assert [f["id"] for f in mismatch.to_json()["findings"]] == ["graph-host-moved", "graph-host-mismatch"]


def test_json_has_smtp_and_hosts_only_when_asked_for():
    plain = BASE.to_json()
    assert "smtp" not in plain and "hosts" not in plain
    assert list(plain) == ["domain", "ok", "expected", "published", "addresses", "findings", "simulation"]
    full = replace(BASE, smtp=SmtpResult(2525, (REFUSED,), ("ipv6",), ExitCode.INCOMPLETE), hosts=Sources()).to_json()
    assert full["smtp"]["port"] == 2525 and full["smtp"]["unprobed_families"] == ["ipv6"]
    assert full["smtp"]["probes"][0]["address"] == "192.0.2.1" and full["smtp"]["probes"][0]["outcome"] == "refused"
    assert full["hosts"] == Sources().to_json()


def test_text_shows_the_smtp_table_between_addresses_and_findings():
    rep = replace(BASE.with_findings([BLOCKED]), smtp=SmtpResult(25, (REFUSED,), (), ExitCode.INCOMPLETE))
    out = check_text(rep)
    assert out.index("Addresses") < out.index("SMTP (port 25)") < out.index("Findings")
    assert f"  {V4}\n      IPv4 192.0.2.1                 refused  Connection refused\n" in out
    assert out.endswith("verdict: INCOMPLETE (a lookup or probe could not complete) (exit 3)\n")
    assert "SMTP" not in check_text(BASE)


def test_bulk_row_says_why_it_is_incomplete():
    rep = replace(BASE.with_findings([BLOCKED]), smtp=SmtpResult(25, (REFUSED,), (), ExitCode.INCOMPLETE))
    assert summary_line(rep).split() == ["contoso.com", "INCOMPLETE", "smtp-blocked-here"]
    assert totals_line(Counter([rep.exit_code])) == "checked 1 rows: 0 OK, 0 with errors, 1 could not check, 0 bad rows"


def test_dns64_addresses_are_not_probed():
    """A synthesised AAAA is the resolver's NAT64, not the host: connecting to it proves nothing."""
    lookup = HostLookup(ipv4=["192.0.2.1"], ipv6_synthesized=["64:ff9b::c000:201"])
    assert [(t.address, t.family) for t in targets_for([V4], {V4: lookup})] == [("192.0.2.1", "ipv4")]
