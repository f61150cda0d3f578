"""Live checks against a real BIND9 on 127.0.0.1 with zones these tests write."""

from __future__ import annotations

import json
import socket
import threading
import time

import dns.query
import dns.update
import pytest

from mxsplit_component.cli import main
from mxsplit_component.testing.bind import BindServer, free_port, zone
from tests.support.bind import require_bind

MS = "mail.protection.outlook.com"


def host_zone() -> str:
    lines = []
    for tenant in ("good", "v6tenant", "noaaaa", "single", "extra", "nullmx", "cname", "sts", "big", "child", "dyn",
                   "nosuch"):
        lines.append(f"{tenant} IN A 192.0.2.{len(lines) % 250 + 1}")
    lines.append("v6tenant IN AAAA 2001:db8:1::11")
    for dom in ("good-test", "v6tenant-test", "single-test", "extra-test", "cname-test", "sts-test", "big-test",
                "child-parent-test", "dyn-test"):
        lines += [f"{dom} IN A 198.51.100.{len(lines) % 250 + 1}", f"{dom} IN AAAA 2001:db8::{len(lines):x}"]
    lines.append("noaaaa-test IN A 198.51.100.200")
    # An answer far bigger than the 1232-octet EDNS payload we ask for: forces TCP (BIND caps an RRset at 100).
    lines += [f"big-test IN AAAA 2001:db8:b16::{i:x}" for i in range(1, 81)]
    return zone(MS, "\n".join(lines))


def split_zone(name: str, tenant: str, extra: str = "") -> str:
    token = name.replace(".", "-")
    return zone(name, f"@ IN MX 0 {tenant}.{MS}.\n@ IN MX 10 {token}.{MS}.\n{extra}")


ZONES = {
    MS: host_zone(),
    "good.test": split_zone("good.test", "good"),
    "v6tenant.test": split_zone("v6tenant.test", "v6tenant"),
    "noaaaa.test": split_zone("noaaaa.test", "noaaaa"),
    "single.test": zone("single.test", f"@ IN MX 0 single-test.{MS}."),
    "extra.test": split_zone("extra.test", "extra", "@ IN MX 20 backup.extra.test.\nbackup IN A 203.0.113.5"),
    "nullmx.test": zone("nullmx.test", "@ IN MX 0 ."),
    "cname.test": zone("cname.test", f"@ IN MX 0 cname.{MS}.\n@ IN MX 10 mx.cname.test.\n"
                                     f"mx IN CNAME cname-test.{MS}."),
    "sts.test": split_zone("sts.test", "sts", '_mta-sts IN TXT "v=STSv1; id=20261128"'),
    "big.test": split_zone("big.test", "big"),
    # A delegation: the parent's server only refers to ns.child (glue 127.0.0.1); the child
    # zone lives on a second named on another port (--port reaches it, as in a split horizon).
    "parent.test": zone("parent.test", "child IN NS ns.child\nns.child IN A 127.0.0.1"),
    "dyn.test": zone("dyn.test", f"@ IN MX 0 dyn-test.{MS}."),
}


@pytest.fixture(scope="module")
def bind():
    require_bind()
    server = BindServer(ZONES, dynamic=("dyn.test",), broken=("broken.test",))
    with server:
        yield server


@pytest.fixture(scope="module")
def child_bind():
    """The delegated zone child.parent.test, served by a second named of its own."""
    require_bind()
    server = BindServer({"child.parent.test": split_zone("child.parent.test", "child")})
    with server:
        yield server


def check(capsys, bind, domain, tenant, *extra):
    code = main(["check", domain, "--tenant", tenant, "--nameserver", bind.nameserver, "--timeout", "3", "--json",
                 *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def by_id(rep, fid):
    """The finding with id ``fid`` (StopIteration, i.e. a failure, when it is absent)."""
    return next(f for f in rep["findings"] if f["id"] == fid)


def ids(rep, severity=None):
    return sorted({f["id"] for f in rep["findings"] if severity is None or f["severity"] == severity})


def test_correct_split(capsys, bind):
    code, rep = check(capsys, bind, "good.test", "good")
    assert code == 0, rep["findings"]
    assert rep["ok"] is True
    assert rep["published"] == [{"preference": 0, "exchange": f"good.{MS}"},
                                {"preference": 10, "exchange": f"good-test.{MS}"}]
    assert rep["expected"] == rep["published"]
    assert rep["addresses"][f"good.{MS}"] == {"ipv4": ["192.0.2.1"], "ipv6": []}
    assert rep["addresses"][f"good-test.{MS}"]["ipv6"]
    assert ids(rep, "error") == []
    assert ids(rep) == ["dual-stack-host-derived", "internet-nl-mx-aaaa"]  # info only
    ipv4_only = next(c for c in rep["simulation"] if c["profile"] == "ipv4-only" and c["auth"] == "unauthenticated")
    assert ipv4_only["attempts"][0]["preference"] == 0 and ipv4_only["outcome"] == "delivered"
    ipv6_only = next(c for c in rep["simulation"] if c["profile"] == "ipv6-only" and c["auth"] == "authenticated")
    assert ipv6_only["attempts"][0]["preference"] == 10 and ipv6_only["family"] == "ipv6"
    # no trailing dots anywhere in the JSON host names
    assert not any(h.endswith(".") for h in rep["addresses"])
    assert not any(r["exchange"].endswith(".") for r in rep["published"])


def test_text_output(capsys, bind):
    code = main(["check", "good.test", "--tenant", "good", "--nameserver", bind.nameserver])
    out = capsys.readouterr().out
    assert code == 0
    assert f"published  0 good.{MS}; 10 good-test.{MS}" in out
    assert "verdict: OK (exit 0)" in out


def test_tenant_host_with_aaaa(capsys, bind):
    code, rep = check(capsys, bind, "v6tenant.test", "v6tenant")
    assert code == 1
    finding = by_id(rep, "ipv4-host-has-aaaa")
    assert finding["severity"] == "error"
    assert "Disable-IPv6ForAcceptedDomain -Domain v6tenant.onmicrosoft.com" in finding["message"]


def test_tenant_host_with_aaaa_is_info_in_standard_mode(capsys, bind):
    # standard mode expects MX 0 -> domain host, so the published split is a mismatch (error)
    code, rep = check(capsys, bind, "v6tenant.test", "v6tenant", "--mode", "standard")
    finding = by_id(rep, "ipv4-host-has-aaaa")
    assert finding["severity"] == "info"
    assert "mx-mismatch" in ids(rep, "error")


def test_domain_host_without_aaaa(capsys, bind):
    code, rep = check(capsys, bind, "noaaaa.test", "noaaaa")
    assert code == 1
    finding = by_id(rep, "dual-stack-host-no-aaaa")
    assert finding["severity"] == "error"
    assert "Enable-IPv6ForAcceptedDomain -Domain noaaaa.test" in finding["message"]


def test_single_standard_mx_while_split_expected(capsys, bind):
    code, rep = check(capsys, bind, "single.test", "single")
    assert code == 1
    mismatch = by_id(rep, "mx-mismatch")
    assert mismatch["message"].startswith(f"expected 0 single.{MS}, 10 single-test.{MS}; published 0 single-test.{MS}")
    assert f"missing: 0 single.{MS}, 10 single-test.{MS}" in mismatch["message"]
    assert "split-complete" in ids(rep, "error")
    # the tenant host is checked even though it is not published
    assert f"single.{MS}" in rep["addresses"]


def test_same_domain_passes_in_standard_mode(capsys, bind):
    code, rep = check(capsys, bind, "single.test", "single", "--mode", "standard")
    assert code == 0, rep["findings"]


def test_extra_mx(capsys, bind):
    code, rep = check(capsys, bind, "extra.test", "extra")
    assert code == 1
    mismatch = by_id(rep, "mx-mismatch")
    assert "extra: 20 backup.extra.test" in mismatch["message"]
    assert "microsoft-hosts" in ids(rep, "warning")
    assert rep["addresses"]["backup.extra.test"] == {"ipv4": ["203.0.113.5"], "ipv6": []}


def test_null_mx(capsys, bind):
    code, rep = check(capsys, bind, "nullmx.test", "nullmx")
    assert code == 1
    assert "null-mx" in ids(rep, "error")
    assert rep["published"] == [{"preference": 0, "exchange": "."}]
    assert all(c["outcome"] == "bounced" for c in rep["simulation"])


def test_cname_target(capsys, bind):
    code, rep = check(capsys, bind, "cname.test", "cname")
    assert code == 1
    finding = by_id(rep, "mx-target-cname")
    assert finding["message"].startswith(f"MX target mx.cname.test is a CNAME to cname-test.{MS}")


def test_mta_sts_present(capsys, bind):
    code, rep = check(capsys, bind, "sts.test", "sts")
    assert code == 0  # a warning never changes the exit code
    finding = by_id(rep, "mta-sts-present")
    assert finding["severity"] == "warning"
    assert "policy not fetched: mta-sts.sts.test has no address" in finding["message"]


def test_nxdomain(capsys, bind):
    code, rep = check(capsys, bind, "nosuch.good.test", "nosuch")
    assert code == 1
    assert ids(rep) == ["nxdomain"]


def test_servfail_from_zone_that_failed_to_load(capsys, bind):
    code, rep = check(capsys, bind, "broken.test", "broken")
    assert code == 3
    finding = by_id(rep, "dns-error")
    assert "answered SERVFAIL" in finding["message"]
    assert rep["ok"] is False


def test_timeout_from_a_silent_server(capsys, bind):
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))  # bound, never read: every query times out
    try:
        port = silent.getsockname()[1]
        start = time.monotonic()
        code = main(["check", "good.test", "--tenant", "good", "--nameserver", f"127.0.0.1:{port}",
                     "--timeout", "0.8", "--json"])
        elapsed = time.monotonic() - start
    finally:
        silent.close()
    rep = json.loads(capsys.readouterr().out)
    assert code == 3
    assert "dns-error" in ids(rep)
    assert "within 0.8s" in by_id(rep, "dns-error")["message"]
    assert elapsed < 10  # lookups run concurrently, each bounded by --timeout


def test_truncated_answer_falls_back_to_tcp(bind):
    import asyncio

    from mxsplit_component import plan_mx
    from mxsplit_component.check.run import CheckOptions, check_plan
    from mxsplit_component.dns.nameservers import parse_nameserver
    from mxsplit_component.dns.transport import DnsClient

    async def run():
        async with DnsClient([parse_nameserver(bind.nameserver)], timeout=3) as client:
            rep = await check_plan(plan_mx(domain="big.test", tenant="big"), client, CheckOptions())
            return rep.to_json(), rep.exit_code, client.stats

    rep, code, stats = asyncio.run(run())
    assert code == 0, rep["findings"]
    assert len(rep["addresses"][f"big-test.{MS}"]["ipv6"]) == 81
    assert stats.tcp >= 1


def test_authoritative_follows_the_delegation(capsys, bind, child_bind):
    # Asking the parent's server gives a referral, not the child's MX set: a mismatch.
    code, rep = check(capsys, bind, "child.parent.test", "child")
    assert code == 1 and rep["published"] == []
    # --authoritative finds ns.child.parent.test through the referral (glue) and asks it on --port.
    code, rep = check(capsys, bind, "child.parent.test", "child", "--authoritative", "--port", str(child_bind.port))
    assert code == 0, rep["findings"]
    assert rep["published"][1] == {"preference": 10, "exchange": f"child-parent-test.{MS}"}


def test_wait_sees_a_dynamic_update(capsys, bind):
    def publish_split():
        time.sleep(1.0)
        update = dns.update.UpdateMessage("dyn.test")
        update.replace("@", 60, "MX", f"0 dyn.{MS}.")
        update.add("@", 60, "MX", f"10 dyn-test.{MS}.")
        reply = dns.query.tcp(update, "127.0.0.1", port=bind.port, timeout=5)
        assert reply.rcode() == 0

    # Without waiting, the standard MX is still published.
    code, _ = check(capsys, bind, "dyn.test", "dyn")
    assert code == 1
    writer = threading.Thread(target=publish_split)
    writer.start()
    start = time.monotonic()
    code, rep = check(capsys, bind, "dyn.test", "dyn", "--wait", "15")
    writer.join()
    assert code == 0, rep["findings"]
    assert time.monotonic() - start < 10
    assert [r["preference"] for r in rep["published"]] == [0, 10]


def test_wait_gives_up(capsys, bind):
    start = time.monotonic()
    code, rep = check(capsys, bind, "single.test", "single", "--wait", "1.5")
    assert code == 1 and "mx-mismatch" in ids(rep)
    assert 1.0 <= time.monotonic() - start < 8


def test_bulk_with_a_bad_row(capsys, bind, tmp_path):
    csv_file = tmp_path / "domains.csv"
    csv_file.write_text("domain,tenant,mode\n"
                        "good.test,good,\n"
                        "bad_domain.test,good,\n"
                        "single.test,single,standard\n"
                        "noaaaa.test,noaaaa,\n")
    code = main(["check", "--file", str(csv_file), "--nameserver", bind.nameserver, "--json", "--timeout", "3"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["domain"] for r in lines] == ["good.test", "bad_domain.test", "single.test", "noaaaa.test"]
    assert lines[0]["ok"] is True and lines[2]["ok"] is True
    assert lines[1]["ok"] is False and "domain 'bad_domain.test'" in lines[1]["error"]
    assert lines[3]["ok"] is False
    assert code == 2  # the highest row code: a malformed row counts 2


def test_bulk_summary_table(capsys, bind, tmp_path):
    csv_file = tmp_path / "domains.csv"
    csv_file.write_text("domain,tenant\ngood.test,good\nnoaaaa.test,noaaaa\n")
    code = main(["check", "--file", str(csv_file), "--nameserver", bind.nameserver])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].split()[:2] == ["domain", "verdict"]
    assert out[1].split() == ["good.test", "ok"]
    assert out[2].split()[:2] == ["noaaaa.test", "FAIL"] and "dual-stack-host-no-aaaa" in out[2]
    # The totals per finding and per tenant, then the last line.
    assert out[3:] == ["findings: dual-stack-host-no-aaaa 1, dual-stack-host-derived 2, internet-nl-mx-aaaa 1",
                       "tenant good: 1 OK, 0 with errors, 0 could not check, 0 bad rows",
                       "tenant noaaaa: 0 OK, 1 with errors, 0 could not check, 0 bad rows",
                       "checked 2 rows: 1 OK, 1 with errors, 0 could not check, 0 bad rows"]


def test_bulk_bad_header(capsys, tmp_path):
    csv_file = tmp_path / "domains.csv"
    csv_file.write_text("name,tenant\ncontoso.com,contoso\n")
    code = main(["check", "--file", str(csv_file), "--nameserver", "127.0.0.1:9"])
    assert code == 2
    assert "--file needs a header with domain, tenant" in capsys.readouterr().err


def test_free_port_helper_is_free():
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", port))


def test_no_mta_sts_skips_the_lookup(capsys, bind):
    code, rep = check(capsys, bind, "sts.test", "sts", "--no-mta-sts")
    assert code == 0 and "mta-sts-present" not in ids(rep)


def test_second_nameserver_answers_when_the_first_is_silent(capsys, bind):
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        code = main(["check", "good.test", "--tenant", "good", "--nameserver", f"127.0.0.1:{silent.getsockname()[1]}",
                     "--nameserver", bind.nameserver, "--timeout", "3", "--json"])
    finally:
        silent.close()
    rep = json.loads(capsys.readouterr().out)
    assert code == 0, rep["findings"]
    assert [r["preference"] for r in rep["published"]] == [0, 10]
