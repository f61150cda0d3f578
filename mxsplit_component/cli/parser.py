"""The ``mxsplit`` argument parser: every command's flags, its description and its exit codes.

Kept cheap to build (no asyncio, httpx or pulumi): ``--help`` and ``plan`` start fast.
"""

from __future__ import annotations

import argparse
from typing import Any


class FlagParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that remembers its flags (``dest`` -> ``--flag``) as they are added.

    Built from what ``add_argument`` returns, so errors can be spelt as the user typed the
    flags without reading argparse's private tables. Subparsers are of this class too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flags: dict[str, str] = {}
        #: Flags left out of --help: accepted only to refuse them with a clear message.
        self.hidden: set[str] = set()
        #: Subcommand name -> its parser (set on the top-level parser only).
        self.commands: dict[str, FlagParser] = {}

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        longs = [o for o in action.option_strings if o.startswith("--")]
        if longs and action.dest not in ("help", "version"):
            self.flags[action.dest] = longs[0]
            if action.help == argparse.SUPPRESS:
                self.hidden.add(longs[0])
        return action


#: ``export.FORMATS``, spelt out so building the parser does not load the exporters (a test keeps them equal).
EXPORT_FORMATS = ("zone", "tf-json", "dnscontrol", "octodns")
#: Per command: what each exit code means (shown at the end of its --help).
EXIT_CODES = {
    "plan": ("the plan is valid (with --file: every row was written)",
             "an error-severity rule fails",
             "usage error or rejected input, naming the flag (with --file: a rejected row)",
             "--graph or --published could not complete its lookup (with --file: a row's); nothing was planned on "
             "a guess"),
    "check": ("no error finding (with --baseline: no change that needs action)",
              "an error finding (with --baseline: a change that needs action, not an error the baseline had)",
              "usage error or bad input (with --file: a bad row, or a row whose hosts a source refused)",
              "a lookup or probe the verdict needs could not complete (wins over 1)"),
    "hosts": ("every domain resolved to both hosts", "some domain could not (see its notes)",
              "usage error or a bad row", "a lookup failed (Graph or DNS could not answer)"),
    "sender": ("Exchange Online accepts the sender", "it defers the sender over IPv6 (450 4.7.25 / 4.7.26)",
               "bad input", "a lookup the answer needs failed"),
}
#: Shared by every command: Ctrl-C (what was printed stays), and ``| head`` closing the pipe early.
SIGNAL_CODES = ("130 interrupted (Ctrl-C)", "141 standard output closed early (| head)",
                "143 terminated (SIGTERM), ended as Ctrl-C ends it")
DESCRIPTIONS = {
    "plan": ("show the hosts, records, rules and resources for a domain; offline unless --graph or --published, "
             "and --format writes documents for other tools"),
    "check": "check the published MX split against real DNS, and simulate senders",
    "hosts": "learn each domain's IPv4-only and dual-stack hosts, and say where they came from",
    "sender": "predict Exchange Online's IPv6 answer to a sender (PTR, SPF) and whether the split helps",
}


def _sentence(command: str) -> str:
    text = DESCRIPTIONS[command]
    return text[0].upper() + text[1:] + "."


def exit_codes_text(command: str) -> str:
    lines = [f"  {code} {meaning}" for code, meaning in enumerate(EXIT_CODES[command])]
    return "exit codes:\n" + "\n".join(lines + [f"  {text}" for text in SIGNAL_CODES])


def add_plan_flags(parser: argparse.ArgumentParser) -> None:
    """The flags of :func:`~mxsplit_component.core.plan.plan_mx`, shared by ``plan`` and ``check``."""
    parser.add_argument("domain", nargs="?", metavar="DOMAIN", help="the primary domain, e.g. contoso.com")
    parser.add_argument("--tenant", help="onmicrosoft tenant: contoso or contoso.onmicrosoft.com")
    parser.add_argument("--mode", default="split", choices=("split", "standard"), help="split (default) or standard")
    parser.add_argument("--dual-stack-host", metavar="HOST",
                        help="the domain's Microsoft host, as the admin center shows it")
    parser.add_argument("--ipv4-only-host", metavar="HOST",
                        help="an IPv4-only Microsoft host to prefer instead of the tenant host")
    parser.add_argument("--primary-priority", type=int, default=0, metavar="N",
                        help="preference of the first MX (default 0)")
    parser.add_argument("--secondary-priority", type=int, default=10, metavar="N",
                        help="preference of the dual-stack MX in split mode (default 10)")
    parser.add_argument("--cloud", default="commercial", help="commercial (default), gcc or china")


def _command(sub: Any, name: str) -> FlagParser:
    """A command's parser: its one-line help, its description and its exit codes."""
    parser: FlagParser = sub.add_parser(name, help=DESCRIPTIONS[name], description=_sentence(name),
                                        epilog=exit_codes_text(name),
                                        formatter_class=argparse.RawDescriptionHelpFormatter)
    return parser


def _add_plan(sub: Any) -> FlagParser:
    from ..backends.flags import add_provider_flags, adopt_help
    from .source_flags import add_source_arguments

    p = _command(sub, "plan")
    add_plan_flags(p)
    p.add_argument("--ttl", type=int, default=3600, metavar="SECONDS", help="TTL in seconds (default 3600)")
    add_provider_flags(p)
    p.add_argument("--name", help="with --provider: the component name the child resource names start with "
                                  "(default: from the domain)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--format", choices=EXPORT_FORMATS,
                   help="print only the records as a document for another tool (tf-json needs --provider)")
    p.add_argument("--adopt", action="append", default=[], metavar="ROLE=ID",
                   help=adopt_help())
    p.add_argument("--file", metavar="CSV",
                   help="with --format: one document per row (header domain,tenant[,dual_stack_host,ipv4_only_host,"
                        "mode]) written into --out-dir; with --graph or --published each row's hosts are looked up")
    p.add_argument("--out-dir", metavar="DIR", help="with --file: the folder for the documents (created if missing)")
    add_source_arguments(p, dns=True)
    return p


def _add_check(sub: Any) -> FlagParser:
    from .check_flags import add_check_arguments
    from .source_flags import add_source_arguments

    c = _command(sub, "check")
    add_plan_flags(c)
    add_check_arguments(c)
    add_source_arguments(c, dns=False)
    return c


def _add_hosts(sub: Any) -> FlagParser:
    from .source_flags import add_hosts_arguments

    h = _command(sub, "hosts")
    add_hosts_arguments(h)
    return h


def _add_sender(sub: Any) -> FlagParser:
    from .sender_flags import add_sender_arguments

    s = _command(sub, "sender")
    add_sender_arguments(s)
    return s


class _Version(argparse.Action):
    """``--version``: the installed version, read only when asked (reading the package
    metadata costs more than the rest of ``mxsplit plan``'s start-up)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from ..version import package_version

        print(f"{parser.prog} {package_version()}")  # on stdout, as argparse's own version action
        parser.exit()


def build_parser() -> FlagParser:
    parser = FlagParser(prog="mxsplit", description=(
        "Plan and check the Microsoft 365 'MX split': MX 0 to the IPv4-only tenant host, MX 10 to the "
        "domain's dual-stack host, so unauthenticated senders stay on IPv4."),
        epilog="Each command's --help lists its flags and exit codes.")
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{plan,check,hosts,sender}")
    for name, add in (("plan", _add_plan), ("check", _add_check), ("hosts", _add_hosts), ("sender", _add_sender)):
        parser.commands[name] = add(sub)
    return parser
