"""Lesson 10's widget, built with the reference functions."""

from bench.widgets import WidgetCase
from lessons.widgets.backprop import gradient_check_widget
from solutions import backprop

CASES = [
    WidgetCase("10-backpropagation", "gradient_check_widget",
               lambda: gradient_check_widget(backprop.mlp_backward, backprop.numerical_gradient,
                                             backprop.relative_error),
               "h", [10.0 ** e for e in range(-12, 0)]),
]
