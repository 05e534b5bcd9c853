r"""Lesson 09's widget: how the size of the error term changes from layer to layer.

Left: a batch of 64 digits goes forward through ``depth`` hidden layers of 32
units (weights drawn once, scaled to a standard deviation of
``scale / sqrt(fan_in)``, biases 0) with the student's activation, and the
student's ``backprop_delta_norms`` measures :math:`\|\delta_l\|` for every
hidden layer with the student's derivative.  The chosen activation is drawn
bold; the other activations the student has implemented are drawn faintly for
comparison.

Right: the deep linear chain of the notes, two units per layer with weights
:math:`1.5\,I` and :math:`0.5\,I`, computed once by repeated multiplication in
``float64``: the entry :math:`1.5^{l-1}` overflows to ``inf`` (then ``inf``
times the zero off-diagonal entries gives ``nan``), and :math:`0.5^{l-1}`
underflows to 0.  That chain is computed by this module inside
``np.errstate(over="ignore", invalid="ignore")``, so the overflow prints no
warning.
"""

from __future__ import annotations

import warnings

import ipywidgets as widgets
import numpy as np
from matplotlib import ticker

from ..data import load_digits
from .kit import PALETTE, NotReady, Panel, problem_html, StaticBackdrop, attempt, new_figure, slider, static_parts

#: Hidden layers: width and the largest depth the slider offers.
WIDTH = 32
MAX_DEPTH = 40
N_SAMPLES = 64
#: The deep linear chain: how many layers are computed.
CHAIN_LAYERS = 2200
#: The y range of the left axes (norms outside it are reported in the status line).
NORM_LIMITS = (1e-40, 1e30)

ACTIVATIONS = ("sigmoid", "ReLU", "leaky ReLU", "ELU")
_STYLES = {  # name -> (colour, line style)
    "sigmoid": (PALETTE["orange"], "-"),
    "ReLU": (PALETTE["blue"], "--"),
    "leaky ReLU": (PALETTE["green"], "-."),
    "ELU": (PALETTE["purple"], ":"),
}


def linear_chain(factor: float, n_layers: int = CHAIN_LAYERS) -> np.ndarray:
    r"""The first entry of :math:`x_l = x_{l-1} W` with :math:`W = \text{factor}\cdot I_2` and :math:`x_1 = (1, 1)`.

    Parameters
    ----------
    factor : float
        The diagonal of the 2 x 2 weight matrix (1.5 or 0.5 in the notes).
    n_layers : int

    Returns
    -------
    ndarray of shape (n_layers,)
        Entry ``l - 1`` is the float64 value of :math:`\text{factor}^{l-1}`
        as repeated multiplication computes it: ``inf`` once it overflows,
        ``nan`` one layer later (``inf * 0`` from the zero off-diagonal
        entries), 0 once it underflows.  No warning is printed.
    """
    W = factor * np.eye(2)
    x = np.ones(2)
    out = np.empty(n_layers)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for layer in range(n_layers):
            out[layer] = x[0]
            x = x @ W
    return out


def _first(mask: np.ndarray) -> int | None:
    """The 1-based layer where ``mask`` is first true, or None."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) + 1 if hits.size else None


def _digits_batch(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """64 training digits, every pixel standardized over the training set."""
    split = load_digits(seed=seed)
    mean, std = split.X_train.mean(axis=0), split.X_train.std(axis=0)
    X = (split.X_train[:N_SAMPLES] - mean) / np.where(std > 0, std, 1.0)
    return X, split.y_train[:N_SAMPLES]


def delta_norms(act, act_grad, backprop_delta_norms, X, y, base_weights, *, depth: int, scale: float):
    """Forward a batch through ``depth`` hidden layers, then the student's ``backprop_delta_norms``.

    Parameters
    ----------
    act, act_grad : callable
        The hidden activation and its derivative (the student's).
    backprop_delta_norms : callable
        The student's function.
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of int of shape (n_samples,)
    base_weights : list of ndarray
        Standard normal draws: ``(n_features, WIDTH)``, then ``MAX_DEPTH - 1``
        of ``(WIDTH, WIDTH)``, then ``(WIDTH, n_classes)``.
    depth : int
        Hidden layers, 1 to ``MAX_DEPTH``.
    scale : float
        Each weight matrix is ``scale / sqrt(fan_in)`` times its draws.

    Returns
    -------
    ndarray of shape (depth,)
        The norms of the hidden deltas, first hidden layer first.

    Raises
    ------
    NotReady
        If a function is a stub, raises, or returns the wrong shape.
    """
    weights = [base_weights[0]] + list(base_weights[1:depth]) + [base_weights[-1]]
    weights = [scale / np.sqrt(W.shape[0]) * W for W in weights]
    h, zs = X, []
    for W in weights[:-1]:
        z = h @ W
        zs.append(z)
        h = np.asarray(attempt(act, z), dtype=np.float64)
        if h.shape != z.shape:
            raise NotReady(f"Your `{act.__name__}` returned shape {h.shape} for an input of shape {z.shape}.")
    logits = h @ weights[-1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    delta_out = p / len(y)
    attempt(act_grad, zs[0].copy())  # a stub of the derivative is named as such, not as backprop's error
    norms = np.asarray(attempt(backprop_delta_norms, weights, zs, act_grad, delta_out), dtype=np.float64)
    if norms.shape != (depth,):
        raise NotReady(f"Your `backprop_delta_norms` returned shape {norms.shape} for {depth} hidden layers, "
                       f"expected ({depth},).")
    return norms


def gradient_flow_widget(sigmoid, sigmoid_grad, relu, relu_grad, leaky_relu, leaky_relu_grad, elu, elu_grad,
                         backprop_delta_norms) -> Panel:
    """Depth, weight scale and activation against the norm of every hidden layer's error term.

    Parameters
    ----------
    sigmoid, sigmoid_grad, relu, relu_grad, leaky_relu, leaky_relu_grad, elu, elu_grad : callable
        The student's activations and derivatives (lesson 09), default slopes.
    backprop_delta_norms : callable
        The student's function.

    Returns
    -------
    Panel
        ``controls["depth"]`` (1 to 40 hidden layers), ``controls["scale"]``
        (weights of standard deviation ``scale / sqrt(fan_in)``),
        ``controls["activation"]`` (one of :data:`ACTIVATIONS`) and
        ``controls["chain_layer"]`` (the layer read off the linear chain).
    """
    pairs = {"sigmoid": (sigmoid, sigmoid_grad), "ReLU": (relu, relu_grad),
             "leaky ReLU": (leaky_relu, leaky_relu_grad), "ELU": (elu, elu_grad)}
    X, y = _digits_batch()
    rng = np.random.default_rng(9)
    base = ([rng.normal(size=(X.shape[1], WIDTH))] + [rng.normal(size=(WIDTH, WIDTH)) for _ in range(MAX_DEPTH - 1)]
            + [rng.normal(size=(WIDTH, 10))])
    layers = np.arange(1, CHAIN_LAYERS + 1)
    up, down = linear_chain(1.5), linear_chain(0.5)
    first_inf, first_nan, first_zero = _first(np.isinf(up)), _first(np.isnan(up)), _first(down == 0)

    fig = new_figure(9.6, 3.7)
    ax_norm, ax_chain = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1.0]})
    lines = {}
    for name in ACTIVATIONS:
        colour, ls = _STYLES[name]
        lines[name] = ax_norm.plot([], [], color=colour, ls=ls, lw=1.8, marker="o", ms=3, label=name)[0]
    ax_norm.axhline(1.0, color=PALETTE["grey"], lw=0.8)
    ax_norm.set(xlim=(0.5, MAX_DEPTH + 0.5), ylim=NORM_LIMITS, yscale="log",
                xlabel="hidden layer l (1 = next to the input)", ylabel="||delta_l|| (Frobenius norm)",
                title="Error term of every hidden layer (64 digits)")
    ax_norm.yaxis.set_major_locator(ticker.LogLocator(base=10.0, numticks=8))
    ax_norm.yaxis.set_minor_locator(ticker.NullLocator())
    ax_norm.legend(loc="upper left", fontsize=8, ncols=2, title="activation (bold: chosen)", title_fontsize=8)

    ax_chain.plot(layers, np.where(np.isfinite(up), up, np.nan), color=PALETTE["vermillion"], lw=2,
                  label="W = 1.5 I: 1.5**(l-1)")
    ax_chain.plot(layers, np.where(down > 0, down, np.nan), color=PALETTE["blue"], lw=2, ls="--",
                  label="W = 0.5 I: 0.5**(l-1)")
    for at, text, colour in ((first_inf, f"inf from l = {first_inf}\nnan from l = {first_nan}",
                              PALETTE["vermillion"]),
                             (first_zero, f"0 from l = {first_zero}", PALETTE["blue"])):
        ax_chain.axvline(at, color=colour, lw=0.8, ls=":")
        below = colour == PALETTE["blue"]  # the underflow label sits right of its line, clear of the curve
        ax_chain.text(at + 30 if below else at - 30, 1e-150 if below else 1e150, text, color=colour, fontsize=8,
                      ha="left" if below else "right", va="center")
    ax_chain.set(xlim=(0, CHAIN_LAYERS), ylim=(5e-324, 1.7e308), yscale="log", xlabel="layer l",
                 ylabel="entry of x_l in float64", title="The deep linear chain (two units per layer)")
    ax_chain.yaxis.set_major_locator(ticker.FixedLocator([1e-300, 1e-200, 1e-100, 1.0, 1e100, 1e200, 1e300]))
    ax_chain.yaxis.set_minor_locator(ticker.NullLocator())
    ax_chain.legend(loc="lower left", fontsize=8)
    marker_up, = ax_chain.plot([], [], "o", color=PALETTE["vermillion"], ms=7, mec="black")
    marker_down, = ax_chain.plot([], [], "s", color=PALETTE["blue"], ms=7, mec="black")
    cursor = ax_chain.axvline(1, color=PALETTE["black"], lw=1)
    static = [(ax_chain, line) for line in ax_chain.lines if line not in (marker_up, marker_down, cursor)]
    StaticBackdrop(fig, static_parts(ax_norm, collections=True, texts=True) + static_parts(ax_chain, collections=True, texts=True) + static)

    cache: dict = {}

    def update(depth: int, scale: float, activation: str, chain_layer: int) -> str:
        i = chain_layer - 1
        marker_up.set_data([chain_layer], [up[i] if np.isfinite(up[i]) else np.nan])
        marker_down.set_data([chain_layer], [down[i] if down[i] > 0 else np.nan])
        cursor.set_xdata([chain_layer, chain_layer])
        chain = (f"Chain at layer l = {chain_layer}: 1.5**(l-1) computes as <code>{float(up[i])!r}</code>, "
                 f"0.5**(l-1) as <code>{float(down[i])!r}</code>.")
        key = (depth, round(scale, 6))
        if key not in cache:
            cache.clear()  # only the latest depth and scale: moving the other controls reuses them
            results: dict = {}
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                for name, (act, act_grad) in pairs.items():
                    try:
                        results[name] = delta_norms(act, act_grad, backprop_delta_norms, X, y, base, depth=depth,
                                                    scale=scale)
                    except NotReady as exc:
                        results[name] = exc
            cache[key] = results
        results = {name: r for name, r in cache[key].items() if not isinstance(r, NotReady)}
        if activation not in results:
            for line in lines.values():
                line.set_data([], [])
            return f"{problem_html(cache[key][activation].message)}<br>{chain}"
        for name, line in lines.items():
            norms = results.get(name)
            if norms is None:
                line.set_data([], [])
                continue
            line.set_data(np.arange(1, depth + 1), np.where(norms > 0, norms, np.nan))
            chosen = name == activation
            line.set_linewidth(2.6 if chosen else 1.0)
            line.set_alpha(1.0 if chosen else 0.35)
            line.set_zorder(3 if chosen else 2)
        norms = results[activation]
        first, last = norms[0], norms[-1]
        if not np.isfinite(first):
            verdict = f"the first layer's norm is <b>{first}</b>: the gradient overflowed"
        elif last == 0 or first == 0:
            verdict = "a norm is exactly 0: no error reaches those layers (dead units or underflow)"
        else:
            ratio = first / last
            kind = "vanishes" if ratio < 0.1 else "explodes" if ratio > 10 else "keeps its size"
            verdict = (f"||delta_1|| / ||delta_{depth}|| = <b>{ratio:.3g}</b>: going back to the input, the "
                       f"gradient {kind}")
        off = (np.min(norms) < NORM_LIMITS[0] or np.max(norms) > NORM_LIMITS[1]) if np.all(np.isfinite(norms)) else False
        return (f"<b>{activation}</b>, {depth} hidden layer(s), weight std {scale:.2g} / sqrt(fan_in): {verdict}"
                f"{' (some norms are off the chart)' if off else ''}.<br>{chain}")

    controls = {
        "depth": widgets.IntSlider(value=20, min=1, max=MAX_DEPTH, description="hidden layers",
                                   continuous_update=True, style={"description_width": "initial"}),
        "scale": slider("weight scale", low=0.25, high=3.0, value=1.0, step=0.05),
        "activation": widgets.Dropdown(options=list(ACTIVATIONS), value="sigmoid", description="activation",
                                       style={"description_width": "initial"}),
        "chain_layer": widgets.IntSlider(value=1, min=1, max=CHAIN_LAYERS, description="chain layer l",
                                         continuous_update=True, style={"description_width": "initial"}),
    }
    return Panel(controls, fig, update,
                 "Left: choose the number of <b>hidden layers</b>, the <b>weight scale</b> (weights have standard "
                 "deviation scale / sqrt(fan_in): 1 is LeCun's, 1.41 He's) and the <b>activation</b>; the plot "
                 "shows ||delta_l|| from your <code>backprop_delta_norms</code> (log scale). Right: move "
                 "<b>chain layer l</b> along the linear chain of the notes and read its float64 values.")
