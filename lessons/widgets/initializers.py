"""Lesson 04's widget: how the spread of the activations grows or dies with depth, per initializer.

A fixed batch of 200 inputs with 100 standard normal features goes through a
stack of up to 50 dense layers of width 100 (zero biases).  The weights come
from the student's initializers (or from zeros), multiplied by a "weight
scale"; the activation is tanh, ReLU, sigmoid or none.  The left axes show
the standard deviation of every layer's output, computed by the student's
``layer_activation_stds``, on a log scale; the right axes the distribution
of the outputs of the first, middle and last layers (for the first 100
inputs of the batch).

Speed: an update computes the student's standard deviations and extends a
cached forward pass for the histograms (BLAS limited to one thread); the axes,
ticks and labels are drawn once per set of rounded axis limits and reused
(:class:`~lessons.widgets.kit.StaticBackdrop` with a key), so most redraws only draw the lines.
"""

from __future__ import annotations

import math
from typing import Callable

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator, PercentFormatter

from ..blas import one_blas_thread
from ..sigmoid import stable_sigmoid
from .kit import (PALETTE, NotReady, Panel, StaticBackdrop, attempt, finite_or_nan, log_slider, new_figure,
                  static_parts)

N_SAMPLES = 200
WIDTH = 100
MAX_DEPTH = 50
N_BINS = 41
SEED = 4
#: The histograms use the first 100 inputs of the batch (10,000 outputs per layer): plenty for a picture,
#: at half the cost of a second forward pass of the whole batch.
N_HISTOGRAM = 100


def identity(z):
    """No activation: the layer stays linear."""
    return z


def relu(z):
    """``max(z, 0)``."""
    return np.maximum(z, 0.0)


def sigmoid(z):
    """The logistic sigmoid, without overflow."""
    return stable_sigmoid(z)


#: key -> (label, function, value at 0, histogram range for outputs of spread s1 in layer 1)
ACTIVATIONS: dict[str, tuple[str, Callable, float, Callable[[float], tuple[float, float]]]] = {
    "tanh": ("tanh", np.tanh, 0.0, lambda s: (-1.0, 1.0)),
    "relu": ("ReLU", relu, 0.0, lambda s: (0.0, _nice_ceiling(6.0 * s))),
    "sigmoid": ("sigmoid", sigmoid, 0.5, lambda s: (0.0, 1.0)),
    "linear": ("linear (none)", identity, 0.0, lambda s: (-_nice_ceiling(4.0 * s), _nice_ceiling(4.0 * s))),
}

#: initializer key -> label; "zeros" is the widget's own, the others are the student's functions.
INITIALIZERS = {
    "zeros": "zeros",
    "small_random_init": "small random (std 0.01)",
    "glorot_uniform": "Glorot uniform",
    "glorot_normal": "Glorot normal",
    "he_normal": "He normal",
}

#: Colours and line styles of the three histograms: first, middle and last layer.
_HIST_STYLES = ((PALETTE["blue"], "-"), (PALETTE["orange"], "--"), (PALETTE["vermillion"], ":"))


def _inputs() -> np.ndarray:
    """The batch every network sees: 200 samples of 100 standard normal features."""
    return np.random.default_rng(SEED).normal(size=(N_SAMPLES, WIDTH))


def _shown_layers(depth: int) -> list[int]:
    """The 1-based layers whose histograms are drawn: first, middle and last (without repeats)."""
    return sorted({1, (depth + 1) // 2, depth})


def _hist_slots(shown: list[int]) -> list[int | None]:
    """The layers of the three histograms (first, middle, last); ``None`` where a shallow stack has fewer."""
    if len(shown) == 3:
        return shown
    if len(shown) == 2:
        return [shown[0], None, shown[1]]
    return [shown[0], None, None]


def _histogram(h: np.ndarray, low: float, high: float) -> np.ndarray:
    """Share of the entries of ``h`` in each of ``N_BINS`` bins over ``[low, high]``; outliers go to the end bins."""
    width = (high - low) / N_BINS
    idx = np.floor((h.ravel() - low) / width)
    idx = np.clip(np.nan_to_num(idx, nan=0.0, posinf=N_BINS - 1, neginf=0.0), 0, N_BINS - 1).astype(np.intp)
    return np.bincount(idx, minlength=N_BINS) / h.size


def _extend(outputs: list[np.ndarray], x: np.ndarray, weights: list[np.ndarray], act: Callable) -> None:
    """Append the outputs of the layers after ``len(outputs)`` (computed here for the histograms)."""
    h = outputs[-1] if outputs else x
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for W in weights[len(outputs):]:
            h = act(h @ W)
            outputs.append(h)


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value: float, _position=None) -> str:
    """A tick label such as 10⁻²⁰ in plain text: matplotlib's mathtext labels take far longer to draw."""
    if value <= 0:
        return ""
    return "10" + str(int(round(math.log10(value)))).translate(_SUPERSCRIPTS)


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten that is at least ``value`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
                if step * power >= value * (1 - 1e-12))


def _log_limits(values: np.ndarray, reference: float) -> tuple[float, float]:
    """Rounded log-scale limits showing ``values`` and ``reference`` (and a little margin).

    The limits are whole decades, rounded to a grid of 2, 10 or 50 decades as
    the range grows, so that most moves of a control keep them (and the cached
    axes picture) unchanged.
    """
    good = values[np.isfinite(values) & (values > 0)]
    low = math.floor(math.log10(min(float(good.min()) if good.size else reference, 0.05 * reference)))
    high = math.ceil(math.log10(max(float(good.max()) if good.size else reference, 20.0 * reference)))
    span = high - low
    grid = 2 if span <= 8 else 10 if span <= 60 else 50
    bottom = grid * math.floor((low - 0.5) / grid)
    top = grid * math.ceil((high + 0.5) / grid)
    return 10.0 ** max(bottom, -300), 10.0 ** min(top, 300)


def _decade_ticks(low: float, high: float) -> np.ndarray:
    """At most 8 ticks at powers of ten whose exponents are multiples of 1, 2, 5, 10, 20 or 50."""
    a, b = round(math.log10(low)), round(math.log10(high))
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if (b - a) // s + 1 <= 8)
    return 10.0 ** np.arange(step * math.ceil(a / step), b + 1, step)


#: Heights of the histogram axes, as shares of the outputs: the smallest one that fits is used.
_SHARE_LIMITS = (0.1, 0.25, 0.5, 1.0)


def _fmt(value: float) -> str:
    if not np.isfinite(value):
        return "overflow (inf)"
    return f"{value:.3g}"


def activation_stats_widget(small_random_init, glorot_uniform, glorot_normal, he_normal,
                            layer_activation_stds) -> Panel:
    """Depth, initializer, weight-scale and activation controls; the spread of every layer's output.

    Parameters
    ----------
    small_random_init, glorot_uniform, glorot_normal, he_normal : callable
        The student's initializers, ``init(fan_in, fan_out, *, rng)`` returning
        an array of shape ``(fan_in, fan_out)``.
    layer_activation_stds : callable
        The student's ``layer_activation_stds(x, weights, activation)``,
        returning one standard deviation per layer.

    Returns
    -------
    Panel
        ``controls``: ``"depth"`` (1 to 50 layers), ``"initializer"`` (``"zeros"``,
        ``"small_random_init"``, ``"glorot_uniform"``, ``"glorot_normal"``,
        ``"he_normal"``), ``"scale"`` (a factor multiplying every weight, 0.1
        to 10) and ``"activation"`` (``"tanh"``, ``"relu"``, ``"sigmoid"``,
        ``"linear"``).  The left axes show the standard deviation of each
        layer's output (log scale); the right axes histograms of the outputs
        of the first, middle and last layers.

    Notes
    -----
    Each initializer draws the weights of all 50 layers once, from the same
    seed, and the result is cached: moving the depth or the activation reuses
    them, and the weight scale only multiplies them.  The network has 100
    units in every layer and sees a fixed batch of 200 standard normal inputs
    (standard deviation 1).
    """
    functions = {"small_random_init": small_random_init, "glorot_uniform": glorot_uniform,
                 "glorot_normal": glorot_normal, "he_normal": he_normal}
    x = _inputs()
    input_std = float(np.std(x))
    drawn: dict[str, list[np.ndarray]] = {}
    # The outputs of every layer for the current (initializer, scale, activation), for the histograms:
    # moving the depth only extends them.
    seen: dict[str, object] = {"key": None, "outputs": []}

    def weights_of(key: str) -> list[np.ndarray]:
        if key not in drawn:
            if key == "zeros":
                drawn[key] = [np.zeros((WIDTH, WIDTH)) for _ in range(MAX_DEPTH)]
            else:
                fn, rng, mats = functions[key], np.random.default_rng(SEED + 1), []
                for _ in range(MAX_DEPTH):
                    W = np.asarray(attempt(fn, WIDTH, WIDTH, rng=rng), dtype=np.float64)
                    if W.shape != (WIDTH, WIDTH):
                        raise NotReady(f"Your `{fn.__name__}({WIDTH}, {WIDTH}, rng=rng)` returned shape "
                                       f"{W.shape}, expected ({WIDTH}, {WIDTH}).")
                    mats.append(W)
                drawn[key] = mats
        return drawn[key]

    fig = new_figure(9.0, 3.5)
    ax_std, ax_hist = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1.0]})
    layers = np.arange(1, MAX_DEPTH + 1)
    ax_std.axhline(input_std, color=PALETTE["grey"], lw=1, ls="--")
    std_line = ax_std.plot([], [], color=PALETTE["black"], lw=1.5, label="std of the layer's output")[0]
    picks = [ax_std.plot([], [], "o", ms=9, mfc="none", mew=2, color=c)[0] for c, _ in _HIST_STYLES]
    zero_note = ax_std.text(0.5, 0.62, "", transform=ax_std.transAxes, ha="center", va="center", fontsize=9,
                            bbox={"facecolor": "white", "edgecolor": PALETTE["grey"]})
    ax_std.set(xlabel="layer", ylabel="standard deviation of the output (log scale)",
               xlim=(0.5, MAX_DEPTH + 0.5), yscale="log",
               ylim=(1e-100, 1e100))  # the widest tick labels, so that the layout leaves room for them
    ax_std.set_title("Spread of each layer's output (dashed: the input's, 1)", pad=10)
    # decades only, at most eight labels (set with the limits): tick labels are most of the cost of a redraw
    ax_std.yaxis.set_minor_locator(NullLocator())
    ax_std.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))
    hist_lines = [ax_hist.plot([], [], color=c, ls=ls, lw=2, drawstyle="steps-mid")[0] for c, ls in _HIST_STYLES]
    ax_hist.set(xlabel="output value of a unit", ylabel="outputs per bin\n(ReLU: % of the positive ones)",
                xlim=(-1.0, 1.0), ylim=(0.0, 1.0))
    ax_hist.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))  # whole percents
    ax_hist.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    # the legend sits above the axes, where no spike of a histogram can hide it
    ax_hist.legend(hist_lines, ["layer 1", "middle layer", "last layer"], loc="lower center",
                   bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=8, title="outputs of the circled layers",
                   title_fontsize=9, frameon=False)
    # Axes, ticks, labels and legends are drawn once per set of (rounded) limits, then reused.
    StaticBackdrop(fig, static_parts(ax_std) + static_parts(ax_hist),
                   key=lambda: (ax_std.get_ylim(), ax_hist.get_xlim(), ax_hist.get_ylim()), max_cached=12)

    def update(depth: int, initializer: str, scale: float, activation: str) -> str:
        with one_blas_thread():
            return _update(int(depth), initializer, float(scale), activation)

    def _update(depth: int, initializer: str, scale: float, activation: str) -> str:
        act_label, act, at_zero, hist_range = ACTIVATIONS[activation]
        weights = [scale * W for W in weights_of(initializer)[:depth]]
        stds = attempt(layer_activation_stds, x.copy(), weights, act)  # a copy: x must survive any student code
        stds = np.asarray(stds, dtype=np.float64).ravel() if stds is not None else np.array([])
        if stds.shape != (depth,):
            raise NotReady(f"Your `layer_activation_stds` returned {stds.size} values for {depth} layers: "
                           "return one standard deviation per weight matrix.")
        shown = _shown_layers(depth)
        if seen["key"] != (initializer, scale, activation):
            seen["key"], seen["outputs"] = (initializer, scale, activation), []
        outputs = seen["outputs"]
        _extend(outputs, x[:N_HISTOGRAM], weights, act)

        # left: the student's standard deviations
        plotted = finite_or_nan(stds)
        plotted[plotted <= 0] = np.nan
        std_line.set_data(layers[:depth], plotted)
        for pick, layer in zip(picks, _hist_slots(shown)):
            pick.set_data(([layer], [plotted[layer - 1]]) if layer else ([], []))
        low, high = _log_limits(plotted, input_std)
        ax_std.set_ylim(low, high)
        ax_std.set_yticks(_decade_ticks(low, high))

        # right: histograms of the chosen layers
        s1 = float(np.std(outputs[0])) if np.all(np.isfinite(outputs[0])) else 1.0
        lo, hi = hist_range(s1 if s1 > 0 else 1.0)
        centres = lo + (np.arange(N_BINS) + 0.5) * (hi - lo) / N_BINS
        tallest = 0.0
        for line, layer in zip(hist_lines, _hist_slots(shown)):
            if layer is None:
                line.set_data([], [])
                continue
            h = outputs[layer - 1]
            if activation == "relu":  # half the outputs are exactly 0: show the others
                h = h[h > 0] if np.any(h > 0) else h.ravel()
            shares = _histogram(h, lo, hi)
            line.set_data(centres, shares)
            tallest = max(tallest, float(shares.max()))
        ax_hist.set_xlim(lo, hi)
        ax_hist.set_ylim(0, 1.08 * next(top for top in _SHARE_LIMITS if top >= tallest - 1e-12))

        name = INITIALIZERS[initializer]
        if initializer == "zeros":
            zero_note.set_text(f"Zero weights: every unit of every layer outputs {act_label}(0) = {at_zero:g}.\n"
                               "All the standard deviations are 0 (off this log scale):\n"
                               "the units are identical copies of each other.")
            return (f"<b>zeros</b>, {act_label}: every output equals {at_zero:g}, so every unit of a layer "
                    "computes the same thing and, in training, receives the same gradient. Nothing ever "
                    "makes them differ: see the demo below.")
        zero_note.set_text("")
        first, last = float(stds[0]), float(stds[-1])
        text = (f"<b>{name}</b> &times; {scale:.3g}, {act_label}, {depth} layer{'s' if depth > 1 else ''}: "
                f"std {_fmt(first)} after layer 1, <b>{_fmt(last)}</b> after layer {depth}")
        if depth > 1 and np.isfinite(last) and last > 0 and first > 0:
            factor = (last / first) ** (1.0 / (depth - 1))
            text += f" (&times;{factor:.3g} per layer on average)"
        elif not np.isfinite(last):
            text += "; the signal overflowed float64"
        return text + "."

    controls = {
        "depth": widgets.IntSlider(value=20, min=1, max=MAX_DEPTH, step=1, description="depth (layers)",
                                   continuous_update=True, style={"description_width": "initial"}),
        "initializer": widgets.Dropdown(options=[(label, key) for key, label in INITIALIZERS.items()],
                                        value="small_random_init", description="initializer",
                                        style={"description_width": "initial"}),
        "scale": log_slider("weight scale ×", low_exp=-1, high_exp=1, value=1.0, step=0.05),
        "activation": widgets.Dropdown(options=[(label, key) for key, (label, *_rest) in ACTIVATIONS.items()],
                                       value="tanh", description="activation",
                                       style={"description_width": "initial"}),
    }
    return Panel(controls, fig, update,
                 "A batch of 200 inputs (std 1) goes through <b>depth</b> layers of 100 units with zero "
                 "biases. Choose the <b>initializer</b> (yours), a <b>weight scale</b> that multiplies every "
                 "weight, and the <b>activation</b>. Left: the standard deviation of each layer's output, "
                 "from your <code>layer_activation_stds</code>. Right: the outputs of the first, middle "
                 "and last layers, circled on the left (values beyond the axis are counted in the end bins; "
                 "for ReLU, the exact zeros, about half of the outputs, are left out).")
