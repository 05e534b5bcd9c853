"""Checks and mistakes for lesson 04, weight initialization (reference: ``solutions.initializers``).

The four initializers are stochastic, so they are graded by properties and
distribution tests only, never by matching the reference's draws: any correct
implementation, whatever order it draws its numbers in, scores full marks.
Each one has these groups:

shape
    a new ``float64`` array of shape ``(fan_in, fan_out)`` on non-square
    layers (a transposed shape is named), finite, with all entries different
    (each entry an independent draw, not one row or column repeated).
moments
    the mean and the standard deviation of the weights of a 300 x 100 and a
    100 x 300 layer (30000 draws each) lie within six standard errors of the
    intended ones.  The two orientations make ``fan_in`` and ``fan_out``
    distinguishable: He's initialization with ``fan_out`` is off by a factor
    ``sqrt(3)`` in both.  When the draws do not fit, the catalogued
    distribution they do fit names the mistake (the bounds of the source
    notes' misprint, a variance used as a standard deviation, ...).
law
    the shape of the distribution, free of its scale: a Kolmogorov-Smirnov
    test against the normal with the sample's own mean and standard deviation
    (or the uniform on ``[-m, m]`` with ``m`` the largest ``|W|``), at level
    1e-8.  Estimating the parameters only makes the test more lenient for a
    correct function, so a uniform drawn instead of a normal (or the other way
    round) fails this group and nothing else.
support (``glorot_uniform`` only)
    no weight beyond ``a = sqrt(6 / (fan_in + fan_out))``, and both ends
    reached: the largest weight above ``a (1 - 40 / n)`` and the smallest
    below ``-a (1 - 40 / n)`` (for ``n`` uniform draws each fails with
    probability ``exp(-20)``).
randomness
    :func:`grader.properties.rng_discipline` (same seed, same weights; another
    seed, other weights; NumPy's global generator untouched), and 20 seeds
    giving 20 different matrices (a generator created inside the function
    from a few seeds would repeat).

``layer_activation_stds`` is deterministic once the weights are given, so it
is compared with the reference: a hand-checkable example (the reference's
docstring example), seeded random tanh, ReLU and identity networks of several
depths and widths, edge cases (one sample, one layer, a zero input, layers of
width 1), and activations as large as 1e120 and as small as 1e-120 (no
warnings); plus one property, that with ReLU scaling ``x`` by 10 scales every
result by 10 (a variance scales by 100).  Every case stays within 1e+-154,
where a plain ``np.std`` agrees with the reference's overflow-safe one; the
reference's ``inf`` after an overflowing forward pass is not graded (the
curriculum does not ask for it).  The comparisons use ``atol = 0``: vanishing
signals of 1e-8 and less must still be right to ``rtol = 1e-6``.  The
standard deviation is the population one (``ddof=0``) over all entries of a
layer's output, as the reference documents; the lesson must say so, since
``ddof=1`` is catalogued as a mistake.  A list of numbers is accepted as the
result (converted to a float array), as in lesson 09.  The activations passed
in are named (``identity``, ``relu``, ``np.tanh``) and work on arrays of any
shape and on scalars, so a student may apply them row by row.

None of the five functions has a group for invalid arguments: the curriculum
asks for no error in this lesson (NumPy itself raises for negative sizes and
for weights that do not chain).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..calls import Outcome
from ..compare import describe
from ..properties import SEED, rng_discipline, samples
from ..spec import Case, Compare, Mistake, Property, Runner, Spec, Verdict, failed_call
from ..stats import ks_problem, mean_problem, normal_cdf, std_problem, uniform_cdf
from ..spec import reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("initializers")

_rng = np.random.default_rng(404)


# ==================================================================================================
# the initializers: distributions, and the groups shared by the four specs
# ==================================================================================================

@dataclass(frozen=True)
class _Law:
    """The distribution of every weight: its kind ("normal" or "uniform"), mean and standard deviation."""

    kind: str
    mean: float
    std: float

    @property
    def kurtosis(self) -> float:
        return 3.0 if self.kind == "normal" else 1.8

    def fits(self, sample: np.ndarray) -> bool:
        """The sample's mean and standard deviation are within the sampling error of this law's."""
        return (std_problem(sample, self.std, kurtosis=self.kurtosis) is None
                and mean_problem(sample, self.mean, self.std) is None)


def _normal(std: float) -> _Law:
    return _Law("normal", 0.0, std)


def _uniform(low: float, high: float) -> _Law:
    return _Law("uniform", (low + high) / 2, (high - low) / math.sqrt(12.0))


#: law(fan_in, fan_out, kwargs) -> _Law
LawFn = Callable[[int, int, dict], _Law]


def _fans(case: Case) -> tuple[int, int]:
    return int(case.args[0]), int(case.args[1])


def _seeded(case: Case, seed: int) -> dict:
    return {**case.kwargs, "rng": np.random.default_rng(seed)}


def _weights(value: Any, size: int) -> tuple[np.ndarray | None, str | None]:
    """All entries of a returned matrix as a flat float array, or a sentence saying what is wrong."""
    if not isinstance(value, np.ndarray):
        return None, f"returned {describe(value)}, expected a NumPy array"
    if value.dtype.kind not in "fiu":
        return None, f"returned an array of dtype {value.dtype}, expected real numbers"
    if value.size != size:
        return None, f"returned an array of shape {value.shape}, expected {size} weights"
    flat = value.astype(np.float64).ravel()
    if not np.all(np.isfinite(flat)):
        return None, "returned nan or infinite weights"
    return flat, None


# --- shape, dtype, independent entries ------------------------------------------------------------

def _shape_group(cases: tuple[Case, ...], zero_cases: tuple[Case, ...] = ()) -> Property:
    """A new float64 array of shape (fan_in, fan_out), finite, all entries different.

    ``zero_cases`` (``small_random_init`` with ``scale=0``) must give all zeros.
    """
    all_cases = cases + zero_cases

    def probe(run: Runner, spec: Spec):
        return [run(c.args, _seeded(c, SEED + 11 + i)) for i, c in enumerate(all_cases)]

    def judge(data: list[Outcome], spec: Spec):
        for i, (case, outcome) in enumerate(zip(all_cases, data)):
            what = spec.call_text(case)
            problem = failed_call(outcome, what)
            if problem:
                return problem
            fan_in, fan_out = _fans(case)
            value = outcome.value
            if not isinstance(value, np.ndarray):
                return (f"{what} returned {describe(value)}, expected a NumPy array of shape "
                        f"({fan_in}, {fan_out})")
            if value.shape != (fan_in, fan_out):
                detail = (f"{what} returned an array of shape {value.shape}, expected "
                          f"({fan_in}, {fan_out}): one row per input, one column per output")
                if value.shape == (fan_out, fan_in):
                    return detail, "transposed"
                return detail
            if value.dtype != np.float64:
                return f"{what} returned an array of dtype {value.dtype}, expected float64"
            if not np.all(np.isfinite(value)):
                return f"{what} returned nan or infinite weights"
            if i >= len(cases):
                if np.any(value != 0):
                    return f"{what} returned nonzero weights; with scale=0 every weight is 0"
                continue
            distinct = np.unique(value).size
            if distinct < value.size:
                return (f"{what} returned only {distinct} different value(s) among its {value.size} "
                        "entries: draw every entry independently, e.g. with size=(fan_in, fan_out)")
        return None

    return Property("returns a new float64 array of shape (fan_in, fan_out), every entry its own draw",
                    probe, judge)


# --- mean and standard deviation ------------------------------------------------------------------

def _probe_each(cases: tuple[Case, ...], offset: int):
    def probe(run: Runner, spec: Spec):
        return [run(c.args, _seeded(c, SEED + offset + i)) for i, c in enumerate(cases)]

    return probe


def _collect(cases: tuple[Case, ...], data: list[Outcome], spec: Spec):
    """The flat samples of every case, or ``(None, problem)``."""
    found = []
    for case, outcome in zip(cases, data):
        what = spec.call_text(case)
        problem = failed_call(outcome, what)
        if problem:
            return None, problem
        fan_in, fan_out = _fans(case)
        sample, problem = _weights(outcome.value, fan_in * fan_out)
        if problem:
            return None, f"{what} {problem}"
        found.append(sample)
    return found, None


def _moments_group(cases: tuple[Case, ...], law: LawFn, formula: str,
                   wrong: dict[str, LawFn]) -> Property:
    """Mean 0 and the intended standard deviation; a wrong fit is matched against ``wrong`` laws."""
    sizes = " and ".join(f"{c.args[0]} x {c.args[1]}" for c in cases)

    def judge(data: list[Outcome], spec: Spec):
        found, problem = _collect(cases, data, spec)
        if problem:
            return problem
        for case, sample in zip(cases, found):
            fan_in, fan_out = _fans(case)
            target = law(fan_in, fan_out, case.kwargs)
            problem = (std_problem(sample, target.std, kurtosis=target.kurtosis)
                       or mean_problem(sample, target.mean, target.std))
            if problem:
                key = next((k for k, wrong_law in wrong.items()
                            if all(wrong_law(*_fans(c), c.kwargs).fits(s) for c, s in zip(cases, found))),
                           None)
                return f"{spec.call_text(case)}: {problem}", key
        return None

    title = f"the weights have mean 0 and standard deviation {formula} ({sizes} layers)"
    return Property(title, _probe_each(cases, 21), judge)


# --- the shape of the distribution ---------------------------------------------------------------

def _looks_uniform(sample: np.ndarray) -> bool:
    m = float(np.max(np.abs(sample)))
    return m > 0 and ks_problem(sample, uniform_cdf(-m, m), "uniform") is None


def _looks_normal(sample: np.ndarray) -> bool:
    s = float(sample.std())
    return s > 0 and ks_problem(sample, normal_cdf(float(sample.mean()), s), "normal") is None


def _law_group(case: Case, kind: str, *, nonnegative: str | None = None,
               other_kind: str | None = None) -> Property:
    """Kolmogorov-Smirnov test of the kind of distribution, scale-free.

    ``nonnegative`` names the mistake behind draws that are all >= 0 and
    ``other_kind`` the one behind draws of the other kind (uniform for normal).
    """

    def judge(data: list[Outcome], spec: Spec):
        found, problem = _collect((case,), data, spec)
        if problem:
            return problem
        sample = found[0]
        what = spec.call_text(case)
        if kind == "normal":
            s = float(sample.std())
            if s == 0:
                return f"{what} returned weights that are all equal"
            problem = ks_problem(sample, normal_cdf(float(sample.mean()), s),
                                 "a normal distribution (of any mean and spread)")
            looks_other = _looks_uniform
        else:
            m = float(np.max(np.abs(sample)))
            if m == 0:
                return f"{what} returned weights that are all 0"
            problem = ks_problem(sample, uniform_cdf(-m, m),
                                 f"a uniform distribution on [-m, m] (m = {m:.4g}, their largest |W|)")
            looks_other = _looks_normal
        if problem is None:
            return None
        key = None
        if nonnegative is not None and np.all(sample >= 0):
            key = nonnegative
        elif other_kind is not None and looks_other(sample):
            key = other_kind
        return f"{what}: {problem}", key

    title = f"the weights follow a {kind} distribution (Kolmogorov-Smirnov test, {case.args[0]} x {case.args[1]})"
    return Property(title, _probe_each((case,), 31), judge)


# --- the support of the uniform --------------------------------------------------------------------

def _support_group(cases: tuple[Case, ...], bound: Callable[[int, int], float],
                   wrong: dict[str, Callable[[int, int], float]], *,
                   one_sided: str | None = None, normal: str | None = None) -> Property:
    """Every weight in [-a, a], and both ends reached (within 40 / n of a).

    A wrong fit is named by the ``wrong`` bound it fits, else ``one_sided``
    for draws that are all >= 0, else ``normal`` for draws that look normal.
    """

    def reaches(sample: np.ndarray, a: float) -> bool:
        slack = a * 40.0 / sample.size
        return (float(np.max(np.abs(sample))) <= a * (1 + 1e-12)
                and float(sample.max()) >= a - slack and float(sample.min()) <= -a + slack)

    def judge(data: list[Outcome], spec: Spec):
        found, problem = _collect(cases, data, spec)
        if problem:
            return problem
        for case, sample in zip(cases, found):
            fan_in, fan_out = _fans(case)
            a = bound(fan_in, fan_out)
            if reaches(sample, a):
                continue
            what = spec.call_text(case)
            low, high = float(sample.min()), float(sample.max())
            detail = (f"{what}: the weights range from {low:.4g} to {high:.4g}; they should fill "
                      f"[-a, a] with a = sqrt(6 / ({fan_in} + {fan_out})) = {a:.4g}")
            key = next((k for k, b in wrong.items()
                        if all(reaches(s, b(*_fans(c))) for c, s in zip(cases, found))), None)
            if key is None and one_sided is not None and low >= 0:
                key = one_sided
            elif key is None and normal is not None and _looks_normal(sample):
                key = normal
            return detail, key
        return None

    title = "every weight lies in [-a, a], a = sqrt(6 / (fan_in + fan_out)), and both ends are reached"
    return Property(title, _probe_each(cases, 41), judge)


# --- randomness from rng only ----------------------------------------------------------------------

_SEEDS = 20


def _rng_group(case: Case, small: Case) -> Property:
    """rng_discipline, plus 20 seeds giving 20 different matrices; names the generator mistakes."""
    inner = rng_discipline(case)

    def probe(run: Runner, spec: Spec):
        return {"discipline": inner.probe(run, spec), "seeds": samples(run, small, _SEEDS)}

    def judge(data, spec: Spec):
        what = spec.call_text(case)
        for outcome in data["discipline"].values():
            if isinstance(outcome, Outcome) and outcome.ok and not isinstance(outcome.value, np.ndarray):
                return f"{what} returned {describe(outcome.value)}, expected a NumPy array"
        verdict = inner.judge(data["discipline"], spec)
        if not verdict.passed:
            d = data["discipline"]
            if d["global_touched"]:
                return verdict.detail, "global-generator"
            first, other = d["same1"].value, d["other"].value
            seed_ignored = (isinstance(first, np.ndarray) and isinstance(other, np.ndarray)
                            and first.shape == other.shape and np.array_equal(first, other))
            return verdict.detail, ("own-generator" if seed_ignored else None)
        seen = set()
        what = spec.call_text(small)
        for outcome in data["seeds"]:
            problem = failed_call(outcome, what)
            if problem:
                return problem
            value = outcome.value
            if not isinstance(value, np.ndarray):
                return f"{what} returned {describe(value)}, expected a NumPy array"
            seen.add((value.shape, value.dtype.str, value.tobytes()))
        if len(seen) < _SEEDS:
            return (f"{what} with {_SEEDS} differently seeded generators gave only {len(seen)} different "
                    "matrices: every seed should give its own weights", "own-generator")
        return None

    return Property(f"draws its randomness from `rng` only ({_SEEDS} seeds give {_SEEDS} different matrices)",
                    probe, judge)


# --- the mistakes every initializer can make -------------------------------------------------------

def _global_normal(std: float, size: tuple[int, int]) -> np.ndarray:
    return np.random.normal(0.0, std, size=size)  # catalogued mistake: global generator


def _global_uniform(a: float, size: tuple[int, int]) -> np.ndarray:
    return np.random.uniform(-a, a, size=size)  # catalogued mistake: global generator


TRANSPOSED_HINT = ("the matrix must have shape (fan_in, fan_out): one row per input and one column per "
                   "output, so that a layer computes X @ W for X of shape (n_samples, fan_in).")
GLOBAL_HINT = ("draw every random number from the `rng` argument (for example rng.normal(...)), not from "
               "NumPy's global generator np.random.*: the weights must be reproducible from the seed alone.")
OWN_GENERATOR_HINT = ("use the generator passed in as `rng`; do not create your own with "
                      "np.random.default_rng(...) inside the function: the weights must change with the "
                      "seed the caller chose.")


def _common_mistakes(transposed: Callable, global_generator: Callable, own: Callable) -> tuple[Mistake, ...]:
    return (
        Mistake("transposed", TRANSPOSED_HINT, transposed, matchable=False),
        Mistake("global-generator", GLOBAL_HINT, global_generator, matchable=False),
        Mistake("own-generator", OWN_GENERATOR_HINT, own, matchable=False),
    )


# The two big layers (30000 draws each): fan_in != fan_out both ways round.
_TALL = Case((300, 100))
_WIDE = Case((100, 300))
_SHAPES = (Case((3, 5)), Case((5, 3)), Case((1, 4)), Case((4, 1)), Case((1, 1)), Case((64, 10)))
_RNG_CASE = Case((30, 20))
_SMALL = Case((3, 4))


# ==================================================================================================
# small_random_init
# ==================================================================================================

def _sri_law(fan_in, fan_out, kw):
    return _normal(kw.get("scale", 0.01))


def _sri_scale_as_variance(fan_in, fan_out, *, rng, scale=0.01):
    return rng.normal(0.0, math.sqrt(scale), size=(fan_in, fan_out))


def _sri_ignores_scale(fan_in, fan_out, *, rng, scale=0.01):
    return rng.normal(0.0, 0.01, size=(fan_in, fan_out))


def _sri_rand(fan_in, fan_out, *, rng, scale=0.01):
    return scale * rng.random((fan_in, fan_out))


def _sri_uniform(fan_in, fan_out, *, rng, scale=0.01):
    return rng.uniform(-scale, scale, size=(fan_in, fan_out))


def _sri_transposed(fan_in, fan_out, *, rng, scale=0.01):
    return rng.normal(0.0, scale, size=(fan_out, fan_in))


def _sri_global(fan_in, fan_out, *, rng, scale=0.01):
    return _global_normal(scale, (fan_in, fan_out))


def _sri_own(fan_in, fan_out, *, rng, scale=0.01):
    return np.random.default_rng(0).normal(0.0, scale, size=(fan_in, fan_out))


_SRI_CASES = (_TALL, Case((100, 300), {"scale": 0.3}))

SMALL_RANDOM_INIT = Spec(
    name="small_random_init",
    reference=ref.small_random_init,
    groups=(
        _shape_group(_SHAPES[:5] + (Case((64, 10), {"scale": 2.5}),),
                     zero_cases=(Case((4, 6), {"scale": 0.0}),)),
        _moments_group(_SRI_CASES, _sri_law, "scale (0.01 by default, then scale=0.3)", {
            "scale-as-variance": lambda fi, fo, kw: _normal(math.sqrt(kw.get("scale", 0.01))),
            "ignores-scale": lambda fi, fo, kw: _normal(0.01),
            "rand-not-randn": lambda fi, fo, kw: _uniform(0.0, kw.get("scale", 0.01)),
            "uniform-instead": lambda fi, fo, kw: _uniform(-kw.get("scale", 0.01), kw.get("scale", 0.01)),
        }),
        _law_group(_TALL, "normal", nonnegative="rand-not-randn", other_kind="uniform-instead"),
        _rng_group(_RNG_CASE, _SMALL),
    ),
    mistakes=(
        Mistake("scale-as-variance", "`scale` is the standard deviation of the weights, not their "
                "variance: draw rng.normal(0.0, scale, size=(fan_in, fan_out)), without a square root.",
                _sri_scale_as_variance, matchable=False),
        Mistake("ignores-scale", "use the `scale` argument as the standard deviation instead of a fixed "
                "0.01.", _sri_ignores_scale, matchable=False),
        Mistake("rand-not-randn", "rng.random draws uniformly from [0, 1), so every weight is positive; "
                "draw from a normal distribution centred on 0: rng.normal(0.0, scale, size=...) or "
                "scale * rng.standard_normal(...).", _sri_rand, matchable=False),
        Mistake("uniform-instead", "the weights must be normal (rng.normal(0.0, scale, size=...)), not "
                "uniform on [-scale, scale].", _sri_uniform, matchable=False),
    ) + _common_mistakes(_sri_transposed, _sri_global, _sri_own),
)


# ==================================================================================================
# glorot_uniform
# ==================================================================================================

def _glorot_bound(fan_in, fan_out):
    return math.sqrt(6.0 / (fan_in + fan_out))


def _gu_law(fan_in, fan_out, kw):
    a = _glorot_bound(fan_in, fan_out)
    return _uniform(-a, a)


def _gu_with_bound(bound: Callable[[int, int], float]):
    def fn(fan_in, fan_out, *, rng):
        a = bound(fan_in, fan_out)
        return rng.uniform(-a, a, size=(fan_in, fan_out))

    return fn


_GU_WRONG_BOUNDS = {
    "bound-6-over-sqrt": lambda fi, fo: 6.0 / math.sqrt(fi + fo),
    "bound-6-over-sum": lambda fi, fo: 6.0 / (fi + fo),
    "std-as-bound": lambda fi, fo: math.sqrt(2.0 / (fi + fo)),
    "fan-in-only": lambda fi, fo: math.sqrt(6.0 / fi),
    "half-width": lambda fi, fo: _glorot_bound(fi, fo) / 2,
}


def _gu_half_width(fan_in, fan_out, *, rng):
    return (rng.random((fan_in, fan_out)) - 0.5) * _glorot_bound(fan_in, fan_out)


def _gu_zero_to_a(fan_in, fan_out, *, rng):
    return rng.uniform(0.0, _glorot_bound(fan_in, fan_out), size=(fan_in, fan_out))


def _gu_normal(fan_in, fan_out, *, rng):
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def _gu_transposed(fan_in, fan_out, *, rng):
    a = _glorot_bound(fan_in, fan_out)
    return rng.uniform(-a, a, size=(fan_out, fan_in))


def _gu_global(fan_in, fan_out, *, rng):
    return _global_uniform(_glorot_bound(fan_in, fan_out), (fan_in, fan_out))


def _gu_own(fan_in, fan_out, *, rng):
    a = _glorot_bound(fan_in, fan_out)
    return np.random.default_rng(2010).uniform(-a, a, size=(fan_in, fan_out))


def _uniform_law_of_bound(bound):
    return lambda fi, fo, kw: _uniform(-bound(fi, fo), bound(fi, fo))


GLOROT_UNIFORM = Spec(
    name="glorot_uniform",
    reference=ref.glorot_uniform,
    groups=(
        _shape_group(_SHAPES),
        _moments_group((_TALL, _WIDE), _gu_law, "a / sqrt(3) = sqrt(2 / (fan_in + fan_out))", {
            **{k: _uniform_law_of_bound(b) for k, b in _GU_WRONG_BOUNDS.items()},
            "zero-to-a": lambda fi, fo, kw: _uniform(0.0, _glorot_bound(fi, fo)),
        }),
        _support_group((_TALL, _WIDE), _glorot_bound, _GU_WRONG_BOUNDS, one_sided="zero-to-a",
                       normal="normal-instead"),
        _law_group(_TALL, "uniform", nonnegative="zero-to-a", other_kind="normal-instead"),
        _rng_group(_RNG_CASE, _SMALL),
    ),
    mistakes=(
        Mistake("bound-6-over-sqrt", "the bound is a = sqrt(6 / (fan_in + fan_out)): the square root "
                "covers the whole fraction. 6 / sqrt(fan_in + fan_out), a misprint in the source notes, "
                "is far too wide.", _gu_with_bound(_GU_WRONG_BOUNDS["bound-6-over-sqrt"]),
                matchable=False),
        Mistake("bound-6-over-sum", "the bound is a = sqrt(6 / (fan_in + fan_out)); without the square "
                "root, 6 / (fan_in + fan_out) (a misprint in the source notes) is far too narrow.",
                _gu_with_bound(_GU_WRONG_BOUNDS["bound-6-over-sum"]), matchable=False),
        Mistake("std-as-bound", "sqrt(2 / (fan_in + fan_out)) is the standard deviation Glorot's method "
                "aims for, not the bound: a uniform on [-a, a] has standard deviation a / sqrt(3), so "
                "a = sqrt(6 / (fan_in + fan_out)).", _gu_with_bound(_GU_WRONG_BOUNDS["std-as-bound"]),
                matchable=False),
        Mistake("fan-in-only", "Glorot's bound uses both fans: a = sqrt(6 / (fan_in + fan_out)), not "
                "sqrt(6 / fan_in).", _gu_with_bound(_GU_WRONG_BOUNDS["fan-in-only"]), matchable=False),
        Mistake("half-width", "rng.random() - 0.5 only covers [-0.5, 0.5), so your weights reach a / 2; "
                "use rng.uniform(-a, a, size=...) or a * (2 * rng.random(...) - 1).", _gu_half_width,
                matchable=False),
        Mistake("zero-to-a", "the interval is [-a, a], centred on 0, not [0, a]: use "
                "rng.uniform(-a, a, size=(fan_in, fan_out)).", _gu_zero_to_a, matchable=False),
        Mistake("normal-instead", "glorot_uniform draws from a uniform distribution, "
                "rng.uniform(-a, a, size=...); the normal form is glorot_normal.", _gu_normal,
                matchable=False),
    ) + _common_mistakes(_gu_transposed, _gu_global, _gu_own),
)


# ==================================================================================================
# glorot_normal
# ==================================================================================================

def _gn_std(fan_in, fan_out):
    return math.sqrt(2.0 / (fan_in + fan_out))


def _gn_with_std(std: Callable[[int, int], float]):
    def fn(fan_in, fan_out, *, rng):
        return rng.normal(0.0, std(fan_in, fan_out), size=(fan_in, fan_out))

    return fn


_GN_WRONG_STDS = {
    "variance-as-std": lambda fi, fo: 2.0 / (fi + fo),
    "bound-as-std": lambda fi, fo: math.sqrt(6.0 / (fi + fo)),
    "he-instead": lambda fi, fo: math.sqrt(2.0 / fi),
}


def _gn_uniform(fan_in, fan_out, *, rng):
    a = _glorot_bound(fan_in, fan_out)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def _gn_transposed(fan_in, fan_out, *, rng):
    return rng.normal(0.0, _gn_std(fan_in, fan_out), size=(fan_out, fan_in))


def _gn_global(fan_in, fan_out, *, rng):
    return _global_normal(_gn_std(fan_in, fan_out), (fan_in, fan_out))


def _gn_own(fan_in, fan_out, *, rng):
    return np.random.default_rng(2010).normal(0.0, _gn_std(fan_in, fan_out), size=(fan_in, fan_out))


GLOROT_NORMAL = Spec(
    name="glorot_normal",
    reference=ref.glorot_normal,
    groups=(
        _shape_group(_SHAPES),
        _moments_group((_TALL, _WIDE), lambda fi, fo, kw: _normal(_gn_std(fi, fo)),
                       "sqrt(2 / (fan_in + fan_out))",
                       {k: (lambda s: lambda fi, fo, kw: _normal(s(fi, fo)))(s) for k, s in _GN_WRONG_STDS.items()}),
        _law_group(_TALL, "normal", other_kind="uniform-instead"),
        _rng_group(_RNG_CASE, _SMALL),
    ),
    mistakes=(
        Mistake("variance-as-std", "2 / (fan_in + fan_out) is the variance; rng.normal takes the "
                "standard deviation, its square root: sqrt(2 / (fan_in + fan_out)).",
                _gn_with_std(_GN_WRONG_STDS["variance-as-std"]), matchable=False),
        Mistake("bound-as-std", "sqrt(6 / (fan_in + fan_out)) is the bound of the uniform form; the "
                "normal form has standard deviation sqrt(2 / (fan_in + fan_out)).",
                _gn_with_std(_GN_WRONG_STDS["bound-as-std"]), matchable=False),
        Mistake("he-instead", "sqrt(2 / fan_in) is He's initialization; Glorot's standard deviation "
                "uses both fans: sqrt(2 / (fan_in + fan_out)).", _gn_with_std(_GN_WRONG_STDS["he-instead"]),
                matchable=False),
        Mistake("uniform-instead", "glorot_normal draws from a normal distribution, "
                "rng.normal(0.0, sqrt(2 / (fan_in + fan_out)), size=...); the uniform form is "
                "glorot_uniform.", _gn_uniform, matchable=False),
    ) + _common_mistakes(_gn_transposed, _gn_global, _gn_own),
)


# ==================================================================================================
# he_normal
# ==================================================================================================

def _he_std(fan_in, fan_out):
    return math.sqrt(2.0 / fan_in)


_HE_WRONG_STDS = {
    "fan-out": lambda fi, fo: math.sqrt(2.0 / fo),
    "variance-as-std": lambda fi, fo: 2.0 / fi,
    "missing-2": lambda fi, fo: math.sqrt(1.0 / fi),
    "glorot-instead": lambda fi, fo: math.sqrt(2.0 / (fi + fo)),
}


def _he_uniform(fan_in, fan_out, *, rng):
    a = math.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def _he_transposed(fan_in, fan_out, *, rng):
    return rng.normal(0.0, _he_std(fan_in, fan_out), size=(fan_out, fan_in))


def _he_global(fan_in, fan_out, *, rng):
    return _global_normal(_he_std(fan_in, fan_out), (fan_in, fan_out))


def _he_own(fan_in, fan_out, *, rng):
    return np.random.default_rng(2015).normal(0.0, _he_std(fan_in, fan_out), size=(fan_in, fan_out))


HE_NORMAL = Spec(
    name="he_normal",
    reference=ref.he_normal,
    groups=(
        _shape_group(_SHAPES),
        _moments_group((_TALL, _WIDE), lambda fi, fo, kw: _normal(_he_std(fi, fo)), "sqrt(2 / fan_in)",
                       {k: (lambda s: lambda fi, fo, kw: _normal(s(fi, fo)))(s) for k, s in _HE_WRONG_STDS.items()}),
        _law_group(_TALL, "normal", other_kind="uniform-instead"),
        _rng_group(_RNG_CASE, _SMALL),
    ),
    mistakes=(
        Mistake("fan-out", "He's initialization divides by fan_in, the number of inputs of each unit "
                "(the rows of W): std = sqrt(2 / fan_in), not sqrt(2 / fan_out).",
                _gn_with_std(_HE_WRONG_STDS["fan-out"]), matchable=False),
        Mistake("variance-as-std", "2 / fan_in is the variance; rng.normal takes the standard deviation, "
                "its square root: sqrt(2 / fan_in).", _gn_with_std(_HE_WRONG_STDS["variance-as-std"]),
                matchable=False),
        Mistake("missing-2", "He's standard deviation is sqrt(2 / fan_in): the factor 2 makes up for the "
                "half of the signal a ReLU sets to zero (sqrt(1 / fan_in) is LeCun's initialization).",
                _gn_with_std(_HE_WRONG_STDS["missing-2"]), matchable=False),
        Mistake("glorot-instead", "sqrt(2 / (fan_in + fan_out)) is Glorot's standard deviation; He's "
                "uses fan_in only: sqrt(2 / fan_in).", _gn_with_std(_HE_WRONG_STDS["glorot-instead"]),
                matchable=False),
        Mistake("uniform-instead", "he_normal draws from a normal distribution: "
                "rng.normal(0.0, sqrt(2 / fan_in), size=(fan_in, fan_out)).", _he_uniform,
                matchable=False),
    ) + _common_mistakes(_he_transposed, _he_global, _he_own),
)


# ==================================================================================================
# layer_activation_stds
# ==================================================================================================

# Activations passed to the student's function: named (the message shows the name), and
# working on arrays of any shape and on scalars, so a student may call them row by row.

def identity(z):
    return z


def relu(z):
    return np.maximum(z, 0.0)


def _stack(d0: int, widths: tuple[int, ...], gain: float, n: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """A random batch ``x`` (n, d0) and weights of std ``gain / sqrt(fan_in)`` chaining through ``widths``."""
    x = _rng.normal(size=(n, d0))
    weights, fan_in = [], d0
    for width in widths:
        weights.append(_rng.normal(0.0, gain / math.sqrt(fan_in), size=(fan_in, width)))
        fan_in = width
    return x, weights


def _las_case(x, weights, activation, label=""):
    return Case((x, weights, activation), label=label)


def _las_text(case: Case) -> str:
    """A short description of a case: shapes rather than every entry of every weight matrix."""
    x, weights, activation = case.args
    call = f"layer_activation_stds(x, weights, {describe(activation)})"
    if case.label.startswith("x ="):  # the inputs themselves, in words
        return f"{call} with {case.label}"
    shapes = ", ".join(str(np.shape(w)) for w in weights)
    label = f" ({case.label})" if case.label else ""
    return f"{call} with x of shape {np.shape(x)} and weights of shapes {shapes}{label}"


class _LasCompare(Compare):
    """:class:`Compare` whose messages describe the network by its shapes (and the case's label)."""

    def judge(self, data: list[Outcome], spec: Spec) -> Verdict:
        verdict = super().judge(data, spec)
        if verdict.passed:
            return verdict
        for case in self.cases:
            full = spec.call_text(case)
            if verdict.detail.startswith(full):
                detail = _las_text(case) + verdict.detail[len(full):]
                return Verdict(verdict.title, False, detail, verdict.mistake)
        return verdict


def _las_random(d0, widths, gain, n, activation, label=""):
    return _las_case(*_stack(d0, widths, gain, n), activation, label)


_X_HAND = np.array([[1.0, -1.0], [-1.0, 1.0]])
_W_HAND = [2.0 * np.eye(2), 3.0 * np.eye(2)]
_HAND = "x = [[1, -1], [-1, 1]] and weights = [2I, 3I]"


def _forward_stds(x, weights, activation, *, keep_input=False, act_first=False, stat=np.std,
                  act_last=True, pre=False):
    """The forward pass for the mistakes below; each keyword switches on one mistake."""
    h = np.asarray(x, dtype=np.float64)
    out = [stat(h)] if keep_input else []
    for i, w in enumerate(weights):
        last = i == len(weights) - 1
        if act_first:
            h = activation(h) @ w
            out.append(stat(h))
            continue
        z = h @ w
        h = activation(z) if (act_last or not last) else z
        out.append(stat(z) if pre else stat(h))
    return np.array([float(s) for s in out])


def _las_input_std(x, weights, activation):
    return _forward_stds(x, weights, activation, keep_input=True)


def _las_act_first(x, weights, activation):
    return _forward_stds(x, weights, activation, act_first=True)


def _las_variance(x, weights, activation):
    return _forward_stds(x, weights, activation, stat=np.var)


def _las_no_act_last(x, weights, activation):
    return _forward_stds(x, weights, activation, act_last=False)


def _las_pre(x, weights, activation):
    return _forward_stds(x, weights, activation, pre=True)


def _las_rms(x, weights, activation):
    return _forward_stds(x, weights, activation, stat=lambda h: np.sqrt(np.mean(h ** 2)))


def _las_per_unit(x, weights, activation):
    return _forward_stds(x, weights, activation, stat=lambda h: np.mean(np.std(h, axis=0)))


def _las_ddof1(x, weights, activation):
    return _forward_stds(x, weights, activation, stat=lambda h: np.std(h, ddof=1))


# --- with ReLU (or no activation), scaling x by c > 0 scales every standard deviation by c ----------

_HOMOGENEOUS = _las_random(6, (8, 5, 7), math.sqrt(2.0), 12, relu)
_C = 10.0


def _probe_homogeneous(run: Runner, spec: Spec):
    x, weights, activation = _HOMOGENEOUS.args
    return [run((x, weights, activation)), run((_C * x, weights, activation))]


def _judge_homogeneous(data: list[Outcome], spec: Spec):
    x, weights, activation = _HOMOGENEOUS.args
    cases = (_HOMOGENEOUS, Case((_C * x, weights, activation), label=f"x multiplied by {_C:g}"))
    values = []
    for case, outcome in zip(cases, data):
        what = _las_text(case)
        problem = failed_call(outcome, what)
        if problem:
            return problem
        value = outcome.value
        if (not isinstance(value, np.ndarray) or value.shape != (len(weights),)
                or value.dtype.kind not in "fiu" or not np.all(np.isfinite(value)) or np.any(value <= 0)):
            return (f"{what} returned {describe(value)}, expected {len(weights)} positive standard "
                    "deviations")
        values.append(value.astype(np.float64))
    ratio = values[1] / values[0]
    if np.allclose(ratio, _C, rtol=spec.rtol, atol=0):
        return None
    shown = ", ".join(f"{r:.7g}" for r in ratio)
    detail = (f"multiplying x by {_C:g} multiplied the results by [{shown}], not by {_C:g} "
              "(with ReLU, every layer's output and so its standard deviation scales with x)")
    if np.allclose(ratio, _C ** 2, rtol=spec.rtol, atol=0):
        return detail, "variance"
    return detail


def _stds_as_array(value: Any) -> Any:
    """A list (or tuple) of numbers, as students often collect the stds, as a float array."""
    if isinstance(value, (list, tuple)) and all(
            (isinstance(v, (numbers.Real, np.floating, np.integer)) and not isinstance(v, (bool, np.bool_)))
            or (isinstance(v, np.ndarray) and v.shape == () and v.dtype.kind in "fiu")
            for v in value):
        return np.array([float(v) for v in value], dtype=np.float64)
    return value


LAYER_ACTIVATION_STDS = Spec(
    name="layer_activation_stds",
    reference=ref.layer_activation_stds,
    post=_stds_as_array,
    atol=0.0,
    groups=(
        _LasCompare("a hand-checkable example: x = [[1, -1], [-1, 1]], weights 2I then 3I ([2, 6] with identity, "
                "[1, 3] with ReLU)", [
                    _las_case(_X_HAND, _W_HAND, identity, _HAND),
                    _las_case(_X_HAND, _W_HAND, relu, _HAND),
                    _las_case(_X_HAND, _W_HAND, np.tanh, _HAND),
                ]),
        _LasCompare("random tanh, ReLU and identity networks of several depths and widths", [
            _las_random(12, (20, 20, 8, 5), 1.0, 40, np.tanh, "tanh, Glorot-like"),
            _las_random(10, (25, 15, 30, 10, 6, 3), math.sqrt(2.0), 30, relu, "ReLU, He"),
            _las_random(6, (9, 4), 0.8, 16, identity, "identity, 2 layers"),
            _las_random(5, (5,) * 12, 2.0, 8, np.tanh, "tanh, 12 layers, saturating"),
            _las_random(8, (8,) * 10, 0.3, 20, relu, "ReLU, 10 layers, vanishing"),
            _las_random(7, (11, 3, 9), 1.7, 25, identity, "identity, growing"),
        ]),
        _LasCompare("edge cases: one sample, one layer, zero input, layers of width 1", [
            _las_random(5, (3, 1), 1.0, 1, np.tanh, "one sample"),
            _las_random(4, (7,), 1.0, 6, np.tanh, "one layer"),
            _las_case(np.zeros((3, 4)), _stack(4, (6, 2, 5), 1.0, 1)[1], np.tanh, "zero input"),
            _las_random(3, (1, 1, 4), 1.0, 10, identity, "width 1"),
            _las_random(1, (4, 2), 1.0, 9, relu, "one input feature"),
        ]),
        _LasCompare("very large (up to 1e120) and very small (down to 1e-120) activations, without warnings", [
            _las_case(_rng.normal(size=(10, 4)),
                      [1e30 * _rng.normal(size=(4, 6)), 1e30 * _rng.normal(size=(6, 3)),
                       1e30 * _rng.normal(size=(3, 5)), 1e30 * _rng.normal(size=(5, 2))],
                      identity, "growing to 1e120"),
            _las_case(_rng.normal(size=(15, 5)),
                      [1e-30 * _rng.normal(size=(5, 5)) for _ in range(4)], relu, "shrinking to 1e-120"),
            _las_case(1e100 * _rng.normal(size=(6, 3)), [_rng.normal(size=(3, 4))], np.tanh,
                      "inputs of 1e100, saturating tanh"),
        ], warn_free=True),
        Property("with ReLU, multiplying x by 10 multiplies every standard deviation by 10",
                 _probe_homogeneous, _judge_homogeneous),
    ),
    mistakes=(
        Mistake("input-std", "return one standard deviation per layer, len(weights) values: leave out "
                "the standard deviation of the input x itself.", _las_input_std),
        Mistake("activation-first", "each layer multiplies first and applies the activation after: "
                "h = activation(h @ W), not activation(h) @ W.", _las_act_first),
        Mistake("variance", "return the standard deviation (np.std), not the variance (np.var).",
                _las_variance),
        Mistake("no-activation-last", "apply the activation after every layer, the last one too, and "
                "take the standard deviation of its output.", _las_no_act_last),
        Mistake("pre-activation", "take the standard deviation of each layer's output after the "
                "activation, h = activation(h @ W), not of h @ W.", _las_pre),
        Mistake("rms", "np.std subtracts the mean first; sqrt(mean(h**2)) is the root mean square, which "
                "differs when the mean is not 0 (after a ReLU, for example).", _las_rms),
        Mistake("per-unit", "take one standard deviation over all the entries of a layer's output, "
                "np.std(h), not the mean of the per-unit standard deviations np.std(h, axis=0).",
                _las_per_unit),
        Mistake("ddof-1", "use the population standard deviation, np.std(h) with its default ddof=0, "
                "over all n_samples * width entries of the layer's output.", _las_ddof1),
    ),
)

SPECS = (SMALL_RANDOM_INIT, GLOROT_UNIFORM, GLOROT_NORMAL, HE_NORMAL, LAYER_ACTIVATION_STDS)
