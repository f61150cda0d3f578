"""The ``mxsplit`` command (console script ``mxsplit_component.cli:main``).

:mod:`.parser` declares the flags, :mod:`.build` turns them into one frozen options object
per command (:mod:`.options`), refusing flags the mode would not use; :mod:`.commands` runs
and prints; :mod:`.spelling` names fields as flags in errors.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
