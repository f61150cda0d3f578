"""SMTP stand-ins on loopback (aiosmtpd), each on its own address and a shared port, so a
zone can point MX hosts at servers that behave well or badly. ``::1`` is used for IPv6:
when it is unavailable the servers fail to start and the tests fail (never skip)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import trustme
from aiosmtpd.controller import Controller

#: The name the certificates are issued for (Microsoft's real certificate covers the same).
MS_WILDCARD = "*.mail.protection.outlook.com"


class Hang:
    """Greets, then never answers EHLO."""

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> list[str]:
        await asyncio.sleep(3600)
        return responses


class CloseAtEhlo:
    """Greets, then hangs up when the client says EHLO."""

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> list[str]:
        server.transport.close()
        return responses


class Accept:
    pass


class SessionCounter:
    """Accepts, and counts the sessions that reached EHLO (how many a prober opened)."""

    def __init__(self) -> None:
        self.sessions = 0

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> list[str]:
        self.sessions += 1
        return responses


def free_port(addresses: tuple[str, ...]) -> int:
    """A TCP port free on every address (tried by binding each)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
        ok = True
        for address in addresses:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            with socket.socket(family, socket.SOCK_STREAM) as s:
                try:
                    s.bind((address, port))
                except OSError:
                    ok = False
                    break
        if ok:
            return port
    raise RuntimeError("no port free on every address")


class Pki:
    """A throwaway CA the tests trust (via SSL_CERT_FILE), and one they do not."""

    def __init__(self, tmp: Any) -> None:
        self.ca = trustme.CA()
        self.rogue = trustme.CA()
        self.ca_file = str(tmp / "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)

    def context(self, *names: str, ca: trustme.CA | None = None) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        (ca or self.ca).issue_cert(*names).configure_cert(ctx)
        return ctx


@contextlib.contextmanager
def smtp_servers(port: int, servers: dict[str, tuple[Any, ssl.SSLContext | None]]) -> Iterator[int]:
    """Start one aiosmtpd server per address (``address -> (handler, STARTTLS context or None)``)."""
    started: list[Controller] = []
    raw: list[socketserver.ThreadingTCPServer] = []
    try:
        for address, (handler, tls) in servers.items():
            if isinstance(handler, Scripted):
                raw.append(handler.serve(address, port))
                continue
            kwargs: dict[str, Any] = {"tls_context": tls, "require_starttls": False} if tls else {}
            controller = Controller(handler, hostname=address, port=port, server_hostname="mx.test", ident="ESMTP stand-in",
                                    ready_timeout=5, **kwargs)
            controller.start()
            started.append(controller)
        yield port
    finally:
        for controller in started:
            controller.stop()
        for server in raw:
            server.shutdown()
            server.server_close()


class Scripted:
    """A raw TCP server that greets with ``banner`` and answers each command by its first
    word from ``replies`` (a counterpart that misbehaves in ways aiosmtpd will not)."""

    def __init__(self, banner: bytes, replies: dict[str, bytes] | None = None) -> None:
        self.banner, self.replies = banner, replies or {}

    def serve(self, address: str, port: int) -> socketserver.ThreadingTCPServer:
        script = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(script.banner)
                for line in self.rfile:
                    verb = line.split(b" ")[0].strip().upper().decode("ascii", "replace")
                    if verb == "QUIT" or verb not in script.replies:
                        return
                    self.wfile.write(script.replies[verb])

        class Server(socketserver.ThreadingTCPServer):
            address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
            daemon_threads = True
            allow_reuse_address = True

        server = Server((address, port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
