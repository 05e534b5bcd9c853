r"""Lesson 05's widgets: momentum and Nesterov momentum in a narrow valley.

The valley is the quadratic

.. math::

    J(x) = \tfrac12 \left(x_0^2 + \kappa\, x_1^2\right), \qquad
    \nabla J(x) = (x_0,\; \kappa\, x_1),

whose condition number is :math:`\kappa` (the ratio of its largest to its
smallest curvature).  Every run starts at :data:`START` and takes
:data:`STEPS` steps.

* :func:`narrow_valley_widget` runs plain gradient descent (written out here),
  the student's ``momentum_step`` and the student's ``nesterov_step`` with the
  same learning rate, momentum and valley, draws the three paths side by side
  over the contours and the loss per step on a log scale, and labels each run
  *converges*, *oscillates*, *too slow* or *diverges* (see :func:`classify`).
* :func:`two_forms_widget` runs the student's ``momentum_step`` and
  ``ema_momentum_step`` from the same start and shows that they trace the same
  path when the learning rates are matched (``lr_ema = lr / (1 - beta)``), and
  how they part when the learning rate drops during training.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from .kit import PALETTE, NotReady, Panel, message_html, StaticBackdrop, attempt, new_figure, slider, static_parts

#: Where every run starts, and how many steps it takes.
START = np.array([-3.0, 1.0])
STEPS = 60
#: A run is stopped (and called divergent) once a coordinate grows beyond this.
BLOW_UP = 1e3
#: The window of the path plots, (x0_min, x0_max, x1_min, x1_max).
WINDOW = (-3.6, 3.6, -1.6, 1.6)
#: The loss ratio (final / initial) below which a run "converges" (see :func:`classify`).
CONVERGED = 1e-4
#: Sign changes of one coordinate that make a run "oscillate" (see :func:`classify`).
OSCILLATING = 4

#: The learning rates offered by the sliders: round numbers, so that the lesson's settings can be set exactly.
LEARNING_RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12,
                  0.15, 0.2, 0.3, 0.5, 1.0)

_T = np.linspace(0.0, 2.0 * np.pi, 121)
_LEVELS = np.geomspace(1.0, 1e-3, 6)  # contour levels, as fractions of the loss at the start


def valley_grad(x, kappa: float) -> np.ndarray:
    """Gradient of the valley: ``(x_0, kappa * x_1)`` for ``x`` of shape ``(2,)``."""
    x = np.asarray(x, dtype=np.float64)
    return np.array([1.0, kappa]) * x


def valley_loss(points, kappa: float) -> np.ndarray:
    """The valley's loss at each row of ``points`` (shape ``(n, 2)``), shape ``(n,)``."""
    points = np.asarray(points, dtype=np.float64)
    return 0.5 * (points[:, 0] ** 2 + kappa * points[:, 1] ** 2)


def _as_pair(result, name: str, state: str) -> tuple[np.ndarray, np.ndarray]:
    """The ``(theta, state)`` a step function returned, as two float arrays of shape (2,)."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        got = type(result).__name__ + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        raise NotReady(f"Your `{name}` should return a pair (theta, {state}), got {got}.")
    try:
        theta, st = (np.asarray(r, dtype=np.float64) for r in result)
    except (TypeError, ValueError):
        raise NotReady(f"Your `{name}` should return two arrays of numbers (theta, {state}).") from None
    if theta.shape != (2,) or st.shape != (2,):
        raise NotReady(f"Your `{name}` returned shapes {theta.shape} and {st.shape} for a theta of shape (2,).")
    return theta, st


def descent_path(step_fn, kind: str, *, kappa: float, lr: float, momentum: float = 0.9,
                 steps: int = STEPS, start=START, lr_schedule=None) -> np.ndarray:
    """The points visited by ``steps`` steps of an update rule on the valley.

    Parameters
    ----------
    step_fn : callable or None
        The student's step function; ignored for ``kind="gd"``.
    kind : {"gd", "momentum", "ema", "nesterov"}
        ``"gd"`` is plain gradient descent, ``theta - lr * grad``, written out
        here.  ``"momentum"`` and ``"ema"`` pass the gradient at ``theta``
        (``momentum_step(theta, grad, velocity, lr=, momentum=)`` and
        ``ema_momentum_step(theta, grad, m, lr=, beta=)``), ``"nesterov"``
        passes the gradient function.  The state starts at zero and is fed
        back from each step to the next.
    kappa, lr, momentum : float
        The valley's condition number, the learning rate, and the momentum
        (``beta`` for ``"ema"``).
    steps : int
    start : array_like of shape (2,)
    lr_schedule : callable, optional
        ``lr_schedule(k) -> float``, the learning rate of step ``k`` (0-based);
        overrides ``lr``.

    Returns
    -------
    ndarray of shape (n_points, 2)
        The start and the point after every step.  A run that leaves the box
        ``|x| <= BLOW_UP`` is stopped there: its last point is then the escape,
        clipped to ``10 * BLOW_UP`` (and the path may be shorter).

    Raises
    ------
    NotReady
        If the student's function is a stub, fails, or returns something else
        than ``(theta, state)`` of shape ``(2,)``.
    """
    theta = np.array(start, dtype=np.float64)
    state = np.zeros(2)
    name = getattr(step_fn, "__name__", kind)
    grad_fn = lambda x: valley_grad(x, kappa)  # noqa: E731
    points = [theta]
    with np.errstate(all="ignore"):
        for k in range(steps):
            rate = lr if lr_schedule is None else lr_schedule(k)
            if kind == "gd":
                theta = theta - rate * grad_fn(theta)
            elif kind == "momentum":
                theta, state = _as_pair(attempt(step_fn, theta, grad_fn(theta), state, lr=rate, momentum=momentum),
                                        name, "velocity")
            elif kind == "ema":
                theta, state = _as_pair(attempt(step_fn, theta, grad_fn(theta), state, lr=rate, beta=momentum),
                                        name, "m")
            elif kind == "nesterov":
                theta, state = _as_pair(attempt(step_fn, theta, grad_fn, state, lr=rate, momentum=momentum),
                                        name, "velocity")
            else:
                raise ValueError(f"kind must be 'gd', 'momentum', 'ema' or 'nesterov', got {kind!r}")
            if not np.all(np.isfinite(theta)) or np.max(np.abs(theta)) > BLOW_UP:
                break
            points.append(theta)
        else:
            return np.array(points)
    # The point where the run escaped, brought back to 10 * BLOW_UP so that the line leaves the picture.
    points.append(np.where(np.isfinite(theta), np.clip(theta, -10 * BLOW_UP, 10 * BLOW_UP), 10 * BLOW_UP))
    return np.array(points)


@dataclass(frozen=True)
class Verdict:
    """What a run did: ``label`` is ``"converges"``, ``"oscillates"``, ``"too slow"`` or ``"diverges"``."""

    label: str
    detail: str


def classify(path: np.ndarray, kappa: float, steps: int = STEPS) -> Verdict:
    """Label a run from the points it visited.

    * **diverges**: it left the box ``|x| <= BLOW_UP`` or ended with a larger
      loss than it started with;
    * **converges**: the loss fell below ``CONVERGED`` (1e-4) times the
      starting loss within the steps;
    * **oscillates**: neither, and the run overshot the minimum back and
      forth: one coordinate changed sign at least ``OSCILLATING`` (4) times
      while still visible (at least 2% of its largest size along the path);
    * **too slow**: neither (steady but slow progress).
    """
    losses = valley_loss(path, kappa)
    if np.max(np.abs(path[-1])) > BLOW_UP:
        return Verdict("diverges", f"blew up after {len(path) - 1} steps")
    if losses[-1] > losses[0]:
        return Verdict("diverges", f"loss &times;{losses[-1] / losses[0]:.2g} in {steps} steps")
    ratio = losses[-1] / losses[0]
    detail = f"loss &times;{ratio:.1e} in {steps} steps"
    if ratio <= CONVERGED:
        return Verdict("converges", detail)
    if _crossings(path) >= OSCILLATING:
        return Verdict("oscillates", detail)
    return Verdict("too slow", detail)


def _crossings(path: np.ndarray) -> int:
    """How often the run overshot the minimum: the most sign changes of one coordinate, counted while
    that coordinate is still at least 2% of its largest size along the path (visible in the plot)."""
    most = 0
    for coordinate in np.asarray(path, dtype=np.float64).T:
        visible = coordinate[np.abs(coordinate) >= 0.02 * np.max(np.abs(coordinate))]
        most = max(most, int(np.sum(np.signbit(visible[1:]) != np.signbit(visible[:-1]))))
    return most


def _contours(kappa: float, loss0: float) -> tuple[np.ndarray, np.ndarray]:
    """Ellipses of the valley at the levels ``_LEVELS * loss0``, as one line broken by nan."""
    xs, ys = [], []
    for level in _LEVELS * loss0:
        xs += [np.sqrt(2 * level) * np.cos(_T), [np.nan]]
        ys += [np.sqrt(2 * level / kappa) * np.sin(_T), [np.nan]]
    return np.concatenate(xs), np.concatenate(ys)


def _rate_slider(description: str, rates: tuple, value: float) -> widgets.SelectionSlider:
    """A slider over the given learning rates (a list, not a formula, so that every value is round)."""
    return widgets.SelectionSlider(options=[(f"{r:g}", r) for r in rates], value=value, description=description,
                                   continuous_update=True, style={"description_width": "initial"})


def _path_axes(ax, title: str) -> None:
    ax.set(xlim=WINDOW[:2], ylim=WINDOW[2:], xlabel="$x_0$ (flat direction)")
    ax.set_title(title, fontsize=10)
    ax.plot([0], [0], marker="*", ms=10, color=PALETTE["black"], ls="none", zorder=4)
    ax.plot([START[0]], [START[1]], marker="o", ms=6, mfc="white", mec=PALETTE["black"], ls="none", zorder=4)


_METHODS = (  # key, title, colour, line style
    ("gd", "gradient descent", PALETTE["orange"], "-"),
    ("momentum", "momentum", PALETTE["blue"], "--"),
    ("nesterov", "Nesterov", PALETTE["green"], "-."),
)
_LABEL_COLOURS = {"converges": PALETTE["green"], "oscillates": PALETTE["orange"],
                  "too slow": PALETTE["grey"], "diverges": PALETTE["vermillion"]}


def narrow_valley_widget(momentum_step, nesterov_step) -> Panel:
    """Gradient descent, momentum and Nesterov on a narrow valley, with sliders.

    Parameters
    ----------
    momentum_step, nesterov_step : callable
        The student's functions from lesson 05.  Plain gradient descent is
        written out here, so it shows even before they are implemented.

    Returns
    -------
    Panel
        ``controls["lr"]``, ``controls["momentum"]`` and ``controls["kappa"]``
        (the condition number).  ``figure.axes[0:3]`` hold the paths of
        gradient descent, momentum and Nesterov over the valley's contours,
        ``figure.axes[3]`` the loss per step (log scale).  A label in the
        corner of each path's axes and the status line say what the run did
        (see :func:`classify`).
    """
    fig = new_figure(7.8, 3.8)
    grid = fig.add_gridspec(2, 3, height_ratios=(1.25, 1.0))
    path_axes = [fig.add_subplot(grid[0, 0])]
    path_axes += [fig.add_subplot(grid[0, i], sharey=path_axes[0]) for i in (1, 2)]  # one y label for the row
    ax_loss = fig.add_subplot(grid[1, :])
    contour_lines, path_lines, loss_lines, notes, verdicts = [], {}, {}, {}, {}
    for ax, (key, title, colour, ls) in zip(path_axes, _METHODS):
        contour_lines.append(ax.plot([], [], color=PALETTE["grey"], lw=0.7, alpha=0.7)[0])
        _path_axes(ax, title)
        # No markers: every marked step would add to the pixels each update must redraw and send.
        path_lines[key] = ax.plot([], [], color=colour, ls=ls, lw=1.5, label=title)[0]
        notes[key] = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=10,
                             color=PALETTE["vermillion"], zorder=5,
                             bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": PALETTE["vermillion"]})
        verdicts[key] = ax.text(0.97, 0.95, "", transform=ax.transAxes, ha="right", va="top", fontsize=10,
                                fontweight="bold", zorder=5,
                                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8})
        notes[key].set_in_layout(False)
        verdicts[key].set_in_layout(False)
        loss_lines[key] = ax_loss.plot([], [], color=colour, ls=ls, lw=2, label=title)[0]
    path_axes[0].set_ylabel("$x_1$ (steep direction)")
    for ax in path_axes[1:]:
        ax.tick_params(labelleft=False)
    ax_loss.set(yscale="log", xlim=(0, STEPS), ylim=(1e-10, 1e6), xlabel="step",
                ylabel="loss $J(x)$ (log scale)")
    ax_loss.grid(True, which="major", color=PALETTE["grey"], alpha=0.3)
    ax_loss.legend(loc="upper right", fontsize=9, ncols=3)
    # The axes are drawn once and reused; the contours, which change only with the condition number, by a
    # second backdrop drawn over the first and remade when the condition number changes.
    StaticBackdrop(fig, [part for ax in (*path_axes, ax_loss) for part in static_parts(ax)])
    backdrop = StaticBackdrop(fig, list(zip(path_axes, contour_lines)))
    functions = {"momentum": momentum_step, "nesterov": nesterov_step}
    cache: dict = {}

    def update(lr: float, momentum: float, kappa: float) -> str:
        loss0 = float(valley_loss(START[None, :], kappa)[0])
        if cache.get("kappa") != kappa:
            cache["kappa"] = kappa
            for line in contour_lines:
                line.set_data(*_contours(kappa, loss0))
            backdrop.invalidate()
        parts, missing = [], []
        for key, title, _, _ in _METHODS:
            try:
                path = descent_path(functions.get(key), key, kappa=kappa, lr=lr, momentum=momentum)
            except NotReady as exc:
                path_lines[key].set_data([], [])
                loss_lines[key].set_data([], [])
                name = getattr(functions[key], "__name__", key)
                notes[key].set_text(f"Implement\n{name}\nfirst" if exc.message.startswith("Implement")
                                    else f"{name} failed:\nsee the note above")
                verdicts[key].set_text("")
                missing.append(exc.message)
                continue
            notes[key].set_text("")
            verdict = classify(path, kappa)
            path_lines[key].set_data(path[:, 0], path[:, 1])
            losses = np.minimum(valley_loss(path, kappa), 1e30)
            loss_lines[key].set_data(np.arange(len(path)), losses)
            verdicts[key].set_text(verdict.label)
            verdicts[key].set_color(_LABEL_COLOURS[verdict.label])
            parts.append(f"{title}: <b>{verdict.label}</b> ({verdict.detail})")
        limit = 2.0 / kappa
        header = (f"lr = {lr:.3g}, momentum = {momentum:.2f}, condition number {kappa:.3g} "
                  f"(plain gradient descent is stable for lr &lt; 2/{kappa:.3g} = {limit:.3g}). ")
        return header + "; ".join(parts) + "".join(f"<br>{message_html(m)}" for m in missing)

    controls = {
        "lr": _rate_slider("learning rate", LEARNING_RATES, 0.03),
        "momentum": slider("momentum", low=0.0, high=0.99, value=0.9, step=0.01),
        "kappa": widgets.IntSlider(value=25, min=1, max=100, step=1, description="condition number",
                                   continuous_update=True, style={"description_width": "initial"}),
    }
    return Panel(controls, fig, update,
                 "Each run starts at the white circle and takes 60 steps towards the star. "
                 "<b>learning rate</b> and <b>momentum</b> are shared by the three methods (gradient descent "
                 "ignores momentum); the <b>condition number</b> makes the valley narrower (the steep "
                 "direction's curvature divided by the flat one's).")


def two_forms_widget(momentum_step, ema_momentum_step, *, kappa: float = 25.0, steps: int = 40) -> Panel:
    """The classical and moving-average forms of momentum, run side by side on the valley.

    Parameters
    ----------
    momentum_step, ema_momentum_step : callable
        The student's functions from lesson 05.
    kappa : float
        Condition number of the valley.
    steps : int

    Returns
    -------
    Panel
        ``controls["lr"]`` (the classical learning rate), ``controls["beta"]``
        (the momentum of both forms), ``controls["matched"]`` (give the
        moving-average form ``lr / (1 - beta)``, or the same ``lr``) and
        ``controls["drop"]`` (divide the learning rate of both by 10 halfway).
        ``figure.axes[0]`` shows both paths over the contours,
        ``figure.axes[1]`` the distance between them per step (log scale).
    """
    fig = new_figure(9.0, 3.5)
    ax_path, ax_gap = fig.subplots(1, 2, width_ratios=(1.3, 1.0))
    loss0 = float(valley_loss(START[None, :], kappa)[0])
    contours = ax_path.plot(*_contours(kappa, loss0), color=PALETTE["grey"], lw=0.7, alpha=0.7)[0]
    _path_axes(ax_path, f"Two forms of momentum on a valley (condition number {kappa:g})")
    ax_path.set_ylabel("$x_1$ (steep direction)")
    classical = ax_path.plot([], [], color=PALETTE["blue"], ls="-", lw=2.5, marker="o", ms=4, alpha=0.6,
                             label="momentum_step (classical)")[0]
    ema = ax_path.plot([], [], color=PALETTE["orange"], ls="--", lw=1.5, marker="x", ms=5,
                       label="ema_momentum_step (moving average)")[0]
    ax_path.legend(loc="lower right", fontsize=8)
    floor = 1e-18
    gap = ax_gap.plot([], [], color=PALETTE["purple"], lw=2, marker=".", label="distance between the paths")[0]
    drop_mark = ax_gap.axvline(steps / 2, ymax=0.7, color=PALETTE["grey"], ls=":", lw=1.5,  # below the legend
                               label="learning rate ÷ 10")
    rounding = ax_gap.axhspan(floor, 1e-13, color=PALETTE["sky"], alpha=0.25, lw=0, label="rounding error only")
    ax_gap.set(yscale="log", xlim=(0, steps), ylim=(floor, 1e9), xlabel="step",
               ylabel="|x classical - x moving average|")
    ax_gap.set_title("How far apart the two paths are", fontsize=10)
    ax_gap.legend(loc="upper right", fontsize=8)  # above every distance the paths can reach here
    StaticBackdrop(fig, static_parts(ax_path) + [(ax_path, contours)] + static_parts(ax_gap)
                   + [(ax_gap, rounding)])

    def update(lr: float, beta: float, matched: bool, drop: bool) -> str:
        lr_ema = lr / (1.0 - beta) if matched else lr
        half = steps // 2

        def schedule(base):
            return (lambda k: base / 10 if k >= half else base) if drop else None

        a = descent_path(momentum_step, "momentum", kappa=kappa, lr=lr, momentum=beta, steps=steps,
                         lr_schedule=schedule(lr))
        b = descent_path(ema_momentum_step, "ema", kappa=kappa, lr=lr_ema, momentum=beta, steps=steps,
                         lr_schedule=schedule(lr_ema))
        classical.set_data(a[:, 0], a[:, 1])
        ema.set_data(b[:, 0], b[:, 1])
        n = min(len(a), len(b))
        distance = np.linalg.norm(a[:n] - b[:n], axis=1)
        gap.set_data(np.arange(n), np.clip(distance, floor, 1e30))
        drop_mark.set_visible(drop)
        worst = float(np.max(distance))
        same = worst <= 1e-12 * (1 + float(np.max(np.abs(a[:n]))))
        rates = (f"classical lr = {lr:.3g}, moving-average lr = {lr_ema:.3g}"
                 + (f" = {lr:.3g} / (1 - {beta:.2f})" if matched else " (the same number)"))
        verdict = ("<b>the same path</b>, up to rounding" if same else "<b>different paths</b>")
        note = ""
        if drop and matched:
            note = (" After the drop the moving average scales its whole past at once, while the classical "
                    "velocity keeps the speed it gathered and slows down gradually.")
        elif not matched and beta > 0:
            note = f" Unmatched, the moving-average steps are {1 - beta:.2g} times as long."
        return f"{rates}: largest distance {worst:.2g}, {verdict}.{note}"

    controls = {
        "lr": _rate_slider("lr (classical)", tuple(r for r in LEARNING_RATES if r <= 0.1), 0.03),
        "beta": slider("momentum = beta", low=0.0, high=0.99, value=0.9, step=0.01),
        "matched": widgets.Checkbox(value=True, description="match: lr_ema = lr / (1 - beta)", indent=False),
        "drop": widgets.Checkbox(value=False, description=f"lr ÷ 10 at step {steps // 2}", indent=False),
    }
    return Panel(controls, fig, update,
                 "Both forms start at the white circle. <b>lr (classical)</b> is the classical form's learning "
                 "rate and <b>beta</b> the momentum of both. Tick <b>match</b> to give the moving-average form "
                 "lr / (1 - beta); tick <b>lr ÷ 10</b> to divide both learning rates by 10 at step 20.")
