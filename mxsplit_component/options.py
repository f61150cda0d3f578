"""What the user asked for on the command line: one frozen dataclass per command.

:mod:`.cli.build` makes them from ``argparse``'s namespace, in one place, after refusing flags
the mode would not use. The command modules (``check.command``, ``hosts.command``,
``sender.command``, ``export.command``) take these, never a namespace; they live below both
the CLI and the commands, so neither reaches up to the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .dns.options import DnsOptions
from .errors import MxSplitError

if TYPE_CHECKING:
    from .core.plan import MxPlan

#: SMTP sessions at once to one address, and to one /24 (IPv4) or /48 (IPv6), unless told otherwise.
PER_ADDRESS = 1
PER_NETWORK = 4


@dataclass(frozen=True)
class TenantTokens:
    """One ready Graph token per tenant (``--graph-tokens FILE``), keyed as
    ``hosts.tokens.tenant_key`` makes them; ``repr`` shows none of the tokens."""

    #: The file the tokens came from, as the user named it.
    name: str
    tokens: Mapping[str, str] = field(repr=False)

    def token_for(self, tenant: str) -> str | None:
        return self.tokens.get(tenant)

    @property
    def tenants(self) -> list[str]:
        return list(self.tokens)

    def __repr__(self) -> str:
        return f"TenantTokens({self.name!r}, tenants={self.tenants!r})"


@dataclass(frozen=True)
class CheckOptions:
    """What to check, and where DNS is asked (``dns``: its timeout also bounds each policy
    fetch and SMTP step)."""

    dns: DnsOptions = DnsOptions()
    wait: float = 0.0
    fetch_mta_sts: bool = True
    #: Look up ``_mta-sts`` at all.
    mta_sts: bool = True
    #: Probe SMTP on every MX address after the DNS checks (``--smtp``), on this port.
    smtp: bool = False
    smtp_port: int = 25
    #: SMTP sessions at once to one address, and to one /24 (IPv4) or /48 (IPv6).
    smtp_per_address: int = PER_ADDRESS
    smtp_per_network: int = PER_NETWORK
    #: Compute the sender simulation (bulk rows leave it out unless ``--simulate``).
    simulate: bool = True


@dataclass(frozen=True)
class PlanFlags:
    """What :func:`~mxsplit_component.core.plan.plan_mx` takes besides the domain."""

    tenant: str | None = None
    mode: str = "split"
    dual_stack_host: str | None = None
    ipv4_only_host: str | None = None
    primary_priority: int = 0
    secondary_priority: int = 10
    ttl: int = 3600
    cloud: str = "commercial"

    def shape(self) -> dict[str, Any]:
        """The keywords every plan of the run shares (also the defaults of ``--file`` rows)."""
        return {"mode": self.mode, "primary_priority": self.primary_priority,
                "secondary_priority": self.secondary_priority, "cloud": self.cloud, "ttl": self.ttl}

    def plan(self, domain: str) -> MxPlan:
        from .core.plan import plan_mx

        if not self.tenant:
            raise MxSplitError("--tenant is required: the onmicrosoft name, e.g. --tenant contoso", field="tenant")
        return plan_mx(domain=domain, tenant=self.tenant, dual_stack_host=self.dual_stack_host,
                       ipv4_only_host=self.ipv4_only_host, **self.shape())


@dataclass(frozen=True)
class Sources:
    """Where hosts are learned: ``--graph`` (with its endpoint and sign-in) and ``--published``."""

    graph: bool = False
    published: bool = False
    graph_url: str | None = None
    device_code: bool = False
    #: ``--graph-tokens``: the file as given, and its tokens (read when the options are built).
    graph_tokens: str | None = None
    tokens: TenantTokens | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, on in (("graph", self.graph), ("published", self.published)) if on)


@dataclass(frozen=True)
class PlanArgs:
    """``mxsplit plan``."""

    domain: str | None
    plan: PlanFlags
    sources: Sources
    #: Where ``--published`` asks; its timeout also bounds each Graph lookup.
    dns: DnsOptions
    provider: str | None = None
    #: Backend settings by the backend's key (``zone_id``), from the provider's setting flags.
    settings: Mapping[str, str] = field(default_factory=dict)
    name: str | None = None
    json: bool = False
    format: str | None = None
    adopt: tuple[str, ...] = ()
    file: str | None = None
    out_dir: str | None = None


@dataclass(frozen=True)
class CheckArgs:
    """``mxsplit check``: one DOMAIN (optionally with its hosts looked up) or every row of ``file``."""

    domain: str | None
    plan: PlanFlags
    sources: Sources
    options: CheckOptions
    #: Rows checked at once with ``file``.
    concurrency: int
    file: str | None = None
    json: bool = False
    #: ``--baseline``: an earlier run's JSON lines; ``--summary``: the Markdown file to write.
    baseline: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class HostsArgs:
    """``mxsplit hosts``: DOMAINs, the rows of ``file`` or the domains of ``stack``."""

    domains: tuple[str, ...]
    sources: Sources
    dns: DnsOptions
    #: Domains looked up at once.
    concurrency: int
    tenant: str | None = None
    dual_stack_host: str | None = None
    ipv4_only_host: str | None = None
    cloud: str = "commercial"
    file: str | None = None
    stack: str | None = None
    cwd: str | None = None
    dry_run: bool = False
    json: bool = False
    summary: str | None = None


@dataclass(frozen=True)
class SenderArgs:
    """``mxsplit sender``: the values as typed; :mod:`..sender.command` normalises them."""

    ip: str
    mail_from: str
    dns: DnsOptions
    helo: str | None = None
    to: str | None = None
    json: bool = False


Args = PlanArgs | CheckArgs | HostsArgs | SenderArgs
