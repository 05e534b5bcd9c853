"""Lesson 02's demo: softmax regression on the digits with the student's loss and gradient."""

from __future__ import annotations

import math

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


# --- label smoothing ---
# Oracles: PyTorch's cross_entropy(label_smoothing=eps), and the closed form of the best logit gap.

def test_the_smoothed_loss_is_pytorchs_and_its_minimum_is_where_p_equals_q():
    from lessons.demos.softmax import SMOOTHING_CLASSES, best_gap, smoothed_loss, smoothing_curves
    from solutions.softmax import log_softmax
    from tests import oracles

    torch = oracles.torch()
    rng = np.random.default_rng(2)
    logits, y = rng.normal(scale=3.0, size=(7, 5)), rng.integers(0, 5, size=7)
    want = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(y), label_smoothing=0.1)
    assert smoothed_loss(log_softmax, logits, y, eps=0.1) == pytest.approx(float(want), rel=1e-12)
    curves = smoothing_curves(log_softmax, epsilons=(0.0, 0.1))
    assert np.all(np.diff(curves[0.0]) < 0), "without smoothing the loss falls all the way"
    from lessons.demos.softmax import _GAPS

    assert abs(_GAPS[int(np.argmin(curves[0.1]))] - best_gap(0.1)) < 0.05
    assert best_gap(0.1) == pytest.approx(math.log(91)) and SMOOTHING_CLASSES == 10


def test_the_label_smoothing_figure_shows_or_names_the_stub():
    from IPython.display import Image, Markdown

    from lessons.demos.softmax import label_smoothing_figure
    from solutions.softmax import log_softmax

    assert isinstance(label_smoothing_figure(log_softmax), Image)
    note = label_smoothing_figure(stub("log_softmax"))
    assert isinstance(note, Markdown) and "Implement `log_softmax` first" in note.data
