"""Lean DNS messages for the hot path: build a query, read a reply's answer section.

The bulk check asks five questions per domain and needs only the answer section of each
reply. Building a full ``dns.message.Message`` per query and parsing the authority and
additional sections of every reply (BIND sends NS and glue there) doubled the CPU cost of
a check. Here the query is a header, the question and an EDNS OPT record; the reply's
header and question are checked against ours, and only the answer records are decoded,
each with dnspython (``dns.wire.Parser``, ``dns.rdata.from_wire_parser``). Replies whose
authority or additional sections matter (finding a zone's nameservers) still go through
``dns.message.from_wire``.
"""

from __future__ import annotations

import struct

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.wire

HEADER = struct.Struct("!HHHHHH")
QR, TC, RD = 0x8000, 0x0200, 0x0100
#: FORMERR, SERVFAIL, NOTIMP, REFUSED.
ERROR_RCODES = frozenset((1, 2, 4, 5))


def encode_name(name: str) -> bytes:
    """Wire form of a normalised, absolute-less name (what every lookup here asks for)."""
    wire = dns.name.from_text(name).to_wire()
    assert wire is not None  # to_wire() without a file returns the bytes
    return wire


class RRSet(list):  # type: ignore[type-arg]
    """The records of one owner name and type, in answer order (like ``dns.rrset.RRset``)."""

    def __init__(self, name: dns.name.Name, rdtype: int) -> None:
        super().__init__()
        self.name = name
        self.rdtype = rdtype


class Reply:
    __slots__ = ("answer", "flags", "rcode")

    def __init__(self, flags: int, rcode: int, answer: list[RRSet]) -> None:
        self.flags, self.rcode, self.answer = flags, rcode, answer


class Query:
    """A query whose wire form is built once; only the 16-bit id changes per send."""

    __slots__ = ("question", "name_lower", "body", "flags", "arcount")

    def __init__(self, qname: str, rdtype: int, *, recursion: bool, payload: int | None) -> None:
        """:param payload: the EDNS UDP payload size; ``None`` sends a plain DNS query (no OPT)."""
        self.question = encode_name(qname) + struct.pack("!HH", rdtype, dns.rdataclass.IN)
        self.name_lower = self.question[:-4].lower()
        self.body, self.arcount = self.question, 0
        if payload is not None:
            # One OPT pseudo-record (RFC 6891): root owner, type 41, class = UDP payload size.
            self.body, self.arcount = self.question + b"\0" + struct.pack("!HHIH", 41, payload, 0, 0), 1
        self.flags = RD if recursion else 0

    def wire(self, qid: int) -> bytes:
        return HEADER.pack(qid, self.flags, 1, 0, 0, self.arcount) + self.body

    def read(self, data: bytes) -> Reply | None:
        """The reply's answer section, or ``None`` when ``data`` does not answer this query."""
        end = 12 + len(self.question)
        if len(data) < 12:
            return None
        _, flags, qdcount, ancount, _, _ = HEADER.unpack_from(data)
        if qdcount == 0 and flags & QR and flags & 0xF in ERROR_RCODES:
            # As dnspython's is_response(): error replies may omit the question. Such a
            # reply can only move the lookup to the next server, never pass a check.
            return Reply(flags, flags & 0xF, [])
        q = self.question
        # Names compare case-insensitively (servers may echo 0x20-mixed case); type and class exactly.
        if (len(data) < end or not flags & QR or qdcount != 1 or data[end - 4:end] != q[-4:]
                or data[12:end - 4].lower() != self.name_lower):
            return None
        rcode = flags & 0xF
        if flags & TC:
            return Reply(flags, rcode, [])
        try:
            return Reply(flags, rcode, _answers(data, end, ancount))
        except (dns.exception.DNSException, struct.error, ValueError):
            return None


def _answers(data: bytes, start: int, count: int) -> list[RRSet]:
    parser = dns.wire.Parser(data, start)
    sets: dict[tuple[dns.name.Name, int], RRSet] = {}
    for _ in range(count):
        name = parser.get_name(decompress=True)
        rdtype, rdclass, _ttl, rdlen = parser.get_struct("!HHIH")
        with parser.restrict_to(rdlen):
            rdata = dns.rdata.from_wire_parser(rdclass, rdtype, parser, None)
        key = (name, rdtype)
        rrset = sets.get(key)
        if rrset is None:
            rrset = sets[key] = RRSet(name, rdtype)
        rrset.append(rdata)
    return list(sets.values())
