"""The grader's checks for lesson 04 (weight initialization): correct variants written differently
from the reference get full marks, whatever order they draw their numbers in, and the lesson's own
failure modes are reported in words that point to the fix.

The generic tests in ``test_catalogue.py`` already show that the reference gets full marks and
every catalogued mistake loses points with its hint; this module covers what they do not.
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np
import pytest

from grader.check import evaluate
from grader.specs import REGISTRY

pytestmark = pytest.mark.lesson04

INITIALIZERS = ("small_random_init", "glorot_uniform", "glorot_normal", "he_normal")
FUNCTIONS = INITIALIZERS + ("layer_activation_stds",)


# --------------------------------------------------------------------------------------------------
# correct variants, written from the math (not from the reference)
# --------------------------------------------------------------------------------------------------

def _box_muller_pair(rng):
    """Two independent standard normals from two uniforms (1 - u lies in (0, 1], so the log is finite)."""
    radius = math.sqrt(-2.0 * math.log(1.0 - rng.random()))
    angle = 2.0 * math.pi * rng.random()
    return radius * math.cos(angle), radius * math.sin(angle)


def _polar_normal(rng):
    """One standard normal by Marsaglia's polar method: a rejection loop, a random number of draws."""
    while True:
        u, v = 2.0 * rng.random() - 1.0, 2.0 * rng.random() - 1.0
        s = u * u + v * v
        if 0.0 < s < 1.0:
            return u * math.sqrt(-2.0 * math.log(s) / s)


# --- small_random_init ---

def small_random_transposed_draw(fan_in, fan_out, *, rng, scale=0.01):
    """Draw the transpose and transpose it back: a non-contiguous (fan_in, fan_out) view."""
    return scale * rng.standard_normal((fan_out, fan_in)).T


def small_random_box_muller(fan_in, fan_out, *, rng, scale=0.01):
    """Entry by entry, from uniforms, both halves of every Box-Muller pair used."""
    W = np.empty((fan_in, fan_out))
    spare = None
    for i in range(fan_in):
        for j in range(fan_out):
            if spare is None:
                z, spare = _box_muller_pair(rng)
            else:
                z, spare = spare, None
            W[i, j] = scale * z
    return W


def small_random_flat(fan_in, fan_out, *, rng, scale=0.01):
    """An unused draw first (the order of draws must not matter), then a flat vector reshaped."""
    rng.random()
    return rng.normal(loc=0.0, scale=scale, size=fan_in * fan_out).reshape(fan_in, fan_out)


# --- glorot_uniform ---

def glorot_uniform_from_random(fan_in, fan_out, *, rng):
    """Map [0, 1) onto [-a, a)."""
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return a * (2.0 * rng.random((fan_in, fan_out)) - 1.0)


def glorot_uniform_loops(fan_in, fan_out, *, rng):
    """One scalar draw per entry, column by column."""
    a = math.sqrt(6.0 / (fan_in + fan_out))
    W = np.zeros((fan_in, fan_out))
    for j in range(fan_out):
        for i in range(fan_in):
            W[i, j] = rng.uniform(-a, a)
    return W


def glorot_uniform_columns(fan_in, fan_out, *, rng):
    """Columns stacked side by side; the bound from the variance 2 / (m + n) = a^2 / 3."""
    variance = 2.0 / (fan_in + fan_out)
    a = math.sqrt(3.0 * variance)
    return np.column_stack([rng.uniform(low=-a, high=a, size=fan_in) for _ in range(fan_out)])


# --- glorot_normal ---

def glorot_normal_standard(fan_in, fan_out, *, rng):
    return math.sqrt(2.0 / (fan_in + fan_out)) * rng.standard_normal(size=(fan_in, fan_out))


def glorot_normal_box_muller(fan_in, fan_out, *, rng):
    """Vectorized Box-Muller: the cosine half and the sine half, interleaved."""
    n = fan_in * fan_out
    half = (n + 1) // 2
    u1, u2 = 1.0 - rng.random(half), rng.random(half)
    radius = np.sqrt(-2.0 * np.log(u1))
    z = np.empty(2 * half)
    z[0::2] = radius * np.cos(2 * np.pi * u2)
    z[1::2] = radius * np.sin(2 * np.pi * u2)
    return np.sqrt(2.0 / (fan_in + fan_out)) * z[:n].reshape(fan_in, fan_out)


def glorot_normal_rows(fan_in, fan_out, *, rng):
    """Row by row, each row its own call."""
    std = (2.0 / (fan_in + fan_out)) ** 0.5
    return np.vstack([rng.normal(0.0, std, size=(1, fan_out)) for _ in range(fan_in)])


# --- he_normal ---

def he_normal_polar(fan_in, fan_out, *, rng):
    """Marsaglia's polar method, entry by entry (rejection sampling)."""
    std = math.sqrt(2.0 / fan_in)
    return np.array([[std * _polar_normal(rng) for _ in range(fan_out)] for _ in range(fan_in)])


def he_normal_columns(fan_in, fan_out, *, rng):
    """One column (the weights into one unit) at a time."""
    std = math.sqrt(2.0) / math.sqrt(fan_in)
    W = np.empty((fan_in, fan_out))
    for j in range(fan_out):
        W[:, j] = rng.normal(0.0, std, size=fan_in)
    return W


def he_normal_scaled(fan_in, fan_out, *, rng):
    variance = 2.0 / fan_in
    return np.sqrt(variance) * rng.standard_normal(fan_in * fan_out).reshape((fan_in, fan_out))


# --- layer_activation_stds ---

def stds_loops(x, weights, activation):
    """Explicit loops for the products and a two-pass standard deviation; a list returned as an array."""
    h = [list(map(float, row)) for row in x]
    out = []
    for W in weights:
        rows, cols = len(W), len(W[0])
        z = [[sum(h[n][k] * W[k][j] for k in range(rows)) for j in range(cols)] for n in range(len(h))]
        h = [[float(v) for v in activation(np.array(row))] for row in z]
        entries = [v for row in h for v in row]
        mean = sum(entries) / len(entries)
        out.append(math.sqrt(sum((v - mean) ** 2 for v in entries) / len(entries)))
    return np.array(out)


def stds_moments(x, weights, activation):
    """E[h^2] - E[h]^2 through functools.reduce, collected in a list (accepted as a float array)."""

    def layer(state, W):
        h, found = state
        h = activation(h @ W)
        found.append(float(np.sqrt(max(np.mean(h * h) - np.mean(h) ** 2, 0.0))))
        return h, found

    return reduce(layer, weights, (np.asarray(x, dtype=float), []))[1]


def stds_row_by_row(x, weights, activation):
    """The activation called on one sample (a 1-D row) at a time; np.var over the stacked rows."""
    h = np.array(x, dtype=float)
    stds = np.zeros(len(weights))
    for l, W in enumerate(weights):
        h = np.stack([activation(np.einsum("k,kj->j", row, W)) for row in h])
        stds[l] = np.sqrt(np.var(h.ravel()))
    return stds


VARIANTS = {
    "small_random_init": (small_random_transposed_draw, small_random_box_muller, small_random_flat),
    "glorot_uniform": (glorot_uniform_from_random, glorot_uniform_loops, glorot_uniform_columns),
    "glorot_normal": (glorot_normal_standard, glorot_normal_box_muller, glorot_normal_rows),
    "he_normal": (he_normal_polar, he_normal_columns, he_normal_scaled),
    "layer_activation_stds": (stds_loops, stds_moments, stds_row_by_row),
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

    def wrapped(*args, rng, **kwargs):
        return fn(*args, rng=np.random.default_rng(int(rng.integers(2**62)) + offset), **kwargs)

    return wrapped


@pytest.mark.parametrize("name,variant", [("small_random_init", small_random_flat),
                                          ("glorot_uniform", glorot_uniform_from_random),
                                          ("glorot_normal", glorot_normal_box_muller),
                                          ("he_normal", he_normal_scaled)],
                         ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_distribution_checks_pass_for_many_different_draws(name, variant):
    """The tolerances come from the sampling error: any correct draws pass, not only the seeds tried."""
    for offset in range(10):
        report = evaluate(name, _reseeded(variant, offset), forbidden=("lessons",))
        assert report.passed == len(report.verdicts), report.text(1)


# --------------------------------------------------------------------------------------------------
# speed, and values that are not arrays
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FUNCTIONS)
def test_returning_none_is_explained_not_a_grader_error(grade, name):
    score, message = grade(name, lambda *args, **kwargs: None, points=1)
    assert score < 1
    assert "could not finish" not in message
    assert "returned None, expected a NumPy array" in message
    assert "does not use its `rng` argument" not in message  # None twice is not "the same weights"


# --------------------------------------------------------------------------------------------------
# the initializers
# --------------------------------------------------------------------------------------------------

def _failed_titles(name, message):
    """The titles of the groups that failed, in order."""
    titles = [group.title for group in REGISTRY[name].groups]
    return [t for t in titles if f"[fail] {t}:" in message]


def _title(name, start):
    return next(g.title for g in REGISTRY[name].groups if g.title.startswith(start))


@pytest.mark.parametrize("name", INITIALIZERS)
def test_a_transposed_matrix_loses_only_the_shape_check(grade, name):
    reference = REGISTRY[name].reference

    def transposed(fan_in, fan_out, *, rng, **kwargs):
        return reference(fan_in, fan_out, rng=rng, **kwargs).T.copy()

    n_groups = len(REGISTRY[name].groups) + 1  # and "leaves its inputs unchanged"
    score, message = grade(name, transposed, points=n_groups)
    assert score == n_groups - 1, message
    assert _failed_titles(name, message) == [_title(name, "returns a new float64 array")]
    assert "returned an array of shape (5, 3), expected (3, 5)" in message
    assert REGISTRY[name].mistake("transposed").hint in message


def test_he_drawn_for_the_transposed_layer_is_two_mistakes(grade):
    """he_normal(fan_out, fan_in): the wrong shape, and the spread of fan_out; both are named."""
    reference = REGISTRY["he_normal"].reference

    def swapped(fan_in, fan_out, *, rng):
        return reference(fan_out, fan_in, rng=rng)

    score, message = grade("he_normal", swapped, points=5)
    assert score == 3
    assert REGISTRY["he_normal"].mistake("transposed").hint in message
    assert REGISTRY["he_normal"].mistake("fan-out").hint in message


@pytest.mark.parametrize("name", INITIALIZERS)
def test_float32_weights_lose_the_shape_check(grade, name):
    reference = REGISTRY[name].reference

    def single(fan_in, fan_out, *, rng, **kwargs):
        return reference(fan_in, fan_out, rng=rng, **kwargs).astype(np.float32)

    score, message = grade(name, single, points=1)
    assert score < 1
    assert "dtype float32, expected float64" in message


@pytest.mark.parametrize("name", INITIALIZERS)
def test_one_row_repeated_is_not_independent(grade, name):
    reference = REGISTRY[name].reference

    def tiled(fan_in, fan_out, *, rng, **kwargs):
        return np.tile(reference(1, fan_out, rng=rng, **kwargs), (fan_in, 1))

    score, message = grade(name, tiled, points=1)
    assert score < 1
    assert "different value(s) among its" in message and "independently" in message


def test_he_with_fan_out_fails_the_spread_by_sqrt_3(grade):
    mistake = REGISTRY["he_normal"].mistake("fan-out")
    score, message = grade("he_normal", mistake.fn, points=5)
    assert score == 4
    assert _failed_titles("he_normal", message) == [_title("he_normal", "the weights have mean 0")]
    # sqrt(2 / 100) = 0.1414 where sqrt(2 / 300) = 0.08165 was expected: a factor sqrt(3)
    assert "he_normal(fan_in=300, fan_out=100)" in message
    assert "is 0.141" in message and "expected 0.08165" in message
    assert mistake.hint in message


@pytest.mark.parametrize("key", ["bound-6-over-sqrt", "bound-6-over-sum"])
def test_the_errata_bounds_are_shown_against_the_right_one(grade, key):
    mistake = REGISTRY["glorot_uniform"].mistake(key)
    score, message = grade("glorot_uniform", mistake.fn, points=1)
    assert score < 1
    assert "a = sqrt(6 / (300 + 100)) = 0.1225" in message
    wrong = {"bound-6-over-sqrt": "0.3", "bound-6-over-sum": "0.015"}[key]
    assert f"range from -{wrong} to {wrong}" in message
    assert mistake.hint in message


def test_uniform_instead_of_normal_fails_only_the_shape_of_the_distribution(grade):
    mistake = REGISTRY["glorot_normal"].mistake("uniform-instead")
    score, message = grade("glorot_normal", mistake.fn, points=5)
    assert score == 4
    assert _failed_titles("glorot_normal", message) == [
        _title("glorot_normal", "the weights follow a normal distribution")]
    assert "Kolmogorov-Smirnov" in message and "do not look like a normal distribution" in message
    assert mistake.hint in message


def test_a_wrong_spread_that_is_no_catalogued_mistake_gets_no_hint(grade):
    def three_quarters(fan_in, fan_out, *, rng):
        return 0.75 * np.sqrt(2.0 / fan_in) * rng.standard_normal((fan_in, fan_out))

    score, message = grade("he_normal", three_quarters, points=5)
    assert score == 4
    assert "standard deviation of 30000 draws is 0.061" in message
    assert "Likely mistake" not in message


def test_a_generator_reseeded_from_a_few_seeds_fails_the_variety_over_seeds(grade):
    def few_seeds(fan_in, fan_out, *, rng):
        own = np.random.default_rng(int(rng.integers(3)))  # only three different generators
        return own.normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_in, fan_out))

    score, message = grade("he_normal", few_seeds, points=5)
    assert score == 4
    assert "differently seeded generators gave only" in message
    assert REGISTRY["he_normal"].mistake("own-generator").hint in message


def test_ignoring_scale_names_the_scale(grade):
    mistake = REGISTRY["small_random_init"].mistake("ignores-scale")
    _, message = grade("small_random_init", mistake.fn, points=1)
    assert "small_random_init(fan_in=100, fan_out=300, scale=0.3)" in message
    assert "scale=0) returned nonzero weights" in message
    assert mistake.hint in message


# --------------------------------------------------------------------------------------------------
# layer_activation_stds
# --------------------------------------------------------------------------------------------------

def test_layer_messages_show_shapes_not_every_weight(grade):
    mistake = REGISTRY["layer_activation_stds"].mistake("per-unit")
    _, message = grade("layer_activation_stds", mistake.fn, points=1)
    assert "with x of shape (40, 12) and weights of shapes (12, 20), (20, 20), (20, 8), (8, 5)" in message
    assert "array of shape (12, 20) (mean" not in message
    assert mistake.hint in message


def test_including_the_input_says_how_many_values(grade):
    mistake = REGISTRY["layer_activation_stds"].mistake("input-std")
    _, message = grade("layer_activation_stds", mistake.fn, points=1)
    assert "with x = [[1, -1], [-1, 1]] and weights = [2I, 3I]: returned an array of shape (3,), " \
           "expected shape (2,)" in message
    assert mistake.hint in message


def test_variance_fails_the_scaling_property_with_its_hint(grade):
    mistake = REGISTRY["layer_activation_stds"].mistake("variance")
    _, message = grade("layer_activation_stds", mistake.fn, points=1)
    assert "multiplying x by 10 multiplied the results by [100, 100, 100]" in message
    assert mistake.hint in message


def test_a_float32_std_fails_on_huge_and_tiny_activations(grade):
    """float32 holds nothing beyond about 3e38 (or below 1e-45): 1e120 becomes inf and 1e-120 becomes 0."""

    def float32_std(x, weights, activation):
        h = np.asarray(x, dtype=float)
        out = []
        for W in weights:
            h = activation(h @ W)
            out.append(float(np.std(h.astype(np.float32))))
        return np.array(out)

    score, message = grade("layer_activation_stds", float32_std, points=6)
    assert score < 6
    assert _title("layer_activation_stds", "very large") in _failed_titles("layer_activation_stds", message)


def test_partial_credit_when_only_the_last_activation_is_missing(grade):
    mistake = REGISTRY["layer_activation_stds"].mistake("no-activation-last")
    score, message = grade("layer_activation_stds", mistake.fn, points=6)
    assert 0 < score < 6
    assert "[ok]   with ReLU, multiplying x by 10" in message
    assert mistake.hint in message


def test_in_place_changes_to_the_weights_are_caught(grade):
    def consumes_the_list(x, weights, activation):
        h = np.asarray(x, dtype=float)
        out = []
        while weights:
            h = activation(h @ weights.pop(0))  # empties the caller's list
            out.append(np.std(h))
        return np.array(out)

    score, message = grade("layer_activation_stds", consumes_the_list, points=6)
    assert score == 5, message
    assert "changed its argument(s) weights in place" in message
