"""Microsoft Graph for every tenant of a run: one client per tenant, each with its own token.

A Graph token is for one tenant, so a run over many customers' tenants has one
:class:`~.graphclient.GraphClient` (and one :class:`~.graph.GraphHosts`, whose domain list is
fetched once) per tenant. How the tokens come, most explicit first:

- ``tokens`` (``--graph-tokens FILE``): one ready token per tenant; a row of a tenant the
  file does not name is refused;
- ``named`` holds several tenants (the rows name them) and neither ``MXSPLIT_GRAPH_TOKEN``
  nor a credential of the caller's is there: one multi-tenant azure-identity credential,
  asked for a token per tenant;
- otherwise one client serves every row (``MXSPLIT_GRAPH_TOKEN``, the caller's credential,
  ``--device-code`` or ``DefaultAzureCredential``): one tenant, as a single domain needs.

In the first two, a row that names no tenant belongs to the tenant whose domain list holds
its domain (every tenant's list is read once anyway). A tenant whose token fails is that
tenant's rows' error: each client fails on its own.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.clouds import Cloud
from ..core.findings import Severity
from ..errors import MxSplitError
from .graph import GraphHosts, find_domain
from .model import Note, SourceResult

if TYPE_CHECKING:
    from ..options import TenantTokens
    from .graphclient import GraphClient, TokenCredential

#: Tenants named in a note about a domain no tenant holds; the rest are counted.
NAMED_IN_NOTE = 5


class TenantGraphs:
    """The Graph of each tenant in a run; :meth:`lookup` is the ``graph`` source for one row.

    :param named: the tenants the run's rows name (bare names), known before the first lookup.
    """

    def __init__(self, cloud: Cloud, *, base_url: str | None = None, timeout: float = 10.0,
                 credential: TokenCredential | None = None, device_code: bool = False,
                 tokens: TenantTokens | None = None, named: Sequence[str] = ()) -> None:
        from .graphclient import TOKEN_ENV

        self.cloud, self.base_url, self.timeout = cloud, base_url, timeout
        self.tokens = tokens
        single = credential is not None or device_code or bool(os.environ.get(TOKEN_ENV))
        #: Tenants searched for a row that names none (empty: the one client's tenant answers).
        self.search: tuple[str, ...] = (tuple(tokens.tenants) if tokens is not None
                                        else tuple(dict.fromkeys(named)) if len(set(named)) > 1 and not single
                                        else ())
        self.per_tenant = tokens is not None or bool(self.search)
        self._credential, self._device_code = credential, device_code
        self._multi: Any = None
        self._hosts: dict[str | None, GraphHosts] = {}
        self._clients: list[GraphClient] = []
        self._http: Any = None  # one connection pool (and one TLS setup) for every tenant's client
        self._gate: asyncio.Semaphore | None = None  # requests out at once on that pool, all tenants together
        if self.per_tenant and tokens is None:
            from .tokens import multi_tenant_credential

            self._multi = multi_tenant_credential(cloud)  # a missing extra is a usage error now, not per row
        elif not self.per_tenant:
            self.graph(None)  # the one client: its sign-in settings are checked before any row

    def graph(self, tenant: str | None) -> GraphHosts:
        """The Graph of ``tenant`` (a bare name or a tenant id; ``None`` or a single-client run: the one client).

        :raises MxSplitError: (field ``graph_tokens``) for a tenant ``--graph-tokens`` has no token for.
        """
        key = tenant if self.per_tenant else None
        found = self._hosts.get(key)
        if found is None:
            found = self._hosts[key] = GraphHosts(self._client(key), self.cloud)
        return found

    def _client(self, key: str | None) -> GraphClient:
        from .graphclient import GraphClient
        from .tokens import TenantCredential

        token: str | None = None
        credential = self._credential
        if self.tokens is not None:
            token = self.tokens.token_for(key or "")
            if token is None:
                raise MxSplitError(f"--graph-tokens {self.tokens.name} has no token for tenant {key}; add a line "
                                   f"{key},<token>, or move the row to a run with that tenant's token",
                                   field="graph_tokens")
        elif self._multi is not None:
            credential = TenantCredential(self._multi, self._tenant_id(key)) if key else self._multi
        from .graphclient import SHARED_IN_FLIGHT, TOKEN_ENV, default_credential, new_http_client

        if token is None and credential is None and not os.environ.get(TOKEN_ENV):
            # The sign-in is settled first: a missing identity library is named before a missing httpx.
            credential = default_credential(self.cloud, device_code=self._device_code)
        if self._http is None:
            self._http = new_http_client()
            self._gate = asyncio.Semaphore(SHARED_IN_FLIGHT)
        client = GraphClient(self.cloud, base_url=self.base_url, credential=credential, timeout=self.timeout,
                             device_code=self._device_code, token=token, http=self._http, gate=self._gate)
        if self.tokens is not None:
            for other in self.tokens.tokens.values():  # no tenant's answer can show another tenant's token
                client.redact.add(other)
        self._clients.append(client)
        return client

    def _tenant_id(self, key: str) -> str:
        """What azure-identity takes as ``tenant_id``: a tenant id as given, else the initial domain."""
        return key if "." in key or key.count("-") == 4 else f"{key}.{self.cloud.tenant_suffix}"

    async def lookup(self, domain: str, tenant: str | None) -> SourceResult:
        """Graph's answer for ``domain`` (an A-label name) in ``tenant``'s Graph, or in the tenant that holds it.

        :raises MxSplitError: as :meth:`graph`.
        """
        if tenant is None and self.search:
            owner = await self._owner(domain)
            if isinstance(owner, SourceResult):
                return owner
            return await self.graph(owner).lookup(domain)
        return await self.graph(tenant).lookup(domain, tenant)

    async def _owner(self, domain: str) -> str | SourceResult:
        """The tenant whose domain list holds ``domain`` (verified there, when several list it), or why none."""
        lists = await asyncio.gather(*(self.graph(t).domains() for t in self.search), return_exceptions=True)
        holders = [(t, entry) for t, found in zip(self.search, lists, strict=True)
                   if not isinstance(found, BaseException) and (entry := find_domain(found, domain)) is not None]
        verified = [t for t, entry in holders if entry.verified]
        if len(holders) == 1 or len(verified) == 1:
            return verified[0] if len(verified) == 1 else holders[0][0]
        if holders:
            names = ", ".join(t for t, _ in holders)
            return _note("graph-several-tenants", f"{domain} is listed in the domains of several tenants ({names}); "
                                                  "name the row's tenant")
        failed = [(t, found) for t, found in zip(self.search, lists, strict=True) if isinstance(found, BaseException)]
        if failed:
            tenant, error = failed[0]
            return _note("graph-lookup-failed", f"could not tell which tenant holds {domain}: the domain list of "
                                                f"{tenant} could not be read ({error}); name the row's tenant, or retry "
                                                "later", incomplete=True)
        shown = ", ".join(self.search[:NAMED_IN_NOTE]) + (f" and {len(self.search) - NAMED_IN_NOTE} more"
                                                          if len(self.search) > NAMED_IN_NOTE else "")
        return _note("graph-not-in-tenant", f"{domain} is in none of the tenants' domain lists in Graph ({shown}); "
                                            "check the spelling, or name the row's tenant and give its token")

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()
        if self._http is not None:
            await self._http.aclose()


def _note(note_id: str, message: str, *, incomplete: bool = False) -> SourceResult:
    return SourceResult("graph", notes=(Note(note_id, Severity.ERROR, message, source="graph",
                                             incomplete=incomplete),))


__all__ = ["TenantGraphs"]
