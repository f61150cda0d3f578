"""A stand-in Pulumi engine: the ``Engine`` and ``ResourceMonitor`` gRPC services.

Only what a component plugin calls during ``Construct``: the monitor answers
``SupportsFeature``, ``RegisterResource``, ``RegisterResourceOutputs`` and ``Invoke`` and
records each call; the engine records ``Log``. Both services share one loopback server.
A custom resource echoes its inputs as outputs (unknown ids in preview, as a real preview
of a resource that does not exist yet), the way the engine answers before the provider has
anything to add.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2, resource_pb2, resource_pb2_grpc

from .values import from_struct, to_struct

PROJECT = "mxsplit-yaml"
STACK = "dev"
STACK_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
#: What this engine supports; the SDK asks before it uses each one.
FEATURES = frozenset({"secrets", "resourceReferences", "outputValues", "deletedWith", "aliasSpecs", "invokeParent"})


@dataclass
class Registration:
    """One ``RegisterResource`` call, decoded."""

    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    protect: bool | None
    retain_on_delete: bool | None
    import_id: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]


@dataclass
class InvokeCall:
    token: str
    args: dict[str, Any]
    parent: str


@dataclass
class Recording:
    """Everything one ``Construct`` made the engine do."""

    registrations: list[Registration] = field(default_factory=list)
    invokes: list[InvokeCall] = field(default_factory=list)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    logs: list[tuple[int, str, str]] = field(default_factory=list)

    def by_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def by_name(self, name: str) -> Registration:
        [found] = [r for r in self.registrations if r.name == name]
        return found


InvokeResult = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


class StandInEngine(engine_pb2_grpc.EngineServicer, resource_pb2_grpc.ResourceMonitorServicer):  # type: ignore[misc]
    """Serves both services; :meth:`reset` starts a fresh recording for the next deployment."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.preview = False
        self.invoke_results: dict[str, InvokeResult] = {}
        self.recording = Recording()
        self.project, self.stack = PROJECT, STACK
        self.types: dict[str, str] = {STACK_URN: "pulumi:pulumi:Stack"}
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        engine_pb2_grpc.add_EngineServicer_to_server(self, self.server)
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(self, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.address = f"127.0.0.1:{self.port}"

    def __enter__(self) -> StandInEngine:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop(grace=None)

    def reset(self, *, preview: bool, invokes: dict[str, InvokeResult] | None = None, project: str = PROJECT,
              stack: str = STACK) -> Recording:
        with self.lock:
            self.preview = preview
            self.invoke_results = dict(invokes or {})
            self.recording = Recording()
            self.project, self.stack = project, stack
            self.types = {STACK_URN: "pulumi:pulumi:Stack"}
            return self.recording

    # --- Engine -------------------------------------------------------------------------
    def Log(self, request: engine_pb2.LogRequest, context: Any) -> empty_pb2.Empty:
        with self.lock:
            self.recording.logs.append((request.severity, request.message, request.urn))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> engine_pb2.GetRootResourceResponse:
        return engine_pb2.GetRootResourceResponse(urn=STACK_URN)

    def SetRootResource(self, request: Any, context: Any) -> engine_pb2.SetRootResourceResponse:
        return engine_pb2.SetRootResourceResponse()

    # --- ResourceMonitor ----------------------------------------------------------------
    def GetDeploymentInfo(self, request: Any, context: Any) -> resource_pb2.DeploymentInfo:
        features = [getattr(resource_pb2, "RESOURCE_MONITOR_FEATURE_" + re.sub(r"([A-Z])", r"_\1", f).upper())
                    for f in sorted(FEATURES)]
        return resource_pb2.DeploymentInfo(project=self.project, stack=self.stack, dryRun=self.preview,
                                           supportedFeatures=features)

    def SupportsFeature(self, request: resource_pb2.SupportsFeatureRequest,
                        context: Any) -> resource_pb2.SupportsFeatureResponse:
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id in FEATURES)

    def RegisterResource(self, request: resource_pb2.RegisterResourceRequest,
                         context: Any) -> resource_pb2.RegisterResourceResponse:
        with self.lock:
            parent_type = self.types.get(request.parent, "")
            qualified = request.type
            if parent_type and parent_type != "pulumi:pulumi:Stack":
                qualified = f"{parent_type}${request.type}"
            urn = f"urn:pulumi:{self.stack}::{self.project}::{qualified}::{request.name}"
            self.types[urn] = qualified
            inputs = from_struct(request.object)
            self.recording.registrations.append(Registration(
                type=request.type, name=request.name, urn=urn, parent=request.parent, custom=request.custom,
                inputs=inputs, protect=request.protect if request.HasField("protect") else None,
                retain_on_delete=request.retainOnDelete if request.HasField("retainOnDelete") else None,
                import_id=request.importId, dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()}))
            preview = self.preview
        if not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        # An import reads the existing resource, so its id is known even in preview.
        resource_id = request.importId or ("" if preview else f"{request.name}-id")
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=request.object)

    def RegisterResourceOutputs(self, request: resource_pb2.RegisterResourceOutputsRequest,
                                context: Any) -> empty_pb2.Empty:
        with self.lock:
            self.recording.outputs[request.urn] = from_struct(request.outputs)
        return empty_pb2.Empty()

    def Invoke(self, request: resource_pb2.ResourceInvokeRequest, context: Any) -> provider_pb2.InvokeResponse:
        args = from_struct(request.args)
        with self.lock:
            self.recording.invokes.append(InvokeCall(request.tok, args, request.parent))
            result = self.invoke_results.get(request.tok)
        if result is None:
            return provider_pb2.InvokeResponse(failures=[provider_pb2.CheckFailure(
                property="", reason=f"the stand-in engine has no result for {request.tok}")])
        value = result(args) if callable(result) else result
        return provider_pb2.InvokeResponse(**{"return": to_struct(value)})
