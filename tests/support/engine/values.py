"""Property values as the Pulumi engine puts them on the wire (protobuf ``Struct``).

Written from the protocol's documented sentinels rather than the SDK's own (private)
serialiser, so the stand-in engine checks the SDK instead of agreeing with it by
construction: every number is a double, an unknown is a sentinel string, a secret and an
output value are objects tagged with a signature key (the keys the plugin uses, from
:mod:`mxsplit_component.pulumi_compat`, where a test pins them to the SDK's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2

from mxsplit_component.pulumi_compat import OUTPUT_SIG, SECRET_SIG, SIG

#: An unknown value (a preview before the value exists).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


@dataclass(frozen=True)
class Secret:
    """A secret value: the engine keeps it encrypted in state and masked in output."""

    value: Any


@dataclass(frozen=True)
class OutputValue:
    """An output of another resource, with the URNs it depends on (``outputValues`` feature)."""

    value: Any = UNKNOWN
    secret: bool = False
    dependencies: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ResourceRef:
    urn: str
    id: Any = None


def to_wire(value: Any) -> Any:
    """A Python value as the JSON-ish form that goes into a ``Struct``."""
    if isinstance(value, Secret):
        return {SIG: SECRET_SIG, "value": to_wire(value.value)}
    if isinstance(value, OutputValue):
        out: dict[str, Any] = {SIG: OUTPUT_SIG}
        if value.value != UNKNOWN:
            out["value"] = to_wire(value.value)
        if value.secret:
            out["secret"] = True
        if value.dependencies:
            out["dependencies"] = list(value.dependencies)
        return out
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)  # a Struct has no integers
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    raise TypeError(f"cannot put {value!r} on the wire")


def to_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(to_wire(values))
    return struct


def from_wire(value: Any) -> Any:
    """The wire form back as Python: secrets, output values and resource references tagged.

    Numbers stay floats, exactly as they arrived: asserting on them shows what the SDK sent.
    """
    if isinstance(value, dict):
        sig = value.get(SIG)
        if sig == SECRET_SIG:
            return Secret(from_wire(value.get("value")))
        if sig == OUTPUT_SIG:
            return OutputValue(from_wire(value.get("value", UNKNOWN)), bool(value.get("secret")),
                               tuple(value.get("dependencies", ())))
        if sig == RESOURCE_SIG:
            return ResourceRef(value["urn"], from_wire(value.get("id")))
        return {k: from_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_wire(v) for v in value]
    return value


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    decoded: dict[str, Any] = from_wire(json_format.MessageToDict(struct))
    return decoded


def plain(value: Any) -> Any:
    """Strip secret and output wrappers (for assertions about the underlying value)."""
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, OutputValue):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
