"""Authoritative servers found once per run, and one client per set of them.

``--authoritative`` asks each domain's own servers. In a bulk run, finding them for every
row and building a client per row made a dead server cost every row a retry interval: the
client that learns a server is down was thrown away with the row. Here each domain's
servers are looked up once (concurrent rows for the same domain wait for one lookup), and
every row whose servers are the same set shares one client, so what it learns about a dead
server serves the whole run.
"""

from __future__ import annotations

import asyncio

from .nameservers import Nameserver
from .observe import find_authoritative
from .options import DnsOptions, authoritative_client
from .transport import DnsClient


class Authorities:
    """Per run: ``await authorities.client_for(domain)``; :meth:`close` the clients at the end.

    :param resolver: the client that finds the servers (NS and their addresses).
    """

    def __init__(self, resolver: DnsClient, options: DnsOptions) -> None:
        self.resolver = resolver
        self.options = options
        self._servers: dict[str, asyncio.Future[tuple[Nameserver, ...]]] = {}
        self._clients: dict[frozenset[Nameserver], DnsClient] = {}

    async def servers(self, domain: str) -> tuple[Nameserver, ...]:
        """The domain's authoritative servers. :raises LookupError: when they cannot be found."""
        future = self._servers.get(domain)
        if future is None:
            future = self._servers[domain] = asyncio.ensure_future(self._find(domain))
        return await asyncio.shield(future)

    async def _find(self, domain: str) -> tuple[Nameserver, ...]:
        return tuple(await find_authoritative(domain, self.resolver, self.options.port))

    def forget(self, domain: str) -> None:
        """Look ``domain``'s servers up again next time (a poll that found none yet)."""
        future = self._servers.get(domain)
        if future is not None and future.done():
            del self._servers[domain]

    async def client_for(self, domain: str) -> DnsClient:
        """The shared client for ``domain``'s servers. :raises LookupError: as :meth:`servers`."""
        servers = await self.servers(domain)
        key = frozenset(servers)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = authoritative_client(list(servers), self.options)
        return client

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        for future in self._servers.values():
            future.cancel()
        self._servers.clear()


__all__ = ["Authorities"]
