"""Quick checks for the visible tests: readable failures a student can act on.

Each check raises ``AssertionError`` with a message that says what was
compared, what was expected and what came back, and returns nothing when all
is well::

    from lessons.checks import assert_close, assert_shape, gradient_check
    assert_close(mse(np.array([1.0, 2.0]), np.array([1.0, 4.0])), 2.0)
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["assert_close", "assert_shape", "assert_unchanged", "gradient_check", "numerical_gradient"]


def _render(value) -> str:
    arr = np.asarray(value)
    if arr.size <= 12:
        return np.array2string(arr, precision=6, separator=", ") if arr.ndim else f"{float(arr):.6g}"
    return f"array of shape {arr.shape}"


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
    AssertionError
        Naming the first entry that differs, with both values.
    """
    if actual is None:
        raise AssertionError(f"{what} is None: did you forget to `return` the result?")
    try:
        got = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should be a number or an array of numbers, got {type(actual).__name__}") from None
    want = np.asarray(expected, dtype=np.float64)
    if got.shape != want.shape:
        raise AssertionError(f"{what} has shape {got.shape}, expected shape {want.shape}")
    close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if np.all(close):
        return
    if got.ndim == 0:
        raise AssertionError(f"{what} is {float(got):.6g}, expected {float(want):.6g}")
    idx = tuple(int(i) for i in np.argwhere(~close)[0])
    raise AssertionError(
        f"{what} differs at entry {idx}: got {got[idx]:.6g}, expected {want[idx]:.6g} "
        f"({int((~close).sum())} of {got.size} entries differ)\n"
        f"  got:      {_render(got)}\n  expected: {_render(want)}"
    )


def assert_shape(value, shape: tuple, *, what: str = "result") -> None:
    """Assert that ``value`` is a NumPy array of the given shape."""
    if not isinstance(value, np.ndarray):
        raise AssertionError(f"{what} should be a NumPy array of shape {shape}, got {type(value).__name__}")
    if value.shape != tuple(shape):
        raise AssertionError(f"{what} has shape {value.shape}, expected {tuple(shape)}")


def assert_unchanged(before: np.ndarray, after: np.ndarray, *, what: str = "the input") -> None:
    """Assert that an input array was not modified (compare with a copy taken before the call)."""
    if not np.array_equal(before, after, equal_nan=True):
        raise AssertionError(
            f"{what} was changed in place; work on a new array instead (e.g. `a = a - b`, not `a -= b`)"
        )


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
