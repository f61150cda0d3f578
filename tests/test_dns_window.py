"""The adaptive in-flight window and paced sends, against servers started here on loopback."""

import asyncio
import time

from mxsplit_component.dns.nameservers import parse_nameserver
from mxsplit_component.dns.transport import INITIAL_WINDOW, MIN_WINDOW, DnsClient
from tests.support.dnsfaults import FaultServer

N = 400
RECORDS = {f"h{i}.example.": ["A 192.0.2.1"] for i in range(N)}


def lookups(server, names, **kw):
    async def run():
        async with DnsClient([parse_nameserver(server.nameserver)], **kw) as client:
            answers = await asyncio.gather(*(client.query(n, "A") for n in names))
            return answers, client.stats, client.window

    return asyncio.run(asyncio.wait_for(run(), 30))


def test_window_grows_while_replies_come_back():
    with FaultServer(RECORDS) as server:
        answers, stats, window = lookups(server, [f"h{i}.example" for i in range(N)], timeout=5)
    assert [a.error for a in answers] == [None] * N
    assert stats.peak_window > INITIAL_WINDOW  # it needed more than the start and took it
    assert stats.timeouts == 0 and stats.udp_sent == N


def test_window_backs_off_when_replies_stop_coming():
    # Every query of the first 40 names goes unanswered: the window halves (once per
    # window of sends), the lookups fail within their timeout, and the rest are answered.
    def behaviour(query):
        return ["silent"] if int(query.question[0].name.labels[0][1:]) < 40 else ["ok"]

    with FaultServer(RECORDS, behaviour) as server:
        answers, stats, window = lookups(server, [f"h{i}.example" for i in range(N)], timeout=0.9, retry=0.3)
    assert all(a.error is not None for a in answers[:40])
    assert [a.error for a in answers[40:]] == [None] * (N - 40)
    assert stats.timeouts >= 40
    assert MIN_WINDOW <= window < stats.peak_window


def test_fixed_window_never_adapts():
    def behaviour(query):
        return ["silent"] if int(query.question[0].name.labels[0][1:]) < 10 else ["ok"]

    with FaultServer(RECORDS, behaviour) as server:
        answers, stats, window = lookups(server, [f"h{i}.example" for i in range(200)], timeout=0.9, retry=0.3,
                                         max_in_flight=50, adaptive=False)
    assert [a.error for a in answers[10:]] == [None] * 190
    assert window == 50 and stats.peak_window == 50


def test_max_in_flight_bounds_the_window():
    with FaultServer(RECORDS) as server:
        _, stats, window = lookups(server, [f"h{i}.example" for i in range(N)], timeout=5, max_in_flight=40)
    assert stats.peak_window <= 40 and window <= 40


def test_a_dead_first_server_neither_shrinks_the_window_nor_costs_every_lookup_a_retry():
    # The first --nameserver never answers. Only the first window of lookups (and a probe
    # per retry interval) waits on it; the rest go straight to the live one, and its
    # silence is not read as congestion (which once left 4 lookups in flight: minutes).
    with FaultServer({}, ("silent",), address="127.0.0.9") as dead, FaultServer(RECORDS) as live:
        servers = [parse_nameserver(dead.nameserver), parse_nameserver(live.nameserver)]

        async def run():
            async with DnsClient(servers, timeout=2, retry=0.5) as client:
                answers = await asyncio.gather(*(client.query(f"h{i}.example", "A") for i in range(N)))
                return answers, client.window

        start = time.monotonic()
        answers, window = asyncio.run(asyncio.wait_for(run(), 30))
        elapsed = time.monotonic() - start
    assert [a.error for a in answers] == [None] * N
    assert all(a.server == live.nameserver for a in answers)
    assert len(dead.queries) <= INITIAL_WINDOW + 8  # the first window, then a probe per retry interval
    assert window >= INITIAL_WINDOW
    assert elapsed < 5  # 400 lookups at one retry interval each, 4 at a time, took 50 s


def test_a_lookup_nobody_answers_gives_up_its_slot_after_the_retry_interval():
    # Four lookups a server never answers, a window of four: they leave the window when
    # their first send goes unanswered (their retries go on), so the others do not wait
    # for those four to time out.
    def behaviour(query):
        return ["silent"] if int(query.question[0].name.labels[0][1:]) < 4 else ["ok"]

    with FaultServer(RECORDS, behaviour) as server:
        async def run():
            async with DnsClient([parse_nameserver(server.nameserver)], timeout=3, retry=0.3, max_in_flight=4,
                                 adaptive=False) as client:
                loop = asyncio.get_running_loop()
                start = loop.time()
                futures = [client.submit(f"h{i}.example", "A") for i in range(100)]
                good = await asyncio.gather(*futures[4:])
                took = loop.time() - start
                bad = await asyncio.gather(*futures[:4])
                return good, bad, took

        good, bad, took = asyncio.run(asyncio.wait_for(run(), 30))
    assert [a.error for a in good] == [None] * 96
    assert all(a.error is not None and "no reply within 3s" in a.error for a in bad)
    assert took < 2  # not the 3 s the silent lookups hold on to
