"""Start-up: the `mxsplit plan` process, and what building one Azure MxSplit imports."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent

MOCKS = ("import sys; sys.path.insert(0, 'tests'); from helpers import run_program;")
ONE_MXSPLIT = MOCKS + ("from mxsplit_component import MxSplit;"
                       "run_program(lambda: MxSplit('c', {'domain': 'contoso.com', 'tenant': 'contoso', "
                       "'azure': {'resource_group_name': 'rg'}}))")
ONE_BARE = MOCKS + ("import pulumi_azure_native.dns as dns;"
                    "run_program(lambda: dns.RecordSet('c-mx', resource_group_name='rg', zone_name='contoso.com', "
                    "record_type='MX', relative_record_set_name='@', ttl=3600, mx_records=["
                    "{'preference': 0, 'exchange': 'contoso.mail.protection.outlook.com'}, "
                    "{'preference': 10, 'exchange': 'contoso-com.mail.protection.outlook.com'}]))")


def median_times(cmds: list[list[str]], repeat: int) -> list[float]:
    """Median wall time of each command, run in turn (interleaved) so drift hits all alike."""
    for cmd in cmds:
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)  # warm caches
    times: list[list[float]] = [[] for _ in cmds]
    for _ in range(repeat):
        for i, cmd in enumerate(cmds):
            start = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def report(repeat: int) -> str:
    mxsplit = Path(PY).parent / "mxsplit"
    plan_cmd = [str(mxsplit) if mxsplit.exists() else PY, *([] if mxsplit.exists() else ["-m", "mxsplit_component.cli"]),
                "plan", "contoso.com", "--tenant", "contoso"]
    t_plan, t_imports = median_times([plan_cmd, [PY, "-c", "import dns.name, idna"]], repeat)
    t_one, t_bare = median_times([[PY, "-c", ONE_MXSPLIT], [PY, "-c", ONE_BARE]], repeat)
    r1, r2 = t_plan / t_imports, t_one / t_bare
    rows = ["| process | median (s) |", "|---|---|",
            f"| `mxsplit plan contoso.com --tenant contoso` | {t_plan:.3f} |",
            f"| `python -c \"import dns.name, idna\"` | {t_imports:.3f} |",
            f"| build one Azure MxSplit under mocks | {t_one:.3f} |",
            f"| build one bare azure-native RecordSet under mocks (imports pulumi, pulumi_azure_native.dns) | {t_bare:.3f} |"]
    targets = ["| target | measured | met |", "|---|---|---|",
               f"| `mxsplit plan` ≤ 1.3× importing dns.name and idna | {r1:.2f}× | {'yes' if r1 <= 1.3 else 'NO'} |",
               f"| one Azure MxSplit ≤ 1.1× the same with a bare RecordSet | {r2:.2f}× | {'yes' if r2 <= 1.1 else 'NO'} |"]
    title = f"### Start-up (median of {repeat} processes each, run interleaved)"
    return title + "\n\n" + "\n".join(rows) + "\n\n" + "\n".join(targets)
