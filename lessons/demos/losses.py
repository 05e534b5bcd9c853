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


# --------------------------------------------------------------------------
# a static figure: the two losses and their gradients against the logit
# --------------------------------------------------------------------------

#: The logits of the figure: a sample of class 1 scored from confidently wrong (z = -6) to confidently right.
SHAPE_LOGITS = np.linspace(-6.0, 6.0, 241)
_DZ = 1e-5  # the step of the central differences in z


@dataclass(frozen=True)
class LossShapes:
    """The losses of one sample of class 1 with logit ``z``, and their derivatives in ``z``.

    Attributes
    ----------
    z : ndarray
    mse, bce : ndarray
        ``mse(sigmoid(z), 1)`` and ``binary_cross_entropy(sigmoid(z), 1)`` with the student's functions.
    mse_dz, bce_dz : ndarray
        Their derivatives with respect to ``z``: the student's ``mse_grad`` times the sigmoid's slope
        ``p (1 - p)`` (the chain rule), and a central difference in ``z`` of the student's
        ``binary_cross_entropy`` (the lesson has no function for its gradient).
    """

    z: np.ndarray
    mse: np.ndarray
    bce: np.ndarray
    mse_dz: np.ndarray
    bce_dz: np.ndarray


def _one_number(value, name: str) -> float:
    arr = np.asarray(value, dtype=float)
    if arr.size != 1:
        what = "the shape of y_pred" if name.endswith("_grad") else "one number, the mean"
        raise NotReady(f"Your `{name}` returned shape {arr.shape} for one prediction of shape (1,); "
                       f"it should return {what}.")
    return float(arr.ravel()[0])


def loss_shapes(mse, mse_grad, binary_cross_entropy, z=SHAPE_LOGITS) -> LossShapes:
    """Both losses of a sample of class 1 and their gradients in the logit, with the student's functions."""
    z = np.asarray(z, dtype=float)
    one = np.array([1.0])

    def bce_at(logit: float) -> float:
        return _one_number(attempt(binary_cross_entropy, stable_sigmoid(np.array([logit])), one),
                           "binary_cross_entropy")

    mse_loss, bce_loss, mse_dz, bce_dz = [], [], [], []
    for logit in z:
        p = stable_sigmoid(np.array([logit]))
        mse_loss.append(_one_number(attempt(mse, p, one), "mse"))
        bce_loss.append(bce_at(logit))
        mse_dz.append(_one_number(attempt(mse_grad, p, one), "mse_grad") * float(p[0] * (1.0 - p[0])))
        bce_dz.append((bce_at(logit + _DZ) - bce_at(logit - _DZ)) / (2.0 * _DZ))
    return LossShapes(z, np.array(mse_loss), np.array(bce_loss), np.array(mse_dz), np.array(bce_dz))


def loss_shapes_figure(mse, mse_grad, binary_cross_entropy):
    """Sigmoid + MSE against cross-entropy for a sample of class 1, as functions of the logit z (left), and
    their gradients with respect to z (right), drawn with the student's functions: an image, or a note."""
    try:
        s = loss_shapes(mse, mse_grad, binary_cross_entropy)
    except NotReady as exc:
        return exc.note("this figure")
    fig = new_figure(7.2, 3.2)
    ax_loss, ax_grad = fig.subplots(1, 2)
    c_mse, c_ce = PALETTE["orange"], PALETTE["blue"]
    for ax, mse_values, ce_values in ((ax_loss, s.mse, s.bce), (ax_grad, s.mse_dz, s.bce_dz)):
        ax.plot(s.z, mse_values, color=c_mse, lw=2, label="sigmoid + MSE (your mse, mse_grad)")
        ax.plot(s.z, ce_values, color=c_ce, lw=2, ls="--", label="cross-entropy (your binary_cross_entropy)")
        ax.axvline(0.0, color=PALETTE["grey"], lw=1, ls=":")
    ax_grad.axhline(-1.0, color=PALETTE["grey"], lw=1)
    ax_grad.annotate("-1", (s.z[0], -1.0), textcoords="offset points", xytext=(2, 3), fontsize=7,
                     color=PALETTE["grey"])
    i = int(np.argmin(np.abs(s.z + 5.0)))  # z = -5, confidently wrong
    for values, colour, marker in ((s.mse_dz, c_mse, "o"), (s.bce_dz, c_ce, "s")):
        ax_grad.plot([s.z[i]], [values[i]], marker, color=colour, ms=5)
    ax_grad.annotate(f"at z = {s.z[i]:g} (p = {float(stable_sigmoid(s.z[i])):.4f}):\n"
                     f"cross-entropy {s.bce_dz[i]:.3f},\nMSE {s.mse_dz[i]:.3f}, "
                     f"{s.bce_dz[i] / s.mse_dz[i]:.0f} times smaller", (-5.9, -0.42), fontsize=7, va="top")
    ax_loss.set(xlabel="logit z (the true class is 1; p = sigmoid(z))", ylabel="loss",
                title="Loss of one sample of class 1", ylim=(0, 6.3))
    ax_grad.set(xlabel="logit z", ylabel="dL/dz", title="Its gradient with respect to z", ylim=(-1.08, 0.08))
    ax_loss.legend(fontsize=7, loc="upper right")  # the same colours and lines on the right
    return as_image(fig)
