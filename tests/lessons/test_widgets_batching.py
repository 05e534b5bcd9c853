"""Lesson 03's widget: the controls move the paths, the losses and the read-out; stubs get a note."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.widgets.batching import (BATCH_SIZES, EPOCHS, N_SAMPLES, batch_size_widget, descent_path,
                                      make_problem)
from solutions import batching

from .stubs import stub

pytestmark = pytest.mark.lesson03

REFERENCE = (batching.minibatches, batching.linear_mse_grad, batching.sgd_step, batching.train_minibatch_sgd)


def _lines(panel) -> dict:
    """Every line of the figure, keyed by (axes index, line index), as an (n, 2) array of its data."""
    return {(a, i): line.get_xydata().copy() for a, ax in enumerate(panel.figure.axes)
            for i, line in enumerate(ax.lines)}


def _path(panel) -> np.ndarray:
    ax_path = panel.figure.axes[0]
    line = next(line for line in ax_path.lines if line.get_label() == "your batch size, same lr")
    return line.get_xydata()


def _epoch_marks(panel) -> np.ndarray:
    ax_loss = panel.figure.axes[1]
    return next(line for line in ax_loss.lines if "train_minibatch_sgd" in line.get_label()).get_xydata()


def test_batch_size_sets_the_number_of_steps():
    panel = batch_size_widget(*REFERENCE)
    for batch_size in (1, 8, N_SAMPLES):
        panel.controls["batch_size"].value = batch_size
        steps = EPOCHS * -(-N_SAMPLES // batch_size)
        assert len(_path(panel)) == steps + 1, "one point before training and one after every step"
        assert f"Batch size <b>{batch_size}</b>" in panel.status.value
        assert f"{steps} in {EPOCHS} epochs" in panel.status.value


def test_the_path_follows_the_students_functions_from_the_origin():
    panel = batch_size_widget(*REFERENCE)
    panel.controls["batch_size"].value = 4
    path = _path(panel)
    np.testing.assert_array_equal(path[0], [0.0, 0.0])
    X, y = make_problem()
    expected, _ = descent_path(*REFERENCE[:3], X, y, batch_size=4, lr=panel.controls["lr"].value, epochs=EPOCHS,
                               seed=0)
    np.testing.assert_allclose(path, expected)


def test_epoch_losses_come_from_train_minibatch_sgd_and_sit_on_the_step_curve():
    panel = batch_size_widget(*REFERENCE)
    panel.controls["batch_size"].value = 2
    marks = _epoch_marks(panel)
    X, y = make_problem()
    _, _, losses = batching.train_minibatch_sgd(X, y, batch_size=2, lr=panel.controls["lr"].value,
                                                epochs=EPOCHS, rng=np.random.default_rng(0))
    np.testing.assert_allclose(marks[:, 1], losses)
    np.testing.assert_array_equal(marks[:, 0], N_SAMPLES * np.arange(1, EPOCHS + 1))
    # The reference shuffles as the widget does, so the markers lie on the per-step curve.
    step_curve = next(line for line in panel.figure.axes[1].lines
                      if len(line.get_xdata()) == EPOCHS * N_SAMPLES // 2 + 1).get_xydata()
    at_epoch_ends = step_curve[np.isin(step_curve[:, 0], marks[:, 0])]
    np.testing.assert_allclose(at_epoch_ends[:, 1], losses)


def test_full_batch_ignores_the_seed_and_small_batches_do_not():
    panel = batch_size_widget(*REFERENCE)
    panel.controls["batch_size"].value = N_SAMPLES
    full_0 = _path(panel).copy()
    panel.controls["seed"].value = 3
    np.testing.assert_allclose(_path(panel), full_0)
    panel.controls["batch_size"].value = 1
    sgd_3 = _path(panel).copy()
    panel.controls["seed"].value = 4
    assert not np.allclose(_path(panel), sgd_3)


def test_every_control_redraws_and_the_readout_describes_the_run():
    panel = batch_size_widget(*REFERENCE)
    for name, value in (("batch_size", 1), ("lr", 0.01), ("seed", 5)):
        before, status = _lines(panel), panel.status.value
        panel.controls[name].value = value
        after = _lines(panel)
        assert any(not np.array_equal(before[k], after[k]) for k in before), f"moving {name} changed no line"
        assert panel.status.value != status
        assert "final MSE" in panel.status.value


def test_a_large_learning_rate_is_reported():
    panel = batch_size_widget(*REFERENCE)
    panel.controls["batch_size"].value = 1
    panel.controls["lr"].value = 10 ** -0.5
    assert "too large" in panel.status.value
    assert "full batch diverged" in panel.status.value


def test_the_batch_size_slider_is_a_log_scale_from_1_to_n():
    panel = batch_size_widget(*REFERENCE)
    options = list(panel.controls["batch_size"].options)
    assert options == list(BATCH_SIZES)
    assert options[0] == 1 and options[-1] == N_SAMPLES
    assert np.allclose(np.diff(np.log2(options)), 1.0)


@pytest.mark.parametrize("missing", ["minibatches", "linear_mse_grad", "sgd_step"])
def test_a_stub_gets_a_note_not_a_traceback(missing):
    functions = [stub(f.__name__) if f.__name__ == missing else f for f in REFERENCE]
    panel = batch_size_widget(*functions)
    assert f"Implement <code>{missing}</code> first" in panel.status.value
    assert not any(ax.get_visible() for ax in panel.figure.axes)
    panel.controls["batch_size"].value = 1  # still no exception
    assert f"Implement <code>{missing}</code> first" in panel.status.value


def test_without_train_minibatch_sgd_the_path_still_shows():
    panel = batch_size_widget(*REFERENCE[:3], stub("train_minibatch_sgd"))
    assert "Implement <code>train_minibatch_sgd</code> first" in panel.status.value
    assert all(ax.get_visible() for ax in panel.figure.axes)
    assert len(_path(panel)) > 1
    assert len(_epoch_marks(panel)) == 0


def test_a_wrong_return_value_is_explained():
    def linear_mse_grad(w, b, X, y):
        return None

    panel = batch_size_widget(batching.minibatches, linear_mse_grad, batching.sgd_step,
                              batching.train_minibatch_sgd)
    assert "<code>linear_mse_grad</code> should return (grad_w, grad_b)" in panel.status.value


def test_the_static_backdrop_is_reused_and_the_picture_is_unchanged():
    panel = batch_size_widget(*REFERENCE)
    canvas = panel.figure.canvas
    canvas.draw()
    first = np.asarray(canvas.buffer_rgba()).copy()
    canvas.draw()  # drawn from the cached backdrop
    np.testing.assert_array_equal(np.asarray(canvas.buffer_rgba()), first)
    panel.controls["batch_size"].value = 1
    canvas.draw()
    assert not np.array_equal(np.asarray(canvas.buffer_rgba()), first)
