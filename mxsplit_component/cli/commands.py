"""Each command's run for its options: the only code that prints (results to stdout,
progress and notes to stderr). Heavy modules load here, per command, never at start-up."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..exitcodes import ExitCode

if TYPE_CHECKING:
    from ..core.plan import MxPlan
    from .options import CheckArgs, HostsArgs, PlanArgs, SenderArgs


def _plan_of(args: PlanArgs) -> MxPlan:
    if args.sources.names:
        from ..hosts.command import plan_with_sources

        return plan_with_sources(args)[0]
    assert args.domain is not None
    return args.plan.plan(args.domain)


def run_plan(args: PlanArgs) -> int:
    if args.format is not None:
        from ..export.command import run_export

        return run_export(args, _plan_of, lambda text: print(text, end=""),
                          lambda text: print(text, end="", file=sys.stderr))
    from ..render import plan_report, plan_text, to_json
    from ..simulate import expected_addresses, simulate, simulation_json
    from ..simulation.inputs import EXPECTED

    assert args.domain is not None
    hosts = None
    if args.sources.names:
        from ..hosts.command import plan_with_sources

        plan, hosts = plan_with_sources(args)
    else:
        plan = args.plan.plan(args.domain)
    if args.provider is not None:
        report = plan_report(plan, provider=args.provider, settings=dict(args.settings),
                             name=args.name or plan.domain.replace(".", "-"))
    else:
        report = plan_report(plan)
    if hosts is not None:
        report["hosts"] = hosts.to_json()
    report["simulation"] = simulation_json(simulate(plan.records, expected_addresses(plan)))
    report["simulation_note"] = EXPECTED
    print(to_json(report) if args.json else plan_text(report), end="\n" if args.json else "")
    return ExitCode.OK if report["validation"]["ok"] else ExitCode.FINDINGS


def run_check(args: CheckArgs) -> int:
    import json

    if args.file is not None:
        return _check_bulk(args)
    from ..check.text import check_text

    assert args.domain is not None
    try:
        if args.sources.names:
            from ..hosts.command import check_with_sources

            rep = check_with_sources(args.domain, args.plan, args.sources, args.options)
        else:
            from ..check.command import run_single

            rep = run_single(args.plan.plan(args.domain), args.options)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    print(json.dumps(rep.to_json(), indent=2) if args.json else check_text(rep), end="\n" if args.json else "")
    return rep.exit_code


def _check_bulk(args: CheckArgs) -> int:
    """Rows as they finish; Ctrl-C and a closed pipe end quietly, keeping every finished row."""
    from ..check.command import run_bulk
    from ..check.text import summary_header, summary_line, totals_line
    from ..render import json_line

    counts: Counter[ExitCode] = Counter()
    started: list[bool] = []

    def emit(rep: Any) -> None:
        if not started:
            if not args.json:
                print(summary_header())
            started.append(True)
        print(json_line(rep.to_json()) if args.json else summary_line(rep), flush=True)

    try:
        code = run_bulk(args, emit, sys.stderr if sys.stderr.isatty() else None, counts)
    except KeyboardInterrupt:
        if not args.json:
            print(totals_line(counts, interrupted=True), flush=True)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        from .main import silence_stdout

        silence_stdout()
        return ExitCode.BROKEN_PIPE
    if not args.json:
        print(totals_line(counts))
    return code


def run_hosts(args: HostsArgs) -> int:
    import json

    from ..edges.display import shown
    from ..hosts.command import hosts_text
    from ..hosts.command import run_hosts as lookup_all

    def emit(data: dict[str, Any], _result: Any) -> None:
        print(json.dumps(data, separators=(",", ":")) if args.json else hosts_text(data), flush=True)

    code, changes = lookup_all(args, emit)
    for change in changes:
        verb = "would set" if args.dry_run else "set"
        print(shown(f"{verb} {change.key}: {change.old or '(unset)'} -> {change.new} [{change.source}]"), file=sys.stderr)
    return code


def run_sender(args: SenderArgs) -> int:
    from ..render import to_json
    from ..sender.command import run_sender as judge
    from ..sender.command import sender_text

    verdict = judge(args)
    print(to_json(verdict.to_json()) if args.json else sender_text(verdict), end="\n" if args.json else "")
    return verdict.code
