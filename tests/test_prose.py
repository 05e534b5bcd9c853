"""The numbers the lessons' prose states, computed: a number a test computes cannot drift from the truth.

Each claim is a piece of text that must appear, verbatim, in ``authoring/<lesson>.py``, and the
computation that gives the number it states (with the precision the text writes it to). Editing the
prose so that the text no longer appears fails the test, which sends the editor here to recompute.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _prose(lesson_id: str) -> str:
    """The lesson's source with runs of white space made single and block-quote marks dropped."""
    lines = [line.strip().removeprefix(">") for line in (ROOT / "authoring" / f"{lesson_id}.py").read_text().splitlines()]
    return " ".join(" ".join(lines).split())


def _claim(lesson_id: str, text: str) -> None:
    assert " ".join(text.split()) in _prose(lesson_id), f"{lesson_id} no longer says {text!r}: recompute it here"


def _ce(*probs) -> float:
    return -float(np.mean(np.log(probs)))


# --- 01 ---------------------------------------------------------------------------------------------

@pytest.mark.lesson01
def test_the_cross_entropy_worked_numbers():
    _claim("01-loss-functions", r"\tfrac12 (0.598 + 0.580) \approx 0.589")
    _claim("01-loss-functions", r"\tfrac12 (0.713 + 0.892) \approx 0.802")
    _claim("01-loss-functions", "the wrong predictions a little above it (0.802) and the right ones a little below (0.589)")
    _claim("01-loss-functions", r"$\log 2 \approx 0.693$")
    assert round(_ce(0.55, 0.56), 3) == 0.589 and round(_ce(0.49, 0.41), 3) == 0.802
    assert round(-math.log(0.55), 3) == 0.598 and round(-math.log(0.56), 3) == 0.580
    assert round(-math.log(0.49), 3) == 0.713 and round(-math.log(0.41), 3) == 0.892
    assert _ce(0.55, 0.56) < math.log(2) < _ce(0.49, 0.41)
    # The slip of reading off the largest probability instead of the true class's.
    _claim("01-loss-functions", "That gives about 0.60")
    assert round(_ce(0.51, 0.59), 2) == 0.60


@pytest.mark.lesson01
def test_where_the_squared_errors_push_peaks_and_fades():
    _claim("01-loss-functions", r"the squared error pushes hardest, with $-8/27 \approx -0.30$, at $z = -\ln 2$ ($p = 1/3$)")
    _claim("01-loss-functions", r"Their ratio is $1/(2p(1-p))$, about 75 at $z = -5$")
    sigmoid = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    push = lambda z: 2 * (sigmoid(z) - 1) * sigmoid(z) * (1 - sigmoid(z))  # noqa: E731  d/dz (sigmoid(z) - 1)^2
    zs = np.linspace(-6, 6, 120_001)
    pushes = np.array([push(z) for z in zs])
    assert zs[np.argmin(pushes)] == pytest.approx(-math.log(2), abs=1e-3) and pushes.min() == pytest.approx(-8 / 27)
    assert sigmoid(-math.log(2)) == pytest.approx(1 / 3)
    ce_push = sigmoid(-5) - 1
    assert round(ce_push / push(-5)) == 75 and ce_push / push(-5) == pytest.approx(1 / (2 * sigmoid(-5) * (1 - sigmoid(-5))))


# --- 02 ---------------------------------------------------------------------------------------------

@pytest.mark.lesson02
def test_the_limits_of_float64_underflow():
    _claim("02-softmax-entropy", r"below about $4.9 \times 10^{-324}$, the smallest positive `float64`")
    _claim("02-softmax-entropy", r"the smallest normal one, $2.2 \times 10^{-308}$")
    info = np.finfo(np.float64)
    assert f"{float(info.smallest_subnormal):.1e}" == "4.9e-324"
    assert f"{float(info.tiny):.1e}" == "2.2e-308"
    assert np.float64(info.smallest_subnormal) / 2 == 0.0


@pytest.mark.lesson02
def test_the_best_logit_gap_of_label_smoothing():
    _claim("02-softmax-entropy", r"with $\varepsilon = 0.1$ and $K = 10$, $p_y = 0.91$ and the gap is "
                                 r"$\log 91 \approx 4.51$")
    eps, k = 0.1, 10
    p_true, p_other = 1 - eps + eps / k, eps / k
    assert round(p_true, 2) == 0.91 and round(p_true / p_other) == 91 and round(math.log(91), 2) == 4.51
    # The target's own minimum: d/dg of the smoothed loss at the best gap is 0.
    def loss(gap):
        log_z = math.log(math.exp(gap) + (k - 1))
        return -(p_true * (gap - log_z) + (k - 1) * p_other * (0 - log_z))

    h = 1e-6
    assert abs((loss(math.log(91) + h) - loss(math.log(91) - h)) / (2 * h)) < 1e-8


@pytest.mark.lesson02
def test_the_naive_softmax_among_the_subnormals():
    lesson = "02-softmax-entropy"
    _claim(lesson, r"$e^{-743}$ is stored as 4 times the smallest subnormal")
    _claim(lesson, r"the naive bars come out as $(0.4, 0.4, 0.2)$ instead of $(0.42, 0.42, 0.16)$")
    tiny = float(np.finfo(np.float64).smallest_subnormal)
    assert np.exp(-743.0) == 4 * tiny
    z = np.array([-3.0, -3.0, -4.0]) - 740.0
    naive = np.exp(z) / np.exp(z).sum()
    exact = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    assert np.allclose(naive, [0.4, 0.4, 0.2], atol=0, rtol=1e-12)
    assert np.allclose(np.round(exact, 2), [0.42, 0.42, 0.16])
    # Softmax's invariance to a shift, and where the naive formula breaks in float64.
    _claim(lesson, r"once the largest logit passes $709.78$")
    _claim(lesson, r"once every logit is below $-745.13$")
    _claim(lesson, r"it **underflows** to exactly 0 once $x < -745.13$")
    assert math.isfinite(math.exp(709.78)) and round(math.log(np.finfo(np.float64).max), 2) == 709.78
    assert np.exp(-745.14) == 0.0 and np.exp(-745.13) > 0.0
    _claim(lesson, r"Close to $\log 2 \approx 0.693$")
    assert round(math.log(2), 3) == 0.693

# --- 03 ---------------------------------------------------------------------------------------------

@pytest.mark.lesson03
def test_the_finite_population_factor():
    _claim("03-mini-batch", r"the factor $\sqrt{(n - Q)/(n - 1)}$ is 0.97 at $Q = 16$, 0.71 at $Q = 128$")
    # The variance of a sample mean of Q of n values drawn without replacement, by enumerating a small case:
    values, q = np.array([0.0, 1.0, 3.0, 7.0]), 2
    import itertools
    means = [np.mean(c) for c in itertools.combinations(values, q)]
    assert np.var(means) == pytest.approx(np.var(values) / q * (len(values) - q) / (len(values) - 1))
    assert (round(math.sqrt(240 / 255), 2), round(math.sqrt(128 / 255), 2)) == (0.97, 0.71)


# --- 04 ---------------------------------------------------------------------------------------------

@pytest.mark.lesson04
def test_he_relu_wanders_without_a_trend_in_the_widgets_network():
    from lessons.widgets import initializers as widget
    from solutions.initializers import he_normal

    _claim("04-initialization", "the spread wanders between 0.48 and 1.26 (the input's is 1.0) and ends at 0.48")
    _claim("04-initialization", r"$0.71^{50} \approx 3 \times 10^{-8}$ for Glorot")
    x = widget._inputs()
    rng = np.random.default_rng(widget.SEED + 1)  # the widget's weights
    h, stds = x, []
    for _ in range(widget.MAX_DEPTH):
        h = np.maximum(h @ he_normal(widget.WIDTH, widget.WIDTH, rng=rng), 0.0)
        stds.append(float(np.std(h)))
    assert round(float(np.std(x)), 1) == 1.0
    assert (round(min(stds), 2), round(max(stds), 2), round(stds[-1], 2)) == (0.48, 1.26, 0.48)
    assert f"{(1 / math.sqrt(2)) ** 50:.0e}" == "3e-08"


@pytest.mark.lesson04
def test_the_spread_of_relu_outputs_under_he():
    _claim("04-initialization", r"multiply the spread by $0.01\sqrt{256} = 0.16$ per layer")
    _claim("04-initialization", r"the standard deviation is $\sqrt{1 - 1/\pi} \approx 0.83$")
    assert 0.01 * math.sqrt(256) == 0.16
    # relu(z) for z ~ N(0, 2): E[h] = sqrt(2) / sqrt(2 pi), E[h^2] = 1, by quadrature of the normal density.
    z = np.linspace(0, 40, 400_001)
    density = np.exp(-z**2 / 4) / math.sqrt(4 * math.pi)
    mean, second = np.trapezoid(z * density, z), np.trapezoid(z**2 * density, z)
    assert second == pytest.approx(1.0) and round(math.sqrt(second - mean**2), 2) == 0.83 == round(math.sqrt(1 - 1 / math.pi), 2)


# --- 05 ---------------------------------------------------------------------------------------------

def _hessian_by_differences(f, point, h=1e-4):
    """The Hessian of ``f`` at ``point`` by central differences of ``f`` alone."""
    point, n = np.asarray(point, dtype=float), len(point)
    H = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            e_i, e_j = np.eye(n)[i] * h, np.eye(n)[j] * h
            H[i, j] = (f(point + e_i + e_j) - f(point + e_i - e_j) - f(point - e_i + e_j) + f(point - e_i - e_j)) / (4 * h * h)
    return H


@pytest.mark.lesson05
def test_the_stability_limits_of_the_two_wells():
    from lessons.demos import landscape

    _claim("05-momentum", r"The curvature at its bottom is about 4.0, so the limit $2 / \lambda_{\max}$ of section 1 is about 0.5")
    _claim("05-momentum", r"$|1 - 0.5 \times 4.02| \approx 1.01$")
    _claim("05-momentum", "In the deep well, whose curvature is about 6.7, the limit is already $0.3$")
    loss = lambda p: float(landscape.loss(np.asarray(p)[None, :])[0])  # noqa: E731
    curvature = {}
    for name, start in (("local", (-1.5, 0.0)), ("global", (1.5, 0.0))):
        point = np.array(start)
        for _ in range(20):  # Newton's iterations on the closed-form surface, with differences only
            H = _hessian_by_differences(loss, point)
            g = np.array([(loss(point + e) - loss(point - e)) / 2e-6 for e in np.eye(2) * 1e-6])
            point = point - np.linalg.solve(H, g)
        curvature[name] = float(np.linalg.eigvalsh(_hessian_by_differences(loss, point)).max())
    assert round(curvature["local"], 1) == 4.0 and round(curvature["local"], 2) == 4.02
    assert round(2 / curvature["local"], 1) == 0.5 and round(abs(1 - 0.5 * curvature["local"]), 2) == 1.01
    assert round(curvature["global"], 1) == 6.7 and round(2 / curvature["global"], 1) == 0.3


@pytest.mark.lesson05
def test_the_valleys_stability_limits_at_condition_number_100():
    _claim("05-momentum", r"$\eta = 0.03$ is above $2/\kappa = 0.02$, so gradient descent diverges, and above Nesterov's "
                          r"$1.36/\kappa = 0.0136$, so it diverges too, while classical momentum, stable up to "
                          r"$3.8/\kappa = 0.038$, survives")
    # Classical momentum on curvature a: (x, v) -> (x + v', v' = mu v - lr a x); stable while the spectral
    # radius of its 2x2 iteration matrix is below 1. The closed form of the limit is lr a < 2 (1 + mu).
    mu, kappa = 0.9, 100.0
    assert math.isclose(2 * (1 + mu) / kappa, 0.038)
    def radius(lr, nesterov=False):
        a = kappa
        if nesterov:  # v' = mu v - lr a (x + mu v), x' = x + v'
            M = np.array([[1 - lr * a, mu - lr * a * mu], [-lr * a, mu - lr * a * mu]])
        else:
            M = np.array([[1 - lr * a, mu], [-lr * a, mu]])
        return max(abs(np.linalg.eigvals(M)))
    assert radius(0.0379) < 1 < radius(0.0381)
    assert radius(0.0135, nesterov=True) < 1 < radius(0.0137, nesterov=True)
    assert radius(0.03) < 1 < radius(0.03, nesterov=True) and abs(1 - 0.03 * kappa) > 1


@pytest.mark.lesson05
def test_momentum_does_not_carry_a_start_on_the_left_over_the_saddle():
    from lessons.demos import landscape
    from solutions.momentum import momentum_step

    _claim("05-momentum", "Not from here, and not from any start on the left at these learning rates: momentum 0.9 and 0.95 "
                          "also settle in the local minimum")
    local = next(c.point for c in landscape.CRITICAL_POINTS if c.name == "the local minimum")
    for mu in (0.9, 0.95):
        for x in np.arange(-2.9, -1.0, 0.2):
            for y in (-2.0, -1.0, 0.0, 0.5, 1.0):
                path = landscape.descent_path(momentum_step, (x, y), lr=0.1, momentum=mu)
                assert np.linalg.norm(path[-1] - local) < 0.05, (mu, x, y, path[-1])


@pytest.mark.lesson05
def test_the_cliff_throws_momentum_first():
    from lessons.demos import landscape
    from solutions.momentum import momentum_step

    _claim("05-momentum", "With momentum 0.9, already at 0.1: the velocity built on the cliff's face, where the gradient is "
                          "about 12, makes a step 1.3 long")
    _claim("05-momentum", r"is thrown off from about 0.6, with a first step of $0.6 \times 12.5 = 7.5$")
    height, steepness, _ = landscape.CLIFF
    assert height * steepness / 4 == 12.5  # the logistic step's slope at its middle

    def longest_step(lr, mu):
        path = landscape.descent_path(momentum_step, (0.0, 1.4), lr=lr, momentum=mu)
        return float(np.max(np.linalg.norm(np.diff(path, axis=0), axis=1))), float(np.abs(path).max())

    assert round(longest_step(0.1, 0.9)[0], 1) == 1.3
    assert longest_step(0.5, 0.0)[1] < landscape.ESCAPE < longest_step(0.6, 0.0)[1]
    assert round(longest_step(0.6, 0.0)[0], 1) == 7.5


@pytest.mark.lesson05
def test_momentum_along_the_valleys_floor():
    _claim("05-momentum", r"$3 \times 0.93^{30} \approx 0.34$ from the minimum")
    _claim("05-momentum", r"the distance shrinks by about 0.82 per step (the larger root of $z^2 - 1.43 z + 0.5 = 0$): 0.012 after "
                          r"30 steps, about 28 times closer")
    assert round(3 * 0.93**30, 2) == 0.34
    assert round(max(np.roots([1, -1.43, 0.5]).real), 2) == 0.82  # v' = mu v - lr x, x' = x + v' on curvature 1
    x, v, curvature = np.array([-3.0, 1.0]), np.zeros(2), np.array([1.0, 25.0])
    for _ in range(30):
        v = 0.5 * v - 0.07 * curvature * x
        x = x + v
    gd = np.array([-3.0, 1.0]) * (1 - 0.07 * curvature) ** 30
    assert round(float(np.linalg.norm(x)), 3) == 0.012 and round(float(np.linalg.norm(gd) / np.linalg.norm(x))) == 28


# --- 06 ---------------------------------------------------------------------------------------------

@pytest.mark.lesson06
def test_the_uncorrected_adam_step_climbs_before_it_fades():
    _claim("06-adaptive-rates", r"it climbs to about $6.57\,\eta$ at step 12, is still $3.24\,\eta$ at step 100, "
                                r"and falls to $1.26\,\eta$ only by step 1000")
    _claim("06-adaptive-rates", r"= 3.16\, \eta$ for every parameter")
    # Adam without bias correction under a constant gradient g, run step by step (not the closed form).
    g, m, v, steps = 1.0, 0.0, 0.0, []
    for _ in range(1000):
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        steps.append(m / math.sqrt(v))
    assert round(steps[0], 2) == 3.16
    assert int(np.argmax(steps)) + 1 == 12 and round(max(steps), 2) == 6.57
    assert round(steps[99], 2) == 3.24 and round(steps[999], 2) == 1.26


# --- 07 ---------------------------------------------------------------------------------------------

def _keras_restored_epoch(losses, patience, min_delta):
    """The epoch whose weights Keras's EarlyStopping(restore_best_weights=True) gives back (its rule, written out)."""
    best, best_epoch, wait = math.inf, None, 0
    for epoch, loss in enumerate(losses):
        if best_epoch is None:
            best_epoch = epoch
        wait += 1
        if loss + min_delta < best:  # Keras flips the sign of min_delta in "min" mode
            best, best_epoch, wait = loss, epoch, 0
            continue
        if wait >= patience and epoch > 0:
            break
    return best_epoch


@pytest.mark.lesson07
def test_keras_restores_the_last_improvement_and_the_course_the_lowest_loss():
    from solutions.regularization import early_stopping

    _claim("07-regularization", "it would give back epoch **1**'s weights (0.75), not epoch 3's (0.68)")
    losses = [1.0, 0.75, 0.7, 0.68]
    assert early_stopping(losses, patience=2, min_delta=0.1) == (3, 3)
    assert _keras_restored_epoch(losses, patience=2, min_delta=0.1) == 1
    assert _keras_restored_epoch(losses, patience=2, min_delta=0.0) == early_stopping(losses, patience=2)[1]


@pytest.mark.lesson07
def test_pure_l2_decay():
    _claim("07-regularization", r"by $1 - \eta\lambda = 0.95$ per step ($0.95^{40} \approx 0.129$)")
    assert round(1 - 0.1 * 0.5, 2) == 0.95 and round(0.95**40, 3) == 0.129 and round(1 / (0.1 * 0.5)) == 20


# --- 08 ---------------------------------------------------------------------------------------------

@pytest.mark.lesson08
def test_the_spread_of_the_number_of_dropped_units():
    _claim("08-dropout", r"following a binomial distribution with standard deviation $\sqrt{16p(1-p)}$, 2 units at $p = 0.5$")
    counts = np.arange(17)
    pmf = np.array([math.comb(16, k) * 0.5**16 for k in counts])
    assert math.isclose(math.sqrt(float(np.sum(pmf * (counts - 8.0) ** 2))), 2.0)


# --- 09 ---------------------------------------------------------------------------------------------

@pytest.mark.lesson09
def test_where_the_chains_leave_float64():
    _claim("09-unstable-gradients", r"$1.5^{1750} \approx 1.44 \times 10^{308}$, repeated multiplication gives `inf` "
                                    r"from layer $l = 1752$ on")
    assert f"{1.5 ** 1750:.2e}" == "1.44e+308"
    value, layer = 1.0, 1  # layer l holds 1.5 ** (l - 1)
    with np.errstate(over="ignore"):
        while np.isfinite(value):
            value, layer = np.float64(value) * 1.5, layer + 1
    assert layer == 1752
    _claim("09-unstable-gradients", r"rounds to **exactly 0** from layer $l = 1076$ on")
    value, layer = 1.0, 1
    while value != 0.0:
        value, layer = np.float64(value) * 0.5, layer + 1
    assert layer == 1076


@pytest.mark.lesson09
def test_elus_slope_fades_on_the_negative_side():
    _claim("09-unstable-gradients", r"below $10^{-4}$ from $x \approx -9.2$ on (with $\alpha = 1$)")
    assert round(math.log(1e-4), 1) == -9.2


@pytest.mark.lesson09
def test_the_limits_of_the_narrow_formats():
    lesson = "09-unstable-gradients"
    _claim(lesson, "about **11.09** in `float16`, **88.72** in `float32`, **709.78** in `float64`")
    for kind, text in ((np.float16, "11.09"), (np.float32, "88.72"), (np.float64, "709.78")):
        assert f"{math.log(float(np.finfo(kind).max)):.2f}" == text
        with np.errstate(over="ignore"):
            assert np.isinf(np.exp(kind(float(text) + 0.01))) and np.isfinite(np.exp(kind(float(text) - 0.01)))
    _claim(lesson, "For `float16` it is only $65{,}504$")
    assert float(np.finfo(np.float16).max) == 65504
    _claim(lesson, r"For `float16` this is $6.1 \times 10^{-5}$")
    assert f"{float(np.finfo(np.float16).tiny):.1e}" == "6.1e-05"
    _claim(lesson, r"For `float16` this is $6 \times 10^{-8}$: a gradient of $10^{-8}$ stored in `float16` is **0**")
    assert f"{float(np.finfo(np.float16).smallest_subnormal):.0e}" == "6e-08" and np.float16(1e-8) == 0
    _claim(lesson, r"about $10^{-3}$ in `float16`")
    assert f"{float(np.finfo(np.float16).eps):.0e}" == "1e-03"
    _claim(lesson, "A naive softmax of logits as small as 12 overflows in `float16`")
    with np.errstate(over="ignore"):
        assert np.isinf(np.exp(np.float16(12.0)))


@pytest.mark.lesson09
def test_pytorchs_grad_scaler_starts_at_two_to_the_sixteen():
    import inspect

    from tests import oracles

    _claim("09-unstable-gradients", r"PyTorch's `GradScaler` therefore starts at $S = 2^{16}$, halves $S$ whenever a "
                                    r"step produces `inf` or `nan` (and skips that step), and doubles it after 2,000 "
                                    "clean steps")
    defaults = {k: p.default for k, p in inspect.signature(oracles.torch().amp.GradScaler.__init__).parameters.items()}
    assert (defaults["init_scale"], defaults["growth_factor"], defaults["backoff_factor"],
            defaults["growth_interval"]) == (2.0**16, 2.0, 0.5, 2000)


# --- 10 ---------------------------------------------------------------------------------------------

@pytest.mark.lesson10
def test_the_worked_neuron():
    _claim("10-backpropagation", r"$z = 0.5 \cdot 2 - 0.5 = 0.5$, $a = \tanh(0.5) = 0.4621$, $J = (0.4621 - 1)^2 = 0.2893$")
    _claim("10-backpropagation", r"\bar a = 2 (a - t) = -1.0758, \qquad \bar z = \bar a \cdot (1 - a^2) = -1.0758 \cdot 0.7864 "
                                 r"= -0.8460, \qquad \bar w = \bar z \cdot x = -1.6921, \qquad \bar b = \bar z = -0.8460")
    J = lambda w, b, x=2.0, t=1.0: (math.tanh(w * x + b) - t) ** 2  # noqa: E731
    a = math.tanh(0.5)
    assert (f"{a:.4f}", f"{J(0.5, -0.5):.4f}", f"{2 * (a - 1):.4f}", f"{1 - a * a:.4f}") == ("0.4621", "0.2893", "-1.0758", "0.7864")
    h = 1e-6
    w_bar = (J(0.5 + h, -0.5) - J(0.5 - h, -0.5)) / (2 * h)
    b_bar = (J(0.5, -0.5 + h) - J(0.5, -0.5 - h)) / (2 * h)
    assert (f"{w_bar:.4f}", f"{b_bar:.4f}") == ("-1.6921", "-0.8460")


@pytest.mark.lesson10
def test_the_gradient_checks_window():
    from lessons.widgets.backprop import H_GRID, error_curve
    from solutions.backprop import mlp_backward, numerical_gradient, relative_error

    _claim("10-backpropagation", r"The error is smallest, about $10^{-8}$, near $h = 10^{-5}$, and below $10^{-7}$ only from "
                                 r"about $10^{-6}$ to $10^{-4}$: two decades")
    _claim("10-backpropagation", r"Up, from about $5 \times 10^{-10}$ with one hidden layer of tanh to $7 \times 10^{-9}$ with "
                                 r"two and $2 \times 10^{-8}$ with three")
    curves = {d: error_curve(mlp_backward, numerical_gradient, relative_error, activation="tanh", depth=d) for d in (1, 2, 3)}
    best = int(np.argmin(curves[2]))
    assert H_GRID[best] == pytest.approx(1e-5) and round(math.log10(curves[2][best])) == -8
    right = H_GRID[curves[2] < 1e-7]
    assert right.min() == pytest.approx(1e-6) and right.max() == pytest.approx(1e-4)
    assert [f"{curves[d].min():.0e}" for d in (1, 2, 3)] == ["5e-10", "7e-09", "2e-08"]
