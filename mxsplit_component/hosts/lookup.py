"""Look hosts up from the sources a caller chooses: the library entry point and the async engine.

:func:`lookup_hosts` is what a Pulumi program calls *before* declaring ``MxSplit`` (or what
``mxsplit hosts --stack`` runs to pin the result). :class:`HostFinder` shares the run's Graph
clients (one per tenant, :mod:`.tenants`), one DNS client and, with ``--authoritative``, the
zones' servers (:class:`~mxsplit_component.dns.authority.Authorities`) across many domains.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ..core.clouds import Cloud, get_cloud
from ..core.names import normalize_name
from ..core.plan import normalize_tenant
from ..errors import MxSplitError
from .combine import combine
from .derived import derive
from .given import from_given
from .model import HostsResult, SourceResult
from .slots import RowSlots

if TYPE_CHECKING:
    from ..dns.authority import Authorities
    from ..dns.options import DnsOptions
    from ..dns.transport import DnsClient
    from ..options import TenantTokens
    from .graphclient import TokenCredential
    from .tenants import TenantGraphs

T = TypeVar("T")
R = TypeVar("R")

#: Sources that ask something outside the process.
LOOKUP_SOURCES = ("graph", "published")


@dataclass(frozen=True)
class HostRequest:
    """One domain to look up, as the user typed it (normalised by :meth:`HostFinder.find`)."""

    domain: str
    tenant: str | None = None
    dual_stack_host: str | None = None
    ipv4_only_host: str | None = None


@dataclass(frozen=True)
class LookupOptions:
    """Which sources to ask and how. ``dns`` says where ``published`` asks (default: the system resolver)."""

    sources: tuple[str, ...] = ("graph",)
    cloud: str = "commercial"
    graph_url: str | None = None
    credential: TokenCredential | None = None
    device_code: bool = False
    #: Seconds per Graph lookup, throttling waits included.
    timeout: float = 10.0
    dns: DnsOptions | None = None
    #: ``--graph-tokens``: a ready token per tenant.
    tokens: TenantTokens | None = None
    #: The tenants the run's rows name: several (and no token of the caller's) ask a token per tenant.
    tenants: tuple[str, ...] = ()


def check_sources(sources: str | Sequence[str], *, allow_none: bool = False) -> tuple[str, ...]:
    """The lookup sources, checked; ``allow_none`` for a run on given and derived hosts only."""
    chosen = (sources,) if isinstance(sources, str) else tuple(sources)
    bad = [s for s in chosen if s not in LOOKUP_SOURCES]
    if bad or not (chosen or allow_none):
        raise MxSplitError(f"source {bad[0] if bad else '(none)'!r} is unknown; use 'graph', 'published' or both",
                           field="source")
    return chosen


class HostFinder:
    """Finds the hosts of many domains with shared clients; build it with :func:`open_finder`."""

    def __init__(self, cloud: Cloud, *, graphs: TenantGraphs | None = None, dns: DnsClient | None = None,
                 dns_options: DnsOptions | None = None, authorities: Authorities | None = None) -> None:
        self.cloud = cloud
        self.graphs = graphs
        self.dns = dns
        self.dns_options = dns_options
        self.authorities = authorities

    async def find(self, request: HostRequest) -> HostsResult:
        """Every source's answer for one domain, combined.

        :raises MxSplitError: for a malformed domain, tenant or given host (naming the field).
        """
        from . import published

        domain = normalize_name(request.domain, "domain")  # IDN -> A-label: what Graph and DNS know
        tenant = normalize_tenant(request.tenant, self.cloud) if request.tenant else None
        results: list[SourceResult] = [from_given(self.cloud, dual_stack_host=request.dual_stack_host,
                                                  ipv4_only_host=request.ipv4_only_host)]
        asks = []
        if self.graphs is not None:
            asks.append(self.graphs.lookup(domain, tenant))
        if self.dns is not None and self.dns_options is not None:
            asks.append(published.lookup(domain, self.dns, self.dns_options, self.cloud, tenant,
                                         authorities=self.authorities))
        results += await asyncio.gather(*asks)
        learned = tenant or next((r.tenant for r in results if r.tenant), None)
        results.append(derive(domain, learned, self.cloud))
        return combine(domain, results, given_tenant=tenant)


@contextlib.asynccontextmanager
async def open_finder(options: LookupOptions, *, dns: DnsClient | None = None,
                      authorities: Authorities | None = None) -> AsyncIterator[HostFinder]:
    """A :class:`HostFinder` with the clients ``options.sources`` need, closed on exit.

    :param dns: a DNS client the run has already (for ``options.dns``), to share rather than open another.
    :param authorities: the run's authoritative servers, likewise.
    """
    cloud = get_cloud(options.cloud)
    sources = check_sources(options.sources, allow_none=True)
    async with contextlib.AsyncExitStack() as stack:
        graphs = None
        if "graph" in sources:
            from .tenants import TenantGraphs

            graphs = TenantGraphs(cloud, base_url=options.graph_url, timeout=options.timeout,
                                  credential=options.credential, device_code=options.device_code,
                                  tokens=options.tokens, named=options.tenants)
            stack.push_async_callback(graphs.aclose)
        dns_options = options.dns
        if "published" in sources:
            from ..dns.options import DnsOptions, make_client

            dns_options = dns_options or DnsOptions(timeout=options.timeout)
            if dns is None:
                dns = await stack.enter_async_context(make_client(dns_options))
            if dns_options.authoritative and authorities is None:
                from ..dns.authority import Authorities

                authorities = Authorities(dns, dns_options)
                stack.callback(authorities.close)
        yield HostFinder(cloud, graphs=graphs, dns=dns, dns_options=dns_options, authorities=authorities)


async def in_order(items: Iterable[T], work: Callable[[T], Awaitable[R]], concurrency: int) -> AsyncIterator[R]:
    """``work(item)`` for every item, ``concurrency`` at once, yielded in input order.

    ``items`` is read lazily, at most a few windows ahead of the results, so a long file keeps
    memory flat. A row that only waits for its tenant's Graph (throttled, or its requests all
    out) gives its slot back meanwhile (:mod:`.slots`): one tenant's backoff does not stop the
    other tenants' rows.
    """
    slots = RowSlots(concurrency)

    async def one(item: T) -> R:
        async with slots.hold():
            return await work(item)

    window = max(2 * concurrency, 8)
    pending: deque[asyncio.Future[R]] = deque()
    source = iter(items)
    try:
        while True:
            while len(pending) < window:
                try:
                    item = next(source)
                except StopIteration:
                    break
                pending.append(asyncio.ensure_future(one(item)))
            if not pending:
                return
            yield await pending[0]
            pending.popleft()
    finally:
        for task in pending:
            task.cancel()


async def find_all(finder: HostFinder, requests: Iterable[HostRequest | MxSplitError],
                   concurrency: int = 8) -> AsyncIterator[HostsResult | MxSplitError]:
    """Results in input order, ``concurrency`` domains at a time (see :func:`in_order`); a bad row
    yields its error: an :class:`MxSplitError` in ``requests`` (a row that could not be read), or
    the one its lookup raised."""

    async def one(item: HostRequest | MxSplitError) -> HostsResult | MxSplitError:
        if isinstance(item, MxSplitError):
            return item
        try:
            return await finder.find(item)
        except MxSplitError as exc:
            return exc

    async for result in in_order(requests, one, concurrency):
        yield result


def lookup_hosts(domain: str, *, source: str | Sequence[str] = "graph", tenant: str | None = None,
                 dual_stack_host: str | None = None, ipv4_only_host: str | None = None, cloud: str = "commercial",
                 graph_url: str | None = None, credential: TokenCredential | None = None,
                 dns: DnsOptions | None = None, timeout: float = 10.0) -> HostsResult:
    """Look up both hosts of ``domain``, each with its source, and every disagreement.

    Call it in a Pulumi program before declaring ``MxSplit``, or better, pin the result
    (``mxsplit hosts --graph --stack dev``) so previews need neither network nor credentials::

        found = lookup_hosts("contoso-shop.com", source="graph")
        MxSplit("shop", {"domain": found.domain, "tenant": found.tenant,
                         "dual_stack_host": found.dual_stack_host.host, ...})

    :param source: ``"graph"``, ``"published"`` or both (Graph wins where they disagree).
    :param tenant: optional with Graph (its initial domain names the tenant).
    :param credential: anything with ``get_token``; default ``MXSPLIT_GRAPH_TOKEN`` or
        ``DefaultAzureCredential``.
    :param dns: where to ask for the published MX (default: the system resolver).
    :raises MxSplitError: for malformed input, naming the field.
    """
    from ..dns.options import checked_timeout

    options = LookupOptions(sources=check_sources(source), cloud=cloud, graph_url=graph_url, credential=credential,
                            timeout=checked_timeout(timeout), dns=dns)
    request = HostRequest(domain, tenant, dual_stack_host, ipv4_only_host)

    async def main() -> HostsResult:
        async with open_finder(options) as finder:
            return await finder.find(request)

    return asyncio.run(main())
