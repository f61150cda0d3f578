"""Every Python example under mocks with its committed stack file and only its own extra's SDK;
each stack file against the config the program reads; the YAML example against the schema."""

import ast
import contextlib
import json
import re
import sys
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
AZ_ZONE = "azure-native:dns:getZone"
AZ_SET = "azure-native:dns:getRecordSet"
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


def azure_zone(args):
    return {"name": args.args["zoneName"], "nameServers": ["ns1-01.azure-dns.com."],
            "id": f"/subscriptions/0000/resourceGroups/{args.args['resourceGroupName']}/providers/"
                  f"Microsoft.Network/dnszones/{args.args['zoneName']}"}


def pyproject():
    import tomllib  # Python >= 3.11, as the dev environment

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def provider_sdks(extras):
    """The provider SDK modules (``pulumi_aws``, …) of ``extras``."""
    optional = pyproject()["project"]["optional-dependencies"]
    return {re.split(r"[<>=\[; ]", req)[0].replace("-", "_") for extra in extras for req in optional[extra]
            if req.startswith("pulumi-") and not req.startswith("pulumi-policy")}


def example_extras(folder):
    """The extras the example's requirements.txt installs from this clone (``../..[azure,cloudflare]``)."""
    [local] = re.findall(r"^\.\./\.\.\[([\w,]+)\]$", (folder / "requirements.txt").read_text(), re.M)
    return set(local.split(","))


@contextlib.contextmanager
def others_blocked(folder):
    """Importing another extra's SDK fails inside, as if it were not installed (a ``None`` entry
    in ``sys.modules``). Only those entries are restored: an SDK imported inside stays loaded,
    since the SDKs refuse to register their packages twice."""
    single = {e for e in pyproject()["project"]["optional-dependencies"] if e not in ("all", "dev")}
    blocked = provider_sdks(single) - provider_sdks(example_extras(folder))
    saved = {name: sys.modules.pop(name) for name in blocked if name in sys.modules}
    sys.modules.update(dict.fromkeys(blocked))
    try:
        yield
    finally:
        for name in blocked:
            del sys.modules[name]
        sys.modules.update(saved)


def run_example(folder, *, preview=False, extra_config=None, calls=None):
    project = yaml.safe_load((folder / "Pulumi.yaml").read_text())["name"]
    config = stack_config(folder / "Pulumi.dev.yaml")
    config.update(extra_config or {})
    mocks = RecordingMocks(calls={CF_ZONE: zone_lookup, AWS_ZONE: aws_zone, GCP_ZONE: gcp_zone, AZ_ZONE: azure_zone,
                                  **(calls or {})})
    with others_blocked(folder):
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


def test_the_examples_venvs_are_ignored():
    """`pulumi install` in an example creates its venv/ (the runtime option each Pulumi.yaml sets)."""
    ignored = [line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()]
    assert "examples/*/venv/" in ignored
    for folder in FOLDERS:
        runtime = yaml.safe_load((EXAMPLES / folder / "Pulumi.yaml").read_text())["runtime"]
        if isinstance(runtime, dict):
            assert runtime["options"]["virtualenv"] == "venv", folder


@pytest.mark.parametrize("preview", [True, False])
def test_azure_example(preview):
    mocks, exports, _ = run_example(EXAMPLES / "azure", preview=preview)
    [rs] = mocks.by_type("azure-native:dns:RecordSet")
    assert rs.name == "contoso-mx"
    assert [r["preference"] for r in rs.inputs["mxRecords"]] == [0, 10]
    [provider] = mocks.by_type("pulumi:providers:azure-native")
    if not preview:
        assert rs.inputs["relativeRecordSetName"] == "@"  # the zone name came from the lookup
    assert value(exports["zone_records"])[0] == "contoso.com. 3600 IN MX 0 contoso.mail.protection.outlook.com."
    # By default the zone exists: looked up through the explicit provider, never created.
    assert not mocks.by_type("azure-native:dns:Zone") and not mocks.by_type("azure-native:resources:ResourceGroup")
    [lookup] = [i for i in mocks.invokes if i.token == AZ_ZONE]
    assert lookup.args == {"resourceGroupName": "dns-rg", "zoneName": "contoso.com"}
    assert lookup.provider == rs.provider and rs.provider.endswith("pulumi:providers:azure-native::azure::azure-id")
    assert (rs.inputs["resourceGroupName"], rs.inputs["zoneName"]) == ("dns-rg", "contoso.com")
    assert value(exports["name_servers"]) == ["ns1-01.azure-dns.com."]


def test_azure_example_creates_the_zone_only_when_asked():
    mocks, exports, _ = run_example(EXAMPLES / "azure", extra_config={"mxsplit-azure:createZone": "true"})
    [zone] = mocks.by_type("azure-native:dns:Zone")
    assert (zone.inputs["zoneName"], zone.inputs["resourceGroupName"], zone.inputs["location"]) == \
        ("contoso.com", "dns-rg", "global")
    assert not [i for i in mocks.invokes if i.token == AZ_ZONE]
    assert not mocks.by_type("azure-native:resources:ResourceGroup")  # the group is the user's
    [rs] = mocks.by_type("azure-native:dns:RecordSet")
    assert rs.inputs["zoneName"] == "contoso.com"


def test_azure_example_adopts_with_its_config():
    arm = "/subscriptions/0000/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/contoso.com/MX/@"
    existing = {"mxRecords": [{"preference": 0, "exchange": DS}], "ttl": 3600, "name": "@", "id": arm}
    mocks, _, _ = run_example(EXAMPLES / "azure", extra_config={"mxsplit-azure:adoptMx": arm}, calls={AZ_SET: existing})
    [rs] = mocks.by_type("azure-native:dns:RecordSet")
    assert rs.resource_id == arm
    [read] = [i for i in mocks.invokes if i.token == AZ_SET]
    assert read.provider == rs.provider  # the guard reads through the component's provider


def test_azure_example_adopting_a_subdomain_in_a_parent_zone():
    mocks, _, _ = run_example(EXAMPLES / "azure", extra_config={"mxsplit-azure:domain": "dev.contoso.com",
                                                                "mxsplit-azure:zoneName": "contoso.com"})
    [rs] = mocks.by_type("azure-native:dns:RecordSet")
    assert (rs.inputs["zoneName"], rs.inputs["relativeRecordSetName"]) == ("contoso.com", "dev")


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


def test_multi_domain_check_csv_is_what_mxsplit_reads(tmp_path, capsys):
    """`pulumi stack output check_csv > domains.csv` gives a file `mxsplit … --file` takes as is,
    with the hosts the components planned (the hyphenated domain's issued host included)."""
    from mxsplit_component.cli import main

    _, exports, _ = run_example(EXAMPLES / "multi-domain")
    text = value(exports["check_csv"])
    assert text.splitlines()[0] == "domain,tenant,dual_stack_host,ipv4_only_host,mode"
    assert "northwind-traders.org,northwindtraders,northwindtraders-org02c.mail.protection.outlook.com," in text
    (tmp_path / "domains.csv").write_text(text)
    code = main(["plan", "--file", str(tmp_path / "domains.csv"), "--format", "zone", "--out-dir", str(tmp_path / "z")])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "z" / "tailspin.co.uk.zone").read_text() == \
        "tailspin.co.uk. 3600 IN MX 0 tailspin-co-uk.mail.protection.outlook.com.\n"
    assert len(list((tmp_path / "z").iterdir())) == 4


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


# --- each stack file holds every key its program reads, and no other -----------------------

READS = {"require", "require_secret", "require_bool", "require_int", "require_float", "require_object",
         "require_secret_bool", "require_secret_int", "require_secret_object",
         "get", "get_secret", "get_bool", "get_int", "get_float", "get_object", "get_secret_bool", "get_secret_int",
         "get_secret_object"}


def config_reads(program, project):
    """``{"ns:key": "require" | "get_secret" | …}`` for every ``pulumi.Config(...)`` read of ``program``."""
    tree = ast.parse(program.read_text())

    def namespace(node):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Config"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "pulumi"):
            return node.args[0].value if node.args else project
        return None

    configs = {t.id: namespace(n.value) for n in ast.walk(tree) if isinstance(n, ast.Assign)
               for t in n.targets if isinstance(t, ast.Name) and namespace(n.value)}
    reads = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in READS):
            continue
        target = node.func.value
        ns = configs.get(target.id) if isinstance(target, ast.Name) else namespace(target)
        if ns is None:
            continue
        assert isinstance(node.args[0], ast.Constant), f"{program}:{node.lineno}: a config key that is not a literal"
        reads[f"{ns}:{node.args[0].value}"] = node.func.attr
    return reads


def yaml_reads(program, project):
    """A YAML program's ``config:`` block: a key without a default is required."""
    declared = yaml.safe_load(program.read_text()).get("config") or {}
    return {f"{project}:{k}" if ":" not in k else k: ("get" if "default" in (v or {}) else "require")
            for k, v in declared.items()}


def mentioned(stack_file, project):
    """Keys the stack file's comments tell the user to set (``pulumi config set [--secret] key``)."""
    keys = re.findall(r"^#.*pulumi config set (?:--secret )?(?:--path )?'?([\w.:-]+)", stack_file.read_text(), re.M)
    return {k if ":" in k else f"{project}:{k}" for k in keys}


FOLDERS = sorted(p.name for p in EXAMPLES.iterdir() if (p / "Pulumi.yaml").exists())


@pytest.mark.parametrize("folder", FOLDERS)
def test_stack_file_holds_every_key_the_program_reads_and_no_other(folder):
    path = EXAMPLES / folder
    project = yaml.safe_load((path / "Pulumi.yaml").read_text())["name"]
    reads = (config_reads(path / "__main__.py", project) if (path / "__main__.py").exists()
             else yaml_reads(path / "Pulumi.yaml", project))
    stack_file = path / "Pulumi.dev.yaml"
    assert stack_file.exists(), f"examples/{folder} has no Pulumi.dev.yaml"
    config = set((yaml.safe_load(stack_file.read_text()) or {}).get("config") or {})
    told = mentioned(stack_file, project)
    assert reads, f"examples/{folder} reads no config?"
    for key, how in reads.items():
        if "secret" in how:  # never committed in clear: the file says how to set it
            assert key not in config and key in told, f"{folder}: secret {key} must be set with pulumi config set --secret"
        elif how.startswith("require"):
            assert key in config, f"{folder}: {key} is required but not in Pulumi.dev.yaml"
        else:
            assert key in config or key in told, f"{folder}: optional {key} is neither set nor explained"
    assert config <= set(reads), f"{folder}: Pulumi.dev.yaml sets keys the program never reads: {config - set(reads)}"


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
