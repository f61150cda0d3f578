"""MTA-STS (RFC 8461): parse a policy and test whether its ``mx:`` patterns cover our hosts.

A sender that enforces MTA-STS refuses any MX host the policy does not list, so a split
whose policy names only the domain host loses every MTA-STS sender at MX 0.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from ..dns.transport import DnsClient

#: RFC 8461 §3.3: policies are at most 64 KiB.
MAX_POLICY = 64 * 1024
POLICY_PATH = "/.well-known/mta-sts.txt"


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


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to one resolved address, with SNI and certificate checks for the policy host."""

    def __init__(self, host: str, address: str, port: int, deadline: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=_left(deadline), context=context)
        self._address, self._ctx, self.deadline = address, context, deadline

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), _left(self.deadline))
        raw.settimeout(_left(self.deadline))  # the handshake gets what is left, not a fresh timeout
        self.sock = self._ctx.wrap_socket(raw, server_hostname=self.host)

    def shrink_timeout(self) -> None:
        """Each blocking step waits only until the deadline: the worker thread must end with the
        fetch, or asyncio's shutdown would wait for it past ``--timeout``."""
        if self.sock is not None:
            self.sock.settimeout(_left(self.deadline))


def _left(deadline: float) -> float:
    return max(0.01, deadline - time.monotonic())


def _get(host: str, address: str, port: int, deadline: float, context: ssl.SSLContext) -> str:
    """One GET of the policy from ``address``; http.client handles the HTTP/1.1 framing."""
    conn = _PinnedHTTPS(host, address, port, deadline, context)
    try:
        conn.connect()
        conn.shrink_timeout()
        conn.request("GET", POLICY_PATH, headers={"Host": host, "Connection": "close", "Accept": "text/plain"})
        conn.shrink_timeout()
        resp = conn.getresponse()
        if resp.status != 200:
            raise LookupError(f"answered HTTP {resp.status} {resp.reason}".rstrip())
        chunks, size = [], 0
        while True:  # read to the end: a body may come in any number of writes
            if time.monotonic() > deadline:
                raise TimeoutError("timed out reading the policy")
            conn.shrink_timeout()
            chunk = resp.read1(16384)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_POLICY:
                raise LookupError(f"the policy is larger than {MAX_POLICY // 1024} KiB (RFC 8461 §3.3)")
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace")
    finally:
        conn.close()


async def fetch_policy(domain: str, client: DnsClient, *, port: int = 443, timeout: float = 5.0,
                       context: ssl.SSLContext | None = None) -> str:
    """Fetch ``https://mta-sts.<domain>/.well-known/mta-sts.txt`` within ``timeout`` seconds in all.

    The policy host is resolved with ``client`` (the same servers as every other lookup),
    every address is tried in turn, and the certificate is verified for the policy host
    name (RFC 8461 §3.3) with ``ssl.create_default_context()``, which honours
    ``SSL_CERT_FILE`` (an inspecting proxy's CA, a test's throwaway CA).

    :raises LookupError: naming each address and what went wrong there.
    """
    deadline = time.monotonic() + timeout
    host = f"mta-sts.{domain}"
    from ..dns.observe import lookup_host

    lookup = await lookup_host(client, host)
    addresses = lookup.ipv4 + lookup.ipv6
    if not addresses:
        raise LookupError(f"{host} has no address" + (f" ({'; '.join(lookup.errors)})" if lookup.errors else ""))
    ctx = context or ssl.create_default_context()
    failures = []
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            failures.append(f"{address}: no time left within {timeout:g}s")
            break
        try:
            return await asyncio.wait_for(asyncio.to_thread(_get, host, address, port, deadline, ctx), remaining)
        except (OSError, LookupError, http.client.HTTPException, asyncio.TimeoutError, ssl.SSLError) as exc:
            failures.append(f"{address}: {_why(exc)}")
    raise LookupError(f"https://{host}{POLICY_PATH}: " + "; ".join(failures))


def _why(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate not trusted ({exc.verify_message})"
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return "timed out"
    return str(exc) or type(exc).__name__
