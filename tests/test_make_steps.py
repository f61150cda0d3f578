"""The Makefile's helpers: a slow step says what it does while it runs, and the virtualenv is
reinstalled only when what pip installs changes."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"


def step(*command: str, tick: str = "1") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPTS / "step"), "doing a thing (about 2 s)", *command], capture_output=True,
                          text=True, timeout=30, check=False, env={"PATH": "/usr/bin:/bin", "STEP_TICK": tick})


def test_a_step_names_itself_ticks_while_running_and_reports_its_time():
    done = step("sh", "-c", "echo out; sleep 2.5")
    assert done.returncode == 0
    assert done.stdout == "out\n"  # the command's own output is untouched
    lines = done.stderr.splitlines()
    assert lines[0] == "==> doing a thing (about 2 s)"
    assert len([ln for ln in lines if "still running" in ln]) >= 2
    assert re.fullmatch(r" +done in [23] s", lines[-1])


def test_a_failing_step_keeps_its_exit_code_and_says_so():
    done = step("sh", "-c", "exit 3")
    assert done.returncode == 3
    assert re.fullmatch(r" +failed after 0 s \(exit 3\)", done.stderr.splitlines()[-1])


def test_the_ticker_does_not_outlive_the_step():
    """make waits for every process holding its output: a leftover ticker would stall it."""
    started = time.monotonic()
    done = subprocess.run(f"{SCRIPTS / 'step'} quick true | cat", shell=True, capture_output=True, text=True,
                          timeout=30, check=False, env={"PATH": "/usr/bin:/bin", "STEP_TICK": "20"})
    assert done.returncode == 0
    assert time.monotonic() - started < 10  # not held open until the 20 s tick


def stamp(pyproject: Path, target: Path) -> int | None:
    subprocess.run(["python3", str(SCRIPTS / "project-stamp"), str(pyproject), str(target)], check=True, timeout=30)
    return target.stat().st_mtime_ns


def test_reinstall_only_when_the_project_table_changes(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    target = tmp_path / ".project"
    text = (ROOT / "pyproject.toml").read_text()
    pyproject.write_text(text)
    first = stamp(pyproject, target)
    pyproject.write_text(text.replace('addopts = "', 'addopts = "-x '))  # a pytest setting: no reinstall
    assert stamp(pyproject, target) == first
    pyproject.write_text(text.replace('"dnspython>=2.6"', '"dnspython>=2.7"'))  # a dependency: reinstall
    assert stamp(pyproject, target) != first
