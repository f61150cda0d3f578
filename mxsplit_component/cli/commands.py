"""Each command's run for its options: the only code that prints (results to stdout,
progress and notes to stderr). Heavy modules load here, per command, never at start-up."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..exitcodes import ExitCode

if TYPE_CHECKING:
    from ..core.plan import MxPlan
    from ..options import CheckArgs, HostsArgs, PlanArgs, SenderArgs


def _plan_of(args: PlanArgs) -> MxPlan:
    if args.sources.names:
        from ..hosts.command import plan_with_sources

        return plan_with_sources(args)[0]
    assert args.domain is not None
    return args.plan.plan(args.domain)


def run_plan(args: PlanArgs) -> int:
    _warn_tokens(args)
    if args.format is not None:
        from ..export.command import run_export

        return run_export(args, _plan_of, lambda text: print(text, end=""),
                          lambda text: print(text, end="", file=sys.stderr))
    from ..render import plan_report, plan_text, to_json
    from ..simulation import expected_addresses, simulate, simulation_json
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


def _warn_tokens(args: PlanArgs | CheckArgs | HostsArgs) -> None:
    """A token file others may read is a secret shared with them: say so, and go on."""
    path = args.sources.graph_tokens
    if path is not None:
        from ..hosts.tokens import readable_by_others

        if readable_by_others(path):
            print(f"mxsplit: warning: --graph-tokens {path} can be read by others than its owner; its tokens are "
                  f"secrets: chmod 600 {path}", file=sys.stderr)


def run_check(args: CheckArgs) -> int:
    import json

    _warn_tokens(args)
    if args.file is not None:
        return _check_bulk(args)
    from ..check.text import check_text

    assert args.domain is not None
    try:
        if args.sources.names:
            from ..check.command import check_with_sources

            rep = check_with_sources(args.domain, args.plan, args.sources, args.options)
        else:
            from ..check.command import run_single

            rep = run_single(args.plan.plan(args.domain), args.options)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    print(json.dumps(rep.to_json(), indent=2) if args.json else check_text(rep), end="\n" if args.json else "")
    return rep.exit_code


def _check_bulk(args: CheckArgs) -> int:
    """Rows as they finish; Ctrl-C and a closed pipe end quietly, keeping every finished row.

    Before any lookup: the ``--summary`` file must be writable and the ``--baseline`` readable.
    """
    from ..check.bulkrun import BulkRun
    from ..check.command import read_baseline_file, run_bulk
    from ..check.summary import Summary, check_summary_file, write_summary
    from ..check.text import changes_text, summary_header, summary_line, totals_line
    from ..render import json_line

    if args.summary is not None:
        check_summary_file(args.summary)
    baseline = read_baseline_file(args.baseline) if args.baseline is not None else None
    summary = Summary() if args.summary is not None or not args.json else None
    run = BulkRun(baseline, summary)
    counts: Counter[ExitCode] = Counter()
    started: list[bool] = []

    def emit(judged: Any) -> None:
        if not started:
            if not args.json:
                print(summary_header())
            started.append(True)
        # Flushed when the next row is not ready (``idle``): one write per burst of rows.
        if args.json:
            print(json_line(judged.row if judged.row is not None else judged.result.to_json()))
        else:
            print(summary_line(judged.result) + changes_text(judged.changes))

    def end(interrupted: bool = False) -> None:
        if summary is not None and not args.json:
            for line in summary.text_lines():
                print(line)
        if not args.json:
            print(totals_line(counts, interrupted=interrupted), flush=True)
        if summary is not None and args.summary is not None:
            if interrupted:
                summary.title += " (interrupted)"
            write_summary(args.summary, summary)

    try:
        code = run_bulk(args, run, emit, sys.stderr if sys.stderr.isatty() else None, counts, sys.stdout.flush)
        sys.stdout.flush()  # the last rows, while a closed pipe is still caught here
    except KeyboardInterrupt:
        end(interrupted=True)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        return ExitCode.BROKEN_PIPE
    end()
    return code


def run_hosts(args: HostsArgs) -> int:
    import json

    from ..edges.display import shown
    from ..hosts.command import exit_code, hosts_text, summary_row
    from ..hosts.command import run_hosts as lookup_all

    _warn_tokens(args)
    summary = None
    if args.file is not None and (args.summary is not None or not args.json):
        from ..check.summary import HOSTS_VERDICTS, Summary, check_summary_file

        if args.summary is not None:
            check_summary_file(args.summary)
        summary = Summary(title="mxsplit hosts", labels=HOSTS_VERDICTS)

    def emit(data: dict[str, Any], result: Any) -> None:
        print(json.dumps(data, separators=(",", ":")) if args.json else hosts_text(data), flush=True)
        if summary is not None:
            summary.add(summary_row(data), exit_code(result) if result is not None else ExitCode.USAGE,
                        data.get("tenant"))

    code, changes = lookup_all(args, emit)
    for change in changes:
        verb = "would set" if args.dry_run else "set"
        print(shown(f"{verb} {change.key}: {change.old or '(unset)'} -> {change.new} [{change.source}]"), file=sys.stderr)
    if summary is not None:
        if not args.json:
            for line in [*summary.text_lines(), f"looked up {summary.total} domains: {summary.totals_line()}"]:
                print(line)
        if args.summary is not None:
            from ..check.summary import write_summary

            if code == ExitCode.INTERRUPTED:
                summary.title += " (interrupted)"
            write_summary(args.summary, summary)
    return code


def run_sender(args: SenderArgs) -> int:
    from ..render import to_json
    from ..sender.command import run_sender as judge
    from ..sender.command import sender_text

    verdict = judge(args)
    print(to_json(verdict.to_json()) if args.json else sender_text(verdict), end="\n" if args.json else "")
    return verdict.code


def silence_stdout() -> None:
    """The reader went away (``| head``): point stdout at /dev/null so the flush at exit is quiet,
    as the Python docs advise for SIGPIPE."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
