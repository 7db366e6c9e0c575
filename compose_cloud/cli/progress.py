"""A progress line on stderr for commands that take seconds (the preview runs the whole program).

Drawn only when stderr is a terminal, and only after a short delay so quick commands stay silent;
the line is erased when the work ends, so what follows (results, warnings) is printed as usual.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

FRAMES = "|/-\\"
DELAY_SECONDS = 1.0
INTERVAL_SECONDS = 0.2


@contextmanager
def progress(message: str, stream: TextIO | None = None, delay: float = DELAY_SECONDS) -> Iterator[None]:
    """A spinner on stderr while the block runs, only on a terminal and only after `delay`, so pipes and quick
    commands print nothing extra."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield
        return
    done = threading.Event()
    started = time.monotonic()
    drawn = False

    def draw() -> None:
        nonlocal drawn
        if done.wait(delay):
            return
        frame = 0
        while not done.is_set():
            stream.write(f"\r{FRAMES[frame % len(FRAMES)]} {message} ({time.monotonic() - started:.0f}s)")
            stream.flush()
            drawn = True
            frame += 1
            done.wait(INTERVAL_SECONDS)

    thread = threading.Thread(target=draw, name="compose-cloud-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        if drawn:
            stream.write("\r\x1b[K")  # erase the line
            stream.flush()
