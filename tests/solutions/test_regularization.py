"""Tests of solutions/regularization.py (lesson 07-regularization) against independent oracles.

Oracles: exact rational arithmetic (``fractions.Fraction``) for the closed
forms of the penalties; central finite differences (tests/oracles.py) for
their gradients (away from 0 for L1); a table of early-stopping sequences
worked by hand, and an independent loop (a Keras-style "wait" counter) for
Hypothesis comparisons; the exact distribution of a bootstrap sample
(occupancy moments, binomial counts, uniform totals) with chi-square
p-values computed with ``math``; a plain loop average for bagging.
"""

import inspect
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions.regularization import (
    bagging_predict,
    bootstrap_indices,
    early_stopping,
    l1_penalty,
    l1_penalty_grad,
    l2_penalty,
    l2_penalty_grad,
)
from tests import oracles

pytestmark = pytest.mark.lesson07

SETTINGS = settings(max_examples=40, deadline=None)
N_SE = 5.0  # a statistic must lie within 5 standard errors of its expectation
P_MIN = 1e-7  # smallest p-value accepted by a chi-square test

EMPTY = inspect.Parameter.empty
POS = inspect.Parameter.POSITIONAL_OR_KEYWORD
KW = inspect.Parameter.KEYWORD_ONLY

lams = st.floats(0.0, 10.0, allow_nan=False, allow_infinity=False)
seeds = st.integers(0, 2**32 - 1)
matrices = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5),
                      elements=st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False))
weight_lists = st.lists(matrices, min_size=0, max_size=4)


# --------------------------------------------------------------------------
# helpers of the tests (independent of the module under test)
# --------------------------------------------------------------------------

def exact_l2(weights, lam) -> float:
    """lam / 2 * sum of squares in exact rational arithmetic, rounded once."""
    total = sum((Fraction(float(w)) ** 2 for W in weights for w in np.ravel(W)), Fraction(0))
    return float(Fraction(lam) / 2 * total)


def exact_l1(weights, lam) -> float:
    """lam * sum of absolute values in exact rational arithmetic, rounded once."""
    total = sum((abs(Fraction(float(w))) for W in weights for w in np.ravel(W)), Fraction(0))
    return float(Fraction(lam) * total)


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


def stopping_oracle(losses, patience, min_delta):
    """Early stopping written as a "wait" counter (as Keras does), independently of the reference.

    The best so far starts at +inf, so epoch 0 always improves. An epoch
    improves when loss + min_delta < best; otherwise the wait grows and
    training stops once it reaches ``patience``. The best epoch is found by a
    scan that only replaces the candidate on a strictly lower loss (earliest
    on ties).
    """
    best, wait, stop = math.inf, 0, len(losses) - 1
    for t, loss in enumerate(losses):
        if loss + min_delta < best:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                stop = t
                break
    best_t = 0
    for t in range(stop + 1):
        if losses[t] < losses[best_t]:
            best_t = t
    return stop, best_t


@pytest.fixture
def global_state_unchanged():
    before = np.random.get_state()
    yield
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


# --------------------------------------------------------------------------
# signatures and return types
# --------------------------------------------------------------------------

@pytest.mark.parametrize("func, params", [
    (l2_penalty, [("weights", POS, EMPTY), ("lam", KW, EMPTY)]),
    (l2_penalty_grad, [("W", POS, EMPTY), ("lam", KW, EMPTY)]),
    (l1_penalty, [("weights", POS, EMPTY), ("lam", KW, EMPTY)]),
    (l1_penalty_grad, [("W", POS, EMPTY), ("lam", KW, EMPTY)]),
    (early_stopping, [("val_losses", POS, EMPTY), ("patience", KW, EMPTY), ("min_delta", KW, 0.0)]),
    (bootstrap_indices, [("n", POS, EMPTY), ("rng", KW, EMPTY)]),
    (bagging_predict, [("member_probs", POS, EMPTY)]),
])
def test_signature_matches_curriculum(func, params):
    got = [(p.name, p.kind, p.default) for p in inspect.signature(func).parameters.values()]
    assert got == params


def test_return_types():
    W = np.ones((2, 3))
    assert type(l2_penalty([W], lam=0.1)) is float
    assert type(l1_penalty([W], lam=0.1)) is float
    assert type(l2_penalty([], lam=0.1)) is float
    stop, best = early_stopping(np.array([3.0, 2.0, 2.5]), patience=1)
    assert type(stop) is int and type(best) is int
    for grad in (l2_penalty_grad(W, lam=0.1), l1_penalty_grad(W, lam=0.1)):
        assert isinstance(grad, np.ndarray) and grad.dtype == np.float64 and grad.shape == W.shape


# --------------------------------------------------------------------------
# l2_penalty and l1_penalty: closed forms
# --------------------------------------------------------------------------

def test_l2_penalty_worked_numbers():
    # squares: 1 + 4 + 0 + 4 = 9 and 9; lam / 2 * 18 = 0.05 * 18 = 0.9
    weights = [np.array([[1.0, -2.0], [0.0, 2.0]]), np.array([[3.0]])]
    assert l2_penalty(weights, lam=0.1) == pytest.approx(0.9, rel=1e-15)
    # the 1/2 is there once: lam = 2 gives exactly the sum of squares
    assert l2_penalty(weights, lam=2.0) == 18.0


def test_l1_penalty_worked_numbers():
    # |entries|: 1 + 2 + 0 + 2 = 5 and 3; lam * 8 = 4 (no 1/2 in front, unlike one of the source notes)
    weights = [np.array([[1.0, -2.0], [0.0, 2.0]]), np.array([[-3.0]])]
    assert l1_penalty(weights, lam=0.5) == 4.0
    assert l1_penalty(weights, lam=1.0) == 8.0


@SETTINGS
@given(weights=weight_lists, lam=lams)
def test_penalties_match_exact_closed_forms(weights, lam):
    copies = [W.copy() for W in weights]
    l2, l1 = l2_penalty(weights, lam=lam), l1_penalty(weights, lam=lam)
    assert l2 == pytest.approx(exact_l2(weights, lam), rel=1e-12, abs=1e-300)
    assert l1 == pytest.approx(exact_l1(weights, lam), rel=1e-12, abs=1e-300)
    assert l2 >= 0.0 and l1 >= 0.0
    for W, W0 in zip(weights, copies):
        np.testing.assert_array_equal(W, W0)


@SETTINGS
@given(weights=weight_lists, lam=lams)
def test_penalty_of_a_list_is_the_sum_over_its_matrices(weights, lam):
    for penalty in (l2_penalty, l1_penalty):
        each = sum(penalty([W], lam=lam) for W in weights)
        assert penalty(weights, lam=lam) == pytest.approx(each, rel=1e-12, abs=1e-300)
        assert penalty(tuple(weights), lam=lam) == penalty(weights, lam=lam)


@SETTINGS
@given(W=matrices, lam=lams)
def test_penalty_scaling_laws(W, lam):
    """Doubling W multiplies L2 by 4 and L1 by 2; both are even in W and linear in lam."""
    close = dict(rel=1e-14, abs=1e-300)  # exact but for rounding in the subnormal range
    assert l2_penalty([2.0 * W], lam=lam) == pytest.approx(4.0 * l2_penalty([W], lam=lam), **close)
    assert l1_penalty([2.0 * W], lam=lam) == pytest.approx(2.0 * l1_penalty([W], lam=lam), **close)
    assert l1_penalty([-W], lam=lam) == l1_penalty([W], lam=lam)
    assert l2_penalty([-W], lam=lam) == l2_penalty([W], lam=lam)
    assert l2_penalty([W], lam=2.0 * lam) == pytest.approx(2.0 * l2_penalty([W], lam=lam), **close)


def test_penalties_zero_cases():
    W = np.array([[1.0, -3.0]])
    for penalty in (l2_penalty, l1_penalty):
        assert penalty([], lam=1.0) == 0.0
        assert penalty([np.zeros((3, 4))], lam=1.0) == 0.0
        assert penalty([np.zeros((0, 4))], lam=1.0) == 0.0
        assert penalty([W], lam=0.0) == 0.0
        assert penalty([W], lam=0) == 0.0  # an integer strength is a real number


def test_penalties_accept_read_only_views_and_leave_them_alone():
    """The demo network passes read-only views of its parameter vector."""
    theta = np.arange(12.0) - 5.0
    W1, W2 = theta[:6].reshape(2, 3), theta[6:].reshape(3, 2)
    W1.flags.writeable = W2.flags.writeable = False
    weights = [W1, W2]
    assert l2_penalty(weights, lam=1.0) == pytest.approx(exact_l2(weights, 1.0), rel=1e-15)
    assert l1_penalty(weights, lam=1.0) == pytest.approx(exact_l1(weights, 1.0), rel=1e-15)
    for grad in (l2_penalty_grad, l1_penalty_grad):
        g = grad(W1, lam=1.0)
        assert g.flags.writeable and not np.shares_memory(g, theta)
    np.testing.assert_array_equal(theta, np.arange(12.0) - 5.0)
    assert weights[0] is W1 and weights[1] is W2 and len(weights) == 2


# --------------------------------------------------------------------------
# penalties: extreme but valid inputs (pytest turns any warning into a failure)
# --------------------------------------------------------------------------

def test_penalties_large_magnitudes_1e4():
    W = np.array([[1e4, -1e4, 3e3], [-2e4, 0.0, 5e3]])
    assert l2_penalty([W], lam=1e-3) == pytest.approx(exact_l2([W], 1e-3), rel=1e-14)
    assert l1_penalty([W], lam=1e-3) == pytest.approx(exact_l1([W], 1e-3), rel=1e-14)


def test_penalties_whose_squares_overflow_but_whose_value_does_not():
    # 1e155 ** 2 = 1e310 overflows float64, but 1e-10 / 2 * 2e310 = 1e300 does not
    W = np.array([[1e155, -1e155]])
    assert l2_penalty([W], lam=1e-10) == pytest.approx(1e300, rel=1e-14)
    # the sum of |entries| overflows (2e308) but lam = 0.25 brings it back to 5e307
    W = np.array([[1e308, -1e308]])
    assert l1_penalty([W], lam=0.25) == pytest.approx(exact_l1([W], 0.25), rel=1e-14)


def test_penalties_overflow_to_inf_without_warning():
    W = np.array([[1e200, -1e300]])
    assert l2_penalty([W], lam=1.0) == math.inf
    assert l1_penalty([np.full(3, 1e308)], lam=1.0) == math.inf
    assert l2_penalty([W], lam=0.0) == 0.0  # a zero strength is no penalty


def test_penalties_tiny_and_subnormal_weights():
    assert l1_penalty([np.array([5e-324])], lam=1.0) == 5e-324
    assert l1_penalty([np.array([[1e-200, -1e-200]])], lam=1.0) == pytest.approx(2e-200, rel=1e-15)
    assert l2_penalty([np.array([1e-150, 1e-150])], lam=2.0) == pytest.approx(2e-300, rel=1e-14)
    assert l2_penalty([np.array([1e-200])], lam=1.0) == 0.0  # 5e-401 underflows, silently


def test_penalties_non_finite_weights_propagate():
    assert l2_penalty([np.array([1.0, np.inf])], lam=0.5) == math.inf
    assert l1_penalty([np.array([-np.inf])], lam=0.5) == math.inf
    assert math.isnan(l2_penalty([np.array([1.0, np.nan])], lam=0.5))
    assert math.isnan(l1_penalty([np.array([np.nan]), np.array([1.0])], lam=0.5))


# --------------------------------------------------------------------------
# l2_penalty_grad and l1_penalty_grad: finite differences
# --------------------------------------------------------------------------

@SETTINGS
@given(W=matrices, lam=lams)
def test_l2_grad_matches_finite_differences(W, lam):
    W0 = W.copy()
    grad = l2_penalty_grad(W, lam=lam)
    numeric = oracles.numerical_grad(lambda M: l2_penalty([M], lam=lam), W, h=1e-4)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(W, W0)
    assert grad.shape == W.shape and not np.shares_memory(grad, W)


@SETTINGS
@given(W=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5),
                    elements=st.floats(0.01, 10.0) | st.floats(-10.0, -0.01)),
       lam=lams)
def test_l1_grad_matches_finite_differences_away_from_zero(W, lam):
    W0 = W.copy()
    grad = l1_penalty_grad(W, lam=lam)
    numeric = oracles.numerical_grad(lambda M: l1_penalty([M], lam=lam), W, h=1e-6)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(W, W0)
    assert grad.shape == W.shape and not np.shares_memory(grad, W)


def test_grad_of_the_list_penalty_with_respect_to_each_matrix():
    """The gradient of the penalty of a network with respect to W_l is the gradient for W_l alone."""
    rng = np.random.default_rng(7)
    weights = [rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=(5, 2))]
    lam = 0.3
    for value, grad in ((l2_penalty, l2_penalty_grad), (l1_penalty, l1_penalty_grad)):
        for layer, W in enumerate(weights):
            def f(M, layer=layer):
                return value(weights[:layer] + [M] + weights[layer + 1:], lam=lam)
            np.testing.assert_allclose(grad(W, lam=lam), oracles.numerical_grad(f, W), rtol=1e-6, atol=1e-7)


def test_grad_worked_numbers_and_sign():
    """The gradient points away from 0 (a descent step shrinks the weights); 0 for L1 at 0."""
    W = np.array([[1.0, -2.0], [0.0, 4.0]])
    np.testing.assert_array_equal(l2_penalty_grad(W, lam=0.5), [[0.5, -1.0], [0.0, 2.0]])
    np.testing.assert_array_equal(l1_penalty_grad(W, lam=0.5), [[0.5, -0.5], [0.0, 0.5]])
    np.testing.assert_array_equal(l1_penalty_grad(np.array([0.0, -0.0, 1e-300, -5e-324]), lam=2.0),
                                  [0.0, 0.0, 2.0, -2.0])
    for grad in (l2_penalty_grad, l1_penalty_grad):
        step = W - 0.1 * grad(W, lam=1.0)
        assert np.all(np.abs(step) <= np.abs(W))


def test_grads_any_shape_and_lists():
    np.testing.assert_array_equal(l2_penalty_grad(3.0, lam=2.0), 6.0)
    np.testing.assert_array_equal(l1_penalty_grad([[[-3.0]]], lam=2.0), [[[-2.0]]])
    assert l2_penalty_grad(np.zeros((0, 3)), lam=1.0).shape == (0, 3)


def test_grads_extreme_inputs_without_warnings():
    W = np.array([[1e308, -1e4, np.inf, -np.inf, 0.0]])
    np.testing.assert_array_equal(l2_penalty_grad(W, lam=0.0), np.zeros_like(W))  # no 0 * inf = nan
    np.testing.assert_array_equal(l2_penalty_grad(W, lam=10.0), [[np.inf, -1e5, np.inf, -np.inf, 0.0]])
    np.testing.assert_array_equal(l1_penalty_grad(W, lam=0.0), np.zeros_like(W))
    np.testing.assert_array_equal(l1_penalty_grad(W, lam=3.0), [[3.0, -3.0, 3.0, -3.0, 0.0]])


# --------------------------------------------------------------------------
# penalties: input validation
# --------------------------------------------------------------------------

@pytest.mark.parametrize("penalty", [l2_penalty, l1_penalty])
def test_penalty_weights_must_be_a_list(penalty):
    with pytest.raises(TypeError, match=r"weights must be a list of weight matrices, got ndarray.*\[W\]"):
        penalty(np.ones((2, 2)), lam=0.1)
    with pytest.raises(TypeError, match="weights must be a list of weight matrices, got float"):
        penalty(1.0, lam=0.1)
    with pytest.raises(TypeError, match=r"weights\[1\] must be a real numeric array, got str"):
        penalty([np.ones(2), "abc"], lam=0.1)
    with pytest.raises(TypeError, match=r"weights\[0\] must be a real numeric array, got None"):
        penalty([None], lam=0.1)


@pytest.mark.parametrize("func, first", [
    (l2_penalty, [np.ones(2)]), (l1_penalty, [np.ones(2)]),
    (l2_penalty_grad, np.ones(2)), (l1_penalty_grad, np.ones(2)),
])
def test_lam_validation(func, first):
    with pytest.raises(ValueError, match="lam must be >= 0.0, got -0.1"):
        func(first, lam=-0.1)
    with pytest.raises(ValueError, match="lam must be finite, got nan"):
        func(first, lam=float("nan"))
    with pytest.raises(ValueError, match="lam must be finite, got inf"):
        func(first, lam=math.inf)
    with pytest.raises(TypeError, match="lam must be a real number, got str"):
        func(first, lam="0.1")
    with pytest.raises(TypeError, match="lam must be a real number, got bool"):
        func(first, lam=True)
    with pytest.raises(TypeError):
        func(first, 0.1)  # lam is keyword-only


@pytest.mark.parametrize("grad", [l2_penalty_grad, l1_penalty_grad])
def test_grad_W_validation(grad):
    with pytest.raises(TypeError, match="W must be a real numeric array, got str"):
        grad("abc", lam=0.1)
    with pytest.raises(TypeError, match="W must be a real numeric array, got None"):
        grad(None, lam=0.1)


# --------------------------------------------------------------------------
# early_stopping: hand-worked cases
# --------------------------------------------------------------------------

# (val_losses, patience, min_delta, (stop_epoch, best_epoch)); the reasoning for each is in the comments.
# "s" is the last improving epoch; epoch 0 always improves (the best so far starts at +inf).
# Numbers are dyadic (exact in binary) so that every way of writing "below by more than min_delta" agrees.
WORKED = [
    # a single epoch: nothing to wait for
    ([1.0], 1, 0.0, (0, 0)),
    # strictly decreasing: every epoch improves, never stops early; best is the last
    ([3.0, 2.0, 1.0, 0.0], 1, 0.0, (3, 3)),
    # flat: an equal loss is not an improvement; e1 waits 1, e2 waits 2 = patience -> stop 2; tie -> earliest
    ([1.0, 1.0, 1.0, 1.0], 2, 0.0, (2, 0)),
    # rising at once, patience 1: e1 is 1 epoch after s=0 -> stop 1
    ([1.0, 2.0, 3.0, 4.0, 5.0], 1, 0.0, (1, 0)),
    # patience longer than the run: stop at the last epoch
    ([1.0, 2.0, 3.0, 4.0, 5.0], 10, 0.0, (4, 0)),
    # e1 s=1; e2 equal (wait 1); e3 s=3; e4 wait 1; e5 wait 2 -> stop 5; lowest 3.0 first at 3
    ([5.0, 4.0, 4.0, 3.0, 3.0, 3.0, 2.0], 2, 0.0, (5, 3)),
    # off-by-one check: e1 s=1; e2, e3 no -> stop 3 (not 2, not 4); the 2.0 at epoch 4 is never seen
    ([4.0, 3.0, 5.0, 5.0, 2.0], 2, 0.0, (3, 1)),
    # same curve, patience 3: e4 improves before the wait reaches 3 -> runs to the end; best 4
    ([4.0, 3.0, 5.0, 5.0, 2.0], 3, 0.0, (4, 4)),
    # an improvement on the epoch the wait would reach patience resets it: e3 improves -> no stop
    ([3.0, 2.0, 2.5, 1.0], 2, 0.0, (3, 3)),
    # ties at the minimum: e1 s=1 (loss 1); e2, e3 (equal 1) and e4 no -> stop 4; earliest 1.0 is epoch 1
    ([2.0, 1.0, 3.0, 1.0, 4.0], 3, 0.0, (4, 1)),
    # negative losses are fine: e1 s=1; e2 no; e3 improves -> end; best 3
    ([-1.0, -2.0, -1.5, -3.0], 2, 0.0, (3, 3)),
    # min_delta: e1 beats 1.0 by exactly 0.25 (not *more*) -> no; e2 beats by 0.5 -> s=2, best 0.5;
    # e3 by 0.125 -> no; e4 by exactly 0.25 -> no, 2 epochs after s -> stop 4; lowest loss is e4's 0.25
    ([1.0, 0.75, 0.5, 0.375, 0.25], 2, 0.25, (4, 4)),
    # min_delta, patience 1: e1 beats by exactly 0.25 -> no, 1 after s=0 -> stop 1; e1 is still the lowest
    ([1.0, 0.75, 0.5], 1, 0.25, (1, 1)),
    # a huge min_delta: only epoch 0 ever improves -> stop at patience; best is the lowest seen up to it
    ([5.0, 4.0, 3.0, 2.0, 1.0], 2, 10.0, (2, 2)),
    # epoch 0 counts as an improvement whatever min_delta is
    ([0.0], 3, 100.0, (0, 0)),
    # the docstring's examples: e1 s=1, e2 and e3 no -> stop 3, best 1 ...
    ([1.0, 0.8, 0.9, 0.85, 0.7, 0.75], 2, 0.0, (3, 1)),
    # ... with patience 3, e4 improves (s=4), e5 waits 1 -> end; best 4
    ([1.0, 0.8, 0.9, 0.85, 0.7, 0.75], 3, 0.0, (5, 4)),
    # best so far 1.0 until e1 = 0.5 (by 0.5 > 0.25, s=1); e2..e3 by 0.125, 0.25 -> no, stop 3; lowest e3
    ([1.0, 0.5, 0.375, 0.25, 0.0], 2, 0.25, (3, 3)),
]


@pytest.mark.parametrize("losses, patience, min_delta, expected", WORKED)
def test_early_stopping_worked_cases(losses, patience, min_delta, expected):
    copy = list(losses)
    assert early_stopping(losses, patience=patience, min_delta=min_delta) == expected
    assert early_stopping(np.array(losses), patience=patience, min_delta=min_delta) == expected
    assert losses == copy
    assert stopping_oracle(losses, patience, min_delta) == expected  # the oracle agrees with the table


def test_early_stopping_default_min_delta_is_zero():
    assert early_stopping([2.0, 1.0, 1.0, 0.5], patience=2) == (3, 3)
    assert early_stopping([2.0, 1.0, 1.0, 1.0], patience=2) == (3, 1)


def test_early_stopping_extreme_values_without_warnings():
    # best - loss overflows float64 (2e308): still an improvement, and no warning
    assert early_stopping([1e308, -1e308, 0.0], patience=1) == (2, 1)
    assert early_stopping([1e4, -1e4, 1e-300, 5e-324], patience=2) == (3, 1)
    # improvements of 5e-324 (the smallest float) count when min_delta = 0
    assert early_stopping([1e-323, 5e-324, 0.0], patience=1) == (2, 2)


# --------------------------------------------------------------------------
# early_stopping: comparison with the loop oracle, and properties
# --------------------------------------------------------------------------

# quarter-integers: exact in binary, with many ties
dyadic_curves = st.lists(st.integers(-8, 8), min_size=1, max_size=30).map(lambda xs: [x / 4 for x in xs])
float_curves = st.lists(st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False), min_size=1, max_size=30)
patiences = st.integers(1, 6)


@settings(max_examples=50, deadline=None)
@given(losses=dyadic_curves, patience=patiences, min_delta=st.sampled_from([0.0, 0.25, 0.5, 1.0, 0.125]))
def test_early_stopping_matches_loop_oracle(losses, patience, min_delta):
    assert early_stopping(losses, patience=patience, min_delta=min_delta) == stopping_oracle(
        losses, patience, min_delta)


@settings(max_examples=50, deadline=None)
@given(losses=float_curves, patience=patiences)
def test_early_stopping_matches_loop_oracle_on_any_floats(losses, patience):
    assert early_stopping(losses, patience=patience) == stopping_oracle(losses, patience, 0.0)


@SETTINGS
@given(losses=dyadic_curves, patience=patiences, min_delta=st.sampled_from([0.0, 0.25, 1.0]),
       tail=st.lists(st.integers(-100, 100), max_size=5))
def test_early_stopping_properties(losses, patience, min_delta, tail):
    arr = np.array(losses)
    arr0 = arr.copy()
    stop, best = early_stopping(arr, patience=patience, min_delta=min_delta)
    np.testing.assert_array_equal(arr, arr0)
    n = len(losses)
    assert 0 <= best <= stop <= n - 1
    # the best epoch holds the lowest loss up to the stop, and no earlier epoch ties it
    assert all(losses[best] <= x for x in losses[: stop + 1])
    assert all(losses[t] > losses[best] for t in range(best))
    # the stop needs at least `patience` epochs of run, unless the run ends first
    assert stop >= min(patience, n - 1)
    # epochs after the stop are never looked at: changing or appending them changes nothing
    if stop < n - 1:
        changed = losses[: stop + 1] + [x / 4 for x in tail] + [0.0]
        assert early_stopping(changed, patience=patience, min_delta=min_delta) == (stop, best)
    # a patience at least as long as the run never stops early
    assert early_stopping(arr, patience=n, min_delta=min_delta)[0] == n - 1
    # with more patience, training never stops earlier
    assert early_stopping(arr, patience=patience + 1, min_delta=min_delta)[0] >= stop


@SETTINGS
@given(n=st.integers(1, 20), patience=patiences)
def test_early_stopping_monotone_curves(n, patience):
    down = [float(n - t) for t in range(n)]
    up = [float(t) for t in range(n)]
    assert early_stopping(down, patience=patience) == (n - 1, n - 1)
    assert early_stopping(up, patience=patience) == (min(patience, n - 1), 0)


# --------------------------------------------------------------------------
# early_stopping: input validation
# --------------------------------------------------------------------------

def test_early_stopping_validation():
    with pytest.raises(ValueError, match="val_losses must hold at least one epoch's loss"):
        early_stopping([], patience=1)
    with pytest.raises(ValueError, match=r"val_losses must be a 1-D array, got shape \(2, 2\)"):
        early_stopping(np.ones((2, 2)), patience=1)
    with pytest.raises(ValueError, match=r"val_losses must be a 1-D array, got shape \(\)"):
        early_stopping(1.0, patience=1)
    with pytest.raises(ValueError, match="val_losses must be finite, got nan at epoch 2"):
        early_stopping([1.0, 0.5, float("nan")], patience=1)
    with pytest.raises(ValueError, match="val_losses must be finite, got inf at epoch 0"):
        early_stopping([math.inf, 0.5], patience=1)
    with pytest.raises(TypeError, match="val_losses must be a real numeric array, got str"):
        early_stopping("abc", patience=1)
    with pytest.raises(ValueError, match="patience must be >= 1, got 0"):
        early_stopping([1.0, 0.5], patience=0)
    with pytest.raises(ValueError, match="patience must be >= 1, got -2"):
        early_stopping([1.0, 0.5], patience=-2)
    with pytest.raises(TypeError, match="patience must be an integer, got float"):
        early_stopping([1.0, 0.5], patience=1.5)
    with pytest.raises(TypeError, match="patience must be an integer, got bool"):
        early_stopping([1.0, 0.5], patience=True)
    with pytest.raises(ValueError, match="min_delta must be >= 0.0, got -0.1"):
        early_stopping([1.0, 0.5], patience=1, min_delta=-0.1)
    with pytest.raises(ValueError, match="min_delta must be finite, got nan"):
        early_stopping([1.0, 0.5], patience=1, min_delta=float("nan"))
    with pytest.raises(TypeError, match="min_delta must be a real number, got NoneType"):
        early_stopping([1.0, 0.5], patience=1, min_delta=None)
    with pytest.raises(TypeError):
        early_stopping([1.0, 0.5], 1)  # patience is keyword-only
    assert early_stopping([1.0, 0.5], patience=np.int64(1), min_delta=np.float64(0.0)) == (1, 1)


# --------------------------------------------------------------------------
# bootstrap_indices
# --------------------------------------------------------------------------

@SETTINGS
@given(n=st.integers(1, 300), seed=seeds)
def test_bootstrap_shape_dtype_range_and_determinism(n, seed):
    idx = bootstrap_indices(n, rng=np.random.default_rng(seed))
    assert isinstance(idx, np.ndarray) and idx.shape == (n,)
    assert np.issubdtype(idx.dtype, np.integer)
    assert idx.min() >= 0 and idx.max() < n
    np.testing.assert_array_equal(idx, bootstrap_indices(n, rng=np.random.default_rng(seed)))


def test_bootstrap_n_one():
    np.testing.assert_array_equal(bootstrap_indices(1, rng=np.random.default_rng(0)), [0])


def test_bootstrap_uses_only_the_given_generator(global_state_unchanged):
    rng = np.random.default_rng(3)
    first = bootstrap_indices(100, rng=rng)
    second = bootstrap_indices(100, rng=rng)
    assert not np.array_equal(first, second)  # the generator advances: a new sample each call
    assert not np.array_equal(first, bootstrap_indices(100, rng=np.random.default_rng(4)))


def test_bootstrap_samples_with_replacement():
    # without replacement there would be no repeats; with it, P(no repeat among 1000) = 1000! / 1000**1000
    idx = bootstrap_indices(1000, rng=np.random.default_rng(5))
    assert np.unique(idx).size < 1000


def test_bootstrap_fraction_of_distinct_indices():
    """E[distinct / n] = 1 - (1 - 1/n)**n (about 63.2%), within 5 standard errors over many draws."""
    n, draws = 50, 2000
    rng = np.random.default_rng(11)
    fractions = np.array([np.unique(bootstrap_indices(n, rng=rng)).size / n for _ in range(draws)])
    # Z = number of indices left out = sum of n indicators with P = q1, pairwise joint P = q2
    q1, q2 = (1 - 1 / n) ** n, (1 - 2 / n) ** n
    var_z = n * q1 * (1 - q1) + n * (n - 1) * (q2 - q1 ** 2)
    mean, se = 1 - q1, math.sqrt(var_z / n ** 2 / draws)
    assert abs(fractions.mean() - mean) <= N_SE * se
    # the exact variance of the fraction lies within 5 standard errors of the sample variance, whose
    # standard error comes from the sample's own fourth central moment
    s2 = fractions.var(ddof=1)
    m4 = float(np.mean((fractions - fractions.mean()) ** 4))
    se_var = math.sqrt((m4 - s2 ** 2 * (draws - 3) / (draws - 1)) / draws)
    assert abs(s2 - var_z / n ** 2) <= N_SE * se_var
    assert abs(mean - (1 - math.exp(-1))) < 0.005  # the lesson's 63.2%


def test_bootstrap_totals_are_uniform():
    """Pooled over many samples, every index is drawn equally often (chi-square, uniform)."""
    n, draws = 25, 2000
    rng = np.random.default_rng(12)
    counts = np.zeros(n)
    for _ in range(draws):
        counts += np.bincount(bootstrap_indices(n, rng=rng), minlength=n)
    assert counts.sum() == n * draws
    assert chi2_pvalue(counts, np.full(n, 1 / n)) > P_MIN


def test_bootstrap_multiplicity_is_binomial():
    """The number of copies of one index in a sample is Binomial(n, 1/n) (chi-square, exact pmf)."""
    n, draws = 30, 3000
    rng = np.random.default_rng(13)
    copies = np.array([np.count_nonzero(bootstrap_indices(n, rng=rng) == 0) for _ in range(draws)])
    pmf = [math.comb(n, k) * (1 / n) ** k * (1 - 1 / n) ** (n - k) for k in range(4)]
    probs = pmf + [1 - sum(pmf)]  # 0, 1, 2, 3 and "4 or more" copies
    observed = [np.count_nonzero(copies == k) for k in range(4)] + [np.count_nonzero(copies >= 4)]
    assert chi2_pvalue(observed, probs) > P_MIN


def test_bootstrap_validation():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        bootstrap_indices(0, rng=rng)
    with pytest.raises(ValueError, match="n must be >= 1, got -3"):
        bootstrap_indices(-3, rng=rng)
    with pytest.raises(TypeError, match="n must be an integer, got float"):
        bootstrap_indices(5.0, rng=rng)
    with pytest.raises(TypeError, match="n must be an integer, got bool"):
        bootstrap_indices(True, rng=rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator.*got NoneType"):
        bootstrap_indices(5, rng=None)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator.*got RandomState"):
        bootstrap_indices(5, rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator.*got int"):
        bootstrap_indices(5, rng=0)
    with pytest.raises(TypeError):
        bootstrap_indices(5)  # rng is required
    assert bootstrap_indices(np.int64(4), rng=rng).shape == (4,)


# --------------------------------------------------------------------------
# bagging_predict
# --------------------------------------------------------------------------

def loop_average(member_probs):
    """The ensemble average written as an explicit loop over the models."""
    total = np.zeros(np.shape(member_probs)[1:])
    for member in member_probs:
        total = total + member
    return total / len(member_probs)


def test_bagging_worked_numbers():
    member_probs = np.array([[[0.9, 0.1], [0.4, 0.6]],
                             [[0.7, 0.3], [0.8, 0.2]]])
    np.testing.assert_allclose(bagging_predict(member_probs), [[0.8, 0.2], [0.6, 0.4]], rtol=1e-15)


def test_bagging_averages_over_models_not_samples_or_classes():
    """A non-square stack (3 models, 5 samples, 4 classes): only the first axis is averaged."""
    rng = np.random.default_rng(21)
    member_probs = rng.dirichlet(np.ones(4), size=(3, 5))
    out = bagging_predict(member_probs)
    assert out.shape == (5, 4)
    np.testing.assert_allclose(out, loop_average(member_probs), rtol=1e-14)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-14)


def test_bagging_ensemble_can_beat_its_members():
    """Three members, each wrong on a different sample, vote every sample right."""
    right, wrong = [0.8, 0.2], [0.3, 0.7]  # the true class is 0 everywhere
    member_probs = np.array([[wrong, right, right], [right, wrong, right], [right, right, wrong]])
    assert np.all(np.argmax(bagging_predict(member_probs), axis=1) == 0)


prob_stacks = st.tuples(st.integers(1, 5), st.integers(0, 6), st.integers(1, 5), seeds).map(
    lambda a: np.random.default_rng(a[3]).dirichlet(np.ones(a[2]), size=(a[0], a[1])))


@SETTINGS
@given(member_probs=prob_stacks, seed=seeds)
def test_bagging_properties(member_probs, seed):
    copy = member_probs.copy()
    out = bagging_predict(member_probs)
    np.testing.assert_array_equal(member_probs, copy)
    assert out.shape == member_probs.shape[1:] and out.dtype == np.float64
    assert not np.shares_memory(out, member_probs)
    np.testing.assert_allclose(out, loop_average(member_probs), rtol=1e-13, atol=1e-16)
    # between the smallest and largest member, rows still sum to one
    assert np.all(out >= member_probs.min(axis=0) - 1e-15) and np.all(out <= member_probs.max(axis=0) + 1e-15)
    if out.size:
        np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-13)
    # the order of the models does not matter
    order = np.random.default_rng(seed).permutation(member_probs.shape[0])
    np.testing.assert_allclose(bagging_predict(member_probs[order]), out, rtol=1e-13, atol=1e-16)


def test_bagging_one_model_is_a_copy_of_it():
    member = np.array([[[0.25, 0.75], [1.0, 0.0]]])
    out = bagging_predict(member)
    np.testing.assert_array_equal(out, member[0])
    assert not np.shares_memory(out, member)


def test_bagging_extreme_probabilities_and_lists():
    out = bagging_predict([[[0.0, 1.0]], [[1.0, 0.0]], [[5e-324, 1.0]]])
    np.testing.assert_allclose(out, [[1 / 3, 2 / 3]], rtol=1e-15)
    assert bagging_predict(np.zeros((2, 0, 3))).shape == (0, 3)


def test_bagging_validation():
    with pytest.raises(ValueError, match=r"member_probs must be a 3-D array, got shape \(2, 3\)"):
        bagging_predict(np.full((2, 3), 0.5))
    with pytest.raises(ValueError, match="member_probs must hold at least one model"):
        bagging_predict(np.zeros((0, 2, 3)))
    with pytest.raises(ValueError, match="member_probs must hold probabilities in \\[0, 1\\], got 1.5"):
        bagging_predict(np.full((2, 2, 2), 1.5))
    with pytest.raises(ValueError, match="member_probs must hold probabilities in \\[0, 1\\], got -0.1"):
        bagging_predict(np.array([[[0.5, -0.1]]]))
    with pytest.raises(ValueError, match="member_probs must hold probabilities in \\[0, 1\\], got nan"):
        bagging_predict(np.array([[[0.5, np.nan]]]))
    with pytest.raises(TypeError, match="member_probs must be a real numeric array, got str"):
        bagging_predict("abc")
