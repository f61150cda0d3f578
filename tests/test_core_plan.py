"""plan_mx: the seed example, each normalisation, each rejection (field + fix)."""

import subprocess
import sys

import pytest

from mxsplit_component import MxPlan, MxRecord, MxSplitError, plan_mx

SEED_V4 = "contoso.mail.protection.outlook.com"
SEED_DS = "contoso-com.mail.protection.outlook.com"


def test_seed_example():
    plan = plan_mx(domain="contoso.com", tenant="contoso")
    assert isinstance(plan, MxPlan)
    assert plan.ipv4_only_host == SEED_V4
    assert plan.dual_stack_host == SEED_DS
    assert plan.records == (MxRecord(preference=0, exchange=SEED_V4), MxRecord(preference=10, exchange=SEED_DS))
    assert plan.zone_records == [
        "contoso.com. 3600 IN MX 0 contoso.mail.protection.outlook.com.",
        "contoso.com. 3600 IN MX 10 contoso-com.mail.protection.outlook.com.",
    ]
    assert plan.mx_records == [{"preference": 0, "exchange": SEED_V4}, {"preference": 10, "exchange": SEED_DS}]
    assert plan.dual_stack_host_derived is True
    assert plan.tenant_domain == "contoso.onmicrosoft.com"


def test_plan_mx_is_keyword_only():
    with pytest.raises(TypeError):
        plan_mx("contoso.com", "contoso")  # type: ignore[misc]


@pytest.mark.parametrize("tenant", ["contoso", "Contoso", "contoso.onmicrosoft.com", "CONTOSO.OnMicrosoft.COM.",
                                    "contoso.", " contoso "])
def test_tenant_forms(tenant):
    assert plan_mx(domain="contoso.com", tenant=tenant).tenant == "contoso"


@pytest.mark.parametrize("tenant, fragment", [
    ("", "tenant is empty"),
    ("contoso-corp", "only letters and digits"),
    ("contoso_corp", "only letters and digits"),
    ("contoso.com", "not an initial domain"),
    ("contoso.partner.onmschina.cn", "another cloud"),
    ("a" * 64, "longer than 63"),
    ("cöntoso", "only letters and digits"),
])
def test_tenant_rejections(tenant, fragment):
    with pytest.raises(MxSplitError, match=fragment) as err:
        plan_mx(domain="contoso.com", tenant=tenant)
    assert err.value.field == "tenant"


def test_subdomain_and_multi_label():
    plan = plan_mx(domain="Mail.Contoso.co.uk.", tenant="contoso")
    assert plan.domain == "mail.contoso.co.uk"
    assert plan.dual_stack_host == "mail-contoso-co-uk.mail.protection.outlook.com"


def test_idn_domain_requires_explicit_host():
    # The A-label of an IDN contains "xn--": Microsoft's token for it is not derivable.
    with pytest.raises(MxSplitError, match="Microsoft assigns a different token") as err:
        plan_mx(domain="bücher.de", tenant="buecher")
    assert err.value.field == "dual_stack_host"
    assert "admin center" in str(err.value) and "serviceConfigurationRecords" in str(err.value)
    plan = plan_mx(domain="bücher.de", tenant="buecher", dual_stack_host="xnbcher-kva-de01b.mail.protection.outlook.com")
    assert plan.domain == "xn--bcher-kva.de"
    assert plan.dual_stack_host_derived is False


def test_hyphenated_domain_requires_explicit_host():
    with pytest.raises(MxSplitError, match="domain-withdash.com -> domainwithdash-com01e") as err:
        plan_mx(domain="domain-withdash.com", tenant="contoso")
    assert err.value.field == "dual_stack_host"
    plan = plan_mx(domain="domain-withdash.com", tenant="contoso",
                   dual_stack_host="DomainWithDash-com01e.mail.protection.outlook.com.")
    assert plan.dual_stack_host == "domainwithdash-com01e.mail.protection.outlook.com"


def test_token_too_long_requires_explicit_host():
    domain = "a" * 40 + "." + "b" * 30 + ".com"
    with pytest.raises(MxSplitError, match="more than a DNS label holds") as err:
        plan_mx(domain=domain, tenant="contoso")
    assert err.value.field == "dual_stack_host"


def test_onmicrosoft_domain_rejected():
    with pytest.raises(MxSplitError, match="tenant's initial domain") as err:
        plan_mx(domain="contoso.onmicrosoft.com", tenant="contoso")
    assert err.value.field == "domain"


@pytest.mark.parametrize("field", ["dual_stack_host", "ipv4_only_host"])
@pytest.mark.parametrize("host, fragment", [
    ("mail.contoso.com", "is not a Microsoft 365 inbound host"),
    ("a.b.mail.protection.outlook.com", "does not have the shape <token>.mail.protection.outlook.com"),
    ("contoso-com.mx.microsoft", "<token>.<assigned>.mx.microsoft"),
    ("contoso-com.mail.protection.partner.outlook.cn", "is not a Microsoft 365 inbound host"),
    ("bad_host.mail.protection.outlook.com", "contains '_'"),
])
def test_explicit_host_rejections(field, host, fragment):
    with pytest.raises(MxSplitError, match=fragment) as err:
        plan_mx(domain="contoso.com", tenant="contoso", **{field: host})
    assert err.value.field == field


def test_explicit_mx_microsoft_host_accepted():
    plan = plan_mx(domain="contoso.com", tenant="contoso", dual_stack_host="contoso-com.o-v1.mx.microsoft")
    assert plan.records[1].exchange == "contoso-com.o-v1.mx.microsoft"


def test_ipv4_only_host_overrides_tenant_host():
    plan = plan_mx(domain="contoso.com", tenant="contoso", ipv4_only_host="contosomail-net.mail.protection.outlook.com")
    assert plan.ipv4_only_host == "contosomail-net.mail.protection.outlook.com"
    assert plan.tenant_host == SEED_V4
    assert plan.records[0] == MxRecord(0, "contosomail-net.mail.protection.outlook.com")


def test_hosts_must_differ():
    with pytest.raises(MxSplitError, match="both MX records would point at") as err:
        plan_mx(domain="contoso.com", tenant="contoso", ipv4_only_host=SEED_DS)
    assert err.value.field == "ipv4_only_host"
    with pytest.raises(MxSplitError, match="both MX records would point at") as err:
        plan_mx(domain="contoso.com", tenant="contoso", dual_stack_host=SEED_V4)
    assert err.value.field == "dual_stack_host"


def test_standard_mode():
    plan = plan_mx(domain="contoso.com", tenant="contoso", mode="Standard")
    assert plan.mode == "standard"
    assert plan.records == (MxRecord(0, SEED_DS),)
    assert plan.record_for("ipv4-only") is None
    assert plan.record_for("dual-stack") == MxRecord(0, SEED_DS)
    # standard mode does not care about the order of priorities, only their range
    assert plan_mx(domain="contoso.com", tenant="contoso", mode="standard", primary_priority=5,
                   secondary_priority=5).records == (MxRecord(5, SEED_DS),)


def test_tenant_still_required_in_standard_mode():
    with pytest.raises(MxSplitError) as err:
        plan_mx(domain="contoso.com", tenant="", mode="standard")
    assert err.value.field == "tenant"


def test_custom_priorities():
    plan = plan_mx(domain="contoso.com", tenant="contoso", primary_priority=5, secondary_priority=20)
    assert [r.preference for r in plan.records] == [5, 20]


@pytest.mark.parametrize("kwargs, field, fragment", [
    ({"primary_priority": -1}, "primary_priority", "outside 0..65535"),
    ({"primary_priority": 70000}, "primary_priority", "outside 0..65535"),
    ({"secondary_priority": 65536}, "secondary_priority", "outside 0..65535"),
    ({"primary_priority": 10, "secondary_priority": 10}, "secondary_priority", "must be greater than"),
    ({"primary_priority": 20, "secondary_priority": 10}, "secondary_priority", "must be greater than"),
    ({"primary_priority": True}, "primary_priority", "must be an integer"),
    ({"primary_priority": "0"}, "primary_priority", "must be an integer"),
    ({"ttl": 0}, "ttl", "outside 1..2147483647"),
    ({"ttl": 2147483648}, "ttl", "outside 1..2147483647"),
    ({"ttl": 1.5}, "ttl", "must be an integer"),
    ({"ttl": 3600.5}, "ttl", "must be an integer, got 3600.5"),
    ({"primary_priority": float("nan")}, "primary_priority", "must be an integer"),
    ({"secondary_priority": float("inf")}, "secondary_priority", "must be an integer"),
    ({"mode": "dual"}, "mode", "use 'split'"),
    ({"mode": None}, "mode", "unknown"),
    ({"cloud": "azure"}, "cloud", "use one of: commercial, gcc, china"),
])
def test_numeric_and_choice_rejections(kwargs, field, fragment):
    with pytest.raises(MxSplitError, match=fragment) as err:
        plan_mx(domain="contoso.com", tenant="contoso", **kwargs)
    assert err.value.field == field


def test_ttl_bounds_accepted():
    assert plan_mx(domain="contoso.com", tenant="contoso", ttl=1).ttl == 1
    assert plan_mx(domain="contoso.com", tenant="contoso", ttl=2147483647).ttl == 2147483647


@pytest.mark.parametrize("cloud", ["gcc-high", "GCC High".replace(" ", "-"), "gcchigh", "dod", "DoD"])
def test_sovereign_clouds_refused(cloud):
    with pytest.raises(MxSplitError, match="no dual-stack host to split to") as err:
        plan_mx(domain="contoso.com", tenant="contoso", cloud=cloud)
    assert err.value.field == "cloud"
    assert "office365.us" in str(err.value)


def test_gcc_is_commercial():
    plan = plan_mx(domain="contoso.com", tenant="contoso", cloud="GCC")
    assert plan.cloud == "commercial" and plan.dual_stack_host == SEED_DS


def test_china_cloud():
    with pytest.raises(MxSplitError, match="cannot be derived in cloud 'china'") as err:
        plan_mx(domain="contoso.cn", tenant="contoso", cloud="china")
    assert err.value.field == "dual_stack_host"
    plan = plan_mx(domain="contoso.cn", tenant="contoso.partner.onmschina.cn", cloud="china",
                   dual_stack_host="contoso-cn.mail.protection.partner.outlook.cn")
    assert plan.ipv4_only_host == "contoso.mail.protection.partner.outlook.cn"
    assert plan.tenant_domain == "contoso.partner.onmschina.cn"
    with pytest.raises(MxSplitError, match="another cloud"):
        plan_mx(domain="contoso.cn", tenant="contoso.onmicrosoft.com", cloud="china",
                dual_stack_host="contoso-cn.mail.protection.partner.outlook.cn")


def test_core_does_not_import_pulumi():
    code = ("import sys, mxsplit_component, mxsplit_component.core, mxsplit_component.simulation, "
            "mxsplit_component.render, mxsplit_component.backends;"
            "mxsplit_component.plan_mx(domain='contoso.com', tenant='contoso');"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pulumi', 'pulumi_azure_native', 'pulumi_cloudflare', 'grpc'));"
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_whole_number_doubles_are_integers():
    """The Pulumi engine protocol sends every number as a double (ttl: 3600 arrives as 3600.0)."""
    plan = plan_mx(domain="contoso.com", tenant="contoso", ttl=3600.0, primary_priority=0.0,
                   secondary_priority=10.0)
    assert (plan.ttl, plan.primary_priority, plan.secondary_priority) == (3600, 0, 10)
    assert all(type(v) is int for v in (plan.ttl, plan.primary_priority, plan.secondary_priority))
    assert plan.zone_records[0] == "contoso.com. 3600 IN MX 0 contoso.mail.protection.outlook.com."


def test_a_huge_double_is_named_as_given():
    """Over the engine protocol every number is a double: 1e300 is shown as sent, not as 301 digits."""
    with pytest.raises(MxSplitError) as err:
        plan_mx(domain="contoso.com", tenant="contoso", ttl=1e300)
    assert err.value.field == "ttl"
    assert str(err.value).startswith("ttl 1e+300 is outside 1..2147483647")
