"""Safe migration under mocks: adopt ids reach the right child; the Azure guard refuses foreign MX."""

import pytest

import mxsplit_component.component as component_module
from mxsplit_component import MxSplitError
from mxsplit_component.component import AdoptionRefusedError
from mxsplit_component.testing.mocks import RecordingMocks, run_program, value
from tests.support.programs import seed_component

DS = "contoso-com.mail.protection.outlook.com"
ARM = ("/subscriptions/0000/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/contoso.com/MX/@")
GET_SET = "azure-native:dns:getRecordSet"


def azure(**extra):
    return seed_component("azure", **extra)


def cloudflare(**extra):
    return seed_component("cloudflare", **extra)


def existing_set(*values):
    return {GET_SET: {"mxRecords": [{"preference": p, "exchange": e} for p, e in values], "ttl": 3600,
                      "name": "@", "type": "Microsoft.Network/dnszones/MX", "id": ARM}}


def test_azure_adopt_imports_the_set_after_reading_it():
    mocks = RecordingMocks(calls=existing_set((0, DS)))
    mocks, comp, _ = run_program(azure(adopt={"mx": ARM}), mocks=mocks)
    [rs] = mocks.by_type("azure-native:dns:RecordSet")
    assert rs.resource_id == ARM
    [invoke] = mocks.invokes
    assert invoke.token == GET_SET
    assert invoke.args["relativeRecordSetName"] == "@" and invoke.args["recordType"] == "MX"
    assert invoke.args["zoneName"] == "contoso.com" and invoke.args["resourceGroupName"] == "dns-rg"
    assert [r["exchange"] for r in rs.inputs["mxRecords"]] == ["contoso.mail.protection.outlook.com", DS]


def test_azure_guard_refuses_foreign_mx():
    mocks = RecordingMocks(calls=existing_set((0, DS), (20, "backup.mailhost.example.net.")))
    with pytest.raises(AdoptionRefusedError, match="holds 20 backup.mailhost.example.net, which is not a "
                       "Microsoft 365 host") as err:
        run_program(azure(adopt={"mx": ARM}), mocks=mocks)
    assert err.value.field == "adopt.mx"  # snake_case for Python callers
    assert err.value.error.foreign == ("20 backup.mailhost.example.net",)
    assert "Output" not in str(err.value)
    assert mocks.by_type("azure-native:dns:RecordSet") == []


def test_azure_guard_can_be_overridden():
    mocks = RecordingMocks(calls=existing_set((0, DS), (20, "backup.mailhost.example.net.")))
    mocks, _, _ = run_program(azure(adopt={"mx": ARM}, allow_foreign_mx=True), mocks=mocks)
    [rs] = mocks.by_type("azure-native:dns:RecordSet")
    assert rs.resource_id == ARM and len(rs.inputs["mxRecords"]) == 2


def test_no_adopt_no_read_no_import():
    mocks, _, _ = run_program(azure())
    assert mocks.invokes == []
    assert mocks.by_type("azure-native:dns:RecordSet")[0].resource_id in (None, "")


@pytest.mark.parametrize("adopt, fragment", [
    ({"mx": "not-an-id"}, "is not an Azure DNS record set id"),
    ({"mx": ARM.replace("/MX/", "/TXT/")}, "names a TXT record set"),
    ({"mx": ARM.replace("dns-rg", "other-rg")}, "points at rg 'other-rg'"),
    ({"mx": ARM.replace("/@", "/www")}, "points at name 'www'"),
    ({"dual_stack": "zone123/rec"}, "does not apply to azure; use mx"),
])
def test_azure_adopt_id_checked_before_anything(adopt, fragment):
    mocks = RecordingMocks()
    with pytest.raises(MxSplitError, match=fragment):
        run_program(azure(adopt=adopt), mocks=mocks)
    assert mocks.resources == []


def test_cloudflare_adopt_existing_mx_as_dual_stack():
    mocks, _, _ = run_program(cloudflare(adopt={"dual_stack": "zone123/abc123"}))
    records = {r.name: r for r in mocks.by_type("cloudflare:index/dnsRecord:DnsRecord")}
    assert records["contoso-dual-stack"].resource_id == "zone123/abc123"
    assert records["contoso-ipv4-only"].resource_id in (None, "")
    # the adopted record keeps its existing (absent) comment, so the import matches
    assert "comment" not in records["contoso-dual-stack"].inputs
    assert "comment" in records["contoso-ipv4-only"].inputs


def test_cloudflare_standard_mode_adoption_step():
    """The fallback for older CLIs: adopt in standard mode with the existing inputs first."""
    mocks, comp, _ = run_program(cloudflare(mode="standard", adopt={"dual_stack": "zone123/abc123"}))
    [rec] = mocks.by_type("cloudflare:index/dnsRecord:DnsRecord")
    assert rec.name == "contoso-dual-stack" and rec.resource_id == "zone123/abc123"
    assert (rec.inputs["content"], rec.inputs["priority"]) == (DS, 0)
    assert value(comp.mx_records) == [{"preference": 0, "exchange": DS}]


@pytest.mark.parametrize("adopt, fragment", [
    ({"dual_stack": "abc123"}, "is not a Cloudflare import id"),
    ({"dual_stack": "otherzone/abc123"}, "is in zone 'otherzone'"),
    ({"mx": "zone123/abc"}, "does not apply to cloudflare"),
])
def test_cloudflare_adopt_id_checked(adopt, fragment):
    with pytest.raises(MxSplitError, match=fragment):
        run_program(cloudflare(adopt=adopt))


def test_adopt_ipv4_only_in_standard_mode_is_refused():
    with pytest.raises(MxSplitError, match="declares no ipv4-only record") as err:
        run_program(cloudflare(mode="standard", adopt={"ipv4_only": "zone123/abc"}))
    assert err.value.field == "adopt.ipv4_only"


def test_protect_and_retain_on_delete_reach_every_child(monkeypatch):
    seen = []
    original = component_module.declare

    def spy(spec, name, opts):
        seen.append((spec.role, opts.protect, opts.retain_on_delete, opts.parent))
        return original(spec, name, opts)

    monkeypatch.setattr(component_module, "declare", spy)
    _, comp, _ = run_program(cloudflare(protect=True, retain_on_delete=True))
    assert [(role, p, r) for role, p, r, _ in seen] == [("ipv4-only", True, True), ("dual-stack", True, True)]
    assert all(parent is comp for *_, parent in seen)


def test_protect_must_be_bool():
    with pytest.raises(MxSplitError, match="protect must be true or false"):
        run_program(cloudflare(protect="yes"))
