"""Lesson 07's widgets: the L2 slider on the polynomial fit, and patience on a real curve.

Oracles: scikit-learn's ``Ridge`` (which, like the widget, leaves the
intercept unpenalized) for the polynomial fit, with ``alpha = n * lam / 2``
because it minimizes ``||y - X w||^2 + alpha ||w||^2``; a Keras-style "wait"
counter written here for the early-stopping rule.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from lessons.demos.regularization import EPOCHS, overfitting_run
from lessons.widgets.regularization import (
    LAM_GRID,
    N_TRAIN,
    early_stopping_widget,
    features,
    polynomial_data,
    polynomial_l2_widget,
)
from solutions import regularization

from .stubs import stub

pytestmark = pytest.mark.lesson07


# --------------------------------------------------------------------------
# the polynomial fit
# --------------------------------------------------------------------------

def _poly_panel():
    return polynomial_l2_widget(regularization.l2_penalty, regularization.l2_penalty_grad)


def _line(ax, label):
    return next(line for line in ax.lines if line.get_label() == label)


def _ridge_errors(lam):
    """Training and validation MSE of the polynomial fit, from scikit-learn's Ridge."""
    x, y, x_val, y_val = polynomial_data()
    model = Ridge(alpha=N_TRAIN * lam / 2, fit_intercept=True, solver="svd").fit(features(x), y)
    return (float(np.mean((model.predict(features(x)) - y) ** 2)),
            float(np.mean((model.predict(features(x_val)) - y_val) ** 2)))


def test_error_curves_agree_with_ridge_regression():
    panel = _poly_panel()
    _, ax_err = panel.figure.axes
    train, val = _line(ax_err, "training MSE"), _line(ax_err, "validation MSE")
    np.testing.assert_allclose(train.get_xdata(), LAM_GRID)
    for i in np.flatnonzero(LAM_GRID >= 1e-4)[::4]:  # well-conditioned strengths
        want_train, want_val = _ridge_errors(LAM_GRID[i])
        assert train.get_ydata()[i] == pytest.approx(want_train, rel=1e-6)
        assert val.get_ydata()[i] == pytest.approx(want_val, rel=1e-6)


def test_training_error_grows_with_lam_and_validation_error_is_u_shaped():
    _, ax_err = _poly_panel().figure.axes
    train = _line(ax_err, "training MSE").get_ydata()
    val = _line(ax_err, "validation MSE").get_ydata()
    assert np.all(np.diff(train) >= -1e-9), "more penalty can only raise the training error"
    best = int(np.argmin(val))
    assert 1e-4 < LAM_GRID[best] < 1e-1
    assert val[0] > 100 * val[best] and val[-1] > 3 * val[best]


def test_moving_lam_refits_and_updates_the_readout():
    panel = _poly_panel()
    ax_fit, ax_err = panel.figure.axes
    fit = _line(ax_fit, "fitted polynomial, degree 11")
    wild = fit.get_ydata().copy()
    assert "lam = 1e-06" in panel.status.value
    panel.controls["lam"].value = 1e-2
    smooth = fit.get_ydata()
    assert not np.allclose(wild, smooth)
    assert np.max(np.abs(wild)) > 10 > 2 > np.max(np.abs(smooth)), "small lam swings wildly; lam = 0.01 does not"
    want_train, want_val = _ridge_errors(1e-2)
    assert f"training MSE {want_train:.4f}" in panel.status.value
    assert f"validation MSE <b>{want_val:.4g}</b>" in panel.status.value
    assert "l2_penalty of the 11 coefficients" in panel.status.value
    dots = [line for line in ax_err.lines if line.get_marker() in ("o", "s")]
    assert all(line.get_xdata()[0] == pytest.approx(1e-2) for line in dots)


@pytest.mark.parametrize("name", ["l2_penalty", "l2_penalty_grad"])
def test_a_stub_in_the_polynomial_fit_gets_a_note(name):
    fns = {"l2_penalty": regularization.l2_penalty, "l2_penalty_grad": regularization.l2_penalty_grad}
    fns[name] = stub(name)
    panel = polynomial_l2_widget(fns["l2_penalty"], fns["l2_penalty_grad"])
    assert f"Implement <code>{name}</code> first" in panel.status.value
    panel.controls["lam"].value = 1.0  # still no exception
    assert f"Implement <code>{name}</code> first" in panel.status.value
    assert not any(ax.get_visible() for ax in panel.figure.axes)


def test_a_nonlinear_gradient_is_named():
    def l2_penalty_grad(W, *, lam):
        return lam * np.sign(W)  # the L1 gradient: not linear in W

    panel = polynomial_l2_widget(regularization.l2_penalty, l2_penalty_grad)
    assert "not linear in W" in panel.status.value


# --------------------------------------------------------------------------
# early stopping on a real curve
# --------------------------------------------------------------------------

def _wait_counter(losses, patience, min_delta):
    """Keras's rule, written independently: stop once `wait` epochs without improvement reach patience."""
    best, wait = np.inf, 0
    for epoch, loss in enumerate(losses):
        if best - loss > min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, int(np.argmin(losses[:epoch + 1]))
    return len(losses) - 1, int(np.argmin(losses))


def _marks(panel):
    ax_loss, ax_acc = panel.figure.axes
    stops = [float(line.get_xdata()[0]) for ax in (ax_loss, ax_acc) for line in ax.lines
             if line.get_label() == "stop epoch"]
    star = _line(ax_loss, "best epoch")
    shades = [p.get_x() for ax in (ax_loss, ax_acc) for p in ax.patches]
    return stops, float(star.get_xdata()[0]), shades


@pytest.fixture(scope="module")
def es_panel():
    return early_stopping_widget(regularization.early_stopping)


def test_the_curve_is_a_real_run_that_overfits():
    run = overfitting_run()
    assert run.val_loss.shape == (EPOCHS,) and run.train_loss[-1] < 0.05
    lowest = int(np.argmin(run.val_loss))
    assert lowest < 60 and run.val_loss[-1] > 1.15 * run.val_loss[lowest]
    assert overfitting_run() is run, "computed once, then reused"


@pytest.mark.parametrize("patience, min_delta", [(5, 0.0), (1, 0.0), (20, 0.0), (40, 0.0), (3, 0.05), (10, 0.02)])
def test_the_marks_follow_the_students_early_stopping(es_panel, patience, min_delta):
    es_panel.controls["patience"].value = patience
    es_panel.controls["min_delta"].value = min_delta
    stop, best = _wait_counter(overfitting_run().val_loss, patience, min_delta)
    stops, star, shades = _marks(es_panel)
    assert stops == [stop, stop] and star == best and shades == [stop, stop]
    assert f"stops after epoch <b>{stop}</b>" in es_panel.status.value
    assert f"best epoch <b>{best}</b>" in es_panel.status.value


def test_patience_moves_the_stop_later(es_panel):
    es_panel.controls["min_delta"].value = 0.0
    stops = []
    for patience in (1, 5, 20):
        es_panel.controls["patience"].value = patience
        stops.append(_marks(es_panel)[0][0])
    assert stops[0] < stops[1] < stops[2]


def test_a_stub_early_stopping_gets_a_note_not_a_traceback():
    panel = early_stopping_widget(stub("early_stopping"))
    assert "Implement <code>early_stopping</code> first" in panel.status.value
    panel.controls["patience"].value = 12
    assert "Implement <code>early_stopping</code> first" in panel.status.value


def test_a_best_epoch_after_the_stop_is_explained():
    def early_stopping(val_losses, *, patience, min_delta=0.0):
        stop, _ = regularization.early_stopping(val_losses, patience=patience, min_delta=min_delta)
        return stop, int(np.argmin(val_losses))  # looks past the stop

    panel = early_stopping_widget(early_stopping)
    assert "among the epochs up to the stop" in panel.status.value
