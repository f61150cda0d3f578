"""A bulk run behind a resolver that throttles (a token bucket in front of BIND) ends with
every row right, within a bounded time: the send rate follows what comes back.

The benchmarks run the same with 2,000 rows at 500 queries/s (``python -m bench``); here a
small run keeps CI quick.
"""

from __future__ import annotations

import json
import time

import pytest

from mxsplit_component.cli import main
from mxsplit_component.testing.bind import BindServer
from mxsplit_component.testing.throttle import Throttle, refused
from tests.support.bind import require_bind

MS = "mail.protection.outlook.com"
ROWS = 150
RATE, BURST = 300, 20
#: What the throttle itself allows: five queries per row at RATE.
IDEAL = 5 * ROWS / RATE
HEADER = "$TTL 3600\n@ IN SOA ns.bench. hostmaster.bench. 1 3600 600 86400 60\n@ IN NS ns.bench.\n"


def zones() -> dict[str, str]:
    mx, hosts = [], []
    for i in range(ROWS):
        mx += [f"d{i}.test. IN MX 0 t{i}.{MS}.", f"d{i}.test. IN MX 10 d{i}-test.{MS}."]
        hosts += [f"t{i}.{MS}. IN A 192.0.2.{i % 250 + 1}", f"d{i}-test.{MS}. IN A 198.51.100.{i % 250 + 1}",
                  f"d{i}-test.{MS}. IN AAAA 2001:db8::{i + 1:x}"]
    return {"test": HEADER + "\n".join(mx) + "\n", MS: HEADER + "\n".join(hosts) + "\n"}


@pytest.fixture(scope="module")
def bind():
    require_bind()
    with BindServer(zones()) as server:
        yield server


@pytest.mark.parametrize("mode", ["drop", "refuse"])
def test_bulk_run_behind_a_throttling_resolver_gets_every_row_right(bind, capsys, tmp_path, mode):
    csv_file = tmp_path / "d.csv"
    csv_file.write_text("domain,tenant\n" + "".join(f"d{i}.test,t{i}\n" for i in range(ROWS)))
    with Throttle(bind.port, rate=RATE, burst=BURST, mode=mode) as throttle:
        start = time.monotonic()
        code = main(["check", "--file", str(csv_file), "--nameserver", f"127.0.0.1:{throttle.port}", "--json",
                     "--no-mta-sts"])
        took = time.monotonic() - start
        counts = throttle.counts
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0, [r for r in rows if not r["ok"]][:2]
    assert [r["domain"] for r in rows] == [f"d{i}.test" for i in range(ROWS)]
    assert all(r["addresses"][f"d{i}-test.{MS}"]["ipv6"] == [f"2001:db8::{i + 1:x}"] for i, r in enumerate(rows))
    assert counts.limited > 0  # it did go over the limit (and backed off)
    assert took < 3 * IDEAL + 5


def test_the_stand_in_refuses_with_the_question_echoed():
    import dns.message
    import dns.rcode

    query = dns.message.make_query("d1.test.", "MX")
    reply = dns.message.from_wire(refused(query.to_wire()))
    assert reply.rcode() == dns.rcode.REFUSED and reply.id == query.id
    assert query.is_response(reply)
    assert refused(b"\x00") is None


def test_relay_ids_are_unique_upstream_and_go_back_to_their_client():
    from mxsplit_component.testing.throttle import QueryIds

    ids = QueryIds()
    a, b = ("127.0.0.1", 5001), ("127.0.0.1", 5002)
    up_a, up_b = ids.outbound(b"\x12\x34rest-a", a), ids.outbound(b"\x12\x34rest-b", b)  # the same client id twice
    assert up_a is not None and up_b is not None and up_a[:2] != up_b[:2]
    assert ids.inbound(up_b[:2] + b"reply-b") == (b"\x12\x34reply-b", b)
    assert ids.inbound(up_b[:2] + b"again") is None  # answered already: nobody waits for it
    assert ids.inbound(up_a[:2] + b"reply-a") == (b"\x12\x34reply-a", a)
    for n in range(65536):
        assert ids.outbound(n.to_bytes(2, "big") + b"q", a) is not None
    assert ids.outbound(b"\x00\x00q", a) is None  # every id waits for a reply
