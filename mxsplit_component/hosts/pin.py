"""Pin looked-up hosts into a stack's config (``Pulumi.<stack>.yaml``), so previews need no network.

Only ``dual_stack_host`` / ``ipv4_only_host`` (and ``tenant`` when the stack names none) of
``mxsplit:domains[*]`` entries change, as text edits (:mod:`.stackfile`): every other byte
of the file stays as it was. Secure (encrypted) values are never read or written. Only
hosts a lookup found (``graph``, ``published``) are pinned: a derived host needs no pin,
and a given one is already in the file. An entry an alias or merge key shares with others
is never changed implicitly: an entry that inherits a host gets its own key, and a change
to a shared entry is refused. The file is checked (parsed, writable) before any lookup and
written through the one user-file writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.names import normalize_name
from ..edges.userfile import UserFileError, check_replaceable, replace_file
from ..errors import ConfigError, MxSplitError
from ..stackconfig import NAMESPACE
from .lookup import HostRequest
from .model import ROLES, HostsResult
from .stackfile import Node, StackFileError, StackText

DOMAINS_KEY = f"{NAMESPACE}:domains"
TENANT_KEY = f"{NAMESPACE}:tenant"
PINNED_SOURCES = ("graph", "published")
#: A new key goes right after the last of these the entry has, where a reader looks.
_ANCHORS = ("domain", "tenant", "dual_stack_host", "ipv4_only_host")


@dataclass(frozen=True)
class PinChange:
    """One key set in the stack file: ``mxsplit:domains[2].dual_stack_host`` from None to a host."""

    key: str
    old: str | None
    new: str
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "old": self.old, "new": self.new, "source": self.source}


def stack_file(stack: str, cwd: str | None = None) -> Path:
    if not stack or "/" in stack or stack.startswith("."):
        raise MxSplitError(f"--stack {stack!r} is not a stack name such as dev", field="stack")
    path = Path(cwd or ".") / f"Pulumi.{stack}.yaml"
    if path.is_dir():
        raise MxSplitError(f"--stack {stack}: {path} is a folder, not a stack file", field="stack")
    if not path.is_file():
        raise MxSplitError(f"--stack {stack}: {path} does not exist; create it with pulumi stack init {stack}, or "
                           "pass --cwd to the project folder", field="stack")
    return path


def _load(path: Path, raw: bytes | None = None) -> tuple[StackText, Node, list[Node]]:
    doc = StackText(path, raw)
    config = doc.get(doc.root, "config")
    domains = doc.get(config, DOMAINS_KEY) if config is not None and config.kind == "map" else None
    if config is None or domains is None or domains.kind != "seq" or any(e.resolved().kind != "map"
                                                                           for e in domains.items):
        raise ConfigError(f"{path.name}: {DOMAINS_KEY} must be a list of objects with 'domain' (it is missing, "
                          "secret or malformed)", field=DOMAINS_KEY)
    return doc, config, [e.resolved() for e in domains.items]


def stack_requests(path: Path, *, write: bool = True) -> list[HostRequest]:
    """One request per ``mxsplit:domains`` entry; pinned hosts are *not* passed as given, so a lookup can update them.

    Run before any lookup: a file that cannot be parsed, or (``write``) replaced, is refused here.

    :raises ConfigError: (field ``stack``) naming the file, the line and the fix.
    """
    doc, config, domains = _load(path)
    if write:
        try:
            check_replaceable(path)
        except UserFileError as exc:
            raise StackFileError(f"{exc}, or pass --dry-run to see what would change", field="stack") from None
    tenant = doc.string(doc.get(config, TENANT_KEY))
    requests = []
    for index, entry in enumerate(domains):
        domain = doc.string(doc.get(entry, "domain"))
        if domain is None:
            raise ConfigError(f"{DOMAINS_KEY}[{index}].domain must be a domain name", field=f"{DOMAINS_KEY}[{index}]")
        own = doc.get(entry, "tenant")
        requests.append(HostRequest(domain, doc.string(own) if own is not None else tenant))
    return requests


def _set(doc: StackText, entry: Node, prefix: str, key: str, new: str) -> tuple[int, int, str]:
    """The edit that sets ``key`` of ``entry`` (its own key, never a shared node)."""
    value = doc.own(entry, key)
    shared = entry if doc.is_shared(entry) else value if value is not None and value.kind != "alias" and \
        doc.is_shared(value) else None
    if shared is not None:
        what = prefix if shared is entry else f"{prefix}.{key}"
        raise doc.error(shared.line, f"({what}) is shared through a YAML anchor (&) with an alias (*) or merge key "
                        f"(<<), so setting {prefix}.{key} would change other entries too",
                        "write each entry's keys out in full, then run again")
    if value is not None:
        return doc.replace_edit(value, new)
    if entry.flow and not entry.pairs:
        raise doc.error(entry.line, f"({prefix}) is an empty flow mapping", "write its keys out, then run again")
    after = next((v for k in reversed(_ANCHORS) if (v := doc.own(entry, k)) is not None), entry.pairs[-1][1])
    return doc.insert_edit(entry, after, key, new)


def pin(path: Path, results: list[HostsResult], *, write: bool = True) -> list[PinChange]:
    """Set the host keys of every entry whose lookup succeeded; returns what changed (written when ``write``).

    :raises ConfigError: (field ``stack``) when a change would reach a shared node; nothing is written then.
    :raises UserFileError: when the file cannot be replaced; the original is untouched.
    """
    doc, config, domains = _load(path)
    by_domain = {r.domain: r for r in results}
    changes: list[PinChange] = []
    edits: list[tuple[int, int, str]] = []
    for index, entry in enumerate(domains):
        try:
            result = by_domain.get(normalize_name(doc.string(doc.get(entry, "domain")), "domain"))
        except MxSplitError:
            continue
        if result is None or not result.ok:
            continue
        prefix = f"{DOMAINS_KEY}[{index}]"
        for role in ROLES:
            found = result.found(role)
            if found is None or found.source not in PINNED_SOURCES:
                continue
            current = doc.get(entry, role)
            if current is not None and current.kind != "scalar":  # {secure: ...}: never touch a secret
                continue
            old = doc.string(current)
            if old != found.host:
                edits.append(_set(doc, entry, prefix, role, found.host))
                changes.append(PinChange(f"{prefix}.{role}", old, found.host, found.source))
        # Like a host, a tenant is pinned only when a lookup named it (not one given with --tenant), as that source's.
        named = next(((name, said.tenant) for name in PINNED_SOURCES if (said := result.sources.get(name)) is not None
                      and said.tenant and said.tenant == result.tenant), None)
        if named and doc.get(entry, "tenant") is None and doc.get(config, TENANT_KEY) is None:
            edits.append(_set(doc, entry, prefix, "tenant", named[1]))
            changes.append(PinChange(f"{prefix}.tenant", None, named[1], named[0]))
    if edits and write:
        replace_file(path, _read_back(path, doc.edited(edits).encode("utf-8"), changes))
    return changes


def _read_back(path: Path, data: bytes, changes: list[PinChange]) -> bytes:
    """``data`` once a YAML reader finds in it every value set: a text edit that went wrong is never written."""
    try:
        _, _, domains = _load(path, data)
        read = {f"{DOMAINS_KEY}[{i}].{k}": StackText.string(StackText.get(e, k))
                for i, e in enumerate(domains) for k in ("tenant", *ROLES)}
    except ConfigError:
        read = {}
    if any(read.get(c.key) != c.new for c in changes):
        raise StackFileError(f"{path.name} could not be edited in place as planned (a YAML construct mxsplit does not "
                             "edit); nothing was written: set the keys by hand, or use --dry-run to see them",
                             field="stack")
    return data
