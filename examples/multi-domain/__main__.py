"""Many tenants and domains from one file: the managed-service-provider case.

Every row is validated before anything is declared (errors name the row and field);
each domain gets its own MxSplit, and the stack output maps each domain to its records.
After `pulumi up`, check them all at once:

    pulumi stack output --json domains | jq -r '...' > domains.csv
    mxsplit check --file domains.csv --authoritative --json
"""

from pathlib import Path

import pulumi
import yaml

from mxsplit_component import MxSplit
from mxsplit_component.lookups import entry_args
from mxsplit_component.stackconfig import parse_entries

config = pulumi.Config()
rows = yaml.safe_load((Path(__file__).parent / config.get("customersFile", "domains.yaml")).read_text())

out = {}
for entry in parse_entries(rows):
    args = entry_args(entry)  # zones named in the file are looked up by name
    mx = MxSplit(entry.name, args)  # type: ignore[arg-type]
    out[args["domain"]] = {"tenant": args["tenant"], "mx_records": mx.mx_records, "validation_ok": mx.validation["ok"]}

pulumi.export("domains", out)
