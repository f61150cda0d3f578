"""The ``mxsplit plan`` flags of the backends: ``--provider`` and one flag per backend setting.

Each backend declares its settings' flags (:class:`~.spec.Setting`); backends may share one
(``--zone-id`` is Cloudflare's and Route 53's). A flag of another backend than
``--provider``'s is refused rather than dropped: the output would lack what was asked for.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from ..errors import MxSplitError
from . import BACKENDS, get_backend
from .base import Backend
from .spec import Setting


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def joined(words: list[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def setting_flags() -> dict[str, list[tuple[Backend, Setting]]]:
    """Every setting flag, with the backends (in listing order) and settings it sets."""
    flags: dict[str, list[tuple[Backend, Setting]]] = {}
    for backend in BACKENDS.values():
        for setting in backend.SETTINGS:
            if setting.flag is not None:
                flags.setdefault(setting.flag, []).append((backend, setting))
    return flags


def flag_for_field(field: str | None) -> str | None:
    """The flag that sets a backend setting named as an error's field (``dnsimple.zone_name`` ->
    ``--zone-name``), so a CLI error can name what the user typed."""
    key, _, name = (field or "").partition(".")
    for backend in BACKENDS.values():
        if backend.ARGS_KEY == key:
            return next((s.flag for s in backend.SETTINGS if s.name == name), None)
    return None


def add_provider_flags(parser: argparse.ArgumentParser) -> None:
    """``--provider`` and every backend's setting flags, each help naming the hosts it serves."""
    parser.add_argument("--provider", choices=tuple(BACKENDS),
                        help="also show the resources MxSplit declares (and the provider of --format tf-json)")
    for flag, owners in setting_flags().items():
        parser.add_argument(flag, help=" ".join(f"{backend.LABEL}: {setting.doc}" for backend, setting in owners))


def adopt_help() -> str:
    """The ``--adopt`` help: which roles each backend adopts."""
    return ("with --format tf-json: an existing record to import as ROLE=ID (" + adopt_roles_text() + "); repeatable")


def adopt_roles_text() -> str:
    """``mx=<import id> on azure, route53 and cloud-dns; ipv4_only=… / dual_stack=… on cloudflare, …``."""
    by_roles: dict[tuple[str, ...], list[str]] = {}
    for backend in BACKENDS.values():
        by_roles.setdefault(backend.ADOPT_ROLES, []).append(backend.NAME)
    return "; ".join(" / ".join(f"{r.replace('-', '_')}=<import id>" for r in roles) + f" on {joined(names)}"
                     for roles, names in by_roles.items())


def setting_dests() -> list[str]:
    """The ``argparse`` dest of every setting flag (``zone_id`` for ``--zone-id``)."""
    return [_dest(flag) for flag in setting_flags()]


def provider_settings(provider: str | None, given: Mapping[str, Any]) -> dict[str, Any]:
    """The backend settings the plan flags give for ``provider`` (missing ones left out).

    :param given: setting flag values by ``argparse`` dest (``None`` when not given).
    :raises MxSplitError: for a flag of another provider, which would otherwise be dropped.
    """
    backend = get_backend(provider) if provider else None
    own = {s.name: _dest(s.flag) for s in (backend.SETTINGS if backend else ()) if s.flag is not None}
    for flag, owners in setting_flags().items():
        dest = _dest(flag)
        if given.get(dest) is None or dest in own.values():
            continue
        names = [b.NAME for b, _ in owners]
        fix = (f"--provider {provider} takes {', '.join(_flag(d) for d in own.values())}" if provider
               else f"pass --provider {joined(names, 'or')}, or drop it")
        raise MxSplitError(f"{flag} is a {joined(names)} setting; {fix}", field=dest)
    return {key: given[dest] for key, dest in own.items() if given.get(dest) is not None}
