r"""Lesson 08's widget: a drop-probability slider on a small network, and the curves of a real run.

:func:`dropout_widget`
    Left: a small network (5 inputs, two hidden layers of 10 units, 3
    outputs) whose hidden units are kept or dropped by the mask that the
    student's ``dropout_forward`` returns for a row of ones; dropped units and
    their connections are greyed out, and the factor of the kept units,
    :math:`1 / (1 - p)`, is written above each hidden layer.  A button draws a
    new mask.  Middle: the training and validation losses per epoch of the
    lesson's digits network trained with the student's dropout at that
    ``p`` (:func:`lessons.demos.dropout.dropout_run`).  Right: the final
    training and validation accuracies for every ``p`` of the grid.

Training takes a few seconds per grid, so every ``p`` of
:data:`lessons.demos.dropout.P_GRID` is trained once, at the first update that
finds both functions implemented; moving the slider only redraws.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba

from ..demos.dropout import EPOCHS, P_GRID, check_dropout, dropout_runs
from .kit import PALETTE, NotReady, Panel, StaticBackdrop, attempt, new_figure, static_parts

__all__ = ["LAYERS", "SEED", "dropout_widget", "node_positions", "sample_masks"]

#: Widths of the drawn network (the demo network, 64-128-10, scaled down): inputs, hidden (+ dropout), outputs.
LAYERS = (6, 16, 4)
#: The masks of click ``k`` of the resample button come from ``np.random.default_rng([SEED, k])``.
SEED = 8
#: Size of the figure, in inches at 100 dpi: at most 9.6 wide, so it fits the output area of JupyterLab
#: in a 1400-pixel-wide window with the file browser open.
FIGSIZE = (9.6, 3.4)

_KEPT = to_rgba(PALETTE["blue"])
_DROPPED = to_rgba("#DDDDDD")
_FIXED = {0: to_rgba(PALETTE["sky"]), len(LAYERS) - 1: to_rgba(PALETTE["green"])}
_EDGE_ON = to_rgba(PALETTE["black"], 0.35)
_EDGE_OFF = to_rgba(PALETTE["grey"], 0.07)


def node_positions() -> list[np.ndarray]:
    """The ``(x, y)`` centres of each layer's units, shape ``(width, 2)`` per layer, first layer on the left."""
    tallest = max(LAYERS)
    return [np.column_stack([np.full(n, float(i)), (np.arange(n) - (n - 1) / 2) * tallest / max(n, 1) * 0.9])
            for i, n in enumerate(LAYERS)]


def sample_masks(dropout_forward, p: float, clicks: int) -> list[np.ndarray]:
    """The student's masks for the hidden layers: ``dropout_forward(np.ones((1, n)), p=p, rng=rng)`` per layer.

    Both layers draw from one generator, ``np.random.default_rng([SEED, clicks])``.

    Returns
    -------
    list of ndarray of shape (n_units,)
        One mask per hidden layer (0 for a dropped unit).

    Raises
    ------
    NotReady
        If ``dropout_forward`` is a stub, fails, or returns something other
        than a pair ``(out, mask)`` of arrays of the shape of ``x``.
    """
    name = getattr(dropout_forward, "__name__", "dropout_forward")
    rng = np.random.default_rng([SEED, clicks])
    masks = []
    for n in LAYERS[1:-1]:
        x = np.ones((1, n))
        result = attempt(dropout_forward, x, p=p, rng=rng)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise NotReady(f"`{name}` should return a pair (out, mask), got {type(result).__name__}.")
        try:
            mask = np.asarray(result[1], dtype=np.float64)
        except (TypeError, ValueError):
            raise NotReady(f"`{name}` should return a mask of numbers, got {type(result[1]).__name__}.") from None
        if mask.shape != x.shape:
            raise NotReady(f"`{name}` should return a mask of the shape of x {x.shape}, got {mask.shape}.")
        masks.append(mask[0])
    return masks


def _grid_index(p: float) -> int:
    return int(np.argmin(np.abs(np.asarray(P_GRID) - p)))


def dropout_widget(dropout_forward, dropout_backward) -> Panel:
    """A drop-probability slider on a drawn network, a resample button, and the curves of real runs.

    Parameters
    ----------
    dropout_forward, dropout_backward : callable
        The student's functions from lesson 08.  ``dropout_forward`` draws
        the masks of the drawing; both train the digits network of the grid.

    Returns
    -------
    Panel
        ``controls["p"]`` is a slider over :data:`lessons.demos.dropout.P_GRID`
        (0 to 0.9 in steps of 0.1) and ``controls["resample"]`` a button.  The
        first axes hold the drawing (one scatter of units, one collection of
        connections), the second the losses per epoch for the chosen ``p``
        (labelled ``"training"`` and ``"validation"``), the third the final
        accuracies against ``p``.
    """
    positions = node_positions()
    fig = new_figure(*FIGSIZE)
    ax_net, ax_loss, ax_acc = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.0, 1.15, 1.0]})

    # --- the drawing: units and connections, recoloured in place ---
    xy = np.concatenate(positions)
    starts = np.cumsum((0,) + LAYERS)
    segments = [[positions[i][a], positions[i + 1][b]] for i in range(len(LAYERS) - 1)
                for a in range(LAYERS[i]) for b in range(LAYERS[i + 1])]
    edge_from = np.concatenate([np.repeat(np.arange(LAYERS[i]), LAYERS[i + 1]) + starts[i]
                                for i in range(len(LAYERS) - 1)])
    edge_to = np.concatenate([np.tile(np.arange(LAYERS[i + 1]), LAYERS[i]) + starts[i + 1]
                              for i in range(len(LAYERS) - 1)])
    edges = LineCollection(segments, colors=[_EDGE_ON] * len(segments), linewidths=0.8, zorder=1)
    ax_net.add_collection(edges)
    units = ax_net.scatter(xy[:, 0], xy[:, 1], s=120, c=[_KEPT] * len(xy), edgecolors=PALETTE["black"],
                           linewidths=0.8, zorder=2)
    top = float(xy[:, 1].max())
    names = ["inputs"] + ["hidden\n+ dropout"] * (len(LAYERS) - 2) + ["outputs"]
    labels = [ax_net.text(i, -top - 1.2, name, ha="center", va="top", fontsize=8) for i, name in enumerate(names)]
    factors = [ax_net.text(i, top + 0.8, "", ha="center", va="bottom", fontsize=8, color=PALETTE["blue"])
               for i in range(1, len(LAYERS) - 1)]
    ax_net.set(xlim=(-0.5, len(LAYERS) - 0.5), ylim=(-top - 3.2, top + 2.0),
               title="One sample's mask\n(grey = dropped)")
    ax_net.axis("off")

    # --- the losses of the run with the chosen p ---
    epochs = np.arange(EPOCHS)
    plain_val = ax_loss.plot([], [], color=PALETTE["grey"], lw=1.2, label="no dropout: validation")[0]
    train_line = ax_loss.plot([], [], color=PALETTE["orange"], ls="--", lw=2, label="training")[0]
    val_line = ax_loss.plot([], [], color=PALETTE["blue"], lw=2, label="validation")[0]
    ax_loss.set(xlim=(0, EPOCHS - 1), ylim=(0, 2.4), xlabel="epoch",
                ylabel="cross-entropy (nats)", title="Losses of the run with this p")
    ax_loss.legend(loc="upper right", fontsize=7)
    ax_loss.grid(True, color=PALETTE["grey"], alpha=0.3)

    # --- final accuracies against p ---
    p_values = np.asarray(P_GRID)
    acc_train = ax_acc.plot([], [], "s--", color=PALETTE["orange"], lw=1.5, ms=4, label="training (noisy labels)")[0]
    acc_val = ax_acc.plot([], [], "o-", color=PALETTE["blue"], lw=1.5, ms=4, label="validation")[0]
    dot_train = ax_acc.plot([], [], "s", color=PALETTE["orange"], ms=10, mec=PALETTE["black"])[0]
    dot_val = ax_acc.plot([], [], "o", color=PALETTE["blue"], ms=10, mec=PALETTE["black"])[0]
    ax_acc.set(xlim=(-0.03, p_values[-1] + 0.03), ylim=(0.5, 1.02), xlabel="drop probability p",
               ylabel=f"accuracy after {EPOCHS} epochs", title="Every p of the grid")
    ax_acc.legend(loc="lower left", fontsize=7)
    ax_acc.grid(True, color=PALETTE["grey"], alpha=0.3)

    StaticBackdrop(fig, [(ax_net, ax_net.title), *[(ax_net, t) for t in labels]]
                   + static_parts(ax_loss, plain_val) + static_parts(ax_acc, acc_train, acc_val))
    cache: dict = {}

    def runs():
        """The grid's runs, trained at the first update that finds both functions implemented (then reused)."""
        if not cache:
            check_dropout(dropout_forward, dropout_backward)  # a stub: a note, no training
            grid = dropout_runs(dropout_forward, dropout_backward)
            plain_val.set_data(epochs, grid[0].val_loss)
            acc_train.set_data(p_values, [r.train_accuracy[-1] for r in grid])
            acc_val.set_data(p_values, [r.val_accuracy[-1] for r in grid])
            cache["grid"] = grid
        return cache["grid"]

    def update(p: float, resample: int) -> str:
        i = _grid_index(p)
        p = P_GRID[i]
        masks = sample_masks(dropout_forward, p, resample)
        run = runs()[i]
        colours = np.array([_KEPT] * len(xy))
        for layer, fixed in _FIXED.items():
            colours[starts[layer]:starts[layer + 1]] = fixed
        dropped_units = np.zeros(len(xy), dtype=bool)
        for layer, mask in enumerate(masks, start=1):
            dropped_units[starts[layer]:starts[layer + 1]] = mask == 0
        colours[dropped_units] = _DROPPED
        units.set_facecolors(colours)
        active = ~(dropped_units[edge_from] | dropped_units[edge_to])
        edges.set_colors(np.where(active[:, None], _EDGE_ON, _EDGE_OFF))
        for text, mask in zip(factors, masks):
            kept = mask[mask != 0]
            text.set_text(f"kept \u00d7 {kept.max():.3g}" if kept.size else "all dropped")
        train_line.set_data(epochs, run.train_loss)
        val_line.set_data(epochs, run.val_loss)
        dot_train.set_data([p], [run.train_accuracy[-1]])
        dot_val.set_data([p], [run.val_accuracy[-1]])
        n_hidden = sum(LAYERS[1:-1])
        n_dropped = int(dropped_units.sum())
        scale = "\u221e (nothing is kept)" if p == 1 else f"{1 / (1 - p):.3g}"
        plain = runs()[0]
        return (f"p = {p:.1f}: <b>{n_dropped} of {n_hidden}</b> hidden units dropped in this mask (on average "
                f"{n_hidden * p:.3g}); kept units are multiplied by 1 / (1 - p) = {scale}. "
                f"After {EPOCHS} epochs with this p: training accuracy {run.train_accuracy[-1]:.0%}, validation "
                f"<b>{run.val_accuracy[-1]:.1%}</b>, validation loss {run.val_loss[-1]:.3f} (no dropout: "
                f"{plain.val_accuracy[-1]:.1%} and {plain.val_loss[-1]:.3f}).")

    p_slider = widgets.FloatSlider(value=0.5, min=P_GRID[0], max=P_GRID[-1], step=0.1, description="drop probability p",
                                   readout_format=".1f", continuous_update=True,
                                   style={"description_width": "initial"})
    button = widgets.Button(description="resample the mask", tooltip="draw a new mask with the same p")
    return Panel({"p": p_slider, "resample": button}, fig, update,
                 "Slide <b>p</b>, the probability that your <code>dropout_forward</code> drops each hidden unit: the "
                 "drawing greys out the units of one mask (press the button for another), and the curves show the "
                 "digits network of this lesson trained with your dropout at that p. The ten runs (p = 0 to 0.9) "
                 "were trained once, when this widget first ran; the slider only redraws.")
