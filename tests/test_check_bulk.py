"""``mxsplit check --file``: messy files, totals, Ctrl-C and closed pipes. Servers are FaultServers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mxsplit_component.cli import main
from tests.support.dnsfaults import FaultServer
from tests.support.interrupt import interrupt_after_first_line

ROOT = Path(__file__).resolve().parent.parent
MS = "mail.protection.outlook.com"


def split_zone(*names: str) -> dict[str, list[str]]:
    zone: dict[str, list[str]] = {}
    for name in names:
        token = name.replace(".", "-")
        tenant = name.split(".")[0]
        zone[f"{name}."] = [f"MX 0 {tenant}.{MS}.", f"MX 10 {token}.{MS}."]
        zone[f"{tenant}.{MS}."] = ["A 192.0.2.1"]
        zone[f"{token}.{MS}."] = ["A 198.51.100.1", "AAAA 2001:db8::1"]
    return zone


ZONE = split_zone("alpha.test", "beta.test", "gamma.test")


def run_file(capsys, path, server, *extra):
    code = main(["check", "--file", str(path), "--nameserver", server.nameserver, "--timeout", "2", "--no-mta-sts",
                 *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_bom_bad_bytes_long_fields_and_malformed_rows_are_row_errors(capsys, tmp_path):
    csv_file = tmp_path / "d.csv"
    csv_file.write_bytes(b"\xef\xbb\xbfdomain,tenant\r\n"
                         b"alpha.test,alpha\r\n"
                         b"b\xe9ta.test,beta\r\n"                 # Latin-1, not UTF-8
                         b"gamma.test," + b"x" * 10000 + b"\r\n"   # an oversized field
                         b"\"unterminated,beta\r\n"                # a stray quote
                         b"beta.test,beta,extra\r\n"                # more fields than the header
                         b"\r\n"
                         b"gamma.test,gamma\r\n")
    with FaultServer(ZONE) as server:
        code, out, _ = run_file(capsys, csv_file, server, "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r.get("line") for r in rows] == [None, 3, 4, 5, 6, None]
    assert [r["ok"] for r in rows] == [True, False, False, False, False, True]
    assert rows[0]["domain"] == "alpha.test" and rows[-1]["domain"] == "gamma.test"
    assert rows[1]["error"] == "line 3 is not UTF-8 (byte 0xe9 at column 2); save the file as UTF-8"
    assert rows[2]["error"] == "line 4 is longer than 4096 bytes"
    assert rows[3]["error"].startswith("line 5 is not valid CSV")
    assert rows[4]["error"] == "line 6 has more fields than the header"
    assert code == 2


def test_text_summary_has_a_header_and_totals(capsys, tmp_path):
    csv_file = tmp_path / "d.csv"
    csv_file.write_text("domain,tenant\nalpha.test,alpha\nbad_domain,alpha\nbeta.test,wrongtenant\nnone.test,none\n")
    with FaultServer(ZONE, lambda q: ["servfail"] if q.question[0].name.to_text().startswith("none") else ["ok"]) \
            as server:
        code, out, _ = run_file(capsys, csv_file, server)
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["domain", "verdict"]
    assert [line.split()[1] for line in lines[1:5]] == ["ok", "BAD", "FAIL", "INCOMPLETE"]
    assert lines[4].split()[2:] == ["dns-error"]
    assert lines[-1] == "checked 4 rows: 1 OK, 1 with errors, 1 could not check, 1 bad rows"
    assert code == 3


def test_unknown_column_is_refused_by_name(capsys, tmp_path):
    csv_file = tmp_path / "d.csv"
    csv_file.write_text("domain,tenant,colour\nalpha.test,alpha,blue\n")
    code = main(["check", "--file", str(csv_file), "--nameserver", "127.0.0.1:9"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "--file has an unknown column 'colour'" in err


def test_bad_header_bytes_is_a_usage_error(capsys, tmp_path):
    csv_file = tmp_path / "d.csv"
    csv_file.write_bytes(b"dom\xffain,tenant\n")
    code = main(["check", "--file", str(csv_file), "--nameserver", "127.0.0.1:9"])
    assert code == 2 and "--file header: line 1 is not UTF-8" in capsys.readouterr().err


def _cli(args: list[str], **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "mxsplit_component.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_ctrl_c_keeps_finished_rows_and_exits_130(tmp_path):
    csv_file = tmp_path / "d.csv"
    # alpha answers at once; every row after it waits on a silent name.
    rows = ["alpha.test,alpha"] + [f"slow{i}.test,slow" for i in range(20)]
    csv_file.write_text("domain,tenant\n" + "\n".join(rows) + "\n")
    zone = {**ZONE, **{f"slow{i}.test.": ["MX 0 x."] for i in range(20)}}
    with FaultServer(zone, lambda q: ["silent"] if "slow" in q.question[0].name.to_text() else ["ok"]) as server:
        # alpha is done when its line comes: then interrupt
        run = interrupt_after_first_line(["check", "--file", str(csv_file), "--nameserver", server.nameserver,
                                          "--timeout", "30", "--no-mta-sts", "--json"], timeout=10)
    assert json.loads(run.first)["domain"] == "alpha.test" and json.loads(run.first)["ok"] is True
    assert run.returncode == 130
    assert b"Traceback" not in run.err and run.rest == b""


def test_closed_pipe_ends_quietly(tmp_path):
    csv_file = tmp_path / "d.csv"
    csv_file.write_text("domain,tenant\n" + "alpha.test,alpha\n" * 400)
    with FaultServer(ZONE) as server:
        cmd = (f"{sys.executable} -m mxsplit_component.cli check --file {csv_file} --nameserver {server.nameserver} "
               "--no-mta-sts --json | head -1; echo \"status=${PIPESTATUS[0]}\" >&2")
        start = time.monotonic()
        done = subprocess.run(["bash", "-c", cmd], cwd=ROOT, capture_output=True, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert json.loads(done.stdout.decode().splitlines()[0])["domain"] == "alpha.test"
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr, done.stderr[-500:]
    assert done.stderr.decode().strip().splitlines()[-1] in ("status=141", "status=0")
    assert time.monotonic() - start < 60


@pytest.mark.parametrize("payload", [b"", b"domain,tenant\n"])
def test_empty_file_checks_nothing(capsys, tmp_path, payload):
    csv_file = tmp_path / "d.csv"
    csv_file.write_bytes(payload)
    code = main(["check", "--file", str(csv_file), "--nameserver", "127.0.0.1:9"])
    out, err = capsys.readouterr()
    if payload:
        assert code == 0 and out.splitlines()[-1].startswith("checked 0 rows")
    else:
        assert code == 2 and "missing: domain, tenant" in err


@pytest.mark.parametrize("before", [(700, 10, 10), (0, 10, 10)])
def test_rows_raise_the_young_gc_threshold_and_restore_it(before):
    import asyncio
    import contextlib
    import gc

    from mxsplit_component.check.bulk import BULK_GC_THRESHOLD, Row, check_rows
    from mxsplit_component.check.run import CheckOptions

    # Rows that fail planning never reach DNS: no client is needed to walk them.
    rows = [Row(n, {"domain": "bad_name.test", "tenant": "x"}) for n in range(3)]
    seen = []

    async def walk():
        async with contextlib.aclosing(check_rows(rows, None, CheckOptions(), 4, {})) as results:  # type: ignore[arg-type]
            async for result in results:
                seen.append((result.ok, gc.get_threshold()))

    saved = gc.get_threshold()
    gc.set_threshold(*before)
    try:
        asyncio.run(walk())
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*saved)
    during = (BULK_GC_THRESHOLD, 10, 10) if before[0] else before  # 0 (collection off) is kept
    assert seen == [(False, during)] * 3
    assert after == before


@given(st.text(alphabet=st.sampled_from(['a', ',', ' ', '\t', '\\', "'", 'ü', '\x0b', '\x1c', '\x85', '\u2028', '\r',
                                         '\n', '"', '\0']), min_size=1, max_size=12))
def test_lines_without_quotes_split_as_the_csv_module_reads_them(text):
    import csv

    from mxsplit_component.edges.csvfile import split_line as _split

    def outcome(fn):
        try:
            return fn()
        except csv.Error:
            return "csv.Error"

    assert outcome(lambda: _split(text)) == outcome(lambda: next(csv.reader([text], strict=True), []))
