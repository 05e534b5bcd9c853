"""Lesson 02: correct implementations written differently from the reference get full marks."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytestmark = pytest.mark.lesson02


def softmax_moveaxis(z, axis=-1):
    z = np.moveaxis(np.asarray(z, dtype=float), axis, -1)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return np.moveaxis(e / e.sum(axis=-1, keepdims=True), -1, axis)


def softmax_via_logsumexp(z, axis=-1):
    z = np.asarray(z, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    return np.exp(z - m - np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True)))


def log_softmax_moveaxis(z, axis=-1):
    z = np.moveaxis(np.asarray(z, dtype=float), axis, -1)
    m = z.max(axis=-1, keepdims=True)
    out = z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
    return np.moveaxis(out, -1, axis)


def log_softmax_logaddexp(z, axis=-1):
    z = np.asarray(z, dtype=float)
    lse = np.logaddexp.reduce(z, axis=axis, keepdims=True)
    return z - lse


def entropy_where(p, axis=-1):
    p = np.asarray(p, dtype=float)
    safe = np.where(p > 0, p, 1.0)
    return -np.sum(p * np.log(safe), axis=axis)


def entropy_loop(p, axis=-1):
    p = np.moveaxis(np.asarray(p, dtype=float), axis, -1)
    out = np.zeros(p.shape[:-1])
    for idx in np.ndindex(out.shape):
        out[idx] = -sum(v * math.log(v) for v in p[idx] if v > 0)
    return out if out.ndim else float(out)


def cross_entropy_where(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    with np.errstate(divide="ignore"):
        logq = np.log(np.where(p > 0, q, 1.0))
    return -np.sum(np.where(p > 0, p * logq, 0.0), axis=axis)


def cross_entropy_entropy_plus_kl(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    return entropy_where(p, axis) + kl_where(p, q, axis)


def kl_where(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    mask = p > 0
    with np.errstate(divide="ignore"):
        ratio = np.log(np.where(mask, p, 1.0)) - np.log(np.where(mask, q, 1.0))
    return np.sum(np.where(mask, p * ratio, 0.0), axis=axis)


def kl_loop(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    p, q = np.moveaxis(p, axis, -1), np.moveaxis(q, axis, -1)
    out = np.zeros(p.shape[:-1])
    for idx in np.ndindex(out.shape):
        total = 0.0
        for a, b in zip(p[idx], q[idx]):
            if a > 0:
                total += math.inf if b == 0 else a * math.log(a / b)
        out[idx] = total
    return out if out.ndim else float(out)


def _check_labels(logits, y):
    logits, y = np.asarray(logits, dtype=float), np.asarray(y)
    if logits.ndim != 2:
        raise ValueError("logits must be 2-D")
    if y.shape != (logits.shape[0],):
        raise ValueError("y must hold one label per row")
    if y.size and (y.min() < 0 or y.max() >= logits.shape[1]):
        raise ValueError("labels out of range")
    return logits, y.astype(int)


def sce_take_along(logits, y):
    logits, y = _check_labels(logits, y)
    lse = np.logaddexp.reduce(logits, axis=1)
    true = np.take_along_axis(logits, y[:, None], axis=1)[:, 0]
    return float(np.mean(lse - true))


def sce_loop(logits, y):
    logits, y = _check_labels(logits, y)
    total = 0.0
    for row, label in zip(logits, y):
        m = max(row)
        total += m + math.log(sum(math.exp(v - m) for v in row)) - row[label]
    return total / len(y)


def sce_grad_subtract(logits, y):
    logits, y = _check_labels(logits, y)
    probs = softmax_moveaxis(logits, axis=1)
    probs[np.arange(len(y)), y] -= 1.0
    return probs / len(y)


def sce_grad_eye(logits, y):
    logits, y = _check_labels(logits, y)
    return (softmax_via_logsumexp(logits, axis=1) - np.eye(logits.shape[1])[y]) / logits.shape[0]


VARIANTS = {
    "softmax": [softmax_moveaxis, softmax_via_logsumexp],
    "log_softmax": [log_softmax_moveaxis, log_softmax_logaddexp],
    "entropy": [entropy_where, entropy_loop],
    "cross_entropy": [cross_entropy_where, cross_entropy_entropy_plus_kl],
    "kl_divergence": [kl_where, kl_loop],
    "softmax_cross_entropy": [sce_take_along, sce_loop],
    "softmax_cross_entropy_grad": [sce_grad_subtract, sce_grad_eye],
}


@pytest.mark.parametrize("name,fn", [(n, f) for n, fs in VARIANTS.items() for f in fs],
                         ids=lambda v: getattr(v, "__name__", v))
def test_correct_variants_get_full_marks(grade, name, fn):
    score, message = grade(name, fn, points=2)
    assert score == 2, message


def test_global_max_is_named_on_rows_of_different_scales(grade):
    def softmax_global(z, axis=-1):
        e = np.exp(np.asarray(z, dtype=float) - np.max(z))
        return e / e.sum(axis=axis, keepdims=True)

    score, message = grade("softmax", softmax_global, points=3)
    assert 0 < score < 3
    assert "one maximum per row" in message and "Likely mistake: subtract one maximum per row" in message
