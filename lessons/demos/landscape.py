r"""Lesson 05's optimization landscape: a surface with every kind of trouble, and Newton's method on it.

The surface (:func:`loss`, :func:`gradient`, :func:`hessian`) is a sum of
smooth parts on the plane, chosen so that one small picture holds what the
lesson discusses:

.. math::

    J(x, y) = -2\, g(x - 1.5, y) - 1.2\, g(x + 1.5, y) + 0.01 (x^2 + y^2)
              + \frac{2}{1 + e^{-25 (y - 1.4)}}, \qquad g(u, v) = e^{-(u^2 + v^2) / 0.6},

* a **global minimum** near ``(1.5, 0)`` (the deeper well) and a **local
  minimum** near ``(-1.5, 0)``, with a **saddle point** between them;
* **plateaus** far from the wells, where only the faint bowl
  :math:`0.01 (x^2 + y^2)` slopes: below the wells and on the high ground;
* a **cliff** along ``y = 1.4``, a step of height 2 whose face has a gradient
  of about 12.5: a step taken on it with a large learning rate throws the
  point far away.

:data:`CRITICAL_POINTS` lists its critical points (found once, here, by the
course's own Newton iterations and classified by the Hessian's eigenvalues).

:func:`descent_path` runs the student's ``momentum_step`` on the surface (with
``momentum=0`` it is plain gradient descent); :func:`describe` says in words
where a path ended, with the student's ``critical_point_type``.
:func:`newton_demo` races the student's ``newton_step`` against gradient
descent from next to the saddle, and times a Newton step against a gradient
step as the number of parameters grows.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..blas import one_blas_thread
from ..widgets.kit import PALETTE, NotReady, as_image, attempt, new_figure

__all__ = [
    "WELLS", "BOWL", "CLIFF", "WIDTH", "WINDOW", "STEPS", "CriticalPoint", "CRITICAL_POINTS", "loss", "gradient",
    "hessian", "descent_path", "describe", "newton_path", "newton_costs", "plot_newton", "newton_demo",
    "contour_grid",
]

#: The two wells: centre x, centre y, depth. The deeper one holds the global minimum.
WELLS = ((1.5, 0.0, 2.0), (-1.5, 0.0, 1.2))
#: Width parameter of the wells (``g(u, v) = exp(-(u**2 + v**2) / WIDTH)``).
WIDTH = 0.6
#: The faint bowl that keeps the plateaus sloping a little: ``BOWL * (x**2 + y**2)``.
BOWL = 0.01
#: The cliff: height, steepness and position (``height / (1 + exp(-steepness * (y - position)))``).
CLIFF = (2.0, 25.0, 1.4)
#: The part of the plane that is drawn: x from -3 to 3, y from -3 to 3.
WINDOW = (-3.0, 3.0, -3.0, 3.0)
#: Steps of every descent path.
STEPS = 200
#: A path that gets farther than this from the origin has been thrown off the surface.
ESCAPE = 6.0


def loss(points) -> np.ndarray:
    """:math:`J` at ``points`` of shape ``(..., 2)`` (a single point gives a 0-d array)."""
    p = np.asarray(points, dtype=np.float64)
    x, y = p[..., 0], p[..., 1]
    height, steepness, position = CLIFF
    value = BOWL * (x ** 2 + y ** 2) + height / (1.0 + np.exp(-steepness * (y - position)))
    for cx, cy, depth in WELLS:
        value = value - depth * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / WIDTH)
    return value


def gradient(point) -> np.ndarray:
    """:math:`\nabla J` at one point of shape ``(2,)``, in closed form."""
    x, y = np.asarray(point, dtype=np.float64)
    g = np.array([2.0 * BOWL * x, 2.0 * BOWL * y])
    height, steepness, position = CLIFF
    s = 1.0 / (1.0 + math.exp(-steepness * (y - position))) if steepness * (y - position) > -700 else 0.0
    g[1] += height * steepness * s * (1.0 - s)
    for cx, cy, depth in WELLS:
        e = math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / WIDTH)
        g += depth * e * 2.0 / WIDTH * np.array([x - cx, y - cy])
    return g


def hessian(point) -> np.ndarray:
    """The Hessian of :math:`J` at one point, in closed form, shape ``(2, 2)`` and exactly symmetric."""
    x, y = np.asarray(point, dtype=np.float64)
    H = 2.0 * BOWL * np.eye(2)
    height, steepness, position = CLIFF
    s = 1.0 / (1.0 + math.exp(-steepness * (y - position))) if steepness * (y - position) > -700 else 0.0
    H[1, 1] += height * steepness ** 2 * s * (1.0 - s) * (1.0 - 2.0 * s)
    for cx, cy, depth in WELLS:
        d = np.array([x - cx, y - cy])
        e = math.exp(-(d @ d) / WIDTH)
        H += depth * e * 2.0 / WIDTH * (np.eye(2) - 2.0 / WIDTH * np.outer(d, d))
    return H


@dataclass(frozen=True)
class CriticalPoint:
    """A point where the gradient is 0: where, what, and the loss there."""

    point: np.ndarray
    kind: str
    loss: float
    name: str


def _find_critical_points() -> tuple[CriticalPoint, ...]:
    """Newton's iteration from a grid of starts (the course's own, not the student's), kept where it converged."""
    found: list[np.ndarray] = []
    for x0 in np.linspace(-2.5, 2.5, 11):
        for y0 in np.linspace(-1.0, 1.0, 5):
            p = np.array([x0, y0])
            for _ in range(60):
                try:
                    p = p - np.linalg.solve(hessian(p), gradient(p))
                except np.linalg.LinAlgError:
                    break
                if not np.all(np.isfinite(p)) or np.abs(p).max() > ESCAPE:
                    break
            if (np.all(np.isfinite(p)) and np.abs(p).max() <= ESCAPE and np.linalg.norm(gradient(p)) < 1e-12
                    and not any(np.linalg.norm(p - q) < 1e-6 for q in found)):
                found.append(p)
    points = []
    for p in sorted(found, key=lambda q: float(loss(q))):
        eigenvalues = np.linalg.eigvalsh(hessian(p))
        kind = "minimum" if eigenvalues.min() > 0 else "maximum" if eigenvalues.max() < 0 else "saddle"
        points.append((p, kind))
    names = iter(("the global minimum", "the local minimum"))
    return tuple(CriticalPoint(p, kind, float(loss(p)), next(names) if kind == "minimum" else f"the {kind}")
                 for p, kind in points)


#: The critical points of the surface inside the window, lowest first.
CRITICAL_POINTS = _find_critical_points()


def contour_grid(n: int = 121) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, Y, J)`` on an ``n`` x ``n`` grid of :data:`WINDOW`, for contour plots."""
    x0, x1, y0, y1 = WINDOW
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return X, Y, loss(np.stack([X, Y], axis=-1))


def _pair(result, name: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise NotReady(f"`{name}` should return the pair (theta_new, velocity_new), got {type(result).__name__}.")
    theta, velocity = (np.asarray(r, dtype=np.float64) for r in result)
    if theta.shape != (2,) or velocity.shape != (2,):
        raise NotReady(f"`{name}` should return two arrays of the shape of theta, (2,); got {theta.shape} and "
                       f"{velocity.shape}.")
    return theta, velocity


def descent_path(momentum_step: Callable, start, *, lr: float, momentum: float, steps: int = STEPS) -> np.ndarray:
    """The points visited by the student's ``momentum_step`` on the surface (``momentum=0``: gradient descent).

    Returns
    -------
    ndarray of shape (n_points, 2)
        The start and the point after every step; a path thrown farther than
        :data:`ESCAPE` from the origin stops at that point.

    Raises
    ------
    NotReady
        If ``momentum_step`` is a stub, fails, or returns something else than a pair of arrays of shape (2,).
    """
    name = getattr(momentum_step, "__name__", "momentum_step")
    theta, velocity = np.array(start, dtype=np.float64), np.zeros(2)
    points = [theta]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            theta, velocity = _pair(attempt(momentum_step, theta.copy(), gradient(theta), velocity.copy(), lr=lr,
                                            momentum=momentum), name)
            points.append(theta)
            if not np.all(np.isfinite(theta)) or np.linalg.norm(theta) > ESCAPE:
                break
    return np.array(points)


def describe(path: np.ndarray, critical_point_type: Callable) -> str:
    """Where a path ended, in words; at a critical point, in the words of the student's ``critical_point_type``."""
    end = path[-1]
    jumps = np.linalg.norm(np.diff(path, axis=0), axis=1) if len(path) > 1 else np.zeros(1)
    if not np.all(np.isfinite(end)) or np.linalg.norm(end) > ESCAPE:
        return (f"thrown off the surface: its largest step was {np.nanmax(jumps):.1f} long"
                + (" (down the cliff's face, where the gradient is about 12)" if np.nanmax(jumps) > 2 else ""))
    nearest = min(CRITICAL_POINTS, key=lambda c: float(np.linalg.norm(c.point - end)))
    if np.linalg.norm(nearest.point - end) < 0.02:
        kind = attempt(critical_point_type, hessian(end))
        return (f"ended at a critical point, {nearest.name} (loss {nearest.loss:.2f}); your critical_point_type "
                f"says {kind!r}")
    g = float(np.linalg.norm(gradient(end)))
    steps = np.diff(path[-21:], axis=0)
    turns = np.sum(np.einsum("ij,ij->i", steps[1:], steps[:-1]) < 0) if len(steps) > 2 else 0
    if turns > 0.8 * (len(steps) - 1) and jumps[-1] > 0.05:
        return (f"bouncing across a well, steps of {jumps[-1]:.2f} that change direction every time: the learning "
                "rate is too large for the well's curvature")
    recent = float(np.linalg.norm(path[-1] - path[max(0, len(path) - 51)]))
    if g < 0.05 and recent < 0.5:
        return f"still crawling: |gradient| = {g:.3f}, it moved {recent:.2f} in the last 50 steps (a plateau)"
    return f"still moving (|gradient| = {g:.2f}, loss {float(loss(end)):.2f})"


# --------------------------------------------------------------------------
# Newton's method
# --------------------------------------------------------------------------

#: Where the Newton demo starts: just off the saddle, towards the local minimum.
NEWTON_START = (-0.45, 0.35)
#: Parameter counts at which a Newton step and a gradient step are timed.
NEWTON_SIZES = (10, 30, 100, 300, 1000)


def newton_path(newton_step: Callable, start=NEWTON_START, steps: int = 12) -> np.ndarray:
    """The points of ``steps`` steps of the student's ``newton_step`` with the surface's exact Hessian."""
    name = getattr(newton_step, "__name__", "newton_step")
    theta = np.array(start, dtype=np.float64)
    points = [theta]
    for _ in range(steps):
        returned = attempt(newton_step, theta.copy(), gradient(theta), hessian(theta))
        try:
            result = np.asarray(returned, dtype=np.float64)
        except (TypeError, ValueError):
            result = None
        if result is None or result.shape != (2,):
            got = f"shape {result.shape}" if result is not None else type(returned).__name__
            raise NotReady(f"`{name}` should return theta_new alone, an array of the shape of theta (2,); got "
                           f"{got}.")
        theta = result
        points.append(theta)
        if not np.all(np.isfinite(theta)) or np.linalg.norm(theta) > ESCAPE:
            break
    return np.array(points)


def _gd_path(start, lr: float = 0.3, steps: int = 60) -> np.ndarray:
    theta = np.array(start, dtype=np.float64)
    points = [theta]
    for _ in range(steps):
        theta = theta - lr * gradient(theta)
        points.append(theta)
    return np.array(points)


def _best_of(fn: Callable, repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def newton_costs(newton_step: Callable, sizes=NEWTON_SIZES) -> tuple[np.ndarray, np.ndarray]:
    """Seconds per step of the student's ``newton_step`` and of a gradient step, on ``d`` parameters.

    The Hessians are random symmetric positive-definite matrices (seeded).  The
    time of forming the Hessian is not counted, only the step.
    """
    rng = np.random.default_rng(5)
    newton, gd = [], []
    with one_blas_thread():
        for d in sizes:
            A = rng.normal(size=(d, d))
            H, g, theta = A @ A.T / d + np.eye(d), rng.normal(size=d), rng.normal(size=d)
            repeats = 3 if d >= 300 else 10
            newton.append(_best_of(lambda: attempt(newton_step, theta, g, H), repeats))
            gd.append(_best_of(lambda: theta - 0.1 * g, 50))
    return np.array(newton), np.array(gd)


def plot_newton(newton: np.ndarray, gd: np.ndarray, newton_seconds: np.ndarray, gd_seconds: np.ndarray,
                sizes=NEWTON_SIZES):
    """Left: Newton's path and gradient descent's from next to the saddle. Right: seconds per step against d."""
    fig = new_figure(9.6, 3.8)
    ax_path, ax_cost = fig.subplots(1, 2)
    X, Y, J = contour_grid()
    ax_path.contour(X, Y, J, levels=np.linspace(-1.9, 2.0, 14), colors=PALETTE["grey"], linewidths=0.6)
    for c in CRITICAL_POINTS:
        ax_path.plot(*c.point, "x" if c.kind == "saddle" else "*", color=PALETTE["black"], ms=9)
    ax_path.plot(gd[:, 0], gd[:, 1], color=PALETTE["blue"], lw=2, marker=".", ms=4, label="gradient descent, lr 0.3")
    ax_path.plot(newton[:, 0], newton[:, 1], color=PALETTE["vermillion"], lw=2, marker="o", ms=4,
                 label="your newton_step")
    ax_path.plot(*newton[0], "s", color=PALETTE["black"], ms=6, label="start")
    x0, x1, y0, y1 = WINDOW
    ax_path.set(xlim=(x0, x1), ylim=(-1.5, 1.5), xlabel="x", ylabel="y", aspect="equal",
                title="From next to the saddle (x)")
    ax_path.legend(loc="lower left", fontsize=7)
    sizes = np.asarray(sizes, dtype=float)
    ax_cost.plot(sizes, 1e3 * newton_seconds, color=PALETTE["vermillion"], marker="o", lw=2,
                 label="your newton_step (solve)")
    ax_cost.plot(sizes, 1e3 * gd_seconds, color=PALETTE["blue"], marker="s", lw=2, label="a gradient step")
    ax_cost.plot(sizes, 1e3 * newton_seconds[-1] * (sizes / sizes[-1]) ** 3, color=PALETTE["vermillion"], lw=1,
                 ls=":", label=r"$\propto d^3$")
    ax_cost.set(xscale="log", yscale="log", xlabel="parameters d", ylabel="milliseconds per step",
                title="The cost of one step (Hessian given)")
    ax_cost.legend(loc="upper left", fontsize=7)
    return fig


def newton_demo(newton_step: Callable):
    """Newton's method against gradient descent near the saddle, and what a Newton step costs; or a note."""
    try:
        newton = newton_path(newton_step)
        newton_seconds, gd_seconds = newton_costs(newton_step)
    except NotReady as exc:
        return exc.note()
    gd = _gd_path(NEWTON_START)
    saddle = next(c for c in CRITICAL_POINTS if c.kind == "saddle")
    fig = plot_newton(newton, gd, newton_seconds, gd_seconds)
    landed = float(np.linalg.norm(newton[-1] - saddle.point))
    fig.suptitle(f"Newton ends {landed:.0e} from the saddle, gradient descent at loss {float(loss(gd[-1])):.2f}; "
                 f"at d = {NEWTON_SIZES[-1]} a Newton step costs {newton_seconds[-1] / gd_seconds[-1]:,.0f} "
                 "gradient steps.", fontsize=9, wrap=True)
    return as_image(fig)
