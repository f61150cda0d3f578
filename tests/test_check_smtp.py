"""``check --smtp`` against aiosmtpd servers on 127.0.0.x and ::1, found through a real BIND."""

from __future__ import annotations

import asyncio
import errno
import json
import time

import pytest

from mxsplit_component.check.run import CheckOptions, check_plan
from mxsplit_component.check.smtp_pool import ProbePool
from mxsplit_component.check.smtp_report import probe_smtp
from mxsplit_component.cli import main
from mxsplit_component.core.plan import plan_mx
from mxsplit_component.dns.nameservers import parse_nameserver
from mxsplit_component.dns.options import DnsOptions, make_client
from mxsplit_component.testing.bind import BindServer, zone
from mxsplit_component.testing.smtp import MS_WILDCARD, Accept, CloseAtEhlo, Hang, Pki, Scripted, free_port, smtp_servers
from tests.support.bind import require_bind

MS = "mail.protection.outlook.com"
#: tenant -> the address its (IPv4-only) host points at; every domain host is 127.0.0.3 + ::1.
TENANTS = {"good": ["127.0.0.2"], "vfourdown": ["127.0.0.2", "127.0.0.9"], "plain": ["127.0.0.4"],
           "wrongname": ["127.0.0.5"], "rogue": ["127.0.0.6"], "hang": ["127.0.0.7"], "closer": ["127.0.0.8"],
           "rejecting": ["127.0.0.10"], "garbage": ["127.0.0.11"], "tlsrefused": ["127.0.0.12"],
           "ehlorefused": ["127.0.0.13"], "flood": ["127.0.0.14"], "superscript": ["127.0.0.15"]}


def _zones() -> dict[str, str]:
    lines = []
    for tenant, addresses in TENANTS.items():
        lines += [f"{tenant} IN A {a}" for a in addresses]
        lines += [f"{tenant}-test IN A 127.0.0.3", f"{tenant}-test IN AAAA ::1"]
    zones = {MS: zone(MS, "\n".join(lines))}
    for tenant in TENANTS:
        zones[f"{tenant}.test"] = zone(f"{tenant}.test", f"@ IN MX 0 {tenant}.{MS}.\n@ IN MX 10 {tenant}-test.{MS}.")
    return zones


@pytest.fixture(scope="module")
def bind():
    require_bind()
    with BindServer(_zones()) as server:
        yield server


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(autouse=True)
def trust_the_test_ca(pki, monkeypatch):
    """The probe uses the system store; SSL_CERT_FILE makes the test CA that store."""
    monkeypatch.setenv("SSL_CERT_FILE", pki.ca_file)


@pytest.fixture(scope="module")
def farm(pki):
    """Every behaviour on one port; ::1 serves the domain hosts with a good certificate."""
    good = pki.context(MS_WILDCARD)
    servers = {"127.0.0.2": (Accept(), good), "127.0.0.3": (Accept(), good), "::1": (Accept(), good),
               "127.0.0.4": (Accept(), None), "127.0.0.5": (Accept(), pki.context("mx.other.example")),
               "127.0.0.6": (Accept(), pki.context(MS_WILDCARD, ca=pki.rogue)), "127.0.0.7": (Hang(), good),
               "127.0.0.8": (CloseAtEhlo(), good),
               "127.0.0.10": (Scripted(b"554 5.7.1 no SMTP service here\r\n"), None),
               "127.0.0.11": (Scripted(b"HTTP/1.1 400 Bad Request\r\n"), None),
               "127.0.0.12": (Scripted(b"220 mx ESMTP\r\n", {"EHLO": b"250-mx\r\n250 STARTTLS\r\n",
                                                               "STARTTLS": b"454 4.7.0 TLS not available\r\n"}), None),
               "127.0.0.13": (Scripted(b"220 mx ESMTP\r\n", {"EHLO": b"502 5.5.1 EHLO not implemented\r\n"}), None),
               "127.0.0.14": (Scripted(b"220 " + b"x" * 100_000 + b"\r\n"), None),
               "127.0.0.15": (Scripted("²²⁰ mx ESMTP\r\n".encode()), None)}
    with smtp_servers(free_port((*servers, "127.0.0.9")), servers) as port:
        yield port


@pytest.fixture(scope="module")
def no_ipv6_farm(pki):
    """The IPv4 hosts answer; nothing listens on ::1 at this port."""
    good = pki.context(MS_WILDCARD)
    servers = {"127.0.0.2": (Accept(), good), "127.0.0.3": (Accept(), good)}
    with smtp_servers(free_port((*servers, "::1")), servers) as port:
        yield port


def check(capsys, bind, tenant, port, *extra):
    started = time.monotonic()
    code = main(["check", f"{tenant}.test", "--tenant", tenant, "--nameserver", bind.nameserver, "--timeout", "1",
                 "--no-mta-sts", "--smtp", "--smtp-port", str(port), *extra])
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert elapsed < 15, f"the probe took {elapsed:.1f}s"
    return code, (json.loads(out) if "--json" in extra else out)


def smtp_findings(rep):
    return [f for f in rep["findings"] if f["id"].startswith("smtp-")]


def probe(rep, address):
    return next(p for p in rep["smtp"]["probes"] if p["address"] == address)


def test_every_address_accepts_smtp_and_tls_verifies_against_the_host_name(capsys, bind, farm):
    code, rep = check(capsys, bind, "good", farm, "--json")
    assert code == 0, rep["findings"]
    assert smtp_findings(rep) == []
    assert [(p["host"], p["family"], p["address"]) for p in rep["smtp"]["probes"]] == [
        (f"good.{MS}", "ipv4", "127.0.0.2"), (f"good-test.{MS}", "ipv4", "127.0.0.3"),
        (f"good-test.{MS}", "ipv6", "::1")]
    for p in rep["smtp"]["probes"]:
        assert (p["outcome"], p["stage"], p["starttls"], p["tls"]) == ("ok", "done", True, "verified"), p
        assert p["banner"].startswith("220 mx.test") and p["tls_version"].startswith("TLS")


def test_ipv6_is_really_probed_on_loopback(capsys, bind, farm):
    """If ::1 were unavailable the farm would not start and this fails: never a silent skip."""
    code, rep = check(capsys, bind, "good", farm, "--json")
    v6 = probe(rep, "::1")
    assert v6["family"] == "ipv6" and v6["outcome"] == "ok" and v6["tls"] == "verified"


def test_mx0_refused_at_one_ipv4_address_is_an_error_for_that_host(capsys, bind, farm):
    code, rep = check(capsys, bind, "vfourdown", farm, "--json")
    assert code == 1 and rep["ok"] is False
    [finding] = smtp_findings(rep)
    assert finding == {"id": "smtp-unreachable", "severity": "error", "message":
                       f"MX 0 vfourdown.{MS} does not accept SMTP over IPv4 at 1 of 2 addresses: 127.0.0.9 refused "
                       "(connection refused); IPv4 and dual-stack senders fall through to the next MX, or defer"}


def test_mx10_unreachable_over_ipv6_while_it_publishes_aaaa(capsys, bind, no_ipv6_farm):
    code, rep = check(capsys, bind, "good", no_ipv6_farm, "--json")
    assert code == 1
    [finding] = smtp_findings(rep)
    assert finding["id"] == "smtp-unreachable" and finding["severity"] == "error"
    assert finding["message"] == (f"MX 10 good-test.{MS} does not accept SMTP over IPv6 at any address: ::1 refused "
                                  "(connection refused); IPv6-only senders cannot deliver: they have no other MX with "
                                  "AAAA")
    assert probe(rep, "127.0.0.3")["outcome"] == "ok"


def test_no_starttls_is_a_warning(capsys, bind, farm):
    code, rep = check(capsys, bind, "plain", farm, "--json")
    assert code == 0
    [finding] = smtp_findings(rep)
    assert finding == {"id": "smtp-no-starttls", "severity": "warning", "message":
                       f"MX 0 plain.{MS} does not offer STARTTLS at 127.0.0.4: mail to it travels in clear, and "
                       "MTA-STS or DANE senders refuse it"}
    assert probe(rep, "127.0.0.4")["starttls"] is False


def test_certificate_for_another_name_is_a_warning(capsys, bind, farm):
    code, rep = check(capsys, bind, "wrongname", farm, "--json")
    assert code == 0
    [finding] = smtp_findings(rep)
    assert finding["id"] == "smtp-tls-invalid" and finding["severity"] == "warning"
    assert finding["message"].startswith(f"MX 0 wrongname.{MS}: 127.0.0.5: the certificate is not valid for the host "
                                         "name (Hostname mismatch")
    assert probe(rep, "127.0.0.5")["tls"] == "name-mismatch"


def test_certificate_from_an_untrusted_ca_is_a_warning(capsys, bind, farm):
    code, rep = check(capsys, bind, "rogue", farm, "--json")
    assert code == 0
    [finding] = smtp_findings(rep)
    assert finding["id"] == "smtp-tls-invalid"
    assert "not trusted by the system store" in finding["message"]
    assert probe(rep, "127.0.0.6")["tls"] == "untrusted"


def test_server_that_hangs_after_the_banner_times_out_at_ehlo(capsys, bind, farm):
    code, rep = check(capsys, bind, "hang", farm, "--json")
    assert code == 1
    [finding] = smtp_findings(rep)
    assert finding["id"] == "smtp-unreachable"
    assert "127.0.0.7 timeout at ehlo (no reply within 1s)" in finding["message"]
    assert probe(rep, "127.0.0.7")["banner"].startswith("220 ")


def test_server_that_closes_at_ehlo(capsys, bind, farm):
    code, rep = check(capsys, bind, "closer", farm, "--json")
    assert code == 1
    [finding] = smtp_findings(rep)
    assert "127.0.0.8 closed at ehlo (the server closed the connection)" in finding["message"]


def test_554_banner_is_rejected_at_the_banner(capsys, bind, farm):
    code, rep = check(capsys, bind, "rejecting", farm, "--json")
    assert code == 1
    [finding] = smtp_findings(rep)
    assert "127.0.0.10 rejected at banner (554 5.7.1 no SMTP service here)" in finding["message"]


def test_a_server_that_does_not_speak_smtp(capsys, bind, farm):
    code, rep = check(capsys, bind, "garbage", farm, "--json")
    assert code == 1
    assert "127.0.0.11 error at banner (not an SMTP reply: 'HTTP/1.1 400 Bad Request')" in smtp_findings(rep)[0]["message"]


def test_an_endless_banner_line_is_an_error_not_a_crash(capsys, bind, farm):
    code, rep = check(capsys, bind, "flood", farm, "--json")
    assert code == 1
    assert "127.0.0.14 error at banner (a reply line longer than 64 KiB)" in smtp_findings(rep)[0]["message"]


def test_a_reply_code_in_other_digits_is_not_an_smtp_reply(capsys, bind, farm):
    """'²²⁰' passes str.isdigit() but int() refuses it: a probe error, never a crash of the whole check."""
    code, rep = check(capsys, bind, "superscript", farm, "--json")
    assert code == 1
    assert "127.0.0.15 error at banner (not an SMTP reply: '²²⁰ mx ESMTP')" in smtp_findings(rep)[0]["message"]


def test_ehlo_refused_is_rejected_at_ehlo(capsys, bind, farm):
    code, rep = check(capsys, bind, "ehlorefused", farm, "--json")
    assert code == 1
    assert "127.0.0.13 rejected at ehlo (EHLO answered 502 5.5.1 EHLO not implemented)" in smtp_findings(rep)[0]["message"]


def test_starttls_offered_then_refused_is_a_tls_warning(capsys, bind, farm):
    code, rep = check(capsys, bind, "tlsrefused", farm, "--json")
    assert code == 0
    [finding] = smtp_findings(rep)
    assert finding["id"] == "smtp-tls-invalid"
    assert "127.0.0.12: STARTTLS or the TLS handshake failed (STARTTLS answered 454 4.7.0 TLS not available)" in \
        finding["message"]
    assert probe(rep, "127.0.0.12")["outcome"] == "ok"


def test_every_connect_refused_means_the_probe_could_not_run_here(capsys, bind):
    port = free_port(("127.0.0.2", "127.0.0.3", "::1"))  # nothing listens anywhere
    code, rep = check(capsys, bind, "good", port, "--json")
    assert code == 3
    assert rep["ok"] is True  # nothing is known to be wrong with the hosts
    [finding] = smtp_findings(rep)
    assert finding["id"] == "smtp-blocked-here" and finding["severity"] == "info"
    assert finding["message"].startswith(f"every connection to port {port} failed the same way (refused, 3 addresses): "
                                         "outbound SMTP is most likely blocked from this machine")


def test_text_output_shows_each_host_and_address(capsys, bind, farm):
    code, out = check(capsys, bind, "plain", farm)
    assert code == 0
    assert f"SMTP (port {farm})\n  plain.{MS}\n      IPv4 127.0.0.4                 ok       220 mx.test" in out
    assert "| no STARTTLS" in out
    assert "      IPv6 ::1                       ok       220 mx.test" in out
    assert "WARNING smtp-no-starttls" in out


def test_bulk_check_probes_every_row(capsys, bind, farm, tmp_path):
    rows = tmp_path / "domains.csv"
    rows.write_text("domain,tenant\ngood.test,good\nplain.test,plain\n")
    code = main(["check", "--file", str(rows), "--nameserver", bind.nameserver, "--timeout", "1", "--no-mta-sts",
                 "--smtp", "--smtp-port", str(farm), "--json"])
    reps = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and [r["domain"] for r in reps] == ["good.test", "plain.test"]
    assert [len(r["smtp"]["probes"]) for r in reps] == [3, 3]
    assert [f["id"] for f in smtp_findings(reps[1])] == ["smtp-no-starttls"]


def test_smtp_port_must_be_a_port(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "good.test", "--tenant", "good", "--smtp", "--smtp-port", "0"])
    assert exc.value.code == 2
    assert "--smtp-port: must be a port number (1..65535)" in capsys.readouterr().err


def test_no_ipv6_route_here_is_incomplete_for_ipv6_only(bind, farm):
    """ENETUNREACH on every IPv6 connect: IPv6 is unknown (exit 3), IPv4 verdicts still stand."""
    plan = plan_mx(domain="vfourdown.test", tenant="vfourdown")
    options = CheckOptions(DnsOptions(nameservers=(parse_nameserver(bind.nameserver),), timeout=1), mta_sts=False)

    async def opener(host, port):
        if ":" in host:
            raise OSError(errno.ENETUNREACH, "Network is unreachable")
        return await asyncio.open_connection(host, port)

    async def run():
        async with make_client(options.dns) as client:
            dns_only = await check_plan(plan, client, options)
        assert dns_only.smtp is None and dns_only.exit_code == 0, dns_only.to_json()["findings"]
        return await probe_smtp(plan, dns_only, ProbePool(port=farm, timeout=1, opener=opener))

    checked = asyncio.run(run())
    assert checked.exit_code == 3
    rep = checked.to_json()
    found = {f["id"]: f for f in smtp_findings(rep)}
    assert found["smtp-no-route-here"]["message"] == (
        "cannot probe IPv6 from here (Network is unreachable): this machine has no IPv6 route, so the IPv6 verdicts "
        "are unknown")
    assert found["smtp-unreachable"]["message"].startswith(f"MX 0 vfourdown.{MS} does not accept SMTP over IPv4")
    assert rep["smtp"]["unprobed_families"] == ["ipv6"]
    assert not any("IPv6" in f["message"] for f in smtp_findings(rep) if f["id"] == "smtp-unreachable")
