"""Named validation rules over a set of MX records.

A rule is a pure function of the records (planned by :func:`plan_mx`, observed by the live
checks, or declared in a stack and seen by the policy pack) and a :class:`RuleContext`
saying which host is which. Each rule has a stable kebab-case id (public API, like
octoDNS's validator ids) and returns a :class:`~.findings.RuleResult` instead of raising.
``validation["ok"]`` is false only when an ``error`` rule fails.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from .clouds import is_microsoft_host, uses_mx_microsoft
from .findings import Finding, RuleResult, Severity
from .plan import MxPlan, MxRecord


class RuleContext(NamedTuple):
    """Which host plays which role, for the records under test."""

    mode: str
    ipv4_only_host: str
    dual_stack_host: str
    dual_stack_host_derived: bool = False

    @classmethod
    def from_plan(cls, plan: MxPlan) -> RuleContext:
        return cls(plan.mode, plan.ipv4_only_host, plan.dual_stack_host, plan.dual_stack_host_derived)


RuleFn = Callable[[Sequence[MxRecord], RuleContext], tuple[bool, str]]


class Rule(NamedTuple):
    id: str
    severity: Severity
    summary: str
    check: RuleFn

    def __call__(self, records: Sequence[MxRecord], ctx: RuleContext) -> RuleResult:
        ok, message = self.check(records, ctx)
        return RuleResult(self.id, self.severity, message, ok=ok)


#: Every rule, in the order results are reported.
RULES: list[Rule] = []


def rule(rule_id: str, severity: Severity, summary: str) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function under a stable id."""

    def register(fn: RuleFn) -> RuleFn:
        RULES.append(Rule(rule_id, severity, summary, fn))
        return fn

    return register


def _prefs(records: Sequence[MxRecord], host: str) -> list[int]:
    return sorted([r.preference for r in records if r.exchange == host])


@rule("hosts-distinct", Severity.ERROR, "no host appears twice and a split uses two different hosts")
def _hosts_distinct(records: Sequence[MxRecord], ctx: RuleContext) -> tuple[bool, str]:
    exchanges = [r.exchange for r in records]
    if len(set(exchanges)) < len(exchanges):
        dupes = sorted(host for host, n in Counter(exchanges).items() if n > 1)
        return False, f"{', '.join(dupes)} appears in more than one MX record; keep one record per host"
    if ctx.mode == "split" and ctx.ipv4_only_host == ctx.dual_stack_host:
        return False, (f"the IPv4-only and dual-stack hosts are both {ctx.ipv4_only_host}; "
                       "the split needs two different hosts")
    return True, "every MX record points at a different host"


@rule("split-complete", Severity.ERROR, "split mode publishes both hosts; standard mode only the dual-stack host")
def _split_complete(records: Sequence[MxRecord], ctx: RuleContext) -> tuple[bool, str]:
    hosts = {r.exchange for r in records}
    if ctx.mode == "split":
        missing = [h for h in (ctx.ipv4_only_host, ctx.dual_stack_host) if h not in hosts]
        if missing:
            return False, (f"split mode needs MX records for both {ctx.ipv4_only_host} (IPv4-only) and "
                           f"{ctx.dual_stack_host} (dual-stack); missing: {', '.join(missing)}")
        return True, "both the IPv4-only and the dual-stack host are published"
    if ctx.dual_stack_host not in hosts:
        return False, f"standard mode needs an MX record for {ctx.dual_stack_host}"
    return True, f"the dual-stack host {ctx.dual_stack_host} is published"


@rule("priority-order", Severity.ERROR, "the IPv4-only host is strictly preferred over the dual-stack host")
def _priority_order(records: Sequence[MxRecord], ctx: RuleContext) -> tuple[bool, str]:
    if ctx.mode != "split":
        return True, "standard mode: one preference level, nothing to order"
    v4, ds = _prefs(records, ctx.ipv4_only_host), _prefs(records, ctx.dual_stack_host)
    if not v4 or not ds:
        return True, "not applicable: one of the split hosts is not published (see split-complete)"
    if max(v4) < min(ds):
        return True, (f"{ctx.ipv4_only_host} (MX {max(v4)}) is preferred over "
                      f"{ctx.dual_stack_host} (MX {min(ds)})")
    if max(v4) == min(ds):
        return False, (f"{ctx.ipv4_only_host} and {ctx.dual_stack_host} share preference {min(ds)}: senders pick "
                       "at random and IPv6-preferring ones reach the dual-stack host; give the IPv4-only host "
                       "the lower number (e.g. 0 and 10)")
    return False, (f"{ctx.dual_stack_host} (MX {min(ds)}) is preferred over {ctx.ipv4_only_host} (MX {max(v4)}): "
                   "every IPv6-capable sender uses IPv6; give the IPv4-only host the lower number")


@rule("microsoft-hosts", Severity.WARNING, "every MX target is a Microsoft 365 inbound host")
def _microsoft_hosts(records: Sequence[MxRecord], ctx: RuleContext) -> tuple[bool, str]:
    foreign = sorted(r.exchange for r in records if not is_microsoft_host(r.exchange))
    if foreign:
        return False, (f"{', '.join(foreign)} is not a Microsoft 365 inbound host; senders that pick it bypass "
                       "Exchange Online and the split: remove it, or keep it on purpose (gateway, backup MX)")
    return True, "every MX target is a Microsoft 365 inbound host"


@rule("dane-compatible", Severity.WARNING, "a split does not use DANE-enabled mx.microsoft hosts")
def _dane_compatible(records: Sequence[MxRecord], ctx: RuleContext) -> tuple[bool, str]:
    dane = sorted({r.exchange for r in records if uses_mx_microsoft(r.exchange)})
    if dane and len({r.exchange for r in records}) > 1:
        return False, (f"{', '.join(dane)} is an mx.microsoft host: inbound DANE for Exchange Online requires a "
                       "single MX with no fallback, so a split cannot keep DANE; choose DANE (mode standard) "
                       "or the split")
    return True, "no DANE conflict"


@rule("dual-stack-host-derived", Severity.INFO, "the dual-stack host was copied from Microsoft rather than derived")
def _dual_stack_derived(records: Sequence[MxRecord], ctx: RuleContext) -> tuple[bool, str]:
    if ctx.dual_stack_host_derived:
        return False, (f"{ctx.dual_stack_host} was derived from the domain name (dots to hyphens), which is what "
                       "Microsoft usually assigns; confirm it in the admin center (Settings > Domains > DNS "
                       "records) or Graph serviceConfigurationRecords and pass dual_stack_host to pin it")
    return True, f"{ctx.dual_stack_host} was given explicitly"


def run_rules(records: Iterable[MxRecord], ctx: RuleContext, rules: Sequence[Rule] | None = None) -> list[RuleResult]:
    """Run ``rules`` (default: all) over ``records``."""
    recs = sorted(records)
    return [r(recs, ctx) for r in (RULES if rules is None else rules)]


def failed_rules(records: Iterable[MxRecord], ctx: RuleContext) -> list[Finding]:
    """What every rule that fails on ``records`` says, as plain findings (the live check's view of the rules)."""
    recs = sorted(records)
    failed = []
    for r in RULES:  # the rule functions directly: passing results are not needed, and a bulk run asks per row
        ok, message = r.check(recs, ctx)
        if not ok:
            failed.append(Finding(r.id, r.severity, message))
    return failed


def validation_report(results: Sequence[RuleResult]) -> dict[str, Any]:
    """The ``validation`` output: ``ok`` is false only when an ``error`` rule fails."""
    failed = [r for r in results if not r.ok]
    return {
        "ok": not any(r.severity is Severity.ERROR for r in failed),
        "rules": [r.to_json() for r in results],
        "errors": [r.id for r in failed if r.severity is Severity.ERROR],
        "warnings": [r.id for r in failed if r.severity is Severity.WARNING],
    }


def validate_plan(plan: MxPlan) -> dict[str, Any]:
    """Run every rule on a plan's own records."""
    return validation_report(run_rules(plan.records, RuleContext.from_plan(plan)))
