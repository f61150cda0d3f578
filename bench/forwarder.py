"""A latency-injecting DNS forwarder (UDP and TCP) for the benchmarks: bench-only code.

Real resolvers are milliseconds away; the kernel here has no netem. Each reply is held
for ``--delay-ms`` before it goes back to the client. Query ids are rewritten so one
upstream socket serves every client. Run: python -m bench.forwarder LISTEN_PORT UPSTREAM_PORT DELAY_MS
"""

from __future__ import annotations

import asyncio
import itertools
import sys


class UdpForwarder(asyncio.DatagramProtocol):
    def __init__(self, upstream: tuple[str, int], delay: float) -> None:
        self.upstream_addr = upstream
        self.delay = delay
        self.pending: dict[int, tuple[tuple[str, int], bytes]] = {}
        self.ids = itertools.cycle(range(65536))
        self.transport: asyncio.DatagramTransport | None = None
        self.upstream: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) < 12 or self.upstream is None:
            return
        new_id = next(self.ids)
        self.pending[new_id] = (addr, data[:2])
        self.upstream.sendto(new_id.to_bytes(2, "big") + data[2:])

    def reply(self, data: bytes) -> None:
        entry = self.pending.pop(int.from_bytes(data[:2], "big"), None)
        if entry is None or self.transport is None:
            return
        addr, orig = entry
        asyncio.get_running_loop().call_later(self.delay, self.transport.sendto, orig + data[2:], addr)


class Upstream(asyncio.DatagramProtocol):
    def __init__(self, fwd: UdpForwarder) -> None:
        self.fwd = fwd

    def datagram_received(self, data: bytes, addr: object) -> None:
        self.fwd.reply(data)


async def tcp_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upstream: tuple[str, int],
                     delay: float) -> None:
    up_r, up_w = await asyncio.open_connection(*upstream)
    try:
        while True:
            size = await reader.readexactly(2)
            up_w.write(size + await reader.readexactly(int.from_bytes(size, "big")))
            rsize = await up_r.readexactly(2)
            body = await up_r.readexactly(int.from_bytes(rsize, "big"))
            await asyncio.sleep(delay)
            writer.write(rsize + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        up_w.close()
        writer.close()


async def serve(listen: int, upstream_port: int, delay_ms: float) -> None:
    loop = asyncio.get_running_loop()
    upstream = ("127.0.0.1", upstream_port)
    delay = delay_ms / 1000
    fwd = UdpForwarder(upstream, delay)
    await loop.create_datagram_endpoint(lambda: fwd, local_addr=("127.0.0.1", listen))
    up_transport, _ = await loop.create_datagram_endpoint(lambda: Upstream(fwd), remote_addr=upstream)
    fwd.upstream = up_transport
    server = await asyncio.start_server(lambda r, w: tcp_client(r, w, upstream, delay), "127.0.0.1", listen)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
