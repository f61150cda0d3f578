import sys
from pathlib import Path

# tests/helpers.py holds the fakes; make it importable as `helpers`.
sys.path.insert(0, str(Path(__file__).parent))

import os

import pytest


def require_bind() -> None:
    """Fail under CI=true, skip elsewhere, when BIND9 is not installed."""
    from bindserver import find_named

    if find_named() is None:
        message = "BIND9 'named' is not installed (apt-get install bind9, or scripts/ensure-bind)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + ": CI must run the live-check tests", pytrace=False)
        pytest.skip(message)
