"""Flag types shared by every command's flags: seconds, and the one ``--timeout``."""

from __future__ import annotations

import argparse

from ..dns.options import DEFAULT_TIMEOUT


def add_timeout(parser: argparse.ArgumentParser, what: str) -> None:
    """``--timeout``: one default for every command (:data:`~mxsplit_component.dns.options.DEFAULT_TIMEOUT`)."""
    parser.add_argument("--timeout", type=seconds, default=None, metavar="SECONDS",
                        help=f"{what} (default {DEFAULT_TIMEOUT:g})")


def seconds(text: str) -> float:
    """A number; its range (finite, positive) is checked when the options are built."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
