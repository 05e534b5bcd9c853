"""Lesson 01: correct implementations written differently from the reference get full marks, and the
messages name the failing input and the likely mistake."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from grader.course import lesson
from grader.specs import REGISTRY

pytestmark = pytest.mark.lesson01

LESSON = lesson("01-loss-functions")
ROOT = Path(__file__).resolve().parents[2]


def _notebook_solutions(lesson_id: str) -> dict:
    """The instructor's solution of every graded function, from the committed source notebook."""
    path = ROOT / "source" / lesson_id / f"{lesson_id}.ipynb"
    found = {}
    for cell in json.loads(path.read_text())["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code":
            namespace = {"np": np}
            exec(compile("".join(cell["source"]), f"<solution {meta['grade_id']}>", "exec"), namespace)
            found[meta["grade_id"]] = namespace[meta["grade_id"]]
    return found


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


def mse_norm(y_pred, y_true):
    y_pred, y_true = np.asarray(y_pred, dtype=float), np.asarray(y_true, dtype=float)
    if y_pred.shape != y_true.shape:
        raise ValueError("shapes differ")
    return float(np.linalg.norm((y_pred - y_true).ravel()) ** 2 / y_pred.size)


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
    "mse": [mse_loop, mse_dot, mse_norm],
    "mse_grad": [mse_grad_loop, mse_grad_scaled],
    "binary_cross_entropy": [bce_loop, bce_log1p],
    "categorical_cross_entropy": [cce_loop, cce_einsum],
    "accuracy": [accuracy_loop, accuracy_count],
}


def test_every_graded_function_has_variants():
    assert set(VARIANTS) == set(LESSON.functions)
    assert all(len(fns) >= 2 for fns in VARIANTS.values())


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


@pytest.mark.parametrize("name", LESSON.functions)
def test_the_notebooks_own_solutions_get_full_marks(grade, name):
    fn = _notebook_solutions(LESSON.id)[name]
    score, message = grade(name, fn, points=3)
    assert score == 3, message



def test_mean_over_rows_is_named_even_with_a_shape_check(grade):
    def mse_rows(y_pred, y_true):
        y_pred, y_true = np.asarray(y_pred, dtype=float), np.asarray(y_true, dtype=float)
        if y_pred.shape != y_true.shape:
            raise ValueError("shapes differ")
        squared = (y_pred - y_true) ** 2
        return float(squared.mean()) if squared.ndim == 1 else float(squared.sum(axis=1).mean())

    score, message = grade("mse", mse_rows, points=2)
    assert 0 < score < 2
    assert "[ok]   the lesson's worked example" in message
    assert REGISTRY["mse"].mistake("mean-over-rows").hint in message
    assert REGISTRY["mse"].mistake("sum-not-mean").hint not in message


def test_mse_grad_without_the_2_fails_finite_differences(grade):
    def mse_grad_half(y_pred, y_true):
        return mse_grad_scaled(y_pred, y_true) / 2

    score, message = grade("mse_grad", mse_grad_half, points=2)
    assert "[fail] agrees with finite differences of the MSE: on arrays of shape (3, 4)" in message
    assert REGISTRY["mse_grad"].mistake("missing-2").hint in message


def test_a_fixed_eps_is_named(grade):
    def bce_fixed(p, y, eps=1e-12):
        return bce_log1p(p, y)

    score, message = grade("binary_cross_entropy", bce_fixed, points=2)
    assert 0 < score < 2
    assert "eps=0.001" in message
    assert REGISTRY["binary_cross_entropy"].mistake("eps-ignored").hint in message


def test_unclipped_categorical_cross_entropy_is_named(grade):
    def cce_unclipped(probs, y_onehot, eps=1e-12):
        return float(np.mean(-np.sum(y_onehot * np.log(probs), axis=1)))

    score, message = grade("categorical_cross_entropy", cce_unclipped, points=3)
    assert 0 < score < 3
    assert "[ok]   the lesson's worked numbers" in message
    assert REGISTRY["categorical_cross_entropy"].mistake("no-clip").hint in message


@pytest.mark.parametrize("upper", [None, "1 + eps"])
def test_a_certain_prediction_is_clipped_to_1_minus_eps(grade, upper):
    """With eps = 0.1 a probability of exactly 1 costs -log(0.9): clipping only below, or to 1 + eps, gives 0."""
    def cce_clip(probs, y_onehot, eps=1e-12):
        probs = np.asarray(probs, dtype=float)
        probs = np.maximum(probs, eps) if upper is None else np.clip(probs, eps, 1 + eps)
        return float(np.mean(-np.sum(y_onehot * np.log(probs), axis=1)))

    probs, labels = [[1.0, 0.0], [0.2, 0.8]], [[1.0, 0.0], [0.0, 1.0]]
    assert cce_clip(probs, labels, eps=0.1) == pytest.approx(-math.log(0.8) / 2)
    assert REGISTRY["categorical_cross_entropy"].reference(probs, labels, eps=0.1) == pytest.approx(
        -(math.log(0.9) + math.log(0.8)) / 2)
    score, message = grade("categorical_cross_entropy", cce_clip, points=3)
    assert 0 < score < 3
    assert "returned 0.111572, expected 0.164252" in message
    assert REGISTRY["categorical_cross_entropy"].mistake("clip-low-only").hint in message


def test_accuracy_by_thresholding_at_one_half_is_named(grade):
    def accuracy_half(probs, y_onehot):
        true = np.argmax(y_onehot, axis=1)
        return float(np.mean(np.asarray(probs)[np.arange(len(true)), true] > 0.5))

    score, message = grade("accuracy", accuracy_half, points=1)
    assert 0 < score < 1
    assert "[ok]   the lesson's worked numbers" in message  # they have two classes
    assert REGISTRY["accuracy"].mistake("threshold-half").hint in message
