"""``main``: parse, build the command's options, run it, and turn errors into exit codes.

Exit codes are :class:`~mxsplit_component.exitcodes.ExitCode`: 0 fine; 1 an error-severity
rule or finding; 2 usage error or rejected input; 3 a lookup the verdict needs could not
complete; 130 Ctrl-C; 141 standard output closed early; 143 SIGTERM.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
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


class _SigtermAsCtrlC:
    """SIGTERM handled as Ctrl-C is, so every path that ends cleanly on Ctrl-C (finished rows
    printed, a file being written left whole, no temporary file) ends so on SIGTERM too."""

    def __init__(self) -> None:
        self.received = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.received = True
        ctrl_c = signal.getsignal(signal.SIGINT)  # Python's, or asyncio.run's (it cancels the main task)
        if callable(ctrl_c):
            ctrl_c(signal.SIGINT, frame)
        else:  # Ctrl-C is ignored here (a background job): SIGTERM still ends the run
            raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    import threading

    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        return _main(argv)
    sigterm = _SigtermAsCtrlC()
    previous = signal.signal(signal.SIGTERM, sigterm)
    try:
        code = _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return ExitCode.TERMINATED if sigterm.received and code == ExitCode.INTERRUPTED else code


def _main(argv: Sequence[str] | None) -> int:
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
        from .commands import silence_stdout

        silence_stdout()
        return ExitCode.BROKEN_PIPE
