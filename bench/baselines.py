"""The dns.asyncresolver baseline mxsplit is measured against, doing the same 5 queries per domain:
MX of the domain, A and AAAA of the tenant host and of the domain host.

Run: python -m bench.baselines async CSV NAMESERVER PORT CONCURRENCY OUT
Each writes one JSON line per domain ({domain, mx, addresses}) for verification.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from typing import Any

import dns.asyncresolver
import dns.resolver

MS = "mail.protection.outlook.com"


def hosts(domain: str, tenant: str) -> tuple[str, str]:
    return f"{tenant}.{MS}", f"{domain.replace('.', '-')}.{MS}"


def rows(path: str) -> list[tuple[str, str]]:
    with open(path, newline="") as fh:
        return [(r["domain"], r["tenant"]) for r in csv.DictReader(fh)]


def _addrs(answer: object) -> list[str]:
    return sorted(rd.address for rd in answer) if answer is not None else []  # type: ignore[attr-defined]


async def run_async(path: str, ns: str, port: int, concurrency: int, out: str) -> None:
    res = dns.asyncresolver.Resolver(configure=False)
    res.nameservers, res.port, res.lifetime = [ns], port, 5.0
    gate = asyncio.Semaphore(concurrency)

    async def get(name: str, rdtype: str) -> object:
        try:
            return await res.resolve(name, rdtype)
        except dns.resolver.NoAnswer:
            return None

    async def one(domain: str, tenant: str) -> dict[str, Any]:
        v4, ds = hosts(domain, tenant)
        async with gate:
            mx, a1, q1, a2, q2 = await asyncio.gather(get(domain, "MX"), get(v4, "A"), get(v4, "AAAA"),
                                                      get(ds, "A"), get(ds, "AAAA"))
        return {"domain": domain,
                "mx": sorted([rd.preference, rd.exchange.to_text(omit_final_dot=True)] for rd in mx),  # type: ignore[attr-defined]
                "addresses": {v4: {"ipv4": _addrs(a1), "ipv6": _addrs(q1)}, ds: {"ipv4": _addrs(a2), "ipv6": _addrs(q2)}}}

    results = await asyncio.gather(*(one(d, t) for d, t in rows(path)))
    with open(out, "w") as fh:
        for r in results:
            fh.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    method, path, ns, port, conc, out = sys.argv[1:7]
    if method != "async":
        sys.exit(f"unknown baseline {method!r}")
    asyncio.run(run_async(path, ns, int(port), int(conc), out))
