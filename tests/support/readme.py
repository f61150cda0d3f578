"""Zones and servers behind the README's `check --smtp` and `sender` blocks."""

from __future__ import annotations

import dns.name
import dns.reversename

from mxsplit_component.testing.bind import zone

MS = "mail.protection.outlook.com"
#: contoso.com's split, with its hosts on loopback where the tests' SMTP stand-ins listen.
SMTP_ZONES = {
    "contoso.com": zone("contoso.com", f"@ 3600 IN MX 0 contoso.{MS}.\n@ 3600 IN MX 10 contoso-com.{MS}."),
    MS: zone(MS, "contoso IN A 127.0.0.2\ncontoso-com IN A 127.0.0.3\ncontoso-com IN AAAA ::1"),
}
SMTP_ADDRESSES = ("127.0.0.2", "127.0.0.3", "::1")

REV6 = "8.b.d.0.1.0.0.2.ip6.arpa"
SENDER_IP = "2001:db8::25"
#: A small sender: a PTR that forward-confirms, and SPF that covers only its IPv4 range.
SENDER_ZONES = {
    REV6: zone(REV6, f"{dns.reversename.from_address(SENDER_IP).relativize(dns.name.from_text(REV6))} "
                     "IN PTR mail.example.net."),
    "example.net": zone("example.net", "\n".join([
        '@ IN TXT "v=spf1 include:_spf.example.net ~all"',
        '_spf IN TXT "v=spf1 ip4:192.0.2.0/24 -all"',
        "mail IN A 192.0.2.25",
        f"mail IN AAAA {SENDER_IP}",
    ])),
}
