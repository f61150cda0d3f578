"""Every finding id's exact message, through the function that reports it (message text is API).

Planning rules have theirs in ``test_core_rules.py``. A last test fails when a registered
live finding id has no row here.
"""

from __future__ import annotations

import asyncio

import pytest

from mxsplit_component import MxRecord, plan_mx
from mxsplit_component.check.findings import DNS_FINDINGS, evaluate
from mxsplit_component.check.observe import Observation
from mxsplit_component.check.smtp import AddressProbe
from mxsplit_component.check.smtp_findings import SMTP_FINDINGS, classify
from mxsplit_component.check.tradeoffs import TRADEOFFS, tradeoff_findings
from mxsplit_component.core.clouds import COMMERCIAL
from mxsplit_component.core.rules import RULES
from mxsplit_component.dns.observe import HostLookup
from mxsplit_component.errors import HostLookupError
from mxsplit_component.hosts.combine import combine
from mxsplit_component.hosts.derived import derive
from mxsplit_component.hosts.drift import GRAPH_FINDINGS, graph_findings
from mxsplit_component.hosts.given import from_given
from mxsplit_component.hosts.graph import GraphHosts, GraphNotFound
from mxsplit_component.hosts.model import SourceResult
from mxsplit_component.hosts.published import from_mx

MS = "mail.protection.outlook.com"
V4, DS = f"contoso.{MS}", f"contoso-com.{MS}"
PLAN = plan_mx(domain="contoso.com", tenant="contoso", dual_stack_host=DS)
STANDARD = plan_mx(domain="contoso.com", tenant="contoso", mode="standard", dual_stack_host=DS)
GATEWAY_V4 = plan_mx(domain="contoso.com", tenant="contoso", dual_stack_host=DS, ipv4_only_host=f"contoso-net.{MS}")
POLICY = "version: STSv1\nmode: {mode}\nmx: {mx}\nmax_age: 86400\n"


def obs(plan=PLAN, v4=None, ds=None, **fields):
    """A clean observation of ``plan`` (IPv4 on the IPv4-only host, both families on the other), changed by
    ``v4``/``ds`` (HostLookup keyword arguments) and Observation ``fields``."""
    hosts = {plan.ipv4_only_host: HostLookup(**{"ipv4": ["192.0.2.1"], **(v4 or {})}),
             plan.dual_stack_host: HostLookup(**{"ipv4": ["198.51.100.1"], "ipv6": ["2001:db8::1"], **(ds or {})})}
    return Observation(plan.domain, **{"mx": list(plan.records), "hosts": hosts, **fields})


def probe(host, address, family="ipv4", outcome="ok", stage="done", **fields):
    ok = {"banner": "220 hi", "starttls": True, "tls": "verified"} if outcome == "ok" else {}
    return AddressProbe(host, address, family, stage, outcome, **{**ok, **fields})


class Graph:
    """A Graph getter serving fixed payloads; a missing path is a 404, an exception is raised."""

    def __init__(self, payloads):
        self.payloads = payloads

    def redact(self, text):
        return text

    async def get_all(self, path, *, about, keep=None):
        found = self.payloads.get(path)
        if found is None:
            raise GraphNotFound(about, domain=about)
        if isinstance(found, Exception):
            raise found
        return found if keep is None else [keep(item) for item in found]


def graph_notes(domain, *, domains=None, records=None, tenant=None, failure=None):
    mx = [{"recordType": "Mx", "mailExchange": V4, "preference": 0}]
    payloads = {"/domains": failure or domains or [{"id": "contoso.onmicrosoft.com", "isInitial": True},
                                                   {"id": domain, "isVerified": True}],
                "/domains/contoso.onmicrosoft.com/serviceConfigurationRecords": mx,
                f"/domains/{domain}/serviceConfigurationRecords": records}
    return asyncio.run(GraphHosts(Graph(payloads), COMMERCIAL).lookup(domain, tenant)).notes


def smtp(probes, preferences=None, port=25):
    roles = {V4: "ipv4-only", DS: "dual-stack"}
    return list(classify(probes, {V4: 0, DS: 10} if preferences is None else preferences, roles, port).findings)


TIMEOUTS = [probe(V4, "192.0.2.1", outcome="timeout", stage="connect"),
            probe(DS, "192.0.2.2", outcome="timeout", stage="connect")]

#: (case, id, severity, the findings to look in, the exact message)
CASES = [
    # The DNS findings of a check.
    ("nxdomain", "nxdomain", "error", lambda: evaluate(PLAN, obs(mx=None, nxdomain=True)),
     "contoso.com does not exist (NXDOMAIN); check the spelling, or that the zone is delegated and published"),
    ("dns-error-mx", "dns-error", "error", lambda: evaluate(PLAN, obs(mx=None, mx_error="no answer within 5s")),
     "MX contoso.com: no answer within 5s; the published records are unknown: retry, or check the nameservers"),
    ("dns-error-host", "dns-error", "error",
     lambda: evaluate(PLAN, obs(ds={"ipv6": [], "errors": [f"AAAA {DS}: 127.0.0.1:53 answered SERVFAIL"]})),
     f"AAAA {DS}: 127.0.0.1:53 answered SERVFAIL; the addresses of {DS} are unknown"),
    ("dns-error-mta-sts", "dns-error", "error", lambda: evaluate(PLAN, obs(mta_sts_error="answered REFUSED")),
     "TXT _mta-sts.contoso.com: answered REFUSED"),
    ("null-mx", "null-mx", "error", lambda: evaluate(PLAN, obs(mx=[MxRecord(0, ".")])),
     "contoso.com publishes a null MX (MX 0 ., RFC 7505): it accepts no mail at all; replace it with the planned "
     "records"),
    ("mx-mismatch", "mx-mismatch", "error",
     lambda: evaluate(PLAN, obs(mx=[MxRecord(0, V4), MxRecord(20, "backup.example.net")])),
     f"expected 0 {V4}, 10 {DS}; published 0 {V4}, 20 backup.example.net; missing: 10 {DS}; extra: 20 "
     "backup.example.net; publish the planned records (pulumi up), then check again"),
    ("dns64-synthesized", "dns64-synthesized", "info",
     lambda: evaluate(PLAN, obs(v4={"ipv6_synthesized": ["64:ff9b::c000:201"]})),
     f"the resolver answered AAAA in the DNS64 prefix 64:ff9b::/96 for {V4}: it synthesises them from A records "
     "(RFC 6147), so they are ignored and say nothing about the hosts' IPv6; check with --authoritative or a "
     "resolver without DNS64"),
    ("ipv4-host-has-aaaa-split", "ipv4-host-has-aaaa", "error",
     lambda: evaluate(PLAN, obs(v4={"ipv6": ["2001:db8::9"]})),
     f"{V4} answers AAAA (2001:db8::9), so the split keeps nobody on IPv4; run Disable-IPv6ForAcceptedDomain "
     "-Domain contoso.onmicrosoft.com"),
    ("ipv4-host-has-aaaa-standard", "ipv4-host-has-aaaa", "info",
     lambda: evaluate(STANDARD, obs(STANDARD, v4={"ipv6": ["2001:db8::9"]})),
     f"{V4} answers AAAA; it matters only if you switch to split mode (then run Disable-IPv6ForAcceptedDomain "
     "-Domain contoso.onmicrosoft.com)"),
    ("ipv4-host-has-aaaa-given", "ipv4-host-has-aaaa", "error",
     lambda: evaluate(GATEWAY_V4, obs(GATEWAY_V4, v4={"ipv6": ["2001:db8::9"]})),
     f"contoso-net.{MS} answers AAAA (2001:db8::9), so the split keeps nobody on IPv4; run "
     f"Disable-IPv6ForAcceptedDomain -Domain <the accepted domain behind contoso-net.{MS}>"),
    ("dual-stack-host-no-aaaa-split", "dual-stack-host-no-aaaa", "error",
     lambda: evaluate(PLAN, obs(ds={"ipv6": []})),
     f"{DS} has no AAAA record, so IPv6-only senders cannot reach you; run Enable-IPv6ForAcceptedDomain -Domain "
     "contoso.com"),
    ("dual-stack-host-no-aaaa-standard", "dual-stack-host-no-aaaa", "info",
     lambda: evaluate(STANDARD, obs(STANDARD, ds={"ipv6": []})),
     f"{DS} has no AAAA record: mail arrives over IPv4 only (Enable-IPv6ForAcceptedDomain -Domain contoso.com "
     "turns IPv6 on)"),
    ("mx-target-cname", "mx-target-cname", "error",
     lambda: evaluate(PLAN, obs(ds={"cname": "mx.elsewhere.example"})),
     f"MX target {DS} is a CNAME to mx.elsewhere.example; RFC 5321 §5.1 requires an MX to name a host with A/AAAA "
     "records: point the MX at the final host"),
    ("host-no-address", "host-no-address", "error", lambda: evaluate(PLAN, obs(v4={"ipv4": []})),
     f"MX target {V4} has neither A nor AAAA; senders cannot use it: check the host name against the admin center"),
    ("mta-sts-present-not-fetched", "mta-sts-present", "warning",
     lambda: evaluate(PLAN, obs(mta_sts_txt=["v=STSv1; id=1"], mta_sts_policy_error="connection refused")),
     f"_mta-sts.contoso.com is published (policy not fetched: connection refused); an enforce-mode policy must "
     f"list both {V4} and {DS} (e.g. 'mx: *.mail.protection.outlook.com') or MTA-STS senders refuse MX 0"),
    ("mta-sts-present-unusable", "mta-sts-present", "warning",
     lambda: evaluate(PLAN, obs(mta_sts_txt=["v=STSv1; id=1"], mta_sts_policy="hello")),
     "_mta-sts.contoso.com is published but the policy is unusable (not an MTA-STS policy (no 'version: STSv1')); "
     "fix the policy file"),
    ("mta-sts-present-enforce", "mta-sts-present", "error",
     lambda: evaluate(PLAN, obs(mta_sts_txt=["v=STSv1; id=1"], mta_sts_policy=POLICY.format(mode="enforce", mx=DS))),
     f"the enforce-mode MTA-STS policy does not list {V4}: MTA-STS senders refuse those MX hosts; add 'mx: {V4}' "
     "(or 'mx: *.mail.protection.outlook.com')"),
    ("mta-sts-present-testing", "mta-sts-present", "warning",
     lambda: evaluate(PLAN, obs(mta_sts_txt=["v=STSv1; id=1"], mta_sts_policy=POLICY.format(mode="testing", mx=DS))),
     f"the MTA-STS policy (mode testing) does not list {V4}; add them before switching the policy to enforce"),
    ("mta-sts-present-covered", "mta-sts-present", "info",
     lambda: evaluate(PLAN, obs(mta_sts_txt=["v=STSv1; id=1"], mta_sts_policy=POLICY.format(mode="enforce",
                                                                                             mx=f"*.{MS}"))),
     "the MTA-STS policy lists every MX host"),
    # The trade-offs.
    ("internet-nl-mx-aaaa", "internet-nl-mx-aaaa", "info", lambda: tradeoff_findings(PLAN, obs()),
     f"internet.nl's IPv6 mail test (mx_aaaa) requires AAAA on every MX host, so it marks this domain as failing: "
     f"{V4} has no AAAA by design (that is the split); expected, not a fault"),
    ("dane-mx0-unsigned", "dane-mx0-unsigned", "info",
     lambda: tradeoff_findings(plan_mx(domain="contoso.com", tenant="contoso",
                                       dual_stack_host="contoso-com.o-v1.mx.microsoft"),
                               Observation("contoso.com", mx=[MxRecord(0, V4), MxRecord(10, "contoso-com.o-v1.mx.microsoft")])),
     f"DANE and DNSSEC for contoso-com.o-v1.mx.microsoft do not cover {V4} in the unsigned "
     "mail.protection.outlook.com zone; DANE senders check each MX host on its own and try the preferred one first, "
     "so most mail gets opportunistic TLS only (RFC 7672 §2.2)"),
    # The SMTP findings.
    ("smtp-unreachable-mx0", "smtp-unreachable", "error",
     lambda: smtp([probe(V4, "192.0.2.1", outcome="refused", stage="connect", detail="Connection refused"),
                   probe(V4, "192.0.2.3"), probe(DS, "192.0.2.2")]),
     f"MX 0 {V4} does not accept SMTP over IPv4 at 1 of 2 addresses: 192.0.2.1 refused (Connection refused); "
     "IPv4 and dual-stack senders fall through to the next MX, or defer"),
    ("smtp-unreachable-mx10", "smtp-unreachable", "error",
     lambda: smtp([probe(V4, "192.0.2.1"), probe(DS, "2001:db8::1", "ipv6", outcome="rejected", stage="ehlo",
                                                  detail="554 go away")]),
     f"MX 10 {DS} does not accept SMTP over IPv6 at any address: 2001:db8::1 rejected at ehlo (554 go away); "
     "IPv6-only senders cannot deliver: they have no other MX with AAAA"),
    ("smtp-unreachable-unpublished", "smtp-unreachable", "warning",
     lambda: smtp([probe(DS, "192.0.2.2"), probe(V4, "192.0.2.1", outcome="closed", stage="banner")], {DS: 0}),
     f"{V4} (not published) does not accept SMTP over IPv4 at any address: 192.0.2.1 closed at banner; "
     "IPv4 and dual-stack senders fall through to the next MX, or defer"),
    ("smtp-no-starttls", "smtp-no-starttls", "warning",
     lambda: smtp([probe(V4, "192.0.2.1", starttls=False, tls=None)]),
     f"MX 0 {V4} does not offer STARTTLS at 192.0.2.1: mail to it travels in clear, and MTA-STS or DANE senders "
     "refuse it"),
    ("smtp-tls-invalid", "smtp-tls-invalid", "warning",
     lambda: smtp([probe(DS, "192.0.2.2", tls="name-mismatch", tls_detail="hostname mismatch")]),
     f"MX 10 {DS}: 192.0.2.2: the certificate is not valid for the host name (hostname mismatch); senders that "
     "verify certificates (MTA-STS enforce, DANE) refuse it"),
    ("smtp-blocked-here", "smtp-blocked-here", "info", lambda: smtp(TIMEOUTS, port=2525),
     "every connection to port 2525 failed the same way (timeout, 2 addresses): outbound SMTP is most likely "
     "blocked from this machine, so this says nothing about the hosts; run the probe from a network that allows "
     "port 2525 (a mail server or a VM without egress filtering)"),
    ("smtp-no-route-here", "smtp-no-route-here", "info",
     lambda: smtp([probe(V4, "192.0.2.1"), probe(DS, "2001:db8::1", "ipv6", outcome="no-route", stage="connect",
                                                  detail="Network is unreachable")]),
     "cannot probe IPv6 from here (Network is unreachable): this machine has no IPv6 route, so the IPv6 verdicts "
     "are unknown"),
    # The Graph drift findings of check --graph.
    ("graph-host-moved", "graph-host-moved", "warning",
     lambda: graph_findings(PLAN, "contoso-com.o-v1.mx.microsoft", list(PLAN.records)),
     f"Microsoft has moved contoso.com to contoso-com.o-v1.mx.microsoft (Graph), but the zone still publishes {DS}; "
     "the old host works for now: publish contoso-com.o-v1.mx.microsoft (pin it with mxsplit hosts --graph --stack "
     "<stack>, then pulumi up)"),
    ("graph-host-mismatch", "graph-host-mismatch", "error",
     lambda: graph_findings(PLAN, DS, [MxRecord(0, V4), MxRecord(10, f"old-com.{MS}")]),
     f"the zone publishes old-com.{MS} for contoso.com, but Graph names {DS}: mail to a host Microsoft did not "
     f"assign for the domain may be refused; publish {DS}"),
    # The hosts' notes, per source.
    ("published-lookup-failed", "published-lookup-failed", "error",
     lambda: from_mx("a.com", None, COMMERCIAL, error="timed out after 2 s").notes,
     "MX a.com: timed out after 2 s; retry, or pass --nameserver"),
    ("published-nxdomain", "published-nxdomain", "info", lambda: from_mx("a.com", None, COMMERCIAL, nxdomain=True).notes,
     "a.com does not exist in DNS (NXDOMAIN), so it publishes no host"),
    ("published-no-mx", "published-no-mx", "info", lambda: from_mx("a.com", [], COMMERCIAL).notes,
     "a.com publishes no MX record, so the zone names no host"),
    ("published-foreign", "published-foreign", "info",
     lambda: from_mx("a.com", [MxRecord(10, "mx.gateway.example")], COMMERCIAL).notes,
     "a.com publishes no Microsoft 365 host (10 mx.gateway.example); the zone cannot say which host Microsoft "
     "assigned"),
    ("published-tenant-only", "published-tenant-only", "info",
     lambda: from_mx("a.com", [MxRecord(0, V4)], COMMERCIAL, tenant="contoso").notes,
     f"a.com publishes only the tenant host {V4}, which is not the domain's own host"),
    ("published-ambiguous", "published-ambiguous", "info",
     lambda: from_mx("a.com", [MxRecord(0, f"a-com.{MS}"), MxRecord(0, f"b-com.{MS}")], COMMERCIAL).notes,
     f"a.com publishes several Microsoft hosts (0 a-com.{MS}, 0 b-com.{MS}) that are not a split (tenant host "
     "strictly preferred); cannot tell which is the domain's"),
    ("not-derivable", "not-derivable", "info", lambda: derive("foo-1-bar.com", None, COMMERCIAL).notes,
     "dual_stack_host cannot be derived for 'foo-1-bar.com': Microsoft assigns a different token to domains with "
     "hyphens (e.g. domain-withdash.com -> domainwithdash-com01e); pass dual_stack_host explicitly: copy it from the "
     "Microsoft 365 admin center (Settings > Domains > foo-1-bar.com > DNS records, the MX 'Points to address') or "
     "from Microsoft Graph GET /domains/foo-1-bar.com/serviceConfigurationRecords"),
    ("graph-several-mx", "graph-several-mx", "warning",
     lambda: graph_notes("contoso.com", records=[{"recordType": "Mx", "mailExchange": DS, "preference": 0},
                                                 {"recordType": "Mx", "mailExchange": f"old-com.{MS}", "preference": 10}]),
     f"Graph lists 2 Mx records for contoso.com (0 {DS}, 10 old-com.{MS}); using the preferred one, {DS}; check "
     "which one the admin center shows, and pin that one"),
    ("graph-not-in-tenant", "graph-not-in-tenant", "error",
     lambda: graph_notes("fabrikam.com", domains=[{"id": "contoso.onmicrosoft.com", "isInitial": True}]),
     "fabrikam.com is not a domain of this tenant in Graph; check the spelling, or sign in to the tenant that owns it "
     "(a Graph token is for one tenant (AZURE_TENANT_ID or the signed-in tenant); for several, name each row's "
     "tenant and give its token in --graph-tokens)"),
    ("graph-unverified", "graph-unverified", "error",
     lambda: graph_notes("contoso.com", domains=[{"id": "contoso.onmicrosoft.com", "isInitial": True},
                                                 {"id": "contoso.com", "isVerified": False}]),
     "contoso.com is not verified in this tenant, so Microsoft routes no mail for it; verify it first (admin center > "
     "Settings > Domains), then look up its hosts again"),
    ("graph-no-mx", "graph-no-mx", "error",
     lambda: graph_notes("contoso.com", records=[{"recordType": "Txt", "text": "MS=ms1234"}]),
     "Graph lists no Mx record for contoso.com (serviceConfigurationRecords has 1 records, none of type Mx with a "
     "mailExchange); is Exchange Online (the Email service) enabled for the domain?"),
    ("graph-no-initial", "graph-no-initial", "error",
     lambda: graph_notes("contoso.com", domains=[{"id": "contoso.com", "isVerified": True}],
                         records=[{"recordType": "Mx", "mailExchange": DS, "preference": 0}]),
     "Graph lists no initial domain (isInitial: true) in this tenant, so the tenant host is unknown; pass --tenant"),
    ("graph-lookup-failed", "graph-lookup-failed", "error",
     lambda: graph_notes("contoso.com", failure=HostLookupError("Graph GET /domains: no answer within 5 s")),
     "Graph GET /domains: no answer within 5 s"),
    # The hosts' conflicts.
    ("ipv4-only-host-conflict", "ipv4-only-host-conflict", "warning",
     lambda: combine("contoso.com", [from_given(COMMERCIAL, ipv4_only_host=f"gateway.{MS}"),
                                     SourceResult("graph", ipv4_only_host=V4, dual_stack_host=DS)]).conflicts,
     f"contoso.com ipv4-only host: you gave gateway.{MS}, but Graph names {V4}; using gateway.{MS} (given hosts "
     "win); check which one the admin center shows, and pin that one"),
    ("dual-stack-host-conflict", "dual-stack-host-conflict", "warning",
     lambda: combine("contoso.com", [SourceResult("graph", dual_stack_host="contoso-com.o-v1.mx.microsoft"),
                                     SourceResult("published", dual_stack_host=DS)]).conflicts,
     f"contoso.com dual-stack host: Graph names contoso-com.o-v1.mx.microsoft, but the zone publishes {DS}; using "
     "contoso-com.o-v1.mx.microsoft (Graph is Microsoft's source of truth (MC1048624)); update the zone (pulumi up) "
     "so it publishes contoso-com.o-v1.mx.microsoft"),
    ("tenant-conflict", "tenant-conflict", "error",
     lambda: combine("a.com", [SourceResult("graph", V4, f"a-com.{MS}", tenant="contoso")],
                     given_tenant="fabrikam").conflicts,
     "you gave tenant fabrikam, but the Graph token is for tenant contoso: use a token of the tenant that owns a.com "
     "(sign in to it, or give it in --graph-tokens), or fix --tenant"),
]


@pytest.mark.parametrize(("fid", "severity", "found", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_message(fid, severity, found, message):
    [finding] = [f for f in found() if f.id == fid]
    assert (finding.severity, finding.message) == (severity, message)


def test_every_registered_id_has_its_message_here():
    registered = {*DNS_FINDINGS.ids, *SMTP_FINDINGS.ids, *TRADEOFFS.ids, *GRAPH_FINDINGS.ids}
    assert registered - {r.id for r in RULES} <= {c[1] for c in CASES}
