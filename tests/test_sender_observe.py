"""``mxsplit sender`` reads DNS as ``check`` does: records owned by other names never count.

A resolver (or a spoofer) can add records of other owners to an answer. The server here
answers correctly and adds such strays, so the verdict must be the one the real records give.
"""

from __future__ import annotations

import json

import dns.message
import dns.reversename
import dns.rrset

from mxsplit_component.cli import main
from tests.support.dnsfaults import FaultServer

IP = "2001:db8::25"
REVERSE = dns.reversename.from_address(IP).to_text()
OTHER_REVERSE = dns.reversename.from_address("2001:db8::99").to_text()
SPF_PASS = '"v=spf1 ip6:2001:db8::/64 -all"'


class StrayServer(FaultServer):
    """Answers from ``records`` and adds ``strays[(qname, qtype)]``: rrsets of other owners."""

    def __init__(self, records: dict[str, list[str]], strays: dict[tuple[str, str], list[str]]) -> None:
        super().__init__(records)
        self.strays = strays

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        reply = super().answer(query)
        q = query.question[0]
        for line in self.strays.get((q.name.to_text(), dns.rdatatype.to_text(q.rdtype)), []):
            owner, rdtype, rdata = line.split(" ", 2)
            reply.answer.append(dns.rrset.from_text(owner, 60, "IN", rdtype, rdata))
        return reply


def sender(server: FaultServer, capsys) -> tuple[int, dict]:
    code = main(["sender", "--ip", IP, "--from", "example.net", "--nameserver", server.nameserver, "--timeout", "2",
                 "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_a_stray_ptr_for_another_reverse_name_is_no_ptr(capsys):
    records = {REVERSE: ['TXT "no PTR here"'], "mail.example.net.": [f"AAAA {IP}", "A 192.0.2.25"],
               "example.net.": [f"TXT {SPF_PASS}"]}
    strays = {(REVERSE, "PTR"): [f"{OTHER_REVERSE} PTR mail.example.net."]}
    with StrayServer(records, strays) as server:
        code, v = sender(server, capsys)
    assert (v["reply"], v["ptr"], v["forward_confirmed"]) == ("450 4.7.25", None, False)
    assert code == 1


def test_an_aaaa_owned_by_another_name_does_not_confirm(capsys):
    records = {REVERSE: ["PTR mail.example.net."], "mail.example.net.": ["A 192.0.2.25"],
               "example.net.": [f"TXT {SPF_PASS}"]}
    strays = {("mail.example.net.", "AAAA"): [f"unrelated.example.org. AAAA {IP}"]}
    with StrayServer(records, strays) as server:
        code, v = sender(server, capsys)
    assert v["ptr"] == "mail.example.net" and v["forward_confirmed"] is False
    assert v["dns"]["forward"] == {"mail.example.net": []}
    assert [s["ok"] for s in v["steps"] if s["id"] == "forward-confirmed"] == [False]


def test_the_owned_answers_still_count(capsys):
    """The same strays beside real records change nothing: PTR and AAAA of the asked names count."""
    records = {REVERSE: ["PTR mail.example.net."], "mail.example.net.": [f"AAAA {IP}", "A 192.0.2.25"],
               "example.net.": [f"TXT {SPF_PASS}"]}
    strays = {(REVERSE, "PTR"): [f"{OTHER_REVERSE} PTR evil.example.org."],
              ("mail.example.net.", "AAAA"): ["unrelated.example.org. AAAA 2001:db8::66"]}
    with StrayServer(records, strays) as server:
        code, v = sender(server, capsys)
    assert (v["reply"], v["ptr"], v["forward_confirmed"], v["spf"]) == ("250", "mail.example.net", True, "pass")
    assert code == 0


def test_the_observation_layer_imports_no_command():
    """dns/observe.py is shared by check, hosts and sender, so it may depend on none of them."""
    import subprocess
    import sys

    code = ("import sys, mxsplit_component.dns.observe; "
            "print(sorted(m for m in sys.modules if m.split('.')[1:2] in (['check'], ['hosts'], ['sender'], ['cli'])"
            " and m.startswith('mxsplit_component.')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_stray_spf_record_for_an_included_name_is_not_believed(capsys):
    """A TXT of ``_spf.example.net`` slipped into the answer about ``example.net`` must not stand in
    for the real lookup of the include (pyspf caches every record of an answer by its owner)."""
    records = {REVERSE: ["PTR mail.example.net."], "mail.example.net.": [f"AAAA {IP}"],
               "example.net.": ['TXT "v=spf1 include:_spf.example.net -all"'],
               "_spf.example.net.": ['TXT "v=spf1 ip4:192.0.2.0/24 -all"']}
    strays = {("example.net.", "TXT"): [f'_spf.example.net. TXT {SPF_PASS}']}
    with StrayServer(records, strays) as server:
        code, v = sender(server, capsys)
    assert (v["spf"], v["reply"]) == ("fail", "450 4.7.26")
    assert code == 1


def test_forward_confirmation_that_could_not_be_looked_up_is_unknown(capsys):
    """A forward lookup that fails says nothing: ``forward_confirmed`` is null, not false."""
    records = {REVERSE: ["PTR mail.example.net."], "mail.example.net.": [f"AAAA {IP}"],
               "example.net.": [f"TXT {SPF_PASS}"]}
    silent = lambda q: ["silent"] if q.question[0].name.to_text() == "mail.example.net." else ["ok"]  # noqa: E731
    with FaultServer(records, silent) as server:
        code = main(["sender", "--ip", IP, "--from", "example.net", "--nameserver", server.nameserver, "--timeout",
                     "0.5", "--json"])
        v = json.loads(capsys.readouterr().out)
    assert v["ptr"] == "mail.example.net" and v["forward_confirmed"] is None
    assert [s["ok"] for s in v["steps"] if s["id"] == "forward-confirmed"] == [None]
    assert code == 0  # Microsoft's rule needs the PTR and SPF, which are known


MS = "mail.protection.outlook.com"
#: The sender has IPv4 too (an A for its PTR name) and fails SPF: 450 4.7.26 over IPv6.
SENDER = {REVERSE: ["PTR mail.example.net."], "mail.example.net.": [f"AAAA {IP}", "A 192.0.2.25"],
          "example.net.": ['TXT "v=spf1 -all"'],
          "to.test.": [f"MX 0 to.{MS}.", f"MX 10 to-test.{MS}."],
          f"to.{MS}.": ["A 192.0.2.1"], f"to-test.{MS}.": ["A 198.51.100.1", "AAAA 2001:db8::2"]}


def sender_to(failing: str, rdtype: str, capsys, *extra: str) -> tuple[int, str]:
    """``sender --to to.test`` where every ``rdtype`` lookup of ``failing`` answers SERVFAIL."""
    def behaviour(q: dns.message.Message) -> list[str]:
        asked = q.question[0]
        hit = asked.name.to_text() == failing and dns.rdatatype.to_text(asked.rdtype) in rdtype.split(",")
        return ["servfail"] if hit else ["ok"]

    with FaultServer(SENDER, behaviour) as server:
        code = main(["sender", "--ip", IP, "--from", "example.net", "--to", "to.test", "--nameserver",
                     server.nameserver, "--timeout", "2", *extra])
    return code, capsys.readouterr().out


def test_a_recipient_host_whose_addresses_are_unknown_is_not_simulated(capsys):
    """MX 0's addresses could not be read: routing as if it had none would send everyone to MX 10."""
    code, out = sender_to(f"to.{MS}.", "A,AAAA", capsys, "--json")
    v = json.loads(out)
    assert code == 3
    assert v["published_simulation"] == [] and all(p["published"] is None for p in v["profiles"])
    assert v["published_simulation_note"].startswith(f"not run: the addresses of to.{MS} (")
    code, out = sender_to(f"to.{MS}.", "A,AAAA", capsys)
    assert code == 3 and "delivered MX 10" not in out and "published today" not in out
    assert f"  simulation not run: the addresses of to.{MS} (" in out


def test_a_recipient_mx_that_could_not_be_read_is_unknown_not_none(capsys):
    code, out = sender_to("to.test.", "MX", capsys, "--json")
    v = json.loads(out)
    assert code == 3 and v["to"]["published"] is None and v["to"]["errors"]
    assert v["published_simulation_note"].startswith("not run: the published MX records are unknown")
    code, out = sender_to("to.test.", "MX", capsys)
    assert "Your published MX (to.test: unknown, the lookup failed)" in out and "(none)" not in out


def test_the_profile_table_keeps_its_columns_apart(capsys):
    """A long cell ("varies: delivered MX 0 ipv4 | deferred") never runs into the next one."""
    code, out = sender_to("nothing.test.", "MX", capsys)
    assert code == 1 and "deferreddelivered" not in out and "deferred  delivered MX" in out
