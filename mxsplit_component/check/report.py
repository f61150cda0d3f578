"""What ``mxsplit check`` concluded, as typed data built in one place.

The JSON form (``to_json``) is an interface scripts rely on: a check keeps ``domain``,
``ok``, ``expected``, ``published``, ``addresses``, ``findings`` (each ``id``, ``severity``,
``message``), ``simulation`` and ``simulation_note`` (what it routed over, or why it was not
run); what could not be observed is ``null``, never empty (``published`` with
``published_error``, a host's ``ipv4``/``ipv6`` with its ``errors``); with ``--smtp`` also ``smtp`` (``port``,
``unprobed_families``, ``probes``), with ``--graph``/``--published`` also ``hosts``; a bad
row of a bulk run is ``domain``, ``ok`` (false), ``line`` and ``error``. The renderers
(:mod:`.text`) read these objects and never rebuild them; the exit code is computed here only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from ..core.findings import Finding, Severity
from ..core.plan import MxPlan, MxRecord
from ..dns.observe import HostLookup
from ..exitcodes import ExitCode
from ..simulation import Case, simulate
from ..simulation.inputs import Routing, observed
from .findings import evaluate, exit_code
from .observe import Observation, planned_hosts
from .tradeoffs import tradeoff_findings

if TYPE_CHECKING:
    from .smtp import AddressProbe


class JsonSource(Protocol):
    """Where the plan's hosts came from (``hosts.HostsResult``), shown as JSON only."""

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SmtpResult:
    """What ``--smtp`` saw per address; its findings are in the report's ``findings``."""

    port: int
    probes: tuple[AddressProbe, ...]
    #: Families whose verdicts are unknown because this machine cannot reach them.
    unprobed_families: tuple[str, ...] = ()
    #: INCOMPLETE when the probe could not run from here, even without an error finding.
    code: ExitCode = ExitCode.OK
    #: Sessions at once the run allowed (per address, per /24 or /48).
    limits: tuple[int, int] | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"port": self.port, "unprobed_families": list(self.unprobed_families),
               "probes": [p.to_json() for p in self.probes]}
        if self.limits is not None:
            out["limits"] = {"per_address": self.limits[0], "per_network": self.limits[1]}
        return out


@dataclass(frozen=True)
class CheckReport:
    """One domain checked."""

    domain: str
    expected: tuple[MxRecord, ...]
    published: tuple[MxRecord, ...]
    addresses: dict[str, HostLookup]
    findings: tuple[Finding, ...]
    #: ``None`` when not computed (a bulk row without ``--simulate``): left out of the JSON.
    simulation: tuple[Case, ...] | None = ()
    #: What the simulation routed over, or why it was not run (then ``simulation`` is empty).
    simulation_note: str | None = None
    #: The simulation was not run for want of DNS answers (``simulation_note`` says which).
    simulation_skipped: bool = False
    smtp: SmtpResult | None = None
    hosts: JsonSource | None = None
    #: Why the published MX set is unknown (then ``published`` is empty but means nothing).
    mx_error: str | None = None
    #: The plan's tenant (bare name), for per-tenant totals; not part of the JSON.
    tenant: str | None = None

    @property
    def ok(self) -> bool:
        for f in self.findings:  # a loop, not any(): every row of a bulk run asks
            if f.severity is Severity.ERROR:
                return False
        return True

    @property
    def exit_code(self) -> ExitCode:
        """INCOMPLETE wins over FINDINGS, for DNS and SMTP alike."""
        code = exit_code(self.findings)
        return code if self.smtp is None else max(code, self.smtp.code)

    def with_findings(self, extra: Iterable[Finding]) -> CheckReport:
        return replace(self, findings=(*self.findings, *extra))

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "ok": self.ok,
            "expected": [r.as_dict() for r in self.expected],
            "published": None if self.mx_error is not None else [r.as_dict() for r in self.published],
            **({} if self.mx_error is None else {"published_error": self.mx_error}),
            "addresses": {h: lookup.to_json() for h, lookup in self.addresses.items()},
            "findings": [f.to_json() for f in self.findings],
            **({} if self.simulation is None else {"simulation": [c.to_json() for c in self.simulation]}),
            **({} if self.simulation is None or self.simulation_note is None
               else {"simulation_note": self.simulation_note}),
            **({"smtp": self.smtp.to_json()} if self.smtp is not None else {}),
            **({"hosts": self.hosts.to_json()} if self.hosts is not None else {}),
        }


@dataclass(frozen=True)
class RowError:
    """A bulk row that could not be checked at all: bad bytes, a bad field or domain, a source that
    refused its hosts (exit 2), or a host lookup that failed (``code`` 3)."""

    line: int
    domain: str
    error: str
    ok: bool = field(default=False, init=False)
    code: ExitCode = ExitCode.USAGE
    #: The host lookup that stopped the row (``--graph``/``--published``), shown as its JSON.
    hosts: JsonSource | None = None
    #: The row's tenant, when known (for the per-tenant totals).
    tenant: str | None = None

    @property
    def exit_code(self) -> ExitCode:
        return self.code

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"domain": self.domain, "ok": False, "line": self.line, "error": self.error}
        if self.hosts is not None:
            out["hosts"] = self.hosts.to_json()
        return out


Result = CheckReport | RowError


def build_report(plan: MxPlan, obs: Observation, *, with_simulation: bool = True) -> CheckReport:
    """Findings (the trade-offs included) and, unless ``with_simulation`` is false, the sender
    simulation for what DNS said."""
    findings = evaluate(plan, obs) + tradeoff_findings(plan, obs)
    published = tuple(obs.mx or ())
    mx_error = f"MX {plan.domain}: {obs.mx_error}" if obs.mx is None and not obs.nxdomain else None
    rep = CheckReport(plan.domain, tuple(plan.records), published, dict(obs.hosts), tuple(findings), None,
                      mx_error=mx_error, tenant=plan.tenant)
    if not with_simulation:
        return rep
    return routed(plan, rep, observed(published, obs.hosts, mx_error=obs.mx_error or "no answer" if mx_error else None,
                                      nxdomain=obs.nxdomain))


def routed(plan: MxPlan, rep: CheckReport, routing: Routing) -> CheckReport:
    """``rep`` with the simulation run over ``routing`` (or the reason it was not run)."""
    if routing.skipped is not None:
        return replace(rep, simulation=(), simulation_note=routing.skipped, simulation_skipped=True)
    ds = rep.addresses.get(plan.dual_stack_host)
    cases = simulate(rep.published, routing.addresses, domain_ipv6_enabled=bool(ds and ds.ipv6), reach=routing.reach)
    return replace(rep, simulation=tuple(cases), simulation_note=routing.note)


def failed_report(plan: MxPlan, finding: Finding) -> CheckReport:
    """A check that stopped before DNS could be asked (e.g. no authoritative servers): the
    published set and the planned hosts' addresses are unknown."""
    unknown = {host: HostLookup(unknown=["ipv4", "ipv6"]) for host in planned_hosts(plan)}
    return CheckReport(plan.domain, tuple(plan.records), (), unknown, (finding,), mx_error=finding.message,
                       tenant=plan.tenant)
