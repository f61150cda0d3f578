"""``check --smtp``: probe what DNS published and fold the result into the check's report.
The check calls :func:`probe_smtp` after its DNS work, with the run's probe pool; :mod:`.text`
renders the table. The sender simulation is then routed again over what answered, so a
report never shows a path through an address its own probes found closed."""

from __future__ import annotations

from dataclasses import replace

from ..core.plan import MxPlan
from ..dns.observe import NULL_MX
from ..simulation.inputs import observed
from .report import CheckReport, SmtpResult, routed
from .smtp import targets_for
from .smtp_findings import classify
from .smtp_pool import ProbePool


def probed_hosts(plan: MxPlan, rep: CheckReport) -> list[str]:
    """Every published MX host, then the tenant host (probed even when not published)."""
    hosts = [r.exchange for r in rep.published if r.exchange != NULL_MX]
    return list(dict.fromkeys([*hosts, plan.tenant_host]))


async def probe_smtp(plan: MxPlan, rep: CheckReport, pool: ProbePool) -> CheckReport:
    """``rep`` with the probes and their findings (its exit code then covers both).

    The probes come from the run's ``pool``: an address another row published already was
    probed once, and its session serves this row too.
    """
    preferences: dict[str, int] = {}
    for r in rep.published:
        preferences.setdefault(r.exchange, r.preference)
    roles = {plan.ipv4_only_host: "ipv4-only", plan.dual_stack_host: "dual-stack"}
    probes = await pool.probe_all(targets_for(probed_hosts(plan, rep), rep.addresses))
    verdict = classify(probes, preferences, roles, pool.port)
    smtp = SmtpResult(pool.port, tuple(probes), verdict.unprobed, verdict.code, limits=pool.limits)
    out = replace(rep, findings=(*rep.findings, *verdict.findings), smtp=smtp)
    if rep.simulation is None or rep.simulation_skipped:
        return out  # not asked for, or not run for want of DNS: probes do not change that
    blocked = any(f.id == "smtp-blocked-here" for f in verdict.findings)
    return routed(plan, out, observed(rep.published, rep.addresses, probes=probes, unprobed=verdict.unprobed,
                                      blocked=blocked))
