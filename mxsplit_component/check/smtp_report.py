"""``check --smtp``: probe what DNS published, fold the findings into the check report, and
render the per-address table. The check calls :func:`add_smtp` after its DNS work."""

from __future__ import annotations

import asyncio
import ssl
import weakref
from typing import Any

from ..core.plan import MxPlan
from .smtp import DEFAULT_CONCURRENCY, Opener, probe_all, targets_for
from .smtp_findings import FAMILY_NAME, classify

#: One bound on SMTP sessions per event loop, however many domains are checked at once.
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _gate() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _GATES.get(loop)
    if gate is None:
        gate = _GATES[loop] = asyncio.Semaphore(DEFAULT_CONCURRENCY)
    return gate


def probed_hosts(plan: MxPlan, rep: dict[str, Any]) -> list[str]:
    """Every published MX host, then the tenant host (probed even when not published)."""
    hosts = [r["exchange"] for r in rep["published"] if r["exchange"] != "."]
    return list(dict.fromkeys([*hosts, plan.tenant_host]))


async def add_smtp(plan: MxPlan, rep: dict[str, Any], code: int, *, port: int, timeout: float,
                   context: ssl.SSLContext | None = None, opener: Opener | None = None) -> int:
    """Probe, add ``rep["smtp"]`` and the findings, and return the combined exit code
    (3 wins over 1, as for DNS)."""
    preferences: dict[str, int] = {}
    for r in rep["published"]:
        preferences.setdefault(r["exchange"], r["preference"])
    roles = {plan.ipv4_only_host: "ipv4-only", plan.dual_stack_host: "dual-stack"}
    probes = await probe_all(targets_for(probed_hosts(plan, rep), rep["addresses"]), port=port, timeout=timeout,
                             context=context, opener=opener, gate=_gate())
    verdict = classify(probes, preferences, roles, port)
    rep["smtp"] = {"port": port, "unprobed_families": list(verdict.unprobed), "probes": [p.to_json() for p in probes]}
    rep["findings"] += [f.as_dict() for f in verdict.findings]
    rep["ok"] = rep["ok"] and not any(f.severity == "error" for f in verdict.findings)
    return max(code, int(verdict.code))


def smtp_lines(smtp: dict[str, Any]) -> list[str]:
    """Per host and address: how far the session got."""
    lines = [f"SMTP (port {smtp['port']})"]
    host = None
    for p in smtp["probes"]:
        if p["host"] != host:
            host = p["host"]
            lines.append(f"  {host}")
        if p["outcome"] == "ok":
            tls = "no STARTTLS" if not p["starttls"] else (
                f"{p['tls_version'] or 'TLS'}, certificate verified" if p["tls"] == "verified"
                else f"STARTTLS, TLS {p['tls']}")
            state = f"ok       {p['banner'] or ''} | {tls}"
        else:
            where = "" if p["stage"] == "connect" else f" at {p['stage']}"
            state = f"{p['outcome'] + where:<8} {p['detail']}"
        lines.append(f"      {FAMILY_NAME[p['family']]} {p['address']:<26}{state}")
    if not smtp["probes"]:
        lines.append("  no addresses to probe")
    return lines
