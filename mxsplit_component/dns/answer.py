"""The outcome of one lookup, as every command reads it."""

from __future__ import annotations

from typing import Any

from .wire import Record, Reply, name_text, records_of

#: Server outcomes that are an answer (everything else moves on to the next server).
ANSWERED = ("NOERROR", "NXDOMAIN")


class Answer:
    """The outcome of one lookup. ``error`` is set when no usable answer came back.

    ``records`` is the answer section as plain values (:data:`.wire.Record`), which the
    checks compare; ``answer`` the same as dnspython rrsets, decoded on first use;
    ``authority`` and ``additional`` are filled only by a ``full`` lookup.
    """

    __slots__ = ("qname", "rdtype", "rcode", "authority", "additional", "error", "server", "tcp", "outcomes",
                 "_answer", "_records", "_reply")

    def __init__(self, qname: str, rdtype: str, rcode: str | None = None, answer: list[Any] | None = None,
                 authority: list[Any] | None = None, additional: list[Any] | None = None,
                 error: str | None = None, server: str | None = None, tcp: bool = False,
                 outcomes: dict[str, str] | None = None) -> None:
        self.qname, self.rdtype, self.rcode, self.error = qname, rdtype, rcode, error
        self.authority = [] if authority is None else authority
        self.additional = [] if additional is None else additional
        self.server, self.tcp = server, tcp
        #: What each server tried did, in the order tried (``"127.0.0.1:53": "answered SERVFAIL"``).
        self.outcomes = {} if outcomes is None else outcomes
        self._answer = [] if answer is None else answer
        self._records: list[Record] | None = None
        self._reply: Reply | None = None

    @classmethod
    def asked(cls, qname: str, rdtype: str) -> Answer:
        """An answer still to come: what the transport fills in (the constructor without
        its checks, for the many lookups of a bulk run)."""
        answer = cls.__new__(cls)
        answer.qname = qname
        answer.rdtype = rdtype
        answer.rcode = answer.error = answer.server = answer._records = answer._reply = None
        answer.tcp = False
        answer.authority = []
        answer.additional = []
        answer.outcomes = {}
        answer._answer = []
        return answer

    @property
    def ok(self) -> bool:
        return self.error is None and self.rcode in ANSWERED

    @property
    def answer(self) -> list[Any]:
        return self._reply.answer if self._reply is not None else self._answer

    @answer.setter
    def answer(self, rrsets: list[Any]) -> None:
        self._answer, self._reply, self._records = rrsets, None, None

    @property
    def records(self) -> list[Record]:
        if self._reply is not None:
            return self._reply.records
        if self._records is None:
            self._records = records_of(self._answer)
        return self._records

    @property
    def owner(self) -> str:
        """The queried name as :data:`.wire.Record` owners are spelled."""
        return name_text(self.qname)

    def accept(self, server: str, rcode: str, reply: Any, *, tcp: bool = False) -> None:
        """Take ``reply`` from ``server`` as the answer: a lean :class:`.wire.Reply`, or a
        dnspython message (a ``full`` lookup, or one that went over TCP)."""
        self.server, self.rcode = server, rcode
        if type(reply) is Reply:
            self._reply = reply
        else:
            self.tcp = tcp
            self.answer = list(reply.answer)
            self.authority = list(reply.authority)
            self.additional = list(reply.additional)

    def __repr__(self) -> str:
        return (f"Answer({self.qname!r}, {self.rdtype!r}, rcode={self.rcode!r}, error={self.error!r}, "
                f"records={self.records!r})")
