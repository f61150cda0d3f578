"""Normalise and validate DNS names at the boundary, once.

Every name that enters mxsplit goes through :func:`normalize_name`: lower case, one
trailing dot dropped, IDN converted to A-labels (IDNA 2008 with UTS 46 mapping,
non-transitional, via the ``idna`` package), then checked label by label. Everything
after the boundary works on the normalised text and never adds or strips dots again.

Each rejection raises :class:`~mxsplit_component.errors.InvalidNameError` whose message
names the field, the reason and the fix.
"""

from __future__ import annotations

import re

from ..errors import InvalidNameError

#: RFC 1035 §2.3.4: 63 octets per label, 255 octets on the wire = 253 characters of text.
MAX_LABEL = 63
MAX_NAME = 253

_LDH = re.compile(r"^[a-z0-9-]+$")
_PLAIN_LABEL = r"(?!xn--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
#: Two or more lower-case LDH labels of at most 63 octets, none an A-label, no final dot:
#: such a name is its own normal form (a bulk run's typical row) and skips the
#: label-by-label path, whose checks it passes by construction.
_PLAIN_NAME = re.compile(rf"{_PLAIN_LABEL}(?:\.{_PLAIN_LABEL})+")
# Characters users paste by accident, each with the fix that usually applies.
_HINTS = {
    "/": "pass the bare domain name, not a URL or path",
    ":": "pass the bare domain name, not a URL or host:port",
    "@": "pass the domain name, not an email address",
    "_": "underscores are not allowed in host names (RFC 952/1123)",
    " ": "remove the spaces",
    "*": "wildcards are not allowed here",
}


def _looks_like_ip(text: str) -> bool:
    if ":" not in text and not text.replace(".", "").isdigit():
        return False  # most names: skip importing ipaddress
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _fail(field: str, value: str, reason: str, fix: str) -> InvalidNameError:
    return InvalidNameError(f"{field} {value!r}: {reason}; {fix}", field=field)


def _to_alabel(field: str, original: str, label: str) -> str:
    """Return one label as ASCII, converting a U-label with IDNA 2008 + UTS 46."""
    if label.isascii() and not label.startswith("xn--"):
        return label
    # Imported here: most names are ASCII, and idna's tables cost start-up time.
    import idna

    if label.isascii():
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError as exc:
                raise _fail(field, original, f"label {label!r} is not a valid A-label ({exc})",
                            "pass the Unicode form or the A-label Microsoft shows") from exc
        return label
    try:
        return idna.encode(label, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError as exc:
        raise _fail(field, original, f"label {label!r} is not a valid internationalised label ({exc})",
                    "check the spelling of the domain") from exc


def normalize_name(value: object, field: str, *, min_labels: int = 2) -> str:
    """Return ``value`` as a lower-case A-label name without a trailing dot.

    :param value: the name as the user typed it (any case, trailing dot allowed, Unicode allowed).
    :param field: the input field, named in every error message.
    :param min_labels: fewer labels than this is rejected (a bare ``contoso`` is no domain).
    :raises InvalidNameError: for anything that is not a valid host name.
    """
    if not isinstance(value, str):
        raise InvalidNameError(f"{field} must be a string such as 'contoso.com', got {type(value).__name__}",
                               field=field)
    if (min_labels <= 2 and len(value) <= MAX_NAME and _PLAIN_NAME.fullmatch(value)
            and not value.rpartition(".")[2].isdigit()):
        return value
    return _normalize(value, field, min_labels)


def _normalize(value: str, field: str, min_labels: int) -> str:
    """:func:`normalize_name` label by label, for any string."""
    text = value.strip()
    if not text or text == ".":
        raise InvalidNameError(f"{field} is empty; pass a domain name such as 'contoso.com'", field=field)
    if text != value:
        raise _fail(field, value, "has leading or trailing whitespace", "remove the spaces")
    bare = text.rstrip(".").strip("[]")
    if _looks_like_ip(bare):
        raise _fail(field, value, "is an IP address", "pass a domain name; MX targets must be host names (RFC 5321 §5.1)")
    for char, fix in _HINTS.items():
        if char in text:
            raise _fail(field, value, f"contains {char!r}", fix)
    if any(c.isspace() for c in text):
        raise _fail(field, value, "contains whitespace", "remove the spaces")
    text = text.removesuffix(".")
    labels = text.split(".")
    if any(label == "" for label in labels):
        raise _fail(field, value, "has an empty label (two dots in a row, or a leading dot)", "remove the extra dot")
    ascii_labels = [_to_alabel(field, value, label.lower()) for label in labels]
    for label in ascii_labels:
        if len(label) > MAX_LABEL:
            raise _fail(field, value, f"label {label[:20]!r}... is {len(label)} octets, more than {MAX_LABEL}",
                        "shorten the label (RFC 1035 §2.3.4)")
        if not _LDH.match(label):
            bad = next(c for c in label if not re.match(r"[a-z0-9-]", c))
            raise _fail(field, value, f"label {label!r} contains {bad!r}",
                        "host names use letters, digits and hyphens only (RFC 1123)")
        if label.startswith("-") or label.endswith("-"):
            raise _fail(field, value, f"label {label!r} starts or ends with a hyphen",
                        "remove the hyphen (RFC 1123)")
    name = ".".join(ascii_labels)
    if len(name) > MAX_NAME:
        raise _fail(field, value, f"is {len(name)} characters, more than {MAX_NAME}", "use a shorter name (RFC 1035)")
    if len(ascii_labels) < min_labels:
        raise _fail(field, value, "has a single label", "pass the full domain name, e.g. 'contoso.com'")
    if ascii_labels[-1].isdigit():
        raise _fail(field, value, f"top-level label {ascii_labels[-1]!r} is all digits",
                    "no top-level domain is numeric (RFC 3696 §2); check for a typo or an IP address")
    return name


def is_subdomain(name: str, zone: str) -> bool:
    """``True`` when ``name`` equals ``zone`` or lies below it (both normalised)."""
    return name == zone or name.endswith("." + zone)


def relative_to(name: str, zone: str) -> str:
    """Return ``name`` relative to ``zone``: ``"@"`` at the apex, else the leading labels."""
    if name == zone:
        return "@"
    return name[: -(len(zone) + 1)]
