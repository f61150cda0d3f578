"""Moving bytes: one connected UDP socket per nameserver, drained whole when readable.

asyncio's datagram transport reads one datagram per event-loop wake into a fresh 256 KiB
buffer; here the socket is read until empty on each wake. Sends are queued and go out
together when the transport flushes: right after a drain while the server is still busy
with the previous batch, rather than one by one. On loopback a query to an idle server
wakes it, and the woken server took the client's core for every single query (one
preemption per send: the bulk check spent more time there than in its own code).
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


#: Called with (owner, channel, reply or the socket's error, when the answered send went out,
#: when the reply was read).
Deliver = Callable[[Any, "UdpChannel", Any, float, float], None]
#: Called after each drain, once every reply read has been delivered.
Drained = Callable[[], None]


class UdpChannel:
    """One connected, non-blocking UDP socket; replies are routed to their sender by message id.

    The socket is connected, so the kernel drops datagrams from any other address or port.
    A datagram is accepted only if it answers the waiting query's question (its
    :class:`Question` returns a reply, not ``None``); strays, garbage and spoofs with a
    matching id are dropped here, so the real reply arriving right behind them is never lost.

    Besides the socket it keeps what the transport reads about the server: replies heard,
    answers among them, sends unanswered in a row, and when to probe it again if down.
    """

    __slots__ = ("ns", "key", "sock", "pending", "clock", "deliver", "drained", "outbox", "heard", "answered",
                 "misses", "probe_at", "error_share", "_buffer")

    def __init__(self, ns: Nameserver, sock: socket.socket, clock: Callable[[], float], deliver: Deliver,
                 drained: Drained) -> None:
        self.ns, self.key, self.sock = ns, str(ns), sock
        self.clock, self.deliver, self.drained = clock, deliver, drained
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
        #: Datagrams are read into this and copied out at their size: reading each into a
        #: fresh 64 KiB object and shrinking it fragments the heap (a burst of replies held
        #: at once grew the process by megabytes that were never given back).
        self._buffer = memoryview(bytearray(MAX_DATAGRAM))

    @classmethod
    def open(cls, ns: Nameserver, loop: asyncio.AbstractEventLoop, deliver: Deliver, drained: Drained) -> UdpChannel:
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
        chan = cls(ns, sock, loop.time, deliver, drained)
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

    @property
    def outstanding(self) -> bool:
        """Whether sent queries await replies (a drain, and with it a flush, is coming)."""
        return len(self.pending) > len(self.outbox)

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
        """Read every datagram waiting (one wake, many replies), then hand them over.

        The datagrams are read first and the queued queries go out before any reply is
        handled: the server sent these replies a moment ago and is likely still awake, so
        the new queries reach it without waking it (handling the replies takes long enough
        for it to fall asleep)."""
        recv_into, buffer = self.sock.recv_into, self._buffer
        batch = []
        error: OSError | None = None
        while True:
            try:
                batch.append(buffer[:recv_into(buffer)].tobytes())
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:  # ICMP port unreachable and the like
                error = exc
                break
        if self.outbox:
            self.flush()
        pending, deliver, now = self.pending, self.deliver, self.clock()
        for data in batch:
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
                deliver(owner, self, reply, sent_at, now)
        if error is not None:
            self.fail(error)  # this server is out for every query still waiting on it
        self.drained()

    def fail(self, exc: Exception) -> None:
        """Deliver ``exc`` to every owner waiting on this server (once each)."""
        owners = {id(owner): (owner, sent_at) for owner, _, sent_at in self.pending.values()}
        now = self.clock()
        for owner, sent_at in owners.values():
            self.deliver(owner, self, exc, sent_at, now)

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
