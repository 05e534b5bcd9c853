"""Tests for solutions/adaptive.py (lesson 06-adaptive-rates).

Oracles: PyTorch's ``torch.optim.Adagrad``, ``torch.optim.RMSprop`` and
``torch.optim.Adam`` in double precision on quadratic bowls and the Rosenbrock
function (each test explains how torch's formula maps onto ours); closed forms
(constant gradients, a Cauchy-Schwarz bound on Adam's step and the gradient
sequence that attains it); small numbers worked by hand; central finite
differences for the test problems' own gradients. No expected value is taken
from the reference's output.
"""

import inspect
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions.adaptive import adagrad_step, adam_step, adamw_step, rmsprop_step
from tests import oracles

pytestmark = pytest.mark.lesson06

HYP = settings(max_examples=40, deadline=None)

# --------------------------------------------------------------------------- helpers

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
non_negative = st.floats(0.0, 1e3, allow_nan=False, allow_infinity=False)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
decays = st.floats(0.0, 0.99)
rates = st.floats(0.0, 2.0)
epsilons = st.floats(1e-10, 1.0)


@st.composite
def theta_grad_states(draw):
    """theta, grad, m (any reals) and r (non-negative) of one shared (possibly 0-d) shape."""
    shape = draw(shapes)
    theta, grad, m = (draw(hnp.arrays(np.float64, shape, elements=finite)) for _ in range(3))
    r = draw(hnp.arrays(np.float64, shape, elements=non_negative))
    return theta, grad, m, r


def _assert_close(actual, expected, *, rtol=1e-10, atol=1e-13):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


class Problem:
    """A test function with a NumPy gradient (for our steps) and a torch loss (for torch's)."""

    def __init__(self, name, theta0, grad, torch_loss, value):
        self.name, self.theta0, self.grad, self.torch_loss, self.value = name, theta0, grad, torch_loss, value

    def __repr__(self):
        return self.name


def _bowl(shape, eigenvalues, seed):
    """J(x) = 1/2 x^T A x - b^T x over vec(theta), with A a non-diagonal SPD matrix."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    a = q @ np.diag(eigenvalues) @ q.T
    a = (a + a.T) / 2
    b = rng.normal(size=n)
    theta0 = rng.normal(size=shape) * 3.0

    def value(theta):
        x = np.asarray(theta).reshape(-1)
        return 0.5 * x @ a @ x - b @ x

    def grad(theta):
        return (a @ np.asarray(theta).reshape(-1) - b).reshape(shape)

    def torch_loss(p):
        torch = oracles.torch()
        x = p.reshape(-1)
        return 0.5 * x @ (torch.tensor(a) @ x) - torch.tensor(b) @ x

    return Problem(f"bowl{shape}", theta0, grad, torch_loss, value)


def _rosenbrock(theta0):
    """The chained Rosenbrock function sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2."""
    theta0 = np.asarray(theta0, dtype=np.float64)

    def value(x):
        x = np.asarray(x)
        return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))

    def grad(x):
        x = np.asarray(x)
        g = np.zeros_like(x)
        inner = x[1:] - x[:-1] ** 2
        g[:-1] += -400.0 * x[:-1] * inner - 2.0 * (1.0 - x[:-1])
        g[1:] += 200.0 * inner
        return g

    def torch_loss(p):
        return (100.0 * (p[1:] - p[:-1] ** 2) ** 2 + (1.0 - p[:-1]) ** 2).sum()

    return Problem(f"rosenbrock{theta0.size}", theta0, grad, torch_loss, value)


PROBLEMS = [
    _bowl((3,), [1.0, 7.0, 40.0], 0),
    _bowl((2, 3), [0.5, 1.0, 3.0, 10.0, 25.0, 60.0], 1),
    _rosenbrock([-1.5, 2.0]),
    _rosenbrock([-1.2, 1.0, 0.5, 0.8]),
]


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
def test_problem_gradients_match_finite_differences(problem):
    """The test problems' NumPy gradients (which drive our steps) agree with central differences."""
    rng = np.random.default_rng(7)
    for point in (problem.theta0, problem.theta0 + rng.normal(size=problem.theta0.shape)):
        _assert_close(problem.grad(point), oracles.numerical_grad(problem.value, point), rtol=1e-6, atol=1e-5)


def _torch_path(problem, make_optimizer, state_keys, n_steps):
    """Run a torch optimizer on ``problem``; return the parameters and the named states after each step."""
    torch = oracles.torch()
    p = torch.tensor(problem.theta0, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer(torch, [p])
    params, states = [], {key: [] for key in state_keys}
    for _ in range(n_steps):
        opt.zero_grad()
        problem.torch_loss(p).backward()
        opt.step()
        params.append(p.detach().numpy().copy())
        for key in state_keys:
            states[key].append(opt.state[p][key].detach().numpy().copy())
    return np.array(params), {key: np.array(val) for key, val in states.items()}


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    "func, expected",
    [
        (adagrad_step, "(theta, grad, r, *, lr=0.01, eps=1e-07)"),
        (rmsprop_step, "(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-07)"),
        (adam_step, "(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08)"),
    ],
)
def test_signatures_match_curriculum(func, expected):
    """Names, keyword-only hyperparameters and defaults are those of the curriculum."""
    assert str(inspect.signature(func)) == expected


def test_hyperparameters_are_keyword_only():
    """Passing lr positionally is a TypeError (Python's own)."""
    with pytest.raises(TypeError):
        adagrad_step(np.zeros(2), np.zeros(2), np.zeros(2), 0.1)
    with pytest.raises(TypeError):
        rmsprop_step(np.zeros(2), np.zeros(2), np.zeros(2), 0.1)
    with pytest.raises(TypeError):
        adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), 1, 0.1)


# --------------------------------------------------------------------------- PyTorch oracle

N_STEPS = 80


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
@pytest.mark.parametrize("lr, eps", [(0.1, 1e-7), (0.5, 1e-7), (0.3, 0.05)])
def test_adagrad_matches_torch(problem, lr, eps):
    """AdaGrad follows torch.optim.Adagrad(lr, eps, lr_decay=0, initial_accumulator_value=0).

    torch: state_sum += g*g; std = sqrt(state_sum) + eps; p -= lr * g / std. That is
    our rule with eps in the same place (outside the root), and state_sum is our r,
    so theta and r must agree after every step (to rounding). torch's default eps is
    1e-10, so ours is passed explicitly; eps = 0.05 makes its placement matter.
    """
    params, states = _torch_path(
        problem,
        lambda torch, ps: torch.optim.Adagrad(ps, lr=lr, eps=eps, lr_decay=0, initial_accumulator_value=0,
                                              foreach=False),
        ["sum"], N_STEPS)
    theta, r = problem.theta0, np.zeros_like(problem.theta0)
    for k in range(N_STEPS):
        theta, r = adagrad_step(theta, problem.grad(theta), r, lr=lr, eps=eps)
        _assert_close(theta, params[k], rtol=1e-9, atol=1e-12)
        _assert_close(r, states["sum"][k], rtol=1e-9, atol=1e-12)
    assert np.abs(params[-1] - problem.theta0).max() > 0.05  # the path went somewhere


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
@pytest.mark.parametrize("lr, rho, eps", [(0.01, 0.9, 1e-7), (0.02, 0.5, 1e-7), (0.005, 0.99, 1e-7),
                                          (0.01, 0.9, 0.05)])
def test_rmsprop_matches_torch(problem, lr, rho, eps):
    """RMSProp follows torch.optim.RMSprop(lr, alpha=rho, eps, centered=False, momentum=0).

    torch: square_avg = alpha*square_avg + (1 - alpha)*g*g; avg = sqrt(square_avg) + eps;
    p -= lr * g / avg. With alpha = rho this is our rule, eps in the same place, and
    square_avg is our r. (torch's default eps is 1e-8, so ours is passed explicitly.)
    """
    params, states = _torch_path(
        problem,
        lambda torch, ps: torch.optim.RMSprop(ps, lr=lr, alpha=rho, eps=eps, centered=False, momentum=0,
                                              foreach=False),
        ["square_avg"], N_STEPS)
    theta, r = problem.theta0, np.zeros_like(problem.theta0)
    for k in range(N_STEPS):
        theta, r = rmsprop_step(theta, problem.grad(theta), r, lr=lr, rho=rho, eps=eps)
        _assert_close(theta, params[k], rtol=1e-9, atol=1e-12)
        _assert_close(r, states["square_avg"][k], rtol=1e-9, atol=1e-12)
    assert np.abs(params[-1] - problem.theta0).max() > 0.05


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
@pytest.mark.parametrize(
    "lr, beta1, beta2, eps",
    [(0.01, 0.9, 0.999, 1e-8), (0.05, 0.5, 0.9, 1e-8), (0.01, 0.0, 0.99, 1e-8), (0.02, 0.95, 0.5, 1e-8),
     (0.01, 0.9, 0.999, 0.1)],
)
def test_adam_matches_torch(problem, lr, beta1, beta2, eps):
    """Adam follows torch.optim.Adam(lr, betas=(beta1, beta2), eps) for 80 steps.

    torch stores the uncorrected averages exp_avg (our m) and exp_avg_sq (our v) and
    steps p -= (lr / bc1) * exp_avg / (sqrt(exp_avg_sq) / sqrt(bc2) + eps), with
    bc_i = 1 - beta_i**t and t = 1 on the first step. Since sqrt(v)/sqrt(bc2) equals
    sqrt(v/bc2) = sqrt(v_hat) and exp_avg/bc1 = m_hat, this is exactly
    lr * m_hat / (sqrt(v_hat) + eps): the curriculum's formula, eps outside the root
    and after the bias correction. The two differ only by rounding, so theta, m and
    v must agree after every step. eps = 0.1 makes a misplaced eps visible.
    """
    params, states = _torch_path(
        problem,
        lambda torch, ps: torch.optim.Adam(ps, lr=lr, betas=(beta1, beta2), eps=eps, foreach=False),
        ["exp_avg", "exp_avg_sq"], N_STEPS)
    theta, m, v = problem.theta0, np.zeros_like(problem.theta0), np.zeros_like(problem.theta0)
    for k in range(N_STEPS):
        theta, m, v = adam_step(theta, problem.grad(theta), m, v, k + 1, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        _assert_close(theta, params[k], rtol=1e-9, atol=1e-12)
        _assert_close(m, states["exp_avg"][k], rtol=1e-9, atol=1e-12)
        _assert_close(v, states["exp_avg_sq"][k], rtol=1e-9, atol=1e-12)
    assert np.abs(params[-1] - problem.theta0).max() > 0.05


def test_torch_oracle_separates_the_usual_mistakes():
    """The torch paths above can tell the catalogued variants apart: with eps = 0.05
    (0.1 for Adam) eps inside the root, Adam without bias correction, and t starting
    at 0 (i.e. shifted by one) each leave torch's path by far more than the tolerance.
    The variants are written here, independently of the module under test."""
    problem = PROBLEMS[0]
    eps = 0.05
    params, _ = _torch_path(
        problem, lambda torch, ps: torch.optim.Adagrad(ps, lr=0.3, eps=eps, foreach=False), ["sum"], N_STEPS)
    theta, r = problem.theta0, np.zeros(3)
    for _ in range(N_STEPS):
        g = problem.grad(theta)
        r = r + g**2
        theta = theta - 0.3 * g / np.sqrt(r + eps)  # eps inside the root
    assert np.abs(theta - params[-1]).max() > 1e-3

    eps = 0.1
    params, _ = _torch_path(
        problem, lambda torch, ps: torch.optim.Adam(ps, lr=0.01, eps=eps, foreach=False), ["exp_avg"], N_STEPS)
    for variant in ("inside", "no_correction", "t_from_2"):
        theta, m, v = problem.theta0, np.zeros(3), np.zeros(3)
        for k in range(1, N_STEPS + 1):
            g = problem.grad(theta)
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g**2
            t = k + 1 if variant == "t_from_2" else k
            m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
            if variant == "inside":
                theta = theta - 0.01 * m_hat / np.sqrt(v_hat + eps)
            elif variant == "no_correction":
                theta = theta - 0.01 * m / (np.sqrt(v) + eps)
            else:
                theta = theta - 0.01 * m_hat / (np.sqrt(v_hat) + eps)
        assert np.abs(theta - params[-1]).max() > 1e-4, variant


# --------------------------------------------------------------------------- worked numbers


def test_adagrad_worked_numbers():
    """r = [16, 9] + [9, 16] = [25, 25]; theta = [1 - 0.5*3/5, -2 + 0.5*4/5] = [0.7, -1.6] (eps 1e-7 aside)."""
    theta, r = adagrad_step(np.array([1.0, -2.0]), np.array([3.0, -4.0]), np.array([16.0, 9.0]), lr=0.5)
    np.testing.assert_array_equal(r, [25.0, 25.0])
    _assert_close(theta, [0.7, -1.6], rtol=1e-7)


def test_eps_sits_outside_the_root():
    """theta = 0, g = 1, r = 0, lr = 1, eps = 0.44: outside, 1/(0.44 + 1) = 1/1.44;
    inside it would be 1/sqrt(1.44) = 1/1.2. Adam at t = 1 gives the same (m_hat = g, v_hat = g^2)."""
    theta, _ = adagrad_step(0.0, 1.0, 0.0, lr=1.0, eps=0.44)
    _assert_close(theta, -1 / 1.44, rtol=1e-14)
    theta, _ = rmsprop_step(0.0, 2.0, 4.0, lr=1.0, rho=0.5, eps=0.44)  # r = 0.5*4 + 0.5*4 = 4, sqrt = 2
    _assert_close(theta, -2 / 2.44, rtol=1e-14)
    theta, _, _ = adam_step(0.0, 1.0, 0.0, 0.0, 1, lr=1.0, eps=0.44)
    _assert_close(theta, -1 / 1.44, rtol=1e-14)


def test_rmsprop_worked_numbers():
    """rho = 0.75: r = 0.75*[0, 2.25] + 0.25*[9, 0.25] = [2.25, 1.75]; theta_0 = 1 - 0.1*3/1.5 = 0.8."""
    theta, r = rmsprop_step(np.array([1.0, -2.0]), np.array([3.0, 0.5]), np.array([0.0, 2.25]), lr=0.1, rho=0.75)
    _assert_close(r, [2.25, 1.75], rtol=1e-15)
    _assert_close(theta, [0.8, -2.0 - 0.05 / math.sqrt(1.75)], rtol=1e-7)


def test_adam_worked_numbers():
    """Three steps by hand (exact fractions), lr = 0.1, beta1 = 1/2, beta2 = 3/4, eps = 1e-12, theta_0 = 1:
    g = 4:  m = 2, v = 4, m_hat = 2/(1/2) = 4, v_hat = 4/(1/4) = 16, step 0.1*4/4 = 0.1;
    g = -2: m = 0, v = 4, step 0 exactly;
    g = 1:  m = 1/2, v = 13/4, m_hat = (1/2)/(7/8) = 4/7, v_hat = (13/4)/(37/64) = 208/37."""
    lr, b1, b2, eps = 0.1, 0.5, 0.75, 1e-12
    theta, m, v = adam_step(1.0, 4.0, 0.0, 0.0, 1, lr=lr, beta1=b1, beta2=b2, eps=eps)
    _assert_close([m, v], [2.0, 4.0], rtol=1e-15)
    _assert_close(theta, 0.9, rtol=1e-12)
    theta, m, v = adam_step(theta, -2.0, m, v, 2, lr=lr, beta1=b1, beta2=b2, eps=eps)
    _assert_close([m, v], [0.0, 4.0], rtol=1e-15)
    _assert_close(theta, 0.9, rtol=1e-12)
    theta, m, v = adam_step(theta, 1.0, m, v, 3, lr=lr, beta1=b1, beta2=b2, eps=eps)
    _assert_close([m, v], [0.5, 3.25], rtol=1e-15)
    m_hat, v_hat = Fraction(4, 7), Fraction(208, 37)
    _assert_close(theta, 0.9 - lr * float(m_hat) / math.sqrt(float(v_hat)), rtol=1e-12)


# --------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("eps", [1e-7, 0.3])
def test_adagrad_constant_gradient_closed_form(eps):
    """Under a constant g from r = 0: r_t = t g^2 and theta_t = theta_0 - lr g sum_k 1/(eps + |g| sqrt(k))."""
    lr, n_steps = 0.2, 60
    g = np.array([[1.0, -2.0, 0.5], [3e-4, 0.0, -25.0]])
    theta0 = np.array([[0.3, 0.1, -4.0], [2.0, 1.0, 0.0]])
    theta, r = theta0, np.zeros_like(g)
    total = np.zeros_like(g)
    for t in range(1, n_steps + 1):
        theta, r = adagrad_step(theta, g, r, lr=lr, eps=eps)
        total = total + 1.0 / (eps + np.abs(g) * math.sqrt(t))
        _assert_close(r, t * g**2, rtol=1e-13)
        _assert_close(theta, theta0 - lr * g * total, rtol=1e-12)


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9, 0.99])
def test_rmsprop_constant_gradient_closed_form(rho):
    """Under a constant g from r = 0: r_t = g^2 (1 - rho^t) and
    theta_t = theta_0 - lr g sum_k 1/(eps + |g| sqrt(1 - rho^k))."""
    lr, eps, n_steps = 0.01, 1e-7, 60
    g = np.array([1.0, -2.0, 0.5, 0.0, 40.0])
    theta0 = np.array([0.3, 0.1, -4.0, 2.0, 1.0])
    theta, r = theta0, np.zeros_like(g)
    total = np.zeros_like(g)
    for t in range(1, n_steps + 1):
        theta, r = rmsprop_step(theta, g, r, lr=lr, rho=rho, eps=eps)
        total = total + 1.0 / (eps + np.abs(g) * math.sqrt(1 - rho**t))
        _assert_close(r, g**2 * (1 - rho**t), rtol=1e-12)
        _assert_close(theta, theta0 - lr * g * total, rtol=1e-12)


@pytest.mark.parametrize("beta1, beta2", [(0.9, 0.999), (0.0, 0.0), (0.5, 0.99), (0.99, 0.5)])
def test_adam_constant_gradient_closed_form(beta1, beta2):
    """Under a constant g from zero moments: m_t = g (1 - beta1^t), v_t = g^2 (1 - beta2^t),
    m_hat = g, v_hat = g^2, so every step is lr g / (|g| + eps): theta_t = theta_0 - t lr g/(|g| + eps)."""
    lr, eps, n_steps = 0.01, 1e-8, 60
    g = np.array([1.0, -2.0, 1e-3, 0.0, 40.0])
    theta0 = np.array([0.3, 0.1, -4.0, 2.0, 1.0])
    theta, m, v = theta0, np.zeros_like(g), np.zeros_like(g)
    for t in range(1, n_steps + 1):
        theta, m, v = adam_step(theta, g, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        _assert_close(m, g * (1 - beta1**t), rtol=1e-12)
        _assert_close(v, g**2 * (1 - beta2**t), rtol=1e-12)
        _assert_close(theta, theta0 - t * lr * g / (np.abs(g) + eps), rtol=1e-12)


def _adam_weights(beta, t):
    """Weights (1 - beta) beta^(t-i) / (1 - beta^t), i = 1..t, of the bias-corrected average (sum 1)."""
    i = np.arange(1, t + 1)
    return (1 - beta) * beta ** (t - i) / (1 - beta**t)


def _adam_bound(beta1, beta2, t):
    """C_t = sqrt(sum_i w_i^2 / u_i): by Cauchy-Schwarz |m_hat| <= C_t sqrt(v_hat) for any gradients."""
    w, u = _adam_weights(beta1, t), _adam_weights(beta2, t)
    return math.sqrt(float(np.sum(w**2 / u)))


@HYP
@given(
    grads=st.lists(hnp.arrays(np.float64, 4, elements=st.floats(-100, 100)), min_size=1, max_size=25),
    betas=st.sampled_from([(0.9, 0.999), (0.5, 0.9), (0.0, 0.99), (0.95, 0.5)]),
)
def test_adam_step_never_exceeds_the_cauchy_schwarz_bound(grads, betas):
    """From zero moments, for any gradient sequence, step t moves each coordinate by at most lr * C_t."""
    beta1, beta2 = betas
    lr = 0.01
    theta, m, v = np.zeros(4), np.zeros(4), np.zeros(4)
    for t, g in enumerate(grads, start=1):
        theta_new, m, v = adam_step(theta, g, m, v, t, lr=lr, beta1=beta1, beta2=beta2)
        assert np.all(np.abs(theta_new - theta) <= lr * _adam_bound(beta1, beta2, t) * (1 + 1e-9))
        theta = theta_new


@pytest.mark.parametrize("beta1, beta2", [(0.9, 0.999), (0.5, 0.9), (0.95, 0.5)])
def test_adam_bound_is_attained(beta1, beta2):
    """With g_i proportional to w_i / u_i (Cauchy-Schwarz equality), step t is lr C_t^2/(C_t + eps) ~ lr C_t.
    With the defaults C_10 > 1: Adam's step can be longer than lr."""
    lr, eps, t = 0.01, 1e-8, 10
    w, u = _adam_weights(beta1, t), _adam_weights(beta2, t)
    c = _adam_bound(beta1, beta2, t)
    theta, m, v = np.zeros(1), np.zeros(1), np.zeros(1)
    for k in range(t):
        theta_prev = theta
        theta, m, v = adam_step(theta, [w[k] / u[k]], m, v, k + 1, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    _assert_close(theta_prev - theta, [lr * c * c / (c + eps)], rtol=1e-10)
    if (beta1, beta2) == (0.9, 0.999):
        assert c > 1.0


# --------------------------------------------------------------------------- properties


@HYP
@given(g=hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=5),
                    elements=st.one_of(st.just(0.0), st.floats(1e-2, 1e6), st.floats(-1e6, -1e-2))),
       lr=st.floats(1e-4, 1.0))
def test_first_adam_step_moves_each_coordinate_by_about_lr(g, lr):
    """Curriculum property: from m = v = 0 at t = 1, each coordinate with a nonzero gradient moves
    by lr |g|/(|g| + eps), within 1e-6 of lr, against the gradient; zero gradients do not move."""
    theta0 = np.linspace(-1, 1, g.size).reshape(g.shape)
    theta, _, _ = adam_step(theta0, g, np.zeros_like(g), np.zeros_like(g), 1, lr=lr)
    step = theta - theta0
    moving = g != 0
    _assert_close(np.abs(step[moving]), lr, rtol=1e-6)
    assert np.all(np.sign(step[moving]) == -np.sign(g[moving]))
    assert np.all(step[~moving] == 0)


@HYP
@given(arrays=theta_grad_states(), lr=rates, eps=epsilons)
def test_adagrad_never_moves_a_coordinate_more_than_lr(arrays, lr, eps):
    """sqrt(r + g^2) >= |g|, so |step| <= lr; from r = 0 the step is exactly lr |g| / (eps + |g|)."""
    theta, grad, _, r = arrays
    theta_new, _ = adagrad_step(theta, grad, r, lr=lr, eps=eps)
    assert np.all(np.abs(theta_new - theta) <= lr * (1 + 1e-12) + 1e-12 * np.abs(theta))
    theta_new, _ = adagrad_step(theta, grad, np.zeros_like(r), lr=lr, eps=eps)
    _assert_close(theta_new, theta - lr * grad / (eps + np.abs(grad)), rtol=1e-12, atol=1e-12)


@HYP
@given(arrays=theta_grad_states(), lr=rates, rho=decays, eps=epsilons)
def test_rmsprop_step_bound_and_first_step(arrays, lr, rho, eps):
    """r_new >= (1 - rho) g^2, so |step| <= lr / sqrt(1 - rho); from r = 0 the step is
    lr g / (eps + |g| sqrt(1 - rho)), which approaches that bound (no bias correction)."""
    theta, grad, _, r = arrays
    theta_new, _ = rmsprop_step(theta, grad, r, lr=lr, rho=rho, eps=eps)
    bound = lr / math.sqrt(1 - rho)
    assert np.all(np.abs(theta_new - theta) <= bound * (1 + 1e-12) + 1e-12 * np.abs(theta))
    theta_new, r_new = rmsprop_step(theta, grad, np.zeros_like(r), lr=lr, rho=rho, eps=eps)
    _assert_close(r_new, (1 - rho) * grad**2, rtol=1e-12)
    _assert_close(theta_new, theta - lr * grad / (eps + np.abs(grad) * math.sqrt(1 - rho)),
                  rtol=1e-12, atol=1e-12)


@HYP
@given(arrays=theta_grad_states(), lr=rates, t=st.integers(1, 10**6), eps=epsilons)
def test_adam_without_averaging_is_normalized_gradient(arrays, lr, t, eps):
    """beta1 = beta2 = 0: m_hat = g and v_hat = g^2 whatever the state and t, so the
    step is lr g / (|g| + eps)."""
    theta, grad, m, v = arrays
    theta_new, m_new, v_new = adam_step(theta, grad, m, v, t, lr=lr, beta1=0.0, beta2=0.0, eps=eps)
    np.testing.assert_array_equal(m_new, grad)
    np.testing.assert_array_equal(v_new, grad**2)
    _assert_close(theta_new, theta - lr * grad / (np.abs(grad) + eps), rtol=1e-12, atol=1e-12)


@HYP
@given(arrays=theta_grad_states(), lr=rates, rho=decays, t=st.integers(1, 200), eps=epsilons)
def test_adam_with_beta1_zero_is_rescaled_rmsprop(arrays, lr, rho, t, eps):
    """With beta1 = 0 and beta2 = rho, Adam's v is RMSProp's r, and dividing by sqrt(v / bc)
    with bc = 1 - rho^t is RMSProp with lr and eps both multiplied by sqrt(bc)."""
    theta, grad, _, r = arrays
    theta_a, _, v = adam_step(theta, grad, np.zeros_like(r), r, t, lr=lr, beta1=0.0, beta2=rho, eps=eps)
    s = math.sqrt(1 - rho**t)
    theta_r, r_new = rmsprop_step(theta, grad, r, lr=lr * s, rho=rho, eps=eps * s)
    _assert_close(v, r_new, rtol=1e-12, atol=1e-300)
    _assert_close(theta_a, theta_r, rtol=1e-10, atol=1e-10)


@HYP
@given(arrays=theta_grad_states(), lr=rates, k=st.integers(-20, 20), t=st.integers(1, 50))
def test_gradient_scale_invariance(arrays, lr, k, t):
    """Scaling the gradients by c = 2^k (the squared states by c^2, m by c, eps by c) leaves every
    step unchanged: powers of two make this exact in floating point, as long as nothing is subnormal
    (0.75 * 5e-324 rounds), hence no entry below 1e-100 in size other than 0."""
    theta, grad, m, r = arrays
    assume(all(np.all((a == 0) | (np.abs(a) >= 1e-100)) for a in arrays))
    c = 2.0**k
    a, ra = adagrad_step(theta, grad, r, lr=lr, eps=1e-3)
    b, rb = adagrad_step(theta, c * grad, c * c * r, lr=lr, eps=c * 1e-3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(c * c * ra, rb)
    a, ra = rmsprop_step(theta, grad, r, lr=lr, rho=0.75, eps=1e-3)
    b, rb = rmsprop_step(theta, c * grad, c * c * r, lr=lr, rho=0.75, eps=c * 1e-3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(c * c * ra, rb)
    a, ma, va = adam_step(theta, grad, m, r, t, lr=lr, eps=1e-3)
    b, mb, vb = adam_step(theta, c * grad, c * m, c * c * r, t, lr=lr, eps=c * 1e-3)
    _assert_close(a, b, rtol=1e-14, atol=1e-14)
    _assert_close(c * ma, mb, rtol=1e-14, atol=0)
    _assert_close(c * c * va, vb, rtol=1e-14, atol=0)


@HYP
@given(arrays=theta_grad_states(), t=st.integers(1, 100))
def test_each_parameter_has_its_own_step(arrays, t):
    """Every rule is element-wise: the whole array gives what each entry gives alone as a 0-d array."""
    theta, grad, m, r = arrays
    whole = (adagrad_step(theta, grad, r, lr=0.1), rmsprop_step(theta, grad, r, lr=0.1),
             adam_step(theta, grad, m, r, t, lr=0.1))
    for idx in np.ndindex(theta.shape):
        alone = (adagrad_step(theta[idx], grad[idx], r[idx], lr=0.1),
                 rmsprop_step(theta[idx], grad[idx], r[idx], lr=0.1),
                 adam_step(theta[idx], grad[idx], m[idx], r[idx], t, lr=0.1))
        for outs_whole, outs_alone in zip(whole, alone):
            for a, b in zip(outs_whole, outs_alone):
                np.testing.assert_array_equal(a[idx], b)


def test_adagrad_step_shrinks_but_rmsprop_does_not():
    """Under a constant gradient AdaGrad's step falls like lr/sqrt(t); RMSProp's settles at lr."""
    g = np.array([2.0])
    theta_a, r_a = np.zeros(1), np.zeros(1)
    theta_r, r_r = np.zeros(1), np.zeros(1)
    for _ in range(400):
        prev_a, prev_r = theta_a, theta_r
        theta_a, r_a = adagrad_step(theta_a, g, r_a, lr=0.1)
        theta_r, r_r = rmsprop_step(theta_r, g, r_r, lr=0.1, rho=0.9)
    _assert_close(prev_a - theta_a, [0.1 / math.sqrt(400)], rtol=1e-6)
    _assert_close(prev_r - theta_r, [0.1], rtol=1e-6)


@HYP
@given(arrays=theta_grad_states(), lr=rates, t=st.integers(1, 10**9))
def test_inputs_unchanged_and_outputs_new(arrays, lr, t):
    """No argument is modified; results are new float64 arrays of theta's shape."""
    theta, grad, m, r = arrays
    copies = [x.copy() for x in arrays]
    results = [
        adagrad_step(theta, grad, r, lr=lr),
        rmsprop_step(theta, grad, r, lr=lr),
        adam_step(theta, grad, m, r, t, lr=lr),
    ]
    for original, copy in zip(arrays, copies):
        np.testing.assert_array_equal(original, copy)
    for outs in results:
        for out in outs:
            assert isinstance(out, np.ndarray)
            assert out.dtype == np.float64
            assert out.shape == theta.shape
            for original in arrays:
                assert not np.shares_memory(out, original)


def test_zero_learning_rate_updates_only_the_state():
    """lr = 0: theta stays put while the averages still absorb the gradient."""
    theta, g = np.array([1.0, -2.0]), np.array([3.0, 4.0])
    new, r = adagrad_step(theta, g, np.ones(2), lr=0.0)
    np.testing.assert_array_equal(new, theta)
    np.testing.assert_array_equal(r, [10.0, 17.0])
    new, m, v = adam_step(theta, g, np.zeros(2), np.zeros(2), 1, lr=0.0, beta1=0.5, beta2=0.5)
    np.testing.assert_array_equal(new, theta)
    np.testing.assert_array_equal(m, [1.5, 2.0])
    np.testing.assert_array_equal(v, [4.5, 8.0])


def test_scalars_lists_integers_and_numpy_step_numbers():
    """0-d inputs give 0-d arrays; integer lists become float64; t may be a NumPy integer."""
    theta, r = adagrad_step(2, 3, 16, lr=1, eps=1e-7)  # r = 25, step 3/5
    assert isinstance(theta, np.ndarray) and theta.shape == () and theta.dtype == np.float64
    _assert_close(theta, 1.4, rtol=1e-7)
    theta, r = rmsprop_step([1, 2], [1, 1], [0, 0], lr=1, rho=0)  # r = g^2, step g/(|g| + eps)
    assert theta.dtype == np.float64 and r.dtype == np.float64
    _assert_close(theta, [0.0, 1.0], atol=1e-6)
    theta, m, v = adam_step(0, 1, 0, 0, np.int64(1), lr=1)
    assert isinstance(theta, np.ndarray) and theta.shape == ()
    _assert_close(theta, -1.0, rtol=1e-7)


@pytest.mark.parametrize("magnitude", [1e4, 1e150, 1e-150, 0.0])
def test_extreme_magnitudes_no_warnings(magnitude):
    """Large, tiny and zero (but representable) values give finite results and no warning
    (warnings are errors here); zero gradients with zero state give zero steps, not 0/0."""
    theta = np.array([magnitude, -magnitude, 0.0])
    grad = np.array([-magnitude, magnitude, magnitude])
    m = np.array([magnitude, magnitude, -magnitude])
    r = np.array([magnitude, 0.0, magnitude])
    outs = [
        *adagrad_step(theta, grad, r, lr=1.0),
        *rmsprop_step(theta, grad, r, lr=1.0, rho=0.99),
        *adam_step(theta, grad, m, r, 1, lr=1.0),
        *adam_step(theta, grad, m, r, 10**6, lr=1.0, beta1=0.999999, beta2=0.999999),
    ]
    for out in outs:
        assert np.all(np.isfinite(out))
    if magnitude == 0.0:
        for theta_new in outs[0], outs[2], outs[4]:
            np.testing.assert_array_equal(theta_new, 0.0)


@pytest.mark.parametrize("t", [10**6, 2**70, 10**400])
def test_huge_step_numbers(t):
    """Very late steps: the bias corrections are 1 (beta^t underflows to 0), no error or warning."""
    theta, m, v = adam_step(np.ones(2), np.array([1.0, -1.0]), np.array([0.5, 0.5]), np.array([1.0, 1.0]), t,
                            lr=0.1)
    m_exp = 0.9 * 0.5 + 0.1 * np.array([1.0, -1.0])
    v_exp = 0.999 + 0.001
    _assert_close(theta, 1.0 - 0.1 * m_exp / (math.sqrt(v_exp) + 1e-8), rtol=1e-13)


# --------------------------------------------------------------------------- input validation

STEPS = {
    "adagrad_step": lambda theta, g, s, **kw: adagrad_step(theta, g, s, **kw),
    "rmsprop_step": lambda theta, g, s, **kw: rmsprop_step(theta, g, s, **kw),
    "adam_step": lambda theta, g, s, **kw: adam_step(theta, g, np.zeros_like(np.asarray(s, dtype=float)), s, 1,
                                                     **kw),
}


@pytest.mark.parametrize("name", STEPS)
@pytest.mark.parametrize(
    "lr, error",
    [(-0.1, ValueError), (float("nan"), ValueError), (float("inf"), ValueError),
     ("0.1", TypeError), (None, TypeError), (True, TypeError), (np.array([0.1, 0.2]), TypeError)],
)
def test_bad_learning_rate(name, lr, error):
    """lr must be a finite real number >= 0; the message names lr."""
    with pytest.raises(error, match=r"\blr\b"):
        STEPS[name](np.zeros(2), np.ones(2), np.zeros(2), lr=lr)


@pytest.mark.parametrize("name", STEPS)
@pytest.mark.parametrize(
    "eps, error",
    [(0.0, ValueError), (-1e-8, ValueError), (float("nan"), ValueError), (float("inf"), ValueError),
     ("1e-7", TypeError), (None, TypeError)],
)
def test_bad_eps(name, eps, error):
    """eps must be a finite real number > 0 (it keeps the division defined); the message names eps."""
    with pytest.raises(error, match=r"\beps must be"):
        STEPS[name](np.zeros(2), np.ones(2), np.zeros(2), eps=eps)


@pytest.mark.parametrize("name, decay", [("rmsprop_step", "rho"), ("adam_step", "beta1"), ("adam_step", "beta2")])
@pytest.mark.parametrize("value, error", [(1.0, ValueError), (1.5, ValueError), (-0.1, ValueError),
                                          (float("nan"), ValueError), ("0.9", TypeError), (None, TypeError)])
def test_bad_decay(name, decay, value, error):
    """rho, beta1 and beta2 must lie in [0, 1); the message names the argument."""
    with pytest.raises(error, match=rf"\b{decay} must be"):
        STEPS[name](np.zeros(2), np.ones(2), np.zeros(2), **{decay: value})


@pytest.mark.parametrize("t", [0, -1, np.int64(0)])
def test_step_number_below_one(t):
    """t counts steps from 1; t = 0 (a loop starting at 0) is a ValueError that says so."""
    with pytest.raises(ValueError, match=r"t must be >= 1.*1 on the first call"):
        adam_step(np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2), t)


@pytest.mark.parametrize("t", [1.0, 2.5, "1", True, None, np.array(1), np.float64(3.0)])
def test_step_number_not_an_integer(t):
    """t must be an integer (not a float, a string, a bool or an array); the message names t."""
    with pytest.raises(TypeError, match=r"t must be an integer"):
        adam_step(np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2), t)


@pytest.mark.parametrize("name", STEPS)
def test_grad_shape_mismatch(name):
    """grad must have the shape of theta; the message names grad and both shapes."""
    with pytest.raises(ValueError, match=r"theta and grad must have the same shape.*\(2,\).*\(3,\)"):
        STEPS[name](np.zeros(2), np.ones(3), np.zeros(2))
    with pytest.raises(ValueError, match="grad"):
        STEPS[name](np.zeros((2, 3)), np.ones((3, 2)), np.zeros((2, 3)))


@pytest.mark.parametrize(
    "call, state",
    [
        (lambda s: adagrad_step(np.zeros((2, 2)), np.ones((2, 2)), s), "r"),
        (lambda s: rmsprop_step(np.zeros((2, 2)), np.ones((2, 2)), s), "r"),
        (lambda s: adam_step(np.zeros((2, 2)), np.ones((2, 2)), s, np.zeros((2, 2)), 1), "m"),
        (lambda s: adam_step(np.zeros((2, 2)), np.ones((2, 2)), np.zeros((2, 2)), s, 1), "v"),
    ],
)
def test_state_shape_mismatch(call, state):
    """State arrays must have the shape of theta (no broadcasting); the message names them."""
    with pytest.raises(ValueError, match=rf"theta and {state} must have the same shape"):
        call(np.zeros(2))


@pytest.mark.parametrize(
    "call, state",
    [
        (lambda s: adagrad_step(np.zeros(2), np.ones(2), s), "r"),
        (lambda s: rmsprop_step(np.zeros(2), np.ones(2), s), "r"),
        (lambda s: adam_step(np.zeros(2), np.ones(2), np.zeros(2), s, 1), "v"),
    ],
)
def test_negative_squared_state(call, state):
    """r and v accumulate squares: a negative entry (m or the gradient passed instead) is a ValueError."""
    with pytest.raises(ValueError, match=rf"{state} must be non-negative.*-0\.5"):
        call(np.array([1.0, -0.5]))


def test_negative_first_moment_is_fine():
    """m is an average of gradients and may be negative."""
    theta, m, _ = adam_step(np.zeros(2), np.ones(2), np.array([-1.0, -2.0]), np.zeros(2), 2)
    assert np.all(np.isfinite(theta)) and np.all(m < 0)


@pytest.mark.parametrize("name", STEPS)
def test_non_numeric_arrays(name):
    """Arrays that are not numeric are a TypeError naming the argument."""
    with pytest.raises(TypeError, match="theta"):
        STEPS[name]("abc", np.ones(1), np.zeros(1))
    with pytest.raises(TypeError, match="grad"):
        STEPS[name](np.zeros(2), ["a", "b"], np.zeros(2))
    with pytest.raises(TypeError, match="grad"):
        STEPS[name](np.zeros(2), None, np.zeros(2))


def test_non_numeric_moment():
    """A first moment that is not numeric is a TypeError naming m."""
    with pytest.raises(TypeError, match=r"\bm must be"):
        adam_step(np.zeros(2), np.ones(2), None, np.zeros(2), 1)


# --- adamw_step ---

@pytest.mark.parametrize("shape, lr, wd, betas, eps", [((5,), 0.05, 0.3, (0.8, 0.99), 1e-6),
                                                      ((3, 4), 0.001, 0.01, (0.9, 0.999), 1e-8),
                                                      ((2, 1, 3), 0.5, 1.5, (0.5, 0.9), 1e-3)])
def test_adamw_matches_torch_over_twenty_steps(shape, lr, wd, betas, eps):
    torch = oracles.torch()
    rng = np.random.default_rng(61)
    theta = rng.normal(size=shape)
    param = torch.tensor(theta.copy(), requires_grad=True)
    opt = torch.optim.AdamW([param], lr=lr, weight_decay=wd, betas=betas, eps=eps)
    m, v = np.zeros(shape), np.zeros(shape)
    for t in range(1, 21):
        grad = rng.normal(scale=10.0 ** rng.uniform(-3, 2), size=shape)
        theta, m, v = adamw_step(theta, grad, m, v, t, lr=lr, weight_decay=wd, beta1=betas[0], beta2=betas[1],
                                 eps=eps)
        opt.zero_grad()
        param.grad = torch.tensor(grad)
        opt.step()
        np.testing.assert_allclose(theta, param.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_adamw_without_decay_is_adam_and_its_decay_never_reaches_the_moments():
    rng = np.random.default_rng(62)
    theta, grad, m, v = rng.normal(size=4), rng.normal(size=4), rng.normal(size=4), rng.random(4)
    for got, want in zip(adamw_step(theta, grad, m, v, 3, lr=0.1, weight_decay=0.0),
                         adam_step(theta, grad, m, v, 3, lr=0.1)):
        np.testing.assert_array_equal(got, want)
    _, m_w, v_w = adamw_step(theta, grad, m, v, 3, lr=0.1, weight_decay=0.7)
    _, m_a, v_a = adam_step(theta, grad, m, v, 3, lr=0.1)
    np.testing.assert_array_equal(m_w, m_a)
    np.testing.assert_array_equal(v_w, v_a)
    # A zero gradient from rest: only the decay acts, theta * (1 - lr * weight_decay) exactly.
    new, _, _ = adamw_step(np.array([2.0, -4.0]), np.zeros(2), np.zeros(2), np.zeros(2), 1, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(new, [1.9, -3.8], rtol=1e-15)


def test_adamw_refuses_a_negative_decay():
    with pytest.raises(ValueError, match="weight_decay"):
        adamw_step(np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2), 1, weight_decay=-0.1)
    with pytest.raises(TypeError, match="weight_decay"):
        adamw_step(np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2), 1, weight_decay="0.1")


# --- learning-rate schedules, against torch.optim.lr_scheduler ---

def _torch_rates(make, lr: float, steps: int) -> list[float]:
    """The learning rate PyTorch's scheduler gives at steps 0, 1, ..., steps - 1."""
    torch = oracles.torch()
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = make(torch.optim.lr_scheduler, opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return rates


def test_step_and_exponential_decay_match_torch():
    from solutions.adaptive import exponential_decay, step_decay

    want = _torch_rates(lambda s, o: s.StepLR(o, step_size=7, gamma=0.3), 0.2, 40)
    np.testing.assert_allclose([step_decay(k, lr=0.2, every=7, drop=0.3) for k in range(40)], want, rtol=1e-12)
    want = _torch_rates(lambda s, o: s.ExponentialLR(o, gamma=0.95), 0.05, 60)
    np.testing.assert_allclose([exponential_decay(k, lr=0.05, gamma=0.95) for k in range(60)], want, rtol=1e-10)


@pytest.mark.parametrize("total, min_lr", [(50, 0.0), (33, 0.001)])
def test_cosine_decay_matches_torch_up_to_total_and_then_stays(total, min_lr):
    from solutions.adaptive import cosine_decay

    want = _torch_rates(lambda s, o: s.CosineAnnealingLR(o, T_max=total, eta_min=min_lr), 0.1, total + 1)
    got = [cosine_decay(k, lr=0.1, total_steps=total, min_lr=min_lr) for k in range(total + 1)]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)
    assert cosine_decay(total + 17, lr=0.1, total_steps=total, min_lr=min_lr) == min_lr


def test_warmup_then_cosine_matches_torchs_linear_then_cosine():
    from solutions.adaptive import warmup_cosine

    warmup, total, lr = 5, 30, 0.01

    def make(s, o):
        ramp = s.LinearLR(o, start_factor=1 / warmup, end_factor=1.0, total_iters=warmup - 1)
        cosine = s.CosineAnnealingLR(o, T_max=total - warmup, eta_min=0.0)
        return s.SequentialLR(o, [ramp, cosine], milestones=[warmup])

    want = _torch_rates(make, lr, total + 1)
    got = [warmup_cosine(k, lr=lr, warmup_steps=warmup, total_steps=total) for k in range(total + 1)]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)
    assert [warmup_cosine(k, lr=1.0, warmup_steps=0, total_steps=10) for k in (0, 5, 10)] == [1.0, 0.5, 0.0]


def test_schedules_refuse_what_makes_no_sense():
    from solutions.adaptive import cosine_decay, exponential_decay, step_decay, warmup_cosine

    with pytest.raises(ValueError, match="step"):
        step_decay(-1, lr=0.1, every=3)
    with pytest.raises(TypeError, match="step"):
        cosine_decay(1.5, lr=0.1, total_steps=3)
    with pytest.raises(ValueError, match="every"):
        step_decay(0, lr=0.1, every=0)
    with pytest.raises(ValueError, match="gamma"):
        exponential_decay(0, lr=0.1, gamma=1.5)
    with pytest.raises(ValueError, match="warmup_steps"):
        warmup_cosine(0, lr=0.1, warmup_steps=10, total_steps=10)
    with pytest.raises(ValueError, match="min_lr"):
        cosine_decay(0, lr=0.1, total_steps=10, min_lr=0.2)
