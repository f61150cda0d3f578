"""The one guard for optional imports: the module, or an error naming the extra that provides it.

Provider SDKs, ``httpx`` and the identity library (``--graph``) and ``ruamel.yaml`` (``--stack``)
are extras. A missing one is a usage error (exit 2 on the CLI, :class:`MissingExtra`, an
:class:`~mxsplit_component.errors.MxSplitError` with the field, in a program), never a
``ModuleNotFoundError`` traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import MxSplitError
from ..registry_metadata import REPOSITORY

DIST = "mxsplit-component"


class MissingExtra(MxSplitError):
    """An optional dependency is not installed."""


def install_hint(extra: str) -> str:
    """How to install ``extra`` today: from a clone, or from the git repository (not on PyPI yet)."""
    return f"pip install '.[{extra}]' in a clone of mxsplit, or pip install '{DIST}[{extra}] @ git+{REPOSITORY}'"


def require(module: str, *, extra: str, field: str, needs: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtra` saying ``needs`` and how to install ``extra``.

    :param field: the rejected field, in the caller's spelling (``stack``, ``graph``, a backend's args key).
    :param needs: what needs it, as the user wrote it: ``--stack``, ``the <backend> backend``.
    :raises MissingExtra: when ``module`` or a module it imports is missing; a bug inside an
        installed module (any other exception) is not hidden.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = exc.name or module
        raise MissingExtra(f"{needs} needs the [{extra}] extra ({missing} is not installed): {install_hint(extra)}",
                           field=field) from None
