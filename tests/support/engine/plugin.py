"""Start the component package as ``pulumi-language-python`` does, and talk to it.

The language host runs ``python <absolute plugin dir> <engine address>`` with the consuming
program's folder as working directory, reads the gRPC port from the plugin's first line on
stdout, then calls ``GetPluginInfo``, ``GetSchema`` and ``Construct``.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2

# pulumi ships its own google.rpc.Status; importing google.rpc's as well clashes in one process.
from pulumi.runtime.proto import errors_pb2, provider_pb2, provider_pb2_grpc, status_pb2

from .monitor import PROJECT, STACK, STACK_URN, StandInEngine
from .values import from_struct, to_struct

ROOT = Path(__file__).resolve().parents[3]
PROVIDER_DIR = ROOT / "provider"
#: Generous for a loaded 2-core machine; a healthy plugin answers in well under a second.
RPC_TIMEOUT = 30.0
START_TIMEOUT = 30.0


@dataclass
class PropertyError:
    property_path: str
    reason: str


@dataclass
class ConstructFailure(Exception):
    """A ``Construct`` the plugin refused: status code, message and property errors."""

    code: grpc.StatusCode
    details: str
    property_errors: list[PropertyError]


@dataclass
class Constructed:
    urn: str
    state: dict[str, Any]
    state_dependencies: dict[str, list[str]]


class Plugin:
    """A running plugin process and a client for its ``ResourceProvider`` service."""

    def __init__(self, engine: StandInEngine, cwd: Path) -> None:
        self.engine = engine
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen([sys.executable, str(PROVIDER_DIR), engine.address], cwd=cwd,
                                        stdout=subprocess.PIPE, stderr=self.stderr, env=dict(os.environ))
        self.port = self._read_port()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def _read_port(self) -> int:
        assert self.process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + START_TIMEOUT
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                self.close()
                raise RuntimeError(f"plugin printed no port within {START_TIMEOUT}s: {self.stderr_text()}")
            chunk = os.read(self.process.stdout.fileno(), 1)
            if not chunk:
                raise RuntimeError(f"plugin exited before printing its port: {self.stderr_text()}")
            line += chunk
        return int(line)

    def stderr_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def close(self) -> None:
        if hasattr(self, "channel"):
            self.channel.close()
        self.process.kill()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.stderr.close()

    def plugin_info(self) -> provider_pb2.PluginInfo:
        return self.stub.GetPluginInfo(empty_pb2.Empty(), timeout=RPC_TIMEOUT)

    def schema(self) -> dict[str, Any]:
        response = self.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=RPC_TIMEOUT)
        loaded: dict[str, Any] = json.loads(response.schema)
        return loaded

    def construct(self, inputs: dict[str, Any], *, preview: bool, name: str = "contoso",
                  type_: str = "mxsplit:index:MxSplit", dependencies: dict[str, list[str]] | None = None,
                  protect: bool = False, config: dict[str, str] | None = None) -> Constructed:
        """Send ``Construct`` as the engine does for a YAML program's resource.

        :raises ConstructFailure: when the plugin answers with an error status.
        """
        request = provider_pb2.ConstructRequest(
            project=PROJECT, stack=STACK, config=config or {}, dryRun=preview, parallel=4,
            monitorEndpoint=self.engine.address, type=type_, name=name, parent=STACK_URN,
            inputs=to_struct(inputs), protect=protect, accepts_output_values=True,
            inputDependencies={k: provider_pb2.ConstructRequest.PropertyDependencies(urns=v)
                               for k, v in (dependencies or {}).items()})
        try:
            response = self.stub.Construct(request, timeout=RPC_TIMEOUT)
        except grpc.RpcError as err:
            raise failure(err) from None
        return Constructed(response.urn, from_struct(response.state),
                           {k: list(v.urns) for k, v in response.stateDependencies.items()})


def failure(err: grpc.RpcError) -> ConstructFailure:
    """Decode an error status, including the ``InputPropertiesError`` detail the engine shows."""
    errors: list[PropertyError] = []
    for key, value in err.trailing_metadata() or ():  # type: ignore[attr-defined]
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                decoded = errors_pb2.InputPropertiesError()
                if detail.Unpack(decoded):
                    errors.extend(PropertyError(e.property_path, e.reason) for e in decoded.errors)
    return ConstructFailure(err.code(), err.details() or "", errors)  # type: ignore[attr-defined]
