"""Bulk-run flags from the speed work: the simulation only when asked, the fixed window."""

from __future__ import annotations

import json

import pytest

from mxsplit_component.cli import main
from tests.support.dnsfaults import FaultServer
from tests.test_check_bulk import ZONE, run_file


@pytest.mark.parametrize("extra, simulated", [((), False), (("--simulate",), True)])
def test_bulk_rows_carry_the_simulation_only_when_asked(capsys, tmp_path, extra, simulated):
    csv_file = tmp_path / "d.csv"
    csv_file.write_text("domain,tenant\nalpha.test,alpha\nbeta.test,beta\n")
    with FaultServer(ZONE) as server:
        code, out, _ = run_file(capsys, csv_file, server, "--json", *extra)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["ok"] for r in rows] == [True, True]
    assert all(("simulation" in r) is simulated for r in rows)
    if simulated:
        assert all(r["simulation"] for r in rows)


def test_single_domain_check_keeps_its_simulation(capsys):
    with FaultServer(ZONE) as server:
        code = main(["check", "alpha.test", "--tenant", "alpha", "--nameserver", server.nameserver, "--timeout", "2",
                     "--no-mta-sts", "--json"])
    rep = json.loads(capsys.readouterr().out)
    assert code == 0 and rep["simulation"]


def test_fixed_window_rows_are_the_same(capsys, tmp_path):
    csv_file = tmp_path / "d.csv"
    csv_file.write_text("domain,tenant\nalpha.test,alpha\nbeta.test,beta\ngamma.test,gamma\n")
    with FaultServer(ZONE) as server:
        _, adaptive, _ = run_file(capsys, csv_file, server, "--json")
        _, fixed, _ = run_file(capsys, csv_file, server, "--json", "--fixed-window", "1")
    assert fixed == adaptive and len(fixed.splitlines()) == 3


@pytest.mark.parametrize("value", ["0", "-3", "5000", "lots"])
def test_fixed_window_out_of_range_is_a_usage_error(capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--file", "x.csv", "--nameserver", "127.0.0.1:9", "--fixed-window", value])
    assert exit_info.value.code == 2
    assert "--fixed-window" in capsys.readouterr().err
