"""BIND for the tests: fail under CI=true, skip elsewhere, when ``named`` is missing."""

from __future__ import annotations

import os

import pytest

from mxsplit_component.testing.bind import find_named


def require_bind() -> None:
    """Fail under CI=true, skip elsewhere, when BIND9 is not installed."""
    if find_named() is None:
        message = "BIND9 'named' is not installed (apt-get install bind9, or scripts/ensure-bind)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + ": CI must run the live-check tests", pytrace=False)
        pytest.skip(message)
