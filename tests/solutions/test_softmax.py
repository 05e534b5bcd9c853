"""Tests for solutions/softmax.py (lesson 02-softmax-entropy).

Expected values come from PyTorch in double precision (``softmax``,
``log_softmax``, ``special.entr``, ``special.xlogy``, ``cross_entropy``,
``kl_div`` and autograd), central finite differences and closed forms written
with ``math``; never from the reference's own output.
"""

import doctest
import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions import softmax as softmax_module
from solutions.softmax import (
    cross_entropy,
    entropy,
    kl_divergence,
    log_softmax,
    one_hot,
    softmax,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)
from tests import oracles

pytestmark = pytest.mark.lesson02

HYP = settings(max_examples=40, deadline=None)

# shape, axis: the class axis may be any axis of any shape
SHAPE_AXES = [((3,), -1), ((5, 4), -1), ((5, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), -3), ((1, 1), -1)]


def _t(a):
    torch = oracles.torch()
    return torch.tensor(np.asarray(a, dtype=np.float64))


def _random_distributions(rng, shape, axis, *, zeros=False):
    p = rng.uniform(0.01, 1.0, size=shape)
    if zeros:
        p[rng.uniform(size=shape) < 0.3] = 0.0
        first = [slice(None)] * len(shape)
        first[axis] = 0
        p[tuple(first)] = np.maximum(p[tuple(first)], 0.5)  # keep every slice non-zero
    return p / p.sum(axis=axis, keepdims=True)


# --------------------------------------------------------------------------- signatures and docs


@pytest.mark.parametrize(
    "func, expected",
    [
        (softmax, "(z, axis=-1)"),
        (log_softmax, "(z, axis=-1)"),
        (entropy, "(p, axis=-1)"),
        (cross_entropy, "(p, q, axis=-1)"),
        (kl_divergence, "(p, q, axis=-1)"),
        (softmax_cross_entropy, "(logits, y)"),
        (softmax_cross_entropy_grad, "(logits, y)"),
        (one_hot, "(y, n_classes)"),
    ],
)
def test_signatures_match_curriculum(func, expected):
    """Names, arguments and defaults are those of the curriculum."""
    assert str(inspect.signature(func)) == expected


def test_docstring_examples_run():
    """The Examples sections are correct doctests."""
    result = doctest.testmod(softmax_module, verbose=False)
    assert result.attempted >= 15
    assert result.failed == 0


# --------------------------------------------------------------------------- softmax and log_softmax


@pytest.mark.parametrize("shape, axis", SHAPE_AXES)
@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_softmax_and_log_softmax_match_torch(shape, axis, scale):
    """softmax and log_softmax equal torch's along any axis."""
    torch = oracles.torch()
    z = np.random.default_rng(len(shape) + axis + 3).normal(size=shape) * scale
    got = softmax(z, axis=axis)
    assert got.shape == z.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, torch.softmax(_t(z), dim=axis).numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(log_softmax(z, axis=axis), torch.log_softmax(_t(z), dim=axis).numpy(),
                               rtol=1e-12, atol=1e-12)


def test_softmax_hand_numbers():
    """Two equal logits give 1/2 each; logits 0 and log 3 give 1/4 and 3/4."""
    np.testing.assert_allclose(softmax([7.0, 7.0]), [0.5, 0.5], rtol=1e-15)
    np.testing.assert_allclose(softmax([0.0, math.log(3.0)]), [0.25, 0.75], rtol=1e-15)
    np.testing.assert_allclose(log_softmax([0.0, math.log(3.0)]), [math.log(0.25), math.log(0.75)], rtol=1e-15)


@pytest.mark.parametrize("magnitude", [1e4, 1e6, 1e300])
def test_large_logits_without_warnings(magnitude):
    """Magnitudes far beyond exp's range: exact closed-form results, no overflow or invalid warning."""
    z = np.array([[magnitude, -magnitude, 0.0], [-magnitude, -magnitude + 1.0, -magnitude]])
    p = softmax(z)
    assert np.all(np.isfinite(p))
    np.testing.assert_array_equal(p[0], [1.0, 0.0, 0.0])
    if magnitude < 1e15:  # -m + 1 is exact: the second row is softmax([0, 1, 0])
        e = math.e
        np.testing.assert_allclose(p[1], [1 / (2 + e), e / (2 + e), 1 / (2 + e)], rtol=1e-12)
        np.testing.assert_allclose(log_softmax(z)[0], [0.0, -2 * magnitude, -magnitude], rtol=1e-15)


def test_softmax_rows_on_very_different_scales():
    """Each row is shifted by its own max (a global max would underflow the second row to 0/0)."""
    torch = oracles.torch()
    z = np.array([[1000.0, 1001.0], [-1000.0, -1001.0], [1e4, 0.0], [-1e4, -1e4 + 2.0]])
    np.testing.assert_allclose(softmax(z), torch.softmax(_t(z), dim=1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(softmax(z)[3], [1 / (1 + math.e**2), math.e**2 / (1 + math.e**2)], rtol=1e-12)
    np.testing.assert_allclose(log_softmax(z), torch.log_softmax(_t(z), dim=1).numpy(), rtol=1e-12)


def test_extreme_float_range_is_warning_free():
    """Logits near the float limits: differences that overflow round to probability 0, silently."""
    z = np.array([-1.7e308, 1.7e308, 0.0])
    np.testing.assert_array_equal(softmax(z), [0.0, 1.0, 0.0])
    got = log_softmax(z)
    assert got[1] == 0.0 and got[0] == -np.inf and got[2] == -1.7e308


def test_minus_infinity_gives_probability_zero():
    """-inf logits: probability exactly 0 and log-probability -inf, like torch, no warnings."""
    torch = oracles.torch()
    z = np.array([[0.0, -np.inf, 0.0], [-np.inf, 3.0, -np.inf], [1e4, -np.inf, -1e4]])
    p = softmax(z)
    np.testing.assert_array_equal(p[0], [0.5, 0.0, 0.5])
    np.testing.assert_array_equal(p[1], [0.0, 1.0, 0.0])
    np.testing.assert_allclose(p, torch.softmax(_t(z), dim=1).numpy(), rtol=1e-15, atol=0)
    lp = log_softmax(z)
    np.testing.assert_array_equal(lp[1], [-np.inf, 0.0, -np.inf])
    np.testing.assert_allclose(lp, torch.log_softmax(_t(z), dim=1).numpy(), rtol=1e-15)


@pytest.mark.parametrize("func", [softmax, log_softmax])
def test_all_minus_infinity_slice_raises(func):
    """A slice with every class ruled out has no softmax: a clear ValueError instead of NaN."""
    z = np.array([[0.0, 1.0], [-np.inf, -np.inf]])
    with pytest.raises(ValueError, match=r"z has a slice along axis 1 whose entries are all -inf"):
        func(z)
    # along axis 0 every column has a finite entry: fine
    assert np.all(np.isfinite(softmax(z, axis=0)))


@pytest.mark.parametrize("func", [softmax, log_softmax])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_plus_infinity_raise(func, bad):
    """NaN and +inf logits have no softmax."""
    with pytest.raises(ValueError, match=r"z must not contain NaN or \+inf .* got (nan|inf)"):
        func([0.0, bad])


logit_arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5),
    elements=st.floats(-1e4, 1e4),
)


@HYP
@given(logit_arrays, st.data())
def test_softmax_properties(z, data):
    """Entries in [0, 1], slices sum to 1, exp(log_softmax) == softmax, log_softmax <= 0."""
    axis = data.draw(st.integers(-z.ndim, z.ndim - 1))
    p = softmax(z, axis=axis)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=0, atol=1e-12)
    lp = log_softmax(z, axis=axis)
    assert np.all(lp <= 0)
    np.testing.assert_allclose(np.exp(lp), p, rtol=1e-9, atol=1e-300)
    # z - log_softmax(z) is logsumexp(z): one constant per slice
    lse = z - lp
    np.testing.assert_allclose(lse, np.broadcast_to(lse.max(axis=axis, keepdims=True), z.shape),
                               rtol=1e-13, atol=1e-9)


@HYP
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)), elements=st.floats(-100, 100)),
       hnp.arrays(np.float64, st.integers(1, 4), elements=st.floats(-1000, 1000)))
def test_softmax_is_shift_invariant(z, shifts):
    """Adding a constant to a row (per row, up to 1000) leaves its softmax unchanged."""
    shifts = np.resize(shifts, z.shape[0])[:, None]
    np.testing.assert_allclose(softmax(z + shifts), softmax(z), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(log_softmax(z + shifts) - log_softmax(z), 0.0, atol=1e-9)


# --------------------------------------------------------------------------- entropy, cross-entropy, KL


def test_entropy_closed_forms():
    """log K for the uniform distribution, 0 for a certain outcome, h(1/4) for a biased coin."""
    for k in (1, 2, 5, 1000):
        assert float(entropy(np.full(k, 1.0 / k))) == pytest.approx(math.log(k), rel=1e-12, abs=1e-15)
    np.testing.assert_array_equal(entropy([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), [0.0, 0.0])
    assert not np.signbit(entropy([1.0, 0.0]))  # +0.0, not -0.0
    h = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert float(entropy([0.25, 0.75])) == pytest.approx(h, rel=1e-14)


@pytest.mark.parametrize("shape, axis", SHAPE_AXES)
@pytest.mark.parametrize("zeros", [False, True])
def test_entropy_matches_torch_entr(shape, axis, zeros):
    """entropy is the sum of torch.special.entr (-x log x, 0 at 0) along the axis."""
    torch = oracles.torch()
    p = _random_distributions(np.random.default_rng(7 + len(shape)), shape, axis, zeros=zeros)
    expected = torch.special.entr(_t(p)).sum(dim=axis).numpy()
    got = entropy(p, axis=axis)
    assert np.shape(got) == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("shape, axis", SHAPE_AXES)
@pytest.mark.parametrize("zeros", [False, True])
def test_cross_entropy_and_kl_match_torch(shape, axis, zeros):
    """cross_entropy is -sum xlogy(p, q); kl_divergence is torch's kl_div(log q, p) summed."""
    torch = oracles.torch()
    rng = np.random.default_rng(11 + len(shape) + axis)
    p = _random_distributions(rng, shape, axis, zeros=zeros)
    q = _random_distributions(rng, shape, axis)  # q > 0: torch's kl_div gives nan for 0 * log 0
    ce = -torch.special.xlogy(_t(p), _t(q)).sum(dim=axis).numpy()
    kl = torch.nn.functional.kl_div(torch.log(_t(q)), _t(p), reduction="none").sum(dim=axis).numpy()
    np.testing.assert_allclose(cross_entropy(p, q, axis=axis), ce, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(kl_divergence(p, q, axis=axis), kl, rtol=1e-10, atol=1e-13)


def test_cross_entropy_matches_torch_cross_entropy_with_soft_targets():
    """With q normalized, log q are logits whose log_softmax is log q: torch's cross_entropy per row."""
    torch = oracles.torch()
    rng = np.random.default_rng(5)
    p, q = _random_distributions(rng, (6, 4), 1, zeros=True), _random_distributions(rng, (6, 4), 1)
    expected = torch.nn.functional.cross_entropy(torch.log(_t(q)), _t(p), reduction="none").numpy()
    np.testing.assert_allclose(cross_entropy(p, q), expected, rtol=1e-12)


def test_zero_conventions_and_infinities():
    """0 log 0 = 0 (even against q = 0); p > 0 where q = 0 gives inf; no warnings either way."""
    p = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])
    q = np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]])
    np.testing.assert_allclose(cross_entropy(p, q), [math.log(2), np.inf], rtol=1e-15)
    np.testing.assert_array_equal(kl_divergence(p, q), [0.0, np.inf])
    assert float(cross_entropy([0.0, 1.0], [0.0, 1.0])) == 0.0
    assert float(kl_divergence([1.0, 0.0], [0.5, 0.5])) == pytest.approx(math.log(2), rel=1e-15)


def test_kl_divergence_closed_form_and_asymmetry():
    """KL([.5,.5] || [.9,.1]) and its reverse, from math.log: different numbers."""
    forward = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    backward = 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5)
    assert float(kl_divergence([0.5, 0.5], [0.9, 0.1])) == pytest.approx(forward, rel=1e-14)
    assert float(kl_divergence([0.9, 0.1], [0.5, 0.5])) == pytest.approx(backward, rel=1e-14)
    assert abs(forward - backward) > 0.1


@st.composite
def distribution_pairs(draw):
    """Two arrays of one shape, each normalized along a drawn axis, with some exact zeros."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    weights = st.one_of(st.just(0.0), st.floats(1e-3, 1.0))
    arrays = []
    for _ in range(2):
        w = draw(hnp.arrays(np.float64, shape, elements=weights))
        w = w + (w.sum(axis=axis, keepdims=True) == 0)  # an all-zero slice becomes uniform
        arrays.append(w / w.sum(axis=axis, keepdims=True))
    return arrays[0], arrays[1], axis


@HYP
@given(distribution_pairs())
def test_information_inequalities(pqa):
    """0 <= H(p) <= log K, KL >= 0 with KL(p, p) = 0, H(p, q) = H(p) + KL(p || q)."""
    p, q, axis = pqa
    k = p.shape[axis]
    h = entropy(p, axis=axis)
    assert np.all(h >= 0) and np.all(h <= math.log(k) + 1e-12)
    kl = kl_divergence(p, q, axis=axis)
    assert np.all(kl >= -1e-12)
    np.testing.assert_array_equal(kl_divergence(p, p, axis=axis), 0.0)
    ce = cross_entropy(p, q, axis=axis)
    finite = np.isfinite(kl)
    assert np.array_equal(finite, np.isfinite(ce))
    np.testing.assert_allclose(np.asarray(ce)[finite], np.asarray(h + kl)[finite], rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------- the classification loss


@pytest.mark.parametrize("n, k, scale", [(1, 3, 1.0), (8, 4, 3.0), (32, 10, 10.0), (5, 2, 100.0)])
def test_softmax_cross_entropy_matches_torch(n, k, scale):
    """softmax_cross_entropy equals torch.nn.functional.cross_entropy on logits and integer labels."""
    torch = oracles.torch()
    rng = np.random.default_rng(n + k)
    logits, y = rng.normal(size=(n, k)) * scale, rng.integers(0, k, size=n)
    expected = torch.nn.functional.cross_entropy(_t(logits), torch.tensor(y)).item()
    got = softmax_cross_entropy(logits, y)
    assert type(got) is float
    assert got == pytest.approx(expected, rel=1e-12)


def test_softmax_cross_entropy_closed_forms_at_large_logits():
    """Logits of 1e4: the loss of a confident mistake is the logit gap, exactly; no warnings."""
    assert softmax_cross_entropy([[0.0, 1e4]], [0]) == pytest.approx(1e4, rel=1e-15)
    assert softmax_cross_entropy([[1e4, -1e4, 0.0]], [1]) == pytest.approx(2e4, rel=1e-15)
    assert softmax_cross_entropy([[1e4, -1e4, 0.0]], [0]) == 0.0
    assert softmax_cross_entropy([[0.0, 0.0], [0.0, math.log(3.0)]], [0, 1]) == pytest.approx(
        (math.log(2) - math.log(0.75)) / 2, rel=1e-14)
    assert softmax_cross_entropy([[0.0, -np.inf]], [1]) == np.inf


@pytest.mark.parametrize("n, k, scale", [(1, 3, 1.0), (6, 4, 3.0), (3, 5, 20.0)])
def test_softmax_cross_entropy_grad_matches_finite_differences(n, k, scale):
    """The gradient agrees with central differences of softmax_cross_entropy."""
    rng = np.random.default_rng(50 + n * k)
    logits, y = rng.normal(size=(n, k)) * scale, rng.integers(0, k, size=n)
    numeric = oracles.numerical_grad(lambda z: softmax_cross_entropy(z, y), logits)
    got = softmax_cross_entropy_grad(logits, y)
    assert got.shape == logits.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, numeric, rtol=1e-5, atol=1e-8)


def test_softmax_cross_entropy_grad_matches_torch_autograd():
    """The gradient is the one torch's autograd gives for cross_entropy (mean reduction)."""
    torch = oracles.torch()
    rng = np.random.default_rng(9)
    logits, y = rng.normal(size=(7, 5)) * 4, rng.integers(0, 5, size=7)
    x = _t(logits).requires_grad_(True)
    torch.nn.functional.cross_entropy(x, torch.tensor(y)).backward()
    np.testing.assert_allclose(softmax_cross_entropy_grad(logits, y), x.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_softmax_cross_entropy_grad_confidently_wrong():
    """Logits 1e4 on the wrong class: the gradient stays (e_pred - e_true) / n, not 0 or nan."""
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 0.0, 0.0]])
    expected = np.array([[1.0, -1.0, 0.0], [1 / 3, 1 / 3, -2 / 3]]) / 2
    np.testing.assert_allclose(softmax_cross_entropy_grad(logits, [1, 2]), expected, rtol=1e-15, atol=1e-300)


@HYP
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 5)), elements=st.floats(-1e4, 1e4)),
       st.data())
def test_softmax_cross_entropy_properties(logits, data):
    """Loss >= 0 and finite; gradient rows sum to 0, entries in [-1/n, 1/n]; argument unchanged."""
    n, k = logits.shape
    y = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    before = logits.copy()
    loss = softmax_cross_entropy(logits, y)
    grad = softmax_cross_entropy_grad(logits, y)
    assert math.isfinite(loss) and loss >= 0.0
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)
    assert np.all(np.abs(grad) <= 1.0 / n + 1e-15)
    np.testing.assert_array_equal(logits, before)


def test_one_hot():
    """Rows of the identity matrix, float64."""
    got = one_hot([2, 0, 1, 2], 3)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.eye(3)[[2, 0, 1, 2]])
    np.testing.assert_array_equal(one_hot(np.array([], dtype=int), 4), np.zeros((0, 4)))


# --------------------------------------------------------------------------- purity and validation

PURE_CALLS = [
    (softmax, lambda rng: (rng.normal(size=(3, 4)),)),
    (log_softmax, lambda rng: (rng.normal(size=(3, 4)),)),
    (entropy, lambda rng: (_random_distributions(rng, (3, 4), -1),)),
    (cross_entropy, lambda rng: (_random_distributions(rng, (3, 4), -1), _random_distributions(rng, (3, 4), -1))),
    (kl_divergence, lambda rng: (_random_distributions(rng, (3, 4), -1), _random_distributions(rng, (3, 4), -1))),
    (softmax_cross_entropy, lambda rng: (rng.normal(size=(3, 4)), np.array([0, 3, 1]))),
    (softmax_cross_entropy_grad, lambda rng: (rng.normal(size=(3, 4)), np.array([0, 3, 1]))),
    (one_hot, lambda rng: (np.array([0, 3, 1]), 4)),
]


@pytest.mark.parametrize("func, make", PURE_CALLS, ids=lambda v: getattr(v, "__name__", ""))
def test_arguments_are_left_unchanged(func, make):
    """No function writes into its arguments, and array results are new arrays."""
    args = make(np.random.default_rng(1))
    copies = [np.copy(a) for a in args]
    out = func(*args)
    for before, after in zip(copies, args):
        np.testing.assert_array_equal(before, after)
    if isinstance(out, np.ndarray):
        assert not any(np.shares_memory(out, a) for a in args if isinstance(a, np.ndarray))


@pytest.mark.parametrize("func, args", [
    (softmax, (np.zeros((2, 3)),)),
    (log_softmax, (np.zeros((2, 3)),)),
    (entropy, (np.full((2, 3), 1 / 3),)),
    (cross_entropy, (np.full((2, 3), 1 / 3), np.full((2, 3), 1 / 3))),
    (kl_divergence, (np.full((2, 3), 1 / 3), np.full((2, 3), 1 / 3))),
], ids=lambda v: getattr(v, "__name__", ""))
def test_axis_is_validated(func, args):
    """axis must be an integer naming an existing, non-empty axis."""
    name = "z" if func in (softmax, log_softmax) else "p"
    with pytest.raises(ValueError, match=rf"axis must be in \[-2, 1\] for {name} of shape \(2, 3\), got 2"):
        func(*args, axis=2)
    with pytest.raises(TypeError, match=r"axis must be an integer, got float"):
        func(*args, axis=1.0)
    with pytest.raises(TypeError, match=r"axis must be an integer, got bool"):
        func(*args, axis=True)
    empty = tuple(np.zeros((2, 0)) for _ in args)
    with pytest.raises(ValueError, match=rf"{name} must have at least one class along axis 1"):
        func(*empty)
    with pytest.raises(ValueError, match=rf"{name} must have at least 1 dimension"):
        func(*(np.float64(0.5) for _ in args))


@pytest.mark.parametrize("func", [entropy, cross_entropy, kl_divergence])
@pytest.mark.parametrize("bad", [-0.1, 1.5, np.nan])
def test_distributions_must_lie_in_the_unit_interval(func, bad):
    """p and q hold probabilities: values outside [0, 1], or NaN, raise."""
    good = [0.5, 0.5]
    args = ([0.5, bad],) if func is entropy else ([0.5, bad], good)
    with pytest.raises(ValueError, match=r"p must hold probabilities in \[0, 1\], got"):
        func(*args)
    if func is not entropy:
        with pytest.raises(ValueError, match=r"q must hold probabilities in \[0, 1\], got"):
            func(good, [0.5, bad])


@pytest.mark.parametrize("func", [cross_entropy, kl_divergence])
def test_distribution_shapes_must_match(func):
    """p and q are compared entry by entry: no broadcasting."""
    with pytest.raises(ValueError, match=r"p and q must have the same shape, got \(2,\) and \(1, 2\)"):
        func([0.5, 0.5], [[0.5, 0.5]])


@pytest.mark.parametrize("func", [softmax_cross_entropy, softmax_cross_entropy_grad])
def test_classification_loss_validates_logits_and_labels(func):
    """Labels are integers, one per row, in range; one-hot labels are refused; logits are 2-D."""
    logits = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"y must be a 1-D array of integer labels, got shape \(3, 4\)"):
        func(logits, np.eye(4)[[0, 1, 2]])
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 3\], got values from 0 to 4"):
        func(logits, [0, 4, 1])
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 3\], got values from -1"):
        func(logits, [0, -1, 1])
    with pytest.raises(ValueError, match=r"y must hold integer class labels"):
        func(logits, [0.5, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"y must hold one label per row of logits \(3\), got 2 labels"):
        func(logits, [0, 1])
    with pytest.raises(ValueError, match=r"logits must be a 2-D array of shape \(n_samples, n_classes\)"):
        func(np.zeros(4), [0])
    with pytest.raises(ValueError, match=r"logits must hold at least one sample"):
        func(np.zeros((0, 4)), [])
    with pytest.raises(ValueError, match=r"logits must not contain NaN"):
        func([[0.0, np.nan]], [0])
    with pytest.raises(ValueError, match=r"logits has a slice along axis 1 whose entries are all -inf"):
        func([[-np.inf, -np.inf]], [0])
    with pytest.raises(TypeError, match=r"logits must be a real numeric array"):
        func("logits", [0])


def test_one_hot_validates():
    """n_classes is a positive integer and every label is below it."""
    with pytest.raises(ValueError, match=r"n_classes must be >= 1, got 0"):
        one_hot([0], 0)
    with pytest.raises(TypeError, match=r"n_classes must be an integer, got float"):
        one_hot([0], 3.0)
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 2\], got values from 0 to 3"):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match=r"y must be a 1-D array"):
        one_hot([[0]], 3)
