"""`mxsplit plan --format …`: only the document on stdout, many domains into a folder, import ids."""

import json
import subprocess
import sys

import pytest

from mxsplit_component.cli import main

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_issue_example_route53_tf_json(capsys):
    code, out, err = run(capsys, "plan", "contoso.com", "--tenant", "contoso", "--format", "tf-json",
                         "--provider", "route53")
    assert (code, err) == (0, "")
    doc = json.loads(out)  # nothing but the document on stdout
    body = doc["resource"]["aws_route53_record"]["contoso_com"]
    assert body["records"] == [f"0 {V4}.", f"10 {DS}."]
    assert body["zone_id"] == "${var.contoso_com_zone_id}"


@pytest.mark.parametrize("fmt, first_line", [
    ("zone", f"contoso.com. 3600 IN MX 0 {V4}."),
    ("dnscontrol", f'MX("@", 0, "{V4}.", TTL(3600)),'),
    ("octodns", "---"),
])
def test_formats_without_provider_print_only_the_document(capsys, fmt, first_line):
    code, out, err = run(capsys, "plan", "contoso.com", "--tenant", "contoso", "--format", fmt)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == first_line
    assert "Rules" not in out and "simulation" not in out.lower()


def test_adopt_becomes_an_import_block(capsys):
    code, out, _ = run(capsys, "plan", "contoso.com", "--tenant", "contoso", "--format", "tf-json", "--provider",
                       "cloud-dns", "--managed-zone", "contoso-com", "--project", "acme", "--adopt",
                       "mx=projects/acme/managedZones/contoso-com/rrsets/contoso.com./MX")
    doc = json.loads(out)
    assert code == 0 and "variable" not in doc
    assert doc["import"] == [{"to": "google_dns_record_set.contoso_com",
                              "id": "projects/acme/managedZones/contoso-com/rrsets/contoso.com./MX"}]


@pytest.mark.parametrize("argv, field_fragment", [
    (["--format", "tf-json"], "pass --provider"),
    (["--format", "zone", "--json"], "drop --json"),
    (["--format", "zone", "--out-dir", "x"], "--out-dir goes with --file"),
    (["--format", "zone", "--adopt", "mx=x"], "use it with --format tf-json"),
    (["--adopt", "mx=x"], "use it with --format tf-json"),
    (["--format", "tf-json", "--provider", "route53", "--adopt", "mx"], "is not ROLE=ID"),
    (["--format", "tf-json", "--provider", "route53", "--adopt", "mx=a", "--adopt", "mx=b"], "given twice"),
    (["--format", "tf-json", "--provider", "route53", "--adopt", "mx=Z1_other.com_MX"], "points at name 'other.com'"),
    (["--format", "tf-json", "--provider", "route53", "--zone-id", "contoso.com"], "not a Route 53 hosted zone id"),
    (["--format", "tf-json", "--provider", "cloud-dns", "--managed-zone", "contoso.com."], "not its DNS name"),
    # A setting of another provider is not dropped silently (the document would lack what was asked for).
    (["--format", "tf-json", "--provider", "route53", "--managed-zone", "contoso-com"],
     "--managed-zone is a cloud-dns setting; --provider route53 takes --zone-id"),
    (["--format", "tf-json", "--provider", "azure", "--resource-group", "rg", "--zone-id", "Z1"],
     "--zone-id is a cloudflare and route53 setting; --provider azure takes --resource-group, --zone-name"),
    (["--provider", "cloudflare", "--project", "acme"], "--project is a cloud-dns setting"),
    (["--zone-id", "Z1"], "--zone-id is a cloudflare and route53 setting; pass --provider"),
])
def test_bad_export_flags_exit_2(capsys, argv, field_fragment):
    code, out, err = run(capsys, "plan", "contoso.com", "--tenant", "contoso", *argv)
    assert (code, out) == (2, "")
    assert field_fragment in err


def test_new_providers_in_the_plain_report(capsys):
    code, out, _ = run(capsys, "plan", "contoso.com", "--tenant", "contoso", "--provider", "route53", "--json")
    [res] = json.loads(out)["resources"]
    assert code == 0 and res["type"] == "aws:route53/record:Record" and res["name"] == "contoso-com-mx"
    assert res["inputs"]["zone_id"] == "<zone_id>"
    code, out, _ = run(capsys, "plan", "contoso.com", "--tenant", "contoso", "--provider", "cloud-dns",
                       "--managed-zone", "contoso-com")
    assert code == 0 and "gcp:dns/recordSet:RecordSet" in out


CSV = "domain,tenant,mode\ncontoso.com,contoso,\n1fabrikam.com,fabrikam,standard\nbad_domain.com,contoso,\n"


@pytest.mark.parametrize("fmt", ["zone", "tf-json", "dnscontrol", "octodns"])
def test_file_writes_one_document_per_row(capsys, tmp_path, fmt):
    csv = tmp_path / "domains.csv"
    csv.write_text(CSV)
    out_dir = tmp_path / "out" / fmt
    code, out, err = run(capsys, "plan", "--file", str(csv), "--format", fmt, "--provider", "route53",
                         "--out-dir", str(out_dir))
    assert code == 2  # the bad row
    assert f"{csv}:4: domain 'bad_domain.com': contains '_'" in err
    names = sorted(p.name for p in out_dir.iterdir())
    suffix = {"zone": ".zone", "tf-json": ".tf.json", "dnscontrol": ".js", "octodns": ".yaml"}[fmt]
    assert names == sorted(f"{d}{suffix}" for d in ("contoso.com", "1fabrikam.com"))
    assert out.splitlines() == [str(out_dir / f"contoso.com{suffix}"), str(out_dir / f"1fabrikam.com{suffix}")]
    standard = (out_dir / f"1fabrikam.com{suffix}").read_text()
    assert "1fabrikam-com.mail.protection.outlook.com" in standard and "fabrikam.mail" not in standard


def test_file_tf_json_documents_share_one_module(tmp_path, capsys):
    """Per-domain variable and resource names: the folder's files never declare a name twice."""
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\ncontoso.com,contoso\nfabrikam.com,fabrikam\n")
    code, _, _ = run(capsys, "plan", "--file", str(csv), "--format", "tf-json", "--provider", "route53",
                     "--out-dir", str(tmp_path / "tf"))
    docs = [json.loads(p.read_text()) for p in sorted((tmp_path / "tf").iterdir())]
    variables = [v for d in docs for v in d["variable"]]
    resources = [r for d in docs for r in d["resource"]["aws_route53_record"]]
    assert code == 0
    assert len(set(variables)) == len(variables) == 2 and len(set(resources)) == len(resources) == 2


@pytest.mark.parametrize("argv, fragment", [
    (["--format", "zone"], "name the folder with --out-dir"),
    (["--out-dir", "o"], "pass --format"),
    (["--format", "tf-json", "--out-dir", "o"], "pass --provider"),
    (["--format", "zone", "--out-dir", "o", "--name", "x"], "--name names one domain"),
    (["--format", "tf-json", "--provider", "route53", "--out-dir", "o", "--adopt", "mx=Z1_contoso.com_MX"],
     "--adopt ids belong to one domain"),
])
def test_file_flag_errors(capsys, tmp_path, argv, fragment):
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\ncontoso.com,contoso\n")
    code, out, err = run(capsys, "plan", "--file", str(csv), *[a if a != "o" else str(tmp_path / "o") for a in argv])
    assert (code, out) == (2, "") and fragment in err
    assert not (tmp_path / "o").exists()


def test_file_duplicates_bad_header_and_missing_file(capsys, tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\ncontoso.com,contoso\nCONTOSO.com.,contoso\n")
    code, out, err = run(capsys, "plan", "--file", str(csv), "--format", "zone", "--out-dir", str(tmp_path / "o"))
    assert code == 2 and len(out.splitlines()) == 1 and "domain contoso.com appears twice" in err
    csv.write_text("name,tenant\ncontoso.com,contoso\n")
    code, _, err = run(capsys, "plan", "--file", str(csv), "--format", "zone", "--out-dir", str(tmp_path / "o"))
    assert code == 2 and "missing: domain" in err
    code, _, err = run(capsys, "plan", "--file", str(tmp_path / "none.csv"), "--format", "zone",
                       "--out-dir", str(tmp_path / "o"))
    assert code == 2 and "none.csv: No such file or directory" in err


def test_file_and_domain_are_exclusive(capsys, tmp_path):
    code, _, err = run(capsys, "plan", "contoso.com", "--file", "x.csv", "--format", "zone", "--out-dir", "o")
    assert code == 2 and "either DOMAIN or --file" in err


def test_export_imports_no_pulumi():
    code = ("import sys; from mxsplit_component.cli import main; rc = main(['plan', 'contoso.com', '--tenant', "
            "'contoso', '--format', 'tf-json', '--provider', 'cloud-dns']);"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_gcp', 'pulumi_aws', 'grpc')];"
            "sys.exit(10 + len(bad) if bad else rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "google_dns_record_set" in proc.stdout
