"""``check --graph`` findings: does the zone publish the host Graph names? Pure.

``graph-host-mismatch`` (error): the published dual-stack MX (MX 10 in a split) is not the
host Graph names. ``graph-host-moved`` (warning): Microsoft has moved the domain to an
``mx.microsoft`` host while the zone still publishes its old ``mail.protection.outlook.com``
host, which keeps working for now: drift to act on, not an outage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core.clouds import uses_mx_microsoft
from ..core.findings import Finding, FindingRegistry, Severity
from ..core.plan import MxPlan, MxRecord

GRAPH_HOST_MISMATCH = "graph-host-mismatch"
GRAPH_HOST_MOVED = "graph-host-moved"
OLD_SUFFIX = ".mail.protection.outlook.com"


def is_moved(graph_host: str, published_host: str) -> bool:
    """Graph names an ``mx.microsoft`` host where the zone still has a ``mail.protection`` one."""
    return uses_mx_microsoft(graph_host) and published_host.endswith(OLD_SUFFIX)


def dual_stack_slot(plan: MxPlan, published: Sequence[MxRecord]) -> str | None:
    """The host the zone publishes in the dual-stack role (MX 10 of a split, the MX of a standard set)."""
    preference = plan.secondary_priority if plan.mode == "split" else plan.primary_priority
    at = [r.exchange for r in published if r.preference == preference]
    if len(at) == 1:
        return at[0]
    others = [r.exchange for r in published if r.exchange != plan.ipv4_only_host]
    return others[0] if len(others) == 1 else None


@dataclass(frozen=True)
class Drift:
    """What the Graph findings compare: the host Graph names and the one the zone publishes in its place."""

    plan: MxPlan
    graph_host: str
    published_host: str

    @property
    def moved(self) -> bool:
        return is_moved(self.graph_host, self.published_host)


#: The Graph drift findings of ``check --graph``.
GRAPH_FINDINGS: FindingRegistry[Drift] = FindingRegistry()


@GRAPH_FINDINGS.finding(GRAPH_HOST_MOVED)
def _moved(drift: Drift) -> list[Finding]:
    if not drift.moved:
        return []
    new, old = drift.graph_host, drift.published_host
    return [Finding(GRAPH_HOST_MOVED, Severity.WARNING,
                    f"Microsoft has moved {drift.plan.domain} to {new} (Graph), but the zone still publishes "
                    f"{old}; the old host works for now: publish {new} (pin it with "
                    "mxsplit hosts --graph --stack <stack>, then pulumi up)")]


@GRAPH_FINDINGS.finding(GRAPH_HOST_MISMATCH)
def _mismatch(drift: Drift) -> list[Finding]:
    if drift.moved:
        return []
    return [Finding(GRAPH_HOST_MISMATCH, Severity.ERROR,
                    f"the zone publishes {drift.published_host} for {drift.plan.domain}, but Graph names "
                    f"{drift.graph_host}: mail to a host Microsoft did not assign for the domain may be refused; "
                    f"publish {drift.graph_host}")]


def graph_findings(plan: MxPlan, graph_host: str | None, published: Sequence[MxRecord]) -> list[Finding]:
    """Findings comparing the published dual-stack MX with Graph's host (none when either is unknown or they agree)."""
    slot = dual_stack_slot(plan, published)
    if graph_host is None or slot is None or slot == graph_host:
        return []
    return GRAPH_FINDINGS.run(Drift(plan, graph_host, slot))
