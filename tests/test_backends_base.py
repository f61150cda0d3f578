"""The backend contract and the adoption guard every whole-set backend shares."""

import pytest

from mxsplit_component import MxSplitError, plan_mx
from mxsplit_component.backends import BACKENDS, azure, cloudflare, get_backend
from mxsplit_component.backends.base import AdoptionRefused, Backend, guard_existing, mx_text_values, mx_value, parse_mx_text
from mxsplit_component.core.plan import MxRecord

DS = "contoso-com.mail.protection.outlook.com"
PLANNED = [{"preference": 0, "exchange": "contoso.mail.protection.outlook.com"}, {"preference": 10, "exchange": DS}]


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_every_backend_module_satisfies_the_contract(name):
    assert isinstance(BACKENDS[name], Backend)
    assert BACKENDS[name].NAME == name


def test_a_module_without_the_adoption_hook_does_not():
    import types

    partial = types.ModuleType("partial_backend")
    for member in ("NAME", "SDK_MODULE", "EXTRA", "TTL", "CAPABILITIES", "SETTINGS_REQUIRED", "SETTINGS_OPTIONAL",
                   "ADOPT_ROLES", "describe", "check_adopt_id"):
        setattr(partial, member, getattr(azure, member))
    assert not isinstance(partial, Backend)


def test_guard_passes_microsoft_only_sets():
    existing = [mx_value(0.0, DS + "."), mx_value(10, "CONTOSO.mail.protection.outlook.com")]
    assert guard_existing(PLANNED, False, "adopt.mx", existing) is PLANNED


def test_guard_refuses_and_names_every_foreign_value():
    existing = [mx_value(0, DS), mx_value(20, "backup.example.net."), mx_value(30, "gw.example.org")]
    with pytest.raises(AdoptionRefused, match="holds 20 backup.example.net, 30 gw.example.org, which are not") as err:
        guard_existing(PLANNED, False, "adopt.mx", existing)
    assert err.value.field == "adopt.mx"
    assert err.value.foreign == ("20 backup.example.net", "30 gw.example.org")


def test_guard_override_keeps_the_plan():
    assert guard_existing(PLANNED, True, "adopt.mx", [mx_value(20, "backup.example.net")]) is PLANNED


def test_rdata_text_as_route53_and_cloud_dns_report_it():
    assert parse_mx_text("10 Contoso-com.mail.protection.outlook.com.") == MxRecord(10, DS)
    assert parse_mx_text(" 0   gw.example.net ") == MxRecord(0, "gw.example.net")


@pytest.mark.parametrize("text", ["garbage", "ten host.example.", "10 a. b.", "-1 host.", ""])
def test_text_that_is_not_mx_rdata_is_foreign_and_named(text):
    [record] = [parse_mx_text(text)]
    with pytest.raises(AdoptionRefused) as err:
        guard_existing(PLANNED, False, "adopt.mx", [parse_mx_text(f"0 {DS}."), record])
    assert len(err.value.foreign) == 1 and err.value.foreign[0].endswith(record.exchange)
    assert record.exchange  # never an empty name in the message


def test_plan_as_rdata_text_absolute_lowest_first():
    v4 = "contoso.mail.protection.outlook.com"
    assert mx_text_values(plan_mx(domain="Contoso.COM.", tenant="contoso")) == [f"0 {v4}.", f"10 {DS}."]
    assert mx_text_values(plan_mx(domain="contoso.com", tenant="contoso", mode="standard")) == [f"0 {DS}."]


def test_azure_adoption_reads_its_set_and_guards_mx_records():
    plan = plan_mx(domain="contoso.com", tenant="contoso")
    [spec] = azure.describe(plan, {"resource_group_name": "dns-rg"})
    adopting = azure.adopted(spec, plan)
    assert adopting.spec == spec
    assert adopting.existing is not None
    assert (adopting.existing.module, adopting.existing.function) == ("pulumi_azure_native.dns", "get_record_set_output")
    assert dict(adopting.existing.args) == {"resource_group_name": "dns-rg", "zone_name": "contoso.com",
                                            "relative_record_set_name": "@", "record_type": "MX"}
    assert adopting.existing.guarded_input == "mx_records"

    class Result:
        mx_records = [type("V", (), {"preference": 0, "exchange": DS + "."})()]

    assert adopting.existing.values(Result()) == [MxRecord(0, DS)]
    assert adopting.existing.values(object()) == []


def test_cloudflare_adoption_drops_only_the_comment():
    plan = plan_mx(domain="contoso.com", tenant="contoso")
    specs = cloudflare.describe(plan, {"zone_id": "z"})
    adopting = cloudflare.adopted(specs[0], plan)
    assert adopting.existing is None
    assert set(specs[0].inputs) - set(adopting.spec.inputs) == {"comment"}


@pytest.mark.parametrize("backend, settings, field", [
    ("cloud-dns", {"managed_zone": "contoso-com", "project": ""}, "cloud_dns.project"),
    ("cloud-dns", {"managed_zone": "contoso-com", "project": "  "}, "cloud_dns.project"),
    ("azure", {"resource_group_name": "rg", "zone_name": " "}, "azure.zone_name"),
])
def test_a_blank_optional_setting_is_refused_not_sent(backend, settings, field):
    """A blank project would reach the provider as "" (not "the provider's project")."""
    plan = plan_mx(domain="contoso.com", tenant="contoso")
    with pytest.raises(MxSplitError) as err:
        get_backend(backend).describe(plan, settings)
    assert err.value.field == field
    assert f"{field} is empty; omit it" in str(err.value)
