"""The root rollout project: each committed stack under mocks, preview and update; bad config."""

import gc
import json
from pathlib import Path

import pytest
import yaml

from mxsplit_component.errors import ConfigError
from mxsplit_component.stackconfig import parse_entries
from mxsplit_component.testing.mocks import RecordingMocks, is_known, value
from tests.support.programs import run_main, stack_config

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "rollout" / "__main__.py"
CF_ZONE = "cloudflare:index/getZone:getZone"
AZ_GET = "azure-native:dns:getRecordSet"


def mocks_for_stacks():
    return RecordingMocks(calls={
        CF_ZONE: lambda args: {"zoneId": "zone-" + args.args["filter"]["name"].replace(".", "-"),
                               "id": "zone-" + args.args["filter"]["name"].replace(".", "-")},
        AZ_GET: {"mxRecords": [{"preference": 0, "exchange": "contoso-com.mail.protection.outlook.com"}]},
    })


@pytest.fixture(autouse=True)
def _restore_gc():
    """The rollout program tunes the collector for its whole process; give the test session its own back."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_rollout_program_tunes_the_collector():
    from mxsplit_component.gctune import THRESHOLDS

    gc.set_threshold(700, 10, 10)
    run_main(MAIN, config=stack_config(ROOT / "Pulumi.dev.yaml"), preview=True, mocks=mocks_for_stacks())
    assert gc.get_threshold() == THRESHOLDS
    assert gc.get_freeze_count() > 0


def test_project_layout():
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "mxsplit"
    assert project["runtime"]["name"] == "python"
    assert project["main"] == "rollout/"
    assert "-e .[all]" in (ROOT / "requirements.txt").read_text()


@pytest.mark.parametrize("preview", [True, False])
def test_dev_stack(preview):
    mocks, exports, _ = run_main(MAIN, config=stack_config(ROOT / "Pulumi.dev.yaml"), preview=preview,
                                 mocks=mocks_for_stacks())
    [rs] = mocks.by_type("azure-native:dns:RecordSet")
    assert rs.name == "dev-contoso-com-mx"
    assert rs.inputs["zoneName"] == "contoso.com" and rs.inputs["relativeRecordSetName"] == "dev"
    assert rs.inputs["ttl"] == 300
    records = {r.name: r.inputs for r in mocks.by_type("cloudflare:index/dnsRecord:DnsRecord")}
    assert set(records) == {"contoso-dev-net-ipv4-only", "contoso-dev-net-dual-stack"}
    assert records["contoso-dev-net-dual-stack"]["content"] == "contosodev-net01b.mail.protection.outlook.com"
    # the zone was looked up by name
    assert [i.args["filter"]["name"] for i in mocks.invokes if i.token == CF_ZONE] == ["contoso-dev.net"]
    assert {r["zoneId"] for r in records.values()} == {"zone-contoso-dev-net"}
    domains = value(exports["domains"])
    assert set(domains) == {"dev.contoso.com", "contoso-dev.net"}
    assert domains["dev.contoso.com"]["mx_records"][0] == {"preference": 0,
                                                           "exchange": "contoso.mail.protection.outlook.com"}
    assert domains["contoso-dev.net"]["validation"]["ok"] is True


@pytest.mark.parametrize("preview", [True, False])
def test_prod_stack(preview):
    mocks, exports, _ = run_main(MAIN, config=stack_config(ROOT / "Pulumi.prod.yaml"), preview=preview,
                                 mocks=mocks_for_stacks())
    [rs] = mocks.by_type("azure-native:dns:RecordSet")
    assert rs.resource_id.endswith("/dnszones/contoso.com/MX/@")  # adopted, not created
    assert [i.token for i in mocks.invokes] == [AZ_GET]  # the foreign-MX guard read the set first
    [cf] = mocks.by_type("cloudflare:index/dnsRecord:DnsRecord")
    assert cf.name == "contoso-net-dual-stack" and cf.inputs["priority"] == 0  # standard mode
    domains = value(exports["domains"])
    assert domains["contoso.net"]["mx_records"] == [{"preference": 0,
                                                     "exchange": "contoso-net.mail.protection.outlook.com"}]
    assert is_known(exports["domains"])


WHOLE_SET_STACK = {"mxsplit:tenant": "contoso", "mxsplit:ttl": "300", "mxsplit:domains": json.dumps([
    {"domain": "contoso.org", "route53": {"zone_id": "Z0123456789ABC"},
     "adopt": {"mx": "Z0123456789ABC_contoso.org_MX"}},
    {"domain": "contoso.io", "mode": "standard", "cloud_dns": {"managed_zone": "contoso-io", "project": "acme-dns"}},
])}


@pytest.mark.parametrize("preview", [True, False])
def test_route53_and_cloud_dns_entries(preview):
    mocks = RecordingMocks(calls={"aws:route53/getRecords:getRecords": {"resourceRecordSets": [
        {"name": "contoso.org.", "type": "MX", "resourceRecords": [{"value": "0 contoso-org.mail.protection.outlook.com."}]}]}})
    mocks, exports, _ = run_main(MAIN, config=WHOLE_SET_STACK, preview=preview, mocks=mocks)
    [r53] = mocks.by_type("aws:route53/record:Record")
    assert (r53.name, r53.resource_id, r53.inputs["zoneId"], r53.inputs["ttl"]) == (
        "contoso-org-mx", "Z0123456789ABC_contoso.org_MX", "Z0123456789ABC", 300)
    assert r53.inputs["records"] == ["0 contoso.mail.protection.outlook.com.",
                                     "10 contoso-org.mail.protection.outlook.com."]
    assert [i.args["nameRegex"] for i in mocks.invokes] == ["^contoso\\.org\\.?$"]  # the guard read the set
    [gcp] = mocks.by_type("gcp:dns/recordSet:RecordSet")
    assert (gcp.name, gcp.inputs["name"], gcp.inputs["managedZone"], gcp.inputs["project"]) == (
        "contoso-io-mx", "contoso.io.", "contoso-io", "acme-dns")
    assert gcp.inputs["rrdatas"] == ["0 contoso-io.mail.protection.outlook.com."]
    assert set(value(exports["domains"])) == {"contoso.org", "contoso.io"}


def test_unknown_zone_id_in_preview_does_not_crash():
    mocks = RecordingMocks(calls={CF_ZONE: {}})  # a preview before the zone exists: nothing known
    mocks, exports, _ = run_main(MAIN, config=stack_config(ROOT / "Pulumi.dev.yaml"), preview=True, mocks=mocks)
    assert len(mocks.by_type("cloudflare:index/dnsRecord:DnsRecord")) == 2


def test_switch_back_to_standard_is_an_in_place_update():
    """One config line changes; the children keep their names, so preview shows an update."""
    config = stack_config(ROOT / "Pulumi.dev.yaml")
    domains = json.loads(config["mxsplit:domains"])
    before, _, _ = run_main(MAIN, config=config, mocks=mocks_for_stacks())
    domains[1]["mode"] = "standard"
    config["mxsplit:domains"] = json.dumps(domains)
    after, _, _ = run_main(MAIN, config=config, mocks=mocks_for_stacks())
    names_before = {r.name for r in before.resources}
    names_after = {r.name for r in after.resources}
    assert names_after == names_before - {"contoso-dev-net-ipv4-only"}
    dual = next(r for r in after.resources if r.name == "contoso-dev-net-dual-stack")
    assert dual.inputs["priority"] == 0


def _two(second):
    """A good first entry and ``second``: nothing may be declared when the second is bad."""
    return {"mxsplit:tenant": "contoso", "mxsplit:domains": json.dumps([
        {"domain": "fabrikam.com", "cloudflare": {"zone_id": "z"}}, second])}


@pytest.mark.parametrize("config, key, fragment", [
    (_two({"domain": "contoso.com", "cloudflare": {"zone_id": "z"}, "adopt": {"ipv4_only": "not-an-id"}}),
     "mxsplit:domains[1].adopt.ipv4_only", "is not a Cloudflare import id"),
    (_two({"domain": "contoso.com", "cloudflare": {"zone_id": "z"}, "adopt": {"primary": "z/r"}}),
     "mxsplit:domains[1].adopt.primary", "does not apply to cloudflare"),
    (_two({"domain": "contoso.com", "cloudflare": {"zone_id": "z"}, "protect": "yes"}),
     "mxsplit:domains[1].protect", "must be true or false"),
    (_two({"domain": "contoso.com", "cloudflare": {"zone_id": "z"}, "retain_on_delete": 1}),
     "mxsplit:domains[1].retain_on_delete", "must be true or false"),
    (_two({"domain": "contoso.com", "cloudflare": {"zone_name": "fabrikam.com"}}),
     "mxsplit:domains[1].cloudflare.zone_name", "does not contain domain 'contoso.com'"),
    (_two({"domain": "contoso.com", "cloudflare": {"zone_name": "ntoso.com"}}),
     "mxsplit:domains[1].cloudflare.zone_name", "does not contain domain"),
])
def test_every_entry_key_is_validated_before_anything_is_declared(config, key, fragment):
    mocks = RecordingMocks()
    with pytest.raises(ConfigError, match=fragment) as err:
        run_main(MAIN, config=config, mocks=mocks)
    assert err.value.field == key
    assert [r for r in mocks.resources if r.typ != "pulumi:pulumi:Stack"] == []


def test_domains_that_differ_only_in_dots_and_hyphens_are_both_declared():
    entries = parse_entries([
        {"domain": "dev-contoso.com", "dual_stack_host": "devcontoso-com01b.mail.protection.outlook.com",
         "cloudflare": {"zone_id": "z"}},
        {"domain": "dev.contoso.com", "cloudflare": {"zone_name": "Contoso.com."}},
    ], tenant="contoso")
    assert [e.args["domain"] for e in entries] == ["dev-contoso.com", "dev.contoso.com"]
    # The zone named in config is looked up by its normalised name (the backend's stack-config hook).
    [lookup] = entries[1].lookups
    assert entries[1].name == "dev-contoso-com" and lookup.args["filter"]["name"] == "contoso.com"
    assert entries[0].name.startswith("dev-contoso-com-") and len(entries[0].name) == len("dev-contoso-com-") + 8
    # Alone, a hyphenated domain keeps the plain name (existing stacks keep their URNs).
    [alone] = parse_entries([entries[0].args], tenant="contoso")
    assert alone.name == "dev-contoso-com"


@pytest.mark.parametrize("config, key, fragment", [
    ({"mxsplit:tenant": "contoso"}, "mxsplit:domains", "must be a non-empty list"),
    ({"mxsplit:domains": json.dumps([{"domain": "contoso.com", "azure": {"resource_group_name": "rg"}}])},
     "mxsplit:tenant", "pulumi config set mxsplit:tenant"),
    ({"mxsplit:tenant": "contoso", "mxsplit:domains": json.dumps([{"domain": "contoso.com"}])},
     "mxsplit:domains[0].azure", "exactly one of"),
    ({"mxsplit:tenant": "contoso", "mxsplit:domains": json.dumps([
        {"domain": "contoso.com", "azure": {"resource_group_name": "rg", "zone_name": "fabrikam.com"}}])},
     "mxsplit:domains[0].azure.zone_name", "does not contain domain"),
    ({"mxsplit:tenant": "contoso", "mxsplit:domains": json.dumps([
        {"domain": "contoso.com", "zone": "x", "azure": {"resource_group_name": "rg"}}])},
     "mxsplit:domains[0].zone", "not a known key"),
    ({"mxsplit:tenant": "contoso", "mxsplit:ttl": "30", "mxsplit:domains": json.dumps([
        {"domain": "contoso.com", "cloudflare": {"zone_name": "contoso.com"}}])},
     "mxsplit:domains[0].ttl", "not accepted by Cloudflare"),
    ({"mxsplit:tenant": "contoso-x", "mxsplit:domains": json.dumps([
        {"domain": "contoso.com", "cloudflare": {"zone_id": "z"}}])},
     "mxsplit:domains[0].tenant", "only letters and digits"),
    ({"mxsplit:tenant": "contoso", "mxsplit:domains": json.dumps([
        {"domain": "contoso.com", "cloudflare": {"zone_id": "z"}},
        {"domain": "Contoso.com.", "cloudflare": {"zone_id": "z"}}])},
     "mxsplit:domains[1].domain", r"already listed at mxsplit:domains\[0\]\.domain"),
    ({"mxsplit:tenant": "contoso", "mxsplit:domains": json.dumps([
        {"domain": "contoso.com", "route53": {"zone_id": "contoso.com"}}])},
     "mxsplit:domains[0].route53.zone_id", "is not a Route 53 hosted zone id"),
    ({"mxsplit:tenant": "contoso", "mxsplit:domains": json.dumps([
        {"domain": "contoso.com", "cloud_dns": {"managed_zone": "contoso.com."}}])},
     "mxsplit:domains[0].cloud_dns.managed_zone", "not its DNS name"),
    ({"mxsplit:tenant": "contoso", "mxsplit:domains": json.dumps([
        {"domain": "contoso.com", "route53": {"zone_id": "Z1"}, "cloud_dns": {"managed_zone": "contoso-com"}}])},
     "mxsplit:domains[0].cloud_dns", "exactly one of"),
])
def test_bad_stack_config_names_the_key(config, key, fragment):
    mocks = RecordingMocks()
    with pytest.raises(ConfigError, match=fragment) as err:
        run_main(MAIN, config=config, mocks=mocks)
    assert err.value.field == key
    assert str(err.value).startswith(key)
    assert [r for r in mocks.resources if r.typ != "pulumi:pulumi:Stack"] == []


def test_parse_entries_keeps_zero_priority():
    [entry] = parse_entries([{"domain": "contoso.com", "primary_priority": 0, "secondary_priority": 5,
                              "cloudflare": {"zone_id": "z"}}], tenant="contoso")
    assert entry.args["primary_priority"] == 0 and entry.name == "contoso-com"
