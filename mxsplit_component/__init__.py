"""mxsplit: receive Microsoft 365 mail over IPv6 without losing unauthenticated senders.

``import mxsplit_component`` and :func:`plan_mx` never import pulumi or a provider SDK;
:class:`MxSplit` and :class:`MxSplitArgs` load the Pulumi layer on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core.plan import MxPlan, MxRecord, plan_mx
from .errors import MxSplitError
from .version import package_version

if TYPE_CHECKING:
    from .component import MxSplit, MxSplitArgs

__version__ = package_version()
_LAZY = {"MxSplit", "MxSplitArgs"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import component

        return getattr(component, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["MxPlan", "MxRecord", "MxSplit", "MxSplitArgs", "MxSplitError", "plan_mx"]
