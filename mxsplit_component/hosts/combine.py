"""Combine what the sources said into one host per role, in order of trust, naming every disagreement. Pure.

Trust: ``given`` > ``graph`` > ``published`` > ``derived``. The first source with a host
wins; every other source that names a *different* host becomes a :class:`Conflict` that
names both, so nothing is picked silently. ``derived`` is a guess, consulted only when no
source knows the host, so it never conflicts.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.findings import Severity
from .model import ROLES, SOURCES, Conflict, FoundHost, HostsResult, Note, Role, SourceResult

CONFLICT_IDS = {"ipv4_only_host": "ipv4-only-host-conflict", "dual_stack_host": "dual-stack-host-conflict"}
_SAY = {"given": "you gave", "graph": "Graph names", "published": "the zone publishes", "derived": "derivation gives"}
_WHY = {"given": "given hosts win", "graph": "Graph is Microsoft's source of truth (MC1048624)",
        "published": "the zone is the best source left"}


def _conflict(domain: str, role: Role, winner: FoundHost, other: FoundHost) -> Conflict:
    label = role.replace("_", "-").removesuffix("-host")
    fix = ("update the zone (pulumi up) so it publishes " + winner.host) if other.source == "published" else \
        "check which one the admin center shows, and pin that one"
    message = (f"{domain} {label} host: {_SAY[winner.source]} {winner.host}, but {_SAY[other.source]} {other.host}; "
               f"using {winner.host} ({_WHY[winner.source]}); {fix}")
    return Conflict(CONFLICT_IDS[role], Severity.WARNING, message, role=role,
                    hosts={winner.source: winner.host, other.source: other.host}, chosen=winner.source)


def _pick(domain: str, role: Role, ordered: Sequence[SourceResult]) -> tuple[FoundHost | None, list[Conflict]]:
    """The most trusted source's host for ``role`` (``derived`` only when no other source knows it), and every
    other source that names a different one."""
    candidates = [FoundHost(host, s.source) for s in ordered if (host := s.host(role)) is not None]
    known = [c for c in candidates if c.source != "derived"]
    winner = known[0] if known else (candidates[0] if candidates else None)
    if winner is None:
        return None, []
    return winner, [_conflict(domain, role, winner, c) for c in known[1:] if c.host != winner.host]


def _tenant_conflict(domain: str, given_tenant: str | None, graph: SourceResult | None) -> list[Conflict]:
    if not given_tenant or graph is None or not graph.tenant or graph.tenant == given_tenant:
        return []
    return [Conflict(
        "tenant-conflict", Severity.ERROR,
        f"you gave tenant {given_tenant}, but the Graph token is for tenant {graph.tenant}: use a token of the "
        f"tenant that owns {domain} (sign in to it, or give it in --graph-tokens), or fix --tenant",
        role="tenant", hosts={"given": given_tenant, "graph": graph.tenant}, chosen="given")]


def combine(domain: str, sources: Sequence[SourceResult], *, given_tenant: str | None = None) -> HostsResult:
    """One :class:`HostsResult` for ``domain`` from ``sources`` (any order, at most one per source).

    :param given_tenant: the tenant the user named; a different tenant in Graph is an error
        (the credential is for another tenant).
    """
    by_source = {s.source: s for s in sources}
    ordered = [by_source[name] for name in SOURCES if name in by_source]
    conflicts = _tenant_conflict(domain, given_tenant, by_source.get("graph"))
    found: dict[Role, FoundHost | None] = {}
    for role in ROLES:
        found[role], disagree = _pick(domain, role, ordered)
        conflicts += disagree
    tenant = given_tenant or next((s.tenant for s in ordered if s.tenant), None)
    return HostsResult(domain, tenant, found["ipv4_only_host"], found["dual_stack_host"], tuple(conflicts),
                       _notes(ordered, found), {s.source: s for s in ordered})


def _notes(ordered: Sequence[SourceResult], found: dict[Role, FoundHost | None]) -> tuple[Note, ...]:
    """Every source's notes; derivation's only when it was needed (it gave a host, or no source knew the
    dual-stack host), else its reasons are noise."""
    used_derived = any(f is not None and f.source == "derived" for f in found.values())
    keep_derived = used_derived or found["dual_stack_host"] is None
    return tuple(n for s in ordered if s.source != "derived" or keep_derived for n in s.notes)
