"""MX values as presentation text, and the foreign-MX guard Route 53 and Cloud DNS share."""

import pytest

from mxsplit_component import MxSplitError, plan_mx
from mxsplit_component.backends.mx_text import foreign_values, guard_existing, mx_values, parse_mx_value

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"


def test_values_are_absolute_lowest_first():
    assert mx_values(plan_mx(domain="Contoso.COM.", tenant="contoso")) == [f"0 {V4}.", f"10 {DS}."]
    assert mx_values(plan_mx(domain="contoso.com", tenant="contoso", mode="standard")) == [f"0 {DS}."]


@pytest.mark.parametrize("text, parsed", [
    ("10 Host.Example.", (10, "host.example")),
    ("0   host.example", (0, "host.example")),
])
def test_parse(text, parsed):
    assert parse_mx_value(text) == parsed


@pytest.mark.parametrize("text", ["", "host.example.", "ten host.example.", "10 a. b.", "-1 host."])
def test_parse_rejects(text):
    with pytest.raises(ValueError, match="not an MX value"):
        parse_mx_value(text)


def test_foreign_values_keep_microsoft_and_name_the_rest():
    existing = [f"0 {DS.upper()}.", "20 Backup.Mailhost.example.net.", "garbage"]
    assert foreign_values(existing) == ["20 backup.mailhost.example.net", "garbage"]


def test_guard_passes_microsoft_only_and_empty_sets():
    planned = [f"0 {V4}.", f"10 {DS}."]
    assert guard_existing(planned, False, [f"0 {DS}."]) is planned
    assert guard_existing(planned, False, None) is planned
    assert guard_existing(planned, False, []) is planned


def test_guard_refuses_foreign_values_with_the_fix():
    with pytest.raises(MxSplitError) as exc:
        guard_existing([f"0 {V4}."], False, [f"0 {DS}.", "20 gw.example.net.", "30 gw2.example.net."])
    assert exc.value.field == "adopt.mx"
    assert str(exc.value).startswith("the existing MX record set holds 20 gw.example.net, 30 gw2.example.net, which "
                                     "are not Microsoft 365 hosts; adopting it would replace the whole set")
    assert "allow_foreign_mx=True" in str(exc.value)


def test_guard_can_be_overridden():
    assert guard_existing(["0 a."], True, ["20 gw.example.net."]) == ["0 a."]
