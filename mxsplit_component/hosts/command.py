"""CLI glue for host lookups: ``mxsplit hosts``, and ``--graph`` / ``--published`` on ``plan`` and ``check``.

Runs the async lookup for the options :mod:`mxsplit_component.cli` built, and turns results
into plans, findings, JSON and text. Printing stays in the CLI.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.findings import note_lines
from ..core.plan import MxPlan, plan_mx
from ..edges.csvfile import Columns, Row, open_rows
from ..edges.display import shown_lines
from ..edges.userfile import UserFileError
from ..errors import MxSplitError
from ..exitcodes import ExitCode
from .lookup import HostRequest, LookupOptions, find_all, open_finder
from .model import Conflict, HostLookupError, HostsResult, Note

if TYPE_CHECKING:
    from ..dns.options import DnsOptions
    from ..options import HostsArgs, PlanArgs, PlanFlags, Sources

from .model import CSV_COLUMNS

#: The header of ``hosts --file``: only the domain is needed (Graph names the tenant).
COLUMNS = Columns(CSV_COLUMNS[:1], CSV_COLUMNS[1:])


def lookup_options(sources: Sources, names: tuple[str, ...], cloud: str, dns: DnsOptions,
                   tenants: tuple[str, ...] = ()) -> LookupOptions:
    """What to ask (``names``) and how; ``dns.timeout`` also bounds each Graph lookup.

    :param tenants: the tenants the run's rows name (:func:`named_tenants`).
    """
    from .graph import check_graph_url

    if sources.graph_url is not None:
        check_graph_url(sources.graph_url)  # before any request: a bad URL is a usage error
    return LookupOptions(sources=names, cloud=cloud, graph_url=sources.graph_url, device_code=sources.device_code,
                         timeout=dns.timeout, dns=dns, tokens=sources.tokens, tenants=tenants)


def named_tenants(path: str, columns: Columns, cloud: str, default: str | None = None) -> tuple[str, ...]:
    """Every tenant the rows of ``--file path`` name (``default`` for a row that names none), read
    before any lookup: several mean one token per tenant. A tenant that is not a name is left
    out here (its row is refused when its turn comes)."""
    from ..core.clouds import get_cloud
    from .tokens import tenant_key

    where = get_cloud(cloud)
    found: dict[str, None] = {}
    with open_rows(path, columns) as rows:
        for row in rows:
            tenant = row.fields.get("tenant") or default
            if tenant:
                try:
                    found.setdefault(tenant_key(tenant, where))
                except MxSplitError:
                    continue
    return tuple(found)


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
        raise MxSplitError(f"the dual-stack host of {result.domain} is unknown: {why}; pass --dual-stack-host",
                           field="dual_stack_host")
    if result.tenant is None:
        raise MxSplitError(f"--tenant is required: no source named the tenant of {result.domain} ({why})",
                           field="tenant")
    dual, v4 = result.dual_stack_host, result.ipv4_only_host
    return plan_mx(domain=result.domain, tenant=result.tenant,
                   dual_stack_host=dual_stack_host or (None if dual.source == "derived" else dual.host),
                   ipv4_only_host=None if v4 is None or v4.source == "derived" else v4.host, **flags.shape())


def request_for(domain: str, flags: PlanFlags) -> HostRequest:
    return HostRequest(domain, flags.tenant, flags.dual_stack_host, flags.ipv4_only_host)


def plan_with_sources(args: PlanArgs) -> tuple[MxPlan, HostsResult]:
    """``plan --graph`` / ``--published``: the plan and the lookup it came from."""
    assert args.domain is not None
    options = lookup_options(args.sources, args.sources.names, args.plan.cloud, args.dns)
    result = lookup_one(request_for(args.domain, args.plan), options)
    return plan_from_result(result, args.plan), result


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


def bad_row(domain: str, error: MxSplitError, tenant: str | None = None) -> dict[str, Any]:
    """A row that could not be looked up, in the same shape as a looked-up one (no host known), plus ``error``;
    ``tenant`` as the row gave it."""
    unknown = {"host": None, "source": None}
    return {"domain": domain, "ok": False, "tenant": tenant, "ipv4_only_host": unknown,
            "dual_stack_host": dict(unknown), "conflicts": [], "notes": [], "error": str(error)}


def _requests(args: HostsArgs, stack: contextlib.ExitStack) -> tuple[Path | None, Iterable[HostRequest | MxSplitError]]:
    """The stack file to pin (``--stack``) and the requests, every input checked before any lookup
    (the CLI has refused combinations of flags it would not use)."""
    from . import pin

    if args.stack is not None:
        path = pin.stack_file(args.stack, args.cwd)
        return path, pin.stack_requests(path, write=not args.dry_run)
    if args.file is not None:
        return None, rows_of(stack.enter_context(open_rows(args.file, COLUMNS)))
    return None, [HostRequest(d, args.tenant, args.dual_stack_host, args.ipv4_only_host) for d in args.domains]


def run_hosts(args: HostsArgs, emit: Callable[[dict[str, Any], HostsResult | None], None]) -> tuple[int, list[Any]]:
    """Look up every domain; ``emit`` each result (JSON-able dict, and the result unless the row was bad).

    Ctrl-C ends the run with exit 130 after the rows already emitted; the stack file is then
    left as it was.

    :returns: (exit code, pin changes made with ``--stack``).
    """
    from . import pin

    with contextlib.ExitStack() as stack:
        path, requests = _requests(args, stack)
        tenants = _tenants(args, requests)
        if args.tenant:
            requests = (r if isinstance(r, MxSplitError) or r.tenant else replace(r, tenant=args.tenant)
                        for r in requests)
        options = lookup_options(args.sources, args.sources.names, args.cloud, args.dns, tenants)
        # The domain of each request, in order: results come back in the same order.
        order: deque[HostRequest | MxSplitError] = deque()

        def remember(items: Iterable[HostRequest | MxSplitError]) -> Iterator[HostRequest | MxSplitError]:
            for item in items:
                order.append(item)
                yield item

        async def main() -> tuple[int, list[HostsResult]]:
            worst, results = 0, []
            async with open_finder(options) as finder:
                async for item in find_all(finder, remember(requests), args.concurrency):
                    asked = order.popleft()
                    if isinstance(item, MxSplitError):
                        if isinstance(asked, FileRequest):
                            item = MxSplitError(f"line {asked.line}: {item}", field=item.field)
                        domain = asked.domain if isinstance(asked, (HostRequest, RowError)) else ""
                        emit(bad_row(domain, item, asked.tenant if isinstance(asked, HostRequest) else None), None)
                        worst = max(worst, ExitCode.USAGE)
                        continue
                    emit(item.to_json(), item)
                    worst = max(worst, exit_code(item))
                    if path is not None:  # kept only to pin them: a long --file streams
                        results.append(item)
            return worst, results

        try:
            code, results = asyncio.run(main())
            changes = pin.pin(path, results, write=not args.dry_run) if path is not None else []
        except KeyboardInterrupt:
            return ExitCode.INTERRUPTED, []
        except UserFileError as exc:
            raise MxSplitError(f"--stack {args.stack}: {exc}", field="stack") from None
    return code, changes


def _tenants(args: HostsArgs, requests: Iterable[HostRequest | MxSplitError]) -> tuple[str, ...]:
    """The tenants the run names, read before any lookup (only Graph needs them)."""
    from ..core.clouds import get_cloud
    from .tokens import tenant_key

    if not args.sources.graph:
        return ()
    if args.file is not None:
        return named_tenants(args.file, COLUMNS, args.cloud, args.tenant)
    named = {r.tenant for r in requests if isinstance(r, HostRequest) and r.tenant} if isinstance(requests, list) \
        else set()
    if args.tenant:
        named.add(args.tenant)
    found: dict[str, None] = {}
    for tenant in sorted(named):
        with contextlib.suppress(MxSplitError):
            found.setdefault(tenant_key(tenant, get_cloud(args.cloud)))
    return tuple(found)


def summary_row(data: dict[str, Any]) -> dict[str, Any]:
    """A ``hosts`` row as :class:`~mxsplit_component.check.summary.Summary` counts rows: its notes and
    conflicts are its findings."""
    found = [{"id": n["id"], "severity": n["severity"], "message": n["message"]}
             for n in [*data.get("conflicts", ()), *data.get("notes", ())]]
    if not data.get("ok") and "error" not in data and not any(f["severity"] == "error" for f in found):
        missing = [label for key, label in (("ipv4_only_host", "IPv4-only"), ("dual_stack_host", "dual-stack"))
                   if not (data.get(key) or {}).get("host")]
        found.append({"id": "unresolved", "severity": "error",
                      "message": f"no source named the {' and '.join(missing)} host; look it up with --graph or "
                                 "--published, or give the tenant"})
    return {"domain": data.get("domain"), "findings": found, **({"error": data["error"]} if "error" in data else {})}


def hosts_text(data: dict[str, Any]) -> str:
    """Human-readable lines for one domain of ``mxsplit hosts``."""
    if "error" in data:
        return shown_lines([data["domain"], f"  BAD INPUT   {data['error']}"])
    out = [f"{data['domain']}" + (f"  (tenant {data['tenant']})" if data["tenant"] else "")]
    for key, label in (("ipv4_only_host", "ipv4-only"), ("dual_stack_host", "dual-stack")):
        found = data[key]
        out.append(f"  {label:<11} {found['host'] or '(unknown)'}" + (f"  [{found['source']}]" if found["host"] else ""))
    out += note_lines([*map(Conflict.from_json, data["conflicts"]), *map(Note.from_json, data["notes"])])
    return shown_lines(out)  # Graph's messages and DNS details are network text
