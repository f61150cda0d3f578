"""The one display escaper: text from the network, made safe to show on a terminal.

An SMTP banner, an EHLO line, a TXT/SPF record, a PTR name, a Graph message or an HTTP body
can carry ``ESC ] 0 ; … BEL`` (retitle the terminal), ``ESC [ 2 J`` (clear the screen),
``ESC [ 8 m`` (hide what follows), ``\\r`` or backspaces (overwrite a verdict). Text renderers
pass every line they build through :func:`shown`, which writes such characters as escapes
(``\\x1b``, ``\\r``, ``\\x08``) so they are visible and inert. JSON output keeps the value
(``json.dumps`` escapes control characters itself).
"""

from __future__ import annotations

import re

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
#: C0 and C1 controls, DEL, bidirectional overrides and isolates (they reorder what follows),
#: line/paragraph separators, and lone surrogates (bytes that were not UTF-8, decoded with
#: ``surrogateescape``).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` with every control character written as a visible escape; one output line stays one line."""
    return _UNSAFE.sub(_escape, text)


def shown_lines(lines: list[str]) -> str:
    """Lines joined for a terminal, each escaped on its own (a value cannot start a line of its own)."""
    return "\n".join(shown(line) for line in lines) + "\n"
