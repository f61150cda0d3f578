"""Run a Python program through :mod:`engine.langhost` against the stand-in engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .monitor import InvokeResult, Recording, StandInEngine

LANGHOST = Path(__file__).with_name("langhost.py")
#: The program imports pulumi and a provider SDK in a fresh process.
RUN_TIMEOUT = 120


@dataclass
class ProgramRun:
    returncode: int
    stderr: str
    recording: Recording


def run_python_program(engine: StandInEngine, program: Path, *, cwd: Path, project: str, stack: str,
                       config: dict[str, str], secret_keys: tuple[str, ...] = (), preview: bool,
                       invokes: dict[str, InvokeResult] | None = None) -> ProgramRun:
    recording = engine.reset(preview=preview, invokes=invokes, project=project, stack=stack)
    env = {**os.environ, "PULUMI_CONFIG": json.dumps(config), "PULUMI_CONFIG_SECRET_KEYS": json.dumps(list(secret_keys)),
           "MXSPLIT_TEST_CWD": str(cwd)}
    proc = subprocess.run([sys.executable, str(LANGHOST), engine.address, engine.address, project, stack,
                           "preview" if preview else "update", str(program)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    return ProgramRun(proc.returncode, proc.stderr, recording)
