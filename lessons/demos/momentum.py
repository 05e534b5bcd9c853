"""Lesson 05's demo: the digits network trained with plain SGD, momentum and Nesterov momentum.

The network (64 inputs, 32 ReLU units, 10 classes) is trained by
:func:`lessons.network.train` on mini-batches of 64 from the same starting
weights, four times:

* plain SGD with the learning rate ``lr`` (the course's ``sgd_step``);
* the student's ``momentum_step`` with ``lr`` and ``momentum``;
* the student's ``nesterov_step`` with the same ``lr`` and ``momentum``;
* plain SGD with ``lr / (1 - momentum)``, the step that momentum reaches
  under a steady gradient: the fair comparison for the first three.

The figure shows the training loss and the test accuracy after every epoch.
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
        For example ``"momentum 0.9, lr 0.1 (your momentum_step)"``.
    train_loss : ndarray of shape (n_epochs,)
        Cross-entropy (nats) on the whole training set after each epoch.
    test_accuracy : ndarray of shape (n_epochs,)
        Accuracy on the held-out images after each epoch.
    """

    label: str
    train_loss: np.ndarray
    test_accuracy: np.ndarray


def _guarded(fn):
    """``fn`` with stubs and errors turned into :class:`NotReady` (named after ``fn``)."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        return attempt(fn, *args, **kwargs)
    return call


def compare_optimizers(momentum_step, nesterov_step, *, lr: float = 0.1, momentum: float = 0.9,
                       epochs: int = 15, batch_size: int = 64, seed: int = 0) -> list[Run]:
    """Train the demo network with SGD, momentum and Nesterov, using the student's step functions.

    Parameters
    ----------
    momentum_step, nesterov_step : callable
        The student's functions (lesson 05), with the curriculum's signatures.
    lr : float
        The learning rate of the first three runs.
    momentum : float
        The momentum of the two momentum runs.
    epochs, batch_size : int
    seed : int
        Seeds the data split, the starting weights (the same for every run)
        and the order of the mini-batches (the same for every run).

    Returns
    -------
    list of Run
        SGD with ``lr``, momentum, Nesterov, and SGD with ``lr / (1 - momentum)``.

    Raises
    ------
    NotReady
        If one of the student's functions is a stub, fails, or returns
        something that is not ``(theta, velocity)`` of the right shape.
    """
    # One call of each step on a tiny input first, so that a stub is reported before any training.
    attempt(momentum_step, np.zeros(2), np.ones(2), np.zeros(2), lr=lr, momentum=momentum)
    attempt(nesterov_step, np.zeros(2), lambda point: np.ones(2), np.zeros(2), lr=lr, momentum=momentum)
    split = load_digits(seed=seed)
    start = network.init_network(SIZES, rng=np.random.default_rng(seed))
    effective = lr / (1.0 - momentum)
    settings = [
        (f"SGD, lr {lr:g}", network.Optimizer.sgd(lr=lr)),
        (f"momentum {momentum:g}, lr {lr:g} (your momentum_step)",
         network.Optimizer.momentum(_guarded(momentum_step), lr=lr, momentum=momentum)),
        (f"Nesterov {momentum:g}, lr {lr:g} (your nesterov_step)",
         network.Optimizer.nesterov(_guarded(nesterov_step), lr=lr, momentum=momentum)),
        (f"SGD, lr {effective:g} = {lr:g} / (1 - {momentum:g})", network.Optimizer.sgd(lr=effective)),
    ]
    runs = []
    for label, optimizer in settings:
        try:
            with np.errstate(all="ignore"):  # a diverging run gives inf and nan, which the plot shows
                _, history = network.train(start, split.X_train, split.y_train, epochs=epochs,
                                           batch_size=batch_size, optimizer=optimizer,
                                           rng=np.random.default_rng(seed + 1),
                                           X_val=split.X_test, y_val=split.y_test)
        except NotReady:
            raise
        except (TypeError, ValueError) as exc:  # e.g. a step that returns only theta
            raise NotReady(f"Training with your functions failed: {exc}") from None
        runs.append(Run(label, history.train_loss, history.val_accuracy))
    return runs


_STYLES = (  # colour, line style, marker: one per run, in the order of compare_optimizers
    (PALETTE["orange"], "-", "o"),
    (PALETTE["blue"], "--", "s"),
    (PALETTE["green"], "-.", "^"),
    (PALETTE["grey"], ":", None),
)


def plot_runs(runs: list[Run]):
    """Training loss (log scale) and test accuracy after every epoch, one line per run."""
    fig = new_figure(8.6, 4.2)
    ax_loss, ax_acc = fig.subplots(1, 2)
    for run, (colour, ls, marker) in zip(runs, _STYLES):
        epochs = np.arange(1, len(run.train_loss) + 1)
        label = f"{run.label}: test accuracy {run.test_accuracy[-1]:.1%}"
        ax_loss.plot(epochs, run.train_loss, color=colour, ls=ls, marker=marker, ms=4, lw=2, label=label)
        ax_acc.plot(epochs, run.test_accuracy, color=colour, ls=ls, marker=marker, ms=4, lw=2)
    ax_loss.set(yscale="log", xlabel="epoch (one pass over the 1,348 training images)",
                ylabel="training loss (cross-entropy, nats)", title="Training loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy on the 449 test images", title="Test accuracy",
               ylim=(0.5, 1.0))
    for ax in (ax_loss, ax_acc):
        ax.grid(True, which="major", color=PALETTE["grey"], alpha=0.3)
    fig.legend(*ax_loss.get_legend_handles_labels(), loc="outside lower center", fontsize=8, ncols=2)
    return fig


def demo(momentum_step, nesterov_step, **settings):
    """Run the demo and return its figure as an image, or a note naming the function to implement first.

    ``settings`` are passed to :func:`compare_optimizers` (``lr``, ``momentum``,
    ``epochs``, ``batch_size``, ``seed``).
    """
    try:
        runs = compare_optimizers(momentum_step, nesterov_step, **settings)
    except NotReady as exc:
        return exc.note()
    return as_image(plot_runs(runs))


# --------------------------------------------------------------------------
# the static figure: gradient descent and momentum in a narrow valley
# --------------------------------------------------------------------------

#: The figure's valley J(x) = (x_0**2 + kappa * x_1**2) / 2, its start, and the settings of section 1's worked
#: numbers: lr 0.07 gives the factors 1 - 0.07 = 0.93 (along) and 1 - 0.07 * 25 = -0.75 (across).
VALLEY_KAPPA = 25.0
VALLEY_START = (-3.0, 1.0)
VALLEY_LR = 0.07
VALLEY_MOMENTUM = 0.5
VALLEY_STEPS = 30


def valley_paths(
    momentum_step,
    *,
    kappa: float = VALLEY_KAPPA,
    lr: float = VALLEY_LR,
    momentum: float = VALLEY_MOMENTUM,
    steps: int = VALLEY_STEPS,
    start=VALLEY_START,
) -> tuple[np.ndarray, np.ndarray]:
    """The points visited by the student's ``momentum_step`` on the valley, with momentum 0 and with ``momentum``.

    The gradient of the valley is ``(x_0, kappa * x_1)``; the velocity starts at 0 and is fed back.  With
    ``momentum=0`` the student's step is plain gradient descent.

    Returns
    -------
    (gd, heavy) : two ndarrays of shape (steps + 1, 2)
        The start and the point after every step.

    Raises
    ------
    NotReady
        If ``momentum_step`` is a stub, fails, or does not return a pair of arrays of shape (2,).
    """
    curvature = np.array([1.0, kappa])
    name = getattr(momentum_step, "__name__", "momentum_step")
    paths = []
    for mu in (0.0, momentum):
        theta, velocity = np.array(start, dtype=np.float64), np.zeros(2)
        points = [theta]
        with np.errstate(all="ignore"):
            for _ in range(steps):
                result = attempt(momentum_step, theta.copy(), curvature * theta, velocity.copy(), lr=lr, momentum=mu)
                if not isinstance(result, (tuple, list)) or len(result) != 2:
                    raise NotReady(
                        f"`{name}` should return the pair (theta_new, velocity_new), got {type(result).__name__}."
                    )
                theta, velocity = (np.asarray(r, dtype=np.float64) for r in result)
                if theta.shape != (2,) or velocity.shape != (2,):
                    raise NotReady(
                        f"`{name}` should return two arrays of the shape of theta, (2,); got "
                        f"{theta.shape} and {velocity.shape}."
                    )
                points.append(theta)
        paths.append(np.array(points))
    return paths[0], paths[1]


def momentum_paths_figure(
    momentum_step, *, lr: float = VALLEY_LR, momentum: float = VALLEY_MOMENTUM, steps: int = VALLEY_STEPS
):
    """Gradient descent and momentum (both the student's ``momentum_step``) over the valley's contours (left),
    and their distance to the minimum after every step (right, log scale)."""
    try:
        gd, heavy = valley_paths(momentum_step, lr=lr, momentum=momentum, steps=steps)
    except NotReady as exc:
        return exc.note("this figure")
    kappa = VALLEY_KAPPA
    fig = new_figure(7.2, 3.2)
    ax_path, ax_dist = fig.subplots(1, 2, width_ratios=[1.55, 1.0])
    t = np.linspace(0.0, 2.0 * np.pi, 181)
    start_loss = 0.5 * (VALLEY_START[0] ** 2 + kappa * VALLEY_START[1] ** 2)
    # The contours as one line broken by nan: one artist instead of seven.
    levels = np.geomspace(start_loss, start_loss * 1e-4, 7)[:, None]
    ellipses_x = np.hstack([np.sqrt(2 * levels) * np.cos(t), np.full((7, 1), np.nan)]).ravel()
    ellipses_y = np.hstack([np.sqrt(2 * levels / kappa) * np.sin(t), np.full((7, 1), np.nan)]).ravel()
    ax_path.plot(ellipses_x, ellipses_y, color=PALETTE["grey"], lw=0.7, alpha=0.8)
    steps_axis = np.arange(steps + 1)
    for path, colour, ls, marker, label in (
        (gd, PALETTE["orange"], "-", "o", "gradient descent (momentum 0)"),
        (heavy, PALETTE["blue"], "--", "s", f"momentum {momentum:g}"),
    ):
        with np.errstate(all="ignore"):
            distance = np.linalg.norm(path, axis=1)
        ax_path.plot(path[:, 0], path[:, 1], color=colour, ls=ls, lw=1.5, marker=marker, ms=3)
        ax_dist.plot(
            steps_axis, distance, color=colour, ls=ls, lw=1.5, marker=marker, ms=3, label=f"{label}: {distance[-1]:.2g}"
        )
    ax_path.plot([0], [0], marker="*", ms=10, color=PALETTE["black"], ls="none")
    ax_path.plot(*VALLEY_START, marker="o", ms=6, mfc="white", mec=PALETTE["black"], ls="none")
    ax_path.set(
        xlim=(-3.3, 0.5),
        ylim=(-1.05, 1.15),
        aspect="equal",
        xlabel="$x_0$ (flat, curvature 1)",
        ylabel=f"$x_1$ (steep, curvature {kappa:g})",
        title=f"Your momentum_step, lr {lr:g}, {steps} steps",
    )
    ax_dist.set(yscale="log", xlabel="step", ylabel="distance to the minimum", title="Distance to the minimum")
    ax_dist.grid(True, which="major", color=PALETTE["grey"], alpha=0.3)
    ax_dist.minorticks_off()
    ax_dist.set_ylim(bottom=min(ax_dist.get_ylim()[0], 3e-4))
    ax_dist.legend(fontsize=7, loc="lower left", title=f"distance after {steps} steps", title_fontsize=7)
    return as_image(fig)
