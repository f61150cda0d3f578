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


__all__ = ["ConfigError", "InvalidNameError", "MxSplitError"]
