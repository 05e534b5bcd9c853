"""Lesson 01's widget: why cross-entropy keeps learning where sigmoid + MSE stalls."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import LogLocator, NullLocator

from ..sigmoid import stable_sigmoid
from .kit import PALETTE, Panel, StaticBackdrop, attempt, new_figure, slider, static_parts

_P = np.linspace(0.002, 0.998, 250)  # probabilities given to the true class
_LOGITS = np.log(_P) - np.log1p(-_P)  # the logit z with sigmoid(z) = p
_H = 1e-5


def _curves(mse, binary_cross_entropy):
    """Losses and |dL/dz| for every p, with the student's functions.

    MSE is the squared error of the sigmoid output against the target 1;
    cross-entropy is the binary cross-entropy of the same output.  The
    gradients with respect to the logit z are central differences in z of
    the student's losses.
    """
    one = np.array([1.0])
    mse_loss = np.array([attempt(mse, np.array([p]), one) for p in _P], dtype=float)
    bce_loss = np.array([attempt(binary_cross_entropy, np.array([p]), one) for p in _P], dtype=float)

    def dz(loss):
        up = np.array([loss(np.array([stable_sigmoid(z + _H)]), one) for z in _LOGITS], dtype=float)
        down = np.array([loss(np.array([stable_sigmoid(z - _H)]), one) for z in _LOGITS], dtype=float)
        return np.abs(up - down) / (2 * _H)

    return mse_loss, bce_loss, dz(mse), dz(binary_cross_entropy)


def loss_saturation_widget(mse, binary_cross_entropy) -> Panel:
    """Slide the probability the model gives the true class; compare the two losses and their gradients.

    Parameters
    ----------
    mse, binary_cross_entropy : callable
        The student's functions from lesson 01.

    Returns
    -------
    Panel
        ``controls["p_true"]`` is the slider; the left axes show both losses
        against ``p``, the right axes the size of their gradients with respect
        to the logit (log scale).
    """
    fig = new_figure(9.0, 3.4)
    ax_loss, ax_grad = fig.subplots(1, 2)
    c_mse, c_ce = PALETTE["orange"], PALETTE["blue"]
    lines = {
        "mse": ax_loss.plot([], [], color=c_mse, lw=2, label="sigmoid + MSE")[0],
        "ce": ax_loss.plot([], [], color=c_ce, lw=2, ls="--", label="cross-entropy")[0],
        "gmse": ax_grad.plot([], [], color=c_mse, lw=2, label="sigmoid + MSE")[0],
        "gce": ax_grad.plot([], [], color=c_ce, lw=2, ls="--", label="cross-entropy")[0],
    }
    markers = [ax.axvline(0.5, color=PALETTE["grey"], lw=1) for ax in (ax_loss, ax_grad)]
    # Circles for MSE, squares for cross-entropy: the shape tells them apart as well as the colour.
    dots = {k: ax.plot([], [], m, color=c, ms=7)[0] for k, ax, c, m in
            (("mse", ax_loss, c_mse, "o"), ("ce", ax_loss, c_ce, "s"), ("gmse", ax_grad, c_mse, "o"),
             ("gce", ax_grad, c_ce, "s"))}
    ax_loss.set(xlabel="probability given to the true class, p", ylabel="loss (cross-entropy in nats)",
                title="Loss", xlim=(0, 1), ylim=(0, 6.5))
    ax_grad.set(xlabel="probability given to the true class, p", ylabel="|dL/dz| (per unit of logit)",
                title="Gradient with respect to the logit z", xlim=(0, 1), yscale="log", ylim=(1e-3, 2))
    # Decades only, no minor labels: tick labels are most of the cost of a redraw.
    ax_grad.yaxis.set_major_locator(LogLocator(base=10, numticks=5))
    ax_grad.yaxis.set_minor_locator(NullLocator())
    ax_loss.legend(loc="upper right")
    ax_grad.legend(loc="lower left")
    # Axes, labels, titles and legends never change, nor do the curves once computed: drawn once,
    # their pixels are reused, and an update redraws only the markers and the two vertical lines.
    backdrop = StaticBackdrop(fig, static_parts(ax_loss, lines["mse"], lines["ce"])
                              + static_parts(ax_grad, lines["gmse"], lines["gce"]))
    cache: dict[str, np.ndarray] = {}

    def update(p_true: float) -> str:
        if not cache:
            cache.update(zip(("mse", "ce", "gmse", "gce"), _curves(mse, binary_cross_entropy)))
            for key, line in lines.items():
                line.set_data(_P, cache[key])
            backdrop.invalidate()
        i = int(np.argmin(np.abs(_P - p_true)))
        for key, dot in dots.items():
            dot.set_data([_P[i]], [cache[key][i]])
        for m in markers:
            m.set_xdata([p_true, p_true])
        ratio = cache["gce"][i] / max(cache["gmse"][i], 1e-300)
        return (f"p = {p_true:.3f}: MSE loss {cache['mse'][i]:.3f}, cross-entropy {cache['ce'][i]:.3f} nats; "
                f"the cross-entropy gradient is <b>{ratio:.1f}&times;</b> the MSE one.")

    p_slider = slider("p(true class)", low=0.01, high=0.99, value=0.5, step=0.01)
    return Panel({"p_true": p_slider}, fig, update,
                 "Move <b>p</b>, the probability the model gives the correct class. Near p = 0 the model "
                 "is confidently wrong: watch which loss still pushes it hard.")
