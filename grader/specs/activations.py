"""Checks and mistakes for lesson 09, unstable gradients (reference: ``solutions.activations``).

Every function here is deterministic, so each one is compared with the
reference on fixed cases (small hand-checkable inputs with exact zeros, the
lesson's deep linear chains, seeded random inputs of several shapes) and
checked on a property that holds for any correct implementation (a symmetry,
finite differences of the forward function, the geometric growth of the
deltas through a chain of scaled orthogonal weights, one shared clipping
factor).

Two choices of the course are graded and must be said in the lesson:

- The kink of every rectifier belongs to the negative side: the derivative at
  exactly ``x = 0`` is the left one (0 for ReLU, ``alpha`` for Leaky ReLU, ELU
  and PReLU).  Exact zeros appear only in the "small inputs" groups, so a
  function that takes the right-hand value there loses that group alone.
- ``sigmoid``, ``sigmoid_grad``, ``elu`` and ``elu_grad`` must not warn for
  ``|x|`` up to 1e4.  Those groups pass the large negative and the large
  positive inputs in separate calls, so the side that warned tells the naive
  formula (``1 / (1 + exp(-x))`` warns for very negative ``x``) from an
  ``np.where`` that evaluates an overflowing branch on every entry.

Underflow is not overflow: ``exp(-1e4)`` rounding to 0 is harmless, and NumPy
ignores it by default, but :func:`grader.calls.call` runs the student's code
under ``np.errstate(all="warn")``, which records it (even the reference's
``exp(-|x|)`` does).  The comparisons here therefore drop underflow warnings
before judging (see :class:`_Compare`).

Leaky ReLU is graded with slopes ``alpha`` in ``[0, 1]`` only, so that the
popular ``np.maximum(x, alpha * x)`` (right for those slopes) scores full
marks.
"""

from __future__ import annotations

import dataclasses
import numbers
from typing import Any, Callable

import numpy as np

from ..calls import Outcome
from ..compare import describe, mismatch
from ..spec import Case, Compare, Mistake, Property, Runner, Spec, Verdict, failed_call
from ..spec import reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("activations")

_rng = np.random.default_rng(909)


# --- helpers shared by the specs ------------------------------------------------------------------

def _quiet(outcome: Outcome) -> Outcome:
    """The outcome without underflow warnings (NumPy ignores underflow by default; it is harmless)."""
    kept = tuple(w for w in outcome.warnings if "underflow encountered" not in w)
    return dataclasses.replace(outcome, warnings=kept)


class _Compare(Compare):
    """:class:`Compare` that ignores underflow warnings and can name the mistake behind a warning.

    ``warn_mistakes`` maps the tuple "did case ``i`` warn", one flag per case,
    to the key of a catalogued mistake.  It is used when every value is right
    but a call warned, where the values alone cannot tell, say, the naive
    sigmoid from the stable one; which cases warned can (the large-input
    groups pass the large negative and the large positive inputs in separate
    calls).
    """

    def __init__(self, title: str, cases, *, warn_mistakes: dict[tuple[bool, ...], str] | None = None,
                 **kwargs):
        super().__init__(title, cases, **kwargs)
        self.warn_mistakes = dict(warn_mistakes or {})

    def judge(self, data: list[Outcome], spec: Spec) -> Verdict:
        data = [_quiet(o) for o in data]
        verdict = super().judge(data, spec)
        if verdict.passed or verdict.mistake is not None or not self.warn_mistakes:
            return verdict
        values_only = Compare(self.title, self.cases, rtol=self.rtol, atol=self.atol)
        if not values_only.judge(data, spec).passed:
            return verdict
        key = self.warn_mistakes.get(tuple(bool(o.warnings) for o in data))
        return dataclasses.replace(verdict, mistake=spec.mistake(key)) if key else verdict


def _array_of(outcome: Outcome, shape: tuple, what: str) -> tuple[np.ndarray | None, str | None]:
    """The returned value as a float array of ``shape``, or ``(None, sentence saying why not)``."""
    problem = failed_call(outcome, what)
    if problem:
        return None, problem
    value = outcome.value
    if isinstance(value, (numbers.Real, np.generic)) and not isinstance(value, (bool, np.bool_)):
        value = np.asarray(value, dtype=np.float64)
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "fiub":
        return None, f"{what} returned {describe(value)}, expected an array of shape {shape}"
    if value.shape != shape:
        return None, f"{what} returned an array of shape {value.shape}, expected shape {shape}"
    return value.astype(np.float64), None


def _x(values) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def _away_from_zero(*shape: int, scale: float = 3.0, gap: float = 0.05) -> np.ndarray:
    """Normal draws of ``shape`` with no entry closer than ``gap`` to the kink at 0."""
    x = _rng.normal(scale=scale, size=shape)
    return np.where(np.abs(x) < gap, np.copysign(gap, x) + x, x)


def _random_shapes(scale: float = 3.0, **kwargs) -> list[Case]:
    shapes = [(7,), (3, 5), (2, 3, 4), (1, 6), (6, 1)]
    return [Case((_rng.normal(scale=scale, size=s),), dict(kwargs), label=f"random, shape {s}")
            for s in shapes]


# Large inputs, the negative and the positive side in separate calls (see _Compare), then mixed.
_LARGE_NEGATIVE = _x([-1e4, -800.0, -710.0, -50.0])
_LARGE_POSITIVE = _x([50.0, 710.0, 800.0, 1e4])
_LARGE_MIXED = _x([[-1e4, -745.0, -30.0, 1e-3], [30.0, 745.0, 1e4, -1e-3]])


def _large_cases(**kwargs) -> list[Case]:
    return [Case((_LARGE_NEGATIVE,), dict(kwargs), label="large negative inputs"),
            Case((_LARGE_POSITIVE,), dict(kwargs), label="large positive inputs"),
            Case((_LARGE_MIXED,), dict(kwargs), label="both signs")]


def _finite_difference_check(forward: Callable, x: np.ndarray, kwargs: dict, *, h: float,
                             tol: float, name: str) -> Property:
    """A property: the function agrees with central differences of the (trusted) ``forward``."""

    def probe(run: Runner, spec: Spec):
        return run((x,), kwargs)

    def judge(outcome: Outcome, spec: Spec):
        what = spec.call_text(Case((x,), kwargs))
        got, problem = _array_of(outcome, x.shape, what)
        if problem:
            return problem
        slope = (forward(x + h, **kwargs) - forward(x - h, **kwargs)) / (2 * h)
        bad = np.abs(got - slope) > tol * (1 + np.abs(slope))
        if not np.any(bad):
            return None
        i = int(np.argmax(bad))
        return (f"at x = {x[i]:.6g} your {spec.name} gives {got[i]:.6g}, but the slope of {name} "
                f"there, (f(x + h) - f(x - h)) / 2h, is {slope[i]:.6g} ({int(bad.sum())} of {x.size} "
                "points differ)")

    return Property(f"matches the slope of {name} (finite differences, away from 0)", probe, judge)


# --- sigmoid --------------------------------------------------------------------------------------

def _sig_naive(x):
    return 1.0 / (1.0 + np.exp(-x))


def _sig_where(x):
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))


def _sig_exp_ratio(x):
    return np.exp(x) / (1.0 + np.exp(x))


def _sig_sign(x):
    return ref.sigmoid(-np.asarray(x))


_NAIVE_OVERFLOW_HINT = (
    "1 / (1 + np.exp(-x)) overflows (a RuntimeWarning) for x below about -709, where exp(-x) is "
    "beyond the float range. Compute the exponential only of -|x|, which lies in (0, 1]: with "
    "e = np.exp(-np.abs(x)), sigmoid is 1 / (1 + e) where x >= 0 and e / (1 + e) where x < 0.")
_WHERE_BOTH_HINT = (
    "np.where(cond, a, b) computes BOTH a and b on every entry before choosing, so the unstable "
    "formula still runs (and overflows) on the entries it is not used for. Compute e = "
    "np.exp(-np.abs(x)) once (it never overflows) and build both branches from e, or fill the two "
    "sides separately with a boolean mask (out[pos] = ..., out[~pos] = ...).")

_SYM_X = np.concatenate([np.linspace(-30.0, 30.0, 25), _rng.normal(scale=5.0, size=15)])


def _judge_symmetry(data, spec: Spec):
    plus, minus = data
    s, problem = _array_of(plus, _SYM_X.shape, spec.call_text(Case((_SYM_X,))))
    if problem:
        return problem
    t, problem = _array_of(minus, _SYM_X.shape, spec.call_text(Case((-_SYM_X,))))
    if problem:
        return problem
    outside = ~((s >= 0) & (s <= 1))
    if np.any(outside):
        i = int(np.argmax(outside))
        return f"sigmoid({_SYM_X[i]:.4g}) = {s[i]:.6g}, outside [0, 1]"
    gap = np.abs(s + t - 1.0)
    if np.all(gap <= 1e-12):
        return None
    i = int(np.argmax(gap))
    return (f"sigmoid({_SYM_X[i]:.4g}) + sigmoid({-_SYM_X[i]:.4g}) = {s[i] + t[i]:.6g}; "
            "the two must add up to 1")


SIGMOID = Spec(
    name="sigmoid",
    reference=ref.sigmoid,
    groups=(
        _Compare("small hand-checkable inputs (sigmoid(0) = 0.5)", [
            Case((_x([0.0]),), label="sigmoid(0) = 0.5"),
            Case((_x([-2.0, -1.0, 0.0, 1.0, 2.0]),)),
            Case((_x(2.0),), label="a single number (0-d array)"),
            Case((_x([[-0.5]]),), label="one sample, one unit"),
        ]),
        _Compare("random inputs of several shapes", _random_shapes()),
        _Compare("inputs as large as 1e4 (right values, no overflow warnings)", _large_cases(),
                 warn_free=True, warn_mistakes={(True, False, True): "naive-overflow",
                                                (True, True, True): "where-both-branches"}),
        Property("sigmoid(-x) = 1 - sigmoid(x), and every value lies in [0, 1]",
                 lambda run, spec: (run((_SYM_X,)), run((-_SYM_X,))),
                 _judge_symmetry),
    ),
    mistakes=(
        Mistake("naive-overflow", _NAIVE_OVERFLOW_HINT, _sig_naive, matchable=False),
        Mistake("where-both-branches", _WHERE_BOTH_HINT, _sig_where, matchable=False),
        Mistake("exp-ratio-nan", "np.exp(x) / (1 + np.exp(x)) is inf / inf = nan for large positive x "
                "(and 1 / (1 + np.exp(-x)) overflows for large negative x). Use e = np.exp(-np.abs(x)): "
                "1 / (1 + e) where x >= 0 and e / (1 + e) where x < 0.", _sig_exp_ratio),
        Mistake("sign-flipped", "your function is sigmoid(-x): the exponent is -x, "
                "sigmoid(x) = 1 / (1 + exp(-x)), so sigmoid(3) is close to 1, not to 0.", _sig_sign),
    ),
)


# --- sigmoid_grad ---------------------------------------------------------------------------------

def _sg_one_minus_x(x):
    s = ref.sigmoid(x)
    return s * (1 - np.asarray(x))


def _sg_takes_output(x):
    x = np.asarray(x, dtype=float)
    return x * (1 - x)


def _sg_naive(x):
    s = 1.0 / (1.0 + np.exp(-x))
    return s * (1 - s)


def _sg_where(x):
    s = _sig_where(x)
    return s * (1 - s)


def _sg_exp_ratio(x):
    e = np.exp(-x)
    return e / (1.0 + e) ** 2


def _sg_returns_sigmoid(x):
    return ref.sigmoid(x)


SIGMOID_GRAD = Spec(
    name="sigmoid_grad",
    reference=ref.sigmoid_grad,
    groups=(
        _Compare("small hand-checkable inputs (the peak 0.25 at x = 0)", [
            Case((_x([-2.0, -1.0, 0.0, 1.0, 2.0]),), label="the peak sigmoid_grad(0) = 0.25 and its "
                 "neighbours"),
            Case((_x(-1.5),), label="a single number (0-d array)"),
            Case((_x([[3.0]]),), label="one sample, one unit"),
        ]),
        _Compare("random inputs of several shapes", _random_shapes()),
        _Compare("inputs as large as 1e4 (right values, no overflow warnings)", _large_cases(),
                 warn_free=True, warn_mistakes={(True, False, True): "naive-overflow",
                                                (True, True, True): "where-both-branches"}),
        _finite_difference_check(ref.sigmoid, np.linspace(-8.0, 8.0, 33), {}, h=1e-5, tol=1e-8,
                                 name="sigmoid"),
    ),
    mistakes=(
        Mistake("s-times-one-minus-x", "the derivative is s * (1 - s) with s = sigmoid(x); you wrote "
                "s * (1 - x), with x where the second s belongs.", _sg_one_minus_x),
        Mistake("takes-output", "sigmoid_grad receives the pre-activation x, not the sigmoid's output: "
                "compute s = sigmoid(x) first, then return s * (1 - s) (you computed x * (1 - x)).",
                _sg_takes_output),
        Mistake("returns-sigmoid", "you return sigmoid(x) itself; its derivative is "
                "sigmoid(x) * (1 - sigmoid(x)), at most 0.25.", _sg_returns_sigmoid),
        Mistake("exp-ratio-nan", "np.exp(-x) / (1 + np.exp(-x))**2 is inf / inf = nan for very negative "
                "x. The derivative is even, so use e = np.exp(-np.abs(x)) (never above 1): "
                "e / (1 + e)**2.", _sg_exp_ratio),
        Mistake("naive-overflow", _NAIVE_OVERFLOW_HINT + " Then return s * (1 - s).", _sg_naive,
                matchable=False),
        Mistake("where-both-branches", _WHERE_BOTH_HINT, _sg_where, matchable=False),
    ),
)


# --- tanh and tanh_grad ---------------------------------------------------------------------------

def _tanh_exp(x):
    x = np.asarray(x, dtype=float)
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def _tanh_exp2x(x):
    e = np.exp(2.0 * np.asarray(x, dtype=float))
    return (e - 1.0) / (e + 1.0)


def _tanh_sigmoid(x):
    return ref.sigmoid(np.asarray(x, dtype=float))


# Beyond float64's exp: +-1e308 and +-inf (tanh is exactly +-1 there), and nan, which stays nan.
_HUGE = _x([-np.inf, -1e308, -1e4, 1e4, 1e308, np.inf])
_TANH_X = np.concatenate([np.linspace(-25.0, 25.0, 21), _rng.normal(scale=4.0, size=15)])


def _judge_odd(data, spec: Spec):
    plus, minus = data
    t, problem = _array_of(plus, _TANH_X.shape, spec.call_text(Case((_TANH_X,))))
    if problem:
        return problem
    u, problem = _array_of(minus, _TANH_X.shape, spec.call_text(Case((-_TANH_X,))))
    if problem:
        return problem
    outside = ~((t >= -1) & (t <= 1))
    if np.any(outside):
        i = int(np.argmax(outside))
        return f"tanh({_TANH_X[i]:.4g}) = {t[i]:.6g}, outside [-1, 1]"
    gap = np.abs(t + u)
    if np.all(gap <= 1e-15):
        return None
    i = int(np.argmax(gap))
    return f"tanh({_TANH_X[i]:.4g}) + tanh({-_TANH_X[i]:.4g}) = {t[i] + u[i]:.6g}; tanh is odd, the two must cancel"


def _judge_even(data, spec: Spec):
    plus, minus = data
    g, problem = _array_of(plus, _TANH_X.shape, spec.call_text(Case((_TANH_X,))))
    if problem:
        return problem
    h, problem = _array_of(minus, _TANH_X.shape, spec.call_text(Case((-_TANH_X,))))
    if problem:
        return problem
    outside = ~((g >= 0) & (g <= 1))
    if np.any(outside):
        i = int(np.argmax(outside))
        return f"tanh_grad({_TANH_X[i]:.4g}) = {g[i]:.6g}, outside [0, 1]"
    gap = np.abs(g - h)
    if np.all(gap <= 1e-15):
        return None
    i = int(np.argmax(gap))
    return (f"tanh_grad({_TANH_X[i]:.4g}) = {g[i]:.6g} but tanh_grad({-_TANH_X[i]:.4g}) = {h[i]:.6g}; "
            "the derivative of tanh is even, the two must be equal")


_TANH_EXP_HINT = (
    "(np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)) is inf / inf = nan, with an overflow warning, "
    "once |x| passes about 710. Use np.tanh(x), or write it from e = exp(-2|x|), computed as "
    "np.exp(-np.abs(x))**2 so that nothing overflows: tanh(x) = sign(x) * (1 - e) / (1 + e).")

TANH = Spec(
    name="tanh",
    reference=ref.tanh,
    groups=(
        _Compare("small hand-checkable inputs (tanh(0) = 0, tanh(1) = 0.7616)", [
            Case((_x([-2.0, -1.0, 0.0, 1.0, 2.0]),)),
            Case((_x(0.5),), label="a single number (0-d array)"),
            Case((_x([[-0.25]]),), label="one sample, one unit"),
        ]),
        _Compare("random inputs of several shapes", _random_shapes()),
        _Compare("inputs as large as 1e4 (right values, no overflow warnings)", _large_cases(), warn_free=True),
        _Compare("1e308, inf and nan (+-1 for the infinite and huge, nan stays nan)", [
            Case((_HUGE,), label="+-1e4, +-1e308, +-inf"), Case((_x([np.nan, 0.0, 1.0]),), label="nan stays nan"),
        ], warn_free=True),
        Property("tanh(-x) = -tanh(x), and every value lies in [-1, 1]",
                 lambda run, spec: (run((_TANH_X,)), run((-_TANH_X,))), _judge_odd),
    ),
    mistakes=(
        Mistake("exp-overflow", _TANH_EXP_HINT, _tanh_exp),
        Mistake("exp2x-overflow", "(np.exp(2 * x) - 1) / (np.exp(2 * x) + 1) is inf / inf = nan once x passes "
                "about 355. Use np.tanh(x), or build it from e = exp(-2|x|) = np.exp(-np.abs(x))**2 (never "
                "above 1): sign(x) * (1 - e) / (1 + e).", _tanh_exp2x),
        Mistake("sigmoid", "that is the sigmoid, whose values lie in (0, 1); tanh is centred on 0, "
                "tanh(x) = 2 * sigmoid(2x) - 1, with values in (-1, 1).", _tanh_sigmoid),
    ),
)


def _tg_one_minus_x_squared(x):
    x = np.asarray(x, dtype=float)
    return 1.0 - x ** 2


def _tg_square_missing(x):
    return 1.0 - np.tanh(np.asarray(x, dtype=float))


def _tg_sigmoid_form(x):
    t = np.tanh(np.asarray(x, dtype=float))
    return t * (1.0 - t)


def _tg_returns_tanh(x):
    return np.tanh(np.asarray(x, dtype=float))


def _tg_cosh(x):
    return 1.0 / np.cosh(np.asarray(x, dtype=float)) ** 2


TANH_GRAD = Spec(
    name="tanh_grad",
    reference=ref.tanh_grad,
    # Where 1 - tanh(x)**2 has rounded to 0 the true value is below 1e-16: both are right.
    atol=1e-15,
    groups=(
        _Compare("small hand-checkable inputs (the peak 1 at x = 0)", [
            Case((_x([-2.0, -1.0, 0.0, 1.0, 2.0]),), label="tanh_grad(0) = 1 and its neighbours"),
            Case((_x(-1.5),), label="a single number (0-d array)"),
            Case((_x([[3.0]]),), label="one sample, one unit"),
        ]),
        _Compare("random inputs of several shapes", _random_shapes()),
        _Compare("inputs as large as 1e4 (right values, no overflow warnings)", _large_cases(), warn_free=True,
                 warn_mistakes={(True, True, True): "cosh-overflow"}),
        _Compare("1e308, inf and nan (0 for the infinite and huge, nan stays nan)", [
            Case((_HUGE,), label="+-1e4, +-1e308, +-inf"), Case((_x([np.nan, 0.0, 1.0]),), label="nan stays nan"),
        ], warn_free=True),
        _finite_difference_check(ref.tanh, np.linspace(-6.0, 6.0, 25), {}, h=1e-5, tol=1e-8, name="tanh"),
        Property("tanh_grad(-x) = tanh_grad(x), and every value lies in [0, 1]",
                 lambda run, spec: (run((_TANH_X,)), run((-_TANH_X,))), _judge_even),
    ),
    mistakes=(
        Mistake("one-minus-x-squared", "tanh_grad receives the pre-activation x, not tanh's output: the "
                "derivative is 1 - tanh(x)**2; 1 - x**2 is that formula applied to the wrong variable.",
                _tg_one_minus_x_squared),
        Mistake("square-missing", "the derivative of tanh is 1 - tanh(x)**2: the tanh is SQUARED "
                "(you computed 1 - tanh(x)).", _tg_square_missing),
        Mistake("sigmoid-form", "t * (1 - t) is the sigmoid's derivative in terms of its output; tanh's is "
                "1 - t**2 with t = tanh(x).", _tg_sigmoid_form),
        Mistake("returns-tanh", "you return tanh(x) itself; its derivative is 1 - tanh(x)**2, at most 1 "
                "(at x = 0).", _tg_returns_tanh),
        Mistake("cosh-overflow", "1 / np.cosh(x)**2 is the right formula, but np.cosh overflows (a "
                "RuntimeWarning) once |x| passes about 710. Use 1 - np.tanh(x)**2, which never overflows.",
                _tg_cosh, matchable=False),
    ),
)


# --- relu -----------------------------------------------------------------------------------------

def _relu_np_max(x):
    return np.max(x, 0)


def _relu_mask(x):
    return (np.asarray(x) > 0).astype(np.float64)


def _relu_minimum(x):
    return np.minimum(x, 0.0)


_SMALL = _x([-2.0, -0.5, 0.0, 0.5, 3.0])

_RELU_X = _away_from_zero(4, 6)


def _judge_relu_shape(outcome: Outcome, spec: Spec):
    got, problem = _array_of(outcome, _RELU_X.shape, spec.call_text(Case((_RELU_X,))))
    if problem:
        return problem
    if np.any(got < 0):
        i = np.unravel_index(int(np.argmax(got < 0)), got.shape)
        return f"relu gave {got[i]:.6g} for x = {_RELU_X[i]:.6g}; ReLU is never negative"
    pos = _RELU_X > 0
    if not np.array_equal(got[pos], _RELU_X[pos]):
        i = np.unravel_index(int(np.argmax(pos & (got != _RELU_X))), got.shape)
        return f"relu gave {got[i]:.6g} for x = {_RELU_X[i]:.6g}; positive inputs pass unchanged"
    return None


RELU = Spec(
    name="relu",
    reference=ref.relu,
    groups=(
        _Compare("small hand-checkable inputs, with exact zeros", [
            Case((_SMALL,)),
            Case((np.zeros((2, 3)),), label="all zeros"),
            Case((_x(-1.5),), label="a single negative number (0-d array)"),
            Case((_x([[4.0]]),), label="one sample, one unit"),
        ]),
        _Compare("random inputs of several shapes", _random_shapes()),
        _Compare("very large and very small magnitudes (exact, no warnings)", [
            Case((_x([-1e300, -1e-300, 1e-300, 1e300]),)),
        ], rtol=0.0, atol=0.0, warn_free=True),
        Property("never negative, and equal to x wherever x > 0",
                 lambda run, spec: run((_RELU_X,)),
                 _judge_relu_shape),
    ),
    mistakes=(
        Mistake("np-max-not-maximum", "np.max(x, 0) is the largest entry along axis 0 (a reduction); "
                "the element-wise max(x, 0) is np.maximum(x, 0).", _relu_np_max),
        Mistake("returns-mask", "relu returns the values max(x, 0); the 0/1 mask (x > 0) is its "
                "derivative, relu_grad.", _relu_mask),
        Mistake("minimum", "ReLU keeps the positive part: np.maximum(x, 0), not np.minimum(x, 0).",
                _relu_minimum),
    ),
)


# --- relu_grad ------------------------------------------------------------------------------------

def _rg_one_at_zero(x):
    return (np.asarray(x) >= 0).astype(np.float64)


def _rg_half_at_zero(x):
    return np.heaviside(x, 0.5)


def _rg_values(x):
    return np.maximum(x, 0.0)


def _rg_sign(x):
    return np.sign(x).astype(np.float64)


def _bools_as_floats(value: Any) -> Any:
    """A boolean mask (``x > 0``) as the 0.0 and 1.0 it stands for.

    :func:`grader.compare.mismatch` already accepts boolean arrays for float
    ones, but not a single ``np.bool_`` for a 0-d array; this makes the two alike.
    """
    if isinstance(value, (bool, np.bool_)):
        return np.float64(value)
    if isinstance(value, np.ndarray) and value.dtype == np.bool_:
        return value.astype(np.float64)
    return value


RELU_GRAD = Spec(
    name="relu_grad",
    reference=ref.relu_grad,
    post=_bools_as_floats,
    groups=(
        _Compare("small inputs with exact zeros (this course fixes relu_grad(0) = 0)", [
            Case((_SMALL,)),
            Case((np.zeros((2, 3)),), label="all zeros"),
            Case((_x(0.0),), label="exactly 0 (0-d array)"),
            Case((_x([[4.0]]),), label="one sample, one unit"),
        ]),
        _Compare("random inputs of several shapes", _random_shapes()),
        _finite_difference_check(ref.relu, _away_from_zero(24), {}, h=1e-6, tol=1e-6, name="relu"),
    ),
    mistakes=(
        Mistake("one-at-zero", "at exactly x = 0 ReLU has no derivative; this course fixes the left "
                "value 0 there (as PyTorch does): 1 only where x > 0, so use x > 0, not x >= 0.",
                _rg_one_at_zero),
        Mistake("half-at-zero", "at exactly x = 0 this course fixes the derivative to 0 (the left "
                "value, as PyTorch does), not 0.5: use np.heaviside(x, 0) or (x > 0).",
                _rg_half_at_zero),
        Mistake("returns-relu", "you return ReLU's output max(x, 0); its derivative is the slope: "
                "1 where x > 0 and 0 elsewhere.", _rg_values),
        Mistake("sign", "np.sign(x) is -1 for negative x, but ReLU is flat there: its slope is 0 "
                "for x <= 0 and 1 for x > 0.", _rg_sign),
    ),
)


# --- leaky_relu -----------------------------------------------------------------------------------

def _lr_alpha_ignored(x, *, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, 0.01 * x)


def _lr_alpha_positive(x, *, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, alpha * x, x)


def _lr_plain_relu(x, *, alpha=0.01):
    return np.maximum(x, 0.0)


def _lr_gradient(x, *, alpha=0.01):
    return np.where(np.asarray(x) > 0, 1.0, alpha)


def _slopes_cases() -> list[Case]:
    return [
        Case((_rng.normal(scale=3.0, size=(4, 5)),), {"alpha": 0.2}),
        Case((_rng.normal(scale=3.0, size=(9,)),), {"alpha": 0.0}, label="alpha 0 is ReLU"),
        Case((_rng.normal(scale=3.0, size=(2, 3, 2)),), {"alpha": 1.0}, label="alpha 1"),
        Case((_x([-2.0, -0.5, 0.5, 3.0]),), {"alpha": 0.3}),
    ]


_PM_X = _away_from_zero(5, 4)


def _judge_leaky_symmetry(data, spec: Spec):
    kwargs = {"alpha": 0.25}
    plus, minus = data
    f, problem = _array_of(plus, _PM_X.shape, spec.call_text(Case((_PM_X,), kwargs)))
    if problem:
        return problem
    g, problem = _array_of(minus, _PM_X.shape, spec.call_text(Case((-_PM_X,), kwargs)))
    if problem:
        return problem
    target = 1.25 * _PM_X
    bad = ~np.isclose(f - g, target, rtol=1e-9, atol=1e-12)
    if not np.any(bad):
        return None
    i = np.unravel_index(int(np.argmax(bad)), bad.shape)
    return (f"with alpha=0.25, f(x) - f(-x) at x = {_PM_X[i]:.4g} is {f[i] - g[i]:.6g}; for leaky "
            f"ReLU it is (1 + alpha) * x = {target[i]:.6g}")


LEAKY_RELU = Spec(
    name="leaky_relu",
    reference=ref.leaky_relu,
    groups=(
        _Compare("small inputs with exact zeros (default alpha 0.01)", [
            Case((_SMALL,)),
            Case((np.zeros((2, 3)),), label="all zeros"),
            Case((_x(-4.0),), label="a single negative number (0-d array)"),
            Case((_x([[4.0]]),), label="one sample, one unit"),
        ]),
        _Compare("other slopes alpha (0, 0.2, 0.3, 1)", _slopes_cases()),
        _Compare("random inputs of several shapes", _random_shapes()),
        Property("f(x) - f(-x) = (1 + alpha) * x (alpha = 0.25)",
                 lambda run, spec: (run((_PM_X,), {"alpha": 0.25}), run((-_PM_X,), {"alpha": 0.25})),
                 _judge_leaky_symmetry),
    ),
    mistakes=(
        Mistake("alpha-ignored", "use the alpha argument for the negative slope; you always use 0.01, "
                "the default, so leaky_relu(x, alpha=0.2) comes out wrong.", _lr_alpha_ignored),
        Mistake("alpha-on-positive-side", "the slope alpha belongs to the negative side: x where x > 0, "
                "alpha * x where x <= 0 (you have them the other way round).", _lr_alpha_positive),
        Mistake("plain-relu", "leaky ReLU keeps a small slope on the negative side: alpha * x where "
                "x <= 0, not 0 (that is plain ReLU).", _lr_plain_relu),
        Mistake("returns-gradient", "you return the slopes (1 or alpha); leaky_relu returns the values "
                "x where x > 0 and alpha * x elsewhere.", _lr_gradient),
    ),
)


# --- leaky_relu_grad ------------------------------------------------------------------------------

def _lg_zero_negative(x, *, alpha=0.01):
    return (np.asarray(x) > 0).astype(np.float64)


def _lg_one_at_zero(x, *, alpha=0.01):
    return np.where(np.asarray(x) >= 0, 1.0, alpha)


def _lg_alpha_ignored(x, *, alpha=0.01):
    return np.where(np.asarray(x) > 0, 1.0, 0.01)


def _lg_values(x, *, alpha=0.01):
    return ref.leaky_relu(x, alpha=alpha)


def _lg_alpha_positive(x, *, alpha=0.01):
    return np.where(np.asarray(x) > 0, alpha, 1.0)


LEAKY_RELU_GRAD = Spec(
    name="leaky_relu_grad",
    reference=ref.leaky_relu_grad,
    groups=(
        _Compare("small inputs with exact zeros (x <= 0 gives alpha)", [
            Case((_SMALL,)),
            Case((np.zeros((2, 3)),), {"alpha": 0.1}, label="all zeros"),
            Case((_x(0.0),), label="exactly 0 (0-d array)"),
            Case((_x([[4.0]]),), label="one sample, one unit"),
        ]),
        _Compare("other slopes alpha (0, 0.2, 0.3, 1)", _slopes_cases()),
        _Compare("random inputs of several shapes", _random_shapes()),
        _finite_difference_check(ref.leaky_relu, _away_from_zero(24), {"alpha": 0.1}, h=1e-6, tol=1e-6,
                                 name="leaky_relu"),
    ),
    mistakes=(
        Mistake("zero-on-negative-side", "on the negative side leaky ReLU has slope alpha, not 0 "
                "(0 is ReLU's derivative): return alpha where x <= 0.", _lg_zero_negative),
        Mistake("one-at-zero", "at exactly x = 0 use the left slope, alpha, as relu_grad uses 0 there: "
                "1 only where x > 0 (x > 0, not x >= 0).", _lg_one_at_zero),
        Mistake("alpha-ignored", "use the alpha argument; you always use 0.01, the default, so "
                "leaky_relu_grad(x, alpha=0.2) comes out wrong.", _lg_alpha_ignored),
        Mistake("returns-values", "you return leaky ReLU's output; its derivative is the slope: "
                "1 where x > 0 and alpha elsewhere.", _lg_values),
        Mistake("alpha-on-positive-side", "the slope is 1 for x > 0 and alpha for x <= 0 (you have "
                "them the other way round).", _lg_alpha_positive),
    ),
)


# --- elu ------------------------------------------------------------------------------------------

def _elu_where(x, *, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))


def _elu_no_minus_one(x, *, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0.0)))


def _elu_alpha_ignored(x, *, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))


_ELU_WHERE_HINT = (
    "np.where(x > 0, x, alpha * (np.exp(x) - 1)) computes np.exp(x) for EVERY entry, also the large "
    "positive ones it then throws away, and exp(710) already overflows (a RuntimeWarning). Take the "
    "exponential of np.minimum(x, 0) instead, or only of the negative entries (x[x <= 0]).")

_ELU_LIMITS = _x([-60.0, -1e-9, 1e-9, 5.0])


def _judge_elu_limits(outcome: Outcome, spec: Spec):
    got, problem = _array_of(outcome, _ELU_LIMITS.shape, spec.call_text(Case((_ELU_LIMITS,), {"alpha": 1.5})))
    if problem:
        return problem
    if abs(got[0] + 1.5) > 1e-9:
        return f"with alpha=1.5, elu(-60) = {got[0]:.6g}; it should be (almost) -alpha = -1.5"
    if abs(got[1]) > 1e-6 or abs(got[2]) > 1e-6:
        return (f"with alpha=1.5, elu(-1e-9) = {got[1]:.6g} and elu(1e-9) = {got[2]:.6g}; ELU is "
                "continuous, both should be (almost) 0")
    if got[3] != 5.0:
        return f"elu(5) = {got[3]:.6g}; positive inputs pass unchanged"
    return None


ELU = Spec(
    name="elu",
    reference=ref.elu,
    groups=(
        _Compare("small inputs with exact zeros (default alpha 1)", [
            Case((_x([-3.0, -1.0, -1e-8, 0.0, 0.5, 2.0]),)),
            Case((np.zeros((2, 3)),), label="all zeros"),
            Case((_x(-1.0),), label="a single number (0-d array)"),
            Case((_x([[4.0]]),), label="one sample, one unit"),
        ]),
        _Compare("other alphas (0.5, 2)", [
            Case((_rng.normal(scale=3.0, size=(4, 5)),), {"alpha": 0.5}),
            Case((_rng.normal(scale=3.0, size=(8,)),), {"alpha": 2.0}),
        ]),
        _Compare("random inputs of several shapes", _random_shapes()),
        _Compare("inputs as large as 1e4 (right values, no overflow warnings)",
                 _large_cases(alpha=1.5), warn_free=True,
                 warn_mistakes={(False, True, True): "where-exp-overflow"}),
        Property("continuous at 0 and tends to -alpha for very negative x (alpha = 1.5)",
                 lambda run, spec: run((_ELU_LIMITS,), {"alpha": 1.5}),
                 _judge_elu_limits),
    ),
    mistakes=(
        Mistake("where-exp-overflow", _ELU_WHERE_HINT, _elu_where, matchable=False),
        Mistake("missing-minus-one", "the negative side is alpha * (exp(x) - 1), which is 0 at x = 0 "
                "and tends to -alpha; alpha * exp(x) jumps at 0.", _elu_no_minus_one),
        Mistake("alpha-ignored", "multiply the negative side by alpha: alpha * (exp(x) - 1); you use "
                "exp(x) - 1, which is only right for alpha = 1.", _elu_alpha_ignored),
    ),
)


# --- elu_grad -------------------------------------------------------------------------------------

def _eg_alpha_exp_everywhere(x, *, alpha=1.0):
    return alpha * np.exp(x)


def _eg_where(x, *, alpha=1.0):
    return np.where(x > 0, 1.0, alpha * np.exp(x))


def _eg_elu_plus_alpha(x, *, alpha=1.0):
    return ref.elu(x, alpha=alpha) + alpha


def _eg_alpha_ignored(x, *, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0)))


def _eg_one_at_zero(x, *, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def _eg_values(x, *, alpha=1.0):
    return ref.elu(x, alpha=alpha)


ELU_GRAD = Spec(
    name="elu_grad",
    reference=ref.elu_grad,
    groups=(
        _Compare("small inputs with exact zeros (x <= 0 gives alpha * exp(x), alpha at 0)", [
            Case((_x([-3.0, -1.0, 0.0, 0.5, 2.0]),)),
            Case((_x([-2.0, -0.5, 0.0, 0.5, 3.0]),), {"alpha": 2.0}, label="alpha 2, exact zero"),
            Case((np.zeros((2, 3)),), {"alpha": 0.5}, label="all zeros, alpha 0.5"),
            Case((_x(-1.0),), label="a single number (0-d array)"),
        ]),
        _Compare("other alphas (0.5, 2)", [
            Case((_rng.normal(scale=3.0, size=(4, 5)),), {"alpha": 0.5}),
            Case((_rng.normal(scale=3.0, size=(8,)),), {"alpha": 2.0}),
        ]),
        _Compare("random inputs of several shapes", _random_shapes()),
        _Compare("inputs as large as 1e4 (right values, no overflow warnings)",
                 _large_cases(alpha=1.5), warn_free=True,
                 warn_mistakes={(False, True, True): "where-exp-overflow"}),
        _finite_difference_check(ref.elu, _away_from_zero(24), {"alpha": 1.5}, h=1e-6, tol=1e-6,
                                 name="elu"),
    ),
    mistakes=(
        Mistake("alpha-exp-on-positive-side", "for x > 0 ELU is x itself, so its slope there is 1; "
                "alpha * exp(x) is the slope on the negative side only (x <= 0).",
                _eg_alpha_exp_everywhere),
        Mistake("where-exp-overflow", _ELU_WHERE_HINT.replace("alpha * (np.exp(x) - 1)", "alpha * np.exp(x)")
                .replace("np.where(x > 0, x,", "np.where(x > 0, 1,"), _eg_where, matchable=False),
        Mistake("elu-plus-alpha-everywhere", "elu(x) + alpha equals the slope only on the negative side; "
                "for x > 0 the slope is 1.", _eg_elu_plus_alpha),
        Mistake("alpha-ignored", "the slope on the negative side is alpha * exp(x); you use exp(x), "
                "which is only right for alpha = 1.", _eg_alpha_ignored),
        Mistake("one-at-zero", "at exactly x = 0 use the left slope, alpha * exp(0) = alpha (this course "
                "puts the kink on the negative side, as for ReLU): 1 only where x > 0.", _eg_one_at_zero),
        Mistake("returns-values", "you return ELU's output; its derivative is 1 where x > 0 and "
                "alpha * exp(x) elsewhere.", _eg_values),
    ),
)


# --- prelu_backward -------------------------------------------------------------------------------

def _neg(x):
    return np.asarray(x) <= 0


def _pb_dalpha_all(x, alpha, dout):
    dx = np.where(_neg(x), alpha * dout, dout)
    return dx, float(np.sum(dout * x))


def _pb_dalpha_not_summed(x, alpha, dout):
    dx = np.where(_neg(x), alpha * dout, dout)
    return dx, np.where(_neg(x), dout * x, 0.0)


def _pb_dalpha_no_x(x, alpha, dout):
    dx = np.where(_neg(x), alpha * dout, dout)
    return dx, float(np.sum(np.where(_neg(x), dout, 0.0)))


def _pb_dalpha_mean(x, alpha, dout):
    dx = np.where(_neg(x), alpha * dout, dout)
    return dx, float(np.mean(np.where(_neg(x), dout * x, 0.0)))


def _pb_dx_no_dout(x, alpha, dout):
    dx = np.where(_neg(x), alpha, 1.0)
    return dx, float(np.sum(np.where(_neg(x), dout * x, 0.0)))


def _pb_one_at_zero(x, alpha, dout):
    x = np.asarray(x)
    dx = np.where(x < 0, alpha * dout, dout)
    return dx, float(np.sum(np.where(x < 0, dout * x, 0.0)))


def _pb_swapped(x, alpha, dout):
    dx, dalpha = ref.prelu_backward(x, alpha, dout)
    return dalpha, dx


def _prelu_case(shape, alpha, label="") -> Case:
    x = _rng.normal(scale=2.0, size=shape)
    return Case((x, alpha, _rng.normal(size=shape)), label=label)


_FD_X = _away_from_zero(3, 4, scale=2.0, gap=0.1)
_FD_DOUT = _rng.normal(size=(3, 4))
_FD_ALPHA = 0.3


def _prelu_sum(x, alpha):
    return float(np.sum(_FD_DOUT * ref.prelu(x, alpha)))


def _judge_prelu_fd(outcome: Outcome, spec: Spec):
    case = Case((_FD_X, _FD_ALPHA, _FD_DOUT))
    what = spec.call_text(case)
    problem = failed_call(outcome, what)
    if problem:
        return problem
    value = outcome.value
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return f"{what} returned {describe(value)}, expected a pair (dx, dalpha)"
    dx, dalpha = value
    h = 1e-6
    num_dalpha = (_prelu_sum(_FD_X, _FD_ALPHA + h) - _prelu_sum(_FD_X, _FD_ALPHA - h)) / (2 * h)
    num_dx = np.empty_like(_FD_X)
    for i in range(_FD_X.size):
        step = np.zeros_like(_FD_X)
        step.flat[i] = h
        num_dx.flat[i] = (_prelu_sum(_FD_X + step, _FD_ALPHA) - _prelu_sum(_FD_X - step, _FD_ALPHA)) / (2 * h)
    problem = mismatch(dx, num_dx, rtol=1e-6, atol=1e-6)
    if problem:
        return (f"{what}: dx does not match the finite differences of sum(dout * prelu(x, alpha)) "
                f"with respect to x: {problem}")
    problem = mismatch(dalpha, num_dalpha, rtol=1e-6, atol=1e-6)
    if problem:
        return (f"{what}: dalpha does not match the finite difference of sum(dout * prelu(x, alpha)) "
                f"with respect to alpha: {problem}")
    return None


PRELU_BACKWARD = Spec(
    name="prelu_backward",
    reference=ref.prelu_backward,
    outputs=("dx", "dalpha"),
    groups=(
        _Compare("small hand-checkable inputs with exact zeros (x <= 0 is the negative side)", [
            Case((_x([-2.0, 0.0, 3.0]), 0.25, _x([1.0, 1.0, 2.0])),
                 label="dx = [0.25, 0.25, 2], dalpha = -2"),
            Case((_x([1.0, 2.0, 0.5]), 0.1, _x([1.0, -1.0, 3.0])), label="all positive: dalpha = 0"),
            Case((_x([[-1.0, -3.0], [-0.5, -2.0]]), 0.2, _x([[1.0, 2.0], [-1.0, 0.5]])),
                 label="all negative"),
            Case((np.zeros((2, 2)), 0.5, _x([[1.0, -2.0], [3.0, 4.0]])), label="all zeros"),
            Case((_x([[-1.5]]), 0.25, _x([[2.0]])), label="one sample, one unit"),
        ]),
        _Compare("random inputs of several shapes and slopes", [
            _prelu_case((4, 5), 0.25),
            _prelu_case((9,), 0.05),
            _prelu_case((2, 3, 4), 0.7),
            _prelu_case((1, 6), -0.2, label="a negative learned slope"),
        ]),
        Property("agrees with finite differences of sum(dout * prelu(x, alpha))",
                 lambda run, spec: run((_FD_X, _FD_ALPHA, _FD_DOUT)), _judge_prelu_fd),
    ),
    mistakes=(
        Mistake("dalpha-all-entries", "only the entries with x <= 0 depend on alpha: dalpha is the sum of "
                "dout * x over those entries, not over all of them.", _pb_dalpha_all),
        Mistake("dalpha-not-summed", "alpha is ONE number shared by every entry, so dalpha is one "
                "number: sum dout * x over the entries with x <= 0 (you return an array).",
                _pb_dalpha_not_summed),
        Mistake("dalpha-missing-x", "on the negative side the output is alpha * x, so its derivative "
                "with respect to alpha is x: dalpha = sum of dout * x over the entries with x <= 0.",
                _pb_dalpha_no_x),
        Mistake("dalpha-mean", "the gradient of a shared parameter adds up the contributions of every "
                "entry: use the sum, not the mean.", _pb_dalpha_mean),
        Mistake("dx-missing-dout", "chain rule: dx is dout times the local slope (dout where x > 0, "
                "alpha * dout elsewhere); you return the slope alone.", _pb_dx_no_dout),
        Mistake("one-at-zero", "at exactly x = 0 use the negative side, as relu_grad does: the slope "
                "there is alpha (x <= 0 is the negative side; you used x < 0).", _pb_one_at_zero),
        Mistake("outputs-swapped", "return dx first and dalpha second: `return dx, dalpha`.", _pb_swapped),
    ),
)


# --- backprop_delta_norms -------------------------------------------------------------------------
# The activation derivatives passed as act_grad (the student's function may call them).

def identity_grad(z):
    """The derivative of a linear activation: ones."""
    return np.ones_like(z)


def tanh_grad(z):
    """The derivative of tanh: 1 - tanh(z)**2."""
    return 1.0 - np.tanh(z) ** 2


def logistic_grad(z):
    """The derivative of the sigmoid, computed without overflow."""
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))
        return e / (1.0 + e) ** 2


def step_grad(z):
    """The derivative of ReLU: 1 where z > 0, else 0."""
    return (z > 0).astype(np.float64)


def _network(widths: list[int], n: int, act: Callable, *, scale: float | None = None,
             label: str = "") -> Case:
    """A random network with layer widths ``widths`` (input first), pre-activations and delta_out."""
    weights = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        s = np.sqrt(2.0 / (fan_in + fan_out)) if scale is None else scale
        weights.append(_rng.normal(scale=s, size=(fan_in, fan_out)))
    zs = [_rng.normal(scale=1.5, size=(n, w)) for w in widths[1:-1]]
    delta_out = _rng.normal(size=(n, widths[-1]))
    return Case((weights, zs, act, delta_out), label=label)


def _chain(c: float, depth: int, width: int = 2) -> Case:
    """The lesson's deep linear chain: weights c * I, a linear activation, delta_out = e_1."""
    weights = [c * np.eye(width) for _ in range(depth)]
    zs = [np.ones((1, width)) for _ in range(depth - 1)]
    delta_out = np.zeros((1, width))
    delta_out[0, 0] = 1.0
    return Case((weights, zs, identity_grad, delta_out),
                label=f"{depth} layers with weights {c} * I: norms {c}**{depth - 1}, ..., {c}")


def _bd_not_transposed(weights, pre_activations, act_grad, delta_out):
    delta = np.asarray(delta_out, dtype=float)
    norms = []
    for i in range(len(weights) - 2, -1, -1):
        delta = act_grad(pre_activations[i]) * (delta @ weights[i + 1])
        norms.append(np.linalg.norm(delta))
    return np.array(norms[::-1])


def _bd_no_derivative(weights, pre_activations, act_grad, delta_out):
    delta = np.asarray(delta_out, dtype=float)
    norms = []
    for i in range(len(weights) - 2, -1, -1):
        delta = delta @ weights[i + 1].T
        norms.append(np.linalg.norm(delta))
    return np.array(norms[::-1])


def _bd_reversed(weights, pre_activations, act_grad, delta_out):
    return ref.backprop_delta_norms(weights, pre_activations, act_grad, delta_out)[::-1].copy()


def _bd_includes_output(weights, pre_activations, act_grad, delta_out):
    norms = ref.backprop_delta_norms(weights, pre_activations, act_grad, delta_out)
    return np.append(norms, np.linalg.norm(delta_out))


def _bd_weight_index(weights, pre_activations, act_grad, delta_out):
    delta = np.asarray(delta_out, dtype=float)
    norms = []
    for i in range(len(weights) - 2, -1, -1):
        delta = act_grad(pre_activations[i]) * (delta @ weights[i].T)
        norms.append(np.linalg.norm(delta))
    return np.array(norms[::-1])


def _bd_squared(weights, pre_activations, act_grad, delta_out):
    return ref.backprop_delta_norms(weights, pre_activations, act_grad, delta_out) ** 2


def _norms_as_array(value: Any) -> Any:
    """A list (or tuple) of numbers, as students often build the norms, as a float array."""
    if isinstance(value, (list, tuple)) and all(
            isinstance(v, (numbers.Real, np.floating, np.integer)) and not isinstance(v, (bool, np.bool_))
            or (isinstance(v, np.ndarray) and v.shape == () and v.dtype.kind in "fiu")
            for v in value):
        return np.array([float(v) for v in value], dtype=np.float64)
    return value


def _orthogonal(width: int) -> np.ndarray:
    q, r = np.linalg.qr(_rng.normal(size=(width, width)))
    return q * np.sign(np.diag(r))


_CHAIN_DEPTH = 8
# (c, case): weights c * Q_l with random orthogonal Q_l of width 5, a linear activation, 3 samples.
_ORTHO_CASES = tuple(
    (c, Case(([c * _orthogonal(5) for _ in range(_CHAIN_DEPTH)],
              [_rng.normal(size=(3, 5)) for _ in range(_CHAIN_DEPTH - 1)],
              identity_grad, _rng.normal(size=(3, 5))),
             label=f"weights {c} * Q"))
    for c in (1.5, 0.5)
)


def _probe_ortho(run: Runner, spec: Spec) -> list[Outcome]:
    return [run.case(case) for _, case in _ORTHO_CASES]


def _judge_ortho(data: list[Outcome], spec: Spec):
    n_hidden = _CHAIN_DEPTH - 1
    for (c, case), outcome in zip(_ORTHO_CASES, data):
        delta_out = case.args[3]
        what = (f"{spec.name} on {_CHAIN_DEPTH} layers with weights {c:g} * Q (Q orthogonal) and a "
                "linear activation")
        got, problem = _array_of(outcome, (n_hidden,), what)
        if problem:
            shape = getattr(outcome.value, "shape", None)
            return problem, ("includes-output" if shape == (_CHAIN_DEPTH,) else None)
        base = float(np.linalg.norm(delta_out))
        expected = base * c ** np.arange(n_hidden, 0, -1, dtype=np.float64)
        if mismatch(got, expected, rtol=1e-9, atol=0.0) is None:
            continue
        detail = (f"{what}: Q keeps norms, so each layer back multiplies the norm by {c:g}, starting "
                  f"from ||delta_out|| = {base:.4g}; expected {describe(expected)} (first hidden layer "
                  f"first), got {describe(got)}")
        if mismatch(got, expected[::-1].copy(), rtol=1e-9, atol=0.0) is None:
            return detail, "reversed-order"
        return detail, None
    return None


BACKPROP_DELTA_NORMS = Spec(
    name="backprop_delta_norms",
    reference=ref.backprop_delta_norms,
    post=_norms_as_array,
    groups=(
        _Compare("the lesson's deep linear chains (weights 1.5 I and 0.5 I, a linear activation)", [
            _chain(1.5, 10),
            _chain(0.5, 10),
            _chain(1.5, 2, width=1),
        ], atol=0.0),
        _Compare("square layers with tanh and sigmoid derivatives", [
            _network([4, 4, 4, 4, 4], 3, tanh_grad, label="5 layers of width 4, tanh"),
            _network([3, 3, 3, 3], 5, logistic_grad, scale=1.0, label="4 layers of width 3, sigmoid"),
            _network([6, 6, 6], 2, step_grad, label="3 layers of width 6, ReLU"),
        ]),
        _Compare("layers of different widths (non-square weights), one sample, one hidden layer", [
            _network([5, 7, 4, 6, 3], 8, tanh_grad, label="widths 5, 7, 4, 6, 3 with tanh"),
            _network([3, 8, 2, 5], 1, step_grad, label="one sample, ReLU"),
            _network([4, 6, 2], 4, logistic_grad, label="one hidden layer, sigmoid"),
        ]),
        _Compare("vanishing gradients: 20 sigmoid layers (relative tolerance 1e-9)", [
            _network([6] * 21, 4, logistic_grad, scale=1.0 / np.sqrt(6), label="20 layers of width 6"),
        ], rtol=1e-9, atol=0.0),
        Property("with weights c * Q (Q orthogonal) and a linear activation, each layer back multiplies "
               "the norm by c", _probe_ortho, _judge_ortho),
    ),
    mistakes=(
        Mistake("w-not-transposed", "going backwards multiplies by the TRANSPOSED weights: "
                "delta_l = act_grad(z_l) * (delta_{l+1} @ W_{l+1}.T). With W of shape (fan_in, fan_out) "
                "that turns a (n, fan_out) delta into a (n, fan_in) one.", _bd_not_transposed),
        Mistake("missing-derivative", "each step back multiplies element-wise by the activation's "
                "derivative at that layer: delta_l = act_grad(pre_activations[l]) * (delta_{l+1} @ W.T); "
                "you left act_grad out.", _bd_no_derivative),
        Mistake("reversed-order", "return the norms first hidden layer first: the loop runs backwards "
                "from the output, so store norms[i] for pre_activations[i] (or reverse your list "
                "at the end).", _bd_reversed),
        Mistake("includes-output", "return only the hidden layers' norms, L - 1 of them, one per entry "
                "of pre_activations; delta_out itself is not included.", _bd_includes_output),
        Mistake("wrong-weight-index", "pre_activations[i] pairs with weights[i + 1]: the delta of hidden "
                "layer i comes from the layer above it, delta_i = act_grad(z_i) * (delta_{i+1} @ "
                "weights[i + 1].T); you used weights[i].", _bd_weight_index),
        Mistake("squared-norm", "the Frobenius norm is the square root of the sum of squares: "
                "np.sqrt(np.sum(delta**2)), or np.linalg.norm(delta).", _bd_squared),
    ),
)


# --- clip_by_global_norm --------------------------------------------------------------------------

def _norm(*arrays) -> float:
    """The norm of all the entries together, scaled first so that entries near 1e308 cannot overflow
    (the mistakes below differ from the reference by their own slip only, not by this)."""
    largest = max((float(np.max(np.abs(a))) for a in arrays if np.size(a)), default=0.0)
    if largest == 0.0:
        return 0.0
    return largest * float(np.sqrt(sum(np.sum(np.square(np.asarray(a) / largest)) for a in arrays)))


def _total(grads) -> float:
    return _norm(*grads)


def _cg_per_gradient(grads, *, max_norm):
    out = []
    for g in grads:
        n = _norm(g)
        out.append(g * (max_norm / n) if n > max_norm else np.array(g, dtype=float))
    return out


def _cg_always(grads, *, max_norm):
    total = _total(grads)
    return [g * (max_norm / total) for g in grads]


def _cg_squares_overflow(grads, *, max_norm):
    total = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))  # inf when the squares overflow
    if total > max_norm:
        return [g * (max_norm / total) for g in grads]
    return [np.array(g, dtype=np.float64) for g in grads]


def _cg_values(grads, *, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads]


def _cg_no_sqrt(grads, *, max_norm):
    total = float(sum(np.sum(np.square(g)) for g in grads))
    return [g * (max_norm / total) if total > max_norm else np.array(g, dtype=float) for g in grads]


def _cg_sum_of_norms(grads, *, max_norm):
    total = float(sum(_norm(g) for g in grads))
    return [g * (max_norm / total) if total > max_norm else np.array(g, dtype=float) for g in grads]


def _cg_inverted(grads, *, max_norm):
    total = _total(grads)
    return [g * (total / max_norm) if total > max_norm else np.array(g, dtype=float) for g in grads]


def _cg_zero_division(grads, *, max_norm):
    total = np.sqrt(sum(np.sum(np.square(g)) for g in grads))  # a NumPy float: 1 / 0 warns, gives inf
    scale = min(1.0, max_norm / total)
    return [g * scale for g in grads]


def _grads(shapes, scale: float) -> list[np.ndarray]:
    return [_rng.normal(scale=scale, size=s) for s in shapes]


_NET_SHAPES = [(3, 4), (4,), (4, 2), (2,)]

# For the shared-factor check: one big gradient, one tiny, one in between, above and below max_norm.
_SHARED_ABOVE = Case(([_x([[3.0, 0.0], [0.0, 5.0], [1.0, 1.0]]), _x([0.3, -0.4]),
                       _x([[2.0, -2.0], [1.0, 0.0]])],),
                     {"max_norm": 2.0}, label="global norm 6.7, max_norm 2")
_SHARED_BELOW = Case(([_x([[0.3, 0.0], [0.0, 0.5]]), _x([0.1, -0.2, 0.2])],), {"max_norm": 5.0},
                     label="global norm 0.66, max_norm 5")


def _probe_shared(run: Runner, spec: Spec) -> list[Outcome]:
    return [run.case(_SHARED_ABOVE), run.case(_SHARED_BELOW)]


def _judge_shared(data: list[Outcome], spec: Spec):
    for case, outcome in zip((_SHARED_ABOVE, _SHARED_BELOW), data):
        what = spec.call_text(case)
        problem = failed_call(outcome, what)
        if problem:
            return problem
        grads = case.args[0]
        max_norm = case.kwargs["max_norm"]
        value = outcome.value
        if not isinstance(value, (list, tuple)) or len(value) != len(grads):
            return f"{what} returned {describe(value)}, expected a list of {len(grads)} arrays"
        factors = []
        for k, (g, out) in enumerate(zip(grads, value)):
            if not isinstance(out, np.ndarray) or out.shape != g.shape or out.dtype.kind not in "fiu":
                return f"{what}: item {k} is {describe(out)}, expected an array of shape {g.shape}"
            c = float(np.sum(out * g) / np.sum(g * g))
            if not np.allclose(out, c * g, rtol=1e-9, atol=1e-12):
                return (f"{what}: item {k} is not a multiple of the gradient it came from; clipping only "
                        "rescales, it keeps every gradient's direction")
            factors.append(c)
        if not np.allclose(factors, factors[0], rtol=1e-9, atol=0.0):
            shown = ", ".join(f"{c:.4g}" for c in factors)
            return (f"{what}: the gradients were scaled by different factors ({shown}); clipping by the "
                    "global norm multiplies them all by ONE factor, max_norm / global_norm, so the "
                    "update keeps its direction", "per-gradient")
        total = _total(grads)
        wanted = min(total, max_norm)
        got = factors[0] * total
        if abs(got - wanted) > spec.rtol * wanted:
            detail = (f"{what}: the global norm of the result is {got:.8g}, expected "
                      f"min(global norm, max_norm) = min({total:.4g}, {max_norm:g}) = {wanted:.8g}")
            if total < max_norm and abs(got - max_norm) <= spec.rtol * max_norm:
                return detail, "always-clip"
            return detail
    return None


CLIP_BY_GLOBAL_NORM = Spec(
    name="clip_by_global_norm",
    reference=ref.clip_by_global_norm,
    groups=(
        _Compare("small hand-checkable inputs, above and below max_norm", [
            Case(([_x([[6.0, 8.0]])],), {"max_norm": 5.0}, label="one gradient of norm 10: [[3, 4]]"),
            Case(([_x([3.0]), _x([4.0, 0.0])],), {"max_norm": 1.0}, label="global norm 5: [0.6], [0.8, 0]"),
            Case(([_x([0.3, 0.4])],), {"max_norm": 1.0}, label="norm 0.5 is below 1: unchanged"),
            Case(([_x([[3.0, 4.0]]), _x([12.0])],), {"max_norm": 26.0},
                 label="norm 13 is below 26: unchanged"),
        ]),
        _Compare("random gradients of a small network (weights and biases)", [
            Case((_grads(_NET_SHAPES, 1.0),), {"max_norm": 1.0}, label="clipped"),
            Case((_grads(_NET_SHAPES, 0.1),), {"max_norm": 5.0}, label="not clipped"),
            Case((_grads(_NET_SHAPES, 3.0),), {"max_norm": 2.5}, label="clipped"),
            Case((_grads([(2, 3, 4), (5,)], 1.0),), {"max_norm": 0.5}, label="a 3-D gradient"),
        ]),
        _Compare("edge cases: all-zero gradients, norm exactly max_norm, exploding gradients (no warnings)", [
            Case(([np.zeros((2, 3)), np.zeros(3)],), {"max_norm": 1.0},
                 label="all zeros: returned unchanged, no division by zero"),
            Case(([_x([3.0, 0.0]), _x([[0.0], [4.0]])],), {"max_norm": 5.0}, label="norm exactly max_norm"),
            Case(([_x([[1e100, -2e100], [3e99, 0.0]]), _x([5e99])],), {"max_norm": 1.0},
                 label="an exploding gradient near 1e100"),
        ], warn_free=True, warn_mistakes={(True, False, False): "zero-division"}),
        _Compare("entries near 1e308: their squares overflow, the clipped gradients are finite", [
            Case(([_x([1e308, -1e308]), _x([[1e308]])],), {"max_norm": 1.0},
                 label="three entries of 1e308: each becomes +-1/sqrt(3) = +-0.577"),
            Case(([_x([[1.5e308, 0.0]]), _x([0.8e308])],), {"max_norm": 10.0},
                 label="entries 1.5e308 and 0.8e308 (global norm 1.7e308, near the float limit)"),
        ]),
        Property("every gradient is scaled by one shared factor, to a global norm of min(N, max_norm)",
               _probe_shared, _judge_shared),
    ),
    mistakes=(
        Mistake("squares-overflow", "the squares of entries near 1e308 overflow to inf, so N = inf and "
                "max_norm / N turns every gradient into 0. Divide by the largest absolute entry m before "
                "squaring: N = m * sqrt(sum of (g / m)**2), then scale (g / m) * (max_norm * m / N) or "
                "g * (max_norm / N).", _cg_squares_overflow),
        Mistake("per-gradient", "clip by the GLOBAL norm: N = sqrt(sum of ||g||**2 over all gradients), "
                "then multiply every gradient by the same factor max_norm / N (only when N > max_norm). "
                "Clipping each gradient by its own norm changes the direction of the update.",
                _cg_per_gradient),
        Mistake("always-clip", "only rescale when the global norm exceeds max_norm; gradients whose "
                "norm is already below max_norm come back unchanged (you scale them up to max_norm).",
                _cg_always),
        Mistake("clip-values", "np.clip caps each entry separately (value clipping) and changes the "
                "direction; clip_by_global_norm rescales all gradients by max_norm / N, N the global "
                "norm, when N > max_norm.", _cg_values),
        Mistake("no-sqrt", "the global norm is the square ROOT of the sum of all squared entries: "
                "np.sqrt(sum(np.sum(g**2) for g in grads)).", _cg_no_sqrt),
        Mistake("sum-of-norms", "the global norm is sqrt(sum of ||g||**2), the norm of all the entries "
                "taken together, not the sum of the gradients' norms.", _cg_sum_of_norms),
        Mistake("zero-division", "when every gradient is zero the global norm is 0, and max_norm / 0 "
                "divides by zero (a RuntimeWarning). Rescale only when the norm exceeds max_norm "
                "(`if total > max_norm:`), which also leaves all-zero gradients alone.",
                _cg_zero_division, matchable=False),
        Mistake("factor-inverted", "scale by max_norm / N (a factor below 1), not N / max_norm.",
                _cg_inverted),
    ),
)

SPECS = (SIGMOID, SIGMOID_GRAD, TANH, TANH_GRAD, RELU, RELU_GRAD, LEAKY_RELU, LEAKY_RELU_GRAD, ELU, ELU_GRAD,
         PRELU_BACKWARD, BACKPROP_DELTA_NORMS, CLIP_BY_GLOBAL_NORM)
