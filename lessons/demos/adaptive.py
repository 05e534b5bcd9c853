"""Lesson 06's demo: the digits network trained with SGD, momentum, AdaGrad, RMSProp and Adam.

The network (64 inputs, 32 ReLU units, 10 classes) is trained by
:func:`lessons.network.train` on mini-batches of 32, from the same starting
weights and with the same order of mini-batches, five times:

* plain SGD (the course's ``sgd_step``);
* classical momentum 0.9 (:func:`lessons.widgets.adaptive.classical_momentum_step`);
* the student's ``adagrad_step``, ``rmsprop_step`` and ``adam_step``, with the
  curriculum's defaults for everything but the learning rate.

Each update rule gets the learning rate of :data:`LEARNING_RATES`, from the
middle of its good range in a small search (see the lesson).  While the adaptive runs train, the demo
records the effective learning rate of every parameter at every step (the
factor that multiplies its gradient, ``lr / (eps + sqrt(r))``, or
``lr / (sqrt(v_hat) + eps)`` for Adam) and keeps its quartiles over the
parameters whose gradient has not always been zero.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .. import network
from ..data import load_digits
from ..widgets.adaptive import classical_momentum_step
from ..widgets.kit import PALETTE, NotReady, as_image, attempt, new_figure

#: Layer sizes of the demo network.
SIZES = (64, 32, 10)
#: The learning rate of each update rule: on the grid 0.0003, 0.001, 0.003, ..., 3, the middle (on a log
#: scale) of the range where the training loss after 10 epochs ends below 0.2 (see the lesson's table).
LEARNING_RATES = {"sgd": 0.3, "momentum": 0.03, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01}
#: The order of the runs and their labels.
KINDS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
LABELS = {"sgd": "SGD", "momentum": "momentum 0.9", "adagrad": "AdaGrad (yours)",
          "rmsprop": "RMSProp (yours)", "adam": "Adam (yours)"}
#: The percentiles of the effective learning rates that are recorded, over the parameters that moved.
PERCENTILES = (25.0, 50.0, 75.0)


@dataclass(frozen=True)
class Run:
    """One training run of the demo.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    lr : float
    train_loss : ndarray of shape (n_epochs,)
        Cross-entropy (nats) on the whole training set after each epoch.
    test_accuracy : ndarray of shape (n_epochs,)
        Accuracy on the held-out images after each epoch.
    effective : ndarray of shape (n_steps, 3) or None
        For the adaptive rules, the 25th, 50th and 75th percentiles of their
        effective learning rate after every step, over the parameters whose
        gradient has not always been zero.
    """

    kind: str
    lr: float
    train_loss: np.ndarray
    test_accuracy: np.ndarray
    effective: np.ndarray | None


def _recording(kind: str, step_fn, log: list):
    """``step_fn`` guarded by :func:`attempt`, recording the percentiles of the effective learning rates."""

    @functools.wraps(step_fn)
    def step(theta, grad, *state, **hp):
        result = attempt(step_fn, theta, grad, *state, **hp)
        if isinstance(result, (tuple, list)) and len(result) == len(state) + (0 if kind == "adam" else 1):
            with np.errstate(all="ignore"):
                if kind == "adam":
                    squares = np.asarray(result[2], dtype=np.float64) / (1.0 - hp["beta2"] ** state[-1])
                else:
                    squares = np.asarray(result[1], dtype=np.float64)
                # Parameters whose gradient has always been zero (weights of pixels that are blank in
                # every image, of units that never fire) have lr / eps: huge, and never used.
                moved = squares[squares > 0]
                if moved.size:
                    log.append(np.percentile(hp["lr"] / (hp["eps"] + np.sqrt(moved)), PERCENTILES))
        return result

    return step


def compare_optimizers(adagrad_step, rmsprop_step, adam_step, *, learning_rates: dict | None = None,
                       epochs: int = 10, batch_size: int = 32, seed: int = 0) -> list[Run]:
    """Train the demo network with each update rule, the adaptive ones being the student's.

    Parameters
    ----------
    adagrad_step, rmsprop_step, adam_step : callable
        The student's functions (lesson 06), with the curriculum's signatures.
    learning_rates : dict, optional
        Learning rates by kind, replacing those of :data:`LEARNING_RATES`
        (``{"adam": 0.01}`` changes only Adam's).
    epochs, batch_size : int
    seed : int
        Seeds the data split, the starting weights and the order of the
        mini-batches (the same for every run).

    Returns
    -------
    list of Run
        In the order of :data:`KINDS`.

    Raises
    ------
    NotReady
        If one of the student's functions is a stub, fails, or returns
        something other than the curriculum's tuple of arrays.
    """
    rates = {**LEARNING_RATES, **(learning_rates or {})}
    unknown = sorted(set(rates) - set(KINDS))
    if unknown:
        raise ValueError(f"learning_rates has unknown keys {unknown}; use {', '.join(KINDS)}")
    split = load_digits(seed=seed)
    start = network.init_network(SIZES, rng=np.random.default_rng(seed))
    logs: dict[str, list] = {kind: [] for kind in KINDS}
    optimizers = {
        "sgd": network.Optimizer.sgd(lr=rates["sgd"]),
        "momentum": network.Optimizer.momentum(classical_momentum_step, lr=rates["momentum"], momentum=0.9),
        "adagrad": network.Optimizer.adagrad(_recording("adagrad", adagrad_step, logs["adagrad"]),
                                             lr=rates["adagrad"]),
        "rmsprop": network.Optimizer.rmsprop(_recording("rmsprop", rmsprop_step, logs["rmsprop"]),
                                             lr=rates["rmsprop"]),
        "adam": network.Optimizer.adam(_recording("adam", adam_step, logs["adam"]), lr=rates["adam"]),
    }
    runs = {}
    # The student's rules first, so that a stub is reported before the other runs spend their time.
    for kind in ("adagrad", "rmsprop", "adam", "sgd", "momentum"):
        try:
            with np.errstate(all="ignore"):  # a diverging run gives inf and nan, which the plot shows
                _, history = network.train(start, split.X_train, split.y_train, epochs=epochs,
                                           batch_size=batch_size, optimizer=optimizers[kind],
                                           rng=np.random.default_rng(seed + 1),
                                           X_val=split.X_test, y_val=split.y_test)
        except NotReady:
            raise
        except (TypeError, ValueError) as exc:  # e.g. a step that returns only theta
            raise NotReady(f"Training with your functions failed: {exc}") from None
        effective = np.array(logs[kind]) if logs[kind] else None
        runs[kind] = Run(kind, rates[kind], history.train_loss, history.val_accuracy, effective)
    return [runs[kind] for kind in KINDS]


_STYLES = {  # colour, line style, marker
    "sgd": (PALETTE["orange"], "-", "o"),
    "momentum": (PALETTE["sky"], ":", "v"),
    "adagrad": (PALETTE["green"], "-.", "^"),
    "rmsprop": (PALETTE["vermillion"], "--", "s"),
    "adam": (PALETTE["blue"], "-", "D"),
}


def plot_runs(runs: list[Run]):
    """Training loss and test accuracy per epoch, and the effective learning rates per step."""
    fig = new_figure(10.0, 3.9)
    ax_loss, ax_acc, ax_eff = fig.subplots(1, 3)
    n_train = None
    for run in runs:
        colour, ls, marker = _STYLES[run.kind]
        epochs = np.arange(1, len(run.train_loss) + 1)
        label = f"{LABELS[run.kind]}, lr {run.lr:g}: {run.test_accuracy[-1]:.1%}"
        ax_loss.plot(epochs, run.train_loss, color=colour, ls=ls, marker=marker, ms=4, lw=2, label=label)
        ax_acc.plot(epochs, run.test_accuracy, color=colour, ls=ls, marker=marker, ms=4, lw=2)
        if run.effective is not None:
            steps = np.arange(1, len(run.effective) + 1)
            n_train = len(run.effective) // len(run.train_loss)
            ax_eff.fill_between(steps, run.effective[:, 0], run.effective[:, 2], color=colour, alpha=0.18, lw=0)
            ax_eff.plot(steps, run.effective[:, 1], color=colour, ls=ls, lw=2)
    ax_loss.set(yscale="log", xlabel="epoch", ylabel="training loss (cross-entropy, nats)",
                title="Training loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy on the 449 test images", title="Test accuracy", ylim=(0.5, 1.0))
    ax_eff.set(yscale="log", xlabel=f"step ({n_train} per epoch)" if n_train else "step",
               ylabel="effective learning rate (log scale)", title="Effective learning rates")
    ax_eff.text(0.97, 0.97, "line: median over the parameters\nband: the middle half of them",
                transform=ax_eff.transAxes, fontsize=8, va="top", ha="right")
    for ax in (ax_loss, ax_acc, ax_eff):
        ax.grid(True, which="major", color=PALETTE["grey"], alpha=0.3)
    fig.legend(*ax_loss.get_legend_handles_labels(), loc="outside lower center", fontsize=8, ncols=3,
               title="update rule, learning rate: final test accuracy", title_fontsize=8)
    return fig


def demo(adagrad_step, rmsprop_step, adam_step, **settings):
    """Run the demo and return its figure as an image, or a note naming the function to implement first.

    ``settings`` are passed to :func:`compare_optimizers` (``learning_rates``,
    ``epochs``, ``batch_size``, ``seed``).
    """
    try:
        runs = compare_optimizers(adagrad_step, rmsprop_step, adam_step, **settings)
    except NotReady as exc:
        return exc.note()
    return as_image(plot_runs(runs))


# --------------------------------------------------------------------------
# weight decay: L2 inside Adam against AdamW
# --------------------------------------------------------------------------

#: The weight-decay demo: three weights start at 1; their data gradients alternate in sign (so the data
#: says nothing about them on average) with these sizes; only the decay should shrink them.
DECAY_SCALES = (10.0, 0.1, 0.001)
DECAY_LR = 0.01
DECAY_LAMBDA = 0.1
DECAY_STEPS = 1000


@dataclass(frozen=True)
class DecayRuns:
    """The three weights, step by step, under L2 inside Adam and under AdamW.

    Attributes
    ----------
    l2_in_adam, adamw : ndarray of shape (steps + 1, 3)
        The weights after each step (the first row is the start, all ones).
    """

    l2_in_adam: np.ndarray
    adamw: np.ndarray


def _data_gradient(k: int) -> np.ndarray:
    return np.asarray(DECAY_SCALES) * (-1.0) ** k


def _triple(result, name: str):
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise NotReady(f"`{name}` should return (theta_new, m_new, v_new), got {type(result).__name__}.")
    return tuple(np.asarray(r, dtype=np.float64) for r in result)


def weight_decay_runs(adam_step, adamw_step, *, steps: int = DECAY_STEPS, lr: float = DECAY_LR,
                      lam: float = DECAY_LAMBDA) -> DecayRuns:
    """Run the student's ``adam_step`` on gradient + lam * theta (L2 inside Adam) and ``adamw_step``."""
    paths = []
    for kind in ("l2", "adamw"):
        theta, m, v = np.ones(3), np.zeros(3), np.zeros(3)
        path = [theta]
        for k in range(1, steps + 1):
            grad = _data_gradient(k)
            if kind == "l2":
                theta, m, v = _triple(attempt(adam_step, theta, grad + lam * theta, m, v, k, lr=lr), "adam_step")
            else:
                theta, m, v = _triple(attempt(adamw_step, theta, grad, m, v, k, lr=lr, weight_decay=lam),
                                      "adamw_step")
            path.append(theta)
        paths.append(np.array(path))
    return DecayRuns(*paths)


def plot_weight_decay(runs: DecayRuns, *, lr: float = DECAY_LR, lam: float = DECAY_LAMBDA):
    """The three weights under each method, with the uniform decay (1 - lr * lam)**t dotted."""
    fig = new_figure(9.6, 3.4)
    axes = fig.subplots(1, 2, sharey=True)
    steps = np.arange(runs.adamw.shape[0])
    styles = ((PALETTE["blue"], "-"), (PALETTE["orange"], "--"), (PALETTE["vermillion"], "-."))
    for ax, path, title in ((axes[0], runs.l2_in_adam, "L2 inside Adam (adam_step on grad + lambda theta)"),
                            (axes[1], runs.adamw, "AdamW (your adamw_step)")):
        for i, (colour, ls) in enumerate(styles):
            ax.plot(steps, path[:, i], color=colour, ls=ls, lw=2, label=f"gradients of size {DECAY_SCALES[i]:g}")
        ax.plot(steps, (1 - lr * lam) ** steps, color=PALETTE["black"], lw=1, ls=":", label="(1 - lr lambda)^t")
        ax.set(xlabel="step", title=title, ylim=(-0.1, 1.05))
    axes[0].set_ylabel("weight (all start at 1)")
    axes[1].legend(fontsize=7, loc="upper right")
    return fig


def weight_decay_demo(adam_step, adamw_step):
    """L2 inside Adam against AdamW on three weights with gradients of three sizes; an image, or a note."""
    try:
        runs = weight_decay_runs(adam_step, adamw_step)
    except NotReady as exc:
        return exc.note()
    fig = plot_weight_decay(runs)
    end_l2, end_w = (np.where(np.abs(p[-1]) < 0.005, 0.0, p[-1]) for p in (runs.l2_in_adam, runs.adamw))
    fig.suptitle(f"After {DECAY_STEPS} steps with lambda = {DECAY_LAMBDA:g}: L2 inside Adam leaves the weights at "
                 f"{end_l2[0]:.2f}, {end_l2[1]:.2f}, {end_l2[2]:.2f}; AdamW at {end_w[0]:.2f}, {end_w[1]:.2f}, "
                 f"{end_w[2]:.2f} (the uniform decay gives {(1 - DECAY_LR * DECAY_LAMBDA) ** DECAY_STEPS:.2f}).",
                 fontsize=9, wrap=True)
    return as_image(fig)


# --------------------------------------------------------------------------
# learning-rate schedules and warmup
# --------------------------------------------------------------------------

#: The schedule demo: Adam (the student's) on the digits network of the demo above, 10 epochs of
#: batches of 32 (430 steps), at each of these peak rates, with a constant rate and with a linear
#: warmup of SCHEDULE_WARMUP steps followed by a cosine decay to 0 (the student's warmup_cosine).
SCHEDULE_RATES = (0.1, 0.3)
SCHEDULE_WARMUP = 40
SCHEDULE_EPOCHS = 10


@dataclass(frozen=True)
class ScheduleRun:
    """One Adam run of the schedule demo.

    Attributes
    ----------
    lr : float
        The peak (or constant) learning rate.
    scheduled : bool
        True for warmup + cosine, False for a constant rate.
    train_loss : ndarray of shape (epochs,)
    rates : ndarray of shape (steps,)
        The learning rate of every step.
    test_accuracy : float
    """

    lr: float
    scheduled: bool
    train_loss: np.ndarray
    rates: np.ndarray
    test_accuracy: float

    @property
    def label(self) -> str:
        return f"lr {self.lr:g}, " + ("warmup + cosine" if self.scheduled else "constant")


def _rate(value, name: str) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise NotReady(f"`{name}` should return the learning rate as a number, got {type(value).__name__}.") from None
    if not np.isfinite(rate) or rate < 0:
        raise NotReady(f"`{name}` returned {rate!r}, not a learning rate (a finite number >= 0).")
    return rate


def schedule_runs(adam_step, warmup_cosine, *, rates=SCHEDULE_RATES, epochs: int = SCHEDULE_EPOCHS,
                  warmup: int = SCHEDULE_WARMUP, seed: int = 0) -> list[ScheduleRun]:
    """Adam on the digits network at each rate, constant and with the student's warmup + cosine schedule."""
    split = load_digits(seed=seed)
    steps_per_epoch = -(-len(split.y_train) // 32)
    total = epochs * steps_per_epoch
    name = getattr(warmup_cosine, "__name__", "warmup_cosine")
    schedule = {k: _rate(attempt(warmup_cosine, k, lr=1.0, warmup_steps=warmup, total_steps=total), name)
                for k in range(total)}
    runs = []
    for lr in rates:
        for scheduled in (False, True):
            used = []

            def step(theta, grad, m, v, t, *, lr, beta1, beta2, eps, scheduled=scheduled, used=used):
                rate = lr * schedule[min(t - 1, total - 1)] if scheduled else lr
                used.append(rate)
                return attempt(adam_step, theta, grad, m, v, t, lr=rate, beta1=beta1, beta2=beta2, eps=eps)

            start = network.init_network(SIZES, rng=np.random.default_rng(seed))
            with np.errstate(all="ignore"):
                net, history = network.train(start, split.X_train, split.y_train, epochs=epochs, batch_size=32,
                                             optimizer=network.Optimizer.adam(step, lr=lr),
                                             rng=np.random.default_rng(seed), X_val=split.X_test,
                                             y_val=split.y_test)
            runs.append(ScheduleRun(lr, scheduled, np.asarray(history.train_loss), np.array(used),
                                    float(history.val_accuracy[-1])))
    return runs


def plot_schedules(runs: list[ScheduleRun]):
    """Left: the learning rate of every step. Right: the training loss after every epoch (log scale)."""
    fig = new_figure(9.6, 3.4)
    ax_rate, ax_loss = fig.subplots(1, 2)
    colours = {SCHEDULE_RATES[0]: PALETTE["blue"], SCHEDULE_RATES[-1]: PALETTE["vermillion"]}
    for run in runs:
        colour = colours.get(run.lr, PALETTE["grey"])
        ls = "-" if run.scheduled else "--"
        ax_rate.plot(np.arange(len(run.rates)), run.rates, color=colour, ls=ls, lw=2, label=run.label)
        ax_loss.plot(np.arange(1, len(run.train_loss) + 1), np.maximum(run.train_loss, 1e-6), color=colour, ls=ls,
                     lw=2, marker="o", ms=3, label=f"{run.label}: {100 * run.test_accuracy:.1f}% test")
    ax_rate.set(xlabel="step", ylabel="learning rate", title="The rate of every step")
    ax_loss.set(xlabel="epoch", ylabel="training loss (nats)", yscale="log", title="Adam on the digits")
    ax_loss.legend(fontsize=7, loc="lower left")
    return fig


def schedule_demo(adam_step, warmup_cosine):
    """A constant rate against warmup + cosine for Adam on the digits; an image, or a note naming the stub."""
    try:
        runs = schedule_runs(adam_step, warmup_cosine)
    except NotReady as exc:
        return exc.note()
    return as_image(plot_schedules(runs))


def schedules_figure(step_decay, exponential_decay, cosine_decay, warmup_cosine, *, steps: int = 300):
    """The four schedules of the lesson, drawn with the student's functions (a static figure)."""
    try:
        curves = {
            "step_decay(every=100, drop=0.1)": [attempt(step_decay, k, lr=1.0, every=100, drop=0.1)
                                                for k in range(steps)],
            "exponential_decay(gamma=0.99)": [attempt(exponential_decay, k, lr=1.0, gamma=0.99) for k in range(steps)],
            "cosine_decay(total_steps=300)": [attempt(cosine_decay, k, lr=1.0, total_steps=steps)
                                              for k in range(steps)],
            "warmup_cosine(warmup_steps=30, total_steps=300)": [
                attempt(warmup_cosine, k, lr=1.0, warmup_steps=30, total_steps=steps) for k in range(steps)],
        }
    except NotReady as exc:
        return exc.note("this figure")
    fig = new_figure(7.2, 3.2)
    ax = fig.subplots()
    styles = ((PALETTE["blue"], "-"), (PALETTE["orange"], "--"), (PALETTE["green"], "-."),
              (PALETTE["vermillion"], ":"))
    for (label, values), (colour, ls) in zip(curves.items(), styles):
        ax.plot(np.arange(steps), values, color=colour, ls=ls, lw=2, label=label)
    ax.set(xlabel="step", ylabel="learning rate / lr", title="Four schedules, drawn with your functions",
           ylim=(-0.02, 1.05))
    ax.legend(fontsize=7, loc="upper right")
    return as_image(fig)


# --------------------------------------------------------------------------
# a static figure: why Adam corrects its averages
# --------------------------------------------------------------------------

def bias_correction_figure(adam_step, *, steps: int = 2000):
    """The size of Adam's step under a constant gradient, in units of lr: the student's ``adam_step``
    (corrected) against the same averages without the correction, ``(1 - beta1**t) / sqrt(1 - beta2**t)``."""
    theta, m, v = np.zeros(1), np.zeros(1), np.zeros(1)
    corrected = []
    try:
        for t in range(1, steps + 1):
            new, m, v = _triple(attempt(adam_step, theta, np.ones(1), m, v, t, lr=1.0), "adam_step")
            corrected.append(float(theta[0] - new[0]))
            theta = new
    except NotReady as exc:
        return exc.note("this figure")
    t = np.arange(1, steps + 1)
    uncorrected = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
    fig = new_figure(7.2, 3.2)
    ax = fig.subplots()
    ax.plot(t, uncorrected, color=PALETTE["vermillion"], lw=2, ls="--", label="without bias correction")
    ax.plot(t, corrected, color=PALETTE["blue"], lw=2, label="your adam_step (corrected)")
    peak = int(np.argmax(uncorrected))
    ax.plot([t[peak]], [uncorrected[peak]], "o", color=PALETTE["vermillion"])
    ax.annotate(f"{uncorrected[peak]:.2f} lr at step {t[peak]}", (t[peak], uncorrected[peak]),
                textcoords="offset points", xytext=(8, 0), fontsize=7, va="center")
    ax.set(xscale="log", xlabel="step t", ylabel="step size / lr", ylim=(0, 7.2),
           title="Adam under a constant gradient (default betas)")
    ax.legend(fontsize=7, loc="upper right")
    return as_image(fig)
