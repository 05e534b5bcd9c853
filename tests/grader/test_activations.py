"""The grader's checks for lesson 09 (activations, their derivatives, deltas through depth, clipping).

The generic tests in ``test_catalogue.py`` already prove that the reference
scores full marks and that every catalogued mistake loses points with its
hint.  Here: correct implementations written differently from the reference
(explicit loops, other formulas, masks instead of ``np.where``) must score
full marks, and the lesson's own checks (warnings told apart by the side that
overflowed, underflow not counted, ``act_grad`` allowed, the properties that
name a mistake, partial credit) say the right things.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader import check
from grader.check import evaluate
from grader.specs import REGISTRY
from grader.specs import activations as spec_module

pytestmark = pytest.mark.lesson09

FUNCTIONS = ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "elu",
             "elu_grad", "prelu_backward", "backprop_delta_norms", "clip_by_global_norm")


def _elementwise(fn, x):
    """Apply the scalar function ``fn`` to every entry of ``x`` with an explicit loop."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty(x.shape)
    flat_in = x.reshape(-1)
    flat_out = out.reshape(-1)
    for i in range(flat_in.size):
        flat_out[i] = fn(float(flat_in[i]))
    return out


# --------------------------------------------------------------------------- correct variants
# Written from the definitions in the curriculum, not from the reference.

def sigmoid_loops(x):
    def one(v):
        if v >= 0:
            return 1.0 / (1.0 + math.exp(-v))
        e = math.exp(v)  # v < 0: never overflows
        return e / (1.0 + e)

    return _elementwise(one, x)


def sigmoid_tanh(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))  # tanh saturates, never overflows


def sigmoid_logaddexp(x):
    # 1 / (1 + e^-x) = exp(-log(1 + e^-x)); exp(-1e4) underflows to 0, which is harmless
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


def sigmoid_masks(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def sigmoid_grad_loops(x):
    def one(v):
        e = math.exp(-abs(v))
        return e / ((1.0 + e) * (1.0 + e))

    return _elementwise(one, x)


def sigmoid_grad_from_sigmoid(x):
    s = sigmoid_masks(x)
    return s * (1.0 - s)


def sigmoid_grad_sech(x):
    # sigma'(x) = 1 / (4 cosh(x / 2)**2) = (1 - tanh(x / 2)**2) / 4
    return 0.25 * (1.0 - np.tanh(np.asarray(x, dtype=float) / 2.0) ** 2)


def relu_loops(x):
    return _elementwise(lambda v: v if v > 0 else 0.0, x)


def relu_mask_product(x):
    x = np.asarray(x, dtype=float)
    return x * (x > 0)


def relu_clip(x):
    return np.clip(x, 0.0, None)


def relu_abs(x):
    return (x + np.abs(x)) / 2


def relu_grad_loops(x):
    return _elementwise(lambda v: 1.0 if v > 0 else 0.0, x)


def relu_grad_astype(x):
    return (np.asarray(x) > 0).astype(np.float64)


def relu_grad_heaviside(x):
    return np.heaviside(x, 0.0)


def relu_grad_mask(x):
    return x > 0  # a boolean mask stands for 0.0 and 1.0 (also for a 0-d x)


def leaky_relu_loops(x, *, alpha=0.01):
    return _elementwise(lambda v: v if v > 0 else alpha * v, x)


def leaky_relu_maximum(x, *, alpha=0.01):
    return np.maximum(x, alpha * x)  # right for 0 <= alpha <= 1, the slopes graded


def leaky_relu_two_relus(x, *, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0.0) - alpha * np.maximum(-x, 0.0)


def leaky_relu_grad_loops(x, *, alpha=0.01):
    return _elementwise(lambda v: 1.0 if v > 0 else alpha, x)


def leaky_relu_grad_blend(x, *, alpha=0.01):
    return alpha + (1.0 - alpha) * (np.asarray(x) > 0)


def leaky_relu_grad_where_le(x, *, alpha=0.01):
    return np.where(np.asarray(x) <= 0, alpha, 1.0)


def elu_loops(x, *, alpha=1.0):
    return _elementwise(lambda v: v if v > 0 else alpha * math.expm1(v), x)


def elu_masks(x, *, alpha=1.0):
    out = np.array(x, dtype=float)
    neg = out <= 0
    out[neg] = alpha * (np.exp(out[neg]) - 1.0)
    return out


def elu_clamped_where(x, *, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0.0)) - 1.0))


def elu_grad_loops(x, *, alpha=1.0):
    return _elementwise(lambda v: 1.0 if v > 0 else alpha * math.exp(v), x)


def elu_grad_masks(x, *, alpha=1.0):
    x = np.asarray(x, dtype=float)
    out = np.ones_like(x)
    neg = x <= 0
    out[neg] = alpha * np.exp(x[neg])
    return out


def elu_grad_via_elu(x, *, alpha=1.0):
    # on the negative side the slope is elu(x) + alpha
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, elu_clamped_where(x, alpha=alpha) + alpha)


def prelu_backward_loops(x, alpha, dout):
    x = np.asarray(x, dtype=float)
    dout = np.asarray(dout, dtype=float)
    dx = np.empty(x.shape)
    dalpha = 0.0
    for idx in np.ndindex(x.shape):
        if x[idx] > 0:
            dx[idx] = dout[idx]
        else:
            dx[idx] = alpha * dout[idx]
            dalpha += dout[idx] * x[idx]
    return dx, dalpha


def prelu_backward_masks(x, alpha, dout):
    pos = x > 0
    dx = dout * (pos + alpha * ~pos)
    dalpha = np.sum(dout * np.minimum(x, 0.0))  # min(x, 0) is x on the negative side, 0 elsewhere
    return dx, dalpha


def prelu_backward_dot(x, alpha, dout):
    neg = (x <= 0).ravel()
    dx = np.where(x > 0, 1.0, alpha) * dout
    dalpha = float(np.dot(dout.ravel()[neg], x.ravel()[neg]))
    return dx, dalpha


def backprop_delta_norms_loops(weights, pre_activations, act_grad, delta_out):
    n_hidden = len(weights) - 1
    delta = [list(map(float, row)) for row in np.asarray(delta_out)]
    norms = [0.0] * n_hidden
    for i in reversed(range(n_hidden)):
        W = weights[i + 1]
        slope = act_grad(pre_activations[i])
        new = []
        for n, row in enumerate(delta):
            new_row = []
            for j in range(W.shape[0]):
                total = 0.0
                for k in range(W.shape[1]):
                    total += row[k] * W[j, k]  # (delta @ W.T)[n, j]
                new_row.append(slope[n, j] * total)
            new.append(new_row)
        delta = new
        norms[i] = math.sqrt(sum(v * v for r in delta for v in r))
    return np.array(norms)


def backprop_delta_norms_columns(weights, pre_activations, act_grad, delta_out):
    # the column-vector form of the notes: delta^l = f'(z^l) * (W^{l+1} delta^{l+1}), samples as columns
    d = np.asarray(delta_out).T
    norms = []
    for W, z in zip(weights[:0:-1], pre_activations[::-1]):
        d = act_grad(z).T * (W @ d)
        norms.append(np.sqrt(np.sum(d ** 2)))
    return np.array(norms[::-1])


def backprop_delta_norms_list(weights, pre_activations, act_grad, delta_out):
    deltas = [delta_out]
    for l in range(len(weights) - 2, -1, -1):
        deltas.insert(0, act_grad(pre_activations[l]) * np.einsum("nk,jk->nj", deltas[0], weights[l + 1]))
    return [float(np.linalg.norm(d)) for d in deltas[:-1]]  # a list of floats is accepted


def clip_by_global_norm_loops(grads, *, max_norm):
    largest = max((abs(float(v)) for g in grads for v in np.ravel(g)), default=0.0)
    if largest == 0.0:
        return [np.asarray(g, dtype=float).copy() for g in grads]
    total_sq = 0.0
    for g in grads:
        for v in np.asarray(g, dtype=float).ravel():
            total_sq += (v / largest) ** 2  # scaled: squares of entries near 1e308 would overflow
    total = largest * math.sqrt(total_sq)
    scale = max_norm / total if total > max_norm else 1.0
    return [np.asarray(g, dtype=float) * scale for g in grads]


def clip_by_global_norm_concat(grads, *, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads])
    largest = float(np.max(np.abs(flat))) if flat.size else 0.0
    total = largest * np.linalg.norm(flat / largest) if largest > 0 else 0.0
    factor = max_norm / max(total, max_norm)  # 1 when total <= max_norm, no division by zero
    return [g * factor for g in grads]


def clip_by_global_norm_torch(grads, *, max_norm):
    # PyTorch's clip_grad_norm_ factor, max_norm / (N + 1e-6) capped at 1 (within the tolerance here),
    # with N from math.hypot, which cannot overflow while N itself is a finite float
    total = math.hypot(*np.concatenate([np.ravel(g) for g in grads]))
    factor = min(1.0, max_norm / (total + 1e-6))
    return [g * factor for g in grads]


def clip_by_global_norm_norms(grads, *, max_norm):
    largest = max(float(np.max(np.abs(g))) for g in grads)
    if largest == 0:
        return [g.copy() for g in grads]
    total = largest * np.sqrt(sum(np.linalg.norm(g / largest) ** 2 for g in grads))
    if total <= max_norm:
        return [g.copy() for g in grads]
    return [g / total * max_norm for g in grads]


def tanh_loops(x):
    return _elementwise(math.tanh, x)


def tanh_from_sigmoid(x):
    # tanh(x) = 2 sigmoid(2x) - 1, with a sigmoid that takes exp of -|.| only (squared, as 2x overflows at 1e308)
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x)) ** 2
    s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return 2.0 * s - 1.0


def tanh_stable_exp(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x)) ** 2  # exp(-2|x|), without 2|x| overflowing at 1e308
    return np.sign(x) * (1.0 - e) / (1.0 + e)


def tanh_grad_plain(x):
    return 1.0 - np.tanh(np.asarray(x, dtype=float)) ** 2


def tanh_grad_loops(x):
    return _elementwise(lambda v: 1.0 - math.tanh(v) ** 2, x)


def tanh_grad_factored(x):
    t = np.tanh(np.asarray(x, dtype=float))
    return (1.0 - t) * (1.0 + t)


VARIANTS = {
    "sigmoid": [sigmoid_loops, sigmoid_tanh, sigmoid_logaddexp, sigmoid_masks],
    "sigmoid_grad": [sigmoid_grad_loops, sigmoid_grad_from_sigmoid, sigmoid_grad_sech],
    "tanh": [tanh_loops, tanh_from_sigmoid, tanh_stable_exp],
    "tanh_grad": [tanh_grad_plain, tanh_grad_loops, tanh_grad_factored],
    "relu": [relu_loops, relu_mask_product, relu_clip, relu_abs],
    "relu_grad": [relu_grad_loops, relu_grad_astype, relu_grad_heaviside, relu_grad_mask],
    "leaky_relu": [leaky_relu_loops, leaky_relu_maximum, leaky_relu_two_relus],
    "leaky_relu_grad": [leaky_relu_grad_loops, leaky_relu_grad_blend, leaky_relu_grad_where_le],
    "elu": [elu_loops, elu_masks, elu_clamped_where],
    "elu_grad": [elu_grad_loops, elu_grad_masks, elu_grad_via_elu],
    "prelu_backward": [prelu_backward_loops, prelu_backward_masks, prelu_backward_dot],
    "backprop_delta_norms": [backprop_delta_norms_loops, backprop_delta_norms_columns,
                             backprop_delta_norms_list],
    "clip_by_global_norm": [clip_by_global_norm_loops, clip_by_global_norm_concat,
                            clip_by_global_norm_norms, clip_by_global_norm_torch],
}


def test_every_function_has_variants():
    assert set(VARIANTS) == set(FUNCTIONS)
    assert all(len(v) >= 2 for v in VARIANTS.values())


@pytest.mark.parametrize("name,variant", [(n, v) for n, vs in VARIANTS.items() for v in vs],
                         ids=lambda item: getattr(item, "__name__", item))
def test_correct_variant_gets_full_marks(grade, name, variant):
    score, message = grade(name, variant, points=3)
    assert score == 3, message


def test_variants_need_no_course_code_even_under_the_full_watch(capsys):
    """``check`` forbids all three course packages; the act_grad it passes in is allowed."""
    assert check("backprop_delta_norms", backprop_delta_norms_columns, points=2) == 2
    assert check("sigmoid", sigmoid_tanh, points=2) == 2
    assert "all" in capsys.readouterr().out


# --------------------------------------------------------------------------- warnings

def test_underflow_is_not_a_warning_that_costs_points(grade):
    """exp(-1e4) rounding to 0 is harmless; NumPy ignores it by default and so does the grader."""
    def sigmoid_exp_abs(x):
        e = np.exp(-np.abs(x))  # underflows to 0 for |x| = 1e4
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    score, message = grade("sigmoid", sigmoid_exp_abs, points=1)
    assert score == 1, message


def _hint(name, key):
    return REGISTRY[name].mistake(key).hint


def test_the_side_that_overflowed_names_the_mistake(grade):
    score, message = grade("sigmoid", spec_module._sig_naive, points=1)
    assert "overflow" in message and "x=[-10000." in message
    assert _hint("sigmoid", "naive-overflow") in message
    assert _hint("sigmoid", "where-both-branches") not in message

    score, message = grade("sigmoid", spec_module._sig_where, points=1)
    assert _hint("sigmoid", "where-both-branches") in message
    assert _hint("sigmoid", "naive-overflow") not in message


def test_a_warning_only_costs_the_large_inputs_group():
    for name, fn in [("sigmoid", spec_module._sig_naive), ("sigmoid_grad", spec_module._sg_naive),
                     ("elu", spec_module._elu_where), ("elu_grad", spec_module._eg_where)]:
        report = evaluate(name, fn, forbidden=("lessons",))
        failed = [v.title for v in report.verdicts if not v.passed]
        assert len(failed) == 1 and "1e4" in failed[0], (name, failed)


def test_elu_overflowing_where_is_named(grade):
    score, message = grade("elu", spec_module._elu_where, points=2)
    assert 0 < score < 2
    assert "np.minimum(x, 0)" in message and "x=[ 50., 710., 800., 10000.]" in message


def test_division_by_zero_for_zero_gradients_is_named(grade):
    def clip_always_divides(grads, *, max_norm):
        total = np.sqrt(sum(np.sum(g * g) for g in grads))
        return [g * min(1.0, max_norm / total) for g in grads]

    score, message = grade("clip_by_global_norm", clip_always_divides, points=3)
    assert 0 < score < 3
    assert "divide by zero" in message
    assert _hint("clip_by_global_norm", "zero-division") in message


# --------------------------------------------------------------------------- conventions at 0

def test_one_at_zero_costs_one_group_and_shows_the_input(grade):
    def relu_grad_ge(x):
        return (x >= 0).astype(float)

    report = evaluate("relu_grad", relu_grad_ge, forbidden=("lessons",))
    assert report.passed == len(report.verdicts) - 1
    score, message = grade("relu_grad", relu_grad_ge, points=4)
    assert score == 3
    assert "relu_grad(x=[-2. , -0.5, 0. , 0.5, 3. ])" in message and "entry (2,) is 1, expected 0" in message
    assert "x > 0, not x >= 0" in message


def test_leaky_and_elu_derivatives_take_alpha_at_zero(grade):
    score, message = grade("leaky_relu_grad", lambda x, *, alpha=0.01: np.where(x >= 0, 1.0, alpha),
                           points=5)
    assert score == 4 and _hint("leaky_relu_grad", "one-at-zero") in message
    score, message = grade("elu_grad", lambda x, *, alpha=1.0: np.where(
        x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0.0))), points=6)
    assert score == 5 and _hint("elu_grad", "one-at-zero") in message


def test_leaky_relu_maximum_form_is_graded_with_slopes_up_to_one():
    for spec_name in ("leaky_relu", "leaky_relu_grad"):
        for group in REGISTRY[spec_name].groups:
            for case in getattr(group, "cases", ()):
                assert 0.0 <= case.kwargs.get("alpha", 0.01) <= 1.0


# --------------------------------------------------------------------------- properties that name mistakes

def test_reversed_norms_are_named_by_the_orthogonal_chain():
    def reversed_norms(weights, pre_activations, act_grad, delta_out):
        return backprop_delta_norms_columns(weights, pre_activations, act_grad, delta_out)[::-1]

    report = evaluate("backprop_delta_norms", reversed_norms, forbidden=("lessons",))
    chain = next(v for v in report.verdicts if "orthogonal" in v.title)
    assert not chain.passed and chain.mistake.key == "reversed-order"
    assert "first hidden layer first" in chain.detail


def test_transposition_is_named_on_square_layers(grade):
    score, message = grade("backprop_delta_norms", spec_module._bd_not_transposed, points=3)
    assert 0 < score < 3
    assert "square layers" in message and _hint("backprop_delta_norms", "w-not-transposed") in message
    assert "mismatch in its core dimension" in message  # the non-square layers fail loudly too


def test_missing_derivative_passes_only_the_linear_checks():
    report = evaluate("backprop_delta_norms", spec_module._bd_no_derivative, forbidden=("lessons",))
    passed = {v.title for v in report.verdicts if v.passed}
    assert any("linear chains" in t for t in passed) and any("orthogonal" in t for t in passed)
    assert not any("sigmoid" in t for t in passed)


def test_per_gradient_clipping_is_named_by_the_shared_factor():
    def clip_each(grads, *, max_norm):
        return [g * min(1.0, max_norm / np.linalg.norm(g)) if np.linalg.norm(g) else g.copy() for g in grads]

    report = evaluate("clip_by_global_norm", clip_each, forbidden=("lessons",))
    shared = next(v for v in report.verdicts if "shared factor" in v.title)
    assert not shared.passed and shared.mistake.key == "per-gradient"
    assert "different factors" in shared.detail


def test_always_clipping_is_named_by_the_shared_factor():
    report = evaluate("clip_by_global_norm", spec_module._cg_always, forbidden=("lessons",))
    shared = next(v for v in report.verdicts if "shared factor" in v.title)
    assert not shared.passed and shared.mistake.key == "always-clip"


def test_prelu_finite_differences_catch_dalpha_over_all_entries():
    report = evaluate("prelu_backward", spec_module._pb_dalpha_all, forbidden=("lessons",))
    fd = next(v for v in report.verdicts if "finite differences" in v.title)
    assert not fd.passed and "dalpha does not match" in fd.detail


def test_sigmoid_grad_of_the_output_is_told_apart(grade):
    score, message = grade("sigmoid_grad", lambda x: x * (1 - x), points=3)
    assert score < 3 and "not the sigmoid's output" in message
    assert _hint("sigmoid_grad", "s-times-one-minus-x") not in message


def test_tanh_written_out_is_named_by_its_nan_and_cosh_by_its_warning(grade):
    """The written-out tanh fails on its nan; 1 / cosh(x)**2 has the right values and loses only the two
    groups of large inputs, for its overflow warning, which the side pattern names."""
    score, message = grade("tanh", spec_module._tanh_exp, points=1)
    assert score < 1 and _hint("tanh", "exp-overflow") in " ".join(message.split())
    score, message = grade("tanh_grad", spec_module._tg_cosh, points=6)
    assert 0 < score < 6 and message.count("[fail]") == 2, message
    assert all("1e4" in line or "1e308" in line for line in message.splitlines() if "[fail]" in line), message
    assert _hint("tanh_grad", "cosh-overflow") in " ".join(message.split())


def test_tanh_grad_of_the_output_is_told_apart(grade):
    score, message = grade("tanh_grad", spec_module._tg_one_minus_x_squared, points=1)
    assert score < 0.5 and _hint("tanh_grad", "one-minus-x-squared") in " ".join(message.split())
