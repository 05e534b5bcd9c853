"""Seconds for one ``check`` of each graded function's reference (what a test cell costs)."""

from __future__ import annotations

import statistics
import time

from grader.check import evaluate
from grader.course import lesson_of
from grader.specs import REGISTRY

from .timing import load


def run(repeats: int = 3) -> list[dict]:
    rows = []
    for name in sorted(REGISTRY, key=lambda n: (lesson_of(n).id, n)):
        reference = REGISTRY[name].reference
        evaluate(name, reference, forbidden=("lessons",))  # imports and caches
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            evaluate(name, reference, forbidden=("lessons",))
            times.append(time.perf_counter() - start)
        rows.append({"lesson": lesson_of(name).id, "function": name, "median_ms": 1000 * statistics.median(times),
                     "load_after": load()})
    return rows
