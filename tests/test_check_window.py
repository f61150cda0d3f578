"""The adaptive in-flight window and paced sends, against servers started here on loopback."""

import asyncio

from dnsfaults import FaultServer
from mxsplit_component.check.transport import INITIAL_WINDOW, MIN_WINDOW, DnsClient, parse_nameserver

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
