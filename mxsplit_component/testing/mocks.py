"""Pulumi mocks that record what a program registers: test a program that declares
``MxSplit`` without an engine, a cloud account or the Pulumi CLI.

::

    from mxsplit_component.testing import RecordingMocks, run_program

    mocks, _, logs = run_program(lambda: MxSplit("contoso", {...}), preview=True)
    assert [r.typ for r in mocks.resources][0] == "mxsplit:index:MxSplit"
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs
from pulumi.runtime.stack import run_pulumi_func


class RecordingMocks(pulumi.runtime.Mocks):
    """Echo inputs as outputs and remember every resource and invoke.

    ``unknown_ids``: resource types whose ``id`` and outputs stay unknown (a preview of a
    resource that does not exist yet). ``calls``: canned results of invokes by token.
    """

    def __init__(self, *, unknown_types: tuple[str, ...] = (), calls: dict[str, Any] | None = None) -> None:
        self.resources: list[MockResourceArgs] = []
        self.invokes: list[MockCallArgs] = []
        self.unknown_types = unknown_types
        self.call_results = calls or {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.resources.append(args)
        if args.typ in self.unknown_types:
            return None, {k: pulumi.UNKNOWN for k in ("id", "name", "zone_id")}
        outputs = dict(args.inputs)
        # A resource named by an input called after its type (a Zone's ``zoneName``) outputs that
        # name as ``name``, as providers do; programs here pass such names on (zone -> records).
        named_by = _type_name(args.typ)
        if named_by in args.inputs:
            outputs.setdefault("name", args.inputs[named_by])
        return f"{args.name}-id", outputs

    def call(self, args: MockCallArgs) -> Any:
        self.invokes.append(args)
        result = self.call_results.get(args.token, {})
        return result(args) if callable(result) else result

    def by_type(self, typ: str) -> list[MockResourceArgs]:
        return [r for r in self.resources if r.typ == typ]

    def by_name(self, name: str) -> MockResourceArgs:
        return next(r for r in self.resources if r.name == name)


def _type_name(token: str) -> str:
    """``pkg:module:Zone`` -> ``zoneName``: the input that names a resource of that type."""
    kind = token.rsplit(":", 1)[-1]
    return kind[:1].lower() + kind[1:] + "Name"


_LOOP: list[asyncio.AbstractEventLoop] = []


def _quiet_failed_programs(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A program that failed with a RunError (already raised to its test) leaves the SDK's
    futures of the failed child unretrieved; a real program exits there, this loop lives on."""
    if isinstance(context.get("exception"), pulumi.RunError):
        return
    loop.default_exception_handler(context)


def _loop() -> asyncio.AbstractEventLoop:
    """One event loop for every mocked program of the session (closed loops are replaced)."""
    if not _LOOP or _LOOP[0].is_closed():
        _LOOP[:] = [asyncio.new_event_loop()]
        _LOOP[0].set_exception_handler(_quiet_failed_programs)
    return _LOOP[0]


class LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self, level: int) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno == level]


def run_program(build: Callable[[], Any], *, preview: bool = False, mocks: RecordingMocks | None = None,
                config: dict[str, str] | None = None, project: str = "mxsplit") -> tuple[RecordingMocks, Any, LogCapture]:
    """Run ``build`` as a Pulumi program under mocks and wait for every registration."""
    mocks = mocks or RecordingMocks()
    # asyncio.run() elsewhere in the suite leaves no current loop; pulumi's sync helpers need one.
    asyncio.set_event_loop(_loop())
    logger = logging.getLogger(f"mxsplit-test-{id(mocks)}")
    logger.propagate = False
    capture = LogCapture()
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    pulumi.runtime.set_mocks(mocks, project=project, stack="test", preview=preview, logger=logger)
    # set_mocks installs fresh settings (RPC manager included): nothing left from the last run.
    pulumi.runtime.set_all_config(config or {})
    box: dict[str, Any] = {}

    def body() -> None:
        box["result"] = build()

    _loop().run_until_complete(run_pulumi_func(body))
    return mocks, box.get("result"), capture


def value(output: Any) -> Any:
    """The resolved value of an output (``None`` when unknown)."""
    return _loop().run_until_complete(pulumi.Output.from_input(output).future())


def is_known(output: Any) -> bool:
    return bool(_loop().run_until_complete(pulumi.Output.from_input(output).is_known()))
