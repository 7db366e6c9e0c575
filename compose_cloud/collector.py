"""Every choice this project makes about Python's cyclic garbage collector, in one place.

Planning and registering resources build millions of small objects, few of them in cycles; with the
default thresholds the collector rescans the growing heap so often that it doubles the run time of a
1,000-service program and grows faster than linear (docs/performance.md). These are process-wide
choices, so only programs make them (the CLI, `run()` under `pulumi up`, the bench); the library
(`deploy`, `make_plan`) leaves the collector as it finds it.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Collect far less often than the default (700, 10, 10): a young collection every 200,000 allocations.
THRESHOLDS = (200_000, 20, 1000)


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection at all while the block runs (the CLI's whole command, the bench's plan)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def relaxed() -> Iterator[None]:
    """Rare collections while the block runs; what exists before it (imported modules, the caller's data) is
    not scanned while it runs. For a preview run inside a process that keeps collecting (tests, a library
    caller). No collection on the way in: it scanned the caller's whole heap each time (in the test suite,
    0.16 s of a 0.28 s preview); garbage frozen with the rest is freed by the caller's own collections after
    the block."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


def for_program() -> None:
    """A process that ends with the program (`pulumi up` runs `__main__.py` once): imports frozen and no
    cyclic collection from here on, as the CLI's preview runs (1,000 services: 9.9 s instead of 14.5 s with
    rare collections, for 7% more peak memory; docs/performance.md). At exit everything is frozen too, or
    the interpreter's last collection (which runs even with the collector off) scans all the program built."""
    gc.freeze()
    gc.disable()
    atexit.register(leave_to_exit)


def leave_to_exit() -> None:
    """At a program's end, while the collector is still off: what the run built is left to the process's
    exit, not scanned once more (by the next young collection, or the interpreter's last one)."""
    gc.freeze()
