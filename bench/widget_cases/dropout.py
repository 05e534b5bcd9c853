"""Lesson 08's widget, built with the reference functions (its ten training runs happen at build time)."""

from bench.widgets import WidgetCase
from lessons.widgets.dropout import dropout_widget
from solutions import dropout

CASES = [
    WidgetCase("08-dropout", "dropout_widget",
               lambda: dropout_widget(dropout.dropout_forward, dropout.dropout_backward),
               "p", [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
]
