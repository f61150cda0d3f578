"""Terraform JSON configuration (``*.tf.json``, Terraform ≥ 1.5 for ``import`` blocks).

One document per domain with the records of the chosen provider, in its Terraform
provider's documented shape: each backend's ``TERRAFORM`` names the resource type and maps
its inputs and import ids (a Pulumi provider bridged from the Terraform one takes the same
attribute names, so most inputs pass as they are). Settings that were not given become
Terraform variables named after the resource, so many domains' files can share one module. No
``terraform``/``provider`` blocks: the file drops into a configuration that already
configures the provider (two files declaring one provider would clash).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..backends import BACKENDS, get_backend
from ..core.plan import MxPlan
from . import targets

SUFFIX = ".tf.json"

#: Terraform resource type by provider name (as ``--provider`` spells it).
TF_TYPES = {name: backend.TERRAFORM.type for name, backend in BACKENDS.items()}


def identifier(name: str) -> str:
    """A Terraform identifier from a component or domain name: ``contoso.com`` -> ``contoso_com``.

    Identifiers may hold letters, digits, ``_`` and ``-`` but must start with a letter or
    ``_``. Different domains must get different names (a folder of per-domain files is one
    module), so hyphens stay (``dev-contoso.com`` -> ``dev-contoso_com``, beside
    ``dev.contoso.com`` -> ``dev_contoso_com``) and a leading digit gets a ``_``, which no
    domain's own name starts with (``1password.com`` -> ``_1password_com``, beside
    ``mx.1password.com`` -> ``mx_1password_com``).
    """
    ident = re.sub(r"[^a-z0-9_-]", "_", name.lower())
    return ident if ident[:1].isalpha() or ident[:1] == "_" else f"_{ident}"


def literal(text: str) -> str:
    """``text`` as a Terraform string that is never a template: Terraform JSON evaluates ``${…}`` and
    ``%{…}`` in every string value; ``$${`` and ``%%{`` are its escapes for the characters themselves."""
    return text.replace("${", "$${").replace("%{", "%%{")


def document(plan: MxPlan, provider: str, settings: Mapping[str, Any], adopt: Mapping[str, str],
             name: str) -> dict[str, Any]:
    """The configuration as data: ``variable`` (for settings not given), ``resource``, ``import``."""
    terraform = get_backend(provider).TERRAFORM
    specs = targets.describe(plan, provider, settings)
    ids = targets.adoption_ids(plan, provider, specs, adopt)
    base = identifier(name)
    variables: dict[str, Any] = {}

    def resolve(value: Any) -> Any:
        if isinstance(value, targets.Unset):
            var = f"{base}_{value.setting}"
            variables[var] = {"type": "string", "description": f"{value.setting} for the MX records of {plan.domain}"}
            return f"${{var.{var}}}"
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [resolve(v) for v in value]
        return literal(value) if isinstance(value, str) else value

    resources: dict[str, Any] = {}
    imports = []
    for spec in specs:
        rname = base if spec.role == "mx" else f"{base}_{spec.role.replace('-', '_')}"
        resources[rname] = resolve(terraform.attributes(spec))
        if spec.role in ids:
            imports.append({"to": f"{terraform.type}.{rname}", "id": literal(terraform.import_id(ids[spec.role]))})
    doc: dict[str, Any] = {}
    if variables:
        doc["variable"] = variables
    doc["resource"] = {terraform.type: resources}
    if imports:
        doc["import"] = imports
    return doc


def render(plan: MxPlan, provider: str, settings: Mapping[str, Any], adopt: Mapping[str, str], name: str) -> str:
    return json.dumps(document(plan, provider, settings, adopt, name), indent=2) + "\n"
