"""Many timers, one loop timer: items due at given times, handed back in batches.

Every send arms a timer (its loss timer, or the lookup's deadline) and almost every one is
answered long before it fires. So arming must be cheap and cancelling free: items go into
buckets of :data:`TICK` seconds (a dict append, no heap entry per send), only a new bucket
touches the heap, and nothing is ever removed: the owner checks, when an item comes back,
whether it is still due. An item comes back at most one tick late, never early.
"""

from __future__ import annotations

import heapq
import math
from typing import Generic, TypeVar

T = TypeVar("T")

#: Bucket width in seconds.
TICK = 0.005


class TimerWheel(Generic[T]):
    """Items by due time. No clock of its own: callers pass the time."""

    __slots__ = ("_buckets", "_heap")

    def __init__(self) -> None:
        self._buckets: dict[int, list[T]] = {}
        self._heap: list[int] = []

    def add(self, when: float, item: T) -> bool:
        """Hold ``item`` until ``when``. True when it is now the earliest: the loop timer
        must be brought forward to :attr:`next_at`."""
        tick = math.ceil(when / TICK)
        bucket = self._buckets.get(tick)
        if bucket is not None:
            bucket.append(item)
            return False
        self._buckets[tick] = [item]
        heapq.heappush(self._heap, tick)
        return self._heap[0] == tick

    @property
    def next_at(self) -> float:
        """When the earliest bucket is due (``inf`` when empty)."""
        return self._heap[0] * TICK if self._heap else math.inf

    def pop_due(self, now: float) -> list[T]:
        """Every item of the buckets due by ``now``, earliest bucket first."""
        heap, buckets = self._heap, self._buckets
        due: list[T] = []
        while heap and heap[0] * TICK <= now:
            due += buckets.pop(heapq.heappop(heap))
        return due

    def clear(self) -> None:
        self._buckets.clear()
        self._heap.clear()
