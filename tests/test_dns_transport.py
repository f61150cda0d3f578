"""The DNS transport against tiny servers we run on 127.0.0.1: ids, strays, timeouts, parsing."""

import asyncio
import socket
import threading

import dns.message
import dns.rrset
import pytest

from mxsplit_component.dns.nameservers import Nameserver, parse_nameserver
from mxsplit_component.dns.transport import DnsClient


@pytest.mark.parametrize("text, expected", [
    ("127.0.0.1", Nameserver("127.0.0.1", 53)),
    ("127.0.0.1:5353", Nameserver("127.0.0.1", 5353)),
    ("::1", Nameserver("::1", 53)),
    ("[::1]:5353", Nameserver("::1", 5353)),
    ("[2001:db8::1]", Nameserver("2001:db8::1", 53)),
])
def test_parse_nameserver(text, expected):
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text, fragment", [
    ("dns.example", "is not an IP address"),
    ("127.0.0.1:0", "bad port"),
    ("127.0.0.1:99999", "bad port"),
    ("[::1", "malformed"),
    ("[::1]x", "malformed"),
])
def test_parse_nameserver_rejects(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_nameserver(text)


class TrickyServer:
    """Answers each query twice: first a stray reply (right id, wrong question), then the real one."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self):
        while self.running:
            try:
                data, addr = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(data)
            stray = dns.message.make_query("evil.example.", "A")
            stray.id = query.id
            stray.flags |= dns.flags.QR
            self.sock.sendto(stray.to_wire(), addr)
            reply = dns.message.make_response(query)
            reply.answer.append(dns.rrset.from_text(query.question[0].name, 60, "IN", "A", "192.0.2.7"))
            self.sock.sendto(reply.to_wire(), addr)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.sock.close()


def test_stray_reply_with_our_id_is_ignored():
    import dns.flags  # noqa: F401 - used by the server thread

    with TrickyServer() as server:
        async def run():
            async with DnsClient([Nameserver("127.0.0.1", server.port)], timeout=2) as client:
                return await asyncio.gather(*(client.query(f"h{i}.example", "A") for i in range(20)))

        answers = asyncio.run(run())
    assert all(a.error is None for a in answers)
    assert [a.answer[0][0].address for a in answers] == ["192.0.2.7"] * 20
    assert [a.answer[0].name.to_text() for a in answers] == [f"h{i}.example." for i in range(20)]


def test_refused_port_reports_error_within_timeout():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # nothing listens now: ICMP port unreachable, reported as an error, not a hang

    async def run():
        async with DnsClient([Nameserver("127.0.0.1", port)], timeout=0.5) as client:
            return await client.query("contoso.com", "MX")

    answer = asyncio.run(run())
    assert answer.error is not None and not answer.ok


def test_no_nameservers_is_an_error():
    with pytest.raises(ValueError, match="no nameservers"):
        DnsClient([])


def test_no_system_resolver_is_a_clear_error(monkeypatch, capsys):
    from mxsplit_component.cli import main
    from mxsplit_component.dns import options
    from mxsplit_component.errors import MxSplitError

    monkeypatch.setattr(options, "system_nameservers", lambda: [])
    with pytest.raises(MxSplitError, match="no system resolver"):
        options.make_client(options.DnsOptions())
    assert main(["check", "contoso.com", "--tenant", "contoso"]) == 2
    assert "--nameserver" in capsys.readouterr().err
