"""Running this repository's Pulumi programs (rollout, examples) under mocks, as the tests do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mxsplit_component.testing.mocks import LogCapture, RecordingMocks, run_program


def stack_config(path: Any) -> dict[str, str]:
    """A committed Pulumi.<stack>.yaml as the engine hands it to the program (JSON for objects)."""
    import json
    from pathlib import Path

    import yaml

    data = yaml.safe_load(Path(path).read_text()) or {}
    config = data.get("config") or {}
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


def run_main(path: Any, *, config: dict[str, str], preview: bool = False, mocks: RecordingMocks | None = None,
             project: str = "mxsplit") -> tuple[RecordingMocks, dict[str, Any], LogCapture]:
    """Run a Pulumi program file (``__main__.py``) under mocks; returns its exports."""
    import runpy
    from unittest import mock

    exports: dict[str, Any] = {}

    def record(name: str, value: Any) -> None:
        exports[name] = value

    with mock.patch("pulumi.export", record):
        mocks, _, logs = run_program(lambda: runpy.run_path(str(path), run_name="__main__"), preview=preview,
                                     mocks=mocks, config=config, project=project)
    return mocks, exports, logs


def seed_component(backend: str, **extra: Any) -> Callable[[], Any]:
    """A program declaring the seed's MxSplit ("contoso") on ``backend``, with ``extra`` args."""
    from mxsplit_component import MxSplit

    settings = {"azure": {"resource_group_name": "dns-rg"}, "cloudflare": {"zone_id": "zone123"}}[backend]
    args: dict[str, Any] = {"domain": "contoso.com", "tenant": "contoso", backend: settings, **extra}
    return lambda: MxSplit("contoso", args)
