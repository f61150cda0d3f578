"""DNS backends: a pure description of the resources per provider, plus their capabilities.

Only the backend in use is ever imported by the component, and no backend module imports
pulumi or a provider SDK: the SDK is loaded by :mod:`mxsplit_component.component`.
"""

from __future__ import annotations

from types import ModuleType

from . import azure, cloudflare
from .base import Capability, Deferred, ResourceSpec, TtlRange

#: Every backend by name, in the order the README lists them.
BACKENDS: dict[str, ModuleType] = {azure.NAME: azure, cloudflare.NAME: cloudflare}


def get_backend(name: str) -> ModuleType:
    """The backend module called ``name`` (``azure`` or ``cloudflare``)."""
    try:
        return BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown backend {name!r}; use one of: {', '.join(BACKENDS)}") from None


__all__ = ["BACKENDS", "Capability", "Deferred", "ResourceSpec", "TtlRange", "get_backend"]
