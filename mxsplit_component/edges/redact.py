"""The one redaction point for text built from a server's reply (Graph, or a credential's error).

A server can echo the request, ``Authorization`` header included, into its error body, its
headers or its reason phrase; a credential library can put a token in an exception. Every
message that may hold such text goes through :func:`redact` (or a :class:`Redactor` that
knows the run's own tokens) before it reaches output, a log or an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[token]"
#: ``Bearer <credential>``: an RFC 6750 b64token (or what a server made of it, up to a separator) long
#: enough to be one, so prose such as "not a bearer token" stays as it is.
_BEARER = re.compile(r"(?i)\b(bearer)(?:\s+|%20|\+)[^\s,;\"'<>)\]}]{16,}")
#: A JWT or JWS (``eyJ`` is base64url of ``{"``): its header segment and whatever segments follow, in any
#: case (a host name is lowercased).
_JWT = re.compile(r"(?i)eyJ[A-Za-z0-9_\-+/=]{6,}(?:\.[A-Za-z0-9_\-+/=]*)*")
#: Shorter than this, a "secret" would match ordinary words in messages; no real bearer token is this short.
MIN_SECRET = 8


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` without ``secrets`` (each exact value), any ``Bearer …`` value and any JWT-shaped value."""
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_SECRET}, key=len, reverse=True):
        # In any case: a host name echoing the token comes back lowercased, and still gives most of it away.
        text = re.sub(re.escape(secret), MASK, text, flags=re.IGNORECASE)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _JWT.sub(MASK, text)


def excerpt(text: str, limit: int, secrets: Iterable[str | None] = ()) -> str:
    """``text`` redacted, *then* cut to ``limit`` characters: a cut first could leave a token's first
    characters, which nothing would then recognise."""
    text = redact(text, secrets)
    return text if len(text) <= limit else text[:limit] + "…"


class Redactor:
    """:func:`redact` with the secrets of one run (a static token, each token a credential gave).

    The secrets are matched by one pattern, built again only when one is added: a run over many
    tenants redacts every note with every tenant's token.
    """

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lower: tuple[str, ...] | None = ()

    def add(self, secret: str | None) -> None:
        if secret and secret not in self._secrets:
            self._secrets.add(secret)
            self._pattern = None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            secrets = sorted((s for s in self._secrets if len(s) >= MIN_SECRET), key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, secrets)) or r"(?!)", re.IGNORECASE)
            # A quick look first, where lower() folds case as the pattern does (ASCII secrets: every real token).
            self._lower = tuple(s.lower() for s in secrets) if all(s.isascii() for s in secrets) else None
        lowered = text.lower() if self._lower else ""
        if self._lower is None or any(s in lowered for s in self._lower):
            text = self._pattern.sub(MASK, text)
        return redact(text)

    def excerpt(self, text: str, limit: int) -> str:
        """``text`` redacted with this run's secrets, *then* cut (see :func:`excerpt`)."""
        text = self(text)
        return text if len(text) <= limit else text[:limit] + "…"
