"""What the split knowingly gives up, said out loud so a third-party scanner surprises nobody.
Pure; info findings only (they never change the exit code). Each carries its source.

- ``internet-nl-mx-aaaa``: internet.nl's mail test requires AAAA on every MX host, so the
  split's IPv4-only MX 0 fails it by design.
- ``dane-mx0-unsigned``: DANE and DNSSEC for an ``mx.microsoft`` host do not reach MX 0 in
  the unsigned ``mail.protection.outlook.com`` zone.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.clouds import uses_mx_microsoft
from ..core.findings import Finding, FindingRegistry, Severity
from ..core.plan import MxPlan
from ..dns.observe import NULL_MX
from .findings import Live
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

#: The trade-offs of a published split, in the order they are reported.
TRADEOFFS: FindingRegistry[Live] = FindingRegistry()


def _split_hosts(live: Live) -> list[str]:
    """The published MX hosts in preference order, once each; none unless a split is planned."""
    if not live.split or not live.obs.mx:
        return []
    return list(dict.fromkeys(r.exchange for r in sorted(live.obs.mx) if r.exchange != NULL_MX))


@TRADEOFFS.finding("internet-nl-mx-aaaa")
def _internet_nl(live: Live) -> Iterator[Finding]:
    seen = [(h, live.obs.hosts[h]) for h in _split_hosts(live) if h in live.obs.hosts]
    v4_only = [h for h, a in seen if a.ipv4 and not a.ipv6 and not a.errors]
    if v4_only and any(a.ipv6 for _, a in seen):
        yield Finding("internet-nl-mx-aaaa", Severity.INFO,
                      f"internet.nl's IPv6 mail test (mx_aaaa) requires AAAA on every MX host, so it marks this domain "
                      f"as failing: {', '.join(v4_only)} has no AAAA by design (that is the split); expected, not a "
                      "fault")


@TRADEOFFS.finding("dane-mx0-unsigned")
def _dane_mx0_unsigned(live: Live) -> Iterator[Finding]:
    hosts = _split_hosts(live)
    signed = [h for h in hosts if uses_mx_microsoft(h)]
    unsigned = [h for h in hosts if not uses_mx_microsoft(h)]
    if signed and unsigned:
        yield Finding("dane-mx0-unsigned", Severity.INFO,
                      f"DANE and DNSSEC for {', '.join(signed)} do not cover {', '.join(unsigned)} in the unsigned "
                      "mail.protection.outlook.com zone; DANE senders check each MX host on its own and try the "
                      "preferred one first, so most mail gets opportunistic TLS only (RFC 7672 §2.2)")


def tradeoff_findings(plan: MxPlan, obs: Observation) -> list[Finding]:
    return TRADEOFFS.run(Live(plan, obs))
