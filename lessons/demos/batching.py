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
