"""Tests for solutions/losses.py (lesson 01-loss-functions).

Expected values come from PyTorch in double precision (``mse_loss``,
``binary_cross_entropy``, ``cross_entropy``, ``nll_loss`` and autograd),
central finite differences, closed forms written with ``math.log`` and the
worked numbers of the curriculum (0.589 and 0.802, accuracies 1.0 and 0.0);
never from the reference's own output.
"""

import doctest
import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from solutions import losses
from solutions.losses import accuracy, binary_cross_entropy, categorical_cross_entropy, mse, mse_grad
from tests import oracles

pytestmark = pytest.mark.lesson01

HYP = settings(max_examples=40, deadline=None)
SHAPES = [(1,), (7,), (5, 3), (1, 4), (2, 3, 4)]

# The worked examples of the lesson (with the errata: the second loss is 0.802).
RIGHT_PROBS = [[0.55, 0.45], [0.44, 0.56]]
RIGHT_LABELS = [[1.0, 0.0], [0.0, 1.0]]
WRONG_PROBS = [[0.51, 0.49], [0.41, 0.59]]
WRONG_LABELS = [[0.0, 1.0], [1.0, 0.0]]


def _torch_tensor(a):
    torch = oracles.torch()
    return torch.tensor(np.asarray(a, dtype=np.float64))


def _random_probs(rng, n, k):
    p = rng.uniform(0.02, 1.0, size=(n, k))
    return p / p.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    "func, expected",
    [
        (mse, "(y_pred, y_true)"),
        (mse_grad, "(y_pred, y_true)"),
        (binary_cross_entropy, "(p, y, eps=1e-12)"),
        (categorical_cross_entropy, "(probs, y_onehot, eps=1e-12)"),
        (accuracy, "(probs, y_onehot)"),
    ],
)
def test_signatures_match_curriculum(func, expected):
    """Names, arguments and defaults are those of the curriculum."""
    assert str(inspect.signature(func)) == expected


def test_docstring_examples_run():
    """The Examples sections are correct doctests."""
    result = doctest.testmod(losses, verbose=False)
    assert result.attempted >= 8
    assert result.failed == 0


# --------------------------------------------------------------------------- mse


@pytest.mark.parametrize("shape", SHAPES)
def test_mse_matches_torch(shape):
    """mse equals torch.nn.functional.mse_loss (mean over every element)."""
    torch = oracles.torch()
    rng = np.random.default_rng(sum(shape))
    a, b = rng.normal(size=shape) * 3, rng.normal(size=shape)
    expected = torch.nn.functional.mse_loss(_torch_tensor(a), _torch_tensor(b)).item()
    got = mse(a, b)
    assert type(got) is float
    assert got == pytest.approx(expected, rel=1e-12)


def test_mse_hand_numbers():
    """One error of 2 among three elements gives 4/3; a 0-d pair gives the squared difference."""
    assert mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]) == pytest.approx(4 / 3, rel=1e-15)
    assert mse([[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]) == pytest.approx(30 / 4, rel=1e-15)
    assert mse(2.5, -0.5) == pytest.approx(9.0, rel=1e-15)
    assert mse(np.zeros(4), np.zeros(4)) == 0.0


def test_mse_large_magnitudes_without_warnings():
    """Errors of 1e100 square to 1e200: finite, exact to rounding, no overflow warning."""
    assert mse([[1e100, -1e100]], [[0.0, 0.0]]) == pytest.approx(1e200, rel=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_mse_grad_matches_finite_differences(shape):
    """mse_grad agrees with central differences of mse."""
    rng = np.random.default_rng(10 + sum(shape))
    a, b = rng.normal(size=shape), rng.normal(size=shape)
    numeric = oracles.numerical_grad(lambda x: mse(x, b), a)
    got = mse_grad(a, b)
    assert got.shape == a.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)


def test_mse_grad_matches_torch_autograd():
    """mse_grad is the gradient torch computes for mse_loss."""
    torch = oracles.torch()
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    x = _torch_tensor(a).requires_grad_(True)
    torch.nn.functional.mse_loss(x, _torch_tensor(b)).backward()
    np.testing.assert_allclose(mse_grad(a, b), x.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_mse_grad_hand_numbers():
    """2 * (3 - 5) / 3 on the one wrong element, 0 elsewhere."""
    np.testing.assert_allclose(mse_grad([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]), [0.0, 0.0, -4 / 3], rtol=1e-15)


finite = st.floats(-1e6, 1e6, allow_nan=False)


@st.composite
def same_shape_pair(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    return (draw(hnp.arrays(np.float64, shape, elements=finite)),
            draw(hnp.arrays(np.float64, shape, elements=finite)))


@HYP
@given(same_shape_pair())
def test_mse_properties(pair):
    """mse >= 0, is symmetric, is 0 on equal arrays and depends only on the difference."""
    a, b = pair
    value = mse(a, b)
    assert value >= 0.0
    assert value == pytest.approx(mse(b, a), rel=1e-12)
    assert mse(a, a) == 0.0
    assert value == pytest.approx(mse(a - b, np.zeros_like(a)), rel=1e-12, abs=1e-300)


@HYP
@given(same_shape_pair())
def test_mse_grad_is_zero_at_the_target_and_antisymmetric(pair):
    """The gradient vanishes at y_pred == y_true and flips sign when the arguments swap."""
    a, b = pair
    assert not np.any(mse_grad(a, a))
    np.testing.assert_allclose(mse_grad(a, b), -mse_grad(b, a), rtol=1e-12, atol=0)


# --------------------------------------------------------------------------- binary cross-entropy


@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize("shape", [(1,), (50,), (4, 3)])
def test_binary_cross_entropy_matches_torch(shape, soft):
    """binary_cross_entropy equals torch's binary_cross_entropy away from 0 and 1 (no clipping there)."""
    torch = oracles.torch()
    rng = np.random.default_rng(20 + len(shape) + soft)
    p = rng.uniform(0.001, 0.999, size=shape)
    y = rng.uniform(0, 1, size=shape) if soft else rng.integers(0, 2, size=shape).astype(float)
    expected = torch.nn.functional.binary_cross_entropy(_torch_tensor(p), _torch_tensor(y)).item()
    got = binary_cross_entropy(p, y)
    assert type(got) is float
    assert got == pytest.approx(expected, rel=1e-12)


def test_binary_cross_entropy_hand_numbers():
    """-(log 0.9 + log 0.8) / 2 and log 2 for a coin flip."""
    expected = -(math.log(0.9) + math.log(0.8)) / 2
    assert binary_cross_entropy([0.9, 0.2], [1.0, 0.0]) == pytest.approx(expected, rel=1e-12)
    assert binary_cross_entropy([0.5], [1.0]) == pytest.approx(math.log(2), rel=1e-12)


@pytest.mark.parametrize("eps", [1e-12, 1e-7, 0.01])
def test_binary_cross_entropy_clips_exact_zeros_and_ones(eps):
    """p of exactly 0 or 1: finite, no warnings, each confident mistake costs about -log(eps).

    The clip at 1 - eps is a float: 1 - (1 - 1e-12) is 1.0000889e-12, not 1e-12,
    so the second mistake costs -log(1 - fl(1 - eps)).
    """
    wrong = binary_cross_entropy([0.0, 1.0], [1.0, 0.0], eps=eps)
    assert wrong == pytest.approx(-(math.log(eps) + math.log(1.0 - (1.0 - eps))) / 2, rel=1e-12)
    assert wrong == pytest.approx(-math.log(eps), rel=1e-5)
    right = binary_cross_entropy([0.0, 1.0], [0.0, 1.0], eps=eps)
    assert right == pytest.approx(-math.log1p(-eps), rel=1e-6)
    mixed = binary_cross_entropy([0.0, 1.0, 0.3], [0.0, 1.0, 1.0], eps=eps)
    assert mixed == pytest.approx((-2 * math.log1p(-eps) - math.log(0.3)) / 3, rel=1e-9)


def test_binary_cross_entropy_is_the_mean_not_the_sum():
    """Repeating the data leaves the loss unchanged."""
    p, y = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    assert binary_cross_entropy(np.tile(p, 4), np.tile(y, 4)) == pytest.approx(
        binary_cross_entropy(p, y), rel=1e-12)


probabilities = st.floats(0.0, 1.0)


@st.composite
def probability_pair(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5))
    return (draw(hnp.arrays(np.float64, shape, elements=probabilities)),
            draw(hnp.arrays(np.float64, shape, elements=probabilities)))


@HYP
@given(probability_pair())
def test_binary_cross_entropy_is_finite_and_bounded(pair):
    """Any probabilities in [0, 1], zeros and ones included: 0 <= loss <= -log(eps), no warnings."""
    p, y = pair
    value = binary_cross_entropy(p, y)
    assert 0.0 <= value <= -math.log(1e-12) * (1 + 1e-9)


# --------------------------------------------------------------------------- categorical cross-entropy


def test_categorical_cross_entropy_worked_numbers():
    """The lesson's examples: 0.589 for the right predictions and 0.802 (errata: not 0.62) for the wrong."""
    right = categorical_cross_entropy(RIGHT_PROBS, RIGHT_LABELS)
    wrong = categorical_cross_entropy(WRONG_PROBS, WRONG_LABELS)
    assert round(right, 3) == 0.589
    assert round(wrong, 3) == 0.802
    assert right == pytest.approx(-(math.log(0.55) + math.log(0.56)) / 2, rel=1e-12)
    assert wrong == pytest.approx(-(math.log(0.49) + math.log(0.41)) / 2, rel=1e-12)
    # the notes' 0.62 uses 0.59, the probability of the wrong class
    assert abs(wrong - 0.62) > 0.1


@pytest.mark.parametrize("n, k", [(1, 10), (6, 4), (30, 3)])
def test_categorical_cross_entropy_matches_torch_hard_labels(n, k):
    """With one-hot labels it is torch's nll_loss of log(probs)."""
    torch = oracles.torch()
    rng = np.random.default_rng(n * k)
    probs = _random_probs(rng, n, k)
    labels = rng.integers(0, k, size=n)
    expected = torch.nn.functional.nll_loss(torch.log(_torch_tensor(probs)), torch.tensor(labels)).item()
    got = categorical_cross_entropy(probs, np.eye(k)[labels])
    assert type(got) is float
    assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n, k", [(1, 5), (8, 3), (20, 6)])
def test_categorical_cross_entropy_matches_torch_soft_labels(n, k):
    """With soft labels it is torch's cross_entropy with probability targets (on log-probabilities)."""
    torch = oracles.torch()
    rng = np.random.default_rng(100 + n * k)
    probs, targets = _random_probs(rng, n, k), _random_probs(rng, n, k)
    # log(probs) are logits whose log_softmax is log(probs) itself, because rows sum to 1
    expected = torch.nn.functional.cross_entropy(torch.log(_torch_tensor(probs)), _torch_tensor(targets)).item()
    assert categorical_cross_entropy(probs, targets) == pytest.approx(expected, rel=1e-10)


def test_categorical_cross_entropy_clips_zeros_without_warnings():
    """A zero probability on the true class costs -log(eps); zeros elsewhere cost nothing."""
    probs = [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    labels = [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    expected = (-math.log1p(-1e-12) - math.log(1e-12)) / 2
    assert categorical_cross_entropy(probs, labels) == pytest.approx(expected, rel=1e-9)
    assert categorical_cross_entropy(probs, labels, eps=1e-3) == pytest.approx(
        (-math.log1p(-1e-3) - math.log(1e-3)) / 2, rel=1e-9)


def test_categorical_cross_entropy_mean_over_samples_only():
    """The mean is over rows; adding classes with zero label does not dilute the loss."""
    probs, labels = np.array(RIGHT_PROBS), np.array(RIGHT_LABELS)
    padded_probs = np.hstack([probs, np.zeros((2, 3))])
    padded_labels = np.hstack([labels, np.zeros((2, 3))])
    assert categorical_cross_entropy(padded_probs, padded_labels) == pytest.approx(
        -(math.log(0.55) + math.log(0.56)) / 2, rel=1e-12)


# --------------------------------------------------------------------------- accuracy


def test_accuracy_worked_numbers():
    """The lesson's examples: both right (1.0), both wrong (0.0) despite similar losses."""
    assert accuracy(RIGHT_PROBS, RIGHT_LABELS) == 1.0
    assert accuracy(WRONG_PROBS, WRONG_LABELS) == 0.0
    assert type(accuracy(RIGHT_PROBS, RIGHT_LABELS)) is float


@pytest.mark.parametrize("n, k, n_right", [(40, 5, 13), (7, 3, 7), (5, 9, 0), (1, 2, 1)])
def test_accuracy_counts_right_rows(n, k, n_right):
    """Predictions built to be right on exactly n_right rows give n_right / n."""
    rng = np.random.default_rng(n + k)
    labels = rng.integers(0, k, size=n)
    predicted = labels.copy()
    predicted[n_right:] = (labels[n_right:] + rng.integers(1, k, size=n - n_right)) % k
    probs = rng.uniform(0, 0.4, size=(n, k))
    probs[np.arange(n), predicted] = 0.9  # the unique row maximum
    assert accuracy(probs, np.eye(k)[labels]) == pytest.approx(n_right / n, abs=1e-15)


def test_accuracy_ties_go_to_the_lowest_index():
    """The documented convention: a tie counts as a prediction of the first tied class."""
    assert accuracy([[0.5, 0.5]], [[1.0, 0.0]]) == 1.0
    assert accuracy([[0.5, 0.5]], [[0.0, 1.0]]) == 0.0
    assert accuracy([[0.2, 0.4, 0.4]], [[0.0, 0.0, 1.0]]) == 0.0


@HYP
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(2, 5)),
                  elements=st.floats(-50, 50)), st.randoms(use_true_random=False))
def test_accuracy_depends_only_on_the_ranking(logits, random):
    """Logits and their softmax give the same accuracy; permuting the classes changes nothing."""
    n, k = logits.shape
    labels = np.eye(k)[[random.randrange(k) for _ in range(n)]]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    value = accuracy(logits, labels)
    probs = e / e.sum(axis=1, keepdims=True)
    if np.all(np.sort(probs, axis=1)[:, -1] > np.sort(probs, axis=1)[:, -2]):  # no ties after rounding
        assert accuracy(probs, labels) == value
        perm = random.sample(range(k), k)
        assert accuracy(logits[:, perm], labels[:, perm]) == value
    assert 0.0 <= value <= 1.0


# --------------------------------------------------------------------------- purity and validation

ALL_CALLS = [
    (mse, lambda rng: (rng.normal(size=(3, 2)), rng.normal(size=(3, 2)))),
    (mse_grad, lambda rng: (rng.normal(size=(3, 2)), rng.normal(size=(3, 2)))),
    (binary_cross_entropy, lambda rng: (rng.uniform(size=5), rng.integers(0, 2, size=5).astype(float))),
    (categorical_cross_entropy, lambda rng: (_random_probs(rng, 4, 3), np.eye(3)[[0, 2, 1, 1]])),
    (accuracy, lambda rng: (_random_probs(rng, 4, 3), np.eye(3)[[0, 2, 1, 1]])),
]


@pytest.mark.parametrize("func, make", ALL_CALLS, ids=lambda v: getattr(v, "__name__", ""))
def test_arguments_are_left_unchanged(func, make):
    """No function writes into its arguments; mse_grad returns a new array."""
    args = make(np.random.default_rng(0))
    copies = [a.copy() for a in args]
    out = func(*args)
    for before, after in zip(copies, args):
        np.testing.assert_array_equal(before, after)
    if isinstance(out, np.ndarray):
        assert not any(np.shares_memory(out, a) for a in args)


@pytest.mark.parametrize("func", [mse, mse_grad, binary_cross_entropy])
def test_mismatched_shapes_raise(func):
    """Shapes must match exactly: (3, 1) against (3,) would broadcast to (3, 3)."""
    names = "y_pred and y_true" if func in (mse, mse_grad) else "p and y"
    with pytest.raises(ValueError, match=rf"{names} must have the same shape, got \(3, 1\) and \(3,\)"):
        func(np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match=names):
        func(np.zeros(3), np.zeros(4))


@pytest.mark.parametrize("func", [categorical_cross_entropy, accuracy])
def test_two_dimensional_functions_validate_shapes(func):
    """probs and y_onehot are (n_samples, n_classes) arrays of one shape."""
    with pytest.raises(ValueError, match=r"probs must be a 2-D array, got shape \(2,\)"):
        func([0.5, 0.5], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"y_onehot must be a 2-D array"):
        func([[0.5, 0.5]], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"probs and y_onehot must have the same shape"):
        func([[0.5, 0.5]], [[1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match=r"at least one element"):
        func(np.zeros((0, 3)), np.zeros((0, 3)))


@pytest.mark.parametrize("func", [mse, mse_grad, binary_cross_entropy])
def test_empty_arrays_raise(func):
    """A mean over no elements is undefined: ValueError, not a NaN and a warning."""
    with pytest.raises(ValueError, match=r"at least one element"):
        func(np.zeros(0), np.zeros(0))


@pytest.mark.parametrize("func", [mse, mse_grad, binary_cross_entropy, categorical_cross_entropy, accuracy])
def test_non_numeric_input_raises_type_error(func):
    """A string is not an array of numbers; the message names the argument."""
    first = {"mse": "y_pred", "mse_grad": "y_pred", "binary_cross_entropy": "p"}.get(func.__name__, "probs")
    with pytest.raises(TypeError, match=rf"{first} must be a real numeric array, got str"):
        func("abc", [[1.0]])


@pytest.mark.parametrize("bad", [-0.1, 1.5, np.nan])
def test_cross_entropies_reject_values_outside_the_unit_interval(bad):
    """Probabilities and labels must lie in [0, 1]; NaN does not."""
    with pytest.raises(ValueError, match=r"p must hold probabilities in \[0, 1\], got"):
        binary_cross_entropy([0.5, bad], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"y must hold probabilities in \[0, 1\], got"):
        binary_cross_entropy([0.5, 0.5], [1.0, bad])
    with pytest.raises(ValueError, match=r"probs must hold probabilities in \[0, 1\], got"):
        categorical_cross_entropy([[0.5, bad]], [[1.0, 0.0]])
    with pytest.raises(ValueError, match=r"y_onehot must hold probabilities in \[0, 1\], got"):
        categorical_cross_entropy([[0.5, 0.5]], [[1.0, bad]])


@pytest.mark.parametrize("func", [binary_cross_entropy, categorical_cross_entropy])
@pytest.mark.parametrize("eps, error, match", [
    (0.0, ValueError, r"eps must be > 0.0, got 0.0"),
    (-1e-9, ValueError, r"eps must be > 0.0"),
    (0.5, ValueError, r"eps must be < 0.5, got 0.5"),
    (np.inf, ValueError, r"eps must be finite"),
    ("1e-12", TypeError, r"eps must be a real number, got str"),
])
def test_eps_is_validated(func, eps, error, match):
    """eps lies in (0, 0.5): 0 would not clip and 0.5 would clip everything to 0.5."""
    with pytest.raises(error, match=match):
        func([[0.5, 0.5]], [[1.0, 0.0]], eps=eps)


def test_accuracy_rejects_nan():
    """NaN has no place in a ranking: argmax would silently pick it."""
    with pytest.raises(ValueError, match=r"probs must not contain NaN"):
        accuracy([[np.nan, 0.5]], [[1.0, 0.0]])
    with pytest.raises(ValueError, match=r"y_onehot must not contain NaN"):
        accuracy([[0.5, 0.4]], [[np.nan, 0.0]])
