"""A resolver that throttles: a UDP proxy with a token bucket in front of a real server.

Public and corporate resolvers limit each client to a rate with a small burst, and drop or
refuse what goes over it. This stand-in does the same in front of, say, a
:class:`~mxsplit_component.testing.bind.BindServer`: ``rate`` queries per second with a
bucket of ``burst``; a query over the limit is dropped (``mode="drop"``) or answered
REFUSED (``mode="refuse"``). Only forwarded queries take a token. Query ids are rewritten
so one upstream socket serves every client.

In a program: ``with Throttle(upstream_port, rate=500, burst=50) as t: ... t.port``.
As a process (the benchmarks): ``python -m mxsplit_component.testing.throttle LISTEN_PORT
UPSTREAM_PORT RATE BURST MODE COUNTS`` prints ``ready`` and, on SIGTERM, writes its counts
to COUNTS as JSON.
"""

from __future__ import annotations

import json
import selectors
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass

#: Socket buffers: the stand-in must not drop for lack of room (that would be its fault).
BUFFER = 1 << 22
MODES = ("drop", "refuse")


@dataclass
class Counts:
    received: int = 0
    forwarded: int = 0
    #: Queries over the limit (dropped or refused, by mode).
    limited: int = 0


def refused(query: bytes) -> bytes | None:
    """A REFUSED reply to ``query`` (its question echoed, nothing else), or ``None`` when it
    is not a query with one question that can be echoed."""
    if len(query) < 12:
        return None
    qid, flags, qdcount = struct.unpack_from("!HHH", query)
    if flags & 0x8000 or qdcount != 1:
        return None
    end = 12
    while end < len(query) and query[end]:  # the question's name (queries carry no pointers)
        end += query[end] + 1
    end += 5  # the root label, type and class
    if end > len(query):
        return None
    reply_flags = 0x8000 | (flags & 0x7900) | 0x0080 | 5  # QR, opcode and RD kept, RA, REFUSED
    return struct.pack("!HHHHHH", qid, reply_flags, 1, 0, 0, 0) + query[12:end]


def queries(front: socket.socket) -> Iterator[tuple[bytes, tuple[str, int]]]:
    """Every datagram waiting on the non-blocking ``front`` socket (read until empty) long
    enough to hold a DNS header, with its sender."""
    while True:
        try:
            data, client = front.recvfrom(65535)
        except BlockingIOError:
            return
        if len(data) >= 12:
            yield data, client


class QueryIds:
    """The query ids of a relay that asks one upstream socket for every client: each query
    forwarded gets a free id upstream, and its reply goes back with the client's own id."""

    def __init__(self) -> None:
        self._pending: dict[int, tuple[tuple[str, int], bytes]] = {}
        self._next_id = 0

    def outbound(self, query: bytes, client: tuple[str, int]) -> bytes | None:
        """``query`` with an upstream id of its own; ``None`` when all 65,536 are waiting."""
        for _ in range(65536):
            self._next_id = (self._next_id + 1) & 0xFFFF
            if self._next_id not in self._pending:
                self._pending[self._next_id] = (client, query[:2])
                return self._next_id.to_bytes(2, "big") + query[2:]
        return None

    def replies(self, upstream: socket.socket) -> Iterator[tuple[bytes, tuple[str, int]]]:
        """Every reply waiting on the non-blocking ``upstream`` socket (read until empty), each
        with its client's id, and that client."""
        while True:
            try:
                data = upstream.recv(65535)
            except BlockingIOError:
                return
            except ConnectionRefusedError:
                continue
            back = self.inbound(data)
            if back is not None:
                yield back

    def inbound(self, reply: bytes) -> tuple[bytes, tuple[str, int]] | None:
        """``reply`` with its client's id, and that client; ``None`` for a reply nobody waits for."""
        entry = self._pending.pop(int.from_bytes(reply[:2], "big"), None)
        if entry is None:
            return None
        client, qid = entry
        return qid + reply[2:], client


class Throttle:
    """The proxy, served from a thread (:meth:`start`/:meth:`stop`, or ``with``)."""

    def __init__(self, upstream_port: int, *, rate: float, burst: int, mode: str = "drop",
                 upstream: str = "127.0.0.1", address: str = "127.0.0.1", port: int = 0) -> None:
        if mode not in MODES:
            raise ValueError(f"mode {mode!r}: use one of {', '.join(MODES)}")
        self.rate, self.burst, self.mode = float(rate), float(burst), mode
        self.front = self._socket()
        self.front.bind((address, port))
        self.port = self.front.getsockname()[1]
        self.back = self._socket()
        self.back.connect((upstream, upstream_port))
        self.counts = Counts()
        self._tokens, self._at = self.burst, time.monotonic()
        self._ids = QueryIds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.serve, daemon=True)

    @staticmethod
    def _socket() -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for opt in (socket.SO_RCVBUF, socket.SO_SNDBUF):
            sock.setsockopt(socket.SOL_SOCKET, opt, BUFFER)
        sock.setblocking(False)
        return sock

    def _take(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def _from_client(self) -> None:
        for data, addr in queries(self.front):
            self.counts.received += 1
            if not self._take():
                self.counts.limited += 1
                reply = refused(data) if self.mode == "refuse" else None
                if reply is not None:
                    self.front.sendto(reply, addr)
                continue
            forward = self._ids.outbound(data, addr)
            if forward is not None:
                self.counts.forwarded += 1
                self.back.send(forward)

    def _from_upstream(self) -> None:
        for reply, client in self._ids.replies(self.back):
            self.front.sendto(reply, client)

    def serve(self) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(self.front, selectors.EVENT_READ, self._from_client)
            sel.register(self.back, selectors.EVENT_READ, self._from_upstream)
            while not self._stop.is_set():
                for key, _ in sel.select(0.05):
                    key.data()

    def start(self) -> Throttle:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.front.close()
        self.back.close()

    def __enter__(self) -> Throttle:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str]) -> None:
    listen, upstream, rate, burst, mode, counts = argv
    throttle = Throttle(int(upstream), rate=float(rate), burst=int(burst), mode=mode, port=int(listen))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with throttle:
        print("ready", flush=True)
        while not stop.wait(0.2):
            pass
    with open(counts, "w") as fh:
        json.dump(asdict(throttle.counts), fh)


if __name__ == "__main__":
    main(sys.argv[1:])
