"""Simulate how senders route mail to an MX set (RFC 5321 §5.1), per address family.

Pure and deterministic: no network, no randomness. Where a real sender randomises (equal
preferences, Postfix ``smtp_address_preference = any``) the simulation reasons about every
order it may pick and reports a case whose orders disagree as ``varies``, with one example
path per distinct outcome.

It never enumerates permutations. Exchange Online's reply depends only on the family an
attempt arrives over (and the sender's authentication), so within one preference level
the shuffled host order changes which host is tried, never the sequence of replies: the
family order is the only choice that matters, and there are at most two per level. The
levels are then walked once, keeping one example path per number of sessions spent, so the
cost grows linearly with the number of records whatever the set.

The receiving side is Exchange Online as documented for IPv6 ("Support for anonymous
inbound email messages over IPv6", Microsoft Learn): over IPv6 a sender needs a PTR
(``450 4.7.25``) and an SPF or DKIM pass (``450 4.7.26``), and a domain without IPv6
enabled answers ``550 5.2.1``. Over IPv4 none of that applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .core.plan import MxPlan, MxRecord

IPV4, IPV6 = "ipv4", "ipv6"
#: Sender authentication states: what Exchange Online checks over IPv6.
AUTH_STATES = ("authenticated", "unauthenticated", "no-ptr")

ACCEPTED = "250 2.6.0 Queued mail for delivery"
NO_PTR = "450 4.7.25 Service unavailable, sending IPv6 address must have reverse DNS record"
NO_AUTH = "450 4.7.26 Service unavailable, message sent over IPv6 must pass either SPF or DKIM validation"
NO_IPV6 = "550 5.2.1 Service unavailable, recipient domain does not accept email over IPv6"


class HostAddresses(NamedTuple):
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()

    def of(self, family: str) -> tuple[str, ...]:
        return self.ipv4 if family == IPV4 else self.ipv6


class Profile(NamedTuple):
    """How one kind of sender orders and retries addresses. Each carries its source."""

    id: str
    families: tuple[str, ...]
    #: Within one preference level: "ipv6-first", "ipv4-first", "any" (both orders considered).
    family_order: str
    #: Maximum delivery sessions in one attempt (None: no limit).
    session_limit: int | None
    source: str


PROFILES = (
    Profile("ipv4-only", (IPV4,), "ipv4-first", None,
            "RFC 5321 §5.1: try MX hosts by preference, each host's addresses, until one accepts"),
    Profile("ipv6-only", (IPV6,), "ipv6-first", None,
            "RFC 5321 §5.1; an IPv6-only MTA skips hosts without AAAA and walks down the MX list"),
    # Exchange team blog (Oct 2024): Exchange Online as a sender tries every IPv6 address of a
    # preference level before IPv4, then the next level. Exim spec ch. 17: IPv6 before IPv4
    # within a host; hosts_max_try defaults to 5.
    Profile("dual-stack-prefer-ipv6", (IPV6, IPV4), "ipv6-first", 5,
            "Exchange Online (Exchange team blog, Oct 2024) and Exim (spec ch. 17, hosts_max_try = 5)"),
    # postconf(5): MX preference always wins; smtp_address_preference (default any) only orders
    # families within equal preference; smtp_mx_session_limit = 2 sessions per delivery;
    # smtp(8): a recoverable (4xx) error moves on to an alternate host.
    Profile("postfix", (IPV6, IPV4), "any", 2,
            "Postfix postconf(5): smtp_address_preference = any, smtp_mx_session_limit = 2; smtp(8)"),
)
PROFILE_IDS = tuple(p.id for p in PROFILES)


def reply(family: str, auth: str, domain_ipv6_enabled: bool) -> str:
    """Exchange Online's answer to a sender with ``auth`` arriving over ``family``."""
    if family == IPV4:
        return ACCEPTED
    if not domain_ipv6_enabled:
        return NO_IPV6
    if auth == "no-ptr":
        return NO_PTR
    if auth == "unauthenticated":
        return NO_AUTH
    return ACCEPTED


@dataclass(frozen=True)
class Attempt:
    preference: int
    host: str
    family: str
    address: str
    reply: str

    def to_json(self) -> dict[str, Any]:
        return {"preference": self.preference, "host": self.host, "family": self.family, "address": self.address,
                "reply": self.reply}


@dataclass(frozen=True)
class Delivery:
    """One path through the MX set: ``delivered``, ``bounced`` or ``deferred``."""

    outcome: str
    family: str | None
    attempts: tuple[Attempt, ...] = ()
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"outcome": self.outcome, "family": self.family,
                               "attempts": [a.to_json() for a in self.attempts]}
        if self.reason is not None:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class Case:
    """One sender profile in one authentication state.

    ``outcome`` is ``varies`` when the orders a sender may pick end differently; ``orders``
    then holds one example path per distinct (outcome, family).
    """

    profile: str
    auth: str
    outcome: str
    family: str | None
    attempts: tuple[Attempt, ...] = ()
    reason: str | None = None
    orders: tuple[Delivery, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        head: dict[str, Any] = {"profile": self.profile, "auth": self.auth}
        if self.outcome == "varies":
            return {**head, "outcome": "varies", "family": None, "orders": [o.to_json() for o in self.orders]}
        return {**head, **Delivery(self.outcome, self.family, self.attempts, self.reason).to_json()}


Level = tuple[int, tuple[str, ...]]
_FAMILY_ORDERS = {"ipv6-first": ((IPV6, IPV4),), "ipv4-first": ((IPV4, IPV6),), "any": ((IPV6, IPV4), (IPV4, IPV6))}
_NO_ADDRESS = "no MX host has an address of the sender's family"


def _levels(records: Sequence[MxRecord]) -> list[Level]:
    prefs = sorted({r.preference for r in records})
    return [(p, tuple(sorted({r.exchange for r in records if r.preference == p}))) for p in prefs]


def _level_orders(level: Level, addresses: Mapping[str, HostAddresses], profile: Profile) -> list[list[tuple[str, str, str]]]:
    """The distinct (host, family, address) sequences a sender may try at one level.

    Hosts appear in name order: a sender shuffles them, but every shuffle yields the same
    sequence of families, hence the same replies (see the module docstring).
    """
    empty = HostAddresses()
    seqs: list[list[tuple[str, str, str]]] = []
    for fams in _FAMILY_ORDERS[profile.family_order]:
        seq = [(h, f, a) for f in fams if f in profile.families for h in level[1] for a in addresses.get(h, empty).of(f)]
        if seq not in seqs:
            seqs.append(seq)
    return seqs


def _outcomes(levels: Sequence[Level], addresses: Mapping[str, HostAddresses], profile: Profile, auth: str,
              domain_ipv6_enabled: bool) -> list[Delivery]:
    """Every distinct (outcome, family) a sender may reach, each with one example path.

    Walks the levels once. What is still possible after a level depends only on how many
    sessions were spent, so the frontier keeps one example path per count: at most
    ``session_limit + 1`` entries (one for senders without a limit: their order is fixed).
    """
    limit = profile.session_limit
    found: dict[tuple[str, str | None], Delivery] = {}
    frontier: dict[int, tuple[Attempt, ...]] = {0: ()}
    for level in levels:
        pref, following = level[0], dict[int, tuple[Attempt, ...]]()
        for path in frontier.values():
            for seq in _level_orders(level, addresses, profile):
                steps = list(path)
                end: Delivery | None = None
                for host, family, address in seq:
                    if limit is not None and len(steps) >= limit:
                        break
                    answer = reply(family, auth, domain_ipv6_enabled)
                    steps.append(Attempt(pref, host, family, address, answer))
                    if answer[0] in "25":
                        end = Delivery("delivered" if answer[0] == "2" else "bounced", family, tuple(steps))
                        break
                if end is not None:
                    found.setdefault((end.outcome, end.family), end)
                elif limit is not None and len(steps) >= limit:
                    found.setdefault(("deferred", None), Delivery("deferred", None, tuple(steps)))
                else:
                    following.setdefault(len(steps), tuple(steps))
        frontier = following
    for path in frontier.values():
        end = Delivery("deferred", None, path) if path else Delivery("bounced", None, (), _NO_ADDRESS)
        found.setdefault((end.outcome, end.family), end)
    return list(found.values())


def simulate_case(records: Sequence[MxRecord], addresses: Mapping[str, HostAddresses], profile: Profile,
                  auth: str, domain_ipv6_enabled: bool) -> Case:
    """One sender profile with one authentication state."""
    if any(r.exchange in ("", ".") for r in records):
        return Case(profile.id, auth, "bounced", None, reason="null MX (RFC 7505): the domain accepts no mail")
    results = _outcomes(_levels(records), addresses, profile, auth, domain_ipv6_enabled)
    if len(results) == 1:
        only = results[0]
        return Case(profile.id, auth, only.outcome, only.family, only.attempts, only.reason)
    return Case(profile.id, auth, "varies", None, orders=tuple(results))


def simulate(records: Iterable[MxRecord], addresses: Mapping[str, HostAddresses],
             domain_ipv6_enabled: bool | None = None, profiles: Sequence[Profile] = PROFILES) -> list[Case]:
    """Every profile in every authentication state.

    :param domain_ipv6_enabled: whether Exchange accepts IPv6 for the recipient domain; by
        default true when any MX host has an AAAA record.
    """
    recs = sorted(records)
    if domain_ipv6_enabled is None:
        domain_ipv6_enabled = any(addresses.get(r.exchange, HostAddresses()).ipv6 for r in recs)
    return [simulate_case(recs, addresses, profile, auth, domain_ipv6_enabled)
            for profile in profiles for auth in AUTH_STATES]


def simulation_json(cases: Iterable[Case]) -> list[dict[str, Any]]:
    return [c.to_json() for c in cases]


def expected_addresses(plan: MxPlan) -> dict[str, HostAddresses]:
    """What Microsoft is expected to publish once the split is live: the IPv4-only host has A
    records only; the dual-stack host A and AAAA (documentation addresses, RFC 5737/3849)."""
    v4 = HostAddresses(ipv4=("192.0.2.1", "192.0.2.2"))
    ds = HostAddresses(ipv4=("198.51.100.1", "198.51.100.2"), ipv6=("2001:db8::1", "2001:db8::2", "2001:db8::3"))
    return {plan.ipv4_only_host: v4, plan.dual_stack_host: ds}


def simulation_lines(cases: Sequence[Mapping[str, Any]]) -> list[str]:
    """A compact text table of simulated cases (their JSON form, so plan and check share it)."""
    lines = [f"  {'sender':<24}{'auth':<17}{'outcome':<11}path"]
    for case in cases:
        if case["outcome"] == "varies":
            path = " | ".join(f"{o['outcome']}" + (f" over {o['family']}" if o["family"] else "")
                              for o in case["orders"])
            path = f"depends on the sender's random order: {path}"
        elif case["attempts"]:
            path = " -> ".join(f"MX {a['preference']} {a['family']} {' '.join(a['reply'].split()[:2])}" for a in case["attempts"])
        else:
            path = case.get("reason", "")
        lines.append(f"  {case['profile']:<24}{case['auth']:<17}{case['outcome']:<11}{path}")
    return lines
