"""Findings: what is wrong with the published DNS, each with a stable id and a fix. Pure.

Ids are a public contract (like octoDNS's validator ids): ``mx-mismatch``,
``ipv4-host-has-aaaa``, ``dual-stack-host-no-aaaa``, ``host-no-address``, ``null-mx``,
``mx-target-cname``, ``mta-sts-present``, ``nxdomain``, ``dns-error``, ``dns64-synthesized``, plus every planning
rule (``hosts-distinct``, ``priority-order``, ...) run on the published set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core.plan import MxPlan, MxRecord
from ..core.rules import RuleContext, run_rules
from ..dns.observe import NULL_MX
from ..exitcodes import ExitCode
from .mtasts import parse_policy, uncovered
from .observe import Observation

#: The id that means "a lookup the verdict needs could not complete" (ExitCode.INCOMPLETE).
DNS_ERROR = "dns-error"


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "message": self.message}


def _fmt(records: list[MxRecord]) -> str:
    return ", ".join(f"{r.preference} {r.exchange}" for r in records) or "(none)"


def evaluate(plan: MxPlan, obs: Observation) -> list[Finding]:
    """Every finding for ``obs`` against ``plan``."""
    out: list[Finding] = []
    if obs.nxdomain:
        return [Finding("nxdomain", "error", f"{plan.domain} does not exist (NXDOMAIN); check the spelling, or "
                                             "that the zone is delegated and published")]
    if obs.mx is None:
        out.append(Finding(DNS_ERROR, "error", f"MX {plan.domain}: {obs.mx_error}; the published records are "
                                               "unknown: retry, or check the nameservers"))
    published = obs.mx or []
    split = plan.mode == "split"

    if published == [MxRecord(0, NULL_MX)]:
        out.append(Finding("null-mx", "error", f"{plan.domain} publishes a null MX (MX 0 ., RFC 7505): it "
                                               "accepts no mail at all; replace it with the planned records"))
    elif obs.mx is not None and sorted(published) != sorted(plan.records):
        exp, pub = set(plan.records), set(published)
        parts = [f"expected {_fmt(sorted(plan.records))}; published {_fmt(published)}"]
        if exp - pub:
            parts.append(f"missing: {_fmt(sorted(exp - pub))}")
        if pub - exp:
            parts.append(f"extra: {_fmt(sorted(pub - exp))}")
        out.append(Finding("mx-mismatch", "error", "; ".join(parts) + "; publish the planned records "
                                                   "(pulumi up), then check again"))

    for host, lookup in obs.hosts.items():
        for error in lookup.errors:
            out.append(Finding(DNS_ERROR, "error", f"{error}; the addresses of {host} are unknown"))

    synthesized = {h: lookup.ipv6_synthesized for h, lookup in obs.hosts.items() if lookup.ipv6_synthesized}
    if synthesized:
        out.append(Finding("dns64-synthesized", "info",
                           f"the resolver answered AAAA in the DNS64 prefix 64:ff9b::/96 for {', '.join(synthesized)}: "
                           "it synthesises them from A records (RFC 6147), so they are ignored and say nothing "
                           "about the hosts' IPv6; check with --authoritative or a resolver without DNS64"))

    v4 = obs.hosts.get(plan.ipv4_only_host)
    if v4 is not None and v4.ipv6:
        domain = (plan.tenant_domain if plan.ipv4_only_host == plan.tenant_host
                  else f"<the accepted domain behind {plan.ipv4_only_host}>")
        message = (f"{plan.ipv4_only_host} answers AAAA ({', '.join(v4.ipv6)}), so the split keeps nobody on IPv4; "
                   f"run Disable-IPv6ForAcceptedDomain -Domain {domain}" if split else
                   f"{plan.ipv4_only_host} answers AAAA; it matters only if you switch to split mode "
                   f"(then run Disable-IPv6ForAcceptedDomain -Domain {domain})")
        out.append(Finding("ipv4-host-has-aaaa", "error" if split else "info", message))

    ds = obs.hosts.get(plan.dual_stack_host)
    if ds is not None and not ds.ipv6 and not ds.errors:
        message = (f"{plan.dual_stack_host} has no AAAA record, so IPv6-only senders cannot reach you; "
                   f"run Enable-IPv6ForAcceptedDomain -Domain {plan.domain}" if split else
                   f"{plan.dual_stack_host} has no AAAA record: mail arrives over IPv4 only "
                   f"(Enable-IPv6ForAcceptedDomain -Domain {plan.domain} turns IPv6 on)")
        out.append(Finding("dual-stack-host-no-aaaa", "error" if split else "info", message))

    for record in published:
        target = obs.hosts.get(record.exchange)
        if record.exchange == NULL_MX or target is None:
            continue
        if target.cname is not None:
            out.append(Finding("mx-target-cname", "error",
                               f"MX target {record.exchange} is a CNAME to {target.cname}; RFC 5321 §5.1 requires an "
                               "MX to name a host with A/AAAA records: point the MX at the final host"))
        elif not target.ipv4 and not target.ipv6 and not target.errors:
            out.append(Finding("host-no-address", "error",
                               f"MX target {record.exchange} has neither A nor AAAA"
                               + (" (NXDOMAIN)" if target.nxdomain else "")
                               + "; senders cannot use it: check the host name against the admin center"))

    if obs.mta_sts_error is not None:
        out.append(Finding(DNS_ERROR, "error", f"TXT _mta-sts.{plan.domain}: {obs.mta_sts_error}"))
    elif obs.mta_sts_txt:
        out.append(_mta_sts(plan, obs, published))

    if published and published != [MxRecord(0, NULL_MX)]:
        for result in run_rules(published, RuleContext.from_plan(plan)):
            if not result.ok:
                out.append(Finding(result.id, result.severity, result.message))
    return out


def _mta_sts(plan: MxPlan, obs: Observation, published: list[MxRecord]) -> Finding:
    hosts = [r.exchange for r in published if r.exchange != NULL_MX] or [r.exchange for r in plan.records]
    if obs.mta_sts_policy is not None:
        try:
            policy = parse_policy(obs.mta_sts_policy)
        except ValueError as exc:
            return Finding("mta-sts-present", "warning", f"_mta-sts.{plan.domain} is published but the policy "
                                                         f"is unusable ({exc}); fix the policy file")
        missing = uncovered(policy, hosts)
        if missing and policy.mode == "enforce":
            return Finding("mta-sts-present", "error",
                           f"the enforce-mode MTA-STS policy does not list {', '.join(missing)}: MTA-STS senders "
                           f"refuse those MX hosts; add 'mx: {missing[0]}' (or 'mx: *.mail.protection.outlook.com')")
        if missing:
            return Finding("mta-sts-present", "warning",
                           f"the MTA-STS policy (mode {policy.mode}) does not list {', '.join(missing)}; add them "
                           "before switching the policy to enforce")
        return Finding("mta-sts-present", "info", "the MTA-STS policy lists every MX host")
    why = f" (policy not fetched: {obs.mta_sts_policy_error})" if obs.mta_sts_policy_error else ""
    return Finding("mta-sts-present", "warning",
                   f"_mta-sts.{plan.domain} is published{why}; an enforce-mode policy must list both "
                   f"{' and '.join(hosts)} (e.g. 'mx: *.mail.protection.outlook.com') or MTA-STS senders "
                   "refuse MX 0")


def exit_code(findings: Sequence[Finding]) -> ExitCode:
    """INCOMPLETE when a lookup could not complete, else FINDINGS for any error, else OK."""
    code = ExitCode.OK
    for f in findings:  # a loop, not two any(): this runs for every row of a bulk run
        if f.id == DNS_ERROR:
            return ExitCode.INCOMPLETE
        if f.severity == "error":
            code = ExitCode.FINDINGS
    return code
