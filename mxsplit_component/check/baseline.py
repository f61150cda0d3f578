"""What changed since the last run: ``check --file … --baseline LAST.jsonl``. Pure.

A nightly job should alert on change, not on state: Microsoft moving a domain to an
``mx.microsoft`` host, or turning IPv6 on for a tenant host (MC835648), is news once; the
same wall of findings every day is not. Each row's JSON (as ``check --json`` prints it) is
compared with the same domain's line of an earlier run, and the row gains ``changes``.

What counts, and what needs action (``action``, exit 1):

- ``finding-new`` / ``finding-resolved``: a finding id appeared or went away; a new
  error needs action;
- ``host-moved``: a looked-up host (``--graph``/``--published``) is another one now: action;
- ``mx-changed``: the published MX set is another one now: action when it is not the plan;
- ``family-appeared`` / ``family-vanished``: a host's IPv4 or IPv6 addresses appeared or
  went away; IPv6 appearing on the IPv4-only host (the split stops working) needs action;
- ``domain-new``: the domain was not in the baseline (its new errors count as above).

Nothing is compared on data this run could not read: a lookup that failed is ``dns-error``
(exit 3), never "everything resolved" or "the addresses vanished".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from ..errors import MxSplitError

DNS_ERROR = "dns-error"
#: A baseline line longer than this is not a ``check --json`` row (rows are a few KiB).
MAX_LINE = 1 << 20


@dataclass(frozen=True)
class Change:
    """One difference between the baseline and this run for a domain."""

    kind: str
    message: str
    #: Needs action: a new error, a host that moved, IPv6 on the IPv4-only host.
    action: bool = False
    id: str | None = None
    host: str | None = None
    family: str | None = None
    before: Any = None
    after: Any = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "action": self.action, "message": self.message}
        for key in ("id", "host", "family", "before", "after"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def read_baseline(fh: IO[bytes], name: str) -> dict[str, Mapping[str, Any]]:
    """The rows of an earlier ``check --file --json`` run, by domain (the last line wins).

    Bad rows of that run (``error``) are kept: a domain that could not be read then has
    nothing to compare with.

    :raises MxSplitError: (field ``baseline``) for a line that is not a JSON object with a domain.
    """
    rows: dict[str, Mapping[str, Any]] = {}
    number = 0
    while True:
        raw = fh.readline(MAX_LINE + 1)
        if not raw:
            return rows
        number += 1
        if len(raw) > MAX_LINE:
            raise MxSplitError(f"--baseline {name}: line {number} is longer than {MAX_LINE // 1024} KiB; pass the "
                               "JSON lines of an earlier check --file --json run", field="baseline")
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except (ValueError, RecursionError):
            row = None
        if not isinstance(row, dict) or not isinstance(row.get("domain"), str):
            raise MxSplitError(f"--baseline {name}: line {number} is not a JSON object with a domain; pass the JSON "
                               "lines of an earlier check --file --json run", field="baseline")
        rows[row["domain"]] = _compact(row)


def _compact(row: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`changes` reads of a baseline row: a long baseline is held in memory, its simulation,
    SMTP probes and messages are not."""
    out = {key: row[key] for key in ("domain", "error", "published", "expected", "addresses") if key in row}
    findings = row.get("findings")
    if isinstance(findings, list):
        out["findings"] = [{"id": f.get("id"), "severity": f.get("severity")} for f in findings if isinstance(f, Mapping)]
    hosts = row.get("hosts")
    if isinstance(hosts, Mapping):
        out["hosts"] = {role: {"host": found.get("host")} for role in ("ipv4_only_host", "dual_stack_host")
                        if isinstance(found := hosts.get(role), Mapping)}
    return out


def _ids(row: Mapping[str, Any]) -> dict[str, str]:
    """Finding id -> its severity (the worst, when an id appears twice)."""
    rank = {"error": 0, "warning": 1, "info": 2}
    out: dict[str, str] = {}
    for f in row.get("findings") or ():
        if isinstance(f, Mapping) and isinstance(f.get("id"), str):
            severity = str(f.get("severity", "info"))
            if f["id"] not in out or rank.get(severity, 3) < rank.get(out[f["id"]], 3):
                out[f["id"]] = severity
    return out


def _mx(row: Mapping[str, Any], key: str = "published") -> list[tuple[int, str]] | None:
    records = row.get(key)
    if not isinstance(records, list):
        return None
    return sorted((int(r.get("preference", 0)), str(r.get("exchange", ""))) for r in records if isinstance(r, Mapping))


def _mx_text(records: Iterable[tuple[int, str]]) -> str:
    return ", ".join(f"{p} {h}" for p, h in records) or "(none)"


def ipv4_only_host(row: Mapping[str, Any]) -> str | None:
    """The split's IPv4-only host: the preferred of the two planned records."""
    expected = _mx(row, "expected")
    return expected[0][1] if expected is not None and len(expected) == 2 else None


def _findings(before: Mapping[str, Any], now: Mapping[str, Any], incomplete: bool) -> list[Change]:
    old, new = _ids(before), _ids(now)
    out = [Change("finding-new", f"new finding {i} ({severity})", severity == "error", id=i)
           for i, severity in new.items() if i not in old]
    if not incomplete:  # what this run could not read is not "resolved"
        out += [Change("finding-resolved", f"finding {i} is gone", id=i) for i in old if i not in new]
    return out


def _hosts(before: Mapping[str, Any], now: Mapping[str, Any]) -> list[Change]:
    out: list[Change] = []
    old, new = before.get("hosts"), now.get("hosts")
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return out
    for role in ("ipv4_only_host", "dual_stack_host"):
        was, is_ = (old.get(role) or {}).get("host"), (new.get(role) or {}).get("host")
        if was and is_ and was != is_:
            label = role.replace("_", "-").removesuffix("-host")
            out.append(Change("host-moved", f"the {label} host moved from {was} to {is_}: publish the new host",
                              True, host=is_, before=was, after=is_))
    return out


def _families(before: Mapping[str, Any], now: Mapping[str, Any]) -> list[Change]:
    out: list[Change] = []
    old, new = before.get("addresses"), now.get("addresses")
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return out
    v4_only = ipv4_only_host(now)
    for host, addrs in new.items():
        was = old.get(host)
        if not isinstance(addrs, Mapping) or not isinstance(was, Mapping):
            continue
        for family, label in (("ipv4", "IPv4"), ("ipv6", "IPv6")):
            a, b = was.get(family), addrs.get(family)
            if not isinstance(a, list) or not isinstance(b, list) or bool(a) == bool(b):
                continue  # unknown on either side, or no change of presence
            if b:
                action = family == "ipv6" and host == v4_only
                why = ": the split keeps nobody on IPv4 any more" if action else ""
                out.append(Change("family-appeared", f"{host} has {label} now ({', '.join(b)}){why}", action,
                                  host=host, family=family, after=b))
            else:
                out.append(Change("family-vanished", f"{host} has no {label} any more (had {', '.join(a)})",
                                  host=host, family=family, before=a))
    return out


def changes(before: Mapping[str, Any] | None, now: Mapping[str, Any]) -> list[Change]:
    """What changed for one domain. ``before`` is its baseline row (``None``: not in the baseline)."""
    if "error" in now:
        return []  # a bad row: nothing was checked
    incomplete = DNS_ERROR in _ids(now)
    if before is None:
        return [Change("domain-new", f"{now.get('domain')} was not in the baseline"),
                *(c for c in _findings({}, now, True) if c.action)]
    if "error" in before:
        return [Change("domain-new", f"{now.get('domain')} could not be read in the baseline ({before['error']})"),
                *(c for c in _findings({}, now, True) if c.action)]
    out = _findings(before, now, incomplete) + _hosts(before, now)
    old_mx, new_mx = _mx(before), _mx(now)
    if not incomplete and old_mx is not None and new_mx is not None and old_mx != new_mx:
        off_plan = new_mx != _mx(now, "expected")
        out.append(Change("mx-changed", f"the published MX set changed from {_mx_text(old_mx)} to {_mx_text(new_mx)}",
                          off_plan, before=_mx_text(old_mx), after=_mx_text(new_mx)))
    if not incomplete:
        out += _families(before, now)
    return out


def needs_action(found: Iterable[Change]) -> bool:
    return any(c.action for c in found)


__all__ = ["Change", "changes", "ipv4_only_host", "needs_action", "read_baseline"]
