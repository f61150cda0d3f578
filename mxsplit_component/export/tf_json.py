"""Terraform JSON configuration (``*.tf.json``, Terraform ≥ 1.5 for ``import`` blocks).

One document per domain with the records of the chosen provider, in each Terraform
provider's documented shape:

- ``azurerm_dns_mx_record`` (azurerm 3.x/4.x): one resource, one ``record`` block per value;
- ``aws_route53_record`` (aws 5.x/6.x): one resource, ``records = ["0 host.", …]``;
- ``google_dns_record_set`` (google 5.x-7.x): one resource, ``rrdatas = ["0 host.", …]``;
- ``cloudflare_dns_record`` (cloudflare 5.x): one resource per value, top-level ``priority``.

The Pulumi bridges of the last three take exactly these attribute names, so their inputs
come straight from the backend descriptions. Settings that were not given become Terraform
variables named after the resource, so many domains' files can share one module. No
``terraform``/``provider`` blocks: the file drops into a configuration that already
configures the provider (two files declaring one provider would clash).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..backends.base import ResourceSpec
from ..core.plan import MxPlan
from . import targets

SUFFIX = ".tf.json"

TF_TYPES = {
    "azure": "azurerm_dns_mx_record",
    "cloudflare": "cloudflare_dns_record",
    "route53": "aws_route53_record",
    "cloud-dns": "google_dns_record_set",
}


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


def _attributes(provider: str, spec: ResourceSpec) -> dict[str, Any]:
    inputs = dict(spec.inputs)
    if provider != "azure":
        return inputs
    # azure-native's RecordSet and azurerm's dns_mx_record name the same fields differently.
    return {
        "name": inputs["relative_record_set_name"],
        "zone_name": inputs["zone_name"],
        "resource_group_name": inputs["resource_group_name"],
        "ttl": inputs["ttl"],
        "record": [{"preference": r["preference"], "exchange": r["exchange"]} for r in inputs["mx_records"]],
    }


def _import_id(provider: str, value: str) -> str:
    if provider == "azure":
        # azurerm parses record ids with the documented casing; the Azure CLI prints "dnszones".
        return re.sub(r"/dnszones/", "/dnsZones/", value, flags=re.IGNORECASE)
    return value


def document(plan: MxPlan, provider: str, settings: Mapping[str, Any], adopt: Mapping[str, str],
             name: str) -> dict[str, Any]:
    """The configuration as data: ``variable`` (for settings not given), ``resource``, ``import``."""
    tf_type = TF_TYPES[targets.backend_for(provider).NAME]
    specs = targets.describe(plan, provider, settings)
    ids = targets.adoption_ids(provider, specs, adopt)
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
        return value

    resources: dict[str, Any] = {}
    imports = []
    for spec in specs:
        rname = base if spec.role == "mx" else f"{base}_{spec.role.replace('-', '_')}"
        resources[rname] = resolve(_attributes(provider, spec))
        if spec.role in ids:
            imports.append({"to": f"{tf_type}.{rname}", "id": _import_id(provider, ids[spec.role])})
    doc: dict[str, Any] = {}
    if variables:
        doc["variable"] = variables
    doc["resource"] = {tf_type: resources}
    if imports:
        doc["import"] = imports
    return doc


def render(plan: MxPlan, provider: str, settings: Mapping[str, Any], adopt: Mapping[str, str], name: str) -> str:
    return json.dumps(document(plan, provider, settings, adopt, name), indent=2) + "\n"
