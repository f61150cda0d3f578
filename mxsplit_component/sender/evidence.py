"""What DNS says about a sending address: PTR, forward confirmation, IPv4 hints, SPF.

The thin async layer of ``mxsplit sender``; :mod:`.verdict` reasons about the result offline.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from typing import Any

import dns.reversename

from ..dns.observe import HostLookup, host_text, parse_addresses, parse_names
from ..dns.transport import DnsClient
from .spfeval import SpfOutcome, evaluate_spf, threadsafe_lookup

IPV4, IPV6 = "ipv4", "ipv6"


@dataclass(frozen=True)
class SenderEvidence:
    ip: str
    family: str
    domain: str
    helo: str
    reverse_name: str
    #: PTR names of ``ip`` (sorted); empty when there is none.
    ptr_names: tuple[str, ...]
    #: Why the PTR lookup did not complete (then nothing is known about the PTR).
    ptr_error: str | None
    #: PTR name -> its addresses of ``ip``'s family (for forward confirmation).
    forward: dict[str, tuple[str, ...]]
    #: Name (PTR or HELO) -> its IPv4 addresses: a hint that the sender also has IPv4.
    ipv4_hints: dict[str, tuple[str, ...]]
    spf: SpfOutcome
    #: Forward lookups that did not complete (forward confirmation is then unknown).
    errors: tuple[str, ...] = field(default=())

    @property
    def forward_confirmed(self) -> bool | None:
        """Some PTR name resolves back to ``ip`` (forward-confirmed reverse DNS); ``None`` when
        that is unknown (the PTR or a forward lookup failed, and no other name confirmed)."""
        want = ipaddress.ip_address(self.ip)
        if any(ipaddress.ip_address(a) == want for addrs in self.forward.values() for a in addrs):
            return True
        return None if self.ptr_error is not None or self.errors else False

    def to_json(self) -> dict[str, Any]:
        return {"reverse_name": self.reverse_name, "ptr_names": list(self.ptr_names), "ptr_error": self.ptr_error,
                "forward": {k: list(v) for k, v in self.forward.items()},
                "ipv4_hints": {k: list(v) for k, v in self.ipv4_hints.items()}, "errors": list(self.errors)}


async def _addresses(client: DnsClient, name: str, family: str) -> tuple[tuple[str, ...], str | None]:
    """``name``'s addresses of ``family``, read as every command reads them (:mod:`..dns.observe`):
    records of ``name`` (or its CNAME chain) only, as a set, DNS64-synthesised AAAA left out."""
    lookup = HostLookup()
    parse_addresses(lookup, await client.query(name, "AAAA" if family == IPV6 else "A"), family)
    found = lookup.ipv6 if family == IPV6 else lookup.ipv4
    return tuple(found), lookup.errors[0] if lookup.errors else None


#: ``mxsplit sender`` ends within this many ``--timeout``s: the PTR lookup (one), then the
#: forward lookups (one, all at once) beside the SPF evaluation, whose lookups get what is
#: left but one ``--timeout`` (the lookup running when pyspf's budget ends may take that long).
SENDER_TIMEOUTS = 4


def spf_querytime(timeout: float, elapsed: float) -> float:
    """pyspf's ``querytime`` for an SPF evaluation starting ``elapsed`` seconds into a run
    bounded by :data:`SENDER_TIMEOUTS` × ``timeout`` (never 0, which pyspf reads as unbounded)."""
    return max(0.001, (SENDER_TIMEOUTS - 1) * timeout - elapsed)


async def gather(ip: str, domain: str, helo: str | None, client: DnsClient) -> SenderEvidence:
    """Ask everything at once: PTR (then each name's forward and IPv4 records) beside SPF,
    within :data:`SENDER_TIMEOUTS` × the client's timeout in all.

    :param helo: the sender's HELO name; defaults to its first PTR name, else ``domain``
        (given, the SPF evaluation starts at once, beside the PTR lookup).
    """
    family = IPV6 if ipaddress.ip_address(ip).version == 6 else IPV4
    reverse = host_text(dns.reversename.from_address(ip))
    loop = asyncio.get_running_loop()
    start = loop.time()
    errors: list[str] = []

    def spf(helo_name: str) -> asyncio.Future[SpfOutcome]:
        querytime = spf_querytime(client.timeout, loop.time() - start)
        return asyncio.ensure_future(asyncio.to_thread(
            evaluate_spf, ip, domain, helo_name, threadsafe_lookup(client, loop), querytime=querytime))

    spf_task = spf(helo) if helo else None
    ptr_answer = await client.query(reverse, "PTR")
    ptr_error = ptr_answer.error
    # Only PTRs owned by the reverse name (or its RFC 2317 CNAME chain) name the sender.
    names = tuple(parse_names(ptr_answer)) if ptr_error is None else ()
    helo_name = helo or (names[0] if names else domain)
    if spf_task is None:
        spf_task = spf(helo_name)

    hint_names = list(dict.fromkeys([*names, helo_name]))
    results = await asyncio.gather(*(_addresses(client, n, family) for n in names),
                                   *(_addresses(client, n, IPV4) for n in hint_names))
    forward_results, hint_results = results[:len(names)], results[len(names):]
    forward = {}
    for n, (addrs, err) in zip(names, forward_results, strict=True):
        forward[n] = addrs
        if err:
            errors.append(err)
    hints = {n: addrs for n, (addrs, _err) in zip(hint_names, hint_results, strict=True) if addrs}
    return SenderEvidence(ip=str(ipaddress.ip_address(ip)), family=family, domain=domain, helo=helo_name,
                          reverse_name=reverse, ptr_names=names, ptr_error=ptr_error, forward=forward,
                          ipv4_hints=hints, spf=await spf_task, errors=tuple(errors))
