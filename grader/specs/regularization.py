"""Checks and mistakes for lesson 07, L2, L1, early stopping and bagging (reference: ``solutions.regularization``).

The penalties and their gradients are deterministic and compared with the
reference (default tolerances) on the lesson's examples, random lists of
weight matrices of several shapes, and edge cases without warnings
(``lam = 0``, zero weights, a single weight, magnitudes of 1e100 for the
squares and 1e300 elsewhere, and for the L1 gradient exact zeros, ``-0.0``
and entries of 1e-300).  Properties any correct implementation has, judged
from the student's own outputs:

- a penalty sums over the whole list: ``penalty([W1, W2]) = penalty([W1]) +
  penalty([W2])``;
- a gradient step ``W - lr * grad`` moves every weight towards 0 (weight
  decay), and the L1 gradient has the same size ``lam`` for every nonzero
  weight, whatever its magnitude.

``early_stopping`` is a pure function of the curve and is compared with the
reference on many hand-designed curves (the lesson's examples, one epoch,
patience 1, never stopping, stopping exactly on the last epoch, an
improvement on the last epoch, ties, plateaus within ``min_delta``, a lower
loss after the stop) and on seeded random curves.  Every curve used with
``min_delta > 0`` holds multiples of 1/64 of magnitude below 4, so
``best - loss``, ``loss + min_delta`` and ``best - min_delta`` are exact and
every equivalent way to write the comparison agrees, even at the boundary
``best - loss == min_delta``.  One property, judged on the student's own
stop epoch: changing or removing the epochs after it changes nothing.  The
messages show a curve of up to 16 epochs in full (:class:`_CurveSpec`), so a
student can replay the failing case by hand.  The catalogue covers stopping
one epoch late or early, the best epoch looked for past the stop, the latest
of tied epochs, the last improving epoch as the best (Keras's
``restore_best_weights``, which differs when ``min_delta > 0``), ``>=``
instead of ``>``, ``min_delta`` ignored, the best loss lowered by gains that
do not count, comparing with the previous epoch instead of the best, a
patience counter never reset, 1-based epochs, ``len(val_losses)`` as the stop
when the patience never runs out, and the two outputs swapped.

``bootstrap_indices`` is stochastic, so it is graded by properties and
distribution tests only, never by matching the reference's draws (any order of
drawing, sorted or not, passes):

- ``n`` integer indices in ``[0, n)`` in a NumPy array of shape ``(n,)`` (``n``
  = 1, 2, 7, 100, 1000);
- :func:`grader.properties.rng_discipline` (same seed, same indices; another
  seed, other indices; NumPy's global generator untouched);
- draws with replacement: over 10 samples of ``n = 1000`` the number of
  distinct indices is within six standard deviations of its exact mean
  ``n (1 - (1 - 1/n)**n)`` (about 632 per sample, standard deviation about
  10, computed exactly from the occupancy distribution);
- every index equally likely: 300 samples of ``n = 10`` (3000 draws), a
  chi-square test at z = 6.

``bagging_predict`` is compared with the reference (the docstring example,
one model, one sample, a single class column, cubes where ``n_models ==
n_samples == n_classes`` so that averaging over the wrong axis keeps the
right shape) and checked for a property: the order of the models does not
matter and rows summing to 1 in every member sum to 1 in the average.

The curriculum asks for no error from any function of this lesson, so there is
no group for invalid arguments (the reference raises ``ValueError`` or
``TypeError`` for a negative ``lam``, ``patience < 1``, ``n < 1``, non-finite
losses and probabilities outside ``[0, 1]``).  Biases are not in the list a
penalty receives, so "biases penalized" cannot be expressed as a function of
this signature; the catalogue has "only the first matrix" and "norms not
squared" instead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..calls import Outcome
from ..compare import describe
from ..properties import SEED, rng_discipline, samples
from ..spec import Case, Compare, Mistake, Property, Runner, Spec, failed_call
from ..stats import Z, chi2_uniform_problem
from ..spec import reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("regularization")

_rng = np.random.default_rng(707)


def _mats(*shapes: tuple[int, ...], scale: float = 1.0) -> list[np.ndarray]:
    """Random normal weight matrices of the given shapes."""
    return [scale * _rng.normal(size=s) for s in shapes]


def _as_float(value: Any) -> float | None:
    """A returned penalty as a float, or ``None`` if it is not one real number."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "fiu":
        return float(value)
    return None


# ==================================================================================================
# penalties: shared pieces
# ==================================================================================================

# The lesson's examples (those of the reference's docstrings).
_EX_L2 = [np.array([[1.0, -2.0], [0.0, 2.0]]), np.array([[3.0]])]     # lam = 0.1 gives 0.9
_EX_L1 = [np.array([[1.0, -2.0], [0.0, 2.0]]), np.array([[-3.0]])]    # lam = 0.5 gives 4.0


def _additive_group(penalty: str) -> Property:
    """``penalty([W1, W2]) == penalty([W1]) + penalty([W2])``: the penalty sums over the whole list."""
    W1 = np.array([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75]])
    W2 = np.array([[3.0, -1.0], [0.5, 2.5], [-2.0, 1.0]])
    W3 = np.array([[-4.0, 1.5]])
    lam = 0.3
    lists = ([W1, W2, W3], [W1], [W2], [W3])

    def probe(run: Runner, spec: Spec):
        return [run((ws,), {"lam": lam}) for ws in lists]

    def judge(data: list[Outcome], spec: Spec):
        values = []
        for ws, outcome in zip(lists, data):
            what = spec.call_text(Case((ws,), {"lam": lam}))
            problem = failed_call(outcome, what)
            if problem:
                return problem
            value = _as_float(outcome.value)
            if value is None or not math.isfinite(value):
                return f"{what} returned {describe(outcome.value)}, expected a finite float"
            if not isinstance(outcome.value, float):
                return (f"{what} returned {describe(outcome.value)} of type {type(outcome.value).__name__}, "
                        "expected a Python float: return float(...)")
            values.append(value)
        whole, *parts = values
        if math.isclose(whole, sum(parts), rel_tol=1e-9, abs_tol=1e-12):
            return None
        shown = " + ".join(f"{p:.6g}" for p in parts)
        detail = (f"{penalty}([W1, W2, W3], lam={lam}) returned {whole:.6g}, but the penalties of the "
                  f"three matrices alone add up to {shown} = {sum(parts):.6g}: the penalty is a sum "
                  "over every matrix in the list")
        key = "first-only" if math.isclose(whole, parts[0], rel_tol=1e-9, abs_tol=1e-12) else None
        return detail, key

    return Property(f"returns a float and sums over every matrix in the list: {penalty}([W1, W2, W3]) = "
                    f"{penalty}([W1]) + {penalty}([W2]) + {penalty}([W3])", probe, judge)


# ==================================================================================================
# l2_penalty
# ==================================================================================================

def _l2_no_half(weights, *, lam):
    return float(lam * sum(np.sum(np.square(W)) for W in weights))


def _l2_half_twice(weights, *, lam):
    return float(lam / 2 * sum(np.sum(np.square(W)) / 2 for W in weights))


def _l2_not_squared(weights, *, lam):
    return float(lam / 2 * sum(np.linalg.norm(W) for W in weights))


def _l2_first_only(weights, *, lam):
    return float(lam / 2 * np.sum(np.square(weights[0])))


def _l2_mean(weights, *, lam):
    return float(lam / 2 * sum(np.mean(np.square(W)) for W in weights))


def _l2_abs(weights, *, lam):
    return float(lam / 2 * sum(np.sum(np.abs(W)) for W in weights))


L2_PENALTY = Spec(
    name="l2_penalty",
    reference=ref.l2_penalty,
    groups=(
        Compare("the lesson's example and small hand-checkable inputs", [
            Case((_EX_L2,), {"lam": 0.1}, label="the lesson's example: 0.9"),
            Case(([np.array([[3.0, 4.0]])],), {"lam": 1.0}, label="one matrix: 12.5"),
            Case(([np.array([[1.0], [-1.0]]), np.array([[2.0, 0.0, -2.0]])],), {"lam": 0.5}),
        ]),
        Compare("random lists of weight matrices of several shapes", [
            Case((_mats((4, 3), (3, 2)),), {"lam": 0.01}),
            Case((_mats((1, 5)),), {"lam": 2.0}, label="one matrix of one row"),
            Case((_mats((10, 1), (1, 1), (2, 7)),), {"lam": 0.3}),
            Case((_mats((64, 32), (32, 16), (16, 10), scale=0.1),), {"lam": 1e-3}),
        ]),
        Compare("edge cases: lam = 0, all-zero weights, an empty list, weights of 1e100 (no warnings)", [
            Case((_mats((3, 4), (4, 2)),), {"lam": 0.0}, label="lam = 0"),
            Case(([],), {"lam": 0.1}, label="no matrices: 0"),
            Case(([np.zeros((3, 3)), np.zeros((3, 1))],), {"lam": 0.7}, label="zero weights"),
            Case((_mats((3, 4), (4, 3), scale=1e100),), {"lam": 0.01}, label="1e100"),
        ], warn_free=True),
        _additive_group("l2_penalty"),
    ),
    mistakes=(
        Mistake("no-half", "the L2 penalty has a factor 1/2 in front: lam / 2 * sum of ||W||^2 (the 1/2 "
                "makes its gradient exactly lam * W); you compute lam * sum of ||W||^2.", _l2_no_half),
        Mistake("half-twice", "the factor 1/2 appears once: lam / 2 * sum of ||W||^2. You halve twice "
                "(lam / 4 in effect).", _l2_half_twice),
        Mistake("not-squared", "square the norms: ||W||^2 is the sum of the squared entries, "
                "np.sum(W ** 2), while np.linalg.norm(W) is its square root.", _l2_not_squared),
        Mistake("first-only", "add the penalty of EVERY matrix in the list (a loop over weights, with "
                "the return after the loop); you penalize only the first one.", _l2_first_only),
        Mistake("mean-not-sum", "||W||^2 is the SUM of the squared entries (np.sum(W ** 2)), not their "
                "mean.", _l2_mean),
        Mistake("abs-not-square", "that is the L1 form (absolute values); the L2 penalty squares the "
                "entries: lam / 2 * sum of np.sum(W ** 2).", _l2_abs),
    ),
)


# ==================================================================================================
# l2_penalty_grad and l1_penalty_grad: shared property
# ==================================================================================================

def _descent_group(*, same_size: bool) -> Property:
    """A step ``W - lr * grad`` moves every nonzero weight towards 0 (and, for L1, by the same amount)."""
    W = np.array([[2.0, -0.5, 0.125], [-3.0, 1.0, -0.25]])
    lam, lr = 0.5, 0.1

    def probe(run: Runner, spec: Spec):
        return run((W,), {"lam": lam})

    def judge(outcome: Outcome, spec: Spec):
        what = spec.call_text(Case((W,), {"lam": lam}))
        problem = failed_call(outcome, what)
        if problem:
            return problem
        grad = outcome.value
        if not isinstance(grad, np.ndarray) or grad.shape != W.shape or grad.dtype.kind not in "fiu":
            return f"{what} returned {describe(grad)}, expected an array of the shape of W {W.shape}"
        grad = grad.astype(np.float64)
        if not np.all(np.isfinite(grad)):
            return f"{what} returned nan or infinite values"
        stepped = W - lr * grad
        away = np.abs(stepped) >= np.abs(W)
        if np.any(away):
            idx = tuple(int(i) for i in np.argwhere(away)[0])
            detail = (f"{what}: a gradient step W - {lr} * grad takes W{list(idx)} = {W[idx]:g} to "
                      f"{stepped[idx]:.6g}, away from 0; the penalty's gradient points away from 0 so "
                      "that descent shrinks the weights")
            return detail, ("sign-flipped" if np.all(np.sign(grad) == -np.sign(W)) else None)
        if same_size:
            size = np.abs(grad)
            if not np.allclose(size, lam, rtol=1e-12, atol=0):
                detail = (f"{what}: the gradient's entries have sizes {describe(np.unique(size))}; the L1 "
                          f"gradient has the same size lam = {lam} for every nonzero weight, whatever its "
                          "magnitude")
                key = ("l2-gradient" if np.allclose(size, lam * np.abs(W), rtol=1e-9) else
                       "half" if np.allclose(size, lam / 2, rtol=1e-9) else None)
                return detail, key
        return None

    title = ("a gradient step W - lr * grad moves every weight towards 0 by the same amount lr * lam"
             if same_size else "a gradient step W - lr * grad moves every weight towards 0 (weight decay)")
    return Property(title, probe, judge)


# ==================================================================================================
# l2_penalty_grad
# ==================================================================================================

def _l2g_sign(W, *, lam):
    return -lam * np.asarray(W, dtype=float)


def _l2g_half(W, *, lam):
    return lam / 2 * np.asarray(W, dtype=float)


def _l2g_doubled(W, *, lam):
    return 2 * lam * np.asarray(W, dtype=float)


def _l2g_sign_only(W, *, lam):
    return lam * np.sign(W)


def _l2g_no_lam(W, *, lam):
    return np.array(W, dtype=float)


L2_PENALTY_GRAD = Spec(
    name="l2_penalty_grad",
    reference=ref.l2_penalty_grad,
    groups=(
        Compare("the lesson's example and a small hand-checkable input", [
            Case((np.array([[1.0, -2.0], [0.0, 4.0]]),), {"lam": 0.5}, label="the lesson's example"),
            Case((np.array([[3.0, -1.0, 0.5]]),), {"lam": 0.1}),
        ]),
        Compare("random matrices of several shapes", [
            Case((_rng.normal(size=(4, 3)),), {"lam": 0.1}),
            Case((_rng.normal(size=(1, 6)),), {"lam": 2.5}, label="one row"),
            Case((_rng.normal(size=(5, 1)),), {"lam": 0.03}, label="one column"),
            Case((_rng.normal(size=(20, 30)),), {"lam": 1e-4}),
        ]),
        Compare("edge cases: lam = 0, zero weights, weights of 1e300 (no warnings)", [
            Case((_rng.normal(size=(3, 4)),), {"lam": 0.0}, label="lam = 0"),
            Case((np.zeros((2, 5)),), {"lam": 0.4}, label="zero weights"),
            Case((1e300 * _rng.normal(size=(3, 2)),), {"lam": 0.25}, label="1e300"),
        ], warn_free=True),
        _descent_group(same_size=False),
    ),
    mistakes=(
        Mistake("sign-flipped", "the gradient of lam / 2 * ||W||^2 is +lam * W: it points away from 0, "
                "so that the descent step W - lr * grad shrinks the weights. Drop the minus sign.",
                _l2g_sign),
        Mistake("half", "differentiating lam / 2 * W**2 gives lam * W: the 2 from the square cancels the "
                "1/2. You keep the 1/2.", _l2g_half),
        Mistake("doubled", "the 1/2 of the penalty cancels the 2 from the square: the gradient is lam * W, "
                "not 2 * lam * W.", _l2g_doubled),
        Mistake("sign-only", "lam * sign(W) is the gradient of the L1 penalty; the L2 gradient grows with "
                "the weight: lam * W.", _l2g_sign_only),
        Mistake("no-lam", "multiply by the regularization strength: the gradient is lam * W.", _l2g_no_lam),
    ),
)


# ==================================================================================================
# l1_penalty
# ==================================================================================================

def _l1_half(weights, *, lam):
    return float(lam / 2 * sum(np.sum(np.abs(W)) for W in weights))


def _l1_no_abs(weights, *, lam):
    return float(lam * sum(np.sum(W) for W in weights))


def _l1_squared(weights, *, lam):
    return float(lam * sum(np.sum(np.square(W)) for W in weights))


def _l1_first_only(weights, *, lam):
    return float(lam * np.sum(np.abs(weights[0])))


def _l1_mean(weights, *, lam):
    return float(lam * sum(np.mean(np.abs(W)) for W in weights))


def _l1_matrix_norm(weights, *, lam):
    return float(lam * sum(np.linalg.norm(W, 1) for W in weights))


def _l1_frobenius(weights, *, lam):
    return float(lam * sum(np.linalg.norm(W) for W in weights))


L1_PENALTY = Spec(
    name="l1_penalty",
    reference=ref.l1_penalty,
    groups=(
        Compare("the lesson's example and small hand-checkable inputs", [
            Case((_EX_L1,), {"lam": 0.5}, label="the lesson's example: 4.0"),
            Case(([np.array([[1.0, -1.0, 2.0], [-2.0, 3.0, 0.5]])],), {"lam": 0.1}, label="one matrix: 0.95"),
        ]),
        Compare("random lists of weight matrices of several shapes", [
            Case((_mats((4, 3), (3, 2)),), {"lam": 0.01}),
            Case((_mats((1, 5)),), {"lam": 2.0}, label="one matrix of one row"),
            Case((_mats((10, 1), (1, 1), (2, 7)),), {"lam": 0.3}),
            Case((_mats((64, 32), (32, 16), (16, 10), scale=0.1),), {"lam": 1e-3}),
        ]),
        Compare("edge cases: lam = 0, all-zero weights, an empty list, weights of 1e300, a single weight "
                "(no warnings)", [
                    Case((_mats((3, 4), (4, 2)),), {"lam": 0.0}, label="lam = 0"),
                    Case(([],), {"lam": 0.5}, label="no matrices: 0"),
            Case(([np.zeros((3, 3)), np.zeros((3, 1))],), {"lam": 0.7}, label="zero weights"),
            Case((_mats((3, 4), (4, 3), scale=1e300),), {"lam": 0.01}, label="1e300"),
            Case(([np.array([[-2.5]])],), {"lam": 0.4}, label="a single weight"),
        ], warn_free=True),
        _additive_group("l1_penalty"),
    ),
    mistakes=(
        Mistake("half-in-front", "the L1 penalty has no 1/2 in front: lam * sum |W| (one of the source "
                "notes writes a 1/2 there; the usual form, used in this course, has none).", _l1_half),
        Mistake("no-abs", "take absolute values before summing (np.abs(W)): positive and negative weights "
                "must not cancel.", _l1_no_abs),
        Mistake("squared", "that is the L2 form (squares); the L1 penalty adds absolute values: "
                "lam * sum of np.sum(np.abs(W)).", _l1_squared),
        Mistake("first-only", "add the penalty of EVERY matrix in the list (a loop over weights, with "
                "the return after the loop); you penalize only the first one.", _l1_first_only),
        Mistake("mean-not-sum", "||W||_1 is the SUM of the absolute values (np.sum(np.abs(W))), not their "
                "mean.", _l1_mean),
        Mistake("matrix-1-norm", "np.linalg.norm(W, 1) of a matrix is the largest column sum, not the sum "
                "of all absolute values: use np.sum(np.abs(W)).", _l1_matrix_norm),
        Mistake("frobenius", "np.linalg.norm(W) is the Frobenius (L2) norm; the L1 penalty needs the sum "
                "of absolute values, np.sum(np.abs(W)).", _l1_frobenius),
    ),
)


# ==================================================================================================
# l1_penalty_grad
# ==================================================================================================

def _l1g_sign(W, *, lam):
    return -lam * np.sign(W)


def _l1g_one_at_zero(W, *, lam):
    return lam * np.where(np.asarray(W) >= 0, 1.0, -1.0)


def _l1g_minus_one_at_zero(W, *, lam):
    return lam * np.where(np.asarray(W) > 0, 1.0, -1.0)


def _l1g_nan_at_zero(W, *, lam):
    W = np.asarray(W, dtype=float)
    return lam * W / np.abs(W)


def _l1g_half(W, *, lam):
    return lam / 2 * np.sign(W)


def _l1g_l2(W, *, lam):
    return lam * np.asarray(W, dtype=float)


_ZEROS_MIXED = np.array([[0.0, 1.5, -2.0], [-0.0, 0.0, 0.3], [4.0, 0.0, -1e-3]])
_ZERO_HINT = ("|w| has no slope at w = 0, and the course uses 0 there (as np.sign does): "
              "lam * np.sign(W) gives lam, -lam or 0.")

L1_PENALTY_GRAD = Spec(
    name="l1_penalty_grad",
    reference=ref.l1_penalty_grad,
    groups=(
        Compare("the lesson's example", [
            Case((np.array([[3.0, -0.5], [0.0, 2.0]]),), {"lam": 0.1}),
        ]),
        Compare("random matrices of several shapes (no zero entries)", [
            Case((_rng.normal(size=(4, 3)),), {"lam": 0.1}),
            Case((_rng.normal(size=(1, 6)),), {"lam": 2.5}, label="one row"),
            Case((_rng.normal(size=(5, 1)),), {"lam": 0.03}, label="one column"),
            Case((_rng.normal(size=(20, 30)),), {"lam": 1e-4}),
        ]),
        Compare("exact zeros (also -0.0) get gradient 0, without nan or warnings", [
            Case((_ZEROS_MIXED,), {"lam": 0.2}, label="some zeros"),
            Case((np.zeros((2, 3)),), {"lam": 1.5}, label="all zeros"),
        ], warn_free=True),
        Compare("edge cases: lam = 0, weights of 1e-300 and 1e300 (no warnings)", [
            Case((_rng.normal(size=(3, 4)),), {"lam": 0.0}, label="lam = 0"),
            Case((np.array([[1e-300, -1e-300], [3e-200, -1e300]]),), {"lam": 0.7},
                 label="tiny and huge"),
        ], warn_free=True),
        _descent_group(same_size=True),
    ),
    mistakes=(
        Mistake("sign-flipped", "the gradient of lam * |w| is +lam * sign(w): it points away from 0, so "
                "that the descent step W - lr * grad shrinks the weights. Drop the minus sign.", _l1g_sign),
        Mistake("one-at-zero", "your gradient is lam (not 0) where W == 0. " + _ZERO_HINT, _l1g_one_at_zero),
        Mistake("minus-one-at-zero", "your gradient is -lam (not 0) where W == 0. " + _ZERO_HINT,
                _l1g_minus_one_at_zero),
        Mistake("nan-at-zero", "W / |W| divides 0 by 0 where W == 0 (nan and a warning). " + _ZERO_HINT,
                _l1g_nan_at_zero),
        Mistake("half", "the L1 penalty lam * sum |W| has no 1/2, so its gradient is lam * sign(W), "
                "not lam / 2 * sign(W).", _l1g_half),
        Mistake("l2-gradient", "lam * W is the gradient of the L2 penalty; the L1 gradient has the same "
                "size for every nonzero weight: lam * np.sign(W).", _l1g_l2),
    ),
)


# ==================================================================================================
# early_stopping
# ==================================================================================================

def _es_scan(val_losses, patience, min_delta, *, inclusive=False, ignore_delta=False, shift=0,
             track_min=False, vs_previous=False, no_reset=False):
    """The stopping rule with one knob turned: returns ``(stop, last_improvement, n_epochs)``.

    ``stop`` is ``None`` when the rule never fires.
    """
    losses = [float(v) for v in val_losses]
    best, last, bad = losses[0], 0, 0
    for epoch in range(1, len(losses)):
        loss = losses[epoch]
        ref_loss = losses[epoch - 1] if vs_previous else best
        d = 0.0 if ignore_delta else min_delta
        improved = (ref_loss - loss >= d) if inclusive else (ref_loss - loss > d)
        if improved:
            best, last = loss, epoch
            if not no_reset:
                bad = 0
        else:
            bad += 1
            if track_min:
                best = min(best, loss)
            if bad >= patience + shift:
                return epoch, last, len(losses)
    return None, last, len(losses)


def _earliest_min(val_losses, stop):
    return int(np.argmin(np.asarray(val_losses, dtype=float)[: stop + 1]))


def _es_with(**knobs):
    def early_stopping(val_losses, *, patience, min_delta=0.0):
        stop, _, n = _es_scan(val_losses, patience, min_delta, **knobs)
        stop = n - 1 if stop is None else stop
        return stop, _earliest_min(val_losses, stop)

    return early_stopping


_es_stop_late = _es_with(shift=1)
_es_stop_early = _es_with(shift=-1)
_es_inclusive = _es_with(inclusive=True)
_es_ignore_delta = _es_with(ignore_delta=True)
_es_track_min = _es_with(track_min=True)
_es_vs_previous = _es_with(vs_previous=True)
_es_no_reset = _es_with(no_reset=True)


def _es_best_after_stop(val_losses, *, patience, min_delta=0.0):
    stop, _, n = _es_scan(val_losses, patience, min_delta)
    return (n - 1 if stop is None else stop), int(np.argmin(val_losses))


def _es_best_latest(val_losses, *, patience, min_delta=0.0):
    stop, _, n = _es_scan(val_losses, patience, min_delta)
    stop = n - 1 if stop is None else stop
    seen = np.asarray(val_losses, dtype=float)[: stop + 1]
    return stop, int(np.flatnonzero(seen == seen.min())[-1])


def _es_best_last_improvement(val_losses, *, patience, min_delta=0.0):
    stop, last, n = _es_scan(val_losses, patience, min_delta)
    return (n - 1 if stop is None else stop), last


def _es_one_based(val_losses, *, patience, min_delta=0.0):
    stop, _, n = _es_scan(val_losses, patience, min_delta)
    stop = n - 1 if stop is None else stop
    return stop + 1, _earliest_min(val_losses, stop) + 1


def _es_never_n(val_losses, *, patience, min_delta=0.0):
    stop, _, n = _es_scan(val_losses, patience, min_delta)
    stop = n if stop is None else stop
    return stop, _earliest_min(val_losses, min(stop, n - 1))


def _es_swapped(val_losses, *, patience, min_delta=0.0):
    stop, _, n = _es_scan(val_losses, patience, min_delta)
    stop = n - 1 if stop is None else stop
    return _earliest_min(val_losses, stop), stop


def _curve(n: int, *, turn: float, noise: float, dyadic: bool = False) -> np.ndarray:
    """A validation curve: falls, then rises after epoch ``turn`` (overfitting), plus noise.

    With ``dyadic`` every value is a multiple of 1/64 below 4, exact in binary.
    """
    t = np.arange(n, dtype=float)
    losses = 0.4 + 1.2 * np.exp(-t / 6) + 0.015 * np.maximum(t - turn, 0) + noise * _rng.normal(size=n)
    if dyadic:
        losses = np.round(losses * 64) / 64
    return losses


_EX_CURVE = np.array([1.0, 0.8, 0.9, 0.85, 0.7, 0.75])


def _es_case(losses, patience, min_delta=None, label=""):
    kwargs = {"patience": patience} if min_delta is None else {"patience": patience, "min_delta": min_delta}
    return Case((np.asarray(losses, dtype=float),), kwargs, label=label)


# Curves whose later epochs the property below changes (the student's own stop epoch decides where).
_AFTER_STOP_CASES = (
    _es_case([1.0, 0.8, 0.9, 0.85, 0.95, 0.6, 0.5, 0.4], 2),
    _es_case([2.0, 1.5, 1.5, 1.25, 1.375, 1.5, 1.0, 0.5, 0.25], 3),
    _es_case([1.0, 0.875, 0.75, 0.8125, 0.6875, 0.75, 0.5, 0.25], 2, 0.125),
    _es_case([0.5, 0.75, 0.25, 0.125], 1),
)


def _epochs(value: Any, n: int) -> tuple[int, int] | None:
    """``(stop, best)`` as ints if ``value`` is two whole numbers in ``[0, n)``, else ``None``."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None
    out = []
    for v in value:
        if isinstance(v, np.ndarray) and v.shape == ():
            v = v[()]
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            return None
        if not float(v).is_integer() or not 0 <= v < n:
            return None
        out.append(int(v))
    return out[0], out[1]


def _probe_after_stop(run: Runner, spec: Spec):
    """For each curve: the full call, then (with the student's own stop) the curve cut after the stop
    and the curve with every later epoch replaced by a loss lower than any before."""
    data = []
    for case in _AFTER_STOP_CASES:
        losses = case.args[0]
        full = run.case(case)
        item = {"full": full}
        epochs = _epochs(full.value, losses.size) if full.ok else None
        if epochs is not None and epochs[0] < losses.size - 1:
            stop = epochs[0]
            cut = losses[: stop + 1].copy()
            lowered = losses.copy()
            lowered[stop + 1:] = losses.min() - 1.0
            item["cut"] = run((cut,), case.kwargs)
            item["lowered"] = run((lowered,), case.kwargs)
        data.append(item)
    return data


def _judge_after_stop(data: list, spec: Spec):
    for case, item in zip(_AFTER_STOP_CASES, data):
        losses = case.args[0]
        what = spec.call_text(case)
        problem = failed_call(item["full"], what)
        if problem:
            return problem
        epochs = _epochs(item["full"].value, losses.size)
        if epochs is None:
            return (f"{what} returned {describe(item['full'].value)}, expected two epoch numbers "
                    f"(stop_epoch, best_epoch) between 0 and {losses.size - 1}")
        if "cut" not in item:
            continue  # never stopped early on this curve: nothing comes after the stop
        stop, best = epochs
        # An answer naming, as the best, an epoch after its own stop: the best was looked for past the stop.
        lowered = _epochs(item["lowered"].value, losses.size) if item["lowered"].ok else None
        key = "best-after-stop" if lowered is not None and lowered[0] == stop and lowered[1] > stop else None
        for variant, change in (("cut", f"cut after epoch {stop}"),
                                ("lowered", f"with every epoch after {stop} set to {losses.min() - 1.0:g}")):
            outcome = item[variant]
            changed_what = f"the same curve {change}"
            problem = failed_call(outcome, changed_what)
            if problem:
                return f"{what} returned {describe(epochs)}, but {problem}"
            if _epochs(outcome.value, losses.size) != epochs:
                detail = (f"{what} returned (stop_epoch, best_epoch) = {describe(epochs)}, but {changed_what} "
                          f"gave {describe(outcome.value)}: the epochs after the stop are never trained, so "
                          "they must not change the answer")
                return detail, key
    return None


_ES_RANDOM = (
    _es_case(_curve(40, turn=12, noise=0.03), 3),
    _es_case(_curve(60, turn=20, noise=0.05), 5),
    _es_case(_curve(30, turn=8, noise=0.02), 1, label="patience 1"),
    _es_case(_curve(25, turn=10, noise=0.04, dyadic=True), 2, 1 / 32, label="min_delta = 1/32"),
    _es_case(_curve(80, turn=30, noise=0.03, dyadic=True), 6, 1 / 64, label="min_delta = 1/64"),
    _es_case(_curve(50, turn=15, noise=0.06, dyadic=True), 4, 1 / 16, label="min_delta = 1/16"),
    _es_case(0.5 + 0.1 * _rng.normal(size=30), 4, label="pure noise"),
)


class _CurveSpec(Spec):
    """A spec whose messages show a validation curve of up to 16 epochs in full, e.g. ``[1.0, 0.8, 0.9]``
    (the hand-designed curves; longer random ones are summarized)."""

    def call_text(self, case: Case) -> str:
        text = super().call_text(case)
        losses = case.args[0] if case.args else None
        if isinstance(losses, list) and len(losses) <= 16:
            full = "[" + ", ".join(repr(float(v)) for v in losses) + "]"
            return text.replace(f"val_losses={describe(losses)}", f"val_losses={full} (a list)", 1)
        if isinstance(losses, np.ndarray) and losses.ndim == 1 and losses.size <= 16:
            full = "[" + ", ".join(repr(float(v)) for v in losses) + "]"
            text = text.replace(f"val_losses={describe(losses)}", f"val_losses={full}", 1)
        return text


EARLY_STOPPING = _CurveSpec(
    name="early_stopping",
    reference=ref.early_stopping,
    outputs=("stop_epoch", "best_epoch"),
    groups=(
        Compare("the lesson's examples: one curve with patience 1, 2 and 3", [
            _es_case(_EX_CURVE, 1, label="(2, 1)"),
            _es_case(_EX_CURVE, 2, label="(3, 1)"),
            _es_case(_EX_CURVE, 3, label="(5, 4)"),
            _es_case([1.0, 0.75, 0.7, 0.68], 2, 0.1, label="min_delta 0.1: (3, 3)"),
        ]),
        Compare("when to stop: one epoch, patience 1, never stopping, stopping on or just before the last "
                "epoch, patience longer than the curve", [
                    _es_case([0.7], 3, label="one epoch"),
                    _es_case([1.0, 2.0, 0.5], 1, label="patience 1: stops at epoch 1"),
                    Case(([1.0, 0.5, 0.75, 0.25, 0.5, 0.625, 0.375],), {"patience": 2},
                         label="a Python list (the lesson allows one)"),
                    _es_case([1.0, 0.8, 0.6, 0.5, 0.45, 0.44], 2, label="always improving: never stops"),
                    _es_case([1.0, 0.8, 0.9, 0.95, 0.85], 3, label="stops exactly on the last epoch"),
                    _es_case([1.0, 0.8, 0.9, 0.95, 0.85, 0.99], 3, label="stops one before the last"),
                    _es_case([1.0, 0.8, 0.9, 0.95, 0.5], 3, label="improves on the last epoch"),
                    _es_case([0.9, 1.0, 1.1, 1.2], 10, label="patience longer than the curve"),
                    _es_case([1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.7, 0.75, 0.6], 2,
                             label="an improvement every other epoch: never stops"),
                    _es_case([3.0, 2.0, 2.5, 2.2, 2.1, 1.9, 2.4, 2.3, 2.6, 2.2], 3),
                ]),
        Compare("ties are not improvements: a plateau runs out the patience, and the earliest of equal "
                "losses is the best", [
                    _es_case([1.0, 0.5, 0.5, 0.5, 0.5, 0.5], 2, label="flat after epoch 1"),
                    _es_case([2.0, 1.0, 1.5, 1.0, 1.25, 1.0, 0.5], 3, label="the lowest loss three times"),
                    _es_case([1.0, 1.0, 1.0], 5, label="flat, never stops"),
                    _es_case([0.25, 0.5, 0.25, 0.75, 0.25, 0.125], 4, label="tie with epoch 0"),
                ]),
        Compare("min_delta: an epoch improves only when it beats the best so far by MORE than min_delta "
                "(losses exact in binary)", [
                    _es_case([2.0, 1.875, 1.8125, 2.0, 2.0, 2.0], 3, 0.25,
                             label="gains of 1/8 and 3/16 do not count; the best epoch is still 2"),
                    _es_case([2.0, 1.875, 1.75, 1.625, 1.5, 1.0], 3, 0.25,
                             label="creeping down by 1/8: only gains of more than 1/4 on the best count"),
                    _es_case([1.0, 0.75, 0.5, 0.5, 0.25], 1, 0.25,
                             label="a drop of exactly min_delta is no improvement: (1, 1)"),
                    _es_case([1.0, 0.75, 0.5625, 0.5, 0.375, 0.375, 0.25], 2, 0.125),
                    _es_case([1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 0.5], 2, 0.25,
                             label="recovering from a bad epoch is no improvement"),
                    _es_case([1.0, 0.5, 0.5, 0.5], 2, 0.0, label="min_delta 0 given explicitly"),
                ]),
        Compare("a lower loss after the stop epoch is never seen", [
            _es_case([1.0, 0.8, 0.9, 0.95, 0.99, 0.3], 2),
            _es_case([5.0, 4.0, 3.0, 3.5, 3.25, 3.75, 4.0, 1.0], 3),
        ]),
        Compare("random validation curves (min_delta 0, 1/64, 1/32 and 1/16; patience 1 to 6)", _ES_RANDOM),
        Property("judged on your own stop epoch: cutting the curve after it, or lowering every later loss, "
                 "changes nothing", _probe_after_stop, _judge_after_stop),
    ),
    mistakes=(
        Mistake("stop-late", "you stop one epoch late: stop at the first epoch that is `patience` epochs "
                "after the last improvement (epoch - last_improvement == patience), not one more.",
                _es_stop_late),
        Mistake("stop-early", "you stop one epoch early: after an improvement at epoch s, wait through "
                "epochs s + 1, ..., s + patience and stop AT epoch s + patience (the check "
                "epoch - last_improvement >= patience).", _es_stop_early),
        Mistake("best-after-stop", "best_epoch is the lowest loss among the epochs up to the stop only: "
                "np.argmin(val_losses[:stop_epoch + 1]). Training never reaches the later epochs.",
                _es_best_after_stop),
        Mistake("best-latest-tie", "on ties take the EARLIEST epoch with the lowest loss (np.argmin "
                "returns the first minimum; in a loop, update only when loss < best, not <=).",
                _es_best_latest),
        Mistake("best-is-last-improvement", "best_epoch is the epoch of the lowest loss up to the stop, "
                "even if it beat the previous best by less than min_delta (so it did not count as an "
                "improvement): np.argmin(val_losses[:stop_epoch + 1]).", _es_best_last_improvement),
        Mistake("min-delta-inclusive", "an epoch improves only when best - loss is strictly MORE than "
                "min_delta (use >, not >=); with min_delta = 0 a loss equal to the best is no improvement.",
                _es_inclusive),
        Mistake("min-delta-ignored", "use min_delta: an epoch improves only when best - loss > min_delta; "
                "smaller gains do not reset the patience.", _es_ignore_delta),
        Mistake("best-always-updated", "update the best loss only when an epoch counts as an improvement "
                "(best - loss > min_delta); you lower it on every smaller gain too, so slow progress "
                "never counts.", _es_track_min),
        Mistake("compare-to-previous", "compare each loss with the BEST loss so far, not with the "
                "previous epoch's loss: recovering from a bad epoch is not an improvement.", _es_vs_previous),
        Mistake("counter-not-reset", "the patience counts the epochs since the LAST improvement: reset "
                "your counter to 0 whenever an epoch improves.", _es_no_reset),
        Mistake("one-based", "epochs are numbered from 0: the first loss in val_losses is epoch 0.",
                _es_one_based),
        Mistake("never-stops-gives-n", "when the patience never runs out, stop_epoch is the LAST epoch, "
                "len(val_losses) - 1 (epochs are numbered from 0), not len(val_losses).", _es_never_n),
        Mistake("swapped-outputs", "return the two epochs in the order (stop_epoch, best_epoch).", _es_swapped),
    ),
)


# ==================================================================================================
# bootstrap_indices
# ==================================================================================================

def _global_integers(n: int) -> np.ndarray:
    """Indices from NumPy's hidden global generator: the catalogued mistake "global-generator"."""
    return np.random.randint(0, n, size=n)  # catalogued mistake: global generator


def _bs_without_replacement(n, *, rng):
    return rng.permutation(n)


def _bs_global(n, *, rng):
    return _global_integers(n)


def _bs_own(n, *, rng):
    return np.random.default_rng(0).integers(0, n, size=n)


def _bs_float(n, *, rng):
    return np.floor(rng.random(n) * n)


def _bs_no_size(n, *, rng):
    return rng.integers(0, n)


def _bs_never_last(n, *, rng):
    return rng.integers(0, max(n - 1, 1), size=n)


def _bs_includes_n(n, *, rng):
    return rng.integers(0, n, size=n, endpoint=True)


def _bs_rounded(n, *, rng):
    return np.round(rng.random(n) * (n - 1)).astype(np.int64)


_BS_SIZES = (1, 2, 7, 100, 1000)


def _bs_call(n: int) -> Case:
    return Case((n,), {"rng": np.random.default_rng(SEED)})


def _bs_problem(value: Any, n: int) -> tuple[str, str | None] | None:
    """``None`` if ``value`` is ``n`` integer indices in ``[0, n)``, else ``(sentence, mistake key)``."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return f"returned the single number {int(value)}, expected an array of n = {n} indices", "no-size"
    if not isinstance(value, np.ndarray):
        return (f"returned {describe(value)}, expected a NumPy array of n = {n} integer indices "
                "(e.g. from rng.integers)", None)
    if value.shape != (n,):
        if value.shape == ():
            return f"returned the single number {value}, expected an array of n = {n} indices", "no-size"
        return f"returned an array of shape {value.shape}, expected ({n},): n indices", None
    if value.dtype.kind not in "iu":
        whole = value.dtype.kind == "f" and np.all(np.isfinite(value)) and not np.any(value % 1)
        return (f"returned an array of dtype {value.dtype}, expected integers (indices must be integers "
                "to index X[indices])", "float-dtype" if whole else None)
    low, high = int(value.min()), int(value.max())
    if low < 0 or high >= n:
        return (f"returned indices from {low} to {high}, expected them in 0 .. {n - 1}",
                "includes-n" if low >= 0 and high == n else None)
    return None


def _probe_bs_values(run: Runner, spec: Spec):
    return [run((n,), {"rng": np.random.default_rng(SEED + 70 + i)}) for i, n in enumerate(_BS_SIZES)]


def _judge_bs_values(data: list[Outcome], spec: Spec):
    for n, outcome in zip(_BS_SIZES, data):
        what = spec.call_text(_bs_call(n))
        problem = failed_call(outcome, what)
        if problem:
            return problem
        problem = _bs_problem(outcome.value, n)
        if problem:
            return f"{what} {problem[0]}", problem[1]
    return None


def _valid_samples(data: list[Outcome], n: int, spec: Spec) -> tuple[list[np.ndarray] | None, str | None]:
    """The returned index arrays, or ``(None, sentence)`` when one call failed or returned no indices."""
    what = spec.call_text(_bs_call(n))
    found = []
    for outcome in data:
        problem = failed_call(outcome, what)
        if problem:
            return None, problem
        if _bs_problem(outcome.value, n) is not None:
            return None, (f"{what} returned {describe(outcome.value)}, not {n} indices in 0 .. {n - 1}, "
                          "so this could not be checked (see the checks above)")
        found.append(outcome.value.astype(np.int64))
    return found, None


def _all_same(found: list[np.ndarray]) -> bool:
    return all(np.array_equal(f, found[0]) for f in found[1:])


_REPLACE_N, _REPLACE_DRAWS = 1000, 10


def _distinct_mean_var(n: int) -> tuple[float, float]:
    """Exact mean and variance of the number of distinct values among n uniform draws from n."""
    q1 = (1 - 1 / n) ** n
    q2 = (1 - 2 / n) ** n
    mean = n * (1 - q1)
    var = n * q1 + n * (n - 1) * q2 - (n * q1) ** 2
    return mean, var


def _probe_bs_replace(run: Runner, spec: Spec):
    return samples(run, Case((_REPLACE_N,), {}), _REPLACE_DRAWS)


def _judge_bs_replace(data: list[Outcome], spec: Spec):
    n, draws = _REPLACE_N, _REPLACE_DRAWS
    found, problem = _valid_samples(data, n, spec)
    if problem:
        return problem
    what = spec.call_text(_bs_call(n))
    distinct = [np.unique(f).size for f in found]
    mean, var = _distinct_mean_var(n)
    got = sum(distinct) / draws
    tol = Z * math.sqrt(var / draws)
    if abs(got - mean) <= tol:
        return None
    detail = (f"over {draws} calls of {what} with different seeds, {100 * got / n:.3g}% of the n samples "
              f"appeared in a bootstrap sample on average; drawing n times with replacement gives "
              f"1 - (1 - 1/n)**n = {100 * mean / n:.3g}% (+/- {100 * tol / n:.2g}%), the rest being "
              "repeats")
    if all(d == n for d in distinct):
        return detail + ": every index appeared exactly once, so nothing was drawn twice", "without-replacement"
    return detail, None


_UNIFORM_N, _UNIFORM_DRAWS = 10, 300


def _probe_bs_uniform(run: Runner, spec: Spec):
    return samples(run, Case((_UNIFORM_N,), {}), _UNIFORM_DRAWS)


def _judge_bs_uniform(data: list[Outcome], spec: Spec):
    n, draws = _UNIFORM_N, _UNIFORM_DRAWS
    found, problem = _valid_samples(data, n, spec)
    if problem:
        return problem
    what = spec.call_text(_bs_call(n))
    counts = np.bincount(np.concatenate(found), minlength=n)
    problem = chi2_uniform_problem(counts)
    if problem is None:
        return None
    shown = ", ".join(str(int(c)) for c in counts)
    detail = (f"over {draws} calls of {what} with different seeds, the {n} indices were drawn "
              f"{shown} times ({draws} each expected): {problem}")
    if _all_same(found):
        same = ", ".join(str(int(i)) for i in found[0])
        return detail + f"; every call returned the same indices [{same}]", "own-generator"
    if counts[-1] == 0 and np.all(counts[:-1] > 0):
        return detail + f"; index {n - 1} (the last sample) was never drawn", "never-last"
    ends = counts[[0, -1]]
    if ends.max() < counts[1:-1].min():
        return detail + "; the first and last indices were drawn least often", "rounded"
    return detail, None


def _bs_rng_group() -> Property:
    case = Case((50,), {})
    inner = rng_discipline(case)

    def judge(data, spec: Spec):
        verdict = inner.judge(data, spec)
        if verdict.passed:
            return None
        if data["global_touched"]:
            return verdict.detail, "global-generator"
        if "different seeds gave the same result" in verdict.detail:
            return verdict.detail, "own-generator"
        return verdict.detail

    return Property("draws its randomness from `rng` only (same seed, same indices; another seed, other "
                    "indices; NumPy's global generator untouched)", inner.probe, judge)


BOOTSTRAP_INDICES = Spec(
    name="bootstrap_indices",
    reference=ref.bootstrap_indices,
    groups=(
        Property("returns a NumPy array of n integer indices in 0 .. n - 1 (n = 1, 2, 7, 100, 1000)",
                 _probe_bs_values, _judge_bs_values),
        _bs_rng_group(),
        Property(f"draws with replacement: about 63.2% distinct indices, the rest repeats "
                 f"({_REPLACE_DRAWS} samples of n = {_REPLACE_N})", _probe_bs_replace, _judge_bs_replace),
        Property(f"every index is equally likely (chi-square test over {_UNIFORM_DRAWS} samples of "
                 f"n = {_UNIFORM_N})", _probe_bs_uniform, _judge_bs_uniform),
    ),
    mistakes=(
        Mistake("without-replacement", "a bootstrap sample draws n indices WITH replacement, so some "
                "samples repeat and about 37% are left out: rng.integers(0, n, size=n). A permutation "
                "(or rng.choice(..., replace=False)) only reorders the data.", _bs_without_replacement,
                matchable=False),
        Mistake("global-generator", "draw from the `rng` argument (rng.integers(0, n, size=n)), not from "
                "NumPy's global generator np.random.*: the sample must be reproducible from the seed alone.",
                _bs_global, matchable=False),
        Mistake("own-generator", "use the generator passed in as `rng`; do not create your own with "
                "np.random.default_rng(...) inside the function: every call with a new seed must give a "
                "new sample.", _bs_own, matchable=False),
        Mistake("float-dtype", "return integer indices: rng.integers(0, n, size=n) gives them directly "
                "(or convert with .astype(int)); an array of floats cannot index X.", _bs_float,
                matchable=False),
        Mistake("no-size", "draw all n indices at once with size=n: rng.integers(0, n, size=n). Without "
                "size, rng.integers returns a single number.", _bs_no_size, matchable=False),
        Mistake("never-last", "the upper bound of rng.integers is already exclusive: rng.integers(0, n) "
                "draws from 0 .. n - 1. With n - 1 as the bound, the last sample is never drawn.",
                _bs_never_last, matchable=False),
        Mistake("includes-n", "the indices must stay below n: rng.integers(0, n, size=n) excludes n "
                "(do not add 1 to the bound or pass endpoint=True).", _bs_includes_n, matchable=False),
        Mistake("rounded", "rounding rng.random(n) * (n - 1) makes the first and last indices half as "
                "likely as the others; draw integers directly with rng.integers(0, n, size=n) (or floor "
                "rng.random(n) * n).", _bs_rounded, matchable=False),
    ),
)


# ==================================================================================================
# bagging_predict
# ==================================================================================================

def _member_probs(m: int, n: int, k: int) -> np.ndarray:
    """``m`` models' probabilities for ``n`` samples and ``k`` classes, rows summing to 1."""
    p = _rng.uniform(0.05, 1.0, size=(m, n, k))
    return p / p.sum(axis=-1, keepdims=True)


def _bag_axis_samples(member_probs):
    return np.mean(member_probs, axis=1)


def _bag_axis_classes(member_probs):
    return np.mean(member_probs, axis=-1)


def _bag_sum(member_probs):
    return np.sum(member_probs, axis=0)


def _bag_no_axis(member_probs):
    return float(np.mean(member_probs))


def _bag_votes(member_probs):
    member_probs = np.asarray(member_probs)
    votes = np.eye(member_probs.shape[-1])[np.argmax(member_probs, axis=-1)]
    return votes.mean(axis=0)


def _bag_labels(member_probs):
    return np.argmax(np.mean(member_probs, axis=0), axis=-1)


_EX_BAG = np.array([[[0.9, 0.1], [0.4, 0.6]],
                    [[0.7, 0.3], [0.8, 0.2]]])
_BAG_PROPERTY_INPUT = _member_probs(5, 8, 3)


def _probe_bag(run: Runner, spec: Spec):
    order = np.array([3, 0, 4, 2, 1])
    return [run((_BAG_PROPERTY_INPUT,)), run((_BAG_PROPERTY_INPUT[order],))]


def _judge_bag(data: list[Outcome], spec: Spec):
    x = _BAG_PROPERTY_INPUT
    what = "bagging_predict(member_probs) with 5 models, 8 samples and 3 classes"
    values = []
    for outcome in data:
        problem = failed_call(outcome, what)
        if problem:
            return problem
        value = outcome.value
        if not isinstance(value, np.ndarray) or value.shape != x.shape[1:] or value.dtype.kind not in "fiu":
            detail = (f"{what} returned {describe(value)}, expected an array of shape (n_samples, n_classes) "
                      f"= {x.shape[1:]}")
            key = ("no-axis" if _as_float(value) is not None else
                   {(5, 3): "axis-samples", (5, 8): "axis-classes", (8,): "argmax-labels"}.get(
                       getattr(value, "shape", None)))
            return detail, key
        values.append(value.astype(np.float64))
    first, permuted = values
    if not np.allclose(first, permuted, rtol=1e-12, atol=1e-15):
        return f"{what}: reordering the models changed the result; the average must not depend on their order"
    sums = first.sum(axis=1)
    if not np.allclose(sums, 1.0, rtol=0, atol=1e-12):
        i = int(np.argmax(np.abs(sums - 1)))
        detail = (f"{what}: row {i} of the result sums to {sums[i]:.6g}; every member's rows sum to 1, so the "
                  "average's rows do too")
        return detail, ("sum-not-mean" if np.allclose(sums, x.shape[0]) else None)
    if np.any(first < x.min(axis=0) - 1e-12) or np.any(first > x.max(axis=0) + 1e-12):
        detail = (f"{what}: some entries lie outside the range of the members' probabilities for that "
                  "sample and class; an average lies between them")
        votes = first * x.shape[0]
        return detail, ("hard-votes" if np.allclose(votes, np.round(votes), rtol=0, atol=1e-9) else None)
    return None


BAGGING_PREDICT = Spec(
    name="bagging_predict",
    reference=ref.bagging_predict,
    groups=(
        Compare("the lesson's example and small hand-checkable inputs", [
            Case((_EX_BAG,), label="two models, two samples: [[0.8, 0.2], [0.6, 0.4]]"),
            Case((np.array([[[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]], [[0.0, 0.0, 1.0]], [[0.0, 1.0, 0.0]]]),),
                 label="four confident models, one sample"),
        ]),
        Compare("random probabilities of several shapes: one model, one sample, one class column, "
                "more models than samples", [
                    Case((_member_probs(5, 7, 3),)),
                    Case((_member_probs(1, 6, 4),), label="one model"),
                    Case((_member_probs(9, 1, 2),), label="one sample"),
                    Case((_rng.uniform(0, 1, size=(4, 6, 1)),), label="one column: P(class 1)"),
                    Case((_member_probs(25, 10, 10),)),
                ]),
        Compare("n_models = n_samples = n_classes, so that averaging over the wrong axis keeps the shape", [
            Case((_member_probs(3, 3, 3),)),
            Case((_member_probs(4, 4, 4),)),
        ]),
        Compare("edge cases: probabilities of exactly 0 and 1 (no warnings)", [
            Case((np.array([[[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]]),)),
        ], warn_free=True),
        Property("reordering the models changes nothing, and rows summing to 1 in every member sum to 1",
                 _probe_bag, _judge_bag),
    ),
    mistakes=(
        Mistake("axis-samples", "average over the MODELS, the first axis: np.mean(member_probs, axis=0). "
                "axis=1 averages over the samples.", _bag_axis_samples),
        Mistake("axis-classes", "average over the MODELS, the first axis: np.mean(member_probs, axis=0). "
                "The last axis holds the classes.", _bag_axis_classes),
        Mistake("sum-not-mean", "divide by the number of models: the ensemble's prediction is the MEAN "
                "of the members' probabilities, np.mean(member_probs, axis=0).", _bag_sum),
        Mistake("no-axis", "np.mean without axis averages every entry into one number; average over the "
                "models only: np.mean(member_probs, axis=0), of shape (n_samples, n_classes).", _bag_no_axis),
        Mistake("hard-votes", "average the members' probabilities themselves (soft voting), not one-hot "
                "votes for each member's predicted class.", _bag_votes),
        Mistake("argmax-labels", "return the averaged probabilities, shape (n_samples, n_classes), not the "
                "predicted classes: the argmax comes later.", _bag_labels),
    ),
)

SPECS = (L2_PENALTY, L2_PENALTY_GRAD, L1_PENALTY, L1_PENALTY_GRAD, EARLY_STOPPING, BOOTSTRAP_INDICES,
         BAGGING_PREDICT)
