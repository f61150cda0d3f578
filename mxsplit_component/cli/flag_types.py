"""Flags shared by the commands: seconds, the one ``--timeout``, and which DNS servers to ask."""

from __future__ import annotations

import argparse

from ..dns.nameservers import nameserver_arg, port_arg
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


def add_server_arguments(parser: argparse.ArgumentParser, nameserver: str, authoritative: str) -> None:
    """``--nameserver``, ``--authoritative`` and its ``--port``, with each command's help."""
    parser.add_argument("--nameserver", action="append", type=nameserver_arg, default=[], metavar="IP[:PORT]",
                        help=nameserver)
    parser.add_argument("--authoritative", action="store_true", help=authoritative)
    parser.add_argument("--port", type=port_arg, default=None, metavar="N",
                        help="with --authoritative: port of the authoritative servers (default 53)")
