"""DigitalOcean: the stored form of its records, import ids, limits, and the example project under mocks.

What every backend shares (mocks, engine protocol, adoption, tf-json, policy, CLI, rollout)
is in tests/test_backends_contract.py and tests/test_engine_backends.py.
"""

import json
from pathlib import Path

import pytest
import yaml

from mxsplit_component import MxSplitError, plan_mx
from mxsplit_component.backends import digitalocean
from mxsplit_component.backends.spec import Deferred
from mxsplit_component.cli import main
from mxsplit_component.export import render
from mxsplit_component.testing.mocks import RecordingMocks, value
from tests.support.programs import run_main, stack_config

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"
PLAN = plan_mx(domain="Contoso.com.", tenant="contoso")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "digitalocean"
RECORD = "digitalocean:index/dnsRecord:DnsRecord"
GET_DOMAIN = "digitalocean:index/getDomain:getDomain"


def test_one_record_per_value_in_the_stored_form():
    v4, ds = digitalocean.describe(PLAN, {"domain": "contoso.com"})
    assert (v4.type_token, v4.module, v4.class_name, v4.role) == (RECORD, "pulumi_digitalocean", "DnsRecord",
                                                                  "ipv4-only")
    # The apex is "@" and the value is absolute, with its dot (the SDK's own MX example).
    assert dict(v4.inputs) == {"domain": "contoso.com", "name": "@", "type": "MX", "value": f"{V4}.", "priority": 0,
                               "ttl": 3600}
    assert (ds.role, ds.inputs["value"], ds.inputs["priority"]) == ("dual-stack", f"{DS}.", 10)


def test_the_domain_defaults_to_the_mail_domain_and_a_subdomain_is_named_in_it():
    [_, ds] = digitalocean.describe(PLAN, {})
    assert (ds.inputs["domain"], ds.inputs["name"]) == ("contoso.com", "@")
    plan = plan_mx(domain="eu.contoso.com", tenant="contoso", dual_stack_host="eu-contoso-com.mail.protection.outlook.com")
    [v4, _] = digitalocean.describe(plan, {"domain": "Contoso.COM."})
    assert (v4.inputs["domain"], v4.inputs["name"]) == ("contoso.com", "eu")


def test_a_domain_from_another_resource_defers_the_name():
    zone = object()
    [v4, _] = digitalocean.describe(PLAN, {"domain": zone})
    assert v4.inputs["domain"] is zone
    assert isinstance(v4.inputs["name"], Deferred) and v4.inputs["name"].fn("contoso.com") == "@"


@pytest.mark.parametrize("ttl, ok", [(29, False), (30, True), (86400, True)])
def test_ttl_minimum_is_30_seconds(ttl, ok):
    plan = plan_mx(domain="contoso.com", tenant="contoso", ttl=ttl)
    if ok:
        assert {s.inputs["ttl"] for s in digitalocean.describe(plan, {})} == {ttl}
        return
    with pytest.raises(MxSplitError, match=r"ttl 29 is not accepted by DigitalOcean \(allowed: 30\.\.") as err:
        digitalocean.describe(plan, {})
    assert err.value.field == "ttl"


@pytest.mark.parametrize("settings, field, fragment", [
    ({"domain": "fabrikam.com"}, "digitalocean.domain", "'fabrikam.com' does not contain domain 'contoso.com'"),
    ({"domain": " "}, "digitalocean.domain", "digitalocean.domain is empty"),
    ({"zone_name": "contoso.com"}, "digitalocean.zone_name", "is not a known setting; use domain"),
])
def test_bad_settings_name_the_field(settings, field, fragment):
    with pytest.raises(MxSplitError) as err:
        digitalocean.describe(PLAN, settings)
    assert err.value.field == field and fragment in str(err.value)


@pytest.mark.parametrize("value, fragment", [
    ("12345678", "is not a DigitalOcean import id '<domain>,<record id>'"),
    ("contoso.com_12345678", "is not a DigitalOcean import id"),
    ("contoso.com,abc", "is not a DigitalOcean import id"),
    ("fabrikam.com,12345678", "is in domain 'fabrikam.com', but the component manages domain 'contoso.com'"),
])
def test_import_ids_are_checked_against_the_record(value, fragment):
    [v4, _] = digitalocean.describe(PLAN, {})
    with pytest.raises(MxSplitError) as err:
        digitalocean.check_adopt_id("ipv4-only", value, v4)
    assert err.value.field == "adopt.ipv4_only" and fragment in str(err.value)
    assert digitalocean.check_adopt_id("ipv4-only", "contoso.com.,12345678", v4) == "contoso.com,12345678"


def test_tf_json_is_the_terraform_providers_record():
    doc = json.loads(render("tf-json", PLAN, provider="digitalocean", adopt={"dual_stack": "contoso.com,7"}))
    records = doc["resource"]["digitalocean_record"]
    assert records["contoso_com_dual_stack"] == {"domain": "contoso.com", "name": "@", "type": "MX", "value": f"{DS}.",
                                                 "priority": 10, "ttl": 3600}
    assert doc["import"] == [{"to": "digitalocean_record.contoso_com_dual_stack", "id": "contoso.com,7"}]


def test_plan_takes_the_domain_by_the_zone_name_flag(capsys):
    code = main(["plan", "contoso.com", "--tenant", "contoso", "--provider", "digitalocean", "--zone-name",
                 "contoso.com", "--json"])
    resources = json.loads(capsys.readouterr().out)["resources"]
    assert code == 0 and {r["inputs"]["domain"] for r in resources} == {"contoso.com"}
    assert main(["plan", "contoso.com", "--tenant", "contoso", "--zone-name", "contoso.com"]) == 2
    assert "--zone-name is a azure, dnsimple and digitalocean setting; pass --provider azure, dnsimple or digitalocean" \
        in capsys.readouterr().err


# --- the example project ---------------------------------------------------------------------

def run_example(*, preview=False, extra_config=None):
    project = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())["name"]
    config = {**stack_config(EXAMPLE / "Pulumi.dev.yaml"), "mxsplit-digitalocean:token": "test-token",
              **(extra_config or {})}
    mocks = RecordingMocks(calls={GET_DOMAIN: lambda args: {"id": args.args["name"], "name": args.args["name"],
                                                             "ttl": 1800, "zoneFile": ""}})
    return run_main(EXAMPLE / "__main__.py", config=config, preview=preview, mocks=mocks, project=project)


def test_the_example_is_a_project_that_installs_its_extra():
    assert yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())["runtime"]["name"] == "python"
    lines = (EXAMPLE / "requirements.txt").read_text().splitlines()
    assert "../..[digitalocean]" in lines and "secure:" not in (EXAMPLE / "Pulumi.dev.yaml").read_text()


@pytest.mark.parametrize("preview", [True, False])
def test_the_example_declares_two_records_through_its_provider(preview):
    mocks, exports, _ = run_example(preview=preview)
    [provider] = mocks.by_type("pulumi:providers:digitalocean")
    assert provider.inputs["token"]["value"] == "test-token"  # a secret, never in clear in state
    [lookup] = [i for i in mocks.invokes if i.token == GET_DOMAIN]
    records = {r.name: r for r in mocks.by_type(RECORD)}
    assert set(records) == {"contoso-ipv4-only", "contoso-dual-stack"}
    assert {r.provider for r in records.values()} == {lookup.provider}
    assert records["contoso-ipv4-only"].inputs == {"domain": "contoso.com", "name": "@", "type": "MX",
                                                   "value": f"{V4}.", "priority": 0, "ttl": 3600}
    assert value(exports["validation"])["ok"] is True


def test_the_example_adopts_the_existing_record():
    mocks, _, _ = run_example(extra_config={"mxsplit-digitalocean:adoptDualStack": "contoso.com,12345678"})
    records = {r.name: r.resource_id for r in mocks.by_type(RECORD)}
    assert records["contoso-dual-stack"] == "contoso.com,12345678" and records["contoso-ipv4-only"] in (None, "")


def test_the_example_requires_the_secret():
    config = stack_config(EXAMPLE / "Pulumi.dev.yaml")
    with pytest.raises(Exception, match="token"):
        run_main(EXAMPLE / "__main__.py", config=config,
                 mocks=RecordingMocks(calls={GET_DOMAIN: {"name": "contoso.com"}}), project="mxsplit-digitalocean")


def test_an_idn_domain_in_the_import_id_is_the_components_domain():
    plan = plan_mx(domain="bücher.example", tenant="contoso", dual_stack_host="xnbcherkva-example0c.mail.protection"
                   ".outlook.com")
    [_, ds] = digitalocean.describe(plan, {})
    assert digitalocean.check_adopt_id("dual-stack", "BÜCHER.example,77", ds) == "xn--bcher-kva.example,77"
