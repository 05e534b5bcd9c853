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


# --- the static figure: gradient descent and momentum in the valley ---
# Oracles: the valley's coordinates are separate 1-D quadratics a x**2 / 2 (a = 1 and a = kappa). Plain gradient
# descent multiplies x by exactly 1 - lr * a per step; momentum follows x_{t+1} = (1 + mu - lr a) x_t - mu x_{t-1}
# from x_1 = (1 - lr a) x_0, whose closed form is A z1**t + B z2**t with z1, z2 the roots of
# z**2 - (1 + mu - lr a) z + mu = 0.


def _momentum_closed_form(x0: float, a: float, lr: float, mu: float, steps: int) -> np.ndarray:
    z1, z2 = np.roots([1.0, -(1.0 + mu - lr * a), mu]).astype(complex)
    # A + B = x0 and A z1 + B z2 = (1 - lr a) x0.
    B = ((1.0 - lr * a) * x0 - z1 * x0) / (z2 - z1)
    A = x0 - B
    t = np.arange(steps + 1)
    return (A * z1**t + B * z2**t).real


def test_the_valley_paths_follow_the_closed_forms():
    from lessons.demos.momentum import valley_paths

    gd, heavy = valley_paths(momentum.momentum_step, kappa=25.0, lr=0.07, momentum=0.5, steps=30, start=(-3.0, 1.0))
    assert gd.shape == heavy.shape == (31, 2)
    t = np.arange(31)
    np.testing.assert_allclose(gd[:, 0], -3.0 * 0.93**t, rtol=1e-12)  # 1 - 0.07 * 1
    np.testing.assert_allclose(gd[:, 1], 1.0 * (-0.75) ** t, rtol=1e-10)  # 1 - 0.07 * 25: the zigzag
    np.testing.assert_allclose(np.abs(gd[1:, 0] / gd[:-1, 0]), 0.93, rtol=1e-12)
    for coordinate, x0, a in ((0, -3.0, 1.0), (1, 1.0, 25.0)):
        np.testing.assert_allclose(
            heavy[:, coordinate], _momentum_closed_form(x0, a, 0.07, 0.5, 30), rtol=1e-9, atol=1e-13
        )
    # By hand: x_1 = 0.93 * -3 = -2.79, then x_2 = 1.43 * -2.79 - 0.5 * -3 = -2.4897 along the floor.
    assert heavy[1, 0] == pytest.approx(-2.79) and heavy[2, 0] == pytest.approx(-2.4897)
    # After 30 steps: gradient descent is still 3 * 0.93**30 = 0.340 away; momentum is about 30 times closer.
    assert np.linalg.norm(gd[-1]) == pytest.approx(0.3401, abs=5e-4)
    assert np.linalg.norm(heavy[-1]) < np.linalg.norm(gd[-1]) / 20


def test_the_momentum_figure_shows_or_names_the_stub():
    from IPython.display import Image, Markdown

    from lessons.demos.momentum import momentum_paths_figure

    assert isinstance(momentum_paths_figure(momentum.momentum_step), Image)
    note = momentum_paths_figure(stub("momentum_step"))
    assert isinstance(note, Markdown) and "Implement `momentum_step` first" in note.data

    def momentum_step(theta, grad, velocity, *, lr, momentum=0.9):
        return theta - lr * grad

    note = momentum_paths_figure(momentum_step)
    assert isinstance(note, Markdown) and "should return the pair (theta_new, velocity_new)" in note.data
