"""Lesson 01's widget: the slider moves the markers and the read-out; stubs get a note."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.widgets.losses import loss_saturation_widget
from solutions import losses

from .stubs import stub

pytestmark = pytest.mark.lesson01


def _dots(panel):
    return {line.get_label(): line.get_xydata().copy() for ax in panel.figure.axes for line in ax.lines}


def test_curves_come_from_the_students_functions():
    panel = loss_saturation_widget(losses.mse, losses.binary_cross_entropy)
    loss_ax, grad_ax = panel.figure.axes
    ce = next(line for line in loss_ax.lines if line.get_label() == "cross-entropy")
    p, loss = ce.get_xdata(), ce.get_ydata()
    np.testing.assert_allclose(loss, -np.log(p), rtol=1e-6)  # closed form of BCE against target 1
    mse_grad = next(line for line in grad_ax.lines if line.get_label() == "sigmoid + MSE")
    gp = mse_grad.get_xdata()
    np.testing.assert_allclose(mse_grad.get_ydata(), 2 * (1 - gp) * gp * (1 - gp), rtol=1e-4)


def test_moving_the_slider_moves_the_markers_and_the_readout():
    panel = loss_saturation_widget(losses.mse, losses.binary_cross_entropy)
    before, status_before = _dots(panel), panel.status.value
    panel.controls["p_true"].value = 0.05
    after = _dots(panel)
    assert any(not np.array_equal(before[k], after[k]) for k in before)
    assert panel.status.value != status_before and "p = 0.050" in panel.status.value
    ce_ratio = float(panel.status.value.split("<b>")[1].split("&times;")[0])
    assert ce_ratio > 5, "confidently wrong: the cross-entropy gradient should dominate"


def test_the_slider_updates_the_same_figure_in_place():
    panel = loss_saturation_widget(losses.mse, losses.binary_cross_entropy)
    fig, axes = panel.figure, list(panel.figure.axes)
    lines = [line for ax in axes for line in ax.lines]
    before = [line.get_xydata().copy() for line in lines]
    panel.controls["p_true"].value = 0.9
    assert panel.figure is fig and list(fig.axes) == axes
    assert [line for ax in fig.axes for line in ax.lines] == lines, "artists were re-created"
    moved = [not np.array_equal(b, line.get_xydata()) for b, line in zip(before, lines)]
    assert sum(moved) == 6, "the four markers and the two vertical lines move; the curves stay"


def test_a_stub_gets_a_note_not_a_traceback():
    panel = loss_saturation_widget(stub("mse"), losses.binary_cross_entropy)
    assert "Implement <code>mse</code> first" in panel.status.value
    panel.controls["p_true"].value = 0.3  # still no exception
    assert "Implement <code>mse</code> first" in panel.status.value
