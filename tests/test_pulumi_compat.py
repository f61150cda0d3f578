"""The SDK internals the component package relies on (mxsplit_component.pulumi_compat) are still
what the installed pulumi offers: when one of these fails after an upgrade, fix the compat module."""

import inspect
import re
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from mxsplit_component import pulumi_compat
from mxsplit_component.testing.mocks import RecordingMocks, run_program, value

ROOT = Path(__file__).resolve().parent.parent


def test_signature_keys_are_the_sdks():
    from pulumi.runtime import rpc

    assert pulumi_compat.SIG == rpc._special_sig_key
    assert pulumi_compat.SECRET_SIG == rpc._special_secret_sig
    assert pulumi_compat.OUTPUT_SIG == rpc._special_output_value_sig


def test_the_servicer_offers_what_the_plugin_overrides_and_calls():
    servicer = pulumi_compat.ProviderServicer
    assert inspect.iscoroutinefunction(servicer.Construct)
    assert list(inspect.signature(servicer.Construct).parameters) == ["self", "request", "context"]
    assert list(inspect.signature(servicer.__init__).parameters) == ["self", "provider", "args", "engine_address"]
    assert list(inspect.signature(servicer.create_grpc_invalid_properties_status).parameters) == [
        "self", "message", "errors"]
    # The wrapper the SDK puts around an exception raised in a component's __init__.
    wrapped = pulumi_compat.ComponentInitError(ValueError("x"))
    assert isinstance(wrapped.inner, ValueError)


def test_the_component_provider_infers_a_schema_and_constructs():
    provider = pulumi_compat.ComponentProvider
    assert list(inspect.signature(provider.__init__).parameters)[:3] == ["self", "components", "name"]
    assert list(inspect.signature(provider.construct).parameters) == ["self", "name", "resource_type", "inputs",
                                                                      "options"]
    assert {"urn", "state"} <= set(inspect.signature(pulumi_compat.ConstructResult).parameters)


def test_the_servicer_registration_exists():
    assert callable(pulumi_compat.provider_pb2_grpc.add_ResourceProviderServicer_to_server)


def test_a_failed_invoke_is_recognised_as_the_sdk_words_it():
    """An invoke the provider fails (a set to adopt that does not exist) raises the SDK's plain exception."""
    import pulumi

    token = "test:index:getThing"
    mocks = RecordingMocks(calls={token: lambda args: ({}, [("name", "no such record set")])})
    caught = []

    def program():
        result = pulumi.runtime.invoke_output(token, {"name": "x"})
        result.apply(lambda v: v)
        return result

    try:
        _, output, _ = run_program(program, mocks=mocks)
        value(output)
    except Exception as exc:  # the SDK raises a bare Exception
        caught.append(exc)
    [exc] = caught
    text = pulumi_compat.failed_invoke(exc)
    assert text is not None and text.startswith(f"invoke of {token} failed: no such record set")
    assert pulumi_compat.failed_invoke(RuntimeError("unrelated")) is None


def test_pulumi_is_bounded_to_a_tested_range():
    """pyproject names a range with an upper bound, and the installed SDK (the one tested) is in it."""
    [line] = re.findall(r'^\s*"(pulumi[<>=!~ ][^"]*)",', (ROOT / "pyproject.toml").read_text(), re.M)
    pulumi = Requirement(line)
    assert any(spec.operator == "<" for spec in pulumi.specifier), pulumi
    assert pulumi.specifier.contains(version("pulumi")), (pulumi, version("pulumi"))


@pytest.mark.parametrize("module", ["plugin", "component", "testing.mocks"])
def test_sdk_internals_are_imported_only_by_the_compat_module(module):
    import importlib

    source = inspect.getsource(importlib.import_module(f"mxsplit_component.{module}"))
    for internal in ("pulumi.provider.server", "pulumi.runtime.proto", "pulumi.provider.experimental",
                     "pulumi.runtime._", "invoke of "):
        assert internal not in source, f"{module} uses {internal}: go through mxsplit_component.pulumi_compat"
