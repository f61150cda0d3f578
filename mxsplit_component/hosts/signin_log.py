"""azure-identity's own account of a failed sign-in: hidden by default, shown with ``-v``
(``--verbose``, which the CLI accepts only with ``--graph``).

When no sign-in method works, ``DefaultAzureCredential`` logs every method it tried and why
it failed (a dozen lines) as a WARNING, and with no logging configured Python prints it on
stderr. mxsplit's own error already says in one line what to do, so the detail waits for
``-v``. Nothing here imports azure-identity: building the parser stays cheap.
"""

from __future__ import annotations

import logging
import sys

#: azure-identity's loggers all live under this name.
LOGGER = "azure.identity"


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stderr`` as it is when a record comes (not when the flag was parsed)."""

    def emit(self, record: logging.LogRecord) -> None:
        # Not setStream(): it flushes the stream it replaces, which may be closed by now.
        self.stream = sys.stderr
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
