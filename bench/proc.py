"""Run a command as a child process; return its wall time and (via bench.peak) its own peak RSS."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mib: float
    returncode: int
    #: User + system CPU seconds of the child.
    cpu: float = 0.0


def run_module(module: str, args: Sequence[str], *, stdout: int | IO[Any] = subprocess.DEVNULL,
               exit_codes: tuple[int, ...] = (0, 1)) -> Run:
    """Run ``python -m module args`` in a child; peak memory is the child's own VmHWM."""
    with tempfile.NamedTemporaryFile("r", suffix=".hwm") as hwm:
        result = run([sys.executable, "-m", "bench.peak", hwm.name, module, *args], stdout=stdout,
                     exit_codes=exit_codes)
        hwm.seek(0)
        return Run(result.seconds, int(hwm.read() or 0) / 1024, result.returncode, result.cpu)


def run(cmd: Sequence[str], *, stdout: int | IO[Any] = subprocess.DEVNULL, env: dict[str, str] | None = None,
        exit_codes: tuple[int, ...] = (0, 1)) -> Run:
    """Run ``cmd``; raises when it exits with a code not in ``exit_codes``."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=stdout, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in exit_codes:
        raise RuntimeError(f"{cmd[:4]} exited {proc.returncode}: {err[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, usage.ru_utime + usage.ru_stime)
