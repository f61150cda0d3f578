"""Synthetic customer domains and the zones that publish their MX split.

Realistic names (two words and a number, several TLDs), each domain with its own tenant;
MX 0 -> tenant host (A only), MX 10 -> domain host (A + AAAA). Zones are one per TLD plus
``mail.protection.outlook.com``, so one BIND serves 20 000 domains without 20 000 zones.
"""

from __future__ import annotations

import csv
import ipaddress
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORDS = ("contoso fabrikam northwind tailspin wingtip adatum litware proseware woodgrove fourthcoffee "
         "alpine blue coho datum lucerne margie southridge trey wide world humongous graphic relecloud "
         "munson pickles fineart consolidated adventure").split()
TLDS = ("com", "net", "org", "de", "nl", "io", "co.uk")
MS = "mail.protection.outlook.com"


@dataclass(frozen=True)
class Domain:
    domain: str
    tenant: str
    v4_host: str
    ds_host: str
    v4_addr: str
    ds_v4: str
    ds_v6: str


def generate(n: int, seed: int = 5321) -> list[Domain]:
    rng = random.Random(seed)
    out: list[Domain] = []
    seen: set[str] = set()
    i = 0
    while len(out) < n:
        i += 1
        name = f"{rng.choice(WORDS)}{rng.choice(WORDS)}{i}"
        tld = TLDS[i % len(TLDS)]
        domain = f"{name}.{tld}"
        if domain in seen:
            continue
        seen.add(domain)
        tenant = f"{name}t"
        k = len(out)
        out.append(Domain(domain, tenant, f"{tenant}.{MS}", f"{domain.replace('.', '-')}.{MS}",
                          str(ipaddress.IPv4Address(0x0A000000 + 2 * k)),
                          str(ipaddress.IPv4Address(0x0A000000 + 2 * k + 1)),
                          str(ipaddress.IPv6Address(0x20010DB8 << 96 | k))))
    return out


def zones(domains: list[Domain]) -> dict[str, str]:
    header = "$TTL 3600\n@ IN SOA ns.bench. hostmaster.bench. 1 3600 600 86400 60\n@ IN NS ns.bench.\n"
    by_tld: dict[str, list[str]] = {t: [] for t in TLDS}
    hosts = []
    for d in domains:
        tld = next(t for t in TLDS if d.domain.endswith("." + t))
        by_tld[tld] += [f"{d.domain}. IN MX 0 {d.v4_host}.", f"{d.domain}. IN MX 10 {d.ds_host}."]
        hosts += [f"{d.v4_host}. IN A {d.v4_addr}", f"{d.ds_host}. IN A {d.ds_v4}", f"{d.ds_host}. IN AAAA {d.ds_v6}"]
    out = {tld: header + "\n".join(lines) + "\n" for tld, lines in by_tld.items()}
    out[MS] = header + "\n".join(hosts) + "\n"
    return out


def write_csv(domains: list[Domain], path: Path) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["domain", "tenant"])
        for d in domains:
            w.writerow([d.domain, d.tenant])


def truth(d: Domain) -> dict[str, Any]:
    """The answers every method must return for ``d``: MX set and addresses per host."""
    return {"mx": [[0, d.v4_host], [10, d.ds_host]],
            "addresses": {d.v4_host: {"ipv4": [d.v4_addr], "ipv6": []},
                          d.ds_host: {"ipv4": [d.ds_v4], "ipv6": [d.ds_v6]}}}
