"""The ``mxsplit check`` flags. Kept apart so building the CLI parser stays cheap."""

from __future__ import annotations

import argparse

from ..dns.nameservers import port_arg
from ..options import PER_ADDRESS, PER_NETWORK
from .flag_types import add_server_arguments, add_timeout, seconds

#: Domains in flight: enough to fill the DNS client's window at real-world latency (~6 lookups
#: per domain; the client adapts how many it sends at once, starting at 32, so a resolver is
#: never flooded by this number).
DEFAULT_CONCURRENCY = 256
#: More only queues rows in memory (20,000 took 462 MB).
MAX_CONCURRENCY = 512
#: SMTP sessions at once to one address or network: a few, to stay polite (the default is smaller still).
MAX_SESSIONS = 16


def _window(text: str) -> int:
    from ..dns.transport import MAX_IN_FLIGHT

    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_IN_FLIGHT:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of lookups from 1 to {MAX_IN_FLIGHT}")
    return int(text)


def _sessions(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_SESSIONS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of sessions from 1 to {MAX_SESSIONS}")
    return int(text)


def _plan_only(text: str) -> str:
    raise argparse.ArgumentTypeError("is a flag of 'mxsplit plan' (the component name); check does not use it")


def _not_checked(text: str) -> str:
    raise argparse.ArgumentTypeError("is a flag of 'mxsplit plan': check compares the published MX set, whose TTL "
                                     "no finding reads; drop it")


def add_check_arguments(p: argparse.ArgumentParser) -> None:
    # Spelt out so argparse does not take it as an abbreviation of --nameserver
    # (``check --name 127.0.0.1`` quietly asked that address).
    p.add_argument("--name", type=_plan_only, help=argparse.SUPPRESS)
    p.add_argument("--ttl", type=_not_checked, help=argparse.SUPPRESS)
    add_server_arguments(p, "ask this server (repeatable; IP, IP:PORT, [IPv6]:PORT); default: the system resolver",
                         "ask the domain's own authoritative servers (found through NS) for its records")
    p.add_argument("--wait", type=seconds, default=0.0, metavar="SECONDS",
                   help="poll until the published MX set matches the plan, up to SECONDS (with --authoritative, "
                        "finding the servers included)")
    add_timeout(p, "time per lookup from its first send, retries and TCP included; also bounds each MTA-STS "
                   "fetch and SMTP step")
    p.add_argument("--no-mta-sts-fetch", action="store_true", help="do not fetch the MTA-STS policy over HTTPS")
    p.add_argument("--no-mta-sts", action="store_true", help="skip the _mta-sts lookup altogether")
    p.add_argument("--file", metavar="CSV",
                   help="check every row of a CSV (header domain,tenant[,dual_stack_host,ipv4_only_host,mode]; with "
                        "--graph or --published each row's hosts are looked up, and tenant may be left out)")
    p.add_argument("--concurrency", type=int, default=None, metavar="N",
                   help=f"domains checked at once with --file (default {DEFAULT_CONCURRENCY}, at most {MAX_CONCURRENCY})")
    p.add_argument("--simulate", action="store_true",
                   help="with --file --json: add the sender simulation to each row (a single-domain check always "
                        "has it)")
    p.add_argument("--fixed-window", type=_window, default=None, metavar="QUERIES",
                   help="keep up to QUERIES lookups in flight instead of adapting to the resolver (for comparisons)")
    p.add_argument("--json", action="store_true", help="print JSON (one object per line with --file)")
    p.add_argument("--smtp", action="store_true",
                   help="also connect to port 25 of every MX address: banner, EHLO, STARTTLS, certificate")
    p.add_argument("--smtp-port", type=port_arg, default=None, metavar="N",
                   help="with --smtp: the port to probe (default 25; for tests)")
    p.add_argument("--smtp-per-address", type=_sessions, default=None, metavar="N",
                   help=f"with --smtp: SMTP sessions at once to one address (default {PER_ADDRESS}); each address is "
                        "probed once per run, whichever rows publish it")
    p.add_argument("--smtp-per-network", type=_sessions, default=None, metavar="N",
                   help=f"with --smtp: SMTP sessions at once to one /24 (IPv4) or /48 (IPv6) (default {PER_NETWORK})")
    p.add_argument("--baseline", metavar="LAST.jsonl",
                   help="with --file: the JSON lines of an earlier run; each row gains its changes since, and exit 1 "
                        "means a change needs action (a new error, a moved host, IPv6 on the IPv4-only host, the "
                        "published set changed off plan), not an error the baseline already had")
    p.add_argument("--summary", metavar="FILE.md",
                   help="with --file: also write a Markdown summary (totals per verdict, finding, tenant; the domains "
                        "that need action, with the fix)")
