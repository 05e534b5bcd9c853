"""Lesson 01's demo: a logistic classifier on the digits, trained with each loss from a bad start."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data import load_digits
from ..sigmoid import stable_sigmoid
from ..widgets.kit import PALETTE, NotReady, as_image, attempt, new_figure


@dataclass(frozen=True)
class History:
    """Loss and test accuracy after every step of one training run."""

    name: str
    loss: np.ndarray
    test_accuracy: np.ndarray


def _two_columns(p: np.ndarray) -> np.ndarray:
    return np.column_stack([1 - p, p])


def train_from_bad_start(mse, mse_grad, binary_cross_entropy, accuracy, *, digits: tuple[int, int] = (3, 8),
                         steps: int = 150, lr: float = 1.0, scale: float = 3.0,
                         seed: int = 0) -> list[History]:
    """Tell two digits apart with sigmoid + MSE and with cross-entropy, from a bad start.

    Both runs start from the same confidently wrong weights (pointing from
    the mean of ``digits[1]`` to the mean of ``digits[0]``), and take ``steps`` full-batch
    gradient steps.  The MSE run uses the student's ``mse_grad`` (times the
    sigmoid's derivative); the cross-entropy run uses its known gradient
    ``(p - y) / n``.  Losses and accuracy use the student's functions.
    """
    split = load_digits(seed=seed)
    keep, keep_test = np.isin(split.y_train, digits), np.isin(split.y_test, digits)
    X, X_test = split.X_train[keep], split.X_test[keep_test]
    y = (split.y_train[keep] == digits[1]).astype(float)
    y_test = (split.y_test[keep_test] == digits[1]).astype(float)
    rng = np.random.default_rng(seed)
    direction = X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0)
    w0 = -scale * direction / np.linalg.norm(direction) + 0.01 * rng.normal(size=X.shape[1])
    runs = []
    for name in ("sigmoid + MSE", "cross-entropy"):
        w, b = w0.copy(), 0.0
        losses, accs = [], []
        for _ in range(steps):
            p = stable_sigmoid(X @ w + b)
            if name == "cross-entropy":
                losses.append(attempt(binary_cross_entropy, p, y))
                dz = (p - y) / len(y)
            else:
                losses.append(attempt(mse, p, y))
                dz = np.asarray(attempt(mse_grad, p, y)) * p * (1 - p)
            w = w - lr * (X.T @ dz)
            b = b - lr * float(np.sum(dz))
            p_test = stable_sigmoid(X_test @ w + b)
            accs.append(attempt(accuracy, _two_columns(p_test), _two_columns(y_test)))
        runs.append(History(name, np.array(losses, dtype=float), np.array(accs, dtype=float)))
    return runs


def plot_histories(runs: list[History]):
    """Loss (each on its own scale) and test accuracy per step for each run."""
    fig = new_figure(9.0, 3.2)
    ax_loss, ax_acc = fig.subplots(1, 2)
    colours = [PALETTE["orange"], PALETTE["blue"]]
    styles = ["-", "--"]
    for run, colour, ls in zip(runs, colours, styles):
        ax_loss.plot(run.loss / run.loss[0], color=colour, ls=ls, lw=2, label=run.name)
        ax_acc.plot(run.test_accuracy, color=colour, ls=ls, lw=2, label=run.name)
    ax_loss.set(xlabel="gradient step", ylabel="loss / initial loss", title="Training loss (relative)")
    ax_acc.set(xlabel="gradient step", ylabel="test accuracy", title="Held-out accuracy", ylim=(0, 1.02))
    ax_loss.legend()
    ax_acc.legend(loc="lower right")
    return fig


def demo(mse, mse_grad, binary_cross_entropy, accuracy):
    """Run the demo and return its figure as an image, or a note naming the function to implement first."""
    try:
        runs = train_from_bad_start(mse, mse_grad, binary_cross_entropy, accuracy)
    except NotReady as exc:
        return exc.note()
    fig = plot_histories(runs)
    summary = ", ".join(f"{r.name}: test accuracy {r.test_accuracy[-1]:.1%}" for r in runs)
    fig.suptitle(summary, fontsize=9)
    return as_image(fig)
