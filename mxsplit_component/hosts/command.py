"""CLI glue for host lookups: ``mxsplit hosts``, and ``--graph`` / ``--published`` on ``plan`` and ``check``.

Runs the async lookup for the options :mod:`mxsplit_component.cli` built, and turns results
into plans, findings, JSON and text. Printing stays in the CLI.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.findings import note_lines
from ..core.plan import MxPlan, plan_mx
from ..errors import MxSplitError
from ..exitcodes import ExitCode
from .lookup import HostRequest, LookupOptions, find_all, open_finder
from .model import Conflict, HostLookupError, HostsResult, Note

if TYPE_CHECKING:
    from ..check.report import CheckReport
    from ..check.run import CheckOptions
    from ..cli.options import HostsArgs, PlanArgs, PlanFlags, Sources
    from ..dns.options import DnsOptions

from .args import CSV_COLUMNS


def lookup_options(sources: Sources, names: tuple[str, ...], cloud: str, dns: DnsOptions) -> LookupOptions:
    """What to ask (``names``) and how; ``dns.timeout`` also bounds each Graph lookup."""
    from .graph import check_graph_url

    if sources.graph_url is not None:
        check_graph_url(sources.graph_url)  # before any request: a bad URL is a usage error
    return LookupOptions(sources=names, cloud=cloud, graph_url=sources.graph_url, device_code=sources.device_code,
                         timeout=dns.timeout, dns=dns)


def lookup_one(request: HostRequest, options: LookupOptions) -> HostsResult:
    async def main() -> HostsResult:
        async with open_finder(options) as finder:
            return await finder.find(request)

    return asyncio.run(main())


# -- plan and check ---------------------------------------------------------------------------

def plan_from_result(result: HostsResult, flags: PlanFlags, *, dual_stack_host: str | None = None) -> MxPlan:
    """The plan for a looked-up domain; refuses (naming the field) when a host or the tenant is unknown.

    :raises HostLookupError: when a lookup failed (exit 3), rather than planning on a guess.
    """
    # Graph's definite "no" (unverified, not in this tenant) is the thing to fix, even when the zone lookup failed.
    graph_refused = [n for n in result.notes if n.source == "graph" and n.severity == "error" and not n.incomplete]
    if graph_refused:
        raise MxSplitError(graph_refused[0].message, field="domain")
    failed = [n for n in result.notes if n.incomplete]
    if failed:
        raise HostLookupError(failed[0].message, domain=result.domain)
    if any(c.severity == "error" for c in result.conflicts):
        bad = next(c for c in result.conflicts if c.severity == "error")
        raise MxSplitError(bad.message, field=bad.role)
    refused = [n for n in result.notes if n.severity == "error"]
    if refused:
        raise MxSplitError(refused[0].message, field="domain")
    why = "; ".join(n.message for n in result.notes) or "no source named it"
    if result.dual_stack_host is None:
        raise MxSplitError(f"the dual-stack host of {result.domain} is unknown: {why}; pass --dual-stack-host",
                           field="dual_stack_host")
    if result.tenant is None:
        raise MxSplitError(f"--tenant is required: no source named the tenant of {result.domain} ({why})",
                           field="tenant")
    dual, v4 = result.dual_stack_host, result.ipv4_only_host
    return plan_mx(domain=result.domain, tenant=result.tenant,
                   dual_stack_host=dual_stack_host or (None if dual.source == "derived" else dual.host),
                   ipv4_only_host=None if v4 is None or v4.source == "derived" else v4.host, **flags.shape())


def _request(domain: str, flags: PlanFlags) -> HostRequest:
    return HostRequest(domain, flags.tenant, flags.dual_stack_host, flags.ipv4_only_host)


def plan_with_sources(args: PlanArgs) -> tuple[MxPlan, HostsResult]:
    """``plan --graph`` / ``--published``: the plan and the lookup it came from."""
    assert args.domain is not None
    options = lookup_options(args.sources, args.sources.names, args.plan.cloud, args.dns)
    result = lookup_one(_request(args.domain, args.plan), options)
    return plan_from_result(result, args.plan), result


def check_with_sources(domain: str, flags: PlanFlags, sources: Sources, options: CheckOptions) -> CheckReport:
    """``check --graph`` / ``--published``: look the hosts up, check the plan, add the Graph findings.

    With ``--graph`` the published MX is read too, to compare it with Graph's host.
    """
    from dataclasses import replace

    from ..check.command import run_single
    from .drift import graph_findings, is_moved

    names = ("graph", "published") if sources.graph else sources.names
    result = lookup_one(_request(domain, flags), lookup_options(sources, names, flags.cloud, options.dns))
    graph = result.sources.get("graph")
    graph_host = graph.dual_stack_host if graph is not None else None
    published = result.sources.get("published")
    old = published.dual_stack_host if published is not None else None
    moved = graph_host is not None and old is not None and is_moved(graph_host, old)
    # Moved: the old host still receives mail, so check what is published and warn, not fail.
    plan = plan_from_result(result, flags, dual_stack_host=old if moved else None)
    rep = run_single(plan, options)
    return replace(rep.with_findings(graph_findings(plan, graph_host, rep.published)), hosts=result)


# -- mxsplit hosts ----------------------------------------------------------------------------

def exit_code(result: HostsResult) -> ExitCode:
    if result.incomplete:
        return ExitCode.INCOMPLETE
    return ExitCode.OK if result.ok else ExitCode.FINDINGS


def read_csv(path: str) -> list[HostRequest]:
    try:
        fh = open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise MxSplitError(f"--file {path}: {exc.strerror}", field="file") from None
    with fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        if "domain" not in header:
            raise MxSplitError(f"--file needs a header with domain (optional: {', '.join(CSV_COLUMNS[1:])})",
                               field="file")
        unknown = [c for c in header if c not in CSV_COLUMNS]
        if unknown:
            raise MxSplitError(f"--file has an unknown column {unknown[0]!r}; use {', '.join(CSV_COLUMNS)}",
                               field="file")
        reader.fieldnames = header
        return [HostRequest(**{k: (row.get(k) or "").strip() or None for k in CSV_COLUMNS})  # type: ignore[arg-type]
                for row in reader]


def bad_row(domain: str, error: MxSplitError) -> dict[str, Any]:
    """A row that could not be looked up, in the same shape as a looked-up one (no host known), plus ``error``."""
    unknown = {"host": None, "source": None}
    return {"domain": domain, "ok": False, "tenant": None, "ipv4_only_host": unknown, "dual_stack_host": dict(unknown),
            "conflicts": [], "notes": [], "error": str(error)}


def run_hosts(args: HostsArgs, emit: Callable[[dict[str, Any], HostsResult | None], None]) -> tuple[int, list[Any]]:
    """Look up every domain; ``emit`` each result (JSON-able dict, and the result unless the row was bad).

    :returns: (exit code, pin changes made with ``--stack``).
    """
    from . import pin

    path = None
    if args.stack is not None:
        path = pin.stack_file(args.stack, args.cwd)
        requests = pin.stack_requests(path)
    elif args.file is not None:
        requests = read_csv(args.file)
    else:
        requests = [HostRequest(d, args.tenant, args.dual_stack_host, args.ipv4_only_host) for d in args.domains]
    if args.tenant:
        requests = [r if r.tenant else HostRequest(r.domain, args.tenant, r.dual_stack_host, r.ipv4_only_host)
                    for r in requests]
    options = lookup_options(args.sources, args.sources.names, args.cloud, args.dns)

    async def main() -> tuple[int, list[HostsResult]]:
        worst, results = 0, []  # type: tuple[int, list[HostsResult | None]]
        async with open_finder(options) as finder:
            async for item in find_all(finder, requests, args.concurrency):
                if isinstance(item, MxSplitError):
                    index = len(results)
                    emit(bad_row(requests[index].domain, item), None)
                    worst = max(worst, ExitCode.USAGE)
                    results.append(None)
                    continue
                emit(item.to_json(), item)
                worst = max(worst, exit_code(item))
                results.append(item)
        return worst, [r for r in results if r is not None]

    code, results = asyncio.run(main())
    changes = pin.pin(path, results, write=not args.dry_run) if path is not None else []
    return code, changes


def hosts_text(data: dict[str, Any]) -> str:
    """Human-readable lines for one domain of ``mxsplit hosts``."""
    if "error" in data:
        return f"{data['domain']}\n  BAD INPUT   {data['error']}\n"
    out = [f"{data['domain']}" + (f"  (tenant {data['tenant']})" if data["tenant"] else "")]
    for key, label in (("ipv4_only_host", "ipv4-only"), ("dual_stack_host", "dual-stack")):
        found = data[key]
        out.append(f"  {label:<11} {found['host'] or '(unknown)'}" + (f"  [{found['source']}]" if found["host"] else ""))
    out += note_lines([*map(Conflict.from_json, data["conflicts"]), *map(Note.from_json, data["notes"])])
    return "\n".join(out) + "\n"
