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

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def test_ctrl_c_during_hosts_lookups_exits_130_without_a_traceback(tmp_path):
    rows = tmp_path / "h.csv"
    rows.write_text("domain\nfast.test\n" + "".join(f"slow{i}.test\n" for i in range(5)))
    zone = {"fast.test.": ["MX 0 fast-test.mail.protection.outlook.com."]}
    with FaultServer(zone, lambda q: ["silent"] if "slow" in q.question[0].name.to_text() else ["ok"]) as server:
        proc = subprocess.Popen([sys.executable, "-m", "mxsplit_component.cli", "hosts", "--file", str(rows),
                                 "--published", "--nameserver", server.nameserver, "--timeout", "30",
                                 "--concurrency", "1"],
                                cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None
        first = proc.stdout.readline()  # fast.test is printed: the next row waits on a silent server
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=10)
        finally:
            proc.kill()
    assert first == b"fast.test\n"
    assert proc.returncode == 130
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err


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
