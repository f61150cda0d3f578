"""What DNS answers mean: records of the queried name only, as sets, DNS64 recognised.

Every command that reads DNS (``check``, ``hosts --published``, ``sender``) reads answers
through these functions, so a record owned by another name, a record sent twice or an AAAA
a DNS64 resolver synthesised means the same thing everywhere. The parsing is pure; the
few helpers that ask (``lookup_host``, ``find_authoritative``) take a :class:`DnsClient`.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import dns.name
import dns.rdatatype
import dns.rrset

from ..core.plan import MxRecord
from .nameservers import Nameserver
from .transport import Answer, DnsClient
from .wire import AAAA, CNAME, MX, PTR, TXT, A

NULL_MX = "."


def host_text(name: dns.name.Name) -> str:
    """A host name as we print it: lower case, no trailing dot (the root stays ".")."""
    text = name.to_text(omit_final_dot=True).lower()
    return text or NULL_MX


#: RFC 6052 well-known prefix: a DNS64 resolver synthesises AAAA records in it for hosts
#: that have only A records, so such an AAAA says nothing about the host's IPv6.
DNS64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


def is_dns64(address: str) -> bool:
    # Any spelling of an address in 64:ff9b::/96 has "ff9b" as its second group (zero
    # compression never hides a non-zero group): most addresses skip the parse.
    if "ff9b" not in address.lower():
        return False
    try:
        return ipaddress.IPv6Address(address) in DNS64_PREFIX
    except ValueError:
        return False


@dataclass
class HostLookup:
    """The A and AAAA answers for one host, kept apart per family."""

    ipv4: list[str] = field(default_factory=list)
    #: Real AAAA addresses (DNS64-synthesised ones are in ``ipv6_synthesized``).
    ipv6: list[str] = field(default_factory=list)
    ipv6_synthesized: list[str] = field(default_factory=list)
    cname: str | None = None
    nxdomain: bool = False
    errors: list[str] = field(default_factory=list)
    #: Families (``ipv4``, ``ipv6``) whose lookup did not complete: their lists say nothing.
    unknown: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``ipv4``/``ipv6`` are ``null`` when unknown (never ``[]``, which means "no address"),
        with ``errors`` saying why."""
        out: dict[str, Any] = {"ipv4": None if "ipv4" in self.unknown else self.ipv4,
                               "ipv6": None if "ipv6" in self.unknown else self.ipv6}
        if self.ipv6_synthesized:
            out["ipv6_synthesized"] = self.ipv6_synthesized
        if self.errors:
            out["errors"] = self.errors
        return out


def owned(answer: Answer, rdtype: int) -> list[Any]:
    """The ``rdtype`` values (:data:`.wire.Record`) of the queried name, following a CNAME
    chain that starts there.

    Records of any other owner in the answer section (a resolver's extra data, a spoof) are
    ignored: they say nothing about the name we asked for.
    """
    return _owned(answer.records, answer.owner, rdtype)


def _has_cname(records: list[Any]) -> bool:
    for _, t, _ in records:  # a loop, not any(): this runs for every answer of a bulk run
        if t == CNAME:
            return True
    return False


def _cname_chain(records: list[Any], name: str) -> list[str]:
    """``name`` and each CNAME target from it, in order; empty for a loop (which answers nothing)."""
    cnames: dict[str, str] = {}
    for owner, t, value in records:
        if t == CNAME:
            cnames.setdefault(owner, value)
    chain = [name]
    while name in cnames:
        name = cnames[name]
        if name in chain:
            return []
        chain.append(name)
    return chain


def _owned(records: list[Any], name: str, rdtype: int, chained: bool | None = None) -> list[Any]:
    """:param chained: whether ``records`` hold a CNAME (worked out here when not given)."""
    if _has_cname(records) if chained is None else chained:
        chain = _cname_chain(records, name)
        if not chain:
            return []
        name = chain[-1]
    return [value for owner, t, value in records if t == rdtype and owner == name]


def owners(answer: Answer) -> frozenset[str]:
    """The names whose records answer the question: the queried name and its CNAME chain.

    For readers that take whole rrsets (pyspf caches every record of an answer under its
    owner, so another name's record would later stand in for that name's own lookup).
    """
    return frozenset(_cname_chain(answer.records, answer.owner))


def parse_mx(answer: Answer) -> tuple[list[MxRecord] | None, bool]:
    """(records, nxdomain) from an MX answer; records is ``None`` when the lookup failed.

    Records form a set, as in DNS: a record sent twice counts once.
    """
    if answer.error is not None:
        return None, False
    if answer.rcode == "NXDOMAIN":
        return None, True
    return sorted({MxRecord(pref, host) for pref, host in owned(answer, MX)}), False


def parse_addresses(lookup: HostLookup, answer: Answer, family: str) -> None:
    """Fold an A or AAAA answer into ``lookup``, noting a CNAME at the host itself."""
    if answer.error is not None:
        lookup.errors.append(f"{answer.rdtype} {answer.qname}: {answer.error}")
        lookup.unknown.append(family)
        return
    if answer.rcode == "NXDOMAIN":
        lookup.nxdomain = True
    records = answer.records
    if not records:
        return
    qname = answer.owner
    chained = _has_cname(records)
    found = _owned(records, qname, A if family == "ipv4" else AAAA, chained)
    if chained:
        cname = next((v for owner, t, v in records if t == CNAME and owner == qname), None)
        if cname is not None:
            lookup.cname = cname
    if not found:
        return
    if family == "ipv4":
        lookup.ipv4 = sorted(set(lookup.ipv4).union(found))
        return
    synthesized = [a for a in found if is_dns64(a)]
    real = [a for a in found if not is_dns64(a)] if synthesized else found
    lookup.ipv6 = sorted(set(lookup.ipv6).union(real))
    if synthesized:
        lookup.ipv6_synthesized = sorted(set(lookup.ipv6_synthesized).union(synthesized))


def parse_txt(answer: Answer) -> list[str]:
    return [b"".join(strings).decode("utf-8", "replace") for strings in owned(answer, TXT)]


def parse_names(answer: Answer, rdtype: int = PTR) -> list[str]:
    """The names of a PTR (or CNAME, NS) answer owned by the queried name, as a sorted set."""
    return sorted(set(owned(answer, rdtype)))


async def lookup_host(client: DnsClient, host: str) -> HostLookup:
    """A and AAAA of ``host``, asked at once and read per family."""
    found = HostLookup()
    a, aaaa = await asyncio.gather(client.query(host, "A"), client.query(host, "AAAA"))
    parse_addresses(found, a, "ipv4")
    parse_addresses(found, aaaa, "ipv6")
    return found


async def find_authoritative(domain: str, client: DnsClient, port: int) -> list[Nameserver]:
    """The domain's authoritative servers: the NS set of the closest enclosing zone.

    Accepts an NS answer, a referral (NS in the authority section, as a parent zone's
    server gives), or an SOA in the authority section naming the zone apex.
    """
    name = dns.name.from_text(domain)
    ns_names: list[str] = []
    glue: dict[str, list[str]] = {}
    while len(name) > 1 and not ns_names:
        answer = await client.query(name.to_text(), "NS", full=True)
        if answer.error is not None:
            raise LookupError(f"cannot find the authoritative servers of {domain}: {answer.error}")
        sections = answer.answer + answer.authority
        ns_sets = [r for r in sections if r.rdtype == dns.rdatatype.NS and name.is_subdomain(r.name)]
        if ns_sets:
            ns_names = [host_text(rd.target) for rd in ns_sets[0]]
            glue = _glue(answer.additional)
            break
        soa = [r for r in answer.authority if r.rdtype == dns.rdatatype.SOA and name.is_subdomain(r.name)]
        name = soa[0].name if soa and soa[0].name != name else name.parent()
    if not ns_names:
        raise LookupError(f"cannot find the authoritative servers of {domain}: no NS record above it")
    addresses: list[str] = []
    for host in ns_names:
        if host in glue:
            addresses += glue[host]
            continue
        lookup = await lookup_host(client, host)
        addresses += lookup.ipv4 + lookup.ipv6
    if not addresses:
        raise LookupError(f"the nameservers of {domain} ({', '.join(ns_names)}) have no addresses")
    return [Nameserver(a, port) for a in dict.fromkeys(addresses)]


def _glue(rrsets: Iterable[dns.rrset.RRset]) -> dict[str, list[str]]:
    glue: dict[str, list[str]] = {}
    for rrset in rrsets:
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            glue.setdefault(host_text(rrset.name), []).extend(rd.address for rd in rrset)
    return glue
