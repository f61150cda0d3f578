"""The floor: the least a Python asyncio client must do for the bulk check's five questions.

One datagram endpoint, a future per query matched by id, the domains a fixed number at a time, and the
project's own reply decoding (``wire.Query.read``); one sweep a second resends what went
unanswered (a dropped datagram would otherwise hang it); no timeouts, no findings, no
report. Nothing written in Python on asyncio can check a domain for much less.

Run: python -m bench.floor CSV NAMESERVER PORT CONCURRENCY OUT
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from typing import Any

from mxsplit_component.dns.wire import AAAA, MX, A, Query, Reply

from .baselines import hosts, rows

TYPES = {"MX": MX, "A": A, "AAAA": AAAA}


class Client(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.pending: dict[int, tuple[Query, asyncio.Future[Reply], bytes, float]] = {}
        self.transport: Any = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.loop.call_later(1.0, self.sweep)

    def sweep(self) -> None:
        old = self.loop.time() - 1.0
        for _, _, wire, sent in list(self.pending.values()):
            if sent < old:
                self.transport.sendto(wire)
        self.loop.call_later(1.0, self.sweep)

    def datagram_received(self, data: bytes, addr: object) -> None:
        waiting = self.pending.get(int.from_bytes(data[:2], "big"))
        if waiting is not None:
            reply = waiting[0].read(data)
            if reply is not None and not waiting[1].done():
                del self.pending[int.from_bytes(data[:2], "big")]
                waiting[1].set_result(reply)

    async def ask(self, name: str, rdtype: str) -> list[Any]:
        query = Query(name, TYPES[rdtype], recursion=True, payload=1232)
        qid = random.getrandbits(16)
        while qid in self.pending:
            qid = random.getrandbits(16)
        fut: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        wire = query.wire(qid)
        self.pending[qid] = (query, fut, wire, self.loop.time())
        self.transport.sendto(wire)
        reply = await fut
        return [value for _, t, value in reply.records if t == TYPES[rdtype]]


async def run(path: str, ns: str, port: int, concurrency: int, out: str) -> None:
    loop = asyncio.get_running_loop()
    _, client = await loop.create_datagram_endpoint(Client, remote_addr=(ns, port))
    gate = asyncio.Semaphore(concurrency)

    async def one(domain: str, tenant: str) -> dict[str, Any]:
        v4, ds = hosts(domain, tenant)
        async with gate:
            mx, a1, q1, a2, q2 = await asyncio.gather(client.ask(domain, "MX"), client.ask(v4, "A"),
                                                      client.ask(v4, "AAAA"), client.ask(ds, "A"),
                                                      client.ask(ds, "AAAA"))
        return {"domain": domain, "mx": sorted([p, h] for p, h in mx),
                "addresses": {v4: {"ipv4": sorted(a1), "ipv6": sorted(q1)}, ds: {"ipv4": sorted(a2), "ipv6": sorted(q2)}}}

    results = await asyncio.gather(*(one(d, t) for d, t in rows(path)))
    with open(out, "w") as fh:
        for r in results:
            fh.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    path, ns, port, conc, out = sys.argv[1:6]
    asyncio.run(run(path, ns, int(port), int(conc), out))
