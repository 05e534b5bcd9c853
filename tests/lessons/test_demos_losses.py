"""Lesson 01's demo: cross-entropy recovers from a bad start where sigmoid + MSE stalls."""

from __future__ import annotations

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
