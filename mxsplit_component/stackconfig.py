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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .backends import get_backend
from .component_args import plan_from_args
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
    names: dict[str, int] = {}
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
            # Validate with a stand-in id; the program swaps in the looked-up one.
            args["cloudflare"] = {"zone_id": "0" * 32}
        try:
            plan, backend, settings = plan_from_args(args)
            get_backend(backend).describe(plan, settings)  # backend limits (TTL, zone) named by key too
        except MxSplitError as exc:
            field = exc.field or ""
            raise ConfigError(f"{_key(index, field)}: {exc}", field=_key(index, field)) from None
        name = plan.domain.replace(".", "-")
        if name in names:
            raise ConfigError(f"{_key(index, 'domain')}: {plan.domain} is already listed at "
                              f"{_key(names[name], 'domain')}", field=_key(index, "domain"))
        names[name] = index
        if zone_name is not None:
            args["cloudflare"] = {}
        entries.append(Entry(name, args, zone_name))
    return entries
