"""What the simulation routes over: the addresses Microsoft is expected to publish (``plan``),
or what ``check`` observed (addresses per host and family, SMTP per address), or nothing at
all when what it needs is unknown."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from .model import HostAddresses
from .walk import FAILS, REFUSED, TIMEOUT, UNREACHABLE

if TYPE_CHECKING:
    from ..core.plan import MxPlan, MxRecord
    from ..dns.observe import HostLookup

EXPECTED = "addresses Microsoft is expected to publish"
AS_PUBLISHED = "addresses as published, SMTP not probed"
AS_PROBED = "addresses as published, SMTP as probed"


class Probe(Protocol):
    """What the walk needs of one ``check --smtp`` probe (``check.smtp.AddressProbe``)."""

    @property
    def host(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def family(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def outcome(self) -> str: ...


@dataclass(frozen=True)
class Routing:
    """The walk's input, and what the output says it was (``note``); ``skipped`` says why
    there is nothing to route over."""

    note: str
    addresses: dict[str, HostAddresses] = field(default_factory=dict)
    reach: dict[tuple[str, str], str] = field(default_factory=dict)
    skipped: str | None = None


def expected_addresses(plan: MxPlan) -> dict[str, HostAddresses]:
    """What Microsoft is expected to publish once the split is live: the IPv4-only host has A
    records only; the dual-stack host A and AAAA (documentation addresses, RFC 5737/3849)."""
    v4 = HostAddresses(ipv4=("192.0.2.1", "192.0.2.2"))
    ds = HostAddresses(ipv4=("198.51.100.1", "198.51.100.2"), ipv6=("2001:db8::1", "2001:db8::2", "2001:db8::3"))
    return {plan.ipv4_only_host: v4, plan.dual_stack_host: ds}


def _state(probe: Probe) -> str | None:
    """How one probed address behaves for a sender (``None``: it answers)."""
    if probe.outcome == "ok":
        return None
    if probe.stage == "connect":
        return {"refused": REFUSED, "timeout": TIMEOUT}.get(probe.outcome, UNREACHABLE)
    return FAILS  # connected, then closed, rejected or stalled: a session spent for nothing


def observed(published: Sequence[MxRecord], lookups: Mapping[str, HostLookup], *, mx_error: str | None = None,
             nxdomain: bool = False, probes: Iterable[Probe] | None = None, unprobed: Sequence[str] = (),
             blocked: bool = False) -> Routing:
    """Route over what ``check`` learned; never over what it could not learn.

    :param mx_error: why the MX set is unknown (the MX lookup failed).
    :param nxdomain: the domain does not exist.
    :param probes: the ``--smtp`` probes, if any.
    :param unprobed: families this machine could not probe (their addresses are assumed to answer).
    :param blocked: every probe failed alike (outbound port 25 blocked here): probes say nothing.
    """
    if mx_error is not None:
        return Routing("", skipped=f"not run: the published MX records are unknown ({mx_error})")
    if nxdomain:
        return Routing("", skipped="not run: the domain does not exist (NXDOMAIN), so every sender bounces")
    if not published:
        return Routing("", skipped="not run: no MX is published, so senders use the domain's own A/AAAA records "
                                   "(implicit MX, RFC 5321 §5.1), which check does not look up")
    hosts = [r.exchange for r in published if r.exchange not in ("", ".")]
    unknown = [f"{h} ({'; '.join(lookups[h].errors)})" for h in dict.fromkeys(hosts) if h in lookups
               and lookups[h].errors]
    if unknown:
        return Routing("", skipped=f"not run: the addresses of {', '.join(unknown)} are unknown")
    addresses = {h: HostAddresses(tuple(lookups[h].ipv4), tuple(lookups[h].ipv6)) for h in hosts if h in lookups}
    if probes is None:
        return Routing(AS_PUBLISHED, addresses)
    if blocked:
        return Routing("addresses as published; the SMTP probes could not run from here, so every address is "
                       "assumed to answer", addresses)
    reach = {(p.host, p.address): s for p in probes if p.family not in unprobed and (s := _state(p)) is not None}
    note = AS_PROBED + (f"; {', '.join(sorted(unprobed))} not probable from here, assumed to answer"
                        if unprobed else "")
    return Routing(note, addresses, reach)
