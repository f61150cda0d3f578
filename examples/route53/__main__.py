"""The MX split on AWS Route 53: one record set "contoso-mx" holding both MX values.

    pulumi stack init dev
    pulumi preview          # one aws:route53/record:Record, records = ["0 contoso.mail…", "10 contoso-com.mail…"]
    pulumi up
    mxsplit check contoso.com --tenant contoso --authoritative --wait 300
"""

import pulumi
import pulumi_aws as aws

from mxsplit_component import MxSplit

config = pulumi.Config()
domain = config.require("domain")

# An explicit provider: the region is stack config, credentials the standard AWS chain.
provider = aws.Provider("aws", region=pulumi.Config("aws").require("region"))

# Look the public hosted zone up by name rather than pasting its id.
zone = aws.route53.get_zone_output(name=domain, private_zone=False,
                                   opts=pulumi.InvokeOutputOptions(provider=provider))

args = {
    "domain": domain,
    "tenant": config.require("tenant"),
    "route53": {"zone_id": zone.zone_id},
}
adopt_mx = config.get("adoptMx")  # the existing set's import id, <zone id>_<domain>_MX
if adopt_mx:
    args["adopt"] = {"mx": adopt_mx}

mx = MxSplit("contoso", args, opts=pulumi.ResourceOptions(providers=[provider]))

pulumi.export("name_servers", zone.name_servers)
pulumi.export("zone_records", mx.zone_records)
pulumi.export("validation", mx.validation)
