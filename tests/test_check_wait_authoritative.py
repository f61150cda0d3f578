"""``check --authoritative --wait``: the whole step is polled until the deadline, finding the
zone's servers included (a zone delegated a moment ago is not visible at once)."""

from __future__ import annotations

import json
import threading
import time

import dns.name

from mxsplit_component.cli import main
from tests.support.dnsfaults import FaultServer

MS = "mail.protection.outlook.com"
V4, DS = f"contoso.{MS}.", f"contoso-com.{MS}."
HOSTS = {V4: ["A 192.0.2.1"], DS: ["A 198.51.100.1", "AAAA 2001:db8::1"]}
#: The delegation that appears later: contoso.com's NS (this same server) and its split.
DELEGATED = {"contoso.com.": ["NS ns.contoso.com.", f"MX 0 {V4}", f"MX 10 {DS}"], "ns.contoso.com.": ["A 127.0.0.1"]}


def check(capsys, server: FaultServer, wait: str) -> tuple[int, dict, float]:
    start = time.monotonic()
    code = main(["check", "contoso.com", "--tenant", "contoso", "--nameserver", server.nameserver, "--authoritative",
                 "--port", str(server.port), "--wait", wait, "--timeout", "1", "--no-mta-sts", "--json"])
    return code, json.loads(capsys.readouterr().out), time.monotonic() - start


def test_wait_polls_until_the_authoritative_servers_appear(capsys):
    with FaultServer(HOSTS) as server:
        later = threading.Timer(1.0, server.records.update, ({dns.name.from_text(k): v for k, v in DELEGATED.items()},))
        later.start()
        try:
            code, rep, elapsed = check(capsys, server, "10")
        finally:
            later.cancel()
    assert code == 0, rep["findings"]
    assert rep["published"] == [{"preference": 0, "exchange": V4.rstrip(".")},
                                {"preference": 10, "exchange": DS.rstrip(".")}]
    assert 1.0 <= elapsed < 6


def test_wait_gives_up_at_its_deadline_when_the_servers_never_appear(capsys):
    with FaultServer(HOSTS) as server:
        code, rep, elapsed = check(capsys, server, "2")
    assert code == 3
    assert [f["id"] for f in rep["findings"]] == ["dns-error"]
    assert "the authoritative servers could not be found" in rep["findings"][0]["message"]
    assert 2.0 <= elapsed < 5


def test_without_wait_a_missing_delegation_is_reported_at_once(capsys):
    with FaultServer(HOSTS) as server:
        code, _, elapsed = check(capsys, server, "0")
    assert code == 3 and elapsed < 2
