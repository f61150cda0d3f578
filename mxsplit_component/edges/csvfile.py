"""The one reader for a ``--file`` CSV, used by ``check``, ``plan`` and ``hosts``.

Rows stream, one line at a time, so memory stays flat however long the file (or one of
its lines) is. The header is read and checked when the file is opened: a missing required
column, an unknown or repeated one is a usage error naming the column, before any row is
used. After that, one bad line (bytes that are not UTF-8, a NUL byte, a line longer than
:data:`MAX_LINE`, a stray quote, more fields than the header) is that row's error, with its
line number, and the rest of the file is still read. A UTF-8 byte order mark (Excel's "CSV
UTF-8") is fine; a UTF-16 file (Excel's "Unicode Text") is refused with the fix. Blank
lines are skipped. Quoted fields spanning lines are not supported: no column can hold a
line break.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import MxSplitError

#: Longest line accepted: far above any row of host names (each at most 253 octets).
MAX_LINE = 4096
BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Row:
    line: int
    fields: dict[str, str]
    #: Why the line cannot be read as a row (then ``fields`` holds what could be read).
    error: str | None = None


@dataclass(frozen=True)
class Columns:
    """The header a command takes: columns it needs, and columns it also understands."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional

    def describe(self) -> str:
        return f"{', '.join(self.required)} (optional: {', '.join(self.optional)})" if self.optional \
            else ", ".join(self.required)


def _lines(fh: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the line break): ``None`` for a line over MAX_LINE."""
    number = 0
    while True:
        line = fh.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the long line, a chunk at a time
                line = fh.readline(1 << 16)
            yield number, None
            continue
        yield number, line.rstrip(b"\r\n")


def _decode(number: int, raw: bytes) -> tuple[str | None, str | None]:
    """(text, None), or (None, why the line cannot be read)."""
    nul = raw.find(b"\0")
    if nul >= 0:
        return None, f"line {number} has a NUL byte (column {nul + 1}); save the file as CSV UTF-8 (is it UTF-16?)"
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, (f"line {number} is not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
                      "save the file as UTF-8")


def split_line(text: str) -> list[str]:
    """The fields of one line, as the ``csv`` module reads them (quicker for a line without quotes)."""
    if '"' not in text and "\r" not in text and "\n" not in text and "\0" not in text:
        return text.split(",")
    return next(csv.reader([text], strict=True), [])


def _header(lines: Iterator[tuple[int, bytes | None]], columns: Columns) -> list[str]:
    header: list[str] = []
    for number, raw in lines:
        if raw is None:
            raise MxSplitError(f"--file line {number} (the header) is longer than {MAX_LINE} bytes", field="file")
        if number == 1 and raw.startswith(UTF16_BOMS):
            raise MxSplitError("--file is UTF-16 (Excel's \"Unicode Text\"); save it as CSV UTF-8", field="file")
        text, error = _decode(number, raw.removeprefix(BOM) if number == 1 else raw)
        if error or text is None:
            raise MxSplitError(f"--file header: {error}", field="file")
        if text.strip():
            try:
                header = [h.strip() for h in split_line(text)]
            except csv.Error as exc:
                raise MxSplitError(f"--file header is not valid CSV ({exc})", field="file") from None
            break
    missing = [c for c in columns.required if c not in header]
    if missing:
        raise MxSplitError(f"--file needs a header with {columns.describe()}; missing: {', '.join(missing)}"
                           f"{_why_missing(header, columns)}", field="file")
    if "" in header:
        raise MxSplitError(f"--file header column {header.index('') + 1} has no name; remove the empty column "
                           "(a trailing comma?)", field="file")
    unknown = [c for c in header if c not in columns.all]
    if unknown:
        raise MxSplitError(f"--file has an unknown column {unknown[0]!r}; use {', '.join(columns.all)}", field="file")
    repeated = [c for c in header if header.count(c) > 1]
    if repeated:
        raise MxSplitError(f"--file names the column {repeated[0]!r} twice", field="file")
    return header


def _why_missing(header: list[str], columns: Columns) -> str:
    """What the header looks like instead, when it is a common near miss (another separator, capitals)."""
    if len(header) == 1 and (sep := next((c for c in ";\t|" if c in header[0]), None)):
        return (f" (the header {header[0]!r} is one column: separated by {sep!r}, not commas; save the file as CSV "
                "with commas)")
    capitals = [h for h in header if h != h.lower() and h.lower() in columns.all]
    return f" (column names are lower case: {', '.join(capitals)})" if capitals else ""


def _rows(lines: Iterator[tuple[int, bytes | None]], header: list[str]) -> Iterator[Row]:
    for number, raw in lines:
        if raw is None:
            yield Row(number, {}, f"line {number} is longer than {MAX_LINE} bytes")
            continue
        text, error = _decode(number, raw)
        if text is None:
            yield Row(number, {}, error)
            continue
        if not text.strip():
            continue
        try:
            values = split_line(text)
        except csv.Error as exc:
            yield Row(number, {}, f"line {number} is not valid CSV ({exc})")
            continue
        fields = {k: v.strip() for k, v in zip(header, values, strict=False)}
        error = f"line {number} has more fields than the header" if len(values) > len(header) else None
        yield Row(number, fields, error)


def read_rows(fh: BinaryIO, columns: Columns) -> Iterator[Row]:
    """The rows of a CSV opened in binary mode, after its header is checked.

    :raises MxSplitError: (field ``file``) for a bad header, at once, before any row.
    """
    lines = _lines(fh)
    return _rows(lines, _header(lines, columns))


@contextlib.contextmanager
def open_rows(path: str, columns: Columns) -> Iterator[Iterator[Row]]:
    """Open ``--file path`` and check its header; the rows stream while the block runs.

    :raises MxSplitError: (field ``file``) when the file cannot be opened, or for a bad header.
    """
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise MxSplitError(f"--file {path}: {exc.strerror}", field="file") from None
    with fh:
        yield read_rows(fh, columns)
