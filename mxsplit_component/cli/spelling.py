"""Library messages in the CLI user's spelling: flags, not Python keywords.

:func:`~mxsplit_component.core.plan.plan_mx` and the backends write for Python callers
(``pass dual_stack_host explicitly``, ``use e.g. ttl=3600``); the engine path respells them in
camelCase (``plugin.SchemaSpelling``). A CLI user typed ``--dual-stack-host`` and ``--ttl``,
so a rejected field that is a flag of the command is respelt here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..errors import MxSplitError

#: Fields whose value is a file the user wrote: their messages name the file's own keys and
#: columns (``dual_stack_host`` in a CSV header), which must stay as the file spells them.
DOCUMENT_FIELDS = frozenset({"file", "stack"})
#: A flag in a message (``--tenant``), not the ``--`` inside an IDN label (``xn--bcher``).
_NAMES_A_FLAG = re.compile(r"(?<![\w-])--[a-z]")


class FlagSpelling:
    """Respells the messages of one command's errors; ``flags`` maps a field (``dest``) to its flag."""

    def __init__(self, flags: Mapping[str, str]) -> None:
        self.flags = dict(flags)
        words = sorted(self.flags, key=len, reverse=True)  # dual_stack_host before dual_stack
        joined = "|".join(map(re.escape, words)) or r"(?!)"
        # A keyword argument: ``ttl=3600`` -> ``--ttl 3600``, ``cloud= to`` -> ``--cloud to``.
        self._keyword = re.compile(rf"(?<![\w.:-])({joined})=(\S?)")
        # A snake_case field standing alone (not a key inside a path such as ``<backend>.zone_id``).
        self._field = re.compile(rf"(?<![\w.:'\"-])({'|'.join(re.escape(w) for w in words if '_' in w) or '(?!)'})"
                                 r"(?![\w:'\"])")

    def message(self, exc: MxSplitError) -> str:
        """``exc``'s message with the field spelt as a flag, or the flag named after it."""
        from ..backends.flags import flag_for_field

        text = str(exc)
        base = (exc.field or "").split(".")[0]
        flag = self.flags.get(base)
        setting = flag_for_field(exc.field)  # <backend>.zone_name -> --zone-name, when the command has it
        if setting is not None and setting in self.flags.values() and not _NAMES_A_FLAG.search(text):
            return f"{text} ({setting})"
        if flag is None or base in DOCUMENT_FIELDS or _NAMES_A_FLAG.search(text):
            return text  # not a field of this command, a file's own keys, or written for the CLI already
        text = self._keyword.sub(lambda m: self.flags[m.group(1)] + (f" {m.group(2)}" if m.group(2) else ""), text)
        text = self._field.sub(lambda m: self.flags[m.group(1)], text)
        if re.match(rf"{re.escape(base)}\b(?![-=])", text):
            text = flag + text[len(base):]  # "ttl 30 is not accepted" -> "--ttl 30 is not accepted"
        return text if flag in text else f"{text} ({flag})"
