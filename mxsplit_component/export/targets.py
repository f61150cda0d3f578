"""Where a plan can be published, by provider name, as pure descriptions.

Every provider here is a backend of :data:`mxsplit_component.backends.BACKENDS`, with
``describe``, ``check_adopt_id`` and ``ADOPT_ROLES``. Settings the user did not give are
:class:`Unset` placeholders: backends check only plain strings, so a placeholder passes
through to the output, where each format renders it its own way (a Terraform variable, a
``<zone_id>`` hint).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..backends import BACKENDS
from ..backends.base import Backend, ResourceSpec
from ..core.plan import MxPlan
from ..errors import MxSplitError

#: Provider name (as ``--provider`` spells it) -> pure backend description.
PROVIDERS: dict[str, Backend] = BACKENDS


@dataclass(frozen=True)
class Unset:
    """A required setting the user did not give (e.g. no ``--zone-id``)."""

    setting: str

    def __str__(self) -> str:
        return f"<{self.setting}>"


def backend_for(provider: str) -> Backend:
    try:
        return PROVIDERS[provider]
    except KeyError:
        raise MxSplitError(f"provider {provider!r} is unknown; use one of: {', '.join(PROVIDERS)}",
                           field="provider") from None


def describe(plan: MxPlan, provider: str, settings: Mapping[str, Any]) -> list[ResourceSpec]:
    """The backend's resources for ``plan``, with :class:`Unset` for missing required settings."""
    backend = backend_for(provider)
    given = {k: v for k, v in settings.items() if v is not None}
    filled = {**{key: Unset(key) for key in backend.SETTINGS_REQUIRED}, **given}
    specs: list[ResourceSpec] = backend.describe(plan, filled)
    return specs


def adoption_ids(provider: str, specs: list[ResourceSpec], adopt: Mapping[str, str]) -> dict[str, str]:
    """Validated import ids by role, from ``{"mx": id}`` / ``{"ipv4_only": id, "dual_stack": id}``."""
    backend = backend_for(provider)
    roles = {spec.role: spec for spec in specs}
    ids: dict[str, str] = {}
    for key, value in adopt.items():
        role = key.replace("_", "-")
        allowed = ", ".join(r.replace("-", "_") for r in backend.ADOPT_ROLES)
        if role not in backend.ADOPT_ROLES:
            raise MxSplitError(f"--adopt {key}=… does not apply to {provider}; use {allowed}", field=f"adopt.{key}")
        if role not in roles:
            raise MxSplitError(f"--adopt {key}=…: this plan declares no {role} record; adopt the existing MX as "
                               "dual_stack (it becomes MX 10 in split mode)", field=f"adopt.{key}")
        ids[role] = backend.check_adopt_id(role, value, roles[role])
    return ids

