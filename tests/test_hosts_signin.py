"""A Graph sign-in that finds no credential: one line that says what to do; azure-identity's
list of every method it tried only with -v.

``AZURE_TOKEN_CREDENTIALS=dev`` keeps azure-identity to the local methods (token cache, CLI,
…): the managed-identity probe would send a request off this machine.
"""

from __future__ import annotations

import logging
import sys
import time

import pytest

from mxsplit_component.cli import main

AZURE_ENV = ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_CLIENT_CERTIFICATE_PATH",
             "AZURE_USERNAME", "AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "MXSPLIT_GRAPH_TOKEN")


@pytest.fixture
def no_credential(monkeypatch, tmp_path):
    # -v adds a handler to azure-identity's logger for the rest of the process: undo it after each test.
    logger = logging.getLogger("azure.identity")
    monkeypatch.setattr(logger, "handlers", list(logger.handlers))
    for name in AZURE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "dev")
    monkeypatch.setenv("PATH", str(tmp_path))  # no az, azd or pwsh to ask
    monkeypatch.setenv("HOME", str(tmp_path))  # an empty token cache


def hosts(*flags):
    started = time.monotonic()
    code = main(["hosts", "contoso.com", "--graph", "--timeout", "10", *flags])
    assert time.monotonic() - started < 30
    return code


def test_no_credential_is_one_line_naming_what_to_do(no_credential, capsys):
    assert hosts() == 3
    out, err = capsys.readouterr()
    assert err == ""  # azure-identity's multi-line dump stays off stderr
    [line] = [ln for ln in out.splitlines() if "graph-lookup-failed" in ln]
    assert "az login" in line and "--device-code" in line and "MXSPLIT_GRAPH_TOKEN" in line
    assert "-v shows each sign-in method" in line
    assert "Attempted credentials" not in out and "AzureCliCredential" not in out


def test_verbose_shows_each_method_and_why(no_credential, capsys):
    assert hosts("-v") == 3
    out, err = capsys.readouterr()
    assert "Attempted credentials" in err and "AzureCliCredential" in err
    assert "graph-lookup-failed" in out


def test_json_output_stays_one_object_per_line(no_credential, capsys):
    import json

    assert hosts("--json") == 3
    out, err = capsys.readouterr()
    assert err == ""
    [row] = [json.loads(line) for line in out.splitlines()]
    assert row["ok"] is False and "-v shows" in json.dumps(row)


def test_missing_graph_extra_names_an_install_that_works_today(monkeypatch, capsys):
    """mxsplit is not on PyPI yet: the hint installs the extra from a clone or the git URL."""
    from mxsplit_component.registry_metadata import REPOSITORY

    monkeypatch.delenv("MXSPLIT_GRAPH_TOKEN", raising=False)
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # as if the [graph] extra were not installed
    assert main(["hosts", "contoso.com", "--graph"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "pip install '.[graph]'" in err and f"'mxsplit-component[graph] @ git+{REPOSITORY}'" in err
