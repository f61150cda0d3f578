"""The ``mxsplit`` command. The only module that prints.

Exit codes are :class:`~mxsplit_component.exitcodes.ExitCode`: 0 fine; 1 an error-severity
rule or finding; 2 usage error or rejected input; 3 a lookup the verdict needs could not
complete.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from .core.plan import MxPlan, plan_mx
from .errors import HostLookupError, MxSplitError
from .exitcodes import ExitCode
from .version import package_version


def add_plan_flags(parser: argparse.ArgumentParser, *, domain_required: bool = True) -> None:
    """Flags shared by ``plan`` and ``check``: everything :func:`plan_mx` takes."""
    parser.add_argument("domain", nargs=None if domain_required else "?", help="the primary domain, e.g. contoso.com")
    parser.add_argument("--tenant", help="onmicrosoft tenant: contoso or contoso.onmicrosoft.com")
    parser.add_argument("--mode", default="split", choices=("split", "standard"), help="split (default) or standard")
    parser.add_argument("--dual-stack-host", help="the domain's Microsoft host, as the admin center shows it")
    parser.add_argument("--ipv4-only-host", help="an IPv4-only Microsoft host to prefer instead of the tenant host")
    parser.add_argument("--primary-priority", type=int, default=0, help="preference of the first MX (default 0)")
    parser.add_argument("--secondary-priority", type=int, default=10,
                        help="preference of the dual-stack MX in split mode (default 10)")
    parser.add_argument("--ttl", type=int, default=3600, help="TTL in seconds (default 3600)")
    parser.add_argument("--cloud", default="commercial", help="commercial (default), gcc or china")


def plan_from_namespace(ns: argparse.Namespace) -> MxPlan:
    if not ns.tenant:
        raise MxSplitError("--tenant is required: the onmicrosoft name, e.g. --tenant contoso", field="tenant")
    return plan_mx(domain=ns.domain, tenant=ns.tenant, mode=ns.mode, primary_priority=ns.primary_priority,
                   secondary_priority=ns.secondary_priority, dual_stack_host=ns.dual_stack_host,
                   ipv4_only_host=ns.ipv4_only_host, cloud=ns.cloud, ttl=ns.ttl)


def _cmd_plan(ns: argparse.Namespace) -> int:
    from .render import plan_report, plan_text, to_json
    from .simulate import expected_addresses, simulate, simulation_json
    from .simulation.inputs import EXPECTED

    planner = plan_from_namespace
    if ns.graph or ns.published:
        from .hosts.command import plan_with_sources

        def planner(ns: argparse.Namespace) -> MxPlan:
            return plan_with_sources(ns)[0]

    if ns.format is not None or ns.file is not None:
        from .export.command import run_export

        return run_export(ns, planner, lambda text: print(text, end=""),
                          lambda text: print(text, end="", file=sys.stderr))
    if ns.adopt:
        raise MxSplitError("--adopt becomes Terraform import blocks: use it with --format tf-json", field="adopt")
    if ns.domain is None:
        raise MxSplitError("pass a DOMAIN to plan, or --file domains.csv with --format and --out-dir", field="domain")
    hosts = None
    if ns.graph or ns.published:
        plan, hosts = plan_with_sources(ns)
    else:
        plan = plan_from_namespace(ns)
    from .export.command import provider_settings

    settings = provider_settings(ns)  # also refuses a setting flag of another provider
    if ns.provider is not None:
        report = plan_report(plan, provider=ns.provider, settings=settings,
                             name=ns.name or plan.domain.replace(".", "-"))
    else:
        report = plan_report(plan)
    if hosts is not None:
        report["hosts"] = hosts.to_json()
    report["simulation"] = simulation_json(simulate(plan.records, expected_addresses(plan)))
    report["simulation_note"] = EXPECTED
    print(to_json(report) if ns.json else plan_text(report), end="" if not ns.json else "\n")
    return ExitCode.OK if report["validation"]["ok"] else ExitCode.FINDINGS


def _cmd_check(ns: argparse.Namespace) -> int:
    import json

    from .check.command import run_single

    if ns.file is not None and not (ns.graph or ns.published):
        if ns.domain is not None:
            raise MxSplitError("pass either DOMAIN or --file, not both", field="domain")
        return _check_bulk(ns)
    if ns.domain is None:
        raise MxSplitError("pass a DOMAIN to check, or --file domains.csv", field="domain")
    from .check.text import check_text

    try:
        if ns.graph or ns.published:
            from .hosts.command import check_with_sources

            rep = check_with_sources(ns, run_single)
        else:
            rep = run_single(ns, plan_from_namespace)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    print(json.dumps(rep.to_json(), indent=2) if ns.json else check_text(rep), end="\n" if ns.json else "")
    return rep.exit_code


def _check_bulk(ns: argparse.Namespace) -> int:
    """Rows as they finish; Ctrl-C and a closed pipe end quietly, keeping every finished row."""
    from collections import Counter

    from .check.command import run_bulk
    from .check.text import summary_header, summary_line, totals_line
    from .render import json_line

    counts: Counter[ExitCode] = Counter()
    started: list[bool] = []

    def emit(rep: Any) -> None:
        if not started:
            if not ns.json:
                print(summary_header())
            started.append(True)
        print(json_line(rep.to_json()) if ns.json else summary_line(rep), flush=True)

    try:
        code = run_bulk(ns, emit, sys.stderr if sys.stderr.isatty() else None, counts)
    except KeyboardInterrupt:
        if not ns.json:
            print(totals_line(counts, interrupted=True), flush=True)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): silence the flush at exit, as the Python docs advise.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.BROKEN_PIPE
    if not ns.json:
        print(totals_line(counts))
    return code


def _cmd_hosts(ns: argparse.Namespace) -> int:
    import json

    from .hosts.command import hosts_text, run_hosts

    def emit(data: dict[str, Any], _result: Any) -> None:
        print(json.dumps(data, separators=(",", ":")) if ns.json else hosts_text(data), flush=True)

    code, changes = run_hosts(ns, emit)
    for change in changes:
        verb = "would set" if ns.dry_run else "set"
        print(f"{verb} {change.key}: {change.old or '(unset)'} -> {change.new} [{change.source}]", file=sys.stderr)
    return code


def _cmd_sender(ns: argparse.Namespace) -> int:
    from .render import to_json
    from .sender.command import run_sender, sender_text

    verdict = run_sender(ns)
    print(to_json(verdict.to_json()) if ns.json else sender_text(verdict), end="\n" if ns.json else "")
    return verdict.code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mxsplit", description=(
        "Plan and check the Microsoft 365 'MX split': MX 0 to the IPv4-only tenant host, MX 10 to the "
        "domain's dual-stack host, so unauthenticated senders stay on IPv4."))
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plan", help="show the hosts, records, rules and resources for a domain (no network)")
    add_plan_flags(p, domain_required=False)
    from .backends import BACKENDS

    p.add_argument("--provider", choices=tuple(BACKENDS),
                   help="also show the resources MxSplit declares (and the provider of --format tf-json)")
    p.add_argument("--resource-group", help="Azure: resource group of the DNS zone (shown in --provider output)")
    p.add_argument("--zone-name", help="Azure: DNS zone name (default: the domain)")
    p.add_argument("--zone-id", help="Cloudflare / Route 53: zone id (shown in --provider output)")
    p.add_argument("--managed-zone", help="Cloud DNS: managed zone name (e.g. contoso-com)")
    p.add_argument("--project", help="Cloud DNS: project of the managed zone (default: the provider's)")
    p.add_argument("--name", help="component name used for the child resource names (default: from the domain)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--format", choices=("zone", "tf-json", "dnscontrol", "octodns"),
                   help="print only the records as a document for another tool (tf-json needs --provider)")
    p.add_argument("--adopt", action="append", default=[], metavar="ROLE=ID",
                   help="with --format tf-json: an existing record to import (mx=… on Azure, Route 53, Cloud DNS; "
                        "ipv4_only=… / dual_stack=… on Cloudflare); repeatable")
    p.add_argument("--file", metavar="CSV",
                   help="with --format: one document per row (header domain,tenant[,dual_stack_host,ipv4_only_host,"
                        "mode]) written into --out-dir")
    p.add_argument("--out-dir", metavar="DIR", help="with --file: the folder for the documents (created if missing)")
    p.set_defaults(func=_cmd_plan)

    from .check.args import add_check_arguments
    from .hosts.args import add_hosts_parser, add_source_arguments

    add_source_arguments(p, dns=True)

    c = sub.add_parser("check", help="check the published MX split against real DNS, and simulate senders")
    add_plan_flags(c, domain_required=False)
    add_check_arguments(c)
    add_source_arguments(c, dns=False)
    c.set_defaults(func=_cmd_check)

    add_hosts_parser(sub)
    sub.choices["hosts"].set_defaults(func=_cmd_hosts)
    from .sender.command import add_sender_arguments

    s = sub.add_parser("sender", help="predict Exchange Online's IPv6 answer to a sender (PTR, SPF) and whether "
                                      "the split helps")
    add_sender_arguments(s)
    s.set_defaults(func=_cmd_sender)

    return parser


def _flag_hint(exc: MxSplitError, parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> str:
    """`` (--flag)`` when the rejected field is a flag of the command and the message does not
    name it: library messages name concepts (``nameserver``), a CLI user reads flags."""
    if not exc.field:
        return ""
    flag = "--" + exc.field.replace("_", "-")
    if flag in str(exc):
        return ""
    command = next((a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")), None)
    sub = _subparsers(parser).get(command or "")
    return f" ({flag})" if sub is not None and flag in sub._option_string_actions else ""


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    try:
        code: int = ns.func(ns)
    except MxSplitError as exc:
        print(f"mxsplit: error: {exc}{_flag_hint(exc, parser, argv)}", file=sys.stderr)
        return ExitCode.USAGE
    except HostLookupError as exc:  # Graph or DNS could not answer: nothing was planned on a guess
        print(f"mxsplit: error: {exc}", file=sys.stderr)
        return ExitCode.INCOMPLETE
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
