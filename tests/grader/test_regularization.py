"""The grader's checks for lesson 07 (L2, L1, early stopping and bagging): correct variants written
differently from the reference get full marks, whatever order they draw their numbers in, and the
lesson's own failure modes are reported in words that point to the fix.

The generic tests in ``test_catalogue.py`` already show that the reference gets full marks and
every catalogued mistake loses points with its hint; this module covers what they do not.
"""

from __future__ import annotations


import numpy as np
import pytest

from grader.check import evaluate
from grader.spec import Case
from grader.specs import REGISTRY

pytestmark = pytest.mark.lesson07

FUNCTIONS = ("l2_penalty", "l2_penalty_grad", "l1_penalty", "l1_penalty_grad", "early_stopping",
             "bootstrap_indices", "bagging_predict")


# --------------------------------------------------------------------------------------------------
# correct variants, written from the math (not from the reference)
# --------------------------------------------------------------------------------------------------

# --- l2_penalty: lam / 2 * sum of squared entries ---

def l2_loops(weights, *, lam):
    """Entry by entry, in plain Python."""
    total = 0.0
    for W in weights:
        for w in np.asarray(W, dtype=float).ravel():
            total += w * w
    return 0.5 * lam * total


def l2_vdot(weights, *, lam):
    """The squared Frobenius norm as an inner product of W with itself."""
    return float(lam * sum(np.vdot(W, W) for W in weights) / 2)


def l2_norm_squared(weights, *, lam):
    """np.linalg.norm, squared, over the flattened matrices joined into one vector."""
    flat = np.concatenate([np.zeros(0)] + [np.ravel(W) for W in weights])  # [] joins to no entries
    return float(lam / 2 * np.linalg.norm(flat) ** 2)


# --- l2_penalty_grad: lam * W ---

def l2_grad_loops(W, *, lam):
    W = np.asarray(W, dtype=float)
    out = np.empty(W.shape)
    for idx in np.ndindex(*W.shape):
        out[idx] = lam * W[idx]
    return out


def l2_grad_multiply(W, *, lam):
    return np.multiply(np.full(np.shape(W), lam), W)


# --- l1_penalty: lam * sum of absolute values ---

def l1_loops(weights, *, lam):
    total = 0.0
    for W in weights:
        for w in np.asarray(W, dtype=float).flat:
            total += w if w >= 0 else -w
    return lam * total


def l1_vector_norm(weights, *, lam):
    """The vector 1-norm of each flattened matrix (the matrix 1-norm would be a column sum)."""
    return float(lam * np.sum([np.linalg.norm(np.ravel(W), ord=1) for W in weights]))


def l1_concatenated(weights, *, lam):
    if not weights:
        return 0.0
    return float(lam * np.abs(np.concatenate([np.ravel(W) for W in weights])).sum())


# --- l1_penalty_grad: lam * sign(W), 0 at 0 ---

def l1_grad_loops(W, *, lam):
    W = np.asarray(W, dtype=float)
    out = np.zeros(W.shape)
    for idx in np.ndindex(*W.shape):
        if W[idx] > 0:
            out[idx] = lam
        elif W[idx] < 0:
            out[idx] = -lam
    return out


def l1_grad_comparisons(W, *, lam):
    W = np.asarray(W, dtype=float)
    return lam * ((W > 0).astype(float) - (W < 0).astype(float))


def l1_grad_guarded_division(W, *, lam):
    """W / |W| only where W is not 0, so no 0 / 0."""
    W = np.asarray(W, dtype=float)
    return lam * np.divide(W, np.abs(W), out=np.zeros(W.shape), where=W != 0)


# --- early_stopping ---

def early_counter(val_losses, *, patience, min_delta=0.0):
    """A "wait" counter reset on improvement, the comparison written loss < best - min_delta."""
    losses = np.asarray(val_losses, dtype=float)
    best, wait, stop = np.inf, 0, len(losses) - 1
    for epoch, loss in enumerate(losses):
        if loss < best - min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                stop = epoch
                break
    best_epoch = 0
    for epoch in range(stop + 1):
        if losses[epoch] < losses[best_epoch]:
            best_epoch = epoch
    return stop, best_epoch


def early_while(val_losses, *, patience, min_delta=0.0):
    """A while loop over epochs, the comparison written loss + min_delta < best, a list returned."""
    losses = [float(v) for v in val_losses]
    last, best = 0, losses[0]
    epoch, stop = 0, None
    while stop is None and epoch < len(losses) - 1:
        epoch += 1
        if losses[epoch] + min_delta < best:
            last, best = epoch, losses[epoch]
        elif epoch - last == patience:
            stop = epoch
    stop = len(losses) - 1 if stop is None else stop
    seen = losses[: stop + 1]
    return [stop, seen.index(min(seen))]


def early_gaps(val_losses, *, patience, min_delta=0.0):
    """The improving epochs first, then the first gap of `patience` epochs between them."""
    losses = np.asarray(val_losses, dtype=np.float64)
    improving, best = [0], losses[0]
    for epoch in range(1, losses.size):
        if best - min_delta > losses[epoch]:
            improving.append(epoch)
            best = losses[epoch]
    ends = improving[1:] + [losses.size + patience]  # a sentinel beyond the curve
    stop = losses.size - 1
    for start, end in zip(improving, ends):
        if end - start > patience:
            stop = min(start + patience, losses.size - 1)
            break
    return int(stop), int(np.flatnonzero(losses[: stop + 1] == losses[: stop + 1].min())[0])


# --- bootstrap_indices ---

def bootstrap_floor(n, *, rng):
    """Floor of n uniforms on [0, 1) times n."""
    return np.floor(rng.random(n) * n).astype(np.int64)


def bootstrap_choice(n, *, rng):
    return rng.choice(n, size=n, replace=True)


def bootstrap_loop(n, *, rng):
    """One draw at a time (an extra unused draw first), collected in a list."""
    rng.standard_normal()
    return np.array([int(rng.integers(n)) for _ in range(n)], dtype=np.int32)


def bootstrap_sorted(n, *, rng):
    """The same multiset of draws in sorted order: bagging does not care about the order."""
    return np.sort(rng.integers(0, n, size=n))


# --- bagging_predict ---

def bagging_loop(member_probs):
    total = np.zeros(np.shape(member_probs)[1:])
    for probs in member_probs:
        total = total + probs
    return total / len(member_probs)


def bagging_einsum(member_probs):
    member_probs = np.asarray(member_probs, dtype=float)
    return np.einsum("mnk->nk", member_probs) / member_probs.shape[0]


def bagging_average(member_probs):
    return np.average(member_probs, axis=0)


VARIANTS = {
    "l2_penalty": (l2_loops, l2_vdot, l2_norm_squared),
    "l2_penalty_grad": (l2_grad_loops, l2_grad_multiply),
    "l1_penalty": (l1_loops, l1_vector_norm, l1_concatenated),
    "l1_penalty_grad": (l1_grad_loops, l1_grad_comparisons, l1_grad_guarded_division),
    "early_stopping": (early_counter, early_while, early_gaps),
    "bootstrap_indices": (bootstrap_floor, bootstrap_choice, bootstrap_loop, bootstrap_sorted),
    "bagging_predict": (bagging_loop, bagging_einsum, bagging_average),
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

    def wrapped(n, *, rng):
        return fn(n, rng=np.random.default_rng(int(rng.integers(2**62)) + offset))

    return wrapped


@pytest.mark.parametrize("variant", [bootstrap_floor, bootstrap_choice], ids=lambda v: v.__name__)
def test_distribution_checks_pass_for_many_different_draws(variant):
    """The tolerances come from the sampling error: any correct draws pass, not only the seeds tried."""
    for offset in range(10):
        report = evaluate("bootstrap_indices", _reseeded(variant, offset), forbidden=("lessons",))
        assert report.passed == len(report.verdicts), report.text(1)


# --------------------------------------------------------------------------------------------------
# speed
# --------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------
# which check fails, and what it says
# --------------------------------------------------------------------------------------------------

def _failed_titles(name, message):
    return [g.title for g in REGISTRY[name].groups if f"[fail] {g.title}:" in message]


def _title(name, start):
    return next(g.title for g in REGISTRY[name].groups if g.title.startswith(start))


def _hint(name, key):
    return REGISTRY[name].mistake(key).hint


@pytest.mark.parametrize("name", FUNCTIONS)
def test_returning_none_is_explained(grade, name):
    score, message = grade(name, lambda *args, **kwargs: None, points=1)
    assert score < 1
    assert "could not finish" not in message
    assert "returned None" in message


# --- penalties ---

def test_l2_penalty_over_the_first_matrix_fails_the_sum_property(grade):
    _, message = grade("l2_penalty", REGISTRY["l2_penalty"].mistake("first-only").fn, points=1)
    assert _title("l2_penalty", "returns a float and sums over every matrix") in _failed_titles("l2_penalty", message)
    assert "the penalties of the three matrices alone add up to 1.21875 + 3.225 + 2.7375 = 7.18125" in message
    assert _hint("l2_penalty", "first-only") in message


def test_l2_penalty_shows_the_lessons_example(grade):
    _, message = grade("l2_penalty", REGISTRY["l2_penalty"].mistake("no-half").fn, points=1)
    assert "l2_penalty(weights=[[[ 1., -2.], [ 0., 2.]], [[3.]]], lam=0.1): returned 1.8, expected 0.9" in message


def test_a_penalty_returned_as_a_0d_array_asks_for_a_float(grade):
    def zero_d(weights, *, lam):
        return np.asarray(l2_vdot(weights, lam=lam))

    score, message = grade("l2_penalty", zero_d, points=5)
    assert score == 4
    assert "returned 7.1812 of type ndarray, expected a Python float: return float(...)" in message


def test_concatenating_fails_on_the_empty_list_the_lesson_allows(grade):
    def concatenated(weights, *, lam):
        return float(lam / 2 * np.sum(np.concatenate([np.ravel(W) for W in weights]) ** 2))

    score, message = grade("l2_penalty", concatenated, points=5)
    assert score == 4
    assert "l2_penalty(weights=[], lam=0.1) raised ValueError: need at least one array to concatenate" in message


def test_early_stopping_is_called_with_a_list_once(grade):
    def arrays_only(val_losses, *, patience, min_delta=0.0):
        if not isinstance(val_losses, np.ndarray):
            raise TypeError("val_losses must be an array")
        return early_counter(val_losses, patience=patience, min_delta=min_delta)

    score, message = grade("early_stopping", arrays_only, points=8)
    assert score == 7
    assert ("early_stopping(val_losses=[1.0, 0.5, 0.75, 0.25, 0.5, 0.625, 0.375] (a list), patience=2) raised "
            "TypeError") in message


def test_l2_penalty_overflowing_in_a_plain_sum_of_squares_is_not_required(grade):
    """Weights of 1e100 square to 1e200: the plain formula is exact enough, no scaling needed."""

    def plain(weights, *, lam):
        return lam / 2 * sum(float(np.sum(W ** 2)) for W in weights)

    score, message = grade("l2_penalty", plain, points=2)
    assert score == 2, message


def test_a_flipped_gradient_fails_the_weight_decay_property(grade):
    _, message = grade("l2_penalty_grad", REGISTRY["l2_penalty_grad"].mistake("sign-flipped").fn, points=1)
    assert "a gradient step W - 0.1 * grad takes W[0, 0] = 2 to 2.1, away from 0" in message
    assert _hint("l2_penalty_grad", "sign-flipped") in message


def test_l1_gradient_with_nan_at_zero_names_the_division(grade):
    mistake = REGISTRY["l1_penalty_grad"].mistake("nan-at-zero")
    score, message = grade("l1_penalty_grad", mistake.fn, points=6)
    assert score == 4  # the lesson's example and the exact zeros fail
    assert _failed_titles("l1_penalty_grad", message) == [
        _title("l1_penalty_grad", "the lesson's example"), _title("l1_penalty_grad", "exact zeros")]
    assert "returned 4 nan value(s) where finite numbers were expected" in message
    assert mistake.hint in message


@pytest.mark.parametrize("key", ["one-at-zero", "minus-one-at-zero"])
def test_l1_gradient_wrong_only_at_zero_loses_only_the_zero_checks(grade, key):
    score, message = grade("l1_penalty_grad", REGISTRY["l1_penalty_grad"].mistake(key).fn, points=6)
    assert score == 4
    assert _failed_titles("l1_penalty_grad", message) == [
        _title("l1_penalty_grad", "the lesson's example"), _title("l1_penalty_grad", "exact zeros")]
    assert _hint("l1_penalty_grad", key) in message
    other = {"one-at-zero", "minus-one-at-zero"} - {key}
    assert _hint("l1_penalty_grad", other.pop()) not in message


def test_l1_gradient_proportional_to_w_fails_the_same_size_property(grade):
    _, message = grade("l1_penalty_grad", REGISTRY["l1_penalty_grad"].mistake("l2-gradient").fn, points=1)
    assert _title("l1_penalty_grad", "a gradient step") in _failed_titles("l1_penalty_grad", message)
    assert "the L1 gradient has the same size lam = 0.5 for every nonzero weight" in message


def test_l1_penalty_with_the_errata_half(grade):
    mistake = REGISTRY["l1_penalty"].mistake("half-in-front")
    _, message = grade("l1_penalty", mistake.fn, points=1)
    assert "lam=0.5): returned 2, expected 4" in message
    assert mistake.hint in message


# --- early_stopping ---

def test_early_stopping_messages_show_short_curves_in_full(grade):
    _, message = grade("early_stopping", REGISTRY["early_stopping"].mistake("counter-not-reset").fn, points=1)
    assert ("early_stopping(val_losses=[1.0, 0.5, 0.75, 0.25, 0.5, 0.625, 0.375] (a list), patience=2): "
            "stop_epoch: returned 4, expected 5") in message
    assert "val_losses=array of shape (60,)" in message  # the long random curves are summarized
    curve = Case((np.array([1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.7, 0.75, 0.6]),), {"patience": 2})
    assert REGISTRY["early_stopping"].call_text(curve) == (
        "early_stopping(val_losses=[1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.7, 0.75, 0.6], patience=2)")


def test_stopping_one_epoch_late_is_named_on_the_lessons_curve(grade):
    _, message = grade("early_stopping", REGISTRY["early_stopping"].mistake("stop-late").fn, points=1)
    assert ("early_stopping(val_losses=[1.0, 0.8, 0.9, 0.85, 0.7, 0.75], patience=1): stop_epoch: "
            "returned 3, expected 2") in message
    assert _hint("early_stopping", "stop-late") in message
    assert _hint("early_stopping", "compare-to-previous") not in message


def test_ignoring_min_delta_loses_only_the_min_delta_checks(grade):
    mistake = REGISTRY["early_stopping"].mistake("min-delta-ignored")
    score, message = grade("early_stopping", mistake.fn, points=8)
    assert score == 6
    assert _failed_titles("early_stopping", message) == [
        _title("early_stopping", "min_delta"), _title("early_stopping", "random validation curves")]
    assert mistake.hint in message
    assert _hint("early_stopping", "min-delta-inclusive") not in message


def test_best_after_the_stop_fails_the_own_stop_property(grade):
    mistake = REGISTRY["early_stopping"].mistake("best-after-stop")
    _, message = grade("early_stopping", mistake.fn, points=1)
    title = _title("early_stopping", "judged on your own stop epoch")
    assert title in _failed_titles("early_stopping", message)
    assert ("patience=2) returned (stop_epoch, best_epoch) = (3, 7), but the same curve cut after epoch 3 "
            "gave (3, 1)") in message
    assert mistake.hint in message


def test_swapped_outputs_get_no_misleading_hint_from_the_property(grade):
    _, message = grade("early_stopping", REGISTRY["early_stopping"].mistake("swapped-outputs").fn, points=1)
    assert _hint("early_stopping", "swapped-outputs") in message
    assert _hint("early_stopping", "best-after-stop") not in message


def test_a_keras_style_best_epoch_is_named(grade):
    """Restoring the last improving epoch is not the lowest loss when min_delta > 0."""
    mistake = REGISTRY["early_stopping"].mistake("best-is-last-improvement")
    _, message = grade("early_stopping", mistake.fn, points=1)
    assert ("early_stopping(val_losses=[1.0, 0.75, 0.7, 0.68], patience=2, min_delta=0.1): best_epoch: "
            "returned 1, expected 3") in message
    assert mistake.hint in message


def test_early_stopping_returning_floats_is_accepted(grade):
    def as_floats(val_losses, *, patience, min_delta=0.0):
        stop, best = early_counter(val_losses, patience=patience, min_delta=min_delta)
        return float(stop), float(best)

    score, message = grade("early_stopping", as_floats, points=2)
    assert score == 2, message


def test_early_stopping_needs_the_default_min_delta(grade):
    def no_default(val_losses, *, patience, min_delta):
        return early_counter(val_losses, patience=patience, min_delta=min_delta)

    score, message = grade("early_stopping", no_default, points=8)
    assert score < 8
    assert "missing 1 required keyword-only argument: 'min_delta'" in message


# --- bootstrap_indices ---

def test_a_permutation_fails_only_the_replacement_check(grade):
    mistake = REGISTRY["bootstrap_indices"].mistake("without-replacement")
    score, message = grade("bootstrap_indices", mistake.fn, points=5)
    assert score == 4
    assert _failed_titles("bootstrap_indices", message) == [_title("bootstrap_indices", "draws with replacement")]
    assert "100% of the n samples appeared in a bootstrap sample on average" in message
    assert "1 - (1 - 1/n)**n = 63.2%" in message
    assert mistake.hint in message


def test_half_the_draws_repeated_fails_the_replacement_check_without_a_hint(grade):
    def halves(n, *, rng):
        half = rng.integers(0, n, size=(n + 1) // 2)
        return np.concatenate([half, half])[:n]

    score, message = grade("bootstrap_indices", halves, points=5)
    assert score == 4
    assert "draws with replacement" in message and "Likely mistake" not in message


def test_never_drawing_the_last_index_is_named(grade):
    mistake = REGISTRY["bootstrap_indices"].mistake("never-last")
    score, message = grade("bootstrap_indices", mistake.fn, points=5)
    assert score == 4
    assert "index 9 (the last sample) was never drawn" in message
    assert mistake.hint in message


def test_global_generator_is_named(grade):
    mistake = REGISTRY["bootstrap_indices"].mistake("global-generator")
    _, message = grade("bootstrap_indices", mistake.fn, points=1)
    assert "used NumPy's global random generator" in message
    assert mistake.hint in message


def test_a_list_of_indices_asks_for_an_array(grade):
    def as_list(n, *, rng):
        return [int(i) for i in rng.integers(0, n, size=n)]

    score, message = grade("bootstrap_indices", as_list, points=5)
    assert score < 5
    assert "expected a NumPy array of n = 1 integer indices" in message


def test_float_indices_are_named(grade):
    mistake = REGISTRY["bootstrap_indices"].mistake("float-dtype")
    _, message = grade("bootstrap_indices", mistake.fn, points=1)
    assert "returned an array of dtype float64, expected integers" in message
    assert mistake.hint in message


# --- bagging_predict ---

def test_averaging_over_samples_shows_the_shape(grade):
    mistake = REGISTRY["bagging_predict"].mistake("axis-samples")
    _, message = grade("bagging_predict", mistake.fn, points=1)
    assert "returned an array of shape (5, 3), expected shape (7, 3)" in message
    assert mistake.hint in message
    assert _hint("bagging_predict", "axis-classes") not in message


def test_axis_mistakes_are_told_apart_on_cubes(grade):
    """With n_models = n_samples = n_classes the shapes agree, and the values name the axis."""
    mistake = REGISTRY["bagging_predict"].mistake("axis-classes")
    _, message = grade("bagging_predict", mistake.fn, points=1)
    cube = _title("bagging_predict", "n_models = n_samples = n_classes")
    assert cube in _failed_titles("bagging_predict", message)
    assert mistake.hint in message
    assert _hint("bagging_predict", "axis-samples") not in message


def test_bagging_in_place_costs_only_the_unchanged_check(grade):
    def in_place(member_probs):
        member_probs /= len(member_probs)
        return member_probs.sum(axis=0)

    score, message = grade("bagging_predict", in_place, points=6)
    assert score == 5
    assert "changed its argument(s) member_probs in place" in message
