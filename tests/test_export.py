"""Each export, read back by its real consumer (or a real parser) and compared with the plan."""

import ast
import json
import re

import dns.rdatatype
import dns.zone
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mxsplit_component import MxSplitError, plan_mx
from mxsplit_component.export import FORMATS, file_name, render
from mxsplit_component.export.tf_json import TF_TYPES, identifier

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"
PLANS = {
    "split": plan_mx(domain="contoso.com", tenant="contoso", ttl=300),
    "standard": plan_mx(domain="contoso.com", tenant="contoso", mode="standard"),
    "digit": plan_mx(domain="1password.com", tenant="contoso", primary_priority=5, secondary_priority=20),
    "idn": plan_mx(domain="bücher.example", tenant="contoso", dual_stack_host="xnbcherkva-example0c.mail.protection"
                   ".outlook.com"),
}
#: Terraform identifiers: letters, digits, '_' and '-', not starting with a digit.
TF_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def records(plan):
    return {(r.preference, r.exchange) for r in plan.records}


@pytest.mark.parametrize("key", PLANS)
def test_zone_lines_parse_with_dnspython(key):
    plan = PLANS[key]
    zone = dns.zone.from_text(render("zone", plan), origin=plan.domain + ".", relativize=False, check_origin=False)
    rdataset = zone.find_rdataset(plan.domain + ".", dns.rdatatype.MX)
    assert rdataset.ttl == plan.ttl
    assert {(r.preference, r.exchange.to_text(omit_final_dot=True)) for r in rdataset} == records(plan)
    assert len(list(zone.iterate_rdatasets())) == 1


@pytest.mark.parametrize("key", PLANS)
def test_octodns_yaml_provider_loads_the_zone(key, tmp_path):
    from octodns.provider.yaml import YamlProvider
    from octodns.zone import Zone

    plan = PLANS[key]
    (tmp_path / file_name("octodns", plan.domain)).write_text(render("octodns", plan))
    zone = Zone(plan.domain + ".", [])
    # enforce_order stays at its default (on): the file must already be in octoDNS's order.
    YamlProvider("mxsplit", str(tmp_path), escaped_semicolons=False).populate(zone)
    [record] = zone.records
    assert (record.name, record._type, record.ttl) == ("", "MX", plan.ttl)
    assert {(v.preference, v.exchange) for v in record.values} == {(p, e + ".") for p, e in records(plan)}


def dnscontrol_calls(text, domain):
    """Parse the lines inside a D() block; JavaScript call syntax of literals is valid Python too."""
    tree = ast.parse(f'D("{domain}", REG_NONE, DnsProvider(DNS),\n{text})', mode="eval")
    out = []
    for call in tree.body.args[3:]:
        assert isinstance(call, ast.Call) and call.func.id == "MX"
        name, pref, host, ttl = call.args
        assert isinstance(ttl, ast.Call) and ttl.func.id == "TTL"
        out.append((ast.literal_eval(name), ast.literal_eval(pref), ast.literal_eval(host),
                    ast.literal_eval(ttl.args[0])))
    return out


@pytest.mark.parametrize("key", PLANS)
def test_dnscontrol_lines(key):
    plan = PLANS[key]
    calls = dnscontrol_calls(render("dnscontrol", plan), plan.domain)
    assert {c[0] for c in calls} == {"@"} and {c[3] for c in calls} == {plan.ttl}
    assert all(c[2].endswith(".") for c in calls)
    assert {(c[1], c[2][:-1]) for c in calls} == records(plan)


def test_dnscontrol_seed_line():
    assert render("dnscontrol", PLANS["split"]).splitlines()[0] == f'MX("@", 0, "{V4}.", TTL(300)),'


# What each Terraform provider documents for the resource (required, optional we may use).
TF_SCHEMA = {
    "azurerm_dns_mx_record": ({"name", "zone_name", "resource_group_name", "ttl", "record"}, {"tags"}),
    "aws_route53_record": ({"zone_id", "name", "type"}, {"ttl", "records", "allow_overwrite"}),
    "google_dns_record_set": ({"managed_zone", "name", "type"}, {"ttl", "rrdatas", "project"}),
    "cloudflare_dns_record": ({"zone_id", "name", "type", "ttl"}, {"content", "priority", "proxied", "comment"}),
}
SETTINGS = {"azure": {"resource_group_name": "dns-rg"}, "cloudflare": {"zone_id": "0123abcd"},
            "route53": {"zone_id": "Z0123456789ABC"}, "cloud-dns": {"managed_zone": "contoso-com", "project": "acme"}}


def tf_records(provider, body):
    """The MX values a resource body declares, read the way each Terraform provider reads them."""
    if provider == "azure":
        return {(r["preference"], r["exchange"]) for r in body["record"]}
    if provider == "cloudflare":
        return {(body["priority"], body["content"])}
    values = body["records"] if provider == "route53" else body["rrdatas"]
    return {(int(p), h.rstrip(".")) for p, h in (v.split() for v in values)}


@pytest.mark.parametrize("key", PLANS)
@pytest.mark.parametrize("provider", SETTINGS)  # every backend's own shape: in its test_backends_<name>.py
def test_tf_json_shape_and_round_trip(provider, key):
    plan = PLANS[key]
    doc = json.loads(render("tf-json", plan, provider=provider, settings=SETTINGS[provider]))
    assert set(doc) == {"resource"}
    [(tf_type, resources)] = doc["resource"].items()
    assert tf_type == TF_TYPES[provider]
    required, optional = TF_SCHEMA[tf_type]
    found = set()
    for rname, body in resources.items():
        assert TF_IDENT.match(rname), rname
        assert required <= set(body) <= required | optional
        assert body["ttl"] == plan.ttl
        found |= tf_records(provider, body)
    assert found == records(plan)
    # One resource per set, or one per value on Cloudflare.
    assert len(resources) == (len(plan.records) if provider == "cloudflare" else 1)


def test_tf_json_values_in_each_providers_form():
    plan = PLANS["split"]

    def body(provider):
        doc = json.loads(render("tf-json", plan, provider=provider, settings=SETTINGS[provider]))
        return next(iter(doc["resource"][TF_TYPES[provider]].values()))

    assert body("route53")["records"] == [f"0 {V4}.", f"10 {DS}."] and body("route53")["name"] == "contoso.com"
    assert body("cloud-dns")["name"] == "contoso.com." and body("cloud-dns")["project"] == "acme"
    assert body("azure")["name"] == "@" and body("azure")["record"][0] == {"preference": 0, "exchange": V4}
    assert body("cloudflare")["content"] == V4 and body("cloudflare")["proxied"] is False


@pytest.mark.parametrize("provider, setting", [("route53", "zone_id"), ("cloud-dns", "managed_zone"),
                                               ("azure", "resource_group_name"), ("cloudflare", "zone_id")])
def test_missing_settings_become_declared_variables(provider, setting):
    plan = PLANS["digit"]
    text = render("tf-json", plan, provider=provider)
    doc = json.loads(text)
    var = f"_1password_com_{setting}"
    assert doc["variable"] == {var: {"type": "string", "description": f"{setting} for the MX records of 1password.com"}}
    referenced = set(re.findall(r"\$\{var\.([A-Za-z0-9_-]+)\}", text))
    assert referenced == {var} and TF_IDENT.match(var)


@pytest.mark.parametrize("provider, adopt, to, import_id", [
    ("route53", {"mx": "Z0123456789ABC_contoso.com_MX"}, "aws_route53_record.contoso_com",
     "Z0123456789ABC_contoso.com_MX"),
    ("cloud-dns", {"mx": "projects/acme/managedZones/contoso-com/rrsets/contoso.com./MX"},
     "google_dns_record_set.contoso_com", "projects/acme/managedZones/contoso-com/rrsets/contoso.com./MX"),
    ("azure", {"mx": "/subscriptions/0000/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/contoso.com/MX/@"},
     "azurerm_dns_mx_record.contoso_com",
     "/subscriptions/0000/resourceGroups/dns-rg/providers/Microsoft.Network/dnsZones/contoso.com/MX/@"),
    ("cloudflare", {"dual_stack": "0123abcd/ffff0000"}, "cloudflare_dns_record.contoso_com_dual_stack",
     "0123abcd/ffff0000"),
])
def test_import_blocks_from_adoption_ids(provider, adopt, to, import_id):
    doc = json.loads(render("tf-json", PLANS["split"], provider=provider, settings=SETTINGS[provider], adopt=adopt))
    assert doc["import"] == [{"to": to, "id": import_id}]
    tf_type, rname = to.split(".")
    assert rname in doc["resource"][tf_type]


@pytest.mark.parametrize("provider, adopt, field, fragment", [
    ("route53", {"mx": "ZOTHER_contoso.com_MX"}, "adopt.mx", "is in hosted zone 'ZOTHER'"),
    ("route53", {"dual_stack": "x"}, "adopt.dual_stack", "does not apply to route53; use mx"),
    ("cloudflare", {"ipv4_only": "0123abcd/1"}, "adopt.ipv4_only", "declares no ipv4-only record"),
])
def test_bad_adoption_ids(provider, adopt, field, fragment):
    plan = PLANS["standard"] if provider == "cloudflare" else PLANS["split"]
    with pytest.raises(MxSplitError) as exc:
        render("tf-json", plan, provider=provider, settings=SETTINGS[provider], adopt=adopt)
    assert exc.value.field == field and fragment in str(exc.value)


def test_tf_json_needs_a_provider_and_formats_are_known():
    with pytest.raises(MxSplitError) as exc:
        render("tf-json", PLANS["split"])
    assert exc.value.field == "provider"
    with pytest.raises(MxSplitError) as exc:
        render("bind", PLANS["split"])
    assert exc.value.field == "format" and "zone, tf-json, dnscontrol, octodns" in str(exc.value)
    assert [f.name for f in FORMATS.values() if f.needs_provider] == ["tf-json"]


def test_file_names():
    assert [file_name(f, "contoso.com") for f in FORMATS] == ["contoso.com.zone", "contoso.com.tf.json",
                                                              "contoso.com.js", "contoso.com.yaml"]


@given(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?){1,3}", fullmatch=True))
def test_identifier_is_always_a_terraform_identifier(name):
    assert TF_IDENT.match(identifier(name))
    assert TF_IDENT.match(identifier(name.replace(".", "-")))


def test_exports_and_new_backends_import_no_pulumi():
    import subprocess
    import sys

    code = ("import sys; from mxsplit_component import plan_mx; from mxsplit_component.export import render;"
            "from mxsplit_component.backends import route53, clouddns;"
            "p = plan_mx(domain='contoso.com', tenant='contoso');"
            "[render(f, p, provider='route53') for f in ('zone', 'tf-json', 'dnscontrol', 'octodns')];"
            "route53.describe(p, {'zone_id': 'Z1'}); clouddns.describe(p, {'managed_zone': 'z'});"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_aws', 'pulumi_gcp', 'grpc',"
            " 'yaml', 'octodns'));"
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("one, other", [
    ("dev.contoso.com", "dev-contoso.com"),     # a dot and a hyphen
    ("mx.1password.com", "1password.com"),      # a digit-first domain and the same with a label before it
    ("a-b.c.com", "a.b-c.com"),
])
def test_identifiers_of_different_domains_differ(one, other):
    """A folder of per-domain files is one Terraform module: no two domains may share a name."""
    assert identifier(one) != identifier(other)
    assert TF_IDENT.match(identifier(one)) and TF_IDENT.match(identifier(other))


@given(st.lists(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,4}[a-z0-9])?){1,3}",
                              fullmatch=True), min_size=2, max_size=6, unique=True))
def test_identifier_is_one_to_one_on_domain_names(names):
    assert len({identifier(n) for n in names}) == len(names)


def test_tf_json_strings_are_literal_never_terraform_templates():
    """Terraform reads every JSON string as a template: a setting holding ``${…}`` or ``%{…}`` is escaped
    (``$${``, ``%%{``), so it stays the text that was given and is never evaluated."""
    plan = PLANS["split"]
    given = '${var.x}%{ if true }x%{ endif }'
    doc = json.loads(render("tf-json", plan, provider="azure", settings={"resource_group_name": given},
                            adopt={"mx": f"/subscriptions/0000/resourceGroups/{given}/providers/Microsoft.Network/"
                                         "dnszones/contoso.com/MX/@"}))
    [body] = doc["resource"]["azurerm_dns_mx_record"].values()
    assert body["resource_group_name"] == "$${var.x}%%{ if true }x%%{ endif }"
    [block] = doc["import"]
    assert "/resourceGroups/$${var.x}%%{ if true }x%%{ endif }/" in block["id"]
    assert "variable" not in doc  # a declared variable is still referenced as one, when a setting is missing
    assert "${var.contoso_com_resource_group_name}" in render("tf-json", plan, provider="azure")
