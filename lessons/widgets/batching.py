r"""Lesson 03's widget: the noise of small batches and the cost of large ones.

A linear regression with one feature, :math:`\hat y = w x + b`, is fitted to
64 noisy points by mini-batch gradient descent built from the student's own
``minibatches``, ``linear_mse_grad`` and ``sgd_step``, from :math:`w = b = 0`.
A batch-size slider (1 to 64, on a log scale), a learning-rate slider and a
seed move the run:

* the left axes show the path of :math:`(w, b)` after every step over the
  contours of the full-data mean squared error (computed once);
* the right axes show that error after every step against the number of
  examples processed (the cost), with the epochs on the top axis, the losses
  per epoch that the student's ``train_minibatch_sgd`` returns for the same
  settings, and full-batch gradient descent at the same learning rate for
  comparison.
"""

from __future__ import annotations

import warnings

import ipywidgets as widgets
import numpy as np
from matplotlib import ticker

from .kit import PALETTE, NotReady, Panel, problem_html, StaticBackdrop, attempt, log_slider, new_figure, static_parts

#: Number of points of the regression problem and epochs of every run.
N_SAMPLES = 64
EPOCHS = 8
#: Batch sizes offered by the slider: powers of two from 1 to N_SAMPLES (a log scale).
BATCH_SIZES = tuple(2 ** k for k in range(int(np.log2(N_SAMPLES)) + 1))
#: A run is stopped (and called divergent) once a parameter grows beyond this.
DIVERGED = 1e4
#: The window of the contour plot, (w_min, w_max, b_min, b_max).
WINDOW = (-0.6, 3.2, -2.0, 2.4)


def make_problem(seed: int = 3, n_samples: int = N_SAMPLES):
    """The regression problem of the widget: one feature, a line plus noise.

    Parameters
    ----------
    seed : int
        Seed of the data (not of the training runs).
    n_samples : int

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
        Inputs around 1.5: ``w`` and ``b`` are correlated, so the contours
        are tilted, elongated ellipses.
    y : ndarray of shape (n_samples,)
        ``2 x - 0.5`` plus Gaussian noise of standard deviation 0.5.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(1.5, 0.8, size=n_samples)
    y = 2.0 * x - 0.5 + 0.5 * rng.normal(size=n_samples)
    return x[:, None], y


def _quadratic(X: np.ndarray, y: np.ndarray):
    """The full-data MSE as a function of (w, b), vectorized over many points, and its minimum."""
    x = X[:, 0]
    sxx, sx, sxy, sy, syy = np.mean(x * x), np.mean(x), np.mean(x * y), np.mean(y), np.mean(y * y)

    def mse(w, b):
        w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
        return w * w * sxx + 2 * w * b * sx + b * b - 2 * w * sxy - 2 * b * sy + syy

    A = np.array([[sxx, sx], [sx, 1.0]])
    w_star, b_star = np.linalg.solve(A, [sxy, sy])
    return mse, (float(w_star), float(b_star))


def _as_theta(w, b) -> np.ndarray:
    return np.array([float(np.ravel(w)[0]), float(b)])


def descent_path(minibatches, linear_mse_grad, sgd_step, X, y, *, batch_size, lr, epochs, seed):
    """Run mini-batch gradient descent with the student's functions and record every step.

    Parameters
    ----------
    minibatches, linear_mse_grad, sgd_step : callable
        The student's functions (lesson 03).
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)
    batch_size : int
    lr : float
    epochs : int
    seed : int
        Seeds the generator passed to ``minibatches`` (one call per epoch).

    Returns
    -------
    path : ndarray of shape (n_steps + 1, 2)
        ``(w, b)`` before the first step and after every step; it ends early
        if the parameters grow beyond :data:`DIVERGED`.
    examples : ndarray of shape (n_steps + 1,)
        Examples processed when each point of the path was reached.

    Raises
    ------
    NotReady
        If one of the functions is a stub, raises, or returns something of
        the wrong shape.
    """
    rng = np.random.default_rng(seed)
    theta = np.zeros(2)
    path, examples, seen = [theta], [0], 0
    for _ in range(epochs):
        for batch in attempt(minibatches, X, y, batch_size, rng=rng):
            try:
                X_batch, y_batch = batch
            except (TypeError, ValueError):
                raise NotReady("Your `minibatches` should give (X_batch, y_batch) pairs.") from None
            grads = attempt(linear_mse_grad, theta[:1].copy(), theta[1], X_batch, y_batch)
            try:
                grad = _as_theta(*grads)
            except (TypeError, ValueError, IndexError):
                raise NotReady("Your `linear_mse_grad` should return (grad_w, grad_b) with grad_w of "
                               "shape (1,) here.") from None
            theta = np.asarray(attempt(sgd_step, theta, grad, lr=lr), dtype=float)
            if theta.shape != (2,):
                raise NotReady(f"Your `sgd_step` returned shape {theta.shape} for a theta of shape (2,).")
            seen += len(y_batch)
            path.append(theta)
            examples.append(seen)
            if not np.all(np.abs(theta) < DIVERGED):
                return np.array(path), np.array(examples, dtype=float)
    return np.array(path), np.array(examples, dtype=float)


def batch_size_widget(minibatches, linear_mse_grad, sgd_step, train_minibatch_sgd) -> Panel:
    """Batch size, learning rate and seed controls on a small linear regression.

    Parameters
    ----------
    minibatches, linear_mse_grad, sgd_step, train_minibatch_sgd : callable
        The student's functions from lesson 03.

    Returns
    -------
    Panel
        ``controls["batch_size"]`` (a selection of :data:`BATCH_SIZES`),
        ``controls["lr"]`` (log scale, 0.001 to 0.3) and ``controls["seed"]``.
        The left axes show the path of ``(w, b)`` over the loss contours; the
        right axes the full-data MSE after every step against the examples
        processed, the student's per-epoch losses (markers) and full-batch
        gradient descent at the same learning rate (dashed).
    """
    X, y = make_problem()
    n = len(y)
    mse, (w_star, b_star) = _quadratic(X, y)
    loss_min = float(mse(w_star, b_star))
    loss_start = float(mse(0.0, 0.0))

    fig = new_figure(8.6, 3.9)
    ax_path, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.0, 1.25]})

    # Contours, computed once.
    ww, bb = np.meshgrid(np.linspace(WINDOW[0], WINDOW[1], 160), np.linspace(WINDOW[2], WINDOW[3], 160))
    levels = loss_min + (loss_start - loss_min) * np.geomspace(1e-3, 1.0, 9)
    ax_path.contour(ww, bb, mse(ww, bb), levels=levels, colors=PALETTE["grey"], linewidths=0.8)
    ax_path.plot([w_star], [b_star], marker="*", ms=15, color=PALETTE["yellow"], mec=PALETTE["black"],
                 ls="none", zorder=5, label="least-squares minimum")
    full_path_line, = ax_path.plot([], [], color=PALETTE["orange"], lw=2.0, ls="--", marker="s", ms=4,
                                   label="full batch (64), same lr")
    path_line, = ax_path.plot([], [], color=PALETTE["blue"], lw=1.0, alpha=0.9, label="your batch size, same lr")
    end_dot, = ax_path.plot([], [], "o", color=PALETTE["blue"], ms=7, mec="white")
    ax_path.plot([0.0], [0.0], "o", color=PALETTE["black"], ms=5)
    ax_path.annotate("start", (0.0, 0.0), xytext=(6, -12), textcoords="offset points", fontsize=9)
    ax_path.set(xlim=WINDOW[:2], ylim=WINDOW[2:], xlabel="weight w", ylabel="bias b",
                title="Path of (w, b) over the loss contours")
    ax_path.legend(loc="upper left", fontsize=8)

    total = EPOCHS * n
    ax_loss.axhline(loss_min, color=PALETTE["black"], lw=1, ls=":", label=f"minimum MSE ({loss_min:.3f})")
    # The colours of the left panel's legend: only the two new entries are listed here.
    full_loss_line, = ax_loss.plot([], [], color=PALETTE["orange"], lw=2.0, ls="--", marker="s", ms=4)
    loss_line, = ax_loss.plot([], [], color=PALETTE["blue"], lw=1.0)
    epoch_marks, = ax_loss.plot([], [], "o", color=PALETTE["vermillion"], ms=6, mec="white",
                                label="losses per epoch from your train_minibatch_sgd")
    ax_loss.set(xlim=(0, total), ylim=(0.25 * loss_min, 1.5 * loss_start), yscale="log",
                xlabel="examples processed (64 per epoch)",
                ylabel="MSE on all 64 points", title="Loss after every step, against the work done")
    # Plain tick labels: log-scale labels are typeset as 10^k, which is slow to draw on every update.
    ax_loss.yaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
    ax_loss.yaxis.set_minor_formatter(ticker.NullFormatter())
    top = ax_loss.secondary_xaxis("top", functions=(lambda e: e / n, lambda t: t * n))
    top.set_xlabel("epochs")
    ax_loss.legend(loc="lower right", fontsize=8)  # below the minimum, where no curve can go
    StaticBackdrop(fig, static_parts(ax_path, *ax_path.child_axes, collections=True, texts=True) + static_parts(ax_loss, *ax_loss.child_axes, collections=True, texts=True))

    def update(batch_size: int, lr: float, seed: int) -> str:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            path, examples = descent_path(minibatches, linear_mse_grad, sgd_step, X, y,
                                          batch_size=batch_size, lr=lr, epochs=EPOCHS, seed=seed)
            full, full_examples = descent_path(minibatches, linear_mse_grad, sgd_step, X, y,
                                               batch_size=n, lr=lr, epochs=EPOCHS, seed=seed)
            losses = mse(path[:, 0], path[:, 1])
            full_losses = mse(full[:, 0], full[:, 1])
            try:
                result = attempt(train_minibatch_sgd, X, y, batch_size=batch_size, lr=lr, epochs=EPOCHS,
                                 rng=np.random.default_rng(seed))
                epoch_losses = np.asarray(result[2], dtype=float).ravel()
                train_note = ""
            except NotReady as exc:
                epoch_losses, train_note = np.array([]), exc.message
            except (TypeError, IndexError):
                epoch_losses = np.array([])
                train_note = "Your `train_minibatch_sgd` should return (w, b, losses)."
        path_line.set_data(path[:, 0], path[:, 1])
        end_dot.set_data(path[-1:, 0], path[-1:, 1])
        full_path_line.set_data(full[:, 0], full[:, 1])
        loss_line.set_data(examples, losses)
        full_loss_line.set_data(full_examples, full_losses)
        shown = epoch_losses[:EPOCHS]
        epoch_marks.set_data(n * np.arange(1, len(shown) + 1), shown)

        steps_per_epoch = -(-n // batch_size)
        if not np.all(np.isfinite(path[-1])) or np.any(np.abs(path[-1]) >= DIVERGED):
            outcome = (f"<b>diverged</b> after {len(path) - 1} steps: this learning rate is too large "
                       f"for batches of {batch_size}")
        elif losses[-1] > loss_start:
            outcome = (f"the loss <b>grew</b> to {losses[-1]:.3g}: this learning rate is too large for "
                       f"batches of {batch_size}")
        else:
            last = losses[-steps_per_epoch:]
            outcome = (f"final MSE <b>{losses[-1]:.4f}</b> (minimum {loss_min:.4f}); over the last epoch "
                       f"it moved between {last.min():.4f} and {last.max():.4f}")
        if not np.all(np.isfinite(full[-1])) or np.any(np.abs(full[-1]) >= DIVERGED):
            full_note = f"full batch diverged after {len(full) - 1} steps"
        elif full_losses[-1] > loss_start:
            full_note = f"full batch diverged: final MSE {full_losses[-1]:.3g}"
        else:
            full_note = f"full batch: {EPOCHS} steps, final MSE {full_losses[-1]:.4f}"
        status = (f"Batch size <b>{batch_size}</b>: {steps_per_epoch} step(s) per epoch, "
                  f"{steps_per_epoch * EPOCHS} in {EPOCHS} epochs; {outcome}. ({full_note}.)")
        if train_note:
            status += f"<br>{problem_html(train_note)}"
        return status

    controls = {
        "batch_size": widgets.SelectionSlider(options=list(BATCH_SIZES), value=8, description="batch size",
                                              continuous_update=True, style={"description_width": "initial"}),
        "lr": log_slider("learning rate", low_exp=-3, high_exp=-0.5, value=0.05, step=0.1, fmt=".2g"),
        "seed": widgets.IntSlider(value=0, min=0, max=9, description="seed", continuous_update=True,
                                  style={"description_width": "initial"}),
    }
    return Panel(controls, fig, update,
                 "Choose the <b>batch size</b> (1 = stochastic gradient descent, 64 = all the data) and the "
                 "<b>learning rate</b>; the <b>seed</b> changes the shuffles. Each run takes "
                 f"{EPOCHS} epochs from w = b = 0 with your functions.")
