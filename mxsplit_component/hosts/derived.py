"""Source 4, ``derived``: dots to hyphens and the tenant host, only where the core allows. Pure.

The last resort: a derived dual-stack host keeps the ``dual-stack-host-derived`` info rule,
and a domain the core refuses to derive for (hyphens, IDN, 21Vianet) gets a note saying why.
"""

from __future__ import annotations

from ..core.clouds import Cloud
from ..core.findings import Severity
from ..core.plan import derive_dual_stack_host
from ..errors import MxSplitError
from .model import Note, SourceResult


def derive(domain: str, tenant: str | None, cloud: Cloud) -> SourceResult:
    """Derive the dual-stack host from ``domain`` and the tenant host from ``tenant`` (bare name)."""
    notes: list[Note] = []
    try:
        dual = derive_dual_stack_host(domain, cloud)
    except MxSplitError as exc:
        dual = None
        notes.append(Note("not-derivable", Severity.INFO, str(exc), source="derived"))
    ipv4 = f"{tenant}.{cloud.protection_suffix}" if tenant else None
    return SourceResult("derived", ipv4_only_host=ipv4, dual_stack_host=dual, tenant=tenant, notes=tuple(notes))
