"""Every Python example under mocks with its committed stack file; the YAML example against the schema."""

import json
import re
from pathlib import Path

import pytest
import yaml

from mxsplit_component.testing.mocks import RecordingMocks, value
from tests.support.programs import run_main, stack_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CF_ZONE = "cloudflare:index/getZone:getZone"
AWS_ZONE = "aws:route53/getZone:getZone"
GCP_ZONE = "gcp:dns/getManagedZone:getManagedZone"
AWS_RECORDS = "aws:route53/getRecords:getRecords"
GCP_SET = "gcp:dns/getRecordSet:getRecordSet"
DS = "contoso-com.mail.protection.outlook.com"


def zone_lookup(args):
    zid = "zone-" + args.args["filter"]["name"].replace(".", "-")
    return {"id": zid, "zoneId": zid, "name": args.args["filter"]["name"]}


def aws_zone(args):
    return {"id": "Z0123456789ABC", "zoneId": "Z0123456789ABC", "name": args.args["name"],
            "nameServers": ["ns-1.awsdns-00.com."]}


def gcp_zone(args):
    return {"id": f"projects/{args.args['project']}/managedZones/{args.args['name']}", "name": args.args["name"],
            "project": args.args["project"], "dnsName": "contoso.com.", "nameServers": ["ns-cloud-a1.googledomains.com."]}


def run_example(folder, *, preview=False, extra_config=None, calls=None):
    project = yaml.safe_load((folder / "Pulumi.yaml").read_text())["name"]
    config = stack_config(folder / "Pulumi.dev.yaml")
    config.update(extra_config or {})
    mocks = RecordingMocks(calls={CF_ZONE: zone_lookup, AWS_ZONE: aws_zone, GCP_ZONE: gcp_zone, **(calls or {})})
    return run_main(folder / "__main__.py", config=config, preview=preview, mocks=mocks, project=project)


@pytest.mark.parametrize("folder", ["azure", "cloudflare", "multi-domain", "route53", "cloud-dns"])
def test_each_python_example_is_a_project(folder):
    path = EXAMPLES / folder
    project = yaml.safe_load((path / "Pulumi.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert (path / "Pulumi.dev.yaml").exists() and (path / "requirements.txt").exists()
    lines = [ln for ln in (path / "requirements.txt").read_text().splitlines() if ln and not ln.startswith("#")]
    # From a clone the package comes from this repository, with the example's provider extra.
    [local] = [ln for ln in lines if ln.startswith("../..[")]
    assert (path / local.split("[")[0]).resolve() == ROOT
    assert "mxsplit-component[" in (path / "requirements.txt").read_text()  # the PyPI line, for copies
    assert "secure:" not in (path / "Pulumi.dev.yaml").read_text()


@pytest.mark.parametrize("preview", [True, False])
def test_azure_example(preview):
    mocks, exports, _ = run_example(EXAMPLES / "azure", preview=preview)
    [rs] = mocks.by_type("azure-native:dns:RecordSet")
    assert rs.name == "contoso-mx"
    assert [r["preference"] for r in rs.inputs["mxRecords"]] == [0, 10]
    assert mocks.by_type("pulumi:providers:azure-native")
    if not preview:
        assert rs.inputs["relativeRecordSetName"] == "@"  # the zone name came from the Zone resource
    assert value(exports["zone_records"])[0] == "contoso.com. 3600 IN MX 0 contoso.mail.protection.outlook.com."


@pytest.mark.parametrize("preview", [True, False])
def test_cloudflare_example(preview):
    mocks, exports, _ = run_example(EXAMPLES / "cloudflare", preview=preview,
                                    extra_config={"mxsplit-cloudflare:apiToken": "test-token"})
    [provider] = mocks.by_type("pulumi:providers:cloudflare")
    token = provider.inputs["apiToken"]  # a secret: wrapped by the engine, never in clear in state
    assert isinstance(token, dict) and token["value"] == "test-token"
    records = {r.name: r.inputs for r in mocks.by_type("cloudflare:index/dnsRecord:DnsRecord")}
    assert set(records) == {"contoso-ipv4-only", "contoso-dual-stack"}
    assert {r["zoneId"] for r in records.values()} == {"zone-contoso-com"}
    [lookup] = [i for i in mocks.invokes if i.token == CF_ZONE]
    assert lookup.args["filter"] == {"name": "contoso.com"}
    assert value(exports["validation"])["ok"] is True


def test_cloudflare_example_requires_the_secret():
    with pytest.raises(Exception, match="apiToken"):
        run_example(EXAMPLES / "cloudflare")


@pytest.mark.parametrize("preview", [True, False])
def test_multi_domain_example(preview):
    mocks, exports, _ = run_example(EXAMPLES / "multi-domain", preview=preview)
    rows = yaml.safe_load((EXAMPLES / "multi-domain" / "domains.yaml").read_text())
    domains = value(exports["domains"])
    assert set(domains) == {r["domain"] for r in rows}
    assert domains["tailspin.co.uk"]["mx_records"] == [
        {"preference": 0, "exchange": "tailspin-co-uk.mail.protection.outlook.com"}]
    assert domains["fabrikam.net"]["tenant"] == "fabrikam"
    assert all(d["validation_ok"] for d in domains.values())
    assert len(mocks.by_type("azure-native:dns:RecordSet")) == 1
    assert len(mocks.by_type("cloudflare:index/dnsRecord:DnsRecord")) == 5  # 2 + 2 split, 1 standard


@pytest.mark.parametrize("preview", [True, False])
def test_route53_example(preview):
    mocks, exports, _ = run_example(EXAMPLES / "route53", preview=preview)
    [provider] = mocks.by_type("pulumi:providers:aws")
    assert provider.inputs["region"] == "us-east-1"
    [lookup] = [i for i in mocks.invokes if i.token == AWS_ZONE]
    assert (lookup.args["name"], lookup.args["privateZone"]) == ("contoso.com", False)
    [rec] = mocks.by_type("aws:route53/record:Record")
    # The lookup and the record both use the explicit provider (the record through its parent).
    assert lookup.provider == rec.provider and rec.provider.endswith("pulumi:providers:aws::aws::aws-id")
    assert rec.name == "contoso-mx"
    assert rec.inputs["zoneId"] == "Z0123456789ABC" and rec.inputs["name"] == "contoso.com"
    assert rec.inputs["records"] == ["0 contoso.mail.protection.outlook.com.", f"10 {DS}."]
    assert value(exports["name_servers"]) == ["ns-1.awsdns-00.com."]
    assert value(exports["validation"])["ok"] is True


def test_route53_example_adopts_with_its_config():
    existing = {"zoneId": "Z0123456789ABC", "resourceRecordSets": [
        {"name": "contoso.com.", "type": "MX", "resourceRecords": [{"value": f"0 {DS}."}]}]}
    mocks, _, _ = run_example(EXAMPLES / "route53", extra_config={"mxsplit-route53:adoptMx": "Z0123456789ABC_contoso.com_MX"},
                              calls={AWS_RECORDS: existing})
    [rec] = mocks.by_type("aws:route53/record:Record")
    assert rec.resource_id == "Z0123456789ABC_contoso.com_MX"
    [read] = [i for i in mocks.invokes if i.token == AWS_RECORDS]
    assert read.args["zoneId"] == "Z0123456789ABC"
    assert read.provider == rec.provider  # the guard reads through the component's provider


@pytest.mark.parametrize("preview", [True, False])
def test_cloud_dns_example(preview):
    mocks, exports, _ = run_example(EXAMPLES / "cloud-dns", preview=preview)
    [provider] = mocks.by_type("pulumi:providers:gcp")
    assert provider.inputs["project"] == "acme-dns"
    [lookup] = [i for i in mocks.invokes if i.token == GCP_ZONE]
    assert (lookup.args["name"], lookup.args["project"]) == ("contoso-com", "acme-dns")
    [rs] = mocks.by_type("gcp:dns/recordSet:RecordSet")
    assert lookup.provider == rs.provider and rs.provider.endswith("pulumi:providers:gcp::gcp::gcp-id")
    assert rs.name == "contoso-mx"
    assert rs.inputs == {"managedZone": "contoso-com", "project": "acme-dns", "name": "contoso.com.", "type": "MX",
                         "ttl": 3600, "rrdatas": ["0 contoso.mail.protection.outlook.com.", f"10 {DS}."]}
    assert value(exports["validation"])["ok"] is True


def test_cloud_dns_example_guard_refuses_a_foreign_set():
    from mxsplit_component.component import AdoptionRefusedError

    adopt = "projects/acme-dns/managedZones/contoso-com/rrsets/contoso.com./MX"
    with pytest.raises(AdoptionRefusedError, match="holds 10 mx.gateway.example.net"):
        run_example(EXAMPLES / "cloud-dns", extra_config={"mxsplit-cloud-dns:adoptMx": adopt},
                    calls={GCP_SET: {"rrdatas": [f"0 {DS}.", "10 mx.gateway.example.net."]}})


def schema():
    from pulumi.provider.experimental.component import ComponentProvider

    from mxsplit_component import MxSplit

    return json.loads(ComponentProvider([MxSplit], "mxsplit").schema)


def check_properties(props, spec, types, where):
    allowed = spec.get("inputProperties") or spec.get("properties")
    for key, val in props.items():
        assert key in allowed, f"{where}.{key} is not in the schema"
        ref = allowed[key].get("$ref", "")
        if ref.startswith("#/types/"):
            check_properties(val, types[ref[len("#/types/"):]], types, f"{where}.{key}")
    for req in spec.get("requiredInputs") or spec.get("required") or []:
        assert req in props, f"{where} misses required {req}"


def test_yaml_example_matches_the_inferred_schema():
    s = schema()
    program = yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text())
    assert program["runtime"] == "yaml"
    assert program["packages"]["mxsplit"] == "../../provider"
    assert (EXAMPLES / "yaml" / program["packages"]["mxsplit"] / "PulumiPlugin.yaml").exists()
    resources = [r for r in program["resources"].values() if r["type"] == "mxsplit:index:MxSplit"]
    assert resources
    component = s["resources"]["mxsplit:index:MxSplit"]
    for res in resources:
        check_properties(res["properties"], component, s["types"], "properties")
    for expr in program["outputs"].values():
        _, prop = re.fullmatch(r"\$\{(\w+)\.(\w+)\}", expr).groups()
        assert prop in component["properties"]
