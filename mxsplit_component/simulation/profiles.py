"""Sender profiles: how one kind of sending MTA walks an MX set, as a table of parameters.

Each profile is data, not code: the walk in :mod:`.walk` reads these fields and nothing
else. Every profile names where its parameters come from; ``verified`` says whether the
project's tests hold the profile against the real MTA (``tests/test_real_mta.py`` runs
Debian's Postfix 3.7 and Exim 4.96 in a private network namespace) or whether it is
modelled from documentation only.
"""

from __future__ import annotations

from dataclasses import dataclass

IPV4, IPV6 = "ipv4", "ipv6"

#: Sender kinds: which families a sender has and which it prefers.
KINDS = ("ipv4-only", "dual-stack-prefer-ipv6", "dual-stack-prefer-ipv4", "dual-stack-any", "ipv6-only")

#: How addresses of one preference level are ordered:
#: ``level-family``: every address of the preferred family in the level, then the other family;
#: ``host-family``: host by host (hosts shuffled), each host's preferred family first;
#: ``any``: every address of the level shuffled, families mixed.
ORDERS = ("level-family", "host-family", "any")

POSTFIX_SOURCE = ("postconf(5) of Postfix 3.7 (smtp_address_preference, smtp_mx_address_limit = 5, "
                  "smtp_mx_session_limit = 2, smtp_balance_inet_protocols = yes, smtp_randomize_addresses = yes, "
                  "inet_protocols); src/smtp/smtp_addr.c (shuffle, sort, balance) and smtp_connect.c (a session is a "
                  "connection that was made: a refused or timed-out connect uses none, a 4xx reply uses one)")
EXIM_SOURCE = ("Exim 4.96 specification: ch. 30.5 (hosts_max_try = 5 counts every IP address tried; once reached, "
               "one address of each higher MX is still tried), ch. 49.2 (after a 4xx to RCPT the other hosts are tried "
               "in the same run), ch. 17 dnslookup (AAAA before A within a host; ipv4_prefer; ipv4_only), "
               "ch. 14 dns_ipv4_lookup; ch. 7.6 default retry rule (F,2h,15m; G,16h,1h,1.5; F,4d,6h) spaces later "
               "attempts, and the walk is one delivery attempt; hosts_randomize (ch. 20) orders manualroute lists, "
               "not MX records, whose equal preferences Exim shuffles itself")
EXCHANGE_SOURCE = ("Exchange team blog, Oct 2024 (IPv6 for Exchange Online inbound and outbound): every IPv6 address "
                   "of a preference level before IPv4, then the next level; the number of tries is not documented "
                   "(5 assumed, as Exim's hosts_max_try)")
RFC_SOURCE = ("RFC 5321 §5.1: MX hosts by preference, equal preferences in random order, each host's addresses "
              "until one accepts")
RFC_MINIMUM_SOURCE = ("RFC 5321 §5.1: a sender 'SHOULD try at least two addresses' and may limit the number it "
                      "tries; nothing is said about families, so they mix")
REAL = "checked against the real MTA in the project's tests (tests/test_real_mta.py)"
DOCS = "modelled from documentation only"


@dataclass(frozen=True)
class Profile:
    """How one kind of sender orders and retries addresses."""

    id: str
    #: What the output calls it.
    name: str
    #: ``rfc5321``, ``postfix``, ``exim`` or ``exchange-online``.
    mta: str
    #: The sender kinds (:data:`KINDS`) this profile models for its MTA.
    kinds: tuple[str, ...]
    #: Families whose addresses the sender looks up.
    lookup: tuple[str, ...]
    #: Families the sender can connect over (a looked-up family it cannot use fails locally).
    usable: tuple[str, ...]
    #: See :data:`ORDERS`.
    order: str
    #: The family tried first by ``level-family`` / ``host-family`` ordering.
    prefer: str = IPV6
    #: Addresses considered per delivery, failed connects included (Postfix smtp_mx_address_limit).
    address_limit: int | None = None
    #: Keep both families within ``address_limit`` (Postfix smtp_balance_inet_protocols).
    balance: bool = False
    #: Connections made per delivery, whatever their reply (Postfix smtp_mx_session_limit).
    session_limit: int | None = None
    #: Addresses tried per delivery, failed connects included (Exim hosts_max_try).
    try_limit: int | None = None
    #: Past ``try_limit``, still try one address of each higher MX (Exim ch. 30.5).
    one_per_later_mx: bool = False
    #: What a ``varies`` result varies over.
    random_over: str = "the sender's random order of equal-preference MX hosts"
    source: str = ""
    verified: str = DOCS

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "mta": self.mta, "kinds": list(self.kinds),
                "source": self.source, "verified": self.verified}


_BOTH = (IPV6, IPV4)
_POSTFIX_ANY = "Postfix's shuffle of equal-preference addresses (smtp_address_preference = any mixes families)"
_POSTFIX_SHUFFLE = "Postfix's shuffle of equal-preference addresses"
_EXIM_SHUFFLE = "Exim's random order of equal-preference MX hosts"


def _postfix(id_: str, name: str, kind: str, lookup: tuple[str, ...], order: str, prefer: str = IPV6) -> Profile:
    return Profile(id_, name, "postfix", (kind,), lookup, lookup, order, prefer, address_limit=5, balance=True,
                   session_limit=2, random_over=_POSTFIX_ANY if order == "any" else _POSTFIX_SHUFFLE,
                   source=POSTFIX_SOURCE, verified=REAL)


def _exim(id_: str, name: str, kinds: tuple[str, ...], lookup: tuple[str, ...], usable: tuple[str, ...],
          prefer: str = IPV6) -> Profile:
    return Profile(id_, name, "exim", kinds, lookup, usable, "host-family", prefer, try_limit=5,
                   one_per_later_mx=True, random_over=_EXIM_SHUFFLE, source=EXIM_SOURCE, verified=REAL)


PROFILES: tuple[Profile, ...] = (
    Profile("ipv4-only", "RFC 5321 sender, IPv4 only, tries every address", "rfc5321", ("ipv4-only",), (IPV4,),
            (IPV4,), "level-family", IPV4, source=RFC_SOURCE),
    Profile("ipv6-only", "RFC 5321 sender, IPv6 only, tries every address", "rfc5321", ("ipv6-only",), (IPV6,),
            (IPV6,), "level-family", IPV6, source=RFC_SOURCE),
    Profile("dual-stack-prefer-ipv6", "Exchange Online as a sender (IPv6 of a level first, 5 tries)",
            "exchange-online", ("dual-stack-prefer-ipv6",), _BOTH, _BOTH, "level-family", IPV6, try_limit=5,
            source=EXCHANGE_SOURCE),
    _postfix("postfix", "Postfix 3.7 defaults (smtp_address_preference = any)", "dual-stack-any", _BOTH, "any"),
    _postfix("postfix-prefer-ipv6", "Postfix 3.7, smtp_address_preference = ipv6", "dual-stack-prefer-ipv6",
             _BOTH, "level-family", IPV6),
    _postfix("postfix-prefer-ipv4", "Postfix 3.7, smtp_address_preference = ipv4", "dual-stack-prefer-ipv4",
             _BOTH, "level-family", IPV4),
    _postfix("postfix-ipv4-only", "Postfix 3.7, inet_protocols = ipv4", "ipv4-only", (IPV4,), "level-family", IPV4),
    _postfix("postfix-ipv6-only", "Postfix 3.7, inet_protocols = ipv6", "ipv6-only", (IPV6,), "level-family", IPV6),
    # Exim has no setting that mixes families at random: its "any" is its default order.
    _exim("exim", "Exim 4.96 defaults (AAAA before A within a host)", ("dual-stack-prefer-ipv6", "dual-stack-any"),
          _BOTH, _BOTH),
    _exim("exim-prefer-ipv4", "Exim 4.96, dnslookup ipv4_prefer", ("dual-stack-prefer-ipv4",), _BOTH, _BOTH, IPV4),
    _exim("exim-ipv4-only", "Exim 4.96, dns_ipv4_lookup = *", ("ipv4-only",), (IPV4,), (IPV4,), IPV4),
    # On a host without IPv4 Exim still looks up A records; each connect fails at once and counts as a try.
    _exim("exim-ipv6-only", "Exim 4.96 on an IPv6-only host", ("ipv6-only",), _BOTH, (IPV6,)),
    Profile("rfc5321-minimum", "RFC 5321 minimum: dual-stack, families mixed, two addresses", "rfc5321",
            ("dual-stack-any",), _BOTH, _BOTH, "any", try_limit=2, source=RFC_MINIMUM_SOURCE),
)
PROFILE_IDS = tuple(p.id for p in PROFILES)
BY_ID = {p.id: p for p in PROFILES}


def profile_for(mta: str, kind: str) -> Profile:
    """The profile of ``mta`` for sender ``kind`` (``KeyError`` when the table has none)."""
    for p in PROFILES:
        if p.mta == mta and kind in p.kinds:
            return p
    raise KeyError(f"no {mta} profile for {kind}")
