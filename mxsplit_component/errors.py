"""Exceptions raised by mxsplit.

One root, :class:`MxSplitError`, which is a :class:`ValueError` so callers that already
catch bad input keep working. Like dnspython's ``DNSException`` the docstring is the
default message; like octoDNS's ``ValidationError`` the error carries the offending
``field`` so a program (or the Pulumi engine) can point at it.
"""

from __future__ import annotations


class MxSplitError(ValueError):
    """mxsplit was given input it cannot use."""

    #: The input field that was rejected (``domain``, ``tenant``, ``ttl``, ...), or ``None``.
    field: str | None

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.field = field
        text = message if message is not None else (self.__doc__ or "").strip()
        super().__init__(text)


class InvalidNameError(MxSplitError):
    """A domain or host name is malformed."""


class ConfigError(MxSplitError):
    """A stack or command-line configuration value is unusable."""


class HostLookupError(Exception):
    """A lookup the answer needs could not complete (Graph unreachable, refused or throttled; DNS failed).

    Not an :class:`MxSplitError`: the input may be fine. The message names what was looked
    up and the fix, and never contains a token. The CLI exits 3 for it.
    """

    def __init__(self, message: str, *, domain: str | None = None) -> None:
        self.domain = domain
        super().__init__(message)


__all__ = ["ConfigError", "HostLookupError", "InvalidNameError", "MxSplitError"]
