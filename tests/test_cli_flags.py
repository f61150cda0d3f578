"""Every flag of every command, in every mode: used or refused, never silently ignored.

*Used* means observable: the run with the flag shows something (output, a file written,
the DNS questions or Graph requests made, the exit code) that the mode's plain run does not.
*Refused* means exit 2 before anything is sent, with a message naming the flag and the flag
or mode it clashes with. The flags come from the parser, so a new flag without rows here
fails :func:`test_every_flag_has_a_row_in_every_mode`.

The servers are stand-ins on loopback: a DNS server that logs every question (and can hold
its replies back), a second one as the zone's authoritative server, and Graph.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.message
import dns.rdatatype
import dns.reversename
import pytest

from mxsplit_component.cli import main
from mxsplit_component.cli.parser import build_parser
from mxsplit_component.testing.graph import TOKEN, GraphStandIn, contoso
from tests.support.dnsfaults import FaultServer, free_port_on

MS = "mail.protection.outlook.com"
SENDER_IP = "2001:db8::25"
ZONE = {
    "contoso.com.": [f"MX 0 contoso.{MS}.", f"MX 10 contoso-com.{MS}.", "NS ns.contoso.com."],
    "ns.contoso.com.": ["A 127.0.0.1"],
    "_mta-sts.contoso.com.": ['TXT "v=STSv1; id=1"'],
    "fabrikam.com.": [f"MX 0 fabrikam.{MS}.", f"MX 10 fabrikam-com.{MS}."],
    **{f"{t}.{MS}.": ["A 127.0.0.2"] for t in ("contoso", "fabrikam")},
    **{f"{t}-com.{MS}.": ["A 127.0.0.3", "AAAA ::1"] for t in ("contoso", "fabrikam")},
    dns.reversename.from_address(SENDER_IP).to_text(): ["PTR mail.example.net."],
    "mail.example.net.": [f"AAAA {SENDER_IP}", "A 192.0.2.25"],
    "example.net.": ['TXT "v=spf1 ip6:2001:db8::/64 -all"'],
    "rcpt.example.": [f"MX 0 contoso-com.{MS}."],
}
STACK = "config:\n  mxsplit:domains:\n    - domain: contoso.com\n    - domain: fabrikam.com\n"


class Recorder(FaultServer):
    """Answers from its records and logs each question: (arrival time, name, type);
    ``delay`` holds every reply back that many seconds."""

    def __init__(self, records: dict[str, list[str]], **kw: Any) -> None:
        super().__init__(records, **kw)
        self.log: list[tuple[float, str, str]] = []
        self.delay = 0.0

    def replies(self, query: dns.message.Message, data: bytes) -> list[tuple[float, bytes, bool]]:
        q = query.question[0]
        self.log.append((time.monotonic(), q.name.to_text().lower(), dns.rdatatype.to_text(q.rdtype)))
        if self.delay:
            return [(self.delay, self.answer(query).to_wire(), False)]
        return super().replies(query, data)


@dataclass
class Run:
    code: int
    out: str
    err: str
    dns: list[tuple[float, str, str]]
    auth: list[tuple[float, str, str]]
    graph: list[str]
    files: dict[str, str]
    #: The Authorization header of each Graph request.
    graph_auth: list[str | None]

    @property
    def text(self) -> str:
        """Everything the run wrote: stdout and the files of --out-dir."""
        return self.out + "".join(self.files.values())

    def asked(self, name: str, rdtype: str, log: str = "dns") -> int:
        return sum(1 for _, n, t in getattr(self, log) if n == name and t == rdtype)


# -- expectations -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Used:
    """The flag's effect: ``check`` holds for the run with it, and not for the mode's plain run."""

    check: Callable[[Run], bool]
    #: Replaces the row's arguments in this mode.
    args: tuple[str, ...] | None = None
    #: Seconds the DNS server holds each reply back.
    delay: float = 0.0
    #: MXSPLIT_GRAPH_TOKEN is set (Graph needs no sign-in).
    token: bool = True


@dataclass(frozen=True)
class Refused:
    """Exit 2, nothing sent, and ``names`` in the message (default: the row's flag and ``other``)."""

    other: str
    args: tuple[str, ...] | None = None
    names: tuple[str, ...] = ()
    token: bool = True


#: The flag is part of the mode itself (its plain run shows it working).
MODE = "mode"
Expect = Used | Refused | str

MODES = {
    "plan": {"single": ("plan", "contoso.com", "--tenant", "contoso"),
             "json": ("plan", "contoso.com", "--tenant", "contoso", "--json"),
             "format": ("plan", "contoso.com", "--tenant", "contoso", "--format", "zone"),
             "file": ("plan", "--file", "{csv}", "--format", "zone", "--out-dir", "{out}")},
    "check": {"single": ("check", "contoso.com", "--tenant", "contoso", "--nameserver", "{ns}"),
              "json": ("check", "contoso.com", "--tenant", "contoso", "--nameserver", "{ns}", "--json"),
              "file": ("check", "--file", "{csv}", "--nameserver", "{ns}")},
    "hosts": {"single": ("hosts", "contoso.com"),
              "json": ("hosts", "contoso.com", "--json"),
              "file": ("hosts", "--file", "{hosts_csv}"),
              "stack": ("hosts", "--stack", "dev", "--cwd", "{stack_dir}")},
    "sender": {"single": ("sender", "--ip", SENDER_IP, "--from", "example.net", "--nameserver", "{ns}"),
               "json": ("sender", "--ip", SENDER_IP, "--from", "example.net", "--nameserver", "{ns}", "--json")},
}


def every(command: str, expect: Expect, **per_mode: Expect) -> dict[str, Expect]:
    return {mode: per_mode.get(mode, expect) for mode in MODES[command]}


@dataclass(frozen=True)
class Row:
    args: tuple[str, ...]
    expect: dict[str, Expect]


def is_json(r: Run) -> bool:
    """One JSON object, or one per line."""
    try:
        return isinstance(json.loads(r.out), dict)
    except ValueError:
        pass
    try:
        return bool(r.out.strip()) and all(isinstance(json.loads(line), dict) for line in r.out.splitlines())
    except ValueError:
        return False


def min_gap(log: list[tuple[float, str, str]]) -> float:
    times = [t for t, _, _ in log]
    return min((b - a for a, b in zip(times, times[1:], strict=False)), default=0.0)


def rows_one_after_the_other(r: Run) -> bool:
    """Every question about contoso.com's row came before the first about fabrikam.com's."""
    names = [n for _, n, _ in r.dns]
    last = max((i for i, n in enumerate(names) if "contoso" in n), default=-1)
    first = min((i for i, n in enumerate(names) if "fabrikam" in n), default=-1)
    return 0 <= last < first


def mx_gap(r: Run) -> float:
    """Seconds between the MX questions of the two domains (a lookup at a time: one delay)."""
    times = {n: t for t, n, q in r.dns if q == "MX"}
    return abs(times.get("fabrikam.com.", 0) - times.get("contoso.com.", 0)) if len(times) == 2 else 0.0


GRAPH = ("--graph", "--graph-url", "{graph}")
PUBLISHED = ("--published", "--nameserver", "{ns}")
AUTHORITATIVE = ("--authoritative", "--port", "{auth_port}")
DEVICE_CODE = Used(lambda r: "FAKE-CODE" in r.err and bool(r.graph), args=(*GRAPH, "--device-code"), token=False)
#: With no token, the sign-in fails; -v shows azure-identity's account of why (FakeFailedSignIn).
VERBOSE = Used(lambda r: "azure-identity: EnvironmentCredential: not configured" in r.err, token=False)
TOKENS = ("--graph-tokens", "{tokens}")
#: Graph answered with the file's token (no other credential is there): its hosts are in the output.
BY_TOKEN_FILE = Used(lambda r: bool(r.graph) and set(r.graph_auth) == {f"Bearer {TOKEN}"}, token=False)
SLOW, SHORT = 0.3, "0.1"
#: 21Vianet derives no host: a row without one is refused naming the cloud.
CHINA = ("--cloud", "china", "--dual-stack-host", "contoso-com.mail.protection.partner.outlook.cn")


def in_china(r: Run) -> bool:
    return "partner.outlook.cn" in r.text or "'china'" in r.out + r.err


def plan_rows() -> dict[str, list[Row]]:
    c = "plan"
    one_domain = Refused("--file")
    mx = Refused("--format")  # with --format zone|dnscontrol|octodns: only the records
    return {
        "--tenant": [Row(("--tenant", "fabrikam"), every(c, Used(lambda r: f"fabrikam.{MS}" in r.text),
                                                         file=one_domain))],
        "--mode": [Row(("--mode", "standard"), every(c, Used(lambda r: f"IN MX 0 contoso-com.{MS}." in r.text)))],
        "--dual-stack-host": [Row(("--dual-stack-host", f"contoso-com01b.{MS}"),
                                  every(c, Used(lambda r: "contoso-com01b" in r.text), file=one_domain))],
        "--ipv4-only-host": [Row(("--ipv4-only-host", f"contosoedge.{MS}"),
                                 every(c, Used(lambda r: "contosoedge" in r.text), file=one_domain))],
        "--primary-priority": [Row(("--primary-priority", "5"), every(c, Used(lambda r: "IN MX 5 " in r.text)))],
        "--secondary-priority": [Row(("--secondary-priority", "20"), every(c, Used(lambda r: "IN MX 20 " in r.text)))],
        "--ttl": [Row(("--ttl", "600"), every(c, Used(lambda r: " 600 IN MX " in r.text)))],
        "--cloud": [Row(CHINA, every(c, Used(in_china), file=Used(in_china, args=("--cloud", "china"))))],
        "--provider": [Row(("--provider", "route53"), every(
            c, Used(lambda r: "aws:route53" in r.out),
            # The records only: the provider checks it can publish them (Cloudflare's TTL floor).
            format=Used(lambda r: r.code == 2 and "Cloudflare" in r.err, args=("--provider", "cloudflare", "--ttl", "30")),
            file=Used(lambda r: r.code == 2 and "Cloudflare" in r.err, args=("--provider", "cloudflare", "--ttl", "30"))))],
        # A backend setting shows in the resources --provider lists (the zone "com" holds contoso.com too).
        **{flag: [Row(("--provider", provider, flag, value),
                      every(c, Used(lambda r, v=value: f'"{v}"' in r.out), format=mx, file=mx)),
                  Row((flag, value), every(c, Refused("--provider"), format=mx, file=mx))]
           for flag, provider, value in (("--resource-group", "azure", "dns-rg-7"), ("--zone-name", "azure", "com"),
                                         ("--zone-id", "route53", "Z0123456789ABC"),
                                         ("--managed-zone", "cloud-dns", "mz-contoso"), ("--project", "cloud-dns", "acme-77"))},
        "--name": [Row(("--provider", "route53", "--name", "mycomp"),
                       every(c, Used(lambda r: "mycomp-mx" in r.out), format=Refused("--format", names=("--name",)),
                             file=Refused("--file", names=("--name",)))),
                   Row(("--name", "mycomp"), every(c, Refused("--provider"), format=Refused("--format"),
                                                   file=Refused("--file")))],
        "--json": [Row(("--json",), every(c, Used(is_json), json=MODE, format=Refused("--format"),
                                          file=Refused("--format")))],
        "--format": [Row(("--format", "dnscontrol"), every(c, Used(lambda r: 'MX("@"' in r.out),
                                                           json=Refused("--json"), format=MODE, file=MODE))],
        "--adopt": [Row(("--adopt", "mx=Z0123456789ABC_contoso.com_MX"), every(
            c, Refused("--format"), file=Refused("--file"),
            format=Used(lambda r: '"import"' in r.out, args=("--format", "tf-json", "--provider", "route53", "--adopt",
                                                             "mx=Z0123456789ABC_contoso.com_MX"))))],
        "--file": [Row(("--file", "{csv}"), every(c, Refused("DOMAIN"), file=MODE))],
        "--out-dir": [Row(("--out-dir", "{out}"), every(c, Refused("--file"), file=MODE))],
        "--graph": [Row(GRAPH, every(c, Used(lambda r: bool(r.graph))))],
        "--graph-url": [Row(GRAPH, every(c, Used(lambda r: bool(r.graph)))),
                        Row(("--graph-url", "{graph}"), every(c, Refused("--graph")))],
        "--device-code": [Row(("--device-code",), every(c, Refused("--graph"))),
                          Row((*GRAPH, "--device-code"), every(c, DEVICE_CODE))],
        "--verbose": [Row(("--verbose",), every(c, Refused("--graph"))), Row((*GRAPH, "--verbose"), every(c, VERBOSE))],
        "--graph-tokens": [Row(TOKENS, every(c, Refused("--graph"))), Row((*GRAPH, *TOKENS), every(c, BY_TOKEN_FILE))],
        "--published": [Row(PUBLISHED, every(c, Used(lambda r: r.asked("contoso.com.", "MX") == 1)))],
        "--nameserver": [Row(("--nameserver", "{ns}"), every(c, Refused("--published"))),
                         Row(PUBLISHED, every(c, Used(lambda r: bool(r.dns))))],
        "--authoritative": [Row(("--authoritative",), every(c, Refused("--published"))),
                            Row((*PUBLISHED, *AUTHORITATIVE),
                                every(c, Used(lambda r: r.asked("contoso.com.", "MX", "auth") == 1)))],
        "--port": [Row(("--port", "{auth_port}"), every(c, Refused("--authoritative"))),
                   Row((*PUBLISHED, *AUTHORITATIVE), every(c, Used(lambda r: bool(r.auth))))],
        "--timeout": [Row(("--timeout", "3"), every(c, Refused("--published"))),
                      Row((*PUBLISHED, "--timeout", SHORT), every(c, Used(lambda r: r.code == 3, delay=SLOW)))],
    }


def check_rows() -> dict[str, list[Row]]:
    c = "check"
    one_domain = Refused("--file")
    mismatch = Used(lambda r: "mx-mismatch" in r.out)
    smtp = ("--smtp", "--smtp-port", "{smtp_port}")
    # The file's text rows show no probe: its JSON rows do.
    per_address = Used(lambda r: '"per_address":2' in r.out.replace(" ", "") or "2 per address" in r.out)
    per_network = Used(lambda r: '"per_network":1' in r.out.replace(" ", "") or "1 per /24" in r.out)
    return {
        "--tenant": [Row(("--tenant", "fabrikam"), every(c, mismatch, file=one_domain))],
        "--mode": [Row(("--mode", "standard"), every(c, mismatch))],
        "--dual-stack-host": [Row(("--dual-stack-host", f"contoso-com01b.{MS}"), every(c, mismatch, file=one_domain))],
        "--ipv4-only-host": [Row(("--ipv4-only-host", f"contosoedge.{MS}"), every(c, mismatch, file=one_domain))],
        "--primary-priority": [Row(("--primary-priority", "5"), every(c, mismatch))],
        "--secondary-priority": [Row(("--secondary-priority", "20"), every(c, mismatch))],
        "--cloud": [Row(CHINA, every(c, Used(in_china), file=Used(in_china, args=("--cloud", "china"))))],
        "--ttl": [Row(("--ttl", "600"), every(c, Refused("mxsplit plan")))],
        "--name": [Row(("--name", "mycomp"), every(c, Refused("mxsplit plan")))],
        "--nameserver": [Row(("--nameserver", "{ns}"), every(c, MODE))],
        "--authoritative": [Row(AUTHORITATIVE, every(c, Used(lambda r: r.asked("contoso.com.", "MX", "auth") >= 1)))],
        "--port": [Row(("--port", "{auth_port}"), every(c, Refused("--authoritative"))),
                   Row(AUTHORITATIVE, every(c, Used(lambda r: bool(r.auth))))],
        "--wait": [Row(("--wait", "0.3", "--mode", "standard"), every(c, Used(lambda r: r.asked("contoso.com.", "MX") >= 2)))],
        "--timeout": [Row(("--timeout", SHORT), every(c, Used(lambda r: r.code == 3, delay=SLOW)))],
        "--no-mta-sts-fetch": [Row(("--no-mta-sts-fetch",), every(c, Used(lambda r: not r.asked("mta-sts.contoso.com.", "A"))))],
        "--no-mta-sts": [Row(("--no-mta-sts",), every(c, Used(lambda r: not r.asked("_mta-sts.contoso.com.", "TXT")))),
                         Row(("--no-mta-sts", "--no-mta-sts-fetch"), every(c, Refused("--no-mta-sts-fetch")))],
        "--file": [Row(("--file", "{csv}"), every(c, Refused("DOMAIN"), file=MODE))],
        "--concurrency": [Row(("--concurrency", "1"), every(c, Refused("--file"), file=Used(rows_one_after_the_other)))],
        "--simulate": [Row(("--simulate",), every(c, Refused("DOMAIN"), file=Refused("--json"))),
                       Row(("--json", "--simulate"), every(c, Refused("DOMAIN"), file=Used(lambda r: '"simulation"' in r.out)))],
        "--fixed-window": [Row(("--fixed-window", "1"), every(c, Used(lambda r: len(r.dns) > 3 and min_gap(r.dns) > 0.04,
                                                                        delay=0.05)))],
        "--json": [Row(("--json",), every(c, Used(is_json), json=MODE))],
        "--smtp": [Row(smtp, every(c, Used(lambda r: "SMTP (port" in r.out or "\"smtp\": {" in r.out or " smtp-" in r.out)))],
        "--smtp-port": [Row(("--smtp-port", "{smtp_port}"), every(c, Refused("--smtp"))),
                        Row(smtp, every(c, Used(lambda r: "{smtp_port}" in r.out or "smtp-" in r.out)))],
        # The caps show where the probes are reported; test_fleet.py shows them capping sessions.
        "--smtp-per-address": [Row(("--smtp-per-address", "2"), every(c, Refused("--smtp"))),
                               Row((*smtp, "--smtp-per-address", "2"), every(c, per_address, file=Used(
                                   per_address.check, args=(*smtp, "--smtp-per-address", "2", "--json"))))],
        "--smtp-per-network": [Row(("--smtp-per-network", "1"), every(c, Refused("--smtp"))),
                               Row((*smtp, "--smtp-per-network", "1"), every(c, per_network, file=Used(
                                   per_network.check, args=(*smtp, "--smtp-per-network", "1", "--json"))))],
        "--baseline": [Row(("--baseline", "{baseline}"), every(c, Refused("--file"), file=Used(
            lambda r: "finding-resolved" in r.out and "changes: domain-new" in r.out)))],
        "--summary": [Row(("--summary", "{summary}"), every(c, Refused("--file"), file=Used(
            lambda r: "| OK | 2 |" in r.files.get("summary.md", ""))))],
        "--graph": [Row(GRAPH, every(c, Used(lambda r: bool(r.graph))))],
        "--graph-url": [Row(GRAPH, every(c, Used(lambda r: bool(r.graph)))),
                        Row(("--graph-url", "{graph}"), every(c, Refused("--graph")))],
        "--device-code": [Row(("--device-code",), every(c, Refused("--graph"))),
                          Row((*GRAPH, "--device-code"), every(c, DEVICE_CODE))],
        "--verbose": [Row(("--verbose",), every(c, Refused("--graph"))), Row((*GRAPH, "--verbose"), every(c, VERBOSE))],
        "--graph-tokens": [Row(TOKENS, every(c, Refused("--graph"))), Row((*GRAPH, *TOKENS), every(c, BY_TOKEN_FILE))],
        "--published": [Row(("--published",), every(c, Used(lambda r: r.asked("contoso.com.", "MX") == 2)))],
    }


def hosts_rows() -> dict[str, list[Row]]:
    c = "hosts"
    given = Refused("--file")
    on_stack = Refused("--stack")
    return {
        "--tenant": [Row(("--tenant", "fabrikam"), every(c, Used(lambda r: f"fabrikam.{MS}" in r.out)))],
        "--dual-stack-host": [Row(("--dual-stack-host", f"contoso-com01b.{MS}"),
                                  every(c, Used(lambda r: "contoso-com01b" in r.out), file=given, stack=on_stack))],
        "--ipv4-only-host": [Row(("--ipv4-only-host", f"contosoedge.{MS}"),
                                 every(c, Used(lambda r: "contosoedge" in r.out), file=given, stack=on_stack))],
        "--cloud": [Row(("--cloud", "china"), every(c, Used(lambda r: "china" in r.out)))],
        "--graph": [Row(GRAPH, every(c, Used(lambda r: bool(r.graph))))],
        "--graph-url": [Row(GRAPH, every(c, Used(lambda r: bool(r.graph)))),
                        Row(("--graph-url", "{graph}"), every(c, Refused("--graph")))],
        "--device-code": [Row(("--device-code",), every(c, Refused("--graph"))),
                          Row((*GRAPH, "--device-code"), every(c, DEVICE_CODE))],
        "--verbose": [Row(("--verbose",), every(c, Refused("--graph"))), Row((*GRAPH, "--verbose"), every(c, VERBOSE))],
        "--graph-tokens": [Row(TOKENS, every(c, Refused("--graph"))), Row((*GRAPH, *TOKENS), every(c, BY_TOKEN_FILE))],
        "--published": [Row(PUBLISHED, every(c, Used(lambda r: r.asked("contoso.com.", "MX") == 1)))],
        "--nameserver": [Row(("--nameserver", "{ns}"), every(c, Refused("--published"))),
                         Row(PUBLISHED, every(c, Used(lambda r: bool(r.dns))))],
        "--authoritative": [Row(("--authoritative",), every(c, Refused("--published"))),
                            Row((*PUBLISHED, *AUTHORITATIVE),
                                every(c, Used(lambda r: r.asked("contoso.com.", "MX", "auth") == 1)))],
        "--port": [Row(("--port", "{auth_port}"), every(c, Refused("--authoritative"))),
                   Row((*PUBLISHED, *AUTHORITATIVE), every(c, Used(lambda r: bool(r.auth))))],
        "--timeout": [Row(("--timeout", "3"), every(c, Refused("--published"))),
                      Row((*PUBLISHED, "--timeout", SHORT), every(c, Used(lambda r: r.code == 3, delay=SLOW)))],
        "--file": [Row(("--file", "{hosts_csv}"), every(c, Refused("DOMAIN"), file=MODE, stack=Refused("--stack")))],
        "--concurrency": [Row((*PUBLISHED, "--concurrency", "1"), every(
            c, Used(lambda r: mx_gap(r) > SLOW * 0.8, delay=SLOW), single=Refused("DOMAIN", names=("--concurrency",)),
            json=Refused("DOMAIN", names=("--concurrency",))))],
        "--stack": [Row(("--stack", "dev", "--cwd", "{stack_dir}"), every(c, Refused("DOMAIN"), file=Refused("--file"),
                                                                          stack=MODE))],
        "--cwd": [Row(("--cwd", "{stack_dir}"), every(c, Refused("--stack"), stack=MODE))],
        "--dry-run": [Row(("--dry-run",), every(c, Refused("--stack"), stack=Refused("--published"))),
                      Row((*PUBLISHED, "--dry-run"), every(c, Refused("--stack"),
                                                           stack=Used(lambda r: "would set" in r.err)))],
        "--summary": [Row(("--summary", "{summary}"), every(c, Refused("--file"), file=Used(
            lambda r: "| unresolved | 2 |" in r.files.get("summary.md", ""))))],
        "--json": [Row(("--json",), every(c, Used(is_json), json=MODE))],
    }


def sender_rows() -> dict[str, list[Row]]:
    c = "sender"
    return {
        "--ip": [Row(("--ip", SENDER_IP), every(c, MODE))],
        "--from": [Row(("--from", "example.net"), every(c, MODE))],
        "--helo": [Row(("--helo", "helo.example.org"), every(c, Used(lambda r: r.asked("helo.example.org.", "A") == 1)))],
        "--to": [Row(("--to", "rcpt.example"), every(c, Used(lambda r: r.asked("rcpt.example.", "MX") == 1)))],
        "--nameserver": [Row(("--nameserver", "{ns}"), every(c, MODE))],
        "--timeout": [Row(("--timeout", SHORT), every(c, Used(lambda r: r.code == 3, delay=SLOW)))],
        "--json": [Row(("--json",), every(c, Used(is_json), json=MODE))],
    }


ROWS = {"plan": plan_rows(), "check": check_rows(), "hosts": hosts_rows(), "sender": sender_rows()}
CASES = [pytest.param(command, flag, i, mode, id=f"{command}-{mode}-{flag}-{i}")
         for command, flags in ROWS.items() for flag, rows in flags.items() for i, row in enumerate(rows)
         for mode in row.expect]


def test_every_flag_has_a_row_in_every_mode():
    parser = build_parser()
    for command, sub in parser.commands.items():
        assert set(ROWS[command]) == set(sub.flags.values()), command
        for flag, rows in ROWS[command].items():
            for row in rows:
                assert set(row.expect) == set(MODES[command]), (command, flag)


# -- the stand-ins ----------------------------------------------------------------------------

@dataclass
class Env:
    dns: Recorder
    auth: Recorder
    graph: GraphStandIn
    root: Path
    values: dict[str, str]
    base: dict[tuple[str, str], Run]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("flags")
    (root / "d.csv").write_text("domain,tenant\ncontoso.com,contoso\nfabrikam.com,fabrikam\n")
    (root / "h.csv").write_text("domain\ncontoso.com\nfabrikam.com\n")
    (root / "stack").mkdir()
    (root / "tokens.csv").write_text(f"tenant,token\ncontoso,{TOKEN}\n")
    (root / "tokens.csv").chmod(0o600)
    (root / "last.jsonl").write_text('{"domain": "contoso.com", "ok": false, "findings": [{"id": "mx-mismatch", '
                                     '"severity": "error", "message": "x"}]}\n')
    with Recorder(ZONE) as resolver, Recorder(ZONE) as auth, GraphStandIn() as graph:
        contoso(graph)
        values = {"ns": resolver.nameserver, "auth_port": str(auth.port), "graph": graph.url,
                  "csv": str(root / "d.csv"), "hosts_csv": str(root / "h.csv"), "out": str(root / "out"),
                  "stack_dir": str(root / "stack"), "smtp_port": str(free_port_on("127.0.0.1", "127.0.0.2", "127.0.0.3")),
                  "tokens": str(root / "tokens.csv"), "baseline": str(root / "last.jsonl"),
                  "summary": str(root / "summary.md")}
        yield Env(resolver, auth, graph, root, values, {})


class FakeDeviceCode:
    """azure-identity's DeviceCodeCredential, as far as mxsplit uses it: shows the prompt, gives the token."""

    def __init__(self, *, authority: str, prompt_callback: Callable[[str, str, Any], None]) -> None:
        self.prompt = prompt_callback

    def get_token(self, *scopes: str) -> Any:
        self.prompt("https://microsoft.com/devicelogin", "FAKE-CODE", None)
        return types.SimpleNamespace(token=TOKEN, expires_on=time.time() + 3600)


class FakeFailedSignIn:
    """DefaultAzureCredential where no sign-in method works: it logs why, then raises."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        import logging

        logging.getLogger("azure.identity").warning("EnvironmentCredential: not configured")
        raise RuntimeError("DefaultAzureCredential failed to retrieve a token from the included credentials.\nmore")


def run(env: Env, argv: tuple[str, ...], capsys, monkeypatch, *, delay: float = 0.0, token: bool = True) -> Run:
    shutil.rmtree(env.root / "out", ignore_errors=True)
    (env.root / "summary.md").unlink(missing_ok=True)
    (env.root / "stack" / "Pulumi.dev.yaml").write_text(STACK)
    # --verbose adds a handler to azure-identity's logger for the rest of the process: undo it after the test.
    signin = logging.getLogger("azure.identity")
    monkeypatch.setattr(signin, "handlers", list(signin.handlers))
    if token:
        monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", TOKEN)
    else:
        monkeypatch.delenv("MXSPLIT_GRAPH_TOKEN", raising=False)
        monkeypatch.setattr("azure.identity.DeviceCodeCredential", FakeDeviceCode)
        monkeypatch.setattr("azure.identity.DefaultAzureCredential", FakeFailedSignIn)
    env.dns.log.clear(), env.auth.log.clear(), env.graph.requests.clear()
    env.dns.delay = delay
    try:
        code = main([a.format(**env.values) for a in argv])
    except SystemExit as exc:  # argparse's own refusals
        code = int(exc.code or 0)
    finally:
        env.dns.delay = 0.0
    out, err = capsys.readouterr()
    time.sleep(delay)  # replies still held back must not land in the next run's log
    files = {p.name: p.read_text() for p in (env.root / "out").glob("*")} if (env.root / "out").is_dir() else {}
    if (env.root / "summary.md").exists():
        files["summary.md"] = (env.root / "summary.md").read_text()
    return Run(code, out, err, list(env.dns.log), list(env.auth.log), [p for p, _ in env.graph.requests], files,
               [a for _, a in env.graph.requests])


@pytest.mark.parametrize("command, flag, index, mode", CASES)
def test_flag_is_used_or_refused(env, capsys, monkeypatch, command, flag, index, mode):
    row = ROWS[command][flag][index]
    expect = row.expect[mode]
    base_argv = MODES[command][mode]
    if (command, mode) not in env.base:
        env.base[command, mode] = run(env, base_argv, capsys, monkeypatch)
    base = env.base[command, mode]
    assert base.code in (0, 1), (base_argv, base.err)  # the mode works on its own
    if expect == MODE:
        return
    assert isinstance(expect, Used | Refused)
    args = expect.args if expect.args is not None else row.args
    if isinstance(expect, Refused):
        r = run(env, (*base_argv, *args), capsys, monkeypatch, token=expect.token)
        assert r.code == 2, (r.code, r.out, r.err)
        for name in expect.names or (flag, expect.other):
            assert name in r.err, (name, r.err)
        assert (r.out, r.dns, r.auth, r.graph) == ("", [], [], [])  # refused before anything was sent
        return
    r = run(env, (*base_argv, *args), capsys, monkeypatch, delay=expect.delay, token=expect.token)
    assert expect.check(r), (r.code, r.out[-2000:], r.err[-2000:], r.dns[:20])
    assert not expect.check(base), "the plain run already shows this: the row proves nothing"
