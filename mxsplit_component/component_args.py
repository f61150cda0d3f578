"""Turn component args (a plain dict, as the Pulumi engine passes them) into a plan. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .backends import BY_ARGS_KEY
from .backends.base import Backend, ResourceSpec
from .core.plan import MxPlan, plan_mx
from .errors import MxSplitError

PLAN_FIELDS = ("domain", "tenant", "mode", "primary_priority", "secondary_priority", "dual_stack_host",
               "ipv4_only_host", "cloud", "ttl")
#: The backend fields of ``MxSplitArgs``, in the README's order: exactly one is given.
BACKEND_FIELDS = tuple(BY_ARGS_KEY)
#: Every field of ``MxSplitArgs`` (a test keeps this equal to the TypedDict's keys).
ARGS_FIELDS = PLAN_FIELDS + BACKEND_FIELDS + ("adopt", "allow_foreign_mx", "protect", "retain_on_delete")


def _one_of() -> str:
    """``azure={'resource_group_name': ...}, …, or cloud_dns={'managed_zone': ...}``."""
    shapes = [f"{b.ARGS_KEY}={{'{b.SETTINGS_REQUIRED[0]}': ...}}" for b in BY_ARGS_KEY.values()]
    return ", ".join(shapes[:-1]) + f" or {shapes[-1]}"


def plan_from_args(args: Mapping[str, Any]) -> tuple[MxPlan, str, Any]:
    """Validate the args and return (plan, backend name, backend settings). Pure.

    The backend name is the one :func:`~.backends.get_backend` takes (``cloud-dns`` for the
    ``cloud_dns`` field).
    """
    if not isinstance(args, Mapping):
        raise MxSplitError(f"args must be an MxSplitArgs dict, got {type(args).__name__}", field="args")
    # A misspelt key would otherwise be ignored: `retain_on_delte` and destroy deletes the MX.
    unknown = [key for key in args if key not in ARGS_FIELDS]
    if unknown:
        raise MxSplitError(f"{unknown[0]} is not an MxSplitArgs field; use one of: {', '.join(ARGS_FIELDS)}",
                           field=str(unknown[0]))
    backends = [b for b in BACKEND_FIELDS if args.get(b) is not None]
    if len(backends) != 1:
        # With several, the field names one that has to go (the second given).
        got = f"; got {' and '.join(backends)}" if backends else ""
        raise MxSplitError(f"pass exactly one of {_one_of()}{got}",
                           field=backends[1] if backends else BACKEND_FIELDS[0])
    for key in ("domain", "tenant"):
        if args.get(key) is None:
            raise MxSplitError(f"{key} is required", field=key)
    # Explicit None means "use the default"; never `args.get(k) or default`: 0 is a valid priority.
    kwargs = {k: args[k] for k in PLAN_FIELDS if args.get(k) is not None}
    return plan_mx(**kwargs), BY_ARGS_KEY[backends[0]].NAME, args[backends[0]]


def adoption(args: Mapping[str, Any], backend: Backend, specs: list[ResourceSpec]) -> dict[str, str]:
    """Validated import ids by role. Pure: runs before anything is registered."""
    adopt = args.get("adopt") or {}
    if not isinstance(adopt, dict):
        raise MxSplitError("adopt must be a dict of role -> provider id", field="adopt")
    roles = {spec.role: spec for spec in specs}
    ids: dict[str, str] = {}
    for key, value in adopt.items():
        if value is None:
            continue
        role = key.replace("_", "-")
        if role not in backend.ADOPT_ROLES:
            allowed = ", ".join(r.replace("-", "_") for r in backend.ADOPT_ROLES)
            raise MxSplitError(f"adopt.{key} does not apply to {backend.NAME}; use {allowed}", field=f"adopt.{key}")
        if role not in roles:
            raise MxSplitError(f"adopt.{key}: mode {args.get('mode')!r} declares no {role} record; adopt the existing "
                               "MX as dual_stack (it becomes MX 10 in split mode)", field=f"adopt.{key}")
        ids[role] = backend.check_adopt_id(role, value, roles[role])
    for flag in ("allow_foreign_mx", "protect", "retain_on_delete"):
        if args.get(flag) is not None and not isinstance(args.get(flag), bool):
            raise MxSplitError(f"{flag} must be true or false", field=flag)
    return ids
