"""Progress lines for long commands, on stderr, terminal or not: pre-commit runs hooks
without a terminal and a silent hook that takes seconds looks hung."""
from __future__ import annotations

import time
from typing import Callable, TextIO

__all__ = ["Throttled"]


class Throttled:
    """Writes a message only once `delay` seconds have passed since the start and at
    least `interval` seconds after the previous line: quick runs print nothing."""

    def __init__(self, stream: TextIO, *, delay: float = 1.0, interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.delay = delay
        self.interval = interval
        self.clock = clock
        self.start = clock()
        self.last: float | None = None

    def __call__(self, message: str) -> None:
        now = self.clock()
        if now - self.start < self.delay or (self.last is not None and now - self.last < self.interval):
            return
        self.last = now
        self.stream.write(f"sluice: {message}\n")
        self.stream.flush()
