"""Comparing a returned value with the expected one, and describing values briefly.

:func:`mismatch` answers "is this what we expected?" with ``None`` or a short
sentence a student can act on ("returned shape (3,), expected (3, 1)").
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .calls import Opaque

#: Default tolerances for floating-point results.
RTOL = 1e-6
ATOL = 1e-9

_SMALL = 8  # arrays with at most this many elements are shown in full


def describe(value: Any) -> str:
    """A short readable rendering of an input or output value."""
    if isinstance(value, Opaque):
        return f"a {value.type_name} object"
    if isinstance(value, np.ndarray):
        if value.size <= _SMALL:
            text = np.array2string(value, precision=4, separator=", ", suppress_small=False)
            return " ".join(text.split())
        if value.dtype.kind in "fiub" and value.size:
            with np.errstate(all="ignore"):
                return f"array of shape {value.shape} (mean {np.nanmean(value):.4g})"
        return f"array of shape {value.shape}"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (numbers.Integral, np.integer)):
        return str(int(value))
    if isinstance(value, (numbers.Real, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(describe(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        if len(value) > 4:
            return f"a list of {len(value)} items"
        return "[" + ", ".join(describe(v) for v in value) + "]"
    if callable(value):
        return getattr(value, "__name__", "a function")
    if isinstance(value, np.random.Generator):
        return "rng"
    return repr(value)[:80]


def type_name(value: Any) -> str:
    if isinstance(value, Opaque):
        return value.type_name
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return type(value).__name__


def _real_scalar(value: Any) -> float | None:
    """The value as a float if it is a single real number (a 0-d array counts)."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (numbers.Real, np.floating, np.integer)):
        return float(value)
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "fiu":
        return float(value)
    return None


def _float_mismatch(received: Any, expected: float, rtol: float, atol: float) -> str | None:
    got = _real_scalar(received)
    if got is None:
        return f"returned {type_name(received)}, expected a single number (a float)"
    if np.isnan(expected):
        return None if np.isnan(got) else f"returned {got:.6g}, expected nan"
    if np.isnan(got):
        return f"returned nan, expected {expected:.6g}"
    if np.isinf(expected) or np.isinf(got):
        return None if got == expected else f"returned {got:.6g}, expected {expected:.6g}"
    if abs(got - expected) <= atol + rtol * abs(expected):
        return None
    return f"returned {got:.6g}, expected {expected:.6g}"


def _array_mismatch(received: Any, expected: np.ndarray, rtol: float, atol: float) -> str | None:
    if expected.shape == () and _real_scalar(received) is not None:
        received = np.asarray(received)  # a NumPy scalar where a 0-d array is expected is fine
    if not isinstance(received, np.ndarray):
        return f"returned {type_name(received)}, expected a NumPy array of shape {expected.shape}"
    if received.shape != expected.shape:
        return f"returned an array of shape {received.shape}, expected shape {expected.shape}"
    if expected.dtype.kind in "iu":
        if received.dtype.kind not in "iu":
            if received.dtype.kind != "f" or not np.all(np.isfinite(received)) or np.any(received % 1):
                return f"returned an array of dtype {received.dtype}, expected integers"
        if np.array_equal(received, expected):
            return None
        bad = np.argwhere(received != expected)[0]
        idx = tuple(int(i) for i in bad)
        return f"entry {idx} is {received[idx]}, expected {expected[idx]}"
    if received.dtype.kind not in "fiub":
        return f"returned an array of dtype {received.dtype}, expected real numbers"
    received = received.astype(np.float64)
    exp_finite = np.isfinite(expected)
    if np.any(np.isnan(received) & ~np.isnan(expected)):
        count = int(np.sum(np.isnan(received) & ~np.isnan(expected)))
        return f"returned {count} nan value(s) where finite numbers were expected"
    if np.any(np.isinf(received) & exp_finite):
        count = int(np.sum(np.isinf(received) & exp_finite))
        return f"returned {count} infinite value(s) where finite numbers were expected"
    close = np.isclose(received, expected, rtol=rtol, atol=atol, equal_nan=True)
    if np.all(close):
        return None
    bad = np.argwhere(~close)
    idx = tuple(int(i) for i in bad[0])
    where = f"entry {idx}" if expected.ndim else "the value"
    more = f" ({len(bad)} of {expected.size} entries differ)" if expected.size > 1 else ""
    return f"{where} is {received[idx]:.6g}, expected {expected[idx]:.6g}{more}"


def mismatch(
    received: Any,
    expected: Any,
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
    outputs: tuple[str, ...] = (),
) -> str | None:
    """Return ``None`` when ``received`` matches ``expected``, else a short explanation.

    Parameters
    ----------
    received
        Plain data returned by the student's function (see :func:`grader.calls.to_plain`).
    expected
        The reference's result: a float, an int, a string, an array or a tuple of those.
    rtol, atol : float
        Tolerances for floating-point entries, as in :func:`numpy.isclose`.
    outputs : tuple of str
        Names of the outputs when ``expected`` is a tuple, used in messages.
    """
    if isinstance(expected, tuple):
        if not isinstance(received, (tuple, list)):
            names = ", ".join(outputs) if outputs else f"{len(expected)} values"
            return f"returned {type_name(received)}, expected a tuple ({names})"
        if len(received) != len(expected):
            names = f" ({', '.join(outputs)})" if outputs else ""
            return f"returned {len(received)} values, expected {len(expected)}{names}"
        for i, (r, e) in enumerate(zip(received, expected)):
            problem = mismatch(r, e, rtol=rtol, atol=atol)
            if problem:
                label = outputs[i] if i < len(outputs) else f"output {i + 1}"
                return f"{label}: {problem}"
        return None
    if isinstance(expected, str):  # a category, such as "saddle": the same text or nothing
        if received == expected:
            return None
        return f"returned {received!r}, expected {expected!r}" if isinstance(received, str) else (
            f"returned {type_name(received)}, expected the text {expected!r}")
    if isinstance(expected, list):
        if not isinstance(received, (list, tuple)) or len(received) != len(expected):
            return f"returned {type_name(received)}, expected a list of {len(expected)} arrays"
        for i, (r, e) in enumerate(zip(received, expected)):
            problem = mismatch(r, e, rtol=rtol, atol=atol)
            if problem:
                return f"item {i}: {problem}"
        return None
    if isinstance(expected, np.ndarray):
        return _array_mismatch(received, expected, rtol, atol)
    if isinstance(expected, (bool, np.bool_)):
        return None if received is not None and bool(received) == bool(expected) else (
            f"returned {describe(received)}, expected {expected}")
    if isinstance(expected, (numbers.Integral, np.integer)):
        got = _real_scalar(received)
        if got is None or got != int(expected):
            return f"returned {describe(received)}, expected {int(expected)}"
        return None
    if isinstance(expected, (numbers.Real, np.floating)):
        return _float_mismatch(received, float(expected), rtol, atol)
    raise TypeError(f"cannot compare with an expected value of type {type(expected).__name__}")
