"""How fast lookups go out: the in-flight window, the send rate, and when a send counts as lost.

No I/O and no clock: the transport passes the time in, asks before it sends and reports
every reply and loss. Three controls, each after a TCP idea:

- **The window** (lookups in flight) grows as TCP's congestion window does: by one per
  reply in slow start, by one per round trip after it, and halves on a loss. Slow start
  ends at the first reply that took clearly longer than the path's best round trip (as
  HyStart ends it): replies that slow are queueing in some buffer, and growing further
  would only fill it until the kernel drops.
- **The send rate.** New lookups and resends are paced at twice the window per round trip,
  in bursts of at most :data:`BURST`. A resolver that throttles per client (a token bucket
  of a few hundred queries a second, a small burst) drops or refuses over its limit however
  small the window, since at sub-millisecond round trips a window of 32 is tens of thousands
  of queries a second. So the first loss also sets a rate limit from the pace measured
  before it (replies and sends per second), probed upwards while whole intervals pass at
  that limit without a loss (the first estimate is taken while the client also waits on
  its first losses), then cut multiplicatively on each later loss and grown additively in
  between (AIMD), with small bursts. Bursts of REFUSED or SERVFAIL from a server that
  answers other lookups count as losses (the transport reports them).
- **When a send is lost**: after a few smoothed round trips (at least :data:`MIN_RTO`, at
  most the retry interval), not after a fixed second; spread by a random share so the
  resends of one burst do not go out as another burst. A reply to a send already counted
  lost undoes the cut it caused (it was late, not lost: TCP's Eifel response).
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable

#: Where the adaptive window starts, and the least it backs off to.
INITIAL_WINDOW = 32
MIN_WINDOW = 32
#: Queueing delay tolerated above twice the best round trip before the window stops growing.
QUEUE_SLACK = 0.005
#: Pacing of sends: rate relative to window / round trip, and the largest burst.
PACE_GAIN = 2.0
BURST = 64
#: A send counts as lost after the larger of LOSS_RTTS smoothed round trips and the RFC 6298
#: bound (srtt + 4 rttvar), but never sooner than MIN_RTO.
MIN_RTO = 0.2
LOSS_RTTS = 3.0
#: Share of a loss timer or back-off taken off at random, to spread resends.
JITTER = 0.25
#: The send rate after a loss, as a share of the replies per second measured before it.
BETA = 0.85
#: Additive increase: the rate grows by this share of its last cut value per second.
RATE_GROWTH = 0.15
#: After the first cut, each interval spent at (this share of) the rate without a loss
#: raises the rate by PROBE_GAIN, until the next loss: that first estimate is often low.
PROBE_FULL = 0.9
PROBE_GAIN = 1.25
#: The least send rate (queries per second) a cut leaves.
MIN_RATE = 10.0
#: Under a rate limit, bursts hold at most this many seconds of sends (and at least one).
BURST_SECONDS = 0.01
#: Replies and sends per second are measured over intervals of this length (and a first,
#: shorter one counts as at least MIN_SAMPLE long).
DELIVERY_SAMPLE = 0.25
MIN_SAMPLE = 0.01
#: The longest back-off before asking a refusing server again.
MAX_BACKOFF = 2.0
#: What :meth:`RateController.allowance` returns when nothing limits the sends.
UNLIMITED = 1 << 30


class RateController:
    """The window, the pacing and the loss timer of one client.

    :param max_window: the most lookups in flight; the window adapts below it.
    :param adaptive: adapt at all (``False``: ``max_window`` in flight, no pacing, a fixed
        loss timer, as a plain client would).
    :param retry: the loss timer before any round trip is measured, and its upper bound.
    :param fixed_retry: keep the loss timer at ``retry`` whatever the round trips are.
    :param rng: numbers in [0, 1) that spread timers (tests pass their own).
    """

    __slots__ = ("max_window", "adaptive", "window", "limit", "threshold", "peak_window", "in_flight", "min_rtt",
                 "srtt", "rttvar", "rto", "max_rto", "fixed_retry", "rate", "cuts", "_rate_step", "_rate_at", "_probing",
                 "_tokens", "_tokens_at", "_pace", "_last_cut", "_undo", "_delivered", "_sent", "_sample_at",
                 "_rates", "_count", "_sum", "_low", "_high", "_grown", "_random")

    def __init__(self, *, max_window: int, adaptive: bool = True, retry: float = 1.0,
                 fixed_retry: bool = False, rng: Callable[[], float] = random.random) -> None:
        self.max_window = max(1, max_window)
        self.adaptive = adaptive
        self._random = rng
        self.window = float(min(INITIAL_WINDOW, self.max_window) if adaptive else self.max_window)
        #: ``int(window)``, kept beside it: compared on every admission.
        self.limit = int(self.window)
        self.threshold = float(self.max_window)
        self.peak_window = self.limit
        #: Lookups in the window, counted by the transport (a new one may start while it is
        #: below ``limit``).
        self.in_flight = 0
        self.min_rtt = math.inf
        self.srtt = self.rttvar = 0.0
        self.rto = self.max_rto = retry
        self.fixed_retry = fixed_retry or not adaptive
        #: The AIMD send-rate limit (queries per second); ``None`` until the first loss.
        self.rate: float | None = None
        #: Times the window and rate were cut (losses or bursts of refusals).
        self.cuts = 0
        self._rate_step = self._rate_at = 0.0
        self._probing = False
        self._tokens, self._tokens_at, self._pace = float(BURST), 0.0, 0.0
        self._last_cut = -math.inf
        self._undo: tuple[float, float, float | None, float] | None = None
        #: Replies and paced sends counted since ``_sample_at`` (``None`` before the first
        #: reply), and of the last intervals the larger of the two per second.
        self._delivered = self._sent = 0
        self._rates: deque[float] = deque(maxlen=2)
        self._sample_at: float | None = None
        #: Replies sampled since the last settle: how many, the sum, least and most of their
        #: round trips, and how many may grow the window.
        self._count, self._sum, self._low, self._high, self._grown = 0, 0.0, math.inf, 0.0, 0

    # --- admission and pacing --------------------------------------------------------------
    def allowance(self, now: float) -> int:
        """Sends allowed right now (:data:`UNLIMITED` when nothing paces them yet)."""
        if not self.adaptive or not self.srtt:
            return UNLIMITED
        pace = PACE_GAIN * self.window / self.srtt
        cap = float(BURST)
        if self.rate is not None:
            if now > self._rate_at:  # additive increase since the last look
                self.rate += self._rate_step * (now - self._rate_at)
                self._rate_at = now
            if self.rate < pace:
                pace = self.rate
                cap = max(1.0, min(cap, pace * BURST_SECONDS))
        self._pace = pace
        self._tokens = min(cap, self._tokens + (now - self._tokens_at) * pace)
        self._tokens_at = now
        return int(self._tokens)

    def spend(self, sends: int) -> None:
        """``sends`` of the :meth:`allowance` went out."""
        self._sent += sends
        if self.adaptive and self.srtt:
            self._tokens -= sends

    def wait(self) -> float:
        """Seconds until the next send is allowed (after an :meth:`allowance` of 0)."""
        return max(0.0, 1.0 - self._tokens) / self._pace if self._pace else 0.0

    # --- feedback ----------------------------------------------------------------------------
    def sample(self, rtt: float, answered: bool, grow: bool) -> None:
        """A reply came back ``rtt`` seconds after the send it answers; it counts at the next
        :meth:`settle` (replies come in bursts: the arithmetic is done once per burst).

        :param answered: it answers the question (counts as delivered), not an error.
        :param grow: it ends a lookup whose sends were never counted lost: the window may grow.
        """
        self._count += 1
        self._sum += rtt
        if rtt > self._high:
            self._high = rtt
        if rtt < self._low:
            self._low = rtt
        if answered:
            self._delivered += 1
            if grow:
                self._grown += 1

    def settle(self, now: float, waiting: bool) -> None:
        """Fold in the replies sampled since the last call (the round trip estimates, the
        loss timer, the replies per second, the window).

        :param waiting: lookups are queued for the window.
        """
        count = self._count
        if not count:
            return
        mean, low, high, grown = self._sum / count, self._low, self._high, self._grown
        self._count, self._sum, self._low, self._high, self._grown = 0, 0.0, math.inf, 0.0, 0
        if low < self.min_rtt:
            self.min_rtt = low
        srtt = self.srtt
        spread = (high - low) / 2
        if srtt:  # RFC 6298 with a gain of 1/8 (1/4 for the variation) per reply in the burst
            error = mean - srtt
            if error < 0:
                error = -error
            self.rttvar += ((error if error > spread else spread) - self.rttvar) * (1.0 - 0.75 ** count)
            self.srtt = srtt = srtt + (mean - srtt) * (1.0 - 0.875 ** count)
        else:
            self.srtt = srtt = mean
            self.rttvar = mean / 2 if mean / 2 > spread else spread
        if not self.fixed_retry:
            rto = srtt + 4 * self.rttvar
            if rto < LOSS_RTTS * srtt:
                rto = LOSS_RTTS * srtt
            self.rto = MIN_RTO if rto < MIN_RTO else self.max_rto if rto > self.max_rto else rto
        if self._sample_at is None:  # the first replies start the count (over no known interval)
            self._delivered, self._sent, self._sample_at = 0, 0, now
        elif now - self._sample_at >= DELIVERY_SAMPLE:
            pace = max(self._delivered, self._sent) / (now - self._sample_at)
            self._rates.append(pace)
            if self._probing and self.rate is not None and self._last_cut < self._sample_at \
                    and pace >= PROBE_FULL * self.rate:
                # A whole interval at the rate limit and nothing lost: the first cut's estimate
                # (taken while the client also waited on its first losses) was low.
                self.rate *= PROBE_GAIN
            self._delivered, self._sent, self._sample_at = 0, 0, now
        if grown and self.adaptive:
            self._grow(high, grown, waiting)

    def _grow(self, rtt: float, replies: int, waiting: bool) -> None:
        bound = 2 * self.min_rtt + QUEUE_SLACK
        window = self.window
        if window < self.threshold:  # slow start: one more per reply, doubling per round trip
            if rtt > bound:
                self.threshold = window
                return
            if not waiting and self.in_flight + replies < self.limit:
                return  # the window limited nothing (RFC 7661): no evidence the path takes more
            window += replies
        elif self.srtt > bound:
            if window <= MIN_WINDOW:
                return
            window = max(float(MIN_WINDOW), window - replies / window)
        elif waiting or self.in_flight + replies >= self.limit:
            window += replies / window
        else:
            return
        if window > self.max_window:
            window = float(self.max_window)
        self.window = window
        if int(window) != self.limit:
            self._set_window(window)

    def _set_window(self, window: float) -> None:
        self.window = window = min(window, float(self.max_window))
        self.limit = int(window)
        if self.limit > self.peak_window:
            self.peak_window = self.limit

    def on_loss(self, now: float, sent_at: float) -> None:
        """A send made at ``sent_at`` went unanswered, or was refused under load: cut the
        window and the rate, once per round of sends (only a send made after the last cut
        can cause the next)."""
        if not self.adaptive or sent_at <= self._last_cut:
            return
        self._undo = (self.window, self.threshold, self.rate, self._rate_step)
        self._last_cut = now
        self.cuts += 1
        self.threshold = max(float(MIN_WINDOW), self.window / 2)
        self._set_window(self.threshold)
        measured = self._measured(now)
        if measured:
            self._probing = self.rate is None  # the first estimate is probed upwards until a loss
            self.rate = max(MIN_RATE, BETA * (measured if self.rate is None else min(measured, self.rate)))
            self._rate_step, self._rate_at = RATE_GROWTH * self.rate, now

    def _measured(self, now: float) -> float:
        """The pace lately: the larger of replies and sends per second, over the interval
        under way (once long enough to say, or when it is the first) or the last one.
        Replies alone understate it while the client waits on its own loss timers; sends
        alone overstate what got through: repeated cuts bring such a rate down within a few
        rounds. (Zero before the first reply: nothing to measure against.)"""
        if self._sample_at is None:
            return 0.0
        elapsed = now - self._sample_at
        if elapsed >= DELIVERY_SAMPLE / 2 or not self._rates:
            return max(self._delivered, self._sent) / max(elapsed, MIN_SAMPLE)
        return self._rates[-1]

    def on_late_reply(self, sent_at: float) -> None:
        """A reply came to a send counted lost before the last cut: it was late, not lost,
        so the cut is undone."""
        if self._undo is not None and sent_at < self._last_cut:
            window, self.threshold, self.rate, self._rate_step = self._undo
            self._undo = None
            self._set_window(window)

    # --- timers ------------------------------------------------------------------------------
    def loss_at(self, sent: float) -> float:
        """When a send made at ``sent`` counts as lost: a random share of the loss timer
        earlier or not, so the resends of one burst spread (a fixed retry interval is kept as
        given)."""
        if self.fixed_retry:
            return sent + self.rto
        return sent + self.rto * (1.0 - JITTER * self._random())

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before asking a refusing server again, the ``attempt``-th time
        (doubling from the loss timer, spread at random)."""
        return min(MAX_BACKOFF, self.rto * (1 << min(attempt, 8))) * (1.0 - JITTER * self._random())
