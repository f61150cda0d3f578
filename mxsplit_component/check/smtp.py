"""SMTP per address family: connect to every address of every MX host on port 25 and see
how far a session gets (banner, EHLO, STARTTLS, certificate). No MAIL FROM, no message.

The probe is the thin I/O layer; :mod:`.smtp_findings` turns its typed results into
findings without touching the network. The certificate is checked with
``ssl.create_default_context()`` (the system store; ``SSL_CERT_FILE`` is honoured) against
the MX host name, never the address, as a sending MTA with DANE or MTA-STS would.
"""

from __future__ import annotations

import asyncio
import errno
import ssl
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from ..dns.observe import HostLookup

#: Errors that mean "this machine has no way out over that family", not "the host is down".
LOCAL_ERRNOS = frozenset({errno.ENETUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT})
DEFAULT_CONCURRENCY = 16
MAX_REPLY_LINES = 100

Opener = Callable[[str, int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


@dataclass(frozen=True)
class Target:
    host: str
    address: str
    family: str  # "ipv4" or "ipv6"


@dataclass(frozen=True)
class AddressProbe:
    """How far an SMTP session with one address got.

    ``outcome`` is ``ok`` when the host answered EHLO with 250; otherwise ``refused``,
    ``timeout``, ``no-route`` (a local ENETUNREACH/EADDRNOTAVAIL), ``closed`` (the server
    hung up), ``rejected`` (a 4xx/5xx banner or EHLO reply) or ``error``.
    ``tls`` is ``verified``, ``name-mismatch``, ``untrusted``, ``expired``, ``invalid``,
    ``failed`` (handshake or STARTTLS error), or ``None`` when STARTTLS was not tried.
    """

    host: str
    address: str
    family: str
    stage: str
    outcome: str
    detail: str = ""
    banner: str | None = None
    starttls: bool | None = None
    tls: str | None = None
    tls_detail: str = ""
    tls_version: str | None = None

    def to_json(self) -> dict[str, Any]:
        # Every field, as asdict() would give them (its deep copies cost a bulk run with --smtp more than the probe).
        return {f: getattr(self, f) for f in _PROBE_FIELDS}

    def for_host(self, host: str) -> AddressProbe:
        """This session's result for another host name at the address (the name check is the caller's)."""
        return AddressProbe(host, self.address, self.family, self.stage, self.outcome, self.detail, self.banner,
                            self.starttls, self.tls, self.tls_detail, self.tls_version)


_PROBE_FIELDS = tuple(f.name for f in fields(AddressProbe))


class _Reply(Exception):
    def __init__(self, outcome: str, detail: str) -> None:
        super().__init__(detail)
        self.outcome, self.detail = outcome, detail


async def _read_reply(reader: asyncio.StreamReader, timeout: float) -> tuple[int, list[str]]:
    """One SMTP reply (RFC 5321 §4.2): (code, text lines), all of it within ``timeout``
    (a server trickling one continuation line at a time cannot stretch a step)."""
    return await asyncio.wait_for(_reply_lines(reader), timeout)


async def _reply_lines(reader: asyncio.StreamReader) -> tuple[int, list[str]]:
    lines: list[str] = []
    while len(lines) < MAX_REPLY_LINES:
        try:
            raw = await reader.readline()
        except ValueError:  # a line beyond the stream's 64 KiB limit: no SMTP server sends that
            raise _Reply("error", "a reply line longer than 64 KiB") from None
        if not raw:
            raise _Reply("closed", "the server closed the connection")
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if len(line) < 3 or not (line[:3].isascii() and line[:3].isdigit()):  # not "²²⁰"
            raise _Reply("error", f"not an SMTP reply: {line[:80]!r}")
        lines.append(line[4:])
        if line[3:4] != "-":
            return int(line[:3]), lines
    raise _Reply("error", "reply longer than 100 lines")


def _tls_outcome(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = exc.verify_code
        kind = {62: "name-mismatch", 10: "expired"}.get(code)
        if kind is None:
            kind = "untrusted" if code in (18, 19, 20, 21, 2) else "invalid"
        return kind, str(exc.verify_message or exc)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return "failed", "TLS handshake timed out"
    return "failed", str(exc) or type(exc).__name__


def _connect_outcome(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, ConnectionRefusedError):
        return "refused", "connection refused"
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return "timeout", "no answer to the connection attempt"
    if isinstance(exc, OSError) and exc.errno in LOCAL_ERRNOS:
        return "no-route", exc.strerror or str(exc)
    return "error", str(exc) or type(exc).__name__


def _ehlo_name(writer: asyncio.StreamWriter) -> str:
    """An address literal of our own end (RFC 5321 §4.1.3): no DNS name to look up or invent."""
    sock = writer.get_extra_info("sockname")
    local = str(sock[0]) if sock else "127.0.0.1"
    return f"[IPv6:{local}]" if ":" in local else f"[{local}]"


async def probe_address(target: Target, port: int, timeout: float, context: ssl.SSLContext,
                        opener: Opener | None = None, reached: list[str] | None = None,
                        names: list[str] | None = None) -> AddressProbe:
    """One session with ``target``; every step bounded by ``timeout`` seconds. Never raises.

    :param reached: its first item is kept at the current stage, for a caller that cancels us.
    :param names: gets the certificate's DNS names, for a caller that checks the name itself
        (its ``context`` does not: one session then serves every host name at the address).
    """
    reached = reached if reached is not None else ["connect"]
    base: dict[str, Any] = {"host": target.host, "address": target.address, "family": target.family}
    open_ = opener or asyncio.open_connection
    try:
        reader, writer = await asyncio.wait_for(open_(target.address, port), timeout)
    except (OSError, asyncio.TimeoutError) as exc:
        outcome, detail = _connect_outcome(exc)
        return AddressProbe(**base, stage="connect", outcome=outcome, detail=detail)
    stage, banner, starttls = "banner", None, None
    reached[0] = stage
    try:
        code, text = await _read_reply(reader, timeout)
        banner = f"{code} {text[0] if text else ''}".strip()
        if code != 220:
            raise _Reply("rejected", banner)
        stage = reached[0] = "ehlo"
        writer.write(f"EHLO {_ehlo_name(writer)}\r\n".encode())
        code, text = await _read_reply(reader, timeout)
        if code != 250:
            raise _Reply("rejected", f"EHLO answered {code} {' '.join(text)}".strip())
        starttls = any(line.upper().split()[:1] == ["STARTTLS"] for line in text[1:])
        if not starttls:
            writer.write(b"QUIT\r\n")
            return AddressProbe(**base, stage="done", outcome="ok", banner=banner, starttls=False)
        reached[0] = "starttls"
        return await _starttls(base, reader, writer, timeout, context, banner, reached, names)
    except _Reply as exc:
        return AddressProbe(**base, stage=stage, outcome=exc.outcome, detail=exc.detail, banner=banner,
                            starttls=starttls)
    except (asyncio.TimeoutError, TimeoutError):
        return AddressProbe(**base, stage=stage, outcome="timeout", detail=f"no reply within {timeout:g}s",
                            banner=banner, starttls=starttls)
    except OSError as exc:
        outcome = "closed" if isinstance(exc, ConnectionError) else "error"
        return AddressProbe(**base, stage=stage, outcome=outcome, detail=str(exc) or type(exc).__name__,
                            banner=banner, starttls=starttls)
    finally:
        writer.close()


async def _starttls(base: dict[str, Any], reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    timeout: float, context: ssl.SSLContext, banner: str, reached: list[str],
                    names: list[str] | None = None) -> AddressProbe:
    """STARTTLS and the handshake. The host accepted EHLO, so TLS trouble is a TLS finding only."""
    ok: dict[str, Any] = {**base, "outcome": "ok", "banner": banner, "starttls": True}
    writer.write(b"STARTTLS\r\n")
    try:
        code, text = await _read_reply(reader, timeout)
    except (_Reply, OSError, asyncio.TimeoutError) as exc:
        return AddressProbe(**ok, stage="starttls", tls="failed", tls_detail=f"STARTTLS: {exc or 'timed out'}")
    if code != 220:
        return AddressProbe(**ok, stage="starttls", tls="failed",
                            tls_detail=f"STARTTLS answered {code} {' '.join(text)}".strip())
    loop = asyncio.get_running_loop()
    reached[0] = "tls"
    try:
        # loop.start_tls (not StreamWriter.start_tls, which is 3.11+): the handshake is all we need.
        tls = await asyncio.wait_for(loop.start_tls(writer.transport, writer.transport.get_protocol(), context,
                                                    server_hostname=base["host"], ssl_handshake_timeout=timeout),
                                     timeout + 1)
    except (ssl.SSLError, OSError, asyncio.TimeoutError, ConnectionError) as exc:
        kind, detail = _tls_outcome(exc)
        return AddressProbe(**ok, stage="tls", tls=kind, tls_detail=detail)
    if tls is None:  # the transport closed under us
        return AddressProbe(**ok, stage="tls", tls="failed", tls_detail="the server closed the connection")
    ssl_object = tls.get_extra_info("ssl_object")
    version = ssl_object.version() if ssl_object is not None else None
    if names is not None and ssl_object is not None:
        names += [value for kind, value in (ssl_object.getpeercert() or {}).get("subjectAltName", ()) if kind == "DNS"]
    tls.write(b"QUIT\r\n")
    tls.close()
    return AddressProbe(**ok, stage="done", tls="verified", tls_version=version)


def targets_for(hosts: Sequence[str], addresses: Mapping[str, HostLookup]) -> list[Target]:
    """Every A and AAAA address of ``hosts``, as the check's report lists them (DNS64 ones
    are not the host's and are not probed)."""
    out = []
    for host in hosts:
        addr = addresses.get(host, HostLookup())
        out += [Target(host, a, "ipv4") for a in addr.ipv4]
        out += [Target(host, a, "ipv6") for a in addr.ipv6]
    return out
