"""One sample per backend for the tests that run every backend the same way
(tests/test_backends_contract.py, tests/test_engine_backends.py): settings for contoso.com,
adoption ids that fit them, and what the read before a whole-set adoption returns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

V4 = "contoso.mail.protection.outlook.com"
DS = "contoso-com.mail.protection.outlook.com"
ARM = "/subscriptions/0000/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/contoso.com/MX/@"
GCP_ID = "projects/acme/managedZones/contoso-com/rrsets/contoso.com./MX"


@dataclass(frozen=True)
class Sample:
    #: ``MxSplitArgs.<backend field>`` for contoso.com, as a Python program writes it.
    settings: dict[str, Any]
    #: ``adopt`` ids (by role key) of records these settings declare.
    adopt: dict[str, str]
    #: For a whole-set host: the read before adoption (invoke token -> result with only ``DS``).
    existing: dict[str, Any] = field(default_factory=dict)


SAMPLES = {
    "azure": Sample({"resource_group_name": "dns-rg"}, {"mx": ARM}, {
        "azure-native:dns:getRecordSet": {"mxRecords": [{"preference": 0, "exchange": DS}], "id": ARM}}),
    "cloudflare": Sample({"zone_id": "zone123"}, {"dual_stack": "zone123/abc123"}),
    "dnsimple": Sample({"zone_name": "contoso.com"}, {"dual_stack": "contoso.com_1234"}),
    "digitalocean": Sample({"domain": "contoso.com"}, {"dual_stack": "contoso.com,12345678"}),
    "route53": Sample({"zone_id": "Z0123456789ABC"}, {"mx": "Z0123456789ABC_contoso.com_MX"}, {
        "aws:route53/getRecords:getRecords": {"resourceRecordSets": [
            {"name": "contoso.com.", "type": "MX", "resourceRecords": [{"value": f"0 {DS}."}]}]}}),
    "cloud-dns": Sample({"managed_zone": "contoso-com", "project": "acme"}, {"mx": GCP_ID}, {
        "gcp:dns/getRecordSet:getRecordSet": {"name": "contoso.com.", "type": "MX", "rrdatas": [f"0 {DS}."]}}),
}


def camel(name: str) -> str:
    """``relative_record_set_name`` -> ``relativeRecordSetName``: a Python input as the engine sees it."""
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


def engine_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """A spec's inputs as the engine receives them (camelCase keys; nested keys are single words)."""
    return {camel(key): value for key, value in inputs.items()}
