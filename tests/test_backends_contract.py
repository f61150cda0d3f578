"""Every backend through every path the same way: what a new DNS host gets for free, and must satisfy.

Description, capabilities, the component under mocks (preview, update, adoption, the guard),
``--format tf-json``, the policy pack, ``mxsplit plan --provider`` and the rollout's stack
config. Each backend's own forms (stored values, import ids) are in its own test file.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mxsplit_component import MxSplit, MxSplitError, plan_mx
from mxsplit_component.backends import BACKENDS, SUPPORT_MODULES, get_backend
from mxsplit_component.backends.spec import (
    CAPABILITY_NAMES,
    ONE_SET_PER_NAME,
    PARTIAL_UPDATE,
    RECORD_ROLES,
    SET_ROLES,
    supports,
)
from mxsplit_component.cli import main
from mxsplit_component.component import AdoptionRefusedError
from mxsplit_component.export import render
from mxsplit_component.registry_metadata import REPOSITORY
from mxsplit_component.testing.mocks import RecordingMocks, run_program, value
from tests.support.backends import DS, SAMPLES, V4, engine_inputs
from tests.support.programs import run_main

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "policy"))
from mxsplit_policy import check_split_advisories, check_split_order, mx_groups  # noqa: E402

NAMES = list(BACKENDS)
PLAN = plan_mx(domain="contoso.com", tenant="contoso")


def component(name, **extra):
    backend = BACKENDS[name]
    args = {"domain": "contoso.com", "tenant": "contoso", backend.ARGS_KEY: SAMPLES[name].settings, **extra}
    return lambda: MxSplit("contoso", args)


def specs(name, plan=PLAN):
    return BACKENDS[name].describe(plan, SAMPLES[name].settings)


def test_every_backend_has_a_sample_and_every_module_is_listed():
    assert set(SAMPLES) == set(BACKENDS)
    modules = {p.stem for p in (ROOT / "mxsplit_component" / "backends").glob("*.py")} - {"__init__"}
    assert {b.__name__.rsplit(".", 1)[1] for b in BACKENDS.values()} == modules - SUPPORT_MODULES


def test_an_unknown_provider_is_refused_by_field():
    with pytest.raises(MxSplitError) as err:
        get_backend("nowhere")
    assert err.value.field == "provider" and f"use one of: {', '.join(BACKENDS)}" in str(err.value)


@pytest.mark.parametrize("name", NAMES)
def test_capabilities_are_stated_and_decide_roles_and_the_guard(name):
    backend = BACKENDS[name]
    assert sorted(c.name for c in backend.CAPABILITIES) == sorted(CAPABILITY_NAMES)
    assert all(c.reason for c in backend.CAPABILITIES)
    roles = SET_ROLES if supports(backend.CAPABILITIES, ONE_SET_PER_NAME) else RECORD_ROLES
    assert backend.ADOPT_ROLES == roles
    described = specs(name)
    assert sorted(s.role for s in described) == sorted(roles)
    for spec in described:
        assert spec.type_token == backend.TYPE_TOKEN
        assert spec.module.split(".")[0] == backend.SDK_MODULE.split(".")[0]
        # A host whose update replaces the whole set reads it before adopting; a per-record host need not.
        assert (backend.adopted(spec, PLAN).existing is None) == supports(backend.CAPABILITIES, PARTIAL_UPDATE)


@pytest.mark.parametrize("name", NAMES)
def test_settings_are_documented_and_flagged(name):
    backend = BACKENDS[name]
    assert backend.SETTINGS and all(s.doc.endswith(".") and s.flag and s.flag.startswith("--")
                                    for s in backend.SETTINGS)
    assert backend.SETTINGS_REQUIRED == tuple(s.name for s in backend.SETTINGS if s.required)
    assert backend.SETTINGS_OPTIONAL == tuple(s.name for s in backend.SETTINGS if not s.required)
    assert backend.LABEL and backend.SETTINGS_DOC and backend.ADOPT_ID


def test_descriptions_import_no_pulumi_and_no_sdk():
    roots = sorted({b.SDK_MODULE.split(".")[0] for b in BACKENDS.values()})
    code = ("import sys, json; from mxsplit_component import plan_mx; from mxsplit_component.backends import BACKENDS;"
            "from tests.support.backends import SAMPLES; p = plan_mx(domain='contoso.com', tenant='contoso');"
            "[b.describe(p, SAMPLES[n].settings) for n, b in BACKENDS.items()];"
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {roots + ['pulumi', 'grpc']!r})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


# --- the component under mocks -------------------------------------------------------------

@pytest.mark.parametrize("preview", [True, False])
@pytest.mark.parametrize("name", NAMES)
def test_the_component_declares_exactly_the_description(name, preview):
    mocks, comp, _ = run_program(component(name), preview=preview)
    declared = {r.name: r.inputs for r in mocks.by_type(BACKENDS[name].TYPE_TOKEN)}
    assert declared == {s.logical_name("contoso"): engine_inputs(dict(s.inputs)) for s in specs(name)}
    assert mocks.invokes == []  # nothing adopted, nothing read
    assert value(comp.mx_records) == [{"preference": 0, "exchange": V4}, {"preference": 10, "exchange": DS}]


@pytest.mark.parametrize("name", NAMES)
def test_adoption_imports_each_id_into_its_role(name):
    backend, sample = BACKENDS[name], SAMPLES[name]
    mocks, _, _ = run_program(component(name, adopt=sample.adopt), mocks=RecordingMocks(calls=sample.existing))
    imported = {r.name: r.resource_id for r in mocks.by_type(backend.TYPE_TOKEN)}
    for key, import_id in sample.adopt.items():
        assert imported.pop(f"contoso-{key.replace('_', '-')}") == import_id
    assert set(imported.values()) <= {None, ""}  # the other role, if any, is created
    assert len(mocks.invokes) == (0 if supports(backend.CAPABILITIES, PARTIAL_UPDATE) else 1)


@pytest.mark.parametrize("name", NAMES)
def test_foreign_mx_is_guarded_or_cannot_be_dropped(name):
    backend, sample = BACKENDS[name], SAMPLES[name]
    if supports(backend.CAPABILITIES, PARTIAL_UPDATE):
        # Nothing to drop on a per-record host: allow_foreign_mx would be ignored, so it is refused.
        mocks = RecordingMocks()
        with pytest.raises(MxSplitError) as err:
            run_program(component(name, adopt=sample.adopt, allow_foreign_mx=True), mocks=mocks)
        assert err.value.field == "allow_foreign_mx" and f"{name} updates each record on its own" in str(err.value)
        assert mocks.resources == []
        return
    foreign = json.loads(json.dumps(sample.existing).replace(DS, "backup.mailhost.example.net"))
    mocks = RecordingMocks(calls=foreign)
    with pytest.raises(AdoptionRefusedError, match="backup.mailhost.example.net, which is not a Microsoft 365 host"):
        run_program(component(name, adopt=sample.adopt), mocks=mocks)
    assert mocks.by_type(backend.TYPE_TOKEN) == []


# --- exports, policy, CLI, stack config ----------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_tf_json_declares_each_spec_and_imports_each_id(name):
    backend, sample = BACKENDS[name], SAMPLES[name]
    doc = json.loads(render("tf-json", PLAN, provider=name, settings=sample.settings, adopt=sample.adopt))
    [(tf_type, resources)] = doc["resource"].items()
    assert tf_type == backend.TERRAFORM.type and len(resources) == len(specs(name))
    assert [i["id"] for i in doc["import"]] == [backend.TERRAFORM.import_id(v) for v in sample.adopt.values()]
    assert all(i["to"].split(".")[1] in resources for i in doc["import"])


class Res:
    def __init__(self, resource_type, props, urn):
        self.resource_type, self.props, self.urn = resource_type, props, urn


@pytest.mark.parametrize("name", NAMES)
def test_the_policy_pack_reads_what_the_component_declares(name):
    def declared(plan):
        return [Res(s.type_token, engine_inputs(dict(s.inputs)), f"urn:{s.role}") for s in specs(name, plan)]

    resources = declared(PLAN)
    [group] = mx_groups(resources)
    assert sorted(group.records) == sorted(PLAN.records) and group.owner.startswith(f"{name}:")
    assert check_split_order_violations(resources) == []
    dane = plan_mx(domain="contoso.com", tenant="contoso", dual_stack_host="contoso-com.o-v1.mx.microsoft")
    found = []
    check_split_advisories(declared(dane), lambda message, urn=None: found.append(message))
    assert [m.split(":")[0] for m in found] == ["dane-compatible"]


def check_split_order_violations(resources):
    found = []
    check_split_order(resources, lambda message, urn=None: found.append(message))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_plan_provider_flags_show_what_the_component_declares(name, capsys):
    backend, settings = BACKENDS[name], SAMPLES[name].settings
    flags = [arg for s in backend.SETTINGS if s.name in settings for arg in (s.flag, settings[s.name])]
    code = main(["plan", "contoso.com", "--tenant", "contoso", "--provider", name, *flags, "--name", "contoso", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["provider"] == name
    assert report["resources"] == [s.as_dict("contoso") for s in specs(name)]


@pytest.mark.parametrize("preview", [True, False])
@pytest.mark.parametrize("name", NAMES)
def test_the_rollout_declares_a_stack_entry(name, preview):
    backend, sample = BACKENDS[name], SAMPLES[name]
    entry = {"domain": "contoso.com", backend.ARGS_KEY: sample.settings, "adopt": sample.adopt}
    config = {"mxsplit:tenant": "contoso", "mxsplit:domains": json.dumps([entry])}
    mocks, exports, _ = run_main(ROOT / "rollout" / "__main__.py", config=config, preview=preview,
                                 mocks=RecordingMocks(calls=sample.existing))
    records = {r.name: r for r in mocks.by_type(backend.TYPE_TOKEN)}
    assert set(records) == {s.logical_name("contoso-com") for s in specs(name)}
    assert {r.resource_id for r in records.values()} - {None, ""} == set(sample.adopt.values())
    assert value(exports["domains"])["contoso.com"]["validation"]["ok"] is True


@pytest.mark.parametrize("name", NAMES)
def test_a_missing_sdk_is_named_with_its_extra_before_anything_is_registered(name, monkeypatch):
    backend = BACKENDS[name]
    root = backend.SDK_MODULE.split(".")[0]
    for module in [m for m in sys.modules if m.split(".")[0] == root] + [root]:
        monkeypatch.setitem(sys.modules, module, None)  # as if the extra were not installed
    mocks = RecordingMocks()
    with pytest.raises(MxSplitError) as err:
        run_program(component(name), mocks=mocks)
    assert err.value.field == backend.ARGS_KEY
    assert str(err.value).startswith(f"the {backend.ARGS_KEY} backend needs the [{backend.EXTRA}] extra ({root}")
    assert str(err.value).endswith(f"pip install 'mxsplit-component[{backend.EXTRA}] @ git+{REPOSITORY}'")
    assert mocks.resources == []


@pytest.mark.parametrize("name", NAMES)
def test_stack_config_names_the_key_of_a_bad_setting(name):
    from mxsplit_component.errors import ConfigError
    from mxsplit_component.stackconfig import parse_entries

    backend = BACKENDS[name]
    with pytest.raises(ConfigError) as err:
        parse_entries([{"domain": "contoso.com", backend.ARGS_KEY: {**SAMPLES[name].settings, "bogus": "x"}}],
                      tenant="contoso")
    assert err.value.field == f"mxsplit:domains[0].{backend.ARGS_KEY}.bogus"
    assert "is not a known setting" in str(err.value)
