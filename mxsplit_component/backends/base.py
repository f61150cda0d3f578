"""The backend contract: what every DNS host module provides, and the helpers they share.

A backend is a plain module in this package that satisfies :class:`Backend`;
:mod:`mxsplit_component.backends` finds every such module, so adding a DNS host is adding
one module. It is a pure description: no backend imports pulumi or a provider SDK; the
component loads the SDK named in a spec, and only the one in use. In the spirit of
octoDNS's ``BaseProvider``, everything provider-specific lives in the backend, so nothing
outside this package branches on a provider's name.

What a backend module defines (``backends/azure.py`` and ``backends/cloudflare.py`` are the
worked examples; the data types are in :mod:`.spec`):

``NAME``, ``ARGS_KEY``, ``LABEL``, ``ORDER``
    The backend's name (``azure``, ``cloud-dns``: what ``--provider`` and the README say),
    the ``MxSplitArgs`` field that selects it (``azure``, ``cloud_dns``), how people call
    the host (``Azure DNS``) and its place in every listing (README table, messages).
``SDK_MODULE``, ``EXTRA``, ``TYPE_TOKEN``
    The SDK module it describes, the pip extra, the Pulumi type of its MX resource (the
    policy pack recognises declared records by it).
``TTL`` and ``CAPABILITIES``
    Limits and behaviours as data, each with its reason (the README's table is generated
    from them). Each states :data:`~.spec.CAPABILITY_NAMES`; ``one-set-per-name`` decides
    the adoption roles (``ADOPT_ROLES``), ``partial-update`` whether adopting reads and
    guards the existing set and whether ``allow_foreign_mx`` applies.
``SETTINGS`` (and ``SETTINGS_REQUIRED`` / ``SETTINGS_OPTIONAL`` from them), ``SETTINGS_TYPE``, ``SETTINGS_DOC``
    The keys of the backend's args dict with their descriptions and CLI flags, and the name
    and description of their typed dict (``AzureDnsArgs``) in the component's schema.
    :func:`~.spec.require_settings` checks them, and ``describe`` calls it first.
``describe(plan, settings) -> list[ResourceSpec]``
    The resources for a plan. Values may be ``pulumi.Input`` (passed through untouched) or
    :class:`~.spec.Deferred` (computed once another input is known).
``ADOPT_ROLES``, ``ADOPT_ID`` and ``check_adopt_id(role, value, resource) -> str``
    Which roles can import an existing record, how its import id is written (docs, hints),
    and the check of a user's import id against the spec it would be imported into (raise
    :class:`MxSplitError` with ``field`` ``adopt.<role>``).
``adopted(resource, plan) -> Adoption``
    The adoption specifics: the spec to import (inputs exactly as the existing record has
    them, e.g. Cloudflare drops its comment) and, for a host whose update replaces a whole
    record set (Azure DNS, Route 53, Cloud DNS), an :class:`ExistingSet` saying how to read
    the set first. The component invokes that lookup, turns its result into MX values with
    ``ExistingSet.values`` and runs :func:`guard_existing`, which refuses values that are not
    Microsoft 365 hosts unless ``allow_foreign_mx``. A single-set backend implements only
    this method; :func:`mx_text_values` writes and :func:`parse_mx_text` reads ``"10 host."``
    rdata strings.
``TERRAFORM``
    The Terraform resource type, attributes and import id of ``--format tf-json``.
``declared_mx(props)`` and ``ADVISORIES``
    For the policy pack: the owner and MX values of a declared ``TYPE_TOKEN`` resource (its
    engine properties, camelCase), and the backend's own advisory checks.
``stack_settings(settings, domain) -> StackSettings``
    The rollout's stack-config hook: settings as the component takes them, plus lookups the
    program runs (Cloudflare resolves ``zone_name`` to a ``zone_id``). Most backends use
    :func:`~.spec.as_given`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol, runtime_checkable

from ..core.clouds import is_microsoft_host
from ..core.plan import MxPlan, MxRecord
from ..errors import MxSplitError
from .spec import Advisory, Capability, ResourceSpec, Setting, StackSettings, Terraform, TtlRange


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
    def LABEL(self) -> str: ...
    @property
    def ORDER(self) -> int: ...
    @property
    def SDK_MODULE(self) -> str: ...
    @property
    def EXTRA(self) -> str: ...
    @property
    def TYPE_TOKEN(self) -> str: ...
    @property
    def TTL(self) -> TtlRange: ...
    @property
    def CAPABILITIES(self) -> tuple[Capability, ...]: ...
    @property
    def SETTINGS(self) -> tuple[Setting, ...]: ...
    @property
    def SETTINGS_REQUIRED(self) -> tuple[str, ...]: ...
    @property
    def SETTINGS_OPTIONAL(self) -> tuple[str, ...]: ...
    @property
    def SETTINGS_TYPE(self) -> str: ...
    @property
    def SETTINGS_DOC(self) -> str: ...
    @property
    def ADOPT_ROLES(self) -> tuple[str, ...]: ...
    @property
    def ADOPT_ID(self) -> str: ...
    @property
    def TERRAFORM(self) -> Terraform: ...
    @property
    def ADVISORIES(self) -> tuple[Advisory, ...]: ...

    def describe(self, plan: MxPlan, settings: object) -> list[ResourceSpec]: ...

    def check_adopt_id(self, role: str, value: object, resource: ResourceSpec) -> str: ...

    def adopted(self, resource: ResourceSpec, plan: MxPlan) -> Adoption: ...

    def declared_mx(self, props: Mapping[str, Any]) -> tuple[str, list[MxRecord]] | None: ...

    def stack_settings(self, settings: Mapping[str, Any], domain: str) -> StackSettings: ...


def as_declared(resource: ResourceSpec, plan: MxPlan) -> Adoption:
    """The adoption of a record that updates on its own: imported as declared, nothing to guard."""
    return Adoption(resource)


def adopt_field(key: str) -> str:
    """``adopt.dual_stack``: an adoption key as ``MxSplitArgs`` spells it."""
    return f"adopt.{key}"


def adoption_ids(backend: Backend, specs: list[ResourceSpec], adopt: Mapping[str, object], mode: str,
                 spelled: Callable[[str], str] = adopt_field) -> dict[str, str]:
    """Validated import ids by role, from ``{"mx": id}`` / ``{"ipv4_only": id, "dual_stack": id}``.

    One check for the component, the stack config and ``--format tf-json``; ``spelled``
    names a key the way the caller's user wrote it (``adopt.mx``, ``--adopt mx=…``).

    :raises MxSplitError: with ``field`` ``adopt.<key>``.
    """
    roles = {spec.role: spec for spec in specs}
    ids: dict[str, str] = {}
    for key, value in adopt.items():
        if value is None:
            continue
        role = key.replace("_", "-")
        if role not in backend.ADOPT_ROLES:
            allowed = ", ".join(r.replace("-", "_") for r in backend.ADOPT_ROLES)
            raise MxSplitError(f"{spelled(key)} does not apply to {backend.NAME}; use {allowed}", field=f"adopt.{key}")
        if role not in roles:
            raise MxSplitError(f"{spelled(key)}: mode {mode!r} declares no {role} record; adopt the existing MX as "
                               "dual_stack (it becomes MX 10 in split mode)", field=f"adopt.{key}")
        ids[role] = backend.check_adopt_id(role, value, roles[role])
    return ids


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
    if len(parts) == 2 and parts[0].isascii() and parts[0].isdigit():
        return mx_value(int(parts[0]), parts[1])
    return MxRecord(0, " ".join(parts).lower() or repr(rdata))


def mx_text_values(plan: MxPlan) -> list[str]:
    """``["0 contoso.mail.protection.outlook.com.", "10 …"]``: the plan as rdata text.

    The stored form of Route 53 ``records`` and Cloud DNS ``rrdatas``: absolute names,
    lowest preference first. Both providers compare the values as an unordered set, so the
    order is only for people reading a preview.
    """
    return [f"{r.preference} {r.exchange}." for r in plan.records]
