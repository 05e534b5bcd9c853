"""Tests of solutions/backprop.py (lesson 10-backpropagation) against independent oracles.

Oracles: PyTorch autograd in double precision (a fully connected layer, and a
whole MLP with ReLU or tanh hidden layers into ``torch.nn.functional.
cross_entropy``), closed forms (the derivative of polynomials and of
``sin``, the truncation error of a central difference), CS231n's definition of
the relative error written out by hand, and numbers worked by hand. No
expected value is the reference's own output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from solutions.backprop import dense_backward, dense_forward, mlp_backward, numerical_gradient, relative_error
from tests import oracles

pytestmark = pytest.mark.lesson10


def _net(sizes, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    weights = [scale * rng.normal(size=(m, n)) / math.sqrt(m) for m, n in zip(sizes[:-1], sizes[1:])]
    biases = [0.1 * rng.normal(size=n) for n in sizes[1:]]
    return weights, biases


# --- dense_forward and dense_backward ---

def test_dense_forward_by_hand():
    Z = dense_forward([[1.0, 2.0], [0.0, -1.0]], [[1.0, 0.0, 2.0], [0.0, -1.0, 1.0]], [0.5, 0.0, -1.0])
    assert Z.tolist() == [[1.5, -2.0, 3.0], [0.5, 1.0, -2.0]]


@pytest.mark.parametrize("n,fan_in,fan_out", [(1, 1, 1), (5, 3, 4), (7, 6, 2)])
def test_dense_backward_matches_torch_autograd(n, fan_in, fan_out):
    torch = oracles.torch()
    rng = np.random.default_rng(n + fan_in)
    X, W, b, dZ = (rng.normal(size=(n, fan_in)), rng.normal(size=(fan_in, fan_out)), rng.normal(size=fan_out),
                   rng.normal(size=(n, fan_out)))
    tX, tW, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (X, W, b))
    (tX @ tW + tb).backward(torch.tensor(dZ, dtype=torch.float64))
    copies = X.copy(), W.copy(), dZ.copy()
    dX, dW, db = dense_backward(dZ, X, W)
    np.testing.assert_allclose(dX, tX.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dW, tW.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(db, tb.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dense_forward(X, W, b), (tX @ tW + tb).detach().numpy(), rtol=1e-12, atol=1e-14)
    for before, after in zip(copies, (X, W, dZ)):
        assert np.array_equal(before, after)


@pytest.mark.parametrize("args,words", [
    (([[1.0, 2.0]], [[1.0], [2.0], [3.0]], [0.0]), "X has 2 features but W has 3 rows"),
    (([[1.0, 2.0]], [[1.0], [2.0]], [0.0, 1.0]), "b must have shape (fan_out,) = (1,)"),
    (([1.0, 2.0], [[1.0], [2.0]], [0.0]), "X must be a 2-D array"),
])
def test_dense_forward_names_the_bad_argument(args, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        dense_forward(*args)


def test_dense_backward_checks_the_shape_of_dz():
    with pytest.raises(ValueError, match="dZ must have the shape of the layer's output"):
        dense_backward(np.ones((2, 3)), np.ones((2, 4)), np.ones((4, 2)))


# --- mlp_backward ---

@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("sizes", [(4, 3), (5, 8, 3), (6, 7, 5, 4), (3, 4, 4, 4, 2)])
def test_mlp_backward_matches_torch_autograd(sizes, activation):
    rng = np.random.default_rng(len(sizes))
    n = 9
    X = rng.normal(size=(n, sizes[0]))
    y = rng.integers(0, sizes[-1], size=n)
    weights, biases = _net(sizes, seed=len(sizes) + 10)
    copies = [W.copy() for W in weights] + [b.copy() for b in biases] + [X.copy()]
    loss, grads_W, grads_b = mlp_backward(X, y, weights, biases, activation=activation)
    want_loss, want_W, want_b = oracles.torch_mlp_backward(X, y, weights, biases, activation=activation)
    assert isinstance(loss, float) and loss == pytest.approx(want_loss, rel=1e-12)
    assert len(grads_W) == len(grads_b) == len(weights)
    for got, want in zip(grads_W + grads_b, want_W + want_b):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)
    for before, after in zip(copies, weights + biases + [X]):
        assert np.array_equal(before, after)


def test_mlp_backward_by_hand_one_linear_layer():
    # Zero weights: a uniform softmax over 2 classes, loss log 2, delta = (1/2 - onehot) / n.
    loss, (gW,), (gb,) = mlp_backward([[1.0, 2.0], [3.0, -1.0]], [0, 1], [np.zeros((2, 2))], [np.zeros(2)])
    assert loss == pytest.approx(math.log(2))
    np.testing.assert_allclose(gb, [(-0.5 + 0.5) / 2, (0.5 - 0.5) / 2], atol=1e-15)
    np.testing.assert_allclose(gW, np.array([[1.0, 3.0], [2.0, -1.0]]) @ np.array([[-0.5, 0.5], [0.5, -0.5]]) / 2)


def test_mlp_backward_is_stable_for_huge_logits():
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is harmless
        loss, _, _ = mlp_backward([[1.0]], [0], [np.array([[1000.0, -1000.0]])], [np.zeros(2)])
    assert loss == 0.0


def test_relu_gradient_is_zero_at_exactly_zero():
    # The hidden pre-activation is exactly 0: no gradient reaches the first layer through it.
    _, grads_W, grads_b = mlp_backward([[1.0]], [0], [np.array([[1.0]]), np.array([[1.0, -1.0]])],
                                       [np.array([-1.0]), np.zeros(2)])
    assert grads_W[0].tolist() == [[0.0]] and grads_b[0].tolist() == [0.0]


@pytest.mark.parametrize("kwargs,words", [
    ({"weights": [], "biases": []}, "weights must hold at least one weight matrix"),
    ({"biases": [np.zeros(3)]}, "one entry per layer, got 2 weight matrices and 1 bias vectors"),
    ({"weights": [np.ones((4, 3)), np.ones((2, 2))]}, r"layer 1 has 3 outputs but weights\[1\] \(layer 2\) has 2 rows"),
    ({"weights": [np.ones((5, 3)), np.ones((3, 2))]}, r"X has 4 outputs but weights\[0\] \(layer 1\) has 5 rows"),
    ({"biases": [np.zeros(3), np.zeros(3)]}, r"biases\[1\] must have shape \(2,\)"),
    ({"y": np.array([0, 2, 1])}, r"y must hold labels in \[0, 1\]"),
    ({"y": np.array([0, 1])}, r"y must have shape \(n_samples,\) = \(3,\)"),
    ({"activation": "sigmoid"}, "activation must be one of"),
    ({"X": np.ones(4)}, "X must be a 2-D array"),
    ({"X": np.ones((0, 4)), "y": np.array([], dtype=int)}, "X must hold at least one sample"),
    ({"y": np.array([0.0, 0.5, 1.0])}, "y must hold integer class labels"),
    ({"y": np.array([[0, 1, 1]])}, "y must be a 1-D array"),
    ({"activation": ["relu"]}, "activation must be one of"),
    ({"weights": [np.ones(4), np.ones((3, 2))]}, r"weights\[0\] must be a 2-D array"),
    ({"biases": [np.zeros((3, 1)), np.zeros(2)]}, r"biases\[0\] must be a 1-D array"),
])
def test_mlp_backward_names_the_bad_argument(kwargs, words):
    args = {"X": np.ones((3, 4)), "y": np.array([0, 1, 1]), "weights": [np.ones((4, 3)), np.ones((3, 2))],
            "biases": [np.zeros(3), np.zeros(2)], "activation": "relu"}
    args.update(kwargs)
    with pytest.raises(ValueError, match=words):
        mlp_backward(args["X"], args["y"], args["weights"], args["biases"], activation=args["activation"])


@pytest.mark.parametrize("weights, biases, words", [
    (np.ones((1, 4, 2)), [np.zeros(2)], "weights must be a list of weight matrices, got ndarray"),
    ([np.ones((4, 2))], np.zeros((1, 2)), "biases must be a list of bias vectors, got ndarray"),
])
def test_mlp_backward_wants_lists(weights, biases, words):
    with pytest.raises(TypeError, match=words):
        mlp_backward(np.ones((3, 4)), [0, 1, 1], weights, biases)


def test_mlp_backward_accepts_float_labels_that_are_integers_and_one_sample():
    weights, biases = _net((3, 4, 2), seed=2)
    X = np.array([[0.5, -1.0, 2.0]])
    want = oracles.torch_mlp_backward(X, np.array([1]), weights, biases, activation="tanh")
    got = mlp_backward(X, np.array([1.0]), weights, biases, activation="tanh")
    assert got[0] == pytest.approx(want[0], rel=1e-12)
    for a, b in zip(got[1] + got[2], want[1] + want[2]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


# --- numerical_gradient and relative_error ---

def test_numerical_gradient_of_closed_forms():
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    f = lambda v: float(np.sum(np.sin(v)) + np.sum(v ** 3))  # noqa: E731
    exact = np.cos(x) + 3 * x ** 2
    before = x.copy()
    got = numerical_gradient(f, x)
    assert got.shape == x.shape and np.array_equal(x, before)
    np.testing.assert_allclose(got, exact, rtol=1e-8)


def test_numerical_gradient_is_central_not_one_sided():
    # f = x**3 at 1: a central difference is off by exactly h**2, a one-sided one by about 3 h.
    h = 1e-3
    got = float(numerical_gradient(lambda v: float(v[0] ** 3), np.array([1.0]), h=h)[0])
    assert got == pytest.approx(3 + h ** 2, abs=1e-9)
    one_sided = ((1 + h) ** 3 - 1) / h
    assert abs(one_sided - 3) > 1e-3


def test_numerical_gradient_of_a_quadratic_and_a_one_sided_difference_would_fail():
    # f = 1/2 x.A x + c.x over a (2, 3) point: the gradient is A x + c, and a central difference has no
    # truncation error on a quadratic (only rounding, about eps |f| / h), where a one-sided one is off by
    # h / 2 * A_ii.
    rng = np.random.default_rng(8)
    M = rng.normal(size=(6, 6))
    A, c = M @ M.T + 6 * np.eye(6), rng.normal(size=6)
    x = rng.normal(size=(2, 3))

    def f(v):
        v = v.reshape(-1)
        return float(0.5 * v @ A @ v + c @ v)

    exact = (A @ x.reshape(-1) + c).reshape(2, 3)
    h, tolerance = 1e-5, {"rtol": 0, "atol": 1e-8}
    np.testing.assert_allclose(numerical_gradient(f, x, h=h), exact, **tolerance)
    one_sided = np.array([(f(x + h * e) - f(x)) / h for e in np.eye(6).reshape(6, 2, 3)]).reshape(2, 3)
    np.testing.assert_allclose(one_sided - exact, h / 2 * np.diag(A).reshape(2, 3), rtol=1e-3)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(one_sided, exact, **tolerance)


def test_numerical_gradient_error_shrinks_as_h_squared():
    # sin at 0.7: the central error is h**2 / 6 * |cos(0.7)| to leading order, so h / 10 divides it by 100
    # (a one-sided difference would only divide it by 10).
    errors = [abs(float(numerical_gradient(lambda v: float(np.sin(v[0])), np.array([0.7]), h=h)[0]) - math.cos(0.7))
              for h in (1e-2, 1e-3)]
    assert errors[0] == pytest.approx(1e-4 / 6 * math.cos(0.7), rel=1e-3)
    assert errors[0] / errors[1] == pytest.approx(100, rel=1e-2)


def test_numerical_gradient_does_not_let_f_change_x():
    def f(v):
        value = float(np.sum(v ** 2))
        v[...] = 0.0  # a careless f: it must not corrupt the point
        return value

    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(numerical_gradient(f, x), [2.0, -4.0], rtol=1e-8)
    assert x.tolist() == [1.0, -2.0]


@pytest.mark.parametrize("h,error", [(0.0, ValueError), (-1e-5, ValueError), (float("nan"), ValueError),
                                     ("1e-5", TypeError)])
def test_numerical_gradient_checks_h(h, error):
    with pytest.raises(error, match="h must"):
        numerical_gradient(lambda v: 0.0, np.zeros(2), h=h)


def test_numerical_gradient_wants_a_number_from_f():
    with pytest.raises(TypeError, match="f must return a single real number"):
        numerical_gradient(lambda v: v, np.zeros(2))


def test_relative_error_is_cs231ns():
    a, b = np.array([1.0, 0.0, -2.0, 1e-12]), np.array([1.5, 0.0, -2.0, 0.0])
    by_hand = max(0.5 / 2.5, 0.0, 0.0, 1e-12 / 1e-8)  # the floor 1e-8 for the tiny entries
    assert relative_error(a, b) == pytest.approx(by_hand)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([1.0], [3.0]) == 0.5
    assert relative_error([1.0], [-1.0]) == 1.0  # opposite signs: the largest possible error
    assert isinstance(relative_error([1.0], [1.0]), float)


def test_relative_error_leaves_its_inputs_alone_and_takes_any_shape():
    a, b = np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([[1.0, -2.5], [0.0, 3.0]])
    copies = a.copy(), b.copy()
    assert relative_error(a, b) == pytest.approx(0.5 / 4.5)
    assert np.array_equal(a, copies[0]) and np.array_equal(b, copies[1])
    assert relative_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


def test_relative_error_checks_the_shapes():
    with pytest.raises(ValueError, match=r"a and b must have the same shape, got \(2,\) and \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


def test_a_gradient_check_of_the_mlp_passes_and_a_wrong_gradient_fails():
    sizes = (4, 5, 3)
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    weights, biases = _net(sizes, seed=5)
    _, grads_W, _ = mlp_backward(X, y, weights, biases, activation="tanh")

    def loss_of_first(W0):
        return mlp_backward(X, y, [W0, weights[1]], biases, activation="tanh")[0]

    numeric = numerical_gradient(loss_of_first, weights[0])
    assert relative_error(grads_W[0], numeric) < 1e-7
    assert relative_error(2 * grads_W[0], numeric) > 0.3  # a gradient twice too large


def test_the_examples_are_correct_doctests():
    import doctest

    from solutions import backprop

    result = doctest.testmod(backprop, verbose=False)
    assert result.attempted >= 6 and result.failed == 0
