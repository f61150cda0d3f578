"""DNS backends: one module per DNS host, each a pure description of its resources and all
that mxsplit knows about that host (settings, flags, exports, policy, stack config).

Every module of this package that satisfies :class:`~.base.Backend` is a backend: adding a
host is adding its module. Listing them imports every backend module, which is cheap (they
are plain data and pure functions, no pulumi, no SDK); a provider SDK is imported only by
:mod:`mxsplit_component.component`, and only for the backend in use.
"""

from __future__ import annotations

import importlib
import pkgutil

from ..errors import MxSplitError
from .base import Adoption, Backend, ExistingSet
from .spec import Capability, Deferred, ResourceSpec, TtlRange

#: Modules of this package that support the backends rather than being one.
SUPPORT_MODULES = frozenset({"base", "spec", "flags", "typed_args"})


def _discover() -> list[Backend]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name in SUPPORT_MODULES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if not isinstance(module, Backend):
            # A half-written backend must not vanish from every listing without a word.
            raise TypeError(f"{module.__name__} does not satisfy the Backend contract (backends/base.py)")
        found.append(module)
    return sorted(found, key=lambda b: (b.ORDER, b.NAME))


#: Every backend by name, in the order every listing shows them (README, ``--provider``).
BACKENDS: dict[str, Backend] = {b.NAME: b for b in _discover()}
#: The same backends by the ``MxSplitArgs`` field that selects each (``cloud_dns``).
BY_ARGS_KEY: dict[str, Backend] = {b.ARGS_KEY: b for b in BACKENDS.values()}


def get_backend(name: str) -> Backend:
    """The backend called ``name`` (``azure``, ``cloud-dns``: as ``--provider`` spells it).

    :raises MxSplitError: (field ``provider``) for a name no backend has.
    """
    try:
        return BACKENDS[name]
    except KeyError:
        raise MxSplitError(f"provider {name!r} is unknown; use one of: {', '.join(BACKENDS)}",
                           field="provider") from None


__all__ = ["BACKENDS", "BY_ARGS_KEY", "Adoption", "Backend", "Capability", "Deferred", "ExistingSet", "ResourceSpec",
           "TtlRange", "get_backend"]
