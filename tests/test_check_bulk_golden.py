"""``check --file`` output is byte-identical to what the code printed before the transport and
bulk loop were reworked for speed.

The golden files were written by this module's ``__main__`` at the commit before that work;
the zone set covers what the fast paths touch: compressed names, IPv6 spellings (zero runs,
mapped and compatible IPv4), CNAMEs, DNS64, TXT, NXDOMAIN, SERVFAIL, a silent host, extra MX
hosts, non-ASCII names and rows that cannot be read.

Regenerate (only when the output is meant to change): ``python -m tests.test_check_bulk_golden``.
"""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from mxsplit_component.cli import main
from tests.support.dnsfaults import FaultServer

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "bulk_golden"
MS = "mail.protection.outlook.com"


def _split(domain: str, tenant: str, *, v4: tuple[str, ...] = ("A 192.0.2.1",),
           ds: tuple[str, ...] = ("A 198.51.100.1", "AAAA 2001:db8::1")) -> dict[str, list[str]]:
    token = domain.replace(".", "-")
    return {f"{domain}.": [f"MX 0 {tenant}.{MS}.", f"MX 10 {token}.{MS}."], f"{tenant}.{MS}.": list(v4),
            f"{token}.{MS}.": list(ds)}


IPV6_SPELLINGS = ("2001:db8::1", "2001:db8:0:1::", "::ffff:192.0.2.1", "2001:db8:0:0:1:0:0:1", "fe80::",
                  "2001:db8:1:2:3:4:5:6", "2001:0:0:1:0:0:0:1", "::192.0.2.1", "::1:0", "1::", "0:1::1:0:0:0",
                  "2001:DB8:A::B")

ZONE: dict[str, list[str]] = {
    **_split("alpha.test", "alpha"),
    **_split("upper.test", "upper"),
    **_split("v6.test", "v6", ds=("A 198.51.100.7", *(f"AAAA {a}" for a in IPV6_SPELLINGS))),
    **_split("multi.test", "multi", v4=("A 192.0.2.9", "A 192.0.2.3", "A 192.0.2.5")),
    **_split("v4aaaa.test", "v4aaaa", v4=("A 192.0.2.1", "AAAA 2001:db8::77")),
    **_split("noaaaa.test", "noaaaa", ds=("A 198.51.100.1",)),
    **_split("dns64.test", "dns64", v4=("A 192.0.2.1", "AAAA 64:ff9b::c000:201")),
    **_split("sts.test", "sts"),
    "_mta-sts.sts.test.": ['TXT "v=STSv1; id=20240101"', 'TXT "unrelated"'],
    **_split("broken.test", "broken"),
    **_split("quiet.test", "quiet"),
    "mismatch.test.": [f"MX 0 mismatch.{MS}."],
    f"mismatch.{MS}.": ["A 192.0.2.1"],
    **_split("extra.test", "extra"),
    "null.test.": ["MX 0 ."],
    "cname.test.": ["MX 0 alias.cname.test.", f"MX 10 cname-test.{MS}."],
    "alias.cname.test.": [f"CNAME cname.{MS}."],
    f"cname.{MS}.": ["A 192.0.2.44"],
    f"cname-test.{MS}.": ["A 198.51.100.44", "AAAA 2001:db8::44"],
    "xn--bcher-kva.test.": [f"MX 0 buecher.{MS}.", f"MX 10 buecher-host.{MS}."],
    f"buecher.{MS}.": ["A 192.0.2.1"],
    f"buecher-host.{MS}.": ["A 198.51.100.8", "AAAA 2001:db8::8"],
    "given.test.": [f"MX 0 given.{MS}.", f"MX 10 given-host.{MS}."],
    f"given.{MS}.": ["A 192.0.2.1"],
    f"given-host.{MS}.": ["A 198.51.100.9", "AAAA 2001:db8::9"],
}
ZONE["extra.test."] = [*ZONE["extra.test."], "MX 20 backup.extra.test."]
ZONE["backup.extra.test."] = ["A 203.0.113.5", "AAAA 2001:db8:ffff::5"]

CSV = ("domain,tenant,dual_stack_host,ipv4_only_host,mode\r\n"
       "alpha.test,alpha,,,\r\n"
       "Upper.TEST.,upper,,,\r\n"
       "v6.test,v6,,,\r\n"
       "multi.test,multi,,,\r\n"
       "v4aaaa.test,v4aaaa,,,\r\n"
       "noaaaa.test,noaaaa,,,\r\n"
       "dns64.test,dns64,,,\r\n"
       "sts.test,sts,,,\r\n"
       "broken.test,broken,,,\r\n"
       "quiet.test,quiet,,,\r\n"
       "mismatch.test,mismatch,,,\r\n"
       "extra.test,extra,,,\r\n"
       "null.test,null,,,\r\n"
       "cname.test,cname,,,\r\n"
       "nowhere.test,nowhere,,,\r\n"
       f"bücher.test,buecher,buecher-host.{MS},,\r\n"
       f"given.test,given,given-host.{MS},,\r\n"
       "alpha.test,alpha,,,standard\r\n"
       "bad_domain,alpha,,,\r\n"
       "alpha.test,,,,\r\n"
       "\"unterminated,alpha\r\n").encode() + b"b\xe9ta.test,beta,,,\r\n"

#: (golden file, extra flags): the bulk defaults, and the simulation with the MTA-STS lookup.
RUNS = (("json.jsonl", ("--json", "--no-mta-sts")),
        ("json-simulate.jsonl", ("--json", "--simulate", "--no-mta-sts-fetch")),
        ("text.txt", ("--no-mta-sts",)))


def behaviour(query):
    name = query.question[0].name.to_text()
    if name.startswith("broken-test."):
        return ["servfail"]
    if name.startswith("quiet."):
        return ["silent"]
    return ["ok"]


def run_all(tmp: Path) -> dict[str, str]:
    """Each run's output, the server's address written as NAMESERVER (its port varies)."""
    csv_file = tmp / "golden.csv"
    csv_file.write_bytes(CSV)
    out: dict[str, str] = {}
    with FaultServer(ZONE, behaviour) as server:
        for name, flags in RUNS:
            buffer = io.StringIO()
            with redirect_stdout(buffer):
                main(["check", "--file", str(csv_file), "--nameserver", server.nameserver, "--timeout", "1",
                      "--concurrency", "4", *flags])
            out[name] = buffer.getvalue().replace(server.nameserver, "NAMESERVER")
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The three runs, done once (they share one server and take seconds)."""
    return run_all(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("name", [name for name, _ in RUNS])
def test_bulk_output_is_byte_identical_to_the_golden_file(outputs, name):
    assert outputs[name] == (GOLDEN / name).read_text()


if __name__ == "__main__":
    import tempfile

    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        for file, text in run_all(Path(d)).items():
            (GOLDEN / file).write_text(text)
            print(f"wrote {GOLDEN / file} ({len(text.splitlines())} lines)", file=sys.stderr)
