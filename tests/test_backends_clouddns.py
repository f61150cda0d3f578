"""Cloud DNS backend description on pure data: stored form, adoption ids, existing sets."""

import pytest

from mxsplit_component import MxSplitError, plan_mx
from mxsplit_component.backends import clouddns
from mxsplit_component.backends.base import AdoptionRefused, guard_existing
from mxsplit_component.core.plan import MxRecord

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"
PLAN = plan_mx(domain="CONTOSO.com", tenant="contoso")
FULL_ID = "projects/acme-dns/managedZones/contoso-com/rrsets/contoso.com./MX"


def spec(**settings):
    [s] = clouddns.describe(PLAN, {"managed_zone": "contoso-com", **settings})
    return s


def test_one_record_set_in_the_stored_form():
    s = spec()
    assert (s.type_token, s.module, s.class_name, s.role) == ("gcp:dns/recordSet:RecordSet", "pulumi_gcp.dns",
                                                               "RecordSet", "mx")
    # name absolute with its dot (the provider rejects it otherwise); no project: the provider's applies.
    assert dict(s.inputs) == {"managed_zone": "contoso-com", "name": "contoso.com.", "type": "MX", "ttl": 3600,
                              "rrdatas": [f"0 {V4}.", f"10 {DS}."]}


def test_project_only_when_given():
    assert spec(project="acme-dns").inputs["project"] == "acme-dns"
    assert "project" not in spec(project=None).inputs


def test_names_for_errors_use_the_args_key():
    assert (clouddns.NAME, clouddns.ARGS_KEY) == ("cloud-dns", "cloud_dns")


@pytest.mark.parametrize("settings, field, fragment", [
    ({}, "cloud_dns.managed_zone", "cloud_dns.managed_zone is required"),
    ({"managed_zone": "contoso.com."}, "cloud_dns.managed_zone", "not its DNS name"),
    ({"managed_zone": "Contoso"}, "cloud_dns.managed_zone", "is not a managed zone name"),
    ({"managed_zone": "z", "zone_id": "x"}, "cloud_dns.zone_id", "use managed_zone, project"),
])
def test_bad_settings_name_the_field(settings, field, fragment):
    with pytest.raises(MxSplitError) as exc:
        clouddns.describe(PLAN, settings)
    assert exc.value.field == field and fragment in str(exc.value)


def test_managed_zone_may_be_a_resource_path_or_an_output():
    path = "projects/acme-dns/managedZones/contoso-com"
    assert spec(managed_zone=path).inputs["managed_zone"] == path
    out = object()
    assert spec(managed_zone=out).inputs["managed_zone"] is out


def test_capabilities_say_create_replaces_silently():
    caps = {c.name: c for c in clouddns.CAPABILITIES}
    assert caps["create-over-existing"].supported
    assert "silently" in caps["create-over-existing"].reason
    assert caps["one-set-per-name"].supported and not caps["partial-update"].supported


def test_import_id():
    assert clouddns.import_id("acme-dns", "contoso-com", "Contoso.com") == FULL_ID


def test_adopt_id_accepted():
    assert clouddns.check_adopt_id("mx", f" {FULL_ID} ", spec(project="acme-dns")) == FULL_ID
    assert clouddns.check_adopt_id("mx", FULL_ID.replace("contoso.com.", "contoso.com"),
                                   spec(project="acme-dns")) == FULL_ID
    # A project that is another resource's output is checked by the provider, not here.
    other = FULL_ID.replace("acme-dns", "other")
    assert clouddns.check_adopt_id("mx", other, spec(project=object())) == other


def test_adopting_needs_the_project_so_the_read_and_the_import_agree():
    """Without it the read before adoption would look in the provider's default project."""
    with pytest.raises(MxSplitError) as exc:
        clouddns.check_adopt_id("mx", FULL_ID, spec())
    assert exc.value.field == "cloud_dns.project"
    assert "'project': 'acme-dns'" in str(exc.value)


@pytest.mark.parametrize("value, fragment", [
    ("contoso-com/contoso.com./MX", "is not a Cloud DNS import id"),
    (FULL_ID.replace("/MX", "/TXT"), "names a TXT record set"),
    (FULL_ID.replace("acme-dns", "other"), "points at project 'other', but the component manages 'acme-dns'"),
    (FULL_ID.replace("managedZones/contoso-com", "managedZones/legacy"), "points at managed zone 'legacy'"),
    (FULL_ID.replace("rrsets/contoso.com.", "rrsets/www.contoso.com."), "points at name 'www.contoso.com'"),
    (42, "is not a Cloud DNS import id"),
])
def test_adopt_id_rejected(value, fragment):
    with pytest.raises(MxSplitError) as exc:
        clouddns.check_adopt_id("mx", value, spec(project="acme-dns"))
    assert exc.value.field == "adopt.mx" and fragment in str(exc.value)


def test_existing_values_and_guard():
    class Result:  # the shape of gcp.dns.get_record_set's result
        rrdatas = [f"0 {DS}.", "20 gw.example.net."]

    values = clouddns.existing_values(Result())
    assert values == [f"0 {DS}.", "20 gw.example.net."]
    assert clouddns.existing_values({"rrdatas": None}) == [] and clouddns.existing_values(None) == []
    existing = clouddns.adopted(spec(project="acme-dns"), PLAN).existing
    assert existing is not None
    records = existing.values(Result())
    assert records == [MxRecord(0, DS), MxRecord(20, "gw.example.net")]
    planned = spec().inputs["rrdatas"]
    with pytest.raises(AdoptionRefused, match="holds 20 gw.example.net, which is not a Microsoft 365 host"):
        guard_existing(planned, False, "adopt.mx", records)
    assert guard_existing(planned, False, "adopt.mx", existing.values({"rrdatas": [f"0 {DS}."]})) is planned


def test_adoption_reads_the_set_in_the_declared_project():
    adopting = clouddns.adopted(spec(project="acme-dns"), PLAN)
    assert adopting.spec == spec(project="acme-dns")
    existing = adopting.existing
    assert existing is not None
    assert (existing.module, existing.function, existing.guarded_input) == ("pulumi_gcp.dns", "get_record_set_output",
                                                                            "rrdatas")
    assert dict(existing.args) == {"managed_zone": "contoso-com", "name": "contoso.com.", "project": "acme-dns",
                                   "type": "MX"}
