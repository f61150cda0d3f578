"""CLI glue for host lookups: ``mxsplit hosts``, and ``--graph`` / ``--published`` on ``plan`` and ``check``.

Builds options from flags, runs the async lookup, and turns results into plans, findings,
JSON and text. Printing stays in :mod:`mxsplit_component.cli`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.plan import MxPlan, plan_mx
from ..edges.csvfile import Columns, Row, open_rows
from ..edges.display import shown_lines
from ..edges.userfile import UserFileError
from ..errors import MxSplitError
from ..exitcodes import ExitCode
from .lookup import HostRequest, LookupOptions, find_all, open_finder
from .model import HostLookupError, HostsResult

if TYPE_CHECKING:
    from ..check.report import CheckReport
    from ..dns.options import DnsOptions

from .args import CSV_COLUMNS

#: The header of ``hosts --file``: only the domain is needed (Graph names the tenant).
COLUMNS = Columns(CSV_COLUMNS[:1], CSV_COLUMNS[1:])


def sources_of(ns: argparse.Namespace) -> tuple[str, ...]:
    return tuple(s for s in ("graph", "published") if getattr(ns, s, False))


def dns_options(ns: argparse.Namespace) -> DnsOptions:
    from ..check.command import checked_seconds
    from ..dns.options import DnsOptions

    checked_seconds(ns.timeout, "--timeout", zero_ok=False)
    return DnsOptions(nameservers=tuple(ns.nameserver) or None, timeout=ns.timeout, authoritative=ns.authoritative,
                      port=ns.port)


def lookup_options(ns: argparse.Namespace, sources: tuple[str, ...], dns: DnsOptions | None = None) -> LookupOptions:
    from .graph import check_graph_url

    if ns.graph_url is not None:
        check_graph_url(ns.graph_url)  # before any request: a bad URL is a usage error
    return LookupOptions(sources=sources, cloud=ns.cloud, graph_url=ns.graph_url, device_code=ns.device_code,
                         timeout=ns.timeout, dns=dns if dns is not None else dns_options(ns))


def lookup_one(ns: argparse.Namespace, sources: tuple[str, ...], dns: DnsOptions | None = None) -> HostsResult:
    options = lookup_options(ns, sources, dns)
    request = HostRequest(ns.domain, ns.tenant, ns.dual_stack_host, ns.ipv4_only_host)

    async def main() -> HostsResult:
        async with open_finder(options) as finder:
            return await finder.find(request)

    return asyncio.run(main())


# -- plan and check ---------------------------------------------------------------------------

def plan_from_result(result: HostsResult, ns: argparse.Namespace, *, dual_stack_host: str | None = None) -> MxPlan:
    """The plan for a looked-up domain; refuses (naming the field) when a host or the tenant is unknown.

    :raises HostLookupError: when a lookup failed (exit 3), rather than planning on a guess.
    """
    # Graph's definite "no" (unverified, not in this tenant) is the thing to fix, even when the zone lookup failed.
    graph_refused = [n for n in result.notes if n.source == "graph" and n.severity == "error" and not n.incomplete]
    if graph_refused:
        raise MxSplitError(graph_refused[0].message, field="domain")
    failed = [n for n in result.notes if n.incomplete]
    if failed:
        message = failed[0].message  # it may be about the tenant's domain list: say which lookup failed
        raise HostLookupError(message if result.domain in message else f"looking up {result.domain}: {message}",
                              domain=result.domain)
    if any(c.severity == "error" for c in result.conflicts):
        bad = next(c for c in result.conflicts if c.severity == "error")
        raise MxSplitError(bad.message, field=bad.role)
    refused = [n for n in result.notes if n.severity == "error"]
    if refused:
        raise MxSplitError(refused[0].message, field="domain")
    why = "; ".join(n.message for n in result.notes) or "no source named it"
    if result.dual_stack_host is None:
        raise MxSplitError(f"dual_stack_host of {result.domain} is unknown: {why}; pass --dual-stack-host",
                           field="dual_stack_host")
    if result.tenant is None:
        raise MxSplitError(f"--tenant is required: no source named the tenant of {result.domain} ({why})",
                           field="tenant")
    dual, v4 = result.dual_stack_host, result.ipv4_only_host
    return plan_mx(domain=result.domain, tenant=result.tenant, mode=ns.mode, primary_priority=ns.primary_priority,
                   secondary_priority=ns.secondary_priority,
                   dual_stack_host=dual_stack_host or (None if dual.source == "derived" else dual.host),
                   ipv4_only_host=None if v4 is None or v4.source == "derived" else v4.host, cloud=ns.cloud, ttl=ns.ttl)


def plan_with_sources(ns: argparse.Namespace) -> tuple[MxPlan, HostsResult]:
    """``plan --graph`` / ``--published``: the plan and the lookup it came from."""
    result = lookup_one(ns, sources_of(ns))
    return plan_from_result(result, ns), result


def check_with_sources(ns: argparse.Namespace,
                       run_single: Callable[[argparse.Namespace, Callable[[argparse.Namespace], MxPlan]],
                                            CheckReport]) -> CheckReport:
    """``check --graph`` / ``--published``: look the hosts up, check the plan, add the Graph findings.

    With ``--graph`` the published MX is read too, to compare it with Graph's host.
    """
    from ..check.command import options_from
    from .drift import graph_findings, is_moved

    if ns.file is not None:
        raise MxSplitError("--graph and --published check one DOMAIN; for many, run mxsplit hosts --file CSV --stack "
                           "<stack> to pin the hosts, then mxsplit check --file", field="file")
    if ns.domain is None:
        raise MxSplitError("pass a DOMAIN to check", field="domain")
    sources = sources_of(ns)
    if "graph" in sources:
        sources = ("graph", "published")
    result = lookup_one(ns, sources, options_from(ns).dns)
    graph = result.sources.get("graph")
    graph_host = graph.dual_stack_host if graph is not None else None
    published = result.sources.get("published")
    old = published.dual_stack_host if published is not None else None
    moved = graph_host is not None and old is not None and is_moved(graph_host, old)
    # Moved: the old host still receives mail, so check what is published and warn, not fail.
    plan = plan_from_result(result, ns, dual_stack_host=old if moved else None)
    rep = run_single(ns, lambda _ns: plan)
    return replace(rep.with_findings(graph_findings(plan, graph_host, rep.published)), hosts=result)


# -- mxsplit hosts ----------------------------------------------------------------------------

def exit_code(result: HostsResult) -> ExitCode:
    if result.incomplete:
        return ExitCode.INCOMPLETE
    return ExitCode.OK if result.ok else ExitCode.FINDINGS


def rows_of(rows: Iterable[Row]) -> Iterator[HostRequest | MxSplitError]:
    """One request per ``--file`` row; a row that cannot be read is its error, naming the line."""
    for row in rows:
        if row.error is not None:
            yield RowError(row.error, line=row.line, domain=row.fields.get("domain", ""))
            continue
        given = {k: row.fields.get(k) or None for k in CSV_COLUMNS}
        yield FileRequest(given["domain"] or "", given["tenant"], given["dual_stack_host"], given["ipv4_only_host"],
                          line=row.line)


@dataclass(frozen=True)
class FileRequest(HostRequest):
    """A request from a ``--file`` row: its errors name the line."""

    line: int = 0


class RowError(MxSplitError):
    """A ``--file`` row that could not be read or looked up; the message names its line."""

    def __init__(self, message: str, *, line: int, domain: str) -> None:
        super().__init__(message, field="file")
        self.line = line
        self.domain = domain


def bad_row(domain: str, error: MxSplitError) -> dict[str, Any]:
    """A row that could not be looked up, in the same shape as a looked-up one (no host known), plus ``error``."""
    unknown = {"host": None, "source": None}
    return {"domain": domain, "ok": False, "tenant": None, "ipv4_only_host": unknown, "dual_stack_host": dict(unknown),
            "conflicts": [], "notes": [], "error": str(error)}


def _requests(ns: argparse.Namespace, stack: contextlib.ExitStack) -> tuple[Path | None, Iterable[HostRequest | MxSplitError]]:
    """The stack file to pin (``--stack``) and the requests, every input checked before any lookup."""
    from . import pin

    given = {"dual_stack_host": ns.dual_stack_host, "ipv4_only_host": ns.ipv4_only_host}
    if ns.stack is not None:
        if ns.file is not None or ns.domains:
            raise MxSplitError("--stack looks up the domains the stack lists; pass no DOMAIN or --file", field="stack")
        if any(given.values()):
            raise MxSplitError("--stack pins looked-up hosts; drop --dual-stack-host/--ipv4-only-host", field="stack")
        path = pin.stack_file(ns.stack, ns.cwd)
        return path, pin.stack_requests(path, write=not ns.dry_run)
    if ns.file is not None:
        if ns.domains:
            raise MxSplitError("pass either DOMAIN... or --file, not both", field="file")
        return None, rows_of(stack.enter_context(open_rows(ns.file, COLUMNS)))
    if ns.domains:
        if len(ns.domains) > 1 and any(given.values()):
            raise MxSplitError("--dual-stack-host/--ipv4-only-host apply to one DOMAIN; use --file for many",
                               field="dual_stack_host")
        return None, [HostRequest(d, ns.tenant, **given) for d in ns.domains]
    raise MxSplitError("pass a DOMAIN, --file domains.csv, or --stack NAME", field="domain")


def run_hosts(ns: argparse.Namespace, emit: Callable[[dict[str, Any], HostsResult | None], None]) -> tuple[int, list[Any]]:
    """Look up every domain; ``emit`` each result (JSON-able dict, and the result unless the row was bad).

    Ctrl-C ends the run with exit 130 after the rows already emitted; the stack file is then
    left as it was.

    :returns: (exit code, pin changes made with ``--stack``).
    """
    from . import pin

    if ns.concurrency < 1:
        raise MxSplitError("--concurrency must be at least 1", field="concurrency")
    with contextlib.ExitStack() as stack:
        path, requests = _requests(ns, stack)
        if ns.tenant:
            requests = (r if isinstance(r, MxSplitError) or r.tenant else replace(r, tenant=ns.tenant)
                        for r in requests)
        options = lookup_options(ns, sources_of(ns))
        # The domain of each request, in order: results come back in the same order.
        order: deque[HostRequest | MxSplitError] = deque()

        def remember(items: Iterable[HostRequest | MxSplitError]) -> Iterator[HostRequest | MxSplitError]:
            for item in items:
                order.append(item)
                yield item

        async def main() -> tuple[int, list[HostsResult]]:
            worst, results = 0, []
            async with open_finder(options) as finder:
                async for item in find_all(finder, remember(requests), ns.concurrency):
                    asked = order.popleft()
                    if isinstance(item, MxSplitError):
                        if isinstance(asked, FileRequest):
                            item = MxSplitError(f"line {asked.line}: {item}", field=item.field)
                        domain = asked.domain if isinstance(asked, (HostRequest, RowError)) else ""
                        emit(bad_row(domain, item), None)
                        worst = max(worst, ExitCode.USAGE)
                        continue
                    emit(item.to_json(), item)
                    worst = max(worst, exit_code(item))
                    if path is not None:  # kept only to pin them: a long --file streams
                        results.append(item)
            return worst, results

        try:
            code, results = asyncio.run(main())
            changes = pin.pin(path, results, write=not ns.dry_run) if path is not None else []
        except KeyboardInterrupt:
            return ExitCode.INTERRUPTED, []
        except UserFileError as exc:
            raise MxSplitError(f"--stack {ns.stack}: {exc}", field="stack") from None
    return code, changes


def hosts_text(data: dict[str, Any]) -> str:
    """Human-readable lines for one domain of ``mxsplit hosts``."""
    if "error" in data:
        return shown_lines([data["domain"], f"  BAD INPUT   {data['error']}"])
    out = [f"{data['domain']}" + (f"  (tenant {data['tenant']})" if data["tenant"] else "")]
    for key, label in (("ipv4_only_host", "ipv4-only"), ("dual_stack_host", "dual-stack")):
        found = data[key]
        out.append(f"  {label:<11} {found['host'] or '(unknown)'}" + (f"  [{found['source']}]" if found["host"] else ""))
    for c in data["conflicts"]:
        out.append(f"  {c['severity'].upper():<11} {c['id']}: {c['message']}")
    for n in data["notes"]:
        out.append(f"  {'note' if n['severity'] == 'info' else n['severity'].upper():<11} {n['id']}: {n['message']}")
    return shown_lines(out)  # Graph's messages and DNS details are network text
