"""Build the MX plan: which hosts, which preferences, which records.

Pure: no pulumi, no network. :func:`plan_mx` is the single entry point; every layer above
(the component, the backends, the CLI, the live checks) starts from the :class:`MxPlan` it
returns.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..errors import MxSplitError
from .clouds import TENANT_SUFFIXES, Cloud, get_cloud
from .names import normalize_name

MODES = ("split", "standard")
_DOTTED_TENANT_SUFFIXES = tuple("." + s for s in TENANT_SUFFIXES)
#: RFC 5321 §3.3 / RFC 1035 §3.3.9: MX preference is an unsigned 16-bit integer.
MAX_PREFERENCE = 65535
#: RFC 2181 §8: TTL is a 31-bit unsigned value. 0 is legal DNS but no provider accepts it.
MIN_TTL, MAX_TTL = 1, 2147483647

#: Where a user copies Microsoft's assigned host from, named in every "please pass it" error.
WHERE_TO_COPY = ("copy it from the Microsoft 365 admin center (Settings > Domains > <domain> > DNS records, "
                 "the MX 'Points to address') or from Microsoft Graph "
                 "GET /domains/<domain>/serviceConfigurationRecords")


class MxRecord(NamedTuple):
    """One MX value. ``exchange`` is a normalised host name without a trailing dot.

    RFC 5321 §5.1 (sender MX processing), RFC 1035 §3.3.9 (MX RDATA).
    """

    preference: int
    exchange: str

    def as_dict(self) -> dict[str, Any]:
        return {"preference": self.preference, "exchange": self.exchange}

    def zone_line(self, owner: str, ttl: int) -> str:
        """The record in BIND zone-file syntax, names fully qualified with trailing dots."""
        return f"{owner}. {ttl} IN MX {self.preference} {self.exchange}."


class MxPlan(NamedTuple):
    """The records mxsplit will publish for one domain, and everything derived on the way."""

    domain: str
    tenant: str
    mode: str
    cloud: str
    ttl: int
    primary_priority: int
    secondary_priority: int
    #: The host senders should reach over IPv4: the tenant host unless overridden.
    ipv4_only_host: str
    #: The domain's own Microsoft host, which answers AAAA once IPv6 is enabled for it.
    dual_stack_host: str
    records: tuple[MxRecord, ...]
    #: ``True`` when the dual-stack host was derived from the domain, not given.
    dual_stack_host_derived: bool
    #: The tenant's own host ``<tenant>.mail.protection.outlook.com``, checked live even when
    #: ``ipv4_only_host`` points elsewhere.
    tenant_host: str
    #: The tenant's initial domain, e.g. ``contoso.onmicrosoft.com`` (used in cmdlet hints).
    tenant_domain: str

    @property
    def mx_records(self) -> list[dict[str, Any]]:
        """The records as plain dicts, the shape of the component's ``mx_records`` output."""
        return [r.as_dict() for r in self.records]

    @property
    def zone_records(self) -> list[str]:
        """The records as BIND zone-file lines."""
        return [r.zone_line(self.domain, self.ttl) for r in self.records]

    def record_for(self, role: str) -> MxRecord | None:
        """The record for ``role`` (``"ipv4-only"`` or ``"dual-stack"``), if the mode has one."""
        host = self.ipv4_only_host if role == "ipv4-only" else self.dual_stack_host
        if role == "ipv4-only" and self.mode != "split":
            return None
        return next((r for r in self.records if r.exchange == host), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "tenant": self.tenant,
            "mode": self.mode,
            "cloud": self.cloud,
            "ttl": self.ttl,
            "ipv4_only_host": self.ipv4_only_host,
            "dual_stack_host": self.dual_stack_host,
            "dual_stack_host_derived": self.dual_stack_host_derived,
            "tenant_host": self.tenant_host,
            "mx_records": self.mx_records,
            "zone_records": self.zone_records,
        }


def _int_field(value: object, name: str, low: int, high: int, fix: str) -> int:
    # Every number crosses the Pulumi engine protocol as a protobuf double: 3600.0 is 3600.
    given = value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # bool is an int subclass; True as a priority is always a mistake.
    if isinstance(value, bool) or not isinstance(value, int):
        raise MxSplitError(f"{name} must be an integer, got {value!r}; {fix}", field=name)
    if not low <= value <= high:
        # 70000.0 from the engine reads as 70000; a huge one as given (1e+300, not 301 digits).
        shown = value if abs(value) < 10**15 else given
        raise MxSplitError(f"{name} {shown} is outside {low}..{high}; {fix}", field=name)
    return value


def normalize_tenant(value: object, cloud: Cloud) -> str:
    """Return the bare tenant name (``contoso``) from ``contoso`` or ``contoso.onmicrosoft.com``."""
    if not isinstance(value, str) or not value.strip():
        raise MxSplitError("tenant is empty; pass the onmicrosoft name, e.g. 'contoso' or "
                           "'contoso.onmicrosoft.com'", field="tenant")
    text = value.strip().lower()
    if "." in text:
        name = normalize_name(text, "tenant", min_labels=1)
        first, _, suffix = name.partition(".")
        if suffix and suffix != cloud.tenant_suffix:
            if suffix in TENANT_SUFFIXES:
                raise MxSplitError(f"tenant {value!r} belongs to another cloud than {cloud.name!r}; "
                                   f"pass cloud= to match, or the {cloud.tenant_suffix} name", field="tenant")
            raise MxSplitError(f"tenant {value!r} is not an initial domain; pass the tenant name "
                               f"(e.g. 'contoso' or 'contoso.{cloud.tenant_suffix}'), not a custom domain",
                               field="tenant")
        text = first
    if not text.isascii() or not text.isalnum():
        raise MxSplitError(f"tenant {value!r} may contain only letters and digits (Microsoft's rule for "
                           f"onmicrosoft names); copy it from the admin center, e.g. 'contoso'", field="tenant")
    if len(text) > 63:
        raise MxSplitError(f"tenant {value!r} is longer than 63 characters; check the onmicrosoft name",
                           field="tenant")
    return text


def check_host(value: object, field: str, cloud: Cloud) -> str:
    """Normalise an explicit Microsoft host and check it sits under an inbound suffix."""
    host = normalize_name(value, field)
    for suffix, labels_before in cloud.inbound_suffixes:
        if host.endswith("." + suffix):
            prefix = host[: -(len(suffix) + 1)]
            if prefix.count(".") + 1 != labels_before:
                shape = "<token>." if labels_before == 1 else "<token>.<assigned>."
                raise MxSplitError(f"{field} {host!r} does not have the shape {shape}{suffix}; "
                                   f"{WHERE_TO_COPY}", field=field)
            return host
    allowed = " or ".join(s for s, _ in cloud.inbound_suffixes)
    raise MxSplitError(f"{field} {host!r} is not a Microsoft 365 inbound host for cloud {cloud.name!r} "
                       f"(must end in {allowed}); {WHERE_TO_COPY}", field=field)


def _derive_fix(domain: str) -> str:
    return f"pass dual_stack_host explicitly: {WHERE_TO_COPY.replace('<domain>', domain)}"


def derive_dual_stack_host(domain: str, cloud: Cloud) -> str:
    """Derive ``contoso-com.mail.protection.outlook.com`` from ``contoso.com``.

    Only when that is what Microsoft assigns: a domain that already has a hyphen (IDN
    A-labels always do) gets another token (``domain-withdash.com`` becomes
    ``domainwithdash-com01e``), and a token longer than a label cannot be the host.
    DNSControl's ``M365_BUILDER`` refuses the same way.
    """
    if not cloud.derivable:
        raise MxSplitError(f"dual_stack_host cannot be derived in cloud {cloud.name!r}; {_derive_fix(domain)}",
                           field="dual_stack_host")
    if "-" in domain:
        raise MxSplitError(f"dual_stack_host cannot be derived for {domain!r}: Microsoft assigns a different "
                           f"token to domains with hyphens (e.g. domain-withdash.com -> domainwithdash-com01e); "
                           f"{_derive_fix(domain)}", field="dual_stack_host")
    token = domain.replace(".", "-")
    if len(token) > 63:
        raise MxSplitError(f"dual_stack_host cannot be derived for {domain!r}: the token would be {len(token)} "
                           f"octets, more than a DNS label holds; {_derive_fix(domain)}", field="dual_stack_host")
    return f"{token}.{cloud.protection_suffix}"


def plan_mx(
    *,
    domain: str,
    tenant: str,
    mode: str = "split",
    primary_priority: int = 0,
    secondary_priority: int = 10,
    dual_stack_host: str | None = None,
    ipv4_only_host: str | None = None,
    cloud: str = "commercial",
    ttl: int = 3600,
) -> MxPlan:
    """Plan the MX records for ``domain``.

    :param domain: the primary (custom) domain, any case, trailing dot and Unicode allowed.
    :param tenant: the onmicrosoft tenant, ``contoso`` or ``contoso.onmicrosoft.com``.
    :param mode: ``"split"`` (MX ``primary_priority`` to the IPv4-only tenant host, MX
        ``secondary_priority`` to the dual-stack domain host) or ``"standard"`` (one MX to the
        dual-stack host, Microsoft's recommendation).
    :param primary_priority: preference of the first record (0..65535).
    :param secondary_priority: preference of the dual-stack record in split mode; must be
        strictly greater than ``primary_priority``.
    :param dual_stack_host: the host Microsoft assigned to the domain; derived when omitted
        and derivable.
    :param ipv4_only_host: an IPv4-only Microsoft host other than the tenant host, e.g. that
        of a dedicated second domain.
    :param cloud: ``commercial`` (alias ``gcc``) or ``china``.
    :param ttl: record TTL in seconds, 1..2147483647 (backends narrow this).
    :raises MxSplitError: naming the field and the fix, for any unusable input.
    """
    cloud_obj = get_cloud(cloud)
    if not isinstance(mode, str) or mode.strip().lower() not in MODES:
        raise MxSplitError(f"mode {mode!r} is unknown; use 'split' (the IPv6 workaround) or 'standard' "
                           "(Microsoft's single MX)", field="mode")
    mode_key = mode.strip().lower()
    dom = normalize_name(domain, "domain")
    if dom in TENANT_SUFFIXES or dom.endswith(_DOTTED_TENANT_SUFFIXES):
        raise MxSplitError(f"domain {dom!r} is a tenant's initial domain; pass your custom primary domain "
                           "(e.g. contoso.com) and the onmicrosoft name as tenant", field="domain")
    tenant_name = normalize_tenant(tenant, cloud_obj)
    prio_fix = "MX preferences are 0..65535 (RFC 1035 §3.3.9)"
    p1 = _int_field(primary_priority, "primary_priority", 0, MAX_PREFERENCE, prio_fix)
    p2 = _int_field(secondary_priority, "secondary_priority", 0, MAX_PREFERENCE, prio_fix)
    if mode_key == "split" and not p1 < p2:
        raise MxSplitError(f"secondary_priority {p2} must be greater than primary_priority {p1}: the IPv4-only "
                           "host must be strictly preferred, or dual-stack senders pick IPv6 at random; "
                           "e.g. primary_priority=0, secondary_priority=10", field="secondary_priority")
    ttl_value = _int_field(ttl, "ttl", MIN_TTL, MAX_TTL, "use a TTL in seconds such as 3600")

    tenant_host = f"{tenant_name}.{cloud_obj.protection_suffix}"
    if dual_stack_host is None:
        ds_host = derive_dual_stack_host(dom, cloud_obj)
        derived = True
    else:
        ds_host = check_host(dual_stack_host, "dual_stack_host", cloud_obj)
        derived = False
    v4_host = tenant_host if ipv4_only_host is None else check_host(ipv4_only_host, "ipv4_only_host", cloud_obj)
    if mode_key == "split" and v4_host == ds_host:
        which = "ipv4_only_host" if ipv4_only_host is not None else "dual_stack_host"
        raise MxSplitError(f"{which}: both MX records would point at {ds_host!r}; the split needs two different "
                           "hosts (the IPv4-only one and the domain's dual-stack one)", field=which)

    if mode_key == "split":
        records: tuple[MxRecord, ...] = (MxRecord(p1, v4_host), MxRecord(p2, ds_host))
    else:
        records = (MxRecord(p1, ds_host),)
    return MxPlan(
        domain=dom,
        tenant=tenant_name,
        mode=mode_key,
        cloud=cloud_obj.name,
        ttl=ttl_value,
        primary_priority=p1,
        secondary_priority=p2,
        ipv4_only_host=v4_host,
        dual_stack_host=ds_host,
        records=tuple(sorted(records)),
        dual_stack_host_derived=derived,
        tenant_host=tenant_host,
        tenant_domain=f"{tenant_name}.{cloud_obj.tenant_suffix}",
    )
