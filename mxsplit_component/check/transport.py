"""An asyncio DNS client: one UDP socket per nameserver, replies matched by id, TCP on truncation.

dnspython builds and parses every message; this module only moves bytes. Compared with
``dns.asyncresolver`` it avoids a socket and a resolver set-up per query, which is what
makes checking thousands of domains cheap. Every lookup is bounded by ``timeout`` seconds
in total, retries and the TCP fallback included (dnspython's ``lifetime``).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from .wire import Query, Reply

#: EDNS payload size recommended by DNS Flag Day 2020: avoids IP fragmentation.
EDNS_PAYLOAD = 1232
#: Queries outstanding at once per client. Each queued reply costs ~1-2 KiB of socket
#: buffer (truesize); we ask for RCVBUF below, and Linux caps it at net.core.rmem_max
#: (208 KiB by default), so stay below what even the default holds.
MAX_IN_FLIGHT = 128
RCVBUF = 1 << 20


@dataclass(frozen=True)
class Nameserver:
    host: str
    port: int = 53

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass
class Answer:
    """The outcome of one lookup. ``error`` is set when no usable answer came back."""

    qname: str
    rdtype: str
    rcode: str | None = None
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)
    additional: list[dns.rrset.RRset] = field(default_factory=list)
    error: str | None = None
    server: str | None = None
    tcp: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.rcode in ("NOERROR", "NXDOMAIN")


def _read_full(request: dns.message.Message, data: bytes) -> dns.message.Message | None:
    try:
        reply = dns.message.from_wire(data, ignore_trailing=True)
    except dns.exception.DNSException:
        return None
    return reply if request.is_response(reply) else None


@dataclass
class Stats:
    queries: int = 0
    udp_sent: int = 0
    tcp: int = 0
    timeouts: int = 0


class _UdpChannel(asyncio.DatagramProtocol):
    """One connected UDP socket; replies are routed to waiting queries by message id.

    A datagram is accepted only if it answers the waiting query's question (the matcher
    returns a reply, not ``None``); strays and spoofs with a matching id are dropped here,
    so the real reply arriving right behind them is never lost.
    """

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: dict[int, tuple[Callable[[bytes], Any], asyncio.Future[Any]]] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) < 12:
            return
        waiting = self.pending.get(int.from_bytes(data[:2], "big"))
        if waiting is None or waiting[1].done():
            return
        matcher, fut = waiting
        reply = matcher(data)
        if reply is not None:
            fut.set_result(reply)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable and the like: fail every waiter on this socket fast.
        for _, fut in self.pending.values():
            if not fut.done():
                fut.set_exception(exc)

    def new_id(self) -> int:
        while True:
            qid = random.getrandbits(16)
            if qid not in self.pending:
                return qid


class DnsClient:
    """Send queries to a fixed list of nameservers.

    :param nameservers: tried in order; a lookup moves to the next one after ``retry`` seconds
        without a reply, and comes back round until ``timeout`` runs out.
    :param timeout: total seconds per lookup, retries included.
    :param recursion: set RD (false when talking to authoritative servers).
    """

    def __init__(self, nameservers: Sequence[Nameserver], *, timeout: float = 5.0, retry: float | None = None,
                 recursion: bool = True, max_in_flight: int = MAX_IN_FLIGHT) -> None:
        if not nameservers:
            raise ValueError("no nameservers to query")
        self.nameservers = list(nameservers)
        self.timeout = timeout
        self.retry = retry if retry is not None else max(0.2, min(1.0, timeout / 3))
        self.recursion = recursion
        self.stats = Stats()
        self._channels: dict[Nameserver, _UdpChannel] = {}
        self._opening: dict[Nameserver, asyncio.Future[_UdpChannel]] = {}
        # Bounded in-flight queries: a burst of replies larger than the socket's receive
        # buffer is dropped by the kernel and costs a retry interval each.
        self._slots = asyncio.Semaphore(max_in_flight)

    async def _channel(self, ns: Nameserver) -> _UdpChannel:
        chan = self._channels.get(ns)
        if chan is not None:
            return chan
        if ns not in self._opening:
            loop = asyncio.get_running_loop()
            fut: asyncio.Future[_UdpChannel] = loop.create_future()
            self._opening[ns] = fut
            try:
                family = socket.AF_INET6 if ":" in ns.host else socket.AF_INET
                transport, proto = await loop.create_datagram_endpoint(_UdpChannel, remote_addr=(ns.host, ns.port),
                                                                       family=family)
                sock = transport.get_extra_info("socket")
                if sock is not None:
                    with contextlib.suppress(OSError):  # best effort: the kernel caps it anyway
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
                self._channels[ns] = proto
                fut.set_result(proto)
            except OSError as exc:
                fut.set_exception(exc)
                del self._opening[ns]
                raise
        return await asyncio.shield(self._opening[ns])

    def _full_query(self, qname: str, rdtype: str) -> dns.message.Message:
        q = dns.message.make_query(qname, rdtype, use_edns=0, payload=EDNS_PAYLOAD)
        if not self.recursion:
            q.flags &= ~dns.flags.RD
        return q

    async def query(self, qname: str, rdtype: str, *, full: bool = False) -> Answer:
        """Look up ``qname``/``rdtype``. Never raises for DNS trouble: see ``Answer.error``.

        :param full: parse every section (``authority``, ``additional``); by default only
            the answer section is decoded (:mod:`.wire`), which is all the checks read.
        """
        self.stats.queries += 1
        result = Answer(qname, rdtype)
        lean = None if full else Query(qname, dns.rdatatype.from_text(rdtype), recursion=self.recursion,
                                       payload=EDNS_PAYLOAD)
        request = self._full_query(qname, rdtype) if full else None
        deadline = time.monotonic() + self.timeout
        attempt, last_error = 0, "timed out"
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ns = self.nameservers[attempt % len(self.nameservers)]
            attempt += 1
            try:
                async with self._slots:
                    reply = await self._udp(lean or request, ns, min(self.retry, remaining))  # type: ignore[arg-type]
            except asyncio.TimeoutError:
                self.stats.timeouts += 1
                last_error = f"no answer from {ns} within {self.timeout:g}s"
                continue
            except (OSError, dns.exception.DNSException) as exc:
                last_error = f"{ns}: {exc or type(exc).__name__}"
                # A refused socket answers at once; wait a little before going round again.
                await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
                continue
            if reply.flags & dns.flags.TC:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    self.stats.tcp += 1
                    reply = await dns.asyncquery.tcp(request or self._full_query(qname, rdtype), ns.host,
                                                     timeout=remaining, port=ns.port)
                    result.tcp = True
                except (OSError, EOFError, dns.exception.DNSException) as exc:
                    last_error = f"{ns}: truncated over UDP and TCP failed ({exc or type(exc).__name__})"
                    continue
            return self._fill(result, reply, ns)
        result.error = last_error
        return result

    async def _udp(self, request: Query | dns.message.Message, ns: Nameserver, wait: float) -> Any:
        chan = await self._channel(ns)
        qid = chan.new_id()
        matcher: Callable[[bytes], Any]
        if isinstance(request, Query):
            wire, matcher = request.wire(qid), request.read
        else:
            request.id = qid
            wire, matcher = request.to_wire(), partial(_read_full, request)
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        chan.pending[qid] = (matcher, fut)
        try:
            assert chan.transport is not None
            chan.transport.sendto(wire)
            self.stats.udp_sent += 1
            return await asyncio.wait_for(fut, wait)
        finally:
            chan.pending.pop(qid, None)

    @staticmethod
    def _fill(result: Answer, reply: Any, ns: Nameserver) -> Answer:
        result.server = str(ns)
        if isinstance(reply, Reply):
            result.rcode = dns.rcode.to_text(dns.rcode.Rcode(reply.rcode))
            result.answer = reply.answer  # type: ignore[assignment]
        else:
            result.rcode = dns.rcode.to_text(reply.rcode())
            result.answer = list(reply.answer)
            result.authority = list(reply.authority)
            result.additional = list(reply.additional)
        if result.rcode not in ("NOERROR", "NXDOMAIN"):
            result.error = f"{ns} answered {result.rcode}"
        return result

    def close(self) -> None:
        for chan in self._channels.values():
            if chan.transport is not None:
                chan.transport.close()
        self._channels.clear()
        self._opening.clear()

    async def __aenter__(self) -> DnsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


def parse_nameserver(text: str, default_port: int = 53) -> Nameserver:
    """``IP``, ``IP:PORT``, ``IPv6`` or ``[IPv6]:PORT``.

    :raises ValueError: with a message that shows the accepted forms.
    """
    import ipaddress

    forms = "use IP, IP:PORT or [IPv6]:PORT, e.g. 127.0.0.1:5353"
    value = text.strip()
    host, port = value, default_port
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"--nameserver {text!r} is malformed; {forms}")
        if rest:
            port = _port(rest[1:], text, forms)
    elif value.count(":") == 1:
        host, _, p = value.partition(":")
        port = _port(p, text, forms)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"--nameserver {text!r} is not an IP address; {forms}") from None
    return Nameserver(host, port)


def _port(text: str, original: str, forms: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"--nameserver {original!r} has a bad port; {forms}")
    return int(text)


def system_nameservers() -> list[Nameserver]:
    """The system resolver's nameservers (``/etc/resolv.conf``), as dnspython reads them."""
    import dns.resolver

    try:
        resolver = dns.resolver.Resolver()
    except dns.resolver.NoResolverConfiguration:
        return []
    return [Nameserver(str(ns), resolver.port) for ns in resolver.nameservers]
