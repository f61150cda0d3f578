"""What every DNS backend shares: a pure resource description and its capabilities as data.

A backend turns an :class:`~mxsplit_component.core.plan.MxPlan` into a list of
:class:`ResourceSpec` (resource type, logical name, inputs) without importing pulumi; the
component registers exactly those specs, and ``mxsplit plan --provider`` prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from ..errors import MxSplitError


class ResourceSpec(NamedTuple):
    """One provider resource the component will declare."""

    #: Pulumi type token, e.g. ``azure-native:dns:RecordSet``.
    type_token: str
    #: Python module and class that implement it (imported lazily by the component).
    module: str
    class_name: str
    #: What the resource is for: ``mx`` (Azure's one set), ``ipv4-only`` or ``dual-stack``.
    role: str
    #: Provider inputs, keyed by the SDK's keyword names. Values may be ``pulumi.Input``.
    inputs: Mapping[str, Any] = MappingProxyType({})

    def logical_name(self, component_name: str) -> str:
        """Children are named by role, never by priority, so priority changes update in place."""
        return f"{component_name}-{self.role}"

    def as_dict(self, component_name: str) -> dict[str, Any]:
        return {"type": self.type_token, "name": self.logical_name(component_name), "role": self.role,
                "inputs": dict(self.inputs)}


class Deferred(NamedTuple):
    """An input computed from another input once it is known (e.g. from a zone created in
    the same program). The component resolves it with ``Output.apply``; ``fn`` is pure."""

    source: Any
    fn: Callable[[Any], Any]
    describe: str

    def __repr__(self) -> str:
        return f"<{self.describe}>"


class Capability(NamedTuple):
    """A behaviour of a provider that mxsplit relies on or works around, with its reason."""

    name: str
    supported: bool
    reason: str


class TtlRange(NamedTuple):
    low: int
    high: int
    #: Extra single values allowed outside the range (Cloudflare's 1 = automatic).
    also: tuple[int, ...] = ()

    def check(self, ttl: int, backend: str) -> None:
        if ttl in self.also or self.low <= ttl <= self.high:
            return
        raise MxSplitError(f"ttl {ttl} is not accepted by {backend} (allowed: {self}); use e.g. ttl=3600",
                           field="ttl")

    def __str__(self) -> str:
        extra = "".join(f"{v} or " for v in self.also)
        return f"{extra}{self.low}..{self.high}"


def require_settings(settings: object, backend: str, required: tuple[str, ...],
                     optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Check a backend's settings dict: known keys only, required keys present and non-empty."""
    if not isinstance(settings, Mapping):
        raise MxSplitError(f"{backend} must be a dict with {', '.join(required)}; got {type(settings).__name__}",
                           field=backend)
    unknown = sorted(set(settings) - set(required) - set(optional))
    if unknown:
        allowed = ", ".join(required + optional)
        raise MxSplitError(f"{backend}.{unknown[0]} is not a known setting; use {allowed}",
                           field=f"{backend}.{unknown[0]}")
    for key in required:
        value = settings.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise MxSplitError(f"{backend}.{key} is required; pass {backend}={{'{key}': ...}}",
                               field=f"{backend}.{key}")
    return dict(settings)
