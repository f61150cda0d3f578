"""Source 2, ``graph``: Microsoft Graph v1.0, the source of truth for a domain's MX host.

``GET /domains`` names the tenant's initial domain (``isInitial``) and says whether a domain
is verified; ``GET /domains/{domain}/serviceConfigurationRecords`` holds the Mx record whose
``mailExchange`` is the domain's host (MC1048624). The initial domain's own Mx record is the
IPv4-only tenant host. The reading of payloads is pure; :class:`GraphHosts` drives a
:class:`~mxsplit_component.hosts.graphclient.GraphClient` (or anything with ``get_all``).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit

from ..core.clouds import Cloud
from ..core.findings import Severity
from ..core.plan import check_host
from ..edges.redact import excerpt
from ..errors import MxSplitError
from .model import HostLookupError, Note, SourceResult
from .slots import detached, idle

#: Graph endpoint per cloud; the token scope is the endpoint's ``/.default``.
GRAPH_ENDPOINTS = {"commercial": "https://graph.microsoft.com", "china": "https://microsoftgraph.chinacloudapi.cn"}
PERMISSION_HINT = ("grant Domain.Read.All (an application permission with admin consent; a delegated sign-in also "
                   "needs a directory role such as Global Reader)")
ONE_TENANT = ("a Graph token is for one tenant (AZURE_TENANT_ID or the signed-in tenant); for several, name each "
              "row's tenant and give its token in --graph-tokens")


class GraphNotFound(HostLookupError):
    """Graph answered 404: the object does not exist in this tenant."""


class GraphGetter(Protocol):
    def redact(self, text: str) -> str:
        """``text`` without the client's tokens (and any bearer or JWT value)."""

    async def get_all(self, path: str, *, about: str, keep: Callable[[dict[str, Any]], Any] | None = None) -> list[Any]:
        ...


def graph_endpoint(cloud: Cloud) -> str:
    return GRAPH_ENDPOINTS[cloud.name]


def graph_scope(cloud: Cloud) -> str:
    """The token scope for ``cloud``'s Graph: ``https://graph.microsoft.com/.default`` commercially."""
    return f"{graph_endpoint(cloud)}/.default"


def check_graph_url(url: str) -> str:
    """``url`` without a trailing slash; ``http://`` only for loopback addresses, so a token never travels in clear.

    :raises MxSplitError: (field ``graph_url``) for anything else.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise MxSplitError(f"--graph-url {url!r} is not a base URL such as https://graph.microsoft.com",
                           field="graph_url")
    if parts.scheme == "http":
        try:
            loopback = ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise MxSplitError(f"--graph-url {url!r}: plain http:// is allowed only for a loopback address "
                               "(127.0.0.1, ::1), because the bearer token would travel in clear; use https://",
                               field="graph_url")
    return url.rstrip("/")


class Listed(NamedTuple):
    """What a lookup reads of a ``GET /domains`` entry; a tenant's list is kept for the whole run."""

    verified: bool
    initial: bool


#: The four kinds of entry, shared: a tenant's thousands of domains cost a name and a reference each.
_LISTED = {(v, i): Listed(v, i) for v in (False, True) for i in (False, True)}


def domain_entry(d: Mapping[str, Any]) -> tuple[str, Listed]:
    """(lower-case id, what a lookup reads) of one ``GET /domains`` entry."""
    return str(d.get("id", "")).lower(), _LISTED[d.get("isVerified") is True, d.get("isInitial") is True]


def domain_index(entries: Iterable[tuple[str, Listed]]) -> dict[str, Listed]:
    """``GET /domains`` (as :func:`domain_entry` reads each) by lower-case id; the first entry of an id wins."""
    index: dict[str, Listed] = {}
    for key, listed in entries:
        if key and key not in index:
            index[key] = listed
    return index


def find_domain(domains: Mapping[str, Listed], domain: str) -> Listed | None:
    return domains.get(domain)


def initial_domain(domains: Mapping[str, Listed]) -> str | None:
    """The tenant's initial domain (``isInitial: true``), e.g. ``contoso.onmicrosoft.com``."""
    return next((key for key, d in domains.items() if d.initial), None)


def _preference(record: Mapping[str, Any]) -> int:
    """The record's preference; anything that is not a whole number sorts last, so it never outranks a real 0."""
    value = record.get("preference")
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else 1 << 16


def mx_hosts(domain: str, records: Sequence[Mapping[str, Any]], cloud: Cloud) -> tuple[str, list[str]]:
    """The ``mailExchange`` of the preferred Mx record among ``records``, and every distinct one as
    ``"preference host"`` (more than one means Graph named several hosts).

    :raises HostLookupError: when there is no Mx record, or it names no Microsoft host.
    """
    mx = sorted((r for r in records if str(r.get("recordType", "")).lower() == "mx"), key=_preference)
    if not mx or not isinstance(mx[0].get("mailExchange"), str):
        raise HostLookupError(f"Graph lists no Mx record for {domain} (serviceConfigurationRecords has "
                              f"{len(records)} records, none of type Mx with a mailExchange); is Exchange Online "
                              "(the Email service) enabled for the domain?", domain=domain)
    try:
        host = check_host(mx[0]["mailExchange"], "mailExchange", cloud)
    except MxSplitError as exc:
        raise HostLookupError(f"Graph's Mx record for {domain}: {exc}", domain=domain) from None
    seen: dict[str, str] = {}
    for record in mx:
        name = str(record.get("mailExchange", "")).rstrip(".").lower()
        seen.setdefault(name, f"{record.get('preference')} {name}")
    return host, list(seen.values())


def mx_host(domain: str, records: Sequence[Mapping[str, Any]], cloud: Cloud) -> str:
    """The ``mailExchange`` of the preferred Mx record among ``records`` (see :func:`mx_hosts`)."""
    return mx_hosts(domain, records, cloud)[0]


class GraphHosts:
    """Look up hosts in one tenant's Graph; the domain list and tenant host are fetched once per run."""

    def __init__(self, client: GraphGetter, cloud: Cloud) -> None:
        self.client = client
        self.cloud = cloud
        self._domains: asyncio.Future[dict[str, Listed]] | None = None
        self._tenant: asyncio.Future[tuple[str, str]] | None = None

    async def domains(self) -> dict[str, Listed]:
        """The tenant's domains by lower-case name (:func:`domain_index`), listed once per run."""
        if self._domains is None:
            self._domains = asyncio.ensure_future(detached(self._list()))
        elif self._domains.done():
            return self._domains.result()
        async with idle():  # many rows wait for one listing: none of them works meanwhile
            return await asyncio.shield(self._domains)

    async def _list(self) -> dict[str, Listed]:
        return domain_index(await self.client.get_all("/domains", about="the tenant's domains", keep=domain_entry))

    async def tenant(self) -> tuple[str, str]:
        """(initial domain, tenant host) from ``isInitial`` and the initial domain's own Mx record."""
        if self._tenant is None:
            self._tenant = asyncio.ensure_future(detached(self._find_tenant()))
        elif self._tenant.done():
            return self._tenant.result()
        async with idle():
            return await asyncio.shield(self._tenant)

    async def _find_tenant(self) -> tuple[str, str]:
        initial = initial_domain(await self.domains())
        if initial is None:
            raise _Refused("graph-no-initial", "Graph lists no initial domain (isInitial: true) in this tenant, so "
                                               "the tenant host is unknown; pass --tenant")
        records = await self.client.get_all(f"/domains/{initial}/serviceConfigurationRecords", about=initial)
        return initial, self._own(initial, mx_host(initial, records, self.cloud))

    def _own(self, domain: str, host: str) -> str:
        """``host``, unless it holds a token (a server echoing the request): then no host at all."""
        if self.client.redact(host) != host:
            raise HostLookupError(f"Graph's Mx record for {domain} names no host but a token; retry later",
                                  domain=domain)
        return host

    async def lookup(self, domain: str, given_tenant: str | None = None) -> SourceResult:
        """Both hosts of ``domain`` (an A-label name) as Graph names them, or notes saying why not.

        Every note is redacted: Graph's own text (an error message, a host it lists) may echo the token.

        :param given_tenant: the tenant the caller gave; with it, a tenant whose initial domain Graph does
            not name is no error (the tenant host then comes from the given tenant).
        """
        found = await self._lookup(domain, given_tenant)
        return replace(found, notes=tuple(replace(n, message=excerpt(self.client.redact(n.message), MAX_NOTE))
                                          for n in found.notes))

    async def _lookup(self, domain: str, given_tenant: str | None) -> SourceResult:
        notes: list[Note] = []
        dual: str | None = None
        try:
            dual, named = await self._domain_host(domain)
            if len(named) > 1:
                notes.append(Note("graph-several-mx", Severity.WARNING,
                                  f"Graph lists {len(named)} Mx records for {domain} ({', '.join(named)}); using the "
                                  f"preferred one, {dual}; check which one the admin center shows, and pin that one",
                                  source="graph"))
        except GraphNotFound:
            notes.append(Note("graph-not-in-tenant", Severity.ERROR,
                              f"{domain} is not a domain of this tenant in Graph; check the spelling, or sign in "
                              f"to the tenant that owns it ({ONE_TENANT})", source="graph"))
        except _Refused as exc:
            notes.append(exc.note())
        except HostLookupError as exc:
            notes.append(_failed(str(exc)))
        except Exception as exc:  # an answer shaped in a way we did not expect: this lookup failed
            notes.append(_failed(_unreadable(domain, exc)))
        tenant = ipv4 = None
        try:
            initial, ipv4 = await self.tenant()
            tenant = initial.partition(".")[0]
        except _Refused as exc:
            if given_tenant is None:
                notes.append(exc.note())
        except Exception as exc:
            if not any(n.incomplete for n in notes):  # one failure is enough to report
                notes.append(_failed(str(exc) if isinstance(exc, HostLookupError) else _unreadable(domain, exc)))
        return SourceResult("graph", ipv4_only_host=ipv4, dual_stack_host=dual, tenant=tenant, notes=tuple(notes))

    async def _domain_host(self, domain: str) -> tuple[str, list[str]]:
        entry = find_domain(await self.domains(), domain)
        if entry is None:
            raise GraphNotFound(domain, domain=domain)
        if not entry.verified:
            raise _Refused("graph-unverified", f"{domain} is not verified in this tenant, so Microsoft routes no mail "
                                               "for it; verify it first (admin center > Settings > Domains), then "
                                               "look up its hosts again")
        records = await self.client.get_all(f"/domains/{domain}/serviceConfigurationRecords", about=domain)
        try:
            host, named = mx_hosts(domain, records, self.cloud)
        except HostLookupError as exc:
            raise _Refused("graph-no-mx", str(exc)) from None
        return self._own(domain, host), named


#: A note is a sentence or two: a value Graph sent (a megabyte-long "host") is cut.
MAX_NOTE = 600


def _unreadable(domain: str, exc: Exception) -> str:
    """Not cut here: :meth:`GraphHosts.lookup` redacts every note, then cuts it."""
    return f"Graph's answer about {domain} could not be read ({type(exc).__name__}: {exc}); retry later"


class _Refused(Exception):
    """Graph answered, and the answer means there is no usable host (a definite no, not a failure)."""

    def __init__(self, note_id: str, message: str) -> None:
        self.note_id = note_id
        super().__init__(message)

    def note(self) -> Note:
        return Note(self.note_id, Severity.ERROR, str(self), source="graph")


def _failed(message: str) -> Note:
    """Graph could not answer: the hosts are unknown, not absent (exit 3)."""
    return Note("graph-lookup-failed", Severity.ERROR, message, source="graph", incomplete=True)
