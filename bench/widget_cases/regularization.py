"""Lesson 07's widgets, built with the reference functions."""

import numpy as np

from bench.widgets import WidgetCase
from lessons.widgets.regularization import early_stopping_widget, polynomial_l2_widget
from solutions import regularization

CASES = [
    WidgetCase("07-regularization", "polynomial_l2_widget",
               lambda: polynomial_l2_widget(regularization.l2_penalty, regularization.l2_penalty_grad),
               "lam", [float(v) for v in 10.0 ** np.arange(-8.0, 1.01, 0.75)]),
    WidgetCase("07-regularization", "early_stopping_widget (patience)",
               lambda: early_stopping_widget(regularization.early_stopping),
               "patience", [1, 2, 3, 5, 8, 12, 16, 20, 25, 30, 35, 40]),
    WidgetCase("07-regularization", "early_stopping_widget (min_delta)",
               lambda: early_stopping_widget(regularization.early_stopping),
               "min_delta", [0.0, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1]),
]
