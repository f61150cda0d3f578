"""``mxsplit sender`` flags, run and text output (printing stays in cli)."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from ..edges.display import shown_lines
from ..errors import MxSplitError

if TYPE_CHECKING:
    from ..options import SenderArgs
    from .verdict import SenderVerdict


def _sending_address(text: str) -> str:
    """The address as the receiver sees it, from the ways people paste one.

    ``[2001:db8::25]`` and ``[IPv6:2001:db8::25]`` (a Received header) lose their brackets; a zone id
    (``%eth0``, from ``ip addr``) names an interface of the machine it was copied on, not part of the
    sender's address; an IPv4-mapped ``::ffff:192.0.2.25`` (a dual-stack socket's view of an IPv4
    peer) is that IPv4 sender, to whom the IPv6 rule does not apply.
    """
    bare = text.strip().strip("[]")
    bare = bare[5:] if bare[:5].lower() == "ipv6:" else bare
    try:
        address = ipaddress.ip_address(bare.partition("%")[0])
    except ValueError:
        raise MxSplitError(f"--ip {text!r} is not an IP address; pass the sending address, e.g. --ip 2001:db8::25",
                           field="ip") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def _inputs(args: SenderArgs) -> tuple[str, str, str | None, str | None]:
    from ..core.names import normalize_name

    ip = _sending_address(args.ip)
    domain = normalize_name(args.mail_from.rpartition("@")[2], "--from")
    helo = normalize_name(args.helo, "--helo", min_labels=1) if args.helo else None
    to = normalize_name(args.to, "--to") if args.to else None
    return ip, domain, helo, to


def run_sender(args: SenderArgs) -> SenderVerdict:
    import asyncio

    from ..dns.options import make_client
    from .evidence import gather
    from .recipient import published
    from .verdict import judge

    ip, domain, helo, to = _inputs(args)

    async def main() -> SenderVerdict:
        async with make_client(args.dns) as client:
            evidence = gather(ip, domain, helo, client)
            if to is None:
                return judge(await evidence)
            found, recipient = await asyncio.gather(evidence, published(to, client))
            return judge(found, recipient)

    return asyncio.run(main())


_MARK = {True: "ok", False: "FAIL", None: "?"}


def sender_text(v: SenderVerdict) -> str:
    from ..simulation import simulation_json, simulation_lines
    ev = v.evidence
    to = f" --to {v.recipient.domain}" if v.recipient is not None else ""
    out = [f"mxsplit sender --ip {ev.ip} --from {ev.domain}{to}", ""]
    if not v.ipv6_rule_applies:
        out += ["  IPv4 address: Exchange Online's IPv6 rule (PTR, SPF or DKIM) does not apply; shown for reference", ""]
    out.append("Steps")
    out += [f"  {_MARK[s.ok]:<6}{s.id:<19}{s.message}" for s in v.steps]
    out += ["", f"SPF record path ({ev.spf.domain})"]
    for frame in ev.spf.path:
        out.append(f"  {'  ' * frame.depth}{frame.domain}: {frame.record or '(no SPF record)'}  -> {frame.result}")
    if not ev.spf.path:
        out.append(f"  {ev.spf.detail or 'no record consulted'}")
    out += ["", f"Exchange Online over {'IPv6' if v.ipv6_rule_applies else 'IPv4'}: {v.reply_text}", "",
            f"The MX split {'helps' if v.split_helps else 'does not help'}: {v.split_reason}"]
    if v.split_cases:
        out += simulation_lines(simulation_json(v.split_cases))
    if v.recipient is not None:
        r = v.recipient
        mx = "unknown, the lookup failed" if r.records is None else \
            "; ".join(f"{x.preference} {x.exchange}" for x in r.records) or "(none)"
        out += ["", f"Your published MX ({r.domain}: {mx})"]
        out += [f"  could not learn: {e}" for e in r.errors]
        if v.published_cases:
            out += simulation_lines(simulation_json(v.published_cases))
        elif r.routing.skipped is not None and v.profiles:
            out.append(f"  simulation {r.routing.skipped}")
    if v.profiles:
        out += ["", *profile_lines(v)]
    if v.fixes:
        out += ["", "What the sender can fix"] + [f"  - {f}" for f in v.fixes]
    verdict = {0: "ACCEPTED", 1: "DEFERRED", 3: "INCOMPLETE (a lookup failed)"}[int(v.code)]
    out += ["", f"verdict: {verdict} (exit {int(v.code)})"]
    return shown_lines(out)  # SPF records, PTR names and DNS details are network text


def _cell(text: str, width: int = 34) -> str:
    """A column of the profile table: padded to ``width``; a longer value is still two spaces from the next."""
    return f"{text:<{width - 2}}  "


def profile_lines(v: SenderVerdict) -> list[str]:
    """Per kind of sending MTA at this address: with the split, with a single MX, and with
    what ``--to`` publishes; then the profiles deferred with the split."""
    published = v.recipient is not None and any(p.published is not None for p in v.profiles)
    head = f"  {'profile':<24}{_cell('with the split')}{_cell('single MX (standard)')}"
    applies = ("it has IPv4, so the dual-stack rows apply" if v.evidence.ipv4_hints
               else "no IPv4 seen for it, so the IPv6-only rows apply")
    lines = [f"Sending MTAs at this address (the simulation's profiles; {applies})",
             (head + ("published today" if published else "")).rstrip()]
    for p in v.profiles:
        row = f"  {p.profile.id:<24}{_cell(p.to_json()['split'])}{_cell(p.to_json()['standard'])}"
        lines.append((row + (p.to_json()["published"] or "" if published else "")).rstrip())
    for label, ids in (("with a single MX", [p.profile.id for p in v.profiles if p.deferred_with_single_mx]),
                       ("even with the split", [p.profile.id for p in v.profiles if p.deferred_with_split])):
        lines.append(f"  deferred (or may be) {label}: {', '.join(ids) or 'none'}")
    return lines
