"""Lesson 03's demo: batch sizes 1, 32 and the full batch on the digits, with the student's functions."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.demos.batching import compare_batch_sizes, demo, plot_runs
from solutions import batching

from .stubs import stub

pytestmark = pytest.mark.lesson03

#: Fewer epochs than the notebook's demo, to keep the test fast; the same batch sizes and rates.
QUICK = [(1, 0.01, 2), (32, 0.1, 10), (None, 0.5, 30)]


@pytest.fixture(scope="module")
def runs():
    return compare_batch_sizes(batching.minibatches, batching.sgd_step, settings=QUICK)


def test_small_batches_learn_more_per_epoch(runs):
    sgd, mini, full = runs
    assert [r.batch_size for r in runs] == [1, 32, 1348]
    assert sgd.test_accuracy[-1] >= 0.9 and mini.test_accuracy[-1] >= 0.9
    # After one epoch: 1,348 steps beat 43 steps, which beat a single step.
    assert sgd.train_loss[0] < mini.train_loss[0] < full.train_loss[0]
    assert full.train_loss[0] > 0.9 * np.log(10), "one full-batch step barely moves from a uniform guess"


def test_an_epoch_of_single_examples_costs_the_most_time(runs):
    sgd, mini, full = runs
    assert sgd.ms_per_epoch > 5 * mini.ms_per_epoch
    assert sgd.ms_per_epoch > 5 * full.ms_per_epoch
    assert len(sgd.step_loss) == 2 * 1348 and len(mini.step_loss) == 10 * 43 and len(full.step_loss) == 30


def test_the_full_demo_reaches_its_stated_accuracy():
    sgd, mini, full = compare_batch_sizes(batching.minibatches, batching.sgd_step)
    for run in (sgd, mini, full):
        assert run.test_accuracy[-1] >= 0.93, run.label
    # The full batch needs about a hundred epochs for the loss batch size 1 reaches in four.
    catch_up = int(np.argmax(full.train_loss <= sgd.train_loss[-1])) + 1
    assert 50 <= catch_up <= 150


def test_the_figure_shows_every_run_against_epochs_and_seconds(runs):
    fig = plot_runs(runs)
    ax_epochs, ax_time = fig.axes
    assert len(ax_epochs.lines) == len(ax_time.lines) == 3
    for line, run in zip(ax_time.lines, runs):
        np.testing.assert_allclose(line.get_xdata(), np.cumsum(run.seconds))
        np.testing.assert_allclose(line.get_ydata(), run.train_loss)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert all("ms/epoch" in label and "test accuracy" in label for label in labels)


def test_the_demo_returns_an_image_every_front_end_shows(monkeypatch, runs):
    import lessons.demos.batching as module

    monkeypatch.setattr(module, "compare_batch_sizes", lambda minibatches, sgd_step: runs)
    image = demo(batching.minibatches, batching.sgd_step)
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    _, metadata = image._repr_png_()
    assert metadata["width"] == 860, "shown at the figure's size, drawn at twice the resolution"


@pytest.mark.parametrize("missing", ["minibatches", "sgd_step"])
def test_demo_names_the_stub_to_implement(missing):
    functions = {"minibatches": batching.minibatches, "sgd_step": batching.sgd_step}
    functions[missing] = stub(missing)
    note = demo(functions["minibatches"], functions["sgd_step"])
    assert f"Implement `{missing}` first" in note.data


def test_a_generator_of_batches_works_and_a_wrong_step_is_explained():
    def minibatches(X, y, batch_size, *, rng=None):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            rows = order[start:start + batch_size]
            yield X[rows], y[rows]

    (run,) = compare_batch_sizes(minibatches, batching.sgd_step, settings=[(64, 0.1, 2)])
    assert run.train_loss[-1] < run.train_loss[0]

    def sgd_step(theta, grad, *, lr):
        return -lr * grad[:3]

    note = demo(batching.minibatches, sgd_step)
    assert "Training with your functions failed" in note.data
