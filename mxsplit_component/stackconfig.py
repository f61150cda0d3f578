"""Stack configuration for the rollout project: validated, pure, errors name the config key.

One stack per environment; each stack's ``mxsplit:domains`` lists the domains to split, each
with the settings of one backend under its ``MxSplitArgs`` field (see the README)::

    config:
      mxsplit:tenant: contoso
      mxsplit:ttl: 3600
      mxsplit:domains:
        - domain: contoso.com
          <backend field>: {<setting>: ...}
        - domain: contoso.net
          mode: standard
          <backend field>: {<setting>: ...}

A backend may take other settings in stack config than in the component (a zone by name):
its ``stack_settings`` hook turns them into component settings plus lookups that the rollout
program runs at deployment (:class:`~.backends.spec.Lookup`).

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

from .backends import BY_ARGS_KEY, get_backend
from .backends.spec import Lookup
from .component_args import ARGS_FIELDS, adoption, plan_from_args
from .errors import ConfigError, MxSplitError

NAMESPACE = "mxsplit"


@dataclass(frozen=True)
class Entry:
    """One domain to declare: the component name, its args, and the settings to look up."""

    name: str
    args: dict[str, Any]
    #: Settings of the entry's backend (``args[backend field]``) the program looks up first.
    lookups: tuple[Lookup, ...] = ()


def _key(index: int, field: str | None) -> str:
    return f"{NAMESPACE}:domains[{index}]" + (f".{field}" if field else "")


def parse_entries(domains: object, *, tenant: object = None, ttl: object = None) -> list[Entry]:
    """Validate ``mxsplit:domains`` (with the stack-wide ``mxsplit:tenant`` and ``mxsplit:ttl``).

    :raises ConfigError: naming the key, e.g. ``mxsplit:domains[1].<backend field>.<setting>``.
    """
    if tenant is not None and not isinstance(tenant, str):
        raise ConfigError(f"{NAMESPACE}:tenant must be a string such as 'contoso'", field=f"{NAMESPACE}:tenant")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int)):
        raise ConfigError(f"{NAMESPACE}:ttl must be an integer number of seconds, got {ttl!r}",
                          field=f"{NAMESPACE}:ttl")
    if not isinstance(domains, list) or not domains:
        raise ConfigError(f"{NAMESPACE}:domains must be a non-empty list of objects with at least 'domain' and a "
                          f"backend ({', '.join(BY_ARGS_KEY)}); set it in Pulumi.<stack>.yaml",
                          field=f"{NAMESPACE}:domains")
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(domains):
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{_key(index, None)} must be an object with 'domain' and a backend",
                              field=_key(index, None))
        unknown = sorted(set(raw) - set(ARGS_FIELDS))
        if unknown:
            raise ConfigError(f"{_key(index, unknown[0])} is not a known key; use {', '.join(ARGS_FIELDS)}",
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
        try:
            plan, backend_name, settings = plan_from_args(args)
            backend = get_backend(backend_name)
            stack = backend.stack_settings(settings, plan.domain)
            specs = backend.describe(plan, stack.settings)  # backend limits (TTL, zone) named by key too
            adoption(args, backend, specs, plan.mode)  # adopt, protect, retain_on_delete, allow_foreign_mx
        except MxSplitError as exc:
            field = exc.field or ""
            raise ConfigError(f"{_key(index, field)}: {exc}", field=_key(index, field)) from None
        if plan.domain in seen:
            raise ConfigError(f"{_key(index, 'domain')}: {plan.domain} is already listed at "
                              f"{_key(seen[plan.domain], 'domain')}", field=_key(index, "domain"))
        seen[plan.domain] = index
        if stack.lookups:
            # The program fills the looked-up settings; the rest pass as configured.
            looked_up = {lookup.setting for lookup in stack.lookups}
            args[backend.ARGS_KEY] = {k: v for k, v in stack.settings.items() if k not in looked_up}
        entries.append(Entry(plan.domain, args, stack.lookups))
    return _named(entries)


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
        out.append(Entry(name, entry.args, entry.lookups))
    return out
