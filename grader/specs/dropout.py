"""Checks and mistakes for lesson 08, dropout (reference: ``solutions.dropout``).

``dropout_forward`` is stochastic, so it is graded by properties and
distribution tests only, never by matching the reference's draws: any correct
implementation, whatever order it draws its numbers in, scores full marks.
Its groups:

values
    on inputs of several shapes (one sample, a 1-D and a 3-D array, zeros,
    magnitudes of 1e300) the function returns ``(out, mask)``, two arrays of
    the shape of ``x``; every entry of ``mask`` is 0 or ``1 / (1 - p)``
    (relative tolerance 1e-12: ``keep / (1 - p)`` and ``keep * (1 / (1 - p))``
    may differ in the last bit), ``out`` equals ``x * mask`` to the same
    tolerance, and no call warns.  A mask of 0 and 1 names "no rescaling" or,
    when ``out`` is scaled anyway, "a mask of booleans"; a mask of 0 and
    ``1 / p`` names "p used as the keep probability".
drop rate
    two inputs of 100000 units (200 x 500 with ``p = 0.3`` and 500 x 200 with
    ``p = 0.8``): the share of units with ``mask == 0`` is within six binomial
    standard errors of ``p`` (about +/- 0.009), and units are dropped
    independently: two neighbours (in disjoint pairs along each axis, 50000
    pairs each) agree, both kept or both dropped, within six standard errors
    of ``q**2 + (1 - q)**2`` for the observed drop rate ``q``.  One mask row
    shared by every sample agrees 100% of the time.
expectation
    ``sum(out) / sum(x)`` for a positive 250 x 400 input and ``p = 0.6`` is 1
    within six standard errors (about +/- 0.03): inverted dropout leaves
    every unit unchanged on average.  No rescaling gives 0.4.
evaluation
    with ``train=False`` (``p`` = 0.5, 0.3, 0.8, 0 and 1) ``out`` equals ``x``
    and ``mask`` is all ones.  A result of ``(1 - p) x`` names the classic
    (non-inverted) scaling at evaluation, ``x / (1 - p)`` a second scaling at
    evaluation, and dropped units dropout at evaluation.
p = 0 and p = 1
    ``p = 0`` keeps every unit (``out == x``, mask of ones) and ``p = 1``
    drops every unit (``out`` and ``mask`` all zeros), without nan, a
    ``ZeroDivisionError`` or any warning.
invalid p
    ``p = -0.1`` and ``p = 1.5`` raise ``ValueError``.
randomness
    :func:`grader.properties.rng_discipline`: the same seed gives the same
    ``(out, mask)``, another seed another mask, and NumPy's global generator
    is left alone.

The probes of ``dropout_forward`` make their own generators (seeded from
:data:`grader.properties.SEED`) and never go through ``Spec.expected`` or
``Spec.diagnose``: those run the reference and the catalogued mistakes on a
case's own ``Generator`` object without copying it, so a drawing function
would advance the generator stored in the case.  Every mistake of
``dropout_forward`` is therefore ``matchable=False`` and named by the group
that sees it.

``dropout_backward`` is deterministic (``dout * mask``) and compared with the
reference (default tolerances): the lesson's docstring example, a 2 x 2 case
where the matrix product differs from the elementwise one, dropout masks of
several shapes and drop probabilities (one of them square), and edge cases
(the evaluation mask of ones, the ``p = 1`` mask of zeros, a zero gradient,
gradients of 1e300, without warnings).  One property makes sure the given
mask is used: two calls on the same inputs give the same gradient, zero
exactly where the mask is 0; a backward pass that draws a new mask fails it.
The curriculum asks for no error from ``dropout_backward``, so it has no
group for invalid arguments (the reference raises ``ValueError`` for
mismatched shapes).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..calls import Outcome
from ..compare import describe, mismatch
from ..properties import SEED, rng_discipline
from ..spec import Case, Compare, Mistake, Property, Raises, Runner, Spec, failed_call
from ..stats import Z
from ..spec import reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("dropout")

_rng = np.random.default_rng(808)

#: Relative tolerance for "mask == 1 / (1 - p)" and "out == x * mask": a few ulps.
_TIGHT = 1e-12


def _gen(offset: int) -> np.random.Generator:
    """A fresh generator for one call of a probe (a new one every call: nothing is shared)."""
    return np.random.default_rng(SEED + 800 + offset)


def _what(spec: Spec, x: np.ndarray, p: float, train: bool | None = None) -> str:
    """The call as the student would write it, e.g. ``dropout_forward(x=..., p=0.3, rng=rng)``."""
    kwargs = {"p": p, "rng": _gen(0)}
    if train is not None:
        kwargs["train"] = train
    return spec.call_text(Case((x,), kwargs))


def _pair(value: Any, shape: tuple) -> tuple[np.ndarray | None, np.ndarray | None, str | None]:
    """``(out, mask)`` as float arrays of ``shape``, or a sentence saying what was returned instead."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None, None, f"returned {describe(value)}, expected a tuple (out, mask) of two arrays"
    arrays = []
    for name, arr in zip(("out", "mask"), value):
        if not isinstance(arr, np.ndarray):
            return None, None, (f"returned {describe(arr)} as {name}, expected a NumPy array of shape "
                                f"{shape} (the shape of x)")
        if arr.shape != shape:
            return None, None, f"returned {name} of shape {arr.shape}, expected {shape} (the shape of x)"
        if arr.dtype.kind not in "fiub":
            return None, None, f"returned {name} of dtype {arr.dtype}, expected real numbers"
        arrays.append(arr.astype(np.float64))
    return arrays[0], arrays[1], None


def _only(mask: np.ndarray, value: float) -> bool:
    """Every entry of ``mask`` is 0 or (to a few ulps) ``value``."""
    return bool(np.all((mask == 0) | np.isclose(mask, value, rtol=_TIGHT, atol=0)))


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(np.isclose(a, b, rtol=_TIGHT, atol=0)))


def _percent(share: float) -> str:
    return f"{100 * share:.3g}%"


# ==================================================================================================
# dropout_forward
# ==================================================================================================

def _nonzero(shape: tuple) -> np.ndarray:
    """Random normal entries, none of them 0."""
    x = _rng.normal(size=shape)
    x[x == 0] = 1.0
    return x


# --- values: (out, mask), mask in {0, 1 / (1 - p)}, out = x * mask --------------------------------

_VALUE_CASES = (
    (_nonzero((3, 5)), 0.5),
    (_nonzero((1, 7)), 0.2),            # one sample
    (_nonzero((2, 3, 4)), 0.75),        # three dimensions
    (_nonzero((64,)), 0.1),             # one dimension
    (_nonzero((40, 25)), 0.3),
    (np.zeros((4, 6)), 0.5),            # zeros stay zeros
    (1e300 * _nonzero((5, 8)), 0.25),   # large magnitudes: no overflow, no warning
)


def _probe_values(run: Runner, spec: Spec):
    return [run((x,), {"p": p, "rng": _gen(10 + i)}) for i, (x, p) in enumerate(_VALUE_CASES)]


def _values_key(data: list[Outcome]) -> str | None:
    """The catalogued mistake that every returned mask fits, if any."""
    seen = []
    for (x, p), outcome in zip(_VALUE_CASES, data):
        if not outcome.ok:
            return None
        out, mask, problem = _pair(outcome.value, x.shape)
        if problem:
            return None
        seen.append((x, p, out, mask))
    masks = [m for _, _, _, m in seen]
    if not (any(np.any(m == 0) for m in masks) and any(np.any(m != 0) for m in masks)):
        return None  # nothing dropped, or everything: not a pattern any mistake explains
    if all(_only(m, 1.0) for m in masks):
        if all(_close(out, x * m / (1 - p)) for x, p, out, m in seen):
            return "boolean-mask"
        if all(_close(out, x * m) for x, p, out, m in seen):
            return "no-rescaling"
        return None
    if all(_only(m, 1 / p) for _, p, _, m in seen):
        return "p-as-keep"
    if all(_only(m, 1 - p) for _, p, _, m in seen):
        return "times-keep-prob"
    return None


def _judge_values(data: list[Outcome], spec: Spec):
    for (x, p), outcome in zip(_VALUE_CASES, data):
        what = _what(spec, x, p=p)
        problem = failed_call(outcome, what)
        if problem:
            return problem
        out, mask, problem = _pair(outcome.value, x.shape)
        if problem:
            return f"{what} {problem}"
        scale = 1 / (1 - p)
        if not _only(mask, scale):
            values = np.unique(mask)
            shown = ", ".join(f"{v:.6g}" for v in values[:4]) + (", ..." if values.size > 4 else "")
            return (f"{what}: mask holds the values {shown}; it should hold only 0 (a dropped unit) "
                    f"and 1 / (1 - p) = {scale:.6g} (a kept unit)", _values_key(data))
        if not _close(out, x * mask):
            bad = np.argwhere(~np.isclose(out, x * mask, rtol=_TIGHT, atol=0))
            idx = tuple(int(i) for i in bad[0])
            return (f"{what}: out is not x * mask: at entry {idx} out is {out[idx]:.6g} but x * mask is "
                    f"{x[idx] * mask[idx]:.6g} ({len(bad)} of {x.size} entries differ)")
        if outcome.warnings:
            return f"{what} gave valid values but warned: {outcome.warnings[0]}"
    return None


# --- drop rate and independence ---------------------------------------------------------------------

_RATE_CASES = ((_nonzero((200, 500)), 0.3), (_nonzero((500, 200)), 0.8))


def _probe_rate(run: Runner, spec: Spec):
    return [run((x,), {"p": p, "rng": _gen(20 + i)}) for i, (x, p) in enumerate(_RATE_CASES)]


def _agreement_problem(dropped: np.ndarray, q: float, axis: int) -> tuple[float, float, float] | None:
    """Neighbours along ``axis`` (disjoint pairs) agree as often as independent drops of rate ``q``?

    Returns ``None`` or ``(seen, expected, tolerance)``.
    """
    d = np.moveaxis(dropped, axis, 0)
    half = d.shape[0] // 2
    first, second = d[0:2 * half:2], d[1:2 * half:2]
    m = first.size
    n = dropped.size
    seen = float(np.mean(first == second))
    expected = q * q + (1 - q) * (1 - q)
    # the sampling error of the agreement, plus that of the estimated rate q it is computed from
    tol = Z * math.sqrt(expected * (1 - expected) / m + (4 * q - 2) ** 2 * q * (1 - q) / n) + 1e-12
    if abs(seen - expected) <= tol:
        return None
    return seen, expected, tol


def _judge_rate(data: list[Outcome], spec: Spec):
    for (x, p), outcome in zip(_RATE_CASES, data):
        what = _what(spec, x, p=p)
        problem = failed_call(outcome, what)
        if problem:
            return problem
        out, mask, problem = _pair(outcome.value, x.shape)
        if problem:
            return f"{what} {problem}"
        dropped = mask == 0
        n = dropped.size
        q = float(dropped.mean())
        for axis, where in ((0, "in the same column"), (1, "in the same row")):
            found = _agreement_problem(dropped, q, axis)
            if found is not None:
                seen, expected, tol = found
                return (f"{what}: neighbouring units {where} were both kept or both dropped "
                        f"{_percent(seen)} of the time; for units dropped independently with probability "
                        f"{q:.3g} that happens {_percent(expected)} (+/- {_percent(tol)}) of the time. Draw "
                        "one random number per unit, for example rng.random(x.shape)", "shared-mask")
        tol = Z * math.sqrt(p * (1 - p) / n)
        if abs(q - p) > tol:
            key = "p-as-keep" if abs(q - (1 - p)) <= tol else None
            return (f"{what} dropped {_percent(q)} of the {n} units (mask == 0); with p = {p:g} it should "
                    f"drop {_percent(p)} of them (+/- {_percent(tol)})", key)
    return None


# --- expectation: E[out] = x ----------------------------------------------------------------------

_MEAN_X = _rng.uniform(0.5, 2.0, size=(250, 400))
_MEAN_P = 0.6


def _probe_mean(run: Runner, spec: Spec):
    return run((_MEAN_X,), {"p": _MEAN_P, "rng": _gen(30)})


def _judge_mean(outcome: Outcome, spec: Spec):
    x, p = _MEAN_X, _MEAN_P
    what = _what(spec, x, p=p)
    problem = failed_call(outcome, what)
    if problem:
        return problem
    out, mask, problem = _pair(outcome.value, x.shape)
    if problem:
        return f"{what} {problem}"
    ratio = float(out.sum() / x.sum())
    tol = Z * math.sqrt(float(np.sum(x ** 2)) * p / (1 - p)) / float(x.sum())
    if np.isfinite(ratio) and abs(ratio - 1) <= tol:
        return None
    candidates = {"no-rescaling": 1 - p, "times-keep-prob": (1 - p) ** 2, "p-as-keep": p / (1 - p)}
    key = next((k for k, r in candidates.items() if abs(ratio - r) <= tol), None)
    return (f"{what}: sum(out) / sum(x) over its {x.size} units is {ratio:.4g}, expected 1 (+/- {tol:.2g}). "
            f"On average dropout must leave every unit unchanged, E[out] = x: a unit kept with "
            f"probability 1 - p = {1 - p:g} is scaled by 1 / (1 - p) = {1 / (1 - p):g}", key)


# --- evaluation: train=False does nothing ----------------------------------------------------------

_EVAL_CASES = (
    (_nonzero((4, 6)), 0.5),
    (_nonzero((1, 3)), 0.3),
    (_nonzero((2, 3, 4)), 0.8),
    (_nonzero((5,)), 0.0),
    (_nonzero((3, 2)), 1.0),
)


def _probe_eval(run: Runner, spec: Spec):
    return [run((x,), {"p": p, "rng": _gen(40 + i), "train": False}) for i, (x, p) in enumerate(_EVAL_CASES)]


def _eval_key(x: np.ndarray, p: float, out: np.ndarray, mask: np.ndarray) -> str | None:
    if 0 < p < 1:
        if _close(out, (1 - p) * x):
            return "scale-at-eval"
        if _close(out, x / (1 - p)):
            return "eval-divides"
    if np.any((out == 0) & (x != 0)) and np.any(mask == 0):
        return "dropout-at-eval"
    return None


def _judge_eval(data: list[Outcome], spec: Spec):
    for (x, p), outcome in zip(_EVAL_CASES, data):
        what = _what(spec, x, p=p, train=False)
        problem = failed_call(outcome, what)
        if problem:
            return problem
        out, mask, problem = _pair(outcome.value, x.shape)
        if problem:
            return f"{what} {problem}"
        if not _close(out, x):
            return (f"{what}: out should equal x at evaluation; {mismatch(out, x, rtol=_TIGHT, atol=0)}",
                    _eval_key(x, p, out, mask))
        if not np.all(mask == 1):
            key = None
            if 0 < p < 1 and np.allclose(mask, 1 - p, rtol=_TIGHT, atol=0):
                key = "scale-at-eval"
            elif 0 < p < 1 and np.allclose(mask, 1 / (1 - p), rtol=_TIGHT, atol=0):
                key = "eval-divides"
            elif np.any(mask == 0):
                key = "dropout-at-eval"
            return (f"{what}: mask should be all ones at evaluation (every unit kept, unscaled); "
                    f"{mismatch(mask, np.ones_like(x), rtol=0, atol=0)}", key)
        if outcome.warnings:
            return f"{what} gave the right values but warned: {outcome.warnings[0]}"
    return None


# --- p = 0 keeps everything, p = 1 drops everything -----------------------------------------------

_EDGE_X = _nonzero((6, 7))


def _probe_edges(run: Runner, spec: Spec):
    return [run((_EDGE_X,), {"p": p, "rng": _gen(50 + i)}) for i, p in enumerate((0.0, 1.0))]


def _judge_edges(data: list[Outcome], spec: Spec):
    x = _EDGE_X
    for p, outcome in zip((0.0, 1.0), data):
        what = _what(spec, x, p=p)
        if outcome.raised("ZeroDivisionError", "FloatingPointError"):
            return f"{what} raised {outcome.error}", ("p-one" if p == 1 else None)
        if outcome.error is not None and not outcome.error.startswith(Runner.SKIPPED):
            kept = "keeps every unit (out = x, mask of ones)" if p == 0 else (
                "drops every unit (out and mask all zeros)")
            return f"{what} raised {outcome.error}; p = {p:g} is allowed: it {kept}"
        problem = failed_call(outcome, what)
        if problem:
            return problem
        out, mask, problem = _pair(outcome.value, x.shape)
        if problem:
            return f"{what} {problem}"
        expected = x if p == 0 else np.zeros_like(x)
        expected_mask = np.ones_like(x) if p == 0 else np.zeros_like(x)
        bad_out = not _close(out, expected)
        bad_mask = not np.array_equal(mask, expected_mask)
        if bad_out or bad_mask:
            name, got, want = ("out", out, expected) if bad_out else ("mask", mask, expected_mask)
            should = "keep every unit: out = x and mask all ones" if p == 0 else (
                "drop every unit: out and mask all zeros")
            detail = f"{what}: with p = {p:g} dropout should {should}; {name}: {mismatch(got, want, rtol=_TIGHT, atol=0)}"
            if p == 0:
                key = "p-as-keep" if np.all((out == 0) | np.isnan(out)) else None
            elif not (np.all(np.isfinite(out)) and np.all(np.isfinite(mask))):
                key = "p-one"
            else:
                key = None  # keeping everything at p = 1 is "p as keep probability" only if p = 0
                # dropped everything, and the p = 0 case above would have failed first
            return detail, key
        if outcome.warnings:
            return (f"{what} gave the right values but warned: {outcome.warnings[0]}",
                    "p-one" if p == 1 else None)
    return None


# --- randomness from rng only ----------------------------------------------------------------------

_RNG_CASE = Case((_nonzero((20, 30)),), {"p": 0.5})


def _rng_group() -> Property:
    inner = rng_discipline(_RNG_CASE)

    def judge(data, spec: Spec):
        x = _RNG_CASE.args[0]
        what = _what(spec, x, **_RNG_CASE.kwargs)
        for key in ("same1", "same2", "other"):
            outcome = data[key]
            if outcome.ok and _pair(outcome.value, x.shape)[2] is not None:
                return (f"{what} {_pair(outcome.value, x.shape)[2]}, so this could not be checked "
                        "(see the checks above)")
        verdict = inner.judge(data, spec)
        if verdict.passed:
            return None
        if data["global_touched"]:
            return verdict.detail.replace("rng.normal(...)", "rng.random(x.shape)"), "global-generator"
        first, other = data["same1"].value, data["other"].value
        if data["same1"].ok and data["other"].ok and all(
                np.array_equal(a, b) for a, b in zip(first, other)):
            if not np.any(first[1] == 0):
                return verdict.detail + " (nothing was dropped)"
            return verdict.detail, "own-generator"
        return verdict.detail

    return Property("draws its randomness from `rng` only (same seed, same mask; another seed, another "
                    "mask; NumPy's global generator untouched)", inner.probe, judge)


# --- the mistakes ----------------------------------------------------------------------------------

def _scaled(keep: np.ndarray, p: float) -> np.ndarray:
    """The correct mask for a keep pattern: 0 or 1 / (1 - p), all zeros for p = 1."""
    return keep * (1.0 / (1.0 - p)) if p < 1 else np.zeros(keep.shape)


def _checked(x, p) -> np.ndarray:
    if not 0 <= p <= 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    return np.array(x, dtype=np.float64)


def _fw_p_as_keep(x, *, p, rng, train=True):
    x = _checked(x, p)
    if not train:
        return x, np.ones_like(x)
    keep = rng.random(x.shape) < p  # keeps with probability p
    mask = keep / p
    return x * mask, mask


def _fw_no_rescaling(x, *, p, rng, train=True):
    x = _checked(x, p)
    if not train:
        return x, np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(np.float64)
    return x * mask, mask


def _fw_scale_at_eval(x, *, p, rng, train=True):
    """Classic dropout: no scaling in training, activations multiplied by 1 - p at evaluation."""
    x = _checked(x, p)
    if not train:
        return x * (1 - p), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(np.float64)
    return x * mask, mask


def _fw_eval_divides(x, *, p, rng, train=True):
    x = _checked(x, p)
    if not train:
        scale = 1.0 / (1.0 - p)
        return x * scale, np.full(x.shape, scale)
    mask = _scaled(rng.random(x.shape) >= p, p)
    return x * mask, mask


def _fw_dropout_at_eval(x, *, p, rng, train=True):
    x = _checked(x, p)
    mask = _scaled(rng.random(x.shape) >= p, p)
    return x * mask, mask


def _fw_global(x, *, p, rng, train=True):
    x = _checked(x, p)
    if not train:
        return x, np.ones_like(x)
    mask = _scaled(np.random.random(x.shape) >= p, p)  # catalogued mistake: global generator
    return x * mask, mask


def _fw_own(x, *, p, rng, train=True):
    x = _checked(x, p)
    if not train:
        return x, np.ones_like(x)
    mask = _scaled(np.random.default_rng(0).random(x.shape) >= p, p)
    return x * mask, mask


def _fw_boolean_mask(x, *, p, rng, train=True):
    x = _checked(x, p)
    if not train:
        return x, np.ones_like(x)
    keep = rng.random(x.shape) >= p
    return x * _scaled(keep, p), keep


def _fw_p_one(x, *, p, rng, train=True):
    x = _checked(x, p)
    if not train:
        return x, np.ones_like(x)
    mask = (rng.random(x.shape) >= p) / (1 - p)  # 0 / 0 = nan for p = 1
    return x * mask, mask


def _fw_shared_mask(x, *, p, rng, train=True):
    x = _checked(x, p)
    if not train:
        return x, np.ones_like(x)
    row = _scaled(rng.random(x.shape[-1]) >= p, p)  # one mask row for every sample
    mask = np.broadcast_to(row, x.shape).copy()
    return x * mask, mask


def _fw_times_keep_prob(x, *, p, rng, train=True):
    x = _checked(x, p)
    if not train:
        return x, np.ones_like(x)
    mask = (rng.random(x.shape) >= p) * (1 - p)
    return x * mask, mask


def _fw_no_p_check(x, *, p, rng, train=True):
    x = np.array(x, dtype=np.float64)
    if not train:
        return x, np.ones_like(x)
    mask = np.zeros(x.shape) if p >= 1 else (rng.random(x.shape) >= p) / (1 - p)
    return x * mask, mask


_NO_RESCALING_HINT = ("this course uses inverted dropout: scale the kept units up by 1 / (1 - p) in training, "
                      "so that E[out] = x. The mask holds 0 for a dropped unit and 1 / (1 - p) for a kept "
                      "one, e.g. mask = (rng.random(x.shape) >= p) / (1 - p), and out = x * mask.")

DROPOUT_FORWARD = Spec(
    name="dropout_forward",
    reference=ref.dropout_forward,
    outputs=("out", "mask"),
    groups=(
        Property("returns (out, mask) of the shape of x: mask holds only 0 and 1 / (1 - p), and "
                 "out = x * mask (one sample, 1-D and 3-D inputs, zeros, magnitudes of 1e300)",
                 _probe_values, _judge_values),
        Property("drops each unit independently with probability p (100000 units, p = 0.3 and p = 0.8)",
                 _probe_rate, _judge_rate),
        Property("keeps the expected output equal to x: sum(out) / sum(x) is 1 within the sampling error "
                 "(100000 units, p = 0.6)", _probe_mean, _judge_mean),
        Property("with train=False, out equals x and mask is all ones (no dropout at evaluation)",
                 _probe_eval, _judge_eval),
        Property("p = 0 keeps every unit and p = 1 drops every unit (zeros, no nan, no warnings)",
                 _probe_edges, _judge_edges),
        Raises("p outside [0, 1] raises ValueError", [
            Case((np.ones((3, 4)),), {"p": -0.1, "rng": _gen(60)}),
            Case((np.ones((3, 4)),), {"p": 1.5, "rng": _gen(61)}),
        ], errors=("ValueError",), mistake="no-p-check"),
        _rng_group(),
    ),
    mistakes=(
        Mistake("p-as-keep", "p is the probability of DROPPING a unit (as in PyTorch), not of keeping it: "
                "keep a unit with probability 1 - p, e.g. keep = rng.random(x.shape) >= p, and scale the kept "
                "units by 1 / (1 - p).", _fw_p_as_keep, matchable=False),
        Mistake("no-rescaling", _NO_RESCALING_HINT, _fw_no_rescaling, matchable=False),
        Mistake("scale-at-eval", "you scale at evaluation (out = (1 - p) * x) instead of in training. With "
                "inverted dropout the kept units are divided by (1 - p) during training, and train=False "
                "returns x unchanged with a mask of ones.", _fw_scale_at_eval, matchable=False),
        Mistake("eval-divides", "with train=False dropout does nothing: return out = x and a mask of ones. "
                "The factor 1 / (1 - p) belongs to training only; applying it at evaluation too scales the "
                "activations twice.", _fw_eval_divides, matchable=False),
        Mistake("dropout-at-eval", "with train=False (evaluation) no unit is dropped: return x itself (a copy) "
                "and a mask of ones, without drawing a mask.", _fw_dropout_at_eval, matchable=False),
        Mistake("global-generator", "draw every random number from the `rng` argument (e.g. "
                "rng.random(x.shape)), not from NumPy's global generator np.random.*: the mask must be "
                "reproducible from the seed alone.", _fw_global, matchable=False),
        Mistake("own-generator", "use the generator passed in as `rng`; do not create your own with "
                "np.random.default_rng(...) inside the function: the mask must change with the caller's seed "
                "and with every call.", _fw_own, matchable=False),
        Mistake("boolean-mask", "mask must hold the factor each unit was multiplied by, 0 or 1 / (1 - p), so "
                "that out = x * mask and the backward pass dout * mask is right; you return the 0/1 keep "
                "pattern while out is scaled. Return mask = keep / (1 - p).", _fw_boolean_mask,
                matchable=False),
        Mistake("p-one", "with p = 1 every unit is dropped, and 1 / (1 - p) divides by zero (nan, a warning "
                "or a ZeroDivisionError). Handle p = 1 on its own: out and mask all zeros (compute the scale "
                "only when p < 1).", _fw_p_one, matchable=False),
        Mistake("shared-mask", "draw one random number per unit (a mask of the full shape of x, "
                "rng.random(x.shape)): you share one mask between samples, so units are not dropped "
                "independently.", _fw_shared_mask, matchable=False),
        Mistake("times-keep-prob", "kept units are divided by the keep probability 1 - p (scaled up), not "
                "multiplied by it: mask = keep / (1 - p).", _fw_times_keep_prob, matchable=False),
        Mistake("no-p-check", "check p first: raise ValueError (saying which p arrived) when p is outside "
                "[0, 1], for example `if not 0 <= p <= 1: raise ValueError(...)`.", _fw_no_p_check,
                matchable=False),
    ),
)


# ==================================================================================================
# dropout_backward
# ==================================================================================================

def _dropout_mask(shape: tuple, p: float) -> np.ndarray:
    keep = _rng.random(shape) >= p
    return keep * (1.0 / (1.0 - p))


def _bw_case(shape: tuple, p: float, label: str = "") -> Case:
    return Case((_rng.normal(size=shape), _dropout_mask(shape, p)), label=label)


def _bw_new_mask(dout, mask):
    """Ignores the forward mask and draws a fresh one (inferring p from the given mask's scale)."""
    dout = np.asarray(dout, dtype=np.float64)
    mask = np.asarray(mask, dtype=np.float64)
    if not np.any(mask > 0):
        return np.zeros_like(dout)  # p = 1: every unit dropped
    scale = float(mask.max())
    p = 1.0 - 1.0 / scale
    fresh = (np.random.default_rng().random(dout.shape) >= p) * scale
    return dout * fresh


def _bw_ignores_mask(dout, mask):
    return np.array(dout, dtype=np.float64)


def _bw_mask_unscaled(dout, mask):
    return np.asarray(dout, dtype=np.float64) * (np.asarray(mask) != 0)


def _bw_matrix_product(dout, mask):
    return np.dot(dout, mask)


_BW_DOUT = _rng.normal(size=(30, 40))
_BW_MASK = _dropout_mask((30, 40), 0.5)


def _probe_same_mask(run: Runner, spec: Spec):
    return [run((_BW_DOUT, _BW_MASK)), run((_BW_DOUT, _BW_MASK))]


def _judge_same_mask(data: list[Outcome], spec: Spec):
    what = "dropout_backward(dout, mask) with dout and mask of shape (30, 40) (p = 0.5)"
    values = []
    for outcome in data:
        problem = failed_call(outcome, what)
        if problem:
            return problem
        value = outcome.value
        if not isinstance(value, np.ndarray) or value.shape != _BW_DOUT.shape or value.dtype.kind not in "fiub":
            return f"{what} returned {describe(value)}, expected a NumPy array of shape {_BW_DOUT.shape}"
        values.append(value.astype(np.float64))
    if not np.array_equal(values[0], values[1], equal_nan=True):
        return (f"two calls of {what} with the same inputs returned different gradients: the backward pass "
                "must not draw anything", "new-mask")
    zeros = values[0] == 0
    dropped = _BW_MASK == 0
    if np.array_equal(zeros, dropped):
        return None
    detail = (f"{what}: the gradient should be 0 exactly where the mask is 0 ({int(dropped.sum())} "
              f"entries), but {int(np.sum(zeros != dropped))} entries disagree: a dropped unit passes no "
              "gradient back and a kept unit passes its gradient on")
    if np.allclose(values[0], _BW_DOUT, rtol=1e-12, atol=0):
        return detail, "ignores-mask"
    return detail, ("new-mask" if np.any(zeros) else None)


DROPOUT_BACKWARD = Spec(
    name="dropout_backward",
    reference=ref.dropout_backward,
    groups=(
        Compare("a small square case and the lesson's example", [
            Case((np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[2.0, 0.0], [0.0, 2.0]])), label="2 x 2"),
            Case((np.array([[1.0, 2.0, 3.0]]), np.array([[0.0, 2.0, 2.0]])), label="p = 0.5"),
        ]),
        Compare("dropout masks of several shapes and drop probabilities", [
            _bw_case((3, 5), 0.5),
            _bw_case((1, 7), 0.2, "one sample"),
            _bw_case((2, 3, 4), 0.75, "three dimensions"),
            _bw_case((64,), 0.1, "one dimension"),
            _bw_case((6, 6), 0.3, "square"),
            _bw_case((50, 20), 0.6),
        ]),
        Compare("edge cases: the evaluation mask of ones, the p = 1 mask of zeros, a zero gradient, "
                "gradients of 1e300 (no warnings)", [
                    Case((_rng.normal(size=(4, 5)), np.ones((4, 5))), label="evaluation: mask of ones"),
                    Case((_rng.normal(size=(4, 5)), np.zeros((4, 5))), label="p = 1: mask of zeros"),
                    Case((np.zeros((3, 4)), _dropout_mask((3, 4), 0.5)), label="zero gradient"),
                    Case((1e300 * _rng.normal(size=(5, 4)), _dropout_mask((5, 4), 0.2)), label="1e300"),
                ], warn_free=True),
        Property("uses the mask it is given: the same inputs give the same gradient, 0 exactly where the "
                 "mask is 0", _probe_same_mask, _judge_same_mask),
    ),
    mistakes=(
        Mistake("new-mask", "the backward pass must reuse the mask of the forward pass (the one passed in): "
                "return dout * mask, without drawing a new mask.", _bw_new_mask, matchable=False),
        Mistake("ignores-mask", "multiply dout by the mask: a dropped unit passes no gradient back and a kept "
                "unit passes it scaled by 1 / (1 - p), so dx = dout * mask.", _bw_ignores_mask),
        Mistake("mask-unscaled", "multiply by the mask itself, which already holds 1 / (1 - p) for kept units: "
                "(mask != 0) loses that scale. dx = dout * mask.", _bw_mask_unscaled),
        Mistake("matrix-product", "the mask multiplies elementwise, dout * mask, not as a matrix product "
                "(np.dot or @).", _bw_matrix_product),
    ),
)

SPECS = (DROPOUT_FORWARD, DROPOUT_BACKWARD)
