"""Combine what the sources said into one host per role, in order of trust, naming every disagreement. Pure.

Trust: ``given`` > ``graph`` > ``published`` > ``derived``. The first source with a host
wins; every other source that names a *different* host becomes a :class:`Conflict` that
names both, so nothing is picked silently. ``derived`` is a guess, consulted only when no
source knows the host, so it never conflicts.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    return Conflict(CONFLICT_IDS[role], role, {winner.source: winner.host, other.source: other.host}, winner.source,
                    "warning", message)


def combine(domain: str, sources: Sequence[SourceResult], *, given_tenant: str | None = None) -> HostsResult:
    """One :class:`HostsResult` for ``domain`` from ``sources`` (any order, at most one per source).

    :param given_tenant: the tenant the user named; a different tenant in Graph is an error
        (the credential is for another tenant).
    """
    by_source = {s.source: s for s in sources}
    ordered = [by_source[name] for name in SOURCES if name in by_source]
    conflicts: list[Conflict] = []
    found: dict[Role, FoundHost | None] = {}
    used_derived = False
    for role in ROLES:
        candidates = [FoundHost(host, s.source) for s in ordered if (host := s.host(role)) is not None]
        known = [c for c in candidates if c.source != "derived"]
        winner = known[0] if known else (candidates[0] if candidates else None)
        used_derived |= winner is not None and winner.source == "derived"
        found[role] = winner
        if winner is not None:
            conflicts += [_conflict(domain, role, winner, c) for c in known[1:] if c.host != winner.host]
    graph = by_source.get("graph")
    if given_tenant and graph is not None and graph.tenant and graph.tenant != given_tenant:
        conflicts.insert(0, Conflict(
            "tenant-conflict", "tenant", {"given": given_tenant, "graph": graph.tenant}, "given", "error",
            f"you gave tenant {given_tenant}, but the Graph token is for tenant {graph.tenant}: sign in to the tenant "
            f"that owns {domain} (one tenant per run), or fix --tenant"))
    tenant = given_tenant or next((s.tenant for s in ordered if s.tenant), None)
    dual = found["dual_stack_host"]
    notes: list[Note] = []
    for s in ordered:
        if s.source == "derived" and not (used_derived or dual is None):
            continue  # derivation was not needed: its reasons are noise
        notes += s.notes
    return HostsResult(domain, tenant, found["ipv4_only_host"], dual, tuple(conflicts), tuple(notes),
                       {s.source: s for s in ordered})
