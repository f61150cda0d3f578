"""The honest floor: the bulk check's five questions per domain with ``loop.add_reader``.

One connected, non-blocking UDP socket; on each wake it is read until empty, every reply
is decoded only as far as the answer needs (header, question echo, the MX, A or AAAA
records), and the queries the freed slots allow go out together after the drain. Queries
are built from precomputed wire names; ids come from a counter. A sweep resends what went
unanswered for RESEND seconds (a dropped datagram would otherwise hang it; the benchmark
sets it a few round trips long, so a drop costs the floor little). No timeouts, no
findings, no report: nothing written in Python on asyncio does the same questions for less.

The answers are written as JSON lines (``domain``, ``mx``, ``addresses``) and checked
against the generated truth by :mod:`bench.bulk`, so it cannot cheat.

Run: python -m bench.reader_floor CSV NAMESERVER PORT WINDOW RESEND OUT
(``WINDOW``: queries in flight at most; ``RESEND``: seconds.)
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import sys
from typing import Any

from .baselines import hosts, rows

A, MX, AAAA = 1, 15, 28
HEADER = struct.Struct("!HHHHHH")
RR = struct.Struct("!HHIH")
EDNS = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)


def wire_name(name: str) -> bytes:
    return b"".join(bytes((len(label),)) + label.encode() for label in name.split(".")) + b"\0"


def read_name(data: bytes, pos: int) -> tuple[str, int]:
    labels = []
    after = -1
    while True:
        n = data[pos]
        if n == 0:
            pos += 1
            break
        if n >= 0xC0:
            if after < 0:
                after = pos + 2
            pos = (n & 0x3F) << 8 | data[pos + 1]
            continue
        labels.append(data[pos + 1:pos + 1 + n])
        pos += n + 1
    return b".".join(labels).decode().lower(), after if after >= 0 else pos


def skip_name(data: bytes, pos: int) -> int:
    while True:
        n = data[pos]
        if n == 0:
            return pos + 1
        if n >= 0xC0:
            return pos + 2
        pos += n + 1


def answers(data: bytes, qlen: int, rdtype: int) -> list[Any]:
    count = data[6] << 8 | data[7]
    pos = 12 + qlen
    out: list[Any] = []
    for _ in range(count):
        pos = skip_name(data, pos)  # owners are not read: the question was checked
        t, _, _, rdlen = RR.unpack_from(data, pos)
        pos += 10
        if t == rdtype:
            if t == A:
                out.append(socket.inet_ntop(socket.AF_INET, data[pos:pos + rdlen]))
            elif t == AAAA:
                out.append(socket.inet_ntop(socket.AF_INET6, data[pos:pos + rdlen]))
            else:
                out.append([data[pos] << 8 | data[pos + 1], read_name(data, pos + 2)[0]])
        pos += rdlen
    return out


class Floor:
    def __init__(self, sock: socket.socket, domains: list[tuple[str, str]], window: int, resend: float) -> None:
        self.loop = asyncio.get_running_loop()
        self.sock = sock
        self.window = window
        self.resend = resend
        self.todo = iter(enumerate(domains))
        #: Per domain: its hosts and the five answers (``None`` until in).
        self.results: list[tuple[str, str, str, list[Any]]] = []
        #: id -> (domain index, slot, question bytes, wire, sent at)
        self.pending: dict[int, tuple[int, int, bytes, bytes, float]] = {}
        self.next_id = 0
        self.left = len(domains)
        self.done = self.loop.create_future()
        self.queue: list[bytes] = []

    def start(self) -> None:
        self.loop.add_reader(self.sock.fileno(), self.readable)
        self.loop.call_later(self.resend, self.sweep)
        self.refill()
        self.flush()

    def refill(self) -> None:
        pending, now = self.pending, self.loop.time()
        while len(pending) + 5 <= self.window:
            item = next(self.todo, None)
            if item is None:
                return
            index, (domain, tenant) = item
            v4, ds = hosts(domain, tenant)
            self.results.append((domain, v4, ds, [None] * 5))
            d, h4, hd = wire_name(domain), wire_name(v4), wire_name(ds)
            for slot, question in enumerate((d + b"\0\x0f\0\x01", h4 + b"\0\x01\0\x01", h4 + b"\0\x1c\0\x01",
                                             hd + b"\0\x01\0\x01", hd + b"\0\x1c\0\x01")):
                qid = self.next_id = (self.next_id + 1) & 0xFFFF
                while qid in pending:
                    qid = self.next_id = (self.next_id + 1) & 0xFFFF
                wire = HEADER.pack(qid, 0x0100, 1, 0, 0, 1) + question + EDNS
                pending[qid] = (index, slot, question, wire, now)
                self.queue.append(wire)

    def flush(self) -> None:
        send = self.sock.send
        for wire in self.queue:
            try:
                send(wire)
            except BlockingIOError:
                break  # the sweep resends it
        self.queue.clear()

    def readable(self) -> None:
        recv, pending, results = self.sock.recv, self.pending, self.results
        while True:
            try:
                data = recv(65535)
            except BlockingIOError:
                break
            entry = pending.get(data[0] << 8 | data[1])
            if entry is None:
                continue
            index, slot, question, _, _ = entry
            end = 12 + len(question)
            if data[12:end] != question or not data[2] & 0x80 or data[3] & 0xF:
                continue
            del pending[data[0] << 8 | data[1]]
            slots = results[index][3]
            slots[slot] = answers(data, len(question), (MX, A, AAAA, A, AAAA)[slot])
            if None not in slots:
                self.left -= 1
        if self.left == 0:
            if not self.done.done():
                self.done.set_result(None)
            return
        self.refill()
        self.flush()

    def sweep(self) -> None:
        old = self.loop.time() - self.resend
        for qid, (index, slot, question, wire, sent) in list(self.pending.items()):
            if sent < old:
                self.pending[qid] = (index, slot, question, wire, self.loop.time())
                self.queue.append(wire)
        self.flush()
        self.loop.call_later(self.resend / 2, self.sweep)


async def run(path: str, ns: str, port: int, window: int, resend: float, out: str) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
    sock.setblocking(False)
    sock.connect((ns, port))
    floor = Floor(sock, rows(path), window, resend)
    floor.start()
    await floor.done
    with open(out, "w") as fh:
        for domain, v4, ds, (mx, a1, q1, a2, q2) in floor.results:
            fh.write(json.dumps({"domain": domain, "mx": sorted(mx),
                                 "addresses": {v4: {"ipv4": sorted(a1), "ipv6": sorted(q1)},
                                               ds: {"ipv4": sorted(a2), "ipv6": sorted(q2)}}}) + "\n")


if __name__ == "__main__":
    path, ns, port, window, resend, out = sys.argv[1:7]
    asyncio.run(run(path, ns, int(port), int(window), float(resend), out))
