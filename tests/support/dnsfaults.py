"""Misbehaving DNS servers for the tests: small, threaded, on 127.0.0.x, each behaviour named.

A :class:`FaultServer` answers from ``records`` (``{"name.": ["A 192.0.2.1", ...]}``), but
each UDP query gets the replies its ``behaviour`` lists, in order: ``ok`` (a correct reply)
or a fault such as ``wrong-id``, ``wrong-question``, ``garbage``, ``other-owner``,
``duplicates``, ``late`` (one reply, 1.2 s after the first query of a name, none to
retransmits), ``slow`` (every query answered after :data:`SLOW`),
``servfail``/``refused``/``notimp``/``formerr``, ``formerr-edns`` (FORMERR to
EDNS queries only), ``truncate``, ``other-port``, ``pointer-loop``, ``silent``. ``behaviour``
may also be a callable ``(query) -> list of names``. Over TCP it serves, refuses
(``tcp="refuse"``: nothing listens) or cuts the reply short (``tcp="cut"``).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Sequence

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

Behaviour = Sequence[str] | Callable[[dns.message.Message], Sequence[str]]
LATE = 1.2
SLOW = 0.8
OTHER_OWNER = "elsewhere.example."


def free_port_on(*addresses: str) -> int:
    """A port free for UDP and TCP on every address."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind((addresses[0], 0))
            port = probe.getsockname()[1]
        socks = []
        try:
            for addr in addresses:
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    s = socket.socket(socket.AF_INET, kind)
                    socks.append(s)
                    s.bind((addr, port))
            return int(port)
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no common free port")


class FaultServer:
    def __init__(self, records: dict[str, list[str]], behaviour: Behaviour = ("ok",), *, address: str = "127.0.0.1",
                 port: int | None = None, tcp: str = "serve") -> None:
        self.records = {dns.name.from_text(k): v for k, v in records.items()}
        self.behaviour = behaviour
        self.address = address
        self.tcp_mode = tcp
        self.udp, self.tcp = self._bind(address, port, tcp != "refuse")
        self.port = self.udp.getsockname()[1]
        self.udp.settimeout(0.05)
        self.other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.other.bind((address, 0))
        if self.tcp is not None:
            self.tcp.listen(16)
            self.tcp.settimeout(0.05)
        #: (transport, qname, rdtype, edns) for every query received.
        self.queries: list[tuple[str, str, str, bool]] = []
        self._seen: set[tuple[str, str]] = set()
        self._running = True
        self._threads = [threading.Thread(target=self._serve_udp, daemon=True)]
        if self.tcp is not None:
            self._threads.append(threading.Thread(target=self._serve_tcp, daemon=True))

    @staticmethod
    def _bind(address: str, port: int | None, tcp: bool) -> tuple[socket.socket, socket.socket | None]:
        """UDP and TCP on one port; with no ``port`` given, another free port when the UDP
        port's TCP twin is taken (other processes on this machine use ports too)."""
        for _ in range(50):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind((address, port or 0))
            if not tcp:
                return udp, None
            stream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            stream.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                stream.bind((address, udp.getsockname()[1]))
            except OSError:
                udp.close()
                stream.close()
                if port:
                    raise
                continue
            return udp, stream
        raise RuntimeError("no port free for both UDP and TCP")

    @property
    def nameserver(self) -> str:
        return f"{self.address}:{self.port}"

    def __enter__(self) -> FaultServer:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._running = False
        for t in self._threads:
            t.join(timeout=5)
        for s in (self.udp, self.other, self.tcp):
            if s is not None:
                s.close()

    # --- answers ---------------------------------------------------------------------------
    def answer(self, query: dns.message.Message) -> dns.message.Message:
        reply = dns.message.make_response(query)
        reply.use_edns(False)
        q = query.question[0]
        found = self.records.get(q.name)
        if found is None:
            reply.set_rcode(dns.rcode.NXDOMAIN)
            return reply
        for line in found:
            rdtype, _, rdata = line.partition(" ")
            if dns.rdatatype.from_text(rdtype) in (q.rdtype, dns.rdatatype.CNAME):
                reply.find_rrset(reply.answer, q.name, dns.rdataclass.IN, dns.rdatatype.from_text(rdtype),
                                 create=True).add(dns.rdata.from_text("IN", rdtype, rdata), 60)
        return reply

    def replies(self, query: dns.message.Message, data: bytes) -> list[tuple[float, bytes, bool]]:
        """(delay, wire, from the other port) for each reply this query gets."""
        names = self.behaviour(query) if callable(self.behaviour) else self.behaviour
        q = query.question[0]
        out: list[tuple[float, bytes, bool]] = []
        for name in names:
            good = self.answer(query)
            if name == "ok":
                out.append((0, good.to_wire(), False))
            elif name == "silent":
                pass
            elif name == "wrong-id":
                good.id = (query.id + 1) & 0xFFFF
                out.append((0, good.to_wire(), False))
            elif name == "wrong-question":
                other = dns.message.make_query("evil.example.", q.rdtype)
                other.id = query.id
                bad = dns.message.make_response(other)
                bad.answer.append(dns.rrset.from_text("evil.example.", 60, "IN", "A", "203.0.113.66"))
                out.append((0, bad.to_wire(), False))
            elif name == "garbage":
                out.append((0, data[:2] + b"\x81\x80\x00\x01\xff\xff" + b"\xc0" * 40, False))
            elif name == "other-owner":
                for rdtype, text in (("A", "203.0.113.66"), ("AAAA", "2001:db8:bad::1"), ("MX", "0 evil.example.")):
                    good.answer.append(dns.rrset.from_text(OTHER_OWNER, 60, "IN", rdtype, text))
                out.append((0, good.to_wire(), False))
            elif name == "duplicates":
                out.append((0, _duplicate_answers(good), False))
            elif name == "late":
                key = (q.name.to_text().lower(), dns.rdatatype.to_text(q.rdtype))
                if key not in self._seen:
                    self._seen.add(key)
                    out.append((LATE, good.to_wire(), False))
            elif name == "slow":
                out.append((SLOW, good.to_wire(), False))
            elif name in ("servfail", "refused", "notimp", "formerr"):
                good.answer.clear()
                good.set_rcode(dns.rcode.from_text(name.upper()))
                out.append((0, good.to_wire(), False))
            elif name == "formerr-edns":
                if query.edns >= 0:
                    good.answer.clear()
                    good.set_rcode(dns.rcode.FORMERR)
                    good.question.clear()  # as old servers do: no question echoed
                out.append((0, good.to_wire(), False))
            elif name == "truncate":
                good.answer.clear()
                good.flags |= dns.flags.TC
                out.append((0, good.to_wire(), False))
            elif name == "other-port":
                out.append((0, good.to_wire(), True))
            elif name == "pointer-loop":
                # One answer whose owner name is a compression pointer to itself.
                wire = bytearray(good.to_wire()[:12]) + query.to_wire()[12:12 + len(q.name.to_wire() or b"") + 4]
                wire[2:4] = b"\x81\x80"
                wire[6:8] = b"\x00\x01"
                wire[10:12] = b"\x00\x00"
                here = len(wire)
                wire += struct.pack("!H", 0xC000 | here) + struct.pack("!HHIH", q.rdtype, 1, 60, 4) + b"\xc0\x00\x02\x01"
                out.append((0, bytes(wire), False))
            else:
                raise ValueError(f"unknown behaviour {name!r}")
        return out

    # --- loops -----------------------------------------------------------------------------
    def _serve_udp(self) -> None:
        while self._running:
            try:
                data, peer = self.udp.recvfrom(65535)
            except (TimeoutError, OSError):
                continue
            try:
                query = dns.message.from_wire(data)
            except Exception:
                continue
            q = query.question[0]
            self.queries.append(("udp", q.name.to_text(), dns.rdatatype.to_text(q.rdtype), query.edns >= 0))
            for delay, wire, other in self.replies(query, data):
                sock = self.other if other else self.udp
                if delay:
                    threading.Timer(delay, _sendto, (sock, wire, peer)).start()
                else:
                    _sendto(sock, wire, peer)

    def _serve_tcp(self) -> None:
        assert self.tcp is not None
        while self._running:
            try:
                conn, _ = self.tcp.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(2)
                try:
                    size = struct.unpack("!H", _recv_exact(conn, 2))[0]
                    query = dns.message.from_wire(_recv_exact(conn, size))
                except (OSError, ValueError, struct.error, dns.exception.DNSException):
                    continue
                q = query.question[0]
                self.queries.append(("tcp", q.name.to_text(), dns.rdatatype.to_text(q.rdtype), query.edns >= 0))
                wire = self.answer(query).to_wire()
                if self.tcp_mode == "cut":
                    conn.sendall(struct.pack("!H", len(wire)) + wire[: len(wire) // 2])
                    time.sleep(0.05)
                    continue
                conn.sendall(struct.pack("!H", len(wire)) + wire)


def _sendto(sock: socket.socket, wire: bytes, peer: object) -> None:
    try:
        sock.sendto(wire, peer)
    except OSError:
        pass


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ValueError("closed")
        data += chunk
    return data


def _duplicate_answers(reply: dns.message.Message) -> bytes:
    """The reply with every answer record sent twice (names compressed against earlier bytes)."""
    wire = reply.to_wire()
    qlen = len(reply.question[0].name.to_wire() or b"") + 4
    start = 12 + qlen
    ancount = struct.unpack_from("!H", wire, 6)[0]
    header = bytearray(wire[:start])
    header[6:8] = struct.pack("!H", 2 * ancount)
    return bytes(header) + wire[start:] * 2

