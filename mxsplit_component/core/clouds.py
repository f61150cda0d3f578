"""Microsoft 365 clouds and the inbound host names each one uses.

Sources: Microsoft Learn "External DNS records for Microsoft 365" (commercial and GCC use
``mail.protection.outlook.com``); "Microsoft 365 operated by 21Vianet" DNS records
(``mail.protection.partner.outlook.cn``, tenants ``<name>.partner.onmschina.cn``); GCC High
and DoD publish ``<tenant>.mail.protection.office365.us`` for every domain. New accepted
domains from July 2026 get hosts under ``mx.microsoft`` (``contoso-com.o-v1.mx.microsoft``).
"""

from __future__ import annotations

from typing import NamedTuple

from ..errors import MxSplitError


class Cloud(NamedTuple):
    """What mxsplit needs to know about one Microsoft 365 cloud."""

    name: str
    #: Suffix of the tenant host and of derived domain hosts.
    protection_suffix: str
    #: Suffixes an explicit host may use, with how many labels stand before each.
    inbound_suffixes: tuple[tuple[str, int], ...]
    #: The tenant's initial domain suffix (``onmicrosoft.com``).
    tenant_suffix: str
    #: Whether the dual-stack host may be derived from the domain name.
    derivable: bool


COMMERCIAL = Cloud(
    name="commercial",
    protection_suffix="mail.protection.outlook.com",
    # <token>.mail.protection.outlook.com, and <token>.<assigned>.mx.microsoft.
    inbound_suffixes=(("mail.protection.outlook.com", 1), ("mx.microsoft", 2)),
    tenant_suffix="onmicrosoft.com",
    derivable=True,
)
CHINA = Cloud(
    name="china",
    protection_suffix="mail.protection.partner.outlook.cn",
    inbound_suffixes=(("mail.protection.partner.outlook.cn", 1),),
    tenant_suffix="partner.onmschina.cn",
    # 21Vianet does not document the token scheme: refuse to guess.
    derivable=False,
)

CLOUDS = {"commercial": COMMERCIAL, "gcc": COMMERCIAL, "china": CHINA}

#: Clouds we refuse, with the reason.
REFUSED = {
    "gcc-high": "GCC High routes every accepted domain to <tenant>.mail.protection.office365.us, "
    "so there is no dual-stack host to split to",
    "dod": "DoD routes every accepted domain to <tenant>.mail.protection.office365.us, "
    "so there is no dual-stack host to split to",
}

#: Every suffix of a Microsoft inbound (MX) host, in any supported cloud.
MICROSOFT_MX_SUFFIXES = ("mail.protection.outlook.com", "mx.microsoft", "mail.protection.partner.outlook.cn",
                         "mail.protection.office365.us")
_DOTTED_MX_SUFFIXES = tuple("." + suffix for suffix in MICROSOFT_MX_SUFFIXES)
#: Every suffix of a tenant's initial domain.
TENANT_SUFFIXES = ("onmicrosoft.com", "partner.onmschina.cn", "onmicrosoft.us")


def get_cloud(value: object) -> Cloud:
    """Return the :class:`Cloud` for ``value`` (case-insensitive; ``gcc`` = ``commercial``).

    :raises MxSplitError: (field ``cloud``) for sovereign clouds that cannot be split and
        for unknown names.
    """
    if not isinstance(value, str):
        raise MxSplitError(f"cloud must be a string, got {type(value).__name__}", field="cloud")
    key = value.strip().lower().replace("_", "-")
    if key in ("gcchigh", "gcc-high"):
        key = "gcc-high"
    if key in REFUSED:
        raise MxSplitError(f"cloud {value!r} cannot be split: {REFUSED[key]}; "
                           "publish Microsoft's single MX record instead", field="cloud")
    try:
        return CLOUDS[key]
    except KeyError:
        raise MxSplitError(f"cloud {value!r} is unknown; use one of: commercial, gcc, china",
                           field="cloud") from None


def is_microsoft_host(host: str) -> bool:
    """``True`` when ``host`` (normalised) is a Microsoft 365 inbound host in any cloud."""
    return host.endswith(_DOTTED_MX_SUFFIXES)


def uses_mx_microsoft(host: str) -> bool:
    """``True`` for the DNSSEC-signed ``mx.microsoft`` hosts (where inbound DANE lives)."""
    return host.endswith(".mx.microsoft")
