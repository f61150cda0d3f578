"""Every backend over the engine protocol, as a YAML/TypeScript/Go/C# program uses it: camelCase
inputs, numbers as doubles, adoption after the guarded read, bad settings as property errors."""

import grpc
import pytest

from mxsplit_component import plan_mx
from mxsplit_component.backends import BACKENDS
from mxsplit_component.backends.spec import PARTIAL_UPDATE, supports
from tests.support.backends import DS, SAMPLES, V4, camel, engine_inputs
from tests.support.engine.monitor import StandInEngine
from tests.support.engine.plugin import ROOT, ConstructFailure, Plugin
from tests.support.engine.values import UNKNOWN

COMPONENT_URN = "urn:pulumi:dev::mxsplit-yaml::mxsplit:index:MxSplit::contoso"
NAMES = list(BACKENDS)


@pytest.fixture(scope="module")
def engine():
    with StandInEngine() as running:
        yield running


@pytest.fixture(scope="module")
def plugin(engine):
    started = Plugin(engine, ROOT / "examples" / "yaml")
    yield started
    started.close()


def inputs(name, settings=None, **extra):
    backend = BACKENDS[name]
    given = SAMPLES[name].settings if settings is None else settings
    return {"domain": "contoso.com", "tenant": "contoso", camel(backend.ARGS_KEY): engine_inputs(given), **extra}


def test_schema_has_a_typed_field_per_backend(plugin):
    schema = plugin.schema()
    props = schema["resources"]["mxsplit:index:MxSplit"]["inputProperties"]
    for backend in BACKENDS.values():
        ref = props[camel(backend.ARGS_KEY)]["$ref"]
        assert ref == f"#/types/mxsplit:index:{backend.SETTINGS_TYPE}"
        typ = schema["types"][ref.removeprefix("#/types/")]
        assert set(typ["properties"]) == {camel(s.name) for s in backend.SETTINGS}
        assert typ.get("required", []) == [camel(s) for s in backend.SETTINGS_REQUIRED]
        assert all("plain" not in p for p in typ["properties"].values())  # settings take outputs


@pytest.mark.parametrize("preview", [True, False])
@pytest.mark.parametrize("name", NAMES)
def test_each_backend_declares_its_records(engine, plugin, name, preview):
    backend = BACKENDS[name]
    recording = engine.reset(preview=preview)
    result = plugin.construct(inputs(name), preview=preview)
    specs = backend.describe(plan_mx(domain="contoso.com", tenant="contoso"), SAMPLES[name].settings)
    records = {r.name: r for r in recording.by_type(backend.TYPE_TOKEN)}
    assert {n: r.inputs for n, r in records.items()} == {s.logical_name("contoso"): engine_inputs(dict(s.inputs))
                                                          for s in specs}
    assert {r.parent for r in records.values()} == {COMPONENT_URN} and recording.invokes == []
    assert result.state["mxRecords"] == [{"preference": 0, "exchange": V4}, {"preference": 10, "exchange": DS}]


@pytest.mark.parametrize("name", NAMES)
def test_each_backend_adopts_by_id(engine, plugin, name):
    backend, sample = BACKENDS[name], SAMPLES[name]
    recording = engine.reset(preview=False, invokes=sample.existing)
    plugin.construct(inputs(name, adopt={camel(k): v for k, v in sample.adopt.items()}), preview=False)
    imported = {r.name: r.import_id for r in recording.by_type(backend.TYPE_TOKEN)}
    assert {v for v in imported.values() if v} == set(sample.adopt.values())
    assert len(recording.invokes) == (0 if supports(backend.CAPABILITIES, PARTIAL_UPDATE) else 1)


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_setting_in_preview_still_plans(engine, plugin, name):
    backend = BACKENDS[name]
    first = backend.SETTINGS[0].name
    recording = engine.reset(preview=True)
    result = plugin.construct(inputs(name, {**SAMPLES[name].settings, first: UNKNOWN}), preview=True)
    assert recording.by_type(backend.TYPE_TOKEN)
    assert result.state["dualStackHost"] == DS


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_setting_is_a_property_error(engine, plugin, name):
    backend = BACKENDS[name]
    key = camel(backend.ARGS_KEY)
    engine.reset(preview=True)
    with pytest.raises(ConstructFailure) as err:
        plugin.construct(inputs(name, {**SAMPLES[name].settings, "bogus": "x"}), preview=True)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    [error] = err.value.property_errors
    assert error.property_path == f"{key}.bogus" and "is not a property of MxSplit" in error.reason


@pytest.mark.parametrize("name", [n for n in NAMES if supports(BACKENDS[n].CAPABILITIES, PARTIAL_UPDATE)])
def test_allow_foreign_mx_on_a_per_record_host_is_refused_in_schema_spelling(engine, plugin, name):
    sample = SAMPLES[name]
    recording = engine.reset(preview=True)
    with pytest.raises(ConstructFailure) as err:
        plugin.construct(inputs(name, adopt={camel(k): v for k, v in sample.adopt.items()}, allowForeignMx=True),
                         preview=True)
    [error] = err.value.property_errors
    assert error.property_path == "allowForeignMx"
    assert "so drop allowForeignMx" in error.reason and "allow_foreign_mx" not in error.reason
    assert [r for r in recording.registrations if r.custom] == []
