"""Findings: what is wrong with the published DNS, each with a stable id and a fix. Pure.

Ids are a public contract (like octoDNS's validator ids): ``mx-mismatch``,
``ipv4-host-has-aaaa``, ``dual-stack-host-no-aaaa``, ``host-no-address``, ``null-mx``,
``mx-target-cname``, ``mta-sts-present``, ``nxdomain``, ``dns-error``, ``dns64-synthesized``, plus every planning
rule (``hosts-distinct``, ``priority-order``, ...) run on the published set. Each is a small
function registered in :data:`DNS_FINDINGS`, reported in registration order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..core.findings import Finding, FindingRegistry, Severity
from ..core.plan import MxPlan, MxRecord
from ..core.rules import RULES, RuleContext, failed_rules
from ..dns.observe import NULL_MX
from ..exitcodes import ExitCode
from .mtasts import parse_policy, uncovered
from .observe import Observation

#: The id that means "a lookup the verdict needs could not complete" (ExitCode.INCOMPLETE).
DNS_ERROR = "dns-error"
_NULL = [MxRecord(0, NULL_MX)]


class Live(NamedTuple):
    """What the findings look at: the plan, and what DNS said about it (a tuple: one is built per bulk row)."""

    plan: MxPlan
    obs: Observation

    @property
    def published(self) -> list[MxRecord]:
        """The published MX set; empty when the lookup failed (a ``dns-error`` says so)."""
        return self.obs.mx or []

    @property
    def split(self) -> bool:
        return self.plan.mode == "split"


#: The DNS findings of a check, in the order they are reported.
DNS_FINDINGS: FindingRegistry[Live] = FindingRegistry()


def _fmt(records: list[MxRecord]) -> str:
    return ", ".join(f"{r.preference} {r.exchange}" for r in records) or "(none)"


@DNS_FINDINGS.finding("nxdomain", stops=True)
def _nxdomain(live: Live) -> list[Finding]:
    if not live.obs.nxdomain:
        return []
    return [Finding("nxdomain", Severity.ERROR, f"{live.plan.domain} does not exist (NXDOMAIN); check the spelling, "
                                                "or that the zone is delegated and published")]


@DNS_FINDINGS.finding(DNS_ERROR)
def _mx_unknown(live: Live) -> list[Finding]:
    if live.obs.mx is not None:
        return []
    return [Finding(DNS_ERROR, Severity.ERROR, f"MX {live.plan.domain}: {live.obs.mx_error}; the published records "
                                               "are unknown: retry, or check the nameservers")]


@DNS_FINDINGS.finding("null-mx")
def _null_mx(live: Live) -> list[Finding]:
    if live.published != _NULL:
        return []
    return [Finding("null-mx", Severity.ERROR, f"{live.plan.domain} publishes a null MX (MX 0 ., RFC 7505): it "
                                               "accepts no mail at all; replace it with the planned records")]


@DNS_FINDINGS.finding("mx-mismatch")
def _mx_mismatch(live: Live) -> list[Finding]:
    planned, published = live.plan.records, live.published
    if live.obs.mx is None or published == _NULL or sorted(published) == sorted(planned):
        return []
    exp, pub = set(planned), set(published)
    parts = [f"expected {_fmt(sorted(planned))}; published {_fmt(published)}"]
    if exp - pub:
        parts.append(f"missing: {_fmt(sorted(exp - pub))}")
    if pub - exp:
        parts.append(f"extra: {_fmt(sorted(pub - exp))}")
    return [Finding("mx-mismatch", Severity.ERROR, "; ".join(parts) + "; publish the planned records (pulumi up), "
                                                   "then check again")]


@DNS_FINDINGS.finding(DNS_ERROR)
def _addresses_unknown(live: Live) -> list[Finding]:
    return [Finding(DNS_ERROR, Severity.ERROR, f"{error}; the addresses of {host} are unknown")
            for host, lookup in live.obs.hosts.items() for error in lookup.errors]


@DNS_FINDINGS.finding("dns64-synthesized")
def _dns64(live: Live) -> list[Finding]:
    synthesized = [h for h, lookup in live.obs.hosts.items() if lookup.ipv6_synthesized]
    if not synthesized:
        return []
    return [Finding("dns64-synthesized", Severity.INFO,
                    f"the resolver answered AAAA in the DNS64 prefix 64:ff9b::/96 for {', '.join(synthesized)}: "
                    "it synthesises them from A records (RFC 6147), so they are ignored and say nothing "
                    "about the hosts' IPv6; check with --authoritative or a resolver without DNS64")]


def _split_matters(live: Live, finding_id: str, in_split: str, otherwise: str) -> list[Finding]:
    """An error in split mode, where the host's addresses decide who reaches which MX; else a note."""
    if live.split:
        return [Finding(finding_id, Severity.ERROR, in_split)]
    return [Finding(finding_id, Severity.INFO, otherwise)]


@DNS_FINDINGS.finding("ipv4-host-has-aaaa")
def _ipv4_host_has_aaaa(live: Live) -> list[Finding]:
    plan = live.plan
    v4 = live.obs.hosts.get(plan.ipv4_only_host)
    if v4 is None or not v4.ipv6:
        return []
    domain = (plan.tenant_domain if plan.ipv4_only_host == plan.tenant_host
              else f"<the accepted domain behind {plan.ipv4_only_host}>")
    return _split_matters(live, "ipv4-host-has-aaaa",
                          f"{plan.ipv4_only_host} answers AAAA ({', '.join(v4.ipv6)}), so the split keeps nobody "
                          f"on IPv4; run Disable-IPv6ForAcceptedDomain -Domain {domain}",
                          f"{plan.ipv4_only_host} answers AAAA; it matters only if you switch to split mode "
                          f"(then run Disable-IPv6ForAcceptedDomain -Domain {domain})")


@DNS_FINDINGS.finding("dual-stack-host-no-aaaa")
def _dual_stack_host_no_aaaa(live: Live) -> list[Finding]:
    plan = live.plan
    ds = live.obs.hosts.get(plan.dual_stack_host)
    if ds is None or ds.ipv6 or ds.errors:
        return []
    return _split_matters(live, "dual-stack-host-no-aaaa",
                          f"{plan.dual_stack_host} has no AAAA record, so IPv6-only senders cannot reach you; "
                          f"run Enable-IPv6ForAcceptedDomain -Domain {plan.domain}",
                          f"{plan.dual_stack_host} has no AAAA record: mail arrives over IPv4 only "
                          f"(Enable-IPv6ForAcceptedDomain -Domain {plan.domain} turns IPv6 on)")


@DNS_FINDINGS.finding("mx-target-cname", "host-no-address")
def _unusable_targets(live: Live) -> list[Finding]:
    """Per published record, in record order: a CNAME target, or one without any address."""
    out = []
    for record in live.published:
        target = live.obs.hosts.get(record.exchange)
        if record.exchange == NULL_MX or target is None:
            continue
        if target.cname is not None:
            out.append(Finding("mx-target-cname", Severity.ERROR,
                               f"MX target {record.exchange} is a CNAME to {target.cname}; RFC 5321 §5.1 requires an "
                               "MX to name a host with A/AAAA records: point the MX at the final host"))
        elif not target.ipv4 and not target.ipv6 and not target.errors:
            out.append(Finding("host-no-address", Severity.ERROR,
                               f"MX target {record.exchange} has neither A nor AAAA"
                               + (" (NXDOMAIN)" if target.nxdomain else "")
                               + "; senders cannot use it: check the host name against the admin center"))
    return out


@DNS_FINDINGS.finding(DNS_ERROR)
def _mta_sts_unknown(live: Live) -> list[Finding]:
    if live.obs.mta_sts_error is None:
        return []
    return [Finding(DNS_ERROR, Severity.ERROR, f"TXT _mta-sts.{live.plan.domain}: {live.obs.mta_sts_error}")]


@DNS_FINDINGS.finding("mta-sts-present")
def _mta_sts_present(live: Live) -> list[Finding]:
    if live.obs.mta_sts_error is not None or not live.obs.mta_sts_txt:
        return []
    hosts = [r.exchange for r in live.published if r.exchange != NULL_MX] or [r.exchange for r in live.plan.records]
    return [_mta_sts(live.plan.domain, live.obs, hosts)]


def _mta_sts(domain: str, obs: Observation, hosts: list[str]) -> Finding:
    if obs.mta_sts_policy is None:
        why = f" (policy not fetched: {obs.mta_sts_policy_error})" if obs.mta_sts_policy_error else ""
        return Finding("mta-sts-present", Severity.WARNING,
                       f"_mta-sts.{domain} is published{why}; an enforce-mode policy must list both "
                       f"{' and '.join(hosts)} (e.g. 'mx: *.mail.protection.outlook.com') or MTA-STS senders "
                       "refuse MX 0")
    try:
        policy = parse_policy(obs.mta_sts_policy)
    except ValueError as exc:
        return Finding("mta-sts-present", Severity.WARNING, f"_mta-sts.{domain} is published but the policy "
                                                            f"is unusable ({exc}); fix the policy file")
    missing = uncovered(policy, hosts)
    if missing and policy.mode == "enforce":
        return Finding("mta-sts-present", Severity.ERROR,
                       f"the enforce-mode MTA-STS policy does not list {', '.join(missing)}: MTA-STS senders "
                       f"refuse those MX hosts; add 'mx: {missing[0]}' (or 'mx: *.mail.protection.outlook.com')")
    if missing:
        return Finding("mta-sts-present", Severity.WARNING,
                       f"the MTA-STS policy (mode {policy.mode}) does not list {', '.join(missing)}; add them "
                       "before switching the policy to enforce")
    return Finding("mta-sts-present", Severity.INFO, "the MTA-STS policy lists every MX host")


@DNS_FINDINGS.finding(*(r.id for r in RULES))
def _planning_rules(live: Live) -> list[Finding]:
    """Every planning rule that fails on the published set (a null MX is reported on its own)."""
    if not live.published or live.published == _NULL:
        return []
    return failed_rules(live.published, RuleContext.from_plan(live.plan))


def evaluate(plan: MxPlan, obs: Observation) -> list[Finding]:
    """Every finding for ``obs`` against ``plan``."""
    return DNS_FINDINGS.run(Live(plan, obs))


def exit_code(findings: Sequence[Finding]) -> ExitCode:
    """INCOMPLETE when a lookup could not complete, else FINDINGS for any error, else OK."""
    code = ExitCode.OK
    for f in findings:  # a loop, not two any(): this runs for every row of a bulk run
        if f.id == DNS_ERROR:
            return ExitCode.INCOMPLETE
        if f.severity is Severity.ERROR:
            code = ExitCode.FINDINGS
    return code
