"""Lesson 05's widgets: the controls move the paths, the losses, the labels and the read-out; stubs get a note."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.widgets.momentum import (BLOW_UP, START, STEPS, classify, descent_path, narrow_valley_widget,
                                      two_forms_widget, valley_grad)
from solutions import momentum

from .stubs import stub

pytestmark = pytest.mark.lesson05

KAPPA = 25.0


def _valley():
    return narrow_valley_widget(momentum.momentum_step, momentum.nesterov_step)


def _path_line(panel, index: int):
    """The path drawn in the ``index``-th path axes (0 gradient descent, 1 momentum, 2 Nesterov)."""
    ax = panel.figure.axes[index]
    return next(line for line in ax.lines if line.get_label() in ("gradient descent", "momentum", "Nesterov"))


def _loss_lines(panel) -> dict:
    return {line.get_label(): line for line in panel.figure.axes[3].lines}


def _verdicts(panel) -> list[str]:
    """The label in the corner of each path axes."""
    return [next((t.get_text() for t in ax.texts if t.get_text() in
                  ("converges", "oscillates", "too slow", "diverges")), "") for ax in panel.figure.axes[:3]]


def _heavy_ball(lr, mu, steps, kappa=KAPPA, nesterov=False):
    """The oracle: momentum and Nesterov written out from their definitions, independently of solutions."""
    x, v = START.copy(), np.zeros(2)
    points = [x]
    for _ in range(steps):
        at = x + mu * v if nesterov else x
        v = mu * v - lr * np.array([1.0, kappa]) * at
        x = x + v
        points.append(x)
    return np.array(points)


def test_the_paths_are_the_students_runs_from_the_start():
    panel = _valley()
    lr, mu = panel.controls["lr"].value, panel.controls["momentum"].value
    gd = _path_line(panel, 0).get_xydata()
    np.testing.assert_allclose(gd, _heavy_ball(lr, 0.0, STEPS))
    np.testing.assert_allclose(_path_line(panel, 1).get_xydata(), _heavy_ball(lr, mu, STEPS))
    np.testing.assert_allclose(_path_line(panel, 2).get_xydata(), _heavy_ball(lr, mu, STEPS, nesterov=True))
    losses = _loss_lines(panel)["momentum"].get_ydata()
    path = _heavy_ball(lr, mu, STEPS)
    np.testing.assert_allclose(losses, 0.5 * (path[:, 0] ** 2 + KAPPA * path[:, 1] ** 2))


def test_the_default_settings_tell_the_lesson_story():
    panel = _valley()
    assert _verdicts(panel) == ["too slow", "oscillates", "converges"]
    status = panel.status.value
    assert "gradient descent: <b>too slow</b>" in status and "Nesterov: <b>converges</b>" in status
    assert "2/25 = 0.08" in status


def test_learning_rate_above_two_over_kappa_makes_gradient_descent_diverge():
    panel = _valley()
    before = _path_line(panel, 0).get_xydata().copy()
    panel.controls["momentum"].value = 0.5
    panel.controls["lr"].value = 0.1  # above 2 / 25 for gradient descent, below 2 (1 + mu) / 25 for momentum
    after = _path_line(panel, 0).get_xydata()
    assert len(after) < len(before), "a divergent run is stopped early"
    assert np.max(np.abs(after[-1])) > BLOW_UP
    assert _verdicts(panel)[0] == "diverges"
    assert _verdicts(panel)[1] == "converges"
    assert "gradient descent: <b>diverges</b>" in panel.status.value


def test_momentum_zero_makes_all_three_methods_agree():
    panel = _valley()
    panel.controls["momentum"].value = 0.0
    gd = _path_line(panel, 0).get_xydata()
    for index in (1, 2):
        np.testing.assert_allclose(_path_line(panel, index).get_xydata(), gd, atol=1e-12)


def test_the_condition_number_reshapes_the_contours_and_the_runs():
    panel = _valley()
    contours = panel.figure.axes[0].lines[0]
    before = contours.get_xydata().copy()
    momentum_before = _path_line(panel, 1).get_xydata().copy()
    panel.controls["kappa"].value = 1.0
    after = contours.get_xydata()
    # A round bowl: every contour is a circle, so x0 and x1 span the same range.
    finite = np.isfinite(after).all(axis=1)
    np.testing.assert_allclose(np.nanmax(after[finite, 0]), np.nanmax(after[finite, 1]))
    assert np.nanmax(before[:, 1]) < np.nanmax(before[:, 0]) / 4, "kappa 25: the valley is 5 times narrower"
    assert not np.allclose(_path_line(panel, 1).get_xydata(), momentum_before)
    assert "condition number 1 " in panel.status.value


def test_classify_labels():
    slow = descent_path(None, "gd", kappa=KAPPA, lr=0.003)
    assert classify(slow, KAPPA).label == "too slow"
    fast = descent_path(None, "gd", kappa=KAPPA, lr=0.07)
    assert classify(fast, KAPPA).label == "converges"
    ringing = descent_path(momentum.momentum_step, "momentum", kappa=KAPPA, lr=0.03, momentum=0.9)
    assert classify(ringing, KAPPA).label == "oscillates"
    blown = descent_path(None, "gd", kappa=KAPPA, lr=0.5)
    assert classify(blown, KAPPA).label == "diverges"


def test_descent_path_feeds_back_the_state_and_calls_grad_fn_for_nesterov():
    calls = []

    def recording_nesterov(theta, grad_fn, velocity, *, lr, momentum=0.9):
        calls.append(velocity.copy())
        return momentum_nesterov(theta, grad_fn, velocity, lr=lr, momentum=momentum)

    momentum_nesterov = momentum.nesterov_step
    path = descent_path(recording_nesterov, "nesterov", kappa=4.0, lr=0.05, momentum=0.8, steps=5)
    assert len(path) == 6 and len(calls) == 5
    np.testing.assert_array_equal(calls[0], [0.0, 0.0])
    np.testing.assert_allclose(calls[1], path[1] - path[0], err_msg="the velocity returned is passed back")
    np.testing.assert_allclose(valley_grad([1.0, 2.0], 4.0), [1.0, 8.0])


def test_a_stub_gets_a_note_and_the_other_methods_still_run():
    panel = narrow_valley_widget(momentum.momentum_step, stub("nesterov_step"))
    assert "Implement <code>nesterov_step</code> first" in panel.status.value
    assert len(_path_line(panel, 2).get_xydata()) == 0
    assert len(_path_line(panel, 1).get_xydata()) == STEPS + 1
    note = " ".join(t.get_text() for t in panel.figure.axes[2].texts)
    assert "nesterov_step" in note
    panel.controls["lr"].value = 0.01  # still no exception
    assert "Implement <code>nesterov_step</code> first" in panel.status.value

    both = narrow_valley_widget(stub("momentum_step"), stub("nesterov_step"))
    assert "Implement <code>momentum_step</code> first" in both.status.value
    assert len(_path_line(both, 0).get_xydata()) == STEPS + 1, "gradient descent needs no student function"


def test_a_step_that_returns_only_theta_gets_a_readable_note():
    def momentum_step(theta, grad, velocity, *, lr, momentum=0.9):
        return theta - lr * grad

    panel = narrow_valley_widget(momentum_step, momentum.nesterov_step)
    assert "should return a pair (theta, velocity)" in panel.status.value


# --- two_forms_widget -------------------------------------------------------------------------------

def _forms():
    return two_forms_widget(momentum.momentum_step, momentum.ema_momentum_step)


def _forms_lines(panel):
    ax_path, ax_gap = panel.figure.axes
    by_label = {line.get_label(): line for line in ax_path.lines}
    gap = next(line for line in ax_gap.lines if line.get_label() == "distance between the paths")
    return by_label["momentum_step (classical)"], by_label["ema_momentum_step (moving average)"], gap


def test_matched_learning_rates_give_the_same_path():
    panel = _forms()
    classical, ema, gap = _forms_lines(panel)
    np.testing.assert_allclose(ema.get_xydata(), classical.get_xydata(), atol=1e-12)
    assert np.max(gap.get_ydata()) < 1e-12
    assert "the same path" in panel.status.value
    np.testing.assert_allclose(classical.get_xydata(), _heavy_ball(0.03, 0.9, 40))


def test_unmatched_or_dropped_learning_rates_part_the_paths():
    panel = _forms()
    panel.controls["matched"].value = False
    classical, ema, gap = _forms_lines(panel)
    assert np.max(gap.get_ydata()) > 0.1
    assert "different paths" in panel.status.value and "0.1 times as long" in panel.status.value

    panel.controls["matched"].value = True
    panel.controls["drop"].value = True
    distance = gap.get_ydata()
    assert np.max(distance[:21]) < 1e-12, "identical up to the drop at step 20"
    assert np.max(distance[21:]) > 1e-3, "and different after it"
    assert "scales its whole past at once" in panel.status.value


def test_beta_moves_both_paths():
    panel = _forms()
    classical, ema, _ = _forms_lines(panel)
    before = classical.get_xydata().copy()
    panel.controls["beta"].value = 0.5
    assert not np.allclose(classical.get_xydata(), before)
    np.testing.assert_allclose(ema.get_xydata(), classical.get_xydata(), atol=1e-12)
    assert "0.03 / (1 - 0.50)" in panel.status.value


def test_two_forms_with_a_stub_shows_a_note():
    panel = two_forms_widget(momentum.momentum_step, stub("ema_momentum_step"))
    assert "Implement <code>ema_momentum_step</code> first" in panel.status.value
    panel.controls["beta"].value = 0.8  # still no exception
    assert "Implement <code>ema_momentum_step</code> first" in panel.status.value
    assert not any(ax.get_visible() for ax in panel.figure.axes)
