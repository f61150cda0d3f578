"""Ctrl-C and a closed pipe end every command quietly: exit 130 / 141, what was printed stays,
and no traceback follows (``check --file`` has its own tests in test_check_bulk.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.dnsfaults import FaultServer
from tests.support.interrupt import interrupt_after_first_line

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def test_ctrl_c_during_hosts_lookups_exits_130_without_a_traceback(tmp_path):
    rows = tmp_path / "h.csv"
    rows.write_text("domain\nfast.test\n" + "".join(f"slow{i}.test\n" for i in range(5)))
    zone = {"fast.test.": ["MX 0 fast-test.mail.protection.outlook.com."]}
    with FaultServer(zone, lambda q: ["silent"] if "slow" in q.question[0].name.to_text() else ["ok"]) as server:
        # fast.test is printed: the next row waits on a silent server
        run = interrupt_after_first_line(["hosts", "--file", str(rows), "--published", "--nameserver",
                                          server.nameserver, "--timeout", "30", "--concurrency", "1"], timeout=10)
    assert run.first == b"fast.test\n"
    assert run.returncode == 130
    assert b"Traceback" not in run.err and b"KeyboardInterrupt" not in run.err


def test_hosts_into_a_closed_pipe_ends_quietly(tmp_path):
    rows = tmp_path / "h.csv"
    rows.write_text("domain\n" + "".join(f"d{i}.example\n" for i in range(3000)))
    cmd = (f"{sys.executable} -m mxsplit_component.cli hosts --file {rows} --tenant contoso | head -1; "
           'echo "status=${PIPESTATUS[0]}" >&2')
    start = time.monotonic()
    done = subprocess.run(["bash", "-c", cmd], cwd=ROOT, env=ENV, capture_output=True, timeout=60)
    assert done.stdout == b"d0.example  (tenant contoso)\n"
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr, done.stderr[-500:]
    assert done.stderr.decode().strip().splitlines()[-1] == "status=141"
    assert time.monotonic() - start < 60


def test_sigterm_ends_a_bulk_check_as_ctrl_c_does_with_143(tmp_path):
    """SIGTERM (a service manager, ``timeout``, a CI job cancelled) keeps every finished row and the totals."""
    rows = tmp_path / "d.csv"
    rows.write_text("domain,tenant\nfast.test,fast\n" + "".join(f"slow{i}.test,slow{i}\n" for i in range(5)))
    zone = {"fast.test.": ["MX 0 fast.mail.protection.outlook.com.", "MX 10 fast-test.mail.protection.outlook.com."]}
    with FaultServer(zone, lambda q: ["silent"] if "slow" in q.question[0].name.to_text() else ["ok"]) as server:
        proc = subprocess.Popen([sys.executable, "-m", "mxsplit_component.cli", "check", "--file", str(rows),
                                 "--nameserver", server.nameserver, "--timeout", "30", "--concurrency", "1",
                                 "--no-mta-sts"],
                                cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None
        header, first = proc.stdout.readline(), proc.stdout.readline()
        proc.send_signal(signal.SIGTERM)
        try:
            rest, err = proc.communicate(timeout=10)
        finally:
            proc.kill()
    assert header.startswith(b"domain ") and first.startswith(b"fast.test ")
    assert proc.returncode == 143, err
    assert b"interrupted" in rest  # the totals line, as after Ctrl-C
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err


#: Run the CLI with SIGTERM delivered right after the first write() to a file in FOLDER (argv[1]).
TERMINATOR = """
import os, signal, sys
folder = os.path.realpath(sys.argv[1])

def at_write(frame, event, arg):
    if event == "c_return" and getattr(arg, "__name__", "") == "write":
        try:
            where = os.readlink(f"/proc/self/fd/{arg.__self__.fileno()}")
        except (AttributeError, OSError, ValueError):
            return
        if where.startswith(folder + os.sep):
            sys.setprofile(None)
            os.kill(os.getpid(), signal.SIGTERM)

from mxsplit_component.cli import main
sys.setprofile(at_write)
sys.exit(main(sys.argv[2:]))
"""


def test_sigterm_while_an_export_is_written_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "zones"
    out.mkdir()
    old = out / "contoso.com.zone"
    old.write_text("; the document from last time\n")
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\ncontoso.com,contoso\nfabrikam.com,fabrikam\n")
    done = subprocess.run([sys.executable, "-c", TERMINATOR, str(out), "plan", "--file", str(csv), "--format", "zone",
                           "--out-dir", str(out)], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 143 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert old.read_text() == "; the document from last time\n"
    assert sorted(p.name for p in out.iterdir()) == ["contoso.com.zone"]
