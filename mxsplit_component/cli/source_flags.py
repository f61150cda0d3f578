"""The flags of ``mxsplit hosts`` and of ``--graph`` / ``--published`` on ``plan`` and ``check``.

Kept apart from the lookup code so building the CLI parser stays cheap (no asyncio, no httpx).
"""

from __future__ import annotations

import argparse

from ..hosts.model import CSV_COLUMNS, LOOKUP_CONCURRENCY
from .flag_types import add_server_arguments, add_timeout


def add_source_arguments(p: argparse.ArgumentParser, *, dns: bool) -> None:
    """``--graph``, ``--published`` and their settings; ``dns`` adds the DNS flags (``check`` has its own)."""
    p.add_argument("--graph", action="store_true", help="learn the hosts from Microsoft Graph (needs Domain.Read.All)")
    p.add_argument("--published", action="store_true", help="learn the hosts from the domain's published MX")
    p.add_argument("--graph-url", metavar="URL",
                   help="with --graph: Graph base URL (default per cloud: https://graph.microsoft.com); http:// only "
                        "on loopback")
    p.add_argument("--device-code", action="store_true",
                   help="with --graph: sign in to Graph interactively with a device code")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="with --graph: show why each sign-in method to Microsoft Graph failed")
    p.add_argument("--graph-tokens", metavar="FILE",
                   help="with --graph: a CSV with columns tenant,token, one ready bearer token per tenant (keep it "
                        "readable by you only: chmod 600)")
    if dns:
        add_server_arguments(p, "with --published: ask this server (repeatable); default: the system resolver",
                             "with --published: ask the domain's own authoritative servers")
        add_timeout(p, "with --graph or --published: time per lookup, retries, throttling waits and the Graph "
                       "sign-in included")


def add_hosts_arguments(h: argparse.ArgumentParser) -> None:
    h.add_argument("domains", nargs="*", metavar="DOMAIN", help="domains to look up (or --file, or --stack)")
    h.add_argument("--tenant", help="onmicrosoft tenant (optional with --graph: Graph names it); with --file or "
                                    "--stack, the tenant of rows that name none")
    h.add_argument("--dual-stack-host", metavar="HOST",
                   help="with one DOMAIN: a host you already know (source 'given'; wins over lookups)")
    h.add_argument("--ipv4-only-host", metavar="HOST",
                   help="with one DOMAIN: an IPv4-only host you already know (source 'given')")
    h.add_argument("--cloud", default="commercial", help="commercial (default), gcc or china")
    add_source_arguments(h, dns=True)
    h.add_argument("--file", metavar="CSV", help=f"look up every row (header domain[,{','.join(CSV_COLUMNS[1:])}])")
    h.add_argument("--concurrency", type=int, default=None, metavar="N",
                   help=f"domains looked up at once (default {LOOKUP_CONCURRENCY})")
    h.add_argument("--stack", metavar="NAME", help="look up the domains of Pulumi.NAME.yaml and pin their hosts in it")
    h.add_argument("--cwd", metavar="DIR",
                   help="with --stack: the Pulumi project folder that holds Pulumi.NAME.yaml (default: the current "
                        "folder)")
    h.add_argument("--dry-run", action="store_true", help="with --stack: show what would change, write nothing")
    h.add_argument("--summary", metavar="FILE.md",
                   help="with --file: also write a Markdown summary (totals per verdict, note, tenant; the domains "
                        "that need action)")
    h.add_argument("--json", action="store_true", help="print one JSON object per domain and line")
