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


# --- the figure of the gradient noise against the batch size ---
# Oracles: the lesson's worked example (n = 4 example-gradients 3, -1, 2, 0: variance 2.5 for one example, 0.833
# for pairs, 0 for all four, all by hand in section 1), and the closed form sigma sqrt((n - Q) / (Q (n - 1)))
# with sigma computed here from the per-example gradients 2 r x and 2 r, without the code under test.

def test_the_measured_noise_is_the_worked_example_of_section_1():
    from lessons.demos.batching import batch_noise

    # w = 0, b = 0 and x = 1 make each example's gradient 2 (0 - y) = -2y: y = -g / 2 for g = 3, -1, 2, 0.
    X, y = np.ones((4, 1)), np.array([-1.5, 0.5, -1.0, 0.0])
    std_w, std_b = batch_noise(batching.linear_mse_grad, X, y, 0.0, 0.0, (1, 2, 3, 4), trials=4000)
    # Q = 3: 2.5 / 3 * (4 - 3) / (4 - 1) = 0.2778 (the four triples have means 4/3, 5/3, 1/3 and 2/3).
    np.testing.assert_allclose(std_w[:3], np.sqrt([2.5, 2.5 / 2 * 2 / 3, 2.5 / 3 / 3]), rtol=0.03)
    np.testing.assert_allclose(std_b, std_w, rtol=1e-12)
    assert std_w[3] == 0.0, "a batch of all four examples is the exact gradient every time"


def test_the_measured_noise_follows_the_closed_form_on_the_figures_data():
    from lessons.demos.batching import NOISE_B, NOISE_BATCH_SIZES, NOISE_W, batch_noise, noise_data

    X, y = noise_data()
    n, q = len(y), np.array(NOISE_BATCH_SIZES, dtype=float)
    r = NOISE_W * X[:, 0] + NOISE_B - y
    for sigma, measured in zip((np.std(2 * r * X[:, 0]), np.std(2 * r)),
                               batch_noise(batching.linear_mse_grad, X, y, NOISE_W, NOISE_B, q, trials=2000)):
        # 2000 batches measure a standard deviation to about 3% (kurtosis below 6 here): 10% is over 3 of those.
        np.testing.assert_allclose(measured, sigma * np.sqrt((n - q) / (q * (n - 1))), rtol=0.10)


def test_a_summed_gradient_is_q_times_noisier():
    from lessons.demos.batching import batch_noise, noise_data

    def linear_mse_grad(w, b, X, y):
        r = X @ w + b - y
        return 2 * X.T @ r, 2 * float(np.sum(r))

    X, y = noise_data()
    mean_w, _ = batch_noise(batching.linear_mse_grad, X, y, 2.0, 0.0, (16,), seed=3)
    summed_w, _ = batch_noise(linear_mse_grad, X, y, 2.0, 0.0, (16,), seed=3)
    assert summed_w[0] == pytest.approx(16 * mean_w[0], rel=1e-9), "the same batches, a sum 16 times the mean"


def test_the_noise_figure_shows_a_picture_or_explains():
    from IPython.display import Image, Markdown

    from lessons.demos.batching import batch_noise_figure

    assert isinstance(batch_noise_figure(batching.linear_mse_grad), Image)
    note = batch_noise_figure(stub("linear_mse_grad"))
    assert isinstance(note, Markdown) and "Implement `linear_mse_grad` first" in note.data

    def linear_mse_grad(w, b, X, y):
        return 2 * X.T @ (X @ w + b - y) / len(y)  # grad_w only

    assert "should return a pair (grad_w, grad_b)" in batch_noise_figure(linear_mse_grad).data
