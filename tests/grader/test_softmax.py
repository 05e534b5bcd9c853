"""Lesson 02: correct implementations written differently from the reference get full marks, and the
messages name the failing input and the likely mistake."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from grader.course import lesson
from grader.specs import REGISTRY

pytestmark = pytest.mark.lesson02

LESSON = lesson("02-softmax-entropy")
ROOT = Path(__file__).resolve().parents[2]


# --- softmax ----------------------------------------------------------------------------------------

def softmax_loops(z, axis=-1):
    """One slice at a time, in plain Python."""
    z = np.moveaxis(np.array(z, dtype=float), axis, -1)
    out = np.empty_like(z)
    for idx in np.ndindex(z.shape[:-1]):
        row = [float(v) for v in z[idx]]
        m = max(row)
        exps = [math.exp(v - m) for v in row]
        total = sum(exps)
        out[idx] = [e / total for e in exps]
    return np.moveaxis(out, -1, axis)


def softmax_via_logsumexp(z, axis=-1):
    """exp(z - LSE(z)), the log-sum-exp from np.logaddexp."""
    z = np.asarray(z, dtype=float)
    return np.exp(z - np.logaddexp.reduce(z, axis=axis, keepdims=True))


def softmax_apply_along(z, axis=-1):
    """A 1-D softmax applied to every slice by NumPy."""
    def one(v):
        e = np.exp(v - v.max())
        return e / e.sum()

    return np.apply_along_axis(one, axis, np.asarray(z, dtype=float))


# --- log_softmax ------------------------------------------------------------------------------------

def log_softmax_loops(z, axis=-1):
    z = np.moveaxis(np.array(z, dtype=float), axis, -1)
    out = np.empty_like(z)
    for idx in np.ndindex(z.shape[:-1]):
        row = [float(v) for v in z[idx]]
        m = max(row)
        lse = m + math.log(sum(math.exp(v - m) for v in row))
        out[idx] = [v - lse for v in row]
    return np.moveaxis(out, -1, axis)


def log_softmax_logaddexp(z, axis=-1):
    z = np.asarray(z, dtype=float)
    return z - np.logaddexp.reduce(z, axis=axis, keepdims=True)


# --- entropy ----------------------------------------------------------------------------------------

def entropy_loop(p, axis=-1):
    p = np.moveaxis(np.asarray(p, dtype=float), axis, -1)
    out = np.zeros(p.shape[:-1])
    for idx in np.ndindex(out.shape):
        out[idx] = -sum(v * math.log(v) for v in p[idx] if v > 0)
    return out if out.ndim else float(out)


def entropy_log_where(p, axis=-1):
    """np.log with `where=`: the log is never evaluated at 0."""
    p = np.asarray(p, dtype=float)
    logs = np.log(p, out=np.zeros_like(p), where=p > 0)
    return -np.sum(p * logs, axis=axis)


def entropy_safe_log(p, axis=-1):
    p = np.asarray(p, dtype=float)
    return -np.sum(p * np.log(np.where(p > 0, p, 1.0)), axis=axis)


# --- cross_entropy and kl_divergence ----------------------------------------------------------------

def _same_shape(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    return p, q


def cross_entropy_safe_log(p, q, axis=-1):
    p, q = _same_shape(p, q)
    with np.errstate(divide="ignore"):
        logq = np.log(np.where(p > 0, q, 1.0))
    return -np.sum(np.where(p > 0, p * logq, 0.0), axis=axis)


def cross_entropy_loop(p, q, axis=-1):
    p, q = _same_shape(p, q)
    p, q = np.moveaxis(p, axis, -1), np.moveaxis(q, axis, -1)
    out = np.zeros(p.shape[:-1])
    for idx in np.ndindex(out.shape):
        total = 0.0
        for a, b in zip(p[idx], q[idx]):
            if a > 0:
                total += math.inf if b == 0 else -a * math.log(b)
        out[idx] = total
    return out if out.ndim else float(out)


def cross_entropy_entropy_plus_kl(p, q, axis=-1):
    """H(p, q) = H(p) + KL(p || q)."""
    p, q = _same_shape(p, q)
    return entropy_safe_log(p, axis) + kl_masked(p, q, axis)


def kl_masked(p, q, axis=-1):
    p, q = _same_shape(p, q)
    mask = p > 0
    with np.errstate(divide="ignore"):
        ratio = np.log(np.where(mask, p, 1.0)) - np.log(np.where(mask, q, 1.0))
    return np.sum(np.where(mask, p * ratio, 0.0), axis=axis)


def kl_loop(p, q, axis=-1):
    p, q = _same_shape(p, q)
    p, q = np.moveaxis(p, axis, -1), np.moveaxis(q, axis, -1)
    out = np.zeros(p.shape[:-1])
    for idx in np.ndindex(out.shape):
        total = 0.0
        for a, b in zip(p[idx], q[idx]):
            if a > 0:
                total += math.inf if b == 0 else a * math.log(a / b)
        out[idx] = total
    return out if out.ndim else float(out)


def kl_as_difference(p, q, axis=-1):
    """KL(p || q) = H(p, q) - H(p)."""
    p, q = _same_shape(p, q)
    return cross_entropy_safe_log(p, q, axis) - entropy_safe_log(p, axis)


# --- softmax_cross_entropy and its gradient ---------------------------------------------------------

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


def sce_onehot_matrix(logits, y):
    """-sum(Y * log_p) / n with a one-hot matrix Y built from the integer labels."""
    logits, y = _check_labels(logits, y)
    n, k = logits.shape
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    return float(-np.sum(onehot * log_softmax_logaddexp(logits, axis=1)) / n)


def sce_grad_subtract(logits, y):
    logits, y = _check_labels(logits, y)
    probs = softmax_apply_along(logits, axis=1)
    probs[np.arange(len(y)), y] -= 1.0
    return probs / len(y)


def sce_grad_eye(logits, y):
    logits, y = _check_labels(logits, y)
    return (softmax_via_logsumexp(logits, axis=1) - np.eye(logits.shape[1])[y]) / logits.shape[0]


def sce_grad_loop(logits, y):
    logits, y = _check_labels(logits, y)
    n, k = logits.shape
    grad = np.zeros((n, k))
    for i in range(n):
        m = max(logits[i])
        exps = [math.exp(v - m) for v in logits[i]]
        total = sum(exps)
        for j in range(k):
            grad[i, j] = (exps[j] / total - (1.0 if j == y[i] else 0.0)) / n
    return grad


VARIANTS = {
    "softmax": [softmax_loops, softmax_via_logsumexp, softmax_apply_along],
    "log_softmax": [log_softmax_loops, log_softmax_logaddexp],
    "entropy": [entropy_loop, entropy_log_where, entropy_safe_log],
    "cross_entropy": [cross_entropy_safe_log, cross_entropy_loop, cross_entropy_entropy_plus_kl],
    "kl_divergence": [kl_masked, kl_loop, kl_as_difference],
    "softmax_cross_entropy": [sce_take_along, sce_loop, sce_onehot_matrix],
    "softmax_cross_entropy_grad": [sce_grad_subtract, sce_grad_eye, sce_grad_loop],
}


def test_every_graded_function_has_variants():
    assert set(VARIANTS) == set(LESSON.functions)
    assert all(len(fns) >= 2 for fns in VARIANTS.values())


@pytest.mark.parametrize("name,fn", [(n, f) for n, fs in VARIANTS.items() for f in fs],
                         ids=lambda v: getattr(v, "__name__", v))
def test_correct_variants_get_full_marks(grade, name, fn):
    score, message = grade(name, fn, points=2)
    assert score == 2, message


def _notebook_solutions(lesson_id: str) -> dict:
    """The instructor's solution of every graded function, from the committed source notebook."""
    path = ROOT / "source" / lesson_id / f"{lesson_id}.ipynb"
    cells = json.loads(path.read_text())["cells"]
    found = {}
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code":
            namespace = {"np": np}
            exec(compile("".join(cell["source"]), f"<solution {meta['grade_id']}>", "exec"), namespace)
            found[meta["grade_id"]] = namespace[meta["grade_id"]]
    return found


@pytest.mark.parametrize("name", LESSON.functions)
def test_the_notebooks_own_solutions_get_full_marks(grade, name):
    fn = _notebook_solutions(LESSON.id)[name]
    score, message = grade(name, fn, points=3)
    assert score == 3, message



# --- messages ---------------------------------------------------------------------------------------

def test_global_max_is_named_on_rows_of_different_scales(grade):
    def softmax_global(z, axis=-1):
        e = np.exp(np.asarray(z, dtype=float) - np.max(z))
        return e / e.sum(axis=axis, keepdims=True)

    score, message = grade("softmax", softmax_global, points=3)
    assert 0 < score < 3
    assert "[ok]   huge logits" in message  # one row at a time is fine
    assert "[fail] rows of very different scales" in message
    assert "softmax(z=[[ 0., 1.], [-1000., -999.]])" in message and "nan" in message
    assert "Likely mistake: subtract one maximum per row" in message
    assert "[fail] shift invariant" in message


def test_naive_softmax_is_named_and_the_shift_property_says_which_row(grade):
    def softmax_naive(z, axis=-1):
        e = np.exp(z)
        return e / np.sum(e, axis=axis, keepdims=True)

    score, message = grade("softmax", softmax_naive, points=3)
    assert 0 < score < 3
    assert REGISTRY["softmax"].mistake("no-max").hint in message
    assert "softmax(z=[1000., 1001., 1002.])" in message
    assert "row 1 (+750) went from" in message and "to [nan, nan, nan, nan]" in message


def test_softmax_over_the_last_axis_only_fails_the_axis_checks(grade):
    def softmax_last(z, axis=-1):
        z = np.asarray(z, dtype=float)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    score, message = grade("softmax", softmax_last, points=3)
    assert 0 < score < 3
    assert "[ok]   the lesson's worked examples" in message
    assert "[fail] the axis argument: softmax(z=" in message and "axis=0" in message
    assert REGISTRY["softmax"].mistake("wrong-axis").hint in message


def test_entropy_with_np_where_is_right_but_warns(grade):
    def entropy_where(p, axis=-1):
        p = np.asarray(p, dtype=float)
        return -np.sum(np.where(p > 0, p * np.log(p), 0.0), axis=axis)

    score, message = grade("entropy", entropy_where, points=2)
    assert 0 < score < 2
    assert "gave the right values but warned: RuntimeWarning" in message
    assert REGISTRY["entropy"].mistake("where-warns").hint in message
    assert "nan value" not in message


def test_cross_entropy_that_forgets_to_silence_log_zero_is_told_how(grade):
    def cross_entropy_loud(p, q, axis=-1):
        p, q = _same_shape(p, q)
        terms = np.zeros(p.shape)
        positive = p > 0
        terms[positive] = p[positive] * np.log(q[positive])  # log(0) warns where q = 0
        return -np.sum(terms, axis=axis)

    score, message = grade("cross_entropy", cross_entropy_loud, points=2)
    assert 0 < score < 2
    assert "divide by zero" in message and 'np.errstate(divide=\\"ignore\\")' not in message
    assert REGISTRY["cross_entropy"].mistake("where-warns").hint in message


def test_kl_with_arguments_swapped_is_named_with_the_lessons_coins(grade):
    def kl_swapped(p, q, axis=-1):
        return kl_masked(q, p, axis)

    score, message = grade("kl_divergence", kl_swapped, points=2)
    assert 0 < score < 2
    assert "kl_divergence(p=[0.5, 0.5], q=[0.9, 0.1]): returned 0.368064, expected 0.510826" in message
    assert "you computed KL(q || p)" in message


def test_kl_property_message_names_the_distribution(grade):
    def kl_negative(p, q, axis=-1):
        return -kl_masked(p, q, axis)

    score, message = grade("kl_divergence", kl_negative, points=2)
    assert "[fail] KL(p || p) = 0 and KL(p || q) >= 0 (Gibbs' inequality): KL divergences of " in message
    assert REGISTRY["kl_divergence"].mistake("sign").hint in message


def test_loss_without_argument_checks_gets_partial_credit_and_sees_the_input(grade):
    def sce_unchecked(logits, y):
        logits = np.asarray(logits, dtype=float)
        return float(np.mean(np.logaddexp.reduce(logits, axis=1) - logits[np.arange(len(y)), y]))

    score, message = grade("softmax_cross_entropy", sce_unchecked, points=3)
    assert score == pytest.approx(3 * 6 / 7, abs=0.01)
    assert "[fail] invalid arguments raise ValueError" in message
    assert "y=[[1, 0, 0], [0, 0, 1]]" in message or "y=[ 0, -1]" in message
    assert REGISTRY["softmax_cross_entropy"].mistake("unchecked").hint in message


def test_labels_used_as_one_hot_rows_are_named(grade):
    def sce_label_product(logits, y):
        logits, y = _check_labels(logits, y)
        log_p = log_softmax_logaddexp(logits, axis=1)
        return float(np.mean(-np.sum(y * log_p, axis=1)))

    score, message = grade("softmax_cross_entropy", sce_label_product, points=3)
    assert score < 1.5
    assert REGISTRY["softmax_cross_entropy"].mistake("labels-as-one-hot").hint in message


def test_clipped_loss_is_told_it_caps_at_27_6(grade):
    def sce_clip(logits, y):
        logits, y = _check_labels(logits, y)
        probs = softmax_via_logsumexp(logits, axis=1)
        return float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, 1.0))))

    score, message = grade("softmax_cross_entropy", sce_clip, points=3)
    assert 0 < score < 3
    assert "softmax_cross_entropy(logits=[[ 0., 10000.]], y=[0]): returned 27.631, expected 10000" in message
    assert REGISTRY["softmax_cross_entropy"].mistake("clipped").hint in message


def test_loss_summed_over_the_batch_fails_the_mean_property(grade):
    def sce_sum(logits, y):
        return sce_take_along(logits, y) * len(y)

    score, message = grade("softmax_cross_entropy", sce_sum, points=3)
    assert "[ok]   shift invariant" in message
    assert "[fail] the loss of a batch is the mean of its samples' losses: your losses of the 5 rows" in message
    assert "average 3.45773, but the whole batch" in message and "gives 17.2887" in message
    assert REGISTRY["softmax_cross_entropy"].mistake("sum-not-mean").hint in message


def test_gradient_without_1_over_n_fails_the_bounds_and_finite_differences(grade):
    def grad_no_n(logits, y):
        return sce_grad_eye(logits, y) * np.shape(logits)[0]

    score, message = grade("softmax_cross_entropy_grad", grad_no_n, points=3)
    assert score < 1.5
    assert "[fail] each row sums to 0 and every entry lies in [-1/n, 1/n]" in message
    assert "[fail] agrees with finite differences of the loss: on logits of shape (3, 4)" in message
    assert REGISTRY["softmax_cross_entropy_grad"].mistake("not-divided-by-n").hint in message


def test_gradient_with_the_wrong_sign_keeps_the_row_sums(grade):
    def grad_flipped(logits, y):
        return -sce_grad_eye(logits, y)

    score, message = grade("softmax_cross_entropy_grad", grad_flipped, points=3)
    assert "[ok]   each row sums to 0" in message
    assert "[fail] agrees with finite differences" in message
    assert REGISTRY["softmax_cross_entropy_grad"].mistake("sign").hint in message


def test_log_softmax_through_log_of_softmax_fails_only_the_extreme_group(grade):
    def log_of_softmax(z, axis=-1):
        with np.errstate(divide="ignore"):
            return np.log(softmax_via_logsumexp(z, axis))

    score, message = grade("log_softmax", log_of_softmax, points=2)
    assert 0 < score < 2
    assert "log_softmax(z=[[ 0., 1000.]]): returned 1 infinite value(s)" in message
    assert REGISTRY["log_softmax"].mistake("log-of-softmax").hint in message


def test_entropy_in_bits_fails_the_bounds_property_with_log_k(grade):
    def entropy_bits(p, axis=-1):
        return entropy_safe_log(p, axis) / math.log(2)

    score, message = grade("entropy", entropy_bits, points=2)
    assert "log 5 = 1.60944 nats, got 2.32193" in message
    assert REGISTRY["entropy"].mistake("bits").hint in message
