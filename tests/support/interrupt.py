"""Ctrl-C as a user sends it: run the CLI, wait for its first line of output, interrupt it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Interrupted:
    first: bytes
    rest: bytes
    err: bytes
    returncode: int


def interrupt_after_first_line(args: list[str], *, env: dict[str, str] | None = None,
                               timeout: float = 20) -> Interrupted:
    """``python -m mxsplit_component.cli ARGS`` until its first line, then SIGINT; the rest of its
    output once it exits (killed after ``timeout`` seconds: a hang fails the caller's assertions)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "mxsplit_component.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=timeout)
    finally:
        proc.kill()
        proc.wait()
    return Interrupted(first, rest, err, proc.returncode)
