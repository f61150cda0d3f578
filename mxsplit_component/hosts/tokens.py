"""Graph credentials per tenant, for a run over many customers' tenants.

A Graph token is for one Entra tenant. An MSP checks dozens of customer tenants in one run,
so the credential is chosen per tenant (:mod:`.tenants` decides which form a run uses):

- ``--graph-tokens FILE``: one ready bearer token per tenant (a CSV ``tenant,token``, read
  with the one ``--file`` reader), for pipelines that obtain tokens elsewhere. Never on the
  command line. A file readable by others than its owner gets a warning.
- one multi-tenant app credential (azure-identity), consented in each customer tenant,
  asked for a token per tenant: ``get_token(scope, tenant_id=<tenant>)``, built with
  ``additionally_allowed_tenants=["*"]`` (azure-identity docs).
- otherwise the single-tenant forms: ``MXSPLIT_GRAPH_TOKEN`` or ``DefaultAzureCredential``.

A tenant whose token fails is that tenant's rows' error, never the run's.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..core.clouds import Cloud
from ..core.plan import normalize_tenant
from ..edges.csvfile import Columns, Row, open_rows
from ..errors import MxSplitError
from ..options import TenantTokens
from .graphclient import BEARER


@dataclass(frozen=True)
class TenantCredential:
    """One tenant's view of a multi-tenant credential: ``get_token(…, tenant_id=tenant)``."""

    credential: Any
    tenant: str

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return self.credential.get_token(*scopes, tenant_id=self.tenant)


def tenant_key(tenant: str, cloud: Cloud) -> str:
    """How a tenant is keyed: its bare onmicrosoft name (``contoso``), or a tenant id (GUID) as given."""
    text = tenant.strip().lower()
    if len(text) == 36 and text.count("-") == 4:
        return text
    return normalize_tenant(text, cloud)


#: The header of ``--graph-tokens``.
COLUMNS = Columns(("tenant", "token"))


def token_rows(rows: Iterable[tuple[int, str, str]], cloud: Cloud, *, name: str) -> TenantTokens:
    """``tenant,token`` rows as one ready token per tenant.

    :raises MxSplitError: (field ``graph_tokens``) for a tenant given twice, a token that is not
        a bearer token (its text is never shown), or a bad tenant; each names the line.
    """
    tokens: dict[str, str] = {}
    for line, tenant, token in rows:
        where = f"--graph-tokens {name}: line {line}"
        try:
            key = tenant_key(tenant, cloud)
        except MxSplitError as exc:
            raise MxSplitError(f"{where}: {exc}", field="graph_tokens") from None
        token = token.strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        if not BEARER.fullmatch(token):
            raise MxSplitError(f"{where}: the token for {key} is not a bearer token (empty, or spaces, quotes or "
                               "non-ASCII characters); write it as one line", field="graph_tokens")
        if key in tokens:
            raise MxSplitError(f"{where}: tenant {key} is given twice; keep one token per tenant", field="graph_tokens")
        tokens[key] = token
    return TenantTokens(name, tokens)


def read_token_file(path: str, cloud: Cloud) -> TenantTokens:
    """The tokens of ``--graph-tokens path``.

    :raises MxSplitError: (field ``graph_tokens``) when it cannot be read, its header is not
        ``tenant,token``, a line cannot be read (naming the line), or as :func:`token_rows`.
    """
    def rows(found: Iterable[Row]) -> Iterable[tuple[int, str, str]]:
        for row in found:
            if row.error is not None:
                raise MxSplitError(f"--graph-tokens {path}: {row.error}", field="graph_tokens")
            yield row.line, row.fields.get("tenant", ""), row.fields.get("token", "")

    try:
        with open_rows(path, COLUMNS) as found:
            return token_rows(rows(found), cloud, name=path)
    except MxSplitError as exc:
        if exc.field != "file":
            raise
        text = str(exc).removeprefix(f"--file {path}").removeprefix("--file")  # the reader speaks of --file
        raise MxSplitError(f"--graph-tokens {path}{text}", field="graph_tokens") from None


def readable_by_others(path: str) -> bool:
    """The file's mode lets its group or anyone else read it (a token file should be 0600)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))


def multi_tenant_credential(cloud: Cloud) -> Any:
    """azure-identity's default credential, allowed to ask for a token in any tenant."""
    from ..edges.extras import require

    identity = require("azure.identity", extra="graph", field="graph", needs="--graph")
    authority = (identity.AzureAuthorityHosts.AZURE_CHINA if cloud.name == "china"
                 else identity.AzureAuthorityHosts.AZURE_PUBLIC_CLOUD)
    return identity.DefaultAzureCredential(authority=authority, additionally_allowed_tenants=["*"])


__all__ = ["TenantCredential", "multi_tenant_credential", "read_token_file", "readable_by_others", "tenant_key", "token_rows"]
