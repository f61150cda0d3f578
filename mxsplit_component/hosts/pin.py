"""Pin looked-up hosts into a stack's config (``Pulumi.<stack>.yaml``), so previews need no network.

A round trip through ``ruamel.yaml`` (the ``[pin]`` extra) keeps the file's comments, key
order and every other key; only ``dual_stack_host`` / ``ipv4_only_host`` (and ``tenant`` when
the stack names none) of ``mxsplit:domains[*]`` entries change. Secure (encrypted) values
are never read or written. Only hosts a lookup found (``graph``, ``published``) are pinned:
a derived host needs no pin, and a given one is already in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.names import normalize_name
from ..errors import ConfigError, MxSplitError
from ..stackconfig import NAMESPACE
from .lookup import HostRequest
from .model import ROLES, HostsResult

DOMAINS_KEY = f"{NAMESPACE}:domains"
TENANT_KEY = f"{NAMESPACE}:tenant"
PINNED_SOURCES = ("graph", "published")


@dataclass(frozen=True)
class PinChange:
    """One key set in the stack file: ``mxsplit:domains[2].dual_stack_host`` from None to a host."""

    key: str
    old: str | None
    new: str
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "old": self.old, "new": self.new, "source": self.source}


def _yaml() -> Any:
    try:
        from ruamel.yaml import YAML
    except ImportError:
        raise MxSplitError("--stack needs ruamel.yaml to keep the file's comments: "
                           "pip install 'mxsplit-component[pin]'", field="stack") from None
    yaml = YAML()  # round-trip mode: comments and order survive
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def stack_file(stack: str, cwd: str | None = None) -> Path:
    if not stack or "/" in stack or stack.startswith("."):
        raise MxSplitError(f"--stack {stack!r} is not a stack name such as dev", field="stack")
    path = Path(cwd or ".") / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise MxSplitError(f"--stack {stack}: {path} does not exist; create it with pulumi stack init {stack}, or "
                           "pass --cwd to the project folder", field="stack")
    return path


def _load(path: Path, yaml: Any = None) -> tuple[Any, Any, list[Any]]:
    from ruamel.yaml.util import load_yaml_guess_indent

    yaml = yaml or _yaml()
    text = path.read_text(encoding="utf-8")
    _, indent, block_seq_indent = load_yaml_guess_indent(text)
    # Write back with the file's own indentation, so the diff shows only the pinned keys.
    yaml.indent(mapping=block_seq_indent or 2, sequence=indent or 2, offset=block_seq_indent or 0)
    doc = yaml.load(text)
    config = doc.get("config") if isinstance(doc, Mapping) else None
    domains = config.get(DOMAINS_KEY) if isinstance(config, Mapping) else None
    if not isinstance(domains, list) or not all(isinstance(e, Mapping) for e in domains):
        raise ConfigError(f"{path.name}: {DOMAINS_KEY} must be a list of objects with 'domain' (it is missing, "
                          "secret or malformed)", field=DOMAINS_KEY)
    return doc, config, domains


def stack_requests(path: Path) -> list[HostRequest]:
    """One request per ``mxsplit:domains`` entry; pinned hosts are *not* passed as given, so a lookup can update them."""
    _, config, domains = _load(path)
    tenant = config.get(TENANT_KEY)
    requests = []
    for index, entry in enumerate(domains):
        domain = entry.get("domain")
        if not isinstance(domain, str):
            raise ConfigError(f"{DOMAINS_KEY}[{index}].domain must be a domain name", field=f"{DOMAINS_KEY}[{index}]")
        own = entry.get("tenant", tenant)
        requests.append(HostRequest(domain, own if isinstance(own, str) else None))
    return requests


def _set(entry: Any, key: str, value: str) -> None:
    """Set ``key``; a new key goes right after ``domain`` and the other host key, where a reader looks."""
    if key in entry or not hasattr(entry, "insert"):
        entry[key] = value
        return
    keys = list(entry)
    after = [k for k in ("domain", "tenant", "dual_stack_host", "ipv4_only_host") if k in keys]
    entry.insert(keys.index(after[-1]) + 1 if after else 0, key, value)


def pin(path: Path, results: list[HostsResult], *, write: bool = True) -> list[PinChange]:
    """Set the host keys of every entry whose lookup succeeded; returns what changed (written when ``write``)."""
    yaml = _yaml()
    doc, config, domains = _load(path, yaml)
    by_domain = {r.domain: r for r in results}
    changes: list[PinChange] = []
    for index, entry in enumerate(domains):
        try:
            result = by_domain.get(normalize_name(entry.get("domain"), "domain"))
        except MxSplitError:
            continue
        if result is None or not result.ok:
            continue
        prefix = f"{DOMAINS_KEY}[{index}]"
        for role in ROLES:
            found = result.found(role)
            if found is None or found.source not in PINNED_SOURCES:
                continue
            old = entry.get(role)
            if isinstance(old, Mapping):  # {secure: ...}: never touch a secret
                continue
            if old != found.host:
                changes.append(PinChange(f"{prefix}.{role}", old, found.host, found.source))
                _set(entry, role, found.host)
        if result.tenant and "tenant" not in entry and TENANT_KEY not in config:
            changes.append(PinChange(f"{prefix}.tenant", None, result.tenant, "graph"))
            _set(entry, "tenant", result.tenant)
    if changes and write:
        with path.open("w", encoding="utf-8") as fh:
            yaml.dump(doc, fh)
    return changes
