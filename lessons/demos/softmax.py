"""Lesson 02's demo: softmax regression on the digits, trained with the student's loss and gradient."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..data import load_digits
from ..widgets.kit import PALETTE, NotReady, as_image, attempt, new_figure


@dataclass(frozen=True)
class Run:
    """One training run of softmax regression.

    Attributes
    ----------
    loss : ndarray of shape (steps + 1,)
        Training loss (mean cross-entropy, nats) before every step and after the last.
    test_accuracy : ndarray of shape (steps + 1,)
        Share of the held-out digits classified correctly, at the same moments.
    W : ndarray of shape (64, 10)
        The learned weights: column ``k`` scores class ``k``.
    b : ndarray of shape (10,)
        The learned biases.
    seconds : float
        Wall-clock time of the training.
    """

    loss: np.ndarray
    test_accuracy: np.ndarray
    W: np.ndarray
    b: np.ndarray
    seconds: float


def train_softmax_regression(softmax, softmax_cross_entropy, softmax_cross_entropy_grad, *,
                             steps: int = 200, lr: float = 1.0, seed: int = 0) -> Run:
    """Full-batch gradient descent on ``softmax_cross_entropy(X @ W + b, y)`` from ``W = 0, b = 0``.

    The student's ``softmax_cross_entropy_grad`` gives ``G``, the gradient of
    the loss with respect to the logits; the chain rule through
    ``logits = X @ W + b`` turns it into ``X.T @ G`` for ``W`` and the column
    sums of ``G`` for ``b``.  Predictions on the test set are the argmax of
    the student's ``softmax``.
    """
    split = load_digits(seed=seed)
    X, y, X_test, y_test = split.X_train, split.y_train, split.X_test, split.y_test
    W = np.zeros((X.shape[1], split.n_classes))
    b = np.zeros(split.n_classes)
    losses, accuracies = [], []
    start = time.perf_counter()

    def record(W, b):
        losses.append(float(attempt(softmax_cross_entropy, X @ W + b, y)))
        probs = np.asarray(attempt(softmax, X_test @ W + b), dtype=np.float64)
        accuracies.append(float(np.mean(np.argmax(probs, axis=1) == y_test)))

    for _ in range(steps):
        record(W, b)
        G = np.asarray(attempt(softmax_cross_entropy_grad, X @ W + b, y), dtype=np.float64)
        if G.shape != (X.shape[0], split.n_classes):
            raise NotReady(f"`softmax_cross_entropy_grad` should return the shape of the logits "
                           f"{(X.shape[0], split.n_classes)}, got {G.shape}")
        W = W - lr * (X.T @ G)
        b = b - lr * G.sum(axis=0)
    record(W, b)
    return Run(np.array(losses), np.array(accuracies), W, b, time.perf_counter() - start)


def _templates(W: np.ndarray) -> np.ndarray:
    """The ten weight columns as 8x8 images side by side (2 rows of 5), NaN between them."""
    tiles = np.full((2 * 9 - 1, 5 * 9 - 1), np.nan)
    for k in range(W.shape[1]):
        r, c = divmod(k, 5)
        tiles[9 * r:9 * r + 8, 9 * c:9 * c + 8] = W[:, k].reshape(8, 8)
    return tiles


def plot_run(run: Run):
    """Loss and test accuracy per step, and the learned weights of each class as an image."""
    fig = new_figure(10.5, 3.3)
    ax_loss, ax_acc, ax_w = fig.subplots(1, 3, width_ratios=[1, 1, 1.35])
    steps = np.arange(len(run.loss))
    ax_loss.plot(steps, run.loss, color=PALETTE["blue"], lw=2, label="training loss")
    ax_loss.axhline(np.log(10), color=PALETTE["grey"], ls="--", lw=1.2, label="log 10: a uniform guess")
    ax_loss.set(xlabel="gradient step", ylabel="mean cross-entropy (nats)", title="Training loss",
                ylim=(0, 2.5))
    ax_loss.legend(loc="center right", fontsize=8)
    ax_acc.plot(steps, run.test_accuracy, color=PALETTE["green"], lw=2, label="held-out digits")
    ax_acc.axhline(0.9, color=PALETTE["grey"], ls=":", lw=1.2, label="90%")
    ax_acc.set(xlabel="gradient step", ylabel="test accuracy", title="Accuracy on unseen digits", ylim=(0, 1.02))
    ax_acc.legend(loc="lower right", fontsize=8)
    tiles = _templates(run.W)
    limit = float(np.nanmax(np.abs(tiles)))
    image = ax_w.imshow(tiles, cmap="PuOr_r", vmin=-limit, vmax=limit)
    for k in range(run.W.shape[1]):
        r, c = divmod(k, 5)
        ax_w.text(9 * c + 3.5, 9 * r - 0.7, str(k), ha="center", va="bottom", fontsize=8)
    ax_w.set(xticks=[], yticks=[], title="Weights of each class (column of W)")
    ax_w.set_ylim(2 * 9 - 1.5, -2.0)
    fig.colorbar(image, ax=ax_w, shrink=0.8, label="weight (orange: for, purple: against)")
    return fig


def summary(run: Run) -> str:
    """One line: steps, time, first and last loss, final test accuracy."""
    return (f"Softmax regression, {len(run.loss) - 1} full-batch steps in {run.seconds:.1f} s: "
            f"training loss {run.loss[0]:.3f} \u2192 {run.loss[-1]:.3f} nats, "
            f"test accuracy {run.test_accuracy[-1]:.1%}")


def demo(softmax, softmax_cross_entropy, softmax_cross_entropy_grad):
    """Train, and return the figure as an image; or a note naming the function to implement first."""
    try:
        run = train_softmax_regression(softmax, softmax_cross_entropy, softmax_cross_entropy_grad)
    except NotReady as exc:
        return exc.note()
    fig = plot_run(run)
    fig.suptitle(summary(run), fontsize=10)
    return as_image(fig)


# --------------------------------------------------------------------------
# label smoothing
# --------------------------------------------------------------------------

#: The label-smoothing figure: K classes, the true class's logit ahead of the K - 1 others (all equal) by
#: a gap; the smoothing values drawn.
SMOOTHING_CLASSES = 10
SMOOTHING_EPSILONS = (0.0, 0.05, 0.1, 0.2)
_GAPS = np.linspace(0.0, 12.0, 241)


def smoothed_loss(log_softmax, logits, y, *, eps: float) -> float:
    """The label-smoothed cross-entropy with the student's ``log_softmax``: targets (1 - eps) one-hot + eps / K."""
    logits = np.asarray(logits, dtype=np.float64)
    log_p = np.asarray(attempt(log_softmax, logits, axis=-1), dtype=np.float64)
    if log_p.shape != logits.shape:
        raise NotReady(f"`{getattr(log_softmax, '__name__', 'log_softmax')}` should return an array of the shape "
                       f"of the logits, {logits.shape}; got {log_p.shape}.")
    n, k = logits.shape
    target = np.full((n, k), eps / k)
    target[np.arange(n), y] += 1.0 - eps
    return float(-np.mean(np.sum(target * log_p, axis=1)))


def best_gap(eps: float, k: int = SMOOTHING_CLASSES) -> float:
    """The logit gap that minimizes the smoothed loss: log of (1 - eps + eps / k) over (eps / k); inf for eps = 0."""
    return math.inf if eps == 0 else math.log((1 - eps + eps / k) / (eps / k))


def smoothing_curves(log_softmax, *, epsilons=SMOOTHING_EPSILONS, k: int = SMOOTHING_CLASSES) -> dict:
    """The smoothed loss against the gap, for each eps, with the student's ``log_softmax``."""
    logits = np.zeros((len(_GAPS), k))
    logits[:, 0] = _GAPS
    y = np.zeros(len(_GAPS), dtype=int)
    return {eps: np.array([smoothed_loss(log_softmax, logits[i:i + 1], y[i:i + 1], eps=eps)
                           for i in range(len(_GAPS))]) for eps in epsilons}


def label_smoothing_figure(log_softmax):
    """The smoothed loss against the true class's logit gap, for several eps: an image, or a note."""
    try:
        curves = smoothing_curves(log_softmax)
    except NotReady as exc:
        return exc.note("this figure")
    fig = new_figure(7.2, 3.2)
    ax = fig.subplots()
    styles = ((PALETTE["black"], "-"), (PALETTE["blue"], "--"), (PALETTE["orange"], "-."), (PALETTE["vermillion"], ":"))
    for (eps, values), (colour, ls) in zip(curves.items(), styles):
        ax.plot(_GAPS, values, color=colour, ls=ls, lw=2, label=f"eps = {eps:g}")
        gap = best_gap(eps)
        if math.isfinite(gap):
            i = int(np.argmin(values))
            ax.plot([_GAPS[i]], [values[i]], "o", color=colour, ms=6)
            ax.annotate(f"{gap:.2f}", (_GAPS[i], values[i]), textcoords="offset points", xytext=(0, 8), ha="center",
                        fontsize=7)
    ax.set(xlabel="logit of the true class minus each other logit", ylabel="loss (nats)",
           title=f"Label-smoothed cross-entropy, {SMOOTHING_CLASSES} classes, with your log_softmax",
           ylim=(0, 2.5))
    ax.legend(fontsize=7, loc="upper right")
    return as_image(fig)
