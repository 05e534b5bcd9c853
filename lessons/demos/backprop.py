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
* :func:`neuron_graph` runs the lesson's worked neuron (``z = w x + b``,
  ``a = tanh(z)``, ``J = (a - t)**2`` at :data:`NEURON`) forward and backward,
  its layer through the student's ``dense_forward`` and ``dense_backward``;
  :func:`neuron_graph_figure` draws its computation graph, the forward value
  above each arrow and the gradient of the loss below it.
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
    "plot_costs", "cost_demo", "layer_errors", "check_report", "NEURON", "neuron_graph", "neuron_graph_figure",
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


# --------------------------------------------------------------------------
# a static figure: the computation graph of the worked neuron (section 1)
# --------------------------------------------------------------------------

#: The worked neuron of section 1: input, weight, bias and target.
NEURON = {"x": 2.0, "w": 0.5, "b": -0.5, "t": 1.0}
_ARROW = {"arrowstyle": "-|>", "color": PALETTE["grey"], "lw": 1.4, "shrinkA": 0, "shrinkB": 0, "mutation_scale": 11}


def _array_of_shape(value, shape: tuple, what: str, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise NotReady(f"`{name}` should return {what} as an array of numbers, got {type(value).__name__}.") from None
    if arr.shape != shape:
        raise NotReady(f"`{name}`'s {what} has shape {arr.shape}; for one sample and one unit it should be {shape}.")
    if not np.isfinite(arr).all():
        raise NotReady(f"`{name}` returned a {what} that is not finite (nan or inf).")
    return arr


def neuron_graph(
    dense_forward: Callable,
    dense_backward: Callable,
    *,
    x: float = NEURON["x"],
    w: float = NEURON["w"],
    b: float = NEURON["b"],
    t: float = NEURON["t"],
) -> tuple[dict, dict]:
    """The worked neuron forward and backward, its layer ``z = w x + b`` computed by the student's functions.

    ``z`` is ``dense_forward([[x]], [[w]], [b])``; ``a = tanh(z)`` and ``J = (a - t)**2`` are computed
    here, and so are their adjoints ``a_bar = 2 (a - t)`` and ``z_bar = a_bar (1 - a**2)``; ``x_bar``,
    ``w_bar`` and ``b_bar`` are ``dense_backward([[z_bar]], [[x]], [[w]])``.

    Returns
    -------
    values, grads : dict of str to float
        The forward value of each node (``x w b t z a J``) and its adjoint dJ/d(node) (``x w b z a J``).

    Raises
    ------
    NotReady
        If either function is a stub, fails, or returns something of the wrong shape.
    """
    X, W, B = np.array([[x]], dtype=np.float64), np.array([[w]], dtype=np.float64), np.array([b], dtype=np.float64)
    Z = attempt(dense_forward, X.copy(), W.copy(), B.copy())
    z = float(_array_of_shape(Z, (1, 1), "Z", _name(dense_forward, "dense_forward"))[0, 0])
    a = math.tanh(z)
    J = (a - t) ** 2
    a_bar = 2.0 * (a - t)
    z_bar = a_bar * (1.0 - a * a)
    name = _name(dense_backward, "dense_backward")
    result = attempt(dense_backward, np.array([[z_bar]]), X.copy(), W.copy())
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise NotReady(f"`{name}` should return three things, `return dX, dW, db`; got {type(result).__name__}.")
    dX, dW, db = (
        _array_of_shape(g, shape, what, name)
        for g, shape, what in zip(result, ((1, 1), (1, 1), (1,)), ("dX", "dW", "db"))
    )
    values = {"x": x, "w": w, "b": b, "t": t, "z": z, "a": a, "J": J}
    grads = {"x": float(dX[0, 0]), "w": float(dW[0, 0]), "b": float(db[0]), "z": z_bar, "a": a_bar, "J": 1.0}
    return values, grads


def _edge(ax, start, end, above: str | None, below: str | None, *, colour: str) -> None:
    """An arrow from ``start`` to ``end`` (box edges), ``above`` and ``below`` it at its middle, along it."""
    (x0, y0), (x1, y1) = start, end
    ax.annotate("", xy=end, xytext=start, arrowprops={**_ARROW, "color": colour})
    length = math.hypot(x1 - x0, y1 - y0)
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    for text, side, colour_ in ((above, 1, PALETTE["blue"]), (below, -1, PALETTE["vermillion"])):
        if text:
            at = (mx + side * 0.2 * nx, my + side * 0.2 * ny)
            ax.text(*at, text, color=colour_, fontsize=8, ha="center", va="center", rotation=angle)


def _box(ax, centre, width, height, lines, *, small: str = "") -> None:
    from matplotlib.patches import FancyBboxPatch

    cx, cy = centre
    corner = (cx - width / 2, cy - height / 2)
    style = "round,pad=0,rounding_size=0.12"
    ax.add_patch(FancyBboxPatch(corner, width, height, boxstyle=style, fc="#F4F4F4", ec=PALETTE["black"], lw=1.2))
    ax.text(cx, cy + (0.14 if small else 0.0), lines, ha="center", va="center", fontsize=9)
    if small:
        ax.text(cx, cy - 0.2, small, ha="center", va="center", fontsize=7, color=PALETTE["black"])


def neuron_graph_figure(dense_forward: Callable, dense_backward: Callable):
    """The computation graph of section 1's neuron, values from the student's layer; an image, or a note."""
    try:
        values, grads = neuron_graph(dense_forward, dense_backward)
    except NotReady as exc:
        return exc.note("this figure")
    from matplotlib.lines import Line2D

    v, g = values, grads
    fig = new_figure(7.2, 3.2)
    ax = fig.subplots()
    ax.set_aspect("equal")
    ax.set(xlim=(-0.1, 10.5), ylim=(-0.15, 4.45))
    ax.axis("off")
    grey, black = PALETTE["grey"], PALETTE["black"]
    w_in, h_in, w_op, h_op = 0.55, 0.5, 1.3, 0.8
    inputs = {"x": (0.3, 3.75), "w": (0.3, 2.1), "b": (0.3, 0.45)}
    z_c, a_c, J_c, t_c = (2.75, 2.1), (5.35, 2.1), (7.9, 2.1), (7.9, 3.95)
    for name, centre in inputs.items():
        _box(ax, centre, w_in, h_in, f"${name}$")
    _box(ax, z_c, w_op, h_op, "$z = wx + b$", small="your layer")
    _box(ax, a_c, w_op, h_op, r"$a = \tanh z$", small=f"$1 - a^2 = {1 - v['a'] ** 2:.4f}$")
    _box(ax, J_c, w_op, h_op, "$J = (a - t)^2$", small=r"$\partial J / \partial a = 2(a - t)$")
    _box(ax, t_c, w_in, h_in, "$t$")
    left_of_z = z_c[0] - w_op / 2
    # The three inputs of the layer meet its box at its left side, spread over its height.
    for (name, (cx, cy)), y_end in zip(inputs.items(), (z_c[1] + 0.25, z_c[1], z_c[1] - 0.25)):
        below = r"$\bar{x}$: question 1" if name == "x" else rf"$\bar{{{name}}} = {g[name]:.4f}$"
        _edge(ax, (cx + w_in / 2, cy), (left_of_z, y_end), f"${name} = {v[name]:g}$", below, colour=black)
    # The chain z -> a -> J, each arrow from the right side of one box to the left side of the next.
    for name, (start, end), fmt in (("z", (z_c, a_c), ".4g"), ("a", (a_c, J_c), ".4f")):
        above, below = f"${name} = {v[name]:{fmt}}$", rf"$\bar{{{name}}} = {g[name]:.4f}$"
        _edge(ax, (start[0] + w_op / 2, start[1]), (end[0] - w_op / 2, end[1]), above, below, colour=black)
    _edge(ax, (J_c[0] + w_op / 2, J_c[1]), (10.45, J_c[1]), f"$J = {v['J']:.4f}$", r"$\bar{J} = 1$", colour=black)
    # The target is a constant: its arrow carries a value and no gradient.
    ax.annotate("", xy=(t_c[0], J_c[1] + h_op / 2), xytext=(t_c[0], t_c[1] - h_in / 2), arrowprops=_ARROW)
    side, middle = t_c[0] + 0.12, (t_c[1] + J_c[1]) / 2
    ax.text(side, middle + 0.12, f"$t = {v['t']:g}$", color=PALETTE["blue"], fontsize=8, ha="left", va="center")
    ax.text(side, middle - 0.15, "(a constant)", color=grey, fontsize=7, ha="left", va="center")
    gradient = r"gradient $\bar{v} = \partial J / \partial v$ (below)"
    handles = [
        Line2D([], [], color=PALETTE["blue"], lw=0, marker="s", label="forward value (above each arrow)"),
        Line2D([], [], color=PALETTE["vermillion"], lw=0, marker="s", label=gradient),
    ]
    ax.legend(handles=handles, fontsize=7, loc="lower right", frameon=False)
    title = r"The neuron of section 1: z from your dense_forward, $\bar{w}, \bar{b}$ from your dense_backward"
    ax.set_title(title, fontsize=9)
    return as_image(fig)
