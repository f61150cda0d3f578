"""What the checks of one run share, through ``check --file``: SMTP sessions capped per address and per
/24 (``--smtp-per-address``, ``--smtp-per-network``), and a zone's authoritative servers found once
(a dead one costs the run, not every row)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from typing import Any

import pytest

from mxsplit_component.check.smtp_pool import PER_ADDRESS, PER_NETWORK
from mxsplit_component.cli import main
from mxsplit_component.cli.check_flags import PER_ADDRESS as PARSER_PER_ADDRESS
from mxsplit_component.cli.check_flags import PER_NETWORK as PARSER_PER_NETWORK
from mxsplit_component.testing.smtp import MS_WILDCARD, Pki, free_port, smtp_servers
from tests.support.dnsfaults import FaultServer, free_port_on

MS = "mail.protection.outlook.com"
NEW = "o-v1.mx.microsoft"
#: a.test's dual-stack host is under mx.microsoft, b.test's under mail.protection: one address, two certificate
#: groups, so 127.0.0.3 gets two sessions.
ZONE = {"a.test.": [f"MX 0 a.{MS}.", f"MX 10 a-test.{NEW}."], "b.test.": [f"MX 0 b.{MS}.", f"MX 10 b-test.{MS}."],
        f"a.{MS}.": ["A 127.0.0.2"], f"b.{MS}.": ["A 127.0.0.2"], f"a-test.{NEW}.": ["A 127.0.0.3"],
        f"b-test.{MS}.": ["A 127.0.0.3"]}


class Slow:
    """An SMTP sink whose EHLO takes a while, recording how many sessions overlap, per address."""

    active: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    lock = threading.Lock()

    def __init__(self, address: str) -> None:
        self.address = address

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        with Slow.lock:
            Slow.active[self.address] += 1
            Slow.active["net"] += 1
            Slow.peak[self.address] = max(Slow.peak[self.address], Slow.active[self.address])
            Slow.peak["net"] = max(Slow.peak["net"], Slow.active["net"])
        await asyncio.sleep(0.3)
        with Slow.lock:
            Slow.active[self.address] -= 1
            Slow.active["net"] -= 1
        return responses


@pytest.fixture
def sinks(tmp_path, monkeypatch):
    pki = Pki(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", pki.ca_file)
    Slow.active.clear()
    Slow.peak.clear()
    servers = {a: (Slow(a), pki.context(MS_WILDCARD, f"*.{NEW}")) for a in ("127.0.0.2", "127.0.0.3")}
    with smtp_servers(free_port(tuple(servers)), servers) as port:
        yield port


def check_file(capsys, tmp_path, server, port, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    csv = tmp_path / "d.csv"
    csv.write_text(f"domain,tenant,dual_stack_host\na.test,a,a-test.{NEW}\nb.test,b,\n")
    code = main(["check", "--file", str(csv), "--nameserver", server.nameserver, "--no-mta-sts", "--timeout", "2",
                 "--smtp", "--smtp-port", str(port), "--json", *extra])
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_the_parser_shows_the_pools_defaults():
    assert (PARSER_PER_ADDRESS, PARSER_PER_NETWORK) == (PER_ADDRESS, PER_NETWORK)


@pytest.mark.parametrize("extra, per_address, per_network", [
    ((), 1, 2),
    (("--smtp-per-address", "2"), 2, 3),
    (("--smtp-per-network", "1"), 1, 1),
])
def test_sessions_at_once_are_capped_per_address_and_per_network(capsys, tmp_path, sinks, extra, per_address,
                                                                 per_network):
    with FaultServer(ZONE) as server:
        code, rows = check_file(capsys, tmp_path, server, sinks, *extra)
    assert code == 1, rows  # the dual-stack hosts have no AAAA here: not what this test is about
    assert all(p["outcome"] == "ok" and p["tls"] == "verified" for r in rows for p in r["smtp"]["probes"])
    assert (Slow.peak["127.0.0.3"], Slow.peak["net"]) == (per_address, per_network)
    given = dict(zip(extra[::2], extra[1::2], strict=True))
    assert rows[0]["smtp"]["limits"] == {"per_address": int(given.get("--smtp-per-address", PER_ADDRESS)),
                                         "per_network": int(given.get("--smtp-per-network", PER_NETWORK))}


@pytest.mark.parametrize("value", ["0", "17", "many"])
def test_caps_out_of_range_are_usage_errors(capsys, value):
    with pytest.raises(SystemExit) as exc:
        main(["check", "a.test", "--tenant", "a", "--smtp", "--smtp-per-network", value])
    assert exc.value.code == 2 and "--smtp-per-network" in capsys.readouterr().err


def test_a_dead_authoritative_server_costs_the_run_not_every_row(capsys, tmp_path):
    """Twenty domains on one hoster whose first nameserver is dead: its servers are found once per domain, one
    client serves them all, and the dead one is asked a few times in all, not once per row."""
    domains = [f"d{i}.test" for i in range(20)]
    records: dict[str, list[str]] = {"ns1.hoster.test.": ["A 127.0.0.2"], "ns2.hoster.test.": ["A 127.0.0.3"],
                                     f"d-test.{MS}.": ["A 127.0.0.4"], f"t.{MS}.": ["A 127.0.0.5"]}
    for d in domains:
        records[f"{d}."] = [f"MX 0 t.{MS}.", f"MX 10 {d.replace('.', '-')}.{MS}.", "NS ns1.hoster.test.",
                            "NS ns2.hoster.test."]
        records[f"{d.replace('.', '-')}.{MS}."] = ["A 127.0.0.4", "AAAA ::1"]
    port = free_port_on("127.0.0.2", "127.0.0.3")
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\n" + "".join(f"{d},t\n" for d in domains))
    with FaultServer(records) as resolver, \
            FaultServer(records, ["silent"], address="127.0.0.2", port=port) as dead, \
            FaultServer(records, address="127.0.0.3", port=port) as good:
        started = time.monotonic()
        code = main(["check", "--file", str(csv), "--nameserver", resolver.nameserver, "--authoritative", "--port",
                     str(port), "--no-mta-sts", "--timeout", "2", "--concurrency", "4", "--json"])
        elapsed = time.monotonic() - started
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and all(r["ok"] for r in rows)
    assert sorted(q[1] for q in resolver.queries if q[2] == "NS") == sorted(f"{d}." for d in domains)
    assert len([q for q in good.queries if q[2] == "MX"]) == len(domains)
    assert len([q for q in dead.queries if q[2] == "MX"]) <= 8
    assert elapsed < 15
