"""Lesson 10's widget: the V of a gradient check, drawn from the student's three functions.

Oracles: the orders of a central difference (truncation O(h**2), rounding O(eps / h)), and a backward
pass that forgets the 1/n of the mean loss, whose relative error against the right gradient is
(n - 1) / (n + 1) for every entry, whatever h.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.specs.backprop import _mlp_no_mean
from lessons.widgets.backprop import H_GRID, N_SAMPLES, RIGHT, error_curve, gradient_check_widget, network
from solutions import backprop as ref
from tests import oracles

from .stubs import stub

pytestmark = pytest.mark.lesson10

FUNCTIONS = (ref.mlp_backward, ref.numerical_gradient, ref.relative_error)


def _at(h: float) -> int:
    return int(np.argmin(np.abs(np.log10(H_GRID) - np.log10(h))))


@pytest.mark.parametrize("depth", [1, 3])
def test_a_right_gradient_makes_the_v_of_truncation_against_rounding(depth):
    errors = error_curve(*FUNCTIONS, activation="tanh", depth=depth)
    assert errors.shape == H_GRID.shape
    best = int(np.argmin(errors))
    assert errors[best] < RIGHT and 1e-8 <= H_GRID[best] <= 1e-3, (H_GRID[best], errors[best])
    # Truncation: slope 2 on the right (a factor 100 per decade of h).
    slope = np.log10(errors[_at(1e-2)] / errors[_at(1e-3)])
    assert 1.7 < slope < 2.3, slope
    # Rounding: the error grows as h shrinks on the left, by orders of magnitude.
    assert errors[0] > 1e3 * errors[best]


def test_the_analytic_gradient_is_the_students_own():
    """A network whose analytic gradient is the right one (PyTorch) checks at 1e-7 or better near h = 1e-5."""
    def torch_backward(X, y, weights, biases, *, activation="relu"):
        return oracles.torch_mlp_backward(X, y, weights, biases, activation=activation)

    errors = error_curve(torch_backward, ref.numerical_gradient, ref.relative_error, activation="tanh", depth=2)
    assert errors[_at(1e-5)] < RIGHT


def test_a_wrong_gradient_never_checks_whatever_h():
    errors = error_curve(_mlp_no_mean, ref.numerical_gradient, ref.relative_error, activation="tanh", depth=2)
    np.testing.assert_allclose(errors[_at(1e-8):_at(1e-3) + 1], (N_SAMPLES - 1) / (N_SAMPLES + 1), rtol=1e-4)


def test_relu_kinks_spoil_the_large_steps():
    tanh = error_curve(*FUNCTIONS, activation="tanh", depth=2)
    relu = error_curve(*FUNCTIONS, activation="relu", depth=2)
    assert relu[-1] > 0.1 > tanh[-3], "a step across a kink is no derivative"
    assert relu[_at(1e-5)] < RIGHT


def test_the_network_is_fixed_by_its_seed():
    one, again = network(2), network(2)
    for a, b in zip(one[2] + one[3], again[2] + again[3]):
        np.testing.assert_array_equal(a, b)
    assert [W.shape for W in one[2]] == [(4, 5), (5, 5), (5, 3)]
    with pytest.raises(ValueError, match="depth"):
        network(0)


def test_the_controls_move_the_marker_and_the_readout():
    panel = gradient_check_widget(*FUNCTIONS)
    assert "h = 1e-05" in panel.status.value and "the gradient is right" in panel.status.value
    marker = panel.figure.axes[0].lines[-1]
    before = marker.get_xydata().copy()
    panel.controls["h"].value = 1e-1
    assert not np.array_equal(before, marker.get_xydata())
    assert "h = 1e-01" in panel.status.value and "right" not in panel.status.value.split(",")[1]
    panel.controls["activation"].value = "relu"
    assert "relu, 2 hidden layers" in panel.status.value
    panel.controls["depth"].value = 1
    assert "relu, 1 hidden layer)" in panel.status.value


@pytest.mark.parametrize("missing", ["mlp_backward", "numerical_gradient", "relative_error"])
def test_a_stub_gets_a_note_not_a_traceback(missing):
    functions = [stub(missing) if fn.__name__ == missing else fn for fn in FUNCTIONS]
    panel = gradient_check_widget(*functions)
    assert f"Implement <code>{missing}</code> first" in panel.status.value
    panel.controls["h"].value = 1e-3
    assert f"Implement <code>{missing}</code> first" in panel.status.value


def test_a_gradient_of_the_wrong_size_is_named():
    def short(X, y, weights, biases, *, activation="relu"):
        loss, grads_W, grads_b = ref.mlp_backward(X, y, weights, biases, activation=activation)
        return loss, grads_W[:-1], grads_b

    panel = gradient_check_widget(short, ref.numerical_gradient, ref.relative_error)
    assert "<code>short</code>'s gradients hold" in panel.status.value
