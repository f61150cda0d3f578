"""The rollout program: one MxSplit per entry of the stack's ``mxsplit:domains``.

Stacks are environments (``Pulumi.dev.yaml``, ``Pulumi.prod.yaml``); see the README's
rollout walk-through. Provider credentials come from the providers' own config
(``pulumi config set --secret cloudflare:apiToken``, ``azure-native:subscriptionId``,
``aws:region``, ``gcp:project``).
"""

from typing import Any

import pulumi

from mxsplit_component import MxSplit
from mxsplit_component.gctune import tune_gc
from mxsplit_component.stackconfig import NAMESPACE, Entry, parse_entries


def zone_id_by_name(zone_name: str) -> pulumi.Output[str]:
    import pulumi_cloudflare as cloudflare

    # "all" is the API default; the typed filter requires it.
    zone = cloudflare.get_zone_output(filter=cloudflare.GetZoneFilterArgs(name=zone_name, match="all"))
    zone_id: pulumi.Output[str] = zone.apply(lambda z: z.zone_id or z.id)  # the SDK is read as Any (pyproject.toml)
    return zone_id


def declare(entry: Entry) -> MxSplit:
    args = dict(entry.args)
    if entry.cloudflare_zone_name is not None:
        args["cloudflare"] = {"zone_id": zone_id_by_name(entry.cloudflare_zone_name)}
    return MxSplit(entry.name, args)  # type: ignore[arg-type]


def summary(component: MxSplit) -> pulumi.Output[dict[str, Any]]:
    return pulumi.Output.all(component.ipv4_only_host, component.dual_stack_host, component.mx_records,
                             component.validation).apply(
        lambda v: {"ipv4_only_host": v[0], "dual_stack_host": v[1], "mx_records": v[2], "validation": v[3]})


def main() -> None:
    tune_gc()  # thousands of domains: the collector's default pace dominated (bench/README.md)
    config = pulumi.Config(NAMESPACE)
    entries = parse_entries(config.get_object("domains"), tenant=config.get("tenant"), ttl=config.get_int("ttl"))
    components = {entry.args["domain"]: declare(entry) for entry in entries}
    pulumi.export("domains", {domain: summary(c) for domain, c in components.items()})


main()
