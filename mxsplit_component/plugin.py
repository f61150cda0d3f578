"""The component package's gRPC plugin: ``MxSplit`` for every Pulumi language.

``provider/__main__.py`` runs :func:`main`. On top of the SDK's ``ComponentProvider`` this
module owns the protocol boundary:

- bad input becomes an ``InputPropertyError`` on the schema's camelCase path
  (``<backend>.zoneId``, ``primaryPriority``) with the message's field names spelled as
  the schema spells them, never a gRPC ``UNKNOWN`` with a Python traceback (the SDK wraps
  any exception raised in a component's ``__init__``, even an ``InputPropertyError``);
- a plain input (a plan field) that arrives unknown, secret or as another resource's output
  is refused by name before the component runs;
- the adoption guard's refusal, raised while the engine reads the existing record set, is
  mapped the same way;
- ``GetPluginInfo`` reports the installed package's version.

Python programs construct ``MxSplit`` directly and keep snake_case ``field`` values.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from google.protobuf import struct_pb2
from pulumi.errors import InputPropertyError

from .component import MxSplit
from .errors import MxSplitError
from .pulumi_compat import (
    OUTPUT_SIG,
    SECRET_SIG,
    SIG,
    ComponentInitError,
    ComponentProvider,
    ConstructResult,
    ProviderServicer,
    Unknown,
    failed_invoke,
    invalid_properties,
    serve,
)
from .registry_metadata import with_registry_metadata
from .version import package_version

#: The package name; the type token prefix (``mxsplit:index:MxSplit``) equals it.
PACKAGE = "mxsplit"
#: Python types a plain value of each schema type may arrive as (every number is a double).
_SCHEMA_TYPES = {"string": ((str,), "a string"), "integer": ((int, float), "an integer"),
                 "boolean": ((bool,), "true or false")}


def snake(name: str) -> str:
    """``ipv4OnlyHost`` -> ``ipv4_only_host``: the Python name behind a schema name."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def schema_names(schema: Mapping[str, Any]) -> dict[str, str]:
    """Every input property name of the schema, keyed by its Python (snake_case) spelling."""
    names: dict[str, str] = {}
    groups = [r.get("inputProperties", {}) for r in schema.get("resources", {}).values()]
    groups += [t.get("properties", {}) for t in schema.get("types", {}).values()]
    for group in groups:
        names.update({snake(name): name for name in group})
    return names


class SchemaSpelling:
    """Rewrites a field path or a message from Python spelling to the schema's.

    Messages are written for Python callers (``<backend>={'zone_id': ...}``,
    ``allow_foreign_mx=True``, ``primary_priority``); a YAML or TypeScript user knows
    ``<backend>: {zoneId: ...}``, ``allowForeignMx: true``, ``primaryPriority``.
    """

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = {k: v for k, v in names.items() if k != v}
        # Longest first, so dual_stack_host wins over dual_stack.
        words = sorted(self.names, key=len, reverse=True)
        self._word = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b") if words else None

    def name(self, text: str) -> str:
        if self._word is None:
            return text
        return self._word.sub(lambda m: self.names[m.group(1)], text)

    def path(self, field: str | None) -> str:
        return "" if field is None else ".".join(self.name(part) for part in field.split("."))

    def message(self, text: str) -> str:
        text = re.sub(r"'(\w+)':", r"\1:", text)  # {'zone_id': ...} -> {zone_id: ...}
        text = re.sub(r"\b(\w+)=True\b", r"\1: true", text)
        text = re.sub(r"\b(\w+)=False\b", r"\1: false", text)
        text = re.sub(r"\b(\w+)=(?=[{'\"\d])", r"\1: ", text)
        return self.name(text)

    def error(self, err: MxSplitError) -> InputPropertyError:
        return InputPropertyError(self.path(err.field), self.message(str(err)))


def mxsplit_error_in(exc: BaseException | None) -> MxSplitError | None:
    """The :class:`MxSplitError` behind ``exc``: itself, its cause or context, a wrapped
    ``inner`` (the SDK's ``ComponentInitError``) or an ``error`` (the guard's RunError)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, MxSplitError):
            return exc
        for attr in ("error", "inner"):
            inner = getattr(exc, attr, None)
            if isinstance(inner, BaseException):
                found = mxsplit_error_in(inner)
                if found is not None:
                    return found
        exc = exc.__cause__ or exc.__context__
    return None


def failed_read(exc: BaseException | None, adopt_keys: Sequence[str]) -> MxSplitError | None:
    """The guard's read of a set to adopt failed (it does not exist, or the provider cannot
    read it): the SDK raises a plain exception naming the invoke. The component invokes
    only to read a set before adopting it, so that names ``adopt``."""
    text = failed_invoke(exc)
    if text is None:
        return None
    field = f"adopt.{snake(adopt_keys[0])}" if len(adopt_keys) == 1 else "adopt"
    return MxSplitError(f"{field}: could not read the existing record set before adopting it ({text}); check "
                        f"that {field} names an existing MX record set the provider can read", field=field)


def _not_plain(value: Any) -> str | None:
    if isinstance(value, Unknown):
        return "is unknown"
    if isinstance(value, pulumi.Output):
        return "is a secret or another resource's output"
    return None


class MxSplitProvider(ComponentProvider):
    """``ComponentProvider`` for :class:`MxSplit` with property errors in schema spelling."""

    def __init__(self) -> None:
        super().__init__([MxSplit], PACKAGE, version=package_version())
        self.schema = with_registry_metadata(self.schema or "{}")
        self.loaded_schema: dict[str, Any] = json.loads(self.schema or "{}")
        self.spelling = SchemaSpelling(schema_names(self.loaded_schema))
        #: Plain object inputs whose fields take outputs: each backend's settings object.
        self.object_inputs = [name for resource in self.loaded_schema["resources"].values()
                              for name, prop in resource["inputProperties"].items()
                              if prop.get("plain") and self._fields_take_outputs(prop)]

    def _fields_take_outputs(self, prop: Mapping[str, Any]) -> bool:
        ref = str(prop.get("$ref", ""))
        if not ref.startswith("#/types/"):
            return False
        fields = self.loaded_schema["types"][ref.removeprefix("#/types/")]["properties"]
        return any(not field.get("plain") for field in fields.values())

    def check_plain(self, inputs: Mapping[str, Any], properties: Mapping[str, Any], path: str = "") -> None:
        """Refuse plain inputs the component cannot use before it runs: properties the schema
        does not declare (the SDK's mapping drops them silently, so ``adopt: {dual_stack: …}``
        would create a record instead of adopting one), unknown, secret or output values, and
        values of the wrong type (the SDK's own mapping would raise a ``TypeError`` or
        ``OverflowError`` with a traceback, or name no property)."""
        for name in inputs:
            if name not in properties:
                where = f"{path}{name}"
                spelled = self.spelling.names.get(name)
                hint = (f"did you mean {path}{spelled}?" if spelled in properties
                        else f"use one of: {', '.join(properties)}")
                raise InputPropertyError(where, f"{where} is not a property of MxSplit; {hint}")
        for name, prop in properties.items():
            value = inputs.get(name)
            where = f"{path}{name}"
            if value is None:
                continue
            problem = _not_plain(value) if prop.get("plain") else None
            if problem is not None:
                raise InputPropertyError(where, f"{where} {problem}; it decides which records exist, so pass a "
                                                "plain value known before the deployment")
            if isinstance(value, (pulumi.Output, Unknown)):
                continue
            ref = prop.get("$ref", "")
            if ref.startswith("#/types/"):
                if not isinstance(value, dict):
                    raise InputPropertyError(where, f"{where} must be an object, got {value!r}")
                nested = self.loaded_schema["types"][ref.removeprefix("#/types/")]["properties"]
                self.check_plain(value, nested, f"{where}.")
                continue
            if prop.get("type") in _SCHEMA_TYPES:
                types, spelled = _SCHEMA_TYPES[prop["type"]]
                if (not isinstance(value, types) or (bool not in types and isinstance(value, bool))
                        or (isinstance(value, float) and not math.isfinite(value))):
                    raise InputPropertyError(where, f"{where} must be {spelled}, got {value!r}")

    def construct(self, name: str, resource_type: str, inputs: pulumi.Inputs,
                  options: pulumi.ResourceOptions | None = None) -> ConstructResult:
        resource = self.loaded_schema.get("resources", {}).get(resource_type, {})
        self.check_plain(inputs, resource.get("inputProperties", {}))
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as err:
            found = mxsplit_error_in(err)
            if found is None:
                raise
            raise self.spelling.error(found) from None


def _as_output_value(value: struct_pb2.Value, dependencies: Sequence[str]) -> struct_pb2.Value | None:
    """A secret or dependent field as an output value; ``None`` when it is neither."""
    fields = value.struct_value.fields if value.HasField("struct_value") else {}
    sig = fields[SIG].string_value if SIG in fields else ""
    if sig == OUTPUT_SIG or (sig != SECRET_SIG and not dependencies):
        return None
    out = struct_pb2.Struct()
    out.update({SIG: OUTPUT_SIG, "dependencies": list(dependencies)})
    if sig == SECRET_SIG:
        out["secret"] = True
        if "value" in fields:
            out.fields["value"].CopyFrom(fields["value"])
    else:
        out.fields["value"].CopyFrom(value)
    return struct_pb2.Value(struct_value=out)


def spread_into_fields(inputs: struct_pb2.Struct, dependencies: Mapping[str, Sequence[str]],
                       objects: Sequence[str]) -> None:
    """Carry secrecy and dependencies of a plain object's fields on the fields themselves.

    The backend settings are plain objects whose fields take outputs. The SDK lifts a
    nested secret (``<backend>.zoneId``) to the whole object and wraps an object with
    property dependencies in one output, which the component cannot look into while it
    plans. As output values on the fields, secrecy and dependencies reach the records.
    """
    for key in objects:
        if key not in inputs.fields or not inputs.fields[key].HasField("struct_value"):
            continue
        fields = inputs.fields[key].struct_value.fields
        if SIG in fields:
            continue  # the object itself is tagged: check_plain refuses it by name
        for name in list(fields):
            replacement = _as_output_value(fields[name], dependencies.get(key, ()))
            if replacement is not None:
                fields[name].CopyFrom(replacement)


class MxSplitServicer(ProviderServicer):
    """Maps a refusal raised after ``construct`` returned (the adoption guard runs while the
    engine answers the read) to the same property error as one raised during it, and so a
    read of the set to adopt that failed."""

    provider: MxSplitProvider

    async def Construct(self, request: Any, context: Any) -> Any:
        spread_into_fields(request.inputs, {k: list(v.urns) for k, v in request.inputDependencies.items()},
                           self.provider.object_inputs)
        try:
            return await super().Construct(request, context)
        except Exception as err:
            adopt = request.inputs.fields["adopt"] if "adopt" in request.inputs.fields else None
            adopt_keys = list(adopt.struct_value.fields) if adopt is not None and adopt.HasField("struct_value") else []
            found = mxsplit_error_in(err) or failed_read(err, adopt_keys)
            if found is None:
                raise
            await context.abort_with_status(invalid_properties(self, [self.provider.spelling.error(found)]))
            raise


def main(argv: Sequence[str]) -> None:
    """``python <plugin dir> <engine address> [--logtostderr ...]``, as Pulumi starts it."""
    parser = argparse.ArgumentParser(description="mxsplit component package (Pulumi plugin)")
    parser.add_argument("engine", help="Pulumi engine address")
    known, _ = parser.parse_known_args(argv)
    try:
        asyncio.run(serve(MxSplitServicer(MxSplitProvider(), list(argv), engine_address=known.engine)))
    except KeyboardInterrupt:
        pass
