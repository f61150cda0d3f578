"""Many tenants and domains from one file: the managed-service-provider case.

Every row is validated before anything is declared (errors name the row and field);
each domain gets its own MxSplit, and the stack output maps each domain to its records.
After `pulumi up`, check them all at once:

    pulumi stack output --json domains | jq -r '...' > domains.csv
    mxsplit check --file domains.csv --authoritative --json
"""

from pathlib import Path

import pulumi
import pulumi_cloudflare as cloudflare
import yaml

from mxsplit_component import MxSplit
from mxsplit_component.stackconfig import parse_entries

config = pulumi.Config()
rows = yaml.safe_load((Path(__file__).parent / config.get("customersFile", "domains.yaml")).read_text())

out = {}
for entry in parse_entries(rows):
    args = dict(entry.args)
    if entry.cloudflare_zone_name is not None:
        zone = cloudflare.get_zone_output(filter={"name": entry.cloudflare_zone_name})
        args["cloudflare"] = {"zone_id": zone.id}
    mx = MxSplit(entry.name, args)  # type: ignore[arg-type]
    out[args["domain"]] = {"tenant": args["tenant"], "mx_records": mx.mx_records, "validation_ok": mx.validation["ok"]}

pulumi.export("domains", out)
