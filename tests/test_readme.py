"""The README stays true: generated tables and the quick-start command."""

import re
from pathlib import Path

from mxsplit_component.render import backend_table
from tests.support.markdown import against, marked_output

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_provider_table_is_generated_from_backend_data():
    assert backend_table() in README


def test_quick_start_demo_is_what_make_runs():
    makefile = (ROOT / "Makefile").read_text()
    demo = re.search(r"^demo:.*\n\t\$\(BIN\)/(.+)$", makefile, re.M)
    assert demo is not None
    assert f"`{demo.group(1)}`" in README


def test_ci_runs_the_readme_test_command():
    assert "make test" in README
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_rule_table_lists_every_rule():
    from mxsplit_component.core.rules import RULES

    for rule in RULES:
        assert f"| `{rule.id}` | {rule.severity} |" in README


def test_finding_tables_list_every_live_finding():
    from mxsplit_component.check.findings import DNS_FINDINGS
    from mxsplit_component.check.smtp_findings import SMTP_FINDINGS
    from mxsplit_component.check.tradeoffs import TRADEOFFS
    from mxsplit_component.core.rules import RULES
    from mxsplit_component.hosts.drift import GRAPH_FINDINGS

    rules = {r.id for r in RULES}  # in the rule table
    for registry in (DNS_FINDINGS, SMTP_FINDINGS, TRADEOFFS, GRAPH_FINDINGS):
        for fid in set(registry.ids) - rules:
            assert f"| `{fid}` |" in README


def test_readme_check_output_is_real(capsys):
    """The README's `mxsplit check` block is what the command shown above it prints for the seed's example."""
    from tests.support.bind import require_bind

    require_bind()
    from mxsplit_component.cli import main
    from mxsplit_component.testing.bind import BindServer
    from tests.support.seed import SEED_ZONES

    argv, output = marked_output(README, "check-seed")
    with BindServer(SEED_ZONES) as server:
        code = main(against(argv, server.nameserver))
    assert argv[:4] == ["check", "contoso.com", "--tenant", "contoso"]
    assert code == 0
    assert capsys.readouterr().out == output


def test_hosts_ids_are_documented():
    """Every conflict and Graph finding id of the hosts feature has a row or a mention in the README."""
    from mxsplit_component.hosts.combine import CONFLICT_IDS
    from mxsplit_component.hosts.drift import GRAPH_HOST_MISMATCH, GRAPH_HOST_MOVED

    for fid in (*CONFLICT_IDS.values(), "tenant-conflict", "graph-not-in-tenant", "graph-unverified", "graph-no-mx"):
        assert f"`{fid}`" in README
    for fid, severity in ((GRAPH_HOST_MISMATCH, "error"), (GRAPH_HOST_MOVED, "warning")):
        assert f"| `{fid}` | {severity} |" in README


def test_route53_and_cloud_dns_snippet_runs_under_mocks():
    """The README's Route 53 / Cloud DNS block declares one whole set per domain."""
    from mxsplit_component.testing.mocks import RecordingMocks, run_program

    block = re.search(r"### AWS Route 53 and Google Cloud DNS\n\n```python\n(.*?)```", README, re.S)
    assert block is not None
    mocks = RecordingMocks(calls={"aws:route53/getZone:getZone": {"zoneId": "Z0123456789ABC", "id": "Z0123456789ABC"}})
    mocks, _, _ = run_program(lambda: exec(block.group(1), {}), mocks=mocks)
    [rec] = mocks.by_type("aws:route53/record:Record")
    [rs] = mocks.by_type("gcp:dns/recordSet:RecordSet")
    assert (rec.name, rec.inputs["zoneId"]) == ("contoso-mx", "Z0123456789ABC")
    assert (rs.name, rs.inputs["managedZone"], rs.inputs["name"]) == ("fabrikam-mx", "fabrikam-com", "fabrikam.com.")


def test_dnsimple_and_digitalocean_snippet_runs_under_mocks():
    """The README's DNSimple / DigitalOcean block declares two records per domain on each host."""
    from mxsplit_component.testing.mocks import RecordingMocks, run_program

    block = re.search(r"### DNSimple and DigitalOcean\n\n```python\n(.*?)```", README, re.S)
    assert block is not None
    mocks = RecordingMocks(calls={"dnsimple:index/getZone:getZone": {"id": 1, "name": "contoso.com"},
                                  "digitalocean:index/getDomain:getDomain": {"id": "fabrikam.com", "name": "fabrikam.com"}})
    mocks, _, _ = run_program(lambda: exec(block.group(1), {}), mocks=mocks)
    simple = {r.name: r.inputs for r in mocks.by_type("dnsimple:index/zoneRecord:ZoneRecord")}
    ocean = {r.name: r.inputs for r in mocks.by_type("digitalocean:index/dnsRecord:DnsRecord")}
    assert set(simple) == {"contoso-ipv4-only", "contoso-dual-stack"} and {r["name"] for r in simple.values()} == {""}
    assert set(ocean) == {"fabrikam-ipv4-only", "fabrikam-dual-stack"} and {r["name"] for r in ocean.values()} == {"@"}


def test_layout_names_modules_that_exist():
    layout = re.search(r"^Layout: (.+?)(?:\n\n|\Z)", README, re.M | re.S)
    assert layout is not None
    named = re.findall(r"`([\w./]+(?:\.py|/))`", layout.group(1))
    assert "render.py" in named
    package = ROOT / "mxsplit_component"
    missing = [name for name in named if not (package / name).exists() and not (ROOT / name).exists()]
    assert missing == []
