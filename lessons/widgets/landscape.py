r"""Lesson 05's landscape widget: drop a starting point on a rugged surface, watch descent and momentum.

:func:`landscape_widget`
    The surface of :mod:`lessons.demos.landscape` (a global and a local
    minimum, a saddle between them, plateaus, a cliff) as contours, with its
    critical points marked.  From the starting point set by two sliders, the
    student's ``momentum_step`` runs :data:`~lessons.demos.landscape.STEPS`
    steps twice: with ``momentum=0`` (plain gradient descent) and with the
    chosen momentum.  The status line says where each ended, using the
    student's ``critical_point_type`` on the exact Hessian there.  Controls:
    the start's ``x`` and ``y``, the learning rate, the momentum.
"""

from __future__ import annotations


from ..demos.landscape import CRITICAL_POINTS, WINDOW, contour_grid, describe, descent_path
from .kit import PALETTE, Panel, StaticBackdrop, log_slider, new_figure, slider, static_parts

__all__ = ["landscape_widget"]


def landscape_widget(momentum_step, critical_point_type) -> Panel:
    """Two descents from a starting point of your choice on a surface with every kind of trouble.

    Parameters
    ----------
    momentum_step, critical_point_type : callable
        The student's functions from lesson 05.

    Returns
    -------
    Panel
        ``controls``: ``"x0"``, ``"y0"`` (the start), ``"lr"`` (log slider)
        and ``"momentum"``; one axes with the two paths.
    """
    fig = new_figure(6.4, 5.0)
    ax = fig.subplots()
    X, Y, J = contour_grid()
    ax.contourf(X, Y, J, levels=24, cmap="Greys", alpha=0.45)
    ax.contour(X, Y, J, levels=24, colors=PALETTE["grey"], linewidths=0.4)
    for c in CRITICAL_POINTS:
        ax.plot(*c.point, "x" if c.kind == "saddle" else "*", color=PALETTE["black"], ms=10, zorder=4)
        ax.annotate(c.name.replace("the ", ""), c.point, textcoords="offset points", xytext=(0, -14), ha="center",
                    fontsize=7)
    ax.text(-2.9, 1.55, "cliff", fontsize=8, color=PALETTE["vermillion"])
    ax.text(-2.9, -2.8, "plateau", fontsize=8, color=PALETTE["black"])
    ax.text(-2.9, 2.7, "high plateau", fontsize=8, color=PALETTE["black"])
    gd = ax.plot([], [], color=PALETTE["blue"], lw=2, marker=".", ms=3, label="gradient descent (momentum 0)")[0]
    mom = ax.plot([], [], color=PALETTE["orange"], lw=2, ls="--", marker=".", ms=3, label="momentum (the slider's)")[0]
    start = ax.plot([], [], "o", color=PALETTE["vermillion"], ms=8, zorder=5, label="start")[0]
    x0, x1, y0, y1 = WINDOW
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="x", ylabel="y", aspect="equal",
           title="Your momentum_step on a rugged surface")
    ax.legend(loc="lower right", fontsize=7)
    StaticBackdrop(fig, static_parts(ax, collections=True, texts=True)
                   + [(ax, line) for line in ax.lines if line not in (gd, mom, start)])

    def update(x0: float, y0: float, lr: float, momentum: float) -> str:
        point = (x0, y0)
        plain = descent_path(momentum_step, point, lr=lr, momentum=0.0)
        heavy = descent_path(momentum_step, point, lr=lr, momentum=momentum)
        gd.set_data(plain[:, 0], plain[:, 1])
        mom.set_data(heavy[:, 0], heavy[:, 1])
        start.set_data([x0], [y0])
        return (f"<b>Gradient descent</b>: {describe(plain, critical_point_type)}.<br>"
                f"<b>Momentum {momentum:.2f}</b>: {describe(heavy, critical_point_type)}.")

    controls = {
        "x0": slider("start x", low=-2.9, high=2.9, value=-2.5, step=0.05),
        "y0": slider("start y", low=-2.9, high=2.9, value=0.5, step=0.05),
        "lr": log_slider("learning rate", low_exp=-2, high_exp=0, value=0.1, step=0.1),
        "momentum": slider("momentum", low=0.0, high=0.99, value=0.9, step=0.01),
    }
    return Panel(controls, fig, update,
                 "Set the <b>start</b> and watch both descents (200 steps each). Try the plateau below the wells, "
                 "the high ground above the cliff, the saddle between the wells, and larger learning rates.")
