"""The one finding type: severities, the JSON of each shape, the text lines, the registry, and where it lives."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from mxsplit_component.core.findings import (
    Finding,
    FindingRegistry,
    RuleResult,
    Severity,
    finding_lines,
    note_lines,
)
from mxsplit_component.hosts.model import Conflict, Note

PACKAGE = Path(__file__).resolve().parent.parent / "mxsplit_component"

NOTE = Note("graph-unverified", Severity.ERROR, "verify it", source="graph")
CONFLICT = Conflict("tenant-conflict", Severity.ERROR, "fix --tenant", role="tenant",
                    hosts={"given": "fabrikam", "graph": "contoso"}, chosen="given")
SHAPES = [
    (Finding("mx-mismatch", Severity.ERROR, "differs"), ["id", "severity", "message"]),
    (RuleResult("priority-order", Severity.ERROR, "inverted", ok=False), ["id", "ok", "severity", "message"]),
    (NOTE, ["id", "source", "severity", "message"]),
    (CONFLICT, ["id", "role", "hosts", "chosen", "severity", "message"]),
]


def test_severity_is_a_plain_string_where_it_matters():
    assert [s.value for s in Severity] == ["error", "warning", "info"]
    assert Severity("warning") is Severity.WARNING
    assert Severity.ERROR == "error" and "info" in {Severity.INFO} and Severity.INFO in {"info"}
    assert (str(Severity.ERROR), f"{Severity.WARNING}", f"{Severity.INFO:<6}|") == ("error", "warning", "info  |")


def test_a_severity_given_as_text_becomes_the_enum_and_anything_else_is_refused():
    assert Finding("x", "info", "m").severity is Severity.INFO
    assert Finding("x", "info", "m") == Finding("x", Severity.INFO, "m")
    with pytest.raises(ValueError, match="'fatal' is not a valid Severity"):
        Finding("x", "fatal", "m")


@pytest.mark.parametrize(("finding", "keys"), SHAPES, ids=[type(f).__name__ for f, _ in SHAPES])
def test_each_shape_keeps_its_json_keys_and_round_trips(finding, keys):
    data = finding.to_json()
    assert list(data) == keys
    assert type(data["severity"]) is str  # a plain string for Pulumi outputs and JSON, not the enum
    assert json.loads(json.dumps(data)) == data
    assert type(finding).from_json(data).to_json() == data


def test_note_json_leaves_out_incomplete_and_keeps_it_in_python():
    failed = Note("graph-lookup-failed", Severity.ERROR, "timed out", source="graph", incomplete=True)
    assert failed.to_json() == {"id": "graph-lookup-failed", "source": "graph", "severity": "error",
                                "message": "timed out"}
    assert failed.incomplete and not NOTE.incomplete


def test_subtypes_take_their_own_fields_by_keyword_only():
    with pytest.raises(TypeError):
        Note("graph-unverified", "graph", "error", "verify it")
    with pytest.raises(TypeError):
        RuleResult("priority-order", True, "error", "ok")


def test_finding_lines_align_mark_id_and_message():
    lines = finding_lines([
        RuleResult("hosts-distinct", Severity.ERROR, "every MX record points at a different host", ok=True),
        RuleResult("priority-order", Severity.ERROR, "inverted", ok=False),
        Finding("microsoft-hosts", Severity.WARNING, "backup.example.net is not Microsoft"),
        Finding("dns64-synthesized", Severity.INFO, "ignored"),
    ])
    assert lines == [
        "  ok      hosts-distinct            every MX record points at a different host",
        "  ERROR   priority-order            inverted",
        "  WARNING microsoft-hosts           backup.example.net is not Microsoft",
        "  note    dns64-synthesized         ignored",
    ]


def test_note_lines_label_each_finding():
    info = Note("not-derivable", Severity.INFO, "pass dual_stack_host", source="derived")
    assert note_lines([CONFLICT, info]) == ["  ERROR       tenant-conflict: fix --tenant",
                                            "  note        not-derivable: pass dual_stack_host"]


def test_registry_runs_in_order_stops_when_told_and_lists_ids_once():
    registry: FindingRegistry[int] = FindingRegistry()

    @registry.finding("first")
    def first(n):
        return [Finding("first", Severity.INFO, f"saw {n}")]

    @registry.finding("negative", stops=True)
    def negative(n):
        return [Finding("negative", Severity.ERROR, "below zero")] if n < 0 else []

    @registry.finding("odd", "even")
    def parity(n):
        return [Finding("odd" if n % 2 else "even", Severity.WARNING, "parity")]

    @registry.finding("first")
    def again(n):
        return [Finding("first", Severity.INFO, "again")]

    assert registry.ids == ("first", "negative", "odd", "even")
    assert [f.id for f in registry.run(3)] == ["first", "odd", "first"]
    assert [f.id for f in registry.run(-2)] == ["first", "negative"]


def _imports(path: Path) -> set[str]:
    """The package modules ``path`` imports, as dotted names relative to the package (``core.plan``, ``render``)."""
    inside = path.relative_to(PACKAGE).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = inside[: len(inside) - node.level + 1]
            found |= {".".join((*base, *(node.module or "").split("."))).strip(".")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mxsplit_component."):
            found.add(node.module.removeprefix("mxsplit_component."))
    return found


def test_core_imports_only_core_and_the_errors():
    for path in (PACKAGE / "core").glob("*.py"):
        outside = {m for m in _imports(path) if not m.startswith("core") and m != "errors"}
        assert not outside, f"{path.name} imports {outside}"


def test_findings_code_imports_no_renderer_above_it():
    """The check and the host sources render findings with core's lines, never through render.py or the CLI."""
    for path in [*(PACKAGE / "check").glob("*.py"), *(PACKAGE / "hosts").glob("*.py")]:
        assert not _imports(path) & {"render", "cli"}, path.name
