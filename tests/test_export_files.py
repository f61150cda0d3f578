"""``plan --file --out-dir``: a row whose document cannot be written is that row's error; the others are written."""

from __future__ import annotations

import os

from mxsplit_component.cli import main

MS = "mail.protection.outlook.com"
#: A legal 253-character domain: its zone file name (258 characters) is too long for the file system.
LONG = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 57, "com"])


def export(capsys, csv, out):
    code = main(["plan", "--file", str(csv), "--format", "zone", "--out-dir", str(out)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_folder_at_the_name_and_a_name_too_long_are_row_errors(capsys, tmp_path):
    assert len(LONG) == 253
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant,dual_stack_host\n"
                   "contoso.com,contoso,\n"
                   f"{LONG},contoso,long-com.{MS}\n"
                   "fabrikam.com,fabrikam,\n"
                   "northwind.com,northwind,\n")
    out = tmp_path / "zones"
    (out / "fabrikam.com.zone").mkdir(parents=True)
    code, printed, err = export(capsys, csv, out)
    assert code == 2
    assert printed.splitlines() == [str(out / "contoso.com.zone"), str(out / "northwind.com.zone")]
    lines = err.splitlines()
    assert len(lines) == 2 and "Traceback" not in err
    assert lines[0].startswith(f"{csv}:3: cannot write {out}/{LONG}.zone: File name too long"), lines[0]
    assert lines[1] == f"{csv}:4: {out}/fabrikam.com.zone is a folder; remove or rename it, or choose another name"
    assert sorted(p.name for p in out.iterdir()) == ["contoso.com.zone", "fabrikam.com.zone", "northwind.com.zone"]
    assert "northwind-com" in (out / "northwind.com.zone").read_text()


def test_a_read_only_folder_is_each_rows_error(capsys, tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\ncontoso.com,contoso\nfabrikam.com,fabrikam\n")
    out = tmp_path / "zones"
    out.mkdir()
    os.chmod(out, 0o555)
    try:
        code, printed, err = export(capsys, csv, out)
    finally:
        os.chmod(out, 0o755)
    assert (code, printed) == (2, "")
    assert err.splitlines() == [f"{csv}:{n}: {out} is read-only; make it writable (chmod u+w), or choose another folder"
                                for n in (2, 3)]
    assert list(out.iterdir()) == []


def test_a_rewritten_document_keeps_its_mode(capsys, tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\ncontoso.com,contoso\n")
    out = tmp_path / "zones"
    out.mkdir()
    old = out / "contoso.com.zone"
    old.write_text("; old\n")
    os.chmod(old, 0o600)
    assert export(capsys, csv, out)[0] == 0
    assert old.read_text().startswith("contoso.com. 3600 IN MX 0") and (old.stat().st_mode & 0o777) == 0o600


def test_an_out_dir_that_is_a_file_is_a_usage_error(capsys, tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\ncontoso.com,contoso\n")
    (tmp_path / "zones").write_text("not a folder\n")
    code, printed, err = export(capsys, csv, tmp_path / "zones")
    assert (code, printed) == (2, "") and f"--out-dir {tmp_path / 'zones'} is a file; name a folder" in err
