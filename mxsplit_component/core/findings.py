"""One finding type for everything mxsplit reports, a registry for live findings, and their text lines. Pure.

A :class:`Finding` is a stable kebab-case id (public API, like octoDNS's validator ids), a
:class:`Severity` and a message that names the fix. Its thin subtypes add what one kind of
report needs: :class:`RuleResult` (a planning rule, which also reports a pass) here, and the
hosts' ``Note`` and ``Conflict`` in :mod:`mxsplit_component.hosts.model`. Each shape has one
``to_json`` whose keys are a contract, and every finding renders through :func:`finding_lines`
or :func:`note_lines`.

Live findings (what DNS, SMTP or Graph showed) are small functions registered in a
:class:`FindingRegistry` under the ids they report, as planning rules are registered with
:func:`~mxsplit_component.core.rules.rule`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

_F = TypeVar("_F", bound="Finding")
_Ctx = TypeVar("_Ctx")


class Severity(str, Enum):
    """How bad a finding is. A ``str``, so JSON and comparisons with ``"error"`` keep working."""

    #: The split is wrong, or the verdict could not be reached: exit 1 (or 3).
    ERROR = "error"
    #: Worth fixing, but mail flows: never changes the exit code.
    WARNING = "warning"
    #: Said out loud so nothing surprises anyone: never changes the exit code.
    INFO = "info"

    def __str__(self) -> str:  # a mixed-in Enum would print "Severity.ERROR"
        return self.value


#: Each severity's plain text: ``Severity.value`` is a descriptor lookup, and a bulk run renders every row.
_TEXT = {s: s.value for s in Severity}


@dataclass(frozen=True)
class Finding:
    """Something found: a stable id, how bad it is, and a message naming the fix."""

    id: str
    severity: Severity
    message: str

    def __post_init__(self) -> None:
        if not isinstance(self.severity, Severity):  # "error" from a caller or from JSON: fail on anything else
            object.__setattr__(self, "severity", Severity(self.severity))

    @property
    def mark(self) -> str:
        """The label a text line starts with: ``note`` for info, else the severity in capitals."""
        return "note" if self.severity is Severity.INFO else self.severity_text.upper()

    @property
    def severity_text(self) -> str:
        """The severity as a plain ``str``, for JSON and Pulumi outputs."""
        return _TEXT[self.severity]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity_text, "message": self.message}

    @classmethod
    def from_json(cls: type[_F], data: Mapping[str, Any]) -> _F:
        """The finding back from its :meth:`to_json` (whose keys are the field names)."""
        return cls(**data)


@dataclass(frozen=True, kw_only=True)
class RuleResult(Finding):
    """What one planning rule said: ``ok`` when it passed (the message then says why)."""

    ok: bool

    @property
    def mark(self) -> str:
        return "ok" if self.ok else super().mark

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "ok": self.ok, "severity": self.severity_text, "message": self.message}


def finding_lines(findings: Iterable[Finding]) -> list[str]:
    """One aligned line per finding: mark, id, message (``plan``'s rules, ``check``'s findings)."""
    return [f"  {f.mark:<8}{f.id:<26}{f.message}" for f in findings]


def note_lines(findings: Iterable[Finding]) -> list[str]:
    """One line per finding as ``MARK id: message`` (the hosts' notes and conflicts)."""
    return [f"  {f.mark:<11} {f.id}: {f.message}" for f in findings]


#: A finding function returns a list (usually empty or of one): cheaper than a generator, per bulk row.
FindingFn = Callable[[_Ctx], list[Finding]]


@dataclass(frozen=True)
class FindingCheck(Generic[_Ctx]):
    """One registered finding function and the ids it reports."""

    ids: tuple[str, ...]
    find: FindingFn[_Ctx]
    #: Report nothing after this check when it found something (``nxdomain`` makes the rest moot).
    stops: bool = False


class FindingRegistry(Generic[_Ctx]):
    """Finding functions over one kind of context (what DNS showed, the SMTP probes, ...), in report order.

    A function usually reports one id; one that walks records and may report either of two ids
    per record declares both, so findings keep the order of the records.
    """

    def __init__(self) -> None:
        self.checks: list[FindingCheck[_Ctx]] = []

    def finding(self, *ids: str, stops: bool = False) -> Callable[[FindingFn[_Ctx]], FindingFn[_Ctx]]:
        """Register a function that reports findings with ``ids``."""
        def register(fn: FindingFn[_Ctx]) -> FindingFn[_Ctx]:
            self.checks.append(FindingCheck(ids, fn, stops))
            return fn

        return register

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id the registered functions report, in order, once each."""
        return tuple(dict.fromkeys(i for check in self.checks for i in check.ids))

    def run(self, ctx: _Ctx) -> list[Finding]:
        """Every finding for ``ctx``, in registration order."""
        out: list[Finding] = []
        for check in self.checks:
            before = len(out)
            out += check.find(ctx)
            if check.stops and len(out) > before:
                break
        return out
