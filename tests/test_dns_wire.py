"""The lean query/reply codec, checked against dnspython's full Message on the same bytes."""

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mxsplit_component.dns.wire import Query


def reply_for(query_wire: bytes, *records: str, flags: int = 0, qname_case=None) -> bytes:
    request = dns.message.from_wire(query_wire)
    reply = dns.message.make_response(request)
    reply.flags |= flags
    for text in records:
        name, rdtype, rdata = text.split(" ", 2)
        reply.answer.append(dns.rrset.from_text(name, 60, "IN", rdtype, rdata))
    # authority and additional data the lean reader must skip
    reply.authority.append(dns.rrset.from_text("contoso.com.", 60, "IN", "NS", "ns1.contoso.com."))
    reply.additional.append(dns.rrset.from_text("ns1.contoso.com.", 60, "IN", "A", "192.0.2.53"))
    wire = reply.to_wire()
    if qname_case:
        wire = wire[:12] + wire[12:12 + len(qname_case)].upper() + wire[12 + len(qname_case):]
    return wire


def test_query_wire_is_a_valid_edns_query():
    q = Query("contoso.com", dns.rdatatype.MX, recursion=True, payload=1232)
    msg = dns.message.from_wire(q.wire(4242))
    assert msg.id == 4242
    assert msg.flags & dns.flags.RD
    assert msg.edns == 0 and msg.payload == 1232
    assert msg.question[0].to_text() == "contoso.com. IN MX"
    q = Query("contoso.com", dns.rdatatype.MX, recursion=False, payload=1232)
    assert not dns.message.from_wire(q.wire(1)).flags & dns.flags.RD


def test_reads_the_answer_with_compressed_names():
    q = Query("contoso.com", dns.rdatatype.MX, recursion=True, payload=1232)
    data = reply_for(q.wire(7), "contoso.com. MX 0 contoso.mail.protection.outlook.com.",
                     "contoso.com. MX 10 contoso-com.mail.protection.outlook.com.")
    reply = q.read(data)
    assert reply is not None and reply.rcode == 0
    [mx] = reply.answer
    assert mx.rdtype == dns.rdatatype.MX and mx.name.to_text() == "contoso.com."
    assert sorted((rd.preference, rd.exchange.to_text()) for rd in mx) == [
        (0, "contoso.mail.protection.outlook.com."), (10, "contoso-com.mail.protection.outlook.com.")]
    full = dns.message.from_wire(data)
    assert [rd.to_text() for rd in full.answer[0]] == [rd.to_text() for rd in mx]


def test_cname_chain_keeps_rrsets_apart():
    q = Query("mx.contoso.com", dns.rdatatype.A, recursion=True, payload=1232)
    data = reply_for(q.wire(9), "mx.contoso.com. CNAME host.example.net.", "host.example.net. A 192.0.2.1")
    reply = q.read(data)
    assert [(r.name.to_text(), r.rdtype) for r in reply.answer] == [
        ("mx.contoso.com.", dns.rdatatype.CNAME), ("host.example.net.", dns.rdatatype.A)]


def test_mixed_case_echo_is_accepted():
    q = Query("contoso.com", dns.rdatatype.MX, recursion=True, payload=1232)
    data = reply_for(q.wire(7), qname_case=q.question[:-4])
    assert q.read(data) is not None


def test_wrong_question_or_not_a_response_is_rejected():
    q = Query("contoso.com", dns.rdatatype.MX, recursion=True, payload=1232)
    other = Query("fabrikam.com", dns.rdatatype.MX, recursion=True, payload=1232)
    assert q.read(reply_for(other.wire(7))) is None
    aaaa = Query("contoso.com", dns.rdatatype.AAAA, recursion=True, payload=1232)
    assert q.read(reply_for(aaaa.wire(7))) is None
    assert q.read(q.wire(7)) is None  # a query, not a response (QR clear)
    assert q.read(b"\x00\x07") is None


def test_truncated_reply_is_flagged_not_parsed():
    q = Query("contoso.com", dns.rdatatype.TXT, recursion=True, payload=1232)
    data = reply_for(q.wire(3), flags=dns.flags.TC)
    reply = q.read(data)
    assert reply is not None and reply.flags & dns.flags.TC and reply.answer == []


def test_rcode():
    q = Query("nosuch.contoso.com", dns.rdatatype.MX, recursion=True, payload=1232)
    request = dns.message.from_wire(q.wire(5))
    response = dns.message.make_response(request)
    response.set_rcode(3)
    assert q.read(response.to_wire()).rcode == 3


# --- plain-value records: the same text dnspython gives ----------------------------------------
def test_records_match_dnspython_for_every_type_the_checks_read():
    from mxsplit_component.dns.wire import records_of

    q = Query("Contoso.COM", dns.rdatatype.ANY, recursion=True, payload=1232)
    data = reply_for(q.wire(11), "contoso.com. MX 10 MX1.Contoso.com.", "contoso.com. A 192.0.2.1",
                     "contoso.com. AAAA ::ffff:192.0.2.1", "contoso.com. AAAA 2001:db8::1:0:0:1",
                     "contoso.com. CNAME Alias.Example.NET.", "contoso.com. PTR host\\.with\\.dots.example.",
                     "contoso.com. NS ns\\200.example.", 'contoso.com. TXT "v=STSv1; id=1" "second"',
                     'contoso.com. TXT "a;b" "\\"q\\""', "contoso.com. MX 0 .")
    reply = q.read(data)
    assert reply is not None
    assert sorted(reply.records, key=repr) == sorted(records_of(dns.message.from_wire(data).answer), key=repr)
    values = {t: v for _, t, v in reply.records}
    assert values[dns.rdatatype.CNAME] == "alias.example.net"
    assert values[dns.rdatatype.PTR] == "host\\.with\\.dots.example"  # escaped as dnspython does
    assert values[dns.rdatatype.NS] == "ns\\200.example"
    assert (0, ".") in [v for _, t, v in reply.records if t == dns.rdatatype.MX]


def test_pointer_loops_and_forward_pointers_are_refused():
    q = Query("contoso.com", dns.rdatatype.A, recursion=True, payload=1232)
    question = q.question
    header = bytes([0, 3, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0])
    end = 12 + len(question)
    # The answer's owner is a pointer to itself, then one to a later offset: both refused.
    for target in (end, end + 2):
        rr = bytes([0xC0 | target >> 8, target & 0xFF]) + bytes([0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1])
        assert q.read(header + question + rr) is None


def test_query_names_are_encoded_as_dnspython_encodes_them():
    from mxsplit_component.dns.wire import encode_name

    for name in ("contoso.com", "contoso.com.", "_mta-sts.contoso.com", "*.example", "a" * 63 + ".com",
                 "bücher.example", "a\\.b.example"):
        assert encode_name(name) == dns.name.from_text(name).to_wire()
    with pytest.raises(dns.exception.DNSException):
        encode_name("a" * 64 + ".com")


def test_ipv6_addresses_are_spelt_as_dnspython_spells_them():
    # Addresses are read with the C library's inet_ntop; the checks compare dnspython's
    # spelling. Every pattern of zero runs (and mapped or compatible IPv4) must agree.
    import itertools
    import socket
    import struct

    import dns.ipv6

    for groups in itertools.product((0, 1, 0xFFFF, 0xABC), repeat=8):
        packed = struct.pack("!8H", *groups)
        assert socket.inet_ntop(socket.AF_INET6, packed) == dns.ipv6.inet_ntoa(packed), groups


def test_aaaa_records_read_from_a_reply_keep_dnspython_text():
    q = Query("v6.example", dns.rdatatype.AAAA, recursion=True, payload=1232)
    spellings = ["2001:db8::1", "::ffff:192.0.2.1", "::192.0.2.1", "2001:db8:0:0:1:0:0:1", "fe80::", "::",
                 "1:0:0:2::", "2001:db8:1:2:3:4:5:6"]
    reply = q.read(reply_for(q.wire(1), *(f"v6.example. AAAA {a}" for a in spellings)))
    assert reply is not None
    assert sorted(v for _, _, v in reply.records) == sorted(
        rd.address for rd in dns.message.from_wire(reply_for(q.wire(1), *(f"v6.example. AAAA {a}" for a in spellings)))
        .answer[0])


@given(st.lists(st.sampled_from(list("aZ09-_*.\\ü ") + ["\\046", "xn--", "\0", "a" * 63]), min_size=1, max_size=12)
       .map("".join))
def test_names_encode_and_print_as_dnspython_does(name):
    from mxsplit_component.dns.wire import encode_name, name_text

    def outcome(fn):
        try:
            return fn()
        except (dns.exception.DNSException, UnicodeError) as exc:
            return type(exc)

    expected_wire = outcome(lambda: dns.name.from_text(name).to_wire())
    expected_text = outcome(lambda: dns.name.from_text(name).to_text(omit_final_dot=True).lower() or ".")
    assert outcome(lambda: encode_name(name)) == expected_wire
    assert outcome(lambda: name_text(name)) == expected_text


def test_the_name_cache_keeps_two_generations_and_drops_the_older_whole():
    from mxsplit_component.dns.wire import _NameCache, encode_name

    cache = _NameCache(3)
    first = cache("a.example")
    assert first == (encode_name("a.example"), "a.example", encode_name("a.example"))
    for name in ("b.example", "c.example", "d.example"):  # the fourth starts a new generation
        cache(name)
    assert set(cache.old) == {"a.example", "b.example", "c.example"} and set(cache.young) == {"d.example"}
    assert cache("a.example") is first  # a name in use moves up, parsed once
    assert set(cache.young) == {"d.example", "a.example"}
    for name in ("e.example", "f.example", "g.example"):
        cache(name)
    assert "b.example" not in cache.old and "b.example" not in cache.young  # dropped with its generation
    assert len(cache.old) + len(cache.young) <= 2 * cache.size
    assert cache("UPPER.Example.")[1] == "upper.example"
    with pytest.raises(dns.exception.DNSException):
        cache("a..b")
    assert "a..b" not in cache.young
