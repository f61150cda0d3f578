"""The recipient side of ``mxsplit sender --to DOMAIN``: the MX set a domain publishes today
and its hosts' addresses, so the sender's profiles can be simulated against it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from ..core.plan import MxRecord
from ..dns.observe import NULL_MX, HostLookup, lookup_host, parse_mx
from ..dns.transport import DnsClient
from ..simulation.inputs import Routing, observed


@dataclass(frozen=True)
class Recipient:
    domain: str
    #: ``None`` when the MX lookup failed: unknown, not empty.
    records: tuple[MxRecord, ...] | None
    #: What a sender is simulated over, as ``check`` routes: never over what could not be learned
    #: (``routing.skipped`` then says why).
    routing: Routing
    #: Why the published set is unknown or incomplete (a lookup failed, NXDOMAIN).
    errors: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"domain": self.domain,
                "published": None if self.records is None else [r.as_dict() for r in self.records],
                "addresses": {h: {"ipv4": list(a.ipv4), "ipv6": list(a.ipv6)}
                              for h, a in self.routing.addresses.items()},
                "errors": list(self.errors)}


async def published(domain: str, client: DnsClient) -> Recipient:
    answer = await client.query(domain, "MX")
    records, nxdomain = parse_mx(answer)
    if records is None:
        if nxdomain:
            return Recipient(domain, (), observed((), {}, nxdomain=True), (f"{domain} does not exist (NXDOMAIN)",))
        return Recipient(domain, None, observed((), {}, mx_error=answer.error),
                         (f"{domain} MX lookup failed ({answer.error})",))
    hosts = list(dict.fromkeys(r.exchange for r in records if r.exchange != NULL_MX))

    async def lookup(host: str) -> tuple[str, HostLookup]:
        return host, await lookup_host(client, host)

    looked = dict(await asyncio.gather(*(lookup(h) for h in hosts)))
    errors = tuple(e for found in looked.values() for e in found.errors)
    return Recipient(domain, tuple(records), observed(records, looked), errors)
