"""MxSplit under pulumi.runtime.set_mocks: resources, inputs, outputs, preview with unknowns."""

import logging
import re
import subprocess
import sys

import pulumi
import pytest

from mxsplit_component import MxSplit, MxSplitError
from mxsplit_component.testing.mocks import RecordingMocks, is_known, run_program, value
from tests.support.programs import seed_component

V4 = "contoso.mail.protection.outlook.com"
DS = "contoso-com.mail.protection.outlook.com"
AZ = "azure-native:dns:RecordSet"
CF = "cloudflare:index/dnsRecord:DnsRecord"


def azure_split(**extra):
    return seed_component("azure", **extra)


def cloudflare_split(**extra):
    return seed_component("cloudflare", **extra)


def test_azure_one_record_set_with_both_values():
    mocks, comp, _ = run_program(azure_split())
    [component] = mocks.by_type("mxsplit:index:MxSplit")
    assert component.name == "contoso"
    [rs] = mocks.by_type(AZ)
    assert rs.name == "contoso-mx"
    assert rs.inputs["recordType"] == "MX"
    assert rs.inputs["relativeRecordSetName"] == "@"
    assert rs.inputs["zoneName"] == "contoso.com"
    assert rs.inputs["resourceGroupName"] == "dns-rg"
    assert rs.inputs["ttl"] == 3600
    assert rs.inputs["mxRecords"] == [{"preference": 0, "exchange": V4}, {"preference": 10, "exchange": DS}]
    assert mocks.by_type(CF) == []


def test_component_outputs():
    _, comp, _ = run_program(azure_split())
    assert value(comp.ipv4_only_host) == V4
    assert value(comp.dual_stack_host) == DS
    assert value(comp.mx_records) == [{"preference": 0, "exchange": V4}, {"preference": 10, "exchange": DS}]
    assert value(comp.zone_records) == [f"contoso.com. 3600 IN MX 0 {V4}.", f"contoso.com. 3600 IN MX 10 {DS}."]
    validation = value(comp.validation)
    assert validation["ok"] is True
    assert {r["id"] for r in validation["rules"]} >= {"hosts-distinct", "priority-order", "dane-compatible"}


def test_children_are_parented_to_the_component():
    mocks, comp, _ = run_program(cloudflare_split())
    # MockResourceArgs has no parent field; the URN of a child carries the component's type.
    for child in mocks.by_type(CF):
        assert child.name.startswith("contoso-")
    urns = [value(r.urn) for r in comp.resources]
    assert all("mxsplit:index:MxSplit$cloudflare:index/dnsRecord:DnsRecord::contoso-" in u for u in urns)


def test_cloudflare_one_record_per_role_in_cloudflare_form():
    mocks, _, _ = run_program(cloudflare_split())
    records = {r.name: r.inputs for r in mocks.by_type(CF)}
    assert set(records) == {"contoso-ipv4-only", "contoso-dual-stack"}
    v4, ds = records["contoso-ipv4-only"], records["contoso-dual-stack"]
    for rec in (v4, ds):
        assert rec["name"] == "contoso.com"  # the full name, never "@"
        assert rec["type"] == "MX"
        assert rec["proxied"] is False
        assert rec["ttl"] == 3600
        assert rec["zoneId"] == "zone123"
        assert "managed by mxsplit" in rec["comment"]
        assert not rec["content"].endswith(".")
    assert (v4["content"], v4["priority"]) == (V4, 0)
    assert (ds["content"], ds["priority"]) == (DS, 10)


def test_standard_mode_keeps_role_names():
    mocks, comp, _ = run_program(cloudflare_split(mode="standard"))
    [rec] = mocks.by_type(CF)
    assert rec.name == "contoso-dual-stack"  # same name as in split: the change is an update
    assert (rec.inputs["content"], rec.inputs["priority"]) == (DS, 0)
    mocks, _, _ = run_program(azure_split(mode="standard"))
    [rs] = mocks.by_type(AZ)
    assert rs.name == "contoso-mx"
    assert rs.inputs["mxRecords"] == [{"preference": 0, "exchange": DS}]


def test_priority_change_keeps_names():
    mocks, _, _ = run_program(cloudflare_split(primary_priority=5, secondary_priority=20))
    records = {r.name: r.inputs["priority"] for r in mocks.by_type(CF)}
    assert records == {"contoso-ipv4-only": 5, "contoso-dual-stack": 20}


def test_explicit_hosts():
    mocks, comp, _ = run_program(azure_split(domain="contoso-corp.com", tenant="contoso.onmicrosoft.com",
                                             dual_stack_host="contosocorp-com01e.mail.protection.outlook.com",
                                             ipv4_only_host="contosomail-net.mail.protection.outlook.com"))
    [rs] = mocks.by_type(AZ)
    assert rs.inputs["mxRecords"] == [
        {"preference": 0, "exchange": "contosomail-net.mail.protection.outlook.com"},
        {"preference": 10, "exchange": "contosocorp-com01e.mail.protection.outlook.com"}]
    assert rs.inputs["zoneName"] == "contoso-corp.com"
    assert value(comp.validation)["rules"][-1]["ok"] is True  # not derived


def test_azure_subdomain_relative_name():
    mocks, comp, _ = run_program(azure_split(domain="eu.mail.contoso.com",
                                             azure={"resource_group_name": "rg", "zone_name": "Contoso.com."}))
    [rs] = mocks.by_type(AZ)
    assert rs.inputs["zoneName"] == "contoso.com"
    assert rs.inputs["relativeRecordSetName"] == "eu.mail"
    assert value(comp.zone_records)[0].startswith("eu.mail.contoso.com. 3600 IN MX 0 ")


def test_azure_zone_from_another_resource():
    zone = pulumi.Output.from_input("contoso.com")
    mocks, _, _ = run_program(azure_split(domain="mail.contoso.com",
                                          azure={"resource_group_name": "rg", "zone_name": zone}))
    [rs] = mocks.by_type(AZ)
    assert rs.inputs["relativeRecordSetName"] == "mail"


def test_preview_with_unknown_backend_inputs():
    import pulumi_azure_native as azure_native
    import pulumi_cloudflare as cloudflare

    def program():
        zone = cloudflare.Zone("zone", account={"id": "acc"}, name="contoso.com")
        rg = azure_native.resources.ResourceGroup("rg")
        az_zone = azure_native.dns.Zone("zone", resource_group_name=rg.name, location="global")
        return (MxSplit("cf", {"domain": "contoso.com", "tenant": "contoso", "cloudflare": {"zone_id": zone.id}}),
                MxSplit("az", {"domain": "contoso.com", "tenant": "contoso",
                               "azure": {"resource_group_name": rg.name, "zone_name": az_zone.name}}))

    mocks = RecordingMocks(unknown_types=("cloudflare:index/zone:Zone", "azure-native:resources:ResourceGroup",
                                          "azure-native:dns:Zone"))
    mocks, (cf, az), _ = run_program(program, preview=True, mocks=mocks)
    [_, _] = mocks.by_type(CF)
    [rs] = mocks.by_type(AZ)
    assert isinstance(rs.inputs["zoneName"], type(pulumi.UNKNOWN))
    assert isinstance(rs.inputs["relativeRecordSetName"], type(pulumi.UNKNOWN))
    # Plan outputs stay known in preview: they depend on plain inputs only.
    assert is_known(cf.mx_records) and value(az.dual_stack_host) == DS


@pytest.mark.parametrize("make, field, fragment", [
    (lambda: MxSplit("x", {"domain": "contoso.com", "tenant": "contoso"}), "azure", "exactly one of"),
    (lambda: MxSplit("x", {"domain": "contoso.com", "tenant": "contoso", "azure": {"resource_group_name": "r"},
                           "cloudflare": {"zone_id": "z"}}), "cloudflare", "got azure and cloudflare"),
    (lambda: MxSplit("x", {"domain": "contoso.com", "tenant": "contoso", "azure": {}}),
     "azure.resource_group_name", "is required"),
    (lambda: MxSplit("x", {"domain": "contoso.com", "tenant": "contoso", "cloudflare": {"zone": "z"}}),
     "cloudflare.zone", "not a known setting"),
    (lambda: MxSplit("x", {"domain": "contoso.com", "tenant": "contoso", "cloudflare": {"zone_id": "z"},
                           "ttl": 30}), "ttl", re.escape("not accepted by Cloudflare (allowed: 1 or 60..86400)")),
    (lambda: MxSplit("x", {"domain": "contoso.com", "tenant": "contoso",
                           "azure": {"resource_group_name": "r", "zone_name": "fabrikam.com"}}),
     "azure.zone_name", "does not contain domain"),
    (lambda: MxSplit("x", {"domain": "con_toso.com", "tenant": "contoso", "cloudflare": {"zone_id": "z"}}),
     "domain", "contains '_'"),
    (lambda: MxSplit("x", {"domain": pulumi.Output.from_input("contoso.com"), "tenant": "contoso",
                           "cloudflare": {"zone_id": "z"}}), "domain", "must be a string"),
    (lambda: MxSplit("x", {"tenant": "contoso", "cloudflare": {"zone_id": "z"}}), "domain", "is required"),
    # A misspelt flag is not silently ignored: retain_on_delete decides whether destroy deletes the MX.
    (lambda: MxSplit("x", {"domain": "contoso.com", "tenant": "contoso", "cloudflare": {"zone_id": "z"},
                           "retain_on_delte": True}), "retain_on_delte",
     "retain_on_delte is not an MxSplitArgs field; use one of: domain, tenant, mode, "),
])
def test_bad_input_fails_before_any_resource(make, field, fragment):
    mocks = RecordingMocks()
    with pytest.raises(MxSplitError, match=fragment) as err:
        run_program(make, mocks=mocks)
    assert err.value.field == field
    assert mocks.resources == []  # not even the component was registered


def test_the_pure_args_check_knows_every_mxsplitargs_field():
    from mxsplit_component.component import MxSplitArgs
    from mxsplit_component.component_args import ARGS_FIELDS

    assert sorted(ARGS_FIELDS) == sorted(MxSplitArgs.__annotations__)


def test_cloudflare_ttl_automatic_and_azure_wide_range():
    mocks, _, _ = run_program(cloudflare_split(ttl=1))
    assert {r.inputs["ttl"] for r in mocks.by_type(CF)} == {1}
    mocks, _, _ = run_program(azure_split(ttl=30))
    assert mocks.by_type(AZ)[0].inputs["ttl"] == 30


def test_primary_priority_zero_is_not_replaced_by_default():
    mocks, _, _ = run_program(cloudflare_split(primary_priority=0, secondary_priority=1, mode=None))
    assert sorted(r.inputs["priority"] for r in mocks.by_type(CF)) == [0, 1]


def test_warnings_reach_pulumi_log():
    _, comp, logs = run_program(azure_split(dual_stack_host="contoso-com.o-v1.mx.microsoft"))
    warnings = logs.messages(logging.WARNING)
    assert any(m.startswith("dane-compatible: contoso-com.o-v1.mx.microsoft is an mx.microsoft host") for m in warnings)
    assert value(comp.validation)["warnings"] == ["dane-compatible"]
    assert value(comp.validation)["ok"] is True


SDKS = {"azure": "pulumi_azure_native", "cloudflare": "pulumi_cloudflare", "route53": "pulumi_aws",
        "cloud_dns": "pulumi_gcp"}


@pytest.mark.parametrize("backend, settings", [
    ("azure", {"resource_group_name": "rg"}),
    ("cloudflare", {"zone_id": "z"}),
    ("route53", {"zone_id": "Z1"}),
    ("cloud_dns", {"managed_zone": "contoso-com"}),
])
def test_component_imports_only_its_backend_sdk(backend, settings):
    code = f"""
import sys
import mxsplit_component
assert 'pulumi' not in sys.modules
from mxsplit_component import MxSplit
from mxsplit_component.testing.mocks import run_program
run_program(lambda: MxSplit('c', {{'domain': 'contoso.com', 'tenant': 'contoso', '{backend}': {settings!r}}}))
print(sorted(sdk for sdk in {sorted(SDKS.values())!r} if sdk in sys.modules))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == repr([SDKS[backend]])


def test_whole_number_doubles_as_a_non_python_program_sends_them():
    _, comp, _ = run_program(seed_component("cloudflare", ttl=3600.0, primary_priority=0.0, secondary_priority=10.0))
    assert (comp.plan.ttl, comp.plan.primary_priority, comp.plan.secondary_priority) == (3600, 0, 10)
    assert type(comp.plan.ttl) is int
    assert value(comp.zone_records)[1] == "contoso.com. 3600 IN MX 10 contoso-com.mail.protection.outlook.com."


def test_a_fractional_ttl_is_refused_by_name():
    with pytest.raises(MxSplitError, match="ttl must be an integer, got 3600.5") as err:
        run_program(seed_component("cloudflare", ttl=3600.5))
    assert err.value.field == "ttl"



#: A program whose zone is a secret that does not hold the domain; prints the error chain (field, then text).
SECRET_ZONE = """
import json, pulumi
from mxsplit_component import MxSplit, MxSplitError
from mxsplit_component.testing.mocks import run_program

def program():
    zone = pulumi.Output.secret({zone!r})
    return MxSplit("contoso", {{"domain": "contoso.com", "tenant": "contoso", {backend!r}: {{**{settings!r}, {key!r}: zone}}}})

try:
    run_program(program)
    print(json.dumps(None))
except ValueError as exc:  # the SDK may wrap the MxSplitError raised where the zone became known
    chain = [exc]
    while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    print(json.dumps([[e.field for e in chain if isinstance(e, MxSplitError)], "\\n".join(map(str, chain))]))
"""


@pytest.mark.parametrize(("backend", "key", "settings"), [
    ("azure", "zone_name", {"resource_group_name": "dns-rg"}),
    ("dnsimple", "zone_name", {}),
    ("digitalocean", "domain", {}),
])
def test_a_secret_setting_that_is_refused_is_not_shown(backend, key, settings):
    """A zone passed as a secret (config.require_secret) is checked once known; its value stays out of the error."""
    import json

    def run(zone: str) -> object:
        done = subprocess.run([sys.executable, "-c", SECRET_ZONE.format(zone=zone, backend=backend, key=key,
                                                                         settings=settings)],
                              capture_output=True, text=True, timeout=60)
        return json.loads(done.stdout.splitlines()[-1])

    fields, text = run("Internal-Zone-Name.example")
    assert fields[:1] == [f"{backend}.{key}"]
    assert f"{backend}.{key} [secret] does not contain domain 'contoso.com'" in text
    assert "internal-zone-name" not in text.lower()
    assert run("contoso.com") is None  # a secret that is fine is used as before
