"""Typed results of a host lookup: where each host came from, and what disagreed. Pure.

Notes and conflicts are :class:`~mxsplit_component.core.findings.Finding` subtypes.

Finding ids are a public contract, like the check's: ``dual-stack-host-conflict``,
``ipv4-only-host-conflict``, ``tenant-conflict`` (sources disagree), and per source the
reason it gave nothing (``graph-not-in-tenant``, ``published-ambiguous``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..core.findings import Finding, Severity
from ..errors import HostLookupError

#: Every source, most trusted first.
Source = Literal["given", "graph", "published", "derived"]
SOURCES: tuple[Source, ...] = ("given", "graph", "published", "derived")
Role = Literal["ipv4_only_host", "dual_stack_host"]
#: The columns of a ``--file`` of domains whose hosts are looked up; only ``domain`` is required.
CSV_COLUMNS = ("domain", "tenant", "dual_stack_host", "ipv4_only_host")
#: Domains looked up at once: Graph throttles a tenant's bursts, so fewer than a DNS check.
LOOKUP_CONCURRENCY = 8
ROLES: tuple[Role, ...] = ("ipv4_only_host", "dual_stack_host")


@dataclass(frozen=True)
class FoundHost:
    """One host and the source it came from."""

    host: str
    source: Source

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "source": self.source}


@dataclass(frozen=True, kw_only=True)
class Note(Finding):
    """Why a source gave no host, or what it saw: a stable id and a message naming the fix.

    ``incomplete`` marks a lookup that could not complete (exit 3), as opposed to an answer.
    """

    source: Source
    incomplete: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "severity": self.severity_text, "message": self.message}


@dataclass(frozen=True, kw_only=True)
class Conflict(Finding):
    """Two sources name different hosts (or tenants) for the same role; ``chosen`` won."""

    role: str
    hosts: dict[str, str]
    chosen: Source

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "role": self.role, "hosts": dict(self.hosts), "chosen": self.chosen,
                "severity": self.severity_text, "message": self.message}


@dataclass(frozen=True)
class SourceResult:
    """What one source said about one domain. ``None`` hosts mean "no answer"; notes say why."""

    source: Source
    ipv4_only_host: str | None = None
    dual_stack_host: str | None = None
    tenant: str | None = None
    notes: tuple[Note, ...] = ()

    def host(self, role: Role) -> str | None:
        return self.ipv4_only_host if role == "ipv4_only_host" else self.dual_stack_host


@dataclass(frozen=True)
class HostsResult:
    """Both hosts of one domain, each with its source, and every disagreement."""

    domain: str
    tenant: str | None
    ipv4_only_host: FoundHost | None
    dual_stack_host: FoundHost | None
    conflicts: tuple[Conflict, ...] = ()
    notes: tuple[Note, ...] = ()
    #: What each source said, for callers that compare sources (``check --graph``).
    sources: dict[str, SourceResult] = field(default_factory=dict)

    def found(self, role: Role) -> FoundHost | None:
        return self.ipv4_only_host if role == "ipv4_only_host" else self.dual_stack_host

    @property
    def incomplete(self) -> bool:
        return any(n.incomplete for n in self.notes)

    @property
    def ok(self) -> bool:
        """Both hosts found, and no source failed or refused (an error note) and no error conflict.

        A refusal (Graph: not in this tenant, unverified) is not rescued by derivation.
        """
        return (self.ipv4_only_host is not None and self.dual_stack_host is not None
                and not any(n.severity is Severity.ERROR for n in self.notes)
                and not any(c.severity is Severity.ERROR for c in self.conflicts))

    def to_json(self) -> dict[str, Any]:
        def one(found: FoundHost | None) -> dict[str, Any]:
            return found.to_json() if found else {"host": None, "source": None}

        return {"domain": self.domain, "ok": self.ok, "tenant": self.tenant,
                "ipv4_only_host": one(self.ipv4_only_host), "dual_stack_host": one(self.dual_stack_host),
                "conflicts": [c.to_json() for c in self.conflicts], "notes": [n.to_json() for n in self.notes]}


__all__ = ["ROLES", "SOURCES", "Conflict", "FoundHost", "HostLookupError", "HostsResult", "Note", "Role", "Source",
           "SourceResult"]
