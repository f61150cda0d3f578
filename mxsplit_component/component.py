"""The ``MxSplit`` Pulumi component: a plan turned into provider resources.

Follows pulumi-component-provider-py-boilerplate: a ``TypedDict`` of args with a docstring
per field, outputs as annotated attributes, children named ``{name}-{role}`` with
``parent=self``, ``register_outputs`` last. Plan fields are plain values so bad input fails
here, before any child is registered; only backend fields take ``pulumi.Input``.
"""

# No `from __future__ import annotations`: Pulumi's schema analyzer reads real annotations.
import importlib
import sys
from collections.abc import Callable
from functools import partial
from typing import Any, TypedDict

import pulumi

from .backends import get_backend
from .backends.base import Adoption, Deferred, ExistingSet, ResourceSpec, guard_existing
from .component_args import adoption, plan_from_args
from .core.plan import MxRecord
from .core.rules import validate_plan
from .edges.extras import require
from .errors import MxSplitError

if sys.version_info >= (3, 11):
    from typing import NotRequired
else:  # pragma: no cover - Python 3.10
    from typing_extensions import NotRequired

TYPE_TOKEN = "mxsplit:index:MxSplit"


class AzureDnsArgs(TypedDict):
    """Where the MX record set lives in Azure DNS."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the Azure DNS zone."""
    zone_name: NotRequired[pulumi.Input[str]]
    """The Azure DNS zone that holds the domain; defaults to the domain itself."""


class CloudflareDnsArgs(TypedDict):
    """Where the MX records live in Cloudflare."""

    zone_id: pulumi.Input[str]
    """Cloudflare zone id of the zone that holds the domain."""


class Route53DnsArgs(TypedDict):
    """Where the MX record set lives in AWS Route 53."""

    zone_id: pulumi.Input[str]
    """Route 53 hosted zone id (e.g. Z0123456789ABC) of the public zone that holds the domain."""


class CloudDnsArgs(TypedDict):
    """Where the MX record set lives in Google Cloud DNS."""

    managed_zone: pulumi.Input[str]
    """Resource name of the Cloud DNS managed zone (e.g. contoso-com), not its DNS name."""
    project: NotRequired[pulumi.Input[str]]
    """Google Cloud project of the managed zone; defaults to the provider's project. Required to adopt."""


class MxRecordValue(TypedDict):
    """One MX value."""

    preference: int
    """MX preference: lower is tried first (RFC 5321 §5.1)."""
    exchange: str
    """Host name of the mail exchanger, without a trailing dot."""


class AdoptArgs(TypedDict):
    """Existing records to import instead of create: nearly every domain already has an MX."""

    mx: NotRequired[str]
    """The existing MX record set. Azure: its ARM id (az network dns record-set mx show ... --query id); Route 53:
    ZONEID_name_MX (e.g. Z0123456789ABC_contoso.com_MX); Cloud DNS:
    projects/{project}/managedZones/{zone}/rrsets/{name}./MX."""
    ipv4_only: NotRequired[str]
    """Cloudflare: zone_id/record_id of an existing MX record to adopt as the IPv4-only record."""
    dual_stack: NotRequired[str]
    """Cloudflare: zone_id/record_id of an existing MX (usually MX 0 to the domain host) to adopt as dual-stack."""


class MxSplitArgs(TypedDict):
    """Inputs of :class:`MxSplit`. Plan fields are plain values, checked at construction."""

    domain: str
    """The primary (custom) domain that receives mail, e.g. contoso.com."""
    tenant: str
    """The onmicrosoft tenant name, e.g. contoso or contoso.onmicrosoft.com."""
    mode: NotRequired[str]
    """split (default: MX to the IPv4-only tenant host first, then the dual-stack host) or standard (one MX)."""
    primary_priority: NotRequired[int]
    """Preference of the first MX record (default 0)."""
    secondary_priority: NotRequired[int]
    """Preference of the dual-stack MX record in split mode (default 10); must exceed primary_priority."""
    dual_stack_host: NotRequired[str]
    """The domain's Microsoft host as the admin center shows it; derived from the domain when omitted."""
    ipv4_only_host: NotRequired[str]
    """An IPv4-only Microsoft host to prefer instead of the tenant host (a dedicated second domain's)."""
    cloud: NotRequired[str]
    """Microsoft 365 cloud: commercial (default), gcc or china."""
    ttl: NotRequired[int]
    """TTL of the MX records in seconds (default 3600)."""
    azure: NotRequired[AzureDnsArgs]
    """Publish on Azure DNS. Exactly one of azure, cloudflare, route53 and cloud_dns."""
    cloudflare: NotRequired[CloudflareDnsArgs]
    """Publish on Cloudflare. Exactly one of azure, cloudflare, route53 and cloud_dns."""
    route53: NotRequired[Route53DnsArgs]
    """Publish on AWS Route 53. Exactly one of azure, cloudflare, route53 and cloud_dns."""
    cloud_dns: NotRequired[CloudDnsArgs]
    """Publish on Google Cloud DNS. Exactly one of azure, cloudflare, route53 and cloud_dns."""
    adopt: NotRequired[AdoptArgs]
    """Import existing records (by provider id) instead of creating them; see the README's migration steps."""
    allow_foreign_mx: NotRequired[bool]
    """Adopting a whole record set (Azure, Route 53, Cloud DNS): allow dropping MX values that are not Microsoft 365
    hosts from it."""
    protect: NotRequired[bool]
    """Protect the DNS records from deletion (applied to every child)."""
    retain_on_delete: NotRequired[bool]
    """Leave the DNS records in place when the component is deleted (applied to every child)."""


class AdoptionRefusedError(pulumi.RunError):
    """The guard refused an adoption: the language host shows the message, without a stack.

    A ``RunError``, not a ``ValueError``: the SDK wraps a ``ValueError`` raised while it
    prepares a child's inputs in a message that shows ``<pulumi.output.Output …>``.
    """

    def __init__(self, error: MxSplitError) -> None:
        super().__init__(str(error))
        #: The refusal itself, with its ``field`` (``adopt.mx``) and ``foreign`` values.
        self.error = error
        self.field = error.field


def _guard(planned: Any, allow_foreign: bool, field: str, values: Callable[[Any], list[MxRecord]],
           result: Any) -> Any:
    try:
        return guard_existing(planned, allow_foreign, field, values(result))
    except MxSplitError as err:
        raise AdoptionRefusedError(err) from err


def guarded(existing: ExistingSet, planned: Any, allow_foreign: bool, field: str,
            component: pulumi.Resource) -> pulumi.Output[Any]:
    """Read the set about to be adopted; ``planned`` flows through the read, so the child
    cannot be registered unless the existing set passed :func:`guard_existing`."""
    lookup = getattr(importlib.import_module(existing.module), existing.function)
    result = lookup(**resolve_inputs(dict(existing.args)), opts=pulumi.InvokeOptions(parent=component))
    checked: pulumi.Output[Any] = result.apply(
        partial(_guard, planned, allow_foreign, field, existing.values))
    return checked


def resolve_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """Turn :class:`Deferred` values into outputs; everything else passes through."""
    return {k: pulumi.Output.from_input(v.source).apply(v.fn) if isinstance(v, Deferred) else v
            for k, v in inputs.items()}


def declare(spec: ResourceSpec, component_name: str, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
    """Register one described resource. The SDK module is imported here, and only here."""
    cls = getattr(importlib.import_module(spec.module), spec.class_name)
    resource: pulumi.CustomResource = cls(spec.logical_name(component_name), opts=opts,
                                          **resolve_inputs(dict(spec.inputs)))
    return resource


def _constant(value: Any, _urns: list[str]) -> Any:
    return value


def after(children: list[pulumi.CustomResource], value: Any) -> pulumi.Output[Any]:
    """``value`` as an output that depends on ``children``.

    Through their URNs, which are known in preview (ids are not), so the value stays known
    while a consumer of it still waits for the records to exist. ``apply`` does not walk
    into the value, which keeps a large validation report cheap.
    """
    result: pulumi.Output[Any] = pulumi.Output.all(*(child.urn for child in children)).apply(
        partial(_constant, value))
    return result


class MxSplit(pulumi.ComponentResource):
    """MX records that keep unauthenticated senders on IPv4 while IPv6 senders reach Exchange Online."""

    ipv4_only_host: pulumi.Output[str]
    """The IPv4-only host preferred by every sender that can speak IPv4."""
    dual_stack_host: pulumi.Output[str]
    """The domain's dual-stack host, reached by IPv6-only senders."""
    mx_records: pulumi.Output[list[MxRecordValue]]
    """The published MX records, lowest preference first: a list of {preference, exchange}."""
    zone_records: pulumi.Output[list[str]]
    """The MX records as BIND zone-file lines."""
    validation: pulumi.Output[dict[str, Any]]
    """Rule results: {ok, rules: [{id, ok, severity, message}], errors, warnings}."""

    def __init__(self, name: str, args: MxSplitArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Validate everything before registering anything: bad input never reaches a provider.
        plan, backend_name, settings = plan_from_args(args)
        backend = get_backend(backend_name)
        # The backend's SDK is an extra: missing, it is an MxSplitError naming the field, not a bare import error.
        require(backend.SDK_MODULE, extra=backend.EXTRA, field=backend.ARGS_KEY, needs=f"the {backend.ARGS_KEY} backend")
        specs = backend.describe(plan, settings)
        adopt_ids = adoption(args, backend, specs)
        super().__init__(TYPE_TOKEN, name, {}, opts)

        self.resources: list[pulumi.CustomResource] = []
        for spec in specs:
            import_id = adopt_ids.get(spec.role)
            if import_id is not None:
                spec = self._adopted(backend.adopted(spec, plan), bool(args.get("allow_foreign_mx")))
            # The SDK passes only `protect` from parent to child: retain_on_delete is explicit.
            child_opts = pulumi.ResourceOptions(parent=self, protect=args.get("protect"),
                                                retain_on_delete=args.get("retain_on_delete"), import_=import_id)
            self.resources.append(declare(spec, name, child_opts))

        validation = validate_plan(plan)
        # Warnings show in `pulumi preview`; info results stay in the validation output (one
        # log line per component per run would drown a stack of hundreds of domains).
        for result in validation["rules"]:
            if not result["ok"] and result["severity"] == "warning":
                pulumi.log.warn(f"{result['id']}: {result['message']}", resource=self)

        self.plan = plan
        records = [MxRecordValue(preference=r.preference, exchange=r.exchange) for r in plan.records]
        values: dict[str, Any] = {"ipv4_only_host": plan.ipv4_only_host, "dual_stack_host": plan.dual_stack_host,
                                  "mx_records": records, "zone_records": plan.zone_records, "validation": validation}
        # Known at construction, but published only with the records: a consumer of
        # mx_records waits for them to exist.
        outputs = {key: after(self.resources, value) for key, value in values.items()}
        self.ipv4_only_host = outputs["ipv4_only_host"]
        self.dual_stack_host = outputs["dual_stack_host"]
        self.mx_records = outputs["mx_records"]
        self.zone_records = outputs["zone_records"]
        self.validation = outputs["validation"]
        self.register_outputs(dict(outputs))

    def _adopted(self, adopting: Adoption, allow_foreign: bool) -> ResourceSpec:
        """The spec to import; when the backend reads the existing set first, its guarded
        input waits for that read."""
        spec, existing = adopting
        if existing is None:
            return spec
        field = f"adopt.{spec.role.replace('-', '_')}"
        key = existing.guarded_input
        return spec._replace(inputs={**spec.inputs, key: guarded(existing, spec.inputs[key], allow_foreign, field, self)})
