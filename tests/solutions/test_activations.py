"""Tests of solutions/activations.py (lesson 09-unstable-gradients) against independent oracles.

Oracles: closed forms evaluated with ``math`` or written out in NumPy here,
central finite differences (``tests.oracles``), PyTorch in double precision
(``torch.sigmoid``/``tanh``/``relu``/``leaky_relu``/``elu``/``prelu`` and autograd,
autograd through a small deep network with ``retain_grad`` on the hidden
pre-activations, ``torch.nn.utils.clip_grad_norm_``), the deep linear chain of
the lesson (weights ``c * I``: each layer back multiplies the delta by ``c``)
and numbers worked by hand. No expected value is the reference's own output.
No function of this module draws random numbers, so there are no
distribution tests; the random inputs below come from seeded generators.
"""

import inspect
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions.activations import (
    backprop_delta_norms,
    clip_by_global_norm,
    elu,
    elu_grad,
    global_norm,
    leaky_relu,
    leaky_relu_grad,
    prelu,
    prelu_backward,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
)
from tests import oracles

pytestmark = pytest.mark.lesson09

HYP = settings(max_examples=40, deadline=None)

# --------------------------------------------------------------------------- helpers

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)
any_finite = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)
moderate = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
slopes = st.floats(0.0, 1.0)

EXTREME = np.array([-1e308, -1e5, -1e4, -800.0, -745.0, -710.0, -1.0, -1e-300, 0.0,
                    1e-300, 1.0, 710.0, 745.0, 800.0, 1e4, 1e5, 1e308])


def _grid(seed=0, n=41, scale=6.0):
    """A seeded grid of inputs that stays away from the kink at 0 (for finite differences)."""
    x = np.random.default_rng(seed).normal(scale=scale, size=n)
    return x[np.abs(x) > 1e-3].reshape(-1)


def _torch_act_and_grad(fn, x):
    """Forward values and d(sum fn(x))/dx by PyTorch autograd, in float64."""
    torch = oracles.torch()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = fn(torch, t)
    out.sum().backward()
    return out.detach().numpy(), t.grad.numpy()


def _close(actual, expected, *, rtol=1e-13, atol=0.0):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


# Test-local closed forms (finite-difference targets, independent of the module).
def _sigmoid_cf(x):
    return 1.0 / (1.0 + np.exp(-x))  # fine for |x| < 700


def _elu_cf(x, alpha):
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0.0)) - 1.0))


def _prelu_cf(x, alpha):
    return np.where(x > 0, x, alpha * x)


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    "fn, params",
    [
        (sigmoid, [("x", "POSITIONAL_OR_KEYWORD", inspect._empty)]),
        (sigmoid_grad, [("x", "POSITIONAL_OR_KEYWORD", inspect._empty)]),
        (tanh, [("x", "POSITIONAL_OR_KEYWORD", inspect._empty)]),
        (tanh_grad, [("x", "POSITIONAL_OR_KEYWORD", inspect._empty)]),
        (relu, [("x", "POSITIONAL_OR_KEYWORD", inspect._empty)]),
        (relu_grad, [("x", "POSITIONAL_OR_KEYWORD", inspect._empty)]),
        (leaky_relu, [("x", "POSITIONAL_OR_KEYWORD", inspect._empty), ("alpha", "KEYWORD_ONLY", 0.01)]),
        (leaky_relu_grad, [("x", "POSITIONAL_OR_KEYWORD", inspect._empty), ("alpha", "KEYWORD_ONLY", 0.01)]),
        (elu, [("x", "POSITIONAL_OR_KEYWORD", inspect._empty), ("alpha", "KEYWORD_ONLY", 1.0)]),
        (elu_grad, [("x", "POSITIONAL_OR_KEYWORD", inspect._empty), ("alpha", "KEYWORD_ONLY", 1.0)]),
        (prelu_backward, [(n, "POSITIONAL_OR_KEYWORD", inspect._empty) for n in ("x", "alpha", "dout")]),
        (backprop_delta_norms, [(n, "POSITIONAL_OR_KEYWORD", inspect._empty)
                                for n in ("weights", "pre_activations", "act_grad", "delta_out")]),
        (clip_by_global_norm, [("grads", "POSITIONAL_OR_KEYWORD", inspect._empty),
                               ("max_norm", "KEYWORD_ONLY", inspect._empty)]),
    ],
)
def test_signature_matches_curriculum(fn, params):
    got = [(p.name, p.kind.name, p.default) for p in inspect.signature(fn).parameters.values()]
    assert got == params


# --------------------------------------------------------------------------- sigmoid


def test_sigmoid_matches_closed_form_from_math():
    x = np.linspace(-30, 30, 121)
    expected = np.array([1.0 / (1.0 + math.exp(-v)) for v in x])
    _close(sigmoid(x), expected, rtol=1e-14)


def test_sigmoid_keeps_relative_precision_far_left():
    # exp(x) / (1 + exp(x)) from math: the naive 1 / (1 + exp(-x)) overflows below -709.
    for v in (-700.0, -500.0, -100.0, -40.0):
        expected = math.exp(v) / (1.0 + math.exp(v))
        _close(sigmoid(np.array([v])), [expected], rtol=1e-13)


def test_sigmoid_extreme_inputs_no_warning_and_saturate():
    s = sigmoid(EXTREME)  # filterwarnings=error: any overflow warning fails here
    assert np.all((s >= 0) & (s <= 1))
    assert s[EXTREME == -1e4] == 0.0 and s[EXTREME == 1e4] == 1.0
    assert sigmoid(np.array(0.0)) == 0.5
    assert np.array_equal(sigmoid(np.array([-np.inf, np.inf])), [0.0, 1.0])


def test_sigmoid_and_grad_match_torch():
    x = np.concatenate([np.random.default_rng(1).normal(scale=8.0, size=(50,)), [0.0, -50.0, 50.0]])
    values, grads = _torch_act_and_grad(lambda torch, t: torch.sigmoid(t), x)
    _close(sigmoid(x), values, rtol=1e-14, atol=1e-300)
    # torch forms s * (1 - s), which rounds to 0 once s rounds to 1: an absolute tolerance covers it.
    _close(sigmoid_grad(x), grads, rtol=1e-12, atol=1e-16)


def test_sigmoid_grad_matches_finite_differences():
    x = _grid(2)
    _close(sigmoid_grad(x), oracles.numerical_elementwise_grad(_sigmoid_cf, x), rtol=1e-7, atol=1e-10)


def test_sigmoid_grad_peaks_at_a_quarter_at_zero():
    assert sigmoid_grad(np.array(0.0)) == 0.25
    x = np.linspace(-10, 10, 2001)
    g = sigmoid_grad(x)
    assert g.max() <= 0.25 and x[np.argmax(g)] == 0.0
    # worked number: s(2) (1 - s(2)), not s(2) (1 - 2)
    s2 = 1.0 / (1.0 + math.exp(-2.0))
    _close(sigmoid_grad(np.array([2.0, -2.0])), [s2 * (1 - s2)] * 2, rtol=1e-14)


def test_sigmoid_grad_far_tails_are_accurate_and_silent():
    # sigma'(x) = e^{-|x|} / (1 + e^{-|x|})^2, from math; exact symmetry in x.
    for v in (40.0, 300.0, 700.0):
        expected = math.exp(-v) / (1.0 + math.exp(-v)) ** 2
        _close(sigmoid_grad(np.array([v, -v])), [expected, expected], rtol=1e-13)
    g = sigmoid_grad(EXTREME)
    assert np.all((g >= 0) & (g <= 0.25))
    assert g[EXTREME == 1e4] == 0.0 and g[EXTREME == -1e4] == 0.0


@HYP
@given(hnp.arrays(np.float64, shapes, elements=any_finite))
def test_sigmoid_properties(x):
    before = x.copy()
    s, s_neg, g = sigmoid(x), sigmoid(-x), sigmoid_grad(x)
    assert np.array_equal(x, before)
    assert isinstance(s, np.ndarray) and s.shape == x.shape and s.dtype == np.float64
    assert np.all((s >= 0) & (s <= 1))
    _close(s + s_neg, np.ones_like(s), rtol=0, atol=3e-16)
    assert np.array_equal(g, sigmoid_grad(-x))
    assert np.all((g >= 0) & (g <= 0.25))


# --------------------------------------------------------------------------- tanh


def test_tanh_matches_math_tanh():
    x = np.concatenate([np.linspace(-25, 25, 201), [1e-300, -1e-300, 1e-8]])
    _close(tanh(x), [math.tanh(v) for v in x], rtol=1e-15)


def test_tanh_and_grad_match_torch_autograd():
    x = np.concatenate([np.random.default_rng(5).normal(scale=4.0, size=(60,)), [0.0, -30.0, 30.0]])
    values, grads = _torch_act_and_grad(lambda torch, t: torch.tanh(t), x)
    _close(tanh(x), values, rtol=1e-15)
    # torch forms 1 - y**2 from the output y, which loses the tails: an absolute tolerance covers it.
    _close(tanh_grad(x), grads, rtol=1e-13, atol=1e-15)
    x2 = x.reshape(7, 9)  # any shape
    assert tanh(x2).shape == (7, 9) and tanh_grad(x2).shape == (7, 9)


def test_tanh_grad_matches_finite_differences():
    x = _grid(6, scale=3.0)
    _close(tanh_grad(x), oracles.numerical_elementwise_grad(np.tanh, x), rtol=1e-7, atol=1e-10)


def test_tanh_grad_is_one_minus_tanh_squared_and_keeps_its_tails():
    x = np.linspace(-18, 18, 721)
    _close(tanh_grad(x), [1.0 - math.tanh(v) ** 2 for v in x], rtol=0, atol=4e-16)
    # 1 / cosh(x)**2 from math: relative precision far out, where 1 - tanh(x)**2 has rounded to 0.
    for v in (20.0, 40.0, 100.0, 350.0):
        _close(tanh_grad(np.array([v, -v])), [1.0 / math.cosh(v) ** 2] * 2, rtol=1e-13)
        assert 1.0 - math.tanh(v) ** 2 == 0.0


def test_tanh_grad_peaks_at_one_at_zero():
    assert tanh_grad(np.array(0.0)) == 1.0 and tanh(np.array(0.0)) == 0.0
    x = np.linspace(-1e-3, 1e-3, 2001)
    g = tanh_grad(x)
    assert g.max() <= 1.0 and x[np.argmax(g)] == 0.0
    # worked number: 1 - tanh(1)**2, not 1 - 1**2 (the derivative of the output, not of the input)
    _close(tanh_grad(np.array([1.0, -1.0])), [1.0 - math.tanh(1.0) ** 2] * 2, rtol=1e-14)


def test_tanh_extreme_inputs_raise_no_warning():
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        t, g = tanh(EXTREME), tanh_grad(EXTREME)
        t_inf, g_inf = tanh(np.array([-np.inf, np.inf])), tanh_grad(np.array([-np.inf, np.inf]))
    big = np.abs(EXTREME) >= 800
    assert np.array_equal(t[big], np.sign(EXTREME[big])) and np.all(g[big] == 0.0)
    assert np.all(np.abs(t) <= 1) and np.all((g >= 0) & (g <= 1))
    assert t_inf.tolist() == [-1.0, 1.0] and g_inf.tolist() == [0.0, 0.0]


@HYP
@given(hnp.arrays(np.float64, shapes, elements=any_finite))
def test_tanh_properties(x):
    before = x.copy()
    t, g = tanh(x), tanh_grad(x)
    assert np.array_equal(x, before)
    for out in (t, g):
        assert isinstance(out, np.ndarray) and out.shape == x.shape and out.dtype == np.float64
        assert not np.shares_memory(out, x)
    assert np.array_equal(tanh(-x), -t)  # odd
    assert np.array_equal(tanh_grad(-x), g)  # even
    assert np.all(np.abs(t) <= 1) and np.all((g >= 0) & (g <= 1))
    _close(g, 1.0 - np.tanh(x) ** 2, rtol=0, atol=4e-16)


# --------------------------------------------------------------------------- ReLU


def test_relu_worked_numbers_and_torch():
    assert np.array_equal(relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])
    x = np.concatenate([np.random.default_rng(3).normal(size=30), [0.0, 0.0, -1e4, 1e4]])
    values, grads = _torch_act_and_grad(lambda torch, t: torch.relu(t), x)
    assert np.array_equal(relu(x), values)
    assert np.array_equal(relu_grad(x), grads)  # torch also uses 0 at x == 0


def test_relu_grad_is_zero_at_zero_and_matches_finite_differences():
    assert np.array_equal(relu_grad(np.array([-2.0, 0.0, -0.0, 3.0])), [0.0, 0.0, 0.0, 1.0])
    x = _grid(4)
    _close(relu_grad(x), oracles.numerical_elementwise_grad(lambda v: np.maximum(v, 0.0), x), rtol=1e-8)


@HYP
@given(hnp.arrays(np.float64, shapes, elements=any_finite))
def test_relu_properties(x):
    before = x.copy()
    r = relu(x)
    assert np.array_equal(x, before)
    assert r.shape == x.shape and np.all(r >= 0)
    assert np.array_equal(r - relu(-x), x)  # x = relu(x) - relu(-x), exactly
    assert set(np.unique(relu_grad(x))) <= {0.0, 1.0}


# --------------------------------------------------------------------------- Leaky ReLU


@pytest.mark.parametrize("alpha", [0.01, 0.2, 0.0, 1.0])
def test_leaky_relu_and_grad_match_torch(alpha):
    x = np.concatenate([np.random.default_rng(5).normal(size=30), [0.0, -1e4, 1e4]])
    values, grads = _torch_act_and_grad(
        lambda torch, t: torch.nn.functional.leaky_relu(t, negative_slope=alpha), x)
    _close(leaky_relu(x, alpha=alpha), values, rtol=1e-15)
    _close(leaky_relu_grad(x, alpha=alpha), grads, rtol=1e-15)  # alpha at 0, as in torch


def test_leaky_relu_defaults_and_worked_numbers():
    x = np.array([-2.0, 0.0, 3.0])
    _close(leaky_relu(x), [-0.02, 0.0, 3.0], rtol=1e-15)
    _close(leaky_relu_grad(x), [0.01, 0.01, 1.0], rtol=1e-15)
    _close(leaky_relu(x, alpha=0.1), [-0.2, 0.0, 3.0], rtol=1e-15)


def test_leaky_relu_grad_matches_finite_differences():
    x = _grid(6)
    fd = oracles.numerical_elementwise_grad(lambda v: np.where(v > 0, v, 0.2 * v), x)
    _close(leaky_relu_grad(x, alpha=0.2), fd, rtol=1e-8)


@HYP
@given(hnp.arrays(np.float64, shapes, elements=any_finite), slopes)
def test_leaky_relu_properties(x, alpha):
    before = x.copy()
    out = leaky_relu(x, alpha=alpha)
    assert np.array_equal(x, before) and out.shape == x.shape
    _close(out, np.maximum(x, 0) + alpha * np.minimum(x, 0), rtol=1e-15)
    assert set(np.unique(leaky_relu_grad(x, alpha=alpha))) <= {alpha, 1.0}


# --------------------------------------------------------------------------- ELU


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.0])
def test_elu_and_grad_match_torch(alpha):
    x = np.concatenate([np.random.default_rng(7).normal(scale=3.0, size=40), [0.0, -30.0, 30.0]])
    values, grads = _torch_act_and_grad(lambda torch, t: torch.nn.functional.elu(t, alpha=alpha), x)
    _close(elu(x, alpha=alpha), values, rtol=1e-14)
    _close(elu_grad(x, alpha=alpha), grads, rtol=1e-14)


def test_elu_grad_matches_finite_differences():
    x = _grid(8, scale=3.0)
    fd = oracles.numerical_elementwise_grad(lambda v: _elu_cf(v, 1.5), x)
    _close(elu_grad(x, alpha=1.5), fd, rtol=1e-7, atol=1e-10)


def test_elu_extreme_inputs_no_overflow():
    out, g = elu(EXTREME, alpha=2.0), elu_grad(EXTREME, alpha=2.0)  # no warning allowed
    pos = EXTREME > 0
    assert np.array_equal(out[pos], EXTREME[pos]) and np.all(g[pos] == 1.0)
    _close(out[EXTREME <= -745], -2.0, rtol=1e-15)
    assert np.all(g[EXTREME <= -800] == 0.0)
    assert elu_grad(np.array(0.0), alpha=2.0) == 2.0  # the left value at the kink
    # expm1 keeps precision near 0: alpha (e^x - 1) ~ alpha x
    _close(elu(np.array([-1e-12]), alpha=2.0), [-2e-12], rtol=1e-11)


def test_elu_positive_side_derivative_is_one_not_alpha_exp():
    assert np.array_equal(elu_grad(np.array([0.5, 3.0]), alpha=0.5), [1.0, 1.0])


@HYP
@given(hnp.arrays(np.float64, shapes, elements=any_finite), st.floats(0.0, 3.0))
def test_elu_properties(x, alpha):
    before = x.copy()
    out, g = elu(x, alpha=alpha), elu_grad(x, alpha=alpha)
    assert np.array_equal(x, before) and out.shape == g.shape == x.shape
    assert np.all(out >= -alpha) and np.array_equal(out[x > 0], x[x > 0])
    assert np.all(g >= 0) and np.all(g <= max(1.0, alpha))


# --------------------------------------------------------------------------- PReLU


def test_prelu_backward_worked_numbers():
    # by hand: dx = dout * (1 if x > 0 else 0.25); dalpha = 1 * (-2) + 1 * 0 = -2 (x = 3 does not count)
    dx, dalpha = prelu_backward(np.array([-2.0, 0.0, 3.0]), 0.25, np.array([1.0, 1.0, 2.0]))
    assert np.array_equal(dx, [0.25, 0.25, 2.0])
    assert type(dalpha) is float and dalpha == -2.0


@pytest.mark.parametrize("alpha", [0.25, -0.3, 0.0, 1.7])
def test_prelu_backward_matches_torch_autograd(alpha):
    torch = oracles.torch()
    rng = np.random.default_rng(9)
    x = rng.normal(size=(6, 5))
    x[0, :2] = 0.0
    dout = rng.normal(size=(6, 5))
    t = torch.tensor(x, requires_grad=True)
    w = torch.tensor([alpha], requires_grad=True)
    out = torch.nn.functional.prelu(t, w)
    (out * torch.tensor(dout)).sum().backward()
    _close(prelu(x, alpha), out.detach().numpy(), rtol=1e-15)
    dx, dalpha = prelu_backward(x, alpha, dout)
    _close(dx, t.grad.numpy(), rtol=1e-14)
    _close(dalpha, float(w.grad.item()), rtol=1e-12)


def test_prelu_backward_matches_finite_differences():
    rng = np.random.default_rng(10)
    x = rng.normal(size=(4, 3))
    x[np.abs(x) < 1e-3] = 0.5
    dout = rng.normal(size=(4, 3))
    alpha = 0.3
    dx, dalpha = prelu_backward(x, alpha, dout)
    fd_x = oracles.numerical_grad(lambda v: float(np.sum(dout * _prelu_cf(v, alpha))), x)
    fd_a = oracles.numerical_grad(lambda a: float(np.sum(dout * _prelu_cf(x, a[0]))), np.array([alpha]))
    _close(dx, fd_x, rtol=1e-7, atol=1e-9)
    _close(dalpha, fd_a[0], rtol=1e-7)


def test_prelu_backward_dalpha_ignores_positive_entries():
    # all entries positive: alpha does not appear in the output at all
    dx, dalpha = prelu_backward(np.array([1.0, 2.0]), 0.5, np.array([3.0, 4.0]))
    assert dalpha == 0.0 and np.array_equal(dx, [3.0, 4.0])


def test_prelu_backward_accepts_numpy_scalar_slopes_and_empty_arrays():
    x, dout = np.array([-1.0, 2.0]), np.array([1.0, 1.0])
    for a in (np.float64(0.5), np.array(0.5), np.array([0.5])):
        dx, dalpha = prelu_backward(x, a, dout)
        assert np.array_equal(dx, [0.5, 1.0]) and dalpha == -1.0
    dx, dalpha = prelu_backward(np.zeros((0, 3)), 0.1, np.zeros((0, 3)))
    assert dx.shape == (0, 3) and dalpha == 0.0


@HYP
@given(st.data())
def test_prelu_backward_properties(data):
    shape = data.draw(shapes)
    x = data.draw(hnp.arrays(np.float64, shape, elements=moderate))
    dout = data.draw(hnp.arrays(np.float64, shape, elements=moderate))
    alpha = data.draw(st.floats(-2.0, 2.0))
    xb, db = x.copy(), dout.copy()
    dx, dalpha = prelu_backward(x, alpha, dout)
    assert np.array_equal(x, xb) and np.array_equal(dout, db)
    assert dx.shape == x.shape and type(dalpha) is float
    _close(dx, np.where(x > 0, dout, alpha * dout), rtol=1e-15)
    _close(dalpha, float(np.sum(np.minimum(x, 0.0) * dout)), rtol=1e-12, atol=1e-9)


# --------------------------------------------------------------------------- backprop_delta_norms


def _torch_delta_norms(weights, X, act, delta_out):
    """Norms of dJ/dz_l for the hidden layers by autograd, with J = sum(z_L * delta_out)."""
    torch = oracles.torch()
    h = torch.tensor(X)
    zs = []
    for i, W in enumerate(weights):
        z = h @ torch.tensor(W, requires_grad=True)
        if i < len(weights) - 1:
            z.retain_grad()
            zs.append(z)
            h = act(torch, z)
    (z * torch.tensor(delta_out)).sum().backward()
    return np.array([torch.linalg.norm(z.grad).item() for z in zs]), [z.detach().numpy() for z in zs]


ACTIVATIONS = {
    "tanh": (lambda torch, z: torch.tanh(z), lambda z: 1.0 - np.tanh(z) ** 2),
    "sigmoid": (lambda torch, z: torch.sigmoid(z), lambda z: _sigmoid_cf(z) * (1.0 - _sigmoid_cf(z))),
    "relu": (lambda torch, z: torch.relu(z), lambda z: (z > 0).astype(float)),
}


@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
@pytest.mark.parametrize("sizes", [[4, 6, 5, 7, 3, 2], [5, 5, 5, 5, 5]])  # non-square, and square non-symmetric
def test_backprop_delta_norms_matches_torch_autograd(act, sizes):
    torch_act, np_grad = ACTIVATIONS[act]
    rng = np.random.default_rng(11)
    weights = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    X = rng.normal(size=(8, sizes[0]))
    delta_out = rng.normal(size=(8, sizes[-1]))
    expected, zs = _torch_delta_norms(weights, X, torch_act, delta_out)
    got = backprop_delta_norms(weights, zs, np_grad, delta_out)
    assert got.shape == (len(sizes) - 2,)
    _close(got, expected, rtol=1e-11)


@pytest.mark.parametrize("c", [1.5, 0.5])
def test_backprop_delta_norms_deep_linear_chain(c):
    # weights c * I and a linear activation: delta_l = c^(L - l) delta_L, so norms[i] = c^(L-1-i) ||delta_L||
    n_layers, width = 12, 3
    delta_out = np.random.default_rng(12).normal(size=(4, width))
    weights = [c * np.eye(width)] * n_layers
    zs = [np.zeros((4, width))] * (n_layers - 1)
    got = backprop_delta_norms(weights, zs, np.ones_like, delta_out)
    d = math.sqrt(float(np.sum(delta_out ** 2)))
    expected = np.array([c ** (n_layers - 1 - i) * d for i in range(n_layers - 1)])
    _close(got, expected, rtol=1e-13)
    _close(got[:-1] / got[1:], c, rtol=1e-13)  # grows (1.5) or shrinks (0.5) by c per layer back


def test_backprop_delta_norms_overflows_to_inf_then_nan_silently():
    n_layers = 2000
    weights = [1.5 * np.eye(2)] * n_layers
    zs = [np.zeros((1, 2))] * (n_layers - 1)
    got = backprop_delta_norms(weights, zs, np.ones_like, np.array([[1.0, 1.0]]))  # no warning allowed
    assert np.isnan(got[0]) and np.isposinf(got).any()
    finite = np.isfinite(got)
    k = int(np.sum(finite))
    # the last k layers are finite and follow the chain, 1.5^(L-1-i) sqrt(2)
    idx = np.arange(n_layers - 1 - k, n_layers - 1)
    _close(got[idx], [1.5 ** (n_layers - 1 - i) * math.sqrt(2) for i in idx], rtol=1e-11)


def test_backprop_delta_norms_underflows_to_zero():
    n_layers = 1200
    got = backprop_delta_norms([0.5 * np.eye(2)] * n_layers, [np.zeros((1, 2))] * (n_layers - 1),
                               np.ones_like, np.array([[1.0, 0.0]]))
    assert got[0] == 0.0 and got[-1] == 0.5
    assert np.all(np.diff(got) >= 0)


def test_backprop_delta_norms_large_finite_deltas_have_finite_norms():
    # np.linalg.norm would square 1e200 and overflow; the norm itself is 2e200
    got = backprop_delta_norms([np.eye(4), np.eye(4)], [np.zeros((1, 4))], np.ones_like,
                               np.full((1, 4), 1e200))
    _close(got, [2e200], rtol=1e-14)


def test_backprop_delta_norms_single_layer_and_sigmoid_bound():
    assert backprop_delta_norms([np.ones((3, 2))], [], np.ones_like, np.ones((5, 2))).shape == (0,)
    # sigmoid at z = 0 has slope 1/4: with identity weights each layer back divides the norm by 4
    got = backprop_delta_norms([np.eye(3)] * 4, [np.zeros((2, 3))] * 3, sigmoid_grad, np.ones((2, 3)))
    _close(got, [math.sqrt(6) / 4 ** 3, math.sqrt(6) / 4 ** 2, math.sqrt(6) / 4], rtol=1e-15)


def test_backprop_delta_norms_leaves_inputs_unchanged():
    rng = np.random.default_rng(13)
    weights = [rng.normal(size=(3, 4)), rng.normal(size=(4, 4)), rng.normal(size=(4, 2))]
    zs = [rng.normal(size=(5, 4)), rng.normal(size=(5, 4))]
    delta_out = rng.normal(size=(5, 2))
    copies = ([w.copy() for w in weights], [z.copy() for z in zs], delta_out.copy())

    def rude_grad(z):
        z *= 2.0  # modifies its argument in place: must not reach the caller's arrays
        return np.ones_like(z)

    backprop_delta_norms(weights, zs, rude_grad, delta_out)
    assert all(np.array_equal(a, b) for a, b in zip(weights, copies[0]))
    assert all(np.array_equal(a, b) for a, b in zip(zs, copies[1]))
    assert np.array_equal(delta_out, copies[2])


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(weights=np.eye(2)), TypeError, "weights"),
        (dict(weights=[]), ValueError, "weights"),
        (dict(weights=[np.eye(2), np.ones(2)]), ValueError, r"weights\[1\]"),
        (dict(weights=[np.eye(2), np.ones((3, 2))]), ValueError, r"weights\[0\].*weights\[1\]"),
        (dict(pre_activations=[]), ValueError, "pre_activations"),
        (dict(pre_activations=[np.zeros((1, 2))]), ValueError, r"pre_activations\[0\]"),
        (dict(act_grad="relu"), TypeError, "act_grad"),
        (dict(act_grad=lambda z: np.ones(3)), ValueError, "act_grad"),
        (dict(delta_out=np.ones((3, 3))), ValueError, "delta_out"),
        (dict(delta_out=np.ones(2)), ValueError, "delta_out"),
    ],
)
def test_backprop_delta_norms_validation(kwargs, exc, match):
    args = dict(weights=[np.eye(2), np.eye(2)], pre_activations=[np.zeros((3, 2))],
                act_grad=np.ones_like, delta_out=np.ones((3, 2)))
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        backprop_delta_norms(**args)


# --------------------------------------------------------------------------- clipping


def _norm(grads):
    return math.sqrt(sum(float(np.sum(np.asarray(g) ** 2)) for g in grads))


def test_clip_worked_numbers_global_not_per_gradient():
    out = clip_by_global_norm([np.array([3.0]), np.array([4.0, 0.0])], max_norm=1.0)
    # global norm 5: both scaled by 1/5 (clipping each by its own norm would give [1.0], [1.0, 0.0])
    _close(out[0], [0.6], rtol=1e-15)
    _close(out[1], [0.8, 0.0], rtol=1e-15)
    at_limit = clip_by_global_norm([np.array([3.0]), np.array([4.0, 0.0])], max_norm=5.0)
    assert np.array_equal(at_limit[0], [3.0]) and np.array_equal(at_limit[1], [4.0, 0.0])


@pytest.mark.parametrize("max_norm", [1.0, 0.05, 100.0])
def test_clip_matches_torch_clip_grad_norm(max_norm):
    torch = oracles.torch()
    rng = np.random.default_rng(14)
    grads = [rng.normal(size=s) * 3.0 for s in [(3, 4), (5,), (2, 2, 2), ()]]
    params = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    total = float(torch.nn.utils.clip_grad_norm_(params, max_norm))
    got = clip_by_global_norm(grads, max_norm=max_norm)
    # torch scales by min(1, max_norm / (total + 1e-6)); undo its 1e-6 to compare exactly
    coef_torch = max_norm / (total + 1e-6)
    undo = (total + 1e-6) / total if coef_torch < 1 else 1.0
    assert abs(total - max_norm) > 1e-3  # away from the boundary, where the two rules could disagree
    for g_new, p, g in zip(got, params, grads):
        assert g_new.shape == g.shape
        _close(g_new, p.grad.numpy() * undo, rtol=1e-12)
    assert (total > max_norm) == (not np.array_equal(got[0], grads[0]))


def test_clip_zero_gradients_give_no_nan():
    grads = [np.zeros((2, 3)), np.zeros(4)]
    out = clip_by_global_norm(grads, max_norm=1.0)
    assert all(np.array_equal(o, g) for o, g in zip(out, grads))
    assert all(o is not g for o, g in zip(out, grads))
    assert clip_by_global_norm([], max_norm=1.0) == []


def test_clip_extreme_magnitudes_are_silent():
    out = clip_by_global_norm([np.full(4, 1e300), np.full(4, -1e300)], max_norm=1.0)  # norm > float max
    _close(out[0], np.full(4, 1 / math.sqrt(8)), rtol=1e-14)
    _close(out[1], np.full(4, -1 / math.sqrt(8)), rtol=1e-14)
    tiny = [np.full(3, 1e-300)]
    assert np.array_equal(clip_by_global_norm(tiny, max_norm=1e10)[0], tiny[0])
    out = clip_by_global_norm([np.array([1e200, 0.0])], max_norm=3.0)
    _close(out[0], [3.0, 0.0], rtol=1e-15)


def test_global_norm_closed_forms():
    assert global_norm([np.array([3.0]), np.array([[4.0, 0.0]])]) == 5.0
    assert global_norm([]) == 0.0 and global_norm([np.zeros(3)]) == 0.0
    _close(global_norm([np.full(4, 1e300)]), 2e300, rtol=1e-14)
    assert global_norm([np.full(4, 1e308)]) == math.inf  # beyond float range, without a warning
    assert global_norm([np.array([1.0, np.inf])]) == math.inf
    assert math.isnan(global_norm([np.array([1.0, np.nan])]))


@st.composite
def grad_lists(draw):
    n = draw(st.integers(1, 3))
    elements = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
    return [draw(hnp.arrays(np.float64, draw(shapes), elements=elements)) for _ in range(n)]


@HYP
@given(grad_lists(), st.floats(1e-3, 1e3))
def test_clip_properties(grads, max_norm):
    before = [g.copy() for g in grads]
    out = clip_by_global_norm(grads, max_norm=max_norm)
    assert all(np.array_equal(g, b) for g, b in zip(grads, before))
    assert len(out) == len(grads) and all(o is not g and o.shape == g.shape for o, g in zip(out, grads))
    old, new = _norm(grads), _norm(out)
    assert new <= max_norm * (1 + 1e-12)
    assert new <= old * (1 + 1e-12)
    if old <= max_norm:
        assert all(np.array_equal(o, g) for o, g in zip(out, grads))
    else:
        _close(new, max_norm, rtol=1e-12)
        c = max_norm / old  # one shared factor: every direction unchanged
        for o, g in zip(out, grads):
            _close(o, c * g, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize(
    "grads, max_norm, exc, match",
    [
        ([np.ones(2)], 0.0, ValueError, "max_norm"),
        ([np.ones(2)], -1.0, ValueError, "max_norm"),
        ([np.ones(2)], math.inf, ValueError, "max_norm"),
        ([np.ones(2)], math.nan, ValueError, "max_norm"),
        ([np.ones(2)], "1", TypeError, "max_norm"),
        (np.ones(2), 1.0, TypeError, "grads"),
        ([np.ones(2), np.array([1.0, np.inf])], 1.0, ValueError, r"grads\[1\]"),
        ([np.array([np.nan])], 1.0, ValueError, r"grads\[0\]"),
        ([np.ones(2), "abc"], 1.0, TypeError, r"grads\[1\]"),
    ],
)
def test_clip_validation(grads, max_norm, exc, match):
    with pytest.raises(exc, match=match):
        clip_by_global_norm(grads, max_norm=max_norm)


def test_clip_max_norm_is_keyword_only():
    with pytest.raises(TypeError):
        clip_by_global_norm([np.ones(2)], 1.0)


# --------------------------------------------------------------------------- validation of the activations


@pytest.mark.parametrize("fn", [leaky_relu, leaky_relu_grad, elu, elu_grad])
@pytest.mark.parametrize("alpha, exc", [(-0.1, ValueError), (math.inf, ValueError), (math.nan, ValueError),
                                        ("0.1", TypeError), (None, TypeError)])
def test_slope_hyperparameter_validation(fn, alpha, exc):
    with pytest.raises(exc, match="alpha"):
        fn(np.ones(3), alpha=alpha)


@pytest.mark.parametrize("fn", [sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu, leaky_relu_grad,
                                elu, elu_grad])
def test_activation_rejects_non_numeric_input(fn):
    with pytest.raises(TypeError, match="x"):
        fn(["a", "b"])
    with pytest.raises(TypeError, match="x"):
        fn(None)


@pytest.mark.parametrize(
    "args, exc, match",
    [
        ((np.ones(3), 0.1, np.ones(4)), ValueError, "x and dout"),
        ((np.ones(3), np.ones(2), np.ones(3)), ValueError, "alpha"),
        ((np.ones(3), math.nan, np.ones(3)), ValueError, "alpha"),
        ((np.ones(3), "0.1", np.ones(3)), TypeError, "alpha"),
        ((np.ones(3), 0.1, None), TypeError, "dout"),
    ],
)
def test_prelu_backward_validation(args, exc, match):
    with pytest.raises(exc, match=match):
        prelu_backward(*args)


@pytest.mark.parametrize("fn", [sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu, leaky_relu_grad,
                                elu, elu_grad])
def test_nan_propagates_and_scalars_give_0d_arrays(fn):
    out = fn(np.array([np.nan, 1.0]))
    assert np.isnan(out[0]) and np.isfinite(out[1])
    scalar = fn(0.5)
    assert isinstance(scalar, np.ndarray) and scalar.shape == () and scalar.dtype == np.float64


def test_module_uses_no_global_random_state():
    state = np.random.get_state()
    rng = np.random.default_rng(15)
    x = rng.normal(size=(4, 3))
    for fn in (sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu, leaky_relu_grad, elu, elu_grad):
        fn(x)
    prelu_backward(x, 0.1, x)
    backprop_delta_norms([np.ones((2, 3)), np.ones((3, 3))], [x], relu_grad, x)
    clip_by_global_norm([x], max_norm=0.1)
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]


def test_the_examples_are_correct_doctests():
    import doctest

    from solutions import activations

    result = doctest.testmod(activations, verbose=False)
    assert result.attempted >= 20 and result.failed == 0
