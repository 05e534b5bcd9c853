"""Lesson 02's widget, built with the reference functions."""

import numpy as np

from bench.widgets import WidgetCase
from lessons.widgets.softmax import softmax_temperature_widget
from solutions import softmax

CASES = [
    WidgetCase("02-softmax-entropy", "softmax_temperature_widget",
               lambda: softmax_temperature_widget(softmax.softmax, softmax.entropy),
               "shift", list(np.linspace(-1000, 1000, 21))),
    WidgetCase("02-softmax-entropy", "softmax_temperature_widget",
               lambda: softmax_temperature_widget(softmax.softmax, softmax.entropy),
               "temperature", list(np.logspace(-1, 1, 11))),
    # A logit recomputes the entropy curve (101 temperatures) as well.
    WidgetCase("02-softmax-entropy", "softmax_temperature_widget",
               lambda: softmax_temperature_widget(softmax.softmax, softmax.entropy),
               "z1", list(np.linspace(-5, 5, 11))),
]
