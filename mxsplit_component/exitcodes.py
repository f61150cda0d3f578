"""The ``mxsplit`` command's exit codes, one named type for every subcommand.

Named as ``sysexits.h`` names its codes, so scripts and modules never compare literals.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a run of ``mxsplit`` concluded; higher is worse where codes are combined."""

    #: Everything checked out.
    OK = 0
    #: An error-severity rule or finding (the split is wrong, or a host could not be learned).
    FINDINGS = 1
    #: A usage error or rejected input (a bad flag, domain or row); nothing was sent.
    USAGE = 2
    #: A lookup or probe the verdict needs could not complete: the run could not verify.
    INCOMPLETE = 3
    #: Interrupted by Ctrl-C (128 + SIGINT), the shell convention.
    INTERRUPTED = 130
    #: Standard output was closed early (``| head``): 128 + SIGPIPE, as a shell reports it.
    BROKEN_PIPE = 141
    #: Ended by SIGTERM, handled as Ctrl-C is (128 + SIGTERM).
    TERMINATED = 143


__all__ = ["ExitCode"]
