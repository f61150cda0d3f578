"""What the split knowingly gives up, said out loud so a third-party scanner surprises nobody.
Pure; info findings only (they never change the exit code). Each carries its source.

- ``internet-nl-mx-aaaa``: internet.nl's mail test requires AAAA on every MX host, so the
  split's IPv4-only MX 0 fails it by design.
- ``dane-mx0-unsigned``: DANE and DNSSEC for an ``mx.microsoft`` host do not reach MX 0 in
  the unsigned ``mail.protection.outlook.com`` zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from ..core.clouds import uses_mx_microsoft
from ..core.findings import Finding, FindingRegistry, Severity
from ..core.plan import MxPlan
from ..dns.observe import NULL_MX, HostLookup
from .observe import Observation

#: Where each trade-off is documented (shown in the README's finding table).
SOURCES = {
    # internet.nl, e-mail test explanation, IPv6 > "IPv6 addresses for mail server(s)": every
    # host in the MX set must have at least one AAAA record.
    "internet-nl-mx-aaaa": "internet.nl e-mail test, IPv6 addresses for mail server(s) (mx_aaaa)",
    # RFC 7672 §2.2: DANE applies per MX host, only to hosts whose address records are
    # DNSSEC-secure. Microsoft Learn, "How SMTP DANE works": inbound DANE with DNSSEC is
    # offered on the signed mx.microsoft hosts, not in mail.protection.outlook.com.
    "dane-mx0-unsigned": "RFC 7672 §2.2; Microsoft Learn, How SMTP DANE works (inbound DANE on mx.microsoft)",
}

class PublishedSplit(NamedTuple):
    """What the trade-offs look at: the published MX hosts of a planned split, and their addresses."""

    #: In preference order, once each (a null MX names none).
    hosts: list[str]
    addresses: Mapping[str, HostLookup]


#: The trade-offs of a published split, in the order they are reported.
TRADEOFFS: FindingRegistry[PublishedSplit] = FindingRegistry()


@TRADEOFFS.finding("internet-nl-mx-aaaa")
def _internet_nl(split: PublishedSplit) -> list[Finding]:
    seen = [(h, split.addresses[h]) for h in split.hosts if h in split.addresses]
    v4_only = [h for h, a in seen if a.ipv4 and not a.ipv6 and not a.errors]
    if not v4_only or not any(a.ipv6 for _, a in seen):
        return []
    return [Finding("internet-nl-mx-aaaa", Severity.INFO,
                    f"internet.nl's IPv6 mail test (mx_aaaa) requires AAAA on every MX host, so it marks this domain "
                    f"as failing: {', '.join(v4_only)} has no AAAA by design (that is the split); expected, not a "
                    "fault")]


@TRADEOFFS.finding("dane-mx0-unsigned")
def _dane_mx0_unsigned(split: PublishedSplit) -> list[Finding]:
    signed = [h for h in split.hosts if uses_mx_microsoft(h)]
    unsigned = [h for h in split.hosts if not uses_mx_microsoft(h)]
    if not signed or not unsigned:
        return []
    return [Finding("dane-mx0-unsigned", Severity.INFO,
                    f"DANE and DNSSEC for {', '.join(signed)} do not cover {', '.join(unsigned)} in the unsigned "
                    "mail.protection.outlook.com zone; DANE senders check each MX host on its own and try the "
                    "preferred one first, so most mail gets opportunistic TLS only (RFC 7672 §2.2)")]


def tradeoff_findings(plan: MxPlan, obs: Observation) -> list[Finding]:
    """What a published split gives up (nothing in standard mode)."""
    if plan.mode != "split" or not obs.mx:
        return []
    hosts = list(dict.fromkeys(r.exchange for r in sorted(obs.mx) if r.exchange != NULL_MX))
    return TRADEOFFS.run(PublishedSplit(hosts, obs.hosts))
