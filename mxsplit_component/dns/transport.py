"""An asyncio DNS client: one connected UDP socket per nameserver, drained whole when readable.

Interface other commands build on (``mxsplit check``, ``hosts --published``, ``sender``):
``DnsClient(nameservers, timeout=…, recursion=…)`` is an async context manager, and
``await client.query(qname, rdtype, full=False)`` returns an :class:`Answer` and never
raises for DNS trouble. ``client.submit(…)`` is the same lookup as a future (no coroutine,
so a caller asking many questions at once needs no task per question).
``run.make_client(options)`` builds one from the check options.

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

Why it is built this way (each measured on a bulk check, see ``bench/``): asyncio's datagram
transport reads one datagram per event-loop wake into a fresh 256 KiB buffer; here the
socket is read until empty on each wake, up to 64 KiB per datagram. A lookup is a small
state object driven by callbacks (a reply, or the one timer that serves a deadline heap of
every lookup), not a coroutine with its own ``wait_for`` and semaphore. How many lookups
are in flight adapts as TCP's congestion window does: it grows while replies come back
before the retry interval and halves when one does not, up to ``max_in_flight``.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
import socket
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

from .nameservers import Nameserver
from .wire import TC, Query, Record, Reply, name_text, records_of

#: EDNS payload size recommended by DNS Flag Day 2020: avoids IP fragmentation.
EDNS_PAYLOAD = 1232
#: Upper bound of lookups in flight per client (the adaptive window stays below it).
MAX_IN_FLIGHT = 1024
#: Where the adaptive window starts, and the least it backs off to.
INITIAL_WINDOW = 32
MIN_WINDOW = 32
#: Queueing delay tolerated above twice the best round trip before the window stops growing.
QUEUE_SLACK = 0.005
#: Pacing of new lookups: rate relative to window / round trip, and the largest burst.
PACE_GAIN = 2.0
BURST = 64
#: Receive buffer asked for: a burst of replies larger than it is dropped by the kernel and
#: costs a retry interval each (Linux caps it at net.core.rmem_max).
RCVBUF = 1 << 21
#: Largest datagram read (the largest UDP payload).
MAX_DATAGRAM = 65535
#: Sends per lookup (UDP retransmits, the EDNS fallback and TCP together).
MAX_TRIES = 20
#: Server outcomes that are an answer (everything else moves on to the next server).
ANSWERED = ("NOERROR", "NXDOMAIN")
_ANSWERED_TEXT = {r: f"answered {r}" for r in ANSWERED}
_RCODE_TEXT = {int(r): dns.rcode.to_text(r) for r in dns.rcode.Rcode}
#: Timer slack: lookups due within it are handled in the same wake.
_SLACK = 0.002
#: Sends in a row a server left unanswered (with no reply to anything else meanwhile) before
#: new lookups ask the other servers first; it is still probed once per retry interval.
DOWN_AFTER = 3


class Answer:
    """The outcome of one lookup. ``error`` is set when no usable answer came back.

    ``records`` is the answer section as plain values (:data:`.wire.Record`), which the
    checks compare; ``answer`` the same as dnspython rrsets, decoded on first use;
    ``authority`` and ``additional`` are filled only by a ``full`` lookup.
    """

    __slots__ = ("qname", "rdtype", "rcode", "authority", "additional", "error", "server", "tcp", "outcomes",
                 "_answer", "_records", "_reply")

    def __init__(self, qname: str, rdtype: str, rcode: str | None = None, answer: list[Any] | None = None,
                 authority: list[Any] | None = None, additional: list[Any] | None = None,
                 error: str | None = None, server: str | None = None, tcp: bool = False,
                 outcomes: dict[str, str] | None = None) -> None:
        self.qname, self.rdtype, self.rcode, self.error = qname, rdtype, rcode, error
        self.authority = authority if authority is not None else []
        self.additional = additional if additional is not None else []
        self.server, self.tcp = server, tcp
        #: What each server tried did, in the order tried (``"127.0.0.1:53": "answered SERVFAIL"``).
        self.outcomes = outcomes if outcomes is not None else {}
        self._answer = answer if answer is not None else []
        self._records: list[Record] | None = None
        self._reply: Reply | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.rcode in ANSWERED

    @property
    def answer(self) -> list[Any]:
        return self._reply.answer if self._reply is not None else self._answer

    @answer.setter
    def answer(self, rrsets: list[Any]) -> None:
        self._answer, self._reply, self._records = rrsets, None, None

    @property
    def records(self) -> list[Record]:
        if self._reply is not None:
            return self._reply.records
        if self._records is None:
            self._records = records_of(self._answer)
        return self._records

    @property
    def owner(self) -> str:
        """The queried name as :data:`.wire.Record` owners are spelled."""
        return name_text(self.qname)

    def __repr__(self) -> str:
        return (f"Answer({self.qname!r}, {self.rdtype!r}, rcode={self.rcode!r}, error={self.error!r}, "
                f"records={self.records!r})")


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
    #: Sends that went unanswered for the retry interval (each halves the window at most once).
    timeouts: int = 0
    #: The largest window reached.
    peak_window: int = 0


class _Lookup:
    """One lookup's state: where it is in the server order, and every attempt still open."""

    __slots__ = ("answer", "full", "future", "deadline", "next_at", "pos", "tries", "live", "no_edns", "sent",
                 "queries", "busy", "done", "last_sent", "late", "heard", "in_window")

    def __init__(self, answer: Answer, full: bool, future: asyncio.Future[Answer], live: list[Nameserver]) -> None:
        self.answer = answer
        self.full = full
        self.future = future
        self.deadline = self.next_at = 0.0
        self.pos = self.tries = 0
        self.live = live  # servers that have not failed this lookup
        self.no_edns: set[Nameserver] | None = None
        self.sent: list[tuple[_Channel, int]] = []
        self.queries: dict[bool, Query] = {}
        self.busy = False  # a TCP exchange is running: it decides what comes next
        self.done = False
        self.last_sent = 0.0
        self.late = False  # some send went unanswered for the retry interval
        self.heard = 0  # replies the last send's server had given when the send went out
        self.in_window = False  # counted in the window (until it ends or a send goes unanswered)


class _Channel:
    """One connected, non-blocking UDP socket; replies are routed to lookups by message id.

    The socket is connected, so the kernel drops datagrams from any other address or port.
    A datagram is accepted only if it answers the waiting query's question (the matcher
    returns a reply, not ``None``); strays, garbage and spoofs with a matching id are
    dropped here, so the real reply arriving right behind them is never lost.
    """

    __slots__ = ("ns", "key", "sock", "pending", "client", "heard", "misses", "probe_at")

    def __init__(self, client: DnsClient, ns: Nameserver, sock: socket.socket) -> None:
        self.client, self.ns, self.key, self.sock = client, ns, str(ns), sock
        self.pending: dict[int, tuple[_Lookup, Callable[[bytes], Any]]] = {}
        #: Replies accepted from this server, and its sends unanswered in a row since the last.
        self.heard = self.misses = 0
        self.probe_at = 0.0

    def readable(self) -> None:
        """Read every datagram waiting (one wake, many replies)."""
        recv, pending, deliver = self.sock.recv, self.pending, self.client._on_reply
        while True:
            try:
                data = recv(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                # ICMP port unreachable and the like: this server is out for every waiting lookup.
                self.fail(exc)
                return
            if len(data) < 12:
                continue
            waiting = pending.get(data[0] << 8 | data[1])
            if waiting is None:
                continue
            lookup, matcher = waiting
            reply = matcher(data)
            if reply is not None:
                self.heard += 1
                self.misses = 0
                deliver(lookup, self, reply)

    def fail(self, exc: Exception) -> None:
        for lookup in {id(lk): lk for lk, _ in self.pending.values()}.values():
            self.client._on_reply(lookup, self, exc)

    def new_id(self) -> int:
        while True:
            qid = random.getrandbits(16)
            if qid not in self.pending:
                return qid

    def close(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.remove_reader(self.sock.fileno())
        self.sock.close()


class DnsClient:
    """Send queries to a fixed list of nameservers.

    :param nameservers: tried in order; a lookup moves to the next one after ``retry`` seconds
        without a reply (or at once when a server fails), and comes back round to servers
        that stayed silent until ``timeout`` runs out.
    :param timeout: total seconds per lookup from its first send, retries and TCP included.
    :param recursion: set RD (false when talking to authoritative servers).
    :param max_in_flight: most lookups in flight at once; the window adapts below it.
    :param adaptive: adapt the window (``False`` keeps ``max_in_flight`` in flight throughout).
    """

    def __init__(self, nameservers: Sequence[Nameserver], *, timeout: float = 5.0, retry: float | None = None,
                 recursion: bool = True, max_in_flight: int = MAX_IN_FLIGHT, adaptive: bool = True) -> None:
        if not nameservers:
            raise ValueError("no nameservers to query")
        self.nameservers = list(dict.fromkeys(nameservers))
        self.timeout = timeout
        self.retry = retry if retry is not None else max(0.2, min(1.0, timeout / 3))
        self.recursion = recursion
        self.stats = Stats()
        self.max_in_flight = max(1, max_in_flight)
        self.adaptive = adaptive
        self._window = float(min(INITIAL_WINDOW, self.max_in_flight) if adaptive else self.max_in_flight)
        self._threshold = float(self.max_in_flight)
        self.stats.peak_window = int(self._window)
        self._last_cut = -math.inf
        self._min_rtt = math.inf
        self._tokens, self._tokens_at = float(BURST), 0.0
        self._pace_timer: asyncio.TimerHandle | None = None
        self._srtt = 0.0
        self._in_flight = 0
        self._waiting: deque[_Lookup] = deque()
        self._admitting = False
        self._channels: dict[Nameserver, _Channel] = {}
        self._broken: dict[Nameserver, str] = {}
        self._heap: list[tuple[float, int, _Lookup]] = []
        self._seq = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- the interface -------------------------------------------------------------------
    async def query(self, qname: str, rdtype: str, *, full: bool = False) -> Answer:
        """Look up ``qname``/``rdtype``. Never raises for DNS trouble: see ``Answer.error``.

        :param full: parse every section (``authority``, ``additional``); by default only
            the answer section is decoded (:mod:`.wire`), which is all the checks read.
        """
        return await self.submit(qname, rdtype, full=full)

    def submit(self, qname: str, rdtype: str, *, full: bool = False) -> asyncio.Future[Answer]:
        """:meth:`query` as a future, for callers that ask many questions at once."""
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        lookup = _Lookup(Answer(qname, rdtype), full, loop.create_future(), list(self.nameservers))
        self._waiting.append(lookup)
        self._admit()
        return lookup.future

    @property
    def window(self) -> int:
        """Lookups allowed in flight right now."""
        return int(self._window)

    # --- lookups -------------------------------------------------------------------------
    def _start(self, lookup: _Lookup) -> None:
        assert self._loop is not None
        self._in_flight += 1
        lookup.in_window = True
        lookup.deadline = self._loop.time() + self.timeout
        if len(self.nameservers) > 1:
            lookup.pos = self._first_server(lookup.deadline - self.timeout)
        self._send_next(lookup)

    def _first_server(self, now: float) -> int:
        """Where a new lookup starts in the server order: the first server not known to be
        down (silent for :data:`DOWN_AFTER` sends in a row), so one dead server does not cost
        every lookup a retry interval. A down server is still asked first by one lookup per
        retry interval, which brings it back when it answers again."""
        for i, ns in enumerate(self.nameservers):
            chan = self._channels.get(ns)
            if chan is None or chan.misses < DOWN_AFTER:
                return i
            if now >= chan.probe_at:
                chan.probe_at = now + self.retry
                return i
        return 0

    def _admit(self) -> None:
        if self._admitting:
            return  # a lookup that ends at once re-enters here: the outer loop goes on
        self._admitting = True
        waiting = self._waiting
        try:
            while waiting and self._in_flight < int(self._window) and self._paced():
                lookup = waiting.popleft()
                if not lookup.future.cancelled():
                    self._start(lookup)
        finally:
            self._admitting = False

    def _paced(self) -> bool:
        """Take a send token. New lookups go out at most at ``PACE_GAIN × window / round
        trip`` per second, in bursts of at most :data:`BURST` (as TCP paces): a whole
        window sent at once would overflow a server's receive buffer long before the
        window itself is too large for the path."""
        if not self.adaptive or not self._srtt:
            return True
        assert self._loop is not None
        now = self._loop.time()
        rate = PACE_GAIN * self._window / self._srtt
        self._tokens = min(float(BURST), self._tokens + (now - self._tokens_at) * rate)
        self._tokens_at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        if self._pace_timer is None:
            self._pace_timer = self._loop.call_later((1.0 - self._tokens) / rate, self._on_pace)
        return False

    def _on_pace(self) -> None:
        self._pace_timer = None
        self._admit()

    def _send_next(self, lookup: _Lookup) -> None:
        """Send to the next live server in order, or end the lookup when none is left."""
        assert self._loop is not None
        now = self._loop.time()
        order = self.nameservers
        outcomes = lookup.answer.outcomes
        while lookup.live and lookup.tries < MAX_TRIES and lookup.deadline - now > _SLACK:
            while order[lookup.pos % len(order)] not in lookup.live:
                lookup.pos += 1
            ns = order[lookup.pos % len(order)]
            lookup.pos += 1
            lookup.tries += 1
            try:
                chan = self._channel(ns)
            except OSError as exc:
                outcomes[str(ns)] = str(exc)
                lookup.live.remove(ns)
                continue
            self._send(lookup, chan)
            outcomes.setdefault(chan.key, "no reply")
            lookup.last_sent = now
            lookup.heard = chan.heard
            self._arm(lookup, min(lookup.deadline, now + self.retry))
            return
        self._fail(lookup)

    def _send(self, lookup: _Lookup, chan: _Channel) -> None:
        qid = chan.new_id()
        edns = lookup.no_edns is None or chan.ns not in lookup.no_edns
        matcher: Callable[[bytes], Any]
        answer = lookup.answer
        if lookup.full:
            request = self._full_request(answer.qname, answer.rdtype, edns=edns)
            request.id = qid
            wire, matcher = request.to_wire(), partial(_read_full, request)
        else:
            query = lookup.queries.get(edns)
            if query is None:
                query = lookup.queries[edns] = Query(answer.qname, dns.rdatatype.from_text(answer.rdtype),
                                                     recursion=self.recursion,
                                                     payload=EDNS_PAYLOAD if edns else None)
            wire, matcher = query.wire(qid), query.read
        chan.pending[qid] = (lookup, matcher)
        lookup.sent.append((chan, qid))
        self.stats.udp_sent += 1
        try:
            chan.sock.send(wire)
        except (BlockingIOError, InterruptedError):
            pass  # the kernel's send queue is full: the retry timer sends it again
        except OSError as exc:
            # An earlier ICMP error reported on this send: the server is out for everyone
            # waiting on it, this lookup included (delivered from the loop, not re-entrantly).
            self._loop.call_soon(chan.fail, exc)  # type: ignore[union-attr]

    def _full_request(self, qname: str, rdtype: str, *, edns: bool) -> dns.message.Message:
        q = dns.message.make_query(qname, rdtype, use_edns=0 if edns else False, payload=EDNS_PAYLOAD)
        if not self.recursion:
            q.flags &= ~dns.flags.RD
        return q

    def _on_reply(self, lookup: _Lookup, chan: _Channel, reply: Any) -> None:
        """A matching reply (or a socket error) for any attempt of ``lookup`` on ``chan``."""
        if lookup.done:
            return
        answer = lookup.answer
        if type(reply) is Reply and reply.rcode in (0, 3) and not reply.flags & TC:
            # The common case: NOERROR or NXDOMAIN, not truncated.
            answer.server = chan.key
            answer.rcode = rcode = _RCODE_TEXT[reply.rcode]
            answer._reply = reply
            answer.outcomes[chan.key] = _ANSWERED_TEXT[rcode]
            self._finish(lookup, grow=not lookup.late)
            return
        if lookup.busy:
            return  # a TCP exchange is running; its outcome decides
        ns = chan.ns
        key = chan.key
        if isinstance(reply, Exception):
            answer.outcomes[key] = f"unreachable ({reply.strerror if isinstance(reply, OSError) else reply})"
            return self._server_failed(lookup, ns)
        rcode, flags = _rcode_flags(reply)
        if rcode == "FORMERR" and (lookup.no_edns is None or ns not in lookup.no_edns):
            if lookup.no_edns is None:
                lookup.no_edns = set()
            lookup.no_edns.add(ns)
            answer.outcomes[key] = "answered FORMERR to EDNS; retried without EDNS"
            lookup.pos = self.nameservers.index(ns)  # the same server again, without EDNS
            return self._send_next(lookup)
        if rcode not in ANSWERED:
            answer.outcomes[key] = f"answered {rcode}"
            return self._server_failed(lookup, ns)
        if flags & dns.flags.TC:
            assert self._loop is not None
            remaining = lookup.deadline - self._loop.time()
            if remaining <= 0:
                answer.outcomes[key] = "truncated over UDP; no time left for TCP"
                return self._server_failed(lookup, ns)
            lookup.busy = True
            task = self._loop.create_task(self._tcp(lookup, chan, remaining))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        answer.outcomes[key] = _ANSWERED_TEXT[rcode]
        answer.server, answer.rcode = key, rcode
        self._fill(answer, reply)
        self._finish(lookup, grow=not lookup.late)

    def _server_failed(self, lookup: _Lookup, ns: Nameserver) -> None:
        """``ns`` is out for this lookup: move on at once (unless it was out already)."""
        if ns in lookup.live:
            lookup.live.remove(ns)
            self._send_next(lookup)

    async def _tcp(self, lookup: _Lookup, chan: _Channel, remaining: float) -> None:
        answer, ns, key = lookup.answer, chan.ns, chan.key
        lookup.tries += 1
        self.stats.tcp += 1
        edns = lookup.no_edns is None or ns not in lookup.no_edns
        request = self._full_request(answer.qname, answer.rdtype, edns=edns)
        try:
            reply = await dns.asyncquery.tcp(request, ns.host, timeout=remaining, port=ns.port)
        except (OSError, EOFError, dns.exception.DNSException) as exc:
            lookup.busy = False
            if not lookup.done:
                answer.outcomes[key] = f"truncated over UDP and TCP failed ({exc or type(exc).__name__})"
                self._server_failed(lookup, ns)
            return
        lookup.busy = False
        if lookup.done:
            return
        rcode, _ = _rcode_flags(reply)
        if rcode not in ANSWERED:
            answer.outcomes[key] = f"answered {rcode} over TCP"
            return self._server_failed(lookup, ns)
        answer.tcp = True
        answer.outcomes[key] = f"answered {rcode} over TCP"
        answer.server, answer.rcode = key, rcode
        self._fill(answer, reply)
        self._finish(lookup, grow=False)

    @staticmethod
    def _fill(answer: Answer, reply: Any) -> None:
        if isinstance(reply, Reply):
            answer._reply = reply
        else:
            answer.answer = list(reply.answer)
            answer.authority = list(reply.authority)
            answer.additional = list(reply.additional)

    def _fail(self, lookup: _Lookup) -> None:
        outcomes = lookup.answer.outcomes
        for s, what in outcomes.items():
            if what == "no reply":
                outcomes[s] = f"no reply within {self.timeout:g}s"
        lookup.answer.error = "; ".join(f"{s} {what}" for s, what in outcomes.items()) or "no server was tried"
        self._finish(lookup, grow=False)

    def _finish(self, lookup: _Lookup, *, grow: bool) -> None:
        lookup.done = True
        for chan, qid in lookup.sent:
            chan.pending.pop(qid, None)
        lookup.sent = []
        if lookup.in_window:
            lookup.in_window = False
            self._in_flight -= 1
        if not lookup.future.done():
            lookup.future.set_result(lookup.answer)
        if grow and self.adaptive:
            self._grow(lookup)
        if self._waiting:
            self._admit()

    def _grow(self, lookup: _Lookup) -> None:
        """A reply to a lookup's only send came back: adapt the window to its round trip.

        Replies taking clearly longer than the path's best (twice it, plus
        :data:`QUEUE_SLACK`) are queueing in some buffer; growing further would only fill
        it until the kernel drops. So slow start ends at the first such reply (as HyStart
        ends it in TCP), and afterwards the window grows by one per round trip while the
        smoothed round trip stays below that bound and shrinks by one per round trip above it.
        """
        assert self._loop is not None
        rtt = self._loop.time() - lookup.last_sent
        if rtt < self._min_rtt:
            self._min_rtt = rtt
        self._srtt += (rtt - self._srtt) / 8 if self._srtt else rtt
        bound = 2 * self._min_rtt + QUEUE_SLACK
        window = self._window
        if window < self._threshold:  # slow start: one more per reply, doubling per round trip
            if rtt > bound:
                self._threshold = window
                return
            if not self._waiting and self._in_flight + 1 < int(window):
                return  # the window limited nothing (RFC 7661): no evidence the path takes more
            window += 1.0
        elif self._srtt > bound:
            window = max(float(MIN_WINDOW), window - 1.0 / window)
        elif self._waiting or self._in_flight + 1 >= int(window):
            window += 1.0 / window
        self._window = window = min(window, float(self.max_in_flight))
        if window > self.stats.peak_window:
            self.stats.peak_window = int(window)

    def _late(self, lookup: _Lookup) -> None:
        """A send went unanswered for the retry interval.

        The lookup leaves the window (as a lost segment leaves TCP's pipe): its retries go on
        until its deadline, but a lookup a server never answers must not hold a slot that
        long, or a few such lookups would stall every other. The window halves, once per
        window (only a send made after the last cut can cause the next), but only when the
        server answered something since that send: a loss on a working path. A server that
        stayed silent throughout is down, not congested (failing over to the next server is
        the answer to that), and after :data:`DOWN_AFTER` such sends new lookups ask the
        other servers first.
        """
        lookup.late = True
        self.stats.timeouts += 1
        if lookup.in_window:
            lookup.in_window = False
            self._in_flight -= 1
            if self._waiting:
                self._admit()
        chan = lookup.sent[-1][0] if lookup.sent else None
        if chan is not None and chan.heard == lookup.heard:
            chan.misses += 1
            return
        if self.adaptive and lookup.last_sent > self._last_cut:
            assert self._loop is not None
            self._last_cut = self._loop.time()
            self._threshold = max(float(MIN_WINDOW), self._window / 2)
            self._window = self._threshold

    # --- the timer -----------------------------------------------------------------------
    def _arm(self, lookup: _Lookup, when: float) -> None:
        lookup.next_at = when
        heap = self._heap
        heapq.heappush(heap, (when, next(self._seq), lookup))
        if len(heap) > 4 * self._in_flight + 4096:
            # Finished lookups leave their entries behind; sweep them now and then.
            heap[:] = [e for e in heap if not e[2].done and e[2].next_at == e[0]]
            heapq.heapify(heap)
        if when < self._timer_at:
            self._schedule(when)

    def _schedule(self, when: float) -> None:
        assert self._loop is not None
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = self._loop.call_at(when, self._on_timer)

    def _on_timer(self) -> None:
        assert self._loop is not None
        self._timer, self._timer_at = None, math.inf
        heap = self._heap
        now = self._loop.time()
        while heap and heap[0][0] <= now + _SLACK:
            when, _, lookup = heapq.heappop(heap)
            if lookup.done or lookup.next_at != when or lookup.busy:
                continue  # answered, re-armed since, or waiting on TCP
            if lookup.future.cancelled():
                self._finish(lookup, grow=False)  # nobody waits for it any more
            elif now >= lookup.deadline - _SLACK:
                self._fail(lookup)
            else:
                self._late(lookup)
                self._send_next(lookup)
        if heap and heap[0][0] < self._timer_at:
            self._schedule(heap[0][0])

    # --- sockets -------------------------------------------------------------------------
    def _channel(self, ns: Nameserver) -> _Channel:
        """The UDP channel to ``ns``; raises ``OSError`` when the socket cannot be set up."""
        chan = self._channels.get(ns)
        if chan is not None:
            return chan
        if ns in self._broken:
            raise OSError(self._broken[ns])
        assert self._loop is not None
        family = socket.AF_INET6 if ":" in ns.host else socket.AF_INET
        try:
            sock = socket.socket(family, socket.SOCK_DGRAM)
        except OSError as exc:
            self._broken[ns] = f"cannot open a UDP socket to it ({exc.strerror or exc})"
            raise OSError(self._broken[ns]) from None
        try:
            sock.setblocking(False)
            try:  # best effort: the kernel caps it at net.core.rmem_max anyway
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
            except OSError:
                pass
            sock.connect((ns.host, ns.port))
        except OSError as exc:
            sock.close()
            # Remembered, so every lookup reports it without retrying the socket.
            self._broken[ns] = f"cannot open a UDP socket to it ({exc.strerror or exc})"
            raise OSError(self._broken[ns]) from None
        chan = self._channels[ns] = _Channel(self, ns, sock)
        self._loop.add_reader(sock.fileno(), chan.readable)
        return chan

    def close(self) -> None:
        if self._pace_timer is not None:
            self._pace_timer.cancel()
            self._pace_timer = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer, self._timer_at = None, math.inf
        for task in list(self._tasks):
            task.cancel()
        for chan in self._channels.values():
            for lookup, _ in list(chan.pending.values()):
                if not lookup.future.done():
                    lookup.future.cancel()
            assert self._loop is not None
            chan.close(self._loop)
        self._channels.clear()
        self._broken.clear()
        self._heap.clear()
        for lookup in self._waiting:
            if not lookup.future.done():
                lookup.future.cancel()
        self._waiting.clear()

    async def __aenter__(self) -> DnsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


def _rcode_flags(reply: Any) -> tuple[str, int]:
    if isinstance(reply, Reply):
        return _RCODE_TEXT.get(reply.rcode) or str(reply.rcode), reply.flags
    return dns.rcode.to_text(reply.rcode()), int(reply.flags)
