"""The installed package's version: one value for ``mxsplit --version`` and the plugin.

Read from the installed distribution's metadata (what ``pip`` and ``python -m build`` used),
so a checkout, a wheel and the component package report the same thing.
"""

from __future__ import annotations

from importlib import metadata

#: The distribution name on PyPI (and in ``pip install``).
DISTRIBUTION = "mxsplit-component"


def package_version() -> str:
    """The version of the installed ``mxsplit-component``; ``0+unknown`` when run from a
    source tree that was never installed (no metadata to read)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


__all__ = ["DISTRIBUTION", "package_version"]
