"""Each rule id: its severity, and the exact reason text when it fails (reason text is API)."""

import pytest

from mxsplit_component import MxRecord, plan_mx
from mxsplit_component.core.rules import RULES, RuleContext, run_rules, validate_plan, validation_report

V4 = "contoso.mail.protection.outlook.com"
DS = "contoso-com.mail.protection.outlook.com"
SPLIT = RuleContext("split", V4, DS)


def result(rule_id, records, ctx=SPLIT):
    return next(r for r in run_rules(records, ctx) if r.id == rule_id)


def test_rule_ids_are_stable_and_kebab_case():
    assert [r.id for r in RULES] == ["hosts-distinct", "split-complete", "priority-order", "microsoft-hosts",
                                     "dane-compatible", "dual-stack-host-derived"]
    assert {r.severity for r in RULES} <= {"error", "warning", "info"}


def test_all_pass_on_seed():
    report = validate_plan(plan_mx(domain="contoso.com", tenant="contoso", dual_stack_host=DS))
    assert report["ok"] is True
    assert all(r["ok"] for r in report["rules"])
    assert set(report["rules"][0]) == {"id", "ok", "severity", "message"}


def test_hosts_distinct():
    r = result("hosts-distinct", [MxRecord(0, V4), MxRecord(10, V4), MxRecord(20, DS)])
    assert (r.ok, r.severity) == (False, "error")
    assert r.message == f"{V4} appears in more than one MX record; keep one record per host"
    r = result("hosts-distinct", [MxRecord(0, V4)], RuleContext("split", V4, V4))
    assert r.message == f"the IPv4-only and dual-stack hosts are both {V4}; the split needs two different hosts"


def test_split_complete():
    r = result("split-complete", [MxRecord(0, DS)])
    assert (r.ok, r.severity) == (False, "error")
    assert r.message == (f"split mode needs MX records for both {V4} (IPv4-only) and {DS} (dual-stack); "
                         f"missing: {V4}")
    r = result("split-complete", [MxRecord(0, V4)], RuleContext("standard", V4, DS))
    assert r.message == f"standard mode needs an MX record for {DS}"
    assert result("split-complete", [MxRecord(0, DS)], RuleContext("standard", V4, DS)).ok


def test_priority_order_equal():
    r = result("priority-order", [MxRecord(10, V4), MxRecord(10, DS)])
    assert (r.ok, r.severity) == (False, "error")
    assert r.message == (f"{V4} and {DS} share preference 10: senders pick at random and IPv6-preferring ones "
                         "reach the dual-stack host; give the IPv4-only host the lower number (e.g. 0 and 10)")


def test_priority_order_inverted():
    r = result("priority-order", [MxRecord(10, V4), MxRecord(0, DS)])
    assert r.message == (f"{DS} (MX 0) is preferred over {V4} (MX 10): every IPv6-capable sender uses IPv6; "
                         "give the IPv4-only host the lower number")
    assert not r.ok


def test_priority_order_not_applicable_when_host_missing():
    r = result("priority-order", [MxRecord(0, DS)])
    assert r.ok and "not applicable" in r.message


def test_microsoft_hosts():
    r = result("microsoft-hosts", [MxRecord(0, V4), MxRecord(10, DS), MxRecord(20, "backup.example.net")])
    assert (r.ok, r.severity) == (False, "warning")
    assert r.message == ("backup.example.net is not a Microsoft 365 inbound host; senders that pick it bypass "
                         "Exchange Online and the split: remove it, or keep it on purpose (gateway, backup MX)")


def test_dane_compatible():
    dane = "contoso-com.o-v1.mx.microsoft"
    r = result("dane-compatible", [MxRecord(0, V4), MxRecord(10, dane)], RuleContext("split", V4, dane))
    assert (r.ok, r.severity) == (False, "warning")
    assert r.message == (f"{dane} is an mx.microsoft host: inbound DANE for Exchange Online requires a single MX "
                         "with no fallback, so a split cannot keep DANE; choose DANE (mode standard) or the split")
    # a single mx.microsoft MX is exactly what DANE wants
    assert result("dane-compatible", [MxRecord(0, dane)], RuleContext("standard", V4, dane)).ok


def test_dual_stack_host_derived():
    r = result("dual-stack-host-derived", [MxRecord(0, V4), MxRecord(10, DS)], RuleContext("split", V4, DS, True))
    assert (r.ok, r.severity) == (False, "info")
    assert r.message == (f"{DS} was derived from the domain name (dots to hyphens), which is what Microsoft "
                         "usually assigns; confirm it in the admin center (Settings > Domains > DNS records) or "
                         "Graph serviceConfigurationRecords and pass dual_stack_host to pin it")


def test_ok_false_only_on_error_rules():
    warn_only = run_rules([MxRecord(0, V4), MxRecord(10, DS), MxRecord(20, "backup.example.net")],
                          RuleContext("split", V4, DS, True))
    report = validation_report(warn_only)
    assert report["ok"] is True
    assert report["warnings"] == ["microsoft-hosts"] and report["errors"] == []
    report = validation_report(run_rules([MxRecord(0, V4), MxRecord(0, DS)], SPLIT))
    assert report["ok"] is False and report["errors"] == ["priority-order"]


@pytest.mark.parametrize("mode", ["split", "standard"])
def test_plans_always_validate(mode):
    assert validate_plan(plan_mx(domain="contoso.com", tenant="contoso", mode=mode))["ok"]
