"""Every use of the Pulumi SDK's internals, in one place (tests/test_pulumi_compat.py checks
each against the installed SDK).

The component package needs more than the SDK's public API offers:

- the experimental ``ComponentProvider`` (schema inferred from ``MxSplit``'s annotations) and
  the provider server's ``ProviderServicer``, subclassed so that a refusal raised *after*
  ``construct`` returned (the adoption guard runs while the engine answers a read) becomes
  the same property error as one raised during it;
- serving that servicer ourselves: ``component_provider_host`` and
  ``pulumi.provider.main`` build the stock servicer around a stock provider, so neither can
  carry the error mapping; :func:`serve` does what they do (a loopback port, printed as
  the first line of stdout);
- the engine's signature keys of tagged property values, to move secrecy and dependencies
  of a plain object's fields onto the fields (``plugin.spread_into_fields``);
- the text of the SDK's exception for a failed invoke, the only sign that the read before an
  adoption failed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import grpc
from pulumi.errors import InputPropertyError
from pulumi.output import Unknown
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError, ProviderServicer
from pulumi.runtime.proto import provider_pb2_grpc

#: Signature keys of the engine protocol's tagged values (pulumi/sdk/go/common/resource/properties.go,
#: the Python SDK's ``pulumi.runtime.rpc``): the key of the tag, and the tags of a secret and
#: of an output value (``{sig: OUTPUT_SIG, value, secret, dependencies}``).
SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"

#: How the SDK words a failed invoke: ``Exception(f"invoke of {tok} failed: {reason}")``
#: (``pulumi.runtime.invoke``); it raises nothing more specific.
INVOKE_FAILED = "invoke of "


def failed_invoke(exc: BaseException | None) -> str | None:
    """The message of the SDK's failed-invoke exception behind ``exc`` (the innermost one:
    the SDK re-raises it with a traceback appended), else ``None``."""
    seen: set[int] = set()
    text = None
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if str(exc).startswith(INVOKE_FAILED):
            text = str(exc)
        exc = exc.__cause__ or exc.__context__
    return text


async def serve(servicer: ProviderServicer) -> None:
    """Serve ``servicer`` on a loopback port and print the port as the first line: the
    language host reads it. Returns when the server stops."""
    server = grpc.aio.server()
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    await server.wait_for_termination()


def invalid_properties(servicer: ProviderServicer, errors: Sequence[InputPropertyError]) -> Any:
    """The gRPC status the engine shows as property errors (``InvalidArgument`` with details)."""
    return servicer.create_grpc_invalid_properties_status(
        "", [{"property_path": e.property_path, "reason": e.reason} for e in errors])


__all__ = ["OUTPUT_SIG", "SECRET_SIG", "SIG", "ComponentInitError", "ComponentProvider", "ConstructResult",
           "InputPropertyError", "ProviderServicer", "Unknown", "failed_invoke", "invalid_properties", "serve"]
