"""Python programs through the language-host route, against the stand-in engine.

Unlike ``set_mocks``, the SDK here serialises every value for a real resource monitor:
plain values, secrets (from secret config) and unknowns (ids in preview) cross the wire
exactly as they do under ``pulumi preview`` and ``pulumi up``.
"""

import pytest

from tests.support.engine.monitor import StandInEngine
from tests.support.engine.plugin import ROOT
from tests.support.engine.program import run_python_program
from tests.support.engine.values import Secret
from tests.support.programs import stack_config

CF_ZONE = "cloudflare:index/getZone:getZone"
GET_SET = "azure-native:dns:getRecordSet"
RECORD = "cloudflare:index/dnsRecord:DnsRecord"
RECORD_SET = "azure-native:dns:RecordSet"
TOKEN = "mxsplit:index:MxSplit"
DS = "contoso-com.mail.protection.outlook.com"


@pytest.fixture(scope="module")
def engine():
    with StandInEngine() as running:
        yield running


def zone_by_name(args):
    zone_id = "zone-" + args["filter"]["name"].replace(".", "-")
    return {"id": zone_id, "zoneId": zone_id, "name": args["filter"]["name"]}


def existing_set(*values):
    return {GET_SET: {"mxRecords": [{"preference": p, "exchange": e} for p, e in values], "ttl": 3600, "name": "@"}}


def rollout(engine, stack, *, preview, invokes):
    run = run_python_program(engine, ROOT / "rollout", cwd=ROOT, project="mxsplit", stack=stack,
                             config=stack_config(ROOT / f"Pulumi.{stack}.yaml"), preview=preview, invokes=invokes)
    return run


@pytest.mark.parametrize("preview", [True, False])
def test_rollout_dev_stack(engine, preview):
    run = rollout(engine, "dev", preview=preview, invokes={CF_ZONE: zone_by_name})
    assert run.returncode == 0, run.stderr
    rec = run.recording
    stack = rec.by_type("pulumi:pulumi:Stack")[0]
    components = {c.name: c for c in rec.by_type(TOKEN)}
    assert set(components) == {"dev-contoso-com", "contoso-dev-net"}
    assert {c.parent for c in components.values()} == {stack.urn}
    [record_set] = rec.by_type(RECORD_SET)
    assert record_set.parent == components["dev-contoso-com"].urn
    assert record_set.inputs["relativeRecordSetName"] == "dev" and record_set.inputs["ttl"] == 300.0
    records = {r.name: r for r in rec.by_type(RECORD)}
    assert set(records) == {"contoso-dev-net-ipv4-only", "contoso-dev-net-dual-stack"}
    assert {r.parent for r in records.values()} == {components["contoso-dev-net"].urn}
    assert {r.inputs["zoneId"] for r in records.values()} == {"zone-contoso-dev-net"}
    assert [i.args for i in rec.invokes if i.token == CF_ZONE] == [{"filter": {"name": "contoso-dev.net", "match": "all"}}]
    domains = rec.outputs[stack.urn]["domains"]
    assert domains["dev.contoso.com"]["mx_records"][0] == {"preference": 0, "exchange":
                                                           "contoso.mail.protection.outlook.com"}
    assert set(rec.outputs[components["dev-contoso-com"].urn]) == {
        "ipv4_only_host", "dual_stack_host", "mx_records", "zone_records", "validation"}


def test_rollout_prod_stack_adopts_after_reading_the_set(engine):
    run = rollout(engine, "prod", preview=False, invokes=existing_set((0, DS)))
    assert run.returncode == 0, run.stderr
    rec = run.recording
    [record_set] = rec.by_type(RECORD_SET)
    assert record_set.import_id.endswith("/dnszones/contoso.com/MX/@")
    assert record_set.protect is True
    assert [i.token for i in rec.invokes] == [GET_SET]
    [record] = rec.by_type(RECORD)
    assert record.name == "contoso-net-dual-stack" and record.inputs["priority"] == 0.0


def test_rollout_prod_stack_guard_names_the_foreign_records(engine):
    run = rollout(engine, "prod", preview=True, invokes=existing_set((0, DS), (20, "backup.mailhost.example.net.")))
    assert run.returncode != 0
    assert run.recording.by_type(RECORD_SET) == []
    errors = [message for severity, message, _ in run.recording.logs if severity == 3]
    assert any(message.startswith("the existing MX record set holds 20 backup.mailhost.example.net")
               for message in errors), errors
    assert "<pulumi.output.Output" not in run.stderr + repr(run.recording.logs)


@pytest.mark.parametrize("preview", [True, False])
def test_cloudflare_example_keeps_the_token_secret(engine, preview):
    folder = ROOT / "examples" / "cloudflare"
    config = stack_config(folder / "Pulumi.dev.yaml") | {"mxsplit-cloudflare:apiToken": "test-token"}
    run = run_python_program(engine, folder, cwd=folder, project="mxsplit-cloudflare", stack="dev", config=config,
                             secret_keys=("mxsplit-cloudflare:apiToken",), preview=preview,
                             invokes={CF_ZONE: zone_by_name})
    assert run.returncode == 0, run.stderr
    rec = run.recording
    [provider] = rec.by_type("pulumi:providers:cloudflare")
    assert provider.inputs["apiToken"] == Secret("test-token")
    records = {r.name: r for r in rec.by_type(RECORD)}
    assert set(records) == {"contoso-ipv4-only", "contoso-dual-stack"}
    # The lookup runs in preview too (its inputs are known), so the zone id is known in both.
    assert {r.inputs["zoneId"] for r in records.values()} == {"zone-contoso-com"}
    assert "test-token" not in repr([r.inputs for r in records.values()])
