"""The component package over the engine protocol, as a YAML/TypeScript/Go/C# program uses it.

The plugin is started as ``pulumi-language-python`` starts it (``python <abs provider dir>
<engine address>`` from the consuming program's folder) against the stand-in engine in
``tests/engine``; every input arrives as the engine sends it (a protobuf ``Struct``: numbers
are doubles, unknowns and secrets are tagged values).
"""

import re
from pathlib import Path

import grpc
import pytest
import yaml

from mxsplit_component.version import package_version
from tests.support.engine.monitor import STACK_URN, StandInEngine
from tests.support.engine.plugin import ROOT, ConstructFailure, Plugin
from tests.support.engine.values import UNKNOWN, OutputValue, Secret, plain

YAML_EXAMPLE = ROOT / "examples" / "yaml"
TOKEN = "mxsplit:index:MxSplit"
COMPONENT_URN = f"urn:pulumi:dev::mxsplit-yaml::{TOKEN}::contoso"
RECORD = "cloudflare:index/dnsRecord:DnsRecord"
RECORD_SET = "azure-native:dns:RecordSet"
GET_SET = "azure-native:dns:getRecordSet"
V4 = "contoso.mail.protection.outlook.com"
DS = "contoso-com.mail.protection.outlook.com"
ARM = "/subscriptions/0000/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/contoso.com/MX/@"
ZONE_URN = "urn:pulumi:dev::mxsplit-yaml::cloudflare:index/zone:Zone::contoso"
OUTPUTS = {"ipv4OnlyHost", "dualStackHost", "mxRecords", "zoneRecords", "validation"}


@pytest.fixture(scope="module")
def engine():
    with StandInEngine() as running:
        yield running


@pytest.fixture(scope="module")
def plugin(engine):
    started = Plugin(engine, YAML_EXAMPLE)
    yield started
    started.close()


def yaml_properties(zone_id):
    """The MxSplit properties examples/yaml declares, with ${zoneId} as the engine resolves it."""
    program = yaml.safe_load((YAML_EXAMPLE / "Pulumi.yaml").read_text())
    [resource] = program["resources"].values()
    assert resource["type"] == TOKEN
    props = resource["properties"]
    assert props["cloudflare"] == {"zoneId": "${zoneId}"}
    return {**props, "cloudflare": {"zoneId": zone_id}}


def azure_properties(**extra):
    props = {k: v for k, v in yaml_properties("unused").items() if k != "cloudflare"}
    return {**props, "azure": {"resourceGroupName": "dns-rg"}, **extra}


def construct(engine, plugin, inputs, *, preview, invokes=None, **kwargs):
    recording = engine.reset(preview=preview, invokes=invokes)
    return plugin.construct(inputs, preview=preview, **kwargs), recording


def refused(engine, plugin, inputs, *, preview=True, invokes=None):
    recording = engine.reset(preview=preview, invokes=invokes)
    with pytest.raises(ConstructFailure) as err:
        plugin.construct(inputs, preview=preview)
    return err.value, recording


def microsoft_set(*extra):
    values = [{"preference": 0, "exchange": DS}, *extra]
    return {GET_SET: {"mxRecords": values, "ttl": 3600, "name": "@", "id": ARM}}


# --- the plugin itself ----------------------------------------------------------------------

def test_plugin_reports_the_package_version(plugin):
    info = plugin.plugin_info()
    assert info.version == package_version()
    assert info.version not in ("", "0.0.0")


def test_plugin_does_not_depend_on_the_working_directory(engine, tmp_path):
    elsewhere = Plugin(engine, tmp_path)
    try:
        assert elsewhere.schema()["name"] == "mxsplit"
    finally:
        elsewhere.close()


def test_schema_types_and_describes_every_input_and_output(plugin):
    schema = plugin.schema()
    assert schema["name"] == "mxsplit" and schema["version"] == package_version()
    resource = schema["resources"][TOKEN]
    assert resource["isComponent"] is True and resource["description"]
    assert resource["requiredInputs"] == ["domain", "tenant"]
    assert set(resource["properties"]) == OUTPUTS
    for group in (resource["inputProperties"], resource["properties"]):
        for name, prop in group.items():
            assert prop.get("description"), name
            assert "type" in prop or "$ref" in prop, name
    for name in ("ttl", "primaryPriority", "secondaryPriority"):
        assert resource["inputProperties"][name]["type"] == "integer"
    for token, typ in schema["types"].items():
        assert typ.get("description"), token
        for name, prop in typ["properties"].items():
            assert prop.get("description") and ("type" in prop or "$ref" in prop), f"{token}.{name}"
    assert schema["types"]["mxsplit:index:CloudflareDnsArgs"]["required"] == ["zoneId"]
    assert schema["types"]["mxsplit:index:AzureDnsArgs"]["required"] == ["resourceGroupName"]


def test_schema_carries_the_registry_metadata(plugin):
    """What the Pulumi Registry reads from the schema served over GetSchema."""
    import tomllib

    schema = plugin.schema()
    assert schema["displayName"] and schema["displayName"] != schema["name"]
    assert schema["description"] and schema["publisher"]
    assert {"category/network", "kind/component"} <= set(schema["keywords"])
    from mxsplit_component.backends import BACKENDS

    for backend in BACKENDS.values():  # every DNS host is findable, none named by hand
        assert backend.LABEL in schema["description"] and backend.EXTRA in schema["keywords"]
    assert schema["repository"].startswith("https://")
    assert "logoUrl" not in schema  # no logo: no key pointing nowhere
    # One source: the license and the repository are pyproject.toml's.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert schema["license"] == project["license"]
    assert schema["repository"] == project["urls"]["Repository"]


# --- the YAML example's inputs, both backends, preview and update ----------------------------

@pytest.mark.parametrize("preview", [True, False])
def test_yaml_example_on_cloudflare(engine, plugin, preview):
    result, rec = construct(engine, plugin, yaml_properties("zone123"), preview=preview)
    assert result.urn == COMPONENT_URN
    component = rec.by_name("contoso")
    assert (component.type, component.parent, component.custom) == (TOKEN, STACK_URN, False)
    records = {r.name: r for r in rec.by_type(RECORD)}
    assert set(records) == {"contoso-ipv4-only", "contoso-dual-stack"}
    for record in records.values():
        assert record.parent == COMPONENT_URN and record.custom
        assert record.urn == f"urn:pulumi:dev::mxsplit-yaml::{TOKEN}${RECORD}::{record.name}"
        assert record.import_id == ""
    assert records["contoso-ipv4-only"].inputs == {
        "zoneId": "zone123", "name": "contoso.com", "type": "MX", "content": V4, "priority": 0.0, "proxied": False,
        "ttl": 3600.0, "comment": "managed by mxsplit: ipv4-only MX of the contoso.com IPv6 split"}
    assert records["contoso-dual-stack"].inputs["content"] == DS
    assert records["contoso-dual-stack"].inputs["priority"] == 10.0
    assert set(result.state) == OUTPUTS
    assert result.state["mxRecords"] == [{"preference": 0, "exchange": V4}, {"preference": 10, "exchange": DS}]
    assert result.state["zoneRecords"][0] == f"contoso.com. 3600 IN MX 0 {V4}."
    assert result.state["validation"]["ok"] is True
    # register_outputs keeps the Python names
    assert set(rec.outputs[COMPONENT_URN]) == {"ipv4_only_host", "dual_stack_host", "mx_records", "zone_records",
                                               "validation"}


@pytest.mark.parametrize("preview", [True, False])
def test_yaml_example_on_azure(engine, plugin, preview):
    result, rec = construct(engine, plugin, azure_properties(), preview=preview)
    [record_set] = rec.by_type(RECORD_SET)
    assert record_set.name == "contoso-mx" and record_set.parent == COMPONENT_URN
    assert record_set.inputs == {"resourceGroupName": "dns-rg", "zoneName": "contoso.com", "recordType": "MX",
                                 "relativeRecordSetName": "@", "ttl": 3600.0,
                                 "mxRecords": [{"preference": 0.0, "exchange": V4}, {"preference": 10.0, "exchange": DS}]}
    assert rec.invokes == []  # nothing adopted, nothing read
    assert result.state["dualStackHost"] == DS


@pytest.mark.parametrize("preview", [True, False])
def test_outputs_depend_on_the_records_and_stay_known(engine, plugin, preview):
    result, rec = construct(engine, plugin, yaml_properties("zone123"), preview=preview)
    children = sorted(r.urn for r in rec.by_type(RECORD))
    for name in OUTPUTS:
        assert sorted(result.state_dependencies[name]) == children, name
    assert UNKNOWN not in repr(result.state)


def test_integer_inputs_arrive_as_doubles(engine, plugin):
    inputs = yaml_properties("zone123") | {"primaryPriority": 5, "secondaryPriority": 20, "ttl": 300}
    result, rec = construct(engine, plugin, inputs, preview=True)
    assert {r.inputs["priority"] for r in rec.by_type(RECORD)} == {5.0, 20.0}
    assert result.state["zoneRecords"][1] == f"contoso.com. 300 IN MX 20 {DS}."


# --- values as the engine sends them --------------------------------------------------------

def test_unknown_zone_id_in_preview(engine, plugin):
    result, rec = construct(engine, plugin, yaml_properties(UNKNOWN), preview=True)
    assert {r.inputs["zoneId"] for r in rec.by_type(RECORD)} == {UNKNOWN}
    assert result.state["mxRecords"][0] == {"preference": 0, "exchange": V4}  # the plan is still known


def test_secret_zone_id_stays_secret(engine, plugin):
    _, rec = construct(engine, plugin, yaml_properties(Secret("zone123")), preview=False)
    assert {r.inputs["zoneId"] for r in rec.by_type(RECORD)} == {Secret("zone123")}


def test_property_dependencies_reach_the_records(engine, plugin):
    _, rec = construct(engine, plugin, yaml_properties("zone123"), preview=False,
                       dependencies={"cloudflare": [ZONE_URN]})
    for record in rec.by_type(RECORD):
        assert ZONE_URN in record.property_dependencies["zoneId"]
        assert ZONE_URN in record.dependencies


def test_output_value_with_dependencies(engine, plugin):
    zone = OutputValue("zone123", secret=False, dependencies=(ZONE_URN,))
    _, rec = construct(engine, plugin, yaml_properties(zone), preview=False)
    for record in rec.by_type(RECORD):
        assert plain(record.inputs["zoneId"]) == "zone123"
        assert ZONE_URN in record.property_dependencies["zoneId"]


def test_protect_from_the_engine_and_the_input(engine, plugin):
    _, rec = construct(engine, plugin, yaml_properties("zone123"), preview=True, protect=True)
    assert {r.protect for r in rec.by_type(RECORD)} == {True}
    _, rec = construct(engine, plugin, yaml_properties("zone123") | {"protect": True, "retainOnDelete": True},
                       preview=True)
    assert {(r.protect, r.retain_on_delete) for r in rec.by_type(RECORD)} == {(True, True)}
    _, rec = construct(engine, plugin, yaml_properties("zone123"), preview=True)
    assert {r.protect for r in rec.by_type(RECORD)} == {False}


# --- adoption -------------------------------------------------------------------------------

@pytest.mark.parametrize("preview", [True, False])
def test_azure_adoption_reads_the_set_then_imports_it(engine, plugin, preview):
    result, rec = construct(engine, plugin, azure_properties(adopt={"mx": ARM}), preview=preview,
                            invokes=microsoft_set())
    [invoke] = rec.invokes
    assert invoke.token == GET_SET
    assert invoke.args == {"resourceGroupName": "dns-rg", "zoneName": "contoso.com", "recordType": "MX",
                           "relativeRecordSetName": "@"}
    [record_set] = rec.by_type(RECORD_SET)
    assert record_set.import_id == ARM
    assert [v["exchange"] for v in record_set.inputs["mxRecords"]] == [V4, DS]
    assert result.state["mxRecords"][1] == {"preference": 10, "exchange": DS}


def test_azure_guard_refuses_foreign_mx_as_a_property_error(engine, plugin):
    failure, rec = refused(engine, plugin, azure_properties(adopt={"mx": ARM}),
                           invokes=microsoft_set({"preference": 20, "exchange": "backup.mailhost.example.net."}))
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    [error] = failure.property_errors
    assert error.property_path == "adopt.mx"
    assert "holds 20 backup.mailhost.example.net, which is not a Microsoft 365 host" in error.reason
    assert "allowForeignMx: true" in error.reason
    assert "Output" not in error.reason and "Traceback" not in failure.details
    assert rec.by_type(RECORD_SET) == []


def test_azure_guard_can_be_overridden(engine, plugin):
    _, rec = construct(engine, plugin, azure_properties(adopt={"mx": ARM}, allowForeignMx=True), preview=False,
                       invokes=microsoft_set({"preference": 20, "exchange": "backup.mailhost.example.net."}))
    [record_set] = rec.by_type(RECORD_SET)
    assert record_set.import_id == ARM


def test_cloudflare_adoption_imports_without_the_comment(engine, plugin):
    _, rec = construct(engine, plugin, yaml_properties("zone123") | {"adopt": {"dualStack": "zone123/abc123"}},
                       preview=False)
    records = {r.name: r for r in rec.by_type(RECORD)}
    assert records["contoso-dual-stack"].import_id == "zone123/abc123"
    assert "comment" not in records["contoso-dual-stack"].inputs
    assert records["contoso-ipv4-only"].import_id == "" and "comment" in records["contoso-ipv4-only"].inputs
    assert rec.invokes == []


# --- bad input: a property error on the camelCase path, no traceback ------------------------

CF = {"domain": "contoso.com", "tenant": "contoso", "cloudflare": {"zoneId": "zone123"}}
AZ = {"domain": "contoso.com", "tenant": "contoso", "azure": {"resourceGroupName": "dns-rg"}}
BAD = [
    ({**CF, "domain": ""}, "domain", "domain is empty"),
    ({**CF, "tenant": "contoso-x"}, "tenant", "only letters and digits"),
    ({**CF, "mode": "dual"}, "mode", "use 'split'"),
    ({**CF, "primaryPriority": 10, "secondaryPriority": 5}, "secondaryPriority",
     "secondaryPriority 5 must be greater than primaryPriority 10"),
    ({**CF, "primaryPriority": 70000}, "primaryPriority", "primaryPriority 70000 is outside 0..65535"),  # not 70000.0
    ({**CF, "ttl": 3600.5}, "ttl", "must be an integer, got 3600.5"),
    ({**CF, "ttl": 30}, "ttl", "not accepted by Cloudflare"),
    ({**CF, "ttl": "abc"}, "ttl", "must be an integer"),
    ({**CF, "ttl": UNKNOWN}, "ttl", "ttl is unknown"),
    ({**CF, "domain": Secret("contoso.com")}, "domain", "is a secret or another resource's output"),
    ({**CF, "cloud": "azure"}, "cloud", "use one of"),
    ({"domain": "contoso-x.com", "tenant": "contoso", "cloudflare": {"zoneId": "z"}}, "dualStackHost",
     "pass dualStackHost explicitly"),
    ({**CF, "dualStackHost": "mail.example.com"}, "dualStackHost", "is not a Microsoft 365 inbound host"),
    ({**CF, **AZ}, "cloudflare", "pass exactly one of azure: {resourceGroupName: ...}, cloudflare: {zoneId: ...}, "),
    ({"domain": "contoso.com", "tenant": "contoso"}, "azure", "pass exactly one of"),
    ({**CF, "cloudflare": {"zoneId": ""}}, "cloudflare.zoneId", "cloudflare.zoneId is required; pass cloudflare: {zoneId: ...}"),
    ({**CF, "cloudflare": {}}, "cloudflare.zoneId", "Missing required input 'cloudflare.zoneId'"),
    ({**AZ, "azure": {"resourceGroupName": "rg", "zoneName": "fabrikam.com"}}, "azure.zoneName",
     "azure.zoneName 'fabrikam.com' does not contain domain 'contoso.com'"),
    ({**AZ, "adopt": {"mx": "not-an-id"}}, "adopt.mx", "is not an Azure DNS record set id"),
    ({**CF, "mode": "standard", "adopt": {"ipv4Only": "zone123/abc"}}, "adopt.ipv4Only", "declares no ipv4-only record"),
    ({**CF, "adopt": {"dualStack": "otherzone/abc"}}, "adopt.dualStack", "is in zone 'otherzone'"),
    ({**CF, "protect": "yes"}, "protect", "protect must be true or false"),
    ({**CF, "azure": "dns-rg"}, "azure", "azure must be an object"),
]
SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


@pytest.mark.parametrize("inputs, path, fragment", BAD, ids=[f"{p}-{i}" for i, (_, p, _) in enumerate(BAD)])
def test_bad_input_is_a_property_error(engine, plugin, inputs, path, fragment):
    failure, rec = refused(engine, plugin, inputs)
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT, failure.details
    [error] = failure.property_errors
    assert error.property_path == path
    assert fragment in error.reason
    assert "Traceback" not in failure.details and 'File "' not in failure.details + error.reason
    assert SNAKE.findall(error.reason) == [], error.reason  # fields spelled as the schema spells them
    assert [r for r in rec.registrations if r.custom] == []  # nothing reached a provider


# Numbers the schema's integer type lets through, and properties the schema does not declare
# (the SDK's input mapping drops those silently: `adopt: {dual_stack: …}` would create a second
# record instead of adopting one, `azure: {zone_name: …}` would write into another zone).
EDGE_BAD = [
    ({**CF, "ttl": float("inf")}, "ttl", "ttl must be an integer, got inf"),
    ({**CF, "primaryPriority": float("-inf")}, "primaryPriority", "must be an integer, got -inf"),
    ({**CF, "ttl": float("nan")}, "ttl", "ttl must be an integer, got nan"),
    ({**CF, "adopt": {"dual_stack": "zone123/abc"}}, "adopt.dual_stack",
     "adopt.dual_stack is not a property of MxSplit; did you mean adopt.dualStack?"),
    ({**AZ, "azure": {"resourceGroupName": "rg", "zone_name": "contoso.com"}}, "azure.zone_name",
     "did you mean azure.zoneName?"),
    ({**CF, "retain_on_delete": True}, "retain_on_delete", "did you mean retainOnDelete?"),
    ({**CF, "cloudflare": {"zoneId": "z", "zone_id": "z"}}, "cloudflare.zone_id", "did you mean cloudflare.zoneId?"),
    ({**CF, "bogus": 1}, "bogus", "bogus is not a property of MxSplit; use one of: domain, tenant, "),
    ({**CF, "cloudflare": {"zoneId": "z", "proxied": True}}, "cloudflare.proxied",
     "cloudflare.proxied is not a property of MxSplit; use one of: zoneId"),
]


@pytest.mark.parametrize("inputs, path, fragment", EDGE_BAD, ids=[f"{p}-{i}" for i, (_, p, _) in enumerate(EDGE_BAD)])
def test_edge_input_is_a_property_error(engine, plugin, inputs, path, fragment):
    failure, rec = refused(engine, plugin, inputs)
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT, failure.details
    [error] = failure.property_errors
    assert (error.property_path, "Traceback" in failure.details) == (path, False)
    assert fragment in error.reason
    assert [r for r in rec.registrations if r.custom] == []


def test_negative_zero_is_zero(engine, plugin):
    result, rec = construct(engine, plugin, {**CF, "primaryPriority": -0.0}, preview=True)
    assert result.state["mxRecords"][0]["preference"] == 0


def test_bad_input_does_not_poison_the_next_construct(engine, plugin):
    refused(engine, plugin, {**CF, "domain": ""})
    result, _ = construct(engine, plugin, CF, preview=True)
    assert result.state["dualStackHost"] == DS


# --- Route 53 and Cloud DNS, with inputs as the engine sends them ---------------------------

R53_RECORD = "aws:route53/record:Record"
GCP_RECORD_SET = "gcp:dns/recordSet:RecordSet"
GET_RECORDS = "aws:route53/getRecords:getRecords"
GET_GCP_SET = "gcp:dns/getRecordSet:getRecordSet"
R53_ID = "Z0123456789ABC_contoso.com_MX"
GCP_ID = "projects/acme/managedZones/contoso-com/rrsets/contoso.com./MX"
R53 = {"domain": "contoso.com", "tenant": "contoso", "route53": {"zoneId": "Z0123456789ABC"}}
GCP = {"domain": "contoso.com", "tenant": "contoso", "cloudDns": {"managedZone": "contoso-com", "project": "acme"}}
FOREIGN = "20 backup.mailhost.example.net."


def r53_set(*values):
    return {GET_RECORDS: {"zoneId": "Z0123456789ABC", "resourceRecordSets": [
        {"name": "contoso.com.", "type": "MX", "ttl": 3600, "resourceRecords": [{"value": v} for v in values]}]}}


def gcp_set(*values):
    return {GET_GCP_SET: {"name": "contoso.com.", "type": "MX", "ttl": 3600, "rrdatas": list(values)}}


@pytest.mark.parametrize("preview", [True, False])
def test_route53_over_the_protocol(engine, plugin, preview):
    result, rec = construct(engine, plugin, R53, preview=preview)
    [record] = rec.by_type(R53_RECORD)
    assert record.name == "contoso-mx" and record.parent == COMPONENT_URN and record.import_id == ""
    assert record.inputs == {"zoneId": "Z0123456789ABC", "name": "contoso.com", "type": "MX", "ttl": 3600.0,
                             "records": [f"0 {V4}.", f"10 {DS}."]}
    assert rec.invokes == []
    assert sorted(result.state_dependencies["mxRecords"]) == [record.urn]
    assert result.state["zoneRecords"][1] == f"contoso.com. 3600 IN MX 10 {DS}."


@pytest.mark.parametrize("preview", [True, False])
def test_cloud_dns_over_the_protocol(engine, plugin, preview):
    result, rec = construct(engine, plugin, GCP | {"ttl": 300}, preview=preview)
    [record_set] = rec.by_type(GCP_RECORD_SET)
    assert record_set.name == "contoso-mx" and record_set.parent == COMPONENT_URN
    assert record_set.inputs == {"managedZone": "contoso-com", "project": "acme", "name": "contoso.com.",
                                 "type": "MX", "ttl": 300.0, "rrdatas": [f"0 {V4}.", f"10 {DS}."]}
    assert result.state["validation"]["ok"] is True


def test_unknown_zone_id_in_preview_on_route53(engine, plugin):
    result, rec = construct(engine, plugin, R53 | {"route53": {"zoneId": UNKNOWN}}, preview=True)
    [record] = rec.by_type(R53_RECORD)
    assert record.inputs["zoneId"] == UNKNOWN and record.inputs["records"] == [f"0 {V4}.", f"10 {DS}."]
    assert result.state["dualStackHost"] == DS


def test_secret_managed_zone_stays_secret(engine, plugin):
    _, rec = construct(engine, plugin, GCP | {"cloudDns": {"managedZone": Secret("contoso-com"), "project": "acme"}},
                       preview=False)
    [record_set] = rec.by_type(GCP_RECORD_SET)
    assert record_set.inputs["managedZone"] == Secret("contoso-com") and record_set.inputs["project"] == "acme"


@pytest.mark.parametrize("preview", [True, False])
def test_route53_adoption_reads_the_set_then_imports_it(engine, plugin, preview):
    _, rec = construct(engine, plugin, R53 | {"adopt": {"mx": R53_ID}}, preview=preview, invokes=r53_set(f"0 {DS}."))
    [invoke] = rec.invokes
    assert invoke.token == GET_RECORDS
    assert invoke.args == {"zoneId": "Z0123456789ABC", "nameRegex": "^contoso\\.com\\.?$"}
    [record] = rec.by_type(R53_RECORD)
    assert record.import_id == R53_ID and record.inputs["records"] == [f"0 {V4}.", f"10 {DS}."]


@pytest.mark.parametrize("preview", [True, False])
def test_cloud_dns_adoption_reads_the_set_then_imports_it(engine, plugin, preview):
    _, rec = construct(engine, plugin, GCP | {"adopt": {"mx": GCP_ID}}, preview=preview, invokes=gcp_set(f"0 {DS}."))
    [invoke] = rec.invokes
    assert invoke.token == GET_GCP_SET
    assert invoke.args == {"managedZone": "contoso-com", "name": "contoso.com.", "type": "MX", "project": "acme"}
    [record_set] = rec.by_type(GCP_RECORD_SET)
    assert record_set.import_id == GCP_ID


@pytest.mark.parametrize("inputs, invokes, record_type", [
    (R53 | {"adopt": {"mx": R53_ID}}, r53_set(f"0 {DS}.", FOREIGN), R53_RECORD),
    (GCP | {"adopt": {"mx": GCP_ID}}, gcp_set(f"0 {DS}.", FOREIGN), GCP_RECORD_SET),
])
def test_whole_set_guard_refuses_foreign_mx_as_a_property_error(engine, plugin, inputs, invokes, record_type):
    failure, rec = refused(engine, plugin, inputs, invokes=invokes)
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    [error] = failure.property_errors
    assert error.property_path == "adopt.mx"
    assert "holds 20 backup.mailhost.example.net, which is not a Microsoft 365 host" in error.reason
    assert "allowForeignMx: true" in error.reason and "Traceback" not in failure.details
    assert rec.by_type(record_type) == []
    _, rec = construct(engine, plugin, inputs | {"allowForeignMx": True}, preview=False, invokes=invokes)
    assert [r.import_id for r in rec.by_type(record_type)] == [inputs["adopt"]["mx"]]


@pytest.mark.parametrize("inputs", [AZ | {"adopt": {"mx": ARM}}, R53 | {"adopt": {"mx": R53_ID}},
                                    GCP | {"adopt": {"mx": GCP_ID}}], ids=["azure", "route53", "cloud-dns"])
def test_a_failed_read_before_adoption_is_a_property_error(engine, plugin, inputs):
    """The set named by adopt.mx does not exist (or cannot be read): the provider's invoke fails."""
    failure, rec = refused(engine, plugin, inputs, invokes={})
    assert len(rec.invokes) == 1
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT, failure.details
    [error] = failure.property_errors
    assert error.property_path == "adopt.mx"
    assert error.reason.startswith("adopt.mx: could not read the existing record set before adopting it")
    assert "the stand-in engine has no result" in error.reason  # the provider's own reason
    assert "Traceback" not in failure.details and 'File "' not in failure.details + error.reason
    assert [r for r in rec.registrations if r.custom] == []


WHOLE_SET_BAD = [
    ({**R53, "route53": {"zoneId": "contoso.com"}}, "route53.zoneId", "is not a Route 53 hosted zone id"),
    ({**R53, "route53": {"zoneId": ""}}, "route53.zoneId", "route53.zoneId is required; pass route53: {zoneId: ...}"),
    ({**R53, "route53": {}}, "route53.zoneId", "Missing required input 'route53.zoneId'"),
    ({**GCP, "cloudDns": {"managedZone": "contoso.com."}}, "cloudDns.managedZone", "not its DNS name"),
    ({**GCP, "cloudDns": {"project": "acme"}}, "cloudDns.managedZone", "Missing required input"),
    ({**R53, **GCP}, "cloudDns", "route53: {zoneId: ...} or cloudDns: {managedZone: ...}; got route53 and cloudDns"),
    ({**CF, **R53}, "route53", "got cloudflare and route53"),
    ({**R53, "adopt": {"mx": "ZOTHER_contoso.com_MX"}}, "adopt.mx", "is in hosted zone 'ZOTHER'"),
    ({**R53, "adopt": {"dualStack": R53_ID}}, "adopt.dualStack", "does not apply to route53; use mx"),
    ({**GCP, "adopt": {"mx": GCP_ID.replace("rrsets/contoso.com.", "rrsets/www.contoso.com.")}}, "adopt.mx",
     "points at name 'www.contoso.com'"),
    ({**GCP, "cloudDns": {"managedZone": "contoso-com"}, "adopt": {"mx": GCP_ID}}, "cloudDns.project",
     "pass it as cloudDns.project too"),
    ({**R53, "route53": "Z0123456789ABC"}, "route53", "route53 must be an object"),
]


@pytest.mark.parametrize("inputs, path, fragment", WHOLE_SET_BAD,
                         ids=[f"{p}-{i}" for i, (_, p, _) in enumerate(WHOLE_SET_BAD)])
def test_bad_whole_set_input_is_a_property_error(engine, plugin, inputs, path, fragment):
    test_bad_input_is_a_property_error(engine, plugin, inputs, path, fragment)


def test_yaml_example_file_is_the_one_tested():
    assert Path(YAML_EXAMPLE / "Pulumi.yaml").read_text().count(TOKEN) == 1
