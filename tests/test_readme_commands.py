"""Every command block of the README and docs/*.md runs as shown, or says what it needs.

Offline ``mxsplit`` commands run in a shell, exactly as written, in an empty folder (with the
``domains.csv`` the text talks about); commands that need the network (``check``, ``hosts``,
``sender``, ``--graph``, ``--published``) are parsed by the real parser, and their output
blocks are compared with a real run against the test servers by the tests named in
``VERIFIED_ELSEWHERE``. ``pip install`` lines must install from the clone or the git URL
(the PyPI form appears once, in prose, marked as for after the release); ``make`` targets
must exist. Anything else (``pulumi``, ``az``, …) must be in a block marked ``# needs …``.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import InvalidRequirement, Requirement

from mxsplit_component.cli.parser import build_parser
from mxsplit_component.version import DISTRIBUTION
from tests.support.markdown import FENCE, Block, blocks, program

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ALL_BLOCKS = [block for path in DOCS for block in blocks(path)]
SHELL_BLOCKS = [b for b in ALL_BLOCKS if b.lang == "sh"]
OUTPUT_BLOCKS = [b for b in ALL_BLOCKS if b.lang == ""]
#: Programs a reader has after the README's install steps; everything else needs a mark.
HERE = {"mxsplit", "pip", "make", "git", "cd", ".", "python3", "mkdir"}
#: Output blocks of networked commands, each kept equal to a real run by its own test.
VERIFIED_ELSEWHERE = {"check-seed": "tests/test_readme.py", "check-smtp": "tests/test_readme_smtp_sender.py",
                      "sender": "tests/test_readme_smtp_sender.py"}


def pyproject() -> dict[str, Any]:
    import tomllib  # Python >= 3.11, as the dev environment

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


EXTRAS = set(pyproject()["project"]["optional-dependencies"])
REPOSITORY = pyproject()["project"]["urls"]["Repository"]
MAKE_TARGETS = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), re.M))
#: What the README's ``--file domains.csv`` examples read.
DOMAINS_CSV = "domain,tenant\ncontoso.com,contoso\nfabrikam.com,fabrikam\n"
TIMEOUT = 60


def ids(items: list[Block]) -> list[str]:
    return [b.where for b in items]


def mxsplit_args(command: str) -> list[str]:
    """The arguments of an ``mxsplit`` command, without redirections and pipes."""
    words = shlex.split(command)[1:]
    for i, word in enumerate(words):
        if word in (">", "<", "|", "2>", ">>"):
            return words[:i]
    return words


def is_synopsis(command: str) -> bool:
    """``mxsplit plan DOMAIN --tenant T [--mode …]``: a usage line, checked against the parser elsewhere."""
    return "[--" in command


def needs_network(args: list[str]) -> bool:
    return bool({"check", "hosts", "sender", "--graph", "--published"} & set(args))


def parses(args: list[str]) -> None:
    try:
        build_parser().parse_args(args)
    except SystemExit as exc:  # --version and --help exit 0
        if exc.code != 0:
                pytest.fail(f"mxsplit {shlex.join(args)} does not parse (exit {exc.code})")


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """Run a line in bash as a reader would, with ``mxsplit`` this checkout's CLI."""
    home = tmp_path_factory.mktemp("reader")
    bin_dir = home / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "mxsplit"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mxsplit_component.cli "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}

    def run(line: str) -> subprocess.CompletedProcess[str]:
        # One mxsplit command (with a redirection at most), never a script hidden in a README line.
        assert not re.search(r"[;`]|\$\(|\|\|", line), f"not a single command: {line}"
        cwd = home / f"run{len(list(home.glob('run*')))}"
        cwd.mkdir()
        (cwd / "domains.csv").write_text(DOMAINS_CSV)
        return subprocess.run(["bash", "-euo", "pipefail", "-c", line], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=TIMEOUT, check=False)

    return run


def check_install(command: str, where: str) -> None:
    """``pip install`` from the clone (``.``, ``'./[extra]'``) or the git URL; never the PyPI name."""
    words = shlex.split(command)[2:]
    specs = [w for w in words if not w.startswith("-")]
    assert specs, f"{where}: {command!r} installs nothing"
    for spec in specs:
        path, _, extras = spec.partition("[")
        if path.startswith("."):
            assert (ROOT / path).resolve() == ROOT, f"{where}: {spec} is not the clone's root"
            wanted = set(extras.rstrip("]").split(",")) - {""}
        else:
            try:
                req = Requirement(spec)
            except InvalidRequirement as exc:
                pytest.fail(f"{where}: {spec!r} is not a requirement: {exc}")
            assert req.name == DISTRIBUTION, f"{where}: {spec} is not this package"
            assert req.url, f"{where}: {spec} installs by name from PyPI, where mxsplit is not yet: use the clone or git+URL"
            assert re.fullmatch(rf"git\+{re.escape(REPOSITORY)}(@v\d+\.\d+\.\d+)?", req.url), \
                f"{where}: {spec} is not pyproject.toml's Repository URL (at a v-tag)"
            wanted = set(req.extras)
        assert wanted <= EXTRAS, f"{where}: {spec} names extras pyproject.toml does not define: {wanted - EXTRAS}"


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=ids(SHELL_BLOCKS))
def test_shell_block_runs_or_says_what_it_needs(block, shell):
    commands = block.commands()
    if any(program(c) == "mxsplit" and is_synopsis(c) for c in commands):
        return  # a usage synopsis, not a command
    for command in commands:
        prog = program(command)
        if prog == "mxsplit":
            args = mxsplit_args(command)
            parses(args)
            if not needs_network(args) and block.needs is None:
                done = shell(command)
                assert done.returncode == 0, f"{block.where}: {command}\n{done.stderr}"
        elif prog == "pip":
            check_install(command, block.where)
        elif prog == "git" and shlex.split(command)[1] == "clone":
            assert shlex.split(command)[2] == REPOSITORY, f"{block.where}: {command}: not pyproject.toml's Repository URL"
        elif prog == "make":
            assert set(shlex.split(command)[1:]) <= MAKE_TARGETS, f"{block.where}: {command}: no such make target"
        elif prog not in HERE:
            assert block.needs, f"{block.where}: {prog} is not installed by the README: mark the block '# needs …'"


@pytest.mark.parametrize("block", OUTPUT_BLOCKS, ids=ids(OUTPUT_BLOCKS))
def test_output_block_shows_the_command_that_printed_it(block, shell):
    shown = block.output()
    assert shown is not None or block.needs, \
        f"{block.where}: an output block starts with '$ <the command>' (or give the block a language)"
    if shown is None:
        return
    command, printed = shown
    if program(command) != "mxsplit":
        assert block.needs, f"{block.where}: {command} cannot run here: mark the block '<!-- needs … -->'"
        return
    args = mxsplit_args(command)
    parses(args)
    if needs_network(args):
        text = block.path.read_text()
        marker = next((m for m in VERIFIED_ELSEWHERE
                       if text.find(f"<!-- {m}:start -->") < text.find(f"$ {command}") < text.find(f"<!-- {m}:end -->")),
                      None)
        assert marker, f"{block.where}: a networked output block must sit between markers a test compares"
        verifier = (ROOT / VERIFIED_ELSEWHERE[marker]).read_text()
        assert f'marked_output(README, "{marker}")' in verifier, f"{VERIFIED_ELSEWHERE[marker]} does not run {marker}"
        return
    done = shell(command)
    assert done.returncode == 0, done.stderr
    # An excerpt: its lines appear, in order and together, in what the command prints.
    assert printed.strip("\n") in done.stdout, f"{block.where}: not what `{command}` prints:\n{done.stdout}"


def prose(path: Path) -> str:
    """The document without its fenced blocks (in blocks, installs come from the clone)."""
    return FENCE.sub("", path.read_text())


def test_pypi_install_appears_once_marked_for_after_the_release():
    for path in DOCS:
        text = prose(path)
        by_name = re.findall(rf"pip install '{DISTRIBUTION}\[", text)
        if path.name == "README.md":
            assert len(by_name) == 1, "the PyPI form appears exactly once in the README"
        for match in re.finditer(rf"pip install '{DISTRIBUTION}\[", text):
            sentence = text[max(0, match.start() - 200):match.start()]
            assert re.search(r"(once|after) (the first )?release", sentence, re.I), \
                f"{path.name}: the PyPI install must say it is for after the release"


def test_every_block_that_cannot_run_here_is_marked():
    """The marks themselves: a block that runs ``pulumi`` and has no mark fails above; here the
    reverse, so marks stay honest: a marked block does need something beyond the README."""
    for block in SHELL_BLOCKS:
        if block.needs is None:
            continue
        progs = {program(c) for c in block.commands()}
        assert progs - HERE or "account" in block.needs, f"{block.where}: marked '{block.needs}' but runs only {progs}"
