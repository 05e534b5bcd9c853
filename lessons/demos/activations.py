"""Lesson 09's demo: a deep sigmoid network stalls where a ReLU network with He weights learns, and clipping
rescues a learning rate that makes gradients explode.

Both experiments train the demo network of :mod:`lessons.network` on the
standardized digits (8 hidden layers of 32 units, plain mini-batch SGD,
batches of 32, 6 epochs) with the student's own functions:

1. ``sigmoid``/``sigmoid_grad`` with weights of standard deviation
   ``1 / sqrt(fan_in)`` against ``relu``/``relu_grad`` with He weights
   (``sqrt(2 / fan_in)``), learning rate 0.1.  ``History.grad_norms`` shows
   the weight gradient of each layer during the first epoch.
2. The ReLU/He network with a learning rate of 0.5, without and with the
   student's ``clip_by_global_norm`` (``max_norm=1``): without, the loss
   overflows to ``nan`` in the first epoch; with, it learns.

Overflow is the point of experiment 2, so the runs are made inside
``np.errstate(all="ignore")`` and with warnings silenced: the notebook shows
the ``nan`` in the plot, not a wall of RuntimeWarnings.  The four runs take a
few seconds.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import network
from ..blas import one_blas_thread
from ..data import load_digits
from ..widgets.kit import PALETTE, NotReady, as_image, attempt, new_figure

#: 64 pixels, 8 hidden layers of 32 units, 10 classes.
SIZES = (64,) + (32,) * 8 + (10,)
EPOCHS = 6


def _scaled_normal(gain: float) -> Callable:
    def init(fan_in, fan_out, *, rng):
        return rng.normal(0.0, gain / math.sqrt(fan_in), size=(fan_in, fan_out))

    return init


def _checked(fn: Callable) -> Callable:
    """The student's element-wise function with a stub or error turned into NotReady."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        return attempt(fn, *args, **kwargs)

    return wrapped


def standardized_digits(seed: int = 0):
    """The digits split, each pixel shifted and scaled to mean 0 and std 1 on the training set."""
    split = load_digits(seed=seed)
    mean, std = split.X_train.mean(axis=0), split.X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (split.X_train - mean) / std, split.y_train, (split.X_test - mean) / std, split.y_test


@dataclass(frozen=True)
class Run:
    """One training run: its name, test accuracy and training loss per epoch, per-layer gradient norms."""

    name: str
    test_accuracy: np.ndarray
    train_loss: np.ndarray
    grad_norms: np.ndarray  # (epochs, n_layers)


def train_run(name: str, act: Callable, act_grad: Callable, *, gain: float, lr: float,
              clip: Callable | None = None, epochs: int = EPOCHS, seed: int = 0) -> Run:
    """Train the deep network on the digits; the same seed gives every run the same data and batches."""
    X, y, X_test, y_test = standardized_digits(seed)
    net = network.init_network(SIZES, rng=np.random.default_rng(seed + 1), initializer=_scaled_normal(gain),
                               activation=_checked(act), activation_grad=_checked(act_grad))
    with one_blas_thread(), np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, history = network.train(net, X, y, epochs=epochs, batch_size=32,
                                   optimizer=network.Optimizer.sgd(lr=lr), rng=np.random.default_rng(seed + 2),
                                   X_val=X_test, y_val=y_test, clip=clip)
    return Run(name, history.val_accuracy, history.train_loss, history.grad_norms)


def compare_activations(sigmoid, sigmoid_grad, relu, relu_grad, *, epochs: int = EPOCHS) -> list[Run]:
    """Experiment 1: deep sigmoid (weights 1/sqrt(fan_in)) against deep ReLU with He weights, lr 0.1."""
    return [train_run("sigmoid, std 1/sqrt(fan_in)", sigmoid, sigmoid_grad, gain=1.0, lr=0.1, epochs=epochs),
            train_run("ReLU, He (std sqrt(2/fan_in))", relu, relu_grad, gain=math.sqrt(2.0), lr=0.1, epochs=epochs)]


def compare_clipping(relu, relu_grad, clip_by_global_norm, *, max_norm: float = 1.0, lr: float = 0.5,
                     epochs: int = EPOCHS) -> list[Run]:
    """Experiment 2: ReLU/He with a large learning rate, without and with the student's clipping."""

    def clip(grads):
        out = attempt(clip_by_global_norm, grads, max_norm=max_norm)
        if not isinstance(out, (list, tuple)) or len(out) != len(grads):
            raise NotReady(f"Your `clip_by_global_norm` should return a list of {len(grads)} arrays, "
                           f"got {type(out).__name__}.")
        return out

    clip.__name__ = "clip_by_global_norm"
    return [train_run(f"lr {lr}, no clipping", relu, relu_grad, gain=math.sqrt(2.0), lr=lr, epochs=epochs),
            train_run(f"lr {lr}, clipped to global norm {max_norm:g}", relu, relu_grad, gain=math.sqrt(2.0),
                      lr=lr, clip=clip, epochs=epochs)]


_COLOURS = [PALETTE["orange"], PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"]]
_STYLES = ["-", "--", "-.", (0, (5, 1, 1, 1))]


def plot_demo(activation_runs: list[Run], clipping_runs: list[Run]):
    """Accuracy per epoch of all runs, and the first epoch's gradient norm per layer of experiment 1."""
    fig = new_figure(11.0, 3.6)
    ax_norm, ax_acc, ax_clip = fig.subplots(1, 3)
    for k, run in enumerate(activation_runs):
        layers = np.arange(1, run.grad_norms.shape[1] + 1)
        ax_norm.plot(layers, run.grad_norms[0], color=_COLOURS[k], ls=_STYLES[k], lw=2, marker="o", ms=4,
                     label=run.name)
        ax_acc.plot(np.arange(1, len(run.test_accuracy) + 1), run.test_accuracy, color=_COLOURS[k],
                    ls=_STYLES[k], lw=2, marker="o", ms=4, label=f"{run.name}: {run.test_accuracy[-1]:.0%}")
    ax_norm.set(yscale="log", xlabel="layer (1 = next to the input)", ylabel="mean ||dJ/dW_l|| in epoch 1",
                title="1. Weight gradient of every layer")
    ax_norm.legend(fontsize=7, loc="lower right")
    for ax in (ax_acc, ax_clip):
        ax.axhline(0.1, color=PALETTE["grey"], lw=1)
        ax.text(EPOCHS, 0.12, "chance (10%)", color=PALETTE["grey"], fontsize=8, ha="right")
        ax.set(xlabel="epoch", ylabel="test accuracy", ylim=(0, 1.02), xlim=(0.8, EPOCHS + 0.2))
    ax_acc.set_title("1. Sigmoid against ReLU with He weights")
    ax_acc.legend(fontsize=7, loc="center right")
    for k, run in enumerate(clipping_runs, start=2):
        diverged = not np.all(np.isfinite(run.train_loss))
        label = f"{run.name}: " + ("loss is nan" if diverged else f"{run.test_accuracy[-1]:.0%}")
        ax_clip.plot(np.arange(1, len(run.test_accuracy) + 1), run.test_accuracy, color=_COLOURS[k],
                     ls=_STYLES[k], lw=2, marker="o", ms=4, label=label)
    ax_clip.set_title("2. ReLU/He, learning rate 0.5")
    ax_clip.legend(fontsize=7, loc="center right")
    return fig


def demo(sigmoid, sigmoid_grad, relu, relu_grad, clip_by_global_norm):
    """Run both experiments; the figure as an image, or a note naming the function to implement first."""
    try:
        probe = np.array([[-1.0, 0.0, 2.0]])
        for fn in (sigmoid, sigmoid_grad, relu, relu_grad):  # a quick note before any training
            attempt(fn, probe)
        attempt(clip_by_global_norm, [np.ones(2)], max_norm=1.0)
        first = compare_activations(sigmoid, sigmoid_grad, relu, relu_grad)
        second = compare_clipping(relu, relu_grad, clip_by_global_norm)
    except NotReady as exc:
        return exc.note("this demo")
    return as_image(plot_demo(first, second))


# --------------------------------------------------------------------------
# dying ReLUs
# --------------------------------------------------------------------------

#: The dying-ReLU experiment: one hidden layer of 64 units on the digits (pixels in [0, 1]), He weights,
#: hidden biases started at DEAD_BIAS, plain SGD with learning rate 0.1, batches of 32.
DYING_SIZES = (64, 64, 10)
DYING_EPOCHS = 15
DEAD_BIAS = -2.0
#: Leaky ReLU's slope in the experiment (larger than the default 0.01, so that its recovery shows in 15 epochs).
LEAKY_ALPHA = 0.1


@dataclass(frozen=True)
class DyingRun:
    """One run of the dying-ReLU experiment.

    Attributes
    ----------
    name : str
    dead_share : ndarray of shape (n_epochs + 1,)
        Share of hidden units whose pre-activation is <= 0 on EVERY training image, before training and
        after each epoch. For ReLU such a unit outputs 0 and passes back a gradient of 0 for every
        sample: nothing can change its weights again.
    test_accuracy : ndarray of shape (n_epochs + 1,)
    """

    name: str
    dead_share: np.ndarray
    test_accuracy: np.ndarray


def _dead_share(net: network.Network, X: np.ndarray) -> float:
    _, hidden = network.forward(net, X, return_hidden=True)
    return float(np.mean(np.all(hidden.pre_activations[0] <= 0.0, axis=0)))


def dying_runs(relu, relu_grad, leaky_relu, leaky_relu_grad, elu, elu_grad, *, epochs: int = DYING_EPOCHS,
               bias: float = DEAD_BIAS) -> list[DyingRun]:
    """Train the same network, from the same weights and with the same batches, with each activation."""
    data = load_digits()
    activations = (
        ("ReLU", _checked(relu), _checked(relu_grad)),
        (f"Leaky ReLU (alpha {LEAKY_ALPHA})", _checked(functools.partial(leaky_relu, alpha=LEAKY_ALPHA)),
         _checked(functools.partial(leaky_relu_grad, alpha=LEAKY_ALPHA))),
        ("ELU", _checked(elu), _checked(elu_grad)),
    )
    runs = []
    with one_blas_thread():
        for name, act, act_grad in activations:
            net = network.init_network(DYING_SIZES, rng=np.random.default_rng(0), activation=act,
                                       activation_grad=act_grad)
            theta = net.theta.copy()
            _, biases = network.split(net.sizes, theta)
            biases[0][...] = bias  # as a large update can leave them: every unit starts mostly negative
            net = net.with_theta(theta)
            dead, accuracy = [_dead_share(net, data.X_train)], [network.accuracy(net, data.X_test, data.y_test)]

            def record(epoch, current, history, dead=dead, accuracy=accuracy):
                dead.append(_dead_share(current, data.X_train))
                accuracy.append(network.accuracy(current, data.X_test, data.y_test))

            network.train(net, data.X_train, data.y_train, epochs=epochs, batch_size=32,
                          optimizer=network.Optimizer.sgd(lr=0.1), rng=np.random.default_rng(1), callback=record)
            runs.append(DyingRun(name, np.array(dead), np.array(accuracy)))
    return runs


def plot_dying(runs: list[DyingRun]):
    """The share of dead units and the test accuracy, epoch by epoch, for each activation."""
    fig = new_figure(9.6, 3.4)
    ax_dead, ax_acc = fig.subplots(1, 2)
    for k, run in enumerate(runs):
        epochs = np.arange(len(run.dead_share))
        ax_dead.plot(epochs, 100 * run.dead_share, color=_COLOURS[k], ls=_STYLES[k], lw=2, marker="o", ms=3,
                     label=run.name)
        ax_acc.plot(epochs, 100 * run.test_accuracy, color=_COLOURS[k], ls=_STYLES[k], lw=2, marker="o", ms=3,
                    label=run.name)
    ax_dead.set(xlabel="epoch", ylabel="% of hidden units", ylim=(0, 102),
                title="Units negative on every training image")
    ax_acc.set(xlabel="epoch", ylabel="test accuracy (%)", ylim=(0, 100), title="Test accuracy")
    ax_dead.legend(fontsize=7, loc="lower left")
    return fig


def dying_relu_demo(relu, relu_grad, leaky_relu, leaky_relu_grad, elu, elu_grad):
    """The dying-ReLU experiment with the student's functions; an image, or a note naming the function."""
    try:
        probe = np.array([[-1.0, 0.0, 2.0]])
        for fn in (relu, relu_grad, leaky_relu, leaky_relu_grad, elu, elu_grad):
            attempt(fn, probe)
        runs = dying_runs(relu, relu_grad, leaky_relu, leaky_relu_grad, elu, elu_grad)
    except NotReady as exc:
        return exc.note("this demo")
    fig = plot_dying(runs)
    relu_run = runs[0]
    fig.suptitle(f"Hidden biases started at {DEAD_BIAS:g}: {100 * relu_run.dead_share[0]:.0f}% of the units start "
                 f"dead; after {len(relu_run.dead_share) - 1} epochs ReLU still has "
                 f"{100 * relu_run.dead_share[-1]:.0f}% ({100 * relu_run.test_accuracy[-1]:.0f}% test accuracy), "
                 f"ELU {100 * runs[2].dead_share[-1]:.0f}% ({100 * runs[2].test_accuracy[-1]:.0f}%).",
                 fontsize=9, wrap=True)
    return as_image(fig)


# --------------------------------------------------------------------------
# float16, float32 and loss scaling
# --------------------------------------------------------------------------

#: The formats of the numerics section, narrowest first.
FORMATS = (np.float16, np.float32, np.float64)
#: Loss scales tried by the loss-scaling demo: powers of 2 (multiplying by one changes no digit).
LOSS_SCALES = tuple(2.0 ** k for k in range(0, 33, 4))


def float_formats_table():
    """The limits of float16, float32 and float64, computed by NumPy, as a Markdown table."""
    from IPython.display import Markdown

    rows = ["| format | bits | largest | smallest normal | smallest subnormal | epsilon | `exp(x)` overflows for x above |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for kind in FORMATS:
        info = np.finfo(kind)
        largest = float(info.max)
        shown = f"{largest:,.0f}" if largest < 1e6 else f"{largest:.4g}"
        rows.append(f"| `{kind.__name__}` | {info.bits} | {shown} | {float(info.tiny):.3g} | "
                    f"{float(info.smallest_subnormal):.3g} | {float(info.eps):.3g} | {math.log(largest):.2f} |")
    return Markdown("\n".join(rows))


@dataclass(frozen=True)
class ScalingResult:
    """What storing one batch's weight gradients in float16 does, for each loss scale.

    Attributes
    ----------
    gradients : ndarray
        Every weight gradient of the deep sigmoid network (float64), all layers, non-zero entries only.
    first_layer : ndarray
        The first layer's.
    scales : ndarray
    flushed, imprecise, overflowed : ndarray of shape (n_scales,)
        Shares of the gradients that become 0, that come back off by more than 1% (subnormal float16 keeps
        few digits), and that become inf, after ``(g * scale).astype(float16) / scale``.
    """

    gradients: np.ndarray
    first_layer: np.ndarray
    scales: np.ndarray
    flushed: np.ndarray
    imprecise: np.ndarray
    overflowed: np.ndarray


def loss_scaling(sigmoid, sigmoid_grad, *, scales=LOSS_SCALES, batch: int = 256) -> ScalingResult:
    """The weight gradients of the deep sigmoid network of the demo above (one batch), through float16."""
    X_train, y_train, _, _ = standardized_digits()
    net = network.init_network(SIZES, rng=np.random.default_rng(0), initializer=_scaled_normal(1.0),
                               activation=_checked(sigmoid), activation_grad=_checked(sigmoid_grad))
    _, grad = network.loss_and_grad(net, X_train[:batch], y_train[:batch])
    weights, _ = network.split(net.sizes, grad)
    every = np.concatenate([W.ravel() for W in weights])
    every = every[every != 0]
    flushed, imprecise, overflowed = [], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for scale in scales:
            back = (every * scale).astype(np.float16).astype(np.float64) / scale
            flushed.append(float(np.mean(back == 0)))
            overflowed.append(float(np.mean(~np.isfinite(back))))
            imprecise.append(float(np.mean(np.isfinite(back) & (np.abs(back - every) > 0.01 * np.abs(every)))))
    first = weights[0].ravel()
    return ScalingResult(every, first[first != 0], np.asarray(scales), np.array(flushed), np.array(imprecise),
                         np.array(overflowed))


def plot_loss_scaling(result: ScalingResult, scale: float = 2.0 ** 16):
    """Left: the gradients' sizes against float16's limits, before and after scaling. Right: what is lost."""
    fig = new_figure(9.6, 3.4)
    ax_hist, ax_lost = fig.subplots(1, 2)
    info = np.finfo(np.float16)
    bins = np.linspace(-11, 6, 69)
    ax_hist.hist(np.log10(np.abs(result.gradients)), bins=bins, color=PALETTE["blue"], alpha=0.6,
                 label="the gradients")
    ax_hist.hist(np.log10(np.abs(result.gradients) * scale), bins=bins, color=PALETTE["orange"], alpha=0.6,
                 label=f"times {scale:.0f}")
    for value, text, ls in ((info.smallest_subnormal, "smallest subnormal", ":"),
                            (info.tiny, "smallest normal", "--"), (info.max, "largest", "-")):
        ax_hist.axvline(math.log10(float(value)), color=PALETTE["black"], ls=ls, lw=1, label=f"float16 {text}")
    ax_hist.set(xlabel="log10 |gradient|", ylabel="weights", title="Weight gradients of the deep sigmoid network")
    ax_hist.legend(fontsize=6, loc="upper left")
    exponents = np.log2(result.scales)
    ax_lost.plot(exponents, 100 * result.flushed, color=PALETTE["blue"], marker="o", lw=2, label="become 0")
    ax_lost.plot(exponents, 100 * result.imprecise, color=PALETTE["orange"], marker="s", ls="--", lw=2,
                 label="off by more than 1%")
    ax_lost.plot(exponents, 100 * result.overflowed, color=PALETTE["vermillion"], marker="^", ls="-.", lw=2,
                 label="become inf")
    ax_lost.set(xlabel="loss scale (log2)", ylabel="% of the gradients", title="Stored in float16",
                ylim=(-2, 102))
    ax_lost.legend(fontsize=7, loc="upper center")
    return fig


def loss_scaling_demo(sigmoid, sigmoid_grad):
    """The deep sigmoid network's gradients through float16, with and without loss scaling; or a note."""
    try:
        attempt(sigmoid, np.array([0.0]))
        attempt(sigmoid_grad, np.array([0.0]))
        result = loss_scaling(sigmoid, sigmoid_grad)
    except NotReady as exc:
        return exc.note("this demo")
    fig = plot_loss_scaling(result)
    best = int(np.argmin(result.flushed + result.imprecise + result.overflowed))
    fig.suptitle(f"Unscaled, {100 * result.flushed[0]:.0f}% of the gradients become 0 and "
                 f"{100 * result.imprecise[0]:.0f}% lose their digits; scaled by 2^{int(np.log2(result.scales[best]))}, "
                 f"{100 * (result.flushed[best] + result.imprecise[best] + result.overflowed[best]):.1f}% are harmed.",
                 fontsize=9, wrap=True)
    return as_image(fig)


# --------------------------------------------------------------------------
# a static figure: the activations and their derivatives
# --------------------------------------------------------------------------

def activations_figure(sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu, leaky_relu_grad, elu,
                       elu_grad):
    """The five activations of the lesson (left) and their derivatives (right), drawn with the student's functions."""
    x = np.linspace(-4.0, 4.0, 401)
    pairs = (("sigmoid", sigmoid, sigmoid_grad), ("tanh", tanh, tanh_grad), ("ReLU", relu, relu_grad),
             ("leaky ReLU (alpha 0.1)", functools.partial(leaky_relu, alpha=0.1),
              functools.partial(leaky_relu_grad, alpha=0.1)), ("ELU", elu, elu_grad))
    try:
        curves = [(name, np.asarray(attempt(f, x), dtype=float), np.asarray(attempt(g, x), dtype=float))
                  for name, f, g in pairs]
    except NotReady as exc:
        return exc.note("this figure")
    fig = new_figure(9.6, 3.4)
    ax_f, ax_g = fig.subplots(1, 2)
    styles = ((PALETTE["blue"], "-"), (PALETTE["orange"], "--"), (PALETTE["green"], "-."),
              (PALETTE["vermillion"], ":"), (PALETTE["purple"], (0, (5, 1, 1, 1))))
    for (name, values, slopes), (colour, ls) in zip(curves, styles):
        ax_f.plot(x, values, color=colour, ls=ls, lw=2, label=name)
        ax_g.plot(x, slopes, color=colour, ls=ls, lw=2, label=name)
    ax_f.set(xlabel="x", ylabel="f(x)", title="The activations", ylim=(-1.6, 4.1))
    ax_g.set(xlabel="x", ylabel="f'(x)", title="Their derivatives",
             ylim=(-0.05, 1.15))
    ax_g.axhline(0.25, color=PALETTE["grey"], lw=1, ls=":")
    ax_g.annotate("sigmoid's maximum, 1/4", (-3.9, 0.27), fontsize=7)
    ax_f.legend(fontsize=7, loc="upper left")
    return as_image(fig)
