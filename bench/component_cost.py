"""The cost of MxSplit under pulumi.runtime.set_mocks, against a minimal hand-written
component with the same children and registered outputs, and against bare resources."""

from __future__ import annotations

import statistics
import time
from functools import partial
from pathlib import Path
from typing import Any

import pulumi

from mxsplit_component.testing.mocks import RecordingMocks, run_program

ROOT = Path(__file__).resolve().parent.parent


def domains(n: int) -> list[tuple[str, str, str]]:
    out = []
    for i in range(n):
        domain = f"customer{i}.com"
        out.append((domain, f"customer{i}", "azure" if i % 2 == 0 else "cloudflare"))
    return out


def hosts(domain: str, tenant: str) -> tuple[str, str]:
    return f"{tenant}.mail.protection.outlook.com", f"{domain.replace('.', '-')}.mail.protection.outlook.com"


def children(name: str, domain: str, tenant: str, backend: str, parent: pulumi.Resource | None) -> None:
    """The same provider resources MxSplit declares, written by hand."""
    import pulumi_azure_native.dns as az
    import pulumi_cloudflare as cf

    v4, ds = hosts(domain, tenant)
    opts = pulumi.ResourceOptions(parent=parent)
    if backend == "azure":
        az.RecordSet(f"{name}-mx", resource_group_name="dns-rg", zone_name=domain, record_type="MX",
                     relative_record_set_name="@", ttl=3600,
                     mx_records=[{"preference": 0, "exchange": v4}, {"preference": 10, "exchange": ds}], opts=opts)
    else:
        for role, pref, host in (("ipv4-only", 0, v4), ("dual-stack", 10, ds)):
            cf.DnsRecord(f"{name}-{role}", zone_id="zone", name=domain, type="MX", content=host, priority=pref,
                         proxied=False, ttl=3600, comment=f"managed by mxsplit: {role} MX of the {domain} IPv6 split",
                         opts=opts)


class HandWritten(pulumi.ComponentResource):
    """The minimal component: same children, same registered outputs (computed beforehand)."""

    def __init__(self, name: str, domain: str, tenant: str, backend: str, outputs: dict[str, Any]) -> None:
        super().__init__("bench:index:HandWritten", name, {}, None)
        children(name, domain, tenant, backend, self)
        self.register_outputs(outputs)


def expected_outputs(domain: str, tenant: str) -> dict[str, Any]:
    """What MxSplit registers for ``domain``: prepared outside the timed region."""
    from mxsplit_component import plan_mx
    from mxsplit_component.core.rules import validate_plan

    plan = plan_mx(domain=domain, tenant=tenant)
    return {"ipv4_only_host": plan.ipv4_only_host, "dual_stack_host": plan.dual_stack_host,
            "mx_records": plan.mx_records, "zone_records": plan.zone_records, "validation": validate_plan(plan)}


def build_mxsplit(items: list[tuple[str, str, str]]) -> None:
    from mxsplit_component import MxSplit

    for domain, tenant, backend in items:
        settings: Any = {"resource_group_name": "dns-rg"} if backend == "azure" else {"zone_id": "zone"}
        MxSplit(domain.replace(".", "-"), {"domain": domain, "tenant": tenant, backend: settings})  # type: ignore[misc]


_PREPARED: dict[str, dict[str, Any]] = {}


def build_hand(items: list[tuple[str, str, str]]) -> None:
    for domain, tenant, backend in items:
        HandWritten(domain.replace(".", "-"), domain, tenant, backend, _PREPARED[domain])


def build_bare(items: list[tuple[str, str, str]]) -> None:
    for domain, tenant, backend in items:
        children(domain.replace(".", "-"), domain, tenant, backend, None)


def timed(methods: dict[str, Any], items: list[tuple[str, str, str]], repeat: int) -> dict[str, tuple[float, int]]:
    """Median time per method; methods run round-robin so machine drift hits each alike."""
    times: dict[str, list[float]] = {name: [] for name in methods}
    counts: dict[str, int] = {}
    for _ in range(repeat):
        for name, fn in methods.items():
            mocks = RecordingMocks()
            start = time.perf_counter()
            run_program(partial(fn, items), mocks=mocks)
            times[name].append(time.perf_counter() - start)
            counts[name] = len(mocks.resources)
    return {name: (statistics.median(t), counts[name]) for name, t in times.items()}


def report(n: int, repeat: int = 5) -> str:
    import logging

    logging.getLogger().setLevel(logging.ERROR)
    items = domains(n)
    _PREPARED.update({d: expected_outputs(d, t) for d, t, _ in items})
    methods = {"MxSplit": build_mxsplit, "hand-written component": build_hand, "bare resources": build_bare}
    timed(methods, items[:10], 1)  # warm imports and caches for every method alike
    results = timed(methods, items, repeat)
    base = results["hand-written component"][0]
    ratio = results["MxSplit"][0] / base
    bare_ratio = results["MxSplit"][0] / results["bare resources"][0]
    rows = ["| method | median time (s) | resources registered |", "|---|---|---|"]
    rows += [f"| {name} | {t:.3f} | {c} |" for name, (t, c) in results.items()]
    targets = ["| target | measured | met |", "|---|---|---|",
               f"| N={n} MxSplit ≤ 1.15× hand-written component | {ratio:.2f}× | {'met' if ratio <= 1.15 else 'NOT MET'} |",
               f"| MxSplit vs bare provider resources (no target) | {bare_ratio:.2f}× | n/a |"]
    title = f"### Component cost (N={n}: half Azure, half Cloudflare; median of {repeat}, methods interleaved)"
    return (title + "\n\n" + "\n".join(rows)
            + "\n\n" + "\n".join(targets))
