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
