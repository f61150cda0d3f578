"""The args of a stack-config entry, with its backend's lookups run (Pulumi layer).

:func:`~mxsplit_component.stackconfig.parse_entries` is pure: a setting the stack config
names indirectly (a zone by name) arrives as a :class:`~.backends.spec.Lookup`, which a
program runs here through the backend's SDK, imported only for entries that need it.
"""

from __future__ import annotations

import importlib
from typing import Any

import pulumi

from .backends import BY_ARGS_KEY
from .backends.spec import Lookup
from .edges.extras import require
from .stackconfig import Entry


def looked_up(lookup: Lookup) -> pulumi.Output[Any]:
    """Run a backend's lookup (the SDK's Output-form invoke), e.g. a zone id by zone name."""
    backend = BY_ARGS_KEY[lookup.args_key]
    require(backend.SDK_MODULE, extra=backend.EXTRA, field=backend.ARGS_KEY, needs=f"the {backend.ARGS_KEY} backend")
    function = getattr(importlib.import_module(lookup.module), lookup.function)
    result: pulumi.Output[Any] = function(**lookup.args).apply(lookup.pick)
    return result


def entry_args(entry: Entry) -> dict[str, Any]:
    """``entry.args`` with every looked-up setting filled in: the ``MxSplitArgs`` to declare."""
    args = dict(entry.args)
    for lookup in entry.lookups:
        args[lookup.args_key] = {**args[lookup.args_key], lookup.setting: looked_up(lookup)}
    return args
