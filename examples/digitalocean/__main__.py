"""The MX split on DigitalOcean DNS: two DnsRecords, contoso-ipv4-only (MX 0) and contoso-dual-stack (MX 10).

    pulumi stack init dev
    pulumi config set --secret token <token>
    pulumi preview          # two digitalocean DnsRecords at the apex (name "@", values with a trailing dot)
    pulumi up
    mxsplit check contoso.com --tenant contoso --authoritative --wait 300
"""

import pulumi
import pulumi_digitalocean as digitalocean

from mxsplit_component import MxSplit

config = pulumi.Config()
domain = config.require("domain")

# An explicit provider from a secret token: no ambient credentials, no token in clear anywhere.
provider = digitalocean.Provider("digitalocean", token=config.require_secret("token"))

# Look the domain up by name: one the account does not hold fails the preview, before any record.
zone = digitalocean.get_domain_output(name=domain, opts=pulumi.InvokeOutputOptions(provider=provider))

args = {
    "domain": domain,
    "tenant": config.require("tenant"),
    "digitalocean": {"domain": zone.name},
}
adopt = config.get("adoptDualStack")  # the existing MX record's import id, <domain>,<record id>
if adopt:
    args["adopt"] = {"dual_stack": adopt}

mx = MxSplit("contoso", args, opts=pulumi.ResourceOptions(providers=[provider]))

pulumi.export("zone_records", mx.zone_records)
pulumi.export("validation", mx.validation)
