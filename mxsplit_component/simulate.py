"""Simulate how senders route mail to an MX set (RFC 5321 §5.1), per address family.

Pure and deterministic: no network, no randomness. Where a real sender randomises (equal
preferences, Postfix ``smtp_address_preference = any``) every order is enumerated and a
case whose orders disagree is reported as ``varies`` with each order's outcome.

The receiving side is Exchange Online as documented for IPv6 ("Support for anonymous
inbound email messages over IPv6", Microsoft Learn): over IPv6 a sender needs a PTR
(``450 4.7.25``) and an SPF or DKIM pass (``450 4.7.26``), and a domain without IPv6
enabled answers ``550 5.2.1``. Over IPv4 none of that applies.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from .core.plan import MxPlan, MxRecord

IPV4, IPV6 = "ipv4", "ipv6"
#: Sender authentication states: what Exchange Online checks over IPv6.
AUTH_STATES = ("authenticated", "unauthenticated", "no-ptr")

ACCEPTED = "250 2.6.0 Queued mail for delivery"
NO_PTR = "450 4.7.25 Service unavailable, sending IPv6 address must have reverse DNS record"
NO_AUTH = "450 4.7.26 Service unavailable, message sent over IPv6 must pass either SPF or DKIM validation"
NO_IPV6 = "550 5.2.1 Service unavailable, recipient domain does not accept email over IPv6"
#: Cap on enumerated orders, so a pathological MX set cannot explode the report.
MAX_ORDERS = 64


class HostAddresses(NamedTuple):
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()

    def of(self, family: str) -> tuple[str, ...]:
        return self.ipv4 if family == IPV4 else self.ipv6


class Profile(NamedTuple):
    """How one kind of sender orders and retries addresses. Each carries its source."""

    id: str
    families: tuple[str, ...]
    #: Within one preference level: "ipv6-first", "ipv4-first", "any" (both orders enumerated).
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


def _levels(records: Sequence[MxRecord]) -> list[tuple[int, list[str]]]:
    prefs = sorted({r.preference for r in records})
    return [(p, sorted(r.exchange for r in records if r.preference == p)) for p in prefs]


_FAMILY_ORDERS = {"ipv6-first": ((IPV6, IPV4),), "ipv4-first": ((IPV4, IPV6),), "any": ((IPV6, IPV4), (IPV4, IPV6))}
Step = tuple[int, str, str, str]


def _orders(levels: list[tuple[int, list[str]]], addresses: Mapping[str, HostAddresses],
            profile: Profile) -> list[list[Step]]:
    """Every address order the profile may use: (preference, host, family, address) lists."""
    per_level = []
    empty = HostAddresses()
    for pref, hosts in levels:
        choices: list[list[Step]] = []
        for host_perm in itertools.permutations(hosts):  # equal preferences: senders shuffle
            for fams in _FAMILY_ORDERS[profile.family_order]:
                seq = [(pref, h, f, a) for f in fams if f in profile.families
                       for h in host_perm for a in addresses.get(h, empty).of(f)]
                if seq not in choices:
                    choices.append(seq)
        per_level.append(choices)
    return [[step for level in combo for step in level]
            for combo in itertools.islice(itertools.product(*per_level), MAX_ORDERS)]


def _deliver(order: Sequence[tuple[int, str, str, str]], auth: str, profile: Profile,
             domain_ipv6_enabled: bool) -> dict[str, Any]:
    attempts: list[dict[str, str | int]] = []
    for pref, host, family, address in order:
        if profile.session_limit is not None and len(attempts) >= profile.session_limit:
            break
        answer = reply(family, auth, domain_ipv6_enabled)
        attempts.append({"preference": pref, "host": host, "family": family, "address": address, "reply": answer})
        if answer.startswith("2"):
            return {"outcome": "delivered", "family": family, "attempts": attempts}
        if answer.startswith("5"):
            return {"outcome": "bounced", "family": family, "attempts": attempts}
    if not attempts:
        return {"outcome": "bounced", "family": None, "attempts": [],
                "reason": "no MX host has an address of the sender's family"}
    return {"outcome": "deferred", "family": None, "attempts": attempts}


def simulate_case(records: Sequence[MxRecord], addresses: Mapping[str, HostAddresses], profile: Profile,
                  auth: str, domain_ipv6_enabled: bool, orders: list[list[Step]] | None = None) -> dict[str, Any]:
    """One sender profile with one authentication state (``orders``: precomputed, per profile)."""
    if any(r.exchange in ("", ".") for r in records):
        return {"profile": profile.id, "auth": auth, "outcome": "bounced", "family": None, "attempts": [],
                "reason": "null MX (RFC 7505): the domain accepts no mail"}
    results: list[dict[str, Any]] = []
    if orders is None:
        orders = _orders(_levels(records), addresses, profile)
    for order in orders:
        result = _deliver(order, auth, profile, domain_ipv6_enabled)
        if result not in results:
            results.append(result)
    case: dict[str, Any] = {"profile": profile.id, "auth": auth}
    if len({(r["outcome"], r["family"]) for r in results}) == 1:
        case.update(results[0])
    else:
        case.update({"outcome": "varies", "family": None, "orders": results})
    return case


def simulate(records: Iterable[MxRecord], addresses: Mapping[str, HostAddresses],
             domain_ipv6_enabled: bool | None = None,
             profiles: Sequence[Profile] = PROFILES) -> list[dict[str, Any]]:
    """Every profile in every authentication state.

    :param domain_ipv6_enabled: whether Exchange accepts IPv6 for the recipient domain; by
        default true when any MX host has an AAAA record.
    """
    recs = sorted(records)
    if domain_ipv6_enabled is None:
        domain_ipv6_enabled = any(addresses.get(r.exchange, HostAddresses()).ipv6 for r in recs)
    levels = _levels(recs)
    cases = []
    for profile in profiles:
        orders = _orders(levels, addresses, profile)  # the same for every auth state
        cases += [simulate_case(recs, addresses, profile, auth, domain_ipv6_enabled, orders) for auth in AUTH_STATES]
    return cases


def expected_addresses(plan: MxPlan) -> dict[str, HostAddresses]:
    """What Microsoft is expected to publish once the split is live: the IPv4-only host has A
    records only; the dual-stack host A and AAAA (documentation addresses, RFC 5737/3849)."""
    v4 = HostAddresses(ipv4=("192.0.2.1", "192.0.2.2"))
    ds = HostAddresses(ipv4=("198.51.100.1", "198.51.100.2"), ipv6=("2001:db8::1", "2001:db8::2", "2001:db8::3"))
    return {plan.ipv4_only_host: v4, plan.dual_stack_host: ds}


def simulation_lines(cases: Sequence[Mapping[str, Any]]) -> list[str]:
    """A compact text table of simulated cases."""
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
