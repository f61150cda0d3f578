"""Fenced blocks of the README and docs/*.md, and the shell commands in them, as a reader pastes them.

A block a reader cannot run here (it needs the Pulumi CLI, a cloud account, …) says so
plainly: its first line is a ``# needs …`` comment, or the line before its fence is an
``<!-- needs … -->`` comment. An output block starts with the ``$ command`` that printed it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.S | re.M)
NEEDS_LINE = re.compile(r"^# needs (?P<what>.+)$")
NEEDS_COMMENT = re.compile(r"<!-- needs (?P<what>.+?) -->\s*$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    lang: str
    body: str  # dedented by the fence's indent
    needs: str | None  # what the block needs that this machine does not have

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"

    def commands(self) -> list[str]:
        """Each shell command of a ``sh`` block as written: continuation lines joined, comments
        (and so the ``# needs`` line) dropped, ``a && b`` split."""
        joined = re.sub(r"\\\n\s*", " ", self.body)
        out: list[str] = []
        for line in joined.splitlines():
            line = re.sub(r"(^|\s)#.*$", "", line).strip()
            out += [part.strip() for part in line.split(" && ") if part.strip()]
        return out

    def output(self) -> tuple[str, str] | None:
        """``($ command, what it printed)`` of an output block; ``None`` for any other block."""
        first, _, rest = self.body.partition("\n")
        if not first.startswith("$ "):
            return None
        return first[2:], rest


def blocks(path: Path) -> list[Block]:
    text = path.read_text()
    found: list[Block] = []
    for match in FENCE.finditer(text):
        indent = len(match.group("indent"))
        body = "".join(line[indent:] if line[:indent].isspace() else line
                       for line in match.group("body").splitlines(keepends=True))
        line = text.count("\n", 0, match.start()) + 1
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        first = body.split("\n", 1)[0]
        needs_line = NEEDS_LINE.match(first) if match.group("lang") in ("sh", "") else None
        needs_comment = NEEDS_COMMENT.search(before)
        needs = (needs_line or needs_comment).group("what") if (needs_line or needs_comment) else None
        found.append(Block(path, line, match.group("lang"), body, needs))
    return found


def program(command: str) -> str:
    """The program a command runs (``VAR=value`` prefixes skipped)."""
    words = [w for w in shlex.split(command) if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", w)]
    return words[0] if words else ""


def marked_output(text: str, name: str) -> tuple[list[str], str]:
    """The ``$ mxsplit …`` arguments and the output of the README block between
    ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    found = re.search(rf"<!-- {name}:start -->\n```\n\$ mxsplit (.*?)\n(.*?)```\n<!-- {name}:end -->", text, re.S)
    assert found is not None, f"no '$ mxsplit' output block marked {name}"
    return shlex.split(found.group(1)), found.group(2)


def against(argv: list[str], nameserver: str) -> list[str]:
    """``argv`` with its ``--nameserver 127.0.0.1`` (the port shown as the default, 53) pointed at
    the test's server on its free port; nothing else changes."""
    at = argv.index("--nameserver") + 1
    assert argv[at] == "127.0.0.1", "the README shows the test server as 127.0.0.1"
    return [*argv[:at], nameserver, *argv[at + 1:]]
