"""Source 3, ``published``: the hosts the domain's MX set names today.

Nearly every Microsoft 365 domain publishes Microsoft's single ``MX 0 -> <its host>``: that
is the host Microsoft told the admin to publish, so it is the dual-stack host. A published
split (a tenant-shaped host strictly preferred over another Microsoft host) yields both.
Anything else yields nothing and a note saying why. :func:`from_mx` is pure; :func:`lookup`
asks DNS through the DNS layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.clouds import Cloud, is_microsoft_host
from ..core.findings import Severity
from ..core.plan import MxRecord
from .model import Note, SourceResult

if TYPE_CHECKING:
    from ..dns.authority import Authorities
    from ..dns.options import DnsOptions
    from ..dns.transport import DnsClient


def _tenant_of(host: str, cloud: Cloud) -> str | None:
    """The tenant name when ``host`` is shaped like a tenant host (letters and digits only)."""
    token, _, suffix = host.partition(".")
    return token if suffix == cloud.protection_suffix and token.isalnum() else None


def _fmt(records: list[MxRecord]) -> str:
    return ", ".join(f"{r.preference} {r.exchange}" for r in records)


def _nothing(note_id: str, message: str, incomplete: bool = False) -> SourceResult:
    """No host from the zone, and the note saying why (an error only when the lookup failed)."""
    note = Note(note_id, Severity.ERROR if incomplete else Severity.INFO, message, source="published",
                incomplete=incomplete)
    return SourceResult("published", notes=(note,))


def from_mx(domain: str, records: list[MxRecord] | None, cloud: Cloud, *, nxdomain: bool = False,
            error: str | None = None, tenant: str | None = None) -> SourceResult:
    """What the published MX set says about the hosts of ``domain``.

    :param records: the published MX records (``None`` when the lookup failed or NXDOMAIN).
    :param tenant: the bare tenant name when known, to recognise the tenant host exactly.
    """
    if error is not None:
        return _nothing("published-lookup-failed", f"MX {domain}: {error}; retry, or pass --nameserver", True)
    if nxdomain:
        return _nothing("published-nxdomain", f"{domain} does not exist in DNS (NXDOMAIN), so it publishes no host")
    if not records:
        return _nothing("published-no-mx", f"{domain} publishes no MX record, so the zone names no host")
    ours = sorted({r for r in records if is_microsoft_host(r.exchange)})
    if not ours:
        return _nothing("published-foreign", f"{domain} publishes no Microsoft 365 host ({_fmt(records)}); "
                                             "the zone cannot say which host Microsoft assigned")
    return _from_microsoft(domain, ours, cloud, tenant)


def _from_microsoft(domain: str, ours: list[MxRecord], cloud: Cloud, tenant: str | None) -> SourceResult:
    """The hosts named by ``ours``, the published Microsoft MX records (sorted, at least one)."""
    hosts = list(dict.fromkeys(r.exchange for r in ours))
    if len(hosts) == 1:
        host = hosts[0]
        if tenant is not None and host == f"{tenant}.{cloud.protection_suffix}":
            return _nothing("published-tenant-only", f"{domain} publishes only the tenant host {host}, which is not "
                                                     "the domain's own host")
        return SourceResult("published", dual_stack_host=host, tenant=None)
    first, second = ours[0], ours[-1]
    shaped = _tenant_of(first.exchange, cloud)
    is_split = (len(hosts) == 2 and len(ours) == 2 and first.preference < second.preference and shaped is not None
                and (tenant is None or shaped == tenant))
    if is_split:
        return SourceResult("published", ipv4_only_host=first.exchange, dual_stack_host=second.exchange, tenant=shaped)
    return _nothing("published-ambiguous", f"{domain} publishes several Microsoft hosts ({_fmt(ours)}) that are not "
                                           "a split (tenant host strictly preferred); cannot tell which is the domain's")


async def lookup(domain: str, client: DnsClient, options: DnsOptions, cloud: Cloud,
                 tenant: str | None = None, *, authorities: Authorities | None = None) -> SourceResult:
    """Ask DNS for ``domain``'s MX set (its own servers with ``--authoritative``) and read it.

    :param authorities: the run's authoritative servers and clients (one lookup per zone per
        run); without it, this lookup finds the servers itself.
    """
    from ..dns.authority import Authorities
    from ..dns.observe import parse_mx

    own = client
    mine = None
    try:
        if options.authoritative:
            if authorities is None:
                authorities = mine = Authorities(client, options)
            try:
                own = await authorities.client_for(domain)
            except LookupError as exc:
                return from_mx(domain, None, cloud, error=str(exc), tenant=tenant)
        answer = await own.query(domain, "MX")
    finally:
        if mine is not None:
            mine.close()
    records, nxdomain = parse_mx(answer)
    return from_mx(domain, records, cloud, nxdomain=nxdomain, error=answer.error, tenant=tenant)
