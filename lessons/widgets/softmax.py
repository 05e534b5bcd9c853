"""Lesson 02's widget: logits, a temperature and a shift drive the student's softmax and entropy.

Three sliders set the logits ``z`` of three classes, a fourth the temperature
``T`` and a fifth a constant ``c`` added to every logit.  The softmax of
``z / T + c`` is drawn twice: with the student's ``softmax`` (which should not
notice ``c`` at all) and with the naive formula ``exp(z) / sum(exp(z))``,
which overflows to ``inf / inf = nan`` for large ``c`` and underflows to
``0 / 0 = nan`` for very negative ``c``.  A second plot shows the student's
``entropy`` of the softmax against the temperature.
"""

from __future__ import annotations

import numpy as np

from .kit import PALETTE, NotReady, Panel, StaticBackdrop, attempt, log_slider, new_figure, slider, static_parts

N_CLASSES = 3
LOG_K = float(np.log(N_CLASSES))
#: Temperatures of the entropy curve (the temperature slider's range).
TEMPERATURES = np.logspace(-1, 1, 101)
#: In float64, exp(x) overflows to inf above OVERFLOW_AT (709.78) and rounds to 0 below
#: UNDERFLOW_AT (-745.13, where it falls under half the smallest subnormal number).
OVERFLOW_AT = float(np.log(np.finfo(np.float64).max))
UNDERFLOW_AT = float(np.log(np.finfo(np.float64).smallest_subnormal) - np.log(2.0))


def naive_softmax(z: np.ndarray) -> np.ndarray:
    """``exp(z) / sum(exp(z))`` exactly as written, warnings silenced: the formula to avoid."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(np.asarray(z, dtype=np.float64))
        return e / np.sum(e)


def _exact_softmax(z: np.ndarray) -> np.ndarray:
    """The stable formula, to measure how far the naive one is off (never shown as the student's)."""
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def _naive_problem(logits: np.ndarray, naive: np.ndarray) -> str:
    """What happens to the naive formula for these logits, in words."""
    top = float(np.max(logits))
    if top > OVERFLOW_AT:
        return (f"e<sup>{top:.0f}</sup> overflows to inf (anything above {OVERFLOW_AT:.1f} does), "
                "and inf / inf = <b>nan</b>")
    if top < UNDERFLOW_AT:
        return (f"every e<sup>z</sup> underflows to 0 (anything below {UNDERFLOW_AT:.1f} does), "
                "and 0 / 0 = <b>nan</b>")
    error = float(np.max(np.abs(naive - _exact_softmax(logits))))
    if error > 0.005:
        return (f"e<sup>{top:.0f}</sup> is below 2.2e-308, where floats keep only a few significant "
                f"digits (subnormal numbers): the naive probabilities are off by up to {error:.3f}")
    if np.min(logits) < UNDERFLOW_AT:
        return "some e<sup>z</sup> underflow to 0, which is harmless here: those probabilities are tiny anyway"
    return "no overflow or underflow at this shift: both formulas agree"


def _fmt(values, spec: str = ".3f") -> str:
    return "[" + ", ".join("nan" if np.isnan(v) else f"{v:{spec}}" for v in values) + "]"


def softmax_temperature_widget(softmax, entropy) -> Panel:
    """Logit, temperature and shift sliders driving the student's ``softmax`` and ``entropy``.

    Parameters
    ----------
    softmax, entropy : callable
        The student's functions: ``softmax(z, axis=-1)`` on logits of any
        shape and ``entropy(p, axis=-1)`` in nats.

    Returns
    -------
    Panel
        ``controls`` are ``"z1"``, ``"z2"``, ``"z3"`` (the logits),
        ``"temperature"`` and ``"shift"`` (the constant ``c`` added to every
        logit).  The left axes show the softmax of ``z / T + c`` from the
        student's function and from the naive formula (hatched bars, "nan"
        where it fails); the right axes the entropy of ``softmax(z / T)``
        against ``T``, with a marker at the current temperature.
    """
    fig = new_figure(9.2, 3.3)
    ax_p, ax_h = fig.subplots(1, 2, width_ratios=[1.0, 1.1])
    x = np.arange(N_CLASSES)
    width = 0.38
    stable_bars = ax_p.bar(x - width / 2, np.zeros(N_CLASSES), width, color=PALETTE["blue"],
                           label="your softmax")
    naive_bars = ax_p.bar(x + width / 2, np.zeros(N_CLASSES), width, color=PALETTE["orange"], hatch="//",
                          edgecolor=PALETTE["black"], linewidth=0.6, label="naive exp(z) / \u03a3 exp(z)")
    # "nan" written where a bar has no height to show (empty, hence free to draw, otherwise).
    nan_marks = [ax_p.text(bar.get_x() + bar.get_width() / 2, 0.02, "", ha="center", va="bottom",
                           fontsize=9, fontweight="bold", color=PALETTE["vermillion"])
                 for bar in (*stable_bars, *naive_bars)]
    ax_p.set(xticks=x, xticklabels=[str(k + 1) for k in x], yticks=[0, 0.5, 1], ylim=(0, 1.2),
             xlim=(-0.6, 2.6), xlabel="class", ylabel="probability", title="softmax(z / T + c)")
    ax_p.legend(loc="upper center", fontsize=8, frameon=False, ncols=2)

    curve = ax_h.plot([], [], color=PALETTE["green"], lw=2)[0]
    dot = ax_h.plot([], [], "o", color=PALETTE["vermillion"], ms=7)[0]
    bounds = []
    for level, ls, text in ((LOG_K, "--", f"maximum log 3 = {LOG_K:.3f}: uniform"),
                            (0.0, ":", "minimum 0: one class certain")):
        bounds.append(ax_h.axhline(level, color=PALETTE["grey"], lw=1.2, ls=ls))
        bounds.append(ax_h.text(9.5, level + 0.03, text, ha="right", va="bottom", fontsize=8,
                                color=PALETTE["black"]))
    ax_h.set(xscale="log", xlim=(TEMPERATURES[0], TEMPERATURES[-1]), ylim=(-0.05, 1.25),
             xlabel="temperature T (log scale)", ylabel="entropy H (nats)",
             title="Entropy of softmax(z / T); the dot is the current T")
    ax_h.set_xticks([0.1, 1, 10], labels=["0.1", "1", "10"])
    ax_h.set_xticks([0.2, 0.5, 2, 5], minor=True)
    ax_h.set_yticks([0, 0.5, 1])
    # Axes, labels, legend and the two bounds never change: drawn once, their pixels reused (text is
    # the slow part of a redraw).  The bars, the "nan" marks, the curve and the dot are redrawn.
    StaticBackdrop(fig, static_parts(ax_p) + static_parts(ax_h, *bounds))
    cache: dict = {}

    def entropy_curve(z: np.ndarray) -> np.ndarray:
        key = tuple(z)
        if cache.get("key") != key:
            probs = np.asarray(attempt(softmax, z[None, :] / TEMPERATURES[:, None]), dtype=np.float64)
            h = np.asarray(attempt(entropy, probs), dtype=np.float64)
            if h.shape != TEMPERATURES.shape:
                raise NotReady(f"`entropy` of an array of shape {probs.shape} should have shape "
                               f"{TEMPERATURES.shape} (one entropy per row), got {h.shape}")
            cache.update(key=key, h=h)
            curve.set_data(TEMPERATURES, h)
        return cache["h"]

    def update(z1: float, z2: float, z3: float, temperature: float, shift: float) -> str:
        z = np.array([z1, z2, z3], dtype=np.float64)
        logits = z / temperature + shift
        p = np.asarray(attempt(softmax, logits), dtype=np.float64).reshape(-1)
        if p.shape != (N_CLASSES,):
            raise NotReady(f"`softmax` of 3 logits should return 3 probabilities, got shape {p.shape}")
        naive = naive_softmax(logits)
        entropy_curve(z)
        # The entropy at c = 0: a correct softmax does not depend on c, and a naive one may give nan.
        h_now = float(np.asarray(attempt(entropy, attempt(softmax, z / temperature))))
        for bar, value, mark in zip((*stable_bars, *naive_bars), (*p, *naive), nan_marks):
            ok = bool(np.isfinite(value))
            bar.set_height(min(max(value, 0.0), 1.0) if ok else 0.0)
            mark.set_text("" if ok else "nan")
        dot.set_data([temperature], [h_now])
        share = h_now / LOG_K if np.isfinite(h_now) else np.nan
        lines = [f"Logits z / T + c = {_fmt(logits, '.5g')}.",
                 f"Your softmax: p = {_fmt(p)}, sum {np.sum(p):.3f}; your entropy H = {h_now:.3f} nats "
                 f"({share:.0%} of the maximum log 3).",
                 f"Naive formula: {_naive_problem(logits, naive)}."]
        if not np.all(np.isfinite(p)):
            lines.append(f"<b style='color:{PALETTE['vermillion']}'>Your softmax returned nan at this shift: "
                         "subtract each row's maximum before calling np.exp.</b>")
        return "<br>".join(lines)

    controls = {
        "z1": slider("logit z1", low=-5.0, high=5.0, value=1.0, step=0.1, fmt=".1f"),
        "z2": slider("logit z2", low=-5.0, high=5.0, value=2.0, step=0.1, fmt=".1f"),
        "z3": slider("logit z3", low=-5.0, high=5.0, value=3.0, step=0.1, fmt=".1f"),
        "temperature": log_slider("temperature T", low_exp=-1.0, high_exp=1.0, value=1.0, step=0.02, fmt=".2f"),
        "shift": slider("shift c", low=-1000.0, high=1000.0, value=0.0, step=10.0, fmt=".0f"),
    }
    return Panel(controls, fig, update,
                 "Move the three <b>logits</b>, the <b>temperature</b> T (small T sharpens the distribution, "
                 "large T flattens it) and the <b>shift</b> c added to every logit: a correct softmax ignores c, "
                 "while the naive formula breaks once the logits pass about +710 or &minus;745.")
