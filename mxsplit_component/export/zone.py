"""BIND zone-file lines (RFC 1035 §5): the plan's ``zone_records``, absolute names with dots."""

from __future__ import annotations

from ..core.plan import MxPlan

SUFFIX = ".zone"


def render(plan: MxPlan) -> str:
    """``contoso.com. 3600 IN MX 0 contoso.mail.protection.outlook.com.``, one line per record."""
    return "".join(f"{line}\n" for line in plan.zone_records)
