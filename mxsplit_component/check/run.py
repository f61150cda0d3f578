"""Run a live check for one plan: observe, evaluate, simulate. Async; the CLI owns the loop.

What every check of a run shares lives in :class:`RunShared`, opened once per run
(:func:`open_shared`): the SMTP sessions (:class:`~.smtp_pool.ProbePool`: each address probed
once, whichever rows publish it) and the zones' authoritative servers
(:class:`~mxsplit_component.dns.authority.Authorities`: found once per zone, one client per
server set, so a dead server costs the run a retry interval, not every row).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from ..core.findings import Finding, Severity
from ..core.plan import MxPlan
from ..dns.authority import Authorities
from ..dns.transport import DnsClient
from ..options import CheckOptions
from .findings import DNS_ERROR
from .mtasts import fetch_policy
from .observe import PolicyFetcher, observe, wait_for_mx
from .report import CheckReport, build_report, failed_report
from .smtp_pool import ProbePool


@dataclass
class RunShared:
    """What the checks of one run share: SMTP sessions and the zones' authoritative servers."""

    pool: ProbePool | None = None
    authorities: Authorities | None = None


@contextlib.contextmanager
def open_shared(client: DnsClient, options: CheckOptions) -> Iterator[RunShared]:
    """The run's :class:`RunShared` for ``options`` (``client`` finds the authoritative servers)."""
    shared = RunShared()
    if options.smtp:
        shared.pool = ProbePool(port=options.smtp_port, timeout=options.dns.timeout,
                                per_address=options.smtp_per_address, per_network=options.smtp_per_network)
    if options.dns.authoritative:
        shared.authorities = Authorities(client, options.dns)
    try:
        yield shared
    finally:
        if shared.authorities is not None:
            shared.authorities.close()


async def check_plan(plan: MxPlan, client: DnsClient, options: CheckOptions,
                     fetcher: PolicyFetcher | None = None, shared: RunShared | None = None) -> CheckReport:
    """Check one plan with a shared ``client`` (and the run's ``shared`` pool and servers).

    With ``options.wait``, every step until the MX set matches is polled until one deadline:
    finding the authoritative servers too (a zone just delegated may not be visible yet).
    """
    if shared is None:
        with open_shared(client, options) as mine:
            return await check_plan(plan, client, options, fetcher, mine)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + options.wait
    mx_client: DnsClient | None = None
    if shared.authorities is not None:
        try:
            mx_client = await _authoritative_client(plan.domain, shared.authorities, deadline)
        except LookupError as exc:
            return failed_report(plan, Finding(DNS_ERROR, Severity.ERROR,
                                               f"{exc}; the authoritative servers could not be found"))
    if options.wait > 0:
        await wait_for_mx(plan, mx_client or client, max(0.0, deadline - loop.time()))
    if fetcher is None and options.fetch_mta_sts:
        fetcher = partial(fetch_policy, timeout=options.dns.timeout)
    obs = await observe(plan, client, mx_client=mx_client, fetch_policy=fetcher, mta_sts=options.mta_sts)
    rep = build_report(plan, obs, with_simulation=options.simulate)
    if shared.pool is not None:
        from .smtp_report import probe_smtp

        return await probe_smtp(plan, rep, shared.pool)
    return rep


async def _authoritative_client(domain: str, authorities: Authorities, deadline: float,
                                interval: float = 1.0) -> DnsClient:
    """The run's client for ``domain``'s servers, found again every ``interval`` until found or ``deadline`` passes.

    :raises LookupError: the last attempt's, once the deadline has passed.
    """
    loop = asyncio.get_running_loop()
    while True:
        try:
            return await authorities.client_for(domain)
        except LookupError:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise
            authorities.forget(domain)  # a zone delegated a moment ago: ask again, not the cached failure
            await asyncio.sleep(min(interval, remaining))
