"""What DNS says about one domain under check: the observation the findings are computed from.

Answers are read through :mod:`mxsplit_component.dns.observe` (owner filtering, sets,
DNS64); :func:`observe` is the thin async loop that asks the check's questions, all at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..core.plan import MxPlan, MxRecord
from ..dns.observe import NULL_MX, HostLookup, parse_addresses, parse_mx, parse_txt
from ..dns.transport import Answer, DnsClient

__all__ = ["NULL_MX", "HostLookup", "Observation", "PolicyFetcher", "observe", "planned_hosts", "wait_for_mx"]


@dataclass
class Observation:
    domain: str
    #: Published MX records; ``None`` when the lookup failed or the domain does not exist.
    mx: list[MxRecord] | None = None
    nxdomain: bool = False
    mx_error: str | None = None
    hosts: dict[str, HostLookup] = field(default_factory=dict)
    mta_sts_txt: list[str] = field(default_factory=list)
    mta_sts_error: str | None = None
    #: The fetched MTA-STS policy text, or why it could not be fetched.
    mta_sts_policy: str | None = None
    mta_sts_policy_error: str | None = None


def planned_hosts(plan: MxPlan) -> list[str]:
    """Hosts to look up whatever is published: the tenant host is always checked."""
    return list(dict.fromkeys([plan.ipv4_only_host, plan.dual_stack_host, plan.tenant_host]))


PolicyFetcher = Callable[[str, DnsClient], Awaitable[str]]


def _ask(client: DnsClient, qname: str, rdtype: str) -> Awaitable[Answer]:
    """A lookup started now: a plain future from a :class:`DnsClient` (any other client,
    such as a test's, gets a task)."""
    if isinstance(client, DnsClient):
        return client.submit(qname, rdtype)
    return asyncio.ensure_future(client.query(qname, rdtype))


async def observe(plan: MxPlan, client: DnsClient, *, mx_client: DnsClient | None = None,
                  fetch_policy: PolicyFetcher | None = None, mta_sts: bool = True) -> Observation:
    """Ask DNS everything the findings need, concurrently.

    :param client: resolves host addresses (and everything else unless ``mx_client`` is set).
    :param mx_client: where to ask for the domain's own records (its authoritative servers).
    :param fetch_policy: fetches an MTA-STS policy when ``_mta-sts`` is published.
    :param mta_sts: look up ``_mta-sts`` at all (``--no-mta-sts`` skips it).
    """
    own = mx_client or client
    obs = Observation(plan.domain)
    hosts = planned_hosts(plan)
    # Every question at once, as futures: no task per question.
    mx_asked = _ask(own, plan.domain, "MX")
    sts_task = _ask(own, f"_mta-sts.{plan.domain}", "TXT") if mta_sts else None
    asked = {h: (_ask(client, h, "A"), _ask(client, h, "AAAA")) for h in hosts}

    mx_answer = await mx_asked
    obs.mx, obs.nxdomain = parse_mx(mx_answer)
    obs.mx_error = mx_answer.error
    for extra in (r.exchange for r in obs.mx or () if r.exchange != NULL_MX):
        if extra not in asked:
            asked[extra] = (_ask(client, extra, "A"), _ask(client, extra, "AAAA"))
    for host, (a, aaaa) in asked.items():
        lookup = obs.hosts[host] = HostLookup()
        parse_addresses(lookup, await a, "ipv4")
        parse_addresses(lookup, await aaaa, "ipv6")

    if sts_task is None:
        return obs
    sts = await sts_task
    if sts.error is not None:
        obs.mta_sts_error = sts.error
    else:
        obs.mta_sts_txt = [t for t in parse_txt(sts) if t.lower().startswith("v=stsv1")]
    if obs.mta_sts_txt and fetch_policy is not None:
        try:
            obs.mta_sts_policy = await fetch_policy(plan.domain, client)
        except Exception as exc:  # any failure to fetch leaves the finding a warning
            obs.mta_sts_policy_error = str(exc) or type(exc).__name__
    return obs


async def wait_for_mx(plan: MxPlan, client: DnsClient, seconds: float, interval: float = 1.0) -> bool:
    """Poll the domain's MX set until it equals the plan's or ``seconds`` run out.

    Polls for the full ``seconds``: the last poll starts at the end of the window.
    """
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    expected = sorted(set(plan.records))
    while True:
        records, _ = parse_mx(await client.query(plan.domain, "MX"))
        if records == expected:
            return True
        remaining = end - loop.time()
        if remaining <= 0:
            return False
        await asyncio.sleep(min(interval, remaining))


