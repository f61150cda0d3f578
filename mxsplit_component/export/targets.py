"""Where a plan can be published, by provider name, as pure descriptions.

Every provider here is a backend of :data:`mxsplit_component.backends.BACKENDS`. Settings the
user did not give are :class:`Unset` placeholders: backends check only plain strings, so a
placeholder passes through to the output, where each format renders it its own way (a
Terraform variable, a ``<zone_id>`` hint).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..backends import get_backend
from ..backends.base import adoption_ids as checked_ids
from ..backends.spec import ResourceSpec
from ..core.plan import MxPlan


@dataclass(frozen=True)
class Unset:
    """A required setting the user did not give (e.g. no ``--zone-id``)."""

    setting: str

    def __str__(self) -> str:
        return f"<{self.setting}>"


def describe(plan: MxPlan, provider: str, settings: Mapping[str, Any]) -> list[ResourceSpec]:
    """The backend's resources for ``plan``, with :class:`Unset` for missing required settings."""
    backend = get_backend(provider)
    given = {k: v for k, v in settings.items() if v is not None}
    filled = {**{key: Unset(key) for key in backend.SETTINGS_REQUIRED}, **given}
    specs: list[ResourceSpec] = backend.describe(plan, filled)
    return specs


def _as_flag(key: str) -> str:
    return f"--adopt {key}=…"


def adoption_ids(plan: MxPlan, provider: str, specs: list[ResourceSpec], adopt: Mapping[str, str]) -> dict[str, str]:
    """Validated import ids by role, from ``--adopt`` pairs (messages spell them as flags)."""
    return checked_ids(get_backend(provider), specs, adopt, plan.mode, _as_flag)
