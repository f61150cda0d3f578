"""Real sending MTAs for the tests: Debian's Postfix 3.7 and Exim 4.96, unpacked by
``scripts/ensure-mtas`` (never installed as the system MTA), each run with its own config,
spool and log under a temp folder, inside a network namespace the test creates.

One namespace per scenario serves the zones from BIND and answers on every MX address with an
Exchange-like sink (``450 4.7.26`` to IPv6 senders, which are unauthenticated; ``250`` over
IPv4), runs ``mxsplit check --smtp`` there, then lets each MTA deliver one message per sender
kind and reads what it did from ITS OWN LOG. A second namespace per scenario has no IPv4 at
all: the IPv6-only senders run there, as on a real IPv6-only host.

This module is the parent side (scenarios, configs, log parsing, the launcher);
:mod:`tests.support.mta_namespace` is what runs inside the namespace.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
MTA_ROOT = Path(os.environ.get("MXSPLIT_MTA_ROOT", REPO / ".mta"))
DOMAIN, TENANT = "contoso.com", "contoso"
V4_HOST, DS_HOST = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"
SENDER_KINDS = ("ipv4-only", "dual-stack-prefer-ipv6", "dual-stack-prefer-ipv4", "dual-stack-any", "ipv6-only")
#: The MTAs' connect timeout, in seconds: short, so a scenario takes seconds (a loopback connect
#: is instant unless the sink never accepts). DNS and the check get more room on a busy machine.
CONNECT_TIMEOUT = 1
CHECK_TIMEOUT = 3

#: The tenant host and the domain's own host: documentation-range IPv6, 127.0.x.y for IPv4.
V4_ADDRESSES = {V4_HOST: ("127.0.1.1", "127.0.1.2"), DS_HOST: ("127.0.2.1", "127.0.2.2")}
V6_ADDRESSES = {V4_HOST: ("2001:db8:1::1",), DS_HOST: ("2001:db8:2::1", "2001:db8:2::2", "2001:db8:2::3")}


@dataclass(frozen=True)
class Scenario:
    name: str
    #: (preference, host) as published.
    mx: tuple[tuple[int, str], ...]
    #: Hosts with AAAA records.
    aaaa: tuple[str, ...]
    #: (host, family) -> "refuse" (nothing listens) or "timeout" (connects are never answered).
    broken: dict[tuple[str, str], str] = field(default_factory=dict)

    def addresses(self, host: str, family: str) -> tuple[str, ...]:
        if family == "ipv6":
            return V6_ADDRESSES[host] if host in self.aaaa else ()
        return V4_ADDRESSES[host]

    def preference_of(self, host: str) -> int:
        return next(p for p, h in self.mx if h == host)

    def zones(self) -> dict[str, str]:
        from mxsplit_component.testing.bind import zone

        ms = "mail.protection.outlook.com"
        rows = [f"{h.removesuffix('.' + ms)} IN {'A' if f == 'ipv4' else 'AAAA'} {a}"
                for h in (V4_HOST, DS_HOST) for f in ("ipv4", "ipv6") for a in self.addresses(h, f)]
        return {DOMAIN: zone(DOMAIN, "\n".join(f"@ IN MX {p} {h}." for p, h in self.mx)),
                ms: zone(ms, "\n".join(rows)), "sender.test": zone("sender.test", "")}


SPLIT = ((0, V4_HOST), (10, DS_HOST))
SCENARIOS = {s.name: s for s in (
    Scenario("split", SPLIT, (DS_HOST,)),
    Scenario("split-tenant-aaaa", SPLIT, (V4_HOST, DS_HOST)),
    Scenario("standard", ((0, DS_HOST),), (DS_HOST,)),
    Scenario("no-aaaa", SPLIT, ()),
    Scenario("mx0-refuses-ipv4", SPLIT, (DS_HOST,), {(V4_HOST, "ipv4"): "refuse"}),
    Scenario("mx0-times-out", SPLIT, (DS_HOST,), {(V4_HOST, "ipv4"): "timeout"}),
    Scenario("mx10-ipv6-unreachable", SPLIT, (DS_HOST,), {(DS_HOST, "ipv6"): "refuse"}),
)}


# --- configs -------------------------------------------------------------------------------
def postfix_transport(kind: str) -> str:
    return "k-" + kind.replace("dual-stack-", "")


#: Per sender kind, the smtp(8) service options: what an admin sets for that kind.
POSTFIX_KIND_OPTIONS = {
    "ipv4-only": "-o inet_protocols=ipv4",
    "dual-stack-prefer-ipv6": "-o smtp_address_preference=ipv6",
    "dual-stack-prefer-ipv4": "-o smtp_address_preference=ipv4",
    "dual-stack-any": "-o smtp_address_preference=any",
    "ipv6-only": "-o inet_protocols=ipv6",
}


def postfix_main_cf(work: Path, kinds: tuple[str, ...], v6only: bool) -> str:
    root, queue = MTA_ROOT, work / "queue"
    # The Postfix trap: with inet_interfaces = loopback-only (or all) every address on lo is
    # "myself" and mail to the sinks "loops back to myself"; name the two it listens on.
    listen = "::1" if v6only else "127.0.0.1"
    return f"""compatibility_level = 3.6
queue_directory = {queue}
data_directory = {work}/data
daemon_directory = {root}/usr/lib/postfix/sbin
command_directory = {root}/usr/sbin
shlib_directory = {root}/usr/lib/postfix
meta_directory = {work}/conf
mail_owner = postfix
setgid_group = postdrop
myhostname = sender.test
mydestination =
mynetworks = 127.0.0.0/8 [::1]/128
inet_interfaces = {listen}
inet_protocols = {'ipv6' if v6only else 'all'}
maillog_file = {work}/maillog
maillog_file_prefixes = {work}
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME LD_LIBRARY_PATH
smtp_host_lookup = dns
smtp_connect_timeout = {CONNECT_TIMEOUT}s
smtp_connection_cache_on_demand = no
transport_maps = texthash:{work}/conf/transport
alias_maps =
alias_database =
local_recipient_maps =
biff = no
minimal_backoff_time = 3600s
maximal_backoff_time = 7200s
queue_run_delay = 3600s
"""


def postfix_master_cf(kinds: tuple[str, ...], v6only: bool) -> str:
    listen = "[::1]:2525" if v6only else "127.0.0.1:2525"
    services = "\n".join(f"{postfix_transport(k)} unix - - n - - smtp {POSTFIX_KIND_OPTIONS[k]}" for k in kinds)
    return f"""{listen} inet n - n - - smtpd
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
{services}
"""


def postfix_transport_map(kinds: tuple[str, ...]) -> str:
    return "".join(f"{k}@{DOMAIN} {postfix_transport(k)}:\n" for k in kinds)


#: Per sender kind, what an Exim admin sets (main section, dnslookup router).
EXIM_KIND_OPTIONS: dict[str, tuple[str, str]] = {
    "ipv4-only": ("dns_ipv4_lookup = *", ""),
    "dual-stack-prefer-ipv6": ("", ""),
    "dual-stack-prefer-ipv4": ("", "ipv4_prefer = true"),
    "dual-stack-any": ("", ""),  # Exim has no setting that mixes families: its default order
    "ipv6-only": ("", ""),  # on a host without IPv4
}


def exim_conf(work: Path, kind: str, v6only: bool) -> str:
    main, router = EXIM_KIND_OPTIONS[kind]
    # Like Postfix, Exim takes every address of every interface for itself unless told which.
    local = "<; ::1" if v6only else "<; 127.0.0.1 ; ::1"
    return f"""primary_hostname = sender.test
exim_path = {work}/exim
spool_directory = {work}/spool
log_file_path = {work}/log/%slog
keep_environment =
local_interfaces = {local}
qualify_domain = sender.test
dns_retrans = 2s
dns_retry = 2
{main}
begin routers
dnslookup:
  driver = dnslookup
  transport = remote_smtp
  {router}
  no_more
begin transports
remote_smtp:
  driver = smtp
  connect_timeout = {CONNECT_TIMEOUT}s
  hosts_try_fastopen =
begin retry
* * F,1h,15m
"""


def exim_wrapper() -> str:
    """Exim re-executes itself through ``exim_path`` with a clean environment: this puts the
    unpacked libraries back on the loader's path."""
    libs = MTA_ROOT / "usr/lib/x86_64-linux-gnu"
    return f'#!/bin/sh\nLD_LIBRARY_PATH={libs} exec {MTA_ROOT}/usr/sbin/exim4 "$@"\n'


# --- what each MTA did, from its own log -------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    mta: str
    kind: str
    outcome: str  # delivered, deferred, bounced, or "none" when the log has no final line
    host: str | None = None
    address: str | None = None
    detail: str = ""

    @property
    def family(self) -> str | None:
        if self.outcome != "delivered" or self.address is None:
            return None
        return "ipv6" if ":" in self.address else "ipv4"

    def to_json(self) -> dict[str, Any]:
        return {"mta": self.mta, "kind": self.kind, "outcome": self.outcome, "host": self.host,
                "address": self.address, "detail": self.detail}


_POSTFIX_STATUS = re.compile(r"to=<(?P<rcpt>[^>]*)>, relay=(?P<relay>\S+?),.* status=(?P<status>sent|deferred|bounced)"
                             r" \((?P<detail>.*)\)$")
_RELAY = re.compile(r"^(?P<host>[^\[]+)\[(?P<address>[^\]]+)\]")
_POSTFIX_OUTCOMES = {"sent": "delivered", "deferred": "deferred", "bounced": "bounced"}


def postfix_outcome(log: str, kind: str) -> Outcome:
    """The final status line of ``kind``'s message in Postfix's maillog."""
    for line in log.splitlines():
        m = _POSTFIX_STATUS.search(line)
        if m and m["rcpt"] == f"{kind}@{DOMAIN}":
            relay = _RELAY.match(m["relay"])
            return Outcome("postfix", kind, _POSTFIX_OUTCOMES[m["status"]], relay["host"] if relay else None,
                           relay["address"] if relay else None, m["detail"])
    return Outcome("postfix", kind, "none", detail=log[-2000:])


_EXIM_FINAL = re.compile(r" (?P<flag>=>|==|\*\*) (?P<rcpt>\S+@\S+) (?P<detail>.*)$")
_EXIM_HOST = re.compile(r" H=(?P<host>\S+) \[(?P<address>[^\]]+)\]")
_EXIM_OUTCOMES = {"=>": "delivered", "==": "deferred", "**": "bounced"}


def exim_outcome(log: str, kind: str) -> Outcome:
    """The delivery line of ``kind``'s message in Exim's mainlog (``=>`` delivered, ``==``
    deferred, ``**`` bounced)."""
    for line in log.splitlines():
        m = _EXIM_FINAL.search(line)
        if m and m["rcpt"] == f"{kind}@{DOMAIN}":
            host = _EXIM_HOST.search(line)
            return Outcome("exim", kind, _EXIM_OUTCOMES[m["flag"]], host["host"] if host else None,
                           host["address"] if host else None, m["detail"].strip())
    return Outcome("exim", kind, "none", detail=log[-2000:])


# --- the parent side ---------------------------------------------------------------------------
def require_mtas() -> None:
    """Skip only where namespaces cannot be made (not root, no ``unshare``), never under CI=true;
    anything else missing fails, naming what to install."""
    ci = os.environ.get("CI", "").lower() == "true"
    no_namespaces = [why for why, ok in (("root (network namespaces)", os.geteuid() == 0),
                                          ("unshare (util-linux)", shutil.which("unshare") is not None)) if not ok]
    if no_namespaces and not ci:
        pytest.skip("the real-MTA tests need " + " and ".join(no_namespaces))
    missing = [*no_namespaces]
    if shutil.which("ip") is None:
        missing.append("ip (iproute2)")
    if not (MTA_ROOT / "usr/lib/postfix/sbin/master").exists() or not (MTA_ROOT / "usr/sbin/exim4").exists():
        missing.append(f"Postfix and Exim unpacked in {MTA_ROOT} (run scripts/ensure-mtas)")
    if missing:
        pytest.fail("the real-MTA tests need " + "; ".join(missing), pytrace=False)


def run_scenario(name: str, *, v6only: bool = False, timeout: float = 90.0) -> dict[str, Any]:
    """Run ``name`` in a fresh network, mount and PID namespace; everything started inside
    ends with it. Returns what :mod:`tests.support.mta_namespace` printed."""
    work = Path(tempfile.mkdtemp(prefix=f"mxsplit-mta-{name}-"))
    os.chmod(work, 0o755)  # the MTAs' own users walk into their spools below it
    spec = work / "spec.json"
    spec.write_text(json.dumps({"scenario": name, "v6only": v6only, "work": str(work)}))
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    try:
        # --kill-child: if we time out and kill unshare, its namespace (every process in it) goes too.
        proc = subprocess.run(["unshare", "--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc",
                               "--propagation", "private", sys.executable, "-m", "tests.support.mta_namespace",
                               str(spec)], capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO)
        if proc.returncode != 0:
            raise RuntimeError(f"scenario {name} (v6only={v6only}) failed ({proc.returncode}):\n"
                               f"{proc.stderr[-4000:]}\n{proc.stdout[-2000:]}")
        return dict(json.loads(proc.stdout))
    finally:
        shutil.rmtree(work, ignore_errors=True)
