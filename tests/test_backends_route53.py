"""Route 53 backend description on pure data: stored form, TTL, adoption ids, existing sets."""

import pytest

from mxsplit_component import MxSplitError, plan_mx
from mxsplit_component.backends import route53
from mxsplit_component.backends.base import AdoptionRefused, guard_existing
from mxsplit_component.core.plan import MxRecord

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"
PLAN = plan_mx(domain="Contoso.com.", tenant="contoso")


def spec(zone_id="Z0123456789ABC", plan=PLAN):
    [s] = route53.describe(plan, {"zone_id": zone_id})
    return s


def test_one_record_set_in_the_stored_form():
    s = spec()
    assert (s.type_token, s.module, s.class_name, s.role) == ("aws:route53/record:Record", "pulumi_aws.route53",
                                                               "Record", "mx")
    assert s.logical_name("contoso") == "contoso-mx"
    # name: lower case, no trailing dot (the provider's state function); records: absolute values.
    assert dict(s.inputs) == {"zone_id": "Z0123456789ABC", "name": "contoso.com", "type": "MX", "ttl": 3600,
                              "records": [f"0 {V4}.", f"10 {DS}."]}
    assert "allow_overwrite" not in s.inputs


def test_standard_mode_is_the_same_resource_with_one_value():
    s = spec(plan=plan_mx(domain="contoso.com", tenant="contoso", mode="standard"))
    assert s.role == "mx" and s.inputs["records"] == [f"0 {DS}."]


def test_zone_id_may_be_an_output_or_the_api_form():
    sentinel = object()
    assert spec(zone_id=sentinel).inputs["zone_id"] is sentinel
    assert spec(zone_id="/hostedzone/Z0123").inputs["zone_id"] == "/hostedzone/Z0123"


@pytest.mark.parametrize("settings, field, fragment", [
    ({}, "route53.zone_id", "route53.zone_id is required"),
    ({"zone_id": "contoso.com"}, "route53.zone_id", "is not a Route 53 hosted zone id"),
    ({"zone_id": "Z1", "zone_name": "contoso.com"}, "route53.zone_name", "is not a known setting; use zone_id"),
    ("Z1", "route53", "route53 must be a dict"),
])
def test_bad_settings_name_the_field(settings, field, fragment):
    with pytest.raises(MxSplitError) as exc:
        route53.describe(PLAN, settings)
    assert exc.value.field == field and fragment in str(exc.value)


def test_ttl_range():
    assert route53.TTL.low == 1 and route53.TTL.high == 2147483647
    route53.describe(plan_mx(domain="contoso.com", tenant="contoso", ttl=2147483647), {"zone_id": "Z1"})


def test_capabilities_are_data_with_reasons():
    caps = {c.name: c for c in route53.CAPABILITIES}
    assert caps["one-set-per-name"].supported and not caps["partial-update"].supported
    assert not caps["create-over-existing"].supported
    assert "allow_overwrite" in caps["create-over-existing"].reason
    assert all(c.reason for c in route53.CAPABILITIES)


def test_import_id():
    assert route53.import_id("/hostedzone/Z0123", "Contoso.com.") == "Z0123_contoso.com_MX"


@pytest.mark.parametrize("value, expected", [
    ("Z0123456789ABC_contoso.com_MX", "Z0123456789ABC_contoso.com_MX"),
    (" Z0123456789ABC_Contoso.com._mx ", "Z0123456789ABC_contoso.com_MX"),
])
def test_adopt_id_accepted_and_normalised(value, expected):
    assert route53.check_adopt_id("mx", value, spec()) == expected


@pytest.mark.parametrize("value, fragment", [
    ("contoso.com", "is not a Route 53 import id"),
    ("Z0123456789ABC_contoso.com_MX_eu-west", "of a plain (simple routing) record set"),
    ("Z0123456789ABC_contoso.com_TXT", "names a TXT record set"),
    ("ZOTHER_contoso.com_MX", "is in hosted zone 'ZOTHER', but the component manages zone 'Z0123456789ABC'"),
    ("Z0123456789ABC_www.contoso.com_MX", "points at name 'www.contoso.com', but the component manages 'contoso.com'"),
    ("z0123_contoso.com_MX", "is not a Route 53 hosted zone id"),
    (None, "is not a Route 53 import id"),
])
def test_adopt_id_rejected(value, fragment):
    with pytest.raises(MxSplitError) as exc:
        route53.check_adopt_id("mx", value, spec())
    assert exc.value.field == "adopt.mx" and fragment in str(exc.value)


def test_adopt_id_against_an_unknown_zone_checks_the_name_only():
    assert route53.check_adopt_id("mx", "ZANY_contoso.com_MX", spec(zone_id=object())) == "ZANY_contoso.com_MX"


def test_existing_values_pick_the_plain_mx_set_of_that_name():
    result = {"resource_record_sets": [
        {"name": "contoso.com.", "type": "MX", "set_identifier": "",
         "resource_records": [{"value": f"0 {DS}."}, {"value": "20 gw.example.net."}]},
        {"name": "contoso.com.", "type": "TXT", "resource_records": [{"value": '"v=spf1 -all"'}]},
        {"name": "eu.contoso.com.", "type": "MX", "resource_records": [{"value": "0 other.example."}]},
        {"name": "contoso.com.", "type": "MX", "set_identifier": "weighted-1",
         "resource_records": [{"value": "5 weighted.example."}]},
    ]}
    values = route53.existing_values(result, "contoso.com")
    assert values == [f"0 {DS}.", "20 gw.example.net."]
    assert route53.existing_values({"resource_record_sets": []}, "contoso.com") == []
    assert route53.existing_values(None, "contoso.com") == []


def test_name_regex_matches_exactly_the_name():
    import re

    rx = re.compile(route53.name_regex("contoso.com"))
    assert rx.match("contoso.com.") and rx.match("contoso.com")
    assert not rx.match("contosoxcom.") and not rx.match("eu.contoso.com.") and not rx.match("contoso.com.evil.")


def test_adoption_reads_the_set_by_zone_and_exact_name_then_guards_records():
    adopting = route53.adopted(spec(), PLAN)
    assert adopting.spec == spec()
    existing = adopting.existing
    assert existing is not None
    assert (existing.module, existing.function, existing.guarded_input) == ("pulumi_aws.route53",
                                                                            "get_records_output", "records")
    assert dict(existing.args) == {"zone_id": "Z0123456789ABC", "name_regex": route53.name_regex("contoso.com")}
    result = {"resource_record_sets": [
        {"name": "contoso.com.", "type": "MX", "resource_records": [{"value": f"0 {DS.upper()}."},
                                                                    {"value": "20 gw.example.net."}]},
        {"name": "contoso.com.", "type": "MX", "set_identifier": "w1", "resource_records": [{"value": "5 w.example."}]},
    ]}
    records = existing.values(result)
    assert records == [MxRecord(0, DS), MxRecord(20, "gw.example.net")]
    with pytest.raises(AdoptionRefused, match="holds 20 gw.example.net, which is not a Microsoft 365 host"):
        guard_existing(spec().inputs["records"], False, "adopt.mx", records)
    assert existing.values(None) == []


def test_adoption_of_a_zone_id_output_passes_it_to_the_read():
    zone = object()
    existing = route53.adopted(spec(zone_id=zone), PLAN).existing
    assert existing is not None and existing.args["zone_id"] is zone
