"""The seed article's example, as zones for a local BIND (its published addresses)."""

from mxsplit_component.testing.bind import zone

MS = "mail.protection.outlook.com"
SEED_ZONES = {
    "contoso.com": zone("contoso.com", f"@ 3600 IN MX 0 contoso.{MS}.\n@ 3600 IN MX 10 contoso-com.{MS}."),
    MS: zone(MS, "\n".join([
        *(f"contoso IN A {a}" for a in ("207.46.163.138", "207.46.163.215", "207.46.163.170")),
        *(f"contoso-com IN A {a}" for a in ("207.46.163.138", "207.46.163.215", "207.46.163.170")),
        *(f"contoso-com IN AAAA {a}" for a in ("2a01:111:f400:7c10::1:10", "2a01:111:f400:7c09::11",
                                               "2a01:111:f400:7c10::10")),
    ])),
}
