"""docs/: the two pages the Pulumi Registry shows, their per-language examples against the
schema the plugin serves, and the release version they name.

The TypeScript, Go and C# examples are written from the schema (no Pulumi CLI generates SDKs
here): the tests check every property, type and output they name against it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from mxsplit_component.testing.mocks import run_program, value
from tests.support.markdown import blocks

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
INDEX = DOCS / "_index.md"
TOKEN = "mxsplit:index:MxSplit"


def pyproject() -> dict[str, Any]:
    import tomllib  # Python >= 3.11, as the dev environment

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from mxsplit_component.plugin import MxSplitProvider

    return json.loads(MxSplitProvider().schema or "{}")


def example(lang: str) -> str:
    [block] = [b for b in blocks(INDEX) if b.lang == lang]
    return block.body


def camel(name: str) -> str:
    """``ZoneId`` (Go, C#) -> ``zoneId`` (the schema)."""
    return name[0].lower() + name[1:]


@pytest.mark.parametrize("page", ["_index.md", "installation-configuration.md"])
def test_registry_pages_have_front_matter(page):
    text = (DOCS / page).read_text()
    front = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert front is not None, f"{page} has no front matter"
    meta = yaml.safe_load(front.group(1))
    assert meta["layout"] == "package" and meta["title"] and meta["meta_desc"]


def test_index_has_an_example_per_language():
    langs = {b.lang for b in blocks(INDEX)}
    assert {"yaml", "typescript", "python", "go", "csharp"} <= langs
    assert "not generated" in INDEX.read_text()  # the generated-SDK calls say how they were written


def test_yaml_example_matches_the_schema(schema):
    from tests.test_examples import check_properties

    program = yaml.safe_load(example("yaml"))
    assert program["runtime"] == "yaml"
    assert program["packages"]["mxsplit"] == f"github.com/mxsplit/mxsplit/provider@v{pyproject()['project']['version']}"
    resource = schema["resources"][TOKEN]
    for res in program["resources"].values():
        assert res["type"] == TOKEN
        check_properties(res["properties"], resource, schema["types"], "properties")
    for expr in program["outputs"].values():
        _, prop = re.fullmatch(r"\$\{(\w+)\.(\w+)\}", expr).groups()
        assert prop in resource["properties"]


def test_python_example_runs_under_mocks():
    mocks, _, _ = run_program(lambda: exec(example("python"), {}), config={"project:zoneId": "zone123"},
                              project="project")
    records = {r.name: r.inputs for r in mocks.by_type("cloudflare:index/dnsRecord:DnsRecord")}
    assert set(records) == {"contoso-ipv4-only", "contoso-dual-stack"}
    assert {r["zoneId"] for r in records.values()} == {"zone123"}
    assert {name: value(r["priority"]) for name, r in records.items()} == {"contoso-ipv4-only": 0, "contoso-dual-stack": 10}


def names_in(code: str, lang: str) -> tuple[set[str], set[str], set[str]]:
    """(input property names, type names, output names) a generated-SDK example uses."""
    if lang == "typescript":
        call = code[code.index("new mxsplit.MxSplit("):]
        inputs = set(re.findall(r"(\w+): ", call[:call.index("});")]))
        types: set[str] = set()
        outputs = set(re.findall(r"(?<![\"\w.])contoso\.(\w+)", code))
    elif lang == "go":
        inputs = {camel(n) for n in re.findall(r"^\s*([A-Z]\w*): ", code, re.M)}
        types = set(re.findall(r"mxsplit\.(\w+Args)\{", code)) - {"MxSplitArgs"}
        outputs = {camel(n) for n in re.findall(r"contoso\.([A-Z]\w*)", code)}
    else:
        inputs = {camel(n) for n in re.findall(r"^\s*([A-Z]\w*) = ", code, re.M)}
        types = set(re.findall(r"Mxsplit\.Inputs\.(\w+)", code))
        outputs = {camel(n) for n in re.findall(r"contoso\.([A-Z]\w*)", code)}
    return inputs, types, outputs


@pytest.mark.parametrize("lang", ["typescript", "go", "csharp"])
def test_generated_sdk_examples_use_the_schemas_names(schema, lang):
    code = example(lang)
    inputs, types, outputs = names_in(code, lang)
    resource = schema["resources"][TOKEN]
    known = set(resource["inputProperties"]) | {p for t in schema["types"].values() for p in t["properties"]}
    assert {"domain", "tenant", "cloudflare", "zoneId"} <= inputs
    assert inputs <= known, f"{lang}: not in the schema: {inputs - known}"
    # Generated input types are the schema's type names plus "Args" (Go, C#).
    for name in types:
        assert f"mxsplit:index:{name.removesuffix('Args')}" in schema["types"], f"{lang}: no type {name}"
    assert outputs and outputs <= set(resource["properties"]), f"{lang}: outputs {outputs}"
    assert re.search(r"\b(New)?MxSplit\(", code)


def test_release_versions_named_in_the_docs_are_the_packages():
    """Every concrete `@v<version>` in the README and docs is the version pyproject.toml declares."""
    version = pyproject()["project"]["version"]
    for path in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for found in re.findall(r"@v(\d+\.\d+\.\d+)\b", path.read_text()):
            assert found == version, f"{path.name} names v{found}; the package is {version}"
