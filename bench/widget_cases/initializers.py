"""Lesson 04's widget, built with the reference functions: depth, initializer, scale and activation moves."""

from bench.widgets import WidgetCase
from lessons.widgets.initializers import activation_stats_widget
from solutions import initializers


def _build():
    return activation_stats_widget(initializers.small_random_init, initializers.glorot_uniform,
                                   initializers.glorot_normal, initializers.he_normal,
                                   initializers.layer_activation_stds)


CASES = [
    WidgetCase("04-initialization", "activation_stats_widget", _build, "depth", list(range(2, 51, 4))),
    WidgetCase("04-initialization", "activation_stats_widget", _build, "activation",
               ["relu", "sigmoid", "linear", "tanh"] * 3),
    WidgetCase("04-initialization", "activation_stats_widget", _build, "initializer",
               ["glorot_uniform", "glorot_normal", "he_normal", "zeros", "small_random_init"] * 2),
    WidgetCase("04-initialization", "activation_stats_widget", _build, "scale", [0.1, 0.3, 1.0, 3.0, 10.0] * 2),
]
