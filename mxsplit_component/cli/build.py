"""The one place where ``argparse``'s namespace becomes a command's options (:mod:`.options`).

Every flag is either used in the mode the command runs in (one DOMAIN, ``--file``,
``--stack``, ``--format``, ``--json``), or refused here, before anything is read or sent,
with a message that names the flag, the flag or mode it clashes with, and the fix.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable

from ..dns.options import DEFAULT_TIMEOUT, DnsOptions
from ..errors import MxSplitError
from ..options import Args, CheckArgs, HostsArgs, PlanArgs, PlanFlags, SenderArgs, Sources


def args_from(ns: argparse.Namespace) -> Args:
    """The options of ``ns.command``.

    :raises MxSplitError: for a flag the mode would not use, or an unusable value, naming the flags.
    """
    builders: dict[str, Callable[[argparse.Namespace], Args]] = {
        "plan": plan_args, "check": check_args, "hosts": hosts_args, "sender": sender_args}
    return builders[ns.command](ns)


def checked_seconds(value: float, flag: str, *, zero_ok: bool) -> float:
    """``value`` when it is a usable number of seconds for ``flag``, else a usage error naming it."""
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        more = "0 or more" if zero_ok else "more than 0"
        raise MxSplitError(f"{flag} {value:g} is not a usable number of seconds; give a finite number, {more}",
                           field=flag.lstrip("-").replace("-", "_"))
    return value


def _refuse(flag: str, why: str) -> MxSplitError:
    return MxSplitError(f"{flag} {why}", field=flag.lstrip("-").replace("-", "_"))


def _needs(given: object, flag: str, needed: str, what: str) -> None:
    """Refuse ``flag`` when it is ``given`` without ``needed``, the flag that would use it."""
    if given:
        raise _refuse(flag, f"{what}; add {needed}, or drop {flag}")


def _plan_flags(ns: argparse.Namespace) -> PlanFlags:
    return PlanFlags(tenant=ns.tenant, mode=ns.mode, dual_stack_host=ns.dual_stack_host,
                     ipv4_only_host=ns.ipv4_only_host, primary_priority=ns.primary_priority,
                     secondary_priority=ns.secondary_priority, ttl=3600 if ns.ttl is None else ns.ttl, cloud=ns.cloud)


def _sources(ns: argparse.Namespace) -> Sources:
    _needs(ns.graph_url is not None and not ns.graph, "--graph-url", "--graph", "is where --graph asks Microsoft Graph")
    _needs(ns.device_code and not ns.graph, "--device-code", "--graph", "signs in to Microsoft Graph for --graph")
    _needs(ns.verbose and not ns.graph, "--verbose", "--graph", "shows why each sign-in to Microsoft Graph failed")
    if ns.verbose:
        from ..hosts.signin_log import show_sign_in_log

        show_sign_in_log()
    _needs(ns.graph_tokens is not None and not ns.graph, "--graph-tokens", "--graph",
           "gives Microsoft Graph a token per tenant for --graph")
    if ns.device_code or ns.graph_tokens is not None:
        from ..hosts.graphclient import TOKEN_ENV

        flag = "--device-code" if ns.device_code else "--graph-tokens"
        how = "signs in interactively" if ns.device_code else "gives a token per tenant"
        if os.environ.get(TOKEN_ENV):
            raise _refuse(flag, f"{how}, but {TOKEN_ENV} is set and its token is used as is; unset {TOKEN_ENV}, or "
                                f"drop {flag}")
    if ns.device_code and ns.graph_tokens is not None:
        raise _refuse("--device-code", "signs in interactively, but --graph-tokens gives a token per tenant: drop one")
    tokens = None
    if ns.graph_tokens is not None:
        from ..core.clouds import get_cloud
        from ..hosts.tokens import read_token_file

        tokens = read_token_file(ns.graph_tokens, get_cloud(ns.cloud))
    return Sources(graph=ns.graph, published=ns.published, graph_url=ns.graph_url, device_code=ns.device_code,
                   graph_tokens=ns.graph_tokens, tokens=tokens)


def _port(ns: argparse.Namespace) -> int:
    _needs(ns.port is not None and not ns.authoritative, "--port", "--authoritative",
           "is the port of the domain's authoritative servers, which only --authoritative asks")
    return int(ns.port) if ns.port is not None else 53


def _timeout(ns: argparse.Namespace) -> float:
    return checked_seconds(DEFAULT_TIMEOUT if ns.timeout is None else ns.timeout, "--timeout", zero_ok=False)


def _lookup_dns(ns: argparse.Namespace, sources: Sources) -> DnsOptions:
    """Where ``--published`` asks, on ``plan`` and ``hosts``; the timeout also bounds ``--graph``."""
    what = "is where --published reads the domain's MX"
    _needs(ns.nameserver and not sources.published, "--nameserver", "--published", what)
    _needs(ns.authoritative and not sources.published, "--authoritative", "--published",
           "makes --published read the MX from the domain's own servers")
    port = _port(ns)
    _needs(ns.timeout is not None and not sources.names, "--timeout", "--graph or --published",
           "bounds each --graph and --published lookup, and nothing is looked up without them")
    return DnsOptions(nameservers=tuple(ns.nameserver) or None, timeout=_timeout(ns), authoritative=ns.authoritative,
                      port=port)


def _one_domain_only(ns: argparse.Namespace, columns: bool) -> None:
    """Refuse the flags that name one domain's values with ``--file`` (``columns``: rows have them)."""
    for flag, dest, column in (("--dual-stack-host", "dual_stack_host", "dual_stack_host"),
                               ("--ipv4-only-host", "ipv4_only_host", "ipv4_only_host"),
                               ("--tenant", "tenant", "tenant")):
        if getattr(ns, dest) is not None and (columns or dest != "tenant"):
            raise _refuse(flag, f"is one domain's value; with --file each row gives its own in the {column} "
                                f"column: drop {flag}")


# -- plan -------------------------------------------------------------------------------------

def _setting_flags(ns: argparse.Namespace) -> dict[str, str | None]:
    from ..backends.flags import setting_dests

    return {dest: getattr(ns, dest) for dest in setting_dests()}


def plan_args(ns: argparse.Namespace) -> PlanArgs:
    from .parser import EXPORT_FORMATS

    sources = _sources(ns)
    dns = _lookup_dns(ns, sources)
    given = _setting_flags(ns)
    if ns.file is not None:
        if ns.domain is not None:
            raise MxSplitError("pass either DOMAIN or --file, not both", field="domain")
        if ns.format is None:
            raise MxSplitError("--file writes documents for other tools: pass --format "
                               f"{'|'.join(EXPORT_FORMATS)}", field="format")
        _one_domain_only(ns, columns=True)
        if ns.out_dir is None:
            raise MxSplitError("--file writes one document per domain: name the folder with --out-dir DIR",
                               field="out_dir")
        if ns.name is not None:
            raise MxSplitError("--name names one domain's resources; with --file each domain names its own",
                               field="name")
        if ns.adopt:
            raise MxSplitError("--adopt ids belong to one domain; with --file export without them", field="adopt")
    else:
        if ns.out_dir is not None:
            raise MxSplitError("--out-dir goes with --file; for one domain the document goes to stdout",
                               field="out_dir")
        if ns.domain is None:
            raise MxSplitError("pass a DOMAIN to plan, or --file domains.csv with --format and --out-dir",
                               field="domain")
    if ns.adopt and ns.format != "tf-json":
        raise MxSplitError("--adopt becomes Terraform import blocks: use it with --format tf-json", field="adopt")
    if ns.format is not None:
        from ..export import FORMATS

        if ns.json:
            raise MxSplitError("--format prints only the document; drop --json", field="json")
        if FORMATS[ns.format].needs_provider and ns.provider is None:
            raise MxSplitError(f"--format {ns.format} writes one provider's resources; pass --provider", field="provider")
        if not FORMATS[ns.format].needs_provider:
            for dest, value in given.items():
                if value is not None:
                    flag = "--" + dest.replace("_", "-")
                    raise _refuse(flag, f"fills in --provider's resources, which --format {ns.format} does not hold "
                                        f"(only the records); drop {flag}, or use --format tf-json")
            if ns.name is not None:
                raise _refuse("--name", f"names --provider's resources, which --format {ns.format} does not hold; "
                                        "drop --name, or use --format tf-json")
    _needs(ns.name is not None and ns.provider is None, "--name", "--provider",
           "names the resources --provider shows (the component's child resources)")
    from ..backends.flags import provider_settings

    settings = provider_settings(ns.provider, given)  # also refuses a setting flag of another provider
    return PlanArgs(domain=ns.domain, plan=_plan_flags(ns), sources=sources, dns=dns, provider=ns.provider,
                    settings=settings, name=ns.name, json=ns.json, format=ns.format, adopt=tuple(ns.adopt),
                    file=ns.file, out_dir=ns.out_dir)


# -- check ------------------------------------------------------------------------------------

def _concurrency(ns: argparse.Namespace, default: int) -> int:
    """``--concurrency`` (``default`` when not given), within the bound every command shares."""
    from .check_flags import MAX_CONCURRENCY

    concurrency = default if ns.concurrency is None else int(ns.concurrency)
    if not 1 <= concurrency <= MAX_CONCURRENCY:  # more only holds rows read ahead in memory
        raise MxSplitError(f"--concurrency {concurrency} is out of range; use 1..{MAX_CONCURRENCY}", field="concurrency")
    return concurrency


def check_args(ns: argparse.Namespace) -> CheckArgs:
    from ..options import PER_ADDRESS, PER_NETWORK, CheckOptions
    from .check_flags import DEFAULT_CONCURRENCY

    sources = _sources(ns)
    if ns.file is not None:
        if ns.domain is not None:
            raise MxSplitError("pass either DOMAIN or --file, not both", field="domain")
        _one_domain_only(ns, columns=True)
        _needs(ns.simulate and not ns.json, "--simulate", "--json",
               "adds the simulation to each JSON row; the --file table has no column for it")
        concurrency = _concurrency(ns, DEFAULT_CONCURRENCY)
    else:
        if ns.domain is None:
            raise MxSplitError("pass a DOMAIN to check, or --file domains.csv", field="domain")
        _needs(ns.concurrency is not None, "--concurrency", "--file", "is how many rows of --file are checked at once")
        if ns.simulate:
            raise _refuse("--simulate", "adds the simulation to the JSON rows of --file; a check of one DOMAIN always has it: "
                                        "drop --simulate")
        _needs(ns.baseline is not None, "--baseline", "--file",
               "compares the rows of --file with an earlier run's; a check of one DOMAIN has no rows to compare")
        _needs(ns.summary is not None, "--summary", "--file", "sums up the rows of --file")
        concurrency = DEFAULT_CONCURRENCY
    port = _port(ns)
    _needs(ns.smtp_port is not None and not ns.smtp, "--smtp-port", "--smtp", "is the port --smtp probes")
    for flag, value in (("--smtp-per-address", ns.smtp_per_address), ("--smtp-per-network", ns.smtp_per_network)):
        _needs(value is not None and not ns.smtp, flag, "--smtp", "caps the sessions --smtp opens")
    if ns.no_mta_sts_fetch and ns.no_mta_sts:
        raise _refuse("--no-mta-sts-fetch", "keeps the _mta-sts lookup but skips the policy fetch, and --no-mta-sts "
                                            "already skips both: drop one")
    dns = DnsOptions(nameservers=tuple(ns.nameserver) or None, timeout=_timeout(ns), authoritative=ns.authoritative,
                     port=port, fixed_window=ns.fixed_window)
    options = CheckOptions(dns=dns, wait=checked_seconds(ns.wait, "--wait", zero_ok=True),
                           fetch_mta_sts=not ns.no_mta_sts_fetch, mta_sts=not ns.no_mta_sts, smtp=ns.smtp,
                           smtp_port=25 if ns.smtp_port is None else ns.smtp_port,
                           smtp_per_address=PER_ADDRESS if ns.smtp_per_address is None else ns.smtp_per_address,
                           smtp_per_network=PER_NETWORK if ns.smtp_per_network is None else ns.smtp_per_network,
                           simulate=ns.simulate or ns.file is None)
    return CheckArgs(domain=ns.domain, plan=_plan_flags(ns), sources=sources, options=options, file=ns.file,
                     concurrency=concurrency, json=ns.json, baseline=ns.baseline, summary=ns.summary)


# -- hosts ------------------------------------------------------------------------------------

def hosts_args(ns: argparse.Namespace) -> HostsArgs:
    from ..hosts.model import LOOKUP_CONCURRENCY as DEFAULT_CONCURRENCY

    sources = _sources(ns)
    dns = _lookup_dns(ns, sources)
    concurrency = _concurrency(ns, DEFAULT_CONCURRENCY)
    given = ns.dual_stack_host is not None or ns.ipv4_only_host is not None
    if ns.stack is not None:
        if ns.file is not None or ns.domains:
            raise MxSplitError("--stack looks up the domains the stack lists; pass no DOMAIN or --file", field="stack")
        if given:
            raise MxSplitError("--stack pins looked-up hosts; drop --dual-stack-host/--ipv4-only-host", field="stack")
        _needs(ns.dry_run and not sources.names, "--dry-run", "--graph or --published",
               "shows what --stack would pin, and only hosts --graph or --published find are pinned")
        _needs(ns.summary is not None, "--summary", "--file", "sums up the rows of --file; --stack prints what it pins")
    else:
        _needs(ns.cwd is not None, "--cwd", "--stack NAME", "is the folder of --stack's Pulumi.NAME.yaml")
        _needs(ns.dry_run, "--dry-run", "--stack NAME", "shows what --stack would pin without writing")
        _needs(ns.file is None and ns.summary is not None, "--summary", "--file", "sums up the rows of --file")
        if ns.file is not None:
            if ns.domains:
                raise MxSplitError("pass either DOMAIN... or --file, not both", field="file")
            _one_domain_only(ns, columns=False)
        elif not ns.domains:
            raise MxSplitError("pass a DOMAIN, --file domains.csv, or --stack NAME", field="domain")
        elif len(ns.domains) > 1 and given:
            raise MxSplitError("--dual-stack-host/--ipv4-only-host apply to one DOMAIN; use --file for many",
                               field="dual_stack_host")
        else:
            _needs(len(ns.domains) == 1 and ns.concurrency is not None, "--concurrency", "several DOMAINs or --file",
                   "is how many domains are looked up at once, and one DOMAIN is one lookup")
    return HostsArgs(domains=tuple(ns.domains), sources=sources, dns=dns, tenant=ns.tenant,
                     dual_stack_host=ns.dual_stack_host, ipv4_only_host=ns.ipv4_only_host, cloud=ns.cloud,
                     file=ns.file, concurrency=concurrency, stack=ns.stack, cwd=ns.cwd, dry_run=ns.dry_run,
                     json=ns.json, summary=ns.summary)


# -- sender -----------------------------------------------------------------------------------

def sender_args(ns: argparse.Namespace) -> SenderArgs:
    dns = DnsOptions(nameservers=tuple(ns.nameserver) or None, timeout=ns.timeout)
    return SenderArgs(ip=ns.ip, mail_from=ns.from_, dns=dns, helo=ns.helo, to=ns.to, json=ns.json)
