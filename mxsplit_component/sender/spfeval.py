"""SPF for one address and domain, evaluated by pyspf with every lookup sent through our
DNS client (so ``--nameserver`` and ``--timeout`` apply and the system resolver is never used).

pyspf has no resolver parameter; it resolves through its module-level ``spf.DNSLookup``
(whose dnspython flavour calls the deprecated ``dns.resolver.query``). We swap that hook for
one that answers from our :class:`~mxsplit_component.dns.transport.DnsClient`, under a lock,
and restore it afterwards. The evaluation also records the record path: every SPF record
consulted (the top one, then each ``include``/``redirect``) with its result.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import dns.rdatatype

from ..dns.transport import Answer, DnsClient

Lookup = Callable[[str, str], Answer]
_HOOK = threading.Lock()


@dataclass(frozen=True)
class SpfFrame:
    """One SPF record consulted, at ``depth`` 0 (the sender's domain) or deeper (include, redirect)."""

    domain: str
    record: str | None
    depth: int
    #: This record's own result, or ``error`` when evaluation stopped inside it.
    result: str


@dataclass(frozen=True)
class SpfOutcome:
    result: str
    #: pyspf's explanation, e.g. "SPF Permanent Error: Void lookup limit of 2 exceeded".
    detail: str
    domain: str
    #: The top-level mechanism that matched (``include:_spf.example.net``), if any.
    mechanism: str | None
    path: tuple[SpfFrame, ...]

    def to_json(self) -> dict[str, Any]:
        return {"result": self.result, "detail": self.detail, "domain": self.domain, "mechanism": self.mechanism,
                "path": [asdict(f) for f in self.path]}


def _text(name: Any) -> str:
    return str(name.to_text(omit_final_dot=True)).lower()


def to_pyspf(answer: Answer) -> list[tuple[tuple[str, str], Any]]:
    """An answer in the shape pyspf's DNSLookup returns: ``((owner, type), value)`` pairs.

    Owners are the real owner names (CNAMEs included), which pyspf follows itself. Only the
    queried name and its CNAME chain are passed (:func:`~..dns.observe.owners`): pyspf caches
    every record it is given under its owner, so a stray record of another name (an included
    domain's SPF) would answer that name's own lookup later.
    :raises spf.TempError: when the lookup did not complete (timeout, SERVFAIL, ...).
    """
    import spf

    from ..dns.observe import owners

    if answer.error is not None:
        raise spf.TempError(f"DNS {answer.error}")
    chain = owners(answer)
    out: list[tuple[tuple[str, str], Any]] = []
    for rrset in answer.answer:
        kind = dns.rdatatype.to_text(rrset.rdtype)
        owner = _text(rrset.name)
        if owner not in chain:
            continue
        for rd in rrset:
            value: Any
            if kind in ("A", "AAAA"):
                value = rd.address
            elif kind == "MX":
                value = (rd.preference, _text(rd.exchange))
            elif kind in ("PTR", "CNAME"):
                value = _text(rd.target)
            elif kind in ("TXT", "SPF"):
                value = tuple(rd.strings)
            else:
                continue
            out.append(((owner, kind), value))
    return out


@contextmanager
def _routed(lookup: Lookup) -> Iterator[None]:
    import spf

    def dns_lookup(name: str, qtype: str, strict: Any = True, timeout: Any = None) -> list[Any]:
        return to_pyspf(lookup(name, qtype))

    with _HOOK:
        saved = spf.DNSLookup
        spf.DNSLookup = dns_lookup
        try:
            yield
        finally:
            spf.DNSLookup = saved


def evaluate_spf(ip: str, domain: str, helo: str, lookup: Lookup, *, querytime: float = 20.0) -> SpfOutcome:
    """SPF (RFC 7208) for MAIL FROM ``postmaster@domain`` from ``ip``. Blocking: run in a thread.

    :param lookup: answers one (name, type) question; its errors become ``temperror``.
    :param querytime: pyspf's bound on the time spent in lookups, in total.
    """
    import spf

    frames: list[dict[str, Any]] = []

    class Traced(spf.query):  # type: ignore[misc]
        def check1(self, record: str | None, name: str, recursion: int) -> Any:
            frame = {"domain": name, "record": record, "depth": recursion, "result": "error"}
            frames.append(frame)
            outcome = super().check1(record, name, recursion)
            frame["result"] = outcome[0]
            return outcome

    with _routed(lookup):
        query = Traced(i=ip, s=f"postmaster@{domain}", h=helo, querytime=querytime)
        result, _code, detail = query.check()
    return SpfOutcome(str(result), str(detail), domain, query.mechanism,
                      tuple(SpfFrame(**f) for f in frames))


def threadsafe_lookup(client: DnsClient, loop: asyncio.AbstractEventLoop) -> Lookup:
    """A blocking lookup for a worker thread, answered by ``client`` on ``loop``."""

    def lookup(name: str, qtype: str) -> Answer:
        future = asyncio.run_coroutine_threadsafe(client.query(name, qtype), loop)
        try:
            return future.result(client.timeout + 1)
        except Exception as exc:  # the loop went away or the query was cancelled
            future.cancel()
            return Answer(name, qtype, error=str(exc) or type(exc).__name__)

    return lookup
