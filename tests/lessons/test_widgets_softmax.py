"""Lesson 02's widget: the sliders drive the student's softmax and entropy; the naive formula breaks."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.widgets.softmax import TEMPERATURES, softmax_temperature_widget
from solutions import softmax as ref

from .stubs import stub

pytestmark = pytest.mark.lesson02


def _closed_form(z):
    """Softmax written out in the test (an oracle independent of the widget's code)."""
    e = np.exp(np.asarray(z, dtype=float) - np.max(z))
    return e / e.sum()


def _bars(panel):
    """Heights of the student's bars and of the naive bars, and the texts written over them."""
    ax = panel.figure.axes[0]
    stable, naive = ax.containers
    marks = [t.get_text() for t in ax.texts]
    return (np.array([b.get_height() for b in stable]), np.array([b.get_height() for b in naive]), marks)


def _entropy_line(panel):
    curve, dot = panel.figure.axes[1].lines[:2]
    return curve, dot


@pytest.fixture
def panel():
    return softmax_temperature_widget(ref.softmax, ref.entropy)


def test_bars_show_the_softmax_of_the_logits(panel):
    stable, naive, marks = _bars(panel)
    np.testing.assert_allclose(stable, _closed_form([1.0, 2.0, 3.0]), rtol=1e-12)
    np.testing.assert_allclose(naive, stable, rtol=1e-12)
    assert marks == [""] * 6
    assert "0.090, 0.245, 0.665" in panel.status.value and "0.832 nats" in panel.status.value


def test_a_large_shift_breaks_only_the_naive_formula(panel):
    before, _, _ = _bars(panel)
    panel.controls["shift"].value = 800.0
    stable, naive, marks = _bars(panel)
    np.testing.assert_allclose(stable, before, rtol=1e-12)
    assert np.all(naive == 0) and marks == [""] * 3 + ["nan"] * 3
    assert "overflows to inf" in panel.status.value
    panel.controls["shift"].value = -800.0
    stable, naive, marks = _bars(panel)
    np.testing.assert_allclose(stable, before, rtol=1e-12)
    assert marks[3:] == ["nan"] * 3 and "underflows to 0" in panel.status.value
    panel.controls["shift"].value = 0.0
    assert _bars(panel)[2] == [""] * 6 and "both formulas agree" in panel.status.value


def test_the_entropy_curve_and_marker_follow_the_temperature(panel):
    curve, dot = _entropy_line(panel)
    z = np.array([1.0, 2.0, 3.0])
    expected = [-np.sum(p * np.log(p)) for p in (_closed_form(z / t) for t in TEMPERATURES)]
    np.testing.assert_allclose(curve.get_ydata(), expected, rtol=1e-9)
    panel.controls["temperature"].value = 0.2
    x, y = dot.get_data()
    p = _closed_form(z / 0.2)
    assert x[0] == pytest.approx(0.2) and y[0] == pytest.approx(-np.sum(p * np.log(p)))
    stable, _, _ = _bars(panel)
    np.testing.assert_allclose(stable, p, rtol=1e-9)
    assert f"{-np.sum(p * np.log(p)):.3f} nats" in panel.status.value


def test_moving_a_logit_recomputes_the_curve(panel):
    curve, _ = _entropy_line(panel)
    before = curve.get_ydata().copy()
    panel.controls["z1"].value = 3.0  # z = (3, 2, 3): two classes tie for the largest logit
    after = curve.get_ydata()
    assert not np.allclose(before, after)
    assert after[0] == pytest.approx(np.log(2), rel=1e-3), "two tied logits: entropy near log 2 as T -> 0"
    assert after[-1] <= np.log(3) + 1e-12


def test_a_naive_student_softmax_is_named_in_the_status():
    def softmax(z, axis=-1):
        with np.errstate(all="ignore"):  # the notebook prints these warnings; pytest would raise them
            e = np.exp(np.asarray(z, dtype=float))
            return e / np.sum(e, axis=axis, keepdims=True)

    panel = softmax_temperature_widget(softmax, ref.entropy)
    panel.controls["shift"].value = 900.0
    assert "Your softmax returned nan" in panel.status.value
    assert _bars(panel)[2] == ["nan"] * 6


@pytest.mark.parametrize("name", ["softmax", "entropy"])
def test_a_stub_gets_a_note_not_a_traceback(name):
    functions = {"softmax": ref.softmax, "entropy": ref.entropy, name: stub(name)}
    panel = softmax_temperature_widget(functions["softmax"], functions["entropy"])
    assert f"Implement <code>{name}</code> first" in panel.status.value
    assert not any(ax.get_visible() for ax in panel.figure.axes)
    for control, value in (("shift", 500.0), ("temperature", 3.0), ("z3", -2.0)):
        panel.controls[control].value = value  # still no exception
        assert f"Implement <code>{name}</code> first" in panel.status.value
