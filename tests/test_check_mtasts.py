from __future__ import annotations

import asyncio
import json
import socket
import ssl
import threading
import time
from functools import partial

import pytest
import trustme

from mxsplit_component import plan_mx
from mxsplit_component.check.mtasts import MAX_POLICY, Policy, fetch_policy, mx_matches, parse_policy, uncovered
from mxsplit_component.check.run import CheckOptions, check_plan
from mxsplit_component.dns.nameservers import parse_nameserver
from mxsplit_component.dns.transport import DnsClient
from tests.support.dnsfaults import FaultServer, free_port_on


def test_parse_policy():
    policy = parse_policy("version: STSv1\r\nmode: enforce\r\nmx: a.example\r\nmx: *.b.example\r\nmax_age: 60\r\n")
    assert policy == Policy("enforce", ("a.example", "*.b.example"))


def test_parse_rejects_non_policy():
    with pytest.raises(ValueError, match="not an MTA-STS policy"):
        parse_policy("<html>")


@pytest.mark.parametrize("pattern, host, ok", [
    ("*.mail.protection.outlook.com", "contoso.mail.protection.outlook.com", True),
    ("*.mail.protection.outlook.com", "a.b.mail.protection.outlook.com", False),  # one label only (RFC 8461 §4.1)
    ("*.mail.protection.outlook.com", "mail.protection.outlook.com", False),
    ("contoso.mail.protection.outlook.com", "contoso.mail.protection.outlook.com", True),
    ("contoso.mail.protection.outlook.com.", "contoso.mail.protection.outlook.com", True),
])
def test_mx_matches(pattern, host, ok):
    assert mx_matches(pattern, host) is ok


def test_uncovered():
    policy = Policy("enforce", ("contoso-com.mail.protection.outlook.com",))
    assert uncovered(policy, ["contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"]) == [
        "contoso.mail.protection.outlook.com"]


# --- fetching the policy over HTTPS from a local server with a throwaway CA -------------------



MS = "mail.protection.outlook.com"
POLICY_HOST = "mta-sts.contoso.com"
ENFORCE_DS_ONLY = f"version: STSv1\r\nmode: enforce\r\nmx: contoso-com.{MS}\r\nmax_age: 86400\r\n"
ENFORCE_ALL = f"version: STSv1\r\nmode: enforce\r\nmx: *.{MS}\r\nmax_age: 86400\r\n"


class PolicyServer:
    """HTTPS on ``address:port`` for the policy host; ``style`` says how the reply is written."""

    def __init__(self, ca: trustme.CA, address: str, port: int, body: str, style: str = "two-writes") -> None:
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(POLICY_HOST).configure_cert(self.ctx)
        self.sock = socket.create_server((address, port))
        self.sock.settimeout(0.05)
        self.body, self.style = body.encode(), style
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self) -> None:
        while self.running:
            try:
                raw, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self.handle, args=(raw,), daemon=True).start()

    def handle(self, raw: socket.socket) -> None:
        with raw:
            raw.settimeout(5)
            try:
                conn = self.ctx.wrap_socket(raw, server_side=True)
            except (OSError, ssl.SSLError):
                return  # the client refused our certificate
            with conn:
                try:
                    self.reply(conn)
                except (OSError, ssl.SSLError):
                    pass

    def reply(self, conn: ssl.SSLSocket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        if self.style == "silent":
            time.sleep(3)
        elif self.style == "stall":  # headers, one byte of the body, then nothing
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            time.sleep(0.5)
            conn.sendall(b"v")
            time.sleep(3)
        elif self.style == "404":
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        elif self.style == "chunked":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
            for i in range(0, len(self.body), 7):
                part = self.body[i:i + 7]
                conn.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                time.sleep(0.01)
            conn.sendall(b"0\r\n\r\n")
        else:  # headers and body in two writes, the body a little later
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                         + f"Content-Length: {len(self.body)}\r\n\r\n".encode())
            time.sleep(0.2)
            conn.sendall(self.body)

    def __enter__(self) -> PolicyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def trusted(ca, tmp_path, monkeypatch):
    """The throwaway CA installed the way a user behind an inspecting proxy would: SSL_CERT_FILE."""
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))


def dns_zone(*addresses: str) -> dict[str, list[str]]:
    return {
        "contoso.com.": [f"MX 0 contoso.{MS}.", f"MX 10 contoso-com.{MS}."],
        f"contoso.{MS}.": ["A 192.0.2.1"],
        f"contoso-com.{MS}.": ["A 198.51.100.1", "AAAA 2001:db8::1"],
        "_mta-sts.contoso.com.": ['TXT "v=STSv1; id=20261129"'],
        f"{POLICY_HOST}.": [f"A {a}" for a in addresses],
    }


def run_check(dns_server: FaultServer, port: int, timeout: float = 2.0):
    async def run():
        async with DnsClient([parse_nameserver(dns_server.nameserver)], timeout=timeout) as client:
            fetcher = partial(fetch_policy, port=port, timeout=timeout)
            return await check_plan(plan_mx(domain="contoso.com", tenant="contoso"), client, CheckOptions(), fetcher)

    start = time.monotonic()
    rep = asyncio.run(run())
    return rep.to_json(), rep.exit_code, time.monotonic() - start


def sts(rep):
    return next(f for f in rep["findings"] if f["id"] == "mta-sts-present")


def test_enforce_policy_without_mx0_fails_even_when_the_body_comes_late(ca, trusted):
    port = free_port_on("127.0.0.1")
    with FaultServer(dns_zone("127.0.0.1")) as dns_server, PolicyServer(ca, "127.0.0.1", port, ENFORCE_DS_ONLY):
        rep, code, _ = run_check(dns_server, port)
    assert code == 1
    assert sts(rep)["severity"] == "error"
    assert f"does not list contoso.{MS}" in sts(rep)["message"]


def test_chunked_policy_that_lists_every_host_passes(ca, trusted):
    port = free_port_on("127.0.0.1")
    with FaultServer(dns_zone("127.0.0.1")) as dns_server, \
            PolicyServer(ca, "127.0.0.1", port, ENFORCE_ALL, "chunked"):
        rep, code, _ = run_check(dns_server, port)
    assert code == 0, rep["findings"]
    assert sts(rep) == {"id": "mta-sts-present", "severity": "info", "message": "the MTA-STS policy lists every MX host"}


def test_every_address_of_the_policy_host_is_tried(ca, trusted):
    port = free_port_on("127.0.0.2", "127.0.0.3")
    # 127.0.0.2 refuses the connection; 127.0.0.3 serves the policy.
    with FaultServer(dns_zone("127.0.0.2", "127.0.0.3")) as dns_server, \
            PolicyServer(ca, "127.0.0.3", port, ENFORCE_DS_ONLY):
        rep, code, _ = run_check(dns_server, port)
    assert code == 1 and sts(rep)["severity"] == "error"


def test_untrusted_certificate_is_not_a_policy(ca, monkeypatch, tmp_path):
    other = trustme.CA()
    path = tmp_path / "other.pem"
    other.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    port = free_port_on("127.0.0.1")
    with FaultServer(dns_zone("127.0.0.1")) as dns_server, PolicyServer(ca, "127.0.0.1", port, ENFORCE_ALL):
        rep, code, _ = run_check(dns_server, port)
    assert code == 0 and sts(rep)["severity"] == "warning"
    assert "certificate not trusted" in sts(rep)["message"]


@pytest.mark.parametrize("style, body, why", [
    ("404", ENFORCE_ALL, "answered HTTP 404 Not Found"),
    ("two-writes", ENFORCE_ALL + "#" * MAX_POLICY, "larger than 64 KiB"),
    ("silent", ENFORCE_ALL, "timed out"),
])
def test_fetch_failures_are_warnings_within_the_timeout(ca, trusted, style, body, why):
    port = free_port_on("127.0.0.1")
    with FaultServer(dns_zone("127.0.0.1")) as dns_server, PolicyServer(ca, "127.0.0.1", port, body, style):
        rep, code, elapsed = run_check(dns_server, port, timeout=1.0)
    assert code == 0
    assert sts(rep)["severity"] == "warning" and why in sts(rep)["message"], json.dumps(rep["findings"])
    assert elapsed < 2 * 1.0 + 0.5


def test_a_stalled_body_ends_the_fetch_at_its_deadline(ca, trusted):
    """Every blocking read waits only until the deadline: a read that started with a full
    socket timeout just before a stall kept the worker thread (and asyncio's shutdown, which
    waits for it) alive for most of another --timeout."""
    port = free_port_on("127.0.0.1")
    with FaultServer(dns_zone("127.0.0.1")) as dns_server, PolicyServer(ca, "127.0.0.1", port, ENFORCE_ALL, "stall"):
        async def fetch() -> str:
            async with DnsClient([parse_nameserver(dns_server.nameserver)], timeout=1.0) as client:
                return await fetch_policy("contoso.com", client, port=port, timeout=1.0)

        start = time.monotonic()
        with pytest.raises(LookupError, match="timed out"):
            asyncio.run(fetch())  # includes the shutdown that joins the worker thread
        elapsed = time.monotonic() - start
    assert elapsed < 1.0 + 0.35
