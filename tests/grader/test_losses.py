"""Lesson 01: correct implementations written differently from the reference get full marks."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytestmark = pytest.mark.lesson01


def mse_loop(y_pred, y_true):
    y_pred, y_true = np.asarray(y_pred, dtype=float), np.asarray(y_true, dtype=float)
    if y_pred.shape != y_true.shape:
        raise ValueError("shapes differ")
    total = 0.0
    for a, b in zip(y_pred.ravel(), y_true.ravel()):
        total += (a - b) ** 2
    return total / y_pred.size


def mse_dot(y_pred, y_true):
    y_pred, y_true = np.asarray(y_pred, dtype=float), np.asarray(y_true, dtype=float)
    if y_pred.shape != y_true.shape:
        raise ValueError("shapes differ")
    d = (y_pred - y_true).ravel()
    return float(d @ d / d.size)


def mse_grad_loop(y_pred, y_true):
    y_pred, y_true = np.asarray(y_pred, dtype=float), np.asarray(y_true, dtype=float)
    if y_pred.shape != y_true.shape:
        raise ValueError("shapes differ")
    out = np.empty_like(y_pred)
    for idx in np.ndindex(y_pred.shape):
        out[idx] = 2.0 * (y_pred[idx] - y_true[idx]) / y_pred.size
    return out


def mse_grad_scaled(y_pred, y_true):
    y_pred, y_true = np.asarray(y_pred, dtype=float), np.asarray(y_true, dtype=float)
    if y_pred.shape != y_true.shape:
        raise ValueError("shapes differ")
    return np.multiply(y_pred - y_true, 2.0 / y_pred.size)


def bce_loop(p, y, eps=1e-12):
    p, y = np.asarray(p, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    total = 0.0
    for pi, yi in zip(p, y):
        pi = min(max(pi, eps), 1 - eps)
        total -= yi * math.log(pi) + (1 - yi) * math.log(1 - pi)
    return total / len(p)


def bce_log1p(p, y, eps=1e-12):
    p = np.clip(np.asarray(p, dtype=float), eps, 1 - eps)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def cce_loop(probs, y_onehot, eps=1e-12):
    total = 0.0
    for row_p, row_y in zip(np.asarray(probs, dtype=float), np.asarray(y_onehot, dtype=float)):
        total += -sum(yk * math.log(min(max(pk, eps), 1 - eps)) for pk, yk in zip(row_p, row_y))
    return total / len(probs)


def cce_einsum(probs, y_onehot, eps=1e-12):
    logp = np.log(np.clip(probs, eps, 1 - eps))
    return float(-np.einsum("ik,ik->", y_onehot, logp) / np.shape(probs)[0])


def accuracy_loop(probs, y_onehot):
    hits = sum(int(np.argmax(p) == np.argmax(y)) for p, y in zip(probs, y_onehot))
    return hits / len(probs)


def accuracy_count(probs, y_onehot):
    return float(np.count_nonzero(np.argmax(probs, 1) == np.argmax(y_onehot, 1)) / np.shape(probs)[0])


VARIANTS = {
    "mse": [mse_loop, mse_dot],
    "mse_grad": [mse_grad_loop, mse_grad_scaled],
    "binary_cross_entropy": [bce_loop, bce_log1p],
    "categorical_cross_entropy": [cce_loop, cce_einsum],
    "accuracy": [accuracy_loop, accuracy_count],
}


@pytest.mark.parametrize("name,fn", [(n, f) for n, fs in VARIANTS.items() for f in fs],
                         ids=lambda v: getattr(v, "__name__", v))
def test_correct_variants_get_full_marks(grade, name, fn):
    score, message = grade(name, fn, points=2)
    assert score == 2, message


def test_partial_credit_names_the_failing_input(grade):
    def mse_no_check(y_pred, y_true):
        return float(np.mean((np.asarray(y_pred) - y_true) ** 2))

    score, message = grade("mse", mse_no_check, points=2)
    assert 0 < score < 2
    assert "mismatched shapes raise ValueError" in message and "returned" in message
