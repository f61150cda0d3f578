"""A real BIND9 (``named``) on a loopback address and a free port, serving zones you write.

Run ``mxsplit check --nameserver <server.nameserver>`` against a zone before it is
published; mxsplit's own tests and benchmarks use it the same way. Needs Debian's
``bind9`` (or any ``named`` on the PATH or in an ``sbin`` folder).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

import dns.exception
import dns.message
import dns.query
import dns.rcode

SBIN = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def find_named() -> str | None:
    found = shutil.which("named")
    if found:
        return found
    for folder in SBIN:
        candidate = Path(folder) / "named"
        if candidate.exists():
            return str(candidate)
    return None


def free_port(address: str = "127.0.0.1") -> int:
    """A port free for both UDP and TCP on ``address``."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((address, 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((address, port))
                except OSError:
                    continue
                return int(port)
    raise RuntimeError("no free port")


class BindServer:
    """One `named` process serving ``zones`` (name -> zone file text) on ``address:port``."""

    def __init__(self, zones: dict[str, str], *, address: str = "127.0.0.1", port: int | None = None,
                 dynamic: tuple[str, ...] = (), broken: tuple[str, ...] = (), workdir: str | None = None,
                 threads: int = 1) -> None:
        named = find_named()
        if named is None:
            raise RuntimeError("BIND9 'named' is not installed: apt-get install bind9 (or run scripts/ensure-bind)")
        self.named = named
        self.address = address
        self.port = port or free_port(address)
        self.dir = Path(workdir or tempfile.mkdtemp(prefix="mxsplit-bind-"))
        self.zones = zones
        self.dynamic = dynamic
        self.broken = broken
        self.threads = threads
        self.proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    def _config(self) -> str:
        zone_stanzas = []
        for name in self.zones:
            update = "allow-update { 127.0.0.0/8; };" if name in self.dynamic else ""
            zone_stanzas.append(f'zone "{name}" {{ type primary; file "{name}.zone"; {update} }};')
        for name in self.broken:
            zone_stanzas.append(f'zone "{name}" {{ type primary; file "{name}.zone"; }};')
        d = self.dir
        return f"""
options {{
    directory "{d}";
    pid-file "{d}/named.pid";
    session-keyfile "{d}/session.key";
    managed-keys-directory "{d}";
    listen-on port {self.port} {{ {self.address}; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    allow-query {{ any; }};
    notify no;
    minimal-responses no;
}};
controls {{ }};
logging {{
    channel log {{ file "{d}/named.log"; severity info; print-time yes; }};
    category default {{ log; }};
    category lame-servers {{ null; }};
}};
{chr(10).join(zone_stanzas)}
"""

    def start(self, timeout: float = 15.0) -> BindServer:
        for name, text in self.zones.items():
            (self.dir / f"{name}.zone").write_text(text)
        for name in self.broken:
            # A zone file BIND refuses to load: queries for the zone get SERVFAIL.
            (self.dir / f"{name}.zone").write_text("$TTL 60\n@ IN SOA broken. ( this is not a zone file\n")
        conf = self.dir / "named.conf"
        conf.write_text(self._config())
        self._stderr = open(self.dir / "stderr.log", "wb")
        self.proc = subprocess.Popen([self.named, "-f", "-c", str(conf), "-n", str(self.threads)],
                                     stdout=subprocess.DEVNULL, stderr=self._stderr)
        deadline = time.monotonic() + timeout
        probe_zone = next(iter(self.zones))
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"named exited with {self.proc.returncode}: {self.log()}")
            try:
                reply = dns.query.udp(dns.message.make_query(probe_zone, "SOA"), self.address, timeout=0.3,
                                      port=self.port)
                if reply.rcode() == dns.rcode.NOERROR:
                    return self
            except (OSError, dns.exception.Timeout):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"named did not answer on {self.address}:{self.port}: {self.log()}")

    def log(self) -> str:
        parts = []
        for name in ("stderr.log", "named.log"):
            path = self.dir / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    @property
    def nameserver(self) -> str:
        return f"{self.address}:{self.port}"

    def __enter__(self) -> BindServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def zone(origin: str, body: str, ttl: int = 60) -> str:
    """A zone file with an SOA and NS at the apex, then ``body``."""
    return (f"$ORIGIN {origin}.\n$TTL {ttl}\n"
            f"@ IN SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 60\n"
            f"@ IN NS ns.{origin}.\nns IN A 127.0.0.1\n{body}\n")
