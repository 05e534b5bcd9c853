"""Tests for solutions/momentum.py (lesson 05-momentum).

Expected values come from PyTorch's ``torch.optim.SGD`` (double precision),
closed forms (constant gradient, matrix powers of the linear recurrence on a
quadratic) and small hand-worked numbers; never from the reference's output.
"""

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions.momentum import critical_point_type, ema_momentum_step, momentum_step, nesterov_step, newton_step
from tests import oracles

pytestmark = pytest.mark.lesson05

HYP = settings(max_examples=40, deadline=None)

# --------------------------------------------------------------------------- helpers

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
decays = st.floats(0.0, 0.99)
rates = st.floats(0.0, 2.0)


@st.composite
def theta_grad_state(draw):
    """theta, grad and a state array of one shared (possibly 0-d) shape."""
    shape = draw(shapes)
    arrays = [draw(hnp.arrays(np.float64, shape, elements=finite)) for _ in range(3)]
    return tuple(arrays)


def _bowl(shape, eigenvalues, seed):
    """A quadratic bowl J(x) = 1/2 x^T A x - b^T x over vec(theta), A non-diagonal SPD."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    assert n == len(eigenvalues)
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    a = q @ np.diag(eigenvalues) @ q.T
    a = (a + a.T) / 2
    b = rng.normal(size=n)
    theta0 = rng.normal(size=shape) * 3.0

    def grad(theta):
        return (a @ np.asarray(theta).reshape(-1) - b).reshape(shape)

    return a, b, theta0, grad


def _torch_sgd_path(a, b, theta0, *, lr, momentum, nesterov, n_steps):
    """Parameters and momentum buffers of torch.optim.SGD on the bowl, after each step."""
    torch = oracles.torch()
    a_t = torch.tensor(a, dtype=torch.float64)
    b_t = torch.tensor(b, dtype=torch.float64)
    p = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum, nesterov=nesterov)
    params, bufs = [], []
    for _ in range(n_steps):
        opt.zero_grad()
        x = p.reshape(-1)
        loss = 0.5 * x @ (a_t @ x) - b_t @ x
        loss.backward()
        opt.step()
        params.append(p.detach().numpy().copy())
        bufs.append(opt.state[p]["momentum_buffer"].detach().numpy().copy())
    return np.array(params), np.array(bufs)


def _assert_close(actual, expected, *, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    "func, expected",
    [
        (momentum_step, "(theta, grad, velocity, *, lr, momentum=0.9)"),
        (ema_momentum_step, "(theta, grad, m, *, lr, beta=0.9)"),
        (nesterov_step, "(theta, grad_fn, velocity, *, lr, momentum=0.9)"),
    ],
)
def test_signatures_match_curriculum(func, expected):
    """Names, keyword-only hyperparameters and defaults are those of the curriculum."""
    assert str(inspect.signature(func)) == expected


def test_hyperparameters_are_keyword_only():
    """Passing lr positionally is a TypeError (Python's own)."""
    with pytest.raises(TypeError):
        momentum_step(np.zeros(2), np.zeros(2), np.zeros(2), 0.1)
    with pytest.raises(TypeError):
        momentum_step(np.zeros(2), np.zeros(2), np.zeros(2))  # lr is required


# --------------------------------------------------------------------------- PyTorch oracle

BOWLS = [
    ((3,), [1.0, 7.0, 40.0], 0),
    ((2, 3), [0.5, 1.0, 3.0, 10.0, 25.0, 60.0], 1),
]
HYPERS = [(0.01, 0.9), (0.02, 0.5), (0.005, 0.99)]


@pytest.mark.parametrize("shape, eigenvalues, seed", BOWLS)
@pytest.mark.parametrize("lr, mu", HYPERS)
def test_momentum_step_matches_torch_sgd(shape, eigenvalues, seed, lr, mu):
    """Classical momentum follows torch.optim.SGD(momentum=mu) for 60 steps.

    PyTorch stores buf_t = mu*buf_{t-1} + g_t and steps p_t = p_{t-1} - lr*buf_t
    (its first buf is g_1, the same as starting from buf_0 = 0). With
    v = -lr*buf this is v_t = mu*v_{t-1} - lr*g_t, p_t = p_{t-1} + v_t: our rule.
    So from v_0 = 0 we require theta_ours_t == p_torch_t and
    v_ours_t == -lr * buf_torch_t after every step.
    """
    n_steps = 60
    a, b, theta0, grad = _bowl(shape, eigenvalues, seed)
    params, bufs = _torch_sgd_path(a, b, theta0, lr=lr, momentum=mu, nesterov=False, n_steps=n_steps)
    theta, v = theta0, np.zeros(shape)
    for t in range(n_steps):
        theta, v = momentum_step(theta, grad(theta), v, lr=lr, momentum=mu)
        _assert_close(theta, params[t])
        _assert_close(v, -lr * bufs[t])
    assert np.abs(params[-1] - theta0).max() > 0.1  # the path went somewhere


@pytest.mark.parametrize("shape, eigenvalues, seed", BOWLS)
@pytest.mark.parametrize("lr, mu", HYPERS)
def test_nesterov_step_matches_torch_sgd(shape, eigenvalues, seed, lr, mu):
    """Nesterov momentum follows torch.optim.SGD(momentum=mu, nesterov=True) for 60 steps.

    PyTorch evaluates the gradient at its stored parameters p and steps
    buf_t = mu*buf_{t-1} + g(p_{t-1}), p_t = p_{t-1} - lr*(g(p_{t-1}) + mu*buf_t).
    It stores the look-ahead point: with v = -lr*buf and p = theta + mu*v this is
    v_t = mu*v_{t-1} - lr*g(theta_{t-1} + mu*v_{t-1}), theta_t = theta_{t-1} + v_t
    (substitute and the two recurrences coincide). From v_0 = 0 (so p_0 = theta_0)
    we require theta_ours_t + mu*v_ours_t == p_torch_t and
    v_ours_t == -lr * buf_torch_t after every step.
    """
    n_steps = 60
    a, b, theta0, grad = _bowl(shape, eigenvalues, seed)
    params, bufs = _torch_sgd_path(a, b, theta0, lr=lr, momentum=mu, nesterov=True, n_steps=n_steps)
    theta, v = theta0, np.zeros(shape)
    for t in range(n_steps):
        theta, v = nesterov_step(theta, grad, v, lr=lr, momentum=mu)
        _assert_close(theta + mu * v, params[t])
        _assert_close(v, -lr * bufs[t])


def test_torch_oracle_separates_nesterov_from_classical():
    """On the test bowl the two torch paths differ, so the comparisons above can tell them apart."""
    a, b, theta0, _ = _bowl(*BOWLS[1])
    classical, _ = _torch_sgd_path(a, b, theta0, lr=0.01, momentum=0.9, nesterov=False, n_steps=60)
    nesterov, _ = _torch_sgd_path(a, b, theta0, lr=0.01, momentum=0.9, nesterov=True, n_steps=60)
    assert np.abs(classical - nesterov).max() > 1e-2


# --------------------------------------------------------------------------- worked numbers


def test_momentum_step_worked_numbers():
    """theta=[1,-2], grad=[2,0.5], v=0, lr=0.1: v=[-0.2,-0.05], theta=[0.8,-2.05] (by hand)."""
    theta, v = momentum_step(np.array([1.0, -2.0]), np.array([2.0, 0.5]), np.zeros(2), lr=0.1)
    _assert_close(v, [-0.2, -0.05])
    _assert_close(theta, [0.8, -2.05])
    # with an incoming velocity: v = 0.9*0.5 - 0.1*2 = 0.25, theta = 1 + 0.25
    theta, v = momentum_step(1.0, 2.0, 0.5, lr=0.1, momentum=0.9)
    _assert_close(v, 0.25)
    _assert_close(theta, 1.25)


def test_ema_momentum_step_worked_numbers():
    """m = 0.9*0.5 + 0.1*2 = 0.65 and theta = 1 - 0.1*0.65 = 0.935 (by hand)."""
    theta, m = ema_momentum_step(1.0, 2.0, 0.5, lr=0.1, beta=0.9)
    _assert_close(m, 0.65)
    _assert_close(theta, 0.935)


def test_nesterov_step_worked_numbers():
    """J = theta^2, theta=1, v=0.5: look-ahead 1.45, grad 2.9, v=0.45-0.29=0.16, theta=1.16."""
    calls = []

    def grad_fn(x):
        calls.append(np.array(x, copy=True))
        return 2 * x

    theta, v = nesterov_step(np.array([1.0]), grad_fn, np.array([0.5]), lr=0.1, momentum=0.9)
    assert len(calls) == 1
    _assert_close(calls[0], [1.45])
    _assert_close(v, [0.16])
    _assert_close(theta, [1.16])


# --------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9, 0.99])
def test_momentum_constant_gradient_closed_form(mu):
    """Under a constant gradient g: v_t = -lr g (1 - mu^t)/(1 - mu) and
    theta_t = theta_0 - lr g/(1 - mu) * (t - mu (1 - mu^t)/(1 - mu)); Nesterov
    with a constant grad_fn follows the same closed form."""
    lr, n_steps = 0.1, 50
    g = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -0.25]])
    theta0 = np.array([[0.3, 0.1, -4.0], [2.0, 1.0, 0.0]])
    theta, v = theta0, np.zeros_like(g)
    theta_n, v_n = theta0, np.zeros_like(g)
    for t in range(1, n_steps + 1):
        theta, v = momentum_step(theta, g, v, lr=lr, momentum=mu)
        theta_n, v_n = nesterov_step(theta_n, lambda _x: g, v_n, lr=lr, momentum=mu)
        v_expected = -lr * g * (1 - mu**t) / (1 - mu)
        theta_expected = theta0 - lr * g / (1 - mu) * (t - mu * (1 - mu**t) / (1 - mu))
        _assert_close(v, v_expected, rtol=1e-12)
        _assert_close(theta, theta_expected, rtol=1e-12)
        _assert_close(v_n, v_expected, rtol=1e-12)
        _assert_close(theta_n, theta_expected, rtol=1e-12)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
def test_ema_constant_gradient_closed_form(beta):
    """Under a constant gradient g: m_t = g (1 - beta^t) and
    theta_t = theta_0 - lr g (t - beta (1 - beta^t)/(1 - beta))."""
    lr, n_steps = 0.05, 50
    g = np.array([1.0, -2.0, 0.5])
    theta0 = np.array([0.3, 0.1, -4.0])
    theta, m = theta0, np.zeros_like(g)
    for t in range(1, n_steps + 1):
        theta, m = ema_momentum_step(theta, g, m, lr=lr, beta=beta)
        _assert_close(m, g * (1 - beta**t), rtol=1e-12)
        _assert_close(theta, theta0 - lr * g * (t - beta * (1 - beta**t) / (1 - beta)), rtol=1e-12)


@pytest.mark.parametrize("a, lr, mu", [(1.0, 0.1, 0.9), (20.0, 0.09, 0.5), (5.0, 0.3, 0.3)])
def test_one_dimensional_quadratic_matrix_power(a, lr, mu):
    """On J = a/2 theta^2 the pair (theta_t, v_t) is M^t (theta_0, v_0) with
    M = [[1 - lr a, mu], [-lr a, mu]] for momentum and
    M = [[1 - lr a, mu (1 - lr a)], [-lr a, mu (1 - lr a)]] for Nesterov."""
    n_steps = 50
    start = np.array([1.5, -0.2])
    m_classical = np.array([[1 - lr * a, mu], [-lr * a, mu]])
    m_nesterov = np.array([[1 - lr * a, mu * (1 - lr * a)], [-lr * a, mu * (1 - lr * a)]])
    theta, v = np.array(start[0]), np.array(start[1])
    theta_n, v_n = theta, v
    for t in range(1, n_steps + 1):
        theta, v = momentum_step(theta, a * theta, v, lr=lr, momentum=mu)
        theta_n, v_n = nesterov_step(theta_n, lambda x: a * x, v_n, lr=lr, momentum=mu)
        _assert_close([theta, v], np.linalg.matrix_power(m_classical, t) @ start, atol=1e-13)
        _assert_close([theta_n, v_n], np.linalg.matrix_power(m_nesterov, t) @ start, atol=1e-13)


# --------------------------------------------------------------------------- EMA form == classical form


@pytest.mark.parametrize("shape, eigenvalues, seed", BOWLS)
@pytest.mark.parametrize("lr_classic, beta", [(0.01, 0.9), (0.02, 0.5), (0.004, 0.99)])
def test_ema_traces_the_momentum_path_with_matched_rates(shape, eigenvalues, seed, lr_classic, beta):
    """With beta = momentum and lr_ema = lr_classic / (1 - beta), the moving-average
    form visits the same points as momentum_step on a bowl (gradient taken at the
    current point), and v = -lr_ema * m throughout."""
    _, _, theta0, grad = _bowl(shape, eigenvalues, seed)
    lr_ema = lr_classic / (1 - beta)
    theta_c, v = theta0, np.zeros(shape)
    theta_e, m = theta0, np.zeros(shape)
    for _ in range(100):
        theta_c, v = momentum_step(theta_c, grad(theta_c), v, lr=lr_classic, momentum=beta)
        theta_e, m = ema_momentum_step(theta_e, grad(theta_e), m, lr=lr_ema, beta=beta)
        _assert_close(theta_e, theta_c, rtol=1e-9, atol=1e-11)
        _assert_close(-lr_ema * m, v, rtol=1e-9, atol=1e-11)


@HYP
@given(
    grads=st.lists(hnp.arrays(np.float64, 3, elements=st.floats(-10, 10)), min_size=1, max_size=20),
    m0=hnp.arrays(np.float64, 3, elements=st.floats(-10, 10)),
    beta=decays,
    lr_classic=st.floats(1e-3, 1.0),
)
def test_ema_equals_momentum_for_any_gradient_sequence(grads, m0, beta, lr_classic):
    """Property: for any gradient sequence and matched start v_0 = -lr_ema * m_0,
    the two forms give the same parameters after every step."""
    lr_ema = lr_classic / (1 - beta)
    theta0 = np.array([1.0, -2.0, 0.5])
    theta_c, v = theta0, -lr_ema * m0
    theta_e, m = theta0, m0
    scale = lr_ema * 10 * (len(grads) + 1) + 10
    for g in grads:
        theta_c, v = momentum_step(theta_c, g, v, lr=lr_classic, momentum=beta)
        theta_e, m = ema_momentum_step(theta_e, g, m, lr=lr_ema, beta=beta)
        np.testing.assert_allclose(theta_e, theta_c, rtol=1e-9, atol=1e-12 * scale)


def test_ema_without_matched_rate_differs():
    """The matching matters: with lr_ema == lr_classic the EMA form moves 1 - beta times as far at first."""
    g = np.array([1.0, -1.0])
    theta_c, _ = momentum_step(np.zeros(2), g, np.zeros(2), lr=0.1, momentum=0.9)
    theta_e, _ = ema_momentum_step(np.zeros(2), g, np.zeros(2), lr=0.1, beta=0.9)
    _assert_close(theta_e, 0.1 * theta_c)


# --------------------------------------------------------------------------- Nesterov's look-ahead call


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_nesterov_calls_grad_fn_once_at_the_look_ahead(mu):
    """grad_fn is called exactly once, at theta + mu * velocity (theta itself when mu = 0)."""
    theta = np.array([[1.0, -2.0], [0.5, 3.0]])
    velocity = np.array([[0.2, 0.4], [-1.0, 0.0]])
    calls = []

    def grad_fn(x):
        calls.append(np.array(x, copy=True))
        return np.full_like(x, 0.5)

    nesterov_step(theta, grad_fn, velocity, lr=0.1, momentum=mu)
    assert len(calls) == 1
    np.testing.assert_array_equal(calls[0], theta + mu * velocity)


def test_nesterov_grad_fn_may_modify_its_argument():
    """The look-ahead point is a new array: a grad_fn that scribbles on it changes nothing."""
    theta = np.array([1.0, 2.0])
    velocity = np.array([0.5, -0.5])
    theta_copy = theta.copy()

    def grad_fn(x):
        x[...] = 1e6
        return np.zeros_like(x)

    theta_new, v_new = nesterov_step(theta, grad_fn, velocity, lr=0.1, momentum=0.9)
    np.testing.assert_array_equal(theta, theta_copy)
    _assert_close(v_new, 0.9 * velocity)
    _assert_close(theta_new, theta + 0.9 * velocity)


def test_nesterov_does_not_call_grad_fn_on_invalid_arguments():
    """Arguments are validated before the (possibly expensive) gradient is evaluated."""
    calls = []

    def grad_fn(x):
        calls.append(x)
        return x

    with pytest.raises(ValueError, match="lr"):
        nesterov_step(np.zeros(2), grad_fn, np.zeros(2), lr=-1.0)
    with pytest.raises(ValueError, match="velocity"):
        nesterov_step(np.zeros(2), grad_fn, np.zeros(3), lr=0.1)
    assert calls == []


# --------------------------------------------------------------------------- properties


@HYP
@given(arrays=theta_grad_state(), lr=rates, mu=decays)
def test_inputs_unchanged_and_outputs_new(arrays, lr, mu):
    """No argument is modified; results are new float64 arrays of theta's shape."""
    theta, grad, state = arrays
    copies = [x.copy() for x in arrays]
    results = [
        momentum_step(theta, grad, state, lr=lr, momentum=mu),
        ema_momentum_step(theta, grad, state, lr=lr, beta=mu),
        nesterov_step(theta, lambda _x: grad, state, lr=lr, momentum=mu),
    ]
    for original, copy in zip(arrays, copies):
        np.testing.assert_array_equal(original, copy)
    for pair in results:
        for out in pair:
            assert isinstance(out, np.ndarray)
            assert out.dtype == np.float64
            assert out.shape == theta.shape
            for original in arrays:
                assert not np.shares_memory(out, original)


@HYP
@given(arrays=theta_grad_state(), lr=rates)
def test_zero_momentum_is_plain_gradient_descent(arrays, lr):
    """momentum = 0 (beta = 0): every form reduces to theta - lr * grad."""
    theta, grad, state = arrays
    expected = theta - lr * grad
    theta_c, v = momentum_step(theta, grad, state, lr=lr, momentum=0.0)
    theta_e, m = ema_momentum_step(theta, grad, state, lr=lr, beta=0.0)
    theta_n, v_n = nesterov_step(theta, lambda _x: grad, state, lr=lr, momentum=0.0)
    for out in (theta_c, theta_e, theta_n):
        _assert_close(out, expected, rtol=1e-12, atol=1e-9)
    _assert_close(v, -lr * grad, rtol=1e-12)
    _assert_close(v_n, -lr * grad, rtol=1e-12)
    np.testing.assert_array_equal(m, grad)


@HYP
@given(arrays=theta_grad_state(), mu=decays)
def test_zero_learning_rate_coasts(arrays, mu):
    """lr = 0: the velocity decays by mu and theta moves by the decayed velocity alone."""
    theta, grad, velocity = arrays
    theta_c, v = momentum_step(theta, grad, velocity, lr=0.0, momentum=mu)
    _assert_close(v, mu * velocity, rtol=1e-12)
    _assert_close(theta_c, theta + mu * velocity, rtol=1e-12, atol=1e-9)


@HYP
@given(arrays=theta_grad_state(), lr=rates, mu=decays)
def test_nesterov_with_constant_gradient_equals_momentum(arrays, lr, mu):
    """When the gradient does not depend on the point, the look-ahead changes nothing."""
    theta, grad, velocity = arrays
    theta_c, v_c = momentum_step(theta, grad, velocity, lr=lr, momentum=mu)
    theta_n, v_n = nesterov_step(theta, lambda _x: grad, velocity, lr=lr, momentum=mu)
    _assert_close(theta_n, theta_c, rtol=1e-12, atol=1e-9)
    _assert_close(v_n, v_c, rtol=1e-12, atol=1e-9)


def test_scalars_lists_and_integers_are_accepted():
    """0-d inputs give 0-d arrays; integer lists become float64."""
    theta, v = momentum_step(2, 1, 0, lr=0.5, momentum=0.9)
    assert isinstance(theta, np.ndarray) and theta.shape == () and theta.dtype == np.float64
    _assert_close(theta, 1.5)
    theta, m = ema_momentum_step([1, 2], [1, 1], [0, 0], lr=1, beta=0.5)
    assert theta.dtype == np.float64 and m.dtype == np.float64
    _assert_close(theta, [0.5, 1.5])
    theta, v = nesterov_step(3, lambda x: float(x), 0, lr=0.5, momentum=0.5)
    assert isinstance(theta, np.ndarray) and theta.shape == ()
    _assert_close(theta, 1.5)


@pytest.mark.parametrize("magnitude", [1e4, 1e150])
def test_extreme_magnitudes_no_warnings(magnitude):
    """Large but representable values give finite results and no warning (warnings are errors here)."""
    theta = np.array([magnitude, -magnitude, 0.0])
    grad = np.array([-magnitude, magnitude, magnitude])
    state = np.array([magnitude, magnitude, -magnitude])
    for out in (
        *momentum_step(theta, grad, state, lr=1.0, momentum=0.99),
        *ema_momentum_step(theta, grad, state, lr=1.0, beta=0.99),
        *nesterov_step(theta, lambda x: x, state, lr=1.0, momentum=0.99),
    ):
        assert np.all(np.isfinite(out))


# --------------------------------------------------------------------------- input validation

STEPS = {
    "momentum_step": lambda theta, g, s, **kw: momentum_step(theta, g, s, **kw),
    "ema_momentum_step": lambda theta, g, s, **kw: ema_momentum_step(theta, g, s, **kw),
    "nesterov_step": lambda theta, g, s, **kw: nesterov_step(theta, lambda _x: g, s, **kw),
}
DECAY_NAME = {"momentum_step": "momentum", "ema_momentum_step": "beta", "nesterov_step": "momentum"}


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
@pytest.mark.parametrize("value, error", [(1.0, ValueError), (1.5, ValueError), (-0.1, ValueError),
                                          (float("nan"), ValueError), ("0.9", TypeError)])
def test_bad_decay(name, value, error):
    """momentum and beta must lie in [0, 1); the message names the argument."""
    decay = DECAY_NAME[name]
    with pytest.raises(error, match=rf"\b{decay}\b"):
        STEPS[name](np.zeros(2), np.ones(2), np.zeros(2), lr=0.1, **{decay: value})


@pytest.mark.parametrize("name", ["momentum_step", "ema_momentum_step"])
def test_grad_shape_mismatch(name):
    """grad must have the shape of theta; the message names grad and both shapes."""
    with pytest.raises(ValueError, match=r"theta and grad must have the same shape.*\(2,\).*\(3,\)"):
        STEPS[name](np.zeros(2), np.ones(3), np.zeros(2), lr=0.1)
    with pytest.raises(ValueError, match="grad"):
        STEPS[name](np.zeros((2, 3)), np.ones((3, 2)), np.zeros((2, 3)), lr=0.1)


@pytest.mark.parametrize("name, state", [("momentum_step", "velocity"), ("ema_momentum_step", "m"),
                                         ("nesterov_step", "velocity")])
def test_state_shape_mismatch(name, state):
    """The state must have the shape of theta (no broadcasting); the message names it."""
    with pytest.raises(ValueError, match=rf"theta and {state} must have the same shape"):
        STEPS[name](np.zeros((2, 2)), np.ones((2, 2)), np.zeros(2), lr=0.1)


@pytest.mark.parametrize("name", STEPS)
def test_non_numeric_theta(name):
    """A theta that is not a numeric array is a TypeError naming theta."""
    with pytest.raises(TypeError, match="theta"):
        STEPS[name]("abc", np.ones(1), np.zeros(1), lr=0.1)


def test_non_numeric_grad():
    """A grad that is not numeric is a TypeError naming grad."""
    with pytest.raises(TypeError, match="grad"):
        momentum_step(np.zeros(2), ["a", "b"], np.zeros(2), lr=0.1)


def test_grad_fn_not_callable():
    """Passing a gradient array where the function belongs is a TypeError naming grad_fn."""
    with pytest.raises(TypeError, match="grad_fn must be a callable.*ndarray"):
        nesterov_step(np.zeros(2), np.ones(2), np.zeros(2), lr=0.1)


@pytest.mark.parametrize(
    "returned, error, pattern",
    [
        (np.ones(3), ValueError, r"grad_fn must return an array of the shape of theta, \(2,\).*\(3,\)"),
        (np.ones((2, 1)), ValueError, r"grad_fn.*\(2, 1\)"),
        (None, TypeError, "grad_fn.*None"),
        ("ab", TypeError, "grad_fn must return a real numeric array"),
    ],
)
def test_grad_fn_bad_return(returned, error, pattern):
    """grad_fn must return a numeric array of theta's shape; the message names grad_fn."""
    with pytest.raises(error, match=pattern):
        nesterov_step(np.zeros(2), lambda _x: returned, np.zeros(2), lr=0.1)


# =========================================================================== the optimization landscape
#
# Oracles: matrices built from chosen eigenvalues (diagonal, or rotated by a random orthogonal Q), Hessians
# of closed-form functions at their known critical points by PyTorch autograd, closed forms for Newton's
# method (one step to the critical point of any quadratic; x - 1 on sum(exp(x))), torch.linalg.solve, and
# a 2 x 2 inverse written out by hand.


def _rotated(eigenvalues, seed):
    """Q diag(eigenvalues) Q^T for a random orthogonal Q, symmetrized exactly."""
    d = len(eigenvalues)
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    a = q @ np.diag(eigenvalues) @ q.T
    return (a + a.T) / 2


CRITICAL_POINTS = [
    ([2.0, 3.0], "minimum"),
    ([1e-3, 7.0, 40.0], "minimum"),
    ([-1.0, -5.0], "maximum"),
    ([-0.5, -2.0, -9.0, -1e-4], "maximum"),
    ([2.0, -2.0], "saddle"),
    ([5.0, 1.0, -1e-3], "saddle"),
    ([3.0, 0.0, -3.0], "saddle"),  # a flat direction besides does not hide the sign change
    ([1.0, 0.0], "degenerate"),
    ([0.0, -4.0, -1.0], "degenerate"),
    ([0.0, 0.0], "degenerate"),
    ([0.0], "degenerate"),
    ([6.0], "minimum"),
    ([-6.0], "maximum"),
]


def test_landscape_signatures_match_the_contract():
    assert str(inspect.signature(critical_point_type)) == "(hessian, *, tol=1e-08)"
    assert str(inspect.signature(newton_step)) == "(theta, grad, hessian)"
    with pytest.raises(TypeError):
        critical_point_type(np.eye(2), 1e-3)  # tol is keyword-only


@pytest.mark.parametrize("eigenvalues, kind", CRITICAL_POINTS)
def test_critical_point_type_of_diagonal_hessians(eigenvalues, kind):
    got = critical_point_type(np.diag(eigenvalues))
    assert type(got) is str and got == kind


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("eigenvalues, kind", [c for c in CRITICAL_POINTS if len(set(c[0])) > 1])
def test_critical_point_type_of_rotated_hessians(eigenvalues, kind, seed):
    """The same eigenvalues in a rotated basis (no longer diagonal) give the same answer."""
    H = _rotated(eigenvalues, seed)
    assert not np.allclose(H, np.diag(np.diag(H)))
    assert critical_point_type(H) == kind
    assert critical_point_type(1e3 * H, tol=1e-6) == kind  # scaled: rounding stays below the tolerance


@pytest.mark.parametrize(
    "eigenvalues, tol, kind",
    [
        ([1.0, 1e-9], 1e-8, "degenerate"),
        ([1.0, 1e-9], 1e-10, "minimum"),
        ([1.0, 1e-9], 0.0, "minimum"),
        ([1.0, -1e-9], 1e-8, "degenerate"),
        ([1.0, -1e-9], 0.0, "saddle"),
        ([1.0, 0.5], 0.5, "degenerate"),  # exactly tol counts as 0: > tol is strict
        ([-1.0, -0.5], 0.5, "degenerate"),
        ([2.0, 0.5], 0.49, "minimum"),
    ],
)
def test_critical_point_type_tolerance(eigenvalues, tol, kind):
    assert critical_point_type(np.diag(eigenvalues), tol=tol) == kind


@pytest.mark.parametrize(
    "f, point, kind",
    [
        (lambda v: v[0] ** 2 + v[1] ** 2, [0.0, 0.0], "minimum"),
        (lambda v: -(v[0] ** 2) - 2 * v[1] ** 2, [0.0, 0.0], "maximum"),
        (lambda v: v[0] ** 2 - v[1] ** 2, [0.0, 0.0], "saddle"),
        (lambda v: v[0] ** 2 + 3 * v[0] * v[1] + v[1] ** 2, [0.0, 0.0], "saddle"),  # eigenvalues 5 and -1
        (lambda v: (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2, [1.0, 1.0], "minimum"),  # Rosenbrock
        # x^4 - 2x^2 + y^2: a saddle at 0 between two minima at (+-1, 0).
        (lambda v: v[0] ** 4 - 2 * v[0] ** 2 + v[1] ** 2, [0.0, 0.0], "saddle"),
        (lambda v: v[0] ** 4 - 2 * v[0] ** 2 + v[1] ** 2, [-1.0, 0.0], "minimum"),
        (lambda v: v[0] ** 4 + v[1] ** 2, [0.0, 0.0], "degenerate"),  # a minimum the Hessian cannot see
        (lambda v: v[0] ** 3 - 3 * v[0] * v[1] ** 2, [0.0, 0.0], "degenerate"),  # the monkey saddle: H = 0
        (lambda v: (v ** 2).sum() - v[0] * v[1] - v[1] * v[2], [0.0, 0.0, 0.0], "minimum"),
    ],
)
def test_critical_point_type_of_autograd_hessians(f, point, kind):
    torch = oracles.torch()
    H = torch.autograd.functional.hessian(f, torch.tensor(point, dtype=torch.float64)).numpy()
    assert critical_point_type(H) == kind


def test_critical_point_type_accepts_rounding_asymmetry_and_leaves_its_input_alone():
    H = _rotated([3.0, -1.0, 2.0], 4)
    H[0, 1] += 1e-12  # what a computed Hessian looks like
    before = H.copy()
    assert critical_point_type(H) == "saddle"
    assert np.array_equal(H, before)
    assert critical_point_type([[1, 0], [0, 2]]) == "minimum"  # integer lists are fine


@pytest.mark.parametrize(
    "hessian, kwargs, error, pattern",
    [
        (np.ones((2, 3)), {}, ValueError, r"hessian must be a square \(d, d\) matrix.*\(2, 3\)"),
        (np.ones(3), {}, ValueError, r"hessian must be a 2-D array, got shape \(3,\)"),
        (np.ones((2, 2, 2)), {}, ValueError, "hessian must be a 2-D array"),
        (np.zeros((0, 0)), {}, ValueError, "hessian must be a square .* d >= 1"),
        (np.array([[1.0, 2.0], [0.0, 1.0]]), {}, ValueError, "hessian must be symmetric"),
        (1e-12 * np.array([[1.0, 2.0], [0.0, 1.0]]), {}, ValueError, "hessian must be symmetric"),  # relative
        (np.array([[np.nan, 0.0], [0.0, 1.0]]), {}, ValueError, "hessian must hold finite numbers"),
        (np.array([[np.inf, 0.0], [0.0, 1.0]]), {}, ValueError, "hessian must hold finite numbers"),
        ("ab", {}, TypeError, "hessian must be a real numeric array"),
        (np.eye(2), {"tol": -1e-8}, ValueError, r"tol must be >= 0"),
        (np.eye(2), {"tol": float("nan")}, ValueError, "tol must be finite"),
        (np.eye(2), {"tol": "1e-8"}, TypeError, "tol must be a real number"),
    ],
)
def test_critical_point_type_names_the_bad_argument(hessian, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        critical_point_type(hessian, **kwargs)


@pytest.mark.parametrize("d, condition, seed", [(1, 1.0, 0), (2, 10.0, 1), (5, 1e3, 2), (8, 1e4, 3)])
def test_newton_step_solves_any_positive_definite_quadratic_in_one_step(d, condition, seed):
    """J = 1/2 x^T A x - b^T x with b = A x*: one step from anywhere lands on x*, whatever the conditioning."""
    rng = np.random.default_rng(seed)
    A = _rotated(np.geomspace(1.0, condition, d), seed) if d > 1 else np.array([[condition]])
    x_star = rng.normal(size=d)
    b = A @ x_star
    for _ in range(3):
        theta = 10.0 * rng.normal(size=d)
        grad = A @ theta - b
        before = theta.copy(), grad.copy(), A.copy()
        theta_new = newton_step(theta, grad, A)
        assert isinstance(theta_new, np.ndarray) and theta_new.shape == (d,) and theta_new.dtype == np.float64
        np.testing.assert_allclose(theta_new, x_star, rtol=0, atol=1e-9)
        assert critical_point_type(A) == "minimum"
        for original, copy in zip((theta, grad, A), before):
            assert np.array_equal(original, copy)
        assert not np.shares_memory(theta_new, theta)


@pytest.mark.parametrize("start", [[1.0, 0.5], [-3.0, 2.0], [0.2, -1e-3]])
def test_newton_step_jumps_to_the_saddle_that_gradient_descent_leaves(start):
    """J = x^2 - y^2: the Newton step lands on the saddle 0 from anywhere; a gradient step moves away in y."""
    theta = np.array(start)
    grad = np.array([2 * theta[0], -2 * theta[1]])
    H = np.diag([2.0, -2.0])
    assert newton_step(theta, grad, H).tolist() == [0.0, 0.0]
    assert critical_point_type(H) == "saddle"
    gd = theta - 0.1 * grad
    assert abs(gd[1]) > abs(theta[1]) and abs(gd[0]) < abs(theta[0])


def test_newton_step_closed_forms_beyond_quadratics():
    # J = sum(exp(x)): gradient exp(x), Hessian diag(exp(x)), so the Newton step is exactly x - 1.
    x = np.array([0.3, -1.2, 2.0, 0.0])
    np.testing.assert_allclose(newton_step(x, np.exp(x), np.diag(np.exp(x))), x - 1.0, rtol=1e-14)
    # A non-symmetric 2 x 2 matrix, inverted by hand: [[a, b], [c, d]]^-1 = [[d, -b], [-c, a]] / (ad - bc).
    a, b, c, d = 2.0, 1.0, -1.0, 3.0
    g = np.array([1.0, 4.0])
    step = np.array([[d, -b], [-c, a]]) @ g / (a * d - b * c)
    np.testing.assert_allclose(newton_step([1.0, 1.0], g, [[a, b], [c, d]]), 1.0 - step, rtol=1e-14)


def test_newton_step_matches_torch_on_a_non_quadratic():
    """The Rosenbrock function away from its minimum: grad and Hessian by autograd, the step by torch.linalg.solve."""
    torch = oracles.torch()

    def rosenbrock(v):
        return (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2

    point = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(rosenbrock(point), point)
    H = torch.autograd.functional.hessian(rosenbrock, point.detach())
    want = (point.detach() - torch.linalg.solve(H, g)).numpy()
    np.testing.assert_allclose(newton_step(point.detach().numpy(), g.numpy(), H.numpy()), want, rtol=1e-12)


def test_newton_step_does_not_form_an_inverse(monkeypatch):
    def no_inverse(*args, **kwargs):
        raise AssertionError("np.linalg.inv called: solve the system instead")

    monkeypatch.setattr(np.linalg, "inv", no_inverse)
    monkeypatch.setattr(np.linalg, "pinv", no_inverse)
    assert newton_step([1.0, 2.0], [2.0, 4.0], [[2.0, 0.0], [0.0, 2.0]]).tolist() == [0.0, 0.0]


def test_newton_step_returns_one_array_not_a_state_pair():
    out = newton_step([1.0], [2.0], [[4.0]])
    assert isinstance(out, np.ndarray) and out.tolist() == [0.5]


def test_newton_step_lets_nan_propagate():
    out = newton_step([1.0, 1.0], [np.nan, 1.0], np.eye(2))
    assert out.shape == (2,) and np.isnan(out[0])  # no error; LAPACK may spread the nan to other entries


@pytest.mark.parametrize("hessian", [np.zeros((2, 2)), [[1.0, 2.0], [2.0, 4.0]], np.diag([1.0, 0.0])])
def test_newton_step_refuses_a_singular_hessian(hessian):
    with pytest.raises(ValueError, match="hessian is singular"):
        newton_step([1.0, 1.0], [1.0, 1.0], hessian)


@pytest.mark.parametrize(
    "theta, grad, hessian, error, pattern",
    [
        (np.ones((2, 1)), np.ones((2, 1)), np.eye(2), ValueError, r"theta must be a 1-D array, got shape \(2, 1\)"),
        (np.ones(0), np.ones(0), np.eye(1), ValueError, "theta must hold at least one parameter"),
        (np.ones(2), np.ones(3), np.eye(2), ValueError, r"theta and grad must have the same shape, got \(2,\) and \(3,\)"),
        (np.ones(2), np.ones(2), np.eye(3), ValueError, r"hessian must have shape \(d, d\) = \(2, 2\).*\(3, 3\)"),
        (np.ones(2), np.ones(2), np.ones((2, 3)), ValueError, r"hessian must be a square"),
        (np.ones(2), np.ones(2), np.ones(2), ValueError, "hessian must be a 2-D array"),
        ("ab", np.ones(2), np.eye(2), TypeError, "theta must be a real numeric array"),
        (np.ones(2), None, np.eye(2), TypeError, "grad must be a real numeric array"),
        (np.ones(2), np.ones(2), None, TypeError, "hessian must be a real numeric array"),
    ],
)
def test_newton_step_names_the_bad_argument(theta, grad, hessian, error, pattern):
    with pytest.raises(error, match=pattern):
        newton_step(theta, grad, hessian)


def test_the_examples_are_correct_doctests():
    import doctest

    from solutions import momentum

    result = doctest.testmod(momentum, verbose=False)
    assert result.attempted >= 10 and result.failed == 0
