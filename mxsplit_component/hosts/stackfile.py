"""A Pulumi stack file as YAML nodes that know where their text is, for edits that touch nothing else.

``ruamel.yaml`` (the ``[pin]`` extra) only parses: the events it gives carry the offsets of
every scalar, mapping and alias. :class:`StackText` builds a small node tree from them,
reads it the way YAML does (merge keys ``<<``, aliases), and turns "set this key of this
mapping" into a text edit: a value replaced in place (its quotes kept), or one new line
with the mapping's indentation and the file's own line ending. Every other byte stays as it
was: comments, long ``secure:`` values, key order, CRLF, a BOM.

What would change a node that an alias or merge key shares is refused, never written: the
change would show up, unasked, wherever the node is reused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..edges.extras import require
from ..errors import ConfigError

#: Plain scalars a YAML reader would not read as the string itself.
_NOT_PLAIN = re.compile(r"(?i)^(?:~|null|true|false|yes|no|on|off|y|n|[-+.]?\d.*|\.nan|[-+]?\.inf|)$|[^a-z0-9.\-_]")
_NULLS = ("", "~", "null", "Null", "NULL")
#: The parser's events that start a node, and the node's kind.
_NODE_EVENTS = {"MappingStartEvent": "map", "SequenceStartEvent": "seq", "ScalarEvent": "scalar", "AliasEvent": "alias"}
#: An anchor or tag in front of a scalar: part of the node's span, not of its value.
_PROPERTIES = re.compile(r"(?:[&!]\S*\s+)*")
#: The line breaks (and blank lines) that end a block scalar's span, after its last character of text.
_BLOCK_TAIL = re.compile(r"\r?\n[ \t\r\n]*\Z")
_COLON = re.compile(r"[ \t]*:")


@dataclass(eq=False)
class Node:
    kind: str  # "map", "seq", "scalar" or "alias"
    start: int
    end: int
    line: int  # 1-based
    column: int
    #: A scalar's value, or an alias's anchor name.
    value: str = ""
    style: str | None = None
    flow: bool = False
    items: list[Node] = field(default_factory=list)  # a sequence's nodes
    pairs: list[tuple[Node, Node]] = field(default_factory=list)  # a mapping's (key, value) nodes
    target: Node | None = None  # an alias's node
    #: An empty mapping value's key ends here; the value's span is then the key and its ":".
    key_end: int | None = None

    def resolved(self) -> Node:
        return self.target if self.target is not None else self

    def children(self) -> Iterator[Node]:
        yield from self.items
        for key, value in self.pairs:
            yield key
            yield value


class StackFileError(ConfigError):
    """The stack file cannot be read, or changed as asked; the message names the file, the line and the fix."""


class StackText:
    """One stack file's text and its YAML nodes."""

    def __init__(self, path: Path, raw: bytes | None = None) -> None:
        """Read ``path`` (or parse ``raw``, its text to be written)."""
        self.path = path
        try:
            raw = path.read_bytes() if raw is None else raw
        except OSError as exc:
            raise self.error(None, f"cannot be read ({exc.strerror})", "check the path and its permissions") from None
        try:
            self.text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].count(b"\n") + 1
            raise self.error(line, f"is not UTF-8 (byte 0x{raw[exc.start]:02x})",
                             "save it as UTF-8, the only encoding Pulumi reads") from None
        try:
            self.root = self._parse()
            self.shared = self._shared()
        except RecursionError:
            raise self.error(None, "is nested too deep to read", "restore it from git") from None

    def error(self, line: int | None, problem: str, fix: str) -> StackFileError:
        where = f"{self.path.name} line {line}" if line else self.path.name
        return StackFileError(f"{where} {problem}; {fix}", field="stack")

    # -- reading ---------------------------------------------------------------------------

    def _parse(self) -> Node:
        yaml = require("ruamel.yaml", extra="pin", field="stack", needs="--stack").YAML(typ="rt")
        errors = require("ruamel.yaml.error", extra="pin", field="stack", needs="--stack")
        try:
            return self._tree(yaml.parse(self.text))
        except errors.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise self.error(mark.line + 1 if mark is not None else None, f"is not valid YAML: {problem}",
                             "fix the file (brackets, quotes, indentation) or restore it from git, then run again") \
                from None

    def _tree(self, events: Any) -> Node:
        anchors: dict[str, Node] = {}
        stack: list[Node] = []
        pending: list[Node | None] = []  # per open mapping: a key waiting for its value
        roots: list[Node] = []
        for event in events:
            kind = type(event).__name__
            mark = event.start_mark
            if kind in _NODE_EVENTS:
                node = Node(_NODE_EVENTS[kind], mark.index, event.end_mark.index, mark.line + 1, mark.column,
                            flow=bool(getattr(event, "flow_style", False)))
                if kind == "AliasEvent":
                    node.value = event.anchor
                    node.target = anchors.get(event.anchor)
                    if node.target is None:
                        raise self.error(node.line, f"uses the alias *{event.anchor} before any &{event.anchor}",
                                         "define the anchor first, or write the value out")
                elif event.anchor:
                    anchors[event.anchor] = node
                if kind == "ScalarEvent":
                    node.value, node.style = event.value, event.style
                self._attach(node, stack, pending, roots)
                if node.kind in ("map", "seq"):
                    stack.append(node)
                    pending.append(None)
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                done = stack.pop()
                pending.pop()
                done.end = event.end_mark.index
        if len(roots) != 1 or roots[0].kind != "map":
            raise self.error(None, "is not one YAML mapping", "a stack file holds one mapping with config:; restore it "
                                                               "from git")
        return roots[0]

    def _attach(self, node: Node, stack: list[Node], pending: list[Node | None], roots: list[Node]) -> None:
        if not stack:
            roots.append(node)
            return
        parent = stack[-1]
        if parent.kind == "seq":
            parent.items.append(node)
            return
        key = pending[-1]
        if key is None:
            pending[-1] = node
            return
        pending[-1] = None
        if node.kind == "scalar" and node.style is None and node.value == "" and node.start == node.end:
            self._place_empty(key, node)
        if key.kind == "scalar":
            for old, _ in parent.pairs:
                if old.kind == "scalar" and old.value == key.value:
                    raise self.error(key.line, f"has the key {key.value!r} twice in one mapping (first on line "
                                     f"{old.line})", "keep one of them")
        parent.pairs.append((key, node))

    def _place_empty(self, key: Node, value: Node) -> None:
        """Give an empty value (``key:`` alone, or a flow ``{key}``) the span of its key and ``:``.

        The parser marks such a value wherever the next token starts, often on a later line; an edit
        there would land in another key. :meth:`replace_edit` rewrites the span as ``key: value``.
        """
        colon = _COLON.match(self.text, key.end)
        value.start, value.end, value.key_end = key.start, colon.end() if colon else key.end, key.end
        value.line, value.column = key.line, key.column

    def _shared(self) -> set[int]:
        """Every node an alias or merge key reuses, and everything inside it."""
        shared: set[int] = set()

        def mark(node: Node) -> None:
            if id(node) not in shared:
                shared.add(id(node))
                for child in node.children():
                    mark(child)

        def walk(node: Node) -> None:
            if node.target is not None:
                mark(node.target)
            for child in node.children():
                walk(child)

        walk(self.root)
        return shared

    @staticmethod
    def get(mapping: Node, key: str) -> Node | None:
        """``mapping[key]`` as YAML reads it: the mapping's own key first, then its merge keys, in order
        (depth first, without recursion: a chain of merges can be as long as the file)."""
        todo, seen = [mapping.resolved()], set()
        while todo:
            mapping = todo.pop()
            if id(mapping) in seen:  # a mapping merged twice, or merging itself (<<: *itself), adds nothing new
                continue
            seen.add(id(mapping))
            merged: list[Node] = []
            for k, v in mapping.pairs:
                if k.kind == "scalar" and k.value == key and not (k.value == "<<" and k.style is None):
                    return v.resolved()
                if k.kind == "scalar" and k.value == "<<" and k.style is None:
                    source = v.resolved()
                    merged += [s.resolved() for s in source.items] if source.kind == "seq" else [source]
            todo += reversed([source for source in merged if source.kind == "map"])
        return None

    @staticmethod
    def own(mapping: Node, key: str) -> Node | None:
        """The value node of ``mapping``'s own ``key`` (an alias node stays an alias), not a merged one."""
        return next((v for k, v in mapping.pairs if k.kind == "scalar" and k.value == key), None)

    @staticmethod
    def string(node: Node | None) -> str | None:
        """A scalar's text (``None`` for null or a missing key); a mapping or list is not a string."""
        if node is None:
            return None
        node = node.resolved()
        if node.kind != "scalar" or (node.style is None and node.value in _NULLS):
            return None
        return node.value

    # -- editing ---------------------------------------------------------------------------

    def is_shared(self, node: Node) -> bool:
        return id(node.resolved()) in self.shared

    def _line_end(self, index: int) -> int:
        """The offset just past the line break of the line holding ``index`` (the end of the text if none)."""
        brk = self.text.find("\n", index)
        return len(self.text) if brk < 0 else brk + 1

    def _eol(self, index: int) -> str:
        brk = self.text.find("\n", index)
        if brk < 0:
            brk = self.text.rfind("\n")
        return "\r\n" if brk > 0 and self.text[brk - 1] == "\r" else "\n"

    @staticmethod
    def _last(node: Node) -> Node:
        """The node whose text ends last inside ``node`` (for a block mapping, its last scalar)."""
        if node.kind in ("map", "seq") and not node.flow:
            children = list(node.children())
            if children:
                return StackText._last(children[-1])
        return node

    def _text_end(self, node: Node) -> int:
        """Where ``node``'s text ends: a block scalar's span runs past its last line break, and blank lines."""
        if node.kind == "scalar" and node.style in ("|", ">"):
            tail = _BLOCK_TAIL.search(self.text, node.start, node.end)
            return tail.start() if tail else node.end
        return node.end

    @staticmethod
    def scalar(value: str, like: Node | None = None) -> str:
        """``value`` as YAML text: quoted as ``like`` was, or when plain text would read as something else."""
        style = like.style if like is not None and like.kind == "scalar" else None
        if style == "'":
            return "'" + value.replace("'", "''") + "'"
        if style == '"' or _NOT_PLAIN.search(value):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return value

    def replace_edit(self, value: Node, new: str) -> tuple[int, int, str]:
        """(start, end, text) that puts ``new`` where ``value`` (a scalar or an alias) is written."""
        if value.key_end is not None:  # an empty value: its span is its key and ":" (see _place_empty)
            return value.start, value.end, f"{self.text[value.start:value.key_end]}: {self.scalar(new)}"
        if value.kind == "alias":
            return value.start, value.end, self.scalar(new)
        start = _PROPERTIES.match(self.text, value.start, value.end).end()  # type: ignore[union-attr]
        end, text = self._text_end(value), self.scalar(new, value)
        if start == end and start > value.start and not self.text[start - 1].isspace():
            return start, end, f" {text}"  # an empty value after an anchor or tag: a space of its own
        return start, end, text

    def insert_edit(self, mapping: Node, after: Node, key: str, new: str) -> tuple[int, int, str]:
        """(at, at, text) that adds ``key: new`` to ``mapping`` right after the pair whose value is ``after``."""
        if mapping.flow:
            end = self._last(after).end
            return end, end, f", {key}: {self.scalar(new)}"
        column = mapping.pairs[0][0].column
        at = self._line_end(self._text_end(self._last(after)))
        eol = self._eol(at - 1 if at else 0)
        line = f"{' ' * column}{key}: {self.scalar(new)}"
        if at and self.text[at - 1] != "\n":  # the last line has no line break: neither will the new one
            return at, at, f"{eol}{line}"
        return at, at, f"{line}{eol}"

    def edited(self, edits: list[tuple[int, int, str]]) -> str:
        """The text with ``edits`` applied; edits at one offset go in the order given."""
        out, cursor = [], 0
        for start, end, text in sorted(edits, key=lambda e: e[0]):  # sorted() is stable
            out += [self.text[cursor:start], text]
            cursor = max(cursor, end)
        out.append(self.text[cursor:])
        return "".join(out)
