r"""Lesson 07's widgets: an L2 strength slider on a polynomial fit, and a patience slider on a real curve.

:func:`polynomial_l2_widget`
    A polynomial of degree 11 is fitted to 12 noisy points of
    :math:`\sin(\pi x)` by minimizing the mean squared error plus the
    student's L2 penalty on the 11 coefficients of :math:`x, \dots, x^{11}`
    (the constant term, like a bias, is not penalized).  The minimum is
    found exactly: the gradient of the objective,
    :math:`\tfrac{2}{n} \Phi^\top(\Phi w + b - y) +` ``l2_penalty_grad(w)``,
    is linear in :math:`(w, b)` when the penalty's gradient is, so the widget
    reads the matrix of ``l2_penalty_grad`` off the student's function (one
    call per unit vector) and solves "gradient = 0".  A slider sets
    ``lam``; the fit, and the training and validation errors for every
    ``lam``, are shown.
:func:`early_stopping_widget`
    The validation loss of a real training run on the digits that overfits
    (:func:`lessons.demos.regularization.overfitting_run`, computed once at
    first use), with the stop and best epochs that the student's
    ``early_stopping`` returns for the chosen patience and ``min_delta``.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from ..demos.regularization import EPOCHS, overfitting_run
from .kit import PALETTE, NotReady, Panel, StaticBackdrop, attempt, log_slider, new_figure, slider, static_parts


#: Size of both widgets' figures, in inches at 100 dpi.  Most of an update's time goes into
#: encoding the changed pixels as a PNG for the browser, so the figures are kept modest.
FIGSIZE = (9.0, 3.4)

# --------------------------------------------------------------------------
# the polynomial fit
# --------------------------------------------------------------------------

#: Degree of the polynomial and number of training and validation points.
DEGREE = 11
N_TRAIN = 12
N_VAL = 80
NOISE = 0.25
#: The lam slider: powers of ten from 1e-8 to 10 in steps of 10**0.25.
LAM_EXPONENTS = (-8.0, 1.0)
LAM_STEP = 0.25
#: The error curves are computed at every slider position.
LAM_GRID = 10.0 ** np.arange(LAM_EXPONENTS[0], LAM_EXPONENTS[1] + 1e-9, LAM_STEP)
_X_PLOT = np.linspace(-1.0, 1.0, 401)


def truth(x: np.ndarray) -> np.ndarray:
    r"""The function behind the noisy points, :math:`\sin(\pi x)`."""
    return np.sin(np.pi * x)


def features(x: np.ndarray, degree: int = DEGREE) -> np.ndarray:
    """The powers ``x, x**2, ..., x**degree`` as columns, shape ``(n_samples, degree)`` (no constant column)."""
    return np.asarray(x, dtype=np.float64)[:, None] ** np.arange(1, degree + 1)


def polynomial_data(seed: int = 30):
    """``(x_train, y_train, x_val, y_val)``: ``N_TRAIN`` and ``N_VAL`` points of ``truth`` plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-1.0, 1.0, N_TRAIN))
    y_train = truth(x_train) + NOISE * rng.normal(size=N_TRAIN)
    x_val = rng.uniform(-1.0, 1.0, N_VAL)
    y_val = truth(x_val) + NOISE * rng.normal(size=N_VAL)
    return x_train, y_train, x_val, y_val


def _as_number(value, fn) -> float:
    """A penalty returned by the student's ``fn`` as a float, or :class:`NotReady` saying what came back."""
    try:
        if np.ndim(value) == 0:
            return float(value)
    except (TypeError, ValueError):
        pass
    name = getattr(fn, "__name__", "l2_penalty")
    raise NotReady(f"`{name}` should return one number (a float), got {type(value).__name__} {value!r:.60}.")


def _as_array(value, name: str) -> np.ndarray:
    """A gradient returned by the student's function as a float array, or :class:`NotReady`."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise NotReady(f"`{name}` should return an array of numbers, got {type(value).__name__}.") from None


def penalty_matrix(l2_penalty_grad, lam: float, degree: int = DEGREE) -> np.ndarray:
    """The matrix ``G`` with ``l2_penalty_grad(w, lam=lam) == G @ w`` for weight columns ``w`` of shape ``(degree, 1)``.

    Column ``i`` is the student's gradient at the unit vector ``e_i``.  A
    correct gradient, ``lam * W``, gives ``lam * I``.

    Raises
    ------
    NotReady
        If the function is a stub, fails, returns the wrong shape, or is not
        linear in ``W`` (then no matrix describes it).
    """
    name = getattr(l2_penalty_grad, "__name__", "l2_penalty_grad")
    columns = []
    for i in range(degree):
        unit = np.zeros((degree, 1))
        unit[i, 0] = 1.0
        g = _as_array(attempt(l2_penalty_grad, unit, lam=lam), name)
        if g.shape != unit.shape:
            raise NotReady(f"`{name}` should return an array of the shape of W, {unit.shape}, got {g.shape}.")
        columns.append(g[:, 0])
    G = np.column_stack(columns)
    probe = np.linspace(-1.0, 2.0, degree)[:, None]
    g = _as_array(attempt(l2_penalty_grad, probe, lam=lam), name)
    if g.shape != probe.shape or not np.allclose(g, G @ probe, rtol=1e-9, atol=1e-12 * (1 + lam)):
        raise NotReady(f"`{name}` is not linear in W, so the fit cannot use it: the gradient of "
                       f"lam / 2 * ||W||^2 is lam * W.")
    return G


def ridge_fit(x: np.ndarray, y: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, float]:
    r"""Coefficients ``w`` (of ``x, ..., x**degree``) and constant ``b`` minimizing MSE + penalty.

    Solves :math:`\tfrac{2}{n}\Phi_1^\top(\Phi_1 \theta - y) + \begin{pmatrix} 0 \\ G w \end{pmatrix} = 0`
    for :math:`\theta = (b, w)`, with :math:`\Phi_1 = [1, \Phi]`.  Least squares
    picks the smallest solution when the system is singular.
    """
    n = len(x)
    design = np.column_stack([np.ones(n), features(x, G.shape[0])])
    A = 2.0 / n * design.T @ design
    A[1:, 1:] += G
    rhs = 2.0 / n * design.T @ y
    theta = np.linalg.lstsq(A, rhs, rcond=None)[0]
    return theta[1:], float(theta[0])


def polynomial_l2_widget(l2_penalty, l2_penalty_grad) -> Panel:
    """A degree-11 polynomial through 12 noisy points; slide the L2 strength ``lam``.

    Parameters
    ----------
    l2_penalty, l2_penalty_grad : callable
        The student's functions from lesson 07: ``l2_penalty([W], lam=lam)``
        gives the penalty shown in the status line; ``l2_penalty_grad(W,
        lam=lam)`` defines the fit.

    Returns
    -------
    Panel
        ``controls["lam"]`` is a log slider from 1e-8 to 10.  The left axes
        show the points and the fitted polynomial, the right axes the training
        and validation mean squared errors against ``lam`` (computed with the
        student's gradient at every slider position), with the current
        ``lam`` marked.
    """
    x_train, y_train, x_val, y_val = polynomial_data()
    fig = new_figure(*FIGSIZE)
    ax_fit, ax_err = fig.subplots(1, 2)
    fixed = ax_fit.plot(_X_PLOT, truth(_X_PLOT), color=PALETTE["grey"], ls="--", lw=1.5, label="truth: sin(\u03c0x)")
    fixed += ax_fit.plot(x_val, y_val, "s", ms=4, mfc="none", color=PALETTE["orange"],
                         label=f"validation points ({N_VAL})")
    fit_line = ax_fit.plot([], [], color=PALETTE["vermillion"], lw=2.2, label=f"fitted polynomial, degree {DEGREE}")[0]
    # The training points are drawn on top of the fit, on every update.
    ax_fit.plot(x_train, y_train, "o", ms=6, color=PALETTE["blue"], mec="white", label=f"training points ({N_TRAIN})")
    ax_fit.set(xlim=(-1.05, 1.05), ylim=(-2.0, 2.0), xlabel="x (input)", ylabel="y (output)",
               title="The fit")
    ax_fit.legend(loc="lower right", fontsize=7)

    c_train, c_val = PALETTE["orange"], PALETTE["blue"]
    curve_train = ax_err.plot([], [], color=c_train, ls="--", lw=2, label="training MSE")[0]
    curve_val = ax_err.plot([], [], color=c_val, lw=2, label="validation MSE")[0]
    dot_train = ax_err.plot([], [], "s", color=c_train)[0]
    dot_val = ax_err.plot([], [], "o", color=c_val)[0]
    marker = ax_err.axvline(1.0, color=PALETTE["grey"], lw=1)
    noise_line = ax_err.axhline(NOISE ** 2, color=PALETTE["black"], ls=":", lw=1,
                                label=f"noise variance {NOISE ** 2:g}")
    ax_err.set(xscale="log", yscale="log", xlim=(LAM_GRID[0], LAM_GRID[-1]), ylim=(1e-3, 1e2),
               xlabel="L2 strength lam (log scale)", ylabel="mean squared error (log scale)",
               title="Errors against lam")
    ax_err.legend(loc="upper center", fontsize=7)
    ax_err.grid(True, which="major", color=PALETTE["grey"], alpha=0.3)

    cache: dict[str, np.ndarray] = {}

    def errors(w: np.ndarray, b: float) -> tuple[float, float]:
        train = float(np.mean((features(x_train) @ w + b - y_train) ** 2))
        val = float(np.mean((features(x_val) @ w + b - y_val) ** 2))
        return train, val

    def update(lam: float) -> str:
        if not cache:
            rows = []
            for grid_lam in LAM_GRID:
                w, b = ridge_fit(x_train, y_train, penalty_matrix(l2_penalty_grad, float(grid_lam)))
                rows.append(errors(w, b))
            table = np.array(rows)
            cache["train"], cache["val"] = table[:, 0], table[:, 1]
            curve_train.set_data(LAM_GRID, cache["train"])
            curve_val.set_data(LAM_GRID, cache["val"])
        w, b = ridge_fit(x_train, y_train, penalty_matrix(l2_penalty_grad, lam))
        penalty = _as_number(attempt(l2_penalty, [w[:, None]], lam=lam), l2_penalty)
        train, val = errors(w, b)
        fit_line.set_data(_X_PLOT, features(_X_PLOT) @ w + b)
        dot_train.set_data([lam], [train])
        dot_val.set_data([lam], [val])
        marker.set_xdata([lam, lam])
        best = float(LAM_GRID[int(np.argmin(cache["val"]))])
        return (f"lam = {lam:.3g}: training MSE {train:.4f}, validation MSE <b>{val:.4g}</b>; "
                f"your l2_penalty of the 11 coefficients: {penalty:.4g} (their norm {np.linalg.norm(w):.3g}). "
                f"The lowest validation error is at lam \u2248 {best:.3g}.")

    # The axes, the points, the truth and (once computed) the error curves never change: drawn once.
    StaticBackdrop(fig, static_parts(ax_fit, *fixed) + static_parts(ax_err, noise_line, curve_train, curve_val))
    lam_slider = log_slider("lam", low_exp=LAM_EXPONENTS[0], high_exp=LAM_EXPONENTS[1], value=1e-6, step=LAM_STEP)
    return Panel({"lam": lam_slider}, fig, update,
                 "Slide <b>lam</b>, the strength of the L2 penalty on the polynomial's coefficients. "
                 "Small lam: the curve passes through every training point and swings wildly between them. "
                 "Large lam: the coefficients are squeezed towards 0 and the curve flattens.")


# --------------------------------------------------------------------------
# early stopping on a real curve
# --------------------------------------------------------------------------

def _stop_and_best(early_stopping, val_losses: np.ndarray, patience: int, min_delta: float) -> tuple[int, int]:
    """The student's ``(stop_epoch, best_epoch)``, checked for type and range."""
    name = getattr(early_stopping, "__name__", "early_stopping")
    result = attempt(early_stopping, val_losses, patience=patience, min_delta=min_delta)
    n = len(val_losses)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise NotReady(f"`{name}` should return a pair (stop_epoch, best_epoch), got {result!r}.")
    try:
        stop, best = (int(v) for v in result)
    except (TypeError, ValueError):
        raise NotReady(f"`{name}` should return two integers, got {result!r}.") from None
    if not 0 <= stop < n:
        raise NotReady(f"`{name}` returned stop_epoch {stop}; epochs are numbered 0 to {n - 1}.")
    if not 0 <= best <= stop:
        raise NotReady(f"`{name}` returned best_epoch {best} with stop_epoch {stop}: the best epoch is chosen "
                       "among the epochs up to the stop (training never saw the later ones).")
    return stop, best


def early_stopping_widget(early_stopping) -> Panel:
    """Patience and ``min_delta`` sliders on the validation loss of a real run that overfits.

    Parameters
    ----------
    early_stopping : callable
        The student's ``early_stopping(val_losses, *, patience, min_delta)``.

    Returns
    -------
    Panel
        ``controls["patience"]`` (1 to 40 epochs) and ``controls["min_delta"]``
        (0 to 0.1).  The left axes show the training and validation losses of
        the run of :func:`lessons.demos.regularization.overfitting_run`
        against the epoch, the right axes its validation and test accuracy;
        both mark the stop epoch, grey out the epochs never trained, and star
        the best epoch.
    """
    n = EPOCHS
    fig = new_figure(*FIGSIZE)
    ax_loss, ax_acc = fig.subplots(1, 2)
    shades, stops = [], []
    for ax in (ax_loss, ax_acc):
        shade = Rectangle((n, 0), 0, 1, transform=ax.get_xaxis_transform(), color=PALETTE["grey"], alpha=0.25,
                          lw=0, label="never trained (after the stop)")
        ax.add_patch(shade)
        shades.append(shade)
        stops.append(ax.axvline(n - 1, color=PALETTE["vermillion"], lw=2, ls="-.", label="stop epoch"))
    train_loss = ax_loss.plot([], [], color=PALETTE["orange"], ls="--", lw=1.5, label="training loss (noisy labels)")[0]
    val_loss = ax_loss.plot([], [], color=PALETTE["blue"], lw=1.5, label="validation loss")[0]
    best_loss = ax_loss.plot([], [], "*", ms=14, color=PALETTE["green"], mec=PALETTE["black"], label="best epoch")[0]
    ax_loss.set(xlim=(0, n - 1), ylim=(0, 1.8), xlabel="epoch (0-based)", ylabel="cross-entropy (nats)",
                title="Losses of a run that overfits")
    ax_loss.legend(loc="upper right", fontsize=7)
    val_acc = ax_acc.plot([], [], color=PALETTE["blue"], lw=1.5, label="validation accuracy")[0]
    test_acc = ax_acc.plot([], [], color=PALETTE["green"], ls=":", lw=1.5, label="test accuracy")[0]
    best_acc = ax_acc.plot([], [], "*", ms=14, color=PALETTE["green"], mec=PALETTE["black"],
                           label="test accuracy of the best epoch")[0]
    ax_acc.set(xlim=(0, n - 1), ylim=(0.6, 1.0), xlabel="epoch (0-based)", ylabel="accuracy (fraction correct)",
               title="Accuracy on held-out images")
    ax_acc.legend(loc="upper right", fontsize=7)
    # The axes and the curves never change (only the stop line, the shading and the stars move): drawn once.
    StaticBackdrop(fig, static_parts(ax_loss, train_loss, val_loss) + static_parts(ax_acc, val_acc, test_acc))
    cache: dict = {}

    def curves():
        """The run, trained at the first update that finds ``early_stopping`` implemented (then reused)."""
        if not cache:
            attempt(early_stopping, np.array([1.0, 0.9, 0.95]), patience=1, min_delta=0.0)  # a stub: no training
            run = overfitting_run()
            epochs = np.arange(len(run.val_loss))
            train_loss.set_data(epochs, run.train_loss)
            val_loss.set_data(epochs, run.val_loss)
            val_acc.set_data(epochs, run.val_accuracy)
            test_acc.set_data(epochs, run.test_accuracy)
            low = float(min(run.val_accuracy[5:].min(), run.test_accuracy[5:].min()))
            ax_acc.set_ylim(max(0.0, low - 0.05), 1.0)
            cache.update(run=run, overall_best=int(np.argmin(run.val_loss)))
        return cache["run"], cache["overall_best"]

    def update(patience: int, min_delta: float) -> str:
        run, overall_best = curves()
        stop, best = _stop_and_best(early_stopping, run.val_loss, patience, min_delta)
        for shade, line in zip(shades, stops):
            shade.set_x(stop)
            shade.set_width(n - 1 - stop)
            line.set_xdata([stop, stop])
        best_loss.set_data([best], [run.val_loss[best]])
        best_acc.set_data([best], [run.test_accuracy[best]])
        return (f"patience {patience}, min_delta {min_delta:.3f}: stops after epoch <b>{stop}</b> "
                f"({stop + 1} of {n} epochs trained); best epoch <b>{best}</b>, validation loss "
                f"{run.val_loss[best]:.3f}. Restoring its weights gives test accuracy "
                f"<b>{run.test_accuracy[best]:.1%}</b> (after all {n} epochs: {run.test_accuracy[-1]:.1%}; at the "
                f"lowest validation loss of the whole run, epoch {overall_best}: "
                f"{run.test_accuracy[overall_best]:.1%}).")

    patience = widgets.IntSlider(value=5, min=1, max=40, step=1, description="patience (epochs)",
                                 continuous_update=True, style={"description_width": "initial"})
    min_delta = slider("min_delta", low=0.0, high=0.1, value=0.0, step=0.005, fmt=".3f")
    return Panel({"patience": patience, "min_delta": min_delta}, fig, update,
                 "A real run: the network of section 7 without a penalty, trained on 200 digits of which 40 carry "
                 "a wrong label (trained once per session, at first use). <b>patience</b>: how many epochs "
                 "without improvement to wait; <b>min_delta</b>: how much lower than the best so far a loss must "
                 "be to count as an improvement. Your <code>early_stopping</code> places the red line and the star.")
