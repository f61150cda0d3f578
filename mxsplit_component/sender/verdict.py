"""What Exchange Online answers a sender over IPv6, and whether the MX split helps. Pure.

Microsoft's rule ("Support for anonymous inbound email messages over IPv6", Microsoft
Learn; the replies are the ones in :mod:`mxsplit_component.simulation`): over IPv6 the sending
address needs a PTR record, else ``450 4.7.25``; with a PTR it needs an SPF pass or a DKIM
pass, else ``450 4.7.26``. DKIM needs the message, so it cannot be checked here: we assume
it fails (the worst case) and say so. Over IPv4 the rule does not apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.plan import MxRecord
from ..exitcodes import ExitCode
from ..simulation import IPV6, PROFILES, Case, HostAddresses, Profile, simulate, simulate_case, simulation_json
from .evidence import IPV4, SenderEvidence
from .recipient import Recipient

NO_PTR, NO_AUTH, ACCEPTED = "450 4.7.25", "450 4.7.26", "250"
REPLY_TEXT = {
    NO_PTR: "450 4.7.25 Service unavailable, sending IPv6 address must have reverse DNS record",
    NO_AUTH: "450 4.7.26 Service unavailable, message sent over IPv6 must pass either SPF or DKIM validation",
    ACCEPTED: "250 accepted (the IPv6 rule is met; ordinary filtering still applies)",
}
#: Over IPv4 the rule is not met or failed: it does not apply.
IPV4_REPLY_TEXT = "250 accepted over IPv4 (the IPv6 rule does not apply; ordinary filtering still applies)"
UNKNOWN_REPLY_TEXT = "unknown: a lookup the answer needs failed"
#: The split's shape with documentation addresses (RFC 5737/3849): MX 0 IPv4 only, MX 10 dual stack.
SPLIT_RECORDS = (MxRecord(0, "ipv4-only host"), MxRecord(10, "dual-stack host"))
SPLIT_ADDRESSES = {"ipv4-only host": HostAddresses(ipv4=("192.0.2.1",)),
                   "dual-stack host": HostAddresses(ipv4=("198.51.100.1",), ipv6=("2001:db8::1",))}
#: Microsoft's recommended single MX: what the split is compared with.
STANDARD_RECORDS = (MxRecord(0, "dual-stack host"),)
#: For the per-profile table, as many addresses as ``plan`` assumes Microsoft publishes (how
#: many AAAA a host has decides whether Postfix's two sessions both go to IPv6).
PROFILE_ADDRESSES = {"ipv4-only host": HostAddresses(ipv4=("192.0.2.1", "192.0.2.2")),
                     "dual-stack host": HostAddresses(ipv4=("198.51.100.1", "198.51.100.2"),
                                                      ipv6=("2001:db8::1", "2001:db8::2", "2001:db8::3"))}


@dataclass(frozen=True)
class ProfileOutcome:
    """One kind of sending MTA at this address: how its mail ends with the split, with a single
    MX, and (with ``--to``) with what the recipient publishes today."""

    profile: Profile
    split: Case
    standard: Case
    published: Case | None = None

    @property
    def deferred_with_split(self) -> bool:
        """Deferred, or deferred in some of the orders it may pick."""
        return _may_defer(self.split)

    @property
    def deferred_with_single_mx(self) -> bool:
        return _may_defer(self.standard)

    def to_json(self) -> dict[str, Any]:
        return {"profile": self.profile.id, "profile_name": self.profile.name, "kinds": list(self.profile.kinds),
                "split": _summary(self.split), "standard": _summary(self.standard),
                "published": _summary(self.published) if self.published is not None else None,
                "deferred_with_split": self.deferred_with_split,
                "deferred_with_single_mx": self.deferred_with_single_mx}


def _may_defer(case: Case) -> bool:
    return case.outcome == "deferred" or any(o.outcome == "deferred" for o in case.orders)


def _summary(case: Case) -> str:
    """``delivered MX 0 ipv4``, ``deferred``, or ``varies: ... | ...``."""
    ends = case.orders if case.outcome == "varies" else (case,)
    parts = []
    for end in ends:
        last = end.attempts[-1] if end.attempts and end.outcome == "delivered" else None
        parts.append(end.outcome + (f" MX {last.preference} {last.family}" if last else ""))
    return parts[0] if case.outcome != "varies" else "varies: " + " | ".join(parts)


@dataclass(frozen=True)
class Step:
    id: str
    ok: bool | None  # None: unknown (a lookup failed, or not checkable here)
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "ok": self.ok, "message": self.message}


@dataclass(frozen=True)
class SenderVerdict:
    evidence: SenderEvidence
    ipv6_rule_applies: bool
    #: "450 4.7.25", "450 4.7.26", "250", or None when a lookup the answer needs failed.
    reply: str | None
    steps: tuple[Step, ...]
    split_helps: bool
    split_reason: str
    split_cases: tuple[Case, ...]
    fixes: tuple[str, ...]
    code: ExitCode
    #: With ``--to``: the recipient's published MX and this sender simulated against it.
    recipient: Recipient | None = None
    published_cases: tuple[Case, ...] = ()
    #: Every profile that can send from this address (it can use IPv6), in this sender's auth state.
    profiles: tuple[ProfileOutcome, ...] = ()

    @property
    def reply_text(self) -> str:
        if not self.ipv6_rule_applies:
            return IPV4_REPLY_TEXT
        return REPLY_TEXT.get(self.reply or "", UNKNOWN_REPLY_TEXT)

    def to_json(self) -> dict[str, Any]:
        ev = self.evidence
        return {"ip": ev.ip, "family": ev.family, "from": ev.domain, "helo": ev.helo,
                "ipv6_rule_applies": self.ipv6_rule_applies, "reply": self.reply, "reply_text": self.reply_text,
                "ptr": ev.ptr_names[0] if ev.ptr_names else None, "forward_confirmed": ev.forward_confirmed,
                "spf": ev.spf.result, "dkim": "not checked (needs the message): assumed to fail",
                "split_helps": self.split_helps, "split_reason": self.split_reason,
                "steps": [s.to_json() for s in self.steps], "spf_detail": ev.spf.to_json(),
                "dns": ev.to_json(), "split_simulation": simulation_json(self.split_cases), "fixes": list(self.fixes),
                "to": self.recipient.to_json() if self.recipient else None,
                "published_simulation": simulation_json(self.published_cases),
                "published_simulation_note": self.recipient.routing.skipped if self.recipient else None,
                "profiles": [p.to_json() for p in self.profiles],
                "deferred_with_split": [p.profile.id for p in self.profiles if p.deferred_with_split],
                "deferred_with_single_mx": [p.profile.id for p in self.profiles if p.deferred_with_single_mx],
                "exit_code": int(self.code)}


def _steps(ev: SenderEvidence) -> list[Step]:
    steps = []
    if ev.ptr_error is not None:
        steps.append(Step("ptr", None, f"PTR {ev.reverse_name}: lookup failed ({ev.ptr_error})"))
    elif ev.ptr_names:
        steps.append(Step("ptr", True, f"PTR {ev.reverse_name} -> {', '.join(ev.ptr_names)}"))
    else:
        steps.append(Step("ptr", False, f"PTR {ev.reverse_name}: none"))
    if ev.ptr_names:
        rr = "AAAA" if ev.family != IPV4 else "A"
        seen = "; ".join(f"{n} {rr} {', '.join(a) or '(none)'}" for n, a in ev.forward.items())
        known = ev.forward_confirmed or not ev.errors
        failed = f" ({'; '.join(ev.errors)})" if ev.errors else ""
        steps.append(Step("forward-confirmed", ev.forward_confirmed if known else None,
                          f"{seen}: {'contains' if ev.forward_confirmed else 'does not contain'} {ev.ip}{failed}"))
    spf = ev.spf
    why = f" via {spf.mechanism}" if spf.mechanism else ""
    steps.append(Step("spf", None if spf.result == "temperror" else spf.result == "pass",
                      f"SPF {spf.domain} for {ev.ip}: {spf.result}{why}" + (f" ({spf.detail})" if spf.detail else "")))
    steps.append(Step("dkim", None, "DKIM: not checkable without the message; assumed to fail"))
    return steps


def predicted_reply(ev: SenderEvidence) -> str | None:
    """Exchange Online's answer over IPv6 (``None``: unknown because a lookup failed)."""
    if ev.family == IPV4:
        return ACCEPTED
    if ev.ptr_error is not None:
        return None
    if not ev.ptr_names:
        return NO_PTR
    if ev.spf.result == "pass":
        return ACCEPTED
    if ev.spf.result == "temperror":
        return None
    return NO_AUTH


def _sender_cases(ev: SenderEvidence, reply: str | None, records: Iterable[MxRecord],
                  addresses: Mapping[str, HostAddresses]) -> list[Case]:
    """This sender (its families, per the IPv4 hints; its auth state, per the reply) against an MX set."""
    if ev.family == IPV4 or reply is None:
        return []
    auth = _auth(reply)
    ids = ("dual-stack-prefer-ipv6", "postfix") if ev.ipv4_hints else ("ipv6-only",)
    profiles = [p for p in PROFILES if p.id in ids]
    return [c for c in simulate(records, addresses, None, profiles) if c.auth == auth]


def _auth(reply: str) -> str:
    return {NO_PTR: "no-ptr", NO_AUTH: "unauthenticated"}.get(reply, "authenticated")


def _one(profile: Profile, auth: str, records: Sequence[MxRecord], addresses: Mapping[str, HostAddresses]) -> Case:
    ipv6 = any(addresses.get(r.exchange, HostAddresses()).ipv6 for r in records)
    return simulate_case(sorted(records), addresses, profile, auth, ipv6)


def _profiles(ev: SenderEvidence, reply: str | None, recipient: Recipient | None) -> list[ProfileOutcome]:
    """Which kinds of sending MTA at this IPv6 address are deferred, per profile (none for an
    IPv4 sender, to whom the rule does not apply, or when the reply is unknown)."""
    if ev.family == IPV4 or reply is None:
        return []
    auth = _auth(reply)
    today = _routable(recipient)
    return [ProfileOutcome(p, _one(p, auth, SPLIT_RECORDS, PROFILE_ADDRESSES),
                           _one(p, auth, STANDARD_RECORDS, PROFILE_ADDRESSES),
                           _one(p, auth, today[0], today[1]) if today is not None else None)
            for p in PROFILES if IPV6 in p.usable]


def _routable(recipient: Recipient | None) -> tuple[Sequence[MxRecord], Mapping[str, HostAddresses]] | None:
    """The recipient's MX set and addresses, when everything a sender routes over is known."""
    if recipient is None or recipient.records is None or recipient.routing.skipped is not None:
        return None
    return recipient.records, recipient.routing.addresses


def _split(ev: SenderEvidence, reply: str | None) -> tuple[bool, str, list[Case]]:
    """Does the split keep this sender on IPv4? Per the simulation's profiles."""
    if ev.family == IPV4:
        return False, "not needed: the sender already arrives over IPv4, where the IPv6 rule does not apply", []
    if reply is None:
        return False, "unknown: the reply could not be predicted", []
    if reply == ACCEPTED:
        return False, "not needed: the sender meets the IPv6 rule", []
    cases = _sender_cases(ev, reply, SPLIT_RECORDS, SPLIT_ADDRESSES)
    if not ev.ipv4_hints:
        hint_names = ", ".join(dict.fromkeys([*ev.ptr_names, ev.helo]))
        return False, (f"no IPv4 seen for the sender (no A record for {hint_names}): an IPv6-only sender walks "
                       "down to MX 10 and meets the same rule"), cases
    names = ", ".join(ev.ipv4_hints)
    if all(c.outcome == "delivered" and c.family == "ipv4" for c in cases):
        return True, (f"the sender has IPv4 ({names} has A records): senders that follow MX order stop at MX 0, "
                      "which has no AAAA, and deliver over IPv4"), cases
    return False, "the simulated senders do not all reach MX 0 over IPv4", cases


def _fixes(ev: SenderEvidence, reply: str | None) -> list[str]:
    if ev.family == IPV4:
        return []
    out = []
    if ev.ptr_error is None and not ev.ptr_names:
        out.append(f"publish a PTR record for {ev.ip} ({ev.reverse_name}); whoever runs the IPv6 range (the ISP "
                   "or hosting provider) controls it")
    if ev.ptr_names and not ev.forward_confirmed:
        out.append(f"add AAAA {ev.ip} to {ev.ptr_names[0]} so the PTR forward-confirms (Microsoft documents only "
                   "the PTR; many receivers also require the match)")
    spf = ev.spf.result
    if spf == "none":
        out.append(f"publish SPF for {ev.domain}, e.g. \"v=spf1 ip6:{ev.ip} -all\" (plus the sender's other hosts)")
    elif spf in ("fail", "softfail", "neutral"):
        out.append(f"add ip6:{ev.ip} (or the sending range) to the SPF record of {ev.domain}")
    elif spf == "permerror":
        out.append(f"repair the SPF record of {ev.domain}: {ev.spf.detail}")
    elif spf == "temperror":
        out.append(f"the SPF lookups for {ev.domain} failed ({ev.spf.detail}); retry, and check its DNS if it persists")
    if reply != ACCEPTED:
        out.append(f"sign with DKIM for {ev.domain}: a DKIM pass also meets the rule")
        out.append("or send to Microsoft 365 over IPv4 (Postfix: smtp_address_preference = ipv4)")
    return out


def judge(ev: SenderEvidence, recipient: Recipient | None = None) -> SenderVerdict:
    """:param recipient: the domain the sender writes to (``--to``), as it is published today."""
    reply = predicted_reply(ev)
    helps, reason, cases = _split(ev, reply)
    today = _routable(recipient)
    published_cases = _sender_cases(ev, reply, *today) if today is not None else []
    incomplete = reply is None or (recipient is not None and bool(recipient.errors))
    code = (ExitCode.INCOMPLETE if incomplete else ExitCode.OK if reply == ACCEPTED else ExitCode.FINDINGS)
    return SenderVerdict(ev, ev.family != IPV4, reply, tuple(_steps(ev)), helps, reason, tuple(cases),
                         tuple(_fixes(ev, reply)), code, recipient, tuple(published_cases),
                         tuple(_profiles(ev, reply, recipient)))
