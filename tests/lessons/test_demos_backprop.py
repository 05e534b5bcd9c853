"""Lesson 10's demos: the student's network trained on the digits, the cost of a gradient, and the
gradient check layer by layer.

Oracles: PyTorch's autograd as a second backward pass (the training must come out the same), the
count of parameters of a 64-w-w-10 network, the two calls of f per parameter of a central difference,
and the closed form (n - 1) / (n + 1) of the relative error of a gradient that forgets the mean's 1/n.
"""

from __future__ import annotations

import numpy as np
import pytest
from IPython.display import Image, Markdown

from grader.specs.backprop import _mlp_no_mean
from lessons.demos.backprop import (
    COST_WIDTHS,
    EPOCHS,
    TARGET_ACCURACY,
    check_report,
    cost_demo,
    digits_demo,
    gradient_costs,
    layer_errors,
    train_mlp,
)
from lessons.widgets.backprop import N_SAMPLES
from solutions import backprop as ref
from tests import oracles

from .stubs import stub

pytestmark = pytest.mark.lesson10


@pytest.fixture(scope="module")
def run():
    return train_mlp(ref.mlp_backward)


def test_a_right_backward_pass_reaches_the_promised_accuracy(run):
    assert run.batch_loss.shape == run.test_accuracy.shape == (EPOCHS,)
    assert run.final_test_accuracy >= TARGET_ACCURACY
    assert run.batch_loss[-1] < run.batch_loss[0] / 100
    assert run.train_accuracy[-1] > 0.99


def test_training_is_the_same_with_pytorchs_gradients(run):
    def torch_backward(X, y, weights, biases, *, activation="relu"):
        return oracles.torch_mlp_backward(X, y, weights, biases, activation=activation)

    other = train_mlp(torch_backward, epochs=3)
    np.testing.assert_allclose(other.batch_loss, run.batch_loss[:3], rtol=1e-8)
    np.testing.assert_array_equal(other.test_accuracy, run.test_accuracy[:3])


def test_a_wrong_backward_pass_falls_short_and_is_told_so():
    def wrong_sign(X, y, weights, biases, *, activation="relu"):
        loss, grads_W, grads_b = ref.mlp_backward(X, y, weights, biases, activation=activation)
        return loss, [-g for g in grads_W], [-g for g in grads_b]

    bad = train_mlp(wrong_sign, epochs=2)
    assert bad.final_test_accuracy < 0.5
    from lessons.demos.backprop import run_summary

    assert "below the lesson's target" in run_summary(bad)


def test_the_cost_demo_times_every_width_with_the_students_functions():
    calls = []

    def counting(f, x, *, h=1e-5):
        def counted(v):
            calls.append(1)
            return f(v)
        return ref.numerical_gradient(counted, x, h=h)

    costs = gradient_costs(ref.mlp_backward, counting, widths=(3, 5))
    expected = [64 * w + w + w * w + w + 10 * w + 10 for w in (3, 5)]
    assert costs.n_params.tolist() == expected
    assert len(calls) == 2 * sum(expected), "two calls of f per parameter"
    assert np.all(costs.forward > 0) and np.all(costs.backward > 0) and np.all(costs.numerical > 0)


def test_the_layer_by_layer_check_reads_right_and_wrong():
    rows = layer_errors(*((ref.mlp_backward, ref.numerical_gradient, ref.relative_error)))
    assert [name for name, _ in rows] == ["W_1", "b_1", "W_2", "b_2", "W_3", "b_3"]
    assert max(error for _, error in rows) < 1e-7
    wrong = layer_errors(_mlp_no_mean, ref.numerical_gradient, ref.relative_error)
    np.testing.assert_allclose([error for _, error in wrong], (N_SAMPLES - 1) / (N_SAMPLES + 1), rtol=1e-4)
    report = check_report(_mlp_no_mean, ref.numerical_gradient, ref.relative_error)
    assert isinstance(report, Markdown) and "find the first layer" in report.data


def test_the_demos_show_pictures_and_stubs_get_notes():
    assert isinstance(digits_demo(ref.mlp_backward), Image)
    assert len(COST_WIDTHS) >= 4
    for shown in (digits_demo(stub("mlp_backward")), cost_demo(stub("mlp_backward"), ref.numerical_gradient),
                  cost_demo(ref.mlp_backward, stub("numerical_gradient")),
                  check_report(ref.mlp_backward, ref.numerical_gradient, stub("relative_error"))):
        assert isinstance(shown, Markdown) and "Implement `" in shown.data and "first" in shown.data


# --- the computation graph of section 1's neuron ---
# Oracles: the worked numbers derived by hand below, and central differences (h = 1e-6) of the neuron's
# forward function, written here without the module or the student's functions.


def _neuron_loss(x, w, b, t):
    return (np.tanh(w * x + b) - t) ** 2


def _central(f, at, h=1e-6):
    return (f(at + h) - f(at - h)) / (2 * h)


def test_the_neuron_forward_values_are_the_worked_numbers():
    from lessons.demos.backprop import neuron_graph

    values, _ = neuron_graph(ref.dense_forward, ref.dense_backward)
    # By hand: z = 0.5 * 2 - 0.5 = 0.5; a = tanh(0.5) = (e - 1) / (e + 1) = 1.718281828459 / 3.718281828459
    # = 0.462117157260; J = (0.462117157260 - 1)**2 = 0.537882842740**2 = 0.289317952514.
    assert (values["x"], values["w"], values["b"], values["t"]) == (2.0, 0.5, -0.5, 1.0)
    assert values["z"] == pytest.approx(0.5, abs=1e-15)
    assert values["a"] == pytest.approx(0.462117157260, abs=1e-11)
    assert values["J"] == pytest.approx(0.289317952514, abs=1e-11)


@pytest.mark.parametrize("x, w, b, t", [(2.0, 0.5, -0.5, 1.0), (-1.3, 0.8, 0.2, -0.5)])
def test_the_neuron_gradients_are_central_differences_of_its_forward_function(x, w, b, t):
    from lessons.demos.backprop import neuron_graph

    values, grads = neuron_graph(ref.dense_forward, ref.dense_backward, x=x, w=w, b=b, t=t)
    z, a = w * x + b, np.tanh(w * x + b)
    expected = {
        "x": _central(lambda v: _neuron_loss(v, w, b, t), x),
        "w": _central(lambda v: _neuron_loss(x, v, b, t), w),
        "b": _central(lambda v: _neuron_loss(x, w, v, t), b),
        "z": _central(lambda v: (np.tanh(v) - t) ** 2, z),
        "a": _central(lambda v: (v - t) ** 2, a),
        "J": _central(lambda v: v, values["J"]),
    }
    for node, want in expected.items():
        assert grads[node] == pytest.approx(want, abs=1e-8), f"dJ/d{node}"


def test_the_neuron_shows_the_students_own_mistake():
    from lessons.demos.backprop import neuron_graph

    def dense_backward(dZ, X, W):  # forgets the input in dW
        return dZ @ W.T, dZ.copy(), dZ.sum(axis=0)

    _, grads = neuron_graph(ref.dense_forward, dense_backward)
    assert grads["w"] != pytest.approx(_central(lambda v: _neuron_loss(2.0, v, -0.5, 1.0), 0.5), abs=1e-3)
    assert grads["w"] == pytest.approx(grads["z"])


def test_the_neuron_graph_figure_shows_or_names_the_stub():
    from lessons.demos.backprop import neuron_graph_figure

    assert isinstance(neuron_graph_figure(ref.dense_forward, ref.dense_backward), Image)
    for name, functions in (
        ("dense_forward", (stub("dense_forward"), ref.dense_backward)),
        ("dense_backward", (ref.dense_forward, stub("dense_backward"))),
    ):
        note = neuron_graph_figure(*functions)
        assert isinstance(note, Markdown) and f"Implement `{name}` first" in note.data and "this figure" in note.data

    def two_things(dZ, X, W):
        return dZ @ W.T, X.T @ dZ

    note = neuron_graph_figure(ref.dense_forward, two_things)
    assert isinstance(note, Markdown) and "should return three things" in note.data
