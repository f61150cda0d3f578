"""Many tenants and domains from one file: the managed-service-provider case.

Every row is validated before anything is declared (errors name the row and field);
each domain gets its own MxSplit, and the stack output maps each domain to its records.
After `pulumi up`, check them all at once (`check_csv` is the `mxsplit check --file` CSV):

    pulumi stack output check_csv > domains.csv
    mxsplit check --file domains.csv --authoritative --json
"""

import csv
import io
from pathlib import Path

import pulumi
import yaml

from mxsplit_component import MxSplit
from mxsplit_component.lookups import entry_args
from mxsplit_component.stackconfig import parse_entries

#: The header `mxsplit check --file` (and `plan --file`) reads.
CHECK_COLUMNS = ("domain", "tenant", "dual_stack_host", "ipv4_only_host", "mode")


def check_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([list(CHECK_COLUMNS), *rows])
    return out.getvalue()


config = pulumi.Config()
rows = yaml.safe_load((Path(__file__).parent / config.get("customersFile", "domains.yaml")).read_text())

out = {}
check_rows = []
for entry in parse_entries(rows):
    args = entry_args(entry)  # zones named in the file are looked up by name
    mx = MxSplit(entry.name, args)  # type: ignore[arg-type]
    out[args["domain"]] = {"tenant": args["tenant"], "mx_records": mx.mx_records, "validation_ok": mx.validation["ok"]}
    check_rows.append(pulumi.Output.all(args["domain"], args["tenant"], mx.dual_stack_host, mx.ipv4_only_host,
                                        args.get("mode", "split")))

pulumi.export("domains", out)
pulumi.export("check_csv", pulumi.Output.all(*check_rows).apply(check_csv))
