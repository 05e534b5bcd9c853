"""The grader's checks for lesson 08 (dropout): correct variants written differently from the
reference get full marks, whatever order they draw their numbers in, and the lesson's own failure
modes are reported in words that point to the fix.

The generic tests in ``test_catalogue.py`` already show that the reference gets full marks and
every catalogued mistake loses points with its hint; this module covers what they do not.
"""

from __future__ import annotations


import numpy as np
import pytest

from grader.check import evaluate
from grader.specs import REGISTRY

pytestmark = pytest.mark.lesson08

FUNCTIONS = ("dropout_forward", "dropout_backward")


# --------------------------------------------------------------------------------------------------
# correct variants, written from the math (not from the reference)
# --------------------------------------------------------------------------------------------------

def _check_p(p):
    if not (0.0 <= p <= 1.0):
        raise ValueError(f"p must lie in [0, 1], got {p}")


# --- dropout_forward ---

def forward_loops(x, *, p, rng, train=True):
    """Unit by unit: one scalar uniform per unit, in C order; p = 1 needs no special case."""
    _check_p(p)
    x = np.array(x, dtype=float)
    mask = np.ones(x.shape)
    if not train:
        return x, mask
    out = np.empty(x.shape)
    for idx in np.ndindex(*x.shape):
        if rng.random() < p:
            mask[idx] = 0.0
            out[idx] = 0.0
        else:
            mask[idx] = 1.0 / (1.0 - p)
            out[idx] = x[idx] * mask[idx]
    return out, mask


def forward_binomial(x, *, p, rng, train=True):
    """Keep flags from rng.binomial(1, 1 - p); the scale chosen before it can divide by zero."""
    _check_p(p)
    x = np.asarray(x, dtype=np.float64)
    if not train:
        return x.copy(), np.ones_like(x)
    keep = rng.binomial(n=1, p=1.0 - p, size=x.shape)
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = keep * scale
    return x * mask, mask


def forward_transposed_uniform(x, *, p, rng, train=True):
    """An unused draw first, the uniforms drawn for the reversed shape, a unit kept when u < 1 - p."""
    _check_p(p)
    x = np.array(x, dtype=float)
    if not train:
        return x, np.full(x.shape, 1.0)
    if p == 1.0:
        return np.zeros(x.shape), np.zeros(x.shape)
    rng.standard_normal()
    u = rng.random(x.shape[::-1]).T
    mask = np.where(u < 1.0 - p, 1.0 / (1.0 - p), 0.0)
    return x * mask, mask


def forward_choice(x, *, p, rng, train=True):
    """rng.choice between the two mask values with probabilities p and 1 - p, rows drawn one by one."""
    _check_p(p)
    x = np.array(x, dtype=float)
    if not train:
        return x, np.ones(x.shape)
    values = np.array([0.0, 0.0 if p == 1 else 1.0 / (1.0 - p)])
    flat = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    rows = [rng.choice(values, size=flat.shape[1], p=[p, 1.0 - p]) for _ in range(flat.shape[0])]
    mask = np.array(rows).reshape(x.shape)
    return np.multiply(x, mask), mask


# --- dropout_backward ---

def backward_loops(dout, mask):
    dout = np.asarray(dout, dtype=float)
    dx = np.zeros(dout.shape)
    for idx in np.ndindex(*dout.shape):
        if mask[idx] != 0:
            dx[idx] = dout[idx] * mask[idx]
    return dx


def backward_where(dout, mask):
    return np.where(np.asarray(mask) == 0, 0.0, np.asarray(dout, dtype=float) * mask)


def backward_einsum(dout, mask):
    return np.einsum("...,...->...", np.asarray(dout, dtype=float), np.asarray(mask, dtype=float))


VARIANTS = {
    "dropout_forward": (forward_loops, forward_binomial, forward_transposed_uniform, forward_choice),
    "dropout_backward": (backward_loops, backward_where, backward_einsum),
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

    def wrapped(x, *, p, rng, train=True):
        return fn(x, p=p, rng=np.random.default_rng(int(rng.integers(2**62)) + offset), train=train)

    return wrapped


@pytest.mark.parametrize("variant", [forward_binomial, forward_transposed_uniform],
                         ids=lambda v: v.__name__)
def test_distribution_checks_pass_for_many_different_draws(variant):
    """The tolerances come from the sampling error: any correct draws pass, not only the seeds tried."""
    for offset in range(10):
        report = evaluate("dropout_forward", _reseeded(variant, offset), forbidden=("lessons",))
        assert report.passed == len(report.verdicts), report.text(1)


# --------------------------------------------------------------------------------------------------
# speed, and values that are not arrays
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FUNCTIONS)
def test_returning_none_is_explained_not_a_grader_error(grade, name):
    score, message = grade(name, lambda *args, **kwargs: None, points=1)
    assert score < 1
    assert "could not finish" not in message
    assert "returned None" in message
    assert "does not use its `rng` argument" not in message  # None twice is not "the same mask"


def test_returning_only_out_asks_for_the_mask(grade):
    reference = REGISTRY["dropout_forward"].reference

    def out_only(x, *, p, rng, train=True):
        return reference(x, p=p, rng=rng, train=train)[0]

    score, message = grade("dropout_forward", out_only, points=1)
    assert score < 1
    assert "expected a tuple (out, mask) of two arrays" in message


# --------------------------------------------------------------------------------------------------
# dropout_forward: which check fails, and what it says
# --------------------------------------------------------------------------------------------------

def _failed_titles(name, message):
    titles = [group.title for group in REGISTRY[name].groups]
    return [t for t in titles if f"[fail] {t}:" in message]


def _title(start, name="dropout_forward"):
    return next(g.title for g in REGISTRY[name].groups if g.title.startswith(start))


def test_p_as_keep_probability_shows_the_drop_rate(grade):
    mistake = REGISTRY["dropout_forward"].mistake("p-as-keep")
    _, message = grade("dropout_forward", mistake.fn, points=1)
    assert _title("drops each unit independently") in _failed_titles("dropout_forward", message)
    assert "of the 100000 units (mask == 0); with p = 0.3 it should drop 30% of them" in message
    # the first failing case is shown with its inputs: p = 0.5 cannot tell keep from drop
    assert "p=0.2, rng=rng): mask holds the values 0, 5; it should hold only 0 (a dropped unit) and " \
           "1 / (1 - p) = 1.25 (a kept unit)" in message
    assert mistake.hint in message


def test_dropping_only_half_the_rate_gets_no_misleading_hint(grade):
    def half_rate(x, *, p, rng, train=True):
        _check_p(p)
        x = np.array(x, dtype=float)
        if not train:
            return x, np.ones(x.shape)
        q = p / 2  # drops too few units, scaled consistently
        mask = (rng.random(x.shape) >= q) / (1 - q)
        return x * mask, mask

    score, message = grade("dropout_forward", half_rate, points=8)
    assert score == 5  # the mask values, the drop rate, and p = 1 (it drops only half the units)
    assert "should drop 30% of them" in message
    assert "Likely mistake" not in message


def test_a_mask_shared_by_all_samples_fails_independence(grade):
    mistake = REGISTRY["dropout_forward"].mistake("shared-mask")
    _, message = grade("dropout_forward", mistake.fn, points=1)
    assert _title("drops each unit independently") in _failed_titles("dropout_forward", message)
    assert "neighbouring units in the same column were both kept or both dropped 100% of the time" in message
    assert mistake.hint in message


def test_one_mask_per_sample_fails_independence_along_rows(grade):
    def per_sample(x, *, p, rng, train=True):
        _check_p(p)
        x = np.array(x, dtype=float)
        if not train:
            return x, np.ones(x.shape)
        keep = rng.random(x.shape[:-1] + (1,)) >= p  # one coin per sample, for all its units
        mask = np.broadcast_to(keep * (0.0 if p == 1 else 1 / (1 - p)), x.shape).copy()
        return x * mask, mask

    score, message = grade("dropout_forward", per_sample, points=8)
    assert score < 8
    assert "neighbouring units in the same row were both kept or both dropped 100% of the time" in message
    assert REGISTRY["dropout_forward"].mistake("shared-mask").hint in message


def test_no_dropout_at_all_fails_the_rate_without_a_hint(grade):
    def identity(x, *, p, rng, train=True):
        _check_p(p)
        x = np.array(x, dtype=float)
        return x, np.ones(x.shape)

    score, message = grade("dropout_forward", identity, points=8)
    assert score < 8
    assert "mask holds the values 1; it should hold only 0" in message
    assert "dropped 0% of the 100000 units" in message
    assert "does not use its `rng` argument (nothing was dropped)" in message
    assert "Likely mistake" not in message


def test_no_rescaling_fails_the_expectation_with_its_hint(grade):
    mistake = REGISTRY["dropout_forward"].mistake("no-rescaling")
    _, message = grade("dropout_forward", mistake.fn, points=1)
    assert _failed_titles("dropout_forward", message) == [
        _title("returns (out, mask)"), _title("keeps the expected output equal to x")]
    assert "sum(out) / sum(x) over its 100000 units is 0.4" in message
    assert mistake.hint in message


def test_a_boolean_mask_fails_only_the_values(grade):
    mistake = REGISTRY["dropout_forward"].mistake("boolean-mask")
    score, message = grade("dropout_forward", mistake.fn, points=8)
    assert score == 7
    assert "dropout_forward(x=array of shape (3, 5)" in message and "p=0.5, rng=rng): mask holds the " \
           "values 0, 1;" in message
    assert mistake.hint in message


def test_out_left_unscaled_while_the_mask_is_scaled_is_shown(grade):
    def out_unscaled(x, *, p, rng, train=True):
        _check_p(p)
        x = np.array(x, dtype=float)
        if not train:
            return x, np.ones(x.shape)
        keep = rng.random(x.shape) >= p
        return x * keep, keep * (0.0 if p == 1 else 1 / (1 - p))

    score, message = grade("dropout_forward", out_unscaled, points=8)
    assert score < 8
    assert "out is not x * mask" in message


@pytest.mark.parametrize("key", ["scale-at-eval", "eval-divides", "dropout-at-eval"])
def test_evaluation_mistakes_are_told_apart(grade, key):
    spec = REGISTRY["dropout_forward"]
    mistake = spec.mistake(key)
    _, message = grade("dropout_forward", mistake.fn, points=1)
    assert _title("with train=False") in _failed_titles("dropout_forward", message)
    assert "train=False): out should equal x at evaluation" in message
    assert mistake.hint in message
    for other in {"scale-at-eval", "eval-divides", "dropout-at-eval"} - {key}:
        assert spec.mistake(other).hint not in message


def test_correct_training_that_scales_at_evaluation_loses_one_check(grade):
    mistake = REGISTRY["dropout_forward"].mistake("eval-divides")
    score, message = grade("dropout_forward", mistake.fn, points=8)
    assert score == 7
    assert _failed_titles("dropout_forward", message) == [_title("with train=False")]


def test_a_mask_of_zeros_at_evaluation_is_named(grade):
    reference = REGISTRY["dropout_forward"].reference

    def eval_mask_zeros(x, *, p, rng, train=True):
        if train:
            return reference(x, p=p, rng=rng)
        return np.array(x, dtype=float), np.zeros(np.shape(x))

    score, message = grade("dropout_forward", eval_mask_zeros, points=8)
    assert score == 7
    assert "mask should be all ones at evaluation (every unit kept, unscaled)" in message


def test_zero_division_at_p_one_is_named(grade):
    def python_division(x, *, p, rng, train=True):
        _check_p(p)
        x = np.array(x, dtype=float)
        if not train:
            return x, np.ones(x.shape)
        scale = 1 / (1 - p)  # ZeroDivisionError for p = 1
        mask = (rng.random(x.shape) >= p) * scale
        return x * mask, mask

    score, message = grade("dropout_forward", python_division, points=8)
    assert score == 7
    assert "p=1, rng=rng) raised ZeroDivisionError" in message
    assert REGISTRY["dropout_forward"].mistake("p-one").hint in message


def test_a_warning_at_p_one_is_named_even_with_the_right_zeros(grade):
    def where_divides(x, *, p, rng, train=True):
        _check_p(p)
        x = np.array(x, dtype=float)
        if not train:
            return x, np.ones(x.shape)
        keep = rng.random(x.shape) >= p
        mask = np.where(keep, np.float64(1.0) / np.float64(1.0 - p), 0.0)  # divides by 0 for p = 1
        return x * mask, mask

    score, message = grade("dropout_forward", where_divides, points=8)
    assert score == 7
    assert "p=1, rng=rng) gave the right values but warned: RuntimeWarning: divide by zero" in message
    assert REGISTRY["dropout_forward"].mistake("p-one").hint in message


def test_rejecting_p_equal_one_is_explained(grade):
    reference = REGISTRY["dropout_forward"].reference

    def strict(x, *, p, rng, train=True):
        if not 0 <= p < 1:
            raise ValueError(f"p must be in [0, 1), got {p}")
        return reference(x, p=p, rng=rng, train=train)

    score, message = grade("dropout_forward", strict, points=8)
    assert score == 6  # the edge cases and the evaluation with p = 1
    assert "raised ValueError: p must be in [0, 1), got 1.0; p = 1 is allowed: it drops every unit" in message


def test_missing_p_check_costs_only_the_invalid_p_check(grade):
    mistake = REGISTRY["dropout_forward"].mistake("no-p-check")
    score, message = grade("dropout_forward", mistake.fn, points=8)
    assert score == 7
    assert _failed_titles("dropout_forward", message) == [_title("p outside [0, 1]")]
    assert "p=-0.1, rng=rng) returned (array of shape (3, 4)" in message
    assert mistake.hint in message


def test_float32_output_is_not_exact(grade):
    reference = REGISTRY["dropout_forward"].reference

    def single(x, *, p, rng, train=True):
        out, mask = reference(x, p=p, rng=rng, train=train)
        return out.astype(np.float32), mask

    score, message = grade("dropout_forward", single, points=8)
    assert score < 8
    assert "out is not x * mask" in message


def test_changing_x_in_place_is_caught(grade):
    def in_place(x, *, p, rng, train=True):
        _check_p(p)
        if not train:
            return x.copy(), np.ones(x.shape)
        mask = (rng.random(x.shape) >= p) * (0.0 if p == 1 else 1 / (1 - p))
        x *= mask
        return x, mask

    score, message = grade("dropout_forward", in_place, points=8)
    assert score == 7, message
    assert "changed its argument(s) x in place" in message


def test_a_generator_made_inside_names_the_fix(grade):
    mistake = REGISTRY["dropout_forward"].mistake("own-generator")
    _, message = grade("dropout_forward", mistake.fn, points=1)
    assert "generators with different seeds gave the same result" in message
    assert mistake.hint in message


# --------------------------------------------------------------------------------------------------
# dropout_backward
# --------------------------------------------------------------------------------------------------

def test_a_fixed_new_mask_in_the_backward_pass_is_named(grade):
    """Deterministic (a generator seeded inside), so only the zero pattern can show it."""

    def fixed_new_mask(dout, mask):
        dout = np.asarray(dout, dtype=float)
        fresh = (np.random.default_rng(0).random(dout.shape) >= 0.5) * 2.0
        return dout * fresh

    score, message = grade("dropout_backward", fixed_new_mask, points=5)
    assert score <= 1
    assert "the gradient should be 0 exactly where the mask is 0" in message
    assert REGISTRY["dropout_backward"].mistake("new-mask").hint in message


def test_a_random_new_mask_is_caught_by_repeating_the_call(grade):
    mistake = REGISTRY["dropout_backward"].mistake("new-mask")
    _, message = grade("dropout_backward", mistake.fn, points=1)
    assert "with the same inputs returned different gradients" in message
    assert mistake.hint in message


def test_matrix_product_is_named_on_the_square_case(grade):
    mistake = REGISTRY["dropout_backward"].mistake("matrix-product")
    _, message = grade("dropout_backward", mistake.fn, points=1)
    assert "dropout_backward(dout=[[1., 2.], [3., 4.]], mask=[[2., 0.], [0., 2.]]): entry (0, 1) is 4, " \
           "expected 0" in message
    assert mistake.hint in message


def test_backward_in_place_costs_only_the_unchanged_check(grade):
    def in_place(dout, mask):
        dout *= mask
        return dout

    score, message = grade("dropout_backward", in_place, points=5)
    assert score == 4
    assert "changed its argument(s) dout in place" in message


def test_backward_nan_at_dropped_infinities_is_not_required(grade):
    """The curriculum asks for dout * mask only: the plain product is enough (no inf inputs graded)."""

    def plain(dout, mask):
        return np.asarray(dout, dtype=float) * np.asarray(mask, dtype=float)

    score, message = grade("dropout_backward", plain, points=5)
    assert score == 5, message
