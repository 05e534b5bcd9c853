"""Checks and mistakes for lesson 02, softmax, entropy and cross-entropy (reference: ``solutions.softmax``).

Every function of the lesson is deterministic, so each is compared with the
reference (default tolerances) on the lesson's worked numbers, small
hand-checkable cases, seeded random cases of several shapes (1-D, one sample,
square and non-square batches, 3-D) and every ``axis``, and on extreme but
valid inputs that must give the right values without a warning:

- ``softmax`` and ``log_softmax``: logits of +/-1000 and 1e4 (the naive
  formula gives ``inf / inf`` or ``0 / 0``), ``-inf`` entries (probability 0,
  log-probability ``-inf``), and batches whose rows have very different
  scales, in a group of their own: a maximum taken over the whole array
  instead of one per row leaves a row near 0 under a row near 1000 at
  ``0 / 0 = nan``, and a row near -740 in the subnormal range, finite but
  wrong;
- ``entropy``, ``cross_entropy`` and ``kl_divergence``: zero probabilities
  (``0 log 0 = 0``, even where ``q`` is 0 too) and ``inf`` where ``q`` is 0
  on an outcome ``p`` allows.  When every value is right but a call warned
  (``np.where`` computes ``log(0)`` on every entry; a log of ``q = 0`` not
  silenced), the message names that;
- ``softmax_cross_entropy`` and its gradient: logits of 1e4 (the loss is
  exactly 1e4 for ``[[0, 1e4]]`` and label 0, where ``log(softmax)`` gives
  ``inf`` and a clipped probability 27.6) and rows of different scales.

Properties any correct implementation has, judged from the student's own
outputs and closed forms (never from the reference):

- softmax outputs lie in ``[0, 1]`` and sum to 1 along ``axis``; the
  log-softmax is ``<= 0`` and its exponentials sum to 1;
- both are shift invariant: adding one constant per row (up to 1e4, of
  either sign) changes nothing; so is the loss;
- ``0 <= H(p) <= log K``, 0 for a certain outcome and ``log K`` for the
  uniform distribution; ``H(p, p) = H(p) <= H(p, q)`` (Gibbs' inequality);
  ``KL(p || p) = 0 <= KL(p || q)``;
- the loss of a batch is the mean of its samples' losses; the gradient's
  rows sum to 0 with entries in ``[-1/n, 1/n]``, and it agrees with central
  differences of the loss (written out here).

Errors graded (the ones the lesson asks for): ``p`` and ``q`` of different
shapes (a ``(3, 1)`` against a ``(3,)`` would broadcast), and for the loss and
its gradient: one-hot rows instead of integer labels, labels out of range
(including -1, which NumPy would read as the last column), a label count that
is not ``n_samples``, 1-D logits.  Values the reference also refuses (NaN
logits, rows of all ``-inf``, probabilities outside ``[0, 1]``) are never
given.  Logits of ``-inf`` are given to ``softmax`` and ``log_softmax`` only
(the curriculum's requirement); the loss is not asked to handle them.
"""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np

from ..calls import Outcome
from ..compare import describe
from ..spec import Case, Compare, Mistake, Property, Raises, Runner, Spec, Verdict, failed_call, mistake_key, number_of
from ..spec import reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("softmax")

_rng = np.random.default_rng(202)


# --- helpers shared by the specs ------------------------------------------------------------------

def _x(values) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def _dist(*shape: int, zeros: float = 0.0) -> np.ndarray:
    """Random distributions along the last axis; a share ``zeros`` of the entries set to 0."""
    p = _rng.uniform(0.05, 1.0, size=shape)
    if zeros:
        p = np.where(_rng.random(size=shape) < zeros, 0.0, p)
        p[..., 0] = np.where(p.sum(axis=-1) == 0, 1.0, p[..., 0])  # every distribution needs some mass
    return p / p.sum(axis=-1, keepdims=True)


def _labels(n: int, k: int) -> np.ndarray:
    return _rng.integers(0, k, size=n)


def _array_of(outcome: Outcome, shape: tuple, what: str) -> tuple[np.ndarray | None, str | None]:
    """The returned value as a float array of ``shape``, or ``(None, a sentence saying why not)``.

    A number (or NumPy scalar) stands for a 0-d array, as arithmetic on 0-d arrays gives one.
    """
    problem = failed_call(outcome, what)
    if problem:
        return None, problem
    value = outcome.value
    if isinstance(value, (numbers.Real, np.generic)) and not isinstance(value, (bool, np.bool_)):
        value = np.asarray(value, dtype=np.float64)
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "fiu":
        return None, f"{what} returned {describe(value)}, expected an array of shape {shape}"
    if value.shape != tuple(shape):
        return None, f"{what} returned an array of shape {value.shape}, expected shape {tuple(shape)}"
    return value.astype(np.float64), None


class _Compare(Compare):
    """:class:`Compare` that names ``warn_mistake`` when every value is right but a call warned.

    The values alone cannot tell an implementation that computes ``log(0)``
    and then discards it (``np.where``) from a quiet one; the warning can.
    """

    def __init__(self, title: str, cases, *, warn_mistake: str | None = None, **kwargs):
        super().__init__(title, cases, **kwargs)
        self.warn_mistake = warn_mistake

    def judge(self, data: list[Outcome], spec: Spec) -> Verdict:
        verdict = super().judge(data, spec)
        if verdict.passed or verdict.mistake is not None or self.warn_mistake is None:
            return verdict
        values_only = Compare(self.title, self.cases, rtol=self.rtol, atol=self.atol)
        if values_only.judge(data, spec).passed:
            return dataclasses.replace(verdict, mistake=spec.mistake(self.warn_mistake))
        return verdict


def _row_text(arr: np.ndarray) -> str:
    return describe(np.asarray(arr))


# --- softmax --------------------------------------------------------------------------------------

def _sm_naive(z, axis=-1):
    e = np.exp(np.asarray(z, dtype=float))
    return e / np.sum(e, axis=axis, keepdims=True)


def _sm_global_max(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z))
    return e / np.sum(e, axis=axis, keepdims=True)


def _sm_last_axis(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _sm_first_axis(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def _sm_no_keepdims(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=axis))
    return e / np.sum(e, axis=axis)


def _sm_whole_array(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def _probabilities_property(cases: list[Case], *, log: bool) -> Property:
    """Outputs are probabilities along ``axis`` (or log-probabilities whose exponentials are)."""

    def probe(run: Runner, spec: Spec):
        return [run.case(c) for c in cases]

    def judge(data: list[Outcome], spec: Spec):
        for case, outcome in zip(cases, data):
            z = case.args[0]
            axis = case.kwargs.get("axis", -1)
            what = spec.call_text(case)
            out, problem = _array_of(outcome, z.shape, what)
            if problem:
                return problem, None
            if np.any(np.isnan(out)) or np.any(np.isinf(out)):
                return (f"{what} returned nan or inf for finite logits of moderate size",
                        mistake_key(spec, case, outcome))
            if log:
                if np.any(out > 1e-12):
                    return (f"{what} returned a positive log-probability, {out.max():.6g}: "
                            "log-probabilities are never above 0", mistake_key(spec, case, outcome))
                probs = np.exp(out)
            else:
                probs = out
                if np.any(probs < 0) or np.any(probs > 1 + 1e-12):
                    bad = probs[(probs < 0) | (probs > 1 + 1e-12)].flat[0]
                    return f"{what} returned {bad:.6g}, outside [0, 1]", mistake_key(spec, case, outcome)
            sums = probs.sum(axis=axis)
            gap = np.abs(sums - 1.0)
            if np.all(gap <= 1e-9):
                continue
            idx = tuple(int(i) for i in np.argwhere(gap > 1e-9)[0])
            total = "the exponentials of the entries" if log else "the entries"
            return (f"{what}: {total} along axis {axis} should sum to 1, but at index {idx} of the "
                    f"other axes they sum to {sums[idx]:.6g}", mistake_key(spec, case, outcome))
        return None

    title = ("every entry is at most 0 and the exponentials sum to 1 along `axis`, for any shape and axis"
             if log else "every entry lies in [0, 1] and they sum to 1 along `axis`, for any shape and axis")
    return Property(title, probe, judge)


def _shift_property(pairs: list[tuple[Case, Case, np.ndarray, int]], *, atol: float, what_fn: str) -> Property:
    """Adding one constant per slice along ``axis`` changes nothing.

    ``pairs`` holds ``(base case, shifted case, constants, axis of the classes)``.
    """

    def probe(run: Runner, spec: Spec):
        return [(run.case(base), run.case(shifted)) for base, shifted, _, _ in pairs]

    def judge(data, spec: Spec):
        for (base, shifted, shifts, axis), (o_base, o_shift) in zip(pairs, data):
            z = base.args[0]
            a, problem = _array_of(o_base, z.shape, spec.call_text(base))
            if problem:
                return problem, None
            b, problem = _array_of(o_shift, z.shape, spec.call_text(shifted))
            if problem:
                return problem, mistake_key(spec, shifted, o_shift)
            a_slices = np.moveaxis(a, axis, -1).reshape(-1, z.shape[axis])
            b_slices = np.moveaxis(b, axis, -1).reshape(-1, z.shape[axis])
            for i, c in enumerate(shifts):
                if np.allclose(b_slices[i], a_slices[i], rtol=1e-6, atol=atol, equal_nan=False):
                    continue
                where = "row" if axis in (-1, z.ndim - 1) else "column"
                added = ", ".join(f"{v:g}" for v in shifts)
                return (f"adding one constant to each {where} of z (shape {z.shape}, axis={axis}), here "
                        f"({added}), should change nothing, but {where} {i} ({c:+g}) went from "
                        f"{_row_text(a_slices[i])} to {_row_text(b_slices[i])}",
                        mistake_key(spec, shifted, o_shift))
        return None

    return Property(f"shift invariant: adding a constant (up to 1e4) to each row changes no {what_fn}",
                    probe, judge)


def _shift_pairs() -> list[tuple[Case, Case, np.ndarray, int]]:
    rows = _rng.normal(scale=2.0, size=(5, 4))
    row_shifts = _x([0.0, 750.0, -750.0, 1e4, -1e4])
    cols = _rng.normal(scale=2.0, size=(3, 4))
    col_shifts = _x([0.0, 1e4, -800.0, 900.0])
    return [
        (Case((rows,)), Case((rows + row_shifts[:, None],)), row_shifts, -1),
        (Case((cols,), {"axis": 0}), Case((cols + col_shifts[None, :],), {"axis": 0}), col_shifts, 0),
    ]


_SHIFT_PAIRS = _shift_pairs()

_PROB_CASES = [
    Case((_rng.normal(scale=20.0, size=(5, 7)),), label="logits of scale 20"),
    Case((_rng.normal(scale=5.0, size=(3, 4, 2)),), {"axis": 1}),
    Case((_rng.normal(size=(4, 6)),), {"axis": 0}),
    Case((_rng.normal(scale=3.0, size=9),)),
]

# Rows far apart: a maximum over the whole array leaves the lower row at 0 / 0 (nan), or, near -740
# below the maximum, in the subnormal range where only a few digits survive (finite but wrong).
_SCALES = [
    Case((_x([[0.0, 1.0], [-1000.0, -999.0]]),), label="a row near 0 and a row near -1000"),
    Case((_x([[1e4, 9999.0, 9998.0], [0.0, 1.0, 2.0]]),), label="a row near 1e4 and a row near 0"),
    Case((_x([[0.0, 1.0, 2.0], [-740.0, -741.0, -742.0]]),), label="a row near -740 (subnormal, wrong digits)"),
    Case((_x([[0.0, -1000.0], [1.0, -999.0]]),), {"axis": 0}, label="columns near 0 and near -1000"),
]

SOFTMAX = Spec(
    name="softmax",
    reference=ref.softmax,
    groups=(
        Compare("the lesson's worked examples and small cases", [
            Case((_x([1.0, 2.0, 3.0]),), label="softmax(1, 2, 3) = (0.090, 0.245, 0.665)"),
            Case((_x([2.0, 4.0, 6.0]),), label="temperature 0.5: (0.016, 0.117, 0.867)"),
            Case((_x([[0.0, 0.0], [3.0, -1.0]]),)),
            Case((_x([[3.0, 0.0]]),), label="two classes: the sigmoid of 3"),
            Case((np.zeros((2, 4)),), label="equal logits: uniform"),
            Case((_x([5.0]),), label="one class"),
        ]),
        Compare("random logits of several shapes", [
            Case((_rng.normal(size=(6, 4)),)),
            Case((_rng.normal(size=(1, 10)),), label="one sample"),
            Case((_rng.normal(size=7),), label="1-D"),
            Case((_rng.normal(size=(3, 3)),), label="square"),
            Case((_rng.normal(scale=3.0, size=(3, 5, 2)),)),
        ]),
        Compare("the axis argument", [
            Case((_rng.normal(size=(4, 3)),), {"axis": 0}),
            Case((_rng.normal(size=(2, 3, 4)),), {"axis": 1}),
            Case((_rng.normal(size=(3, 2, 2)),), {"axis": 0}),
            Case((_rng.normal(size=(2, 5)),), {"axis": 1}),
        ]),
        Compare("huge logits (+/-1000, 1e4) and -inf (probability 0): right values, no warnings", [
            Case((_x([1000.0, 1001.0, 1002.0]),)),
            Case((_x([-1000.0, -1001.0, -1002.0]),)),
            Case((_x([[1e4, 0.0, -1e4]]),)),
            Case((_x([[0.0, -np.inf, 1.0]]),), label="-inf gives probability 0"),
            Case((_x([-np.inf, 5.0, -np.inf]),)),
        ], warn_free=True),
        Compare("rows of very different scales (each row needs its own maximum), no warnings", _SCALES,
                warn_free=True),
        _probabilities_property(_PROB_CASES, log=False),
        _shift_property(_SHIFT_PAIRS, atol=1e-9, what_fn="probability"),
    ),
    mistakes=(
        Mistake("no-max", "subtract the maximum of each row before np.exp: exp(1000) overflows to inf "
                "and inf / inf is nan, while exp(-1000) underflows to 0 and 0 / 0 is nan. With "
                "m = np.max(z, axis=axis, keepdims=True), softmax is exp(z - m) / sum(exp(z - m)).",
                _sm_naive),
        Mistake("global-max", "subtract one maximum per row, np.max(z, axis=axis, keepdims=True), not "
                "np.max(z), the maximum of the whole array: a row whose logits all lie far below that "
                "maximum underflows to 0 / 0 = nan (or keeps only a few digits).", _sm_global_max),
        Mistake("wrong-axis", "normalize along the `axis` argument: the max and the sum both need "
                "axis=axis, keepdims=True; you always use the last axis.", _sm_last_axis),
        Mistake("first-axis", "the classes lie along `axis` (the last axis by default), but you "
                "normalize down the columns (axis 0): each ROW of a batch must sum to 1.", _sm_first_axis),
        Mistake("no-keepdims", "pass keepdims=True to np.max and np.sum: without it the row maxima and "
                "sums of an (n, K) array have shape (n,), and NumPy lines them up with the columns, not "
                "the rows (or cannot broadcast at all).", _sm_no_keepdims),
        Mistake("whole-array", "you normalize over the whole array (np.max(z) and np.sum(e) without "
                "an axis), which is right only for a single vector: for a batch, each row is its own "
                "distribution; use axis=axis, keepdims=True.", _sm_whole_array),
    ),
)


# --- log_softmax ----------------------------------------------------------------------------------

def _ls_of_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return np.log(e / np.sum(e, axis=axis, keepdims=True))


def _ls_naive(z, axis=-1):
    z = np.asarray(z, dtype=float)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def _ls_global_max(z, axis=-1):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _ls_max_not_added_back(z, axis=-1):
    z = np.asarray(z, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


def _ls_no_log(z, axis=-1):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.sum(np.exp(shifted), axis=axis, keepdims=True)


def _ls_last_axis(z, axis=-1):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _ls_no_keepdims(z, axis=-1):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=axis)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis))


_LOG_PROB_CASES = [
    Case((_rng.normal(scale=30.0, size=(3, 6)),), label="logits of scale 30"),
    Case((_rng.normal(scale=5.0, size=(2, 3, 4)),), {"axis": 1}),
    Case((_rng.normal(size=(4, 3)),), {"axis": 0}),
    Case((_rng.normal(scale=3.0, size=8),)),
]

LOG_SOFTMAX = Spec(
    name="log_softmax",
    reference=ref.log_softmax,
    groups=(
        Compare("the lesson's worked example and small cases", [
            Case((_x([1.0, 2.0, 3.0]),), label="(-2.408, -1.408, -0.408)"),
            Case((np.zeros((1, 3)),), label="uniform: -log 3 each"),
            Case((_x([[0.0, 0.0], [3.0, -1.0]]),)),
            Case((_x([[5.0]]),), label="one class: log 1 = 0"),
        ]),
        Compare("random logits of several shapes and axes", [
            Case((_rng.normal(size=(5, 4)),)),
            Case((_rng.normal(scale=4.0, size=(2, 3, 6)),)),
            Case((_rng.normal(size=6),), label="1-D"),
            Case((_rng.normal(size=(3, 3)),), label="square"),
            Case((_rng.normal(size=(4, 3)),), {"axis": 0}),
            Case((_rng.normal(size=(2, 5, 3)),), {"axis": 1}),
        ]),
        Compare("log-probabilities far below the smallest float ([0, 1000] gives [-1000, 0]), huge "
                "logits and -inf: right values, no warnings", [
                    Case((_x([[0.0, 1000.0]]),)),
                    Case((_x([1000.0, 1001.0, 1002.0]),)),
                    Case((_x([[1e4, -1e4, 0.0]]),)),
                    Case((_x([0.0, -np.inf]),), label="log-probability -inf"),
                    Case((_x([[-np.inf, 2.0, 1.0]]),)),
                ], warn_free=True),
        Compare("rows of very different scales (each row needs its own maximum), no warnings",
                _SCALES, warn_free=True),
        _probabilities_property(_LOG_PROB_CASES, log=True),
        _shift_property(_SHIFT_PAIRS, atol=1e-8, what_fn="log-probability"),
    ),
    mistakes=(
        Mistake("log-of-softmax", "np.log(softmax(z)) gives -inf (and a warning) where a probability "
                "underflows to 0, although its log, e.g. -1000, is an ordinary number: compute "
                "shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True)) with "
                "shifted = z - max (the log-sum-exp trick).", _ls_of_softmax),
        Mistake("no-max", "subtract each row's maximum inside the log-sum-exp: np.exp(1000) overflows "
                "to inf.", _ls_naive),
        Mistake("global-max", "subtract one maximum per row (np.max(z, axis=axis, keepdims=True)), not "
                "the maximum of the whole array: a row far below it sums to exp(...) = 0 and log(0) is "
                "-inf.", _ls_global_max),
        Mistake("max-not-added-back", "LSE(z) = m + log(sum(exp(z - m))): you subtract the log of the "
                "sum from z without the maximum m. Use shifted = z - m on BOTH sides: "
                "shifted - log(sum(exp(shifted))).", _ls_max_not_added_back),
        Mistake("missing-log", "log_softmax subtracts the LOG of the sum of exponentials, not the "
                "sum itself.", _ls_no_log),
        Mistake("wrong-axis", "use the `axis` argument for the max and the sum (keepdims=True), not "
                "always the last axis.", _ls_last_axis),
        Mistake("no-keepdims", "pass keepdims=True to np.max and np.sum, so that the row maxima and "
                "sums of an (n, K) array keep shape (n, 1) and line up with the rows.", _ls_no_keepdims),
    ),
)


# --- entropy --------------------------------------------------------------------------------------

def _plogp(p):
    """``p log p`` with 0 where ``p == 0``, quietly (the grader's mistakes warn only where intended)."""
    return p * np.log(np.where(p > 0, p, 1.0))


def _entropy_nan(p, axis=-1):
    p = np.asarray(p, dtype=float)
    return -np.sum(p * np.log(p), axis=axis)


def _entropy_where(p, axis=-1):
    p = np.asarray(p, dtype=float)
    return -np.sum(np.where(p > 0, p * np.log(p), 0.0), axis=axis)


def _entropy_bits(p, axis=-1):
    p = np.asarray(p, dtype=float)
    return -np.sum(p * np.log2(np.where(p > 0, p, 1.0)), axis=axis)


def _entropy_sign(p, axis=-1):
    p = np.asarray(p, dtype=float)
    return np.sum(_plogp(p), axis=axis)


def _entropy_last_axis(p, axis=-1):
    p = np.asarray(p, dtype=float)
    return -np.sum(_plogp(p), axis=-1)


def _entropy_sum_all(p, axis=-1):
    p = np.asarray(p, dtype=float)
    return float(-np.sum(_plogp(p)))


def _entropy_mean(p, axis=-1):
    p = np.asarray(p, dtype=float)
    return -np.mean(_plogp(p), axis=axis)


def _bounds_batch() -> np.ndarray:
    k = 5
    p = _dist(6, k, zeros=0.3)
    p[0] = np.eye(k)[2]  # a certain outcome
    p[1] = 1.0 / k  # the uniform distribution
    return p


_BOUNDS_P = _bounds_batch()
_BOUNDS_CASES = [Case((_BOUNDS_P,)), Case((_BOUNDS_P.T.copy(),), {"axis": 0})]


def _probe_bounds(run: Runner, spec: Spec):
    return [run.case(c) for c in _BOUNDS_CASES]


def _judge_bounds(data: list[Outcome], spec: Spec):
    k = _BOUNDS_P.shape[1]
    for case, outcome in zip(_BOUNDS_CASES, data):
        what = spec.call_text(case)
        h, problem = _array_of(outcome, (_BOUNDS_P.shape[0],), what)
        if problem:
            return problem, mistake_key(spec, case, outcome)
        if np.any(np.isnan(h)):
            return f"{what} returned nan for distributions with zero entries", mistake_key(spec, case, outcome)
        if abs(h[0]) > 1e-12:
            return (f"{what}: a certain outcome (the distribution {_row_text(_BOUNDS_P[0])}) has entropy 0, "
                    f"got {h[0]:.6g}", mistake_key(spec, case, outcome))
        if abs(h[1] - np.log(k)) > 1e-9:
            return (f"{what}: the uniform distribution on {k} outcomes has the largest entropy, "
                    f"log {k} = {np.log(k):.6g} nats, got {h[1]:.6g}", mistake_key(spec, case, outcome))
        outside = (h < -1e-12) | (h > np.log(k) + 1e-9)
        if np.any(outside):
            i = int(np.argmax(outside))
            return (f"{what}: entropies lie between 0 and log {k} = {np.log(k):.4g}, but distribution {i} "
                    f"got {h[i]:.6g}", mistake_key(spec, case, outcome))
    return None


_ENTROPY_WARN_HINT = (
    "your values are right, but NumPy warned (log of 0, or 0 * -inf): np.where(p > 0, p * np.log(p), 0) "
    "still computes np.log(p) on EVERY entry before choosing. Take the log only where p > 0: "
    "terms = np.zeros(p.shape); positive = p > 0; terms[positive] = p[positive] * np.log(p[positive]).")

ENTROPY = Spec(
    name="entropy",
    reference=ref.entropy,
    groups=(
        Compare("the lesson's worked examples: coins, the uniform maximum, the softmax of (1, 2, 3)", [
            Case((_x([0.5, 0.5]),), label="a fair coin: log 2 = 0.693"),
            Case((_x([0.25, 0.75]),), label="a biased coin: 0.562"),
            Case((_x([0.9, 0.1]),)),
            Case((np.full(8, 1 / 8),), label="uniform on 8 outcomes: log 8"),
            Case((_x(np.exp([-2.0, -1.0, 0.0]) / np.exp([-2.0, -1.0, 0.0]).sum()),),
                 label="the softmax of (1, 2, 3): 0.832"),
        ]),
        _Compare("zero probabilities (0 log 0 = 0): right values, no nan, no warnings", [
            Case((_x([1.0, 0.0]),), label="a certain outcome: 0"),
            Case((_x([[0.0, 0.5, 0.5], [0.0, 0.0, 1.0]]),)),
            Case((_x([[0.2, 0.0], [0.0, 1.0], [0.8, 0.0]]),), {"axis": 0}, label="columns (0.2, 0, 0.8) and (0, 1, 0)"),
        ], warn_free=True, warn_mistake="where-warns"),
        Compare("random distributions: one entropy per row, several shapes, and the axis argument", [
            Case((_dist(5, 4),)),
            Case((_dist(1, 6),), label="one distribution in a batch"),
            Case((_dist(7),), label="1-D"),
            Case((_dist(2, 3, 6),)),
            Case((_dist(4, 3).T.copy(),), {"axis": 0}),
            Case((np.moveaxis(_dist(2, 4, 3), -1, 1).copy(),), {"axis": 1}),
        ]),
        Property("0 <= H(p) <= log K: 0 for a certain outcome, log K for the uniform distribution",
                 _probe_bounds, _judge_bounds),
    ),
    mistakes=(
        Mistake("log-zero-nan", "0 * log(0) is 0 * -inf = nan in floating point: a term with p = 0 must "
                "count as 0 (0 log 0 = 0). Take the log only where p > 0: terms = np.zeros(p.shape); "
                "positive = p > 0; terms[positive] = p[positive] * np.log(p[positive]).", _entropy_nan),
        Mistake("where-warns", _ENTROPY_WARN_HINT, _entropy_where, matchable=False),
        Mistake("bits", "the entropy here is in nats: use the natural logarithm np.log, not np.log2.",
                _entropy_bits),
        Mistake("sign", "the entropy is MINUS the sum of p log p (log p <= 0, so it is never negative).",
                _entropy_sign),
        Mistake("wrong-axis", "sum along the `axis` argument, not always the last axis.",
                _entropy_last_axis),
        Mistake("sum-all", "return one entropy per distribution: sum over `axis` only "
                "(np.sum(..., axis=axis)), not over the whole array.", _entropy_sum_all),
        Mistake("mean-not-sum", "the entropy is a SUM over the outcomes of -p log p (the p already "
                "weighs each term); np.mean also divides by the number of outcomes.", _entropy_mean),
    ),
)


# --- cross_entropy --------------------------------------------------------------------------------

def _pq(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    return p, q


def _plogq(p, q):
    """``p log q`` with 0 where ``p == 0`` and ``-inf`` where ``p > 0 = q``, quietly."""
    with np.errstate(divide="ignore"):
        return np.where(p > 0, p * np.log(np.where(p > 0, q, 1.0)), 0.0)


def _ce_swapped(p, q, axis=-1):
    p, q = _pq(p, q)
    return -np.sum(_plogq(q, p), axis=axis)


def _ce_nan(p, q, axis=-1):
    p, q = _pq(p, q)
    return -np.sum(p * np.log(q), axis=axis)


def _ce_where(p, q, axis=-1):
    p, q = _pq(p, q)
    return -np.sum(np.where(p > 0, p * np.log(q), 0.0), axis=axis)


def _ce_clipped(p, q, axis=-1):
    p, q = _pq(p, q)
    return -np.sum(p * np.log(np.clip(q, 1e-12, 1.0)), axis=axis)


def _ce_sign(p, q, axis=-1):
    p, q = _pq(p, q)
    return np.sum(_plogq(p, q), axis=axis)


def _ce_last_axis(p, q, axis=-1):
    p, q = _pq(p, q)
    return -np.sum(_plogq(p, q), axis=-1)


def _ce_sum_all(p, q, axis=-1):
    p, q = _pq(p, q)
    return float(-np.sum(_plogq(p, q)))


def _ce_unchecked(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return -np.sum(_plogq(p, q), axis=axis)


_GIBBS_P = _dist(6, 4, zeros=0.3)
_GIBBS_Q = _dist(6, 4)
_GIBBS_CASES = [Case((_GIBBS_P, _GIBBS_P)), Case((_GIBBS_P, _GIBBS_Q))]


def _entropy_formula(p: np.ndarray) -> np.ndarray:
    return -np.sum(_plogp(p), axis=-1)


def _probe_gibbs(run: Runner, spec: Spec):
    return [run.case(c) for c in _GIBBS_CASES]


def _judge_gibbs(data: list[Outcome], spec: Spec):
    n = _GIBBS_P.shape[0]
    values = []
    for case, outcome in zip(_GIBBS_CASES, data):
        v, problem = _array_of(outcome, (n,), spec.call_text(case))
        if problem:
            return problem, mistake_key(spec, case, outcome)
        values.append(v)
    same, other = values
    h = _entropy_formula(_GIBBS_P)
    if not np.allclose(same, h, rtol=1e-9, atol=1e-12):
        i = int(np.argmax(~np.isclose(same, h, rtol=1e-9, atol=1e-12)))
        return (f"H(p, p) must equal the entropy H(p) = -sum p log p, but for the row p = "
                f"{_row_text(_GIBBS_P[i])} your cross_entropy(p, p) gives {same[i]:.6g}, not {h[i]:.6g}",
                mistake_key(spec, _GIBBS_CASES[0], data[0]))
    below = ~(other >= same - 1e-12)
    if np.any(below):
        i = int(np.argmax(below))
        return (f"Gibbs' inequality: no model q does better than the truth, H(p, q) >= H(p, p), but for "
                f"p = {_row_text(_GIBBS_P[i])} and q = {_row_text(_GIBBS_Q[i])} your cross_entropy gives "
                f"{other[i]:.6g} < {same[i]:.6g}", mistake_key(spec, _GIBBS_CASES[1], data[1]))
    return None


_CE_WARN_HINT = (
    "your values are right, but NumPy warned: np.log(q) of q = 0 warns, and so does 0 * -inf. Take the "
    "log only where p > 0 (np.where still computes it on every entry: use a mask, "
    "terms[positive] = p[positive] * np.log(q[positive])), and wrap that line in "
    "`with np.errstate(divide=\"ignore\"):`, since a q of 0 where p > 0 rightly gives -inf.")

CROSS_ENTROPY = Spec(
    name="cross_entropy",
    reference=ref.cross_entropy,
    groups=(
        Compare("the lesson's worked examples: a one-hot truth (1.386), the uniform model (log 3), "
                "H(p, p) = H(p)", [
                    Case((_x([1.0, 0.0]), _x([0.25, 0.75]))),
                    Case((_x([0.7, 0.2, 0.1]), np.full(3, 1 / 3))),
                    Case((_x([0.7, 0.2, 0.1]), _x([0.7, 0.2, 0.1]))),
                    Case((_x([0.5, 0.5]), _x([0.9, 0.1]))),
                    Case((_x([0.0, 1.0, 0.0]), _x([0.2, 0.5, 0.3]))),
                ]),
        _Compare("zeros: 0 log q = 0 even where q = 0, and inf where q = 0 but p is not; no warnings", [
            Case((_x([0.0, 1.0]), _x([0.0, 1.0])), label="0"),
            Case((_x([0.0, 1.0]), _x([1.0, 0.0])), label="inf"),
            Case((_x([0.5, 0.5]), _x([1.0, 0.0])), label="inf"),
            Case((_x([[0.0, 0.4, 0.6], [1.0, 0.0, 0.0]]), _x([[0.0, 0.5, 0.5], [0.7, 0.3, 0.0]]))),
            Case((_x([[0.5, 0.0], [0.5, 0.6], [0.0, 0.4]]), _x([[0.0, 0.1], [0.6, 0.5], [0.4, 0.4]])),
                 {"axis": 0}, label="inf in the first column"),
        ], warn_free=True, warn_mistake="where-warns"),
        Compare("random distributions: one value per row, several shapes, and the axis argument", [
            Case((_dist(5, 4), _dist(5, 4))),
            Case((_dist(6), _dist(6)), label="1-D"),
            Case((_dist(1, 3), _dist(1, 3)), label="one row"),
            Case((_dist(2, 3, 3), _dist(2, 3, 3))),
            Case((_dist(4, 3).T.copy(), _dist(4, 3).T.copy()), {"axis": 0}),
            Case((np.moveaxis(_dist(2, 4, 3), -1, 1).copy(), np.moveaxis(_dist(2, 4, 3), -1, 1).copy()),
                 {"axis": 1}),
        ]),
        Property("H(p, p) = H(p) <= H(p, q) (Gibbs' inequality)", _probe_gibbs, _judge_gibbs),
        Raises("p and q of different shapes raise ValueError", [
            Case((np.full((3, 1), 1.0), np.full(3, 1 / 3)), label="would broadcast to (3, 3)"),
            Case((np.full((2, 3), 1 / 3), np.full((2, 1), 1.0))),
        ], mistake="unchecked-shapes"),
    ),
    mistakes=(
        Mistake("swapped", "cross-entropy is -sum p log q: the TRUE distribution p weighs the log of the "
                "MODEL q; you have them the other way round (-sum q log p).", _ce_swapped),
        Mistake("log-zero-nan", "where p = 0 the term is 0, even where q = 0: p * np.log(q) gives "
                "0 * -inf = nan there. Compute the terms only where p > 0.", _ce_nan),
        Mistake("where-warns", _CE_WARN_HINT, _ce_where, matchable=False),
        Mistake("clipped", "no clipping here: this is the exact cross-entropy, and a model q that gives "
                "probability 0 to an outcome p allows costs inf (return np.inf, silencing the warning "
                "with np.errstate(divide=\"ignore\")), not -log(1e-12).", _ce_clipped),
        Mistake("sign", "cross-entropy is MINUS the sum of p log q (it is never negative).", _ce_sign),
        Mistake("wrong-axis", "sum along the `axis` argument, not always the last axis.", _ce_last_axis),
        Mistake("sum-all", "return one value per pair of distributions: sum over `axis` only "
                "(np.sum(..., axis=axis)), not over the whole array.", _ce_sum_all),
        Mistake("unchecked-shapes", "raise ValueError when p and q have different shapes: NumPy would "
                "broadcast a (3, 1) array against a (3,) one into a (3, 3) table without complaint.",
                _ce_unchecked, matchable=False),
    ),
)


# --- kl_divergence --------------------------------------------------------------------------------

def _kl_terms(p, q):
    """``p log(p / q)`` with 0 where ``p == 0`` and ``inf`` where ``p > 0 = q``, quietly."""
    with np.errstate(divide="ignore"):
        safe_p = np.where(p > 0, p, 1.0)
        return np.where(p > 0, p * (np.log(safe_p) - np.log(np.where(p > 0, q, 1.0))), 0.0)


def _kl_swapped(p, q, axis=-1):
    p, q = _pq(p, q)
    return np.sum(_kl_terms(q, p), axis=axis)


def _kl_nan(p, q, axis=-1):
    p, q = _pq(p, q)
    return np.sum(p * np.log(p / q), axis=axis)


def _kl_where(p, q, axis=-1):
    p, q = _pq(p, q)
    return np.sum(np.where(p > 0, p * (np.log(p) - np.log(q)), 0.0), axis=axis)


def _kl_sign(p, q, axis=-1):
    p, q = _pq(p, q)
    return -np.sum(_kl_terms(p, q), axis=axis)


def _kl_clipped(p, q, axis=-1):
    p, q = _pq(p, q)
    p_c, q_c = np.clip(p, 1e-12, 1.0), np.clip(q, 1e-12, 1.0)
    return np.sum(p * np.log(p_c / q_c), axis=axis)


def _kl_last_axis(p, q, axis=-1):
    p, q = _pq(p, q)
    return np.sum(_kl_terms(p, q), axis=-1)


def _kl_sum_all(p, q, axis=-1):
    p, q = _pq(p, q)
    return float(np.sum(_kl_terms(p, q)))


def _kl_unchecked(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return np.sum(_kl_terms(p, q), axis=axis)


_KL_P = _dist(6, 5, zeros=0.3)
_KL_Q = _dist(6, 5)
_KL_CASES = [Case((_KL_P, _KL_P)), Case((_KL_P, _KL_Q)), Case((_KL_Q.T.copy(), _KL_P.T.copy()), {"axis": 0})]


def _probe_kl_zero(run: Runner, spec: Spec):
    return [run.case(c) for c in _KL_CASES]


def _judge_kl_zero(data: list[Outcome], spec: Spec):
    n = _KL_P.shape[0]
    values = []
    for case, outcome in zip(_KL_CASES, data):
        v, problem = _array_of(outcome, (n,), spec.call_text(case))
        if problem:
            return problem, mistake_key(spec, case, outcome)
        values.append(v)
    same = values[0]
    if not np.all(np.abs(same) <= 1e-12):
        i = int(np.argmax(~(np.abs(same) <= 1e-12)))
        return (f"KL(p || p) must be 0, but for p = {_row_text(_KL_P[i])} your kl_divergence(p, p) "
                f"gives {same[i]:.6g}", mistake_key(spec, _KL_CASES[0], data[0]))
    for case, outcome, v in zip(_KL_CASES[1:], data[1:], values[1:]):
        below = ~(v >= -1e-12)
        if np.any(below):
            i = int(np.argmax(below))
            return (f"KL divergences of distributions are never negative, but {spec.call_text(case)} "
                    f"gives {v[i]:.6g} for distribution {i}", mistake_key(spec, case, outcome))
    return None


_KL_WARN_HINT = (
    "your values are right, but NumPy warned (log of 0, p / 0, or 0 * -inf). Compute the terms only "
    "where p > 0 with a mask (np.where still computes both branches on every entry): "
    "terms[positive] = p[positive] * (np.log(p[positive]) - np.log(q[positive])), inside "
    "`with np.errstate(divide=\"ignore\"):` since a q of 0 where p > 0 rightly gives inf.")

KL_DIVERGENCE = Spec(
    name="kl_divergence",
    reference=ref.kl_divergence,
    groups=(
        Compare("the lesson's coins both ways (0.511 and 0.368), and zero for equal distributions", [
            Case((_x([0.5, 0.5]), _x([0.9, 0.1]))),
            Case((_x([0.9, 0.1]), _x([0.5, 0.5]))),
            Case((_x([0.2, 0.3, 0.5]), _x([0.2, 0.3, 0.5]))),
            Case((_x([0.7, 0.2, 0.1]), np.full(3, 1 / 3)), label="log 3 - H(p)"),
        ]),
        _Compare("zeros: terms with p = 0 are 0, inf where q = 0 but p is not; no nan, no warnings", [
            Case((_x([0.0, 1.0]), _x([0.5, 0.5])), label="log 2"),
            Case((_x([0.5, 0.5]), _x([1.0, 0.0])), label="inf"),
            Case((_x([0.0, 1.0]), _x([0.0, 1.0])), label="equal, with a zero: 0"),
            Case((_x([[0.0, 0.4, 0.6], [1.0, 0.0, 0.0]]), _x([[0.1, 0.4, 0.5], [0.7, 0.2, 0.1]]))),
            Case((_x([[0.0, 0.3], [1.0, 0.7]]), _x([[0.5, 0.0], [0.5, 1.0]])), {"axis": 0},
                 label="inf in the second column"),
        ], warn_free=True, warn_mistake="where-warns"),
        Compare("random distributions: one value per row, several shapes, and the axis argument", [
            Case((_dist(5, 4), _dist(5, 4))),
            Case((_dist(6), _dist(6)), label="1-D"),
            Case((_dist(2, 3, 3), _dist(2, 3, 3))),
            Case((_dist(4, 3).T.copy(), _dist(4, 3).T.copy()), {"axis": 0}),
        ]),
        Property("KL(p || p) = 0 and KL(p || q) >= 0 (Gibbs' inequality)", _probe_kl_zero, _judge_kl_zero),
        Raises("p and q of different shapes raise ValueError", [
            Case((np.full((3, 1), 1.0), np.full(3, 1 / 3)), label="would broadcast to (3, 3)"),
            Case((np.full((2, 3), 1 / 3), np.full((2, 1), 1.0))),
        ], mistake="unchecked-shapes"),
    ),
    mistakes=(
        Mistake("swapped", "KL(p || q) = sum p log(p / q), with the truth p first: you computed KL(q || p). "
                "KL is not symmetric, so the order matters (0.511 against 0.368 for the lesson's coins).",
                _kl_swapped),
        Mistake("log-zero-nan", "terms with p = 0 are 0: p * np.log(p / q) gives 0 * log(0) = nan "
                "there. Compute the terms only where p > 0.", _kl_nan),
        Mistake("where-warns", _KL_WARN_HINT, _kl_where, matchable=False),
        Mistake("sign", "KL is sum p log(p / q), which is never negative: you have the opposite sign "
                "(log(q / p)).", _kl_sign),
        Mistake("clipped", "no clipping here: this is the exact divergence, inf where q = 0 but p > 0 "
                "(return np.inf, silencing the warning with np.errstate(divide=\"ignore\")).", _kl_clipped),
        Mistake("wrong-axis", "sum along the `axis` argument, not always the last axis.", _kl_last_axis),
        Mistake("sum-all", "return one divergence per pair of distributions: sum over `axis` only "
                "(np.sum(..., axis=axis)), not over the whole array.", _kl_sum_all),
        Mistake("unchecked-shapes", "raise ValueError when p and q have different shapes: NumPy would "
                "broadcast a (3, 1) array against a (3,) one without complaint.", _kl_unchecked,
                matchable=False),
    ),
)


# --- softmax_cross_entropy ------------------------------------------------------------------------

def _checked(logits, y):
    logits = np.asarray(logits, dtype=float)
    y = np.asarray(y)
    if logits.ndim != 2 or y.shape != (logits.shape[0],) or y.min() < 0 or y.max() >= logits.shape[1]:
        raise ValueError("bad logits or labels")
    return logits, y.astype(int)


def _log_probs(logits):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def _stable_probs(logits):
    e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def _rows(y):
    return np.arange(y.shape[0])


def _sce_naive(logits, y):
    logits, y = _checked(logits, y)
    e = np.exp(logits)
    return float(np.mean(-np.log(e[_rows(y), y] / e.sum(axis=1))))


def _sce_log_of_softmax(logits, y):
    logits, y = _checked(logits, y)
    return float(-np.mean(np.log(_stable_probs(logits)[_rows(y), y])))


def _sce_clipped(logits, y):
    logits, y = _checked(logits, y)
    return float(-np.mean(np.log(np.clip(_stable_probs(logits)[_rows(y), y], 1e-12, 1 - 1e-12))))


def _sce_global_max(logits, y):
    logits, y = _checked(logits, y)
    shifted = logits - np.max(logits)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return float(-np.mean(log_p[_rows(y), y]))


def _sce_sum(logits, y):
    logits, y = _checked(logits, y)
    return float(-np.sum(_log_probs(logits)[_rows(y), y]))


def _sce_predicted(logits, y):
    logits, y = _checked(logits, y)
    return float(np.mean(-np.max(_log_probs(logits), axis=1)))


def _sce_onehot_product(logits, y):
    logits, y = _checked(logits, y)
    return float(-np.sum(y * _log_probs(logits)) / logits.shape[0])


def _sce_onehot_mask(logits, y):
    logits, y = _checked(logits, y)
    return float(-np.sum(_log_probs(logits)[y == 1]) / logits.shape[0])


def _sce_columns(logits, y):
    logits, y = _checked(logits, y)
    return float(-np.mean(_log_probs(logits)[:, y]))


def _sce_unchecked(logits, y):
    logits = np.atleast_2d(np.asarray(logits, dtype=float))
    y = np.asarray(y)
    if y.ndim == 2:  # one-hot rows taken as they come
        return float(np.mean(-np.sum(y * _log_probs(logits), axis=1)))
    return float(np.mean(-_log_probs(logits)[_rows(y), y]))


_INVALID = [
    Case((np.zeros((2, 3)), np.array([[1, 0, 0], [0, 0, 1]])), label="one-hot rows instead of labels"),
    Case((np.zeros((2, 3)), np.array([0, 3])), label="label 3 with 3 classes"),
    Case((np.zeros((2, 3)), np.array([0, -1])), label="label -1"),
    Case((np.zeros((2, 3)), np.array([0, 1, 2])), label="three labels for two rows"),
    Case((np.zeros(3), np.array([0])), label="1-D logits"),
]

_LOSS_BATCH = _rng.normal(scale=3.0, size=(5, 4))
_LOSS_LABELS = _labels(5, 4)


def _probe_mean(run: Runner, spec: Spec):
    whole = run((_LOSS_BATCH, _LOSS_LABELS))
    singles = [run((_LOSS_BATCH[i:i + 1], _LOSS_LABELS[i:i + 1])) for i in range(_LOSS_BATCH.shape[0])]
    return whole, singles


def _judge_mean(data, spec: Spec):
    whole, singles = data
    case = Case((_LOSS_BATCH, _LOSS_LABELS))
    total, problem = number_of(whole, spec.call_text(case))
    if problem:
        return problem, mistake_key(spec, case, whole)
    parts = []
    for i, outcome in enumerate(singles):
        value, problem = number_of(outcome, spec.call_text(Case((_LOSS_BATCH[i:i + 1], _LOSS_LABELS[i:i + 1]))))
        if problem:
            return problem, None
        parts.append(value)
    mean = float(np.mean(parts))
    if np.isfinite(total) and abs(total - mean) <= 1e-9 * (1 + abs(mean)):
        return None
    return (f"your losses of the {len(parts)} rows of a batch, one at a time, average {mean:.6g}, but the "
            f"whole batch, {spec.call_text(case)}, gives {total:.6g}",
            mistake_key(spec, case, whole))


def _sce_shift_cases():
    z = _rng.normal(scale=2.0, size=(5, 3))
    c = _x([0.0, 800.0, -800.0, 1e4, -1e4])
    y = _labels(5, 3)
    return Case((z, y)), Case((z + c[:, None], y)), c


_SCE_SHIFT = _sce_shift_cases()


def _probe_sce_shift(run: Runner, spec: Spec):
    base, shifted, _ = _SCE_SHIFT
    return run.case(base), run.case(shifted)


def _judge_sce_shift(data, spec: Spec):
    base, shifted, c = _SCE_SHIFT
    a, problem = number_of(data[0], spec.call_text(base))
    if problem:
        return problem, None
    b, problem = number_of(data[1], spec.call_text(shifted))
    if problem:
        return problem, mistake_key(spec, shifted, data[1])
    if np.isfinite(b) and abs(a - b) <= 1e-8 * (1 + abs(a)):
        return None
    return (f"adding one constant to each row of the logits ({', '.join(f'{v:g}' for v in c)}) must not "
            f"change the loss, but it went from {a:.6g} to {b:.6g}", mistake_key(spec, shifted, data[1]))


_ONEHOT_PRODUCT_HINT = (
    "y holds integer labels, shape (n_samples,), not one-hot rows: y * log_p multiplies each column k by "
    "the label of sample k. Pick the true class's log-probability in each row with "
    "log_p[np.arange(n), y].")

SOFTMAX_CROSS_ENTROPY = Spec(
    name="softmax_cross_entropy",
    reference=ref.softmax_cross_entropy,
    callees=("log_softmax",),
    groups=(
        Compare("the lesson's worked examples (0.417, then 0.758 with a uniform second sample, and "
                "log 10 for a uniform guess)", [
                    Case((_x([[2.0, 1.0, 0.1]]), np.array([0]))),
                    Case((_x([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]]), np.array([0, 2]))),
                    Case((np.zeros((4, 10)), np.array([0, 3, 9, 5])), label="a uniform guess costs log 10"),
                ]),
        Compare("random logits and labels of several sizes", [
            Case((_rng.normal(size=(8, 5)), _labels(8, 5))),
            Case((_rng.normal(scale=5.0, size=(3, 10)), _labels(3, 10))),
            Case((_rng.normal(size=(1, 4)), np.array([2])), label="one sample"),
            Case((_rng.normal(size=(4, 4)), np.array([1, 3, 0, 1])), label="square"),
            Case((_rng.normal(size=(6, 2)), np.array([1, 1, 0, 1, 0, 1])), label="two classes"),
        ]),
        Compare("huge logits (1e4) and rows of different scales: exact, no overflow, no warnings", [
            Case((_x([[0.0, 1e4]]), np.array([0])), label="confidently wrong: exactly 1e4"),
            Case((_x([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]]), np.array([1, 0]))),
            Case((_x([[1000.0, 1001.0, 1002.0]]), np.array([2]))),
            Case((_x([[0.0, 1.0], [-1000.0, -999.0]]), np.array([0, 1])), label="rows of different scales"),
        ], warn_free=True),
        Property("the loss of a batch is the mean of its samples' losses", _probe_mean, _judge_mean),
        Property("shift invariant: adding a constant (up to 1e4) to each row leaves the loss unchanged",
                 _probe_sce_shift, _judge_sce_shift),
        Raises("invalid arguments raise ValueError (one-hot rows, labels out of range or -1, a label "
               "count that is not n_samples, 1-D logits)", _INVALID, mistake="unchecked"),
    ),
    mistakes=(
        Mistake("naive", "go through the log-softmax (subtract each row's maximum, then the log-sum-exp): "
                "np.exp(1e4) overflows to inf, and exp(-1000) underflows to 0.", _sce_naive),
        Mistake("log-of-softmax", "np.log(softmax(z)[y]) is -inf when the true class's probability "
                "underflows to 0, although the exact loss is finite (1e4 for logits [0, 1e4] and label "
                "0): use log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True)).",
                _sce_log_of_softmax),
        Mistake("clipped", "clipping the probability (as in lesson 01) caps a confident mistake at "
                "-log(1e-12) = 27.6 nats; through the log-softmax the loss is exact (1e4 for logits "
                "[0, 1e4] and label 0) and its gradient keeps saying how wrong the model is.",
                _sce_clipped),
        Mistake("global-max", "subtract one maximum per row (np.max(logits, axis=1, keepdims=True)), not "
                "the maximum of the whole array: a row far below it gives log(0) = -inf.", _sce_global_max),
        Mistake("sum-not-mean", "the loss is the MEAN over the samples, not the sum: divide by n_samples.",
                _sce_sum),
        Mistake("predicted-class", "take the log-probability of the TRUE class y[i] in each row "
                "(log_p[np.arange(n), y]), not of the most probable one.", _sce_predicted),
        Mistake("labels-as-one-hot", _ONEHOT_PRODUCT_HINT, _sce_onehot_product),
        Mistake("one-hot-mask", "y holds integer labels, not one-hot rows: log_p[y == 1] picks whole rows "
                "of the samples whose label is 1. Pick one entry per row with log_p[np.arange(n), y].",
                _sce_onehot_mask),
        Mistake("column-index", "log_p[:, y] picks the columns y for EVERY row (an n x n table); pick one "
                "entry per row, the true class, with log_p[np.arange(n), y].", _sce_columns),
        Mistake("unchecked", "check the arguments: logits must be 2-D, y must hold one integer label per "
                "row (shape (n_samples,), not one-hot rows), each in 0, ..., n_classes - 1 (NumPy reads "
                "-1 as the last column); raise ValueError otherwise.", _sce_unchecked, matchable=False),
    ),
)


# --- softmax_cross_entropy_grad -------------------------------------------------------------------

def _onehot(y, k):
    return np.eye(k)[y]


def _grad_no_n(logits, y):
    logits, y = _checked(logits, y)
    return _stable_probs(logits) - _onehot(y, logits.shape[1])


def _grad_sign(logits, y):
    logits, y = _checked(logits, y)
    return (_onehot(y, logits.shape[1]) - _stable_probs(logits)) / len(y)


def _grad_naive(logits, y):
    logits, y = _checked(logits, y)
    e = np.exp(logits)
    return (e / e.sum(axis=1, keepdims=True) - _onehot(y, logits.shape[1])) / len(y)


def _grad_global_max(logits, y):
    logits, y = _checked(logits, y)
    e = np.exp(logits - np.max(logits))
    return (e / e.sum(axis=1, keepdims=True) - _onehot(y, logits.shape[1])) / len(y)


def _grad_by_classes(logits, y):
    logits, y = _checked(logits, y)
    return (_stable_probs(logits) - _onehot(y, logits.shape[1])) / logits.shape[1]


def _grad_onehot(logits, y):
    logits, y = _checked(logits, y)
    return (_stable_probs(logits) - y) / len(y)


def _grad_no_onehot(logits, y):
    logits, y = _checked(logits, y)
    return _stable_probs(logits) / len(y)


def _grad_unchecked(logits, y):
    logits = np.atleast_2d(np.asarray(logits, dtype=float))
    y = np.asarray(y)
    target = y if y.ndim == 2 else _onehot(y, logits.shape[-1])
    return (_stable_probs(logits) - target) / len(y)


def _loss_formula(z: np.ndarray, y: np.ndarray) -> float:
    """The softmax cross-entropy, written out here so the property depends on no reference."""
    shifted = z - z.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(y)), y]))


_FD_LOGITS = _rng.normal(scale=2.0, size=(3, 4))
_FD_LABELS = np.array([0, 3, 3])
_FD_H = 1e-5


def _numerical_grad() -> np.ndarray:
    grad = np.zeros_like(_FD_LOGITS)
    for idx in np.ndindex(_FD_LOGITS.shape):
        up, down = _FD_LOGITS.copy(), _FD_LOGITS.copy()
        up[idx] += _FD_H
        down[idx] -= _FD_H
        grad[idx] = (_loss_formula(up, _FD_LABELS) - _loss_formula(down, _FD_LABELS)) / (2 * _FD_H)
    return grad


_FD_GRAD = _numerical_grad()
_FD_CASE = Case((_FD_LOGITS, _FD_LABELS))


def _judge_fd(outcome: Outcome, spec: Spec):
    g, problem = _array_of(outcome, _FD_LOGITS.shape, spec.call_text(_FD_CASE))
    if problem:
        return problem, mistake_key(spec, _FD_CASE, outcome)
    bad = ~(np.abs(g - _FD_GRAD) <= 1e-7 + 1e-6 * np.abs(_FD_GRAD))
    if not np.any(bad):
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return (f"on logits of shape {_FD_LOGITS.shape} with labels {_row_text(_FD_LABELS)}, entry {idx} of your "
            f"gradient is {g[idx]:.6g}, but nudging that logit by +/-{_FD_H:g} changes the loss at a rate of "
            f"{_FD_GRAD[idx]:.6g} ({int(bad.sum())} of {g.size} entries differ)", mistake_key(spec, _FD_CASE, outcome))


_BOUND_CASES = [
    Case((_rng.normal(scale=10.0, size=(6, 4)), _labels(6, 4)), label="logits of scale 10"),
    Case((_x([[50.0, -50.0, 0.0], [0.0, 0.0, 900.0]]), np.array([1, 0])), label="confidently wrong"),
]


def _probe_grad_bounds(run: Runner, spec: Spec):
    return [run.case(c) for c in _BOUND_CASES]


def _judge_grad_bounds(data: list[Outcome], spec: Spec):
    for case, outcome in zip(_BOUND_CASES, data):
        logits = case.args[0]
        n = logits.shape[0]
        what = spec.call_text(case)
        g, problem = _array_of(outcome, logits.shape, what)
        if problem:
            return problem, mistake_key(spec, case, outcome)
        if not np.all(np.isfinite(g)):
            return f"{what} returned nan or inf", mistake_key(spec, case, outcome)
        sums = g.sum(axis=1)
        if np.any(np.abs(sums) > 1e-12):
            i = int(np.argmax(np.abs(sums)))
            return (f"{what}: each row of the gradient sums to 0 (raising every logit of a row by the same "
                    f"amount leaves the loss unchanged), but row {i} sums to {sums[i]:.6g}",
                    mistake_key(spec, case, outcome))
        if np.any(np.abs(g) > 1 / n + 1e-12):
            return (f"{what}: every entry of the gradient lies in [-1/n, 1/n] = [-{1 / n:.4g}, {1 / n:.4g}] "
                    f"(n = {n} samples), but one is {g.flat[int(np.argmax(np.abs(g)))]:.6g}",
                    mistake_key(spec, case, outcome))
    return None


SOFTMAX_CROSS_ENTROPY_GRAD = Spec(
    name="softmax_cross_entropy_grad",
    reference=ref.softmax_cross_entropy_grad,
    callees=("softmax",),
    groups=(
        Compare("the lesson's worked example ([[-0.25, 0.25], [-0.375, 0.375]]) and small cases", [
            Case((_x([[0.0, 0.0], [0.0, np.log(3.0)]]), np.array([0, 0]))),
            Case((_x([[2.0, 1.0, 0.1]]), np.array([0]))),
            Case((_x([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]]), np.array([0, 2]))),
        ]),
        Compare("random logits and labels of several sizes", [
            Case((_rng.normal(size=(8, 5)), _labels(8, 5))),
            Case((_rng.normal(scale=5.0, size=(3, 10)), _labels(3, 10))),
            Case((_rng.normal(size=(1, 4)), np.array([2])), label="one sample"),
            Case((_rng.normal(size=(4, 4)), np.array([1, 3, 0, 1])), label="square"),
            Case((_rng.normal(size=(2, 6)), np.array([5, 0]))),
        ]),
        Compare("huge logits (1e4) and rows of different scales: finite, no warnings", [
            Case((_x([[0.0, 1e4]]), np.array([0])), label="confidently wrong: [[-1, 1]]"),
            Case((_x([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]]), np.array([1, 0]))),
            Case((_x([[0.0, 1.0], [-1000.0, -999.0]]), np.array([0, 1])), label="rows of different scales"),
        ], warn_free=True),
        Property("each row sums to 0 and every entry lies in [-1/n, 1/n]", _probe_grad_bounds,
                 _judge_grad_bounds),
        Property("agrees with finite differences of the loss", lambda run, spec: run.case(_FD_CASE), _judge_fd),
        Raises("invalid arguments raise ValueError (one-hot rows, labels out of range or -1, a label "
               "count that is not n_samples, 1-D logits)", _INVALID, mistake="unchecked"),
    ),
    mistakes=(
        Mistake("not-divided-by-n", "the loss is a mean over the n samples, so its gradient is "
                "(softmax - one_hot) / n: divide by logits.shape[0].", _grad_no_n),
        Mistake("sign", "the gradient is softmax - one_hot (it points uphill, towards a larger loss), "
                "not one_hot - softmax.", _grad_sign),
        Mistake("naive", "compute the probabilities stably (subtract each row's maximum): exp(1e4) "
                "overflows to inf and inf / inf is nan.", _grad_naive),
        Mistake("global-max", "subtract one maximum per row (np.max(logits, axis=1, keepdims=True)), not "
                "the maximum of the whole array: a row far below it becomes 0 / 0 = nan.", _grad_global_max),
        Mistake("divided-by-classes", "divide by the number of samples n = logits.shape[0] (the loss "
                "averages over samples), not by the number of classes.", _grad_by_classes),
        Mistake("labels-as-one-hot", "y holds integer labels, shape (n_samples,), not one-hot rows: "
                "softmax - y subtracts the label of sample k from column k. Subtract 1 at the true class "
                "of each row: probs[np.arange(n), y] -= 1 on your new array.", _grad_onehot),
        Mistake("no-one-hot", "the gradient of the loss is softmax MINUS the one-hot labels: subtract 1 "
                "at the true class of each row (probs[np.arange(n), y] -= 1), then divide by n.",
                _grad_no_onehot),
        Mistake("unchecked", "check the arguments as in softmax_cross_entropy: logits must be 2-D, y must "
                "hold one integer label per row (shape (n_samples,), not one-hot rows), each in "
                "0, ..., n_classes - 1; raise ValueError otherwise.", _grad_unchecked, matchable=False),
    ),
)

SPECS = (SOFTMAX, LOG_SOFTMAX, ENTROPY, CROSS_ENTROPY, KL_DIVERGENCE, SOFTMAX_CROSS_ENTROPY,
         SOFTMAX_CROSS_ENTROPY_GRAD)
