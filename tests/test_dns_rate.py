"""The rate controller on its own: a fake clock (plain numbers), no sockets, no loop."""

import pytest

from mxsplit_component.dns.rate import (
    BETA,
    BURST,
    INITIAL_WINDOW,
    JITTER,
    LOSS_RTTS,
    MAX_BACKOFF,
    MIN_RTO,
    MIN_WINDOW,
    RATE_GROWTH,
    UNLIMITED,
    RateController,
)


def controller(**kw):
    kw.setdefault("max_window", 1024)
    kw.setdefault("retry", 1.0)
    kw.setdefault("rng", lambda: 0.0)
    return RateController(**kw)


def replies(rate, now, count, rtt=0.001, *, answered=True, grow=True, waiting=True):
    """``count`` replies of one drain, the window full of lookups meanwhile."""
    for _ in range(count):
        rate.sample(rtt, answered, grow)
    rate.in_flight = rate.limit
    rate.settle(now, waiting)


def test_slow_start_doubles_per_round_trip_while_the_window_limits():
    rate = controller()
    assert rate.limit == INITIAL_WINDOW
    replies(rate, 0.001, INITIAL_WINDOW)
    assert rate.limit == 2 * INITIAL_WINDOW
    replies(rate, 0.002, 2 * INITIAL_WINDOW)
    assert rate.limit == 4 * INITIAL_WINDOW
    assert rate.peak_window == 4 * INITIAL_WINDOW


def test_the_window_does_not_grow_when_it_limited_nothing():
    rate = controller()
    for _ in range(10):
        rate.sample(0.001, True, True)
    rate.in_flight = 0  # nobody queued, nearly nothing in flight (RFC 7661)
    rate.settle(0.001, False)
    assert rate.limit == INITIAL_WINDOW


def test_slow_start_ends_at_the_first_reply_that_queued():
    rate = controller()
    replies(rate, 0.001, 32, rtt=0.001)
    replies(rate, 0.002, 8, rtt=0.050)  # far above twice the best round trip: a queue somewhere
    assert rate.threshold == 64 and rate.limit == 64
    replies(rate, 0.003, 64, rtt=0.001)  # congestion avoidance: about one per window of replies
    assert rate.limit == 65


def test_replies_of_lookups_counted_lost_do_not_grow_the_window():
    rate = controller()
    replies(rate, 0.001, 32, grow=False)
    assert rate.limit == INITIAL_WINDOW


def test_the_loss_timer_is_a_few_round_trips_within_bounds():
    rate = controller(retry=1.0)
    assert rate.rto == 1.0  # nothing measured yet: the retry interval
    replies(rate, 0.001, 50, rtt=0.001)
    assert rate.rto == MIN_RTO  # sub-millisecond round trips: never below the floor
    rate = controller(retry=1.0)
    replies(rate, 1.0, 50, rtt=0.100)
    assert rate.rto == pytest.approx(LOSS_RTTS * 0.100, rel=0.05)
    rate = controller(retry=1.0)
    replies(rate, 1.0, 50, rtt=2.0)
    assert rate.rto == 1.0  # a slow server: at most the retry interval (its late reply still counts)


def test_a_fixed_retry_interval_is_kept_and_not_spread():
    rate = controller(retry=0.3, fixed_retry=True, rng=lambda: 0.99)
    replies(rate, 0.001, 50, rtt=0.001)
    assert rate.rto == 0.3 and rate.loss_at(10.0) == 10.3


def test_the_loss_timer_is_spread_earlier_never_later():
    draws = iter([0.0, 0.5, 0.999])
    rate = controller(retry=1.0, rng=lambda: next(draws))
    assert [rate.loss_at(0.0) for _ in range(3)] == pytest.approx([1.0, 1.0 - JITTER / 2, 1.0 - JITTER * 0.999])


def test_a_loss_halves_the_window_once_per_round_and_sets_a_rate_from_the_replies():
    rate = controller()
    replies(rate, 0.1, 200, rtt=0.001)
    replies(rate, 0.6, 200, rtt=0.001)  # 200 answers over the half second since the first drain
    window = rate.window
    rate.on_loss(0.61, sent_at=0.6)
    assert rate.window == max(MIN_WINDOW, window / 2) and rate.cuts == 1
    assert rate.rate == pytest.approx(BETA * 200 / 0.5)
    rate.on_loss(0.62, sent_at=0.605)  # sent before the cut: the same round, no second cut
    assert rate.cuts == 1
    rate.on_loss(0.63, sent_at=0.615)  # sent after it: a new loss
    assert rate.cuts == 2 and rate.window == max(MIN_WINDOW, window / 4)


def test_the_window_never_backs_off_below_its_floor():
    rate = controller()
    for i in range(10):
        rate.on_loss(1.0 + i, sent_at=0.99 + i)
    assert rate.limit == MIN_WINDOW


def test_the_rate_grows_additively_after_a_cut_and_paces_the_sends():
    rate = controller()
    replies(rate, 0.0, 1, rtt=0.001)
    for t in range(1, 11):
        replies(rate, t / 10, 50, rtt=0.001)  # 500 answers a second
    rate.on_loss(1.0, sent_at=0.99)
    cut = rate.rate
    assert cut == pytest.approx(BETA * 500, rel=0.05)
    # Paced at the rate in small bursts, not the window's pace.
    assert rate.allowance(1.0) <= max(1, int(cut * 0.01)) < BURST
    rate.allowance(3.0)  # two seconds later: grown by RATE_GROWTH of the cut value per second
    assert rate.rate == pytest.approx(cut * (1 + 2 * RATE_GROWTH))


def test_a_low_first_estimate_is_probed_upwards_until_the_next_loss():
    rate = controller()
    replies(rate, 0.0, 1, rtt=0.001)
    replies(rate, 0.3, 30, rtt=0.001)  # 100 a second: the client was waiting on its first losses
    rate.on_loss(0.3, sent_at=0.29)
    first = rate.rate
    now = 0.3
    for _ in range(4):  # whole intervals sending at the limit, nothing lost (the first began at the cut)
        now += 0.3
        rate.spend(int(first * 2 * 0.3))
        replies(rate, now, 1, rtt=0.001)
    assert rate.rate == pytest.approx(first * 1.25 ** 3)
    rate.on_loss(now + 0.01, sent_at=now)
    probed = rate.rate
    now += 0.3
    rate.spend(int(probed * 2 * 0.3))
    replies(rate, now, 1, rtt=0.001)
    assert rate.rate < 1.1 * probed  # after that loss: additive growth only


def test_pacing_allows_bursts_then_waits_for_tokens():
    rate = controller()
    assert rate.allowance(0.0) == UNLIMITED  # no round trip known: nothing to pace by
    replies(rate, 0.0, 1, rtt=0.010)
    first = rate.allowance(1.0)
    assert first == BURST
    rate.spend(first)
    assert rate.allowance(1.0) == 0
    # Tokens come back at twice the window per round trip.
    assert rate.wait() == pytest.approx(1 / (2 * rate.window / rate.srtt))


def test_a_reply_to_a_send_counted_lost_undoes_the_cut():
    rate = controller()
    replies(rate, 0.1, 64, rtt=0.001)
    before = (rate.window, rate.rate)
    rate.on_loss(0.5, sent_at=0.2)
    assert rate.window < before[0]
    rate.on_late_reply(sent_at=0.2)  # it was late, not lost
    assert (rate.window, rate.rate) == before
    rate.on_late_reply(sent_at=0.2)  # undone once only
    assert (rate.window, rate.rate) == before


def test_a_fixed_window_never_adapts():
    rate = controller(max_window=50, adaptive=False)
    replies(rate, 0.1, 200, rtt=0.001)
    rate.on_loss(0.2, sent_at=0.15)
    assert rate.limit == 50 and rate.cuts == 0 and rate.allowance(0.3) == UNLIMITED
    assert rate.rto == 1.0


def test_backoff_doubles_from_the_loss_timer_up_to_a_cap():
    rate = controller(retry=0.5)
    assert [rate.backoff(n) for n in (1, 2, 3, 10)] == [1.0, MAX_BACKOFF, MAX_BACKOFF, MAX_BACKOFF]
    replies(rate, 0.1, 50, rtt=0.001)
    assert rate.backoff(1) == 2 * MIN_RTO
