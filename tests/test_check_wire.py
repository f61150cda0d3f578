"""The lean query/reply codec, checked against dnspython's full Message on the same bytes."""

import dns.flags
import dns.message
import dns.rdatatype
import dns.rrset

from mxsplit_component.check.wire import Query


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
