"""One ``--file`` reader: every bad-file case behaves the same through every command that takes ``--file``.

``check --file`` (against a DNS stand-in that publishes the split), ``plan --file --format
zone --out-dir`` and ``hosts --file`` (given and derived hosts, no network) each read the
same file; their outcomes are reduced to (exit code, rows done, row errors by line) or
(exit 2, the usage error) and must be equal.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mxsplit_component.cli import main
from tests.support.dnsfaults import FaultServer
from tests.test_check_bulk import ZONE

NOT_UTF8 = "line 3 is not UTF-8 (byte 0x92 at column 2); save the file as UTF-8"
NUL = "line 2 has a NUL byte (column 3); save the file as CSV UTF-8 (is it UTF-16?)"

#: case -> (file bytes, expected (exit code, domains done, {line: error}) or (2, usage error fragment))
CASES: dict[str, tuple[bytes, tuple[int, object, object]]] = {
    "utf8-bom": (b"\xef\xbb\xbfdomain,tenant\nalpha.test,alpha\n", (0, ["alpha.test"], {})),
    "windows-1252-byte": (b"domain,tenant\nalpha.test,alpha\nb\x92ta.test,beta\n", (2, ["alpha.test"], {3: NOT_UTF8})),
    "nul-byte": (b"domain,tenant\nal\x00pha.test,alpha\nbeta.test,beta\n", (2, ["beta.test"], {2: NUL})),
    "crlf": (b"domain,tenant\r\nalpha.test,alpha\r\nbeta.test,beta\r\n", (0, ["alpha.test", "beta.test"], {})),
    "header-only": (b"domain,tenant\n", (0, [], {})),
    "no-header": (b"alpha.test,alpha\n", (2, "--file needs a header with domain", None)),
    "unknown-column": (b"domain,tenant,colour\nalpha.test,alpha,blue\n", (2, "--file has an unknown column 'colour'", None)),
    "duplicate-column": (b"domain,tenant,tenant\nalpha.test,alpha,alpha\n", (2, "--file names the column 'tenant' twice",
                                                                              None)),
    "huge-field": (b"domain,tenant\nalpha.test," + b"x" * 10_000_000 + b"\nbeta.test,beta\n",
                   (2, ["beta.test"], {2: "line 2 is longer than 4096 bytes"})),
    "many-empty-lines": (b"domain,tenant\n" + b"\r\n" * 300_000 + b"gamma.test,gamma\n", (0, ["gamma.test"], {})),
    "utf-16": ("domain,tenant\nalpha.test,alpha\n".encode("utf-16"), (2, "--file is UTF-16", None)),
    "missing-file": (b"", (2, "No such file or directory", None)),
    # Excel in many European locales saves "CSV" with semicolons: say so, rather than "missing: domain".
    "semicolon-separated": (b"domain;tenant\nalpha.test;alpha\n",
                            (2, "(the header 'domain;tenant' is one column: separated by ';', not commas; save the "
                                "file as CSV with commas)", None)),
    "tab-separated": (b"domain\ttenant\nalpha.test\talpha\n", (2, "separated by '\\t', not commas", None)),
    "capitalised-header": (b"Domain,Tenant\nalpha.test,alpha\n",
                           (2, "(column names are lower case: Domain, Tenant)", None)),
    "trailing-empty-column": (b"domain,tenant,\nalpha.test,alpha,\n",
                              (2, "--file header column 3 has no name; remove the empty column (a trailing comma?)",
                               None)),
}


@pytest.fixture(scope="module")
def dns():
    with FaultServer(ZONE) as server:
        yield server


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def check(capsys, csv: Path, dns: FaultServer, tmp: Path) -> tuple[int, object, object]:
    code, out, err = run(capsys, ["check", "--file", str(csv), "--nameserver", dns.nameserver, "--timeout", "2",
                                  "--no-mta-sts", "--json"])
    if code == 2 and not out:
        return code, err, None
    rows = [json.loads(line) for line in out.splitlines()]
    return code, [r["domain"] for r in rows if "error" not in r], {r["line"]: r["error"] for r in rows if "error" in r}


def plan(capsys, csv: Path, dns: FaultServer, tmp: Path) -> tuple[int, object, object]:
    out_dir = tmp / "zones"
    code, out, err = run(capsys, ["plan", "--file", str(csv), "--format", "zone", "--out-dir", str(out_dir)])
    if code == 2 and not out and not err.startswith(str(csv)):
        assert not out_dir.exists() or not list(out_dir.iterdir())
        return code, err, None
    errors = {}
    for line in err.splitlines():
        number, message = re.fullmatch(rf"{re.escape(str(csv))}:(\d+): (.*)", line).groups()  # type: ignore[union-attr]
        errors[int(number)] = message
    return code, [Path(p).name.removesuffix(".zone") for p in out.splitlines()], errors


def hosts(capsys, csv: Path, dns: FaultServer, tmp: Path) -> tuple[int, object, object]:
    code, out, err = run(capsys, ["hosts", "--file", str(csv), "--json"])
    if code == 2 and not out:
        return code, err, None
    rows = [json.loads(line) for line in out.splitlines()]
    errors = {int(r["error"].split()[1]): r["error"] for r in rows if "error" in r}
    return code, [r["domain"] for r in rows if "error" not in r], errors


@pytest.mark.parametrize("command", [check, plan, hosts], ids=["check", "plan", "hosts"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_command_reads_a_bad_file_the_same_way(capsys, tmp_path, dns, case, command):
    content, (code, done, errors) = CASES[case]
    csv = tmp_path / "domains.csv"
    if case != "missing-file":
        csv.write_bytes(content)
    got = command(capsys, csv, dns, tmp_path)
    if errors is None:  # a usage error before any row: one line naming --file
        assert got[0] == 2 and isinstance(got[1], str), got
        assert str(done) in got[1] and len(got[1].splitlines()) == 1 and "Traceback" not in got[1], got[1]
    else:
        assert got == (code, done, errors)
