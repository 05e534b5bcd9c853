"""Lesson 03's demo: one network on the digits trained with batch sizes 1, 32 and all the data.

The network (64 inputs, 32 ReLU units, 10 classes) is trained by
:func:`lessons.network.train` with the student's ``minibatches`` and
``sgd_step``.  Each run has its own learning rate (noisier steps need smaller
ones) and enough epochs to come close to its best in under a second; the
figure shows the training loss against epochs (examples processed) and
against seconds, and the legend the time per epoch and the test accuracy.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import NullLocator

from .. import network
from ..data import load_digits
from ..widgets.kit import PALETTE, NotReady, as_image, attempt, new_figure

#: Layer sizes of the demo network.
SIZES = (64, 32, 10)


@dataclass(frozen=True)
class Run:
    """One training run of the demo.

    Attributes
    ----------
    label : str
        ``"batch size 32"`` and so on.
    batch_size : int
    lr : float
    train_loss : ndarray of shape (n_epochs,)
        Cross-entropy on the whole training set after each epoch.
    test_accuracy : ndarray of shape (n_epochs,)
        Accuracy on the held-out images after each epoch.
    seconds : ndarray of shape (n_epochs,)
        Wall-clock time of each epoch's training steps.
    step_loss : ndarray of shape (n_steps,)
        The mini-batch loss at every step (noisy for small batches).
    """

    label: str
    batch_size: int
    lr: float
    train_loss: np.ndarray
    test_accuracy: np.ndarray
    seconds: np.ndarray
    step_loss: np.ndarray

    @property
    def ms_per_epoch(self) -> float:
        """Median milliseconds per epoch (the median ignores a first, slower epoch)."""
        return 1000.0 * float(np.median(self.seconds))


def _guarded(fn):
    """``fn`` with stubs and errors turned into :class:`NotReady` (named after ``fn``)."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        return attempt(fn, *args, **kwargs)
    return call


def _batches(minibatches):
    """The student's ``minibatches``, its result read into a list under guard (a generator is fine)."""
    @functools.wraps(minibatches)
    def read(X, y, batch_size, *, rng):
        return list(minibatches(X, y, batch_size, rng=rng))

    def call(X, y, batch_size, *, rng):
        return attempt(read, X, y, batch_size, rng=rng)
    return call


def compare_batch_sizes(minibatches, sgd_step, *, settings=None, seed: int = 0) -> list[Run]:
    """Train the demo network with several batch sizes, using the student's functions.

    Parameters
    ----------
    minibatches : callable
        ``minibatches(X, y, batch_size, *, rng)``, the student's (lesson 03).
    sgd_step : callable
        ``sgd_step(theta, grad, *, lr)``, the student's (lesson 03).
    settings : sequence of (batch_size, lr, epochs), optional
        ``batch_size=None`` means all the training data.  The default is
        ``[(1, 0.01, 4), (32, 0.1, 40), (None, 0.5, 200)]``.
    seed : int
        Seeds the data split, the initial weights (the same for every run)
        and the shuffles.

    Returns
    -------
    list of Run

    Raises
    ------
    NotReady
        If one of the student's functions is a stub or fails.
    """
    split = load_digits(seed=seed)
    n_train = len(split.y_train)
    if settings is None:
        settings = [(1, 0.01, 4), (32, 0.1, 40), (None, 0.5, 200)]
    start = network.init_network(SIZES, rng=np.random.default_rng(seed))
    batches, step = _batches(minibatches), _guarded(sgd_step)
    runs = []
    for batch_size, lr, epochs in settings:
        size = n_train if batch_size is None else batch_size
        label = f"all {n_train} (full batch)" if batch_size is None else f"batch size {size}"
        try:
            _, history = network.train(start, split.X_train, split.y_train, epochs=epochs, batch_size=size,
                                       optimizer=network.Optimizer.sgd(step, lr=lr),
                                       rng=np.random.default_rng(seed + 1), minibatches=batches,
                                       X_val=split.X_test, y_val=split.y_test)
        except NotReady:
            raise
        except (TypeError, ValueError) as exc:  # e.g. sgd_step returned the wrong shape
            raise NotReady(f"Training with your functions failed: {exc}") from None
        runs.append(Run(label, size, lr, history.train_loss, history.val_accuracy, history.seconds,
                        history.step_loss))
    return runs


def plot_runs(runs: list[Run]):
    """Training loss against epochs and against seconds, one line per run (log scales)."""
    fig = new_figure(8.6, 4.3)
    ax_epochs, ax_time = fig.subplots(1, 2, sharey=True)
    colours = [PALETTE["vermillion"], PALETTE["blue"], PALETTE["orange"]]
    styles = ["-", "--", ":"]
    for i, run in enumerate(runs):
        colour, ls = colours[i % len(colours)], styles[i % len(styles)]
        epochs = np.arange(1, len(run.train_loss) + 1)
        label = (f"{run.label}, lr {run.lr:g}: {run.ms_per_epoch:.1f} ms/epoch, "
                 f"test accuracy {run.test_accuracy[-1]:.1%}")
        ax_epochs.plot(epochs, run.train_loss, color=colour, ls=ls, lw=2, label=label)
        ax_time.plot(np.cumsum(run.seconds), run.train_loss, color=colour, ls=ls, lw=2, label=run.label)
    ax_epochs.set(xscale="log", yscale="log", xlabel="epochs (passes over the 1,348 training images)",
                  ylabel="training loss (cross-entropy, nats)", title="Progress per epoch")
    ax_time.set(xscale="log", xlabel="training time (seconds, this computer)", title="Progress per second")
    fig.legend(*ax_epochs.get_legend_handles_labels(), loc="outside lower center", fontsize=8, ncols=1)
    for ax in (ax_epochs, ax_time):
        ax.grid(True, which="major", color=PALETTE["grey"], alpha=0.3)
    return fig


def demo(minibatches, sgd_step):
    """Run the demo and return its figure as an image, or a note naming the function to implement first."""
    try:
        runs = compare_batch_sizes(minibatches, sgd_step)
    except NotReady as exc:
        return exc.note()
    return as_image(plot_runs(runs))


# --------------------------------------------------------------------------
# a static figure: the noise of a mini-batch gradient against the batch size
# --------------------------------------------------------------------------

#: The noise figure: a line fitted to NOISE_N points, its gradient measured at NOISE_W, NOISE_B (the data's
#: slope, the wrong intercept) on NOISE_TRIALS random batches of each size, drawn without replacement.
NOISE_N = 256
NOISE_W, NOISE_B = 2.0, 0.0
NOISE_BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 192, 240, 252, 255)
NOISE_TRIALS = 300


def noise_data(n: int = NOISE_N, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The fixed data set of the noise figure: ``y = 2x + 1 + noise``, ``x`` standard normal; ``X`` has shape (n, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return x[:, None], 2.0 * x + 1.0 + 0.5 * rng.normal(size=n)


def noise_closed_form(sigma, n: int, batch_size):
    """The standard deviation of the mean of ``batch_size`` of ``n`` numbers of spread ``sigma`` (population,
    ``ddof=0``) drawn without replacement: ``sigma * sqrt((n - Q) / (Q (n - 1)))``, 0 at ``Q = n``."""
    q = np.asarray(batch_size, dtype=float)
    return sigma * np.sqrt((n - q) / (q * (n - 1)))


def _gradient_pair(result, name: str) -> tuple[float, float]:
    """``(grad_w[0], grad_b)`` from what the student's ``linear_mse_grad`` returned for one feature."""
    try:
        grad_w, grad_b = result
        grad_w, grad_b = np.asarray(grad_w, dtype=float), np.asarray(grad_b, dtype=float)
    except (TypeError, ValueError):
        raise NotReady(f"Your `{name}` should return a pair (grad_w, grad_b); got {type(result).__name__}.") from None
    if grad_w.shape != (1,) or grad_b.size != 1:
        raise NotReady(f"Your `{name}` returned grad_w of shape {grad_w.shape} and grad_b of shape {grad_b.shape} "
                       f"for one feature; expected (1,) and a float.")
    return float(grad_w[0]), float(grad_b.ravel()[0])


def batch_noise(linear_mse_grad, X, y, w, b, batch_sizes, *, trials: int = NOISE_TRIALS,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The measured standard deviation of the student's batch gradient over ``trials`` random batches of each
    size (each drawn without replacement from the rows of ``X``), for the weight and for the bias.

    Returns
    -------
    std_w, std_b : ndarray of shape (len(batch_sizes),)
        Standard deviations (``ddof=1``, over the trials) of ``grad_w[0]`` and of ``grad_b``.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w = np.atleast_1d(np.asarray(w, dtype=float))
    name = getattr(linear_mse_grad, "__name__", "linear_mse_grad")
    rng = np.random.default_rng(seed)
    std_w, std_b = [], []
    for q in batch_sizes:
        draws = np.array([_gradient_pair(attempt(linear_mse_grad, w, b, X[rows], y[rows]), name)
                          for rows in (rng.choice(len(y), size=int(q), replace=False) for _ in range(trials))])
        std_w.append(float(np.std(draws[:, 0], ddof=1)))
        std_b.append(float(np.std(draws[:, 1], ddof=1)))
    return np.array(std_w), np.array(std_b)


def batch_noise_figure(linear_mse_grad):
    """The noise of the student's mini-batch gradient against the batch size, measured (dots) and in closed
    form (lines), on log-log axes: an image, or a note naming the function to implement first."""
    X, y = noise_data()
    try:
        std_w, std_b = batch_noise(linear_mse_grad, X, y, NOISE_W, NOISE_B, NOISE_BATCH_SIZES)
    except NotReady as exc:
        return exc.note("this figure")
    n = len(y)
    residuals = NOISE_W * X[:, 0] + NOISE_B - y  # the per-example gradients, 2 r x and 2 r, written out here
    sigma_w, sigma_b = float(np.std(2.0 * residuals * X[:, 0])), float(np.std(2.0 * residuals))
    q = np.geomspace(1, n - 1, 120)
    fig = new_figure(7.2, 3.2)
    ax = fig.subplots()
    ax.plot(q, sigma_w / np.sqrt(q), color=PALETTE["grey"], lw=1, ls=":",
            label="sigma_w / sqrt(Q): with replacement (or n infinite)")
    for sigma, measured, colour, marker, ls, what in ((sigma_w, std_w, PALETTE["blue"], "o", "-", "dL/dw"),
                                                      (sigma_b, std_b, PALETTE["orange"], "s", "--", "dL/db")):
        ax.plot(q, noise_closed_form(sigma, n, q), color=colour, lw=2, ls=ls,
                label=f"{what}: sigma sqrt((n - Q) / (Q (n - 1))), sigma = {sigma:.2f}")
        ax.plot(NOISE_BATCH_SIZES, measured, marker, color=colour, ms=5, mfc="none", mew=1.5,
                label=f"{what}: your linear_mse_grad, {NOISE_TRIALS} batches per size")
    ax.set(xscale="log", yscale="log", xlabel=f"batch size Q (of n = {n} examples)",
           ylabel="standard deviation of the batch gradient",
           title=f"Noise of the mini-batch gradient at w = {NOISE_W:g}, b = {NOISE_B:g} (0 at Q = n)")
    # Batch sizes as plain numbers, decades on y, and no minor ticks (most of the cost of a log-log figure).
    ax.set_xticks([1, 4, 16, 64, 255], ["1", "4", "16", "64", "255"])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_minor_locator(NullLocator())
    ax.legend(fontsize=7, loc="lower left")
    return as_image(fig)
