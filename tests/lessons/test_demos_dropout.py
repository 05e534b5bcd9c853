"""Lesson 08's demos: dropout against overfitting on the noisy digits, and the average of many dropout
passes approaching the evaluation-mode network.

Oracles: the closed form of the dropout noise, Var[out_i] = p / (1 - p) * x_i**2, carried through the
linear output layer (so the mean of n passes is off by sqrt(mean variance / n), computed here from the
trained weights), and the evaluation-mode network itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from lessons import network
from lessons.demos.dropout import (
    DEMO_P,
    PASS_COUNTS,
    comparison_demo,
    comparison_summary,
    dropout_run,
    ensemble_demo,
    ensemble_passes,
    plot_comparison,
    plot_ensemble,
)
from lessons.demos.regularization import noisy_digits
from solutions import dropout as ref

from .stubs import stub

pytestmark = pytest.mark.lesson08

FUNCTIONS = {"dropout_forward": ref.dropout_forward, "dropout_backward": ref.dropout_backward}


@pytest.fixture(scope="module")
def runs():
    return (dropout_run(ref.dropout_forward, ref.dropout_backward, 0.0),
            dropout_run(ref.dropout_forward, ref.dropout_backward, DEMO_P))


def test_without_dropout_the_wrong_labels_are_memorized_and_dropout_helps(runs):
    plain, dropped = runs
    assert plain.p == 0 and dropped.p == DEMO_P
    assert plain.train_accuracy[-1] == 1.0
    assert plain.train_loss[-1] < 0.1
    assert dropped.train_loss[-1] > 2 * plain.train_loss[-1], "dropout keeps the network from fitting exactly"
    assert dropped.val_loss[-1] < plain.val_loss[-1] - 0.05
    assert dropped.val_accuracy[-1] >= plain.val_accuracy[-1] + 0.04
    assert dropped.test_accuracy > plain.test_accuracy


def test_runs_are_cached_per_function_and_p(runs):
    assert dropout_run(ref.dropout_forward, ref.dropout_backward, DEMO_P) is runs[1]
    assert dropout_run(stub("dropout_forward"), stub("dropout_backward"), 0.0) is runs[0], "p = 0 uses no dropout"


def test_the_comparison_figure_shows_both_runs(runs):
    plain, dropped = runs
    fig = plot_comparison(plain, dropped)
    ax_loss, ax_acc = fig.axes
    labels = [line.get_label() for line in ax_loss.lines]
    assert labels == ["no dropout: training", "no dropout: validation", "dropout p = 0.5: training",
                      "dropout p = 0.5: validation"]
    np.testing.assert_array_equal(ax_acc.lines[3].get_ydata(), dropped.val_accuracy)
    assert f"validation {dropped.val_accuracy[-1]:.1%}" in comparison_summary(plain, dropped)


@pytest.fixture(scope="module")
def ensemble(runs):
    data = noisy_digits()
    net = runs[1].network()
    return net, ensemble_passes(net, data.X_val, data.y_val, ref.dropout_forward, ref.dropout_backward)


def _closed_form_rms(net: network.Network, X: np.ndarray, p: float) -> float:
    """RMS over images and classes of the standard deviation of one pass's logits (dropout after the hidden layer)."""
    W1, W2 = net.weights
    b1 = net.biases[0]
    h = np.maximum(X @ W1 + b1, 0.0)
    variance = p / (1 - p) * (h ** 2) @ (W2 ** 2)  # independent units: variances add through the linear layer
    return float(np.sqrt(np.mean(variance)))


def test_the_average_of_n_passes_approaches_the_evaluation_logits_like_one_over_sqrt_n(ensemble):
    net, results = ensemble
    np.testing.assert_array_equal(results.counts, PASS_COUNTS)
    sigma = _closed_form_rms(net, noisy_digits().X_val, DEMO_P)
    predicted = sigma / np.sqrt(results.counts)
    np.testing.assert_allclose(results.logit_distance, predicted, rtol=0.15)
    slope = np.polyfit(np.log(results.counts), np.log(results.logit_distance), 1)[0]
    assert slope == pytest.approx(-0.5, abs=0.05)


def test_the_ensemble_reaches_the_evaluation_accuracy(ensemble):
    net, results = ensemble
    data = noisy_digits()
    assert results.eval_accuracy == pytest.approx(np.mean(network.predict(net, data.X_val) == data.y_val))
    assert np.mean(results.single_accuracy) < results.eval_accuracy - 0.03, "one thinned network is worse"
    assert abs(results.ensemble_accuracy[-1] - results.eval_accuracy) < 0.02
    assert results.ensemble_accuracy[0] == results.single_accuracy[0], "an ensemble of one is its member"


def test_the_ensemble_figure(ensemble):
    _, results = ensemble
    ax_dist, ax_acc = plot_ensemble(results).axes
    assert ax_dist.get_xscale() == ax_dist.get_yscale() == "log"
    np.testing.assert_array_equal(ax_dist.lines[0].get_ydata(), results.logit_distance)
    assert any(line.get_ydata()[0] == results.eval_accuracy for line in ax_acc.lines)


@pytest.mark.parametrize("name", ["dropout_forward", "dropout_backward"])
@pytest.mark.parametrize("demo", [comparison_demo, ensemble_demo])
def test_the_demos_name_the_stub_to_implement(demo, name):
    fns = dict(FUNCTIONS)
    fns[name] = stub(name)
    note = demo(*fns.values())
    assert f"Implement `{name}` first" in note.data


def test_a_mask_of_the_wrong_shape_is_named():
    def dropout_forward(x, *, p, rng, train=True):
        out, mask = ref.dropout_forward(x, p=p, rng=rng, train=train)
        return out, mask[0]

    note = comparison_demo(dropout_forward, ref.dropout_backward)
    assert "`dropout_forward` should return mask of the shape of x" in note.data


def test_p_used_as_the_keep_probability_shows_in_the_results():
    def dropout_forward(x, *, p, rng, train=True):  # a catalogued mistake: keeps with probability p
        return ref.dropout_forward(x, p=1 - p, rng=rng, train=train)

    plain = dropout_run(ref.dropout_forward, ref.dropout_backward, 0.0)
    swapped = dropout_run(dropout_forward, ref.dropout_backward, 0.9)  # really drops 10%
    honest = dropout_run(ref.dropout_forward, ref.dropout_backward, 0.9)
    assert swapped.train_accuracy[-1] > honest.train_accuracy[-1] + 0.2
    assert swapped.train_accuracy[-1] >= plain.train_accuracy[-1] - 0.02


# --- the static figure: the rescaling keeps the mean ---
# Oracles: without the rescaling a unit passes x on with probability 1 - p and 0 otherwise, so its mean over many
# passes is (1 - p) x, with a standard error of x sqrt(p (1 - p) / passes); inverted dropout's mean is x itself,
# with a standard error of x sqrt(p / ((1 - p) passes)).


@pytest.mark.parametrize("p", [0.3, 0.5])
def test_the_unrescaled_mean_is_one_minus_p_times_the_input(p):
    from lessons.demos.dropout import dropout_outputs, layer_activations

    x = layer_activations()
    passes = 4000
    rescaled, unrescaled = dropout_outputs(ref.dropout_forward, x, p=p, passes=passes)
    assert rescaled.shape == unrescaled.shape == (passes, x.size)
    kept = unrescaled != 0
    np.testing.assert_allclose(unrescaled[kept], np.broadcast_to(x, unrescaled.shape)[kept], rtol=1e-12)
    assert abs(np.mean(~kept[:, x > 0]) - p) < 0.01, "p is the drop probability"
    tolerance = 5 * x * np.sqrt(p * (1 - p) / passes) + 1e-12
    assert np.all(np.abs(unrescaled.mean(axis=0) - (1 - p) * x) <= tolerance)
    assert np.all(np.abs(rescaled.mean(axis=0) - x) <= 5 * x * np.sqrt(p / ((1 - p) * passes)) + 1e-12)
    layer_se = np.sqrt(p * (1 - p) * np.sum(x**2)) / (x.size * np.sqrt(passes))
    assert abs(unrescaled.mean() - (1 - p) * x.mean()) < 5 * layer_se


def test_the_rescaling_figure_shows_or_names_the_stub():
    from IPython.display import Image, Markdown

    from lessons.demos.dropout import rescaling_figure

    assert isinstance(rescaling_figure(ref.dropout_forward), Image)
    note = rescaling_figure(stub("dropout_forward"))
    assert isinstance(note, Markdown) and "Implement `dropout_forward` first" in note.data
