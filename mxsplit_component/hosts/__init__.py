"""Learn a domain's hosts from the sources that know them: given, Microsoft Graph, the published zone, derivation.

Importing this package imports neither httpx nor azure-identity; the Graph client loads
only when a lookup asks Graph.
"""

from __future__ import annotations

from .lookup import HostRequest, LookupOptions, lookup_hosts
from .model import Conflict, FoundHost, HostLookupError, HostsResult, Note

__all__ = ["Conflict", "FoundHost", "HostLookupError", "HostRequest", "HostsResult", "LookupOptions", "Note",
           "lookup_hosts"]
