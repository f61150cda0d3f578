"""MxSplit on Route 53 and Cloud DNS under mocks: one ``{name}-mx`` set, preview and update,
adoption through ``adopt.mx`` after a guarded read of the existing set."""

import sys
from pathlib import Path

import pytest
from pulumi.output import Unknown

from mxsplit_component import MxSplit, MxSplitError
from mxsplit_component.backends.route53 import check_overwrite as check_route53_overwrite
from mxsplit_component.component import AdoptionRefusedError
from mxsplit_component.testing.mocks import RecordingMocks, is_known, run_program, value

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "policy"))
from mxsplit_policy import check_split_order, mx_groups

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"
RECORD = "aws:route53/record:Record"
RECORD_SET = "gcp:dns/recordSet:RecordSet"
GET_RECORDS = "aws:route53/getRecords:getRecords"
GET_SET = "gcp:dns/getRecordSet:getRecordSet"
R53_ID = "Z0123456789ABC_contoso.com_MX"
GCP_ID = "projects/acme/managedZones/contoso-com/rrsets/contoso.com./MX"
R53 = {"zone_id": "Z0123456789ABC"}
GCP = {"managed_zone": "contoso-com", "project": "acme"}


def component(**extra):
    return lambda: MxSplit("contoso", {"domain": "contoso.com", "tenant": "contoso", **extra})


def r53_existing(*values, set_identifier=""):
    return {GET_RECORDS: {"zoneId": "Z0123456789ABC", "resourceRecordSets": [
        {"name": "contoso.com.", "type": "MX", "ttl": 3600, "setIdentifier": set_identifier,
         "resourceRecords": [{"value": v} for v in values]}]}}


def gcp_existing(*values):
    return {GET_SET: {"name": "contoso.com.", "type": "MX", "ttl": 3600, "rrdatas": list(values)}}


class Res:
    """A registered resource as the policy pack sees it."""

    def __init__(self, recorded):
        self.resource_type, self.props, self.urn = recorded.typ, recorded.inputs, recorded.name


# --- declared, preview and update -----------------------------------------------------------

@pytest.mark.parametrize("preview", [True, False])
def test_route53_one_record_set_in_the_stored_form(preview):
    mocks, comp, _ = run_program(component(route53=R53), preview=preview)
    [rec] = mocks.by_type(RECORD)
    assert rec.name == "contoso-mx" and rec.resource_id in (None, "")
    assert rec.inputs == {"zoneId": "Z0123456789ABC", "name": "contoso.com", "type": "MX", "ttl": 3600,
                          "records": [f"0 {V4}.", f"10 {DS}."]}
    assert mocks.invokes == []  # nothing adopted, nothing read
    assert value(comp.mx_records) == [{"preference": 0, "exchange": V4}, {"preference": 10, "exchange": DS}]
    assert is_known(comp.validation)
    assert check_split_order_on(mocks.resources) == []
    assert policy_violations(check_route53_overwrite, rec) == []


@pytest.mark.parametrize("preview", [True, False])
def test_cloud_dns_one_record_set_in_the_stored_form(preview):
    mocks, comp, _ = run_program(component(cloud_dns=GCP, ttl=300), preview=preview)
    [rs] = mocks.by_type(RECORD_SET)
    assert rs.name == "contoso-mx"
    assert rs.inputs == {"managedZone": "contoso-com", "project": "acme", "name": "contoso.com.", "type": "MX",
                         "ttl": 300, "rrdatas": [f"0 {V4}.", f"10 {DS}."]}
    assert mocks.invokes == []
    assert value(comp.zone_records)[1] == f"contoso.com. 300 IN MX 10 {DS}."
    assert check_split_order_on(mocks.resources) == [] and len(mx_groups([Res(rs)])[0].records) == 2


def test_cloud_dns_without_project_leaves_it_to_the_provider():
    mocks, _, _ = run_program(component(cloud_dns={"managed_zone": "contoso-com"}))
    [rs] = mocks.by_type(RECORD_SET)
    assert "project" not in rs.inputs


def test_zone_created_in_the_same_program_is_unknown_in_preview():
    import pulumi_aws as aws

    def program():
        zone = aws.route53.Zone("zone", name="contoso.com")
        return MxSplit("contoso", {"domain": "contoso.com", "tenant": "contoso", "route53": {"zone_id": zone.zone_id}})

    mocks, comp, _ = run_program(program, preview=True, mocks=RecordingMocks(unknown_types=("aws:route53/zone:Zone",)))
    [rec] = mocks.by_type(RECORD)
    assert rec.inputs["records"] == [f"0 {V4}.", f"10 {DS}."]  # the plan is known
    assert isinstance(rec.inputs["zoneId"], Unknown)
    assert is_known(comp.mx_records)


def test_adopting_in_a_zone_that_is_unknown_in_preview_waits_for_it():
    """The read needs the zone id: until it is known the guarded records are unknown too,
    never registered unguarded."""
    import pulumi_aws as aws

    def program():
        zone = aws.route53.Zone("zone", name="contoso.com")
        return MxSplit("contoso", {"domain": "contoso.com", "tenant": "contoso", "route53": {"zone_id": zone.zone_id},
                                   "adopt": {"mx": R53_ID}})

    mocks = RecordingMocks(unknown_types=("aws:route53/zone:Zone",), calls=r53_existing("20 gw.example.net."))
    mocks, _, _ = run_program(program, preview=True, mocks=mocks)
    [rec] = mocks.by_type(RECORD)
    assert rec.resource_id == R53_ID
    assert mocks.invokes == []
    assert "records" not in rec.inputs or isinstance(rec.inputs["records"], Unknown)


def test_standard_mode_is_the_same_child_with_one_value():
    mocks, _, _ = run_program(component(route53=R53, mode="standard"))
    [rec] = mocks.by_type(RECORD)
    assert rec.name == "contoso-mx" and rec.inputs["records"] == [f"0 {DS}."]


@pytest.mark.parametrize("backends, field", [
    ({"route53": R53, "cloud_dns": GCP}, "cloud_dns"),
    ({"azure": {"resource_group_name": "rg"}, "route53": R53}, "route53"),
    ({"cloudflare": {"zone_id": "z"}, "cloud_dns": GCP}, "cloud_dns"),
])
def test_two_backends_are_refused_by_name(backends, field):
    mocks = RecordingMocks()
    with pytest.raises(MxSplitError) as err:
        run_program(component(**backends), mocks=mocks)
    assert err.value.field == field
    assert "pass exactly one of" in str(err.value) and "route53={'zone_id': ...}" in str(err.value)
    assert "cloud_dns={'managed_zone': ...}" in str(err.value)
    assert mocks.resources == []


@pytest.mark.parametrize("extra, field, fragment", [
    ({"route53": {"zone_id": "contoso.com"}}, "route53.zone_id", "is not a Route 53 hosted zone id"),
    ({"route53": {}}, "route53.zone_id", "route53.zone_id is required"),
    ({"cloud_dns": {"managed_zone": "contoso.com."}}, "cloud_dns.managed_zone", "not its DNS name"),
    ({"cloud_dns": {"managed_zone": "z", "zone": "x"}}, "cloud_dns.zone", "is not a known setting"),
    ({"route53": R53, "ttl": 0}, "ttl", "ttl 0 is outside"),
])
def test_bad_settings_fail_before_anything_is_registered(extra, field, fragment):
    mocks = RecordingMocks()
    with pytest.raises(MxSplitError, match=fragment) as err:
        run_program(component(**extra), mocks=mocks)
    assert err.value.field == field
    assert mocks.resources == []


# --- adoption and the guard -----------------------------------------------------------------

@pytest.mark.parametrize("preview", [True, False])
def test_route53_adopt_reads_the_set_then_imports_it(preview):
    mocks = RecordingMocks(calls=r53_existing(f"0 {DS}."))
    mocks, comp, _ = run_program(component(route53=R53, adopt={"mx": R53_ID}), mocks=mocks, preview=preview)
    [invoke] = mocks.invokes
    assert invoke.token == GET_RECORDS
    assert invoke.args == {"zoneId": "Z0123456789ABC", "nameRegex": "^contoso\\.com\\.?$"}
    [rec] = mocks.by_type(RECORD)
    assert rec.name == "contoso-mx" and rec.resource_id == R53_ID
    assert rec.inputs["records"] == [f"0 {V4}.", f"10 {DS}."]
    assert "allowOverwrite" not in rec.inputs  # adoption, never an UPSERT
    assert value(comp.mx_records)[0] == {"preference": 0, "exchange": V4}


@pytest.mark.parametrize("preview", [True, False])
def test_cloud_dns_adopt_reads_the_set_then_imports_it(preview):
    mocks = RecordingMocks(calls=gcp_existing(f"0 {DS.upper()}."))
    mocks, _, _ = run_program(component(cloud_dns=GCP, adopt={"mx": GCP_ID}), mocks=mocks, preview=preview)
    [invoke] = mocks.invokes
    assert invoke.token == GET_SET
    assert invoke.args == {"managedZone": "contoso-com", "name": "contoso.com.", "type": "MX", "project": "acme"}
    [rs] = mocks.by_type(RECORD_SET)
    assert rs.resource_id == GCP_ID and rs.inputs["rrdatas"] == [f"0 {V4}.", f"10 {DS}."]


@pytest.mark.parametrize("backend, settings, adopt_id, calls, record_type", [
    ("route53", R53, R53_ID, r53_existing(f"0 {DS}.", "20 backup.mailhost.example.net."), RECORD),
    ("cloud_dns", GCP, GCP_ID, gcp_existing(f"0 {DS}.", "20 backup.mailhost.example.net."), RECORD_SET),
])
def test_guard_refuses_foreign_mx(backend, settings, adopt_id, calls, record_type):
    mocks = RecordingMocks(calls=calls)
    with pytest.raises(AdoptionRefusedError, match="holds 20 backup.mailhost.example.net, which is not a "
                       "Microsoft 365 host") as err:
        run_program(component(**{backend: settings}, adopt={"mx": adopt_id}), mocks=mocks)
    assert err.value.field == "adopt.mx"
    assert err.value.error.foreign == ("20 backup.mailhost.example.net",)
    assert "Output" not in str(err.value)
    assert mocks.by_type(record_type) == []


@pytest.mark.parametrize("backend, settings, adopt_id, calls, record_type", [
    ("route53", R53, R53_ID, r53_existing(f"0 {DS}.", "20 backup.mailhost.example.net."), RECORD),
    ("cloud_dns", GCP, GCP_ID, gcp_existing(f"0 {DS}.", "20 backup.mailhost.example.net."), RECORD_SET),
])
def test_guard_can_be_overridden(backend, settings, adopt_id, calls, record_type):
    mocks = RecordingMocks(calls=calls)
    mocks, _, _ = run_program(component(**{backend: settings}, adopt={"mx": adopt_id}, allow_foreign_mx=True),
                              mocks=mocks)
    [rec] = mocks.by_type(record_type)
    assert rec.resource_id == adopt_id


def test_route53_guard_ignores_sets_that_are_not_the_adopted_one():
    """A weighted MX set of the same name is another record set: its values stay."""
    mocks = RecordingMocks(calls=r53_existing("20 gw.example.net.", set_identifier="w1"))
    mocks, _, _ = run_program(component(route53=R53, adopt={"mx": R53_ID}), mocks=mocks)
    assert mocks.by_type(RECORD)[0].resource_id == R53_ID


def test_an_empty_existing_set_passes():
    mocks = RecordingMocks(calls={GET_SET: {}})
    mocks, _, _ = run_program(component(cloud_dns=GCP, adopt={"mx": GCP_ID}), mocks=mocks)
    assert mocks.by_type(RECORD_SET)[0].resource_id == GCP_ID


@pytest.mark.parametrize("extra, field, fragment", [
    ({"route53": R53, "adopt": {"mx": "ZOTHER_contoso.com_MX"}}, "adopt.mx", "is in hosted zone 'ZOTHER'"),
    ({"route53": R53, "adopt": {"dual_stack": R53_ID}}, "adopt.dual_stack", "does not apply to route53; use mx"),
    ({"cloud_dns": GCP, "adopt": {"mx": GCP_ID.replace("acme", "other")}}, "adopt.mx", "points at project 'other'"),
    ({"cloud_dns": {"managed_zone": "contoso-com"}, "adopt": {"mx": GCP_ID}}, "cloud_dns.project",
     "pass it as cloud_dns.project too"),
])
def test_adopt_ids_are_checked_before_anything(extra, field, fragment):
    mocks = RecordingMocks()
    with pytest.raises(MxSplitError, match=fragment) as err:
        run_program(component(**extra), mocks=mocks)
    assert err.value.field == field
    assert mocks.resources == [] and mocks.invokes == []


def check_split_order_on(resources):
    found = []
    check_split_order([Res(r) for r in resources if r.typ in (RECORD, RECORD_SET)],
                      lambda message, urn=None: found.append(message))
    return found


def policy_violations(check, recorded):
    found = []
    check(recorded.typ, recorded.inputs, lambda message, urn=None: found.append(message))
    return found
