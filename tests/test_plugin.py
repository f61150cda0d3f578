"""The protocol boundary's pure parts: schema spelling, finding the refusal, field spreading."""

import pytest
from google.protobuf import struct_pb2

from mxsplit_component.backends import BACKENDS
from mxsplit_component.backends.base import AdoptionRefused
from mxsplit_component.component import AdoptionRefusedError
from mxsplit_component.errors import MxSplitError
from mxsplit_component.plugin import MxSplitProvider, SchemaSpelling, mxsplit_error_in, snake, spread_into_fields
from mxsplit_component.pulumi_compat import OUTPUT_SIG, SECRET_SIG, SIG
from tests.support.backends import camel


@pytest.fixture(scope="module")
def provider():
    return MxSplitProvider()


def test_snake_undoes_the_schema_camel_case():
    assert snake("ipv4OnlyHost") == "ipv4_only_host"
    assert snake("zoneId") == "zone_id" and snake("ttl") == "ttl"


def test_every_input_of_the_schema_is_spelled(provider):
    names = provider.spelling.names
    assert names["resource_group_name"] == "resourceGroupName"
    assert names["allow_foreign_mx"] == "allowForeignMx"
    assert names["ipv4_only"] == "ipv4Only" and names["dual_stack_host"] == "dualStackHost"
    assert "domain" not in names  # spelled the same either way


@pytest.mark.parametrize("python, schema", [
    ("pass exactly one of azure={'resource_group_name': ...} or cloudflare={'zone_id': ...}",
     "pass exactly one of azure: {resourceGroupName: ...} or cloudflare: {zoneId: ...}"),
    ("or pass allow_foreign_mx=True to drop them", "or pass allowForeignMx: true to drop them"),
    ("e.g. primary_priority=0, secondary_priority=10", "e.g. primaryPriority: 0, secondaryPriority: 10"),
    ("pass the zone (e.g. zone_name='contoso.com')", "pass the zone (e.g. zoneName: 'contoso.com')"),
    ("dual_stack_host, not dual_stack", "dualStackHost, not dualStack"),
    ("contoso-com.mail.protection.outlook.com stays", "contoso-com.mail.protection.outlook.com stays"),
])
def test_messages_spell_fields_as_the_schema_does(provider, python, schema):
    assert provider.spelling.message(python) == schema


def test_paths_are_camel_case_per_segment(provider):
    assert provider.spelling.path("cloudflare.zone_id") == "cloudflare.zoneId"
    assert provider.spelling.path("adopt.ipv4_only") == "adopt.ipv4Only"
    assert provider.spelling.path(None) == ""


def test_spelling_without_names_changes_nothing():
    assert SchemaSpelling({}).message("primary_priority=0") == "primary_priority: 0"


def test_the_refusal_is_found_behind_sdk_wrappers():
    refusal = AdoptionRefused("holds 20 backup", field="adopt.mx", foreign=("20 backup",))
    run_error = AdoptionRefusedError(refusal)
    try:
        try:
            raise run_error
        except Exception as inner:
            raise ValueError("While processing resource: <pulumi.output.Output>") from inner
    except ValueError as outer:
        assert mxsplit_error_in(outer) is refusal

    class Wrapper(Exception):
        def __init__(self, inner):
            super().__init__(str(inner))
            self.inner = inner

    plain = MxSplitError("ttl is bad", field="ttl")
    assert mxsplit_error_in(Wrapper(plain)) is plain
    assert mxsplit_error_in(RuntimeError("unrelated")) is None


def struct(value):
    s = struct_pb2.Struct()
    s.update(value)
    return s


def test_secret_field_becomes_a_secret_output_value():
    inputs = struct({"cloudflare": {"zoneId": {SIG: SECRET_SIG, "value": "zone123"}}, "domain": "contoso.com"})
    spread_into_fields(inputs, {}, ["cloudflare"])
    zone = dict(inputs["cloudflare"]["zoneId"])
    assert zone == {SIG: OUTPUT_SIG, "secret": True, "value": "zone123", "dependencies": []}
    assert inputs["domain"] == "contoso.com"


def test_dependencies_move_onto_each_field():
    inputs = struct({"azure": {"resourceGroupName": "rg", "zoneName": {SIG: OUTPUT_SIG, "value": "z"}}})
    spread_into_fields(inputs, {"azure": ["urn:zone"]}, ["azure"])
    assert dict(inputs["azure"]["resourceGroupName"]) == {SIG: OUTPUT_SIG, "value": "rg",
                                                          "dependencies": ["urn:zone"]}
    assert dict(inputs["azure"]["zoneName"]) == {SIG: OUTPUT_SIG, "value": "z"}  # already an output value


def test_plain_fields_without_dependencies_stay_plain():
    inputs = struct({"cloudflare": {"zoneId": "zone123"}})
    spread_into_fields(inputs, {"cloudflare": []}, ["cloudflare"])
    assert inputs["cloudflare"]["zoneId"] == "zone123"


def test_object_inputs_are_the_backend_settings(provider):
    every = {"azure", "cloudDns", "cloudflare", "route53"} | {camel(b.ARGS_KEY) for b in BACKENDS.values()}
    assert sorted(provider.object_inputs) == sorted(every)
