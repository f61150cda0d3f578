"""What ``mxsplit check`` concluded, as typed data built in one place.

The JSON form (``to_json``) is an interface scripts rely on: a check keeps ``domain``,
``ok``, ``expected``, ``published``, ``addresses``, ``findings`` (each ``id``, ``severity``,
``message``) and ``simulation``; a bad row of a bulk run is ``domain``, ``ok`` (false),
``line`` and ``error``. Renderers (:mod:`.render`) read these objects and never rebuild them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.plan import MxPlan, MxRecord
from ..exitcodes import ExitCode
from ..simulate import Case, HostAddresses, simulate
from .findings import Finding, evaluate, exit_code
from .observe import HostLookup, Observation


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

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def exit_code(self) -> ExitCode:
        return exit_code(list(self.findings))

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "ok": self.ok,
            "expected": [r.as_dict() for r in self.expected],
            "published": [r.as_dict() for r in self.published],
            "addresses": {h: lookup.to_json() for h, lookup in self.addresses.items()},
            "findings": [f.to_json() for f in self.findings],
            **({} if self.simulation is None else {"simulation": [c.to_json() for c in self.simulation]}),
        }


@dataclass(frozen=True)
class RowError:
    """A bulk row that could not be checked at all (bad bytes, bad field, bad domain)."""

    line: int
    domain: str
    error: str
    ok: bool = field(default=False, init=False)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.USAGE

    def to_json(self) -> dict[str, Any]:
        return {"domain": self.domain, "ok": False, "line": self.line, "error": self.error}


Result = CheckReport | RowError


def build_report(plan: MxPlan, obs: Observation, *, with_simulation: bool = True) -> CheckReport:
    """Findings and (unless ``with_simulation`` is false) the sender simulation for what DNS said."""
    findings = evaluate(plan, obs)
    published = tuple(obs.mx or ())
    cases: tuple[Case, ...] | None = None
    if with_simulation:
        addresses = {h: HostAddresses(tuple(a.ipv4), tuple(a.ipv6)) for h, a in obs.hosts.items()}
        ds = addresses.get(plan.dual_stack_host)
        cases = tuple(simulate(published, addresses, domain_ipv6_enabled=bool(ds and ds.ipv6)))
    return CheckReport(plan.domain, tuple(plan.records), published, dict(obs.hosts), tuple(findings), cases)


def failed_report(plan: MxPlan, finding: Finding) -> CheckReport:
    """A check that stopped before DNS could be asked (e.g. no authoritative servers)."""
    return CheckReport(plan.domain, tuple(plan.records), (), {}, (finding,))
