"""Tests of solutions/batching.py (lesson 03-mini-batch) against independent oracles.

Oracles: worked numbers computed by hand, the closed form of gradient descent
on a least-squares problem, ``np.linalg.lstsq``, central finite differences,
PyTorch autograd and ``torch.optim.SGD``, and chi-square tests (exact tail
probabilities from ``math``) for the shuffles.
"""

import math
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions.batching import (
    linear_mse,
    linear_mse_grad,
    minibatches,
    sgd_step,
    shuffle_data,
    train_minibatch_sgd,
)
from tests import oracles

pytestmark = pytest.mark.lesson03

SETTINGS = settings(max_examples=40, deadline=None)
P_MIN = 1e-7  # smallest p-value accepted by a distribution test (a correct shuffle fails with this probability)


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


def uniform_chi2_pvalue(counts) -> float:
    """p-value of Pearson's chi-square test that ``counts`` come from a uniform distribution."""
    counts = np.asarray(counts, dtype=float)
    expected = counts.sum() / counts.size
    stat = float(np.sum((counts - expected) ** 2) / expected)
    return chi2_sf(stat, counts.size - 1)


def regression_problem(n=12, d=3, noise=0.3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w_true = rng.normal(size=d)
    y = X @ w_true + 0.7 + noise * rng.normal(size=n)
    return X, y


def lstsq_solution(X, y):
    A = np.column_stack([X, np.ones(len(X))])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta[:-1], theta[-1]


def mse_oracle(w, b, X, y):
    return float(np.mean((X @ w + b - y) ** 2))


def torch_sgd_trajectory(X, y, lr, steps):
    """w, b and the full-data MSE after each step of torch.optim.SGD on the full batch."""
    torch = oracles.torch()
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    w = torch.zeros(X.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    ws, bs, losses = [], [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((Xt @ w + b - yt) ** 2).mean()
        loss.backward()
        opt.step()
        with torch.no_grad():
            ws.append(w.detach().numpy().copy())
            bs.append(b.item())
            losses.append(((Xt @ w + b - yt) ** 2).mean().item())
    return np.array(ws), np.array(bs), np.array(losses)


def labelled_rows(n, d=2):
    """X whose row i encodes i, so a shuffled row says where it came from."""
    X = np.arange(n * d, dtype=float).reshape(n, d)
    y = np.arange(n)
    return X, y


@pytest.fixture
def global_state_unchanged():
    before = np.random.get_state()
    yield
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


# --------------------------------------------------------------------------
# shuffle_data
# --------------------------------------------------------------------------

@SETTINGS
@given(n=st.integers(0, 30), d=st.integers(1, 4), seed=st.integers(0, 2**32 - 1),
       y_float=st.booleans())
def test_shuffle_data_is_a_paired_permutation(n, d, seed, y_float):
    X, y = labelled_rows(n, d)
    if y_float:
        y = y * 0.5
    Xs, ys = shuffle_data(X, y, rng=np.random.default_rng(seed))
    assert Xs.shape == X.shape and ys.shape == y.shape
    assert Xs.dtype == np.float64 and ys.dtype == y.dtype
    idx = (Xs[:, 0] / d).astype(int)  # where each shuffled row came from
    assert sorted(idx.tolist()) == list(range(n))  # a permutation: no repeats, none lost
    np.testing.assert_array_equal(Xs, X[idx])
    np.testing.assert_array_equal(ys, y[idx])  # y moved with its row


def test_shuffle_data_first_position_uniform_over_seeds():
    """Chi-square on the original index of every position over 5000 seeds (n = 5)."""
    n, draws = 5, 5000
    X, y = labelled_rows(n)
    counts = np.zeros((n, n))  # counts[position, original index]
    for seed in range(draws):
        _, ys = shuffle_data(X, y, rng=np.random.default_rng(seed))
        counts[np.arange(n), ys] += 1
    for position in range(n):
        assert uniform_chi2_pvalue(counts[position]) > P_MIN, counts


def test_shuffle_data_all_permutations_equally_likely():
    """All 24 orders of 4 samples, 6000 calls on one generator: chi-square with 23 df."""
    n, draws = 4, 6000
    X, y = labelled_rows(n)
    rng = np.random.default_rng(2024)
    counts = {}
    for _ in range(draws):
        _, ys = shuffle_data(X, y, rng=rng)
        counts[tuple(ys.tolist())] = counts.get(tuple(ys.tolist()), 0) + 1
    assert len(counts) == math.factorial(n)
    assert uniform_chi2_pvalue(list(counts.values())) > P_MIN


def test_shuffle_data_pairs_preserved_with_2d_targets():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 3))
    Y = np.column_stack([X.sum(axis=1), X[:, 0] * 2])  # targets that are functions of the row
    Xs, Ys = shuffle_data(X, Y, rng=rng)
    np.testing.assert_array_equal(Ys, np.column_stack([Xs.sum(axis=1), Xs[:, 0] * 2]))


def test_shuffle_data_pure_and_no_aliasing():
    X, y = labelled_rows(10)
    X_copy, y_copy = X.copy(), y.copy()
    Xs, ys = shuffle_data(X, y, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    assert not np.shares_memory(Xs, X) and not np.shares_memory(ys, y)


def test_shuffle_data_deterministic_given_seed_and_varies(global_state_unchanged):
    X, y = labelled_rows(30)
    a = shuffle_data(X, y, rng=np.random.default_rng(7))
    b = shuffle_data(X, y, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    rng = np.random.default_rng(7)
    first, second = shuffle_data(X, y, rng=rng)[1], shuffle_data(X, y, rng=rng)[1]
    assert not np.array_equal(first, second)  # equal with probability 1 / 30!


def test_shuffle_data_extreme_values_no_warnings():
    X = np.array([[1e300, -1e300], [np.finfo(float).tiny, 0.0], [-0.0, 1e-300]])
    Xs, _ = shuffle_data(X, np.arange(3), rng=np.random.default_rng(0))
    assert sorted(map(tuple, Xs.tolist())) == sorted(map(tuple, X.tolist()))


@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0), "seed"])
def test_shuffle_data_rejects_non_generator(rng):
    with pytest.raises(TypeError, match="rng"):
        shuffle_data(np.zeros((3, 2)), np.zeros(3), rng=rng)


def test_shuffle_data_rejects_bad_data():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="X and y"):
        shuffle_data(np.zeros((3, 2)), np.zeros(4), rng=rng)
    with pytest.raises(ValueError, match="X"):
        shuffle_data(np.float64(1.0), np.zeros(1), rng=rng)
    with pytest.raises(ValueError, match="y"):
        shuffle_data(np.zeros((1, 2)), 3.0, rng=rng)
    with pytest.raises(TypeError, match="y"):
        shuffle_data(np.zeros((2, 2)), np.array(["a", "b"]), rng=rng)
    with pytest.raises(TypeError, match="X"):
        shuffle_data([["a", "b"]], np.zeros(1), rng=rng)


def test_shuffle_data_rng_is_keyword_only():
    with pytest.raises(TypeError):
        shuffle_data(np.zeros((3, 2)), np.zeros(3), np.random.default_rng(0))


# --------------------------------------------------------------------------
# minibatches
# --------------------------------------------------------------------------

@SETTINGS
@given(n=st.integers(0, 40), batch_size=st.integers(1, 50),
       seed=st.one_of(st.none(), st.integers(0, 2**32 - 1)))
def test_minibatches_partition_the_data(n, batch_size, seed):
    X, y = labelled_rows(n)
    rng = None if seed is None else np.random.default_rng(seed)
    batches = list(minibatches(X, y, batch_size, rng=rng))
    expected_sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    assert [len(yb) for _, yb in batches] == expected_sizes  # the last partial batch is kept
    assert all(len(Xb) == len(yb) for Xb, yb in batches)
    ys = np.concatenate([yb for _, yb in batches]) if batches else np.zeros(0, dtype=int)
    assert sorted(ys.tolist()) == list(range(n))  # every sample exactly once: no replacement
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb, X[yb])  # pairs kept
        assert Xb.dtype == np.float64 and yb.dtype == y.dtype
    if rng is None:
        np.testing.assert_array_equal(ys, np.arange(n))  # original order


def test_minibatches_without_rng_are_consecutive_slices():
    X = np.arange(21.0).reshape(7, 3)
    y = np.array([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5])
    batches = list(minibatches(X, y, 3))
    expected = [(X[0:3], y[0:3]), (X[3:6], y[3:6]), (X[6:7], y[6:7])]
    assert len(batches) == 3
    for (Xb, yb), (Xe, ye) in zip(batches, expected):
        np.testing.assert_array_equal(Xb, Xe)
        np.testing.assert_array_equal(yb, ye)


@pytest.mark.parametrize("batch_size", [7, 8, 100])
def test_minibatches_large_batch_size_gives_one_batch(batch_size):
    X, y = labelled_rows(7)
    batches = list(minibatches(X, y, batch_size))
    assert len(batches) == 1
    np.testing.assert_array_equal(batches[0][0], X)
    np.testing.assert_array_equal(batches[0][1], y)


def test_minibatches_is_an_iterator():
    result = minibatches(np.zeros((4, 1)), np.zeros(4), 2)
    assert isinstance(result, Iterator)
    assert len(list(result)) == 2


@pytest.mark.parametrize("batch_size", [0, -1, -100])
def test_minibatches_rejects_small_batch_size_at_call_time(batch_size):
    """The error comes from the call itself, before any iteration."""
    with pytest.raises(ValueError, match="batch_size"):
        minibatches(np.zeros((4, 2)), np.zeros(4), batch_size)


@pytest.mark.parametrize("batch_size", [2.0, 2.5, "2", True, None])
def test_minibatches_rejects_non_integer_batch_size_at_call_time(batch_size):
    with pytest.raises(TypeError, match="batch_size"):
        minibatches(np.zeros((4, 2)), np.zeros(4), batch_size)


def test_minibatches_accepts_numpy_integer_batch_size():
    assert len(list(minibatches(np.zeros((5, 2)), np.zeros(5), np.int64(2)))) == 3


def test_minibatches_rejects_bad_rng_and_data_at_call_time():
    with pytest.raises(TypeError, match="rng"):
        minibatches(np.zeros((4, 2)), np.zeros(4), 2, rng=42)
    with pytest.raises(TypeError, match="rng"):
        minibatches(np.zeros((4, 2)), np.zeros(4), 2, rng=np.random.RandomState(0))
    with pytest.raises(ValueError, match="X and y"):
        minibatches(np.zeros((4, 2)), np.zeros(5), 2)


def test_minibatches_rng_is_keyword_only():
    with pytest.raises(TypeError):
        minibatches(np.zeros((4, 2)), np.zeros(4), 2, np.random.default_rng(0))


def test_minibatches_new_permutation_each_call():
    X, y = labelled_rows(20)
    rng = np.random.default_rng(3)
    orders = [np.concatenate([yb for _, yb in minibatches(X, y, 6, rng=rng)]) for _ in range(5)]
    for i in range(len(orders)):
        for j in range(i):
            assert not np.array_equal(orders[i], orders[j])  # equal with probability 1 / 20!


def test_minibatches_positions_uniform_over_calls():
    """One generator, 5000 calls (n = 5, batch size 2): each position holds each sample 1/5 of the time."""
    n, draws = 5, 5000
    X, y = labelled_rows(n)
    rng = np.random.default_rng(11)
    counts = np.zeros((n, n))
    for _ in range(draws):
        order = np.concatenate([yb for _, yb in minibatches(X, y, 2, rng=rng)])
        counts[np.arange(n), order] += 1
    for position in range(n):
        assert uniform_chi2_pvalue(counts[position]) > P_MIN, counts


def test_minibatches_deterministic_given_seed(global_state_unchanged):
    X, y = labelled_rows(17)
    a = [yb for _, yb in minibatches(X, y, 4, rng=np.random.default_rng(5))]
    b = [yb for _, yb in minibatches(X, y, 4, rng=np.random.default_rng(5))]
    assert len(a) == len(b) == 5
    for ya, yb in zip(a, b):
        np.testing.assert_array_equal(ya, yb)


@pytest.mark.parametrize("seed", [None, 0])
def test_minibatches_pure_and_no_aliasing(seed):
    X, y = labelled_rows(9)
    X_copy, y_copy = X.copy(), y.copy()
    rng = None if seed is None else np.random.default_rng(seed)
    gen = minibatches(X, y, 4, rng=rng)
    X[0, 0] = -1.0  # changing the data after the call does not change the batches
    X[0, 0] = X_copy[0, 0]
    batches = list(gen)
    for Xb, yb in batches:
        assert not np.shares_memory(Xb, X) and not np.shares_memory(yb, y)
        Xb[...] = 99.0  # writing into a batch never reaches the caller's data
        yb[...] = 99
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_minibatches_snapshot_at_call_time():
    X, y = labelled_rows(4)
    gen = minibatches(X, y, 2)
    X[:] = -5.0
    y[:] = -5
    first_X, first_y = next(gen)
    np.testing.assert_array_equal(first_y, [0, 1])
    np.testing.assert_array_equal(first_X, [[0.0, 1.0], [2.0, 3.0]])


# --------------------------------------------------------------------------
# linear_mse and linear_mse_grad
# --------------------------------------------------------------------------

def test_linear_mse_and_grad_worked_numbers():
    # w = 2, b = 1 on x = 0, 1 with y = 1, 4: predictions 1, 3, residuals 0, -1.
    assert linear_mse([2.0], 1.0, [[0.0], [1.0]], [1.0, 4.0]) == pytest.approx(0.5)
    grad_w, grad_b = linear_mse_grad([2.0], 1.0, [[0.0], [1.0]], [1.0, 4.0])
    # dL/dw = (2/2) * (0*0 + 1*(-1)) = -1, dL/db = (2/2) * (0 + (-1)) = -1
    np.testing.assert_allclose(grad_w, [-1.0])
    assert grad_b == pytest.approx(-1.0)
    assert isinstance(grad_b, float) and grad_w.shape == (1,)


@SETTINGS
@given(n=st.integers(1, 8), d=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_linear_mse_grad_matches_finite_differences(n, d, seed):
    rng = np.random.default_rng(seed)
    X, y, w = rng.normal(size=(n, d)), rng.normal(size=n), rng.normal(size=d)
    b = float(rng.normal())
    grad_w, grad_b = linear_mse_grad(w, b, X, y)
    num_w = oracles.numerical_grad(lambda w_: mse_oracle(w_, b, X, y), w)
    num_b = oracles.numerical_grad(lambda b_: mse_oracle(w, float(b_), X, y), np.array(b))
    np.testing.assert_allclose(grad_w, num_w, rtol=1e-6, atol=1e-7)
    assert grad_b == pytest.approx(float(num_b), rel=1e-6, abs=1e-7)
    assert linear_mse(w, b, X, y) == pytest.approx(mse_oracle(w, b, X, y), rel=1e-12)


def test_linear_mse_grad_matches_torch_autograd():
    torch = oracles.torch()
    rng = np.random.default_rng(4)
    X, y, w = rng.normal(size=(13, 4)), rng.normal(size=13), rng.normal(size=4)
    b = -0.3
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    ((torch.tensor(X) @ wt + bt - torch.tensor(y)) ** 2).mean().backward()
    grad_w, grad_b = linear_mse_grad(w, b, X, y)
    np.testing.assert_allclose(grad_w, wt.grad.numpy(), rtol=1e-12, atol=1e-14)
    assert grad_b == pytest.approx(bt.grad.item(), rel=1e-12, abs=1e-14)


def test_linear_mse_grad_is_averaged_not_summed():
    """Repeating every sample three times leaves the mean gradient unchanged."""
    X, y = regression_problem(n=6, d=2)
    w, b = np.array([0.3, -0.2]), 0.1
    g1 = linear_mse_grad(w, b, X, y)
    g3 = linear_mse_grad(w, b, np.tile(X, (3, 1)), np.tile(y, 3))
    np.testing.assert_allclose(g3[0], g1[0], rtol=1e-12)
    assert g3[1] == pytest.approx(g1[1], rel=1e-12)


def test_linear_mse_grad_zero_at_least_squares_solution():
    X, y = regression_problem(n=20, d=3)
    w, b = lstsq_solution(X, y)
    grad_w, grad_b = linear_mse_grad(w, b, X, y)
    np.testing.assert_allclose(grad_w, 0.0, atol=1e-12)
    assert abs(grad_b) < 1e-12


def test_linear_mse_grad_accepts_zero_dim_bias_and_large_values():
    X = np.full((3, 2), 1e4)
    y = np.array([-1e4, 0.0, 1e4])
    grad_w, grad_b = linear_mse_grad(np.array([1e4, -1e4]), np.float64(1e4), X, y)
    grad_w2, grad_b2 = linear_mse_grad([1e4, -1e4], np.array(1e4), X, y)
    assert np.all(np.isfinite(grad_w)) and math.isfinite(grad_b)
    np.testing.assert_array_equal(grad_w, grad_w2)
    assert grad_b == grad_b2
    # residuals are all 1e4 - y: (2e4, 1e4, 0); dL/db = (2/3) * 3e4
    assert grad_b == pytest.approx(2e4)
    np.testing.assert_allclose(grad_w, [2e8, 2e8])


def test_linear_mse_grad_pure():
    X, y = regression_problem(n=5, d=2)
    w = np.array([0.5, 0.5])
    copies = X.copy(), y.copy(), w.copy()
    grad_w, _ = linear_mse_grad(w, 0.0, X, y)
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(y, copies[1])
    np.testing.assert_array_equal(w, copies[2])
    assert not np.shares_memory(grad_w, w)


@pytest.mark.parametrize("func", [linear_mse, linear_mse_grad])
def test_linear_mse_rejects_bad_shapes(func):
    X, y, w = np.zeros((4, 2)), np.zeros(4), np.zeros(2)
    with pytest.raises(ValueError, match="X"):
        func(w, 0.0, np.zeros(4), y)
    with pytest.raises(ValueError, match="X"):
        func(w, 0.0, np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(ValueError, match="w"):
        func(np.zeros(3), 0.0, X, y)
    with pytest.raises(ValueError, match="w"):
        func(np.zeros((2, 1)), 0.0, X, y)
    with pytest.raises(ValueError, match="y"):
        func(w, 0.0, X, np.zeros(5))
    with pytest.raises(ValueError, match="y"):
        func(w, 0.0, X, np.zeros((4, 1)))
    with pytest.raises(ValueError, match="b"):
        func(w, np.zeros(2), X, y)
    with pytest.raises(TypeError, match="b"):
        func(w, "zero", X, y)


# --------------------------------------------------------------------------
# sgd_step
# --------------------------------------------------------------------------

@SETTINGS
@given(theta=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                        elements=st.floats(-1e4, 1e4)),
       lr=st.floats(1e-6, 10.0), data=st.data())
def test_sgd_step_is_theta_minus_lr_grad(theta, lr, data):
    grad = data.draw(hnp.arrays(np.float64, theta.shape, elements=st.floats(-1e4, 1e4)))
    theta_copy, grad_copy = theta.copy(), grad.copy()
    new = sgd_step(theta, grad, lr=lr)
    assert isinstance(new, np.ndarray) and new.shape == theta.shape and new.dtype == np.float64
    np.testing.assert_allclose(new, theta - lr * grad, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(theta, theta_copy)  # inputs unchanged
    np.testing.assert_array_equal(grad, grad_copy)
    assert not np.shares_memory(new, theta)


def test_sgd_step_worked_numbers():
    np.testing.assert_allclose(sgd_step([1.0, -2.0], [0.5, -1.0], lr=0.1), [0.95, -1.9])
    assert float(sgd_step(3.0, 2.0, lr=0.25)) == pytest.approx(2.5)


def test_sgd_step_matches_torch_sgd_on_a_quadratic():
    """60 steps on f(theta) = 0.5 theta^T A theta - c^T theta against torch.optim.SGD."""
    torch = oracles.torch()
    rng = np.random.default_rng(8)
    M = rng.normal(size=(3, 3))
    A = M @ M.T + np.eye(3)
    c = rng.normal(size=3)
    lr = 0.5 / np.linalg.eigvalsh(A).max()
    theta = np.zeros(3)
    tt = torch.zeros(3, requires_grad=True)
    opt = torch.optim.SGD([tt], lr=lr)
    At, ct = torch.tensor(A), torch.tensor(c)
    for _ in range(60):
        theta = sgd_step(theta, A @ theta - c, lr=lr)
        opt.zero_grad()
        (0.5 * tt @ At @ tt - ct @ tt).backward()
        opt.step()
        np.testing.assert_allclose(theta, tt.detach().numpy(), rtol=1e-12, atol=1e-14)
    # closed form of gradient descent on a quadratic: theta_k = (I - (I - lr A)^k) A^{-1} c
    expected = (np.eye(3) - np.linalg.matrix_power(np.eye(3) - lr * A, 60)) @ np.linalg.solve(A, c)
    np.testing.assert_allclose(theta, expected, rtol=1e-10)


@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan"), float("inf")])
def test_sgd_step_rejects_bad_lr(lr):
    with pytest.raises(ValueError, match="lr"):
        sgd_step(np.zeros(2), np.zeros(2), lr=lr)


@pytest.mark.parametrize("lr", ["0.1", None, True, np.array([0.1])])
def test_sgd_step_rejects_non_number_lr(lr):
    with pytest.raises(TypeError, match="lr"):
        sgd_step(np.zeros(2), np.zeros(2), lr=lr)


def test_sgd_step_rejects_shape_mismatch_and_positional_lr():
    with pytest.raises(ValueError, match="theta and grad"):
        sgd_step(np.zeros(3), np.zeros((3, 1)), lr=0.1)
    with pytest.raises(TypeError):
        sgd_step(np.zeros(3), np.zeros(3), 0.1)


# --------------------------------------------------------------------------
# train_minibatch_sgd
# --------------------------------------------------------------------------

def test_train_first_step_worked_numbers():
    """One full-batch epoch by hand: x = 1, 2, 3, y = 2, 4, 6, lr = 0.01 from w = b = 0.

    dL/dw = -(2/3)(1*2 + 2*4 + 3*6) = -56/3 and dL/db = -(2/3)(2 + 4 + 6) = -8,
    so w = 0.56/3 and b = 0.08.
    """
    X = np.array([[1.0], [2.0], [3.0]])
    y = np.array([2.0, 4.0, 6.0])
    w, b, losses = train_minibatch_sgd(X, y, batch_size=3, lr=0.01, epochs=1,
                                       rng=np.random.default_rng(0))
    np.testing.assert_allclose(w, [0.56 / 3], rtol=1e-13)
    assert b == pytest.approx(0.08, rel=1e-13)
    assert isinstance(b, float)
    assert losses[0] == pytest.approx(np.mean((X[:, 0] * 0.56 / 3 + 0.08 - y) ** 2), rel=1e-13)


def test_train_full_batch_matches_torch_sgd_trajectory():
    """batch_size = n_samples is batch gradient descent: w, b and losses match torch.optim.SGD for 60 epochs."""
    X, y = regression_problem(n=15, d=3)
    lr, steps = 0.05, 60
    ws, bs, t_losses = torch_sgd_trajectory(X, y, lr, steps)
    _, _, losses = train_minibatch_sgd(X, y, batch_size=15, lr=lr, epochs=steps,
                                       rng=np.random.default_rng(0))
    np.testing.assert_allclose(losses, t_losses, rtol=1e-11)
    for k in (1, 2, 5, 10, 20, 30, 45, 60):
        w, b, _ = train_minibatch_sgd(X, y, batch_size=15, lr=lr, epochs=k,
                                      rng=np.random.default_rng(k))
        np.testing.assert_allclose(w, ws[k - 1], rtol=1e-11, atol=1e-13)
        assert b == pytest.approx(bs[k - 1], rel=1e-11, abs=1e-13)


def test_train_full_batch_matches_closed_form():
    """Gradient descent on least squares: theta_k = theta* + (I - lr H)^k (theta_0 - theta*)."""
    X, y = regression_problem(n=6, d=2, seed=3)
    n = len(y)
    A = np.column_stack([X, np.ones(n)])
    H = 2.0 / n * A.T @ A
    theta_star = np.linalg.solve(A.T @ A, A.T @ y)
    lr = 0.9 / np.linalg.eigvalsh(H).max()
    for k in (1, 3, 10, 50):
        expected = theta_star - np.linalg.matrix_power(np.eye(3) - lr * H, k) @ theta_star
        w, b, _ = train_minibatch_sgd(X, y, batch_size=n, lr=lr, epochs=k,
                                      rng=np.random.default_rng(0))
        np.testing.assert_allclose(np.append(w, b), expected, rtol=1e-10, atol=1e-12)


def test_train_full_batch_is_deterministic_for_every_seed():
    X, y = regression_problem(n=10, d=2)
    runs = [train_minibatch_sgd(X, y, batch_size=bs, lr=0.03, epochs=20, rng=np.random.default_rng(seed))
            for seed, bs in [(0, 10), (1, 10), (2, 11), (3, 1000)]]
    for w, b, losses in runs[1:]:
        np.testing.assert_array_equal(w, runs[0][0])
        assert b == runs[0][1]
        np.testing.assert_array_equal(losses, runs[0][2])


def test_train_full_batch_converges_to_lstsq():
    X, y = regression_problem(n=30, d=3, noise=0.5)
    w_ls, b_ls = lstsq_solution(X, y)
    w, b, losses = train_minibatch_sgd(X, y, batch_size=30, lr=0.05, epochs=2000,
                                       rng=np.random.default_rng(0))
    np.testing.assert_allclose(w, w_ls, atol=1e-9)
    assert b == pytest.approx(b_ls, abs=1e-9)
    assert losses[-1] == pytest.approx(mse_oracle(w_ls, b_ls, X, y), rel=1e-9)
    assert np.all(np.diff(losses) <= 1e-15)  # gradient descent with a small lr never increases the loss


@pytest.mark.parametrize("batch_size", [1, 4, 7])
def test_train_minibatch_converges_to_lstsq_on_noiseless_data(batch_size):
    """Without noise every batch gradient vanishes at the solution, so SGD converges to it exactly."""
    X, y = regression_problem(n=20, d=3, noise=0.0, seed=5)
    w_ls, b_ls = lstsq_solution(X, y)
    w, b, losses = train_minibatch_sgd(X, y, batch_size=batch_size, lr=0.02, epochs=600,
                                       rng=np.random.default_rng(batch_size))
    np.testing.assert_allclose(w, w_ls, atol=1e-8)
    assert b == pytest.approx(b_ls, abs=1e-8)
    assert losses[-1] < 1e-15


@pytest.mark.parametrize("batch_size", [1, 8])
def test_train_minibatch_with_small_lr_gets_close_to_lstsq_on_noisy_data(batch_size):
    X, y = regression_problem(n=64, d=2, noise=0.3, seed=6)
    w_ls, b_ls = lstsq_solution(X, y)
    best = mse_oracle(w_ls, b_ls, X, y)
    w, b, losses = train_minibatch_sgd(X, y, batch_size=batch_size, lr=1e-3, epochs=300,
                                       rng=np.random.default_rng(0))
    np.testing.assert_allclose(w, w_ls, atol=0.02)
    assert b == pytest.approx(b_ls, abs=0.02)
    assert best <= losses[-1] < 1.01 * best


@pytest.mark.parametrize("n, batch_size, n_steps", [(7, 3, 3), (6, 2, 3), (5, 5, 1), (4, 1, 4), (3, 10, 1)])
def test_train_epoch_takes_ceil_n_over_batch_size_steps(n, batch_size, n_steps):
    """With identical samples every batch gradient equals the full one, whatever the shuffle,
    so E epochs are E * ceil(n / batch_size) steps of gradient descent (torch.optim.SGD):
    the last partial batch is a step of its own."""
    X = np.tile([[0.5, -1.5]], (n, 1))
    y = np.full(n, 2.0)
    epochs, lr = 4, 0.1
    ws, bs, _ = torch_sgd_trajectory(X[:1], y[:1], lr, epochs * n_steps)
    w, b, losses = train_minibatch_sgd(X, y, batch_size=batch_size, lr=lr, epochs=epochs,
                                       rng=np.random.default_rng(0))
    np.testing.assert_allclose(w, ws[-1], rtol=1e-12)
    assert b == pytest.approx(bs[-1], rel=1e-12)


def test_train_reshuffles_every_epoch():
    """SGD (batch size 1) on 3 samples for 2 epochs over 1800 seeds: with a fresh uniform shuffle per
    epoch the 3! * 3! = 36 pairs of orders, hence 36 different end points, are equally likely
    (the same order every epoch would give only 6, no shuffle only 1)."""
    X = np.array([[1.0, 0.2], [-0.5, 1.3], [0.7, -0.9]])
    y = np.array([0.3, -1.1, 2.0])
    counts = {}
    for seed in range(1800):
        w, b, _ = train_minibatch_sgd(X, y, batch_size=1, lr=0.3, epochs=2,
                                      rng=np.random.default_rng(seed))
        key = tuple(np.round(np.append(w, b), 9).tolist())
        counts[key] = counts.get(key, 0) + 1
    assert len(counts) == 36
    assert uniform_chi2_pvalue(list(counts.values())) > P_MIN


def test_train_one_epoch_small_lr_sums_batch_gradients():
    """To first order in lr, one epoch moves theta by -lr * (number of batches) * (full gradient at 0)
    when the batches have equal size: every sample contributes once, averaged within its batch."""
    X, y = regression_problem(n=24, d=3)
    lr = 1e-7
    g_w = -2.0 * X.T @ y / 24  # gradient at w = 0, b = 0
    g_b = -2.0 * y.mean()
    for batch_size in (1, 4, 6, 24):
        w, b, _ = train_minibatch_sgd(X, y, batch_size=batch_size, lr=lr, epochs=1,
                                      rng=np.random.default_rng(0))
        k = 24 // batch_size
        np.testing.assert_allclose(w, -lr * k * g_w, rtol=1e-4)
        assert b == pytest.approx(-lr * k * g_b, rel=1e-4)


def test_train_losses_are_full_data_mse_after_each_epoch():
    X, y = regression_problem(n=11, d=2)
    w, b, losses = train_minibatch_sgd(X, y, batch_size=3, lr=0.01, epochs=7,
                                       rng=np.random.default_rng(9))
    assert losses.shape == (7,) and losses.dtype == np.float64
    assert losses[-1] == pytest.approx(mse_oracle(w, b, X, y), rel=1e-12)
    # the run is reproducible, and a shorter run with the same seed is its prefix
    w3, b3, losses3 = train_minibatch_sgd(X, y, batch_size=3, lr=0.01, epochs=3,
                                          rng=np.random.default_rng(9))
    np.testing.assert_array_equal(losses3, losses[:3])
    assert losses[2] == pytest.approx(mse_oracle(w3, b3, X, y), rel=1e-12)


def test_train_zero_epochs_returns_the_start():
    X, y = regression_problem(n=5, d=3)
    w, b, losses = train_minibatch_sgd(X, y, batch_size=2, lr=0.1, epochs=0,
                                       rng=np.random.default_rng(0))
    np.testing.assert_array_equal(w, np.zeros(3))
    assert b == 0.0 and losses.shape == (0,)


def test_train_minibatch_deterministic_given_seed_and_seed_matters(global_state_unchanged):
    X, y = regression_problem(n=20, d=2)
    kwargs = dict(batch_size=3, lr=0.05, epochs=5)
    a = train_minibatch_sgd(X, y, rng=np.random.default_rng(1), **kwargs)
    b = train_minibatch_sgd(X, y, rng=np.random.default_rng(1), **kwargs)
    c = train_minibatch_sgd(X, y, rng=np.random.default_rng(2), **kwargs)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == b[1]
    np.testing.assert_array_equal(a[2], b[2])
    assert not np.array_equal(a[0], c[0])  # a different shuffle gives a different path


def test_train_pure():
    X, y = regression_problem(n=9, d=2)
    X_copy, y_copy = X.copy(), y.copy()
    train_minibatch_sgd(X, y, batch_size=2, lr=0.05, epochs=3, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_train_divergence_is_silent():
    """A learning rate far too large diverges to inf/nan without floating-point warnings."""
    X, y = regression_problem(n=8, d=2)
    w, b, losses = train_minibatch_sgd(X, y, batch_size=2, lr=1e3, epochs=200,
                                       rng=np.random.default_rng(0))
    assert not np.isfinite(losses[-1])
    assert losses[1] > losses[0] > mse_oracle(np.zeros(2), 0.0, X, y)


def test_train_large_inputs_no_warnings():
    X = np.array([[1e4, -1e4], [-1e4, 1e4], [1e4, 1e4]])
    y = np.array([1e4, -1e4, 0.0])
    w, b, losses = train_minibatch_sgd(X, y, batch_size=3, lr=1e-9, epochs=5,
                                       rng=np.random.default_rng(0))
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(w)) and math.isfinite(b)


def test_train_rejects_bad_arguments():
    X, y = np.zeros((4, 2)), np.zeros(4)
    good = dict(batch_size=2, lr=0.1, epochs=3, rng=np.random.default_rng(0))
    cases = [
        (ValueError, "batch_size", dict(batch_size=0)),
        (ValueError, "batch_size", dict(batch_size=-3)),
        (TypeError, "batch_size", dict(batch_size=2.0)),
        (ValueError, "lr", dict(lr=0.0)),
        (ValueError, "lr", dict(lr=-1.0)),
        (TypeError, "lr", dict(lr="0.1")),
        (ValueError, "epochs", dict(epochs=-1)),
        (TypeError, "epochs", dict(epochs=2.5)),
        (TypeError, "rng", dict(rng=None)),
        (TypeError, "rng", dict(rng=0)),
    ]
    for exc, name, change in cases:
        with pytest.raises(exc, match=name):
            train_minibatch_sgd(X, y, **{**good, **change})
    with pytest.raises(ValueError, match="X"):
        train_minibatch_sgd(np.zeros(4), y, **good)
    with pytest.raises(ValueError, match="X"):
        train_minibatch_sgd(np.zeros((0, 2)), np.zeros(0), **good)
    with pytest.raises(ValueError, match="y"):
        train_minibatch_sgd(X, np.zeros(5), **good)
    with pytest.raises(TypeError):
        train_minibatch_sgd(X, y, 2, 0.1, 3, np.random.default_rng(0))  # keyword-only
    with pytest.raises(TypeError):
        train_minibatch_sgd(X, y, batch_size=2, lr=0.1, epochs=3)  # rng is required
