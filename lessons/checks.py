"""Quick checks for the visible tests: readable failures a student can act on.

Each check raises :class:`CheckFailed` (an ``AssertionError``) with a short
message that says what was called, what came back and what was expected,
and returns nothing when all is well::

    from lessons.checks import assert_close, assert_raises, gradient_check
    assert_close(mse(np.array([1.0, 2.0]), np.array([1.0, 4.0])), 2.0, what="mse([1, 2], [1, 4])")

In a test cell, a failed check also names the likely mistake when the value
it saw is what a catalogued mistake gives there, and says which other
function to fix first when the function checked calls one of yours whose
own checks failed; a test cell whose checks all pass says so in one line
(see :mod:`lessons.diagnosis`, which importing this module installs in
Jupyter).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import diagnosis

__all__ = ["CheckFailed", "assert_close", "assert_equal", "assert_in_range", "assert_raises", "assert_shape",
           "assert_true", "assert_type", "assert_unchanged", "gradient_check", "numerical_gradient"]


class CheckFailed(AssertionError):
    """A visible check that failed.

    Attributes
    ----------
    function : str or None
        The graded function whose test cell ran the check (``None`` outside a test cell).
    index : int or None
        The check's number in that cell, from 1.
    kind, what, got
        The kind of check (``"close"``, ``"raises"``...), its label and the value it saw.
    """

    def __init__(self, message: str, *, kind: str, what: str | None = None, got: Any = None):
        self.function = diagnosis.SESSION.function
        self.index, full = diagnosis.explain(message, kind, what, got)
        super().__init__(full)
        self.kind, self.what, self.got = kind, what, got


def _render(value) -> str:
    arr = np.asarray(value)
    if arr.size <= 12:
        return np.array2string(arr, precision=6, separator=", ") if arr.ndim else f"{float(arr):.6g}"
    return f"array of shape {arr.shape}"


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return _render(value) if value.size <= 12 else f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items" if len(value) > 6 else repr(value)
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return repr(value)[:80]


def assert_close(actual, expected, *, rtol: float = 1e-6, atol: float = 1e-9, what: str = "result") -> None:
    """Assert that ``actual`` equals ``expected`` up to floating-point tolerance.

    Parameters
    ----------
    actual, expected : float or array_like
        The value your function returned and the value it should return.
    rtol, atol : float
        Relative and absolute tolerances, as in :func:`numpy.isclose`.
    what : str
        How to call the value in the message (e.g. ``"mse([1, 2], [1, 4])"``).

    Raises
    ------
    CheckFailed
        Naming the first entry that differs, with both values.
    """
    diagnosis.count()
    if actual is None:
        raise CheckFailed(f"{what} is None: did you forget to `return` the result?", kind="close", what=what)
    try:
        got = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} should be a number or an array of numbers, got {type(actual).__name__}",
                          kind="close", what=what, got=type(actual).__name__) from None
    want = np.asarray(expected, dtype=np.float64)
    if got.shape != want.shape:
        raise CheckFailed(f"{what} has shape {got.shape}, expected shape {want.shape}", kind="close", what=what,
                          got=got)
    close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if np.all(close):
        return
    if got.ndim == 0:
        raise CheckFailed(f"{what} is {float(got):.6g}, expected {float(want):.6g}", kind="close", what=what,
                          got=got)
    idx = tuple(int(i) for i in np.argwhere(~close)[0])
    raise CheckFailed(
        f"{what} differs at entry {idx}: got {got[idx]:.6g}, expected {want[idx]:.6g} "
        f"({int((~close).sum())} of {got.size} entries differ)\n"
        f"  got:      {_render(got)}\n  expected: {_render(want)}", kind="close", what=what, got=got)


def assert_equal(actual, expected, *, what: str = "result") -> None:
    """Assert that ``actual`` equals ``expected`` exactly: integers, tuples of them, integer or boolean arrays."""
    diagnosis.count()
    if isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray):
        ok = np.shape(actual) == np.shape(expected) and np.array_equal(np.asarray(actual), np.asarray(expected))
    else:
        try:
            ok = bool(actual == expected)
        except (TypeError, ValueError):  # an array compared with a tuple, say
            ok = False
    if not ok:
        raise CheckFailed(f"{what} is {_short(actual)}, expected {_short(expected)}", kind="equal", what=what,
                          got=actual)


def assert_in_range(value, low: float, high: float, *, what: str = "result") -> None:
    """Assert that the number ``value`` lies in ``[low, high]`` (for bounds and statistical checks)."""
    diagnosis.count()
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} should be a single number, got {type(value).__name__}", kind="range", what=what,
                          got=type(value).__name__) from None
    if not low <= number <= high:
        bounds = (f"at most {high:.6g}" if low == -np.inf else f"at least {low:.6g}" if high == np.inf
                  else f"between {low:.6g} and {high:.6g}")
        raise CheckFailed(f"{what} is {number:.6g}, expected {bounds}", kind="range", what=what, got=number)


def assert_shape(value, shape: tuple, *, what: str = "result") -> None:
    """Assert that ``value`` is a NumPy array of the given shape."""
    diagnosis.count()
    if not isinstance(value, np.ndarray):
        raise CheckFailed(f"{what} should be a NumPy array of shape {tuple(shape)}, got {type(value).__name__}",
                          kind="shape", what=what, got=type(value).__name__)
    if value.shape != tuple(shape):
        raise CheckFailed(f"{what} has shape {value.shape}, expected {tuple(shape)}", kind="shape", what=what,
                          got=list(value.shape))


def assert_type(value, expected: type | tuple[type, ...], *, what: str = "result", length: int | None = None) -> None:
    """Assert that ``value`` is an instance of ``expected`` (and, for a tuple or list, has ``length`` items)."""
    diagnosis.count()
    names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
    if not isinstance(value, expected):
        raise CheckFailed(f"{what} should be a {names}, got {type(value).__name__}", kind="type", what=what,
                          got=type(value).__name__)
    if length is not None and len(value) != length:
        raise CheckFailed(f"{what} should hold {length} items, got {len(value)}", kind="type", what=what,
                          got=f"{len(value)} items")


def assert_true(condition, message: str, *, value: Any = None) -> None:
    """Assert a property in words: ``message`` says what should hold and what to do when it does not.

    ``value`` is what the property is about (it lets the likely mistake be named).
    """
    diagnosis.count()
    if not condition:
        raise CheckFailed(message, kind="true", what=message, got=value)


def assert_raises(error: type[BaseException] | tuple, fn: Callable, *args, what: str | None = None,
                  **kwargs) -> None:
    """Assert that ``fn(*args, **kwargs)`` raises ``error`` (``ValueError``, say) for invalid arguments."""
    diagnosis.count()
    names = " or ".join(t.__name__ for t in (error if isinstance(error, tuple) else (error,)))
    label = what or f"{getattr(fn, '__name__', 'the function')}(...)"
    try:
        result = fn(*args, **kwargs)
    except error:
        return
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the student's code may raise anything
        raise CheckFailed(f"{label} raised {type(exc).__name__}: {exc}; it should raise {names}",
                          kind="raises", what=what, got=f"raised {type(exc).__name__}") from None
    raise CheckFailed(f"{label} returned {_short(result)}; it should raise {names} with a message saying what "
                      "is wrong", kind="raises", what=what, got="returned")


def assert_unchanged(before: np.ndarray, after: np.ndarray, *, what: str = "the input") -> None:
    """Assert that an input array was not modified (compare with a copy taken before the call)."""
    diagnosis.count()
    if not np.array_equal(before, after, equal_nan=True):
        raise CheckFailed(f"{what} was changed in place; work on a new array instead (e.g. `a = a - b`, "
                          "not `a -= b`)", kind="unchanged", what=what)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite differences of a scalar function ``f`` at ``x``.

    Notes
    -----
    Each coordinate is nudged by :math:`\\pm h`:
    :math:`\\partial f / \\partial x_i \\approx (f(x + h e_i) - f(x - h e_i)) / 2h`,
    with an error of order :math:`h^2`.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = h
        grad[idx] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def gradient_check(f: Callable[[np.ndarray], float], grad: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                   *, rtol: float = 1e-5, atol: float = 1e-7, what: str = "gradient") -> None:
    """Assert that ``grad(x)`` agrees with finite differences of ``f`` at ``x``."""
    assert_close(grad(np.array(x, dtype=np.float64)), numerical_gradient(f, x), rtol=rtol, atol=atol,
                 what=f"{what} (compared with finite differences)")


diagnosis.install()
