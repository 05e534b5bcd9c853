"""Lesson 05's demo: momentum and Nesterov train the digits network faster than SGD at the same learning rate."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.demos.momentum import compare_optimizers, demo
from solutions import momentum

from .stubs import stub

pytestmark = pytest.mark.lesson05


@pytest.fixture(scope="module")
def runs():
    return compare_optimizers(momentum.momentum_step, momentum.nesterov_step)


def test_momentum_and_nesterov_reach_the_stated_targets(runs):
    sgd, heavy, nesterov, sgd_effective = runs
    assert "momentum_step" in heavy.label and "nesterov_step" in nesterov.label
    for run in (heavy, nesterov):
        assert run.test_accuracy[-1] >= 0.95, f"{run.label}: {run.test_accuracy[-1]:.3f}"
        # Within three epochs, the loss that SGD with the same learning rate reaches after fifteen.
        assert run.train_loss[2] < sgd.train_loss[-1]
    assert sgd.train_loss[-1] > 3 * heavy.train_loss[-1]
    # SGD with lr / (1 - momentum) is the fair comparison: it catches up.
    assert sgd_effective.train_loss[-1] < 2 * heavy.train_loss[-1]


def test_a_larger_step_that_sgd_cannot_take():
    sgd, heavy, _, sgd_effective = compare_optimizers(momentum.momentum_step, momentum.nesterov_step, lr=0.2,
                                                      epochs=4)
    assert sgd_effective.train_loss[-1] > 2.0, "SGD with lr 2 does not learn"
    assert heavy.train_loss[-1] < 0.5 and heavy.test_accuracy[-1] > 0.85


def test_demo_names_the_stub_to_implement():
    note = demo(stub("momentum_step"), momentum.nesterov_step)
    assert "Implement `momentum_step` first" in note.data
    note = demo(momentum.momentum_step, stub("nesterov_step"))
    assert "Implement `nesterov_step` first" in note.data


def test_a_step_that_returns_only_theta_gets_a_note():
    def momentum_step(theta, grad, velocity, *, lr, momentum=0.9):
        return theta - lr * grad

    note = demo(momentum_step, momentum.nesterov_step, epochs=1)
    assert "must return (theta, velocity)" in note.data


def test_demo_returns_an_image_with_the_reference():
    image = demo(momentum.momentum_step, momentum.nesterov_step, epochs=2)
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.isfinite(image.width)
