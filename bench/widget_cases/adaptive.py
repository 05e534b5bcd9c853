"""Lesson 06's widget, built with the reference functions."""

import numpy as np

from bench.widgets import WidgetCase
from lessons.widgets.adaptive import adaptive_race_widget
from solutions import adaptive


def _race():
    return adaptive_race_widget(adaptive.adagrad_step, adaptive.rmsprop_step, adaptive.adam_step)


CASES = [
    # Every value is new: all five runs are recomputed (the widget caches runs by surface and lr, so the
    # two later passes of the benchmark redraw cached runs).
    WidgetCase("06-adaptive-rates", "adaptive_race_widget", _race, "lr", list(np.geomspace(0.001, 1.0, 15))),
    # A new surface also remakes the static backdrop (its contours and title).
    WidgetCase("06-adaptive-rates", "adaptive_race_widget", _race, "surface",
               ["saddle", "rosenbrock", "valley"] * 4),
    WidgetCase("06-adaptive-rates", "adaptive_race_widget", _race, "adam", [False, True] * 6),
]
