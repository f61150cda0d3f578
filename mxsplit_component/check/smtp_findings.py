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
from dataclasses import dataclass, field

from ..core.findings import Finding, FindingRegistry, Severity
from ..exitcodes import ExitCode
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


@dataclass(frozen=True)
class Probed:
    """What the SMTP findings look at: the probes, and what each probed host is to the domain."""

    #: Every probe, of both families.
    probes: Sequence[AddressProbe]
    #: Published MX host -> preference; other probed hosts (the tenant host when it is not
    #: published) get warnings rather than errors.
    preferences: Mapping[str, int]
    #: Host -> ``ipv4-only`` / ``dual-stack``, for the consequence in messages.
    roles: Mapping[str, str]
    #: The port probed, as messages name it.
    port: int
    #: Families whose every connect failed with a local routing error: their verdicts are unknown.
    unprobed: tuple[str, ...] = field(init=False)
    #: The probes of the other families: the ones that say something about the hosts.
    reachable: tuple[AddressProbe, ...] = field(init=False)

    def __post_init__(self) -> None:
        unprobed = tuple(family for family in FAMILY_NAME if _no_route(self.family(family)))
        object.__setattr__(self, "unprobed", unprobed)
        object.__setattr__(self, "reachable", tuple(p for p in self.probes if p.family not in unprobed))

    def family(self, family: str) -> list[AddressProbe]:
        return [p for p in self.probes if p.family == family]

    def label(self, host: str) -> str:
        return f"MX {self.preferences[host]} {host}" if host in self.preferences else f"{host} (not published)"

    def consequence(self, host: str, family: str) -> str:
        role = self.roles.get(host)
        if role == "ipv4-only" and family == "ipv4":
            return "IPv4 and dual-stack senders fall through to the next MX, or defer"
        if role == "dual-stack" and family == "ipv6":
            return "IPv6-only senders cannot deliver: they have no other MX with AAAA"
        return "senders that pick this address retry elsewhere or defer"


def _no_route(probes: Sequence[AddressProbe]) -> bool:
    return bool(probes) and all(p.stage == "connect" and p.outcome == "no-route" for p in probes)


def _why(probe: AddressProbe) -> str:
    at = "" if probe.stage == "connect" else f" at {probe.stage}"
    return f"{probe.address} {probe.outcome}{at}" + (f" ({probe.detail})" if probe.detail else "")


#: The SMTP findings, in the order they are reported.
SMTP_FINDINGS: FindingRegistry[Probed] = FindingRegistry()


@SMTP_FINDINGS.finding("smtp-no-route-here")
def _no_route_here(probed: Probed) -> list[Finding]:
    out = []
    for family in probed.unprobed:
        name = FAMILY_NAME[family]
        out.append(Finding("smtp-no-route-here", Severity.INFO,
                           f"cannot probe {name} from here ({probed.family(family)[0].detail}): this machine has no "
                           f"{name} route, so the {name} verdicts are unknown"))
    return out


@SMTP_FINDINGS.finding("smtp-blocked-here", stops=True)
def _blocked_here(probed: Probed) -> list[Finding]:
    """Every connect failed the same way: outbound SMTP is blocked here, nothing is known about the hosts."""
    probes, port = probed.reachable, probed.port
    if not probes or any(p.stage != "connect" for p in probes) or len({p.outcome for p in probes}) != 1:
        return []
    return [Finding(
        "smtp-blocked-here", Severity.INFO,
        f"every connection to port {port} failed the same way ({probes[0].outcome}, {len(probes)} addresses): "
        f"outbound SMTP is most likely blocked from this machine, so this says nothing about the hosts; run the "
        f"probe from a network that allows port {port} (a mail server or a VM without egress filtering)")]


@SMTP_FINDINGS.finding("smtp-unreachable")
def _unreachable(probed: Probed) -> list[Finding]:
    """Per host and family, the addresses that failed while others answered: the host's fault."""
    failing: dict[tuple[str, str], list[AddressProbe]] = {}
    for p in probed.reachable:
        if p.outcome != "ok":
            failing.setdefault((p.host, p.family), []).append(p)
    out = []
    for (host, family), bad in failing.items():
        total = sum(1 for p in probed.reachable if p.host == host and p.family == family)
        scope = "at any address" if len(bad) == total else f"at {len(bad)} of {total} addresses"
        out.append(Finding("smtp-unreachable", Severity.ERROR if host in probed.preferences else Severity.WARNING,
                           f"{probed.label(host)} does not accept SMTP over {FAMILY_NAME[family]} {scope}: "
                           f"{'; '.join(_why(p) for p in bad)}; {probed.consequence(host, family)}"))
    return out


@SMTP_FINDINGS.finding("smtp-no-starttls", "smtp-tls-invalid")
def _tls(probed: Probed) -> list[Finding]:
    """Per host, in probe order: addresses without STARTTLS, then certificates that do not verify."""
    by_host: dict[str, list[AddressProbe]] = {}
    for p in probed.reachable:
        by_host.setdefault(p.host, []).append(p)
    out = []
    for host, mine in by_host.items():
        plain = [p.address for p in mine if p.outcome == "ok" and p.starttls is False]
        if plain:
            out.append(Finding("smtp-no-starttls", Severity.WARNING,
                               f"{probed.label(host)} does not offer STARTTLS at {', '.join(plain)}: mail to it "
                               "travels in clear, and MTA-STS or DANE senders refuse it"))
        bad_tls = [p for p in mine if p.tls not in (None, "verified")]
        if bad_tls:
            details = "; ".join(f"{p.address}: {TLS_REASON[p.tls or 'failed']} ({p.tls_detail})" for p in bad_tls)
            out.append(Finding("smtp-tls-invalid", Severity.WARNING,
                               f"{probed.label(host)}: {details}; senders that verify certificates "
                               "(MTA-STS enforce, DANE) refuse it"))
    return out


def _code(findings: Sequence[Finding]) -> ExitCode:
    """INCOMPLETE when the probe could not run from here, else FINDINGS for any error, else OK."""
    if any(f.id in SMTP_INCOMPLETE_IDS for f in findings):
        return ExitCode.INCOMPLETE
    return ExitCode.FINDINGS if any(f.severity is Severity.ERROR for f in findings) else ExitCode.OK


def classify(probes: Sequence[AddressProbe], preferences: Mapping[str, int],
             roles: Mapping[str, str] | None = None, port: int = 25) -> SmtpVerdict:
    """Findings and exit code for ``probes``.

    :param preferences: published MX host -> preference; other probed hosts (the tenant
        host when it is not published) get warnings rather than errors.
    :param roles: host -> ``ipv4-only`` / ``dual-stack``, for the consequence in messages.
    :param port: the port probed, as messages name it.
    """
    probed = Probed(probes, preferences, roles or {}, port)
    findings = tuple(SMTP_FINDINGS.run(probed))
    return SmtpVerdict(findings, _code(findings), probed.unprobed)
