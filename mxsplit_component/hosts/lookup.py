"""Look hosts up from the sources a caller chooses: the library entry point and the async engine.

:func:`lookup_hosts` is what a Pulumi program calls *before* declaring ``MxSplit`` (or what
``mxsplit hosts --stack`` runs to pin the result). :class:`HostFinder` shares one Graph
client (one tenant, one token) and one DNS client across many domains.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.clouds import Cloud, get_cloud
from ..core.names import normalize_name
from ..core.plan import normalize_tenant
from ..errors import MxSplitError
from .combine import combine
from .derived import derive
from .given import from_given
from .model import HostsResult, SourceResult

if TYPE_CHECKING:
    from ..dns.options import DnsOptions
    from ..dns.transport import DnsClient
    from .graph import GraphHosts
    from .graphclient import TokenCredential

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

    def __init__(self, cloud: Cloud, *, graph: GraphHosts | None = None, dns: DnsClient | None = None,
                 dns_options: DnsOptions | None = None) -> None:
        self.cloud = cloud
        self.graph = graph
        self.dns = dns
        self.dns_options = dns_options

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
        if self.graph is not None:
            asks.append(self.graph.lookup(domain, tenant))
        if self.dns is not None and self.dns_options is not None:
            asks.append(published.lookup(domain, self.dns, self.dns_options, self.cloud, tenant))
        results += await asyncio.gather(*asks)
        learned = tenant or next((r.tenant for r in results if r.tenant), None)
        results.append(derive(domain, learned, self.cloud))
        return combine(domain, results, given_tenant=tenant)


@contextlib.asynccontextmanager
async def open_finder(options: LookupOptions) -> AsyncIterator[HostFinder]:
    """A :class:`HostFinder` with the clients ``options.sources`` need, closed on exit."""
    cloud = get_cloud(options.cloud)
    sources = check_sources(options.sources, allow_none=True)
    async with contextlib.AsyncExitStack() as stack:
        graph = dns = None
        if "graph" in sources:
            from .graph import GraphHosts
            from .graphclient import GraphClient

            client = GraphClient(cloud, base_url=options.graph_url, credential=options.credential,
                                 timeout=options.timeout, device_code=options.device_code)
            await stack.enter_async_context(client)
            graph = GraphHosts(client, cloud)
        dns_options = options.dns
        if "published" in sources:
            from ..dns.options import DnsOptions, make_client

            dns_options = dns_options or DnsOptions(timeout=options.timeout)
            dns = await stack.enter_async_context(make_client(dns_options))
        yield HostFinder(cloud, graph=graph, dns=dns, dns_options=dns_options)


async def find_all(finder: HostFinder, requests: Iterable[HostRequest | MxSplitError],
                   concurrency: int = 8) -> AsyncIterator[HostsResult | MxSplitError]:
    """Results in input order, ``concurrency`` domains at a time; a bad row yields its error.

    ``requests`` is read lazily, at most a few windows ahead of the results, so a long file
    keeps memory flat; an :class:`MxSplitError` in it (a row that could not be read) is
    yielded in its place.
    """
    gate = asyncio.Semaphore(concurrency)

    async def one(request: HostRequest) -> HostsResult | MxSplitError:
        async with gate:
            try:
                return await finder.find(request)
            except MxSplitError as exc:
                return exc

    window = max(2 * concurrency, 8)
    pending: deque[asyncio.Future[HostsResult | MxSplitError]] = deque()
    items = iter(requests)
    try:
        while True:
            while len(pending) < window and (item := next(items, None)) is not None:
                if isinstance(item, MxSplitError):
                    done: asyncio.Future[HostsResult | MxSplitError] = asyncio.get_running_loop().create_future()
                    done.set_result(item)
                    pending.append(done)
                else:
                    pending.append(asyncio.ensure_future(one(item)))
            if not pending:
                return
            yield await pending[0]
            pending.popleft()
    finally:
        for task in pending:
            task.cancel()


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
