"""Simulate how senders route mail to an MX set (RFC 5321 §5.1), per sender profile.

:mod:`.profiles` holds the senders as data with their sources, :mod:`.walk` walks an MX set
the way one profile does, :mod:`.inputs` turns what ``check`` observed (or what Microsoft is
expected to publish, for ``plan``) into the walk's input, :mod:`.text` renders the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..core.plan import MxRecord
from .inputs import expected_addresses
from .model import (
    ACCEPTED,
    AUTH_STATES,
    NO_AUTH,
    NO_IPV6,
    NO_PTR,
    Attempt,
    Case,
    Delivery,
    HostAddresses,
    reply,
)
from .profiles import IPV4, IPV6, KINDS, PROFILE_IDS, PROFILES, Profile, profile_for
from .text import simulation_lines
from .walk import NULL_MX, Reach, mx_levels, profile_groups, simulate_case, walk_case

__all__ = ["ACCEPTED", "AUTH_STATES", "IPV4", "IPV6", "KINDS", "NO_AUTH", "NO_IPV6", "NO_PTR", "PROFILES",
           "PROFILE_IDS", "Attempt", "Case", "Delivery", "HostAddresses", "Profile", "Reach", "expected_addresses",
           "profile_for", "reply", "simulate", "simulate_case", "simulation_json", "simulation_lines"]


def simulate(records: Iterable[MxRecord], addresses: Mapping[str, HostAddresses],
             domain_ipv6_enabled: bool | None = None, profiles: Sequence[Profile] = PROFILES,
             reach: Reach | None = None) -> list[Case]:
    """Every profile in every authentication state.

    :param domain_ipv6_enabled: whether Exchange accepts IPv6 for the recipient domain; by
        default true when any MX host has an AAAA record.
    :param reach: what ``check --smtp`` saw per ``(host, address)``: ``refused``, ``timeout``,
        ``unreachable`` or ``fails``; addresses not in it answer as Exchange Online does.
    """
    recs = sorted(records)
    if domain_ipv6_enabled is None:
        domain_ipv6_enabled = any(addresses.get(r.exchange, HostAddresses()).ipv6 for r in recs)
    if any(r.exchange in ("", ".") for r in recs):
        return [Case(p.id, auth, "bounced", None, reason=NULL_MX) for p in profiles for auth in AUTH_STATES]
    levels, observed = mx_levels(recs), reach or {}
    cases = []
    for profile in profiles:
        groups = profile_groups(levels, addresses, profile)
        cases += [walk_case(groups, profile, auth, domain_ipv6_enabled, observed) for auth in AUTH_STATES]
    return cases


def simulation_json(cases: Iterable[Case]) -> list[dict[str, Any]]:
    return [c.to_json() for c in cases]
