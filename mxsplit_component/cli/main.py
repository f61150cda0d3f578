"""``main``: parse, build the command's options, run it, and turn errors into exit codes.

Exit codes are :class:`~mxsplit_component.exitcodes.ExitCode`: 0 fine; 1 an error-severity
rule or finding; 2 usage error or rejected input; 3 a lookup the verdict needs could not
complete; 130 Ctrl-C; 141 standard output closed early.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..edges.display import shown
from ..errors import HostLookupError, MxSplitError
from ..exitcodes import ExitCode
from .parser import build_parser
from .spelling import FlagSpelling


def _runner(command: str) -> Callable[[Any], int]:
    from . import commands

    runners: dict[str, Callable[[Any], int]] = {"plan": commands.run_plan, "check": commands.run_check,
                                                "hosts": commands.run_hosts, "sender": commands.run_sender}
    return runners[command]


def main(argv: Sequence[str] | None = None) -> int:
    from .build import args_from

    parser = build_parser()
    ns = parser.parse_args(argv)
    spelling = FlagSpelling(parser.commands[ns.command].flags)
    try:
        return _runner(ns.command)(args_from(ns))
    except MxSplitError as exc:
        print(f"mxsplit: error: {shown(spelling.message(exc))}", file=sys.stderr)
        return ExitCode.USAGE
    except HostLookupError as exc:  # Graph or DNS could not answer: nothing was planned on a guess
        print(f"mxsplit: error: {shown(str(exc))}", file=sys.stderr)  # it may quote a server
        return ExitCode.INCOMPLETE
    except KeyboardInterrupt:  # Ctrl-C: what was printed stays, and no traceback follows it
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        return ExitCode.BROKEN_PIPE


def silence_stdout() -> None:
    """The reader went away (``| head``): point stdout at /dev/null so the flush at exit is quiet,
    as the Python docs advise for SIGPIPE."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
