"""Probe once, use everywhere: one SMTP session per address in a run, shared by every row.

Five hundred domains of one tenant publish the same Microsoft front doors: probing each
row's addresses on its own opens the same sessions hundreds of times, which is slow and
impolite enough to get a checker throttled. A :class:`ProbePool` opens at most one session
per (address, certificate group) and hands its result to every host that publishes the
address, with sessions per destination address and per network (/24 for IPv4, /48 for IPv6)
capped.

The certificate name is checked per host, not per session: the session verifies the chain
(the system store, ``SSL_CERT_FILE`` honoured) and keeps the certificate's DNS names; each
host is then matched against them (RFC 6125 §6.4: exact, or a wildcard for the whole left
label). Hosts under one parent name (``*.mail.protection.outlook.com``) share a session; a
host under another parent gets its own, since a server may pick its certificate by SNI.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from ..options import PER_ADDRESS, PER_NETWORK
from .smtp import DEFAULT_CONCURRENCY, AddressProbe, Opener, Target, probe_address

#: The networks that count as one destination: a /24 of IPv4, a /48 of IPv6.
NETWORK_PREFIX = {4: 24, 6: 48}


def network_of(address: str) -> str:
    ip = ipaddress.ip_address(address)
    return str(ipaddress.ip_network(f"{ip}/{NETWORK_PREFIX[ip.version]}", strict=False))


def name_matches(host: str, names: Sequence[str]) -> bool:
    """``host`` is one of ``names``, or under a ``*.`` wildcard for its whole left label."""
    host = host.lower().rstrip(".")
    parent = host.partition(".")[2]
    for name in names:
        name = name.lower().rstrip(".")
        if name == host or (name.startswith("*.") and parent and name[2:] == parent):
            return True
    return False


def _group(host: str) -> str:
    """Hosts that one wildcard certificate covers: the same parent name."""
    return host.lower().rstrip(".").partition(".")[2] or host


class ProbePool:
    """SMTP sessions for one run: each (address, certificate group) probed at most once.

    :param context: verifies the chain; its name check is turned off (done per host here),
        so pass one made for the pool. Default: ``ssl.create_default_context()``.
    :param per_address: sessions at once to one address.
    :param per_network: sessions at once to one /24 (IPv4) or /48 (IPv6).
    :param concurrency: sessions at once in all.
    """

    def __init__(self, *, port: int = 25, timeout: float = 5.0, context: ssl.SSLContext | None = None,
                 per_address: int = PER_ADDRESS, per_network: int = PER_NETWORK,
                 concurrency: int = DEFAULT_CONCURRENCY, opener: Opener | None = None) -> None:
        self.port, self.timeout, self.opener = port, timeout, opener
        self.context = context or ssl.create_default_context()
        self.context.check_hostname = False
        self.per_address, self.per_network = max(1, per_address), max(1, per_network)
        #: Sessions opened, per address: the proof that nothing was probed twice.
        self.sessions: Counter[str] = Counter()
        self._results: dict[tuple[str, str], asyncio.Future[tuple[AddressProbe, tuple[str, ...]]]] = {}
        self._addresses: dict[str, asyncio.Semaphore] = {}
        self._networks: dict[str, asyncio.Semaphore] = {}
        self._total = asyncio.Semaphore(max(1, concurrency))

    @property
    def limits(self) -> tuple[int, int]:
        """(sessions at once per address, per network)."""
        return self.per_address, self.per_network

    def _session_for(self, target: Target) -> asyncio.Future[tuple[AddressProbe, tuple[str, ...]]]:
        key = (target.address, _group(target.host))
        future = self._results.get(key)
        if future is None:
            future = self._results[key] = asyncio.ensure_future(self._session(target))
        return future

    async def probe_all(self, targets: Sequence[Target]) -> list[AddressProbe]:
        """Every target's probe, in input order: from the session its address already had, or a new one
        (sessions not yet open start together)."""
        sessions = [self._session_for(t) for t in targets]
        out = []
        for target, session in zip(targets, sessions, strict=True):
            probe, names = session.result() if session.done() else await asyncio.shield(session)
            out.append(self._for_host(probe, target, names))
        return out

    async def _session(self, target: Target) -> tuple[AddressProbe, tuple[str, ...]]:
        address_gate = self._addresses.setdefault(target.address, asyncio.Semaphore(self.per_address))
        network_gate = self._networks.setdefault(network_of(target.address), asyncio.Semaphore(self.per_network))
        # Five steps of ``timeout`` each (the handshake gets one second more): a guard, not a limit.
        per_session = 6 * self.timeout + 1
        async with address_gate, network_gate, self._total:
            self.sessions[target.address] += 1
            reached, names = ["connect"], []  # type: list[str], list[str]
            try:
                probe = await asyncio.wait_for(
                    probe_address(target, self.port, self.timeout, self.context, self.opener, reached, names),
                    per_session)
            except asyncio.TimeoutError:
                probe = AddressProbe(target.host, target.address, target.family, reached[0], "timeout",
                                     f"the session took longer than {per_session:g}s")
        return probe, tuple(names)

    @staticmethod
    def _for_host(probe: AddressProbe, target: Target, names: tuple[str, ...]) -> AddressProbe:
        mine = probe if probe.host == target.host else probe.for_host(target.host)
        if mine.tls != "verified" or name_matches(target.host, names):
            return mine
        shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
        # Worded as OpenSSL words its own check, which a session for one host name would have made.
        return replace(mine, tls="name-mismatch",
                       tls_detail=f"Hostname mismatch, certificate is not valid for {target.host!r} (it is for "
                                  f"{shown or 'no DNS name'})")


__all__ = ["PER_ADDRESS", "PER_NETWORK", "ProbePool", "name_matches", "network_of"]
