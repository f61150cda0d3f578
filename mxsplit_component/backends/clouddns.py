"""Google Cloud DNS: one ``gcp:dns/recordSet:RecordSet`` holding every MX value.

Cloud DNS keeps all values of a name and type in one resource record set. The Google
provider (terraform-provider-google ``google_dns_record_set``, bridged by pulumi-gcp) does
not fail when the set exists: create deletes the existing set of that name and type in the
same change, so foreign MX values would vanish without a word. Adopt it by import id
``projects/{project}/managedZones/{zone}/rrsets/{name}/MX`` so the guard reads it first.
Inputs are in Cloud DNS's stored form: ``name`` absolute with its trailing dot (the provider
rejects it otherwise) and ``rrdatas`` as ``"<preference> <host>."`` (the provider ignores
order and case of MX ``rrdatas`` when diffing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core.plan import MxPlan, MxRecord
from ..errors import MxSplitError
from . import spec
from .base import Adoption, Backend, ExistingSet, mx_text_values, parse_mx_text

NAME = "cloud-dns"
#: The ``MxSplitArgs`` key that holds this backend's settings (the CLI and README say ``cloud-dns``).
ARGS_KEY = "cloud_dns"
LABEL = "Google Cloud DNS"
ORDER = 60
SDK_MODULE = "pulumi_gcp.dns"
EXTRA = "gcp"
TYPE_TOKEN = "gcp:dns/recordSet:RecordSet"
#: Cloud DNS documents no narrower range than DNS's own (RFC 2181 §8).
TTL = spec.TtlRange(1, 2147483647)
CAPABILITIES = (
    spec.Capability(spec.ONE_SET_PER_NAME, True,
                    "both MX values live in one record set (rrdatas), so the split is one resource"),
    spec.Capability(spec.CREATE_OVER_EXISTING, True,
                    "creating replaces an existing set of the same name in the same change, dropping foreign MX values "
                    "silently: adopt it so the guard reads it first"),
    spec.REPLACES_WHOLE_SET,
)
SETTINGS = (
    spec.Setting("managed_zone", "Resource name of the Cloud DNS managed zone (e.g. contoso-com), not its DNS name.",
                 flag="--managed-zone"),
    spec.Setting("project", "Google Cloud project of the managed zone; defaults to the provider's project. Required "
                 "to adopt.", required=False, flag="--project"),
)
SETTINGS_REQUIRED, SETTINGS_OPTIONAL = spec.setting_names(SETTINGS)
SETTINGS_TYPE = "CloudDnsArgs"
SETTINGS_DOC = "Where the MX record set lives in Google Cloud DNS."
ADOPT_ROLES = spec.adopt_roles(CAPABILITIES)
ADOPT_ID = "projects/{project}/managedZones/{zone}/rrsets/{name}./MX"
ADOPT_HINT = ("find it with: gcloud dns record-sets list --zone <managed zone> --type MX; the import id is "
              "projects/<project>/managedZones/<managed zone>/rrsets/<name>./MX")

#: Managed zone resource names: 1-63 of a-z, 0-9 and '-', starting with a letter.
_ZONE_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_IMPORT_ID = re.compile(r"^projects/(?P<project>[^/]+)/managedZones/(?P<zone>[^/]+)/rrsets/(?P<name>[^/]+)/"
                        r"(?P<type>[A-Za-z]+)$")


def check_managed_zone(value: str) -> str:
    """The managed zone's resource name (``contoso-com``), never its DNS name (``contoso.com.``)."""
    text = value.strip()
    last = text.rsplit("/", 1)[-1]  # a self link or projects/…/managedZones/<name> names the zone too
    if not _ZONE_NAME.match(last):
        raise MxSplitError(f"{ARGS_KEY}.managed_zone {value!r} is not a managed zone name: pass the zone's resource "
                           "name (e.g. contoso-com, see: gcloud dns managed-zones list), not its DNS name",
                           field=f"{ARGS_KEY}.managed_zone")
    return text


def describe(plan: MxPlan, settings: object) -> list[spec.ResourceSpec]:
    """The resources for ``plan`` on Cloud DNS. Pure: settings may be ``pulumi.Input``."""
    cfg = spec.require_settings(settings, ARGS_KEY, SETTINGS_REQUIRED, SETTINGS_OPTIONAL)
    TTL.check(plan.ttl, "Cloud DNS")
    zone = cfg["managed_zone"]
    inputs: dict[str, Any] = {
        "managed_zone": check_managed_zone(zone) if isinstance(zone, str) else zone,
        "name": f"{plan.domain}.",
        "type": "MX",
        "ttl": plan.ttl,
        "rrdatas": mx_text_values(plan),
    }
    # Omitted, the provider's project applies; passing None would show as a diff.
    if cfg.get("project") is not None:
        inputs["project"] = cfg["project"]
    return [spec.ResourceSpec(TYPE_TOKEN, SDK_MODULE, "RecordSet", "mx", inputs)]


def import_id(project: str, managed_zone: str, name: str) -> str:
    """``projects/{project}/managedZones/{zone}/rrsets/{name}./MX``, the provider's import id."""
    return f"projects/{project}/managedZones/{managed_zone}/rrsets/{name.rstrip('.').lower()}./MX"


def check_adopt_id(role: str, value: object, resource: spec.ResourceSpec) -> str:
    """Check an existing set's import id against the set we would declare.

    Only the full form: it names the project, so an id copied from another project is
    caught; and the component must name that project too (see :func:`adopted`).
    """
    field = f"adopt.{role.replace('-', '_')}"
    m = _IMPORT_ID.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise MxSplitError(f"{field} {value!r} is not a Cloud DNS import id "
                           f"'projects/<project>/managedZones/<zone>/rrsets/<name>./MX'; {ADOPT_HINT}", field=field)
    if m["type"].upper() != "MX":
        raise MxSplitError(f"{field} names a {m['type']} record set; adopt the MX set ({ADOPT_HINT})", field=field)
    if resource.inputs.get("project") is None:
        # Otherwise the read before adoption would look in the provider's default project,
        # which may not be the one the import id names.
        raise MxSplitError(f"{field} names project {m['project']!r}: pass it as {ARGS_KEY}.project too, so the existing "
                           f"set is read in the same project it is imported from ({ARGS_KEY}={{'managed_zone': ..., "
                           f"'project': {m['project']!r}}})", field=f"{ARGS_KEY}.project")
    name = m["name"].rstrip(".").lower()
    expected = {"project": (m["project"], resource.inputs.get("project")),
                "managed zone": (m["zone"], resource.inputs["managed_zone"]),
                "name": (name, str(resource.inputs["name"]).rstrip("."))}
    for what, (got, want) in expected.items():
        if isinstance(want, str) and got != want.rsplit("/", 1)[-1]:
            raise MxSplitError(f"{field} points at {what} {got!r}, but the component manages {want!r}; adopt the "
                               f"record set the component declares ({ADOPT_HINT})", field=field)
    return import_id(m["project"], m["zone"], name)


def existing_values(result: Any) -> list[str]:
    """The MX values of a set as ``gcp.dns.get_record_set`` returns them (``rrdatas``)."""
    if result is None:
        return []
    rrdatas = getattr(result, "rrdatas", None)
    if rrdatas is None and isinstance(result, dict):
        rrdatas = result.get("rrdatas")
    return [str(v) for v in rrdatas or ()]


def _existing_records(result: Any) -> list[MxRecord]:
    return [parse_mx_text(v) for v in existing_values(result)]


def adopted(resource: spec.ResourceSpec, plan: MxPlan) -> Adoption:
    """Import the set as declared, after reading it: create and update both replace the set.

    The read names the same project as the import (:func:`check_adopt_id` insists on it).
    """
    lookup = {key: resource.inputs[key] for key in ("managed_zone", "name", "project") if key in resource.inputs}
    return Adoption(resource, ExistingSet(SDK_MODULE, "get_record_set_output", {**lookup, "type": "MX"},
                                      _existing_records, "rrdatas"))



#: ``google_dns_record_set`` (google 5.x-7.x, bridged by pulumi-gcp): one resource, ``rrdatas = ["0 host.", …]``.
TERRAFORM = spec.Terraform("google_dns_record_set")
ADVISORIES: tuple[spec.Advisory, ...] = ()


def declared_mx(props: Mapping[str, Any]) -> tuple[str, list[MxRecord]] | None:
    """The owner and values of a declared ``RecordSet`` of type MX (the project is part of the owner)."""
    if not spec.is_mx(props):
        return None
    return (f"{NAME}:{props.get('project')}:{props.get('managedZone')}:{spec.host(props.get('name'))}",
            spec.rdata_records(props.get("rrdatas")))


stack_settings = spec.as_given

if TYPE_CHECKING:  # mypy checks this module against the backend contract
    from . import clouddns as _this

    _CONTRACT: Backend = _this
