"""Lesson 04's widget: every control redraws from the student's functions; stubs get a note."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.widgets import initializers as widget
from lessons.widgets.initializers import activation_stats_widget
from solutions import initializers as ref

from .stubs import stub

pytestmark = pytest.mark.lesson04

REFERENCE = (ref.small_random_init, ref.glorot_uniform, ref.glorot_normal, ref.he_normal, ref.layer_activation_stds)


def _panel(**replaced):
    functions = dict(zip(("small_random_init", "glorot_uniform", "glorot_normal", "he_normal",
                          "layer_activation_stds"), REFERENCE))
    functions.update(replaced)
    return activation_stats_widget(**functions)


def _std_line(panel):
    ax_std = panel.figure.axes[0]
    return next(line for line in ax_std.lines if line.get_label() == "std of the layer's output")


def _hist_lines(panel):
    return [line for line in panel.figure.axes[1].lines]


def _set(panel, **values):
    for name, value in values.items():
        panel.controls[name].value = value


def test_the_curve_is_what_the_students_function_returned():
    calls = []

    def layer_activation_stds(x, weights, activation):
        calls.append((np.array(x), [np.array(W) for W in weights], activation))
        return ref.layer_activation_stds(x, weights, activation)

    panel = _panel(layer_activation_stds=layer_activation_stds)
    _set(panel, depth=7, activation="linear")
    x, weights, activation = calls[-1]
    assert x.shape == (widget.N_SAMPLES, widget.WIDTH) and len(weights) == 7
    assert all(W.shape == (widget.WIDTH, widget.WIDTH) for W in weights)
    # oracle: the forward pass written out with np.std
    h, expected = x, []
    for W in weights:
        h = activation(h @ W)
        expected.append(np.std(h))
    line = _std_line(panel)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 8))
    np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-12)


def test_depth_moves_the_curve_and_the_readout():
    panel = _panel()
    _set(panel, depth=3)
    assert len(_std_line(panel).get_xdata()) == 3 and "after layer 3" in panel.status.value
    _set(panel, depth=50)
    assert len(_std_line(panel).get_xdata()) == 50 and "after layer 50" in panel.status.value
    circled = [line.get_xdata()[0] for line in panel.figure.axes[0].lines if line.get_marker() == "o"
               and line.get_markersize() == 9]
    assert circled == [1, 25, 50], "the histogram layers (first, middle, last) are circled on the left"


def test_small_random_tanh_shrinks_by_a_tenth_per_layer():
    """sqrt(fan_in) * 0.01 = 0.1: the lesson's prediction, read off the plotted curve."""
    panel = _panel()
    _set(panel, initializer="small_random_init", activation="tanh", depth=20)
    y = _std_line(panel).get_ydata()
    ratios = y[1:] / y[:-1]
    np.testing.assert_allclose(ratios, 0.1, rtol=0.1)
    assert "&times;0.1 per layer" in panel.status.value


def test_he_keeps_relu_flat_and_glorot_loses_a_factor_sqrt2():
    panel = _panel()
    _set(panel, activation="relu", depth=50, initializer="he_normal")
    he = _std_line(panel).get_ydata().copy()
    assert 0.2 < he[-1] / he[0] < 5
    _set(panel, initializer="glorot_normal")
    glorot = _std_line(panel).get_ydata().copy()
    factor = (glorot[-1] / glorot[0]) ** (1 / 49)
    assert factor == pytest.approx(1 / np.sqrt(2), rel=0.05)


def test_the_weight_scale_multiplies_a_linear_stack_by_scale_per_layer():
    panel = _panel()
    _set(panel, activation="linear", initializer="glorot_uniform", depth=10, scale=1.0)
    base = _std_line(panel).get_ydata().copy()
    _set(panel, scale=2.0)
    scaled = _std_line(panel).get_ydata().copy()
    np.testing.assert_allclose(scaled / base, 2.0 ** np.arange(1, 11), rtol=1e-9)
    assert "&times; 2," in panel.status.value


def test_activation_changes_the_histograms_and_their_range():
    panel = _panel()
    _set(panel, initializer="glorot_normal", activation="tanh", depth=10)
    tanh_lines = [line.get_ydata().copy() for line in _hist_lines(panel)]
    assert panel.figure.axes[1].get_xlim() == (-1.0, 1.0)
    for shares in tanh_lines:
        assert shares.sum() == pytest.approx(1.0)
    _set(panel, activation="sigmoid")
    assert panel.figure.axes[1].get_xlim() == (0.0, 1.0)
    assert any(not np.array_equal(a, line.get_ydata()) for a, line in zip(tanh_lines, _hist_lines(panel)))
    _set(panel, activation="relu")
    assert panel.figure.axes[1].get_xlim()[0] == 0.0
    first = _hist_lines(panel)[0].get_ydata()
    assert first.sum() == pytest.approx(1.0) and first[0] < 0.3, "ReLU histograms leave out the exact zeros"
    assert "ReLU" in panel.status.value


def test_a_large_scale_saturates_tanh_at_plus_and_minus_one():
    panel = _panel()
    _set(panel, initializer="glorot_normal", activation="tanh", depth=20, scale=3.0)
    last = _hist_lines(panel)[-1].get_ydata()
    assert last[0] + last[-1] > 0.3, "the end bins (near -1 and +1) should hold many outputs"


def test_zeros_give_a_note_about_identical_units():
    panel = _panel()
    _set(panel, initializer="zeros", activation="sigmoid", depth=5)
    assert np.all(np.isnan(_std_line(panel).get_ydata())), "stds of 0 cannot be drawn on a log scale"
    assert "identical" in panel.figure.axes[0].texts[0].get_text()
    assert "same gradient" in panel.status.value
    shares = _hist_lines(panel)[0].get_ydata()
    assert shares.max() == pytest.approx(1.0), "every output equals sigmoid(0) = 0.5"
    _set(panel, initializer="he_normal")
    assert panel.figure.axes[0].texts[0].get_text() == ""


def test_stubs_get_a_note_not_a_traceback():
    panel = _panel(small_random_init=stub("small_random_init"), layer_activation_stds=stub("layer_activation_stds"))
    assert "Implement <code>small_random_init</code> first" in panel.status.value
    _set(panel, initializer="he_normal")
    assert "Implement <code>layer_activation_stds</code> first" in panel.status.value
    _set(panel, initializer="zeros", depth=3, activation="relu", scale=2.0)  # still no exception
    assert "Implement <code>layer_activation_stds</code> first" in panel.status.value


def test_a_wrong_result_is_explained():
    panel = _panel(layer_activation_stds=lambda x, weights, activation: np.ones(2),
                   he_normal=lambda fan_in, fan_out, *, rng: np.zeros((fan_out + 1, fan_in)))
    assert "returned 2 values for 20 layers" in panel.status.value
    _set(panel, initializer="he_normal")
    assert "returned shape (101, 100)" in panel.status.value


def test_the_axes_limits_are_rounded_so_most_moves_keep_them():
    panel = _panel()
    _set(panel, initializer="he_normal", activation="relu", depth=10)
    limits = (panel.figure.axes[0].get_ylim(), panel.figure.axes[1].get_xlim(), panel.figure.axes[1].get_ylim())
    for depth in (12, 20, 30):
        _set(panel, depth=depth)
        assert (panel.figure.axes[0].get_ylim(), panel.figure.axes[1].get_xlim()) == limits[:2]
    low, high = panel.figure.axes[0].get_ylim()
    assert float(np.log10(low)).is_integer() and float(np.log10(high)).is_integer()


def test_a_saved_figure_keeps_its_axes():
    """savefig's layout pass must not leave blank axes in the picture or in the cache."""
    import io

    from PIL import Image

    panel = _panel()
    panel.figure.canvas.draw()
    buffer = io.BytesIO()
    panel.figure.savefig(buffer, format="png", dpi=50)
    pixels = np.asarray(Image.open(buffer).convert("L"))
    left_margin = pixels[:, : pixels.shape[1] // 20]  # where the y label and tick labels are
    assert (left_margin < 128).any(), "the tick labels and the y label are missing"


def test_a_function_that_writes_into_x_does_not_corrupt_the_widget():
    def layer_activation_stds(x, weights, activation):
        stds = ref.layer_activation_stds(x, weights, activation)
        x *= 0.0  # a student's in-place slip
        return stds

    panel = _panel(layer_activation_stds=layer_activation_stds)
    _set(panel, initializer="he_normal", activation="linear", depth=4)
    first = _hist_lines(panel)[0].get_ydata()
    assert first.max() < 0.5, "the histograms still come from the original inputs, not from zeros"
    _set(panel, depth=5)
    np.testing.assert_allclose(_std_line(panel).get_ydata()[:4], ref.layer_activation_stds(
        widget._inputs(), [np.asarray(W) for W in _drawn_he()[:4]], widget.identity), rtol=1e-12)


def _drawn_he():
    rng = np.random.default_rng(widget.SEED + 1)
    return [ref.he_normal(widget.WIDTH, widget.WIDTH, rng=rng) for _ in range(widget.MAX_DEPTH)]
