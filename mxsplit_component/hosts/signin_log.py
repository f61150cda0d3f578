"""azure-identity's own account of a failed sign-in: hidden by default, shown with ``-v``.

When no sign-in method works, ``DefaultAzureCredential`` logs every method it tried and why
it failed (a dozen lines) as a WARNING, and with no logging configured Python prints it on
stderr. mxsplit's own error already says in one line what to do, so the detail waits for
``-v``. Nothing here imports azure-identity: building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

#: azure-identity's loggers all live under this name.
LOGGER = "azure.identity"


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stderr`` as it is when a record comes (not when the flag was parsed)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.setStream(sys.stderr)
        super().emit(record)


def quiet_sign_in_log() -> None:
    """Keep azure-identity's warnings off stderr unless a handler (``-v``, or the program's
    own logging setup) is there to show them."""
    logger = logging.getLogger(LOGGER)
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())


def show_sign_in_log() -> None:
    """Print azure-identity's warnings (each sign-in method tried, and why it failed) on stderr."""
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(h, _CurrentStderr) for h in logger.handlers):
        handler = _CurrentStderr()
        handler.setFormatter(logging.Formatter("azure-identity: %(message)s"))
        logger.addHandler(handler)


class ShowSignInLog(argparse.Action):
    """``-v``/``--verbose``: show azure-identity's detail of a failed Graph sign-in."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, True)
        show_sign_in_log()
