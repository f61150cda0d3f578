"""The SMTP classification, offline: probe results in, findings and exit code out."""

from __future__ import annotations

from mxsplit_component.check.smtp import AddressProbe
from mxsplit_component.check.smtp_findings import classify
from mxsplit_component.exitcodes import ExitCode

V4, DS = "t.mail.protection.outlook.com", "d-test.mail.protection.outlook.com"
PREFS = {V4: 0, DS: 10}
ROLES = {V4: "ipv4-only", DS: "dual-stack"}


def ok(host, address, family="ipv4", tls="verified"):
    return AddressProbe(host, address, family, "done", "ok", banner="220 hi", starttls=tls is not None, tls=tls)


def failed(host, address, family="ipv4", outcome="timeout", stage="connect", detail="x"):
    return AddressProbe(host, address, family, stage, outcome, detail)


def test_all_good_is_ok():
    verdict = classify([ok(V4, "192.0.2.1"), ok(DS, "192.0.2.2"), ok(DS, "2001:db8::1", "ipv6")], PREFS, ROLES)
    assert verdict.findings == () and verdict.code == ExitCode.OK


def test_every_connect_timing_out_is_a_local_block_not_dead_hosts():
    probes = [failed(V4, "192.0.2.1"), failed(DS, "192.0.2.2"), failed(DS, "2001:db8::1", "ipv6")]
    verdict = classify(probes, PREFS, ROLES)
    assert [f.id for f in verdict.findings] == ["smtp-blocked-here"]
    assert verdict.code == ExitCode.INCOMPLETE
    assert "(timeout, 3 addresses)" in verdict.findings[0].message


def test_connects_failing_in_different_ways_are_host_errors():
    probes = [failed(V4, "192.0.2.1", outcome="refused"), failed(DS, "192.0.2.2"), failed(DS, "2001:db8::1", "ipv6")]
    verdict = classify(probes, PREFS, ROLES)
    assert sorted(f.id for f in verdict.findings) == ["smtp-unreachable"] * 3
    assert verdict.code == ExitCode.FINDINGS


def test_all_timeouts_after_connecting_are_not_a_local_block():
    """A hang after the banner means port 25 got through: the hosts are at fault."""
    probes = [failed(V4, "192.0.2.1", stage="ehlo"), failed(DS, "192.0.2.2", stage="ehlo")]
    verdict = classify(probes, PREFS, ROLES)
    assert {f.id for f in verdict.findings} == {"smtp-unreachable"} and verdict.code == ExitCode.FINDINGS


def test_no_ipv6_route_leaves_ipv4_verdicts_standing():
    probes = [ok(V4, "192.0.2.1"), failed(DS, "192.0.2.2", outcome="refused"),
              failed(DS, "2001:db8::1", "ipv6", outcome="no-route", detail="Network is unreachable")]
    verdict = classify(probes, PREFS, ROLES)
    assert [f.id for f in verdict.findings] == ["smtp-no-route-here", "smtp-unreachable"]
    assert verdict.unprobed == ("ipv6",)
    assert verdict.code == ExitCode.INCOMPLETE  # 3 wins over 1, as for DNS
    assert "over IPv4" in verdict.findings[1].message


def test_unpublished_tenant_host_failing_is_a_warning():
    tenant = "t2.mail.protection.outlook.com"
    verdict = classify([ok(DS, "192.0.2.2"), failed(tenant, "192.0.2.9", outcome="refused")], {DS: 0}, ROLES)
    [finding] = verdict.findings
    assert finding.severity == "warning" and finding.message.startswith(f"{tenant} (not published) does not accept")
    assert verdict.code == ExitCode.OK


def test_tls_trouble_is_one_warning_per_host():
    probes = [ok(DS, "192.0.2.2", tls="expired"), ok(DS, "2001:db8::1", "ipv6", tls="failed"), ok(V4, "192.0.2.1")]
    verdict = classify(probes, PREFS, ROLES)
    [finding] = verdict.findings
    assert finding.id == "smtp-tls-invalid" and finding.severity == "warning"
    assert "192.0.2.2: the certificate has expired" in finding.message
    assert "2001:db8::1: STARTTLS or the TLS handshake failed" in finding.message
    assert verdict.code == ExitCode.OK


def test_ipv4_blocked_and_no_ipv6_route_is_two_notes_not_dead_hosts():
    probes = [failed(V4, "192.0.2.1"), failed(DS, "192.0.2.2"),
              failed(DS, "2001:db8::1", "ipv6", outcome="no-route", detail="Network is unreachable")]
    verdict = classify(probes, PREFS, ROLES, port=2525)
    assert [f.id for f in verdict.findings] == ["smtp-no-route-here", "smtp-blocked-here"]
    assert verdict.findings[1].message.startswith("every connection to port 2525 failed the same way (timeout, 2 addresses)")
    assert verdict.code == ExitCode.INCOMPLETE and verdict.unprobed == ("ipv6",)


def test_no_route_for_every_family_is_incomplete():
    probes = [failed(V4, "192.0.2.1", outcome="no-route"), failed(DS, "2001:db8::1", "ipv6", outcome="no-route")]
    verdict = classify(probes, PREFS, ROLES)
    assert [f.id for f in verdict.findings] == ["smtp-no-route-here"] * 2 and verdict.code == ExitCode.INCOMPLETE


def test_nothing_to_probe_is_ok():
    assert classify([], PREFS, ROLES).code == ExitCode.OK
