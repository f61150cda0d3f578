"""The MX split on Google Cloud DNS: one record set "contoso-mx" holding both MX values.

    pulumi stack init dev
    pulumi preview          # one gcp:dns/recordSet:RecordSet, name "contoso.com.", rrdatas ["0 …", "10 …"]
    pulumi up
    mxsplit check contoso.com --tenant contoso --authoritative --wait 300
"""

import pulumi
import pulumi_gcp as gcp

from mxsplit_component import MxSplit

config = pulumi.Config()
project = pulumi.Config("gcp").require("project")

# An explicit provider pinned to one project: nothing depends on ambient gcloud defaults.
provider = gcp.Provider("gcp", project=project)

# The managed zone's resource name (e.g. contoso-com), not its DNS name.
zone = gcp.dns.get_managed_zone_output(name=config.require("managedZone"), project=project,
                                       opts=pulumi.InvokeOutputOptions(provider=provider))

args = {
    "domain": config.require("domain"),
    "tenant": config.require("tenant"),
    "cloud_dns": {"managed_zone": zone.name, "project": project},
}
adopt_mx = config.get("adoptMx")  # projects/<project>/managedZones/<zone>/rrsets/<domain>./MX
if adopt_mx:
    args["adopt"] = {"mx": adopt_mx}

mx = MxSplit("contoso", args, opts=pulumi.ResourceOptions(providers=[provider]))

pulumi.export("name_servers", zone.name_servers)
pulumi.export("zone_records", mx.zone_records)
pulumi.export("validation", mx.validation)
