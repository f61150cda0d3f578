"""Microsoft Graph JSON batching: many GETs of one tenant in one HTTP request. Pure.

Graph takes up to 20 requests in one ``POST /v1.0/$batch`` ("Combine multiple requests in
one HTTP call using JSON batching", Microsoft Graph docs); each answer carries its own
``status``, ``headers`` (a throttled one its own ``Retry-After``) and ``body``, in any order,
matched by ``id``. A bulk run asks one ``serviceConfigurationRecords`` per domain: batched,
a tenant's domains cost a twentieth of the round trips, which is what keeps ``--graph`` on
thousands of domains within a few times the DNS check's own time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Requests per batch: Graph's limit.
MAX_BATCH = 20


@dataclass(frozen=True)
class SubReply:
    """One request's answer inside a batch; ``body`` is already parsed JSON (``None`` when absent)."""

    status: int
    retry_after: str | None
    body: Any


def batch_body(paths: Sequence[str]) -> bytes:
    """The ``$batch`` request for ``paths`` (each relative to ``/v1.0``), ids by position."""
    return json.dumps({"requests": [{"id": str(i), "method": "GET", "url": p} for i, p in enumerate(paths)]}).encode()


def read_batch(data: bytes, count: int) -> list[SubReply | None]:
    """Each request's answer, by position; ``None`` where the batch holds no answer for it.

    :raises ValueError: the body is not a batch answer (not JSON, nested too deep, no ``responses`` list).
    """
    try:
        doc = json.loads(data)
    except RecursionError:
        raise ValueError("is JSON nested too deep to read") from None
    responses = doc.get("responses") if isinstance(doc, dict) else None
    if not isinstance(responses, list):
        raise ValueError("has no 'responses' list")
    out: list[SubReply | None] = [None] * count
    for item in responses:
        if not isinstance(item, dict):
            continue
        rid, status = item.get("id"), item.get("status")
        if not isinstance(rid, str) or not rid.isdigit() or int(rid) >= count:
            continue
        if not isinstance(status, int) or isinstance(status, bool):
            continue
        headers = item.get("headers")
        retry = None
        if isinstance(headers, dict):
            retry = next((str(v) for k, v in headers.items() if str(k).lower() == "retry-after"), None)
        out[int(rid)] = SubReply(status, retry, item.get("body"))
    return out


__all__ = ["MAX_BATCH", "SubReply", "batch_body", "read_batch"]
