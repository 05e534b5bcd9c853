"""Lesson 02's demo: softmax regression on the digits with the student's loss and gradient."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.demos.softmax import demo, train_softmax_regression
from solutions import softmax as ref

from .stubs import stub

pytestmark = pytest.mark.lesson02


def test_softmax_regression_reaches_ninety_percent():
    run = train_softmax_regression(ref.softmax, ref.softmax_cross_entropy, ref.softmax_cross_entropy_grad)
    assert run.loss[0] == pytest.approx(np.log(10)), "from W = 0 the model makes a uniform guess"
    assert np.all(np.diff(run.loss) < 0), "full-batch gradient descent with a small step lowers the loss"
    assert run.test_accuracy[-1] >= 0.9
    assert run.W.shape == (64, 10) and run.b.shape == (10,)


def test_demo_returns_a_picture():
    image = demo(ref.softmax, ref.softmax_cross_entropy, ref.softmax_cross_entropy_grad)
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", ["softmax", "softmax_cross_entropy", "softmax_cross_entropy_grad"])
def test_demo_names_the_stub_to_implement(name):
    functions = {"softmax": ref.softmax, "softmax_cross_entropy": ref.softmax_cross_entropy,
                 "softmax_cross_entropy_grad": ref.softmax_cross_entropy_grad, name: stub(name)}
    note = demo(**functions)
    assert f"Implement `{name}` first" in note.data


def test_a_gradient_of_the_wrong_shape_is_explained():
    def softmax_cross_entropy_grad(logits, y):
        return np.zeros(logits.shape[1])

    note = demo(ref.softmax, ref.softmax_cross_entropy, softmax_cross_entropy_grad)
    assert "should return the shape of the logits" in note.data
