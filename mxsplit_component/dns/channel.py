"""Moving bytes: one connected UDP socket per nameserver, drained whole when readable.

asyncio's datagram transport reads one datagram per event-loop wake into a fresh 256 KiB
buffer; here the socket is read until empty on each wake. Sends are queued and go out
together when the transport flushes, once per loop pass: a server is woken once for a
batch of queries rather than once per query (on loopback each wake cost more CPU than
the send itself).
"""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import Callable
from typing import Any, Protocol

import dns.asyncquery
import dns.message

from .nameservers import Nameserver

#: Receive buffer asked for: a burst of replies larger than it is dropped by the kernel and
#: costs a resend each (Linux caps it at net.core.rmem_max).
RCVBUF = 1 << 21
#: Largest datagram read (the largest UDP payload).
MAX_DATAGRAM = 65535


class Question(Protocol):
    """A query's wire form per message id, and the matcher for its replies."""

    def wire(self, qid: int) -> bytes: ...

    def read(self, data: bytes) -> Any | None: ...


#: Called with (owner, channel, reply or the socket's error, when the answered send went out).
Deliver = Callable[[Any, "UdpChannel", Any, float], None]


class UdpChannel:
    """One connected, non-blocking UDP socket; replies are routed to their sender by message id.

    The socket is connected, so the kernel drops datagrams from any other address or port.
    A datagram is accepted only if it answers the waiting query's question (its
    :class:`Question` returns a reply, not ``None``); strays, garbage and spoofs with a
    matching id are dropped here, so the real reply arriving right behind them is never lost.

    Besides the socket it keeps what the transport reads about the server: replies heard,
    answers among them, sends unanswered in a row, and when to probe it again if down.
    """

    __slots__ = ("ns", "key", "sock", "pending", "deliver", "outbox", "heard", "answered", "misses", "probe_at",
                 "error_share")

    def __init__(self, ns: Nameserver, sock: socket.socket, deliver: Deliver) -> None:
        self.ns, self.key, self.sock, self.deliver = ns, str(ns), sock, deliver
        #: Message id -> (owner, question, when sent).
        self.pending: dict[int, tuple[Any, Question, float]] = {}
        self.outbox: list[bytes] = []
        #: Replies accepted from this server; answers (NOERROR, NXDOMAIN) among them.
        self.heard = self.answered = 0
        #: Sends unanswered in a row (no reply to anything else meanwhile).
        self.misses = 0
        self.probe_at = 0.0
        #: Recent share of REFUSED/SERVFAIL among its replies (a moving average).
        self.error_share = 0.0

    @classmethod
    def open(cls, ns: Nameserver, loop: asyncio.AbstractEventLoop, deliver: Deliver) -> UdpChannel:
        """A channel to ``ns``, read whenever ``loop`` sees it readable.

        :raises OSError: with a sentence saying why, when the socket cannot be set up.
        """
        family = socket.AF_INET6 if ":" in ns.host else socket.AF_INET
        try:
            sock = socket.socket(family, socket.SOCK_DGRAM)
        except OSError as exc:
            raise OSError(f"cannot open a UDP socket to it ({exc.strerror or exc})") from None
        try:
            sock.setblocking(False)
            try:  # best effort: the kernel caps it at net.core.rmem_max anyway
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
            except OSError:
                pass
            sock.connect((ns.host, ns.port))
        except OSError as exc:
            sock.close()
            raise OSError(f"cannot open a UDP socket to it ({exc.strerror or exc})") from None
        chan = cls(ns, sock, deliver)
        loop.add_reader(sock.fileno(), chan.readable)
        return chan

    def send(self, owner: Any, question: Question, now: float) -> int:
        """Queue ``question`` under a fresh message id (returned); it goes out at :meth:`flush`."""
        pending = self.pending
        qid = random.getrandbits(16)
        while qid in pending:
            qid = random.getrandbits(16)
        pending[qid] = (owner, question, now)
        self.outbox.append(question.wire(qid))
        return qid

    def forget(self, qid: int) -> None:
        """Replies to ``qid`` are no longer wanted."""
        self.pending.pop(qid, None)

    def flush(self) -> None:
        """Send everything queued. A full send queue drops a datagram (its loss timer sends
        it again); an error the kernel reports on a send (an earlier ICMP port unreachable)
        puts the server out for every query waiting on it."""
        out, self.outbox = self.outbox, []
        send = self.sock.send
        for data in out:
            try:
                send(data)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError as exc:
                self.fail(exc)
                return

    def readable(self) -> None:
        """Read every datagram waiting (one wake, many replies)."""
        recv, pending, deliver = self.sock.recv, self.pending, self.deliver
        while True:
            try:
                data = recv(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                # ICMP port unreachable and the like: this server is out for every waiting query.
                self.fail(exc)
                return
            if len(data) < 12:
                continue
            waiting = pending.get(data[0] << 8 | data[1])
            if waiting is None:
                continue
            owner, question, sent_at = waiting
            reply = question.read(data)
            if reply is not None:
                self.heard += 1
                self.misses = 0
                deliver(owner, self, reply, sent_at)

    def fail(self, exc: Exception) -> None:
        """Deliver ``exc`` to every owner waiting on this server (once each)."""
        owners = {id(owner): (owner, sent_at) for owner, _, sent_at in self.pending.values()}
        for owner, sent_at in owners.values():
            self.deliver(owner, self, exc, sent_at)

    def owners(self) -> list[Any]:
        """Every owner with a query waiting here."""
        return [owner for owner, _, _ in self.pending.values()]

    def close(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.remove_reader(self.sock.fileno())
        self.sock.close()
        self.pending.clear()
        self.outbox.clear()


async def ask_tcp(request: dns.message.Message, ns: Nameserver, timeout: float) -> dns.message.Message:
    """``request`` over TCP to ``ns`` (a truncated UDP reply's retry); raises as dnspython does."""
    return await dns.asyncquery.tcp(request, ns.host, timeout=timeout, port=ns.port)
