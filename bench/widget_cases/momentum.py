"""Lesson 05's widgets, built with the reference functions."""

import numpy as np

from bench.widgets import WidgetCase
from lessons.widgets.landscape import landscape_widget
from lessons.widgets.momentum import LEARNING_RATES, narrow_valley_widget, two_forms_widget
from solutions import momentum


def _valley():
    return narrow_valley_widget(momentum.momentum_step, momentum.nesterov_step)


def _forms():
    return two_forms_widget(momentum.momentum_step, momentum.ema_momentum_step)


def _landscape():
    return landscape_widget(momentum.momentum_step, momentum.critical_point_type)


CASES = [
    # Small learning rates run all 60 steps of the three methods; large ones stop early (divergence).
    WidgetCase("05-momentum", "narrow_valley_widget", _valley, "lr", list(LEARNING_RATES)),
    WidgetCase("05-momentum", "narrow_valley_widget", _valley, "momentum", list(np.linspace(0.0, 0.99, 12))),
    # The condition number also redraws the contours of all three path panels.
    WidgetCase("05-momentum", "narrow_valley_widget", _valley, "kappa", [1, 2, 5, 10, 15, 25, 40, 60, 80, 100]),
    WidgetCase("05-momentum", "two_forms_widget", _forms, "beta", list(np.linspace(0.0, 0.99, 12))),
    WidgetCase("05-momentum", "two_forms_widget", _forms, "drop", [True, False] * 6),
    # Two paths of 200 steps each per update.
    WidgetCase("05-momentum", "landscape_widget", _landscape, "y0", list(np.linspace(-2.9, 2.9, 12))),
]
