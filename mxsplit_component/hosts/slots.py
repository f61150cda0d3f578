"""Row slots a row gives back while it only waits for its tenant's Graph.

``hosts --file`` looks up ``--concurrency`` rows at once. Graph throttles per tenant: when
one tenant answers 429, its rows wait out ``Retry-After``, and if they kept their slots, a
run over many tenants would stop behind the one that is throttled. A row holds its slot
(:meth:`RowSlots.hold`) while it works, and the Graph client gives it back (:func:`idle`)
while the request waits for its tenant (paused, or its requests all on the wire): the other
tenants' rows use it meanwhile. The slot travels with the row's task context
(:mod:`contextvars`), so the client needs no handle on the row.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")


class _Slot:
    def __init__(self, gate: asyncio.Semaphore) -> None:
        self.gate = gate
        self.held = True


_CURRENT: ContextVar[_Slot | None] = ContextVar("mxsplit_row_slot", default=None)


class RowSlots:
    """At most ``n`` rows working at once; a row waiting for its tenant does not count."""

    def __init__(self, n: int) -> None:
        self._gate = asyncio.Semaphore(max(1, n))

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        await self._gate.acquire()
        slot = _Slot(self._gate)
        token = _CURRENT.set(slot)
        try:
            yield
        finally:
            _CURRENT.reset(token)
            if slot.held:
                self._gate.release()


class idle:  # used as ``async with idle():``, like a function
    """Give the current row's slot back for the block (nothing to give outside a row).

    A class rather than a generator-based context manager: every Graph request of a bulk run enters one.
    """

    __slots__ = ("slot",)

    async def __aenter__(self) -> None:
        slot = _CURRENT.get()
        self.slot = slot if slot is not None and slot.held else None
        if self.slot is not None:
            self.slot.held = False
            self.slot.gate.release()

    async def __aexit__(self, *exc: object) -> None:
        if self.slot is not None:
            await self.slot.gate.acquire()  # cancelled here: the slot stays given back, and hold() knows it
            self.slot.held = True


async def detached(work: Awaitable[T]) -> T:
    """``work`` outside any row's slot: for a task that several rows wait for (a tenant's domain list),
    which must never wait for a slot those rows hold. Run it as its own task (its context is a copy)."""
    _CURRENT.set(None)
    return await work


__all__ = ["RowSlots", "detached", "idle"]
