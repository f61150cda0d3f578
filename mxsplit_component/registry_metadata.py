"""The package metadata the Pulumi Registry reads from the component package's schema.

Pulumi's guide to publishing a component package asks the schema served over ``GetSchema``
for ``displayName``, ``description``, ``keywords`` (a ``category/…`` and ``kind/component``),
``publisher``, ``repository`` and ``license``; ``logoUrl`` only when there is a logo. The SDK's
inferred schema carries none of them (its ``displayName`` is the package name), so the
plugin passes it through :func:`with_registry_metadata`. ``LICENSE`` and ``REPOSITORY`` equal
``pyproject.toml``'s (a test keeps them so).
"""

from __future__ import annotations

import json
from typing import Any

DISPLAY_NAME = "MX split for Microsoft 365"
DESCRIPTION = ("The Microsoft 365 IPv6 MX split as a component: MX 0 to the tenant's IPv4-only host, MX 10 to the "
               "domain's dual-stack host, so senders that do not authenticate keep delivering over IPv4.")
KEYWORDS = ("category/network", "kind/component", "dns", "mx", "email", "ipv6", "microsoft-365", "exchange-online")
PUBLISHER = "mxsplit"
REPOSITORY = "https://github.com/mxsplit/mxsplit"
LICENSE = "Apache-2.0"
#: No logo yet: the registry shows its default rather than a broken image, so ``logoUrl`` stays out.
LOGO_URL: str | None = None


def registry_metadata() -> dict[str, Any]:
    """The schema keys the registry reads, as they go into the schema; the DNS hosts come from the backends."""
    from .backends import BACKENDS
    from .backends.flags import joined

    hosts = joined([backend.LABEL for backend in BACKENDS.values()])
    metadata: dict[str, Any] = {"displayName": DISPLAY_NAME, "description": f"{DESCRIPTION} On {hosts}.",
                                "keywords": [*KEYWORDS, *dict.fromkeys(b.EXTRA for b in BACKENDS.values())],
                                "publisher": PUBLISHER, "repository": REPOSITORY, "license": LICENSE}
    if LOGO_URL is not None:
        metadata["logoUrl"] = LOGO_URL
    return metadata


def with_registry_metadata(schema: str) -> str:
    """``schema`` (the SDK's inferred schema, as JSON) with the registry's metadata set."""
    return json.dumps({**json.loads(schema), **registry_metadata()})


__all__ = ["registry_metadata", "with_registry_metadata"]
