"""Run a Python module and report its own peak resident memory (VmHWM) to a file.

ru_maxrss of a child is polluted by its parent: exec keeps the high-water mark of the
forked image, so every child of a big benchmark process "peaks" at the parent's size.
VmHWM belongs to the new address space only. Run: python -m bench.peak OUT MODULE ARGS...
"""

from __future__ import annotations

import runpy
import sys


def vm_hwm_kib() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    out, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        with open(out, "w") as fh:
            fh.write(str(vm_hwm_kib()))
