"""MTA-STS (RFC 8461): parse a policy and test whether its ``mx:`` patterns cover our hosts.

A sender that enforces MTA-STS refuses any MX host the policy does not list, so a split
whose policy names only the domain host loses every MTA-STS sender at MX 0.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

from .transport import DnsClient

#: RFC 8461 §3.3: policies are at most 64 KiB.
MAX_POLICY = 64 * 1024


@dataclass(frozen=True)
class Policy:
    mode: str
    mx: tuple[str, ...]


def parse_policy(text: str) -> Policy:
    """Parse ``key: value`` lines; raises ``ValueError`` when it is not an STSv1 policy."""
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip().lower(), []).append(value.strip().lower())
    if fields.get("version") != ["stsv1"]:
        raise ValueError("not an MTA-STS policy (no 'version: STSv1')")
    return Policy(mode=(fields.get("mode") or ["none"])[0], mx=tuple(fields.get("mx", [])))


def mx_matches(pattern: str, host: str) -> bool:
    """RFC 8461 §4.1: a leading ``*.`` matches exactly one label."""
    pattern, host = pattern.rstrip("."), host.rstrip(".")
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and "." not in host[: -len(pattern) + 1]
    return pattern == host


def uncovered(policy: Policy, hosts: list[str]) -> list[str]:
    """The hosts no ``mx:`` pattern matches."""
    return [h for h in hosts if not any(mx_matches(p, h) for p in policy.mx)]


async def fetch_policy(domain: str, client: DnsClient, *, port: int = 443, timeout: float = 5.0,
                       context: ssl.SSLContext | None = None) -> str:
    """Fetch ``https://mta-sts.<domain>/.well-known/mta-sts.txt``.

    The policy host is resolved with ``client`` (the same servers as every other lookup),
    and the certificate is verified for the policy host name, as RFC 8461 §3.3 requires.
    """
    host = f"mta-sts.{domain}"
    a, aaaa = await asyncio.gather(client.query(host, "A"), client.query(host, "AAAA"))
    from .observe import HostLookup, parse_addresses

    lookup = HostLookup()
    parse_addresses(lookup, a, "ipv4")
    parse_addresses(lookup, aaaa, "ipv6")
    addresses = lookup.ipv4 + lookup.ipv6
    if not addresses:
        raise LookupError(f"{host} has no address")
    ctx = context or ssl.create_default_context()
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(addresses[0], port, ssl=ctx, server_hostname=host), timeout)
    try:
        writer.write(f"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        raw = await asyncio.wait_for(reader.read(MAX_POLICY + 4096), timeout)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or status[1] != b"200":
        raise LookupError(f"https://{host}/.well-known/mta-sts.txt answered {head[:40]!r}")
    return body.decode("utf-8", "replace")
