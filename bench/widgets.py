"""Widget update times: move each widget's main control and time computation plus redraw.

Each lesson's ``bench/widget_cases/<module>.py`` lists its widgets as
:class:`WidgetCase` objects built with the reference functions.  One update
is "set the control's value" (which recomputes and updates the figure's
artists) followed by a full Agg draw of the figure, i.e. what the browser
waits for.  Both wall-clock time and this process's CPU time are recorded:
on a loaded machine the wall time includes waiting for a core, the CPU time
does not.

``python -m bench.widgets [MODULE ...]`` times only the widgets (of the
given ``bench/widget_cases`` modules, e.g. ``losses``).
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


def cases(modules: Sequence[str] = ()) -> list[WidgetCase]:
    """The cases of every ``bench/widget_cases`` module, or only of ``modules`` (names such as ``"losses"``)."""
    from . import widget_cases

    found = []
    available = sorted(info.name for info in pkgutil.iter_modules(widget_cases.__path__))
    unknown = sorted(set(modules) - set(available))
    if unknown:
        raise ValueError(f"no widget cases named {unknown}; choose from {available}")
    for name in available:
        if modules and name not in modules:
            continue
        module = importlib.import_module(f"{widget_cases.__name__}.{name}")
        module = importlib.import_module(f"{widget_cases.__name__}.{name}")
        found.extend(module.CASES)
    return found


def time_updates(case: WidgetCase, repeats: int = 3) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds per update (set value, then draw), over every value, ``repeats`` times."""
    panel = case.build()
    # ipympl also encodes a full PNG per draw until a browser connects (which switches it off):
    # that cost is not the student's, so leave it out.
    if hasattr(panel.figure.canvas, "syncing_data_url"):
        panel.figure.canvas.syncing_data_url = False
    control = panel.controls[case.control]
    panel.figure.canvas.draw()  # the first draw sets up fonts and caches
    times, cpu_times = [], []
    for _ in range(repeats):
        for value in case.values:
            start, cpu_start = time.perf_counter(), time.process_time()
            control.value = value
            panel.figure.canvas.draw()
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
    return times, cpu_times


def run(modules: Sequence[str] = ()) -> list[dict]:
    rows = []
    for case in cases(modules):
        times, cpu_times = time_updates(case)
        rows.append({"lesson": case.lesson, "widget": case.name, "control": case.control,
                     "median_ms": 1000 * statistics.median(times), "max_ms": 1000 * max(times),
                     "cpu_median_ms": 1000 * statistics.median(cpu_times), "updates": len(times)})
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    import sys

    modules = list(sys.argv[1:] if argv is None else argv)
    rows = run(modules)
    width = max(len(f"{r['widget']} {r['control']}") for r in rows)
    print(f"{'lesson':<22}  {'widget control':<{width}}  {'median':>7}  {'cpu':>7}  {'max':>7}  n")
    for r in rows:
        label = f"{r['widget']} {r['control']}"
        print(f"{r['lesson']:<22}  {label:<{width}}  {r['median_ms']:7.1f}  {r['cpu_median_ms']:7.1f}  "
              f"{r['max_ms']:7.1f}  {r['updates']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
