"""Start-up: the `mxsplit plan` process, and what building one Azure MxSplit imports."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent

MOCKS = "from mxsplit_component.testing.mocks import run_program;"
ONE_MXSPLIT = MOCKS + ("from mxsplit_component import MxSplit;"
                       "run_program(lambda: MxSplit('c', {'domain': 'contoso.com', 'tenant': 'contoso', "
                       "'azure': {'resource_group_name': 'rg'}}))")
ONE_BARE = MOCKS + ("import pulumi_azure_native.dns as dns;"
                    "run_program(lambda: dns.RecordSet('c-mx', resource_group_name='rg', zone_name='contoso.com', "
                    "record_type='MX', relative_record_set_name='@', ttl=3600, mx_records=["
                    "{'preference': 0, 'exchange': 'contoso.mail.protection.outlook.com'}, "
                    "{'preference': 10, 'exchange': 'contoso-com.mail.protection.outlook.com'}]))")


def paired(cmds: list[list[str]], repeat: int) -> tuple[float, float, float]:
    """Run two commands back to back ``repeat`` times; return both medians and the median
    of the per-pair ratios (second / first), which cancels the machine's slow drift."""
    for cmd in cmds:
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)  # warm caches
    times: list[list[float]] = [[], []]
    for _ in range(repeat):
        for i, cmd in enumerate(cmds):
            start = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            times[i].append(time.perf_counter() - start)
    ratios = [b / a for a, b in zip(times[0], times[1], strict=True)]
    return statistics.median(times[0]), statistics.median(times[1]), statistics.median(ratios)


EXTRA_MODULES = "import sys;" + MOCKS + ("import pulumi, pulumi_azure_native.dns;"
                                         "before = set(sys.modules);" + ONE_MXSPLIT.split(";", 1)[1] + ";"
                         "print(' '.join(sorted(m for m in set(sys.modules) - before "
                         "if not m.startswith(('helpers', 'asyncio', 'concurrent')))))")


def report(repeat: int) -> str:
    mxsplit = Path(PY).parent / "mxsplit"
    plan_cmd = [str(mxsplit) if mxsplit.exists() else PY, *([] if mxsplit.exists() else ["-m", "mxsplit_component.cli"]),
                "plan", "contoso.com", "--tenant", "contoso"]
    t_imports, t_plan, r1 = paired([[PY, "-c", "import dns.name, idna"], plan_cmd], repeat)
    # What building one Azure MxSplit imports beyond pulumi and pulumi_azure_native.dns:
    extra = subprocess.run([PY, "-c", EXTRA_MODULES], cwd=ROOT, check=True, capture_output=True,
                           text=True).stdout.split()
    # The azure-native SDK loads its dns submodules lazily, on first use of RecordSet: they
    # belong to "importing pulumi_azure_native.dns" on both sides.
    sdk = ["pulumi", "pulumi_azure_native.dns", *(m for m in extra if m.startswith("pulumi_azure_native.dns."))]
    ours = [m for m in extra if m.startswith("mxsplit_component")]
    foreign = [m for m in extra if m not in sdk and m not in ours]
    t_sdk, t_sdk_plus, r2 = paired([[PY, "-c", "import " + ", ".join(sdk)],
                                    [PY, "-c", "import " + ", ".join(sdk + ours + foreign)]], repeat)
    t_bare, t_one, r3 = paired([[PY, "-c", ONE_BARE], [PY, "-c", ONE_MXSPLIT]], repeat)
    rows = ["| process | median (s) |", "|---|---|",
            f"| `mxsplit plan contoso.com --tenant contoso` | {t_plan:.3f} |",
            f"| `python -c \"import dns.name, idna\"` | {t_imports:.3f} |",
            f"| `import pulumi, pulumi_azure_native.dns` (and the dns submodules it loads for RecordSet) | {t_sdk:.3f} |",
            f"| the same plus every other module building one Azure MxSplit imports ({len(ours + foreign)}) "
            f"| {t_sdk_plus:.3f} |",
            f"| build one Azure MxSplit under mocks | {t_one:.3f} |",
            f"| build one bare azure-native RecordSet under mocks | {t_bare:.3f} |"]
    targets = ["| target | measured | met |", "|---|---|---|",
               f"| `mxsplit plan` ≤ 1.3× importing dns.name and idna | {r1:.2f}× | {'met' if r1 <= 1.3 else 'NOT MET'} |",
               f"| imports of one Azure MxSplit ≤ 1.1× importing pulumi and pulumi_azure_native.dns | {r2:.2f}× | "
               f"{'met' if r2 <= 1.1 and not foreign else 'NOT MET'} |",
               f"| one Azure MxSplit vs one bare RecordSet, whole process (no target: adds a component registration) "
               f"| {r3:.2f}× | n/a |"]
    modules = ", ".join(f"`{m}`" for m in ours + foreign)
    title = f"### Start-up (median of {repeat} back-to-back pairs; ratios are medians of the pair ratios)"
    return (title + "\n\n" + "\n".join(rows) + "\n\n" + "\n".join(targets)
            + f"\n\nModules building one Azure MxSplit adds to pulumi and pulumi_azure_native.dns: {modules}"
            + (f" (not ours: {', '.join(foreign)})" if foreign else " (all mxsplit's own; no other SDK)."))
