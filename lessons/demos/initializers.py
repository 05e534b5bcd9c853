"""Lesson 04's demo: one network on the digits, started from zeros, small random, Glorot and He weights.

Two experiments, both with the demo network of :mod:`lessons.network` and the
student's initializers:

1. A ReLU network with three hidden layers of 64 units, trained with plain
   mini-batch SGD from each starting point.  Zeros and small random weights
   (std 0.01) do not learn in the time budget; Glorot and He do.
2. A network with one hidden layer of 8 sigmoid units, started from zeros and
   from the student's Glorot uniform weights.  From zeros the weights do
   change, yet the 8 units stay exact copies of each other: their weights are
   drawn as 8 images of 8 x 8 pixels.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np
from matplotlib.ticker import NullLocator

from .. import network
from ..blas import one_blas_thread
from ..data import load_digits
from ..sigmoid import stable_sigmoid
from ..widgets.kit import PALETTE, NotReady, as_image, attempt, finite_or_nan, new_figure

#: The deep network of experiment 1: 64 pixels, three hidden ReLU layers of 64 units, 10 classes.
DEEP_SIZES = (64, 64, 64, 64, 10)
#: The shallow network of experiment 2: one hidden layer of 8 sigmoid units.
SHALLOW_SIZES = (64, 8, 10)


def zeros_init(fan_in, fan_out, *, rng=None):
    """All-zero weights of shape ``(fan_in, fan_out)``: the starting point that never breaks symmetry."""
    return np.zeros((fan_in, fan_out))


def _sigmoid_grad(z):
    s = stable_sigmoid(z)
    return s * (1.0 - s)


def unit_spread(W: np.ndarray) -> float:
    """How different the units of a layer are: the spread of each input's weights across the units.

    Parameters
    ----------
    W : ndarray of shape (fan_in, fan_out)
        Column ``j`` holds the weights of unit ``j``.

    Returns
    -------
    float
        The root mean square, over the inputs ``i``, of the standard deviation
        of ``W[i, :]`` across the units. It is 0 exactly when all the columns
        are equal, that is when every unit computes the same function.
    """
    W = np.asarray(W, dtype=np.float64)
    return float(np.sqrt(np.mean(np.var(W, axis=1))))


def _checked(fn: Callable) -> Callable:
    """The student's initializer, with a stub or an error turned into :class:`NotReady`."""

    @functools.wraps(fn)
    def init(fan_in, fan_out, *, rng):
        W = np.asarray(attempt(fn, fan_in, fan_out, rng=rng), dtype=np.float64)
        if W.shape != (fan_in, fan_out):
            raise NotReady(f"Your `{fn.__name__}({fan_in}, {fan_out}, rng=rng)` returned shape {W.shape}, "
                           f"expected ({fan_in}, {fan_out}).")
        return W

    return init


def standardized_digits(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The digits with every pixel shifted and scaled to mean 0 and standard deviation 1 on the training set.

    The variance argument behind Glorot's and He's initializations assumes
    inputs of mean 0 and a spread of about 1; raw pixels in [0, 1] have
    neither. Pixels that are constant in the training set (always 0 at the
    corners) are only shifted.

    Returns
    -------
    X_train : ndarray of shape (n_train, 64)
    y_train : ndarray of shape (n_train,)
    X_test : ndarray of shape (n_test, 64)
    y_test : ndarray of shape (n_test,)
    """
    split = load_digits(seed=seed)
    mean = split.X_train.mean(axis=0)
    std = split.X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (split.X_train - mean) / std, split.y_train, (split.X_test - mean) / std, split.y_test


@dataclass(frozen=True)
class Start:
    """One training run from one starting point.

    Attributes
    ----------
    name : str
        The starting point, e.g. ``"He normal"``.
    test_accuracy : ndarray of shape (epochs + 1,)
        Share of the held-out digits classified correctly, before training and after every epoch.
    train_loss : ndarray of shape (epochs + 1,)
        Cross-entropy on the training set (nats), at the same moments.
    spread : ndarray of shape (epochs + 1,)
        :func:`unit_spread` of the first hidden layer's weights, at the same moments.
    first_layer : ndarray of shape (64, n_hidden)
        The first layer's weights after training.
    """

    name: str
    test_accuracy: np.ndarray
    train_loss: np.ndarray
    spread: np.ndarray
    first_layer: np.ndarray


def train_from(name: str, initializer: Callable, sizes: tuple[int, ...], *, activation=network.relu,
               activation_grad=network.relu_grad, epochs: int = 15, lr: float = 0.03, batch_size: int = 32,
               seed: int = 0) -> Start:
    """Train the demo network on the digits from the weights ``initializer`` draws (biases 0).

    The same seed gives every starting point the same data split and the same
    order of mini-batches, so the runs differ only in their starting weights.
    """
    X_train, y_train, X_test, y_test = standardized_digits(seed)
    net = network.init_network(sizes, rng=np.random.default_rng(seed + 1), initializer=initializer,
                               activation=activation, activation_grad=activation_grad)
    accuracy, loss, spread = [], [], []

    def record(net):
        accuracy.append(network.accuracy(net, X_test, y_test))
        loss.append(network.softmax_cross_entropy(network.forward(net, X_train), y_train))
        spread.append(unit_spread(net.weights[0]))

    record(net)
    with one_blas_thread():
        net, _ = network.train(net, X_train, y_train, epochs=epochs, batch_size=batch_size,
                               optimizer=network.Optimizer.sgd(lr=lr), rng=np.random.default_rng(seed + 2),
                               callback=lambda epoch, current, history: record(current))
    return Start(name, np.array(accuracy), np.array(loss), np.array(spread), np.array(net.weights[0]))


def compare_starts(small_random_init, glorot_uniform, glorot_normal, he_normal, *, epochs: int = 15,
                   seed: int = 0) -> list[Start]:
    """Experiment 1: the deep ReLU network from zeros and from each of the student's initializers."""
    starts = [("zeros", zeros_init), ("small random (0.01)", small_random_init),
              ("Glorot uniform", glorot_uniform), ("Glorot normal", glorot_normal), ("He normal", he_normal)]
    return [train_from(name, init if init is zeros_init else _checked(init), DEEP_SIZES, epochs=epochs, seed=seed)
            for name, init in starts]


def symmetry_runs(glorot_uniform, *, epochs: int = 20, seed: int = 0) -> list[Start]:
    """Experiment 2: one hidden layer of 8 sigmoid units, from zeros and from Glorot uniform weights."""
    kwargs = {"activation": stable_sigmoid, "activation_grad": _sigmoid_grad, "epochs": epochs, "lr": 0.3,
              "seed": seed}
    return [train_from("zeros", zeros_init, SHALLOW_SIZES, **kwargs),
            train_from("Glorot uniform", _checked(glorot_uniform), SHALLOW_SIZES, **kwargs)]


_STYLES = {  # name -> (colour, line style)
    "zeros": (PALETTE["black"], ":"),
    "small random (0.01)": (PALETTE["vermillion"], "-."),
    "Glorot uniform": (PALETTE["orange"], "-"),
    "Glorot normal": (PALETTE["sky"], "--"),
    "He normal": (PALETTE["blue"], (0, (5, 1, 1, 1))),
}


def plot_demo(deep: list[Start], shallow: list[Start]):
    """Test accuracy per epoch for every start, and the weights of the sigmoid units of each shallow run."""
    fig = new_figure(10.0, 4.4)
    left, right = fig.subfigures(1, 2, width_ratios=[1.0, 1.0])
    ax_acc = left.subplots()
    for run in deep:
        colour, ls = _STYLES[run.name]
        ax_acc.plot(np.arange(len(run.test_accuracy)), run.test_accuracy, color=colour, ls=ls, lw=2,
                    zorder=3 if run.name == "zeros" else 2,
                    label=f"{run.name}: {run.test_accuracy[-1]:.0%}")
    ax_acc.axhline(0.1, color=PALETTE["grey"], lw=1)
    ax_acc.text(0.2, 0.12, "chance (10%)", color=PALETTE["grey"], fontsize=8)
    ax_acc.set(xlabel="epoch", ylabel="test accuracy", ylim=(0, 1.02),
               title=f"1. ReLU network {'-'.join(map(str, DEEP_SIZES))}, plain SGD")
    ax_acc.legend(loc="center right", fontsize=8, title="start: final test accuracy", title_fontsize=8)

    n_units = shallow[0].first_layer.shape[1]
    cols = 4
    blocks = right.subfigures(len(shallow), 1)
    for block, run in zip(blocks, shallow):
        W = run.first_layer
        limit = float(np.max(np.abs(W))) or 1.0
        axes = block.subplots(int(np.ceil(n_units / cols)), cols)
        for unit, ax in enumerate(axes.ravel()):
            ax.imshow(W[:, unit].reshape(8, 8), cmap="PuOr_r", vmin=-limit, vmax=limit)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel(f"unit {unit + 1}", fontsize=7, labelpad=1)
        verdict = ("all identical" if run.spread[-1] == 0 else "all different")
        block.suptitle(f"2. {n_units} sigmoid units started from {run.name}: {verdict}\n"
                       f"(spread across units {run.spread[-1]:.3g}, weight norm "
                       f"{np.linalg.norm(W):.2f}, test accuracy {run.test_accuracy[-1]:.0%})", fontsize=8)
    right.supxlabel("each unit's 64 input weights as an 8 x 8 image: purple < 0 < orange", fontsize=8)
    return fig


def demo(small_random_init, glorot_uniform, glorot_normal, he_normal):
    """Run both experiments and return the figure as an image, or a note naming the function to implement first."""
    try:
        for fn in (small_random_init, glorot_uniform, glorot_normal, he_normal):  # a quick note before training
            _checked(fn)(3, 2, rng=np.random.default_rng(0))
        deep = compare_starts(small_random_init, glorot_uniform, glorot_normal, he_normal)
        shallow = symmetry_runs(glorot_uniform)
    except NotReady as exc:
        return exc.note("this demo")
    return as_image(plot_demo(deep, shallow))


# --------------------------------------------------------------------------
# a static figure: the spread of the activations, layer by layer
# --------------------------------------------------------------------------

#: The depth figure: DEPTH_SAMPLES standard normal inputs of DEPTH_WIDTH features through DEPTH_LAYERS layers of
#: DEPTH_WIDTH units (zero biases).
DEPTH_WIDTH = 256
DEPTH_LAYERS = 10
DEPTH_SAMPLES = 128


def _relu(z):
    return np.maximum(z, 0.0)


def depth_configs(small_random_init, glorot_normal, he_normal) -> list[tuple[str, Callable, Callable, float]]:
    """The figure's (label, initializer, activation, factor on the weights) with the student's initializers."""
    small, glorot, he = _checked(small_random_init), _checked(glorot_normal), _checked(he_normal)
    return [("small random (0.01), tanh", small, np.tanh, 1.0), ("Glorot normal, tanh", glorot, np.tanh, 1.0),
            ("Glorot normal, ReLU", glorot, _relu, 1.0), ("He normal, ReLU", he, _relu, 1.0),
            ("He normal x 2, ReLU", he, _relu, 2.0)]


def depth_stds(layer_activation_stds, configs, *, width: int = DEPTH_WIDTH, depth: int = DEPTH_LAYERS,
               n_samples: int = DEPTH_SAMPLES, seed: int = 0) -> dict[str, np.ndarray]:
    """The spread of every layer's output, by the student's ``layer_activation_stds``, for each configuration.

    ``configs`` holds ``(label, initializer, activation, factor)``: the weights are ``factor`` times the
    initializer's. Every configuration sees the same input batch, and an initializer draws its ``depth``
    matrices once, from a generator with the same seed for all: configurations that share an initializer
    share its matrices.

    Returns
    -------
    dict of str to ndarray of shape (depth + 1,)
        Entry 0 is the spread (``np.std``) of the input, entry ``l`` that of layer ``l``'s output.
    """
    x = np.random.default_rng(seed).normal(size=(n_samples, width))
    name = getattr(layer_activation_stds, "__name__", "layer_activation_stds")
    result, drawn = {}, {}
    with one_blas_thread():
        for label, init, activation, factor in configs:
            if init not in drawn:
                rng = np.random.default_rng(seed + 1)
                drawn[init] = [init(width, width, rng=rng) for _ in range(depth)]
            weights = [factor * W for W in drawn[init]] if factor != 1.0 else drawn[init]
            stds = np.asarray(attempt(layer_activation_stds, x, weights, activation), dtype=float)
            if stds.shape != (depth,):
                raise NotReady(f"Your `{name}` returned shape {stds.shape} for {depth} weight matrices; "
                               f"expected ({depth},).")
            result[label] = np.concatenate([[np.std(x)], stds])
    return result


def init_depth_figure(small_random_init, glorot_normal, he_normal, layer_activation_stds):
    """The spread of the activations through 10 layers of 256 units for five starts, on a log scale, drawn with
    the student's initializers and ``layer_activation_stds``: an image, or a note naming the function."""
    try:
        curves = depth_stds(layer_activation_stds, depth_configs(small_random_init, glorot_normal, he_normal))
    except NotReady as exc:
        return exc.note("this figure")
    fig = new_figure(7.2, 3.2)
    ax = fig.subplots()
    styles = ((PALETTE["vermillion"], "-.", "v"), (PALETTE["sky"], "--", "s"), (PALETTE["orange"], "-", "D"),
              (PALETTE["blue"], (0, (5, 1, 1, 1)), "o"), (PALETTE["purple"], ":", "^"))
    layers = np.arange(DEPTH_LAYERS + 1)
    for (label, stds), (colour, ls, marker) in zip(curves.items(), styles):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a student's stds may hold 0 or inf
            factor = (stds[-1] / stds[1]) ** (1.0 / (DEPTH_LAYERS - 1))  # the mean factor per layer after the first
        ax.plot(layers, finite_or_nan(stds), color=colour, ls=ls, lw=2, marker=marker, ms=4,
                label=f"{label}: x {factor:.3g} per layer")
    ax.set(yscale="log", xlabel="layer (0 = the input)", ylabel="standard deviation of the layer's output",
           title=f"{DEPTH_LAYERS} layers of {DEPTH_WIDTH} units, with your initializers and layer_activation_stds",
           xticks=layers, ylim=(1e-11, 1e4))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.legend(fontsize=7, loc="lower left", title="start, activation: mean factor per layer from 1 to 10",
              title_fontsize=7)
    return as_image(fig)
