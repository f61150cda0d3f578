"""Where and how to ask DNS: one options type for every command, and the client it builds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import MxSplitError
from .nameservers import Nameserver, system_nameservers

if TYPE_CHECKING:  # the transport (asyncio, dnspython) loads only when a client is built
    from .transport import DnsClient

#: Seconds per lookup from its first send, retries and TCP included: one default for every command.
DEFAULT_TIMEOUT = 5.0


@dataclass(frozen=True)
class DnsOptions:
    """``nameservers=None`` means the system resolver.

    :param authoritative: ask the domain's own servers (found through NS) for its records.
    :param port: port of those authoritative servers (53; tests and split horizons differ).
    :param fixed_window: keep this many lookups in flight instead of adapting (``None`` adapts).
    """

    nameservers: tuple[Nameserver, ...] | None = None
    timeout: float = DEFAULT_TIMEOUT
    authoritative: bool = False
    port: int = 53
    fixed_window: int | None = None

    def __post_init__(self) -> None:
        checked_timeout(self.timeout)


def checked_timeout(value: object, field: str = "timeout") -> float:
    """``value`` when it is a usable number of seconds (finite, more than 0).

    :raises MxSplitError: naming ``field`` as a Python caller spells it, before anything is asked.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise MxSplitError(f"{field} {value!r} is not a usable number of seconds; give a finite number more than 0, "
                           f"e.g. {field}={DEFAULT_TIMEOUT:g}", field=field)
    return float(value)


def make_client(options: DnsOptions) -> DnsClient:
    """The DNS client for ``options`` (use it as ``async with make_client(options) as client``).

    :raises MxSplitError: (field ``nameserver``) when none is given and the system has none.
    """
    from .transport import DnsClient

    servers = list(options.nameservers) if options.nameservers else system_nameservers()
    if not servers:
        raise MxSplitError("no system resolver is configured (/etc/resolv.conf); name a nameserver to ask",
                           field="nameserver")
    if options.fixed_window is not None:
        return DnsClient(servers, timeout=options.timeout, max_in_flight=options.fixed_window, adaptive=False)
    return DnsClient(servers, timeout=options.timeout)


def authoritative_client(servers: list[Nameserver], options: DnsOptions) -> DnsClient:
    """A client for a zone's own servers: no recursion asked."""
    from .transport import DnsClient

    return DnsClient(servers, timeout=options.timeout, recursion=False)
