"""DNSimple: the stored form of its records, import ids, limits, and the example project under mocks.

What every backend shares (mocks, engine protocol, adoption, tf-json, policy, CLI, rollout)
is in tests/test_backends_contract.py and tests/test_engine_backends.py.
"""

import json
from pathlib import Path

import pytest
import yaml

from mxsplit_component import MxSplitError, plan_mx
from mxsplit_component.backends import dnsimple
from mxsplit_component.backends.spec import Deferred
from mxsplit_component.cli import main
from mxsplit_component.export import render
from mxsplit_component.testing.mocks import RecordingMocks, value
from tests.support.programs import run_main, stack_config

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"
PLAN = plan_mx(domain="Contoso.com.", tenant="contoso")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "dnsimple"
RECORD = "dnsimple:index/zoneRecord:ZoneRecord"
GET_ZONE = "dnsimple:index/getZone:getZone"


def test_one_record_per_value_in_the_stored_form():
    v4, ds = dnsimple.describe(PLAN, {"zone_name": "contoso.com"})
    assert (v4.type_token, v4.module, v4.class_name, v4.role) == (RECORD, "pulumi_dnsimple", "ZoneRecord", "ipv4-only")
    # The apex is "" (the SDK: 'Use "" for the root domain'); the value has no trailing dot.
    assert dict(v4.inputs) == {"zone_name": "contoso.com", "name": "", "type": "MX", "value": V4, "priority": 0,
                               "ttl": 3600}
    assert (ds.role, ds.inputs["value"], ds.inputs["priority"]) == ("dual-stack", DS, 10)


def test_the_zone_defaults_to_the_domain_and_a_subdomain_is_named_in_its_zone():
    [_, ds] = dnsimple.describe(PLAN, {})
    assert (ds.inputs["zone_name"], ds.inputs["name"]) == ("contoso.com", "")
    plan = plan_mx(domain="eu.contoso.com", tenant="contoso", dual_stack_host="eu-contoso-com.mail.protection.outlook.com")
    [v4, _] = dnsimple.describe(plan, {"zone_name": "Contoso.COM."})
    assert (v4.inputs["zone_name"], v4.inputs["name"]) == ("contoso.com", "eu")


def test_a_zone_from_another_resource_defers_the_name():
    zone = object()
    [v4, _] = dnsimple.describe(PLAN, {"zone_name": zone})
    assert v4.inputs["zone_name"] is zone
    assert isinstance(v4.inputs["name"], Deferred) and v4.inputs["name"].fn("contoso.com") == ""


def test_standard_mode_declares_only_the_dual_stack_record():
    [only] = dnsimple.describe(plan_mx(domain="contoso.com", tenant="contoso", mode="standard"), {})
    assert (only.role, only.inputs["priority"], only.inputs["value"]) == ("dual-stack", 0, DS)


@pytest.mark.parametrize("settings, plan, field, fragment", [
    ({"zone_name": "fabrikam.com"}, PLAN, "dnsimple.zone_name", "'fabrikam.com' does not contain domain 'contoso.com'"),
    ({"zone_name": ""}, PLAN, "dnsimple.zone_name", "dnsimple.zone_name is empty"),
    ({"zone_id": "1"}, PLAN, "dnsimple.zone_id", "is not a known setting; use zone_name"),
    ("contoso.com", PLAN, "dnsimple", "dnsimple must be a dict"),
    ({}, plan_mx(domain="contoso.com", tenant="contoso", ttl=59), "ttl", "not accepted by DNSimple (allowed: 60.."),
])
def test_bad_settings_name_the_field(settings, plan, field, fragment):
    with pytest.raises(MxSplitError) as err:
        dnsimple.describe(plan, settings)
    assert err.value.field == field and fragment in str(err.value)


@pytest.mark.parametrize("value, fragment", [
    ("1234", "is not a DNSimple import id '<zone>_<record id>'"),
    ("contoso.com/1234", "is not a DNSimple import id"),
    ("contoso.com_abc", "is not a DNSimple import id"),
    ("fabrikam.com_1234", "is in zone 'fabrikam.com', but the component manages zone 'contoso.com'"),
])
def test_import_ids_are_checked_against_the_record(value, fragment):
    [_, ds] = dnsimple.describe(PLAN, {})
    with pytest.raises(MxSplitError) as err:
        dnsimple.check_adopt_id("dual-stack", value, ds)
    assert err.value.field == "adopt.dual_stack" and fragment in str(err.value)
    assert dnsimple.check_adopt_id("dual-stack", " Contoso.com_1234 ", ds) == "contoso.com_1234"


def test_tf_json_is_the_terraform_providers_zone_record():
    doc = json.loads(render("tf-json", PLAN, provider="dnsimple", settings={}, adopt={"dual_stack": "contoso.com_99"}))
    records = doc["resource"]["dnsimple_zone_record"]
    assert records["contoso_com_ipv4_only"] == {"zone_name": "contoso.com", "name": "", "type": "MX", "value": V4,
                                                "priority": 0, "ttl": 3600}
    assert doc["import"] == [{"to": "dnsimple_zone_record.contoso_com_dual_stack", "id": "contoso.com_99"}]


def test_plan_takes_the_zone_by_the_shared_flag(capsys):
    code = main(["plan", "eu.contoso.com", "--tenant", "contoso", "--dual-stack-host",
                 "eu-contoso-com.mail.protection.outlook.com", "--provider", "dnsimple", "--zone-name", "contoso.com",
                 "--json"])
    resources = json.loads(capsys.readouterr().out)["resources"]
    assert code == 0 and {r["inputs"]["name"] for r in resources} == {"eu"}
    assert main(["plan", "contoso.com", "--tenant", "contoso", "--provider", "dnsimple", "--zone-id", "z"]) == 2
    assert "--zone-id is a cloudflare and route53 setting; --provider dnsimple takes --zone-name" in capsys.readouterr().err


# --- the example project ---------------------------------------------------------------------

def run_example(*, preview=False, extra_config=None):
    project = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())["name"]
    config = {**stack_config(EXAMPLE / "Pulumi.dev.yaml"), "mxsplit-dnsimple:token": "test-token", **(extra_config or {})}
    mocks = RecordingMocks(calls={GET_ZONE: lambda args: {"id": 42, "accountId": 12345, "name": args.args["name"]}})
    return run_main(EXAMPLE / "__main__.py", config=config, preview=preview, mocks=mocks, project=project)


def test_the_example_is_a_project_that_installs_its_extra():
    assert yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())["runtime"]["name"] == "python"
    lines = (EXAMPLE / "requirements.txt").read_text().splitlines()
    assert "../..[dnsimple]" in lines and "secure:" not in (EXAMPLE / "Pulumi.dev.yaml").read_text()


@pytest.mark.parametrize("preview", [True, False])
def test_the_example_declares_two_records_through_its_provider(preview):
    mocks, exports, _ = run_example(preview=preview)
    [provider] = mocks.by_type("pulumi:providers:dnsimple")
    assert provider.inputs["token"]["value"] == "test-token"  # a secret, never in clear in state
    assert provider.inputs["account"] == "12345"
    [lookup] = [i for i in mocks.invokes if i.token == GET_ZONE]
    records = {r.name: r for r in mocks.by_type(RECORD)}
    assert set(records) == {"contoso-ipv4-only", "contoso-dual-stack"}
    assert {r.provider for r in records.values()} == {lookup.provider}
    assert records["contoso-dual-stack"].inputs == {"zoneName": "contoso.com", "name": "", "type": "MX", "value": DS,
                                                    "priority": 10, "ttl": 3600}
    assert value(exports["validation"])["ok"] is True


def test_the_example_adopts_the_existing_record():
    mocks, _, _ = run_example(extra_config={"mxsplit-dnsimple:adoptDualStack": "contoso.com_1234"})
    records = {r.name: r.resource_id for r in mocks.by_type(RECORD)}
    assert records["contoso-dual-stack"] == "contoso.com_1234" and records["contoso-ipv4-only"] in (None, "")


def test_the_example_requires_the_secret():
    config = stack_config(EXAMPLE / "Pulumi.dev.yaml")
    with pytest.raises(Exception, match="token"):
        run_main(EXAMPLE / "__main__.py", config=config, mocks=RecordingMocks(calls={GET_ZONE: {"name": "contoso.com"}}),
                 project="mxsplit-dnsimple")


def test_an_idn_zone_in_the_import_id_is_the_components_zone():
    plan = plan_mx(domain="bücher.example", tenant="contoso", dual_stack_host="xnbcherkva-example0c.mail.protection"
                   ".outlook.com")
    [_, ds] = dnsimple.describe(plan, {})
    assert dnsimple.check_adopt_id("dual-stack", "Bücher.example_77", ds) == "xn--bcher-kva.example_77"


def test_a_bad_zone_from_the_cli_names_the_flag(capsys):
    code = main(["plan", "contoso.com", "--tenant", "contoso", "--provider", "dnsimple", "--zone-name", "fabrikam.com"])
    err = capsys.readouterr().err
    assert code == 2 and "does not contain domain 'contoso.com'" in err and err.endswith("(--zone-name)\n")
