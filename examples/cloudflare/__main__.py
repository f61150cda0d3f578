"""The MX split on Cloudflare.

    pulumi stack init dev
    pulumi config set --secret apiToken <token>
    pulumi preview          # two DnsRecords: contoso-ipv4-only (MX 0), contoso-dual-stack (MX 10)
    pulumi up
"""

import pulumi
import pulumi_cloudflare as cloudflare

from mxsplit_component import MxSplit

config = pulumi.Config()
domain = config.require("domain")

# An explicit provider from a secret: no ambient credentials, no token in clear anywhere.
provider = cloudflare.Provider("cloudflare", api_token=config.require_secret("apiToken"))

# Look the zone up by name rather than pasting its id.
zone = cloudflare.get_zone_output(filter={"name": domain}, opts=pulumi.InvokeOutputOptions(provider=provider))

mx = MxSplit("contoso", {
    "domain": domain,
    "tenant": config.require("tenant"),
    "cloudflare": {"zone_id": zone.id},
}, opts=pulumi.ResourceOptions(providers=[provider]))

pulumi.export("zone_records", mx.zone_records)
pulumi.export("validation", mx.validation)
