"""Turn component args (a plain dict, as the Pulumi engine passes them) into a plan. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .backends import BY_ARGS_KEY
from .backends.base import Backend, adoption_ids
from .backends.spec import PARTIAL_UPDATE, ResourceSpec, supports
from .core.plan import MxPlan, plan_mx
from .errors import MxSplitError

PLAN_FIELDS = ("domain", "tenant", "mode", "primary_priority", "secondary_priority", "dual_stack_host",
               "ipv4_only_host", "cloud", "ttl")
#: The backend fields of ``MxSplitArgs``, in the README's order: exactly one is given.
BACKEND_FIELDS = tuple(BY_ARGS_KEY)
#: Every field of ``MxSplitArgs`` (a test keeps this equal to the TypedDict's keys).
ARGS_FIELDS = PLAN_FIELDS + BACKEND_FIELDS + ("adopt", "allow_foreign_mx", "protect", "retain_on_delete")


def _one_of() -> str:
    """Each backend field with its first setting, ``<field>={'<setting>': ...}``, in listing order."""
    shapes = [f"{b.ARGS_KEY}={{'{b.SETTINGS[0].name}': ...}}" for b in BY_ARGS_KEY.values()]
    return ", ".join(shapes[:-1]) + f" or {shapes[-1]}"


def plan_from_args(args: Mapping[str, Any]) -> tuple[MxPlan, str, Any]:
    """Validate the args and return (plan, backend name, backend settings). Pure.

    The backend name is the one :func:`~.backends.get_backend` takes (its ``NAME``, which
    may differ from its ``MxSplitArgs`` field).
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


def adoption(args: Mapping[str, Any], backend: Backend, specs: list[ResourceSpec], mode: str) -> dict[str, str]:
    """Validated import ids by role, and the adoption flags. Pure: runs before anything is registered."""
    adopt = args.get("adopt") or {}
    if not isinstance(adopt, dict):
        raise MxSplitError("adopt must be a dict of role -> provider id", field="adopt")
    ids = adoption_ids(backend, specs, adopt, mode)
    for flag in ("allow_foreign_mx", "protect", "retain_on_delete"):
        if args.get(flag) is not None and not isinstance(args.get(flag), bool):
            raise MxSplitError(f"{flag} must be true or false", field=flag)
    if args.get("allow_foreign_mx") and supports(backend.CAPABILITIES, PARTIAL_UPDATE):
        # Never silently ignored: on a per-record host adopting drops nothing, so the flag means nothing.
        raise MxSplitError(f"allow_foreign_mx applies to hosts whose update replaces the whole MX set; {backend.NAME} "
                           "updates each record on its own and keeps the records mxsplit does not manage, so drop "
                           "allow_foreign_mx", field="allow_foreign_mx")
    return ids
