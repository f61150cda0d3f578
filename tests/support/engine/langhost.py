"""Run a Python Pulumi program against an engine, as ``pulumi-language-python`` runs it.

The language host's exec script configures the SDK with the monitor and engine addresses,
hands it the stack's config through ``PULUMI_CONFIG`` (JSON) and
``PULUMI_CONFIG_SECRET_KEYS``, and runs ``__main__`` inside the stack resource. This does
the same with the SDK's public ``pulumi.runtime`` API, in a fresh process per run.

    python langhost.py <monitor> <engine> <project> <stack> <preview|update> <program dir>
"""

import asyncio
import os
import runpy
import sys
import traceback

import pulumi
import pulumi.runtime


def main(monitor: str, engine: str, project: str, stack: str, mode: str, program: str) -> None:
    settings = pulumi.runtime.Settings(monitor=monitor, engine=engine, project=project, stack=stack,
                                       parallel=4, dry_run=mode == "preview", organization="organization")
    pulumi.runtime.configure(settings)
    sys.path.insert(0, program)
    os.chdir(os.environ.get("MXSPLIT_TEST_CWD", program))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(pulumi.runtime.run_in_stack(lambda: runpy.run_path(program, run_name="__main__")))
    except pulumi.RunError as err:
        # As the language host's exec script does: the message, logged once, and no stack.
        pulumi.log.error(str(err))
        sys.exit(32)
    except Exception:
        pulumi.log.error("Program failed with an unhandled exception:\n" + traceback.format_exc())
        sys.exit(32)

if __name__ == "__main__":
    main(*sys.argv[1:7])
