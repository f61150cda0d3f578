"""The backend contract: what every DNS host module provides, and the helpers they share.

A backend is a plain module that satisfies :class:`Backend` (``mypy`` checks each one where
:data:`mxsplit_component.backends.BACKENDS` lists it). It is a pure description: no backend
imports pulumi or a provider SDK; the component loads the SDK named in a spec, and only the
one in use. In the spirit of octoDNS's ``BaseProvider``, everything provider-specific lives
in the backend, so the component never branches on a provider's name.

What a backend module defines (``backends/azure.py`` and ``backends/cloudflare.py`` are the
worked examples):

``NAME``, ``ARGS_KEY``, ``SDK_MODULE``, ``EXTRA``
    The backend's name (``azure``, ``cloud-dns``: what ``--provider`` and the README say),
    the ``MxSplitArgs`` field that selects it (``azure``, ``cloud_dns``), the SDK module it
    describes, the pip extra.
``TTL`` and ``CAPABILITIES``
    Limits and behaviours as data, each with its reason (the README's table is generated
    from them).
``SETTINGS_REQUIRED`` / ``SETTINGS_OPTIONAL``
    The keys of the backend's args dict; :func:`require_settings` checks them, and
    ``describe`` calls it first.
``describe(plan, settings) -> list[ResourceSpec]``
    The resources for a plan. Values may be ``pulumi.Input`` (passed through untouched) or
    :class:`Deferred` (computed once another input is known).
``ADOPT_ROLES`` and ``check_adopt_id(role, value, spec) -> str``
    Which roles can import an existing record, and the check of a user's import id against
    the spec it would be imported into (raise :class:`MxSplitError` with ``field``
    ``adopt.<role>``).
``adopted(spec, plan) -> Adoption``
    The adoption specifics: the spec to import (inputs exactly as the existing record has
    them, e.g. Cloudflare drops its comment) and, for a host whose update replaces a whole
    record set (Azure DNS, Route 53, Cloud DNS), an :class:`ExistingSet` saying how to read
    the set first. The component invokes that lookup, turns its result into MX values with
    ``ExistingSet.values`` and runs :func:`guard_existing`, which refuses values that are not
    Microsoft 365 hosts unless ``allow_foreign_mx``. A single-set backend implements only
    this method; :func:`mx_text_values` writes and :func:`parse_mx_text` reads ``"10 host."``
    rdata strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol, runtime_checkable

from ..core.clouds import is_microsoft_host
from ..core.plan import MxPlan, MxRecord
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


#: Azure DNS, Route 53 and Cloud DNS: every value of a name and type lives in one set, which
#: an update replaces whole.
REPLACES_WHOLE_SET = Capability("partial-update", False,
                                "an update replaces the whole set: foreign MX values in it are dropped")


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
    """Check a backend's settings dict: known keys only, required keys present and non-empty,
    optional keys absent or non-empty."""
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
    for key in optional:
        # Sent as given, a blank value would reach the provider as "" rather than its default.
        value = settings.get(key)
        if isinstance(value, str) and not value.strip():
            raise MxSplitError(f"{backend}.{key} is empty; omit it to use the default, or pass a value",
                               field=f"{backend}.{key}")
    return dict(settings)


class ExistingSet(NamedTuple):
    """How to read a record set before adopting it, and which input waits for the read.

    The component calls ``<module>.<function>(**args)`` (the SDK's Output-form lookup, such
    as ``get_record_set_output``) with the component as parent, so the read happens in
    preview too.
    """

    #: SDK module and Output-form lookup function, e.g. ``pulumi_azure_native.dns`` and
    #: ``get_record_set_output``.
    module: str
    function: str
    #: Keyword arguments of the lookup; values may be ``pulumi.Input`` or :class:`Deferred`.
    args: Mapping[str, Any]
    #: The lookup's result object -> the MX values the set holds now. Pure.
    values: Callable[[Any], list[MxRecord]]
    #: The input of the spec that carries the guard: the child is registered only once the
    #: existing set passed it.
    guarded_input: str


class Adoption(NamedTuple):
    """What importing one spec takes: the spec as imported, and an optional guarded read."""

    spec: ResourceSpec
    existing: ExistingSet | None = None


@runtime_checkable
class Backend(Protocol):
    """The contract of a DNS backend module; see the module docstring for each member."""

    # Read-only members, so a module's narrower constants (``tuple[str]``) satisfy them.
    @property
    def NAME(self) -> str: ...
    @property
    def ARGS_KEY(self) -> str: ...
    @property
    def SDK_MODULE(self) -> str: ...
    @property
    def EXTRA(self) -> str: ...
    @property
    def TTL(self) -> TtlRange: ...
    @property
    def CAPABILITIES(self) -> tuple[Capability, ...]: ...
    @property
    def SETTINGS_REQUIRED(self) -> tuple[str, ...]: ...
    @property
    def SETTINGS_OPTIONAL(self) -> tuple[str, ...]: ...
    @property
    def ADOPT_ROLES(self) -> tuple[str, ...]: ...

    def describe(self, plan: MxPlan, settings: object) -> list[ResourceSpec]: ...

    def check_adopt_id(self, role: str, value: object, spec: ResourceSpec) -> str: ...

    def adopted(self, spec: ResourceSpec, plan: MxPlan) -> Adoption: ...


class AdoptionRefused(MxSplitError):
    """Adopting the existing record set would drop MX values the split does not manage."""

    #: The refused values as ``"<preference> <exchange>"``.
    foreign: tuple[str, ...]

    def __init__(self, message: str, *, field: str, foreign: tuple[str, ...]) -> None:
        super().__init__(message, field=field)
        self.foreign = foreign


def foreign_mx(existing: list[MxRecord]) -> list[str]:
    """MX values of an existing set that are not Microsoft 365 hosts (a gateway, a backup MX)."""
    return [f"{r.preference} {r.exchange}" for r in existing if not is_microsoft_host(r.exchange)]


def guard_existing(planned: Any, allow_foreign: bool, field: str, existing: list[MxRecord]) -> Any:
    """Return ``planned`` unless adopting would silently drop foreign MX values.

    An update of a whole-set host replaces the set, so adopting one that also holds, say, a
    mail gateway would remove it. Refuse, naming the records, unless ``allow_foreign_mx``.

    :raises AdoptionRefused: with ``field`` (``adopt.mx``) and the foreign values.
    """
    foreign = foreign_mx(existing)
    if foreign and not allow_foreign:
        raise AdoptionRefused(
            f"the existing MX record set holds {', '.join(foreign)}, which "
            f"{'is not a Microsoft 365 host' if len(foreign) == 1 else 'are not Microsoft 365 hosts'}; "
            "adopting it would replace the whole set and drop them. Move them elsewhere first, or "
            "pass allow_foreign_mx=True to drop them on purpose", field=field, foreign=tuple(foreign))
    return planned


def mx_value(preference: object, exchange: object) -> MxRecord:
    """One existing MX value as a provider reports it (trailing dot and case normalised)."""
    return MxRecord(int(preference) if isinstance(preference, int | float) else 0,
                    str(exchange or "").rstrip(".").lower())


def parse_mx_text(rdata: str) -> MxRecord:
    """``"10 contoso-com.mail.protection.outlook.com."`` (Route 53, Cloud DNS) as a value.

    Text that is not ``<preference> <host>`` keeps its words as the exchange, so the guard
    names it as foreign rather than dropping it unseen.
    """
    parts = str(rdata).split()
    if len(parts) == 2 and parts[0].isdigit():
        return mx_value(int(parts[0]), parts[1])
    return MxRecord(0, " ".join(parts).lower() or repr(rdata))


def mx_text_values(plan: MxPlan) -> list[str]:
    """``["0 contoso.mail.protection.outlook.com.", "10 …"]``: the plan as rdata text.

    The stored form of Route 53 ``records`` and Cloud DNS ``rrdatas``: absolute names,
    lowest preference first. Both providers compare the values as an unordered set, so the
    order is only for people reading a preview.
    """
    return [f"{r.preference} {r.exchange}." for r in plan.records]
