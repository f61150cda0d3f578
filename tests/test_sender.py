"""``mxsplit sender`` against a real BIND: ip6.arpa PTRs, forward confirmation, SPF cases."""

from __future__ import annotations

import json

import dns.name
import dns.reversename
import pytest
import spf

from mxsplit_component.cli import main
from mxsplit_component.testing.bind import BindServer, free_port, zone
from tests.support.bind import require_bind

REV6, REV4, FWD = "8.b.d.0.1.0.0.2.ip6.arpa", "2.0.192.in-addr.arpa", "sender.test"
CONFIRMED, UNCONFIRMED, NO_PTR = "2001:db8::25", "2001:db8::26", "2001:db8::27"


def ptr(ip: str, origin: str, target: str) -> str:
    rel = dns.reversename.from_address(ip).relativize(dns.name.from_text(origin))
    return f"{rel} IN PTR {target}"


def txt(text: str) -> str:
    """TXT rdata in 255-octet strings (RFC 7208 §3.3: a verifier joins them without spaces)."""
    return " ".join(f'"{text[i:i + 255]}"' for i in range(0, len(text), 255))


SPF = {
    "good": "v=spf1 ip6:2001:db8::/64 -all",
    "inc": f"v=spf1 ip4:203.0.113.0/24 include:_spf.inc.{FWD} -all",
    "_spf.inc": "v=spf1 ip6:2001:db8::25 -all",
    "a": f"v=spf1 a:mail.good.{FWD} -all",
    "mx": "v=spf1 mx -all",
    "soft": "v=spf1 ip4:192.0.2.0/24 ~all",
    "hard": "v=spf1 ip4:192.0.2.0/24 -all",
    # Eleven includes: one DNS-querying term more than RFC 7208 §4.6.4 allows.
    "limit": "v=spf1 " + " ".join(f"include:l{n}.{FWD}" for n in range(11)) + " -all",
    **{f"l{n}": f"v=spf1 ip4:198.51.100.{n} -all" for n in range(11)},
    # Three lookups that find nothing: one more void lookup than §4.6.4 allows.
    "void": f"v=spf1 a:nx1.{FWD} a:nx2.{FWD} a:nx3.{FWD} -all",
}
ZONES = {
    REV6: zone(REV6, "\n".join([ptr(CONFIRMED, REV6, f"mail.good.{FWD}."),
                                ptr(UNCONFIRMED, REV6, f"mail.unconfirmed.{FWD}.")])),
    REV4: zone(REV4, ptr("192.0.2.25", REV4, f"mail.good.{FWD}.")),
    FWD: zone(FWD, "\n".join([
        *(f"{name} IN TXT {txt(text)}" for name, text in SPF.items()),
        "mail.good IN AAAA 2001:db8::25", "mail.good IN A 192.0.2.25",
        "mail.unconfirmed IN AAAA 2001:db8::99",
        "mx IN MX 10 mail.good", "none IN A 192.0.2.80", "alias IN CNAME good",
        # Recipients for --to: Microsoft's single dual-stack MX, and the split.
        "ds IN A 198.51.100.1", *(f"ds IN AAAA 2001:db8:ff::{n}" for n in (1, 2, 3)), "v4only IN A 192.0.2.1",
        "rcpt-standard IN MX 0 ds", "rcpt-split IN MX 0 v4only", "rcpt-split IN MX 10 ds",
    ])),
}


@pytest.fixture(scope="module")
def bind():
    require_bind()
    with BindServer(ZONES) as server:
        yield server


def sender(capsys, bind, ip, domain, *extra, nameserver=None):
    code = main(["sender", "--ip", ip, "--from", f"{domain}.{FWD}" if "." not in domain else domain,
                 "--nameserver", nameserver or bind.nameserver, "--timeout", "2", "--json", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)  # exactly one JSON object, or this raises


def test_ptr_confirmed_and_spf_pass_is_accepted(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "good")
    assert code == 0
    assert (v["reply"], v["ptr"], v["forward_confirmed"], v["spf"]) == ("250", f"mail.good.{FWD}", True, "pass")
    assert v["split_helps"] is False and v["split_reason"].startswith("not needed")
    assert v["fixes"] == []
    assert v["spf_detail"]["mechanism"] == "ip6:2001:db8::/64"


def test_softfail_with_ptr_is_4726_and_the_split_helps_a_dual_stack_sender(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "soft")
    assert code == 1
    assert (v["reply"], v["spf"], v["forward_confirmed"]) == ("450 4.7.26", "softfail", True)
    assert v["split_helps"] is True
    assert v["split_reason"].startswith(f"the sender has IPv4 (mail.good.{FWD} has A records)")
    outcomes = {c["profile"]: (c["outcome"], c["family"], c["attempts"][0]["preference"]) for c in v["split_simulation"]}
    assert outcomes == {"dual-stack-prefer-ipv6": ("delivered", "ipv4", 0), "postfix": ("delivered", "ipv4", 0)}
    assert f"add ip6:{CONFIRMED} (or the sending range) to the SPF record of soft.{FWD}" in v["fixes"]


def test_no_ptr_is_4725_whatever_spf_says(capsys, bind):
    code, v = sender(capsys, bind, NO_PTR, "good")
    assert code == 1
    assert (v["reply"], v["ptr"], v["forward_confirmed"], v["spf"]) == ("450 4.7.25", None, False, "pass")
    assert v["fixes"][0].startswith(f"publish a PTR record for {NO_PTR} (7.2.0.0.")
    # No PTR and a HELO name without A: nothing says the sender has IPv4.
    assert v["split_helps"] is False and "IPv6-only sender walks down to MX 10" in v["split_reason"]
    assert [c["profile"] for c in v["split_simulation"]] == ["ipv6-only"]
    assert v["split_simulation"][0]["outcome"] == "deferred"


def test_helo_with_ipv4_says_the_split_keeps_a_no_ptr_sender_on_ipv4(capsys, bind):
    code, v = sender(capsys, bind, NO_PTR, "good", "--helo", f"mail.good.{FWD}")
    assert code == 1 and v["reply"] == "450 4.7.25"
    assert v["helo"] == f"mail.good.{FWD}"
    assert v["split_helps"] is True


def test_ptr_that_does_not_forward_confirm(capsys, bind):
    code, v = sender(capsys, bind, UNCONFIRMED, "hard")
    assert code == 1
    assert (v["reply"], v["ptr"], v["forward_confirmed"], v["spf"]) == ("450 4.7.26", f"mail.unconfirmed.{FWD}",
                                                                         False, "fail")
    step = next(s for s in v["steps"] if s["id"] == "forward-confirmed")
    assert step == {"id": "forward-confirmed", "ok": False, "message":
                    f"mail.unconfirmed.{FWD} AAAA 2001:db8::99: does not contain {UNCONFIRMED}"}
    assert any(f.startswith(f"add AAAA {UNCONFIRMED} to mail.unconfirmed.{FWD}") for f in v["fixes"])


def test_include_pass_shows_the_record_path(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "inc")
    assert code == 0 and v["spf"] == "pass"
    assert v["spf_detail"]["mechanism"] == f"include:_spf.inc.{FWD}"
    assert [(f["domain"], f["depth"], f["result"]) for f in v["spf_detail"]["path"]] == [
        (f"inc.{FWD}", 0, "pass"), (f"_spf.inc.{FWD}", 1, "pass")]
    assert v["spf_detail"]["path"][1]["record"] == SPF["_spf.inc"]


@pytest.mark.parametrize("domain", ["a", "mx"])
def test_a_and_mx_mechanisms_match_the_aaaa_of_the_host(capsys, bind, domain):
    code, v = sender(capsys, bind, CONFIRMED, domain)
    assert code == 0 and v["spf"] == "pass" and v["reply"] == "250"


def test_spf_behind_a_cname_is_followed(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "alias")
    assert code == 0 and v["spf"] == "pass"
    assert v["spf_detail"]["path"][0]["record"] == SPF["good"]


def test_a_mechanism_does_not_match_another_ipv6_address(capsys, bind):
    code, v = sender(capsys, bind, UNCONFIRMED, "a")
    assert v["spf"] == "fail" and v["reply"] == "450 4.7.26"


def test_lookup_limit_overflow_is_permerror(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "limit")
    assert code == 1
    assert v["spf"] == "permerror" and v["reply"] == "450 4.7.26"
    assert v["spf_detail"]["detail"] == "SPF Permanent Error: Too many DNS lookups"
    assert any(f.startswith(f"repair the SPF record of limit.{FWD}: SPF Permanent Error: Too many DNS lookups")
               for f in v["fixes"])


def test_void_lookups_are_permerror(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "void")
    assert v["spf"] == "permerror"
    assert v["spf_detail"]["detail"] == "SPF Permanent Error: Void lookup limit of 2 exceeded"


def test_no_spf_record(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "none")
    assert code == 1
    assert v["spf"] == "none" and v["reply"] == "450 4.7.26"
    assert v["spf_detail"]["path"] == [{"domain": f"none.{FWD}", "record": None, "depth": 0, "result": "none"}]
    assert f'publish SPF for none.{FWD}, e.g. "v=spf1 ip6:{CONFIRMED} -all" (plus the sender\'s other hosts)' in v["fixes"]


def test_ipv4_sender_is_outside_the_ipv6_rule(capsys, bind):
    code, v = sender(capsys, bind, "192.0.2.25", "hard")
    assert code == 0
    assert (v["ipv6_rule_applies"], v["reply"], v["ptr"], v["forward_confirmed"], v["spf"]) == (
        False, "250", f"mail.good.{FWD}", True, "pass")
    assert v["split_helps"] is False and "already arrives over IPv4" in v["split_reason"]


def test_unreachable_resolver_is_incomplete_not_a_verdict(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "good", nameserver=f"127.0.0.1:{free_port()}")
    assert code == 3
    assert v["reply"] is None and v["spf"] == "temperror"
    assert next(s for s in v["steps"] if s["id"] == "ptr")["ok"] is None


def test_pyspf_lookup_hook_is_restored(capsys, bind):
    before = spf.DNSLookup
    sender(capsys, bind, CONFIRMED, "inc")
    assert spf.DNSLookup is before


def test_text_output_explains_each_step(capsys, bind):
    code = main(["sender", "--ip", CONFIRMED, "--from", f"soft.{FWD}", "--nameserver", bind.nameserver])
    out = capsys.readouterr().out
    assert code == 1
    assert "  ok    ptr                PTR 5.2.0.0." in out
    assert f"  FAIL  spf                SPF soft.{FWD} for {CONFIRMED}: softfail via ~all" in out
    assert "  ?     dkim               DKIM: not checkable without the message; assumed to fail" in out
    assert f"  soft.{FWD}: v=spf1 ip4:192.0.2.0/24 ~all  -> softfail" in out
    assert "Exchange Online over IPv6: 450 4.7.26 Service unavailable" in out
    assert "The MX split helps: the sender has IPv4" in out
    assert out.endswith("verdict: DEFERRED (exit 1)\n")


def test_to_simulates_this_sender_against_the_published_mx(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "soft", "--to", f"rcpt-standard.{FWD}")
    assert code == 1
    assert v["to"]["published"] == [{"preference": 0, "exchange": f"ds.{FWD}"}]
    assert v["to"]["addresses"][f"ds.{FWD}"]["ipv6"] == ["2001:db8:ff::1", "2001:db8:ff::2", "2001:db8:ff::3"]
    cases = {c["profile"]: c for c in v["published_simulation"]}
    # Exchange-like senders try all three AAAA (450 4.7.26 each) before IPv4; Postfix's two
    # sessions may both go to IPv6: today this sender is deferred or delayed, with the split it is not.
    assert [a["reply"][:10] for a in cases["dual-stack-prefer-ipv6"]["attempts"]] == ["450 4.7.26"] * 3 + ["250 2.6.0 "]
    assert cases["postfix"]["outcome"] == "varies"
    assert {o["outcome"] for o in cases["postfix"]["orders"]} == {"deferred", "delivered"}
    assert v["split_helps"] is True


def test_to_a_domain_that_already_publishes_the_split(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "soft", "--to", f"rcpt-split.{FWD}")
    assert code == 1
    assert [(c["outcome"], c["family"], c["attempts"][0]["preference"]) for c in v["published_simulation"]] == [
        ("delivered", "ipv4", 0), ("delivered", "ipv4", 0)]


def test_to_in_text(capsys, bind):
    code = main(["sender", "--ip", CONFIRMED, "--from", f"soft.{FWD}", "--to", f"rcpt-split.{FWD}",
                 "--nameserver", bind.nameserver])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith(f"mxsplit sender --ip {CONFIRMED} --from soft.{FWD} --to rcpt-split.{FWD}\n")
    assert f"Your published MX (rcpt-split.{FWD}: 0 v4only.{FWD}; 10 ds.{FWD})\n" in out


def test_to_a_domain_that_does_not_exist_is_incomplete(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "soft", "--to", f"nosuch.{FWD}")
    assert code == 3
    assert v["reply"] == "450 4.7.26"  # the sender's own verdict still stands
    assert v["to"]["errors"] == [f"nosuch.{FWD} does not exist (NXDOMAIN)"]
    assert v["published_simulation"] == []


@pytest.mark.parametrize(("argv", "message"), [
    (["--ip", "2001:db8::zz", "--from", "example.net"], "mxsplit: error: --ip '2001:db8::zz' is not an IP address"),
    (["--ip", "2001:db8::1", "--from", "exa mple.net"], "mxsplit: error: --from 'exa mple.net'"),
    (["--ip", "2001:db8::1", "--from", "example.net", "--to", "contoso"], "mxsplit: error: --to 'contoso'"),
])
def test_bad_input_names_the_flag(capsys, argv, message):
    assert main(["sender", *argv, "--nameserver", "127.0.0.1:1"]) == 2
    assert capsys.readouterr().err.startswith(message)


def test_ipv4_reply_does_not_claim_the_ipv6_rule_is_met(capsys, bind):
    """Over IPv4 the rule does not apply: the reply text must say so, not that the rule is met."""
    code, v = sender(capsys, bind, "192.0.2.25", "hard")
    assert code == 0 and v["reply"] == "250"
    assert "IPv6 rule is met" not in v["reply_text"] and "does not apply" in v["reply_text"]
    main(["sender", "--ip", "192.0.2.25", "--from", f"hard.{FWD}", "--nameserver", bind.nameserver])
    out = capsys.readouterr().out
    assert "Exchange Online over IPv4: 250 accepted over IPv4 (the IPv6 rule does not apply" in out
    assert "IPv6 rule is met" not in out


@pytest.mark.parametrize("ip", ["::ffff:192.0.2.25", "[::ffff:192.0.2.25]", "::FFFF:c000:219"])
def test_an_ipv4_mapped_address_is_the_ipv4_sender(capsys, bind, ip):
    """A dual-stack socket logs an IPv4 peer as ::ffff:a.b.c.d: that sender arrives over IPv4, and advice to add
    an AAAA or ip6: for a mapped address would be wrong."""
    code, v = sender(capsys, bind, ip, "hard")
    assert code == 0
    assert (v["ip"], v["family"], v["ipv6_rule_applies"], v["ptr"]) == ("192.0.2.25", "ipv4", False, f"mail.good.{FWD}")
    assert not any("::ffff" in f.lower() for f in v["fixes"])


@pytest.mark.parametrize("ip", [f"{CONFIRMED}%eth0", f"[{CONFIRMED}%25eth0]", f"[IPv6:{CONFIRMED}]"])
def test_a_zone_id_or_an_smtp_address_literal_is_the_same_sender(capsys, bind, ip):
    """Pasted from `ip addr` (zone id) or a Received header (IPv6: literal): same address, no traceback."""
    code, v = sender(capsys, bind, ip, "good")
    assert code == 0
    assert (v["ip"], v["reply"], v["ptr"]) == (CONFIRMED, "250", f"mail.good.{FWD}")


@pytest.mark.parametrize("helo", [None, "mta.slow.test"])
def test_sender_ends_within_four_timeouts_against_a_slow_resolver(capsys, helo):
    # Every answer takes 0.8 s and the SPF record chains through nine includes: with
    # --timeout 1 the run once took about 9 s (pyspf's budget was max(20, 4 x timeout)).
    import time

    from tests.support import dnsfaults

    records = {"slow.test.": ['TXT "v=spf1 include:s1.slow.test -all"'],
               **{f"s{n}.slow.test.": [f'TXT "v=spf1 include:s{n + 1}.slow.test -all"'] for n in range(1, 9)},
               "s9.slow.test.": ['TXT "v=spf1 -all"']}
    with dnsfaults.FaultServer(records, ("slow",)) as server:
        args = ["sender", "--ip", CONFIRMED, "--from", "slow.test", "--nameserver", server.nameserver,
                "--timeout", "1", "--json"]
        start = time.monotonic()
        code = main(args + (["--helo", helo] if helo else []))
        elapsed = time.monotonic() - start
    out = json.loads(capsys.readouterr().out)
    assert elapsed < 4 + 0.5, elapsed
    assert out["spf"] == "temperror" and "lookup time" in out["spf_detail"]["detail"]  # the budget ran out
    assert code == 1  # no PTR (NXDOMAIN) defers whatever SPF says


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_sender_refuses_unusable_timeouts(capsys, value):
    with pytest.raises(SystemExit) as exc:
        main(["sender", "--ip", CONFIRMED, "--from", FWD, "--nameserver", "127.0.0.1:9", "--timeout", value])
    assert exc.value.code == 2
    assert "--timeout" in capsys.readouterr().err


# --- which kinds of sending MTA are deferred, per profile -------------------------------------------
def test_profiles_say_which_sending_mtas_are_deferred(capsys, bind):
    code, v = sender(capsys, bind, CONFIRMED, "soft")
    assert code == 1
    rows = {p["profile"]: p for p in v["profiles"]}
    # Only profiles that can send from an IPv6 address: no IPv4-only MTA is listed.
    assert "ipv4-only" not in rows and "postfix-ipv4-only" not in rows and "exim-ipv4-only" not in rows
    assert rows["postfix-prefer-ipv6"]["split"] == "delivered MX 0 ipv4"
    assert rows["postfix-prefer-ipv6"]["standard"] == "deferred"  # two IPv6 sessions, 450 4.7.26 each
    assert rows["postfix"]["standard"] == "varies: delivered MX 0 ipv4 | deferred"
    assert rows["exim"]["profile_name"].startswith("Exim 4.96") and rows["exim"]["kinds"] == [
        "dual-stack-prefer-ipv6", "dual-stack-any"]
    assert v["deferred_with_split"] == ["ipv6-only", "postfix-ipv6-only", "exim-ipv6-only"]
    assert "postfix-prefer-ipv6" in v["deferred_with_single_mx"]
    assert all(p["published"] is None for p in v["profiles"])


def test_profiles_in_text_with_to(capsys, bind):
    code = main(["sender", "--ip", CONFIRMED, "--from", f"soft.{FWD}", "--to", f"rcpt-standard.{FWD}",
                 "--nameserver", bind.nameserver])
    out = capsys.readouterr().out
    assert code == 1
    assert "Sending MTAs at this address (the simulation's profiles; it has IPv4, so the dual-stack rows apply)" in out
    row = next(line for line in out.splitlines() if line.startswith("  postfix-prefer-ipv6 "))
    assert row.split() == ["postfix-prefer-ipv6", "delivered", "MX", "0", "ipv4", "deferred", "deferred"]
    assert "  deferred (or may be) even with the split: ipv6-only, postfix-ipv6-only, exim-ipv6-only\n" in out


@pytest.mark.parametrize("ip, source", [("192.0.2.25", "good"), (CONFIRMED, "good")])
def test_no_profile_is_deferred_when_the_rule_does_not_bite(capsys, bind, ip, source):
    code, v = sender(capsys, bind, ip, source)
    assert code == 0
    assert v["deferred_with_split"] == [] and v["deferred_with_single_mx"] == []
    assert v["profiles"] == [] if ip == "192.0.2.25" else all(p["split"].startswith("delivered") for p in v["profiles"])
