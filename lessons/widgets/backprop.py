r"""Lesson 10's widget: a gradient check's relative error against the step ``h``, with the student's functions.

:func:`gradient_check_widget`
    A small network (:data:`N_INPUTS` inputs, ``depth`` hidden layers of
    :data:`WIDTH` units, :data:`N_CLASSES` classes, :data:`N_SAMPLES`
    samples, all drawn from a fixed seed).  For every step ``h`` of
    :data:`H_GRID` it computes the student's ``numerical_gradient`` of the
    student's own loss (the first value ``mlp_backward`` returns) with respect
    to all the parameters at once, and the student's ``relative_error``
    between it and the gradient ``mlp_backward`` returns.  Plotted on log-log
    axes the errors make the V of a central difference: truncation,
    :math:`O(h^2)`, on the right; rounding, :math:`O(\varepsilon / h)`, on
    the left.  Bands mark what an error means (right below ``1e-7``, wrong
    above ``1e-2``).  Controls: ``h`` (moves a marker along the curve), the
    hidden activation, the depth.  Each (activation, depth) curve is
    computed once and kept.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np

from ..blas import one_blas_thread
from .kit import PALETTE, NotReady, Panel, StaticBackdrop, attempt, log_slider, new_figure, static_parts

__all__ = ["H_GRID", "N_INPUTS", "WIDTH", "N_CLASSES", "N_SAMPLES", "SEED", "RIGHT", "WRONG", "network",
           "error_curve", "gradient_check_widget"]

#: The steps h of the curve: 10**-12 to 10**-0.5, two per decade.
H_GRID = 10.0 ** np.arange(-12.0, -0.25, 0.5)
#: The network's shape: inputs, width of every hidden layer, classes, and samples in the batch.
N_INPUTS, WIDTH, N_CLASSES, N_SAMPLES = 4, 5, 3, 6
#: Seed of the inputs, labels and weights (one network per depth, the same for both activations).
SEED = 10
#: Below RIGHT the gradient is right; above WRONG it is wrong (CS231n's reading of a relative error).
RIGHT, WRONG = 1e-7, 1e-2
_ANCHOR = int(np.argmin(np.abs(H_GRID - 1e-3)))


def network(depth: int) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """``(X, y, weights, biases)`` of the widget's network with ``depth`` hidden layers (Glorot-sized weights)."""
    if depth < 1:
        raise ValueError(f"depth must be at least 1 hidden layer, got {depth}")
    rng = np.random.default_rng([SEED, depth])
    sizes = (N_INPUTS,) + (WIDTH,) * depth + (N_CLASSES,)
    weights = [rng.normal(scale=math.sqrt(2.0 / (a + b)), size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(scale=0.1, size=b) for b in sizes[1:]]
    X = rng.normal(size=(N_SAMPLES, N_INPUTS))
    y = rng.integers(0, N_CLASSES, size=N_SAMPLES)
    return X, y, weights, biases


def _unpacker(weights, biases):
    shapes = [p.shape for p in weights + biases]
    cuts = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]

    def unpack(theta):
        parts = [part.reshape(shape) for part, shape in zip(np.split(np.asarray(theta, dtype=np.float64), cuts),
                                                              shapes)]
        return parts[:len(weights)], parts[len(weights):]

    return unpack


def _as_number(value, name: str, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise NotReady(f"`{name}` should return {what} as a number, got {type(value).__name__}.") from None
    return number


def error_curve(mlp_backward, numerical_gradient, relative_error, *, activation: str, depth: int) -> np.ndarray:
    """The student's relative error between numerical and analytic gradients for every ``h`` of :data:`H_GRID`.

    Returns
    -------
    ndarray of shape (len(H_GRID),)
        ``relative_error(numerical_gradient(loss, theta, h=h), analytic)``,
        where ``theta`` is every weight and bias in one vector, ``loss`` the
        student's loss at ``theta`` and ``analytic`` the student's gradient.

    Raises
    ------
    NotReady
        If a function is a stub, fails, or returns something of the wrong kind.
    """
    names = [getattr(fn, "__name__", default) for fn, default in
             ((mlp_backward, "mlp_backward"), (numerical_gradient, "numerical_gradient"),
              (relative_error, "relative_error"))]
    X, y, weights, biases = network(depth)
    unpack = _unpacker(weights, biases)
    theta = np.concatenate([p.ravel() for p in weights + biases])
    result = attempt(mlp_backward, X, y, weights, biases, activation=activation)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise NotReady(f"`{names[0]}` should return `loss, grads_W, grads_b`, got {type(result).__name__}.")
    try:
        analytic = np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in list(result[1]) + list(result[2])])
    except (TypeError, ValueError):
        raise NotReady(f"`{names[0]}` should return grads_W and grads_b as lists of arrays.") from None
    if analytic.shape != theta.shape:
        raise NotReady(f"`{names[0]}`'s gradients hold {analytic.size} numbers; the network has {theta.size} "
                       f"parameters.")

    def loss(vector):
        W, b = unpack(vector)
        return _as_number(attempt(mlp_backward, X, y, W, b, activation=activation)[0], names[0], "the loss")

    errors = []
    with one_blas_thread():
        for h in H_GRID:
            approx = np.asarray(attempt(numerical_gradient, loss, theta.copy(), h=float(h)), dtype=np.float64)
            if approx.shape != theta.shape:
                raise NotReady(f"`{names[1]}` should return an array of the shape of x, {theta.shape}; got shape "
                               f"{approx.shape}.")
            errors.append(_as_number(attempt(relative_error, approx, analytic), names[2], "the relative error"))
    return np.array(errors)


def _reading(error: float) -> str:
    if not math.isfinite(error):
        return "not a number: look at your functions"
    if error < RIGHT:
        return "the gradient is right"
    if error < 1e-4:
        return "probably right: look closer if the loss has kinks (ReLU) near this point"
    if error < WRONG:
        return "suspicious: a right gradient usually does much better with a good h"
    return "wrong, or h is far too small or too large"


def gradient_check_widget(mlp_backward, numerical_gradient, relative_error) -> Panel:
    """Slide the step h of a gradient check and watch the relative error; change the activation and the depth.

    Parameters
    ----------
    mlp_backward, numerical_gradient, relative_error : callable
        The student's functions from lesson 10.

    Returns
    -------
    Panel
        ``controls["h"]`` (log slider), ``controls["activation"]`` ("tanh" or
        "relu") and ``controls["depth"]`` (1 to 4 hidden layers); one axes,
        the relative error against ``h``.
    """
    fig = new_figure(7.6, 3.6)
    ax = fig.subplots()
    ax.axhspan(1e-18, RIGHT, color=PALETTE["green"], alpha=0.12, lw=0)
    ax.axhspan(WRONG, 1e3, color=PALETTE["vermillion"], alpha=0.12, lw=0)
    ax.text(1.5e-12, 3e-8, "right (below 1e-7)", fontsize=8, color=PALETTE["black"], va="top")
    ax.text(1.5e-12, 2e-2, "wrong (above 1e-2)", fontsize=8, color=PALETTE["black"], va="bottom")
    curve = ax.plot([], [], color=PALETTE["blue"], lw=2, marker="o", ms=3, label="your gradient check")[0]
    truncation = ax.plot([], [], color=PALETTE["orange"], lw=1, ls="--", label=r"$\propto h^2$ (truncation)")[0]
    rounding = ax.plot([], [], color=PALETTE["purple"], lw=1, ls=":", label=r"$\propto \varepsilon / h$ (rounding)")[0]
    marker = ax.plot([], [], "D", color=PALETTE["vermillion"], ms=9, zorder=5)[0]
    ax.set(xscale="log", yscale="log", xlim=(H_GRID[0] / 2, H_GRID[-1] * 2), ylim=(1e-13, 10),
           xlabel="step h of the central difference", ylabel="relative error (numerical vs analytic)",
           title="Gradient check of a small network")
    ax.legend(loc="lower left", fontsize=8)
    cache: dict[tuple[str, int], np.ndarray] = {}
    shown: list = [None]
    # Everything but the marker changes only with the curve: one picture per (activation, depth) shown.
    StaticBackdrop(fig, static_parts(ax, *ax.patches, curve, truncation, rounding, texts=True),
                   key=lambda: shown[0], max_cached=8)

    def update(h: float, activation: str, depth: int) -> str:
        key = (activation, int(depth))
        if key not in cache:
            cache[key] = error_curve(mlp_backward, numerical_gradient, relative_error, activation=activation,
                                     depth=int(depth))
        errors = cache[key]
        if shown[0] != key:
            shown[0] = key
            plotted = np.where(errors > 0, errors, np.nan)
            curve.set_data(H_GRID, plotted)
            # The two asymptotes: slope 2 through the curve at h = 1e-3 (below the kinks of ReLU at the
            # widget's sizes), slope -1 through its left end.
            at, left = plotted[_ANCHOR], plotted[0]
            right_side, left_side = H_GRID[H_GRID >= 1e-7], H_GRID[H_GRID <= 1e-4]
            truncation.set_data(right_side, at * (right_side / H_GRID[_ANCHOR]) ** 2)
            rounding.set_data(left_side, left * H_GRID[0] / left_side)
        i = int(np.argmin(np.abs(np.log10(H_GRID) - math.log10(h))))
        marker.set_data([H_GRID[i]], [errors[i] if errors[i] > 0 else np.nan])
        best = int(np.nanargmin(np.where(errors > 0, errors, np.nan))) if (errors > 0).any() else i
        return (f"h = {H_GRID[i]:.0e}: relative error <b>{errors[i]:.1e}</b>, {_reading(errors[i])}. "
                f"Smallest error {errors[best]:.1e} at h = {H_GRID[best]:.0e} ({activation}, {int(depth)} hidden "
                f"layer{'s' if depth > 1 else ''}).")

    controls = {
        "h": log_slider("step h", low_exp=-12, high_exp=-0.5, value=1e-5, step=0.5, fmt=".0e"),
        "activation": widgets.ToggleButtons(options=["tanh", "relu"], value="tanh", description="activation"),
        "depth": widgets.IntSlider(value=2, min=1, max=4, description="hidden layers",
                                   style={"description_width": "initial"}),
    }
    return Panel(controls, fig, update,
                 "Move <b>h</b> along the curve: too large and the difference quotient is not the derivative "
                 "(truncation), too small and the two losses agree in almost every digit (rounding). Then try "
                 "<b>relu</b>: its kinks change the right side of the V.")
