"""Run a live check for one plan: observe, evaluate, simulate. Async; the CLI owns the loop."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from ..core.plan import MxPlan
from ..errors import MxSplitError
from .findings import DNS_ERROR, Finding
from .mtasts import fetch_policy
from .observe import PolicyFetcher, find_authoritative, observe, wait_for_mx
from .report import CheckReport, build_report, failed_report
from .transport import DnsClient, Nameserver, system_nameservers


@dataclass(frozen=True)
class CheckOptions:
    """Where and how to look. ``nameservers=None`` means the system resolver."""

    nameservers: tuple[Nameserver, ...] | None = None
    authoritative: bool = False
    #: Port of the authoritative servers found through NS (53; tests and split horizons differ).
    port: int = 53
    wait: float = 0.0
    #: Seconds per lookup from its first send, retries and TCP included (and for the policy fetch).
    timeout: float = 5.0
    fetch_mta_sts: bool = True
    #: Look up ``_mta-sts`` at all.
    mta_sts: bool = True
    #: Probe SMTP on every MX address after the DNS checks (``--smtp``), on this port.
    smtp: bool = False
    smtp_port: int = 25
    #: Compute the sender simulation (bulk rows leave it out unless ``--simulate``).
    simulate: bool = True
    #: Lookups kept in flight without adapting (``--fixed-window``); ``None`` adapts.
    fixed_window: int | None = None


async def check_plan(plan: MxPlan, client: DnsClient, options: CheckOptions,
                     fetcher: PolicyFetcher | None = None) -> CheckReport:
    """Check one plan with a shared ``client``."""
    mx_client: DnsClient | None = None
    try:
        if options.authoritative:
            try:
                servers = await find_authoritative(plan.domain, client, options.port)
            except LookupError as exc:
                return failed_report(plan, Finding(DNS_ERROR, "error",
                                                   f"{exc}; the authoritative servers could not be found"))
            mx_client = DnsClient(servers, timeout=options.timeout, recursion=False)
        if options.wait > 0:
            await wait_for_mx(plan, mx_client or client, options.wait)
        if fetcher is None and options.fetch_mta_sts:
            fetcher = partial(fetch_policy, timeout=options.timeout)
        obs = await observe(plan, client, mx_client=mx_client, fetch_policy=fetcher, mta_sts=options.mta_sts)
    finally:
        if mx_client is not None:
            mx_client.close()
    rep = build_report(plan, obs, with_simulation=options.simulate)
    if options.smtp:
        from .smtp_report import probe_smtp

        return await probe_smtp(plan, rep, port=options.smtp_port, timeout=options.timeout)
    return rep


def make_client(options: CheckOptions) -> DnsClient:
    """The DNS client for ``options`` (use it as ``async with make_client(options) as client``).

    :raises MxSplitError: when no nameserver is given and the system has none.
    """
    servers = list(options.nameservers) if options.nameservers else system_nameservers()
    if not servers:
        raise MxSplitError("no system resolver is configured (/etc/resolv.conf); pass --nameserver IP[:PORT]",
                           field="nameserver")
    if options.fixed_window is not None:
        return DnsClient(servers, timeout=options.timeout, max_in_flight=options.fixed_window, adaptive=False)
    return DnsClient(servers, timeout=options.timeout)
