"""Make optional modules unimportable in a child process, as in an install without the extra.

``python -c BLOCKED.format(...)`` (see :func:`blocked_program`) installs a meta path finder that
raises ``ModuleNotFoundError`` for the named top-level packages, then runs the code after it.
"""

from __future__ import annotations

BLOCKER = """
import importlib.abc, sys

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Blocker())
"""


def blocked_program(blocked: set[str], code: str) -> str:
    """Python source that runs ``code`` with the ``blocked`` top-level packages missing."""
    return BLOCKER.format(blocked=blocked) + code
