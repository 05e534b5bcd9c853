"""Lesson 06's widget: runs checked against PyTorch's optimizers, every control redraws, stubs get a note."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.widgets.adaptive import (ADAGRAD, ADAM, KINDS, MOMENTUM, RMSPROP, STEPS, SURFACES,
                                      adaptive_race_widget, run_optimizer)
from solutions import adaptive

from .stubs import stub

pytestmark = pytest.mark.lesson06

REFERENCE = (adaptive.adagrad_step, adaptive.rmsprop_step, adaptive.adam_step)
STEP_FNS = {"adagrad": adaptive.adagrad_step, "rmsprop": adaptive.rmsprop_step, "adam": adaptive.adam_step}
LABELS = {"sgd": "gradient descent", "momentum": "momentum 0.9", "adagrad": "AdaGrad (yours)",
          "rmsprop": "RMSProp (yours)", "adam": "Adam (yours)"}


def _widget(*functions):
    return adaptive_race_widget(*(functions or REFERENCE))


def _line(panel, axes: int, kind: str):
    return next(line for line in panel.figure.axes[axes].lines if line.get_label() == LABELS[kind])


def _all_lines(panel) -> dict:
    return {(a, i): line.get_xydata().copy() for a, ax in enumerate(panel.figure.axes)
            for i, line in enumerate(ax.lines)}


def _torch_path(kind: str, surface, lr: float, steps: int = STEPS) -> np.ndarray:
    """The oracle: the same run with PyTorch's optimizer (float64), where the widget uses the student's."""
    torch = pytest.importorskip("torch")
    param = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
    if kind == "adagrad":
        opt = torch.optim.Adagrad([param], lr=lr, eps=ADAGRAD["eps"])
    elif kind == "rmsprop":
        opt = torch.optim.RMSprop([param], lr=lr, alpha=RMSPROP["rho"], eps=RMSPROP["eps"])
    elif kind == "adam":
        opt = torch.optim.Adam([param], lr=lr, betas=(ADAM["beta1"], ADAM["beta2"]), eps=ADAM["eps"])
    elif kind == "momentum":
        opt = torch.optim.SGD([param], lr=lr, momentum=MOMENTUM)
    else:
        opt = torch.optim.SGD([param], lr=lr)
    points = [param.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        param.grad = torch.tensor(surface.grad(param.detach().numpy()), dtype=torch.float64)
        opt.step()
        points.append(param.detach().numpy().copy())
    return np.array(points)


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("kind", KINDS)
def test_every_run_matches_pytorch(kind, surface):
    surf = SURFACES[surface]
    lr = 0.01 if kind in ("sgd", "momentum") and surface == "rosenbrock" else 0.1
    run = run_optimizer(kind, STEP_FNS.get(kind), surf, lr=lr)
    assert run.diverged_at is None
    np.testing.assert_allclose(run.path, _torch_path(kind, surf, lr), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(run.gap, surf.loss(run.path) - surf.loss_min)


def test_effective_learning_rates_follow_their_formulas():
    surf = SURFACES["valley"]
    adagrad = run_optimizer("adagrad", adaptive.adagrad_step, surf, lr=0.1)
    grads = np.array([surf.grad(p) for p in adagrad.path[:-1]])
    r = np.cumsum(grads**2, axis=0)
    np.testing.assert_allclose(adagrad.effective, 0.1 / (1e-7 + np.sqrt(r)))
    assert np.all(np.diff(adagrad.effective, axis=0) <= 0), "AdaGrad's effective learning rates only shrink"
    # The first Adam step: v_hat = g**2, so the effective rate is lr / (|g| + eps).
    adam = run_optimizer("adam", adaptive.adam_step, surf, lr=0.1)
    np.testing.assert_allclose(adam.effective[0], 0.1 / (np.abs(surf.grad(np.array(surf.start))) + 1e-8))
    sgd = run_optimizer("sgd", None, surf, lr=0.1)
    np.testing.assert_array_equal(sgd.effective, np.full((STEPS, 2), 0.1))


def test_the_figure_shows_the_runs_of_the_current_controls():
    panel = _widget()
    lr, surf = panel.controls["lr"].value, SURFACES[panel.controls["surface"].value]
    for kind in KINDS:
        run = run_optimizer(kind, STEP_FNS.get(kind), surf, lr=lr)
        np.testing.assert_allclose(_line(panel, 0, kind).get_xydata(), run.path)
        np.testing.assert_allclose(_line(panel, 1, kind).get_ydata(), np.clip(run.gap, 1e-300, 1e30))
        if kind in STEP_FNS:
            np.testing.assert_allclose(_line(panel, 2, kind).get_ydata(), run.effective[:, 0])
            np.testing.assert_allclose(_line(panel, 3, kind).get_ydata(), run.effective[:, 1])
    assert "<b>Narrow valley</b>, lr = 0.1, 100 steps from (-1.8, 1)" in panel.status.value
    assert panel.status.value.count("above the minimum") == 5


def test_the_learning_rate_moves_every_line_and_the_readout():
    panel = _widget()
    before, status = _all_lines(panel), panel.status.value
    panel.controls["lr"].value = 0.01
    after = _all_lines(panel)
    moved = [key for key in before if not np.array_equal(before[key], after[key])]
    assert len(moved) >= 5 + 5 + 3 + 3, "every path, loss and effective-rate line should move"
    assert panel.status.value != status and "lr = 0.01" in panel.status.value


def test_the_surface_changes_the_contours_the_title_and_the_runs():
    panel = _widget()
    ax_path = panel.figure.axes[0]
    contour = ax_path.lines[0]
    before = contour.get_xydata().copy()
    panel.controls["surface"].value = "saddle"
    assert not np.array_equal(before, contour.get_xydata(), equal_nan=True)
    assert any("Saddle" in t.get_text() for t in ax_path.texts)
    assert "<b>Saddle</b>" in panel.status.value
    # A hair off the ridge, gradient descent sits on the saddle (loss 0.25 above the minima); Adam escapes.
    sgd = _line(panel, 1, "sgd").get_ydata()
    adam = _line(panel, 1, "adam").get_ydata()
    assert abs(sgd[-1] - 0.25) < 0.01
    assert adam[-1] < 1e-3
    # Its effective rate for y, whose gradient is about 1e-6, starts near 1e5.
    assert _line(panel, 3, "adam").get_ydata()[0] > 1e4


def test_divergence_on_rosenbrock_is_reported():
    panel = _widget()
    panel.controls["surface"].value = "rosenbrock"
    status = panel.status.value
    assert "gradient descent: <b>diverged</b> at step" in status
    assert "Adam: loss" in status and "Adam: <b>diverged" not in status
    path = _line(panel, 0, "sgd").get_xydata()
    assert len(path) < STEPS + 1 and np.max(np.abs(path[-1])) > 1e3
    panel.controls["lr"].value = 0.01
    assert "diverged" not in panel.status.value


def test_unticking_a_rule_hides_its_lines_and_drops_it_from_the_readout():
    panel = _widget()
    panel.controls["adam"].value = False
    assert not _line(panel, 0, "adam").get_visible()
    assert not _line(panel, 2, "adam").get_visible()
    assert "Adam:" not in panel.status.value
    assert _line(panel, 0, "rmsprop").get_visible()
    for kind in KINDS:
        panel.controls[kind].value = False
    assert "Tick at least one update rule" in panel.status.value
    panel.controls["adam"].value = True
    assert _line(panel, 0, "adam").get_visible() and "Adam:" in panel.status.value


@pytest.mark.parametrize("missing", ["adagrad_step", "rmsprop_step", "adam_step"])
def test_a_stub_gets_a_note_not_a_traceback(missing):
    functions = [stub(f.__name__) if f.__name__ == missing else f for f in REFERENCE]
    panel = _widget(*functions)
    assert f"Implement <code>{missing}</code> first" in panel.status.value
    assert all(ax.get_visible() for ax in panel.figure.axes), "the other runs still show"
    assert _line(panel, 0, "sgd").get_visible() and len(_line(panel, 0, "sgd").get_xydata()) == STEPS + 1
    kind = missing.split("_")[0]
    assert not _line(panel, 0, kind).get_visible()
    assert any(missing in t.get_text() for t in panel.figure.axes[2].texts)
    panel.controls["surface"].value = "rosenbrock"  # still no exception
    panel.controls["lr"].value = 0.3
    assert f"Implement <code>{missing}</code> first" in panel.status.value


def test_all_three_stubs_leave_gradient_descent_and_momentum():
    panel = _widget(stub("adagrad_step"), stub("rmsprop_step"), stub("adam_step"))
    for name in ("adagrad_step", "rmsprop_step", "adam_step"):
        assert f"Implement <code>{name}</code> first" in panel.status.value
    assert "gradient descent: loss" in panel.status.value and "momentum 0.9: loss" in panel.status.value


def test_a_wrong_return_value_is_explained():
    def adam_step(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        return theta - lr * np.sign(grad)

    panel = _widget(adaptive.adagrad_step, adaptive.rmsprop_step, adam_step)
    assert "Your <code>adam_step</code> should return (theta, m, v)" in panel.status.value
    assert "AdaGrad: loss" in panel.status.value


def test_the_static_backdrop_is_reused_and_remade_for_a_new_surface():
    panel = _widget()
    canvas = panel.figure.canvas
    canvas.draw()
    first = np.asarray(canvas.buffer_rgba()).copy()
    canvas.draw()  # drawn from the cached backdrop
    np.testing.assert_array_equal(np.asarray(canvas.buffer_rgba()), first)
    panel.controls["surface"].value = "saddle"
    canvas.draw()
    saddle = np.asarray(canvas.buffer_rgba()).copy()
    assert not np.array_equal(saddle, first)
    panel.controls["surface"].value = "valley"
    canvas.draw()
    np.testing.assert_array_equal(np.asarray(canvas.buffer_rgba()), first)


def test_a_function_that_writes_into_its_argument_is_reported():
    def adagrad_step(theta, grad, r, *, lr=0.01, eps=1e-7):
        r += grad**2
        return theta - lr * grad / (eps + np.sqrt(r)), r

    panel = _widget(adagrad_step, adaptive.rmsprop_step, adaptive.adam_step)
    assert "Your <code>adagrad_step</code> raised ValueError" in panel.status.value
    assert "RMSProp: loss" in panel.status.value
