"""``check --smtp``: probe what DNS published and fold the result into the check's report.
The check calls :func:`probe_smtp` after its DNS work; :mod:`.text` renders the table. The
sender simulation is then routed again over what answered, so a report never shows a path
through an address its own probes found closed."""

from __future__ import annotations

import asyncio
import ssl
import weakref
from dataclasses import replace

from ..core.plan import MxPlan
from ..dns.observe import NULL_MX
from ..simulation.inputs import observed
from .report import CheckReport, SmtpResult, routed
from .smtp import DEFAULT_CONCURRENCY, Opener, probe_all, targets_for
from .smtp_findings import classify

#: One bound on SMTP sessions per event loop, however many domains are checked at once.
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _gate() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _GATES.get(loop)
    if gate is None:
        gate = _GATES[loop] = asyncio.Semaphore(DEFAULT_CONCURRENCY)
    return gate


def probed_hosts(plan: MxPlan, rep: CheckReport) -> list[str]:
    """Every published MX host, then the tenant host (probed even when not published)."""
    hosts = [r.exchange for r in rep.published if r.exchange != NULL_MX]
    return list(dict.fromkeys([*hosts, plan.tenant_host]))


async def probe_smtp(plan: MxPlan, rep: CheckReport, *, port: int, timeout: float,
                     context: ssl.SSLContext | None = None, opener: Opener | None = None) -> CheckReport:
    """``rep`` with the probes and their findings (its exit code then covers both)."""
    preferences: dict[str, int] = {}
    for r in rep.published:
        preferences.setdefault(r.exchange, r.preference)
    roles = {plan.ipv4_only_host: "ipv4-only", plan.dual_stack_host: "dual-stack"}
    probes = await probe_all(targets_for(probed_hosts(plan, rep), rep.addresses), port=port, timeout=timeout,
                             context=context, opener=opener, gate=_gate())
    verdict = classify(probes, preferences, roles, port)
    smtp = SmtpResult(port, tuple(probes), verdict.unprobed, verdict.code)
    out = replace(rep.with_findings(verdict.findings), smtp=smtp)
    if rep.simulation is None or rep.simulation_skipped:
        return out  # not asked for, or not run for want of DNS: probes do not change that
    blocked = any(f.id == "smtp-blocked-here" for f in verdict.findings)
    return routed(plan, out, observed(rep.published, rep.addresses, probes=probes, unprobed=verdict.unprobed,
                                      blocked=blocked))
