r"""Lesson 06's widget: five update rules race on three small loss surfaces.

Every run starts at the surface's starting point and takes :data:`STEPS`
steps with the same learning rate ``lr``:

* plain gradient descent, ``theta - lr * grad`` (written out here);
* classical momentum with ``momentum = 0.9`` (written out here,
  :func:`classical_momentum_step`; lesson 05 is where students write it);
* the student's ``adagrad_step`` (``eps = 1e-7``), ``rmsprop_step``
  (``rho = 0.9``, ``eps = 1e-7``) and ``adam_step`` (``beta1 = 0.9``,
  ``beta2 = 0.999``, ``eps = 1e-8``), whose state starts at zero and is fed
  back from each step to the next.

The surfaces (all in the same window, :data:`WINDOW`) are a narrow valley
aligned with the axes, a saddle a hair away from its ridge, and Rosenbrock's
curved valley; see :data:`SURFACES`.

:func:`adaptive_race_widget` draws the paths over the contours, the loss
above the minimum after every step (log scale), and the *effective learning
rate* of each parameter, the factor that multiplies its gradient:
``lr / (eps + sqrt(r))`` for AdaGrad and RMSProp, ``lr / (sqrt(v_hat) + eps)``
for Adam (which multiplies the averaged gradient ``m_hat``), and ``lr`` for
gradient descent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ipywidgets as widgets
import numpy as np

from .kit import PALETTE, NotReady, Panel, message_html, StaticBackdrop, attempt, log_slider, new_figure, static_parts

#: Steps of every run.
STEPS = 100
#: A run is stopped (and called divergent) once a coordinate grows beyond this.
BLOW_UP = 1e3
#: The window of the path plot, (x_min, x_max, y_min, y_max): the same for every surface.
WINDOW = (-2.0, 2.0, -1.25, 2.25)
#: The momentum of the classical-momentum run.
MOMENTUM = 0.9
#: Hyperparameters passed to the student's functions (the curriculum's defaults).
ADAGRAD = {"eps": 1e-7}
RMSPROP = {"rho": 0.9, "eps": 1e-7}
ADAM = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

#: Limits of the effective-learning-rate and loss axes (fixed, so that updates stay cheap).
EFFECTIVE_LIMITS = (1e-4, 1e6)
LOSS_LIMITS = (1e-12, 1e3)


@dataclass(frozen=True)
class Surface:
    """A loss surface of two parameters ``(x, y)``.

    Attributes
    ----------
    key, title : str
    formula : str
        The loss, for the plot's title.
    loss : callable
        ``loss(points)`` for ``points`` of shape ``(n, 2)``, shape ``(n,)``.
    grad : callable
        ``grad(theta)`` for ``theta`` of shape ``(2,)``, shape ``(2,)``.
    start : tuple of float
        Where every run starts.
    minima : tuple of tuple of float
        The points of lowest loss (drawn as stars).
    loss_min : float
        The lowest loss; the plots show ``loss - loss_min``.
    """

    key: str
    title: str
    formula: str
    loss: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    loss_min: float = 0.0

    def gap(self, points: np.ndarray) -> np.ndarray:
        """``loss(points) - loss_min`` for ``points`` of shape ``(n, 2)``."""
        return self.loss(np.asarray(points, dtype=np.float64)) - self.loss_min


def _valley_loss(p):
    return 0.5 * (0.1 * p[:, 0] ** 2 + 10.0 * p[:, 1] ** 2)


def _valley_grad(t):
    return np.array([0.1 * t[0], 10.0 * t[1]])


def _saddle_loss(p):
    return 0.5 * p[:, 0] ** 2 + 0.25 * (p[:, 1] ** 2 - 1.0) ** 2


def _saddle_grad(t):
    return np.array([t[0], t[1] ** 3 - t[1]])


_B = 10.0  # Rosenbrock's b (the classic 100 needs thousands of steps; 10 keeps the banana and fits 100)


def _rosenbrock_loss(p):
    return (1.0 - p[:, 0]) ** 2 + _B * (p[:, 1] - p[:, 0] ** 2) ** 2


def _rosenbrock_grad(t):
    x, y = t
    return np.array([-2.0 * (1.0 - x) - 4.0 * _B * x * (y - x * x), 2.0 * _B * (y - x * x)])


#: The three surfaces, by key, in the order of the dropdown.
SURFACES = {
    "valley": Surface("valley", "Narrow valley", "½ (0.1 x² + 10 y²)", _valley_loss,
                      _valley_grad, (-1.8, 1.0), ((0.0, 0.0),)),
    "saddle": Surface("saddle", "Saddle", "½ x² + ¼ (y² − 1)²", _saddle_loss,
                      _saddle_grad, (1.8, 1e-6), ((0.0, -1.0), (0.0, 1.0))),
    "rosenbrock": Surface("rosenbrock", "Rosenbrock", "(1 − x)² + 10 (y − x²)²", _rosenbrock_loss,
                          _rosenbrock_grad, (-1.2, 1.0), ((1.0, 1.0),)),
}


def classical_momentum_step(theta, grad, velocity, *, lr, momentum=MOMENTUM):
    """Classical momentum (lesson 05): ``v = momentum * v - lr * grad; theta = theta + v``.

    Parameters
    ----------
    theta, grad, velocity : ndarray of the same shape
    lr, momentum : float

    Returns
    -------
    theta_new, velocity_new : ndarray of the shape of ``theta``
    """
    velocity_new = momentum * np.asarray(velocity, dtype=np.float64) - lr * np.asarray(grad, dtype=np.float64)
    return np.asarray(theta, dtype=np.float64) + velocity_new, velocity_new


@dataclass(frozen=True)
class Run:
    """One run of an update rule on a surface.

    Attributes
    ----------
    kind : str
        ``"sgd"``, ``"momentum"``, ``"adagrad"``, ``"rmsprop"`` or ``"adam"``.
    path : ndarray of shape (n_points, 2)
        The start and the point after every step (fewer than ``STEPS + 1``
        points if the run diverged; its last point is then the escape,
        clipped to ``10 * BLOW_UP``).
    gap : ndarray of shape (n_points,)
        The loss above the surface's minimum at every point of the path.
    effective : ndarray of shape (n_points - 1, 2)
        The effective learning rate of each parameter at every step (see the
        module's docstring).
    diverged_at : int or None
        The step at which the run left the box ``|x|, |y| <= BLOW_UP``.
    """

    kind: str
    path: np.ndarray
    gap: np.ndarray
    effective: np.ndarray
    diverged_at: int | None


def _arrays(result, name: str, outputs: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """The tuple a step function returned, as float arrays of shape (2,), or :class:`NotReady`."""
    expected = "(" + ", ".join(outputs) + ")"
    if not isinstance(result, (tuple, list)) or len(result) != len(outputs):
        got = type(result).__name__ + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        raise NotReady(f"Your `{name}` should return {expected}, got {got}.")
    try:
        arrays = tuple(np.asarray(r, dtype=np.float64) for r in result)
    except (TypeError, ValueError):
        raise NotReady(f"Your `{name}` should return {expected}, arrays of numbers.") from None
    if any(a.shape != (2,) for a in arrays):
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise NotReady(f"Your `{name}` returned shapes {shapes} for a theta of shape (2,).")
    return arrays


def _read_only(a: np.ndarray) -> np.ndarray:
    """A read-only copy: a student's function that writes into its argument fails loudly."""
    a = np.array(a, dtype=np.float64)
    a.flags.writeable = False
    return a


def run_optimizer(kind: str, step_fn, surface: Surface, *, lr: float, steps: int = STEPS) -> Run:
    """Run one update rule for ``steps`` steps on ``surface``.

    Parameters
    ----------
    kind : {"sgd", "momentum", "adagrad", "rmsprop", "adam"}
    step_fn : callable or None
        The student's step function for the last three kinds (ignored for
        ``"sgd"`` and ``"momentum"``), called with the hyperparameters
        :data:`ADAGRAD`, :data:`RMSPROP` or :data:`ADAM` and ``lr``; Adam
        gets ``t = 1, 2, ...``.
    surface : Surface
    lr : float
    steps : int

    Returns
    -------
    Run

    Raises
    ------
    NotReady
        If the student's function is a stub, fails (it gets read-only arrays,
        so writing into an argument fails), or returns something other than
        the curriculum's tuple of arrays of shape ``(2,)``.
    """
    theta = np.array(surface.start, dtype=np.float64)
    first, second = np.zeros(2), np.zeros(2)
    name = getattr(step_fn, "__name__", kind)
    points, effective = [theta], []
    diverged_at = None
    with np.errstate(all="ignore"):
        for k in range(steps):
            grad = surface.grad(theta)
            if kind in ("adagrad", "rmsprop", "adam"):
                theta, grad, first, second = (_read_only(a) for a in (theta, grad, first, second))
            if kind == "sgd":
                theta = theta - lr * grad
                effective.append((lr, lr))
            elif kind == "momentum":
                theta, first = classical_momentum_step(theta, grad, first, lr=lr)
                effective.append((lr, lr))
            elif kind == "adagrad":
                theta, first = _arrays(attempt(step_fn, theta, grad, first, lr=lr, **ADAGRAD), name,
                                       ("theta", "r"))
                effective.append(lr / (ADAGRAD["eps"] + np.sqrt(first)))
            elif kind == "rmsprop":
                theta, first = _arrays(attempt(step_fn, theta, grad, first, lr=lr, **RMSPROP), name,
                                       ("theta", "r"))
                effective.append(lr / (RMSPROP["eps"] + np.sqrt(first)))
            elif kind == "adam":
                theta, first, second = _arrays(attempt(step_fn, theta, grad, first, second, k + 1, lr=lr, **ADAM),
                                               name, ("theta", "m", "v"))
                v_hat = second / (1.0 - ADAM["beta2"] ** (k + 1))
                effective.append(lr / (np.sqrt(v_hat) + ADAM["eps"]))
            else:
                raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
            x, y = float(theta[0]), float(theta[1])
            if not (abs(x) <= BLOW_UP and abs(y) <= BLOW_UP):  # also true for inf and nan
                diverged_at = k + 1
                escaped = np.where(np.isfinite(theta), theta, 10 * BLOW_UP)
                points.append(np.clip(escaped, -10 * BLOW_UP, 10 * BLOW_UP))
                break
            points.append(theta)
        path = np.array(points)
        gap = surface.gap(path)
    return Run(kind, path, gap, np.array(effective, dtype=np.float64).reshape(-1, 2), diverged_at)


#: The update rules in the order of the legend: key, label, colour, line style, line width.
KINDS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
_STYLE = {
    "sgd": ("gradient descent", PALETTE["orange"], "-", 1.8),
    "momentum": ("momentum 0.9", PALETTE["sky"], ":", 2.2),
    "adagrad": ("AdaGrad (yours)", PALETTE["green"], "-.", 1.8),
    "rmsprop": ("RMSProp (yours)", PALETTE["vermillion"], "--", 1.8),
    "adam": ("Adam (yours)", PALETTE["blue"], "-", 2.6),
}


def _contours(surface: Surface, n_levels: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """Level lines of ``surface`` in :data:`WINDOW`, as one line broken by nan (x and y arrays)."""
    import contourpy

    xs = np.linspace(WINDOW[0], WINDOW[1], 161)
    ys = np.linspace(WINDOW[2], WINDOW[3], 141)
    X, Y = np.meshgrid(xs, ys)
    Z = surface.gap(np.column_stack([X.ravel(), Y.ravel()])).reshape(X.shape)
    top = float(surface.gap(np.array([surface.start]))[0])
    levels = np.geomspace(max(top, 1e-3) * 3.0, top * 1e-3, n_levels)
    generator = contourpy.contour_generator(X, Y, Z, line_type="Separate")
    pieces = [line for level in levels for line in generator.lines(level)]
    gaps = np.full((1, 2), np.nan)
    joined = np.concatenate([part for line in pieces for part in (line, gaps)]) if pieces else np.empty((0, 2))
    return joined[:, 0], joined[:, 1]


def _verdict(run: Run) -> str:
    if run.diverged_at is not None:
        return f"<b>diverged</b> at step {run.diverged_at}"
    return f"loss {run.gap[-1]:.1e} above the minimum"


def adaptive_race_widget(adagrad_step, rmsprop_step, adam_step) -> Panel:
    """Gradient descent, momentum and the student's AdaGrad, RMSProp and Adam on three surfaces.

    Parameters
    ----------
    adagrad_step, rmsprop_step, adam_step : callable
        The student's functions from lesson 06.  Gradient descent and
        momentum are written out here, so they show even before.

    Returns
    -------
    Panel
        ``controls["surface"]`` (a dropdown: ``"valley"``, ``"saddle"``,
        ``"rosenbrock"``), ``controls["lr"]`` (the learning rate shared by all
        runs) and one check box per update rule, ``controls["sgd"]``,
        ``["momentum"]``, ``["adagrad"]``, ``["rmsprop"]`` and ``["adam"]``.
        ``figure.axes[0]`` holds the paths over the contours,
        ``figure.axes[1]`` the loss above the minimum per step (log scale),
        ``figure.axes[2]`` and ``[3]`` the effective learning rate of the
        parameters ``x`` and ``y`` per step (log scale).  Each line's label is
        its update rule's label.
    """
    fig = new_figure(8.8, 3.8)
    grid = fig.add_gridspec(2, 3, width_ratios=(1.15, 1.0, 1.0))
    ax_path = fig.add_subplot(grid[:, 0])
    ax_loss = fig.add_subplot(grid[:, 1])
    ax_eff_x = fig.add_subplot(grid[0, 2])
    ax_eff_y = fig.add_subplot(grid[1, 2], sharex=ax_eff_x)

    ax_path.set(xlim=WINDOW[:2], ylim=WINDOW[2:], xlabel="parameter x", ylabel="parameter y")
    ax_path.set_aspect("equal", adjustable="box")
    contour = ax_path.plot([], [], color=PALETTE["grey"], lw=0.7, alpha=0.8, zorder=1)[0]
    title = ax_path.text(0.5, 1.02, "", transform=ax_path.transAxes, ha="center", va="bottom", fontsize=10)
    stars = ax_path.plot([], [], marker="*", ms=11, color=PALETTE["black"], ls="none", zorder=5)[0]
    start = ax_path.plot([], [], marker="o", ms=7, mfc="white", mec=PALETTE["black"], ls="none", zorder=5)[0]

    ax_loss.set(yscale="log", xlim=(0, STEPS), ylim=LOSS_LIMITS, xlabel="step",
                ylabel="loss above the minimum (log scale)")
    ax_loss.set_title("Loss", fontsize=10)
    ax_loss.grid(True, which="major", color=PALETTE["grey"], alpha=0.3)
    for ax, coordinate in ((ax_eff_x, "x"), (ax_eff_y, "y")):
        ax.set(yscale="log", xlim=(0, STEPS), ylim=EFFECTIVE_LIMITS)
        ax.set_ylabel(f"for {coordinate}", fontsize=9)
        ax.grid(True, which="major", color=PALETTE["grey"], alpha=0.3)
        ax.tick_params(labelsize=8)
    ax_eff_x.set_title("Effective learning rate", fontsize=10)
    ax_eff_x.tick_params(labelbottom=False)
    ax_eff_y.set_xlabel("step")

    paths, losses, eff_x, eff_y = {}, {}, {}, {}
    for kind in KINDS:
        label, colour, ls, lw = _STYLE[kind]
        # Five rules, four line styles: Adam's solid line also carries a marker every 10 steps.
        look = {"color": colour, "ls": ls, "lw": lw, "label": label}
        if kind == "adam":
            look.update(marker="o", ms=4, markevery=10)
        paths[kind] = ax_path.plot([], [], zorder=3, **look)[0]
        losses[kind] = ax_loss.plot([], [], **look)[0]
        if kind in ("adagrad", "rmsprop", "adam"):
            eff_x[kind] = ax_eff_x.plot([], [], **look)[0]
            eff_y[kind] = ax_eff_y.plot([], [], **look)[0]
    plain_x = ax_eff_x.axhline(0.1, color=PALETTE["orange"], ls="-", lw=1.2, label="gradient descent: lr")
    plain_y = ax_eff_y.axhline(0.1, color=PALETTE["orange"], ls="-", lw=1.2, label="gradient descent: lr")
    notes = [ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=8,
                     color=PALETTE["vermillion"], zorder=6,
                     bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": PALETTE["vermillion"]})
             for ax in (ax_eff_x, ax_eff_y)]
    for text in (title, *notes):
        text.set_in_layout(False)
    handles = [losses[kind] for kind in KINDS]
    legend = fig.legend(handles, [h.get_label() for h in handles], loc="outside lower center", ncols=5,
                        fontsize=9, frameon=False)
    # What never changes is drawn once, by a first backdrop. The contours and the title change only
    # with the surface: a second backdrop, drawn over the first and remade when the surface changes,
    # keeps them, so a surface change redraws them once and other updates redraw only the runs.
    StaticBackdrop(fig, static_parts(ax_path) + static_parts(ax_loss) + static_parts(ax_eff_x)
                   + static_parts(ax_eff_y) + [(ax_loss, legend)])
    surface_backdrop = StaticBackdrop(fig, [(ax_path, contour), (ax_path, title)])

    functions = {"adagrad": adagrad_step, "rmsprop": rmsprop_step, "adam": adam_step}
    contour_cache = {key: _contours(surface) for key, surface in SURFACES.items()}
    runs: dict = {}  # (surface, lr, kind) -> Run or the NotReady message

    def get_run(surface: Surface, lr: float, kind: str):
        key = (surface.key, lr, kind)
        if key not in runs:
            if len(runs) > 60:
                runs.clear()
            try:
                runs[key] = run_optimizer(kind, functions.get(kind), surface, lr=lr)
            except NotReady as exc:
                runs[key] = exc.message
        return runs[key]

    shown: dict = {}

    def update(surface: str, lr: float, sgd: bool, momentum: bool, adagrad: bool, rmsprop: bool,
               adam: bool) -> str:
        surf = SURFACES[surface]
        if shown.get("surface") != surface:
            shown["surface"] = surface
            contour.set_data(*contour_cache[surface])
            title.set_text(f"{surf.title}:  {surf.formula}")
            stars.set_data(*np.array(surf.minima).T)
            start.set_data([surf.start[0]], [surf.start[1]])
            surface_backdrop.invalidate()
        ticked = {"sgd": sgd, "momentum": momentum, "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam}
        parts, missing, waiting = [], [], []
        for kind in KINDS:
            artists = [paths[kind], losses[kind]] + ([eff_x[kind], eff_y[kind]] if kind in eff_x else [])
            run = get_run(surf, lr, kind) if ticked[kind] else None
            if not isinstance(run, Run):
                for artist in artists:
                    artist.set_visible(False)
                if isinstance(run, str):
                    missing.append(run)
                    waiting.append(getattr(functions[kind], "__name__", kind))
                continue
            for artist in artists:
                artist.set_visible(True)
            steps = np.arange(len(run.path))
            paths[kind].set_data(run.path[:, 0], run.path[:, 1])
            losses[kind].set_data(steps, np.clip(run.gap, 1e-300, 1e30))
            if kind in eff_x:
                effective = np.clip(run.effective, 1e-300, 1e30)
                eff_x[kind].set_data(steps[1:], effective[:, 0])
                eff_y[kind].set_data(steps[1:], effective[:, 1])
            parts.append(f"{_STYLE[kind][0].replace(' (yours)', '')}: {_verdict(run)}")
        for line in (plain_x, plain_y):
            line.set_ydata([lr, lr])
            line.set_visible(sgd or momentum)
        for note in notes:
            note.set_text("implement first:\n" + "\n".join(waiting) if waiting else "")
        header = (f"<b>{surf.title}</b>, lr = {lr:.3g}, {STEPS} steps from "
                  f"({surf.start[0]:g}, {surf.start[1]:g}). ")
        body = "; ".join(parts) if parts else "Tick at least one update rule."
        return header + body + "".join(f"<br>{message_html(m)}" for m in missing)

    controls = {
        "surface": widgets.Dropdown(options=[(s.title, key) for key, s in SURFACES.items()], value="valley",
                                    description="surface", style={"description_width": "initial"},
                                    layout=widgets.Layout(width="210px")),
        "lr": log_slider("learning rate", low_exp=-3, high_exp=0, value=0.1, step=0.05),
    }
    for kind in KINDS:
        controls[kind] = widgets.Checkbox(value=True, description=_STYLE[kind][0], indent=False,
                                          layout=widgets.Layout(width="auto", margin="0 12px 0 0"))
    return Panel(controls, fig, update,
                 "Every run starts at the white circle and takes 100 steps with the same <b>learning rate</b>; "
                 "the stars mark the minima. Pick a <b>surface</b> and tick the update rules (check boxes) to compare. "
                 "The right-hand plots show, for each parameter, the factor that multiplies its gradient.")
