"""MX values as presentation text (``"10 host."``), the stored form of Route 53 and Cloud DNS.

Both providers keep every MX value of a name in one record set whose values are RFC 1035
§5 text, and an update replaces the whole set. So both need the same two things: the plan
as text values, and a guard that refuses to adopt a set holding foreign (non-Microsoft)
values that the update would silently drop.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core.clouds import is_microsoft_host
from ..core.plan import MxPlan
from ..errors import MxSplitError


def mx_values(plan: MxPlan) -> list[str]:
    """``["0 contoso.mail.protection.outlook.com.", "10 …"]``: absolute names, lowest preference first.

    Both providers compare the values as an unordered set (Route 53's ``records`` is a set;
    the Google provider suppresses order and case diffs of MX ``rrdatas``), so the order is
    only for people reading a preview.
    """
    return [f"{r.preference} {r.exchange}." for r in plan.records]


def parse_mx_value(value: str) -> tuple[int, str]:
    """``"10 Host.Example."`` -> ``(10, "host.example")``; raises ``ValueError`` on anything else."""
    parts = str(value).split()
    if len(parts) != 2 or not parts[0].isdigit():
        raise ValueError(f"not an MX value: {value!r}")
    return int(parts[0]), parts[1].rstrip(".").lower()


def foreign_values(existing: Iterable[str]) -> list[str]:
    """Values of an existing set that are not Microsoft 365 hosts (a gateway, a backup MX).

    A value that does not even parse as MX is foreign too: it is not ours to drop.
    """
    foreign = []
    for value in existing:
        try:
            preference, host = parse_mx_value(value)
        except ValueError:
            foreign.append(str(value))
            continue
        if not is_microsoft_host(host):
            foreign.append(f"{preference} {host}")
    return foreign


def guard_existing(planned: list[str], allow_foreign: bool, existing: Iterable[str] | None) -> list[str]:
    """Return ``planned`` unless adopting the existing set would silently drop foreign values.

    :param planned: the values the component will write (:func:`mx_values`).
    :param allow_foreign: ``allow_foreign_mx``: drop them on purpose.
    :param existing: the values the provider holds now, as it stores them; ``None`` or empty
        when there is no set.
    :raises MxSplitError: (field ``adopt.mx``) naming the foreign values and both ways out.
    """
    foreign = foreign_values(existing or ())
    if foreign and not allow_foreign:
        raise MxSplitError(f"the existing MX record set holds {', '.join(foreign)}, which "
                           f"{'is not a Microsoft 365 host' if len(foreign) == 1 else 'are not Microsoft 365 hosts'}; "
                           "adopting it would replace the whole set and drop them. Move them elsewhere first, or "
                           "pass allow_foreign_mx=True to drop them on purpose", field="adopt.mx")
    return planned
