"""Checks and mistakes for lesson 10, backpropagation (reference: ``solutions.backprop``).

Its tests (``tests/grader/test_backprop.py``) probe and judge the specs
directly, with the reference, correct variants, every catalogued mistake and
the stubs.

All five functions are deterministic and compared with the reference:

``dense_forward`` and ``dense_backward``
    hand-checkable cases, random layers of several shapes, square layers
    (where a transposed ``W`` or a bias summed over the wrong axis keeps the
    right shape and so must be told apart by value), and invalid shapes.
``mlp_backward``
    a single linear layer of zeros (loss ``log K``), random networks of 1 to 4
    layers with ReLU and tanh hidden layers, square hidden layers, a hidden
    pre-activation of exactly 0 (ReLU's derivative is 0 there), logits of
    1000 (no warnings), and invalid networks.
``numerical_gradient``
    closed forms where a central difference is exact or off by a known
    amount (``x**3``: exactly ``h**2``), a matrix-shaped point, and a
    function that writes into its argument.
``relative_error``
    CS231n's definition on entries of both signs, zeros and tiny values.
"""

from __future__ import annotations

import math

import numpy as np

from ..spec import Case, Compare, Mistake, Raises, Spec, reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("backprop")

_rng = np.random.default_rng(1010)


# ==================================================================================================
# dense_forward and dense_backward
# ==================================================================================================

def _layer_case(n: int, fan_in: int, fan_out: int, label: str = "") -> Case:
    return Case((_rng.normal(size=(n, fan_in)), _rng.normal(size=(fan_in, fan_out)), _rng.normal(size=fan_out)),
                label=label)


def _df_no_bias(X, W, b):
    return np.asarray(X, dtype=float) @ np.asarray(W, dtype=float)


def _df_transposed(X, W, b):
    return np.asarray(X, dtype=float) @ np.asarray(W, dtype=float).T + b


DENSE_FORWARD = Spec(
    name="dense_forward",
    reference=ref.dense_forward,
    groups=(
        Compare("small hand-checkable layers", [
            Case((np.array([[1.0, 2.0]]), np.array([[1.0, 0.0], [0.0, -1.0]]), np.array([0.5, 0.5])),
                 label="[[1.5, -1.5]]"),
            Case((np.zeros((3, 2)), np.ones((2, 4)), np.arange(4.0)), label="zero input: every row is b"),
        ]),
        Compare("random layers of several shapes", [
            _layer_case(5, 3, 4), _layer_case(1, 6, 2, "one sample"), _layer_case(7, 1, 1, "one input, one unit"),
        ]),
        Compare("square layers (W is 4 x 4: a transposed W keeps the shape)", [
            _layer_case(4, 4, 4), _layer_case(2, 4, 4),
        ]),
        Raises("shapes that do not chain raise ValueError", [
            Case((np.ones((2, 3)), np.ones((4, 2)), np.zeros(2)), label="X has 3 features, W 4 rows"),
            Case((np.ones((2, 3)), np.ones((3, 2)), np.zeros(3)), label="b of the wrong length"),
        ]),
    ),
    mistakes=(
        Mistake("no-bias", "add the bias: Z = X @ W + b (b is broadcast to every row).", _df_no_bias),
        Mistake("w-transposed", "W has shape (fan_in, fan_out), so the layer is X @ W + b, not X @ W.T + b.",
                _df_transposed),
    ),
)


def _db_w_not_transposed(dZ, X, W):
    dZ, X, W = (np.asarray(a, dtype=float) for a in (dZ, X, W))
    return dZ @ W, X.T @ dZ, dZ.sum(axis=0)


def _db_dw_transposed(dZ, X, W):
    dZ, X, W = (np.asarray(a, dtype=float) for a in (dZ, X, W))
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)


def _db_bias_axis(dZ, X, W):
    dZ, X, W = (np.asarray(a, dtype=float) for a in (dZ, X, W))
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)


def _db_bias_mean(dZ, X, W):
    dZ, X, W = (np.asarray(a, dtype=float) for a in (dZ, X, W))
    return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)


def _db_extra_mean(dZ, X, W):
    dZ, X, W = (np.asarray(a, dtype=float) for a in (dZ, X, W))
    n = dZ.shape[0]
    return dZ @ W.T, X.T @ dZ / n, dZ.sum(axis=0) / n


def _back_case(n: int, fan_in: int, fan_out: int, label: str = "") -> Case:
    return Case((_rng.normal(size=(n, fan_out)), _rng.normal(size=(n, fan_in)), _rng.normal(size=(fan_in, fan_out))),
                label=label)


DENSE_BACKWARD = Spec(
    name="dense_backward",
    reference=ref.dense_backward,
    outputs=("dX", "dW", "db"),
    groups=(
        Compare("small hand-checkable layers", [
            Case((np.array([[1.0, -1.0]]), np.array([[2.0, 3.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])),
                 label="one sample, identity W"),
            Case((np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]), np.array([[1.0], [2.0], [3.0]]),
                  np.array([[1.0, -1.0]])), label="three samples, one input, two units"),
        ]),
        Compare("random layers of several shapes", [
            _back_case(5, 3, 4), _back_case(1, 6, 2, "one sample"), _back_case(8, 2, 7),
        ]),
        Compare("square layers (n_samples = fan_in = fan_out): transposes keep the shapes", [
            _back_case(4, 4, 4), _back_case(3, 3, 3),
        ]),
        Raises("a dZ that is not of the output's shape raises ValueError", [
            Case((np.ones((2, 3)), np.ones((2, 4)), np.ones((4, 2))), label="dZ (2, 3) for an output (2, 2)"),
        ]),
    ),
    mistakes=(
        Mistake("w-not-transposed", "the gradient passed down is dX = dZ @ W.T (shape (n_samples, fan_in)), "
                "not dZ @ W: W maps fan_in to fan_out, so going back uses its transpose.", _db_w_not_transposed),
        Mistake("dw-transposed", "dW must have the shape of W, (fan_in, fan_out): dW = X.T @ dZ, not dZ.T @ X.",
                _db_dw_transposed),
        Mistake("bias-wrong-axis", "db sums dZ over the samples, axis 0: db = dZ.sum(axis=0), one entry per "
                "unit (shape (fan_out,)), not over the units.", _db_bias_axis),
        Mistake("bias-mean", "the bias is added to every sample's output, so its gradient is the SUM of dZ over "
                "the samples (dZ.sum(axis=0)); any 1/N is already inside dZ, from the loss.", _db_bias_mean),
        Mistake("extra-1-over-n", "do not divide by n_samples here: dZ already holds the 1/N of the mean loss, "
                "so dW = X.T @ dZ and db = dZ.sum(axis=0).", _db_extra_mean),
    ),
)


# ==================================================================================================
# mlp_backward
# ==================================================================================================

def _net(sizes, scale: float = 1.0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    weights = [scale * _rng.normal(size=(m, n)) / math.sqrt(m) for m, n in zip(sizes[:-1], sizes[1:])]
    biases = [0.1 * _rng.normal(size=n) for n in sizes[1:]]
    return weights, biases


def _mlp_case(sizes, n: int, activation: str, label: str = "", scale: float = 1.0) -> Case:
    weights, biases = _net(sizes, scale)
    return Case((_rng.normal(size=(n, sizes[0])), _rng.integers(0, sizes[-1], size=n), weights, biases),
                {"activation": activation}, label=label)


def _mlp(X, y, weights, biases, activation, *, delta_out=None, hidden_grad=None, transpose=True,
         bias_axis=0, shift=True):
    """A parametrised MLP backward pass from which the catalogued mistakes are made."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    f = (lambda z: np.maximum(z, 0.0)) if activation == "relu" else np.tanh
    f_grad = hidden_grad or ((lambda z, h: (z > 0).astype(float)) if activation == "relu"
                             else (lambda z, h: 1.0 - np.tanh(z) ** 2))
    hs, zs = [X], []
    for l, (W, b) in enumerate(zip(weights, biases)):
        z = hs[-1] @ W + b
        zs.append(z)
        if l < len(weights) - 1:
            hs.append(f(z))
    logits = zs[-1]
    shifted = logits - logits.max(axis=1, keepdims=True) if shift else logits
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    probs = np.exp(log_probs)
    n, rows = len(y), np.arange(len(y))
    loss = float(-np.mean(log_probs[rows, y]))
    delta = probs.copy()
    delta[rows, y] -= 1.0
    delta = delta / n if delta_out is None else delta_out(delta, n)
    grads_W, grads_b = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads_W[l] = hs[l].T @ delta
        grads_b[l] = delta.sum(axis=bias_axis)
        if l > 0:
            back = delta @ (weights[l].T if transpose else weights[l])
            delta = f_grad(zs[l - 1], hs[l]) * back
    return loss, grads_W, grads_b


def _mlp_no_mean(X, y, weights, biases, *, activation="relu"):
    return _mlp(X, y, weights, biases, activation, delta_out=lambda d, n: d)


def _mlp_w_not_transposed(X, y, weights, biases, *, activation="relu"):
    return _mlp(X, y, weights, biases, activation, transpose=False)


def _mlp_times_output(X, y, weights, biases, *, activation="relu"):
    return _mlp(X, y, weights, biases, activation, hidden_grad=lambda z, h: h)


def _mlp_tanh_of_input(X, y, weights, biases, *, activation="relu"):
    grad = None if activation == "relu" else (lambda z, h: 1.0 - z ** 2)
    return _mlp(X, y, weights, biases, activation, hidden_grad=grad)


def _mlp_relu_grad_one_at_zero(X, y, weights, biases, *, activation="relu"):
    grad = (lambda z, h: (z >= 0).astype(float)) if activation == "relu" else None
    return _mlp(X, y, weights, biases, activation, hidden_grad=grad)


def _mlp_bias_axis(X, y, weights, biases, *, activation="relu"):
    return _mlp(X, y, weights, biases, activation, bias_axis=1)


def _mlp_no_max(X, y, weights, biases, *, activation="relu"):
    return _mlp(X, y, weights, biases, activation, shift=False)


_ZERO_NET = Case((np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([0, 1]), [np.zeros((2, 2))], [np.zeros(2)]),
                 {"activation": "relu"}, label="one linear layer of zeros: loss log 2")
_KINK = Case((np.array([[1.0]]), np.array([0]), [np.array([[1.0]]), np.array([[1.0, -1.0]])],
              [np.array([-1.0]), np.zeros(2)]), {"activation": "relu"},
             label="a hidden pre-activation of exactly 0 (ReLU's derivative is 0 there)")
_SQUARE = (4, 4, 4, 4)

MLP_BACKWARD = Spec(
    name="mlp_backward",
    reference=ref.mlp_backward,
    outputs=("loss", "grads_W", "grads_b"),
    # The reference calls its layers through these twins: a student's mlp_backward built on a catalogued
    # mistake of their dense_forward or dense_backward is judged given that mistake (grader/cascade.py).
    callees=(("dense_forward", "_affine"), ("dense_backward", "_affine_backward")),
    rtol=1e-9,
    atol=1e-12,
    groups=(
        Compare("hand-checkable networks", [_ZERO_NET, _KINK]),
        Compare("random ReLU networks of 1 to 4 layers", [
            _mlp_case((5, 3), 6, "relu", "one layer (softmax regression)"),
            _mlp_case((6, 8, 3), 10, "relu"), _mlp_case((4, 7, 5, 3), 9, "relu"),
            _mlp_case((3, 6, 6, 6, 2), 5, "relu", "four layers"),
        ]),
        Compare("random tanh networks", [
            _mlp_case((6, 8, 3), 10, "tanh"), _mlp_case((4, 7, 5, 3), 9, "tanh", scale=2.0),
        ]),
        Compare("square layers (4 units everywhere, 4 samples): transposes and axes keep the shapes", [
            _mlp_case(_SQUARE, 4, "relu"), _mlp_case(_SQUARE, 4, "tanh"),
        ]),
        Compare("logits of 1000 (computed stably, no warnings)", [
            Case((np.array([[1.0], [-1.0]]), np.array([1, 1]), [np.array([[1000.0, -1000.0]])], [np.zeros(2)]),
                 {"activation": "relu"}, label="a loss of 1000 for the first sample, 0 for the second"),
        ], warn_free=True),
        Raises("networks that do not fit raise ValueError", [
            Case((np.ones((3, 4)), np.array([0, 1, 1]), [np.ones((4, 3)), np.ones((2, 2))],
                  [np.zeros(3), np.zeros(2)]), label="layers that do not chain"),
            Case((np.ones((3, 4)), np.array([0, 1, 1]), [np.ones((4, 2))], [np.zeros(2), np.zeros(2)]),
                 label="two bias vectors for one layer"),
            Case((np.ones((3, 4)), np.array([0, 2, 1]), [np.ones((4, 2))], [np.zeros(2)]),
                 label="label 2 with 2 classes"),
            Case((np.ones((3, 4)), np.array([0, 1, 1]), [np.ones((4, 2))], [np.zeros(2)]),
                 {"activation": "sigmoid"}, label="an unknown activation"),
        ]),
    ),
    mistakes=(
        Mistake("no-mean", "the loss is the MEAN over the samples, so the output delta is "
                "(softmax(z_L) - onehot(y)) / n_samples: without the 1/N every gradient is n times too large.",
                _mlp_no_mean),
        Mistake("w-not-transposed", "going back a layer multiplies by the TRANSPOSE: delta_l = f'(z_l) * "
                "(delta_{l+1} @ W_{l+1}.T); delta @ W only has the right shape when the layer is square.",
                _mlp_w_not_transposed),
        Mistake("times-activation", "multiply by the activation's DERIVATIVE at the pre-activation, f'(z_l) "
                "(for ReLU the mask z_l > 0), not by its output h_l.", _mlp_times_output),
        Mistake("tanh-grad-of-input", "tanh's derivative is 1 - tanh(z)**2 = 1 - h**2, with h = tanh(z): "
                "1 - z**2 uses the input where the output belongs.", _mlp_tanh_of_input),
        Mistake("relu-grad-one-at-zero", "the course takes ReLU's derivative as 0 at exactly 0 (lesson 09): "
                "the mask is z > 0, not z >= 0.", _mlp_relu_grad_one_at_zero),
        Mistake("bias-wrong-axis", "each bias gradient sums the deltas over the SAMPLES: db_l = "
                "delta_l.sum(axis=0), one entry per unit.", _mlp_bias_axis),
        Mistake("no-max", "subtract each row's largest logit before the exponential (softmax(z) = "
                "softmax(z - max z)): exp(1000) overflows to inf.", _mlp_no_max),
    ),
)


# ==================================================================================================
# numerical_gradient
# ==================================================================================================

def _cube(v):
    return float(np.sum(np.asarray(v) ** 3))


def _quadratic(v):
    v = np.asarray(v, dtype=float)
    return float(np.sum(v * (np.arange(v.size).reshape(v.shape) + 1.0) * v))


def _sin_sum(v):
    return float(np.sum(np.sin(v)))


def _careless(v):
    """A function that writes into its argument: the point must not move for the next entries."""
    value = float(np.sum(np.asarray(v) ** 2))
    v[...] = 0.0
    return value


def _ng_one_sided(f, x, *, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    base = f(x.copy())
    for idx in np.ndindex(x.shape):
        up = x.copy()
        up[idx] += h
        grad[idx] = (f(up) - base) / h
    return grad


def _ng_over_h(f, x, *, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (f(up) - f(down)) / h
    return grad


def _ng_in_place(f, x, *, h=1e-5):
    point = np.asarray(x, dtype=float)  # no copy when x is already float64: f and the steps change it
    grad = np.zeros_like(point)
    for idx in np.ndindex(point.shape):
        saved = point[idx]
        point[idx] = saved + h
        up = f(point)
        point[idx] = saved - h
        down = f(point)
        point[idx] = saved
        grad[idx] = (up - down) / (2 * h)
    return grad


NUMERICAL_GRADIENT = Spec(
    name="numerical_gradient",
    reference=ref.numerical_gradient,
    rtol=1e-6,
    atol=1e-9,
    groups=(
        Compare("closed forms: a quadratic (central differences are exact), sin, a matrix-shaped point", [
            Case((_quadratic, np.array([1.0, -2.0, 0.5])), label="sum (i + 1) x_i**2: gradient 2 (i + 1) x_i"),
            Case((_sin_sum, np.array([[0.3, -1.2], [2.0, 0.5]])), label="sum sin(x) at a 2 x 2 point: cos(x)"),
        ]),
        Compare("the step h: x**3 at 1 with h = 1e-2 gives exactly 3 + h**2 = 3.0001", [
            Case((_cube, np.array([1.0])), {"h": 1e-2}, label="3.0001, where a one-sided difference gives 3.0301"),
        ], rtol=1e-9, atol=1e-12),
        Compare("a function that writes into its argument (each call must get its own copy)", [
            Case((_careless, np.array([1.0, -2.0, 3.0])), label="sum x**2 that then zeroes its argument"),
        ]),
        Raises("h <= 0 raises ValueError", [
            Case((_cube, np.array([1.0])), {"h": 0.0}), Case((_cube, np.array([1.0])), {"h": -1e-5}),
        ]),
    ),
    mistakes=(
        Mistake("one-sided", "use the CENTRAL difference (f(x + h) - f(x - h)) / (2h): its error is about "
                "h**2, the one-sided (f(x + h) - f(x)) / h's about h.", _ng_one_sided),
        Mistake("over-h", "the two points x + h and x - h are 2h apart: divide by 2 * h, not h.", _ng_over_h),
        Mistake("in-place", "work on a copy of x (x = np.array(x, dtype=float)) and give f a copy of the point: "
                "changing the caller's array, or letting f change yours, moves the point for the next entries.",
                _ng_in_place),
    ),
)


# ==================================================================================================
# relative_error
# ==================================================================================================

def _re_no_floor(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))


def _re_mean(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def _re_of_norms(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(b)))


def _re_max_denominator(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.maximum(np.abs(a), np.abs(b)))))


RELATIVE_ERROR = Spec(
    name="relative_error",
    reference=ref.relative_error,
    groups=(
        Compare("hand-checkable pairs", [
            Case((np.array([1.0]), np.array([3.0])), label="0.5"),
            Case((np.array([1.0, 2.0]), np.array([1.0, 2.0])), label="equal: 0"),
            Case((np.array([1.0]), np.array([-1.0])), label="opposite signs: 1"),
        ]),
        Compare("zeros and tiny entries (the floor 1e-8 of the denominator)", [
            Case((np.zeros(3), np.zeros(3)), label="both zero: 0, not 0/0"),
            Case((np.array([1.0, 0.0, -2.0, 1e-12]), np.array([1.5, 0.0, -2.0, 0.0])),
                 label="max(0.5 / 2.5, 0, 0, 1e-12 / 1e-8) = 0.2"),
        ], warn_free=True),
        Compare("random gradients of several shapes (the LARGEST relative difference of any entry)", [
            Case((_rng.normal(size=(4, 3)), _rng.normal(size=(4, 3)))),
            Case((np.array([1.0, 1.0, 1.0, 1.0]), np.array([1.0, 1.0, 1.0, 2.0])),
                 label="one entry off: 1/3, not the mean 1/12"),
        ]),
        Raises("arrays of different shapes raise ValueError", [Case((np.zeros(2), np.zeros(3)))]),
    ),
    mistakes=(
        Mistake("no-floor", "divide by max(1e-8, |a| + |b|): where both entries are 0 the plain |a| + |b| "
                "gives 0/0 = nan.", _re_no_floor),
        Mistake("mean", "the relative error of a gradient check is the LARGEST of the entries' relative "
                "differences (np.max), not their mean: one wrong entry must show.", _re_mean),
        Mistake("norms", "compare entry by entry: max over i of |a_i - b_i| / max(1e-8, |a_i| + |b_i|), not "
                "the norms of the whole arrays.", _re_of_norms),
        Mistake("max-denominator", "CS231n's denominator is |a| + |b| (with the floor 1e-8), not "
                "max(|a|, |b|).", _re_max_denominator),
    ),
)

SPECS = (DENSE_FORWARD, DENSE_BACKWARD, MLP_BACKWARD, NUMERICAL_GRADIENT, RELATIVE_ERROR)
