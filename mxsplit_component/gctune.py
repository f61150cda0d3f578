"""Garbage-collector settings for Pulumi programs that declare many components.

The Pulumi SDKs create hundreds of thousands of long-lived objects (resource classes,
outputs, futures) and very few reference cycles; CPython's default thresholds then run
collections of the older generations over all of them again and again, which dominated
the time of a program declaring thousands of ``MxSplit`` (see ``bench/README.md``).
Call :func:`tune_gc` once, after the imports and before declaring resources.
"""

from __future__ import annotations

import gc

#: Allocations between young collections, and how often the older generations follow.
THRESHOLDS = (50_000, 100, 100)


def tune_gc() -> None:
    """Move everything alive now (the imported SDKs) out of the collector's sight and
    collect far less often; cycles are still collected, just in larger batches."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
