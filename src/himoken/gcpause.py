"""Pause Python's cyclic garbage collector around bulk object creation.

Building hundreds of thousands of tuples and strings triggers repeated full collections that
find nothing to free: pausing the collector saves a third of the time of a batch
normalization. Where the objects do form cycles (synth households reference their members),
`collect_after` frees them once at the end.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused(collect_after: bool = False) -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        if collect_after:
            gc.collect()
