"""Stack configuration for the rollout project: validated, pure, errors name the config key.

One stack per environment; each stack's ``mxsplit:domains`` lists the domains to split::

    config:
      mxsplit:tenant: contoso
      mxsplit:ttl: 3600
      mxsplit:domains:
        - domain: contoso.com
          azure: {resource_group_name: dns-rg, zone_name: contoso.com}
        - domain: contoso.net
          mode: standard
          cloudflare: {zone_name: contoso.net}     # or {zone_id: ...}
        - domain: contoso.org
          route53: {zone_id: Z0123456789ABC}
        - domain: contoso.io
          cloud_dns: {managed_zone: contoso-io, project: acme-dns}

Cloudflare ``zone_name`` is looked up by the program (``cloudflare.get_zone_output``); the
component itself takes a ``zone_id``.

Every entry is validated whole (plan, backend settings, ``adopt``, ``protect``,
``retain_on_delete``, ``allow_foreign_mx``) before the program declares any resource.
Each entry's component is named after its domain, dots to hyphens (``contoso-com``); when
two listed domains give the same name (``dev.contoso.com`` and ``dev-contoso.com``), the
one with hyphens gets a suffix from a hash of its domain (``dev-contoso-com-1a2b3c4d``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .backends import get_backend
from .backends.base import Deferred
from .component_args import adoption, plan_from_args
from .core.names import normalize_name
from .errors import ConfigError, MxSplitError

NAMESPACE = "mxsplit"
ENTRY_KEYS = ("domain", "tenant", "mode", "dual_stack_host", "ipv4_only_host", "primary_priority",
              "secondary_priority", "cloud", "ttl", "azure", "cloudflare", "adopt", "allow_foreign_mx", "protect",
              "retain_on_delete", "route53", "cloud_dns")


@dataclass(frozen=True)
class Entry:
    """One domain to declare: the component name, its args, and a Cloudflare zone to look up."""

    name: str
    args: dict[str, Any]
    #: Set when the entry names a Cloudflare zone by name: the program resolves its id.
    cloudflare_zone_name: str | None = None


def _key(index: int, field: str | None) -> str:
    return f"{NAMESPACE}:domains[{index}]" + (f".{field}" if field else "")


def parse_entries(domains: object, *, tenant: object = None, ttl: object = None) -> list[Entry]:
    """Validate ``mxsplit:domains`` (with the stack-wide ``mxsplit:tenant`` and ``mxsplit:ttl``).

    :raises ConfigError: naming the key, e.g. ``mxsplit:domains[1].azure.zone_name``.
    """
    if tenant is not None and not isinstance(tenant, str):
        raise ConfigError(f"{NAMESPACE}:tenant must be a string such as 'contoso'", field=f"{NAMESPACE}:tenant")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int)):
        raise ConfigError(f"{NAMESPACE}:ttl must be an integer number of seconds, got {ttl!r}",
                          field=f"{NAMESPACE}:ttl")
    if not isinstance(domains, list) or not domains:
        raise ConfigError(f"{NAMESPACE}:domains must be a non-empty list of objects with at least 'domain' and a "
                          "backend (azure, cloudflare, route53 or cloud_dns); set it in Pulumi.<stack>.yaml",
                          field=f"{NAMESPACE}:domains")
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(domains):
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{_key(index, None)} must be an object with 'domain' and a backend",
                              field=_key(index, None))
        unknown = sorted(set(raw) - set(ENTRY_KEYS))
        if unknown:
            raise ConfigError(f"{_key(index, unknown[0])} is not a known key; use {', '.join(ENTRY_KEYS)}",
                              field=_key(index, unknown[0]))
        args: dict[str, Any] = {k: v for k, v in raw.items() if v is not None}
        if "tenant" not in args:
            if tenant is None:
                raise ConfigError(f"{NAMESPACE}:tenant is not set and {_key(index, None)} names no tenant; "
                                  f"run: pulumi config set {NAMESPACE}:tenant <onmicrosoft name>",
                                  field=f"{NAMESPACE}:tenant")
            args["tenant"] = tenant
        if "ttl" not in args and ttl is not None:
            args["ttl"] = ttl
        zone_name = None
        cf = args.get("cloudflare")
        if isinstance(cf, Mapping) and "zone_name" in cf:
            if "zone_id" in cf:
                raise ConfigError(f"{_key(index, 'cloudflare')} takes zone_id or zone_name, not both",
                                  field=_key(index, "cloudflare"))
            zone_name = cf["zone_name"]
            if not isinstance(zone_name, str) or not zone_name.strip():
                raise ConfigError(f"{_key(index, 'cloudflare.zone_name')} must be a zone name such as contoso.com",
                                  field=_key(index, "cloudflare.zone_name"))
            # Validate with a stand-in for the id the program looks up by name.
            args["cloudflare"] = {"zone_id": Deferred(zone_name, str, f"zone id of {zone_name}")}
        try:
            plan, backend_name, settings = plan_from_args(args)
            if zone_name is not None:
                zone_name = _zone_containing(plan.domain, zone_name)
            backend = get_backend(backend_name)
            specs = backend.describe(plan, settings)  # backend limits (TTL, zone) named by key too
            adoption(args, backend, specs)  # adopt, protect, retain_on_delete, allow_foreign_mx
        except MxSplitError as exc:
            field = exc.field or ""
            raise ConfigError(f"{_key(index, field)}: {exc}", field=_key(index, field)) from None
        if plan.domain in seen:
            raise ConfigError(f"{_key(index, 'domain')}: {plan.domain} is already listed at "
                              f"{_key(seen[plan.domain], 'domain')}", field=_key(index, "domain"))
        seen[plan.domain] = index
        if zone_name is not None:
            args["cloudflare"] = {}
        entries.append(Entry(plan.domain, args, zone_name))
    return _named(entries)


def _zone_containing(domain: str, zone_name: str) -> str:
    zone = normalize_name(zone_name, "cloudflare.zone_name", min_labels=1)
    if domain != zone and not domain.endswith("." + zone):
        raise MxSplitError(f"cloudflare.zone_name {zone!r} does not contain domain {domain!r}; pass the Cloudflare "
                           f"zone that hosts {domain} (e.g. zone_name={domain!r})", field="cloudflare.zone_name")
    return zone


def _named(entries: list[Entry]) -> list[Entry]:
    """Component names from domains (``name`` holds the domain until here), collision-free."""
    import hashlib

    plain: dict[str, list[str]] = {}
    for entry in entries:
        plain.setdefault(entry.name.replace(".", "-"), []).append(entry.name)
    out = []
    for entry in entries:
        domain = entry.name
        name = domain.replace(".", "-")
        if len(plain[name]) > 1 and "-" in domain:
            name += "-" + hashlib.sha256(domain.encode()).hexdigest()[:8]
        out.append(Entry(name, entry.args, entry.cloudflare_zone_name))
    return out
