"""Lesson 09's widget, built with the reference functions: each control moved in turn."""

import numpy as np

from bench.widgets import WidgetCase
from lessons.widgets.activations import ACTIVATIONS, CHAIN_LAYERS, MAX_DEPTH, gradient_flow_widget
from solutions import activations as A


def _build():
    return gradient_flow_widget(A.sigmoid, A.sigmoid_grad, A.relu, A.relu_grad, A.leaky_relu, A.leaky_relu_grad,
                                A.elu, A.elu_grad, A.backprop_delta_norms)


CASES = [
    WidgetCase("09-unstable-gradients", "gradient_flow_widget", _build, "depth",
               [int(d) for d in np.linspace(1, MAX_DEPTH, 10)]),
    WidgetCase("09-unstable-gradients", "gradient_flow_widget", _build, "scale",
               [float(s) for s in np.round(np.linspace(0.25, 3.0, 10), 2)]),
    WidgetCase("09-unstable-gradients", "gradient_flow_widget", _build, "activation",
               list(ACTIVATIONS) * 2),
    WidgetCase("09-unstable-gradients", "gradient_flow_widget", _build, "chain_layer",
               [int(v) for v in np.linspace(1, CHAIN_LAYERS, 10)]),
]
