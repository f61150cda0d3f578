"""Run a live check for one plan: observe, evaluate, simulate. Async; the CLI owns the loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial

from ..core.findings import Finding, Severity
from ..core.plan import MxPlan
from ..dns.nameservers import Nameserver
from ..dns.observe import find_authoritative
from ..dns.options import DnsOptions, authoritative_client
from ..dns.transport import DnsClient
from .findings import DNS_ERROR
from .mtasts import fetch_policy
from .observe import PolicyFetcher, observe, wait_for_mx
from .report import CheckReport, build_report, failed_report


@dataclass(frozen=True)
class CheckOptions:
    """What to check, and where DNS is asked (``dns``: its timeout also bounds each policy
    fetch and SMTP step)."""

    dns: DnsOptions = DnsOptions()
    wait: float = 0.0
    fetch_mta_sts: bool = True
    #: Look up ``_mta-sts`` at all.
    mta_sts: bool = True
    #: Probe SMTP on every MX address after the DNS checks (``--smtp``), on this port.
    smtp: bool = False
    smtp_port: int = 25
    #: Compute the sender simulation (bulk rows leave it out unless ``--simulate``).
    simulate: bool = True


async def check_plan(plan: MxPlan, client: DnsClient, options: CheckOptions,
                     fetcher: PolicyFetcher | None = None) -> CheckReport:
    """Check one plan with a shared ``client``.

    With ``options.wait``, every step until the MX set matches is polled until one deadline:
    finding the authoritative servers too (a zone just delegated may not be visible yet).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + options.wait
    mx_client: DnsClient | None = None
    try:
        if options.dns.authoritative:
            try:
                servers = await _authoritative_servers(plan.domain, client, options.dns.port, deadline)
            except LookupError as exc:
                return failed_report(plan, Finding(DNS_ERROR, Severity.ERROR,
                                                   f"{exc}; the authoritative servers could not be found"))
            mx_client = authoritative_client(servers, options.dns)
        if options.wait > 0:
            await wait_for_mx(plan, mx_client or client, max(0.0, deadline - loop.time()))
        if fetcher is None and options.fetch_mta_sts:
            fetcher = partial(fetch_policy, timeout=options.dns.timeout)
        obs = await observe(plan, client, mx_client=mx_client, fetch_policy=fetcher, mta_sts=options.mta_sts)
    finally:
        if mx_client is not None:
            mx_client.close()
    rep = build_report(plan, obs, with_simulation=options.simulate)
    if options.smtp:
        from .smtp_report import probe_smtp

        return await probe_smtp(plan, rep, port=options.smtp_port, timeout=options.dns.timeout)
    return rep


async def _authoritative_servers(domain: str, client: DnsClient, port: int, deadline: float,
                                 interval: float = 1.0) -> list[Nameserver]:
    """:func:`find_authoritative`, asked again every ``interval`` until it succeeds or ``deadline`` passes.

    :raises LookupError: the last attempt's, once the deadline has passed.
    """
    loop = asyncio.get_running_loop()
    while True:
        try:
            return await find_authoritative(domain, client, port)
        except LookupError:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise
            await asyncio.sleep(min(interval, remaining))
