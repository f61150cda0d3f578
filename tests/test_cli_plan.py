"""`mxsplit plan`: the quick-start command. No network, no pulumi import."""

import json
import subprocess
import sys

import pytest

from mxsplit_component.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_seed_example_text(capsys):
    code, out, _ = run(capsys, "plan", "contoso.com", "--tenant", "contoso")
    assert code == 0
    assert "  contoso.com. 3600 IN MX 0 contoso.mail.protection.outlook.com.\n" in out
    assert "  contoso.com. 3600 IN MX 10 contoso-com.mail.protection.outlook.com.\n" in out
    assert "dual-stack-host-derived" in out


def test_json_output(capsys):
    code, out, _ = run(capsys, "plan", "contoso.com", "--tenant", "contoso", "--provider", "azure",
                       "--resource-group", "dns-rg", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["mx_records"] == [{"preference": 0, "exchange": "contoso.mail.protection.outlook.com"},
                                  {"preference": 10, "exchange": "contoso-com.mail.protection.outlook.com"}]
    assert data["validation"]["ok"] is True
    [res] = data["resources"]
    assert res["type"] == "azure-native:dns:RecordSet" and res["name"] == "contoso-com-mx"
    assert res["inputs"]["resource_group_name"] == "dns-rg"
    assert res["inputs"]["relative_record_set_name"] == "@"
    assert {c["profile"] for c in data["simulation"]} >= {"ipv4-only", "ipv6-only", "postfix"}


@pytest.mark.parametrize("flags, settings", [
    (["--provider", "azure", "--resource-group", "dns-rg"], {"resource_group_name": "dns-rg"}),
    (["--provider", "cloudflare", "--zone-id", "z1"], {"zone_id": "z1"}),
    (["--provider", "route53", "--zone-id", "Z0123456789ABC"], {"zone_id": "Z0123456789ABC"}),
    (["--provider", "cloud-dns", "--managed-zone", "contoso-com", "--project", "acme"],
     {"managed_zone": "contoso-com", "project": "acme"}),
])
def test_provider_output_matches_component_description(capsys, flags, settings):
    """Every backend goes through one path: what --provider shows is what MxSplit declares."""
    from mxsplit_component import plan_mx
    from mxsplit_component.backends import get_backend

    code, out, _ = run(capsys, "plan", "contoso.com", "--tenant", "contoso", *flags, "--name", "contoso", "--json")
    backend = get_backend(flags[1])
    expected = [s.as_dict("contoso") for s in backend.describe(plan_mx(domain="contoso.com", tenant="contoso"),
                                                               settings)]
    assert code == 0 and json.loads(out)["resources"] == expected
    assert json.loads(out)["provider"] == backend.NAME


def test_provider_choices_are_the_backends(capsys):
    from mxsplit_component.backends import BACKENDS

    with pytest.raises(SystemExit):
        main(["plan", "contoso.com", "--provider", "nowhere"])
    err = capsys.readouterr().err
    assert "choose from " + ", ".join(repr(name) for name in BACKENDS) in err


def test_missing_settings_show_as_placeholders(capsys):
    _, out, _ = run(capsys, "plan", "contoso.com", "--tenant", "contoso", "--provider", "cloud-dns")
    assert '      managed_zone = "<managed_zone>"\n' in out
    assert "project" not in out.split("Resources the MxSplit component declares")[1].split("Sender simulation")[0]


def test_standard_mode(capsys):
    code, out, _ = run(capsys, "plan", "contoso.com", "--tenant", "contoso", "--mode", "standard", "--json")
    assert json.loads(out)["zone_records"] == ["contoso.com. 3600 IN MX 0 contoso-com.mail.protection.outlook.com."]


@pytest.mark.parametrize("argv, fragment", [
    (["plan", "con_toso.com", "--tenant", "contoso"], "domain 'con_toso.com': contains '_'"),
    (["plan", "contoso.com"], "--tenant is required"),
    (["plan", "contoso.com", "--tenant", "contoso", "--cloud", "dod"], "cloud 'dod' cannot be split"),
    (["plan", "contoso.com", "--tenant", "contoso", "--provider", "cloudflare", "--ttl", "30"],
     "ttl 30 is not accepted by Cloudflare"),
])
def test_bad_input_exit_2(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert fragment in err


def test_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["plan", "contoso.com", "--provider", "nowhere"])
    assert exc.value.code == 2
    code, out, err = run(capsys, "plan")
    assert (code, out) == (2, "")
    assert "pass a DOMAIN to plan, or --file" in err


def test_console_script_imports_no_pulumi():
    code = ("import sys; from mxsplit_component.cli import main; rc = main(['plan', 'contoso.com', '--tenant', "
            "'contoso', '--provider', 'azure']);"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_azure_native', 'grpc', 'httpx', "
            "'azure', 'ruamel', 'msal')];"
            "sys.exit(10 + len(bad) if bad else rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "contoso-com-mx" in proc.stdout


def test_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "mxsplit_component.cli", "plan", "contoso.com", "--tenant", "contoso"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "contoso.com. 3600 IN MX 0 contoso.mail.protection.outlook.com." in proc.stdout


def test_version_is_the_installed_distributions(capsys):
    from pathlib import Path

    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"mxsplit {pyproject['project']['version']}\n"


def test_plan_does_not_read_the_package_metadata():
    # Reading it (importlib.metadata, email) costs more than the rest of plan's start-up; only
    # --version and the plugin need it.
    code = ("import sys\nfrom mxsplit_component.cli import main\n"
            "try:\n    main(['plan', 'contoso.com', '--tenant', 'contoso'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('importlib.metadata', 'email'))), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stderr.strip() == "[]", proc.stderr
    import mxsplit_component
    from mxsplit_component.version import package_version

    assert mxsplit_component.__version__ == package_version()  # still there, read on use
