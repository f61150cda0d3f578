"""The resolution policy and the timer buckets on their own: no sockets, the time as numbers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mxsplit_component.dns.nameservers import Nameserver
from mxsplit_component.dns.resolution import MAX_TRIES, PRESSURE_RETRIES, Resolution, Step
from mxsplit_component.dns.timers import TICK, TimerWheel

ONE, TWO, THREE = Nameserver("192.0.2.1", 53), Nameserver("192.0.2.2", 53), Nameserver("192.0.2.3", 53)
SERVERS = [ONE, TWO, THREE]


def route(servers=SERVERS, deadline=5.0, first=0):
    return Resolution(servers, deadline, {}, first)


def test_servers_are_asked_in_order_from_the_first_and_round_again():
    r = route(first=1)
    assert [r.next_server(0.0) for _ in range(4)] == [TWO, THREE, ONE, TWO]
    assert r.tries == 4


def test_it_gives_up_at_the_deadline_and_after_max_tries():
    r = route(deadline=1.0)
    assert r.next_server(0.999) is None  # too little time left for another send
    r = route(servers=[ONE], deadline=100.0)
    assert all(r.next_server(0.0) == ONE for _ in range(MAX_TRIES))
    assert r.next_server(0.0) is None


def test_an_answer_ends_the_lookup_and_is_its_outcome():
    r = route()
    r.sent(str(ONE))
    assert r.on_reply(ONE, str(ONE), "NXDOMAIN", False, 0.1) is Step.ANSWER
    assert r.outcomes == {str(ONE): "answered NXDOMAIN"}


@pytest.mark.parametrize("rcode", ["SERVFAIL", "REFUSED", "NOTIMP", "FORMERR"])
def test_an_error_moves_on_to_the_next_server_and_drops_this_one(rcode):
    r = route()
    r.no_edns = {ONE}  # (FORMERR to a query already without EDNS)
    assert r.next_server(0.0) == ONE
    assert r.on_reply(ONE, str(ONE), rcode, False, 0.1) is Step.NEXT
    assert r.outcomes[str(ONE)] == f"answered {rcode}"
    assert [r.next_server(0.1) for _ in range(3)] == [TWO, THREE, TWO]  # ONE is out for good


def test_formerr_to_edns_asks_the_same_server_again_without_it():
    r = route()
    assert r.next_server(0.0) == ONE and r.edns(ONE)
    assert r.on_reply(ONE, str(ONE), "FORMERR", False, 0.1) is Step.NEXT
    assert r.next_server(0.1) == ONE and not r.edns(ONE) and r.edns(TWO)
    assert r.outcomes[str(ONE)] == "answered FORMERR to EDNS; retried without EDNS"


def test_truncation_goes_to_tcp_unless_the_time_is_up():
    r = route()
    assert r.on_reply(ONE, str(ONE), "NOERROR", True, 0.1) is Step.TCP
    assert r.busy and r.tries == 1
    assert r.on_reply(ONE, str(ONE), "NOERROR", False, 0.2) is Step.ANSWER  # a UDP answer still counts
    r = route()
    assert r.on_reply(ONE, str(ONE), "NOERROR", True, 0.1) is Step.TCP
    assert r.on_reply(TWO, str(TWO), "SERVFAIL", False, 0.2) is Step.WAIT  # the TCP exchange decides
    assert r.on_tcp(ONE, str(ONE), None, "connection refused") is Step.NEXT
    assert r.outcomes[str(ONE)] == "truncated over UDP and TCP failed (connection refused)"
    r = route(deadline=1.0)
    assert r.on_reply(ONE, str(ONE), "NOERROR", True, 1.0) is Step.NEXT
    assert r.outcomes[str(ONE)] == "truncated over UDP; no time left for TCP"


def test_tcp_answer_and_tcp_error_rcode():
    r = route()
    r.on_reply(ONE, str(ONE), "NOERROR", True, 0.1)
    assert r.on_tcp(ONE, str(ONE), "NOERROR") is Step.ANSWER
    assert r.outcomes[str(ONE)] == "answered NOERROR over TCP"
    r = route()
    r.on_reply(ONE, str(ONE), "NOERROR", True, 0.1)
    assert r.on_tcp(ONE, str(ONE), "REFUSED") is Step.NEXT
    assert r.outcomes[str(ONE)] == "answered REFUSED over TCP"


@pytest.mark.parametrize("rcode", ["REFUSED", "SERVFAIL"])
def test_refusals_from_a_server_that_answers_others_are_asked_again_later(rcode):
    r = route(servers=[ONE])
    steps = [r.on_reply(ONE, str(ONE), rcode, False, 0.1, answering=True) for _ in range(PRESSURE_RETRIES + 1)]
    assert steps == [Step.LATER] * PRESSURE_RETRIES + [Step.NEXT]  # then it is the server's answer
    assert r.next_server(0.2) is None and r.outcomes[str(ONE)] == f"answered {rcode}"
    # While the server refuses in a burst, the lookup keeps asking until its deadline.
    r = route(servers=[ONE])
    assert all(r.on_reply(ONE, str(ONE), rcode, False, 0.1, answering=True, pressed=True) is Step.LATER
               for _ in range(3 * PRESSURE_RETRIES))
    # With another server, the lookup moves on at once; the refusing one stays in the rotation.
    r = route(servers=[ONE, TWO])
    assert r.next_server(0.0) == ONE
    assert r.on_reply(ONE, str(ONE), rcode, False, 0.1, answering=True) is Step.NEXT
    assert [r.next_server(0.1), r.next_server(0.1)] == [TWO, ONE]


def test_a_server_that_answers_nothing_else_refuses_for_good():
    r = route(servers=[ONE])
    assert r.on_reply(ONE, str(ONE), "REFUSED", False, 0.1, answering=False) is Step.NEXT
    assert r.next_server(0.1) is None


def test_refusals_before_any_answer_are_asked_again_once():
    # A throttle refuses the tail of the first burst before the first answers come back.
    r = route(servers=[ONE])
    assert r.on_reply(ONE, str(ONE), "REFUSED", False, 0.1, unknown=True) is Step.LATER
    assert r.on_reply(ONE, str(ONE), "REFUSED", False, 0.5, unknown=True) is Step.NEXT
    assert r.next_server(0.5) is None


def test_notimp_is_never_taken_for_load():
    r = route(servers=[ONE])
    assert r.on_reply(ONE, str(ONE), "NOTIMP", False, 0.1, answering=True, pressed=True) is Step.NEXT
    assert r.next_server(0.1) is None


def test_failure_names_every_server_in_the_order_asked():
    r = route(servers=[ONE, TWO])
    r.next_server(0.0)
    r.sent(str(ONE))
    r.on_reply(ONE, str(ONE), "SERVFAIL", False, 0.1)
    r.next_server(0.1)
    r.sent(str(TWO))
    assert r.failure(0.8) == "192.0.2.1:53 answered SERVFAIL; 192.0.2.2:53 no reply within 0.8s"
    assert route().failure(1.0) == "no server was tried"


def test_a_server_without_a_socket_is_out_and_says_why():
    r = route(servers=[ONE, TWO])
    r.cannot_ask(ONE, "cannot open a UDP socket to it (Network is unreachable)")
    assert r.next_server(0.0) == TWO
    assert r.outcomes[str(ONE)] == "cannot open a UDP socket to it (Network is unreachable)"


# --- timers -----------------------------------------------------------------------------------
def test_timers_come_back_never_early_and_at_most_a_tick_late_in_order():
    wheel: TimerWheel[str] = TimerWheel()
    assert wheel.add(10.0, "b") is True  # the first bucket: the loop timer must be set
    assert wheel.add(10.0, "c") is False  # the same bucket
    assert wheel.add(9.5, "a") is True  # earlier than any: bring the loop timer forward
    assert wheel.add(11.0, "d") is False
    assert 9.5 <= wheel.next_at < 9.5 + TICK
    assert wheel.pop_due(9.49) == []
    assert wheel.pop_due(9.5 + TICK) == ["a"]
    assert wheel.pop_due(10.0 + TICK) == ["b", "c"]
    assert wheel.pop_due(100.0) == ["d"]
    assert wheel.next_at == float("inf")


@given(st.lists(st.floats(min_value=0, max_value=10, allow_nan=False), min_size=1, max_size=50),
       st.floats(min_value=0.0001, max_value=0.02))
def test_every_timer_comes_back_once_between_its_time_and_a_tick_later(times, step):
    wheel: TimerWheel[int] = TimerWheel()
    for i, when in enumerate(times):
        wheel.add(when, i)
    seen: dict[int, float] = {}
    now = 0.0
    while len(seen) < len(times):
        for i in wheel.pop_due(now):
            assert i not in seen
            seen[i] = now
        now += step
    for i, when in enumerate(times):
        assert when <= seen[i] < when + TICK + step
