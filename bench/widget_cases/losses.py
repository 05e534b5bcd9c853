"""Lesson 01's widget, built with the reference functions."""

import numpy as np

from bench.widgets import WidgetCase
from lessons.widgets.losses import loss_saturation_widget
from solutions import losses

CASES = [
    WidgetCase("01-loss-functions", "loss_saturation_widget",
               lambda: loss_saturation_widget(losses.mse, losses.binary_cross_entropy),
               "p_true", list(np.linspace(0.01, 0.99, 15))),
]
