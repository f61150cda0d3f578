"""The Route 53 and Cloud DNS descriptions registered with the real provider SDKs under mocks.

Until the backend contract wires them into ``MxSplit``, this proves the pieces the wiring
will join: every input name is one the SDK accepts, the engine sees the stored form, the
import id reaches the resource, and the existing-set readers understand the SDK's invoke
results so the guard runs on them.
"""

import importlib
import sys
from pathlib import Path

import pulumi
import pytest

from helpers import RecordingMocks, run_program, value
from mxsplit_component import MxSplitError, plan_mx
from mxsplit_component.backends import clouddns, route53
from mxsplit_component.backends.mx_text import mx_values

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "policy"))
from mxsplit_policy import check_split_order, mx_groups

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"
PLAN = plan_mx(domain="contoso.com", tenant="contoso")
R53_ID = "Z0123456789ABC_contoso.com_MX"
GCP_ID = "projects/acme/managedZones/contoso-com/rrsets/contoso.com./MX"


def declare(spec, import_id=None):
    cls = getattr(importlib.import_module(spec.module), spec.class_name)
    return cls(spec.logical_name("contoso"), opts=pulumi.ResourceOptions(import_=import_id), **dict(spec.inputs))


class Res:
    def __init__(self, recorded):
        self.resource_type, self.props, self.urn = recorded.typ, recorded.inputs, recorded.name


@pytest.mark.parametrize("preview", [True, False])
def test_route53_record_as_the_engine_sees_it(preview):
    [spec] = route53.describe(PLAN, {"zone_id": "Z0123456789ABC"})
    import_id = route53.check_adopt_id("mx", R53_ID, spec)
    mocks, _, _ = run_program(lambda: declare(spec, import_id), preview=preview)
    [rec] = mocks.by_type("aws:route53/record:Record")
    assert rec.name == "contoso-mx" and rec.resource_id == R53_ID
    assert rec.inputs == {"zoneId": "Z0123456789ABC", "name": "contoso.com", "type": "MX", "ttl": 3600,
                          "records": [f"0 {V4}.", f"10 {DS}."]}
    assert violations_of([Res(rec)]) == [] and len(mx_groups([Res(rec)])[0].records) == 2


@pytest.mark.parametrize("preview", [True, False])
def test_cloud_dns_record_set_as_the_engine_sees_it(preview):
    [spec] = clouddns.describe(PLAN, {"managed_zone": "contoso-com", "project": "acme"})
    import_id = clouddns.check_adopt_id("mx", GCP_ID, spec)
    mocks, _, _ = run_program(lambda: declare(spec, import_id), preview=preview)
    [rs] = mocks.by_type("gcp:dns/recordSet:RecordSet")
    assert rs.name == "contoso-mx" and rs.resource_id == GCP_ID
    assert rs.inputs == {"managedZone": "contoso-com", "project": "acme", "name": "contoso.com.", "type": "MX",
                         "ttl": 3600, "rrdatas": [f"0 {V4}.", f"10 {DS}."]}
    assert violations_of([Res(rs)]) == []


def violations_of(resources):
    found = []
    check_split_order(resources, lambda message, urn=None: found.append(message))
    return found


def r53_existing(*values, set_identifier=""):
    return {"aws:route53/getRecords:getRecords": {"zoneId": "Z0123456789ABC", "resourceRecordSets": [
        {"name": "contoso.com.", "type": "MX", "ttl": 3600, "setIdentifier": set_identifier,
         "resourceRecords": [{"value": v} for v in values]}]}}


def test_route53_guard_over_the_sdk_read():
    import pulumi_aws as aws

    def program():
        result = aws.route53.get_records_output(zone_id="Z0123456789ABC", name_regex=route53.name_regex("contoso.com"))
        return result.apply(lambda r: route53.guard_existing(mx_values(PLAN), False,
                                                             route53.existing_values(r, "contoso.com")))

    mocks = RecordingMocks(calls=r53_existing(f"0 {DS}."))
    _, out, _ = run_program(program, mocks=mocks)
    assert value(out) == [f"0 {V4}.", f"10 {DS}."]
    [invoke] = mocks.invokes
    assert invoke.args == {"zoneId": "Z0123456789ABC", "nameRegex": "^contoso\\.com\\.?$"}
    with pytest.raises(MxSplitError, match="holds 20 gw.example.net, which is not a Microsoft 365 host"):
        _, out, _ = run_program(program, mocks=RecordingMocks(calls=r53_existing(
            f"0 {DS}.", "20 gw.example.net.")))
        value(out)
    # A weighted set of the same name is not the set being adopted.
    _, out, _ = run_program(program, mocks=RecordingMocks(calls=r53_existing(
        "20 gw.example.net.", set_identifier="w1")))
    assert value(out) == [f"0 {V4}.", f"10 {DS}."]


def test_cloud_dns_guard_over_the_sdk_read():
    import pulumi_gcp as gcp

    def program():
        result = gcp.dns.get_record_set_output(managed_zone="contoso-com", name="contoso.com.", type="MX",
                                               project="acme")
        return result.apply(lambda r: clouddns.guard_existing(mx_values(PLAN), False,
                                                              clouddns.existing_values(r)))

    token = "gcp:dns/getRecordSet:getRecordSet"
    mocks = RecordingMocks(calls={token: {"rrdatas": [f"0 {DS.upper()}."], "name": "contoso.com.", "type": "MX"}})
    _, out, _ = run_program(program, mocks=mocks)
    assert value(out) == [f"0 {V4}.", f"10 {DS}."]
    assert mocks.invokes[0].args == {"managedZone": "contoso-com", "name": "contoso.com.", "type": "MX",
                                     "project": "acme"}
    with pytest.raises(MxSplitError, match="holds 5 backup.example.org"):
        _, out, _ = run_program(program, mocks=RecordingMocks(calls={token: {"rrdatas": ["5 backup.example.org."]}}))
        value(out)
