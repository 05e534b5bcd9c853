"""Tests of solutions/dropout.py (lesson 08-dropout) against independent oracles.

Oracles: the closed form of inverted dropout (mask values 0 or 1 / (1 - p),
E[out] = x, Var[out] = x**2 p / (1 - p)) checked by sampling with tolerances
from the sampling error; ``torch.nn.functional.dropout`` (double precision)
for the convention (p is the drop probability, kept units scaled by
1 / (1 - p)) and the drop rate; chi-square tests with exact binomial
probabilities (from ``math``) for the independence of the units; central
finite differences and PyTorch autograd for the backward pass.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions.dropout import dropout_backward, dropout_forward
from tests import oracles

pytestmark = pytest.mark.lesson08

SETTINGS = settings(max_examples=40, deadline=None)
N_SE = 5.0  # statistics must lie within 5 standard errors of their expectation
P_MIN = 1e-7  # smallest p-value accepted by a chi-square test

probabilities = st.floats(0.0, 1.0, allow_nan=False, allow_infinity=False)
seeds = st.integers(0, 2**32 - 1)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)


# --------------------------------------------------------------------------
# helpers of the tests (independent of the module under test)
# --------------------------------------------------------------------------

def chi2_sf(x: float, df: int) -> float:
    """Exact upper tail P(chi2_df > x) from the series of the regularized incomplete gamma."""
    if x <= 0:
        return 1.0
    h = x / 2
    if df % 2 == 0:
        return sum(math.exp(j * math.log(h) - h - math.lgamma(j + 1)) for j in range(df // 2))
    return math.erfc(math.sqrt(h)) + sum(
        math.exp((j + 0.5) * math.log(h) - h - math.lgamma(j + 1.5)) for j in range((df - 1) // 2)
    )


def chi2_pvalue(counts, probs) -> float:
    """p-value of Pearson's chi-square test that ``counts`` follow the distribution ``probs``."""
    counts = np.asarray(counts, dtype=float)
    expected = counts.sum() * np.asarray(probs, dtype=float)
    stat = float(np.sum((counts - expected) ** 2 / expected))
    return chi2_sf(stat, counts.size - 1)


def keep_scale(p: float) -> float:
    """The factor of a kept unit under inverted dropout (p is the drop probability)."""
    return 1.0 / (1.0 - p)


def within_se(observed: float, expected: float, se: float) -> bool:
    return abs(observed - expected) <= N_SE * se


@pytest.fixture
def global_state_unchanged():
    before = np.random.get_state()
    yield
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


# --------------------------------------------------------------------------
# dropout_forward: values of the mask and the output
# --------------------------------------------------------------------------

@pytest.mark.parametrize("p, scale", [(0.5, 2.0), (0.25, 4.0 / 3.0), (0.8, 5.0), (0.1, 10.0 / 9.0)])
def test_forward_mask_values_worked_numbers(p, scale):
    """Kept units are scaled by 1 / (1 - p): 2 for p = 0.5, 4/3 for p = 0.25, 5 for p = 0.8."""
    x = np.linspace(-3.0, 3.0, 600).reshape(100, 6)
    out, mask = dropout_forward(x, p=p, rng=np.random.default_rng(0))
    assert out.shape == mask.shape == x.shape
    assert out.dtype == mask.dtype == np.float64
    kept = mask != 0
    assert kept.any() and (~kept).any()  # both happen among 600 units
    np.testing.assert_allclose(mask[kept], scale, rtol=1e-15)
    np.testing.assert_array_equal(mask[~kept], 0.0)
    np.testing.assert_allclose(out, x * scale * kept, rtol=1e-15)


@SETTINGS
@given(x=hnp.arrays(np.float64, shapes, elements=st.floats(-1e6, 1e6)), p=probabilities,
       seed=seeds, train=st.booleans())
def test_forward_properties(x, p, seed, train):
    """Shapes, dtype, mask in {0, 1/(1-p)}, out = x * mask, input untouched, new arrays."""
    x_copy = x.copy()
    out, mask = dropout_forward(x, p=p, rng=np.random.default_rng(seed), train=train)
    np.testing.assert_array_equal(x, x_copy)
    assert isinstance(out, np.ndarray) and isinstance(mask, np.ndarray)
    assert out.shape == mask.shape == x.shape
    assert out.dtype == mask.dtype == np.float64
    assert not np.shares_memory(out, x) and not np.shares_memory(mask, x)
    if not train:
        np.testing.assert_array_equal(out, x)
        np.testing.assert_array_equal(mask, np.ones_like(x))
    elif p == 1.0:
        np.testing.assert_array_equal(mask, 0.0)
    else:
        kept = mask != 0
        np.testing.assert_array_equal(mask[kept], keep_scale(p))
        if p == 0.0:
            assert kept.all()
    np.testing.assert_array_equal(out, x * mask)


def test_forward_p_zero_keeps_everything():
    x = np.arange(-6.0, 6.0).reshape(3, 4)
    out, mask = dropout_forward(x, p=0.0, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(mask, np.ones((3, 4)))
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize("p", [1.0, 1])
def test_forward_p_one_drops_everything_without_warning(p):
    """No division by zero (pytest turns any warning into a failure)."""
    x = np.array([[1.0, -2.0, 1e4], [-1e4, 0.0, 3.0]])
    out, mask = dropout_forward(x, p=p, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(mask, np.zeros((2, 3)))
    np.testing.assert_array_equal(out, np.zeros((2, 3)))
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(mask))


def test_forward_p_just_below_one():
    p = 1.0 - 2.0**-52
    out, mask = dropout_forward(np.ones(1000), p=p, rng=np.random.default_rng(3))
    assert set(np.unique(mask).tolist()) <= {0.0, 2.0**52}
    np.testing.assert_array_equal(out, mask)


def test_forward_eval_mode_is_identity_copy_and_uses_no_random_numbers(global_state_unchanged):
    x = np.array([[1.5, -2.0], [0.0, 7.0]])
    rng = np.random.default_rng(4)
    state = rng.bit_generator.state
    for p in (0.0, 0.3, 1.0):
        out, mask = dropout_forward(x, p=p, rng=rng, train=False)
        np.testing.assert_array_equal(out, x)
        np.testing.assert_array_equal(mask, np.ones_like(x))
        assert not np.shares_memory(out, x)
    assert rng.bit_generator.state == state  # the generator did not move
    dropout_forward(x, p=0.3, rng=rng, train=True)
    assert rng.bit_generator.state != state  # while training it does


def test_forward_eval_mode_accepts_numpy_bool():
    out, mask = dropout_forward([1.0, 2.0], p=0.5, rng=np.random.default_rng(0), train=np.False_)
    np.testing.assert_array_equal(out, [1.0, 2.0])
    np.testing.assert_array_equal(mask, [1.0, 1.0])


def test_forward_shapes_scalar_empty_and_integer_input():
    out, mask = dropout_forward(3.0, p=0.5, rng=np.random.default_rng(0))
    assert out.shape == mask.shape == ()
    assert float(mask) in (0.0, 2.0) and float(out) == 3.0 * float(mask)
    out, mask = dropout_forward(np.zeros((0, 4)), p=0.5, rng=np.random.default_rng(0))
    assert out.shape == mask.shape == (0, 4)
    out, mask = dropout_forward(np.arange(12).reshape(3, 4), p=0.5, rng=np.random.default_rng(0))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.arange(12).reshape(3, 4) * mask)


def test_forward_mask_does_not_depend_on_the_values_of_x():
    """The same generator state gives the same mask for any x of the same shape."""
    a = dropout_forward(np.ones((5, 7)), p=0.4, rng=np.random.default_rng(9))[1]
    b = dropout_forward(np.full((5, 7), -123.0), p=0.4, rng=np.random.default_rng(9))[1]
    np.testing.assert_array_equal(a, b)


def test_forward_extreme_values_no_warnings():
    rng = np.random.default_rng(5)
    x = np.array([1e4, -1e4, 1e300, -1e300, 5e-324, -0.0] * 50)
    out, mask = dropout_forward(x, p=0.5, rng=rng)
    kept = mask != 0
    np.testing.assert_array_equal(out[kept], 2.0 * x[kept])
    np.testing.assert_array_equal(out[~kept], 0.0)


def test_forward_overflow_and_infinities_are_silent():
    """A kept unit beyond float64 becomes inf (as in PyTorch); a dropped inf is 0, not nan."""
    big = np.full(400, 1.5e308)
    out, mask = dropout_forward(big, p=0.5, rng=np.random.default_rng(6))
    kept = mask != 0
    assert np.all(out[kept] == np.inf) and np.all(out[~kept] == 0.0)
    x = np.array([np.inf, -np.inf] * 200)
    out, mask = dropout_forward(x, p=0.5, rng=np.random.default_rng(7))
    kept = mask != 0
    assert kept.any() and (~kept).any()
    np.testing.assert_array_equal(out[kept], x[kept])
    np.testing.assert_array_equal(out[~kept], 0.0)
    np.testing.assert_array_equal(dropout_forward(x, p=1.0, rng=np.random.default_rng(0))[0], 0.0)
    np.testing.assert_array_equal(dropout_forward(x, p=0.0, rng=np.random.default_rng(0))[0], x)


# --------------------------------------------------------------------------
# dropout_forward: distribution of the mask
# --------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.05, 0.2, 0.5, 0.8, 0.95])
def test_forward_fraction_dropped_is_p(p):
    """p is the DROP probability: the fraction of zeros is p within 5 binomial standard errors."""
    n = 200_000
    _, mask = dropout_forward(np.ones((n // 8, 8)), p=p, rng=np.random.default_rng(10))
    frac = float(np.mean(mask == 0))
    assert within_se(frac, p, math.sqrt(p * (1 - p) / n)), (frac, p)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_forward_matches_torch_dropout_semantics(p):
    """torch.nn.functional.dropout: same mask values, drop rates equal within the sampling error."""
    torch = oracles.torch()
    n = 100_000
    with torch.random.fork_rng():
        torch.manual_seed(0)
        t_mask = torch.nn.functional.dropout(torch.ones(n, dtype=torch.float64), p=p, training=True).numpy()
        t_eval = torch.nn.functional.dropout(torch.arange(5.0, dtype=torch.float64), p=p,
                                             training=False).numpy()
    _, mask = dropout_forward(np.ones(n), p=p, rng=np.random.default_rng(11))
    torch_values = np.unique(t_mask)
    assert torch_values.size == 2 and torch_values[0] == 0.0
    np.testing.assert_allclose(np.unique(mask), torch_values, rtol=1e-15)
    f_ours, f_torch = float(np.mean(mask == 0)), float(np.mean(t_mask == 0))
    assert within_se(f_ours, f_torch, math.sqrt(2 * p * (1 - p) / n)), (f_ours, f_torch)
    out, eval_mask = dropout_forward(np.arange(5.0), p=p, rng=np.random.default_rng(11), train=False)
    np.testing.assert_array_equal(out, t_eval)
    np.testing.assert_array_equal(eval_mask, 1.0)


@pytest.mark.parametrize("p", [0.1, 0.3, 0.75])
def test_forward_expected_output_equals_input_and_variance_closed_form(p):
    """Per unit: mean of out within 5 SE of x; sample variance within 5 SE of x**2 p / (1 - p).

    p = 0.5 is left out of the variance check: the two-point law is then
    symmetric, mu4 = sigma**4, and the sample variance is not asymptotically
    normal (its error is of order chi-square / n), so an SE-based bound does not apply.
    """
    n = 40_000
    x = np.array([1.0, -2.5, 0.3, 10.0, -0.01, 4.0])
    out, _ = dropout_forward(np.tile(x, (n, 1)), p=p, rng=np.random.default_rng(12))
    q = 1.0 - p
    # out_i takes the value 0 with probability p and x_i / q with probability q.
    var = x**2 * p / q
    mu4 = p * x**4 + q * (x / q - x) ** 4  # fourth central moment of that two-point law
    mean_se = np.sqrt(var / n)
    var_se = np.sqrt((mu4 - (n - 3) / (n - 1) * var**2) / n)  # exact SE of the sample variance
    for j in range(x.size):
        assert within_se(out[:, j].mean(), x[j], mean_se[j]), (j, out[:, j].mean(), x[j])
        assert within_se(out[:, j].var(ddof=1), var[j], var_se[j]), (j, out[:, j].var(ddof=1), var[j])


def test_forward_average_of_many_passes_approaches_eval_output():
    """Dropout as an ensemble: the mean of many training passes is close to the evaluation pass."""
    rng = np.random.default_rng(13)
    x = np.random.default_rng(99).normal(size=(3, 5))
    p, passes = 0.4, 20_000
    total = np.zeros_like(x)
    for _ in range(passes // 1000):
        out, _ = dropout_forward(np.broadcast_to(x, (1000, 3, 5)), p=p, rng=rng)
        total += out.sum(axis=0)
    mean = total / passes
    eval_out, _ = dropout_forward(x, p=p, rng=rng, train=False)
    se = np.abs(x) * math.sqrt(p / (1 - p) / passes)
    assert np.all(np.abs(mean - eval_out) <= N_SE * se)


@pytest.mark.parametrize("p", [0.3, 0.7])
def test_forward_units_are_independent_within_a_row(p):
    """Kept units per row of 8 follow Binomial(8, 1 - p): chi-square with exact probabilities."""
    d, rows = 8, 20_000
    _, mask = dropout_forward(np.ones((rows, d)), p=p, rng=np.random.default_rng(14))
    counts = np.bincount((mask != 0).sum(axis=1), minlength=d + 1)
    probs = [math.comb(d, k) * (1 - p) ** k * p ** (d - k) for k in range(d + 1)]
    assert chi2_pvalue(counts, probs) > P_MIN, counts


def test_forward_masks_independent_across_calls():
    """Two calls on one generator: the joint (kept, kept) table of each unit matches q**2, qp, pq, p**2."""
    p, n = 0.4, 50_000
    q = 1 - p
    rng = np.random.default_rng(15)
    a = dropout_forward(np.ones(n), p=p, rng=rng)[1] != 0
    b = dropout_forward(np.ones(n), p=p, rng=rng)[1] != 0
    counts = [np.sum(a & b), np.sum(a & ~b), np.sum(~a & b), np.sum(~a & ~b)]
    assert chi2_pvalue(counts, [q * q, q * p, p * q, p * p]) > P_MIN, counts


def test_forward_deterministic_given_seed(global_state_unchanged):
    x = np.random.default_rng(0).normal(size=(6, 9))
    a = dropout_forward(x, p=0.5, rng=np.random.default_rng(21))
    b = dropout_forward(x, p=0.5, rng=np.random.default_rng(21))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    rng = np.random.default_rng(21)
    first, second = dropout_forward(x, p=0.5, rng=rng)[1], dropout_forward(x, p=0.5, rng=rng)[1]
    assert not np.array_equal(first, second)  # equal with probability 2**-54


# --------------------------------------------------------------------------
# dropout_forward: input validation
# --------------------------------------------------------------------------

@pytest.mark.parametrize("p", [-0.1, -1e-12, 1.0 + 1e-12, 1.5, 2, -np.inf, np.inf, np.nan])
@pytest.mark.parametrize("train", [True, False])
def test_forward_rejects_p_outside_unit_interval(p, train):
    with pytest.raises(ValueError, match="p"):
        dropout_forward(np.ones(3), p=p, rng=np.random.default_rng(0), train=train)


@pytest.mark.parametrize("p", ["0.5", None, True, [0.5], 0.5j])
def test_forward_rejects_non_real_p(p):
    with pytest.raises(TypeError, match="p"):
        dropout_forward(np.ones(3), p=p, rng=np.random.default_rng(0))


@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0), "seed"])
@pytest.mark.parametrize("train", [True, False])
def test_forward_rejects_non_generator(rng, train):
    with pytest.raises(TypeError, match="rng"):
        dropout_forward(np.ones(3), p=0.5, rng=rng, train=train)


@pytest.mark.parametrize("train", [1, 0, "yes", None, "False"])
def test_forward_rejects_non_boolean_train(train):
    with pytest.raises(TypeError, match="train"):
        dropout_forward(np.ones(3), p=0.5, rng=np.random.default_rng(0), train=train)


@pytest.mark.parametrize("x", [None, "abc", [["a", "b"]]])
def test_forward_rejects_non_numeric_x(x):
    with pytest.raises(TypeError, match="x"):
        dropout_forward(x, p=0.5, rng=np.random.default_rng(0))


def test_forward_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        dropout_forward(np.ones(3), 0.5, np.random.default_rng(0))
    with pytest.raises(TypeError):
        dropout_forward(np.ones(3), p=0.5)  # rng is required


# --------------------------------------------------------------------------
# dropout_backward
# --------------------------------------------------------------------------

def test_backward_worked_numbers():
    np.testing.assert_array_equal(
        dropout_backward([[1.0, 2.0, 3.0], [-4.0, 5.0, 0.5]], [[0.0, 2.0, 2.0], [2.0, 0.0, 2.0]]),
        [[0.0, 4.0, 6.0], [-8.0, 0.0, 1.0]],
    )


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5),
       p=st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0]), seed=seeds)
def test_backward_matches_finite_differences(shape, p, seed):
    """Gradient of f(x) = sum(w * dropout_forward(x)[0]) with the mask fixed by the seed."""
    data = np.random.default_rng(seed)
    x, w = data.normal(size=shape), data.normal(size=shape)

    def f(x_):
        out, _ = dropout_forward(x_, p=p, rng=np.random.default_rng(seed))
        return float(np.sum(w * out))

    _, mask = dropout_forward(x, p=p, rng=np.random.default_rng(seed))
    expected = oracles.numerical_grad(f, x)
    np.testing.assert_allclose(dropout_backward(w, mask), expected, rtol=1e-6, atol=1e-6)


def test_backward_matches_torch_autograd():
    torch = oracles.torch()
    rng = np.random.default_rng(31)
    x, w = rng.normal(size=(7, 5)), rng.normal(size=(7, 5))
    _, mask = dropout_forward(x, p=0.3, rng=rng)
    xt = torch.tensor(x, requires_grad=True)
    (torch.tensor(w) * (xt * torch.tensor(mask))).sum().backward()
    np.testing.assert_allclose(dropout_backward(w, mask), xt.grad.numpy(), rtol=1e-15, atol=0)


@SETTINGS
@given(dout=hnp.arrays(np.float64, shapes, elements=st.floats(-1e6, 1e6)), p=probabilities,
       seed=seeds)
def test_backward_properties(dout, p, seed):
    """dx = dout * mask, zero where dropped, inputs untouched; the layer is its own adjoint."""
    _, mask = dropout_forward(np.zeros(dout.shape), p=p, rng=np.random.default_rng(seed))
    dout_copy, mask_copy = dout.copy(), mask.copy()
    dx = dropout_backward(dout, mask)
    np.testing.assert_array_equal(dout, dout_copy)
    np.testing.assert_array_equal(mask, mask_copy)
    assert dx.shape == dout.shape and dx.dtype == np.float64
    assert not np.shares_memory(dx, dout) and not np.shares_memory(dx, mask)
    np.testing.assert_array_equal(dx, dout * mask)
    np.testing.assert_array_equal(dx[mask == 0], 0.0)
    # same seed, same mask: the forward pass applied to dout gives the same numbers
    np.testing.assert_array_equal(dx, dropout_forward(dout, p=p, rng=np.random.default_rng(seed))[0])


def test_backward_eval_mask_passes_gradient_unchanged():
    dout = np.array([[0.5, -1.0], [2.0, 3.0]])
    _, mask = dropout_forward(np.ones((2, 2)), p=0.9, rng=np.random.default_rng(0), train=False)
    np.testing.assert_array_equal(dropout_backward(dout, mask), dout)


def test_backward_extreme_values_no_warnings():
    dout = np.array([np.inf, -np.inf, 1e300, -1e4, 1e308])
    mask = np.array([0.0, 2.0, 0.0, 2.0, 2.0])
    np.testing.assert_array_equal(dropout_backward(dout, mask), [0.0, -np.inf, 0.0, -2e4, np.inf])


def test_backward_accepts_lists_and_scalars():
    np.testing.assert_array_equal(dropout_backward([1.0, 2.0], [0, 3]), [0.0, 6.0])
    assert dropout_backward(2.0, 4.0).shape == ()


def test_backward_rejects_bad_arguments():
    with pytest.raises(ValueError, match="dout and mask"):
        dropout_backward(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="dout and mask"):
        dropout_backward(np.ones((2, 3)), np.ones(3))  # no broadcasting
    with pytest.raises(TypeError, match="dout"):
        dropout_backward([["a"]], np.ones((1, 1)))
    with pytest.raises(TypeError, match="mask"):
        dropout_backward(np.ones((1, 1)), None)
