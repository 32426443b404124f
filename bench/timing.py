"""Small timing helpers: a per-stage stopwatch and medians of repeats."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager


class StageClock:
    """Accumulates wall time per named stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the enclosed block and add it to the stage's total."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


def median(values: list[float]) -> float:
    """Return the median of a non-empty list (0.0 when empty)."""
    return float(statistics.median(values)) if values else 0.0


def ratio(a: float, b: float) -> float:
    """Return a / b, or 0.0 when b is zero."""
    return a / b if b else 0.0
