"""Lesson 09's widget: every control changes the figure and the read-out; stubs get a note."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.widgets.activations import CHAIN_LAYERS, gradient_flow_widget, linear_chain
from solutions import activations as A

from .stubs import stub

pytestmark = pytest.mark.lesson09

FUNCTIONS = ("sigmoid", "sigmoid_grad", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "elu", "elu_grad",
             "backprop_delta_norms")


def _build(**replaced):
    return gradient_flow_widget(*(replaced.get(name, getattr(A, name)) for name in FUNCTIONS))


def _line(panel, label):
    return next(line for line in panel.figure.axes[0].lines if line.get_label() == label)


@pytest.fixture(scope="module")
def panel():
    return _build()


def test_linear_chain_overflows_then_nan_and_underflows_to_zero():
    up, down = linear_chain(1.5), linear_chain(0.5)
    assert up[10] == 1.5 ** 10 and np.isfinite(up[1750])  # layer 1751: 1.5**1750, still finite
    assert np.isinf(up[1751]) and np.isnan(up[1752])  # inf at layer 1752, nan from 1753
    assert down[1074] == 2.0 ** -1074 and down[1075] == 0.0  # the smallest subnormal, then 0


def test_depth_sets_the_number_of_points_and_sigmoid_vanishes(panel):
    panel.controls["activation"].value = "sigmoid"
    panel.controls["scale"].value = 1.0
    panel.controls["depth"].value = 12
    x, y = _line(panel, "sigmoid").get_data()
    assert len(x) == 12 and np.all(np.isfinite(y))
    assert y[0] < 1e-4 * y[-1], "twelve sigmoid layers shrink the error by far more than 1e4"
    assert "vanishes" in panel.status.value and "12 hidden layer" in panel.status.value
    panel.controls["depth"].value = 30
    assert len(_line(panel, "sigmoid").get_xdata()) == 30


def test_relu_with_he_scale_keeps_the_size_and_a_large_scale_explodes(panel):
    panel.controls["depth"].value = 20
    panel.controls["activation"].value = "ReLU"
    panel.controls["scale"].value = 1.4
    y = _line(panel, "ReLU").get_ydata()
    assert 0.1 < y[0] / y[-1] < 10 and "keeps its size" in panel.status.value
    assert _line(panel, "ReLU").get_linewidth() > _line(panel, "sigmoid").get_linewidth()
    panel.controls["scale"].value = 2.5
    assert "explodes" in panel.status.value
    y = _line(panel, "ReLU").get_ydata()
    assert y[0] > 100 * y[-1]


def test_the_norms_are_the_students_function_of_the_forward_pass():
    calls = []

    def recording(weights, pre_activations, act_grad, delta_out):
        calls.append((len(weights), len(pre_activations), act_grad.__name__))
        return A.backprop_delta_norms(weights, pre_activations, act_grad, delta_out)

    recording.__name__ = "backprop_delta_norms"
    _build(backprop_delta_norms=recording)
    assert (21, 20, "sigmoid_grad") in calls and (21, 20, "elu_grad") in calls


def test_chain_slider_reads_the_float64_values(panel):
    panel.controls["chain_layer"].value = 1752
    assert "<code>inf</code>" in panel.status.value
    panel.controls["chain_layer"].value = 1753
    assert "<code>nan</code>" in panel.status.value
    panel.controls["chain_layer"].value = 1076
    assert "0.5**(l-1) as <code>0.0</code>" in panel.status.value
    panel.controls["chain_layer"].value = 11
    assert "<code>57.6650390625</code>" in panel.status.value
    dot = next(line for line in panel.figure.axes[1].lines if line.get_marker() == "o")
    assert list(dot.get_xydata()[0]) == [11, 1.5 ** 10], "the 1.5 marker sits on the chain at layer 11"
    assert panel.controls["chain_layer"].max == CHAIN_LAYERS


@pytest.mark.parametrize("name", ["backprop_delta_norms", "sigmoid_grad"])
def test_a_stub_gets_a_note_not_a_traceback(name):
    p = _build(**{name: stub(name)})
    assert f"Implement <code>{name}</code> first" in p.status.value
    p.controls["depth"].value = 5  # still no exception
    assert f"Implement <code>{name}</code> first" in p.status.value
    p.controls["chain_layer"].value = 1752  # the chain still reads out
    assert "<code>inf</code>" in p.status.value


def test_a_stub_of_another_activation_does_not_hide_the_chosen_one():
    p = _build(elu=stub("elu"))
    assert "Implement" not in p.status.value and "sigmoid" in p.status.value
    assert len(_line(p, "ELU").get_xdata()) == 0
    p.controls["activation"].value = "ELU"
    assert "Implement <code>elu</code> first" in p.status.value
