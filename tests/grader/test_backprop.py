"""The judge of lesson 10 (``grader/specs/backprop.py``): correct variants written differently get full
marks, and the hand-checked cases hold what their labels say.

The reference at full marks, every catalogued mistake losing points and named, and the stub at zero are
proved for every registered function by ``test_catalogue.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.specs import backprop

pytestmark = pytest.mark.lesson10

SPECS = {spec.name: spec for spec in backprop.SPECS}


# --- correct variants, written differently ---

def dense_forward_loops(X, W, b):
    X, W, b = np.asarray(X, dtype=float), np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if X.ndim != 2 or W.ndim != 2 or X.shape[1] != W.shape[0] or b.shape != (W.shape[1],):
        raise ValueError("X, W and b do not chain")
    Z = np.empty((X.shape[0], W.shape[1]))
    for i in range(X.shape[0]):
        for j in range(W.shape[1]):
            Z[i, j] = sum(X[i, k] * W[k, j] for k in range(X.shape[1])) + b[j]
    return Z


def dense_forward_einsum(X, W, b):
    X, W = np.asarray(X, dtype=float), np.asarray(W, dtype=float)
    if X.shape[1] != W.shape[0] or np.shape(b) != (W.shape[1],):
        raise ValueError("shapes do not chain")
    return np.einsum("ik,kj->ij", X, W) + b


def dense_backward_einsum(dZ, X, W):
    dZ, X, W = (np.asarray(a, dtype=float) for a in (dZ, X, W))
    if dZ.shape != (X.shape[0], W.shape[1]) or X.shape[1] != W.shape[0]:
        raise ValueError("dZ must have the output's shape")
    return np.einsum("ij,kj->ik", dZ, W), np.einsum("ik,ij->kj", X, dZ), np.einsum("ij->j", dZ)


def mlp_backward_layers(X, y, weights, biases, *, activation="relu"):
    """Built from a layer-by-layer forward and backward, the cache as a list of dicts; log-sum-exp by
    np.logaddexp.reduce."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if activation not in ("relu", "tanh") or len(weights) != len(biases) or not weights:
        raise ValueError("bad network")
    if y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= np.shape(weights[-1])[1]:
        raise ValueError("bad labels")
    cache, h = [], X
    for l, (W, b) in enumerate(zip(weights, biases)):
        if h.shape[1] != np.shape(W)[0] or np.shape(b) != (np.shape(W)[1],):
            raise ValueError(f"layer {l + 1} does not chain")
        z = h @ W + b
        cache.append({"h": h, "z": z, "W": W})
        if l < len(weights) - 1:
            h = np.maximum(z, 0.0) if activation == "relu" else np.tanh(z)
    logits = cache[-1]["z"]
    log_norm = np.logaddexp.reduce(logits, axis=1)
    n = len(y)
    loss = float(np.mean(log_norm - logits[np.arange(n), y]))
    delta = (np.exp(logits - log_norm[:, None]) - np.eye(logits.shape[1])[y]) / n
    grads_W, grads_b = [], []
    for l in reversed(range(len(cache))):
        grads_W.insert(0, cache[l]["h"].T @ delta)
        grads_b.insert(0, delta.sum(axis=0))
        if l:
            z = cache[l - 1]["z"]
            slope = (z > 0) if activation == "relu" else 1.0 - np.tanh(z) ** 2
            delta = (delta @ np.asarray(cache[l]["W"]).T) * slope
    return loss, grads_W, grads_b


def numerical_gradient_flat(f, x, *, h=1e-5):
    if not h > 0:
        raise ValueError("h must be > 0")
    x = np.array(x, dtype=float)
    flat = x.ravel()
    grad = np.zeros(flat.size)
    for i in range(flat.size):
        step = np.zeros(flat.size)
        step[i] = h
        grad[i] = (f((flat + step).reshape(x.shape)) - f((flat - step).reshape(x.shape))) / (2 * h)
    return grad.reshape(x.shape)


def relative_error_loops(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("a and b must have the same shape")
    worst = 0.0
    for u, v in zip(a.ravel(), b.ravel()):
        worst = max(worst, abs(u - v) / max(1e-8, abs(u) + abs(v)))
    return worst


VARIANTS = {
    "dense_forward": [dense_forward_loops, dense_forward_einsum],
    "dense_backward": [dense_backward_einsum],
    "mlp_backward": [mlp_backward_layers],
    "numerical_gradient": [numerical_gradient_flat],
    "relative_error": [relative_error_loops],
}


@pytest.mark.parametrize("name,variant", [(n, v) for n, vs in VARIANTS.items() for v in vs],
                         ids=lambda v: getattr(v, "__name__", v))
def test_correct_variants_get_full_marks(grade, name, variant):
    score, text = grade(name, variant, points=3)
    assert score == 3, text


def test_the_hand_checked_cases_hold_what_their_labels_say():
    """The labels promise numbers a student can check; they come from closed forms, not the reference."""
    ref = backprop.ref
    loss, _, _ = ref.mlp_backward(*backprop._ZERO_NET.args, **backprop._ZERO_NET.kwargs)
    assert loss == pytest.approx(math.log(2))
    assert float(ref.numerical_gradient(backprop._cube, np.array([1.0]), h=1e-2)[0]) == pytest.approx(3.0001)
    assert ref.relative_error(np.array([1.0, 0.0, -2.0, 1e-12]), np.array([1.5, 0.0, -2.0, 0.0])) == 0.2
