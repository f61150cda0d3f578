"""The MX split on DNSimple: two ZoneRecords, contoso-ipv4-only (MX 0) and contoso-dual-stack (MX 10).

    pulumi stack init dev
    pulumi config set --secret token <token>
    pulumi preview          # two dnsimple ZoneRecords at the zone apex (name "")
    pulumi up
    mxsplit check contoso.com --tenant contoso --authoritative --wait 300
"""

import pulumi
import pulumi_dnsimple as dnsimple

from mxsplit_component import MxSplit

config = pulumi.Config()
domain = config.require("domain")

# An explicit provider from a secret token and the account: no ambient credentials, no token in clear.
provider = dnsimple.Provider("dnsimple", token=config.require_secret("token"), account=config.require("account"))

# Look the zone up by name: a zone the account does not hold fails the preview, before any record.
zone = dnsimple.get_zone_output(name=domain, opts=pulumi.InvokeOutputOptions(provider=provider))

args = {
    "domain": domain,
    "tenant": config.require("tenant"),
    "dnsimple": {"zone_name": zone.name},
}
adopt = config.get("adoptDualStack")  # the existing MX record's import id, <zone>_<record id>
if adopt:
    args["adopt"] = {"dual_stack": adopt}

mx = MxSplit("contoso", args, opts=pulumi.ResourceOptions(providers=[provider]))

pulumi.export("zone_records", mx.zone_records)
pulumi.export("validation", mx.validation)
