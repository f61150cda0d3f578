"""A missing extra is a one-line usage error naming it, never a ModuleNotFoundError traceback.

Each case runs in a child process where the extra's modules are made unimportable.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mxsplit_component.registry_metadata import REPOSITORY
from mxsplit_component.testing.graph import TOKEN
from tests.support.blocker import blocked_program

ROOT = Path(__file__).resolve().parent.parent


def run(blocked: set[str], code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-c", blocked_program(blocked, code)], capture_output=True, text=True,
                          cwd=cwd, env=environ, timeout=60)


def cli(blocked: set[str], argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run(blocked, f"import sys\nfrom mxsplit_component.cli import main\nsys.exit(main({argv!r}))", cwd, **env)


def hint(extra: str) -> str:
    return (f"pip install '.[{extra}]' in a clone of mxsplit, or pip install 'mxsplit-component[{extra}] @ "
            f"git+{REPOSITORY}'")


@pytest.mark.parametrize(("blocked", "argv", "env", "says"), [
    ({"ruamel"}, ["hosts", "--stack", "dev", "--published", "--nameserver", "127.0.0.1:9"], {},
     "--stack needs the [pin] extra (ruamel"),
    ({"ruamel"}, ["hosts", "--stack", "dev", "--published", "--nameserver", "127.0.0.1:9", "--dry-run"], {},
     "--stack needs the [pin] extra (ruamel"),
    ({"httpx"}, ["hosts", "contoso.com", "--graph"], {"MXSPLIT_GRAPH_TOKEN": TOKEN},
     "--graph needs the [graph] extra (httpx is not installed)"),
    ({"azure"}, ["hosts", "contoso.com", "--graph"], {"MXSPLIT_GRAPH_TOKEN": ""},
     "--graph needs the [graph] extra (azure"),
    ({"httpx", "azure"}, ["plan", "contoso.com", "--graph"], {"MXSPLIT_GRAPH_TOKEN": ""},
     "--graph needs the [graph] extra (azure"),
    ({"httpx"}, ["check", "contoso.com", "--graph", "--nameserver", "127.0.0.1:9"], {"MXSPLIT_GRAPH_TOKEN": TOKEN},
     "--graph needs the [graph] extra (httpx is not installed)"),
])
def test_cli_names_the_extra_to_install(tmp_path, blocked, argv, env, says):
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  mxsplit:domains:\n    - domain: contoso.com\n")
    done = cli(blocked, argv, tmp_path, **env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    extra = "pin" if "ruamel" in blocked else "graph"
    assert done.stderr.splitlines() == [done.stderr.strip()] and says in done.stderr and hint(extra) in done.stderr


PROGRAM = """
from mxsplit_component import MxSplit, MxSplitError
from mxsplit_component.testing.mocks import run_program
try:
    run_program(lambda: MxSplit("contoso", {{"domain": "contoso.com", "tenant": "contoso", {field!r}: {settings!r}}}))
except MxSplitError as exc:
    print(exc.field)
    print(exc)
"""


@pytest.mark.parametrize(("module", "field", "settings", "extra"), [
    ("pulumi_azure_native", "azure", {"resource_group_name": "dns-rg"}, "azure"),
    ("pulumi_cloudflare", "cloudflare", {"zone_id": "0123456789abcdef0123456789abcdef"}, "cloudflare"),
    ("pulumi_aws", "route53", {"zone_id": "Z0123456789ABC"}, "aws"),
    ("pulumi_gcp", "cloud_dns", {"managed_zone": "contoso-com"}, "gcp"),
    ("pulumi_dnsimple", "dnsimple", {"zone_name": "contoso.com"}, "dnsimple"),
    ("pulumi_digitalocean", "digitalocean", {"domain": "contoso.com"}, "digitalocean"),
])
def test_a_program_gets_an_mxsplit_error_naming_the_field(tmp_path, module, field, settings, extra):
    done = run({module}, PROGRAM.format(field=field, settings=settings), tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    got_field, message = done.stdout.splitlines()
    assert got_field == field
    assert message == f"the {field} backend needs the [{extra}] extra ({module} is not installed): {hint(extra)}"


def test_over_the_engine_protocol_the_error_names_the_schema_property(tmp_path, monkeypatch):
    """A YAML program on Cloud DNS, with the plugin's Python missing pulumi_gcp: a property error on cloudDns."""
    from tests.support.engine.monitor import StandInEngine
    from tests.support.engine.plugin import ConstructFailure, Plugin

    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(blocked_program({"pulumi_gcp"}, ""))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), str(ROOT)]))
    with StandInEngine() as engine:
        plugin = Plugin(engine, tmp_path)
        try:
            engine.reset(preview=True)
            with pytest.raises(ConstructFailure) as err:
                plugin.construct({"domain": "contoso.com", "tenant": "contoso",
                                  "cloudDns": {"managedZone": "contoso-com"}}, preview=True)
        finally:
            plugin.close()
    [error] = err.value.property_errors
    assert error.property_path == "cloudDns" and "Traceback" not in err.value.details
    assert error.reason.startswith("the cloudDns backend needs the [gcp] extra (pulumi_gcp is not installed)"), error
