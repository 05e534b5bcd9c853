"""Widget update times: move each widget's main control and time computation plus redraw.

Each lesson's ``bench/widget_cases/<module>.py`` lists its widgets as
:class:`WidgetCase` objects built with the reference functions.  One update
is "set the control's value" (which recomputes and updates the figure's
artists) followed by a full Agg draw of the figure, i.e. what the browser
waits for.
"""

from __future__ import annotations

import importlib
import pkgutil
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import matplotlib

matplotlib.use("Agg")


@dataclass(frozen=True)
class WidgetCase:
    """A widget to time: ``build()`` returns a Panel; ``control`` is moved through ``values``."""

    lesson: str
    name: str
    build: Callable[[], Any]
    control: str
    values: Sequence[Any]


def cases() -> list[WidgetCase]:
    from . import widget_cases

    found = []
    for info in sorted(pkgutil.iter_modules(widget_cases.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{widget_cases.__name__}.{info.name}")
        found.extend(module.CASES)
    return found


def time_updates(case: WidgetCase, repeats: int = 3) -> list[float]:
    """Seconds per update (set value, then draw), over every value, ``repeats`` times."""
    panel = case.build()
    # ipympl also encodes a full PNG per draw until a browser connects (which switches it off):
    # that cost is not the student's, so leave it out.
    if hasattr(panel.figure.canvas, "syncing_data_url"):
        panel.figure.canvas.syncing_data_url = False
    control = panel.controls[case.control]
    panel.figure.canvas.draw()  # the first draw sets up fonts and caches
    times = []
    for _ in range(repeats):
        for value in case.values:
            start = time.perf_counter()
            control.value = value
            panel.figure.canvas.draw()
            times.append(time.perf_counter() - start)
    return times


def run() -> list[dict]:
    rows = []
    for case in cases():
        times = time_updates(case)
        rows.append({"lesson": case.lesson, "widget": case.name, "control": case.control,
                     "median_ms": 1000 * statistics.median(times), "max_ms": 1000 * max(times),
                     "updates": len(times)})
    return rows
