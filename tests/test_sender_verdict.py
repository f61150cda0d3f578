"""Microsoft's IPv6 rule and the split's effect, offline: evidence in, verdict out."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mxsplit_component.exitcodes import ExitCode
from mxsplit_component.sender.evidence import SenderEvidence
from mxsplit_component.sender.spfeval import SpfOutcome
from mxsplit_component.sender.verdict import judge, predicted_reply

IP = "2001:db8::25"


def evidence(spf="pass", ptr=("mail.example.net",), ptr_error=None, forward=None, ipv4=None, family="ipv6"):
    return SenderEvidence(
        ip=IP if family == "ipv6" else "192.0.2.25", family=family, domain="example.net", helo="mail.example.net",
        reverse_name="5.2.0.0.ip6.arpa", ptr_names=ptr, ptr_error=ptr_error,
        forward=forward if forward is not None else {n: (IP,) for n in ptr},
        ipv4_hints=ipv4 if ipv4 is not None else {"mail.example.net": ("192.0.2.25",)},
        spf=SpfOutcome(spf, "", "example.net", None, ()))


@pytest.mark.parametrize(("ev", "reply", "code"), [
    (evidence(), "250", ExitCode.OK),
    (evidence(ptr=()), "450 4.7.25", ExitCode.FINDINGS),
    (evidence(ptr=(), spf="temperror"), "450 4.7.25", ExitCode.FINDINGS),  # no PTR decides before SPF
    *[(evidence(spf=word), "450 4.7.26", ExitCode.FINDINGS)
      for word in ("fail", "softfail", "neutral", "none", "permerror")],
    (evidence(spf="temperror"), None, ExitCode.INCOMPLETE),
    (evidence(ptr=(), ptr_error="timed out"), None, ExitCode.INCOMPLETE),
    (evidence(spf="fail", family="ipv4"), "250", ExitCode.OK),  # the IPv6 rule does not apply
])
def test_predicted_reply(ev, reply, code):
    assert predicted_reply(ev) == reply
    assert judge(ev).code == code


def test_forward_confirmation_compares_addresses_not_spellings():
    ev = evidence(forward={"mail.example.net": ("2001:0db8:0000::0025",)})
    assert ev.forward_confirmed is True
    assert evidence(forward={"mail.example.net": ("2001:db8::99",)}).forward_confirmed is False


def test_forward_lookup_failure_leaves_confirmation_unknown():
    ev = replace(evidence(forward={"mail.example.net": ()}), errors=("AAAA mail.example.net: timed out",))
    step = next(s for s in judge(ev).steps if s.id == "forward-confirmed")
    assert step.ok is None and step.message.endswith("(AAAA mail.example.net: timed out)")


def test_split_helps_only_a_deferred_sender_that_has_ipv4():
    assert judge(evidence(spf="softfail")).split_helps is True
    assert judge(evidence(spf="softfail", ipv4={})).split_helps is False
    assert judge(evidence()).split_helps is False  # accepted already
    assert judge(evidence(spf="fail", family="ipv4")).split_helps is False


def test_ipv4_sender_gets_no_fixes_and_says_the_rule_does_not_apply():
    verdict = judge(evidence(spf="fail", family="ipv4"))
    assert verdict.fixes == () and verdict.ipv6_rule_applies is False
    assert verdict.to_json()["ipv6_rule_applies"] is False


def test_json_has_the_pinned_keys():
    data = judge(evidence(spf="softfail")).to_json()
    assert {"reply", "ptr", "forward_confirmed", "spf", "split_helps"} <= set(data)
    assert (data["reply"], data["ptr"], data["forward_confirmed"], data["spf"], data["split_helps"]) == (
        "450 4.7.26", "mail.example.net", True, "softfail", True)
