"""The MX split on Azure DNS: a zone in a resource group, and the split in it.

    pulumi stack init dev
    pulumi config set azure-native:subscriptionId <id>
    pulumi preview          # one RecordSet "contoso-mx" with both MX values
    pulumi up
    mxsplit check contoso.com --tenant contoso --authoritative --wait 300
"""

import pulumi
import pulumi_azure_native as azure_native

from mxsplit_component import MxSplit

config = pulumi.Config()
domain = config.require("domain")

provider = azure_native.Provider("azure", subscription_id=pulumi.Config("azure-native").get("subscriptionId"))
opts = pulumi.ResourceOptions(provider=provider)

group = azure_native.resources.ResourceGroup("dns", resource_group_name=config.require("resourceGroup"), opts=opts)
zone = azure_native.dns.Zone("zone", zone_name=domain, resource_group_name=group.name, location="global",
                             opts=pulumi.ResourceOptions(provider=provider, protect=True))

mx = MxSplit("contoso", {
    "domain": domain,
    "tenant": config.require("tenant"),
    "azure": {"resource_group_name": group.name, "zone_name": zone.name},
}, opts=pulumi.ResourceOptions(providers=[provider]))

pulumi.export("name_servers", zone.name_servers)
pulumi.export("zone_records", mx.zone_records)
pulumi.export("validation", mx.validation)
