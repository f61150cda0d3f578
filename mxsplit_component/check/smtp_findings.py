"""Findings from SMTP probe results. Pure: no network, no clock.

Ids (a public contract): ``smtp-unreachable`` (error for a published MX host),
``smtp-no-starttls`` and ``smtp-tls-invalid`` (warnings), ``smtp-blocked-here`` and
``smtp-no-route-here`` (info, exit 3: the probe could not run from this machine, which says
nothing about the hosts).

How a failure is told apart from a local block:
- every connect failed the same way (all refused, all timed out): outbound port 25 is
  blocked here (home and many cloud networks), so nothing is known about the hosts;
- every connect of one family failed with a local routing error (ENETUNREACH,
  EADDRNOTAVAIL): this machine cannot reach that family, so its verdicts are unknown;
- anything else that fails while other addresses answer is the host's fault.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..exitcodes import ExitCode
from .findings import Finding
from .smtp import AddressProbe

#: Info findings that leave the verdict unknown (exit 3): the probe could not run from here.
SMTP_INCOMPLETE_IDS = frozenset({"smtp-blocked-here", "smtp-no-route-here"})
FAMILY_NAME = {"ipv4": "IPv4", "ipv6": "IPv6"}
TLS_REASON = {
    "name-mismatch": "the certificate is not valid for the host name",
    "untrusted": "the certificate chain is not trusted by the system store",
    "expired": "the certificate has expired",
    "invalid": "the certificate does not verify",
    "failed": "STARTTLS or the TLS handshake failed",
}


@dataclass(frozen=True)
class SmtpVerdict:
    findings: tuple[Finding, ...]
    code: ExitCode
    #: Families whose verdicts are unknown because this machine cannot reach them.
    unprobed: tuple[str, ...] = ()


def _why(probe: AddressProbe) -> str:
    at = "" if probe.stage == "connect" else f" at {probe.stage}"
    return f"{probe.address} {probe.outcome}{at}" + (f" ({probe.detail})" if probe.detail else "")


def _label(host: str, preferences: Mapping[str, int]) -> str:
    return f"MX {preferences[host]} {host}" if host in preferences else f"{host} (not published)"


def _consequence(host: str, family: str, roles: Mapping[str, str]) -> str:
    role = roles.get(host)
    if role == "ipv4-only" and family == "ipv4":
        return "IPv4 and dual-stack senders fall through to the next MX, or defer"
    if role == "dual-stack" and family == "ipv6":
        return "IPv6-only senders cannot deliver: they have no other MX with AAAA"
    return "senders that pick this address retry elsewhere or defer"


def classify(probes: Sequence[AddressProbe], preferences: Mapping[str, int],
             roles: Mapping[str, str] | None = None, port: int = 25) -> SmtpVerdict:
    """Findings and exit code for ``probes``.

    :param preferences: published MX host -> preference; other probed hosts (the tenant
        host when it is not published) get warnings rather than errors.
    :param roles: host -> ``ipv4-only`` / ``dual-stack``, for the consequence in messages.
    :param port: the port probed, as messages name it.
    """
    roles = roles or {}
    if not probes:
        return SmtpVerdict((), ExitCode.OK)
    out: list[Finding] = []
    unprobed: list[str] = []
    for family in ("ipv4", "ipv6"):
        mine = [p for p in probes if p.family == family]
        if mine and all(p.stage == "connect" and p.outcome == "no-route" for p in mine):
            unprobed.append(family)
            out.append(Finding("smtp-no-route-here", "info",
                               f"cannot probe {FAMILY_NAME[family]} from here ({mine[0].detail}): this machine has no "
                               f"{FAMILY_NAME[family]} route, so the {FAMILY_NAME[family]} verdicts are unknown"))
    probes = [p for p in probes if p.family not in unprobed]
    if not probes:
        return SmtpVerdict(tuple(out), ExitCode.INCOMPLETE, tuple(unprobed))
    if all(p.stage == "connect" for p in probes) and len({p.outcome for p in probes}) == 1:
        out.append(Finding(
            "smtp-blocked-here", "info",
            f"every connection to port {port} failed the same way ({probes[0].outcome}, {len(probes)} addresses): outbound "
            f"SMTP is most likely blocked from this machine, so this says nothing about the hosts; run the probe from a "
            f"network that allows port {port} (a mail server or a VM without egress filtering)"))
        return SmtpVerdict(tuple(out), ExitCode.INCOMPLETE, tuple(unprobed))

    failing: dict[tuple[str, str], list[AddressProbe]] = {}
    for p in probes:
        if p.outcome != "ok":
            failing.setdefault((p.host, p.family), []).append(p)
    for (host, family), bad in failing.items():
        total = sum(1 for p in probes if p.host == host and p.family == family)
        scope = "at any address" if len(bad) == total else f"at {len(bad)} of {total} addresses"
        out.append(Finding("smtp-unreachable", "error" if host in preferences else "warning",
                           f"{_label(host, preferences)} does not accept SMTP over {FAMILY_NAME[family]} {scope}: "
                           f"{'; '.join(_why(p) for p in bad)}; {_consequence(host, family, roles)}"))

    by_host: dict[str, list[AddressProbe]] = {}
    for p in probes:
        by_host.setdefault(p.host, []).append(p)
    for host, mine in by_host.items():
        plain = [p.address for p in mine if p.outcome == "ok" and p.starttls is False]
        if plain:
            out.append(Finding("smtp-no-starttls", "warning",
                               f"{_label(host, preferences)} does not offer STARTTLS at {', '.join(plain)}: mail to it "
                               "travels in clear, and MTA-STS or DANE senders refuse it"))
        bad_tls = [p for p in mine if p.tls not in (None, "verified")]
        if bad_tls:
            details = "; ".join(f"{p.address}: {TLS_REASON[p.tls or 'failed']} ({p.tls_detail})" for p in bad_tls)
            out.append(Finding("smtp-tls-invalid", "warning",
                               f"{_label(host, preferences)}: {details}; senders that verify certificates "
                               "(MTA-STS enforce, DANE) refuse it"))

    if unprobed:
        code = ExitCode.INCOMPLETE
    elif any(f.severity == "error" for f in out):
        code = ExitCode.FINDINGS
    else:
        code = ExitCode.OK
    return SmtpVerdict(tuple(out), code, tuple(unprobed))
