"""DNS backends: a pure description of the resources per provider, plus their capabilities.

Only the backend in use is ever imported by the component, and no backend module imports
pulumi or a provider SDK: the SDK is loaded by :mod:`mxsplit_component.component`.
"""

from __future__ import annotations

from . import azure, clouddns, cloudflare, route53
from .base import Adoption, Backend, Capability, Deferred, ExistingSet, ResourceSpec, TtlRange

#: Every backend by name, in the order the README lists them. mypy checks each module
#: against the :class:`~.base.Backend` contract here.
BACKENDS: dict[str, Backend] = {azure.NAME: azure, cloudflare.NAME: cloudflare, route53.NAME: route53,
                                clouddns.NAME: clouddns}
#: The same backends by the ``MxSplitArgs`` field that selects each (``cloud_dns``).
BY_ARGS_KEY: dict[str, Backend] = {b.ARGS_KEY: b for b in BACKENDS.values()}


def get_backend(name: str) -> Backend:
    """The backend module called ``name`` (``azure``, ``cloudflare``, ``route53``, ``cloud-dns``)."""
    try:
        return BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown backend {name!r}; use one of: {', '.join(BACKENDS)}") from None


__all__ = ["BACKENDS", "BY_ARGS_KEY", "Adoption", "Backend", "Capability", "Deferred", "ExistingSet", "ResourceSpec", "TtlRange",
           "get_backend"]
