"""An asyncio DNS client: many lookups at once over one UDP socket per nameserver.

Interface other commands build on (``mxsplit check``, ``hosts --published``, ``sender``):
``DnsClient(nameservers, timeout=…, recursion=…)`` is an async context manager, and
``await client.query(qname, rdtype, full=False)`` returns an :class:`Answer` and never
raises for DNS trouble. ``client.submit(…)`` is the same lookup as a future (no coroutine,
so a caller asking many questions at once needs no task per question; asyncio's futures
are C objects: a Python callback per lookup measured no cheaper).
``options.make_client(options)`` builds one from the DNS options.

How a lookup behaves (the promises ``--timeout`` makes):

- ``timeout`` bounds the lookup from its first send, retries and TCP included; waiting for
  an in-flight slot comes before that and never counts.
- A reply to *any* send of the lookup counts, so a server slower than the retry interval
  is still heard.
- SERVFAIL, REFUSED, NOTIMP and FORMERR (and an unreachable port) end that server's part:
  the lookup moves on to the next server in order. FORMERR to an EDNS query is first
  retried without EDNS, as dnspython's resolver does. A REFUSED or SERVFAIL from a server
  that answers other lookups may be a throttling resolver over its limit: that server
  stays in the rotation and is asked again after a back-off (at most
  :data:`~.resolution.PRESSURE_RETRIES` times unless it refuses in a burst); the lookup
  still moves on to the next server at once when there is one.
- At most :data:`MAX_TRIES` sends per lookup, so a server that truncates and refuses TCP
  cannot cause a retry storm.
- Every server's outcome is kept; a failed lookup reports all of them.

The parts (each testable on its own): :mod:`.resolution` decides per lookup which server
is next and what a reply means; :mod:`.rate` decides how many lookups are in flight, how
fast sends go out and when a send is lost; :mod:`.timers` holds every lookup's next
timer under one loop timer; :mod:`.channel` moves the bytes. This module wires them
together: a lookup is a small state object driven by callbacks (a reply, a timer, a
paced send), not a coroutine with its own ``wait_for`` and semaphore.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.flags
import dns.rcode
import dns.rdatatype

from .answer import ANSWERED, Answer
from .channel import UdpChannel, ask_tcp
from .nameservers import Nameserver
from .rate import INITIAL_WINDOW, MIN_WINDOW, RateController
from .resolution import MAX_TRIES, PRESSURE_RCODES, SLACK, Resolution, Step
from .timers import TimerWheel
from .wire import EDNS_PAYLOAD, TC, FullQuery, Query, Reply, encode_name

__all__ = ["INITIAL_WINDOW", "MAX_IN_FLIGHT", "MAX_TRIES", "MIN_WINDOW", "Answer", "DnsClient", "Stats"]

#: Upper bound of lookups in flight per client (the adaptive window stays below it).
MAX_IN_FLIGHT = 1024
#: Sends in a row a server left unanswered (with no reply to anything else meanwhile) before
#: new lookups ask the other servers first; it is still probed once per retry interval.
DOWN_AFTER = 3
#: A server whose recent replies are at least this share REFUSED/SERVFAIL is refusing in a
#: burst (a moving average over about 16 replies; a few scattered broken names stay below).
PRESSURE_SHARE = 0.2
#: Longest a query waits for the drain of a server's replies before it is sent anyway.
HOLD = 0.001

_RCODE_TEXT = {int(r): dns.rcode.to_text(r) for r in dns.rcode.Rcode}
_ANSWER, _NEXT, _TCP, _LATER = Step.ANSWER, Step.NEXT, Step.TCP, Step.LATER
_ANSWERED = frozenset(ANSWERED)
#: Type names already looked up (``dns.rdatatype.from_text`` costs more than the query).
_RDTYPES: dict[str, int] = {}


@dataclass
class Stats:
    """Counters the tests and benchmarks read."""

    udp_sent: int = 0
    tcp: int = 0
    #: Sends that went unanswered for the loss timer (each cuts the window at most once).
    timeouts: int = 0
    #: The largest window reached.
    peak_window: int = 0
    #: Times the window and send rate were cut (losses on a working path, bursts of refusals).
    cuts: int = 0


class _Lookup:
    """One lookup's state in the client: its policy, its sends, its timer.

    ``route``, ``in_window``, ``next_at``, ``last_sent``, ``last_chan`` and ``heard`` are
    set when it starts and at each send (nothing reads them before).
    """

    __slots__ = ("answer", "rdtype", "route", "future", "full", "query", "query_edns", "sends", "next_at",
                 "last_sent", "last_chan", "heard", "late", "in_window", "done", "backoff", "queued")

    def __init__(self, answer: Answer, rdtype: int, full: bool, future: asyncio.Future[Answer]) -> None:
        self.answer = answer
        self.rdtype = rdtype
        self.full = full
        #: Who is told the outcome.
        self.future = future
        self.query: Query | FullQuery | None = None
        self.query_edns = True
        #: (channel, message id) of every send still awaiting a reply.
        self.sends: list[tuple[UdpChannel, int]] = []
        self.late = False  # some send went unanswered for the loss timer
        self.done = False
        self.backoff = False  # the timer is a back-off before asking a refusing server again
        self.queued = False  # waiting for a paced resend
        self.route: Resolution
        self.in_window: bool  # counted in the window (until it ends or a send goes unanswered)
        self.next_at: float
        self.last_sent: float
        self.last_chan: UdpChannel
        self.heard: int  # replies the last send's server had given when the send went out


class DnsClient:
    """Send queries to a fixed list of nameservers.

    :param nameservers: tried in order; a lookup moves to the next one when a send goes
        unanswered (or at once when a server fails), and comes back round to servers that
        stayed silent until ``timeout`` runs out.
    :param timeout: total seconds per lookup from its first send, retries and TCP included.
    :param retry: seconds before an unanswered send is sent again; by default it adapts to
        the measured round trip (see :mod:`.rate`), starting at and never above
        ``max(0.2, min(1.0, timeout / 3))``.
    :param recursion: set RD (false when talking to authoritative servers).
    :param max_in_flight: most lookups in flight at once; the window adapts below it.
    :param adaptive: adapt the window and pace the sends (``False`` keeps ``max_in_flight``
        in flight throughout and resends after a fixed interval).
    """

    def __init__(self, nameservers: Sequence[Nameserver], *, timeout: float = 5.0, retry: float | None = None,
                 recursion: bool = True, max_in_flight: int = MAX_IN_FLIGHT, adaptive: bool = True) -> None:
        if not nameservers:
            raise ValueError("no nameservers to query")
        self.nameservers = list(dict.fromkeys(nameservers))
        self.timeout = timeout
        self.retry = retry if retry is not None else max(0.2, min(1.0, timeout / 3))
        self.recursion = recursion
        self.max_in_flight = max(1, max_in_flight)
        self.adaptive = adaptive
        self._rate = RateController(max_window=self.max_in_flight, adaptive=adaptive, retry=self.retry,
                                    fixed_retry=retry is not None)
        self._stats = Stats()
        self._waiting: deque[_Lookup] = deque()
        self._resends: deque[_Lookup] = deque()
        self._channels: dict[Nameserver, UdpChannel] = {}
        self._broken: dict[Nameserver, str] = {}
        self._timers: TimerWheel[_Lookup] = TimerWheel()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        self._pace_timer: asyncio.TimerHandle | None = None
        self._hold_timer: asyncio.TimerHandle | None = None
        #: One pass per loop iteration admits lookups and flushes every channel written to.
        self._tick_pending = False
        self._dirty: list[UdpChannel] = []
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
        """:meth:`query` as a future, for callers that ask many questions at once.

        :raises dns.exception.DNSException: for a name or type no query can carry.
        """
        future: asyncio.Future[Answer] = self._running_loop().create_future()
        self._enqueue(qname, rdtype, full, future)
        return future

    def _enqueue(self, qname: str, rdtype: str, full: bool, future: asyncio.Future[Answer]) -> None:
        code = _RDTYPES.get(rdtype)
        if code is None:
            code = _RDTYPES[rdtype] = dns.rdatatype.from_text(rdtype)
        encode_name(qname)  # a bad name raises here, to the caller (it is cached for the query)
        self._waiting.append(_Lookup(Answer.asked(qname, rdtype), code, full, future))
        if not self._tick_pending:
            self._kick()

    @property
    def window(self) -> int:
        """Lookups allowed in flight right now."""
        return self._rate.limit

    @property
    def stats(self) -> Stats:
        self._stats.peak_window = self._rate.peak_window
        self._stats.cuts = self._rate.cuts
        return self._stats

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        return loop

    # --- admission, pacing and batched sends ---------------------------------------------
    def _kick(self) -> None:
        """Run :meth:`_tick` once the loop has finished what is ready now (so the sends of
        one pass go out together)."""
        if not self._tick_pending:
            self._tick_pending = True
            self._running_loop().call_soon(self._tick)

    def _tick(self) -> None:
        self._tick_pending = False
        if self._resends or self._waiting:
            self._pump()
        self._flush(idle_only=True)

    def _after_drain(self) -> None:
        """A channel was read until empty: learn from its replies, admit what they made room
        for, and send every queued query."""
        assert self._loop is not None
        rate = self._rate
        rto = rate.rto
        rate.settle(self._loop.time(), bool(self._waiting))
        if rate.rto < rto / 2:
            self._rearm()
        if self._resends or self._waiting:
            self._pump()
        self._flush(idle_only=False)

    def _flush(self, *, idle_only: bool) -> None:
        """Send what the channels queued. With ``idle_only``, a channel still awaiting
        replies keeps its queue for the drain they bring (at most :data:`HOLD` seconds)."""
        if not self._dirty:
            return
        dirty, self._dirty = self._dirty, []
        for chan in dirty:
            if idle_only and chan.outstanding:
                self._dirty.append(chan)
            else:
                chan.flush()
        if self._dirty and self._hold_timer is None:
            assert self._loop is not None
            self._hold_timer = self._loop.call_later(HOLD, self._on_hold)

    def _on_hold(self) -> None:
        self._hold_timer = None
        self._flush(idle_only=False)

    def _pump(self) -> None:
        """Resends first, then new lookups while the window has room, as pacing allows."""
        assert self._loop is not None
        rate, resends, waiting = self._rate, self._resends, self._waiting
        now = self._loop.time()
        allowance = budget = rate.allowance(now)
        while allowance and resends:
            lookup = resends.popleft()
            lookup.queued = False
            if not lookup.done:
                allowance -= 1
                self._send_next(lookup, now)
        if waiting:
            servers, timeout, several = self.nameservers, self.timeout, len(self.nameservers) > 1
            while allowance and waiting and rate.in_flight < rate.limit:
                lookup = waiting.popleft()
                allowance -= 1
                rate.in_flight += 1
                lookup.in_window = True
                lookup.route = Resolution(servers, now + timeout, lookup.answer.outcomes,
                                          self._first_server(now) if several else 0)
                self._send_next(lookup, now)
        rate.spend(budget - allowance)
        if (resends or (waiting and rate.in_flight < rate.limit)) and not allowance and self._pace_timer is None:
            self._pace_timer = self._loop.call_later(rate.wait(), self._on_pace)

    def _on_pace(self) -> None:
        self._pace_timer = None
        self._tick()

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

    def _send_next(self, lookup: _Lookup, now: float) -> None:
        """Send to the next server the lookup's policy names, or end the lookup."""
        route = lookup.route
        while True:
            ns = route.next_server(now)
            if ns is None:
                return self._fail(lookup)
            chan = self._channels.get(ns)
            if chan is not None:
                break
            try:
                chan = self._open(ns)
                break
            except OSError as exc:
                route.cannot_ask(ns, str(exc))
        no_edns = route.no_edns
        edns = no_edns is None or ns not in no_edns
        query = lookup.query
        if query is None or lookup.query_edns is not edns:
            query = lookup.query = self._question(lookup, edns)
            lookup.query_edns = edns
        lookup.sends.append((chan, chan.send(lookup, query, now)))
        if len(chan.outbox) == 1:
            self._dirty.append(chan)
            if not self._tick_pending:
                self._kick()
        self._stats.udp_sent += 1
        route.sent(chan.key)
        lookup.last_sent = now
        lookup.last_chan = chan
        lookup.heard = chan.heard
        when = self._rate.loss_at(now)
        deadline = route.deadline
        lookup.next_at = when = when if when < deadline else deadline
        if self._timers.add(when, lookup):  # a new earliest bucket: bring the loop timer forward
            self._schedule(self._timers.next_at)

    def _question(self, lookup: _Lookup, edns: bool) -> Query | FullQuery:
        qname = lookup.answer.qname
        if lookup.full:
            return FullQuery(qname, lookup.answer.rdtype, recursion=self.recursion, edns=edns)
        return Query(qname, lookup.rdtype, recursion=self.recursion, payload=EDNS_PAYLOAD if edns else None)

    # --- replies ---------------------------------------------------------------------------
    def _on_reply(self, lookup: _Lookup, chan: UdpChannel, reply: Any, sent_at: float, now: float) -> None:
        """A matching reply (or the socket's error), read at ``now``, for a send of ``lookup`` to ``chan``."""
        if lookup.done:
            return
        route = lookup.route
        if type(reply) is Reply:
            rcode = _RCODE_TEXT.get(reply.rcode) or str(reply.rcode)
            truncated = reply.flags & TC != 0
        elif isinstance(reply, Exception):
            why = reply.strerror if isinstance(reply, OSError) else reply
            return self._act(lookup, chan, route.on_unreachable(chan.ns, chan.key, str(why)), now)
        else:
            rcode = dns.rcode.to_text(reply.rcode())
            truncated = reply.flags & dns.flags.TC != 0
        rate = self._rate
        if lookup.late and sent_at < lookup.last_sent:
            rate.on_late_reply(sent_at)  # a send counted lost was only late
        if rcode in _ANSWERED:
            chan.answered += 1
            if chan.error_share:
                chan.error_share -= chan.error_share / 16
            step = route.on_reply(chan.ns, chan.key, rcode, truncated, now)
            if step is _ANSWER:
                lookup.answer.accept(chan.key, rcode, reply)
                self._finish(lookup)
                rate.sample(now - sent_at, True, not lookup.late)
                return
            rate.sample(now - sent_at, False, False)
            return self._act(lookup, chan, step, now)
        pressure = rcode in PRESSURE_RCODES
        if pressure:
            chan.error_share += (1.0 - chan.error_share) / 16
        pressed = chan.error_share >= PRESSURE_SHARE
        step = route.on_reply(chan.ns, chan.key, rcode, truncated, now, chan.answered > 0, pressed,
                              not chan.answered and len(chan.pending) > len(lookup.sends))
        rate.sample(now - sent_at, False, False)
        if pressure and pressed and chan.answered:
            rate.on_loss(now, sent_at)  # refusals in a burst: the server's limit, as a loss would say
        self._act(lookup, chan, step, now)

    def _act(self, lookup: _Lookup, chan: UdpChannel, step: Step, now: float) -> None:
        """Carry out what the policy decided (every step but an answer)."""
        if step is _NEXT:
            self._send_next(lookup, now)
        elif step is _LATER:
            route = lookup.route
            self._leave_window(lookup)
            lookup.backoff = True
            self._arm(lookup, min(route.deadline, now + self._rate.backoff(route.pressured)))
        elif step is _TCP:
            route = lookup.route
            assert self._loop is not None
            task = self._loop.create_task(self._tcp(lookup, chan, route.deadline - now))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _tcp(self, lookup: _Lookup, chan: UdpChannel, remaining: float) -> None:
        route = lookup.route
        self._stats.tcp += 1
        answer, ns, key = lookup.answer, chan.ns, chan.key
        request = FullQuery(answer.qname, answer.rdtype, recursion=self.recursion, edns=route.edns(ns)).request
        try:
            reply = await ask_tcp(request, ns, remaining)
        except (OSError, EOFError, dns.exception.DNSException) as exc:
            route.busy = False
            if not lookup.done:
                self._act(lookup, chan, route.on_tcp(ns, key, None, str(exc) or type(exc).__name__), self._now())
            return
        if lookup.done:
            route.busy = False
            return
        rcode = dns.rcode.to_text(reply.rcode())
        step = route.on_tcp(ns, key, rcode)
        if step is _ANSWER:
            answer.accept(key, rcode, reply, tcp=True)
            self._finish(lookup)
        else:
            self._act(lookup, chan, step, self._now())

    def _now(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    # --- ending ----------------------------------------------------------------------------
    def _fail(self, lookup: _Lookup) -> None:
        lookup.answer.error = lookup.route.failure(self.timeout)
        self._finish(lookup)

    def _finish(self, lookup: _Lookup) -> None:
        lookup.done = True
        for chan, qid in lookup.sends:
            chan.pending.pop(qid, None)
        if lookup.in_window:
            lookup.in_window = False
            self._rate.in_flight -= 1
            if self._waiting and not self._tick_pending:
                self._kick()
        if not lookup.future.done():  # the caller may have cancelled it
            lookup.future.set_result(lookup.answer)

    def _leave_window(self, lookup: _Lookup) -> None:
        if lookup.in_window:
            lookup.in_window = False
            self._rate.in_flight -= 1
            if self._waiting:
                self._kick()

    def _late(self, lookup: _Lookup, now: float) -> None:
        """A send went unanswered for the loss timer.

        The lookup leaves the window (as a lost segment leaves TCP's pipe): its resends go on
        until its deadline, but a lookup a server never answers must not hold a slot that
        long, or a few such lookups would stall every other. The window and rate are cut
        (:meth:`.rate.RateController.on_loss`), but only when the server answered something
        since that send: a loss on a working path. A server that stayed silent throughout is
        down, not congested (failing over to the next server is the answer to that), and
        after :data:`DOWN_AFTER` such sends new lookups ask the other servers first.
        """
        lookup.late = True
        self._stats.timeouts += 1
        self._leave_window(lookup)
        chan = lookup.last_chan
        if chan is not None and chan.heard == lookup.heard:
            chan.misses += 1
            return
        self._rate.on_loss(now, lookup.last_sent)

    # --- the timer -------------------------------------------------------------------------
    def _arm(self, lookup: _Lookup, when: float) -> None:
        lookup.next_at = when
        if self._timers.add(when, lookup):  # a new earliest bucket: bring the loop timer forward
            self._schedule(self._timers.next_at)

    def _schedule(self, when: float) -> None:
        assert self._loop is not None
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = self._loop.call_at(when, self._on_timer)

    def _on_timer(self) -> None:
        assert self._loop is not None
        self._timer, self._timer_at = None, math.inf
        now = self._loop.time()
        for lookup in self._timers.pop_due(now + SLACK):
            route = lookup.route
            if lookup.done or lookup.next_at > now + SLACK or route.busy:
                continue  # answered, re-armed for later, or waiting on TCP (its own timeout holds)
            if now >= route.deadline - SLACK:
                self._fail(lookup)
            elif lookup.backoff:
                lookup.backoff = False
                self._queue_resend(lookup)
            elif not lookup.queued:
                self._late(lookup, now)
                self._queue_resend(lookup)
        next_at = self._timers.next_at
        if next_at < self._timer_at:
            self._schedule(next_at)

    def _rearm(self) -> None:
        """The loss timer fell to under half (the first round trips were measured, or a spike
        passed): sends waiting on the longer timer count as lost when the new one says,
        rather than holding their window slots until the old one fires."""
        for chan in self._channels.values():
            for lookup, _, sent_at in chan.pending.values():
                if lookup.done or lookup.queued or lookup.backoff or lookup.route.busy or sent_at != lookup.last_sent:
                    continue
                when = min(lookup.route.deadline, self._rate.loss_at(sent_at))
                if when < lookup.next_at:
                    self._arm(lookup, when)

    def _queue_resend(self, lookup: _Lookup) -> None:
        """Send again when pacing allows; the deadline still holds while it waits."""
        route = lookup.route
        lookup.queued = True
        self._resends.append(lookup)
        self._arm(lookup, route.deadline)
        self._kick()

    # --- sockets ---------------------------------------------------------------------------
    def _open(self, ns: Nameserver) -> UdpChannel:
        """The UDP channel to ``ns``; raises ``OSError`` (remembered) when it cannot be set up."""
        if ns in self._broken:
            raise OSError(self._broken[ns])
        try:
            chan = UdpChannel.open(ns, self._running_loop(), self._on_reply, self._after_drain)
        except OSError as exc:
            self._broken[ns] = str(exc)  # every lookup reports it without retrying the socket
            raise
        self._channels[ns] = chan
        return chan

    def close(self) -> None:
        """Stop: every lookup not yet ended is cancelled (its future)."""
        for handle in (self._pace_timer, self._timer, self._hold_timer):
            if handle is not None:
                handle.cancel()
        self._pace_timer = self._timer = self._hold_timer = None
        self._timer_at = math.inf
        for task in list(self._tasks):
            task.cancel()
        open_lookups = [*self._waiting, *self._resends]
        for chan in self._channels.values():
            open_lookups += chan.owners()
            assert self._loop is not None
            chan.close(self._loop)
        for lookup in {id(lk): lk for lk in open_lookups}.values():
            if not lookup.done:
                lookup.done = True
                lookup.future.cancel()
        self._channels.clear()
        self._broken.clear()
        self._timers.clear()
        self._waiting.clear()
        self._resends.clear()
        self._dirty.clear()

    async def __aenter__(self) -> DnsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
