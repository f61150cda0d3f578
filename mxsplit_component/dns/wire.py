"""Lean DNS messages for the hot path: build a query, read a reply's answer section.

The bulk check asks five questions per domain and compares only a few strings from each
answer. Building a ``dns.message.Message`` per query, decoding every rdata into dnspython
objects and turning names back into text for the comparison cost more CPU than the rest of
the check together. Here the query is a header, the question and an EDNS OPT record, built
from the name's text directly; the reply's header and question are checked against ours,
and the answer section is decoded straight into plain values (:data:`Record`): A and AAAA as
address text, MX, CNAME, PTR and NS targets as lower-case names, TXT as its strings. The
same bytes still give dnspython rrsets on demand (:attr:`Reply.answer`) for callers that
want them. Replies whose authority or additional sections matter (finding a zone's
nameservers) go through ``dns.message.from_wire`` (:class:`FullQuery`).

Every text here is dnspython's own spelling of the same bytes (names escaped as
``to_text`` escapes them, addresses as ``dns.ipv6.inet_ntoa`` writes them); the fast paths
only skip work where the result is known to be the same.
"""

from __future__ import annotations

import string
import struct
from socket import AF_INET, AF_INET6, inet_ntop
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.wire

HEADER = struct.Struct("!HHHHHH")
#: Id, flags, question and answer counts: what a reply's header says that matters here.
_HEAD = struct.Struct("!HHHH")
RR = struct.Struct("!HHIH")
QR, TC, RD = 0x8000, 0x0200, 0x0100
#: EDNS payload size recommended by DNS Flag Day 2020: avoids IP fragmentation.
EDNS_PAYLOAD = 1232
#: FORMERR, SERVFAIL, NOTIMP, REFUSED.
ERROR_RCODES = frozenset((1, 2, 4, 5))
A, NS, CNAME, PTR, MX, TXT, AAAA = 1, 2, 5, 12, 15, 16, 28
_NAME_TYPES = frozenset((NS, CNAME, PTR))
IN = 1

#: ``(owner, rdtype, value)``: owner a lower-case name without the final dot (the root is
#: "."); value an address text (A, AAAA), a lower-case name (NS, CNAME, PTR),
#: ``(preference, name)`` (MX), a tuple of byte strings (TXT), else the raw rdata bytes.
Record = tuple[str, int, Any]

#: Labels made only of these characters print the same as dnspython's ``to_text`` (which
#: escapes the rest); anything else takes dnspython's path, so the text is always its text.
#: (``bytes.translate`` deleting them leaves nothing: a check in C, no regex per name.)
_PLAIN_OR_DOT = (string.ascii_letters + string.digits + "_*-.").encode()
#: Names kept per generation of the name cache (a bulk run asks A and AAAA of each host and
#: reads each reply's owner, all within a few hundred lookups).
NAME_CACHE = 1024


def _plain(name: str) -> list[bytes] | None:
    """The labels of ``name`` when it is written only in plain characters, with no empty
    or over-long label and a valid length (a final dot allowed), else ``None``: dnspython
    must read it (and raise for it)."""
    if not name.isascii():
        return None
    raw = name.encode()
    if raw[-1:] == b".":
        raw = raw[:-1]
    if not raw or len(raw) > 253 or raw.translate(None, _PLAIN_OR_DOT) or b".." in raw or raw[0] == 46 \
            or raw[-1] == 46:
        return None
    labels = raw.split(b".")
    return labels if max(map(len, labels)) < 64 else None


#: A label's length octet, by length.
_LENGTH = [bytes((n,)) for n in range(64)]


class MalformedReply(ValueError):
    """Bytes that do not hold a well-formed answer section."""


def _parse_forms(name: str) -> tuple[bytes, str, bytes]:
    """``name``'s wire form, owner text and lower-case wire form, worked out together (one
    parse per name)."""
    labels = _plain(name)
    if labels is not None:
        wire = b"".join(map(bytes.__add__, map(_LENGTH.__getitem__, map(len, labels)), labels)) + b"\0"
        return wire, b".".join(labels).lower().decode(), wire.lower()
    parsed = dns.name.from_text(name)
    encoded = parsed.to_wire()
    assert encoded is not None  # to_wire() without a file returns the bytes
    return encoded, parsed.to_text(omit_final_dot=True).lower() or ".", encoded.lower()


class _NameCache:
    """Two generations of parsed names: a name is kept while it is used, and a whole
    generation is dropped at once. An LRU of 4,096 names, whose entries each died alone,
    left pymalloc's pools pinned by stragglers: peak memory grew by 3.5 MiB per 100,000
    rows; dropped together, they free whole pools and memory stays flat."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.young: dict[str, tuple[bytes, str, bytes]] = {}
        self.old: dict[str, tuple[bytes, str, bytes]] = {}

    def __call__(self, name: str) -> tuple[bytes, str, bytes]:
        forms = self.young.get(name)
        if forms is None:
            forms = self.old.get(name)
            if forms is None:
                forms = _parse_forms(name)
            if len(self.young) >= self.size:
                self.old, self.young = self.young, {}
            self.young[name] = forms
        return forms


#: ``name``'s wire form, owner text and lower-case wire form, cached.
_forms = _NameCache(NAME_CACHE)


def encode_name(name: str) -> bytes:
    """Wire form of ``name`` (absolute; a final dot is optional). Plain names are built here;
    anything else (escapes, non-ASCII, bad labels) goes through dnspython, which encodes or
    raises exactly as ``dns.name.from_text`` does."""
    return _forms(name)[0]


def name_text(name: str) -> str:
    """``name`` as the records here spell owners: lower case, no final dot (the root is ".")."""
    return _forms(name)[1]


def read_name(data: bytes, pos: int) -> tuple[str, int]:
    """The name at ``pos`` as lower-case text, and the position after it.

    Compression pointers must point strictly backwards, each before the last, so a pointer
    loop cannot spin; the name may not exceed 255 octets. A label running past the message
    raises ``IndexError`` at the next length octet.
    """
    labels: list[bytes] = []
    after = -1
    limit = pos
    while True:
        n = data[pos]
        if n < 64:
            if not n:
                break
            start = pos + 1
            pos = start + n
            labels.append(data[start:pos])
        elif n >= 0xC0:
            target = (n & 0x3F) << 8 | data[pos + 1]
            if after < 0:
                after = pos + 2
            if target >= limit:
                raise MalformedReply("compression pointer does not point backwards")
            limit = pos = target
        else:
            raise MalformedReply("unknown label type")
    if after < 0:
        after = pos + 1
    if not labels:
        return ".", after
    raw = b".".join(labels)
    if len(raw) > 253:
        raise MalformedReply("name longer than 255 octets")
    if not raw.translate(None, _PLAIN_OR_DOT) and raw.count(b".") == len(labels) - 1:
        return raw.lower().decode(), after
    return dns.name.Name([*labels, b""]).to_text(omit_final_dot=True).lower(), after


def _txt(rdata: bytes) -> tuple[bytes, ...]:
    strings = []
    pos = 0
    while pos < len(rdata):
        n = rdata[pos]
        if pos + 1 + n > len(rdata):
            raise MalformedReply("TXT string runs past its record")
        strings.append(rdata[pos + 1:pos + 1 + n])
        pos += 1 + n
    return tuple(strings)


def read_records(data: bytes, pos: int, count: int, question: str | None = None) -> list[Record]:
    """Decode ``count`` resource records from ``pos`` into :data:`Record` values (class IN only).

    :param question: the question's name as :func:`read_name` spells it, when the message
        has one at offset 12: an owner that points there (the common case) is not decoded again.
    """
    out: list[Record] = []
    size = len(data)
    for _ in range(count):
        if data[pos] == 0xC0 and data[pos + 1] == 12 and question is not None:
            owner = question
            pos += 2
        else:
            owner, pos = read_name(data, pos)
        rdtype, rdclass, _ttl, rdlen = RR.unpack_from(data, pos)
        pos += 10
        end = pos + rdlen
        if end > size:
            raise MalformedReply("record data runs past the message")
        value: Any
        if rdtype == A:
            if rdlen != 4:
                raise MalformedReply("A record is not 4 octets")
            value = inet_ntop(AF_INET, data[pos:end])
        elif rdtype == AAAA:
            if rdlen != 16:
                raise MalformedReply("AAAA record is not 16 octets")
            # The C library spells IPv6 as dnspython does (tests/test_dns_wire.py compares them).
            value = inet_ntop(AF_INET6, data[pos:end])
        elif rdtype == MX:
            target, stop = read_name(data, pos + 2)
            if rdlen < 3 or stop != end:
                raise MalformedReply("MX record length does not match its name")
            value = (data[pos] << 8 | data[pos + 1], target)
        elif rdtype in _NAME_TYPES:
            value, stop = read_name(data, pos)
            if stop != end:
                raise MalformedReply("record length does not match its name")
        elif rdtype == TXT:
            value = _txt(data[pos:end])
        else:
            value = data[pos:end]
        if rdclass == IN:
            out.append((owner, rdtype, value))
        pos = end
    return out


class RRSet(list):  # type: ignore[type-arg]
    """The records of one owner name and type, in answer order (like ``dns.rrset.RRset``)."""

    def __init__(self, name: dns.name.Name, rdtype: int) -> None:
        super().__init__()
        self.name = name
        self.rdtype = rdtype


def rrsets(data: bytes, start: int, count: int) -> list[RRSet]:
    """The answer section as dnspython rdatas grouped per owner and type."""
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


class Reply:
    """A reply that answers our question: header fields and the decoded answer section."""

    __slots__ = ("flags", "rcode", "records", "_data", "_start", "_count", "_answer")

    def __init__(self, flags: int, rcode: int, records: list[Record], data: bytes = b"", start: int = 0,
                 count: int = 0) -> None:
        self.flags, self.rcode, self.records = flags, rcode, records
        self._data, self._start, self._count = data, start, count
        self._answer: list[RRSet] | None = None

    @property
    def answer(self) -> list[RRSet]:
        """The answer section as dnspython rrsets, decoded from the same bytes on first use."""
        if self._answer is None:
            try:
                self._answer = rrsets(self._data, self._start, self._count) if self._count else []
            except (dns.exception.DNSException, struct.error, ValueError):
                self._answer = []  # an rdata dnspython refuses: no records it could hand out
        return self._answer


#: Message id, then the rest of the header of a query with one question: by (RD, EDNS).
_ID = struct.Struct("!H")
_QUERY_HEADERS = {(rd, edns): struct.pack("!HHHHH", RD if rd else 0, 1, 0, 0, 1 if edns else 0)
                  for rd in (False, True) for edns in (False, True)}
#: One OPT pseudo-record (RFC 6891): root owner, type 41, class = UDP payload size.
_OPT = struct.Struct("!xHHIH")
#: Type and class of a question, by type (built once per type).
_TYPE_CLASS: dict[int, bytes] = {}


class Query:
    """A query whose wire form is built once; only the 16-bit id changes per send."""

    __slots__ = ("question", "name_lower", "owner", "_tail", "_end")

    def __init__(self, qname: str, rdtype: int, *, recursion: bool, payload: int | None) -> None:
        """:param payload: the EDNS UDP payload size; ``None`` sends a plain DNS query (no OPT)."""
        name, owner, self.name_lower = _forms(qname)
        type_class = _TYPE_CLASS.get(rdtype)
        if type_class is None:
            type_class = _TYPE_CLASS[rdtype] = struct.pack("!HH", rdtype, IN)
        self.question = question = name + type_class
        self._end = 12 + len(question)
        #: The question's name as :func:`read_name` spells it (owners of the answers).
        self.owner = owner
        if payload is None:
            self._tail = _QUERY_HEADERS[recursion, False] + question
        else:
            self._tail = _QUERY_HEADERS[recursion, True] + question + _OPT.pack(41, payload, 0, 0)

    def wire(self, qid: int) -> bytes:
        return _ID.pack(qid) + self._tail

    def read(self, data: bytes) -> Reply | None:
        """The reply's answer section, or ``None`` when ``data`` does not answer this query
        (or its answer section is malformed: then the real reply may still follow)."""
        if len(data) < 12:
            return None
        _, flags, qdcount, ancount = _HEAD.unpack_from(data)
        if not flags & QR:
            return None
        rcode = flags & 0xF
        if qdcount == 0 and rcode in ERROR_RCODES:
            # As dnspython's is_response(): error replies may omit the question. Such a
            # reply can only move the lookup to the next server, never pass a check.
            return Reply(flags, rcode, [])
        end = self._end
        if qdcount != 1:
            return None
        if data[12:end] != self.question:
            # Names compare case-insensitively (servers may echo 0x20-mixed case); type and
            # class exactly. A message shorter than the question fails the latter.
            q = self.question
            if data[end - 4:end] != q[-4:] or data[12:end - 4].lower() != self.name_lower:
                return None
        if flags & TC:
            return Reply(flags, rcode, [])
        try:
            if ancount == 1 and data[end] == 0xC0 and data[end + 1] == 12:
                # One record owned by the question's name: an address, most often.
                rdtype, rdclass, _ttl, rdlen = RR.unpack_from(data, end + 2)
                start = end + 12
                if rdclass == IN and (rdtype == A and rdlen == 4 or rdtype == AAAA and rdlen == 16) \
                        and start + rdlen <= len(data):
                    value = inet_ntop(AF_INET if rdlen == 4 else AF_INET6, data[start:start + rdlen])
                    return Reply(flags, rcode, [(self.owner, rdtype, value)], data, end, 1)
            return Reply(flags, rcode, read_records(data, end, ancount, self.owner), data, end, ancount)
        except (IndexError, MalformedReply, struct.error):
            return None


class FullQuery:
    """A query whose replies dnspython parses whole (authority and additional sections too)."""

    __slots__ = ("request", "_wire")

    def __init__(self, qname: str, rdtype: str, *, recursion: bool, edns: bool) -> None:
        request = dns.message.make_query(qname, rdtype, use_edns=0 if edns else False, payload=EDNS_PAYLOAD)
        if not recursion:
            request.flags &= ~dns.flags.RD
        self.request = request
        self._wire = request.to_wire()

    def wire(self, qid: int) -> bytes:
        return qid.to_bytes(2, "big") + self._wire[2:]

    def read(self, data: bytes) -> dns.message.Message | None:
        """The parsed reply, or ``None`` when ``data`` does not answer this query (its id
        was matched by whoever routed it here: each send has its own)."""
        try:
            reply = dns.message.from_wire(data, ignore_trailing=True)
        except dns.exception.DNSException:
            return None
        self.request.id = reply.id
        return reply if self.request.is_response(reply) else None


def records_of(rrsets: list[Any]) -> list[Record]:
    """:data:`Record` values from dnspython rrsets (answers built by a full parse, or by tests)."""
    out: list[Record] = []
    for rrset in rrsets:
        owner = rrset.name.to_text(omit_final_dot=True).lower() or "."
        rdtype = int(rrset.rdtype)
        for rd in rrset:
            value: Any
            if rdtype in (A, AAAA):
                value = rd.address
            elif rdtype == MX:
                value = (rd.preference, rd.exchange.to_text(omit_final_dot=True).lower() or ".")
            elif rdtype in _NAME_TYPES:
                value = rd.target.to_text(omit_final_dot=True).lower() or "."
            elif rdtype == TXT:
                value = tuple(rd.strings)
            else:
                value = rd.to_digestable()
            out.append((owner, rdtype, value))
    return out

