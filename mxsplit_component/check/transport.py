"""An asyncio DNS client: one UDP socket per nameserver, replies matched by id, TCP on truncation.

dnspython builds and parses every message; this module only moves bytes. Compared with
``dns.asyncresolver`` it avoids a socket and a resolver set-up per query, which is what
makes checking thousands of domains cheap.

Interface other commands build on (``mxsplit check``, ``hosts --published``, ``check --smtp``):
``DnsClient(nameservers, timeout=…, recursion=…)`` is an async context manager, and
``await client.query(qname, rdtype, full=False)`` returns an :class:`Answer` and never
raises for DNS trouble. ``run.make_client(options)`` builds one from the check options.

How a lookup behaves (the promises ``--timeout`` makes):

- ``timeout`` bounds the lookup from its first send, retries and TCP included; waiting for
  an in-flight slot comes before that and never counts.
- A reply to *any* attempt of the lookup counts, so a server slower than the retry
  interval is still heard.
- SERVFAIL, REFUSED, NOTIMP and FORMERR (and an unreachable port) end that server's part:
  the lookup moves on to the next server in order. FORMERR to an EDNS query is first
  retried without EDNS, as dnspython's resolver does.
- At most :data:`MAX_TRIES` sends per lookup, so a server that truncates and refuses TCP
  cannot cause a retry storm.
- Every server's outcome is kept; a failed lookup reports all of them.
"""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from .wire import TC, Query, Reply

#: EDNS payload size recommended by DNS Flag Day 2020: avoids IP fragmentation.
EDNS_PAYLOAD = 1232
#: Lookups outstanding at once per client. Each queued reply costs ~1-2 KiB of socket
#: buffer (truesize); we ask for RCVBUF below, and Linux caps it at net.core.rmem_max
#: (208 KiB by default), so stay below what even the default holds.
MAX_IN_FLIGHT = 128
RCVBUF = 1 << 20
#: Sends per lookup (UDP retransmits, the EDNS fallback and TCP together).
MAX_TRIES = 20
#: Server outcomes that are an answer (everything else moves on to the next server).
ANSWERED = ("NOERROR", "NXDOMAIN")
_ANSWERED_TEXT = {r: f"answered {r}" for r in ANSWERED}
_RCODE_TEXT = {int(r): dns.rcode.to_text(r) for r in dns.rcode.Rcode}


@dataclass(frozen=True)
class Nameserver:
    host: str
    port: int = 53

    def __str__(self) -> str:
        return _label(self.host, self.port)


@lru_cache(maxsize=1024)
def _label(host: str, port: int) -> str:
    """``host:port`` as printed; cached, since every lookup's outcomes are keyed by it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


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
    #: The server whose reply was used.
    server: str | None = None
    tcp: bool = False
    #: What each server tried did, in the order tried (``"127.0.0.1:53": "answered SERVFAIL"``).
    outcomes: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and self.rcode in ANSWERED


def _read_full(request: dns.message.Message, data: bytes) -> dns.message.Message | None:
    try:
        reply = dns.message.from_wire(data, ignore_trailing=True)
    except dns.exception.DNSException:
        return None
    return reply if request.is_response(reply) else None


@dataclass
class Stats:
    """Counters the tests and benchmarks read."""

    udp_sent: int = 0
    tcp: int = 0


class _Lookup:
    """The replies (or socket errors) for every attempt of one lookup, as they arrive."""

    __slots__ = ("inbox", "wake")

    def __init__(self) -> None:
        self.inbox: list[tuple[Nameserver, Any]] = []
        self.wake: asyncio.Future[None] | None = None

    def deliver(self, ns: Nameserver, item: Any) -> None:
        self.inbox.append((ns, item))
        if self.wake is not None and not self.wake.done():
            self.wake.set_result(None)

    async def next(self, wait: float) -> tuple[Nameserver, Any] | None:
        """The next reply, or ``None`` after ``wait`` seconds without one."""
        if not self.inbox and wait > 0:
            loop = asyncio.get_running_loop()
            self.wake = wake = loop.create_future()
            # A plain timer, cheaper than asyncio.wait_for on this per-lookup hot path.
            timer = loop.call_later(wait, _set_none, wake)
            try:
                await wake
            finally:
                timer.cancel()
                self.wake = None
        return self.inbox.pop(0) if self.inbox else None


def _set_none(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class _UdpChannel(asyncio.DatagramProtocol):
    """One connected UDP socket; replies are routed to waiting lookups by message id.

    The socket is connected, so the kernel drops datagrams from any other address or port.
    A datagram is accepted only if it answers the waiting query's question (the matcher
    returns a reply, not ``None``); strays, garbage and spoofs with a matching id are
    dropped here, so the real reply arriving right behind them is never lost.
    """

    def __init__(self, ns: Nameserver) -> None:
        self.ns = ns
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: dict[int, tuple[Callable[[bytes], Any], _Lookup]] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) < 12:
            return
        waiting = self.pending.get(int.from_bytes(data[:2], "big"))
        if waiting is None:
            return
        matcher, lookup = waiting
        reply = matcher(data)
        if reply is not None:
            lookup.deliver(self.ns, reply)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable and the like: this server is out for every waiting lookup.
        for _, lookup in list(self.pending.values()):
            lookup.deliver(self.ns, exc)

    def new_id(self) -> int:
        while True:
            qid = random.getrandbits(16)
            if qid not in self.pending:
                return qid


class DnsClient:
    """Send queries to a fixed list of nameservers.

    :param nameservers: tried in order; a lookup moves to the next one after ``retry`` seconds
        without a reply (or at once when a server fails), and comes back round to servers
        that stayed silent until ``timeout`` runs out.
    :param timeout: total seconds per lookup from its first send, retries and TCP included.
    :param recursion: set RD (false when talking to authoritative servers).
    """

    def __init__(self, nameservers: Sequence[Nameserver], *, timeout: float = 5.0, retry: float | None = None,
                 recursion: bool = True, max_in_flight: int = MAX_IN_FLIGHT) -> None:
        if not nameservers:
            raise ValueError("no nameservers to query")
        self.nameservers = list(dict.fromkeys(nameservers))
        self.timeout = timeout
        self.retry = retry if retry is not None else max(0.2, min(1.0, timeout / 3))
        self.recursion = recursion
        self.stats = Stats()
        self._channels: dict[Nameserver, _UdpChannel] = {}
        self._broken: dict[Nameserver, str] = {}
        self._open_lock = asyncio.Lock()
        # Bounded in-flight lookups: a burst of replies larger than the socket's receive
        # buffer is dropped by the kernel and costs a retry interval each.
        self._slots = asyncio.Semaphore(max_in_flight)

    async def _channel(self, ns: Nameserver) -> _UdpChannel:
        """The UDP channel to ``ns``; raises ``OSError`` when the socket cannot be set up."""
        chan = self._channels.get(ns)
        if chan is not None:
            return chan
        async with self._open_lock:
            chan = self._channels.get(ns)
            if chan is not None:
                return chan
            if ns in self._broken:
                raise OSError(self._broken[ns])
            loop = asyncio.get_running_loop()
            family = socket.AF_INET6 if ":" in ns.host else socket.AF_INET
            try:
                transport, proto = await loop.create_datagram_endpoint(lambda: _UdpChannel(ns),
                                                                       remote_addr=(ns.host, ns.port), family=family)
            except OSError as exc:
                # Remembered, so every lookup reports it without retrying the socket.
                self._broken[ns] = f"cannot open a UDP socket to it ({exc.strerror or exc})"
                raise OSError(self._broken[ns]) from None
            sock = transport.get_extra_info("socket")
            if sock is not None:
                try:  # best effort: the kernel caps it anyway
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
                except OSError:
                    pass
            self._channels[ns] = proto
            return proto

    def _request(self, qname: str, rdtype: str, *, full: bool, edns: bool) -> Query | dns.message.Message:
        if not full:
            return Query(qname, dns.rdatatype.from_text(rdtype), recursion=self.recursion,
                         payload=EDNS_PAYLOAD if edns else None)
        return self._full_request(qname, rdtype, edns=edns)

    def _full_request(self, qname: str, rdtype: str, *, edns: bool) -> dns.message.Message:
        q = dns.message.make_query(qname, rdtype, use_edns=0 if edns else False, payload=EDNS_PAYLOAD)
        if not self.recursion:
            q.flags &= ~dns.flags.RD
        return q

    async def query(self, qname: str, rdtype: str, *, full: bool = False) -> Answer:
        """Look up ``qname``/``rdtype``. Never raises for DNS trouble: see ``Answer.error``.

        :param full: parse every section (``authority``, ``additional``); by default only
            the answer section is decoded (:mod:`.wire`), which is all the checks read.
        """
        async with self._slots:
            return await self._resolve(Answer(qname, rdtype), full)

    async def _resolve(self, result: Answer, full: bool) -> Answer:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        lookup = _Lookup()
        live = list(self.nameservers)  # servers that have not failed this lookup
        no_edns: set[Nameserver] = set()
        sent: list[tuple[_UdpChannel, int]] = []
        outcomes = result.outcomes
        order = self.nameservers
        pos = tries = 0
        try:
            while live and tries < MAX_TRIES:
                if deadline - loop.time() <= 0:
                    break
                while order[pos % len(order)] not in live:
                    pos += 1
                ns = order[pos % len(order)]
                pos += 1
                tries += 1
                try:
                    sent.append(await self._send(result, ns, full, ns not in no_edns, lookup))
                except OSError as exc:
                    outcomes[str(ns)] = str(exc)
                    live.remove(ns)
                    continue
                outcomes.setdefault(str(ns), "no reply")
                # Wait for a reply to any attempt so far; retransmit after `retry` seconds.
                until = min(deadline, loop.time() + self.retry)
                while True:
                    item = await lookup.next(until - loop.time())
                    if item is None:
                        break
                    src, reply = item
                    if type(reply) is Reply and reply.rcode in (0, 3) and not reply.flags & TC:
                        # The common case, answered inline: NOERROR or NXDOMAIN, not truncated.
                        key = str(src)
                        result.server, result.rcode = key, _RCODE_TEXT[reply.rcode]
                        result.answer = reply.answer  # type: ignore[assignment]  # same shape as RRset
                        outcomes[key] = _ANSWERED_TEXT[result.rcode]
                        return result
                    verdict = await self._judge(result, src, reply, full, deadline, no_edns)
                    if verdict == "done":
                        return result
                    if verdict == "retry":  # the same server again, without EDNS
                        pos = order.index(src)
                        break
                    if src in live:
                        live.remove(src)
                    if not live:
                        break
                    until = loop.time()  # a server failed: move on at once
        finally:
            for chan, qid in sent:
                chan.pending.pop(qid, None)
        silent = [s for s, what in outcomes.items() if what == "no reply"]
        for s in silent:
            outcomes[s] = f"no reply within {self.timeout:g}s"
        result.error = "; ".join(f"{s} {what}" for s, what in outcomes.items()) or "no server was tried"
        return result

    async def _send(self, result: Answer, ns: Nameserver, full: bool, edns: bool,
                    lookup: _Lookup) -> tuple[_UdpChannel, int]:
        chan = await self._channel(ns)
        qid = chan.new_id()
        request = self._request(result.qname, result.rdtype, full=full, edns=edns)
        matcher: Callable[[bytes], Any]
        if isinstance(request, Query):
            wire, matcher = request.wire(qid), request.read
        else:
            request.id = qid
            wire, matcher = request.to_wire(), partial(_read_full, request)
        chan.pending[qid] = (matcher, lookup)
        assert chan.transport is not None
        chan.transport.sendto(wire)
        self.stats.udp_sent += 1
        return chan, qid

    async def _judge(self, result: Answer, ns: Nameserver, reply: Any, full: bool, deadline: float,
                     no_edns: set[Nameserver]) -> str:
        """``done`` (``result`` filled), ``retry`` (same server, no EDNS) or ``failed``."""
        key = str(ns)
        if isinstance(reply, Exception):
            result.outcomes[key] = f"unreachable ({reply.strerror if isinstance(reply, OSError) else reply})"
            return "failed"
        rcode, flags = _rcode_flags(reply)
        if rcode == "FORMERR" and ns not in no_edns:
            no_edns.add(ns)
            result.outcomes[key] = "answered FORMERR to EDNS; retried without EDNS"
            return "retry"
        if rcode not in ANSWERED:
            result.outcomes[key] = f"answered {rcode}"
            return "failed"
        if flags & dns.flags.TC:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                result.outcomes[key] = "truncated over UDP; no time left for TCP"
                return "failed"
            self.stats.tcp += 1
            request = self._full_request(result.qname, result.rdtype, edns=ns not in no_edns)
            try:
                reply = await dns.asyncquery.tcp(request, ns.host, timeout=remaining, port=ns.port)
            except (OSError, EOFError, dns.exception.DNSException) as exc:
                result.outcomes[key] = f"truncated over UDP and TCP failed ({exc or type(exc).__name__})"
                return "failed"
            rcode, _ = _rcode_flags(reply)
            if rcode not in ANSWERED:
                result.outcomes[key] = f"answered {rcode} over TCP"
                return "failed"
            result.tcp = True
        result.outcomes[key] = f"answered {rcode} over TCP" if result.tcp else _ANSWERED_TEXT[rcode]
        result.server, result.rcode = key, rcode
        self._fill(result, reply)
        return "done"

    @staticmethod
    def _fill(result: Answer, reply: Any) -> None:
        if isinstance(reply, Reply):
            result.answer = reply.answer  # type: ignore[assignment]
        else:
            result.answer = list(reply.answer)
            result.authority = list(reply.authority)
            result.additional = list(reply.additional)

    def close(self) -> None:
        for chan in self._channels.values():
            if chan.transport is not None:
                chan.transport.close()
        self._channels.clear()
        self._broken.clear()

    async def __aenter__(self) -> DnsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


def _rcode_flags(reply: Any) -> tuple[str, int]:
    if isinstance(reply, Reply):
        return _RCODE_TEXT.get(reply.rcode) or str(reply.rcode), reply.flags
    return dns.rcode.to_text(reply.rcode()), int(reply.flags)


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
