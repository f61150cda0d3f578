"""``MX()`` lines for a DNSControl ``D()`` block (DNSControl 4.x ``dnsconfig.js``).

The exchange is absolute with a trailing dot: DNSControl reads a name without one as
relative to the domain (documentation/language-reference/domain-modifiers/MX.md). The TTL
is carried as a ``TTL()`` modifier, since DNSControl's default (300) is not the plan's.
"""

from __future__ import annotations

import json

from ..core.plan import MxPlan

SUFFIX = ".js"


def render(plan: MxPlan) -> str:
    """``MX("@", 0, "contoso.mail.protection.outlook.com.", TTL(3600)),`` per record, to paste into ``D()``."""
    # json.dumps quotes exactly as JavaScript does for these ASCII host names.
    return "".join(f'MX("@", {r.preference}, {json.dumps(r.exchange + ".")}, TTL({plan.ttl})),\n'
                   for r in plan.records)
