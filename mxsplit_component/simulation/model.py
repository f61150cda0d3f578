"""What the simulation returns, and Exchange Online's replies it routes against.

The receiving side is Exchange Online as documented for IPv6 ("Support for anonymous
inbound email messages over IPv6", Microsoft Learn): over IPv6 a sender needs a PTR
(``450 4.7.25``) and an SPF or DKIM pass (``450 4.7.26``), and a domain without IPv6
enabled answers ``550 5.2.1``. Over IPv4 none of that applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .profiles import BY_ID, IPV4

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

    @property
    def key(self) -> tuple[str, str | None, int | None]:
        """What tells two paths apart: the outcome, and the family and MX level it ended at."""
        last = self.attempts[-1].preference if self.attempts and self.outcome != "deferred" else None
        return self.outcome, self.family, last

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
    then holds one example path per distinct (outcome, family, MX level), and ``varies_over``
    says what the sender randomises.
    """

    profile: str
    auth: str
    outcome: str
    family: str | None
    attempts: tuple[Attempt, ...] = ()
    reason: str | None = None
    orders: tuple[Delivery, ...] = field(default=())

    @property
    def exact(self) -> bool:
        return self.outcome != "varies"

    def to_json(self) -> dict[str, Any]:
        prof = BY_ID.get(self.profile)
        head: dict[str, Any] = {"profile": self.profile, "auth": self.auth,
                                "profile_name": prof.name if prof else self.profile, "exact": self.exact}
        if self.outcome == "varies":
            return {**head, "outcome": "varies", "family": None, "orders": [o.to_json() for o in self.orders],
                    "varies_over": prof.random_over if prof else "the sender's random order"}
        return {**head, **Delivery(self.outcome, self.family, self.attempts, self.reason).to_json()}
