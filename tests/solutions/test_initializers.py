"""Tests of solutions/initializers.py (lesson 04-initialization) against independent oracles.

Oracles: the closed-form distributions of the curriculum (uniform on
``[-sqrt(6/(m+n)), sqrt(6/(m+n))]``, normal with std ``scale``,
``sqrt(2/(m+n))`` and ``sqrt(2/fan_in)``), checked by distribution tests whose
tolerances come from the sampling error (mean and second moment within 5
standard errors, a Kolmogorov-Smirnov statistic below the
Dvoretzky-Kiefer-Wolfowitz bound at alpha = 1e-9, the maximum of a uniform
sample); PyTorch's ``torch.nn.init`` (double precision, its own generator) as a
second sampler in two-sample KS tests; and, for ``layer_activation_stds``,
exact closed forms (scaled identity and orthogonal layers on centered data,
hand-worked numbers) and a pure-Python loop in exact rational arithmetic
(``fractions``, ``statistics.pstdev``).
"""

import inspect
import math
import statistics
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions.initializers import (
    glorot_normal,
    glorot_uniform,
    he_normal,
    layer_activation_stds,
    small_random_init,
    zeros_init,
)
from tests import oracles

pytestmark = pytest.mark.lesson04

SETTINGS = settings(max_examples=40, deadline=None)
ALPHA = 1e-9  # a correct sampler fails a distribution test with at most about this probability
N_SE = 5.0  # tolerance of the moment tests, in standard errors

INITIALIZERS = [small_random_init, glorot_uniform, glorot_normal, he_normal]


# --------------------------------------------------------------------------
# closed forms and distribution tests (independent of the module under test)
# --------------------------------------------------------------------------

def glorot_bound(m, n):
    """Half-width of the normalized initialization: sqrt(6 / (m + n)) (the corrected formula)."""
    return math.sqrt(6.0 / (m + n))


def normal_cdf(x):
    return np.array([0.5 * math.erfc(-t / math.sqrt(2.0)) for t in np.ravel(x)])


def uniform_cdf(x, a):
    return np.clip((np.ravel(x) + a) / (2.0 * a), 0.0, 1.0)


def ks_statistic(sample, cdf):
    """One-sample Kolmogorov-Smirnov statistic sup |F_n - F| of ``sample`` against ``cdf``."""
    x = np.sort(np.ravel(sample))
    n = x.size
    f = cdf(x)
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - f), np.max(f - (i - 1) / n)))


def dkw_critical(n, alpha=ALPHA):
    """P(sup |F_n - F| > eps) <= 2 exp(-2 n eps^2) (DKW with Massart's constant), solved for eps."""
    return math.sqrt(math.log(2.0 / alpha) / (2.0 * n))


def two_sample_ks(a, b):
    a = np.sort(np.ravel(a))
    b = np.sort(np.ravel(b))
    grid = np.concatenate([a, b])
    fa = np.searchsorted(a, grid, side="right") / a.size
    fb = np.searchsorted(b, grid, side="right") / b.size
    return float(np.max(np.abs(fa - fb)))


def two_sample_critical(n, m, alpha=ALPHA):
    """Kolmogorov's limit: P(sqrt(nm/(n+m)) D > t) ~ 2 exp(-2 t^2)."""
    return math.sqrt(math.log(2.0 / alpha) / 2.0) * math.sqrt((n + m) / (n * m))


def normal_problems(W, std):
    """What is wrong with ``W`` as a sample of N(0, std^2) (empty list: nothing)."""
    w = np.ravel(W)
    n = w.size
    problems = []
    mean_se = std / math.sqrt(n)
    if abs(w.mean()) > N_SE * mean_se:
        problems.append(f"mean {w.mean():.3g} is more than {N_SE} standard errors ({mean_se:.3g}) from 0")
    # E[w^2] = std^2 and Var[w^2] = 2 std^4 for a centred normal.
    m2 = float(np.mean(w**2))
    m2_se = math.sqrt(2.0) * std**2 / math.sqrt(n)
    if abs(m2 - std**2) > N_SE * m2_se:
        problems.append(f"variance {m2:.4g} is more than {N_SE} standard errors from {std**2:.4g}")
    d = ks_statistic(w, lambda x: normal_cdf(x / std))
    if d > dkw_critical(n):
        problems.append(f"KS statistic {d:.4g} above the critical value {dkw_critical(n):.4g}")
    return problems


def uniform_problems(W, a):
    """What is wrong with ``W`` as a sample of U[-a, a] (empty list: nothing)."""
    w = np.ravel(W)
    n = w.size
    problems = []
    mean_se = a / math.sqrt(3.0 * n)  # Var = a^2 / 3
    if abs(w.mean()) > N_SE * mean_se:
        problems.append(f"mean {w.mean():.3g} is more than {N_SE} standard errors from 0")
    # E[w^2] = a^2 / 3, E[w^4] = a^4 / 5, so Var[w^2] = a^4 (1/5 - 1/9) = 4 a^4 / 45.
    m2 = float(np.mean(w**2))
    m2_se = math.sqrt(4.0 / 45.0) * a**2 / math.sqrt(n)
    if abs(m2 - a**2 / 3.0) > N_SE * m2_se:
        problems.append(f"variance {m2:.4g} is more than {N_SE} standard errors from {a**2 / 3:.4g}")
    d = ks_statistic(w, lambda x: uniform_cdf(x, a))
    if d > dkw_critical(n):
        problems.append(f"KS statistic {d:.4g} above the critical value {dkw_critical(n):.4g}")
    top = float(np.max(np.abs(w)))
    if top > a:
        problems.append(f"max |W| = {top!r} exceeds the bound {a!r}")
    # P(max |W| < a (1 - delta)) = (1 - delta)^n <= exp(-n delta) = ALPHA.
    delta = math.log(1.0 / ALPHA) / n
    if top < a * (1.0 - delta):
        problems.append(f"max |W| = {top:.4g} does not reach the bound {a:.4g}")
    return problems


def global_state_unchanged(before, after):
    return before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


# --------------------------------------------------------------------------
# signatures, shapes, determinism, the global generator
# --------------------------------------------------------------------------

@pytest.mark.parametrize("fn", INITIALIZERS)
def test_signature_is_the_curriculum_one(fn):
    params = inspect.signature(fn).parameters
    assert list(params)[:3] == ["fan_in", "fan_out", "rng"]
    assert params["fan_in"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert params["fan_out"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert params["rng"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["rng"].default is inspect.Parameter.empty
    if fn is small_random_init:
        assert list(params) == ["fan_in", "fan_out", "rng", "scale"]
        assert params["scale"].kind is inspect.Parameter.KEYWORD_ONLY
        assert params["scale"].default == 0.01
    else:
        assert len(params) == 3


def test_layer_activation_stds_signature():
    assert list(inspect.signature(layer_activation_stds).parameters) == ["x", "weights", "activation"]


@pytest.mark.parametrize("fn", INITIALIZERS)
def test_rng_is_keyword_only(fn):
    with pytest.raises(TypeError):
        fn(3, 4, np.random.default_rng(0))


@pytest.mark.parametrize("fn", INITIALIZERS + [zeros_init])
@pytest.mark.parametrize("fan_in, fan_out", [(1, 1), (3, 7), (7, 3), (1, 20), (20, 1)])
def test_shape_is_fan_in_by_fan_out(fn, fan_in, fan_out):
    W = fn(fan_in, fan_out, rng=np.random.default_rng(1))
    assert W.shape == (fan_in, fan_out)  # not the transpose (PyTorch's layout)
    assert W.dtype == np.float64
    assert np.all(np.isfinite(W))


@pytest.mark.parametrize("fn", INITIALIZERS)
def test_numpy_integer_fans_accepted(fn):
    W = fn(np.int64(4), np.int32(5), rng=np.random.default_rng(0))
    assert W.shape == (4, 5)


@pytest.mark.parametrize("fn", INITIALIZERS)
def test_same_seed_same_weights_and_rng_advances(fn):
    a = fn(6, 5, rng=np.random.default_rng(42))
    b = fn(6, 5, rng=np.random.default_rng(42))
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(42)
    first = fn(6, 5, rng=rng)
    second = fn(6, 5, rng=rng)
    assert not np.array_equal(first, second)  # the draws come from rng, which advances
    assert not np.array_equal(a, fn(6, 5, rng=np.random.default_rng(43)))


@pytest.mark.parametrize("fn", INITIALIZERS + [zeros_init])
def test_global_generator_untouched(fn):
    before = np.random.get_state()
    fn(30, 20, rng=np.random.default_rng(0))
    assert global_state_unchanged(before, np.random.get_state())


@pytest.mark.parametrize("fn", INITIALIZERS)
def test_rng_argument_is_not_replaced(fn):
    """Two generators in the same state give the same draws: nothing else is consulted."""
    seq = np.random.SeedSequence(7)
    a = fn(5, 9, rng=np.random.Generator(np.random.PCG64(seq)))
    b = fn(5, 9, rng=np.random.Generator(np.random.PCG64(seq)))
    np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------
# distributions
# --------------------------------------------------------------------------

@pytest.mark.parametrize("fan_in, fan_out", [(300, 200), (50, 800)])
def test_glorot_uniform_distribution(fan_in, fan_out):
    W = glorot_uniform(fan_in, fan_out, rng=np.random.default_rng(fan_in))
    assert uniform_problems(W, glorot_bound(fan_in, fan_out)) == []


def test_glorot_uniform_bound_is_sqrt_of_six_over_sum_not_the_errata():
    """The erratum: the bound is sqrt(6/(m+n)), not 6/sqrt(m+n) nor 6/(m+n)."""
    m, n = 250, 150  # m + n = 400: the three candidate bounds are 0.1225, 0.3 and 0.015
    W = glorot_uniform(m, n, rng=np.random.default_rng(3))
    top = float(np.max(np.abs(W)))
    correct = math.sqrt(6.0 / 400.0)
    assert top <= correct  # never exceeds it
    assert top > correct * (1.0 - math.log(1.0 / ALPHA) / W.size)  # and gets as close as sampling allows
    assert top < 6.0 / math.sqrt(m + n) / 2  # nowhere near the first erratum
    assert top > 6.0 / (m + n) * 2  # far beyond the second one
    assert np.isclose(np.mean(W**2), 2.0 / (m + n), rtol=0.02)  # Var = a^2 / 3 = 2 / (m + n)


@pytest.mark.parametrize("fan_in, fan_out", [(300, 200), (40, 900)])
def test_glorot_normal_distribution(fan_in, fan_out):
    W = glorot_normal(fan_in, fan_out, rng=np.random.default_rng(fan_out))
    assert normal_problems(W, math.sqrt(2.0 / (fan_in + fan_out))) == []


@pytest.mark.parametrize("fan_in, fan_out", [(200, 300), (900, 40)])
def test_he_normal_distribution(fan_in, fan_out):
    W = he_normal(fan_in, fan_out, rng=np.random.default_rng(fan_in + 1))
    assert normal_problems(W, math.sqrt(2.0 / fan_in)) == []


@pytest.mark.parametrize("scale", [0.01, 1.0, 3.5])
def test_small_random_init_distribution(scale):
    W = small_random_init(250, 240, rng=np.random.default_rng(5), scale=scale)
    assert normal_problems(W, scale) == []


def test_small_random_init_default_scale_is_0_01():
    W = small_random_init(300, 200, rng=np.random.default_rng(8))
    assert normal_problems(W, 0.01) == []


def test_small_random_init_zero_scale_gives_zeros():
    np.testing.assert_array_equal(small_random_init(4, 3, rng=np.random.default_rng(0), scale=0.0), np.zeros((4, 3)))


def test_zeros_init_is_zero_and_ignores_rng():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    np.testing.assert_array_equal(zeros_init(3, 5, rng=rng), np.zeros((3, 5)))
    assert rng.bit_generator.state == state
    np.testing.assert_array_equal(zeros_init(2, 2), np.zeros((2, 2)))


# The distribution tests must have the power to catch the catalogued mistakes.

def test_distribution_checks_reject_catalogued_mistakes():
    rng = np.random.default_rng(11)
    m, n = 300, 100
    # Glorot bound 6 / sqrt(m + n) and 6 / (m + n) (the errata).
    for wrong in (6.0 / math.sqrt(m + n), 6.0 / (m + n)):
        assert uniform_problems(rng.uniform(-wrong, wrong, size=(m, n)), glorot_bound(m, n))
    # Glorot normal with the variance used as the standard deviation.
    assert normal_problems(rng.normal(0.0, 2.0 / (m + n), size=(m, n)), math.sqrt(2.0 / (m + n)))
    # He with fan_out instead of fan_in.
    assert normal_problems(rng.normal(0.0, math.sqrt(2.0 / n), size=(m, n)), math.sqrt(2.0 / m))
    # Glorot normal where uniform was asked for (same variance: only the KS and the maximum see it).
    assert uniform_problems(rng.normal(0.0, math.sqrt(2.0 / (m + n)), size=(m, n)), glorot_bound(m, n))


# PyTorch's samplers as a second, independent source of the same distributions.

def _torch_sample(name, fan_in, fan_out, seed, scale=0.01):
    torch = oracles.torch()
    g = torch.Generator().manual_seed(seed)
    t = torch.empty(fan_out, fan_in, dtype=torch.float64)  # PyTorch stores (out_features, in_features)
    if name == "small_random_init":
        torch.nn.init.normal_(t, mean=0.0, std=scale, generator=g)
    elif name == "glorot_uniform":
        torch.nn.init.xavier_uniform_(t, gain=1.0, generator=g)
    elif name == "glorot_normal":
        torch.nn.init.xavier_normal_(t, gain=1.0, generator=g)
    else:
        torch.nn.init.kaiming_normal_(t, mode="fan_in", nonlinearity="relu", generator=g)
    return t.numpy().T.copy()


@pytest.mark.parametrize("fn", INITIALIZERS)
def test_matches_torch_nn_init_in_distribution(fn):
    fan_in, fan_out = 150, 260  # non-square, so fan_in and fan_out cannot be confused
    ours = fn(fan_in, fan_out, rng=np.random.default_rng(21))
    theirs = _torch_sample(fn.__name__, fan_in, fan_out, seed=21)
    assert ours.shape == theirs.shape
    d = two_sample_ks(ours, theirs)
    assert d < two_sample_critical(ours.size, theirs.size)


@given(fan_in=st.integers(1, 40), fan_out=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
@SETTINGS
def test_glorot_uniform_never_exceeds_the_bound(fan_in, fan_out, seed):
    W = glorot_uniform(fan_in, fan_out, rng=np.random.default_rng(seed))
    assert W.shape == (fan_in, fan_out)
    assert np.all(np.abs(W) <= glorot_bound(fan_in, fan_out))


@given(fan_in=st.integers(1, 40), fan_out=st.integers(1, 40), seed=st.integers(0, 2**32 - 1),
       fn=st.sampled_from(INITIALIZERS))
@SETTINGS
def test_any_size_gives_finite_float64_of_the_right_shape(fan_in, fan_out, seed, fn):
    W = fn(fan_in, fan_out, rng=np.random.default_rng(seed))
    assert W.shape == (fan_in, fan_out) and W.dtype == np.float64
    assert np.all(np.isfinite(W))


# --------------------------------------------------------------------------
# input validation of the initializers
# --------------------------------------------------------------------------

@pytest.mark.parametrize("fn", INITIALIZERS + [zeros_init])
@pytest.mark.parametrize(
    "fan_in, fan_out, exc, name",
    [
        (0, 3, ValueError, "fan_in"),
        (-2, 3, ValueError, "fan_in"),
        (3, 0, ValueError, "fan_out"),
        (2.5, 3, TypeError, "fan_in"),
        (3, 4.0, TypeError, "fan_out"),
        (True, 3, TypeError, "fan_in"),
        ("3", 3, TypeError, "fan_in"),
        (3, None, TypeError, "fan_out"),
    ],
)
def test_bad_fans_raise(fn, fan_in, fan_out, exc, name):
    with pytest.raises(exc, match=name):
        fn(fan_in, fan_out, rng=np.random.default_rng(0))


@pytest.mark.parametrize("fn", INITIALIZERS)
@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0), np.random.default_rng])
def test_rng_must_be_a_generator(fn, rng):
    with pytest.raises(TypeError, match="rng"):
        fn(3, 4, rng=rng)


@pytest.mark.parametrize("fn", INITIALIZERS)
def test_rng_is_required(fn):
    with pytest.raises(TypeError, match="rng"):
        fn(3, 4)


def test_zeros_init_rejects_a_non_generator_rng():
    with pytest.raises(TypeError, match="rng"):
        zeros_init(3, 4, rng=np.random.RandomState(0))


@pytest.mark.parametrize(
    "scale, exc",
    [(-0.01, ValueError), (float("nan"), ValueError), (float("inf"), ValueError), ("0.1", TypeError), (None, TypeError)],
)
def test_bad_scale_raises(scale, exc):
    with pytest.raises(exc, match="scale"):
        small_random_init(3, 4, rng=np.random.default_rng(0), scale=scale)


# --------------------------------------------------------------------------
# layer_activation_stds: oracles
# --------------------------------------------------------------------------

def identity(z):
    return z


def relu(z):
    return np.maximum(z, 0.0)


def loop_stds(x, weights, act):
    """Pure-Python forward pass with exact (Fraction) products and sums, each rounded once to float;
    the population std of each layer from ``statistics.pstdev`` (exact arithmetic, correctly rounded)."""
    h = [[float(v) for v in row] for row in np.asarray(x)]
    stds = []
    for W in weights:
        W = [[Fraction(float(v)) for v in row] for row in np.asarray(W, dtype=float)]
        rows, cols = len(W), len(W[0])
        z = [[float(sum(Fraction(hr[i]) * W[i][j] for i in range(rows))) for j in range(cols)] for hr in h]
        h = [[float(act(v)) for v in row] for row in z]
        stds.append(statistics.pstdev([v for row in h for v in row]))
    return np.array(stds)


def rounding_bounds(x, weights, u=1e-13):
    """Bound on the float64 rounding error of each layer's std, for 1-Lipschitz activations with f(0) = 0.

    A computed product errs by a few ulps of the sums of |terms| (``scale``); an
    earlier error grows by at most the largest column sum of |W|; a std moves by
    at most the largest change of an entry; computing it costs a few ulps of the
    largest entry (at most ``scale``).
    """
    a = np.abs(np.asarray(x, dtype=float))
    err, bounds = 0.0, []
    for W in weights:
        aw = np.abs(np.asarray(W, dtype=float))
        a = a @ aw
        scale = float(a.max())
        err = u * scale + err * float(aw.sum(axis=0).max())
        bounds.append(2 * err + u * scale + 1e-300)  # + the subnormal range
    return np.array(bounds)


def centered(n, d, seed):
    """A batch whose every column has mean 0 (so do its images under any linear map)."""
    x = np.random.default_rng(seed).normal(size=(n, d))
    return x - x.mean(axis=0)


def rms(x):
    return math.sqrt(math.fsum(float(v) ** 2 for v in np.ravel(x)) / np.size(x))


def test_worked_numbers():
    x = np.array([[1.0, -1.0], [-1.0, 1.0]])
    weights = [2.0 * np.eye(2), 3.0 * np.eye(2)]
    # identity: h1 = 2x (entries +-2, std 2), h2 = 6x (std 6)
    np.testing.assert_allclose(layer_activation_stds(x, weights, identity), [2.0, 6.0], rtol=1e-15)
    # ReLU: h1 = [[2, 0], [0, 2]] (mean 1, std 1), h2 = [[6, 0], [0, 6]] (std 3)
    np.testing.assert_allclose(layer_activation_stds(x, weights, relu), [1.0, 3.0], rtol=1e-15)


def test_scaled_identity_layers_closed_form():
    x = centered(40, 6, seed=0)
    c = [0.5, -2.0, 3.0, 1.0, 0.25]
    stds = layer_activation_stds(x, [ci * np.eye(6) for ci in c], identity)
    expected = np.abs(np.cumprod(c)) * rms(x)  # centred data: std = rms
    np.testing.assert_allclose(stds, expected, rtol=1e-12)
    assert stds.shape == (5,) and stds.dtype == np.float64


def test_orthogonal_layers_keep_the_std_of_centred_data():
    rng = np.random.default_rng(1)
    x = centered(64, 8, seed=2)
    qs = [np.linalg.qr(rng.normal(size=(8, 8)))[0] for _ in range(12)]
    c = np.linspace(0.6, 1.5, 12)
    # x Q keeps every row's norm and, with centred columns, a zero overall mean.
    np.testing.assert_allclose(layer_activation_stds(x, qs, identity), np.full(12, rms(x)), rtol=1e-12)
    stds = layer_activation_stds(x, [ci * q for ci, q in zip(c, qs)], identity)
    np.testing.assert_allclose(stds, np.cumprod(c) * rms(x), rtol=1e-12)


def test_non_square_layers_closed_form():
    x = centered(30, 3, seed=4)
    embed = np.hstack([np.eye(3), np.zeros((3, 2))])  # (3, 5): pads two zero units
    project = 2.0 * np.eye(5)[:, :3]  # (5, 3): drops them again, doubled
    stds = layer_activation_stds(x, [embed, project], identity)
    # layer 1: the same sum of squares over 5/3 as many entries; layer 2: 2x back on 3 columns.
    np.testing.assert_allclose(stds, [rms(x) * math.sqrt(3 / 5), 2 * rms(x)], rtol=1e-12)


@pytest.mark.parametrize(
    "vec_act, scalar_act",
    [(identity, lambda v: v), (relu, lambda v: max(v, 0.0)), (np.tanh, math.tanh),
     (lambda z: np.where(z > 0, z, 0.1 * z), lambda v: v if v > 0 else 0.1 * v)],
)
def test_matches_loop_oracle(vec_act, scalar_act):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(7, 5))
    dims = [5, 4, 6, 3, 1]
    weights = [rng.normal(size=(dims[i], dims[i + 1])) for i in range(len(dims) - 1)]
    expected = loop_stds(x, weights, scalar_act)
    np.testing.assert_allclose(layer_activation_stds(x, weights, vec_act), expected, rtol=1e-10, atol=1e-12)


@st.composite
def networks(draw):
    n = draw(st.integers(1, 5))
    dims = draw(st.lists(st.integers(1, 5), min_size=1, max_size=5))
    elems = st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    x = draw(hnp.arrays(np.float64, (n, dims[0]), elements=elems))
    weights = [draw(hnp.arrays(np.float64, (dims[i], dims[i + 1]), elements=elems)) for i in range(len(dims) - 1)]
    return x, weights


@given(net=networks(), act=st.sampled_from(["identity", "relu", "tanh"]))
@SETTINGS
def test_property_matches_loop_oracle_and_is_pure(net, act):
    x, weights = net
    vec, scalar = {"identity": (identity, lambda v: v), "relu": (relu, lambda v: max(v, 0.0)),
                   "tanh": (np.tanh, math.tanh)}[act]
    x0, w0 = x.copy(), [w.copy() for w in weights]
    stds = layer_activation_stds(x, weights, vec)
    assert stds.shape == (len(weights),)
    assert np.all(stds >= 0)
    expected = loop_stds(x, weights, scalar)
    assert np.all(np.abs(stds - expected) <= 1e-12 * expected + rounding_bounds(x, weights))
    np.testing.assert_array_equal(x, x0)
    for w, w_orig in zip(weights, w0):
        np.testing.assert_array_equal(w, w_orig)


@given(net=networks(), c=st.floats(0.01, 100.0), act=st.sampled_from([identity, relu]))
@SETTINGS
def test_property_positive_homogeneity(net, c, act):
    """Identity and ReLU are positively homogeneous: scaling the input by c > 0 scales every std by c."""
    x, weights = net
    base = layer_activation_stds(x, weights, act)
    scaled = layer_activation_stds(c * x, weights, act)
    bound = rounding_bounds(x, weights)
    assert np.all(np.abs(scaled - c * base) <= 1e-12 * c * base + (1 + 2 * c) * bound)


def test_empty_weight_list_gives_empty_result():
    out = layer_activation_stds(np.ones((3, 2)), [], identity)
    assert out.shape == (0,) and out.dtype == np.float64


def test_weights_as_tuple_or_3d_array():
    x = centered(10, 3, seed=6)
    stack = np.stack([2.0 * np.eye(3), 0.5 * np.eye(3)])
    expected = [2 * rms(x), rms(x)]
    np.testing.assert_allclose(layer_activation_stds(x, tuple(stack), identity), expected, rtol=1e-12)
    np.testing.assert_allclose(layer_activation_stds(x, stack, identity), expected, rtol=1e-12)


def test_single_sample_and_single_unit():
    # one sample: the std is taken over the units; one sample and one unit: 0
    np.testing.assert_allclose(
        layer_activation_stds([[3.0, -1.0]], [np.eye(2), np.ones((2, 1))], identity), [2.0, 0.0], atol=0
    )


def test_dead_relu_layer_gives_zero_and_stays_zero():
    x = np.abs(np.random.default_rng(0).normal(size=(5, 3))) + 0.1  # positive inputs
    weights = [-np.eye(3), np.eye(3), 5 * np.ones((3, 2))]  # the first layer kills every unit
    np.testing.assert_array_equal(layer_activation_stds(x, weights, relu), [0.0, 0.0, 0.0])


def test_activation_called_once_per_layer_on_the_pre_activations():
    calls = []

    def recording(z):
        calls.append(z.copy())
        return np.tanh(z)

    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 3))
    weights = [rng.normal(size=(3, 5)), rng.normal(size=(5, 2))]
    layer_activation_stds(x, weights, recording)
    assert [c.shape for c in calls] == [(4, 5), (4, 2)]
    np.testing.assert_allclose(calls[0], x @ weights[0], rtol=1e-12)
    np.testing.assert_allclose(calls[1], np.tanh(x @ weights[0]) @ weights[1], rtol=1e-12)


def test_in_place_activation_does_not_touch_the_arguments():
    def in_place_relu(z):
        np.maximum(z, 0.0, out=z)
        return z

    x = np.random.default_rng(0).normal(size=(4, 3))
    weights = [np.eye(3), np.eye(3)]
    x0, w0 = x.copy(), [w.copy() for w in weights]
    layer_activation_stds(x, weights, in_place_relu)
    np.testing.assert_array_equal(x, x0)
    for w, w_orig in zip(weights, w0):
        np.testing.assert_array_equal(w, w_orig)


def test_accepts_nested_lists():
    np.testing.assert_allclose(
        layer_activation_stds([[1.0, -1.0], [-1.0, 1.0]], [[[2.0, 0.0], [0.0, 2.0]]], identity), [2.0]
    )


# Extreme but valid inputs: exact where float64 can hold the answer, no warnings anywhere.

def test_huge_activations_without_overflow_in_the_std():
    x = 1e200 * centered(20, 4, seed=7)  # squares would overflow: the std must not
    stds = layer_activation_stds(x, [np.eye(4), 1e100 * np.eye(4)], identity)
    np.testing.assert_allclose(stds, [rms(x / 1e200) * 1e200, rms(x / 1e200) * 1e300], rtol=1e-12)


def test_exploding_forward_pass_reports_inf_without_warnings():
    rng = np.random.default_rng(8)
    x = rng.uniform(0.5, 2.0, size=(6, 4)) * rng.choice([-1.0, 1.0], size=(6, 4))
    depth = 110
    for act in (identity, relu):
        stds = layer_activation_stds(x, [1e3 * np.eye(4)] * depth, act)
        assert stds.shape == (depth,)
        h0 = act(x)
        base = np.std(h0)
        # layer k holds act(x) * 1e(3k): finite up to k = 102 (|entries| <= 2e306) ...
        expected = np.array([base * 10.0 ** (3 * k) for k in range(1, 103)])
        np.testing.assert_allclose(stds[:102], expected, rtol=1e-12)
        # ... and beyond float64 from k = 103 on (every |entry| >= 5e308): inf there and after.
        assert np.all(np.isinf(stds[102:]))


def test_vanishing_forward_pass_reaches_zero_without_warnings():
    x = centered(6, 4, seed=9)
    stds = layer_activation_stds(x, [1e-3 * np.eye(4)] * 120, identity)
    assert np.all(np.isfinite(stds)) and np.all(stds >= 0)
    expected = np.array([rms(x) * 10.0 ** (-3 * k) for k in range(1, 101)])
    np.testing.assert_allclose(stds[:100], expected, rtol=1e-12)
    assert stds[-1] == 0.0


def test_small_random_init_makes_the_signal_vanish_he_keeps_it():
    """The lesson's point, on a deep ReLU stack: 0.01 collapses, He keeps the spread within a factor 2."""
    rng = np.random.default_rng(0)
    width, depth = 256, 10
    x = rng.normal(size=(200, width))
    he = layer_activation_stds(x, [he_normal(width, width, rng=rng) for _ in range(depth)], relu)
    small = layer_activation_stds(x, [small_random_init(width, width, rng=rng) for _ in range(depth)], relu)
    assert np.all((he / he[0] > 0.5) & (he / he[0] < 2.0))
    # each layer multiplies the rms by about 0.01 * sqrt(256 / 2) = 0.11
    assert small[-1] / small[0] < 1e-6


# --------------------------------------------------------------------------
# layer_activation_stds: input validation
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "x, weights, activation, exc, match",
    [
        (np.ones(3), [np.eye(3)], identity, ValueError, "x"),
        (np.ones((2, 3, 1)), [np.eye(3)], identity, ValueError, "x"),
        (np.ones((0, 3)), [np.eye(3)], identity, ValueError, "x"),
        (np.array([[1.0, np.nan, 0.0]]), [np.eye(3)], identity, ValueError, "x"),
        (np.array([[1.0, np.inf, 0.0]]), [np.eye(3)], identity, ValueError, "x"),
        ([["a", "b"]], [np.eye(2)], identity, TypeError, "x"),
        (None, [np.eye(2)], identity, TypeError, "x"),
        (np.ones((2, 3)), np.eye(3), identity, TypeError, "weights"),
        (np.ones((2, 3)), 3.0, identity, TypeError, "weights"),
        (np.ones((2, 3)), [np.ones(3)], identity, ValueError, r"weights\[0\]"),
        (np.ones((2, 3)), [np.ones((2, 3))], identity, ValueError, r"weights\[0\]"),
        (np.ones((2, 3)), [np.eye(3), np.ones((2, 2))], identity, ValueError, r"weights\[1\]"),
        (np.ones((2, 3)), [np.eye(3), np.ones((3, 0))], identity, ValueError, r"weights\[1\]"),
        (np.ones((2, 3)), [np.full((3, 3), np.inf)], identity, ValueError, r"weights\[0\]"),
        (np.ones((2, 3)), [np.eye(3), [["a"] * 3] * 3], identity, TypeError, r"weights\[1\]"),
        (np.ones((2, 3)), [np.eye(3)], "relu", TypeError, "activation"),
        (np.ones((2, 3)), [np.eye(3)], None, TypeError, "activation"),
        (np.ones((2, 3)), [np.eye(3)], lambda z: z[:, :1], ValueError, "activation"),
        (np.ones((2, 3)), [np.eye(3)], lambda z: z.sum(), ValueError, "activation"),
    ],
)
def test_bad_arguments_raise(x, weights, activation, exc, match):
    with pytest.raises(exc, match=match):
        layer_activation_stds(x, weights, activation)
