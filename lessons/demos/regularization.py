r"""Lesson 07's demos: a network that overfits a small, noisy slice of the digits, and three remedies.

The data (:func:`noisy_digits`): 200 training images of the 8x8 digits, of
which exactly 20% (40 images) carry a wrong label, as careless annotation
would leave them; a validation set and a test set of 449 images each keep
their true labels.  A network with 64 inputs, 128 ReLU units and 10 classes
fits those 200 images perfectly, wrong labels included, within a few dozen
epochs: it overfits, and the validation loss climbs back up.

* :func:`overfitting_run` trains it without any regularization, recording
  the losses and accuracies of every epoch.  It is computed once, at first
  use (about half a second), and shared by the early-stopping widget and
  :func:`penalty_demo`.
* :func:`penalty_demo` trains the same network with the student's L2 penalty
  at several strengths (a sweep), and once with the student's L1 penalty,
  and compares accuracies and first-layer weights.
* :func:`bagging_demo` trains members on bootstrap samples drawn by the
  student's ``bootstrap_indices`` and averages their predicted probabilities
  with the student's ``bagging_predict``.

Every run uses plain mini-batch gradient descent (batch size 20, learning
rate 0.3) from :mod:`lessons.network`, with NumPy's BLAS limited to one
thread: the matrices are small, and several threads competing on a busy
machine make training up to ten times slower.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import network
from ..blas import one_blas_thread
from ..data import load_digits
from ..widgets.kit import PALETTE, NotReady, as_image, attempt, new_figure

#: Layer sizes of every network of the demos.
SIZES = (64, 128, 10)
#: Training images, and the share of them whose label is replaced by a wrong digit.
N_TRAIN = 200
LABEL_NOISE = 0.2
#: Mini-batch gradient descent settings shared by every run.
LR = 0.3
BATCH_SIZE = 20
EPOCHS = 100
#: Strengths of the L2 sweep (0 is the unregularized run) and the strength of the L1 run.
L2_STRENGTHS = (0.0, 3e-3, 1e-2, 3e-2, 1e-1)
L1_STRENGTH = 3e-3
#: Bagging: number of members and epochs per member.
N_MEMBERS = 8
MEMBER_EPOCHS = 60
#: A first-layer weight counts as "zero" below this magnitude in the sparsity figures.
TINY = 1e-3


# --------------------------------------------------------------------------
# data and training
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class NoisyDigits:
    """A small training set with some wrong labels, and clean validation and test sets.

    Attributes
    ----------
    X_train : ndarray of shape (n_train, 64)
    y_train : ndarray of int of shape (n_train,)
        The labels the network is trained on; ``flipped`` of them are wrong.
    y_train_true : ndarray of int of shape (n_train,)
        The true labels of the training images.
    flipped : ndarray of bool of shape (n_train,)
        Which training labels were replaced by a wrong digit.
    X_val, y_val : ndarrays of shapes (n_val, 64) and (n_val,)
        Clean labels; for choosing (the penalty strength, the stopping epoch).
    X_test, y_test : ndarrays of shapes (n_test, 64) and (n_test,)
        Clean labels; for reporting only.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    y_train_true: np.ndarray
    flipped: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def _frozen(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    out = []
    for a in arrays:
        a = np.array(a)
        a.flags.writeable = False
        out.append(a)
    return tuple(out)


@functools.cache
def noisy_digits(*, n_train: int = N_TRAIN, label_noise: float = LABEL_NOISE, seed: int = 0) -> NoisyDigits:
    """The demos' data: ``n_train`` digits with ``round(label_noise * n_train)`` wrong labels.

    Half of the 1,797 images are held out and split into a validation and a
    test set (449 images each, true labels); the training images are the
    first ``n_train`` of the other half.  Exactly ``round(label_noise *
    n_train)`` training labels, chosen at random, are moved to another digit
    (each wrong digit equally likely).  Cached: every call with the same
    arguments returns the same read-only arrays.
    """
    split = load_digits(seed=seed, n_train=n_train, test_fraction=0.5)
    rng = np.random.default_rng(seed + 7)
    n_flip = int(round(label_noise * n_train))
    flipped = np.zeros(n_train, dtype=bool)
    flipped[rng.choice(n_train, size=n_flip, replace=False)] = True
    y_train = split.y_train.copy()
    y_train[flipped] = (y_train[flipped] + rng.integers(1, 10, size=n_flip)) % 10
    half = len(split.y_test) // 2
    arrays = _frozen(split.X_train, y_train, split.y_train, flipped, split.X_test[:half], split.y_test[:half],
                     split.X_test[half:], split.y_test[half:])
    return NoisyDigits(*arrays)



@dataclass(frozen=True)
class Run:
    """One training run, measured after every epoch.

    Attributes
    ----------
    label : str
        E.g. ``"L2, lam = 0.01"``.
    lam : float
        Strength of the penalty (0 without one).
    train_loss, val_loss : ndarray of shape (n_epochs,)
        Cross-entropy (without the penalty) on the training set (its noisy
        labels) and on the validation set.
    train_accuracy, val_accuracy, test_accuracy : ndarray of shape (n_epochs,)
        Accuracy on the training set (against its noisy labels), the
        validation set and the test set.
    first_layer : ndarray of shape (64, 128)
        The first weight matrix at the end of training.
    """

    label: str
    lam: float
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_accuracy: np.ndarray
    val_accuracy: np.ndarray
    test_accuracy: np.ndarray
    first_layer: np.ndarray


def _guarded(fn: Callable) -> Callable:
    """``fn`` with stubs and errors turned into :class:`NotReady` naming ``fn``."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        return attempt(fn, *args, **kwargs)
    return call


def train_run(label: str, *, penalty: network.Penalty | None = None, epochs: int = EPOCHS,
              data: NoisyDigits | None = None, seed: int = 0) -> Run:
    """Train the demo network on the noisy slice, with an optional penalty, and record every epoch.

    Every run starts from the same weights (``seed``) and sees the same
    mini-batches, so runs differ only by their penalty.

    Raises
    ------
    NotReady
        If the penalty's functions are stubs, fail, or return something the
        network cannot use (the message names the function).
    """
    data = noisy_digits() if data is None else data
    start = network.init_network(SIZES, rng=np.random.default_rng(seed))
    test_accuracy: list[float] = []

    def record(epoch, net, history):
        test_accuracy.append(float(np.mean(network.predict(net, data.X_test) == data.y_test)))

    if penalty is not None:
        penalty = network.Penalty(_guarded(penalty.value), _guarded(penalty.grad), penalty.lam)
    try:
        with one_blas_thread():
            net, history = network.train(start, data.X_train, data.y_train, epochs=epochs, batch_size=BATCH_SIZE,
                                         optimizer=network.Optimizer.sgd(lr=LR), rng=np.random.default_rng(seed + 1),
                                         penalty=penalty, X_val=data.X_val, y_val=data.y_val, callback=record)
    except NotReady:
        raise
    except (TypeError, ValueError) as exc:  # e.g. a gradient of the wrong shape
        raise NotReady(f"Training with your functions failed: {exc}") from None
    if not np.all(np.isfinite(history.train_loss)):
        raise NotReady(f"The run \u201c{label}\u201d diverged (the loss became inf or nan): check the sign and "
                       "size of your penalty's gradient.")
    arrays = _frozen(history.train_loss, history.val_loss, history.train_accuracy, history.val_accuracy,
                     np.array(test_accuracy), net.weights[0])
    return Run(label, float(penalty.lam) if penalty is not None else 0.0, *arrays)


@functools.cache
def overfitting_run() -> Run:
    """The unregularized run, computed once at first use (about half a second) and then reused.

    Its validation loss falls for a couple of dozen epochs, then climbs while
    the network memorizes the wrong labels: the curve of the early-stopping
    widget.
    """
    return train_run("no penalty")


# --------------------------------------------------------------------------
# L2 sweep and L1
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class PenaltyResults:
    """The L2 sweep (the first run is the unregularized one) and the L1 run."""

    l2_runs: tuple[Run, ...]
    l1_run: Run

    @property
    def best_l2(self) -> Run:
        """The run of the sweep with the highest final validation accuracy (the smallest lam on ties)."""
        return max(self.l2_runs, key=lambda r: (r.val_accuracy[-1], -r.lam))


def _checked_penalty(value: Callable, grad: Callable, lam: float) -> None:
    """Call the student's penalty and gradient once on a tiny matrix, to fail early with a clear note."""
    W = np.array([[0.5, -1.0], [0.0, 2.0]])
    result = attempt(value, [W], lam=lam)
    try:
        number = float(result) if np.ndim(result) == 0 else None
    except (TypeError, ValueError):
        number = None
    if number is None or not np.isfinite(number):
        raise NotReady(f"`{value.__name__}` should return one finite number (a float), got {result!r:.60}.")
    g = np.asarray(attempt(grad, W, lam=lam))
    if g.shape != W.shape:
        raise NotReady(f"`{grad.__name__}` should return an array of the shape of W {W.shape}, got {g.shape}.")


def penalty_runs(l2_penalty, l2_penalty_grad, l1_penalty, l1_penalty_grad, *,
                 l2_strengths=L2_STRENGTHS, l1_strength: float = L1_STRENGTH) -> PenaltyResults:
    """Train with the student's L2 penalty at every strength of ``l2_strengths``, and once with L1.

    ``lam = 0`` reuses :func:`overfitting_run` (no penalty at all).

    Raises
    ------
    NotReady
        If one of the four functions is a stub or fails.
    """
    _checked_penalty(l2_penalty, l2_penalty_grad, 0.1)
    _checked_penalty(l1_penalty, l1_penalty_grad, 0.1)
    runs = []
    for lam in l2_strengths:
        if lam == 0:
            runs.append(overfitting_run())
        else:
            runs.append(train_run(f"L2, lam = {lam:g}", penalty=network.Penalty(l2_penalty, l2_penalty_grad, lam)))
    l1 = train_run(f"L1, lam = {l1_strength:g}", penalty=network.Penalty(l1_penalty, l1_penalty_grad, l1_strength))
    return PenaltyResults(tuple(runs), l1)


def _share_tiny(W: np.ndarray) -> float:
    return float(np.mean(np.abs(W) < TINY))


def plot_penalties(results: PenaltyResults):
    """Accuracies against the L2 strength, and the first-layer weights of three runs."""
    fig = new_figure(10.0, 4.0)
    ax_acc, ax_w = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1.0]})
    runs = results.l2_runs
    positive = [r.lam for r in runs if r.lam > 0]
    zero_at = min(positive) / 4 if positive else 1e-4
    x = np.array([r.lam if r.lam > 0 else zero_at for r in runs])
    series = [("training (noisy labels)", "train_accuracy", PALETTE["orange"], "--", "s"),
              ("validation", "val_accuracy", PALETTE["blue"], "-", "o"),
              ("test", "test_accuracy", PALETTE["green"], ":", "^")]
    for label, key, colour, ls, marker in series:
        ax_acc.plot(x, [getattr(r, key)[-1] for r in runs], color=colour, ls=ls, marker=marker, lw=2, label=label)
    best = results.best_l2
    ax_acc.axvline(best.lam if best.lam > 0 else zero_at, color=PALETTE["grey"], lw=1)
    ax_acc.set_xscale("log")
    ticks = [zero_at] + positive
    ax_acc.set_xticks(ticks, ["0"] + [f"{lam:g}" for lam in positive])
    ax_acc.minorticks_off()
    ax_acc.set(xlabel="L2 strength lam (log scale; 0 = no penalty)", ylabel="accuracy after training",
               title=f"L2 sweep: {EPOCHS} epochs each", ylim=(0.4, 1.02))
    ax_acc.legend(loc="lower left", fontsize=8)
    ax_acc.grid(True, color=PALETTE["grey"], alpha=0.3)

    bins = np.linspace(-7, 0.5, 46)
    for run, colour, ls in ((runs[0], PALETTE["grey"], "-"), (best, PALETTE["blue"], "--"),
                            (results.l1_run, PALETTE["vermillion"], "-")):
        magnitudes = np.log10(np.maximum(np.abs(run.first_layer.ravel()), 1e-7))
        label = f"{run.label}: {_share_tiny(run.first_layer):.0%} below {TINY:g}"
        ax_w.hist(magnitudes, bins=bins, histtype="step", lw=2, color=colour, ls=ls, label=label)
    ax_w.axvline(np.log10(TINY), color=PALETTE["black"], lw=1, ls=":")
    ax_w.set_ylim(0, 1.45 * ax_w.get_ylim()[1])  # room for the legend above the bars
    ax_w.set(xlabel="log10 |w|, first-layer weights (64 x 128 = 8192)", ylabel="number of weights",
             title="Size of the first-layer weights")
    ax_w.legend(loc="upper left", fontsize=8)
    return fig


def penalty_summary(results: PenaltyResults) -> str:
    none, best, l1 = results.l2_runs[0], results.best_l2, results.l1_run
    return (f"No penalty: validation accuracy {none.val_accuracy[-1]:.1%} (training {none.train_accuracy[-1]:.0%}). "
            f"Best L2 (lam = {best.lam:g}): validation {best.val_accuracy[-1]:.1%}, test {best.test_accuracy[-1]:.1%} "
            f"(training {best.train_accuracy[-1]:.0%}). L1 (lam = {l1.lam:g}): validation {l1.val_accuracy[-1]:.1%}, "
            f"{_share_tiny(l1.first_layer):.0%} of its first-layer weights below {TINY:g}.")


def _image(fig, title: str):
    """The figure with ``title`` on top, as a PNG image (see :func:`lessons.widgets.kit.as_image`)."""
    fig.suptitle(title, fontsize=9, wrap=True)
    return as_image(fig)


def penalty_demo(l2_penalty, l2_penalty_grad, l1_penalty, l1_penalty_grad):
    """Run the L2 sweep and the L1 run; return the figure as an image, or a note naming the function to implement."""
    try:
        results = penalty_runs(l2_penalty, l2_penalty_grad, l1_penalty, l1_penalty_grad)
    except NotReady as exc:
        return exc.note()
    return _image(plot_penalties(results), penalty_summary(results))


# --------------------------------------------------------------------------
# bagging
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class BaggingResults:
    """Test accuracies of the members, of the growing ensemble, and of one network trained on all the data.

    Attributes
    ----------
    member_accuracy : ndarray of shape (n_members,)
    ensemble_accuracy : ndarray of shape (n_members,)
        Entry ``m - 1``: the average of the first ``m`` members' probabilities.
    single_accuracy : float
        One network trained on the whole (noisy) training set, no bootstrap.
    distinct_share : ndarray of shape (n_members,)
        Share of the training images present in each member's bootstrap sample.
    """

    member_accuracy: np.ndarray
    ensemble_accuracy: np.ndarray
    single_accuracy: float
    distinct_share: np.ndarray


def _bootstrap(bootstrap_indices, n: int, rng) -> np.ndarray:
    idx = attempt(bootstrap_indices, n, rng=rng)
    arr = np.asarray(idx)
    if arr.shape != (n,) or not np.issubdtype(arr.dtype, np.integer):
        raise NotReady(f"`bootstrap_indices({n}, rng=rng)` should return {n} integer indices, got "
                       f"{arr.dtype} of shape {arr.shape}.")
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise NotReady(f"`bootstrap_indices({n}, rng=rng)` returned indices from {arr.min()} to {arr.max()}; "
                       f"they must lie in [0, {n - 1}].")
    return arr


def _ensemble(bagging_predict, member_probs: np.ndarray) -> np.ndarray:
    probs = np.asarray(attempt(bagging_predict, member_probs), dtype=float)
    expected = member_probs.shape[1:]
    if probs.shape != expected:
        raise NotReady(f"`bagging_predict` on member probabilities of shape {member_probs.shape} should return "
                       f"shape {expected} (n_samples, n_classes), got {probs.shape}.")
    return probs


def bagging_runs(bootstrap_indices, bagging_predict, *, n_members: int = N_MEMBERS, epochs: int = MEMBER_EPOCHS,
                 seed: int = 0) -> BaggingResults:
    """Train ``n_members`` networks on bootstrap samples and average them with the student's functions.

    Member ``m`` is trained on ``X[idx], y[idx]`` with ``idx`` from the
    student's ``bootstrap_indices`` (a generator seeded ``seed + 100 + m``),
    from its own initial weights.  The ensemble of the first ``m`` members is
    the student's ``bagging_predict`` of their test probabilities.

    Raises
    ------
    NotReady
        If a function is a stub, fails, or returns the wrong shape.
    """
    # Fail fast, before loading data or training, if a function is a stub or returns the wrong shape.
    _bootstrap(bootstrap_indices, 3, np.random.default_rng(seed))
    _ensemble(bagging_predict, np.full((2, 3, 4), 0.25))
    data = noisy_digits()
    n = len(data.y_train)
    indices = [_bootstrap(bootstrap_indices, n, np.random.default_rng(seed + 100 + m)) for m in range(n_members)]
    probs, accuracy = [], []
    with one_blas_thread():
        for m, idx in enumerate(indices):
            start = network.init_network(SIZES, rng=np.random.default_rng(seed + 200 + m))
            net, _ = network.train(start, data.X_train[idx], data.y_train[idx], epochs=epochs, batch_size=BATCH_SIZE,
                                   optimizer=network.Optimizer.sgd(lr=LR), rng=np.random.default_rng(seed + 300 + m))
            p = network.predict_proba(net, data.X_test)
            probs.append(p)
            accuracy.append(float(np.mean(np.argmax(p, axis=1) == data.y_test)))
        single, _ = network.train(network.init_network(SIZES, rng=np.random.default_rng(seed)), data.X_train,
                                  data.y_train, epochs=epochs, batch_size=BATCH_SIZE,
                                  optimizer=network.Optimizer.sgd(lr=LR), rng=np.random.default_rng(seed + 1))
    member_probs = np.array(probs)
    ensemble = [float(np.mean(np.argmax(_ensemble(bagging_predict, member_probs[:m]), axis=1) == data.y_test))
                for m in range(1, n_members + 1)]
    single_accuracy = float(np.mean(network.predict(single, data.X_test) == data.y_test))
    distinct = [len(np.unique(idx)) / n for idx in indices]
    return BaggingResults(*_frozen(accuracy, ensemble), single_accuracy, *_frozen(distinct))


def plot_bagging(results: BaggingResults):
    """Bars: each member, one network on all the data, the ensemble; line: the ensemble as it grows."""
    fig = new_figure(10.0, 3.8)
    ax_bars, ax_grow = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1.0]})
    m = len(results.member_accuracy)
    positions = np.arange(m + 2)
    heights = list(results.member_accuracy) + [results.single_accuracy, results.ensemble_accuracy[-1]]
    colours = [PALETTE["sky"]] * m + [PALETTE["grey"], PALETTE["vermillion"]]
    bars = ax_bars.bar(positions, heights, color=colours, edgecolor=PALETTE["black"], lw=0.5)
    for bar, h in zip(bars, heights):
        ax_bars.text(bar.get_x() + bar.get_width() / 2, h + 0.005, f"{h:.0%}", ha="center", va="bottom", fontsize=7)
    for i in range(m):
        bars[i].set_hatch("//")
    mean = float(np.mean(results.member_accuracy))
    ax_bars.axhline(mean, color=PALETTE["blue"], ls="--", lw=1.5, label=f"mean of the members: {mean:.1%}")
    ax_bars.set_xticks(positions, [f"{i + 1}" for i in range(m)] + ["1 net,\nall data", f"bag\nof {m}"])
    ax_bars.tick_params(axis="x", labelsize=8)
    ylim = (max(0.0, min(heights) - 0.1), min(1.0, max(heights) + 0.06))
    ax_bars.set(ylim=ylim, ylabel="test accuracy (449 images)", xlabel="member (each on its own bootstrap sample)",
                title="Each model on its own, and the bag")
    ax_bars.legend(loc="lower left", fontsize=8)
    sizes = np.arange(1, m + 1)
    ax_grow.plot(sizes, results.ensemble_accuracy, color=PALETTE["vermillion"], marker="o", lw=2,
                 label="ensemble of the first m members")
    ax_grow.plot(sizes, np.maximum.accumulate(results.member_accuracy), color=PALETTE["blue"], ls="--", lw=1.5,
                 label="best single member among them")
    ax_grow.set(xlabel="number of members m", ylabel="test accuracy", title="Averaging more members",
                xticks=sizes, ylim=ylim)
    ax_grow.legend(loc="lower right", fontsize=8)
    ax_grow.grid(True, color=PALETTE["grey"], alpha=0.3)
    return fig


def bagging_summary(results: BaggingResults) -> str:
    acc = results.member_accuracy
    return (f"Members: test accuracy {acc.min():.1%} to {acc.max():.1%} (mean {acc.mean():.1%}), each trained on "
            f"about {np.mean(results.distinct_share):.0%} of the distinct images. Bag of {len(acc)}: "
            f"{results.ensemble_accuracy[-1]:.1%}. One network on all the data: {results.single_accuracy:.1%}.")


def bagging_demo(bootstrap_indices, bagging_predict):
    """Train the bagged ensemble; return the figure as an image, or a note naming the function to implement."""
    try:
        results = bagging_runs(bootstrap_indices, bagging_predict)
    except NotReady as exc:
        return exc.note()
    return _image(plot_bagging(results), bagging_summary(results))


# --------------------------------------------------------------------------
# the static figure: L1 against L2 on one weight
# --------------------------------------------------------------------------

#: The figure's settings: section 3's worked numbers, lr 0.1 and lam 0.5 (an L2 factor of 1 - 0.1 * 0.5 = 0.95 per
#: step, an L1 step of 0.1 * 0.5 = 0.05), for one weight that starts at 1 and that the data never pushes.
DECAY_LR = 0.1
DECAY_LAM = 0.5
DECAY_STEPS = 40
DECAY_START = 1.0
_WEIGHTS = np.linspace(-2.0, 2.0, 401)


def _fn_name(fn) -> str:
    return getattr(fn, "__name__", "your function")


def _as_vector(result, name: str, n: int) -> np.ndarray:
    values = np.asarray(result, dtype=np.float64)
    if values.size != n:
        raise NotReady(f"`{name}` should return an array of the shape of W, ({n},) here; got {values.shape}.")
    return values.reshape(n)


def penalty_curves(
    l2_penalty, l2_penalty_grad, l1_penalty, l1_penalty_grad, w=_WEIGHTS, *, lam: float = DECAY_LAM
) -> dict:
    """Each penalty of one weight, and its gradient, with the student's functions, at the weights ``w``.

    Returns
    -------
    dict of str to ndarray of the shape of ``w``
        ``"l2"``, ``"l2_grad"``, ``"l1"`` and ``"l1_grad"``.

    Raises
    ------
    NotReady
        If a function is a stub, fails, or returns something of the wrong kind.
    """
    _checked_penalty(l2_penalty, l2_penalty_grad, lam)
    _checked_penalty(l1_penalty, l1_penalty_grad, lam)
    w = np.asarray(w, dtype=np.float64)
    return {
        "l2": np.array([float(attempt(l2_penalty, [np.array([[v]])], lam=lam)) for v in w]),
        "l2_grad": _as_vector(attempt(l2_penalty_grad, w.copy(), lam=lam), _fn_name(l2_penalty_grad), w.size),
        "l1": np.array([float(attempt(l1_penalty, [np.array([[v]])], lam=lam)) for v in w]),
        "l1_grad": _as_vector(attempt(l1_penalty_grad, w.copy(), lam=lam), _fn_name(l1_penalty_grad), w.size),
    }


def decay_paths(
    l2_penalty_grad,
    l1_penalty_grad,
    *,
    lr: float = DECAY_LR,
    lam: float = DECAY_LAM,
    steps: int = DECAY_STEPS,
    start: float = DECAY_START,
) -> dict:
    """One weight under ``steps`` steps of the penalty's gradient alone (the data gradient is 0), with the student's
    gradients: ``w - lr * grad(w)``.

    Returns
    -------
    dict of str to ndarray of shape (steps + 1,)
        ``"l2"``: L2 steps; ``"l1"``: plain L1 steps (subgradient 0 at 0); ``"l1_stopped"``: the same L1 steps, but a
        step that would carry the weight across 0 stops it at 0 instead (the soft threshold of proximal methods).

    Raises
    ------
    NotReady
        If a function is a stub, fails, or returns something of the wrong kind.
    """

    def step(grad, w):
        return w - lr * _as_vector(attempt(grad, np.array([w]), lam=lam), _fn_name(grad), 1)[0]

    paths = {"l2": [start], "l1": [start], "l1_stopped": [start]}
    for _ in range(steps):
        paths["l2"].append(step(l2_penalty_grad, paths["l2"][-1]))
        paths["l1"].append(step(l1_penalty_grad, paths["l1"][-1]))
        w = paths["l1_stopped"][-1]
        new = step(l1_penalty_grad, w)
        paths["l1_stopped"].append(0.0 if new * w <= 0 else new)
    return {key: np.array(values) for key, values in paths.items()}


def penalties_figure(
    l2_penalty,
    l2_penalty_grad,
    l1_penalty,
    l1_penalty_grad,
    *,
    lr: float = DECAY_LR,
    lam: float = DECAY_LAM,
    steps: int = DECAY_STEPS,
):
    """L2 against L1 on one weight: each penalty and its gradient (left), and the weight under repeated steps of the
    penalty alone (right), all with the student's functions; an image, or a note naming the function to implement."""
    try:
        curves = penalty_curves(l2_penalty, l2_penalty_grad, l1_penalty, l1_penalty_grad, lam=lam)
        paths = decay_paths(l2_penalty_grad, l1_penalty_grad, lr=lr, lam=lam, steps=steps)
    except NotReady as exc:
        return exc.note("this figure")
    fig = new_figure(7.2, 3.2)
    ax_pen, ax_decay = fig.subplots(1, 2)
    blue, red = PALETTE["blue"], PALETTE["vermillion"]
    ax_pen.plot(_WEIGHTS, curves["l2"], color=blue, lw=2, label="L2 penalty, lam w\u00b2 / 2")
    ax_pen.plot(_WEIGHTS, curves["l2_grad"], color=blue, lw=1.5, ls="--", label="its gradient, lam w")
    ax_pen.plot(_WEIGHTS, curves["l1"], color=red, lw=2, label="L1 penalty, lam |w|")
    # sign(w) jumps at 0: each side on its own, and the student's value at 0 as a dot.
    for side, label in ((_WEIGHTS < 0, "its gradient, lam sign(w)"), (_WEIGHTS > 0, None)):
        ax_pen.plot(_WEIGHTS[side], curves["l1_grad"][side], color=red, lw=1.5, ls=":", label=label)
    at_zero = _WEIGHTS == 0
    ax_pen.plot(_WEIGHTS[at_zero], curves["l1_grad"][at_zero], "o", color=red, mfc="white", ms=5, zorder=3)
    ax_pen.axhline(0, color=PALETTE["grey"], lw=0.7)
    ax_pen.set(
        xlabel="weight w",
        ylabel="penalty (solid), gradient (dashed, dotted)",
        title=f"Your penalties of one weight, lam {lam:g}",
    )
    ax_pen.legend(fontsize=7, loc="lower right")
    t = np.arange(steps + 1)
    first_zero = np.flatnonzero(paths["l1_stopped"] == 0.0)
    zero_note = f"0 from step {first_zero[0]}" if first_zero.size else "never 0"
    ax_decay.plot(
        t,
        paths["l2"],
        color=blue,
        lw=2,
        label=f"L2: times {paths['l2'][1] / paths['l2'][0]:.3g} per step, {paths['l2'][-1]:.3f} at step {steps}",
    )
    hop = float(np.max(np.abs(paths["l1"][-10:])))
    ax_decay.plot(t, paths["l1"], color=red, lw=1.2, ls=":", label=f"L1, plain steps: hops within {hop:.2g} of 0")
    ax_decay.plot(t, paths["l1_stopped"], color=red, lw=2, ls="--", label=f"L1, stopped at 0: exactly {zero_note}")
    ax_decay.axhline(0, color=PALETTE["grey"], lw=0.7)
    ax_decay.set(
        xlabel="step",
        ylabel="weight (the data never pushes it)",
        ylim=(-0.12, 1.05),
        title=f"Pure decay from w = {DECAY_START:g}, lr {lr:g}",
    )
    ax_decay.legend(fontsize=7, loc="upper right")
    return as_image(fig)
