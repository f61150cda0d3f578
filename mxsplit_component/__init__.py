"""mxsplit: receive Microsoft 365 mail over IPv6 without losing unauthenticated senders.

``import mxsplit_component`` and :func:`plan_mx` never import pulumi or a provider SDK;
:class:`MxSplit` and :class:`MxSplitArgs` load the Pulumi layer on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core.plan import MxPlan, MxRecord, plan_mx
from .errors import MxSplitError

if TYPE_CHECKING:
    from .component import MxSplit, MxSplitArgs

_LAZY = {"MxSplit", "MxSplitArgs"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import component

        return getattr(component, name)
    if name == "__version__":  # read on use: importlib.metadata costs more than the planner's start-up
        from .version import package_version

        return package_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["MxPlan", "MxRecord", "MxSplit", "MxSplitArgs", "MxSplitError", "plan_mx"]
