"""Unknown is not empty: when a lookup fails, ``check`` says "unknown" (text) and ``null`` plus
the error (JSON), never the ``(none)`` / ``-`` / ``[]`` of a zone that publishes nothing."""

from __future__ import annotations

import json

import dns.message
import dns.rdatatype
import pytest

from mxsplit_component.cli import main
from tests.support.dnsfaults import FaultServer

MS = "mail.protection.outlook.com"
V4, DS = f"contoso.{MS}", f"contoso-com.{MS}"
GOOD = {"contoso.com.": [f"MX 0 {V4}.", f"MX 10 {DS}."], f"{V4}.": ["A 192.0.2.1"],
        f"{DS}.": ["A 198.51.100.1", "AAAA 2001:db8::1"]}


def silent_for(*questions: tuple[str, str]):
    """A behaviour that never answers ``questions`` (name, type) and answers the rest."""
    def behaviour(query: dns.message.Message) -> list[str]:
        q = query.question[0]
        return ["silent"] if (q.name.to_text(), dns.rdatatype.to_text(q.rdtype)) in questions else ["ok"]
    return behaviour


def check(capsys, server: FaultServer, *extra: str) -> tuple[int, str]:
    code = main(["check", "contoso.com", "--tenant", "contoso", "--nameserver", server.nameserver, "--timeout", "0.5",
                 "--no-mta-sts", *extra])
    return code, capsys.readouterr().out


def test_a_failed_mx_lookup_is_unknown_not_none(capsys):
    with FaultServer(GOOD, silent_for(("contoso.com.", "MX"))) as server:
        code, out = check(capsys, server, "--json")
        rep = json.loads(out)
        text_code, text = check(capsys, server)
    assert code == text_code == 3
    assert rep["published"] is None and "MX contoso.com" in rep["published_error"]
    assert "dns-error" in [f["id"] for f in rep["findings"]]
    assert rep["addresses"][V4] == {"ipv4": ["192.0.2.1"], "ipv6": []}  # what was learned stays known
    assert "  published  unknown (the lookup failed: see dns-error)\n" in text
    assert "(none)" not in text


def test_a_failed_address_lookup_is_unknown_per_family(capsys):
    with FaultServer(GOOD, silent_for((f"{DS}.", "AAAA"))) as server:
        code, out = check(capsys, server, "--json")
        rep = json.loads(out)
        _, text = check(capsys, server)
    assert code == 3
    ds = rep["addresses"][DS]
    assert ds["ipv4"] == ["198.51.100.1"] and ds["ipv6"] is None and ds["errors"][0].startswith(f"AAAA {DS}")
    assert rep["published"] == [{"preference": 0, "exchange": V4}, {"preference": 10, "exchange": DS}]
    assert "published_error" not in rep and "errors" not in rep["addresses"][V4]
    block = text.split(f"  {DS}\n")[1]
    assert block.startswith("      IPv4 198.51.100.1\n      IPv6 unknown (the lookup failed: see dns-error)\n")


def test_no_authoritative_servers_leaves_everything_unknown(capsys):
    with FaultServer(GOOD) as server:  # no NS anywhere: the zone's servers cannot be found
        code, out = check(capsys, server, "--authoritative", "--json")
    rep = json.loads(out)
    assert code == 3
    assert rep["published"] is None and "authoritative servers could not be found" in rep["published_error"]
    assert rep["addresses"] == {V4: {"ipv4": None, "ipv6": None}, DS: {"ipv4": None, "ipv6": None}}


@pytest.mark.parametrize("zone, published", [({**GOOD, "contoso.com.": ["A 192.0.2.9"]}, []),
                                             ({}, [])])
def test_known_empty_stays_empty(capsys, zone, published):
    """No MX (NODATA) and NXDOMAIN are answers: published is [] and there is no published_error."""
    with FaultServer(zone) as server:
        code, out = check(capsys, server, "--json")
    rep = json.loads(out)
    assert code == 1 and rep["published"] == published and "published_error" not in rep
