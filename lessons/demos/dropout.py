r"""Lesson 08's demos: dropout on a network that overfits, and dropout as an ensemble.

The data and the network are those of lesson 07
(:func:`lessons.demos.regularization.noisy_digits`): 200 training digits of
which 40 carry a wrong label, clean validation and test sets of 449 images
each, and a network with 64 inputs, 128 ReLU units and 10 classes, trained by
plain mini-batch gradient descent (batches of 20, learning rate 0.3, 80
epochs: fewer than lesson 07's 100, so that the widget's ten runs take only a
few seconds).  Without help it memorizes the wrong labels and its validation loss
climbs after a few dozen epochs.

* :func:`dropout_run` trains it with the student's ``dropout_forward`` and
  ``dropout_backward`` after the hidden layer (through
  :class:`lessons.network.Dropout`) for one drop probability ``p``; ``p = 0``
  is the plain network, without any dropout layer.  Runs are cached: the
  widget's grid (:func:`dropout_runs`) and :func:`comparison_demo` share them,
  so each ``p`` is trained once per session for the same two functions.
* :func:`comparison_demo` shows the runs without dropout and with
  ``p = 0.5``: training against validation loss and accuracy.
* :func:`ensemble_demo` takes the network trained with ``p = 0.5`` and
  averages the logits of ``n`` training-mode passes (each through a freshly
  sampled thinned network).  With one hidden layer the logits are linear in
  the mask, so their expectation is exactly the evaluation-mode logits and the
  average approaches them like :math:`1 / \sqrt{n}`; averaging the thinned
  networks' probabilities (an ensemble) gives about the evaluation-mode
  accuracy.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import network
from ..blas import one_blas_thread
from ..widgets.kit import PALETTE, NotReady, as_image, attempt, new_figure
from .regularization import BATCH_SIZE, LR, SIZES, NoisyDigits, noisy_digits

__all__ = [
    "EPOCHS", "P_GRID", "DEMO_P", "PASS_COUNTS", "Run", "EnsembleResults", "check_dropout", "dropout_run", "dropout_runs",
    "comparison_demo", "plot_comparison", "ensemble_passes", "plot_ensemble", "ensemble_demo", "FIGURE_UNITS", "FIGURE_P",
    "FIGURE_PASSES", "layer_activations", "dropout_outputs", "rescaling_figure",
]

#: Epochs of every run (lesson 07 trains 100; by 80 the plain network has memorized the wrong labels).
EPOCHS = 80
#: The drop probabilities of the widget's grid: 0 (no dropout), 0.1, ..., 0.9.
P_GRID = tuple(round(0.1 * i, 1) for i in range(10))
#: The drop probability of the comparison and of the ensemble demo.
DEMO_P = 0.5
#: Numbers of dropout passes at which the ensemble demo measures the average.
PASS_COUNTS = (1, 2, 5, 10, 20, 50, 100)


@dataclass(frozen=True)
class Run:
    """One training run on the noisy digits, measured after every epoch.

    Attributes
    ----------
    p : float
        Drop probability of the hidden units (0: no dropout layer at all).
    train_loss, val_loss : ndarray of shape (n_epochs,)
        Cross-entropy (nats) on the training set (its noisy labels) and on the
        validation set, in evaluation mode (no dropout).
    train_accuracy, val_accuracy : ndarray of shape (n_epochs,)
    test_accuracy : float
        Accuracy on the test set after the last epoch.
    theta : ndarray of shape (n_params,)
        The trained parameters (see :meth:`network`).
    """

    p: float
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_accuracy: np.ndarray
    val_accuracy: np.ndarray
    test_accuracy: float
    theta: np.ndarray

    def network(self) -> network.Network:
        """The trained network."""
        return network.Network(SIZES, self.theta)


def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.flags.writeable = False
    return a


def _guarded(fn: Callable) -> Callable:
    """``fn`` with stubs and errors turned into :class:`NotReady` naming ``fn``."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        return attempt(fn, *args, **kwargs)
    return call


def _name(fn) -> str:
    return getattr(fn, "__name__", "dropout_forward")


def check_dropout(dropout_forward: Callable, dropout_backward: Callable | None = None) -> None:
    """Call the student's functions once on a tiny input, to fail early (before any training) with a clear note.

    Raises
    ------
    NotReady
        If a function is a stub, fails, or returns something the network
        cannot use (the message names the function).
    """
    x = np.ones((2, 3))
    result = attempt(dropout_forward, x, p=0.5, rng=np.random.default_rng(0))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise NotReady(f"`{_name(dropout_forward)}` should return a pair (out, mask), got "
                       f"{type(result).__name__}.")
    for part, value in zip(("out", "mask"), result):
        if np.shape(value) != x.shape:
            raise NotReady(f"`{_name(dropout_forward)}` should return {part} of the shape of x {x.shape}, "
                           f"got {np.shape(value)}.")
    if dropout_backward is not None:
        dx = attempt(dropout_backward, np.ones((2, 3)), np.full((2, 3), 2.0))
        if np.shape(dx) != x.shape:
            raise NotReady(f"`{_name(dropout_backward)}` should return an array of the shape of dout {x.shape}, "
                           f"got {np.shape(dx)}.")


def _train(dropout: network.Dropout | None, data: NoisyDigits, seed: int) -> Run:
    start = network.init_network(SIZES, rng=np.random.default_rng(seed))
    try:
        with one_blas_thread():
            net, history = network.train(start, data.X_train, data.y_train, epochs=EPOCHS, batch_size=BATCH_SIZE,
                                         optimizer=network.Optimizer.sgd(lr=LR), rng=np.random.default_rng(seed + 1),
                                         dropout=dropout, X_val=data.X_val, y_val=data.y_val)
    except NotReady:
        raise
    except (TypeError, ValueError) as exc:  # e.g. a mask of the wrong shape
        raise NotReady(f"Training with your dropout failed: {exc}") from None
    p = 0.0 if dropout is None else float(dropout.p)
    if not np.all(np.isfinite(history.train_loss)):
        raise NotReady(f"Training with dropout p = {p:g} diverged (the loss became inf or nan): check that "
                       "kept units are scaled by 1 / (1 - p), not by 1 / p or more.")
    test = float(np.mean(network.predict(net, data.X_test) == data.y_test))
    return Run(p, *(_frozen(a) for a in (history.train_loss, history.val_loss, history.train_accuracy,
                                            history.val_accuracy)), test, _frozen(net.theta))


@functools.cache
def _plain_run(seed: int) -> Run:
    return _train(None, noisy_digits(), seed)


@functools.lru_cache(maxsize=64)
def _dropout_run(dropout_forward: Callable, dropout_backward: Callable, p: float, seed: int) -> Run:
    dropout = network.Dropout(_guarded(dropout_forward), _guarded(dropout_backward), p)
    return _train(dropout, noisy_digits(), seed)


def dropout_run(dropout_forward: Callable, dropout_backward: Callable, p: float, *, seed: int = 0) -> Run:
    """Train the demo network with the student's dropout after the hidden layer (cached per functions and ``p``).

    Every run starts from the same weights (``seed``) and draws its
    mini-batches and masks from a generator seeded ``seed + 1``.  ``p = 0``
    trains the plain network, without calling the student's functions.

    Raises
    ------
    NotReady
        If a function is a stub, fails, returns arrays the network cannot
        use, or training diverges.
    """
    p = float(p)
    if not 0.0 <= p < 1.0:
        raise ValueError(f"p must be in [0, 1) to train anything, got {p}")
    if p == 0.0:
        return _plain_run(seed)
    return _dropout_run(dropout_forward, dropout_backward, p, seed)


def dropout_runs(dropout_forward: Callable, dropout_backward: Callable, p_grid=P_GRID) -> tuple[Run, ...]:
    """:func:`dropout_run` for every ``p`` of ``p_grid`` (the widget's precomputed curves; a few seconds)."""
    check_dropout(dropout_forward, dropout_backward)
    return tuple(dropout_run(dropout_forward, dropout_backward, p) for p in p_grid)


def _image(fig, title: str):
    """The figure with ``title`` on top, as a PNG image (see :func:`lessons.widgets.kit.as_image`)."""
    fig.suptitle(title, fontsize=9, wrap=True)
    return as_image(fig)


# --------------------------------------------------------------------------
# with and without dropout
# --------------------------------------------------------------------------

def plot_comparison(plain: Run, dropped: Run):
    """Losses and accuracies per epoch of the run without dropout and the run with dropout."""
    fig = new_figure(10.0, 3.8)
    ax_loss, ax_acc = fig.subplots(1, 2)
    epochs = np.arange(len(plain.train_loss))
    styles = ((plain, "no dropout", PALETTE["vermillion"]), (dropped, f"dropout p = {dropped.p:g}", PALETTE["blue"]))
    for run, label, colour in styles:
        ax_loss.plot(epochs, run.train_loss, color=colour, ls="--", lw=1.5, label=f"{label}: training")
        ax_loss.plot(epochs, run.val_loss, color=colour, lw=2, label=f"{label}: validation")
        ax_acc.plot(epochs, run.train_accuracy, color=colour, ls="--", lw=1.5, label=f"{label}: training")
        ax_acc.plot(epochs, run.val_accuracy, color=colour, lw=2, label=f"{label}: validation")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy (nats)", title="Loss (evaluation mode)", ylim=(0, 2.0))
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy (training labels are 20% wrong)",
               ylim=(0.5, 1.02))
    for ax in (ax_loss, ax_acc):
        ax.grid(True, color=PALETTE["grey"], alpha=0.3)
        ax.legend(loc="upper right" if ax is ax_loss else "lower right", fontsize=7)
    return fig


def comparison_summary(plain: Run, dropped: Run) -> str:
    def describe(run: Run, label: str) -> str:
        return (f"{label}: training accuracy {run.train_accuracy[-1]:.0%}, validation {run.val_accuracy[-1]:.1%} "
                f"(loss {run.val_loss[-1]:.3f}), test {run.test_accuracy:.1%}")

    return describe(plain, "No dropout") + ". " + describe(dropped, f"Dropout p = {dropped.p:g}") + "."


def comparison_demo(dropout_forward, dropout_backward, p: float = DEMO_P):
    """The network without dropout and with the student's dropout; an image, or a note naming the function."""
    try:
        check_dropout(dropout_forward, dropout_backward)
        plain, dropped = dropout_run(dropout_forward, dropout_backward, 0.0), dropout_run(
            dropout_forward, dropout_backward, p)
    except NotReady as exc:
        return exc.note()
    return _image(plot_comparison(plain, dropped), comparison_summary(plain, dropped))


# --------------------------------------------------------------------------
# dropout as an ensemble
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class EnsembleResults:
    """The average of ``n`` dropout passes against the evaluation-mode network.

    Attributes
    ----------
    p : float
    counts : ndarray of int of shape (n_counts,)
        Numbers of passes ``n`` (:data:`PASS_COUNTS`).
    logit_distance : ndarray of shape (n_counts,)
        Root mean square, over the images and classes, of the difference
        between the mean of the first ``n`` passes' logits and the
        evaluation-mode logits.
    ensemble_accuracy : ndarray of shape (n_counts,)
        Validation accuracy of the average of the first ``n`` passes'
        probabilities (an ensemble of ``n`` thinned networks).
    single_accuracy : ndarray of shape (n_passes,)
        Validation accuracy of each thinned network on its own.
    eval_accuracy : float
        Validation accuracy of the evaluation-mode network (no dropout).
    """

    p: float
    counts: np.ndarray
    logit_distance: np.ndarray
    ensemble_accuracy: np.ndarray
    single_accuracy: np.ndarray
    eval_accuracy: float


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def ensemble_passes(net: network.Network, X, y, dropout_forward: Callable, dropout_backward: Callable, *,
                    p: float = DEMO_P, counts=PASS_COUNTS, seed: int = 5) -> EnsembleResults:
    """Average ``max(counts)`` training-mode passes of ``net`` over ``X`` (the student's dropout) and compare.

    Pass ``i`` draws its masks from the same generator (seeded ``seed``), one
    call of ``dropout_forward`` per pass.

    Raises
    ------
    NotReady
        If ``dropout_forward`` is a stub, fails or returns the wrong shape.
    """
    check_dropout(dropout_forward)
    dropout = network.Dropout(_guarded(dropout_forward), _guarded(dropout_backward), p)
    rng = np.random.default_rng(seed)
    eval_logits = network.forward(net, X)
    counts = np.array(sorted(counts), dtype=np.int64)
    total_logits = np.zeros_like(eval_logits)
    total_probs = np.zeros_like(eval_logits)
    distance, ensemble, single = [], [], []
    try:
        with one_blas_thread():
            for n in range(1, int(counts[-1]) + 1):
                logits = network.forward(net, X, dropout=dropout, rng=rng)
                probs = _softmax(logits)
                total_logits += logits
                total_probs += probs
                single.append(float(np.mean(np.argmax(probs, axis=1) == y)))
                if n in counts:
                    distance.append(math.sqrt(float(np.mean((total_logits / n - eval_logits) ** 2))))
                    ensemble.append(float(np.mean(np.argmax(total_probs, axis=1) == y)))
    except (TypeError, ValueError) as exc:
        raise NotReady(f"A dropout pass with your functions failed: {exc}") from None
    eval_accuracy = float(np.mean(np.argmax(eval_logits, axis=1) == y))
    return EnsembleResults(float(p), counts, _frozen(distance), _frozen(ensemble), _frozen(single), eval_accuracy)


def plot_ensemble(results: EnsembleResults):
    """Left: distance to the evaluation-mode logits against ``n`` (log-log); right: accuracies against ``n``."""
    fig = new_figure(10.0, 3.8)
    ax_dist, ax_acc = fig.subplots(1, 2)
    n = results.counts
    ax_dist.plot(n, results.logit_distance, "o-", color=PALETTE["blue"], lw=2,
                 label="mean of n passes vs evaluation mode")
    ax_dist.plot(n, results.logit_distance[0] / np.sqrt(n / n[0]), color=PALETTE["grey"], ls="--", lw=1.5,
                 label="slope of 1 / \u221an")
    ax_dist.set(xscale="log", yscale="log", xlabel="number of dropout passes n (log scale)",
                ylabel="RMS distance of the logits (log scale)", title="Averaging thinned networks")
    ax_dist.legend(loc="lower left", fontsize=8)
    ax_dist.grid(True, which="major", color=PALETTE["grey"], alpha=0.3)
    single = results.single_accuracy
    ax_acc.plot(n, results.ensemble_accuracy, "o-", color=PALETTE["blue"], lw=2,
                label="ensemble: mean of n passes' probabilities")
    ax_acc.axhline(results.eval_accuracy, color=PALETTE["vermillion"], lw=2,
                   label=f"evaluation mode (no dropout): {results.eval_accuracy:.1%}")
    ax_acc.axhline(float(np.mean(single)), color=PALETTE["orange"], ls=":", lw=2,
                   label=f"one thinned network, on average: {np.mean(single):.1%}")
    low = min(float(np.min(results.ensemble_accuracy)), float(np.mean(single)), results.eval_accuracy)
    ax_acc.set(xscale="log", xlabel="number of dropout passes n (log scale)", ylabel="validation accuracy",
               title="Accuracy of the average", ylim=(low - 0.04, min(1.0, results.eval_accuracy + 0.05)))
    ax_acc.legend(loc="lower right", fontsize=8)
    ax_acc.grid(True, which="major", color=PALETTE["grey"], alpha=0.3)
    return fig


def ensemble_summary(results: EnsembleResults) -> str:
    n = results.counts
    first = "one pass is" if n[0] == 1 else f"the mean of {n[0]} passes is"
    return (f"p = {results.p:g}: {first} {results.logit_distance[0]:.3f} from the evaluation-mode logits (RMS), "
            f"the mean of {n[-1]} passes {results.logit_distance[-1]:.4f}. "
            f"Ensemble of {n[-1]} thinned networks: {results.ensemble_accuracy[-1]:.1%}; evaluation mode: "
            f"{results.eval_accuracy:.1%}; one thinned network: {np.mean(results.single_accuracy):.1%} on average.")


def ensemble_demo(dropout_forward, dropout_backward, p: float = DEMO_P):
    """The ensemble demo on the validation images; an image, or a note naming the function to implement."""
    try:
        check_dropout(dropout_forward, dropout_backward)
        run = dropout_run(dropout_forward, dropout_backward, p)
        data = noisy_digits()
        results = ensemble_passes(run.network(), data.X_val, data.y_val, dropout_forward, dropout_backward, p=p)
    except NotReady as exc:
        return exc.note()
    return _image(plot_ensemble(results), ensemble_summary(results))


# --------------------------------------------------------------------------
# the static figure: what the next layer receives, with and without the rescaling
# --------------------------------------------------------------------------

#: The figure: one sample's activations of a hidden layer of 128 ReLU units (seeded), passed through the student's
#: dropout FIGURE_PASSES times (one mask per pass) with p = FIGURE_P.
FIGURE_UNITS = 128
FIGURE_P = 0.5
FIGURE_PASSES = 2000


def layer_activations(n: int = FIGURE_UNITS, seed: int = 3) -> np.ndarray:
    """``n`` activations of a ReLU layer for one sample: ``max(0, z)`` with ``z`` normal (mean 0.5, std 1), seeded."""
    return np.maximum(np.random.default_rng(seed).normal(0.5, 1.0, size=n), 0.0)


def dropout_outputs(
    dropout_forward: Callable, x, *, p: float = FIGURE_P, passes: int = FIGURE_PASSES, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The layer's outputs in ``passes`` training passes of the student's ``dropout_forward``, as it is (inverted
    dropout) and without its rescaling (each output times ``1 - p``: a kept unit passes ``x`` on unchanged).

    One call on ``x`` repeated ``passes`` times (shape ``(passes, n)``): every entry gets its own random number.

    Returns
    -------
    (rescaled, unrescaled) : two ndarrays of shape (passes, n)

    Raises
    ------
    NotReady
        If ``dropout_forward`` is a stub, fails or returns something else than a pair of arrays of the shape of x.
    """
    check_dropout(dropout_forward)
    x = np.asarray(x, dtype=np.float64)
    batch = np.tile(x, (passes, 1))
    result = attempt(dropout_forward, batch, p=p, rng=np.random.default_rng(seed))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise NotReady(f"`{_name(dropout_forward)}` should return a pair (out, mask), got {type(result).__name__}.")
    out = np.asarray(result[0], dtype=np.float64)
    if out.shape != batch.shape:
        raise NotReady(
            f"`{_name(dropout_forward)}` should return out of the shape of x {batch.shape}, got {out.shape}."
        )
    return out, out * (1.0 - p)


def rescaling_figure(dropout_forward, *, p: float = FIGURE_P, passes: int = FIGURE_PASSES):
    """The mean output of every unit over many training passes (left) and the layer's mean output in each pass
    (right), with the student's dropout and without its rescaling, against evaluation; an image, or a note."""
    x = layer_activations()
    try:
        rescaled, unrescaled = dropout_outputs(dropout_forward, x, p=p, passes=passes)
    except NotReady as exc:
        return exc.note("this figure")
    fig = new_figure(7.2, 3.2)
    ax_unit, ax_layer = fig.subplots(1, 2)
    blue, orange, black = PALETTE["blue"], PALETTE["orange"], PALETTE["black"]
    top = 1.05 * float(np.max(x))
    ax_unit.plot([0, top], [0, top], color=black, lw=1, label="evaluation: the input x itself")
    ax_unit.plot([0, top], [0, (1 - p) * top], color=PALETTE["grey"], lw=1, ls="--", label=f"(1 - p) x = {1 - p:g} x")
    ax_unit.plot(x, rescaled.mean(axis=0), "o", color=blue, ms=3.5, label="your dropout_forward (\u00d7 1/(1 - p))")
    ax_unit.plot(x, unrescaled.mean(axis=0), "^", color=orange, ms=3.5, label="without the rescaling")
    ax_unit.set(
        xlabel="a unit's input x (one sample)",
        ylabel=f"its mean output over {passes:,} passes",
        title=f"Each of {x.size} units, p = {p:g}",
        xlim=(0, top),
        ylim=(0, top),
    )
    ax_unit.legend(fontsize=7, loc="upper left")
    layer_rescaled, layer_unrescaled = rescaled.mean(axis=1), unrescaled.mean(axis=1)
    bins = np.linspace(0.0, max(float(np.max(layer_rescaled)), float(np.max(layer_unrescaled))) * 1.02, 60)
    # stairs, not hist: one polygon per histogram instead of a patch per bar (a third of the drawing time).
    ax_layer.stairs(
        np.histogram(layer_rescaled, bins)[0],
        bins,
        fill=True,
        color=blue,
        alpha=0.6,
        label=f"your dropout: mean {layer_rescaled.mean():.3f}",
    )
    ax_layer.stairs(
        np.histogram(layer_unrescaled, bins)[0],
        bins,
        fill=True,
        color=orange,
        alpha=0.6,
        hatch="//",
        label=f"without the rescaling: mean {layer_unrescaled.mean():.3f}",
    )
    ax_layer.axvline(float(x.mean()), color=black, lw=2, label=f"evaluation: {x.mean():.3f}")
    ax_layer.axvline(
        (1 - p) * float(x.mean()),
        color=PALETTE["grey"],
        lw=1.5,
        ls="--",
        label=f"(1 - p) times that: {(1 - p) * x.mean():.3f}",
    )
    ax_layer.set(
        xlabel="the layer's mean output in one pass", ylabel="number of passes", title="What the next layer receives"
    )
    ax_layer.set_ylim(0, 1.35 * ax_layer.get_ylim()[1])
    ax_layer.legend(fontsize=7, loc="upper left")
    return as_image(fig)
