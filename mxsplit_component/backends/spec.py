"""The data a backend module declares: resources, settings, capabilities and its hooks' shapes. Pure.

Everything here is plain data (``NamedTuple``) or a pure function of it, so listing every
backend (the README table, ``--provider`` choices, the CLI flags) costs no SDK import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from types import MappingProxyType
from typing import Any, NamedTuple

from ..core.names import is_subdomain, normalize_name
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


#: Both MX values live in one record set, so the split is one resource (role ``mx``);
#: otherwise one record per value (roles ``ipv4-only`` and ``dual-stack``).
ONE_SET_PER_NAME = "one-set-per-name"
#: Creating the records when an MX already exists neither fails nor replaces it.
CREATE_OVER_EXISTING = "create-over-existing"
#: An update touches only the records mxsplit manages; unsupported means it replaces the
#: whole set, so adopting one reads it first and guards its foreign values.
PARTIAL_UPDATE = "partial-update"
#: The capabilities every backend states (``mypy`` cannot check a tuple's contents; a test does).
CAPABILITY_NAMES = (ONE_SET_PER_NAME, CREATE_OVER_EXISTING, PARTIAL_UPDATE)
#: Adoption roles by the answer to ONE_SET_PER_NAME.
SET_ROLES = ("mx",)
RECORD_ROLES = ("ipv4-only", "dual-stack")

#: Azure DNS, Route 53 and Cloud DNS: every value of a name and type lives in one set, which
#: an update replaces whole.
REPLACES_WHOLE_SET = Capability(PARTIAL_UPDATE, False,
                                "an update replaces the whole set: foreign MX values in it are dropped")
#: DNSimple, DigitalOcean: one record per MX value, each updated on its own.
PER_RECORD = (
    Capability(ONE_SET_PER_NAME, False, "one record per MX value, so each role is its own resource"),
    Capability(CREATE_OVER_EXISTING, True, "a new record lands beside an existing MX: adopt the old one"),
    Capability(PARTIAL_UPDATE, True, "each record updates on its own, so adopting one drops no other MX: nothing to "
                                     "read or guard first"),
)


def supports(capabilities: tuple[Capability, ...], name: str) -> bool:
    """Whether a backend's ``CAPABILITIES`` support ``name``.

    :raises KeyError: when the backend does not state it (every backend states each of
        :data:`CAPABILITY_NAMES`).
    """
    for capability in capabilities:
        if capability.name == name:
            return capability.supported
    raise KeyError(name)


def adopt_roles(capabilities: tuple[Capability, ...]) -> tuple[str, ...]:
    """The roles a backend can import existing records into, from how it stores MX values."""
    return SET_ROLES if supports(capabilities, ONE_SET_PER_NAME) else RECORD_ROLES


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


class Setting(NamedTuple):
    """One key of a backend's settings dict (``MxSplitArgs.<backend>``), with its CLI flag.

    Every setting takes a ``pulumi.Input[str]``: it usually comes from another resource.
    """

    name: str
    #: The schema's and the typed args' description of the key.
    doc: str
    required: bool = True
    #: The ``mxsplit plan`` flag that sets it; several backends may share one (``--zone-id``).
    flag: str | None = None


def setting_names(settings: tuple[Setting, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) setting names, for ``SETTINGS_REQUIRED`` / ``SETTINGS_OPTIONAL``."""
    return (tuple(s.name for s in settings if s.required), tuple(s.name for s in settings if not s.required))


def require_settings(settings: object, backend: str, required: tuple[str, ...],
                     optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Check a backend's settings dict: known keys only, required keys present and non-empty,
    optional keys absent or non-empty."""
    if not isinstance(settings, Mapping):
        raise MxSplitError(f"{backend} must be a dict with {', '.join(required + optional)}; got "
                           f"{type(settings).__name__}", field=backend)
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


def zone_containing(domain: str, zone_name: object, field: str, label: str) -> str:
    """The zone ``zone_name``, normalised, after checking that it holds ``domain``.

    :raises MxSplitError: (``field``, e.g. ``azure.zone_name``) when it is no zone name or
        does not contain the domain.
    """
    zone = normalize_name(zone_name, field, min_labels=1)
    if not is_subdomain(domain, zone):
        raise MxSplitError(f"{field} {zone!r} does not contain domain {domain!r}; pass the {label} zone that hosts "
                           f"{domain} (e.g. {field.rsplit('.', 1)[-1]}={domain!r})", field=field)
    return zone


def zone_and_name(domain: str, zone: Any, setting: str, field: str,
                  name_in: Callable[[str, str], str]) -> tuple[Any, Any]:
    """(zone, the domain's name in it) from an optional zone setting that defaults to the domain.

    A plain zone is normalised and checked at once; a zone that is an output of another
    resource (the zone created in the same program) makes the name a :class:`Deferred`.
    """
    if zone is None:
        zone = domain
    if not isinstance(zone, str):
        return zone, Deferred(zone, partial(name_in, domain), f"{domain} relative to {setting}")
    name = name_in(domain, zone)
    return normalize_name(zone, field, min_labels=1), name


def records_by_role(plan: MxPlan) -> list[tuple[str, MxRecord]]:
    """``(role, record)`` for each record of the plan, for hosts that keep one record per value."""
    return [(role, record) for role in RECORD_ROLES if (record := plan.record_for(role)) is not None]


def _inputs(spec: ResourceSpec) -> dict[str, Any]:
    return dict(spec.inputs)


def _same(import_id: str) -> str:
    return import_id


class Terraform(NamedTuple):
    """How ``--format tf-json`` writes a backend's resources for its Terraform provider.

    The defaults fit a Pulumi provider bridged from that Terraform provider: same
    attribute names, same import ids.
    """

    #: Terraform resource type, e.g. ``aws_route53_record``.
    type: str
    #: A spec's inputs as that resource's attributes.
    attributes: Callable[[ResourceSpec], dict[str, Any]] = _inputs
    #: A checked Pulumi import id as Terraform's ``import`` block takes it.
    import_id: Callable[[str], str] = _same


class Advisory(NamedTuple):
    """A policy-pack check of one of the backend's MX resources (``ResourceValidationPolicy``)."""

    #: Policy name, stable: stacks may configure it (``cloudflare-mx-form``).
    name: str
    description: str
    #: ``(resource_type, props, report)``: report each problem of a resource of this type.
    check: Callable[[str, Mapping[str, Any], Callable[..., None]], None]


class Lookup(NamedTuple):
    """A setting the rollout program looks up at deployment from what the stack config gave
    (Cloudflare's zone id by zone name): ``<module>.<function>(**args)``, then ``pick``."""

    #: The ``MxSplitArgs`` field and the setting in it that the lookup fills (``cloudflare``, ``zone_id``).
    args_key: str
    setting: str
    module: str
    function: str
    args: Mapping[str, Any]
    #: The lookup's result -> the setting's value. Pure.
    pick: Callable[[Any], Any]


class StackSettings(NamedTuple):
    """A backend's settings from stack config: what the component is validated with (a
    :class:`Deferred` stands in for each looked-up value) and the lookups to run."""

    settings: Mapping[str, Any]
    lookups: tuple[Lookup, ...] = ()


def as_given(settings: Mapping[str, Any], domain: str) -> StackSettings:
    """The stack-config hook of a backend whose stack config is its component settings."""
    return StackSettings(settings)


def host(value: Any) -> str:
    """A host name as a provider reports it, compared without the trailing dot or case."""
    return str(value or "").rstrip(".").lower()


def record_value(preference: Any, exchange: Any) -> MxRecord:
    """One MX value of a declared resource's properties (policy pack)."""
    return MxRecord(int(preference or 0), host(exchange))


def rdata_records(values: Any) -> list[MxRecord]:
    """``["10 host.", …]`` (Route 53 ``records``, Cloud DNS ``rrdatas``) as declared values;
    text that is not MX rdata is skipped (the pack judges only what it can read)."""
    records = []
    for value in values or []:
        parts = str(value).split()
        if len(parts) == 2 and parts[0].isascii() and parts[0].isdigit():
            records.append(record_value(int(parts[0]), parts[1]))
    return records


def declared_record(backend: str, props: Mapping[str, Any], zone: str, value: str) -> tuple[str, list[MxRecord]] | None:
    """Owner and value of a declared one-value MX record: ``<backend>:<zone>:<name>``, with the
    zone and value in the properties called ``zone`` and ``value``."""
    if not is_mx(props):
        return None
    return (f"{backend}:{host(props.get(zone))}:{host(props.get('name'))}",
            [record_value(props.get("priority"), props.get(value))])


def zone_record_id(field: str, value: object, zone: Any, sep: str, label: str, zone_word: str, hint: str) -> str:
    """An import id ``<zone><sep><numeric record id>`` checked against the zone the component
    declares (when it is known), with the zone normalised as the component's is.

    :raises MxSplitError: (``field``, ``adopt.<role>``) naming the form and ``hint``.
    """
    head, found, record = value.strip().rpartition(sep) if isinstance(value, str) else ("", "", "")
    if not (found and head and record.isascii() and record.isdigit()):
        raise MxSplitError(f"{field} {value!r} is not a {label} import id '<{zone_word}>{sep}<record id>' (e.g. "
                           f"contoso.com{sep}1234); {hint}", field=field)
    got = normalize_name(head, field, min_labels=1)
    if isinstance(zone, str) and got != zone:
        raise MxSplitError(f"{field} is in {zone_word} {got!r}, but the component manages {zone_word} {zone!r}", field=field)
    return f"{got}{sep}{record}"


def is_mx(props: Mapping[str, Any], key: str = "type") -> bool:
    """Whether declared properties (camelCase, as the engine reports them) are of an MX record."""
    return str(props.get(key, "")).upper() == "MX"
