"""Lesson 10's widget, built with the reference functions."""

from bench.widgets import WidgetCase
from lessons.widgets.backprop import gradient_check_widget
from solutions import backprop

CASES = [
    WidgetCase("10-backpropagation", "gradient_check_widget",
               lambda: gradient_check_widget(backprop.mlp_backward, backprop.numerical_gradient,
                                             backprop.relative_error),
               "h", [10.0 ** e for e in range(-12, 0)]),
    # A new depth (or activation) computes its whole curve with the student's functions: 24 numerical
    # gradients of every parameter, about 2 * 24 * n_params calls of mlp_backward; then it is kept.
    WidgetCase("10-backpropagation", "gradient_check_widget",
               lambda: gradient_check_widget(backprop.mlp_backward, backprop.numerical_gradient,
                                             backprop.relative_error),
               "depth", [1, 3, 4, 2] * 3),
]
