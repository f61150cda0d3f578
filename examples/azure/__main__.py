"""The MX split on an Azure DNS zone you already have: the zone is looked up, not owned.

    pulumi stack init dev
    pulumi config set azure-native:subscriptionId <id>     # optional: az login's default otherwise
    pulumi config set adoptMx <id of the existing MX set>  # almost every Microsoft 365 domain has one
    pulumi preview          # one RecordSet "contoso-mx" with both MX values (= import, ~ update)
    pulumi up
    mxsplit check contoso.com --tenant contoso --authoritative --wait 300

The id to adopt: az network dns record-set mx show -g dns-rg -z contoso.com -n @ --query id -o tsv.
`createZone: true` creates the zone in the (existing) resource group instead of looking it up.
"""

import pulumi
import pulumi_azure_native as azure_native

from mxsplit_component import MxSplit

config = pulumi.Config()
domain = config.require("domain")
resource_group = config.require("resourceGroup")
zone_name = config.get("zoneName") or domain  # a parent zone (contoso.com) for a subdomain

provider = azure_native.Provider("azure", subscription_id=pulumi.Config("azure-native").get("subscriptionId"))

if config.get_bool("createZone"):
    # Azure DNS zones are global: the zone has no region of its own.
    zone = azure_native.dns.Zone("zone", zone_name=zone_name, resource_group_name=resource_group, location="global",
                                 opts=pulumi.ResourceOptions(provider=provider, protect=True))
    found_name, name_servers = zone.name, zone.name_servers
else:
    # The usual case: the zone exists and is delegated; a lookup fails early if it is not there.
    existing = azure_native.dns.get_zone_output(resource_group_name=resource_group, zone_name=zone_name,
                                                opts=pulumi.InvokeOutputOptions(provider=provider))
    found_name, name_servers = existing.name, existing.name_servers

args = {
    "domain": domain,
    "tenant": config.require("tenant"),
    "azure": {"resource_group_name": resource_group, "zone_name": found_name},
}
adopt_mx = config.get("adoptMx")  # /subscriptions/…/dnszones/<zone>/MX/@
if adopt_mx:
    args["adopt"] = {"mx": adopt_mx}

mx = MxSplit("contoso", args, opts=pulumi.ResourceOptions(providers=[provider]))

pulumi.export("name_servers", name_servers)
pulumi.export("zone_records", mx.zone_records)
pulumi.export("validation", mx.validation)
