"""Timing helpers for benchmarks: figures printed as ratios to a same-run baseline."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def per_call(fn: Callable[[int], object], n: int, repeats: int = 5) -> float:
    """Best-of-``repeats`` mean seconds per call of ``fn(i)`` for i in range(n)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(n):
            fn(i)
        best = min(best, (time.perf_counter() - start) / n)
    return best


def latencies(fn: Callable[[int], object], n: int) -> list[float]:
    out = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - start)
    return out


def pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


def line(name: str, value_s: float, baseline_s: float | None = None) -> str:
    ratio = f"  {value_s / baseline_s:5.2f}x baseline" if baseline_s else ""
    return f"  {name:<34} {value_s * 1e6:10.1f} us{ratio}"
