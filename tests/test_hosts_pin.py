"""Pinning: `mxsplit hosts --graph --stack dev` writes only the host keys of Pulumi.dev.yaml."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
import yaml

from mxsplit_component.cli import main
from mxsplit_component.stackconfig import parse_entries
from mxsplit_component.testing.graph import MS, TOKEN, GraphStandIn, Reply

ROOT = Path(__file__).parent.parent


@pytest.fixture
def graph(monkeypatch):
    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", TOKEN)
    with GraphStandIn() as server:
        server.tenant("contoso.onmicrosoft.com", {"dev.contoso.com": f"dev-contoso-com.{MS}",
                                                  "contoso-dev.net": f"contosodev-net01c.{MS}"})
        yield server


@pytest.fixture
def project(tmp_path):
    shutil.copy(ROOT / "Pulumi.dev.yaml", tmp_path / "Pulumi.dev.yaml")
    return tmp_path


def pin(capsys, graph, project, *extra):
    code = main(["hosts", "--graph", "--graph-url", graph.url, "--stack", "dev", "--cwd", str(project), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_round_trip_changes_only_host_keys(capsys, graph, project):
    before = (project / "Pulumi.dev.yaml").read_text()
    code, out, err = pin(capsys, graph, project)
    assert code == 0, out + err
    after = (project / "Pulumi.dev.yaml").read_text()
    diff = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert sorted(diff) == sorted([
        f"+      ipv4_only_host: contoso.{MS}",
        f"+      ipv4_only_host: contoso.{MS}",
        f"-      dual_stack_host: contosodev-net01b.{MS}",
        f"+      dual_stack_host: contosodev-net01c.{MS}",
    ])
    assert after.startswith("# Development environment: a test domain on each backend.")  # comments survive
    config = yaml.safe_load(after)["config"]
    entries = parse_entries(config["mxsplit:domains"], tenant=config["mxsplit:tenant"], ttl=config["mxsplit:ttl"])
    assert [e.args["dual_stack_host"] for e in entries] == [f"dev-contoso-com.{MS}", f"contosodev-net01c.{MS}"]
    assert f"set mxsplit:domains[1].dual_stack_host: contosodev-net01b.{MS} -> contosodev-net01c.{MS} [graph]" in err
    # A second run has nothing to change.
    code, _, err = pin(capsys, graph, project)
    assert code == 0 and err == "" and (project / "Pulumi.dev.yaml").read_text() == after


def test_dry_run_writes_nothing(capsys, graph, project):
    before = (project / "Pulumi.dev.yaml").read_text()
    code, _, err = pin(capsys, graph, project, "--dry-run")
    assert code == 0 and "would set mxsplit:domains[1].dual_stack_host" in err
    assert (project / "Pulumi.dev.yaml").read_text() == before


def test_failed_domain_is_not_pinned_and_secrets_untouched(capsys, graph, project):
    path = project / "Pulumi.dev.yaml"
    text = path.read_text().replace(
        f"      dual_stack_host: dev-contoso-com.{MS}\n",
        "      dual_stack_host:\n        secure: v1:AAAABBBBCCCC\n")
    path.write_text(text)
    graph.set("/domains/contoso-dev.net/serviceConfigurationRecords", Reply(500))
    code, _, _ = pin(capsys, graph, project)
    assert code == 3
    after = path.read_text()
    assert "secure: v1:AAAABBBBCCCC" in after and f"contosodev-net01b.{MS}" in after
    # dev.contoso.com resolved: its tenant host is pinned beside the secret, which stays as it was;
    # contoso-dev.net failed (500): nothing of it changes.
    first, second = after.split("- domain: contoso-dev.net")
    assert f"ipv4_only_host: contoso.{MS}" in first and "ipv4_only_host" not in second


def test_missing_stack_file(capsys, graph, tmp_path):
    code = main(["hosts", "--graph", "--graph-url", graph.url, "--stack", "prod", "--cwd", str(tmp_path)])
    assert code == 2
    assert "--stack prod:" in capsys.readouterr().err
