"""The component package: inferred schema (inputs, outputs, descriptions) and its entry point."""

import json
import subprocess
import sys
from pathlib import Path

import yaml

from mxsplit_component.backends import BACKENDS
from tests.support.backends import camel

ROOT = Path(__file__).resolve().parent.parent


def schema():
    from mxsplit_component.plugin import MxSplitProvider

    return json.loads(MxSplitProvider().schema)


def test_schema_inputs_and_outputs():
    s = schema()
    assert s["name"] == "mxsplit"
    res = s["resources"]["mxsplit:index:MxSplit"]
    assert res["isComponent"] is True
    # Every backend adds its own field; these four are the ones this test was written with.
    backend_fields = {"azure", "cloudflare", "route53", "cloudDns"} | {camel(b.ARGS_KEY) for b in BACKENDS.values()}
    assert set(res["inputProperties"]) == {
        "domain", "tenant", "mode", "primaryPriority", "secondaryPriority", "dualStackHost", "ipv4OnlyHost",
        "cloud", "ttl", *backend_fields, "adopt", "allowForeignMx", "protect", "retainOnDelete"}
    assert res["requiredInputs"] == ["domain", "tenant"]
    assert set(res["properties"]) == {"ipv4OnlyHost", "dualStackHost", "mxRecords", "zoneRecords", "validation"}
    assert res["inputProperties"]["domain"] == {
        "description": "The primary (custom) domain that receives mail, e.g. contoso.com.", "type": "string",
        "plain": True}
    assert res["inputProperties"]["ttl"]["type"] == "integer"
    assert res["inputProperties"]["azure"]["$ref"] == "#/types/mxsplit:index:AzureDnsArgs"
    assert res["properties"]["mxRecords"]["items"]["$ref"] == "#/types/mxsplit:index:MxRecordValue"
    assert s["types"]["mxsplit:index:AzureDnsArgs"]["required"] == ["resourceGroupName"]
    assert s["types"]["mxsplit:index:CloudflareDnsArgs"]["required"] == ["zoneId"]
    assert res["inputProperties"]["route53"]["$ref"] == "#/types/mxsplit:index:Route53DnsArgs"
    assert res["inputProperties"]["cloudDns"]["$ref"] == "#/types/mxsplit:index:CloudDnsArgs"
    assert s["types"]["mxsplit:index:Route53DnsArgs"]["required"] == ["zoneId"]
    assert s["types"]["mxsplit:index:CloudDnsArgs"]["required"] == ["managedZone"]
    assert set(s["types"]["mxsplit:index:CloudDnsArgs"]["properties"]) == {"managedZone", "project"}
    # Backend fields take outputs of other resources: not plain.
    for token, field in (("CloudflareDnsArgs", "zoneId"), ("Route53DnsArgs", "zoneId"),
                         ("CloudDnsArgs", "managedZone"), ("CloudDnsArgs", "project")):
        assert "plain" not in s["types"][f"mxsplit:index:{token}"]["properties"][field]


def test_every_input_output_and_type_is_described():
    s = schema()
    res = s["resources"]["mxsplit:index:MxSplit"]
    assert res["description"]
    for group in (res["inputProperties"], res["properties"]):
        for name, prop in group.items():
            assert prop.get("description"), name
    for token, typ in s["types"].items():
        assert typ.get("description"), token
        for name, prop in typ["properties"].items():
            assert prop.get("description"), f"{token}.{name}"


def test_plugin_layout_and_entry_point():
    plugin = yaml.safe_load((ROOT / "provider" / "PulumiPlugin.yaml").read_text())
    assert plugin["runtime"] == "python"
    text = (ROOT / "provider" / "__main__.py").read_text()
    assert "from mxsplit_component.plugin import main" in text
    # importing the entry point must not start a provider (guarded by __name__)
    proc = subprocess.run([sys.executable, "-c", "import runpy; runpy.run_path('provider/__main__.py', "
                           "run_name='not_main'); print('ok')"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.stdout.strip() == "ok", proc.stderr


def test_the_engines_plugin_venv_is_ignored():
    """`pulumi package add` installs the plugin into provider/venv/: never commit it."""
    ignored = [line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()]
    assert "provider/venv/" in ignored


def test_license_is_spdx_so_setuptools_does_not_warn():
    """A `license = {text = ...}` table makes setuptools >= 77 print a deprecation warning on
    every install, the engine's install of provider/ included."""
    import re

    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^license = "Apache-2.0"$', text, re.M)
    assert re.search(r'^requires = \[.*"setuptools>=77"', text, re.M)
