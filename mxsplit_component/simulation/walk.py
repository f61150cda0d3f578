"""Walk an MX set the way one sender profile does. Pure and deterministic: no network, no randomness.

Where a real sender randomises (equal-preference hosts, Postfix's address shuffle) the walk
considers every order it may pick, without listing permutations: addresses that end the
same way (same family, same observed state, hence the same reply) are interchangeable, so
a preference level is a handful of kinds of address with a count each. The walk picks one
kind at a time and keeps one example path per state it reaches (counts left and the
sender's counters), breadth first; a profile's limits end every path within a few picks,
and a profile without limits only branches on the picks that end the walk. The cost grows
linearly with the number of records, whatever the set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from ..core.plan import MxRecord
from .model import Attempt, Case, Delivery, HostAddresses, reply
from .profiles import IPV4, IPV6, Profile

NO_ADDRESS = "no MX host has an address of the sender's family"
NULL_MX = "null MX (RFC 7505): the domain accepts no mail"
#: Observed states of one address (``check --smtp``); anything else answers like Exchange Online.
REFUSED, TIMEOUT, UNREACHABLE, FAILS = "refused", "timeout", "unreachable", "fails"
_STATE_REPLY = {REFUSED: ("connection refused", False), TIMEOUT: ("connect timeout", False),
                UNREACHABLE: ("connect failed (as the SMTP probe saw)", False),
                FAILS: ("session failed before MAIL (as the SMTP probe saw)", True)}
NO_ROUTE = "no route (the sender has no address of this family)"

Reach = Mapping[tuple[str, str], str]


class Step(NamedTuple):
    preference: int
    host: str
    family: str
    address: str


class Result(NamedTuple):
    reply: str
    #: A connection was made (it counts against Postfix's session limit).
    connected: bool
    #: ``delivered`` / ``bounced`` ends the walk; ``None`` moves on.
    ends: str | None


Signature = tuple[tuple[str, Result], ...]


class _Kind(NamedTuple):
    """Interchangeable blocks of one group: the first (by host name) stands for all."""

    block: tuple[Step, ...]
    signature: Signature
    copies: int


class _State(NamedTuple):
    """Where a walk is and what the sender has spent (a tuple: the walk copies it at every pick)."""

    level: int
    group: int
    counts: tuple[int, ...]
    addresses: int = 0
    sessions: int = 0
    tries: int = 0
    #: Exim past hosts_max_try: one address per higher MX.
    escape: bool = False
    #: Postfix balance targets (ipv4, ipv6); ``None``: not balancing; ``(-1, -1)``: set by the first address.
    targets: tuple[int, int] | None = None
    kept: tuple[int, int] = (0, 0)


def _result(step: Step, profile: Profile, reach: Reach, auth: str, ipv6_enabled: bool) -> Result:
    if step.family not in profile.usable:
        return Result(NO_ROUTE, False, None)
    state = reach.get((step.host, step.address))
    if state in _STATE_REPLY:
        text, connected = _STATE_REPLY[state]
        return Result(text, connected, None)
    text = reply(step.family, auth, ipv6_enabled)
    return Result(text, True, "delivered" if text[0] == "2" else "bounced" if text[0] == "5" else None)


def _families(profile: Profile) -> list[str]:
    other = IPV4 if profile.prefer == IPV6 else IPV6
    return [f for f in (profile.prefer, other) if f in profile.lookup]


def _blocks(pref: int, hosts: Sequence[str], addresses: Mapping[str, HostAddresses],
            profile: Profile) -> list[list[tuple[Step, ...]]]:
    """The groups of one preference level, in the order the sender takes them; the blocks
    within a group come in random order."""
    fams = _families(profile)
    empty = HostAddresses()

    def steps(host: str, family: str) -> list[Step]:
        return [Step(pref, host, family, a) for a in addresses.get(host, empty).of(family)]

    if profile.order == "host-family":
        groups = [[tuple(s for f in fams for s in steps(h, f)) for h in hosts]]
    elif profile.order == "any":
        groups = [[(s,) for h in hosts for f in fams for s in steps(h, f)]]
    else:
        groups = [[(s,) for h in hosts for s in steps(h, f)] for f in fams]
    return [[b for b in g if b] for g in groups if any(g)]


def _kinds(blocks: list[tuple[Step, ...]], sign: dict[Step, Result]) -> tuple[_Kind, ...]:
    counts: dict[Signature, int] = {}
    first: dict[Signature, tuple[Step, ...]] = {}
    for block in blocks:
        signature = tuple((s.family, sign[s]) for s in block)
        counts[signature] = counts.get(signature, 0) + 1
        first.setdefault(signature, block)
    return tuple(_Kind(first[sig], sig, n) for sig, n in counts.items())


def _balance_targets(levels: list[list[tuple[_Kind, ...]]], profile: Profile) -> tuple[int, int] | None:
    """Postfix smtp_balance_inet_proto (smtp_addr.c): how many of each family survive the cut."""
    limit = profile.address_limit
    if not profile.balance or limit is None:
        return None
    count = {IPV4: 0, IPV6: 0}
    for level in levels:
        for group in level:
            for kind in group:
                for family, _ in kind.signature:
                    count[family] += kind.copies
    v4, v6 = count[IPV4], count[IPV6]
    if not (v4 and v6 and v4 + v6 > limit):
        return None
    if v6 <= limit // 2:
        return limit - v6, v6
    if v4 <= limit // 2:
        return v4, limit - v4
    return -1, -1  # region R2: depends on the family of the first address


class _Walk:
    """One profile's walk over the levels; ``found`` keeps one example path per way it ends."""

    def __init__(self, levels: list[list[tuple[_Kind, ...]]], profile: Profile) -> None:
        self.levels, self.profile = levels, profile
        self.limited = any(x is not None for x in (profile.address_limit, profile.session_limit, profile.try_limit))
        self.found: dict[tuple[str, str | None, int | None], Delivery] = {}

    def end(self, outcome: str, family: str | None, path: tuple[Attempt, ...]) -> None:
        if outcome == "deferred" and not path:
            outcome, delivery = "bounced", Delivery("bounced", None, (), NO_ADDRESS)
        else:
            delivery = Delivery(outcome, family, path)
        self.found.setdefault(delivery.key, delivery)

    def enter(self, state: _State, level: int, escape: bool = False) -> _State | None:
        """``state``'s counters at the first group of ``level`` (``None`` past the last level)."""
        if level >= len(self.levels):
            return None
        return state._replace(level=level, group=0, counts=tuple(k.copies for k in self.levels[level][0]),
                              escape=escape)

    def run(self, targets: tuple[int, int] | None) -> list[Delivery]:
        first = self.enter(_State(0, 0, (), targets=targets), 0)
        frontier: dict[_State, tuple[Attempt, ...]] = {first: ()} if first is not None else {}
        if first is None:
            self.end("deferred", None, ())
        while frontier:
            following: dict[_State, tuple[Attempt, ...]] = {}
            for state, path in frontier.items():
                for nxt, p in self.expand(state, path):
                    following.setdefault(nxt, p)
            frontier = following
        return list(self.found.values())

    def advance(self, state: _State, path: tuple[Attempt, ...]) -> list[tuple[_State, tuple[Attempt, ...]]]:
        groups = self.levels[state.level]
        if state.group + 1 < len(groups) and not state.escape:
            return [(state._replace(group=state.group + 1, counts=tuple(k.copies for k in groups[state.group + 1])),
                     path)]
        nxt = self.enter(state, state.level + 1, state.escape)
        if nxt is None:
            self.end("deferred", None, path)
            return []
        return [(nxt, path)]

    def expand(self, state: _State, path: tuple[Attempt, ...]) -> list[tuple[_State, tuple[Attempt, ...]]]:
        """Every state one pick (of a kind of block in the current group) can lead to."""
        kinds = self.levels[state.level][state.group]
        counts = self._prune(state, kinds)
        options = [i for i, n in enumerate(counts) if n > 0]
        if not options:
            return self.advance(state, path)
        if not self.limited:
            # Without limits only the pick that ends the walk matters; the others commute.
            ending = [i for i in options if any(r.ends for _, r in kinds[i].signature)]
            rest = [i for i in options if i not in ending]
            options = ending + rest[:1]
        out = []
        for i in options:
            left = tuple(n - 1 if j == i else n for j, n in enumerate(counts))
            nxt = self.consume(state._replace(counts=left), kinds[i], path)
            if nxt is not None:
                out.append(nxt)
        return out

    def _prune(self, state: _State, kinds: tuple[_Kind, ...]) -> tuple[int, ...]:
        """Postfix drops the addresses of a family past its balance target: all at once, as order
        does not matter for what is never tried."""
        if state.targets is None or state.targets[0] < 0:
            return state.counts
        full = {IPV4: state.kept[0] >= state.targets[0], IPV6: state.kept[1] >= state.targets[1]}
        return tuple(0 if all(full[f] for f, _ in k.signature) else n for k, n in zip(kinds, state.counts, strict=True))

    def consume(self, state: _State, kind: _Kind,
                path: tuple[Attempt, ...]) -> tuple[_State, tuple[Attempt, ...]] | None:
        """Try ``kind``'s block address by address under the profile's limits; ``None`` when the
        walk ended (the end is recorded in ``found``)."""
        prof = self.profile
        for step, (family, result) in zip(kind.block, kind.signature, strict=True):
            index = 0 if family == IPV4 else 1
            targets = state.targets
            if targets is not None and targets[0] < 0:  # region R2: the first address decides
                v4 = (prof.address_limit or 0) + (family == IPV4)
                targets = (v4 // 2, (prof.address_limit or 0) - v4 // 2)
                state = state._replace(targets=targets)
            if targets is not None and state.kept[index] >= targets[index]:
                continue
            if prof.address_limit is not None and state.addresses >= prof.address_limit:
                self.end("deferred", None, path)
                return None
            if prof.try_limit is not None and state.tries >= prof.try_limit and not state.escape:
                if prof.one_per_later_mx and state.level + 1 < len(self.levels):
                    nxt = self.enter(state, state.level + 1, escape=True)
                    return (nxt, path) if nxt is not None else None
                self.end("deferred", None, path)
                return None
            path = (*path, Attempt(step.preference, step.host, family, step.address, result.reply))
            kept = (state.kept[0] + (index == 0), state.kept[1] + (index == 1))
            state = state._replace(addresses=state.addresses + 1, sessions=state.sessions + result.connected,
                                   tries=state.tries + 1, kept=kept)
            if result.ends is not None:
                self.end(result.ends, family, path)
                return None
            if prof.session_limit is not None and result.connected and state.sessions >= prof.session_limit:
                self.end("deferred", None, path)
                return None
            if state.escape:
                break
        if state.escape:
            nxt = self.enter(state, state.level + 1, escape=True)
            if nxt is None:
                self.end("deferred", None, path)
                return None
            return nxt, path
        return state, path


Groups = list[list[list[tuple[Step, ...]]]]


def mx_levels(records: Sequence[MxRecord]) -> list[tuple[int, list[str]]]:
    """Preference levels, lowest first, each with its hosts in name order."""
    by_pref: dict[int, set[str]] = {}
    for r in records:
        by_pref.setdefault(r.preference, set()).add(r.exchange)
    return [(pref, sorted(by_pref[pref])) for pref in sorted(by_pref)]


def profile_groups(levels: Sequence[tuple[int, list[str]]], addresses: Mapping[str, HostAddresses],
                   profile: Profile) -> Groups:
    """Per level, the groups of blocks ``profile`` takes them in (the same for every auth state)."""
    return [groups for pref, hosts in levels if (groups := _blocks(pref, hosts, addresses, profile))]


def walk_case(groups: Groups, profile: Profile, auth: str, domain_ipv6_enabled: bool, reach: Reach) -> Case:
    """One profile in one auth state over ``groups`` (from :func:`profile_groups`)."""
    levels = []
    for level in groups:
        sign = {s: _result(s, profile, reach, auth, domain_ipv6_enabled) for g in level for b in g for s in b}
        levels.append([_kinds(g, sign) for g in level])
    results = _Walk(levels, profile).run(_balance_targets(levels, profile))
    if len(results) == 1:
        only = results[0]
        return Case(profile.id, auth, only.outcome, only.family, only.attempts, only.reason)
    return Case(profile.id, auth, "varies", None, orders=tuple(results))


def simulate_case(records: Sequence[MxRecord], addresses: Mapping[str, HostAddresses], profile: Profile,
                  auth: str, domain_ipv6_enabled: bool, reach: Reach | None = None) -> Case:
    """One sender profile with one authentication state.

    :param reach: ``(host, address) -> refused | timeout | unreachable | fails`` as observed; an address
        not in it answers as Exchange Online does.
    """
    if any(r.exchange in ("", ".") for r in records):
        return Case(profile.id, auth, "bounced", None, reason=NULL_MX)
    groups = profile_groups(mx_levels(records), addresses, profile)
    return walk_case(groups, profile, auth, domain_ipv6_enabled, reach or {})
