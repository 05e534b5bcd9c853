"""Lesson 01's demo: cross-entropy recovers from a bad start where sigmoid + MSE stalls."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.demos.losses import demo, train_from_bad_start
from solutions import losses

from .stubs import stub

pytestmark = pytest.mark.lesson01


def test_cross_entropy_recovers_and_mse_stalls():
    mse_run, ce_run = train_from_bad_start(losses.mse, losses.mse_grad, losses.binary_cross_entropy,
                                           losses.accuracy)
    assert mse_run.test_accuracy[0] < 0.2 and ce_run.test_accuracy[0] < 0.2, "both start confidently wrong"
    assert ce_run.test_accuracy[-1] >= 0.95
    assert mse_run.test_accuracy[-1] <= 0.6
    assert ce_run.loss[-1] < 0.5 * ce_run.loss[0]


def test_demo_names_the_stub_to_implement():
    note = demo(losses.mse, stub("mse_grad"), losses.binary_cross_entropy, losses.accuracy)
    assert "Implement `mse_grad` first" in note.data


def test_demo_returns_an_image_every_front_end_shows():
    image = demo(losses.mse, losses.mse_grad, losses.binary_cross_entropy, losses.accuracy)
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"


# --- the figure of the two losses against the logit ---
# Oracles: the closed forms of section 6, derived by hand for a sample of class 1 with p = sigmoid(z):
# MSE (p - 1)^2 with d/dz 2 (p - 1) p (1 - p); cross-entropy -log p = log(1 + e^-z) with d/dz p - 1.

def test_the_loss_shapes_are_the_closed_forms_of_section_6():
    from lessons.demos.losses import loss_shapes

    s = loss_shapes(losses.mse, losses.mse_grad, losses.binary_cross_entropy)
    p = 1.0 / (1.0 + np.exp(-s.z))
    np.testing.assert_allclose(s.mse, (p - 1.0) ** 2, rtol=1e-12)
    np.testing.assert_allclose(s.bce, np.log1p(np.exp(-s.z)), rtol=1e-9)
    np.testing.assert_allclose(s.mse_dz, 2.0 * (p - 1.0) * p * (1.0 - p), rtol=1e-12)
    np.testing.assert_allclose(s.bce_dz, p - 1.0, atol=1e-8)
    assert s.bce_dz[0] < -0.99, "at z = -6 the cross-entropy still pushes with almost -1"
    # d/dp of 2 p (1 - p)^2 is 2 (1 - p)(1 - 3p): the MSE push is largest at p = 1/3, z = -ln 2, where it is
    # -2 (1/3)(2/3)^2 = -8/27; the figure's grid (steps of 0.05) comes within 0.025 of z = -0.693.
    i = int(np.argmin(s.mse_dz))
    assert abs(s.z[i] + np.log(2.0)) <= 0.025 and s.mse_dz[i] == pytest.approx(-8 / 27, rel=1e-3)
    # At z = -6, p = 1 / (1 + e^6): the MSE gradient -2 p (1 - p)^2 = -2 e^6 / (1 + e^6)^3 = -0.0049 has vanished.
    assert -0.0050 < s.mse_dz[0] < -0.0048


def test_a_forgotten_factor_2_halves_the_mse_gradient_of_the_figure():
    from lessons.demos.losses import loss_shapes

    def mse_grad(y_pred, y_true):
        return (np.asarray(y_pred) - np.asarray(y_true)) / np.size(y_pred)

    right = loss_shapes(losses.mse, losses.mse_grad, losses.binary_cross_entropy)
    half = loss_shapes(losses.mse, mse_grad, losses.binary_cross_entropy)
    np.testing.assert_allclose(half.mse_dz, right.mse_dz / 2, rtol=1e-12)


def test_the_loss_shapes_figure_shows_or_names_the_stub():
    from IPython.display import Image, Markdown

    from lessons.demos.losses import loss_shapes_figure

    assert isinstance(loss_shapes_figure(losses.mse, losses.mse_grad, losses.binary_cross_entropy), Image)
    for name in ("mse", "mse_grad", "binary_cross_entropy"):
        fns = {"mse": losses.mse, "mse_grad": losses.mse_grad, "binary_cross_entropy": losses.binary_cross_entropy}
        fns[name] = stub(name)
        note = loss_shapes_figure(**fns)
        assert isinstance(note, Markdown) and f"Implement `{name}` first" in note.data and "this figure" in note.data
