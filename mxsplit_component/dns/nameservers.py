"""Nameservers: the one parser of ``IP``, ``IP:PORT`` and ``[IPv6]:PORT``, the port check,
and the system resolver's list. Every command that takes a nameserver uses these."""

from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass
from functools import lru_cache

FORMS = "use IP, IP:PORT or [IPv6]:PORT, e.g. 127.0.0.1:5353"


@dataclass(frozen=True)
class Nameserver:
    host: str
    port: int = 53

    def __str__(self) -> str:
        return _label(self.host, self.port)


@lru_cache(maxsize=1024)
def _label(host: str, port: int) -> str:
    """``host:port`` as printed; cached, since every lookup's outcomes are keyed by it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def is_port(value: object) -> bool:
    """A TCP/UDP port number (1..65535), given as an int or as its digits."""
    if isinstance(value, str):
        return value.isascii() and value.isdigit() and 0 < int(value) < 65536
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536


def parse_nameserver(text: str, default_port: int = 53) -> Nameserver:
    """``IP``, ``IP:PORT``, ``IPv6`` or ``[IPv6]:PORT``.

    :raises ValueError: with a message that shows the accepted forms.
    """
    value = text.strip()
    host, port = value, str(default_port)
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"nameserver {text!r} is malformed; {FORMS}")
        if rest:
            port = rest[1:]
    elif value.count(":") == 1:
        host, _, port = value.partition(":")
    if not is_port(port):
        raise ValueError(f"nameserver {text!r} has a bad port; {FORMS}")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"nameserver {text!r} is not an IP address; {FORMS}") from None
    return Nameserver(host, int(port))


def nameserver_arg(text: str) -> Nameserver:
    """:func:`parse_nameserver` as an ``argparse`` type (its message becomes the usage error)."""
    try:
        return parse_nameserver(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def port_arg(text: str) -> int:
    """A port number as an ``argparse`` type."""
    if not is_port(text):
        raise argparse.ArgumentTypeError("must be a port number (1..65535)")
    return int(text)


def system_nameservers() -> list[Nameserver]:
    """The system resolver's nameservers (``/etc/resolv.conf``), as dnspython reads them."""
    import dns.resolver

    try:
        resolver = dns.resolver.Resolver()
    except dns.resolver.NoResolverConfiguration:
        return []
    return [Nameserver(str(ns), resolver.port) for ns in resolver.nameservers]
