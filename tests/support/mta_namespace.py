"""Inside a scenario's namespace (started by :func:`tests.support.mta.run_scenario`): addresses
on ``lo``, users and a resolver for the MTAs (bind mounts private to this namespace), BIND,
the sinks, ``mxsplit check --smtp``, then Postfix and Exim deliver one message per sender
kind. Prints one JSON object: the check's report, each MTA's outcome, what the sinks saw."""

from __future__ import annotations

import contextlib
import io
import json
import os
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from mxsplit_component.testing.bind import BindServer
from tests.support.mta import (
    CHECK_TIMEOUT,
    DOMAIN,
    DS_HOST,
    MTA_ROOT,
    SCENARIOS,
    SENDER_KINDS,
    TENANT,
    V4_HOST,
    Outcome,
    Scenario,
    exim_conf,
    exim_outcome,
    exim_wrapper,
    postfix_main_cf,
    postfix_master_cf,
    postfix_outcome,
    postfix_transport_map,
)

NO_AUTH = "450 4.7.26 Service unavailable, message sent over IPv6 must pass either SPF or DKIM validation"
SEEN: list[dict[str, str]] = []


def sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


class ExchangeLike:
    """Answers RCPT as Exchange Online answers an unauthenticated sender: 450 4.7.26 over IPv6."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        v6 = ":" in session.peer[0]
        answer = NO_AUTH if v6 else "250 2.1.5 Recipient OK"
        SEEN.append({"local": server.transport.get_extra_info("sockname")[0], "rcpt": address, "reply": answer[:10]})
        if not v6:
            envelope.rcpt_tos.append(address)
        return answer

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 2.6.0 Queued mail for delivery"


class V6Bind(BindServer):
    """BIND on ::1 only, for the namespace without IPv4."""

    def _config(self) -> str:
        return super()._config().replace(f"listen-on port {self.port} {{ ::1; }};", "listen-on { none; };").replace(
            "listen-on-v6 { none; };", f"listen-on-v6 port {self.port} {{ ::1; }};")


def network(scenario: Scenario, v6only: bool) -> None:
    sh("ip", "link", "set", "lo", "up")
    for host in (V4_HOST, DS_HOST):
        for address in scenario.addresses(host, "ipv6"):
            sh("ip", "-6", "addr", "add", f"{address}/128", "dev", "lo", "nodad")
        if not v6only:
            for address in scenario.addresses(host, "ipv4"):
                sh("ip", "addr", "add", f"{address}/32", "dev", "lo")
    if v6only:  # no IPv4 at all: connects to IPv4 fail with "network unreachable"
        sh("ip", "addr", "del", "127.0.0.1/8", "dev", "lo")


def etc(work: Path, v6only: bool) -> dict[str, int]:
    """The MTAs' users and groups, and a resolver pointing at our BIND: files of this namespace only."""
    passwd, group = Path("/etc/passwd").read_text(), Path("/etc/group").read_text()
    taken = {int(line.split(":")[2]) for text in (passwd, group) for line in text.splitlines() if line.count(":") >= 3}
    free = iter(n for n in range(4100, 60000) if n not in taken)
    ids = {name: next(free) for name in ("Debian-exim", "postfix", "postdrop")}
    (work / "passwd").write_text(passwd + "".join(
        f"{n}:x:{ids[n]}:{ids[n]}::/nonexistent:/usr/sbin/nologin\n" for n in ("Debian-exim", "postfix")))
    (work / "group").write_text(group + "".join(f"{n}:x:{i}:\n" for n, i in ids.items()))
    (work / "resolv.conf").write_text(f"nameserver {'::1' if v6only else '127.0.0.1'}\noptions timeout:2 attempts:2\n")
    for name in ("passwd", "group", "resolv.conf"):
        sh("mount", "--bind", str(work / name), f"/etc/{name}")
    return ids


@contextlib.contextmanager
def sinks(scenario: Scenario, v6only: bool) -> Iterator[None]:
    controllers: list[Controller] = []
    held: list[socket.socket] = []
    try:
        for host in (V4_HOST, DS_HOST):
            for family in ("ipv4", "ipv6") if not v6only else ("ipv6",):
                broken = scenario.broken.get((host, family))
                for address in scenario.addresses(host, family):
                    if broken == "refuse":
                        continue
                    if broken == "timeout":
                        held += _never_accepting(address)
                        continue
                    c = Controller(ExchangeLike(), hostname=address, port=25, ready_timeout=10)
                    c.start()
                    controllers.append(c)
        yield
    finally:
        for c in controllers:
            c.stop()
        for s in held:
            s.close()


def _never_accepting(address: str) -> list[socket.socket]:
    """A listener whose accept queue is full: further SYNs are dropped, so connects time out."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    listener = socket.socket(family)
    listener.bind((address, 25))
    listener.listen(0)
    fillers = []
    for _ in range(2):
        filler = socket.socket(family)
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect((address, 25))
        fillers.append(filler)
    time.sleep(0.1)
    return [listener, *fillers]


def check() -> dict[str, Any]:
    from mxsplit_component.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", DOMAIN, "--tenant", TENANT, "--nameserver", "127.0.0.1:53", "--no-mta-sts", "--smtp",
              "--timeout", str(CHECK_TIMEOUT), "--json"])
    return dict(json.loads(out.getvalue()))


class Postfix:
    def __init__(self, work: Path, kinds: tuple[str, ...], v6only: bool, ids: dict[str, int]) -> None:
        self.work, self.kinds, self.v6only = work, kinds, v6only
        conf, queue = work / "conf", work / "queue"
        conf.mkdir(parents=True)
        (conf / "main.cf").write_text(postfix_main_cf(work, kinds, v6only))
        (conf / "master.cf").write_text(postfix_master_cf(kinds, v6only))
        (conf / "transport").write_text(postfix_transport_map(kinds))
        owner, drop = ids["postfix"], ids["postdrop"]
        for name, mode, group in (("active", 0o700, owner), ("bounce", 0o700, owner), ("corrupt", 0o700, owner),
                                  ("defer", 0o700, owner), ("deferred", 0o700, owner), ("flush", 0o700, owner),
                                  ("hold", 0o700, owner), ("incoming", 0o700, owner), ("private", 0o700, owner),
                                  ("saved", 0o700, owner), ("trace", 0o700, owner), ("public", 0o710, drop),
                                  ("maildrop", 0o730, drop)):
            (queue / name).mkdir(parents=True)
            os.chown(queue / name, owner, group)
            os.chmod(queue / name, mode)
        (queue / "pid").mkdir()
        (work / "data").mkdir()
        os.chown(work / "data", owner, owner)
        self.env = {**os.environ, "MAIL_CONFIG": str(conf),
                    "LD_LIBRARY_PATH": f"{MTA_ROOT}/usr/lib/postfix:{MTA_ROOT}/usr/lib/x86_64-linux-gnu"}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.work / "master.out", "wb")
        self.proc = subprocess.Popen([f"{MTA_ROOT}/usr/lib/postfix/sbin/master", "-c", str(self.work / "conf"), "-d"],
                                     env=self.env, stdout=log, stderr=log)

    def send(self, deadline: float) -> None:
        host = "::1" if self.v6only else "127.0.0.1"
        while True:
            try:
                with smtplib.SMTP(host, 2525, timeout=5) as client:
                    for kind in self.kinds:
                        client.sendmail("", [f"{kind}@{DOMAIN}"], f"Subject: {kind}\r\n\r\nmxsplit real-MTA test\r\n")
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def outcomes(self, deadline: float) -> list[Outcome]:
        log = self.work / "maillog"
        while True:
            text = log.read_text(errors="replace") if log.exists() else ""
            found = [postfix_outcome(text, k) for k in self.kinds]
            if all(o.outcome != "none" for o in found) or time.monotonic() > deadline:
                return found
            time.sleep(0.1)


class Exim:
    def __init__(self, work: Path, kind: str, v6only: bool, ids: dict[str, int]) -> None:
        self.work, self.kind = work, kind
        for name in ("spool", "log"):
            (work / name).mkdir(parents=True)
            os.chown(work / name, ids["Debian-exim"], ids["Debian-exim"])
        (work / "exim.conf").write_text(exim_conf(work, kind, v6only))
        (work / "exim").write_text(exim_wrapper())
        os.chmod(work / "exim", 0o755)
        self.proc: subprocess.Popen[bytes] | None = None

    def send(self) -> None:
        # -odi: deliver before exiting, so the log is complete when the process ends.
        self.proc = subprocess.Popen([str(self.work / "exim"), "-C", str(self.work / "exim.conf"), "-odi", "-f", "<>",
                                      f"{self.kind}@{DOMAIN}"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"Subject: {self.kind}\n\nmxsplit real-MTA test\n".encode())
        self.proc.stdin.close()

    def outcome(self, deadline: float) -> Outcome:
        assert self.proc is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(max(0.1, deadline - time.monotonic()))
        log = self.work / "log" / "mainlog"
        return exim_outcome(log.read_text(errors="replace") if log.exists() else "", self.kind)


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    scenario, v6only, work = SCENARIOS[spec["scenario"]], bool(spec["v6only"]), Path(spec["work"])
    kinds = ("ipv6-only",) if v6only else tuple(k for k in SENDER_KINDS if k != "ipv6-only")
    network(scenario, v6only)
    ids = etc(work, v6only)
    bind = (V6Bind(scenario.zones(), address="::1", port=53, workdir=str(work / "bind")) if v6only
            else BindServer(scenario.zones(), port=53, workdir=str(work / "bind")))
    (work / "bind").mkdir()
    bind.start()
    try:
        with sinks(scenario, v6only):
            report = None if v6only else check()
            postfix = Postfix(work / "postfix", kinds, v6only, ids)
            postfix.start()
            exims = [Exim(work / f"exim-{kind}", kind, v6only, ids) for kind in kinds]
            for exim in exims:
                exim.send()
            deadline = time.monotonic() + 45
            postfix.send(deadline)
            outcomes = [e.outcome(deadline) for e in exims] + postfix.outcomes(deadline)
            if postfix.proc is not None:
                postfix.proc.terminate()
    finally:
        bind.stop()
    print(json.dumps({"scenario": scenario.name, "v6only": v6only, "check": report,
                      "outcomes": [o.to_json() for o in outcomes], "sinks": SEEN}))


if __name__ == "__main__":
    main(sys.argv[1])
