"""One lookup's resolution policy: which server to ask next, what a reply means, when to give up.

No I/O and no clock: the transport passes the time in and carries out the :class:`Step`
each method returns, as dnspython's ``_Resolution`` decides and its ``asyncquery`` moves
bytes. What every server did is written to ``outcomes`` (the :class:`.answer.Answer`'s),
in the words a failed lookup reports.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from .answer import ANSWERED
from .nameservers import Nameserver

#: Sends per lookup (UDP retransmits, the EDNS fallback and TCP together).
MAX_TRIES = 20
#: A lookup with less time than this left sends nothing more.
SLACK = 0.002
#: Error replies that may mean "too many queries" rather than "cannot answer this name".
PRESSURE_RCODES = frozenset(("REFUSED", "SERVFAIL"))
#: How often one lookup asks a server again after such a reply while the server answers
#: other lookups but shows no burst of them (then it is asked again until the deadline).
PRESSURE_RETRIES = 3

_ANSWERED_TEXT = {r: f"answered {r}" for r in ANSWERED}


class Step(enum.Enum):
    """What the transport does next for the lookup."""

    #: The reply is the answer: the lookup ends.
    ANSWER = "answer"
    #: Ask the next server now (the lookup ends when :meth:`Resolution.next_server` says so).
    NEXT = "next"
    #: Ask the same server again over TCP (the reply was truncated).
    TCP = "tcp"
    #: The only server left is refusing under load: ask it again after a back-off.
    LATER = "later"
    #: Nothing to do now (a TCP exchange, or another server, decides).
    WAIT = "wait"


# Plain names for the members: reading an Enum member through its class costs ten times more.
_ANSWER, _NEXT, _TCP, _LATER, _WAIT = Step.ANSWER, Step.NEXT, Step.TCP, Step.LATER, Step.WAIT


class Resolution:
    """Where one lookup stands: the servers still worth asking, its tries and its deadline.

    :param servers: every server in the order to ask them (shared, never changed here).
    :param deadline: when the lookup gives up (the transport's clock).
    :param outcomes: filled with what each server did, in the order asked.
    :param first: where in ``servers`` the first send goes.
    """

    __slots__ = ("servers", "deadline", "outcomes", "pos", "tries", "live", "no_edns", "busy", "pressured")

    def __init__(self, servers: Sequence[Nameserver], deadline: float, outcomes: dict[str, str],
                 first: int = 0) -> None:
        self.servers = servers
        self.deadline = deadline
        self.outcomes = outcomes
        self.pos = first
        self.tries = 0
        #: Servers that have not failed this lookup; ``None`` while that is all of them.
        self.live: list[Nameserver] | None = None
        self.no_edns: set[Nameserver] | None = None
        #: A TCP exchange is running: its outcome decides what comes next.
        self.busy = False
        #: Error replies taken as load rather than as the server's answer.
        self.pressured = 0

    def next_server(self, now: float) -> Nameserver | None:
        """The server to send to now, counted as a try; ``None`` when the lookup must give
        up: no server left, :data:`MAX_TRIES` sends made, or its deadline reached."""
        if self.tries >= MAX_TRIES or self.deadline - now <= SLACK:
            return None
        servers, live = self.servers, self.live
        if live is not None:
            if not live:
                return None
            while servers[self.pos % len(servers)] not in live:
                self.pos += 1
        ns = servers[self.pos % len(servers)]
        self.pos += 1
        self.tries += 1
        return ns

    def edns(self, ns: Nameserver) -> bool:
        """Whether the query to ``ns`` carries EDNS (not after it answered FORMERR to it)."""
        return self.no_edns is None or ns not in self.no_edns

    def sent(self, key: str) -> None:
        """A query went to the server ``key``: until it says more, it did not reply."""
        self.outcomes.setdefault(key, "no reply")

    def cannot_ask(self, ns: Nameserver, why: str) -> None:
        """``ns`` cannot be asked at all (no socket to it): it is out for this lookup."""
        self.outcomes[str(ns)] = why
        self._drop(ns)

    def on_reply(self, ns: Nameserver, key: str, rcode: str, truncated: bool, now: float,
                 answering: bool = False, pressed: bool = False, unknown: bool = False) -> Step:
        """What a reply from ``ns`` (spelt ``key``) with ``rcode`` means.

        :param answering: ``ns`` has answered other lookups, so an error reply from it may
            be load rather than its answer for this name.
        :param pressed: ``ns`` sends such errors in a burst: it is refusing under load.
        :param unknown: ``ns`` has answered nothing yet but has other queries to answer: a
            throttle's first refusals come before the first answers, so it is asked once more.
        """
        if not truncated and rcode in _ANSWERED_TEXT:
            self.outcomes[key] = _ANSWERED_TEXT[rcode]
            return _ANSWER
        if self.busy:
            return _WAIT
        if rcode == "FORMERR" and self.edns(ns):
            if self.no_edns is None:
                self.no_edns = set()
            self.no_edns.add(ns)
            self.outcomes[key] = "answered FORMERR to EDNS; retried without EDNS"
            self.pos = self.servers.index(ns)  # the same server again, without EDNS
            return _NEXT
        if rcode not in _ANSWERED_TEXT:
            self.outcomes[key] = f"answered {rcode}"
            if rcode in PRESSURE_RCODES and (answering and (pressed or self.pressured < PRESSURE_RETRIES)
                                             or unknown and not self.pressured):
                # Throttling resolvers answer REFUSED or SERVFAIL over their limit: the
                # server stays in the rotation; another one is asked now if there is one.
                self.pressured += 1
                return _NEXT if self._others_live(ns) else _LATER
            return self._drop(ns)
        if self.deadline - now <= 0:
            self.outcomes[key] = "truncated over UDP; no time left for TCP"
            return self._drop(ns)
        self.busy = True
        self.tries += 1
        return _TCP

    def on_unreachable(self, ns: Nameserver, key: str, why: str) -> Step:
        """The network reported ``ns`` unreachable (ICMP port unreachable and the like)."""
        if self.busy:
            return _WAIT
        self.outcomes[key] = f"unreachable ({why})"
        return self._drop(ns)

    def on_tcp(self, ns: Nameserver, key: str, rcode: str | None, error: str | None = None) -> Step:
        """The TCP exchange with ``ns`` ended with ``rcode``, or failed with ``error``."""
        self.busy = False
        if error is not None:
            self.outcomes[key] = f"truncated over UDP and TCP failed ({error})"
            return self._drop(ns)
        self.outcomes[key] = f"answered {rcode} over TCP"
        return _ANSWER if rcode in _ANSWERED_TEXT else self._drop(ns)

    def failure(self, timeout: float) -> str:
        """Why the lookup failed: every server's outcome, in the order asked."""
        outcomes = self.outcomes
        for server, what in outcomes.items():
            if what == "no reply":
                outcomes[server] = f"no reply within {timeout:g}s"
        return "; ".join(f"{server} {what}" for server, what in outcomes.items()) or "no server was tried"

    def _drop(self, ns: Nameserver) -> Step:
        """``ns`` is out for this lookup: move on at once (unless it was out already)."""
        if self.live is None:
            self.live = [s for s in self.servers if s != ns]
            return _NEXT
        if ns in self.live:
            self.live.remove(ns)
            return _NEXT
        return _WAIT

    def _others_live(self, ns: Nameserver) -> bool:
        live = self.servers if self.live is None else self.live
        return any(s != ns for s in live)
