"""The ``mxsplit sender`` flags. Kept apart so building the CLI parser stays cheap."""

from __future__ import annotations

import argparse
import math

from ..dns.nameservers import nameserver_arg
from ..dns.options import DEFAULT_TIMEOUT


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a usable number of seconds; give a finite number, more than 0")
    return value


def add_sender_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ip", required=True, help="the sending address, e.g. 2001:db8::25 (IPv4 works too)")
    p.add_argument("--from", dest="from_", required=True, metavar="DOMAIN",
                   help="the MAIL FROM domain (or address) whose SPF is checked")
    p.add_argument("--helo", metavar="NAME", help="the sender's HELO name (default: its PTR name)")
    p.add_argument("--to", metavar="DOMAIN",
                   help="your domain: also simulate this sender against the MX set it publishes today")
    p.add_argument("--nameserver", action="append", type=nameserver_arg, default=[], metavar="IP[:PORT]",
                   help="ask this resolver (repeatable); default: the system resolver")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"total time per lookup, retries included (default {DEFAULT_TIMEOUT:g}); the whole run ends "
                        "within 4 times it")
    p.add_argument("--json", action="store_true", help="print one JSON object")
