"""Run a live check for one plan: observe, evaluate, simulate. Async core, sync wrapper."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from ..core.plan import MxPlan
from ..errors import MxSplitError
from ..simulate import HostAddresses, simulate
from .findings import DNS_ERROR, Finding, evaluate, exit_code, report
from .mtasts import fetch_policy
from .observe import PolicyFetcher, find_authoritative, observe, wait_for_mx
from .tradeoffs import tradeoff_findings
from .transport import DnsClient, Nameserver, system_nameservers


@dataclass(frozen=True)
class CheckOptions:
    """Where and how to look. ``nameservers=None`` means the system resolver."""

    nameservers: tuple[Nameserver, ...] | None = None
    authoritative: bool = False
    #: Port of the authoritative servers found through NS (53; tests and split horizons differ).
    port: int = 53
    wait: float = 0.0
    timeout: float = 5.0
    fetch_mta_sts: bool = True
    #: Look up ``_mta-sts`` at all.
    mta_sts: bool = True
    #: Probe SMTP on every MX address after the DNS checks (``--smtp``), on this port.
    smtp: bool = False
    smtp_port: int = 25


def simulation_for(plan: MxPlan, obs_report: dict[str, Any]) -> list[dict[str, Any]]:
    from ..core.plan import MxRecord

    published = [MxRecord(r["preference"], r["exchange"]) for r in obs_report["published"]]
    addresses = {h: HostAddresses(tuple(a["ipv4"]), tuple(a["ipv6"])) for h, a in obs_report["addresses"].items()}
    ds = addresses.get(plan.dual_stack_host)
    return simulate(published, addresses, domain_ipv6_enabled=bool(ds and ds.ipv6))


async def check_plan(plan: MxPlan, client: DnsClient, options: CheckOptions,
                     fetcher: PolicyFetcher | None = None) -> tuple[dict[str, Any], int]:
    """Check one plan with a shared ``client``; returns (report, exit code)."""
    mx_client: DnsClient | None = None
    try:
        if options.authoritative:
            try:
                servers = await find_authoritative(plan.domain, client, options.port)
            except LookupError as exc:
                finding = Finding(DNS_ERROR, "error", f"{exc}; the authoritative servers could not be found")
                rep = {"domain": plan.domain, "ok": False, "expected": plan.mx_records, "published": [],
                       "addresses": {}, "findings": [finding.as_dict()], "simulation": []}
                return rep, 3
            mx_client = DnsClient(servers, timeout=options.timeout, recursion=False)
        if options.wait > 0:
            await wait_for_mx(plan, mx_client or client, options.wait)
        if fetcher is None and options.fetch_mta_sts:
            fetcher = fetch_policy
        obs = await observe(plan, client, mx_client=mx_client, fetch_policy=fetcher, mta_sts=options.mta_sts)
    finally:
        if mx_client is not None:
            mx_client.close()
    findings = evaluate(plan, obs) + tradeoff_findings(plan, obs)
    rep = report(plan, obs, findings, [])
    rep["simulation"] = simulation_for(plan, rep)
    if options.smtp:
        from .smtp_report import add_smtp

        return rep, await add_smtp(plan, rep, exit_code(findings), port=options.smtp_port, timeout=options.timeout)
    return rep, exit_code(findings)


def make_client(options: CheckOptions) -> DnsClient:
    servers = list(options.nameservers) if options.nameservers else system_nameservers()
    if not servers:
        raise MxSplitError("no system resolver is configured (/etc/resolv.conf); pass --nameserver IP[:PORT]",
                           field="nameserver")
    return DnsClient(servers, timeout=options.timeout)


def check(plan: MxPlan, options: CheckOptions | None = None) -> tuple[dict[str, Any], int]:
    """Synchronous wrapper around :func:`check_plan`."""
    opts = options or CheckOptions()

    async def main() -> tuple[dict[str, Any], int]:
        async with make_client(opts) as client:
            return await check_plan(plan, client, opts)

    return asyncio.run(main())
