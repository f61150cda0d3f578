"""A latency-injecting DNS forwarder (UDP and TCP) for the benchmarks: bench-only code.

Real resolvers are milliseconds away; the kernel here has no netem. Each reply is held
for ``DELAY_MS`` before it goes back to the client. Query ids are rewritten so one
upstream socket serves every client. The forwarder must not be the bottleneck it
measures: its sockets get large buffers and are read until empty on each wake. On exit
(SIGTERM) it writes how many client queries it received and how many it dropped for
lack of a free id to COUNTS as JSON.

Run: python -m bench.forwarder LISTEN_PORT UPSTREAM_PORT DELAY_MS COUNTS
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys

from mxsplit_component.testing.throttle import QueryIds, queries

BUFFER = 1 << 22


def udp_socket(bind: tuple[str, int] | None = None, connect: tuple[str, int] | None = None) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for opt in (socket.SO_RCVBUF, socket.SO_SNDBUF):
        sock.setsockopt(socket.SOL_SOCKET, opt, BUFFER)
    sock.setblocking(False)
    if bind:
        sock.bind(bind)
    if connect:
        sock.connect(connect)
    return sock


class UdpForwarder:
    def __init__(self, listen: int, upstream: tuple[str, int], delay: float) -> None:
        self.loop = asyncio.get_running_loop()
        self.delay = delay
        self.front = udp_socket(bind=("127.0.0.1", listen))
        self.back = udp_socket(connect=upstream)
        self.ids = QueryIds()
        self.received = self.no_id = 0
        self.loop.add_reader(self.front.fileno(), self.from_client)
        self.loop.add_reader(self.back.fileno(), self.from_upstream)

    def from_client(self) -> None:
        for data, addr in queries(self.front):
            self.received += 1
            forward = self.ids.outbound(data, addr)
            if forward is None:
                self.no_id += 1
                continue
            self.back.send(forward)

    def from_upstream(self) -> None:
        for reply, client in self.ids.replies(self.back):
            self.loop.call_later(self.delay, self.front.sendto, reply, client)


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


async def serve(listen: int, upstream_port: int, delay_ms: float, counts: str) -> None:
    loop = asyncio.get_running_loop()
    upstream = ("127.0.0.1", upstream_port)
    delay = delay_ms / 1000
    fwd = UdpForwarder(listen, upstream, delay)
    server = await asyncio.start_server(lambda r, w: tcp_client(r, w, upstream, delay), "127.0.0.1", listen)
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    print("ready", flush=True)
    async with server:
        await stop
    with open(counts, "w") as fh:
        json.dump({"received": fwd.received, "no_id": fwd.no_id}, fh)


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]))
