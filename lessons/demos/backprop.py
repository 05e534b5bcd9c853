r"""Lesson 10's demos: what a backward pass costs, and the student's network trained on the digits.

The network is a multi-layer perceptron given as two lists, ``weights`` and
``biases`` (the form ``mlp_backward`` takes): ``weights[l]`` of shape
``(fan_in, fan_out)`` and ``biases[l]`` of shape ``(fan_out,)``, hidden layers
followed by ReLU or tanh, the last layer giving the logits.

* :func:`train_mlp` trains it on the digits (:func:`lessons.data.load_digits`)
  with the student's ``mlp_backward`` for every gradient and the course's
  choices for the rest: He initialization (lesson 04, zero biases), classical
  momentum (lesson 05, :data:`MOMENTUM`, :data:`LR`), shuffled mini-batches of
  :data:`BATCH_SIZE` (lesson 03).  :func:`digits_demo` plots its loss and
  accuracies and states the test accuracy reached.
* :func:`gradient_costs` times, for networks of growing width, one forward
  pass (the course's :func:`mlp_forward`), one call of the student's
  ``mlp_backward`` (forward and backward), and the student's
  ``numerical_gradient`` of the same loss; :func:`cost_demo` plots them.  The
  backward pass costs a small constant times a forward pass; the numerical
  gradient costs two forward passes per parameter.

Nothing here keeps state between calls, and every random number comes from a
generator seeded here, so a re-run of the notebook draws the same pictures.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..blas import one_blas_thread
from ..data import load_digits
from ..network import he_normal
from ..widgets.kit import PALETTE, NotReady, as_image, attempt, new_figure

__all__ = [
    "SIZES", "EPOCHS", "BATCH_SIZE", "LR", "MOMENTUM", "SEED", "TARGET_ACCURACY", "COST_WIDTHS", "Run", "Costs",
    "init_mlp", "mlp_forward", "check_mlp_backward", "train_mlp", "plot_run", "digits_demo", "gradient_costs",
    "plot_costs", "cost_demo", "layer_errors", "check_report",
]

#: The digits network: 64 pixels, one hidden layer of 64 units, 10 classes.
SIZES = (64, 64, 10)
#: Passes over the 1,348 training images.
EPOCHS = 20
#: Images per mini-batch.
BATCH_SIZE = 32
#: Learning rate and momentum of the classical momentum update ``v = MOMENTUM * v - LR * g; theta += v``.
LR = 0.1
MOMENTUM = 0.9
#: Seed of the initial weights and of the order of the mini-batches.
SEED = 0
#: The test accuracy the lesson promises for a correct ``mlp_backward``.
TARGET_ACCURACY = 0.95
#: Hidden widths of the networks (64 inputs, two hidden layers of this width, 10 classes) that the cost demo times.
COST_WIDTHS = (4, 8, 16, 32)

_ACTIVATIONS = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh}


def _name(fn, default: str) -> str:
    return getattr(fn, "__name__", default)


def init_mlp(sizes, *, rng) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """He-initialized weights (lesson 04) and zero biases for layers of ``sizes`` (inputs first, classes last)."""
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list at least two positive layer widths, got {sizes}")
    weights = [he_normal(fan_in, fan_out, rng=rng) for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
    return weights, [np.zeros(fan_out) for fan_out in sizes[1:]]


def mlp_forward(X, weights, biases, *, activation: str = "relu") -> np.ndarray:
    """The logits of the network: the course's own forward pass (used to measure accuracy and to time)."""
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
    f = _ACTIVATIONS[activation]
    h = np.asarray(X, dtype=np.float64)
    for i, (W, b) in enumerate(zip(weights, biases)):
        h = h @ W + b
        if i < len(weights) - 1:
            h = f(h)
    return h


def _mean_cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(y)), y].mean())


def _gradients(result, weights, biases, name: str) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """The student's ``(loss, grads_W, grads_b)``, checked to fit the network; :class:`NotReady` otherwise."""
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise NotReady(f"`{name}` should return three things, `return loss, grads_W, grads_b`; got "
                       f"{type(result).__name__}.")
    loss, grads_W, grads_b = result
    try:
        loss = float(loss)
    except (TypeError, ValueError):
        raise NotReady(f"`{name}` should return the loss as a number first, got {type(loss).__name__}.") from None
    out = []
    for what, grads, params in (("grads_W", grads_W, weights), ("grads_b", grads_b, biases)):
        if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
            got = type(grads).__name__ + (f" of length {len(grads)}" if isinstance(grads, (list, tuple)) else "")
            raise NotReady(f"`{name}` should return {what} as a list of {len(params)} arrays (one per layer), "
                           f"got {got}.")
        arrays = []
        for i, (g, p) in enumerate(zip(grads, params)):
            g = np.asarray(g, dtype=np.float64)
            if g.shape != p.shape:
                raise NotReady(f"`{name}`'s {what}[{i}] has shape {g.shape}; it should have the shape of the "
                               f"parameter, {p.shape}.")
            arrays.append(g)
        out.append(arrays)
    if not math.isfinite(loss) or not all(np.isfinite(g).all() for g in out[0] + out[1]):
        raise NotReady(f"`{name}` returned a loss or a gradient that is not finite (nan or inf).")
    return loss, out[0], out[1]


def check_mlp_backward(mlp_backward: Callable, activation: str = "relu") -> None:
    """Call the student's ``mlp_backward`` once on a tiny network, to fail early with a note naming it.

    Raises
    ------
    NotReady
        If it is a stub, raises, or returns something training cannot use.
    """
    rng = np.random.default_rng(10)
    weights, biases = init_mlp((3, 4, 2), rng=rng)
    X, y = rng.normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])
    _gradients(attempt(mlp_backward, X, y, weights, biases, activation=activation), weights, biases,
               _name(mlp_backward, "mlp_backward"))


@dataclass(frozen=True)
class Run:
    """One training run of the digits network, measured after every epoch.

    Attributes
    ----------
    activation : str
    batch_loss : ndarray of shape (n_epochs,)
        Mean of the losses that ``mlp_backward`` returned for the epoch's mini-batches.
    train_accuracy, test_accuracy : ndarray of shape (n_epochs,)
        Accuracies of the network after each epoch (the course's forward pass).
    weights, biases : list of ndarray
        The trained parameters.
    seconds : float
        Time spent training.
    """

    activation: str
    batch_loss: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    weights: list
    biases: list
    seconds: float

    @property
    def final_test_accuracy(self) -> float:
        return float(self.test_accuracy[-1])


def train_mlp(mlp_backward: Callable, *, activation: str = "relu", sizes=SIZES, epochs: int = EPOCHS,
              batch_size: int = BATCH_SIZE, lr: float = LR, momentum: float = MOMENTUM, seed: int = SEED) -> Run:
    """Train the digits network with the student's ``mlp_backward`` for the gradients.

    Every step: ``loss, grads_W, grads_b = mlp_backward(X_batch, y_batch, weights, biases,
    activation=activation)``, then for each parameter ``v = momentum * v - lr * grad`` and
    ``param += v``.  The student's function gets copies, so it cannot change the network by accident.

    Raises
    ------
    NotReady
        If ``mlp_backward`` is a stub, fails, or returns something that does not fit the network.
    """
    name = _name(mlp_backward, "mlp_backward")
    check_mlp_backward(mlp_backward, activation)
    data = load_digits()
    rng = np.random.default_rng(seed)
    weights, biases = init_mlp(sizes, rng=rng)
    velocity = [np.zeros_like(p) for p in weights + biases]
    n_layers = len(weights)
    losses, train_acc, test_acc = [], [], []
    start = time.perf_counter()
    with one_blas_thread():
        for _ in range(epochs):
            order = rng.permutation(len(data.y_train))
            epoch_losses = []
            for first in range(0, len(order), batch_size):
                rows = order[first:first + batch_size]
                result = attempt(mlp_backward, data.X_train[rows], data.y_train[rows], [W.copy() for W in weights],
                                 [b.copy() for b in biases], activation=activation)
                loss, grads_W, grads_b = _gradients(result, weights, biases, name)
                epoch_losses.append(loss)
                params = weights + biases
                for i, grad in enumerate(grads_W + grads_b):
                    velocity[i] = momentum * velocity[i] - lr * grad
                    params[i] = params[i] + velocity[i]
                weights, biases = params[:n_layers], params[n_layers:]
            losses.append(float(np.mean(epoch_losses)))
            for accs, X, y in ((train_acc, data.X_train, data.y_train), (test_acc, data.X_test, data.y_test)):
                logits = mlp_forward(X, weights, biases, activation=activation)
                accs.append(float(np.mean(np.argmax(logits, axis=1) == y)) if np.isfinite(logits).all() else 0.0)
    return Run(activation, np.array(losses), np.array(train_acc), np.array(test_acc), weights, biases,
               time.perf_counter() - start)


def plot_run(run: Run):
    """The training loss (log scale) and the training and test accuracies, epoch by epoch."""
    fig = new_figure(9.6, 3.4)
    ax_loss, ax_acc = fig.subplots(1, 2)
    epochs = np.arange(1, len(run.batch_loss) + 1)
    ax_loss.plot(epochs, np.maximum(run.batch_loss, 1e-12), color=PALETTE["blue"], lw=2, marker="o", ms=3)
    ax_loss.set(xlabel="epoch", ylabel="mean mini-batch loss (nats)", yscale="log",
                title="Training loss, from your mlp_backward")
    ax_acc.plot(epochs, 100 * run.train_accuracy, color=PALETTE["orange"], lw=2, ls="--", label="training set")
    ax_acc.plot(epochs, 100 * run.test_accuracy, color=PALETTE["blue"], lw=2, marker="o", ms=3, label="test set")
    ax_acc.axhline(100 * TARGET_ACCURACY, color=PALETTE["grey"], lw=1, ls=":",
                   label=f"{100 * TARGET_ACCURACY:.0f}% (the lesson's target)")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy after each epoch",
               ylim=(min(80.0, 100 * float(np.min(run.test_accuracy)) - 2), 100.5))
    ax_acc.legend(loc="lower right")
    return fig


def run_summary(run: Run) -> str:
    """One sentence: the test accuracy reached, against the target."""
    reached = run.final_test_accuracy
    verdict = ("at or above the lesson's target of 95%: your backward pass trains a real network"
               if reached >= TARGET_ACCURACY else
               "below the lesson's target of 95%: check mlp_backward against your gradient check above")
    return (f"{run.activation} hidden layer {SIZES[1]} units, {len(run.batch_loss)} epochs in {run.seconds:.1f} s: "
            f"test accuracy {100 * reached:.1f}%, {verdict}.")


def digits_demo(mlp_backward: Callable, activation: str = "relu"):
    """Train the digits network with the student's ``mlp_backward``; an image, or a note naming the function."""
    try:
        run = train_mlp(mlp_backward, activation=activation)
    except NotReady as exc:
        return exc.note()
    fig = plot_run(run)
    fig.suptitle(run_summary(run), fontsize=9, wrap=True)
    return as_image(fig)


# --------------------------------------------------------------------------
# what a gradient costs
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Costs:
    """Seconds per gradient, for networks 64-w-w-10 of the hidden widths ``widths``.

    Attributes
    ----------
    widths : tuple of int
    n_params : ndarray of int of shape (n_widths,)
    forward, backward, numerical : ndarray of shape (n_widths,)
        Seconds for one forward pass (the course's), one call of the
        student's ``mlp_backward`` (its own forward pass plus the backward
        pass), and one numerical gradient with the student's
        ``numerical_gradient`` (two forward passes per parameter), on a batch
        of :data:`BATCH_SIZE` images.
    """

    widths: tuple
    n_params: np.ndarray
    forward: np.ndarray
    backward: np.ndarray
    numerical: np.ndarray


def _best_of(fn: Callable, repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def gradient_costs(mlp_backward: Callable, numerical_gradient: Callable, widths=COST_WIDTHS) -> Costs:
    """Time a forward pass, the student's backward pass and the student's numerical gradient, per width.

    Raises
    ------
    NotReady
        If either function is a stub or fails.
    """
    check_mlp_backward(mlp_backward)
    data = load_digits()
    X, y = data.X_train[:BATCH_SIZE], data.y_train[:BATCH_SIZE]
    rng = np.random.default_rng(SEED)
    n_params, forward, backward, numerical = [], [], [], []
    with one_blas_thread():
        for width in widths:
            weights, biases = init_mlp((64, width, width, 10), rng=rng)
            shapes = [p.shape for p in weights + biases]
            sizes = [int(np.prod(s)) for s in shapes]
            theta = np.concatenate([p.ravel() for p in weights + biases])

            def loss_at(vector, shapes=shapes, sizes=sizes):
                parts = np.split(np.asarray(vector, dtype=np.float64), np.cumsum(sizes)[:-1])
                params = [part.reshape(shape) for part, shape in zip(parts, shapes)]
                half = len(params) // 2
                return _mean_cross_entropy(mlp_forward(X, params[:half], params[half:]), y)

            n_params.append(theta.size)
            forward.append(_best_of(lambda: loss_at(theta), 20))
            backward.append(_best_of(lambda: attempt(mlp_backward, X, y, weights, biases), 20))
            start = time.perf_counter()
            approx = attempt(numerical_gradient, loss_at, theta.copy())
            numerical.append(time.perf_counter() - start)
            if np.shape(approx) != theta.shape:
                raise NotReady(f"`{_name(numerical_gradient, 'numerical_gradient')}` should return an array of the "
                               f"shape of x, {theta.shape}; got shape {np.shape(approx)}.")
    return Costs(tuple(widths), np.array(n_params), np.array(forward), np.array(backward), np.array(numerical))


def plot_costs(costs: Costs):
    """Seconds per gradient against the number of parameters, log-log, and the ratios to a forward pass."""
    fig = new_figure(9.6, 3.4)
    ax_time, ax_ratio = fig.subplots(1, 2)
    for values, label, colour, marker in ((costs.forward, "one forward pass", PALETTE["grey"], "o"),
                                          (costs.backward, "your mlp_backward (forward + backward)",
                                           PALETTE["blue"], "s"),
                                          (costs.numerical, "your numerical_gradient", PALETTE["vermillion"], "^")):
        ax_time.plot(costs.n_params, 1e3 * values, color=colour, marker=marker, lw=2, label=label)
    ax_time.set(xscale="log", yscale="log", xlabel="parameters of the network", ylabel="milliseconds per call",
                title="The cost of one gradient")
    ax_time.legend(loc="center right", fontsize=8)
    ax_ratio.plot(costs.n_params, costs.backward / costs.forward, color=PALETTE["blue"], marker="s", lw=2,
                  label="mlp_backward / forward")
    ax_ratio.plot(costs.n_params, costs.numerical / costs.forward, color=PALETTE["vermillion"], marker="^", lw=2,
                  label="numerical gradient / forward")
    ax_ratio.plot(costs.n_params, 2 * costs.n_params, color=PALETTE["vermillion"], lw=1, ls=":",
                  label="2 x parameters")
    ax_ratio.set(xscale="log", yscale="log", xlabel="parameters of the network",
                 ylabel="cost in forward passes", title="Measured in forward passes")
    ax_ratio.legend(loc="upper left", fontsize=8)
    return fig


def cost_demo(mlp_backward: Callable, numerical_gradient: Callable):
    """Time the two ways to a gradient; an image, or a note naming the function to implement."""
    try:
        costs = gradient_costs(mlp_backward, numerical_gradient)
    except NotReady as exc:
        return exc.note()
    fig = plot_costs(costs)
    fig.suptitle(f"Largest network, {costs.n_params[-1]:,} parameters: your mlp_backward costs "
                 f"{costs.backward[-1] / costs.forward[-1]:.1f} forward passes, the numerical gradient "
                 f"{costs.numerical[-1] / costs.forward[-1]:,.0f}.", fontsize=9, wrap=True)
    return as_image(fig)


# --------------------------------------------------------------------------
# the gradient check of the student's backward pass, layer by layer
# --------------------------------------------------------------------------

def layer_errors(mlp_backward: Callable, numerical_gradient: Callable, relative_error: Callable, *,
                 activation: str = "tanh", depth: int = 2, h: float = 1e-5) -> list[tuple[str, float]]:
    """The student's relative error between numerical and analytic gradients of every parameter array.

    The network is the widget's (:func:`lessons.widgets.backprop.network`); the numerical gradient of
    ``W_l`` (or ``b_l``) varies that array alone, with the others fixed.

    Returns
    -------
    list of (str, float)
        ``("W_1", error), ("b_1", error), ...`` layer by layer.
    """
    from ..widgets.backprop import network

    X, y, weights, biases = network(depth)
    names = _name(mlp_backward, "mlp_backward")
    _, grads_W, grads_b = _gradients(attempt(mlp_backward, X, y, weights, biases, activation=activation),
                                     weights, biases, names)
    rows = []
    for l in range(len(weights)):
        for kind, params, grads in (("W", weights, grads_W), ("b", biases, grads_b)):
            def loss(value, l=l, kind=kind):
                W = [np.asarray(value) if (kind == "W" and i == l) else w for i, w in enumerate(weights)]
                b = [np.asarray(value) if (kind == "b" and i == l) else v for i, v in enumerate(biases)]
                return float(attempt(mlp_backward, X, y, W, b, activation=activation)[0])

            approx = attempt(numerical_gradient, loss, params[l].copy(), h=h)
            error = attempt(relative_error, np.asarray(approx, dtype=np.float64), grads[l])
            rows.append((f"{kind}_{l + 1}", float(error)))
    return rows


def check_report(mlp_backward: Callable, numerical_gradient: Callable, relative_error: Callable):
    """A table of the gradient check of the student's ``mlp_backward``, for tanh and ReLU; or a note."""
    from IPython.display import Markdown

    try:
        tables = {act: layer_errors(mlp_backward, numerical_gradient, relative_error, activation=act)
                  for act in ("tanh", "relu")}
    except NotReady as exc:
        return exc.note()
    lines = ["| parameter | tanh network | ReLU network |", "| --- | --- | --- |"]
    for (name, tanh_error), (_, relu_error) in zip(tables["tanh"], tables["relu"]):
        lines.append(f"| `{name}` | {tanh_error:.1e} | {relu_error:.1e} |")
    worst = max(error for rows in tables.values() for _, error in rows)
    verdict = ("every error is below 1e-7: your backward pass agrees with your numerical gradient"
               if worst < 1e-7 else
               "an error of 1e-7 or more: find the first layer (from the output, the bottom rows) where it "
               "goes wrong; the mistake is in that step of the recursion")
    return Markdown("\n".join(lines) + f"\n\nLargest error {worst:.1e}: {verdict}.")
