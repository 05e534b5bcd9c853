"""The grader's checks for lesson 03 (mini-batch gradient descent): correct variants written
differently from the reference get full marks, and the lesson's own failure modes are reported
in words that point to the fix.

The generic tests in ``test_catalogue.py`` already show that the reference gets full marks and
every catalogued mistake loses points with its hint; this module covers what they do not.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.check import evaluate
from grader.specs import REGISTRY

pytestmark = pytest.mark.lesson03

FUNCTIONS = ("shuffle_data", "minibatches", "linear_mse_grad", "sgd_step", "train_minibatch_sgd")


# --------------------------------------------------------------------------------------------------
# correct variants, written from the math (not from the reference)
# --------------------------------------------------------------------------------------------------

# --- shuffle_data ---

def shuffle_by_random_keys(X, y, *, rng):
    """Sort by uniform random keys: a uniform permutation drawn in another way."""
    order = np.argsort(rng.random(len(X)), kind="stable")
    return X[order], y[order]


def shuffle_fisher_yates(X, y, *, rng):
    """Fisher-Yates with explicit swaps, drawing from the top down, rows copied one by one."""
    idx = list(range(len(X)))
    for i in range(len(idx) - 1, 0, -1):
        j = int(rng.integers(0, i + 1))
        idx[i], idx[j] = idx[j], idx[i]
    X_new = np.array([X[i] for i in idx], dtype=float)
    y_new = np.array([y[i] for i in idx])
    return X_new, y_new


def shuffle_index_copy(X, y, *, rng):
    """rng.shuffle on a copy of the indices (never on the data), and a tuple built with np.take."""
    rng.random()  # an extra draw first: the order of draws must not matter
    idx = np.arange(X.shape[0])
    rng.shuffle(idx)
    return np.take(X, idx, axis=0), np.take(y, idx, axis=0)


def shuffle_choice(X, y, *, rng):
    """rng.choice without replacement."""
    idx = rng.choice(len(X), size=len(X), replace=False)
    return X[idx, ...].copy(), y[idx, ...].copy()


# --- minibatches ---

def minibatches_generator(X, y, batch_size, *, rng=None):
    """Checks at once, then hands out the batches one by one from an inner generator."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    n = len(X)
    order = np.arange(n) if rng is None else rng.permutation(n)

    def batches():
        start = 0
        while start < n:
            idx = order[start:start + batch_size]
            yield X[idx], y[idx]
            start += batch_size

    return batches()


def minibatches_lazy_generator(X, y, batch_size, *, rng=None):
    """A generator function: its body, the check included, runs only when the first batch is asked for."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    n = len(X)
    order = np.arange(n) if rng is None else rng.permutation(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]


def minibatches_list_of_rows(X, y, batch_size, *, rng=None):
    """A list, batches stacked row by row, the order from random keys."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    n = X.shape[0]
    order = list(range(n)) if rng is None else list(np.argsort(rng.random(n)))
    n_batches = math.ceil(n / batch_size)
    batches = []
    for k in range(n_batches):
        members = order[k * batch_size:(k + 1) * batch_size]
        X_b = np.stack([X[i] for i in members])
        y_b = np.array([y[i] for i in members])
        batches.append((X_b, y_b))
    return batches


def minibatches_shuffled_copy(X, y, batch_size, *, rng=None):
    """rng.shuffle on a copy of the indices, then array_split at multiples of batch_size."""
    if not batch_size >= 1:
        raise ValueError("batch_size must be a positive integer")
    idx = np.arange(len(y))
    if rng is not None:
        rng.shuffle(idx)
    cuts = list(range(batch_size, len(idx), batch_size))
    return iter([(X[part], y[part]) for part in np.split(idx, cuts)])


# --- linear_mse_grad ---

def linear_mse_grad_loops(w, b, X, y):
    """One sample and one feature at a time."""
    n, d = X.shape
    grad_w = np.zeros(d)
    grad_b = 0.0
    for i in range(n):
        pred = b
        for j in range(d):
            pred += X[i, j] * w[j]
        r = pred - y[i]
        for j in range(d):
            grad_w[j] += 2.0 * r * X[i, j] / n
        grad_b += 2.0 * r / n
    return grad_w, grad_b


def linear_mse_grad_broadcast(w, b, X, y):
    """The mean over samples of the per-sample gradients 2 r_i x_i."""
    r = X @ w + b - y
    return np.mean(2.0 * r[:, None] * X, axis=0), float(np.mean(2.0 * r))


def linear_mse_grad_einsum(w, b, X, y):
    """grad_w = (2/n) r @ X by einsum, grad_b as a NumPy scalar."""
    r = np.einsum("ij,j->i", X, w) + b - y
    return np.einsum("i,ij->j", r, X) * (2.0 / len(y)), 2.0 * r.sum() / len(y)


# --- sgd_step ---

def sgd_step_subtract(theta, grad, *, lr):
    return np.subtract(theta, np.multiply(lr, grad))


def sgd_step_loops(theta, grad, *, lr):
    theta = np.asarray(theta, dtype=float)
    out = np.empty_like(theta)
    for index in np.ndindex(theta.shape):
        out[index] = theta[index] - lr * grad[index]
    return out


def sgd_step_negative_lr(theta, grad, *, lr):
    return theta + (-lr) * grad


# --- train_minibatch_sgd ---

def train_loops(X, y, *, batch_size, lr, epochs, rng):
    """Explicit loops over samples for the gradient; a fresh permutation every epoch."""
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    losses = np.zeros(epochs)
    for epoch in range(epochs):
        order = rng.permutation(n) if batch_size < n else np.arange(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            gw = np.zeros(d)
            gb = 0.0
            for i in batch:
                r = float(X[i] @ w) + b - y[i]
                gw += 2.0 * r * X[i]
                gb += 2.0 * r
            w = w - lr * gw / len(batch)
            b = b - lr * gb / len(batch)
        losses[epoch] = np.mean((X @ w + b - y) ** 2)
    return w, b, losses


def train_always_shuffles(X, y, *, batch_size, lr, epochs, rng):
    """Random keys every epoch, even for one full batch (only the rounding changes then)."""
    n = len(y)
    w = np.zeros(X.shape[1])
    b = np.float64(0.0)
    losses = []

    def grad(Xb, yb):
        r = Xb @ w + b - yb
        return 2.0 * (r @ Xb) / len(yb), 2.0 * np.mean(r)

    for _ in range(epochs):
        order = np.argsort(rng.random(n))
        Xs, ys = X[order], y[order]
        for start in range(0, n, batch_size):
            gw, gb = grad(Xs[start:start + batch_size], ys[start:start + batch_size])
            w, b = w - lr * gw, b - lr * gb
        residual = X @ w + b - y
        losses.append(residual @ residual / n)
    return w, b, np.array(losses, dtype=float)


def train_with_generator(X, y, *, batch_size, lr, epochs, rng):
    """A generator of batches inside, rng.shuffle on an index copy, theta = (w, b) as one vector."""

    def batches():
        idx = np.arange(len(y))
        if batch_size < len(y):
            rng.shuffle(idx)
        for s in range(0, len(idx), batch_size):
            yield idx[s:s + batch_size]

    A = np.hstack([X, np.ones((len(y), 1))])
    theta = np.zeros(A.shape[1])
    losses = np.empty(epochs)
    for epoch in range(epochs):
        for part in batches():
            theta = theta - lr * (2.0 / len(part)) * A[part].T @ (A[part] @ theta - y[part])
        losses[epoch] = np.mean((A @ theta - y) ** 2)
    return theta[:-1].copy(), float(theta[-1]), losses


VARIANTS = {
    "shuffle_data": (shuffle_by_random_keys, shuffle_fisher_yates, shuffle_index_copy, shuffle_choice),
    "minibatches": (minibatches_generator, minibatches_list_of_rows, minibatches_shuffled_copy),
    "linear_mse_grad": (linear_mse_grad_loops, linear_mse_grad_broadcast, linear_mse_grad_einsum),
    "sgd_step": (sgd_step_subtract, sgd_step_loops, sgd_step_negative_lr),
    "train_minibatch_sgd": (train_loops, train_always_shuffles, train_with_generator),
}


@pytest.mark.parametrize("name,variant", [(name, fn) for name, fns in VARIANTS.items() for fn in fns],
                         ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_correct_variant_gets_full_marks(grade, name, variant):
    score, message = grade(name, variant, points=3)
    assert score == 3, message


def test_every_function_has_at_least_two_variants():
    assert set(VARIANTS) == set(FUNCTIONS)
    assert all(len(v) >= 2 for v in VARIANTS.values())


def _reseeded(fn, offset):
    """A correct function drawing other numbers from the same rng: a new generator seeded from it."""

    def wrapped(*args, rng=None, **kwargs):
        if rng is not None:
            rng = np.random.default_rng(int(rng.integers(2**62)) + offset)
        return fn(*args, rng=rng, **kwargs)

    return wrapped


@pytest.mark.parametrize("name,variant", [("shuffle_data", shuffle_by_random_keys),
                                          ("minibatches", minibatches_generator),
                                          ("train_minibatch_sgd", train_loops)])
def test_stochastic_checks_pass_for_many_different_draws(name, variant):
    """The distribution and path checks accept any correct draws, not only the seeds tried once."""
    for offset in range(8):
        report = evaluate(name, _reseeded(variant, offset), forbidden=("lessons",))
        assert report.passed == len(report.verdicts), report.text(1)


# --------------------------------------------------------------------------------------------------
# speed
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FUNCTIONS)
def test_returning_none_is_explained_not_a_grader_error(grade, name):
    score, message = grade(name, lambda *args, **kwargs: None, points=1)
    assert score < 1
    assert "could not finish" not in message
    assert "None" in message


# --------------------------------------------------------------------------------------------------
# shuffle_data
# --------------------------------------------------------------------------------------------------

def _failed_titles(name, message):
    """The titles of the groups that failed, in order."""
    titles = [group.title for group in REGISTRY[name].groups]
    return [t for t in titles if f"[fail] {t}:" in message]


def test_separate_permutations_fail_only_the_pairing_check(grade):
    def separate(X, y, *, rng):
        return X[rng.permutation(len(X))], y[rng.permutation(len(y))]

    score, message = grade("shuffle_data", separate, points=4)
    assert score == 3
    assert _failed_titles("shuffle_data", message) == [
        "returns every sample exactly once, each row still with its own target"]
    assert "ONE permutation" in message
    assert "7 samples, 3 features" in message  # the failing input is named


def test_in_place_shuffle_costs_the_unchanged_check(grade):
    def in_place(X, y, *, rng):
        perm = rng.permutation(len(X))
        X[:] = X[perm]
        y[:] = y[perm]
        return X, y

    score, message = grade("shuffle_data", in_place, points=4)
    assert score < 4
    assert "in place" in message and "X" in message


def test_a_biased_shuffle_fails_the_distribution_test_without_a_wrong_hint(grade):
    def maybe_reversed(X, y, *, rng):
        """Random, paired, seed-dependent, but only two orders ever appear."""
        idx = np.arange(len(X))[::-1] if rng.random() < 0.5 else np.arange(len(X))
        return X[idx], y[idx]

    score, message = grade("shuffle_data", maybe_reversed, points=4)
    assert score == 3
    assert _failed_titles("shuffle_data", message) == ["all 24 orders of 4 samples are equally likely"]
    assert "2 of the 24 possible orders" in message and "chi-square" in message
    assert "Likely mistake" not in message


# --------------------------------------------------------------------------------------------------
# minibatches
# --------------------------------------------------------------------------------------------------

def test_partial_credit_for_a_missing_batch_size_check(grade):
    def unchecked(X, y, batch_size, *, rng=None):
        idx = np.arange(len(X)) if rng is None else rng.permutation(len(X))
        return [(X[idx[s:s + batch_size]], y[idx[s:s + batch_size]]) for s in range(0, len(X), batch_size)]

    score, message = grade("minibatches", unchecked, points=8)
    checks = len(REGISTRY["minibatches"].groups) + 1  # and "leaves its inputs unchanged"
    assert score == round(8 * (checks - 1) / checks, 2)  # one check lost
    assert "batch_size=-2" in message and "raise ValueError" in message


def test_a_check_that_waits_for_the_first_batch_loses_a_point(grade):
    """The contract's "raises at once": a generator function checks batch_size only when iterated."""
    with pytest.raises(ValueError):
        list(minibatches_lazy_generator(np.zeros((3, 1)), np.zeros(3), 0))
    minibatches_lazy_generator(np.zeros((3, 1)), np.zeros(3), 0)  # no error yet
    score, message = grade("minibatches", minibatches_lazy_generator, points=8)
    assert 6 <= score < 8, message
    assert REGISTRY["minibatches"].mistake("lazy-check").hint in message


def test_drop_last_message_names_the_input_and_the_sizes(grade):
    mistake = REGISTRY["minibatches"].mistake("drop-last")
    _, message = grade("minibatches", mistake.fn, points=1)
    assert "batch_size=3" in message
    assert "gave 3 batches of sizes [3, 3, 3], expected 4 of sizes [3, 3, 3, 1]" in message


def test_endless_generator_is_cut_off_not_hanging(grade):
    def endless(X, y, batch_size, *, rng=None):
        while True:
            yield X[:batch_size], y[:batch_size]

    score, message = grade("minibatches", endless, points=1)
    assert score < 1
    assert "stopped reading there" in message


def test_errors_inside_a_generator_body_are_caught(grade):
    def broken(X, y, batch_size, *, rng=None):
        yield X[:batch_size], y[:batch_size]
        raise RuntimeError("oops in the second batch")

    score, message = grade("minibatches", broken, points=1)
    assert score < 1
    assert "RuntimeError: oops in the second batch" in message


def test_not_iterable_result_is_explained(grade):
    score, message = grade("minibatches", lambda X, y, batch_size, *, rng=None: None, points=1)
    assert score < 1
    assert "returned None, expected an iterable" in message


def test_shuffling_the_batches_instead_of_the_samples_is_named(grade):
    mistake = REGISTRY["minibatches"].mistake("shuffle-batch-order")
    _, message = grade("minibatches", mistake.fn, points=1)
    assert "always stay together" in message
    assert mistake.hint in message


def test_reseeding_inside_the_function_is_caught_as_the_same_order_every_epoch(grade):
    def reseeded(X, y, batch_size, *, rng=None):
        if rng is not None:
            rng = np.random.default_rng(42)  # the classic "reproducibility" slip
        idx = np.arange(len(X)) if rng is None else rng.permutation(len(X))
        for s in range(0, len(X), batch_size):
            yield X[idx[s:s + batch_size]], y[idx[s:s + batch_size]]

    score, message = grade("minibatches", reseeded, points=1)
    assert score < 1
    assert "with rng: every call (every epoch) draws a new order" in _failed_titles("minibatches", message)
    assert REGISTRY["minibatches"].mistake("same-order").hint in message


# --------------------------------------------------------------------------------------------------
# linear_mse_grad and sgd_step
# --------------------------------------------------------------------------------------------------

def test_grad_with_shapes_transposed_is_reported_by_shape(grade):
    def column(w, b, X, y):
        r = X @ w + b - y
        return (2 * X.T @ r / len(y))[:, None], 2 * float(np.mean(r))

    score, message = grade("linear_mse_grad", column, points=1)
    assert score < 1
    assert "grad_w: returned an array of shape (1, 1), expected shape (1,)" in message


def test_sgd_step_accepts_a_numpy_scalar_for_a_0d_theta(grade):
    score, message = grade("sgd_step", lambda theta, grad, *, lr: theta - lr * grad, points=1)
    assert score == 1, message


def test_in_place_sgd_step_loses_points(grade):
    def in_place(theta, grad, *, lr):
        theta -= lr * grad
        return theta

    score, message = grade("sgd_step", in_place, points=1)
    assert score < 1 and "in place" in message and "theta" in message


# --------------------------------------------------------------------------------------------------
# train_minibatch_sgd
# --------------------------------------------------------------------------------------------------

def test_losses_per_step_are_recognised(grade):
    def per_step(X, y, *, batch_size, lr, epochs, rng):
        w, b, losses = np.zeros(X.shape[1]), 0.0, []
        for _ in range(epochs):
            perm = rng.permutation(len(y)) if batch_size < len(y) else np.arange(len(y))
            for s in range(0, len(y), batch_size):
                Xb, yb = X[perm[s:s + batch_size]], y[perm[s:s + batch_size]]
                r = Xb @ w + b - yb
                w, b = w - lr * 2 * Xb.T @ r / len(yb), b - lr * 2 * np.mean(r)
                losses.append(np.mean((X @ w + b - y) ** 2))
        return w, b, np.array(losses)

    score, message = grade("train_minibatch_sgd", per_step, points=1)
    assert score < 1
    assert "you recorded one per step: 4 epochs x 4 batches" in message


def test_same_order_every_epoch_fails_only_the_reshuffling_check(grade):
    mistake = REGISTRY["train_minibatch_sgd"].mistake("same-order")
    score, message = grade("train_minibatch_sgd", mistake.fn, points=7)
    assert score == 6
    assert _failed_titles("train_minibatch_sgd", message) == ["the data are reshuffled every epoch"]
    assert "the path repeats itself" in message


def test_separate_permutations_are_told_apart_from_sampling_with_replacement(grade):
    spec = REGISTRY["train_minibatch_sgd"]
    _, separate = grade("train_minibatch_sgd", spec.mistake("separate-permutations").fn)
    _, replacement = grade("train_minibatch_sgd", spec.mistake("with-replacement").fn)
    assert spec.mistake("separate-permutations").hint in separate
    assert spec.mistake("with-replacement").hint not in separate
    assert spec.mistake("with-replacement").hint in replacement
    assert spec.mistake("separate-permutations").hint not in replacement
    assert "never used" in replacement


def test_full_batch_compared_with_a_tolerance_not_bit_for_bit(grade):
    def reversed_sum_order(X, y, *, batch_size, lr, epochs, rng):
        """Full batch on the reversed data (different rounding), else the reference's path."""
        if batch_size >= len(y):
            X, y = X[::-1], y[::-1]
        return train_loops(X, y, batch_size=batch_size, lr=lr, epochs=epochs, rng=rng)

    score, message = grade("train_minibatch_sgd", reversed_sum_order, points=1)
    assert score == 1, message


def test_training_uphill_is_not_blamed_on_the_shuffle(grade):
    def uphill(X, y, *, batch_size, lr, epochs, rng):
        w, b, losses = train_loops(X, y, batch_size=batch_size, lr=-lr, epochs=epochs, rng=rng)
        return w, b, losses

    score, message = grade("train_minibatch_sgd", uphill, points=1)
    assert score < 1
    assert "does not follow target" in message
    assert REGISTRY["train_minibatch_sgd"].mistake("separate-permutations").hint not in message
