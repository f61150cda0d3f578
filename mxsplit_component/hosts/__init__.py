"""Learn a domain's hosts from the sources that know them: given, Microsoft Graph, the published zone, derivation.

Importing this package imports neither httpx nor azure-identity (nor asyncio): names load
on first access, and the Graph client only when a lookup asks Graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .lookup import HostRequest, LookupOptions, lookup_hosts
    from .model import Conflict, FoundHost, HostLookupError, HostsResult, Note

_HOMES = {"HostRequest": "lookup", "LookupOptions": "lookup", "lookup_hosts": "lookup", "Conflict": "model",
          "FoundHost": "model", "HostLookupError": "model", "HostsResult": "model", "Note": "model"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Conflict", "FoundHost", "HostLookupError", "HostRequest", "HostsResult", "LookupOptions", "Note",
           "lookup_hosts"]
