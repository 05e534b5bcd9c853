"""Input checks shared by the reference modules.

Every check raises ``ValueError`` (or ``TypeError``) with a message that names
the argument, says what was expected and what arrived.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(name: str, value, *, ndim: int | None = None, min_ndim: int = 0) -> np.ndarray:
    """Return ``value`` as a new ``float64`` array, or raise a clear error.

    Parameters
    ----------
    name : str
        The argument's name, used in error messages.
    value : array_like
        Anything ``np.asarray`` turns into a real numeric array.
    ndim : int, optional
        The exact number of dimensions required.
    min_ndim : int, default 0
        The smallest number of dimensions allowed.
    """
    if value is None:
        raise TypeError(f"{name} must be a real numeric array, got None")
    try:
        arr = np.array(value, dtype=np.float64)  # always a copy: callers may not touch inputs
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be a real numeric array, got {type(value).__name__} ({exc})"
        ) from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {arr.shape}")
    return arr


def probabilities(name: str, arr: np.ndarray) -> np.ndarray:
    """Return ``arr`` unchanged if every entry lies in [0, 1] (NaN never does), else raise ``ValueError``."""
    inside = (arr >= 0.0) & (arr <= 1.0)
    if not np.all(inside):
        bad = float(arr[~inside].flat[0])
        raise ValueError(f"{name} must hold probabilities in [0, 1], got {bad}")
    return arr


def as_int_labels(name: str, value, n_classes: int | None = None) -> np.ndarray:
    """Return integer class labels of shape ``(n_samples,)``, checking their range."""
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of integer labels, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.equal(np.mod(arr, 1), 0)):
            raise ValueError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if n_classes is not None and arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{name} must hold labels in [0, {n_classes - 1}], got values from {arr.min()} to {arr.max()}"
        )
    return arr


def same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}")


def real_number(name: str, value, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float inside the given interval, or raise a clear error.

    ``low_open``/``high_open`` exclude the end points.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        bound = f"> {low}" if low_open else f">= {low}"
        raise ValueError(f"{name} must be {bound}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        bound = f"< {high}" if high_open else f"<= {high}"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` of at least ``minimum``, or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def generator(name: str, rng) -> np.random.Generator:
    """Require an explicit ``numpy.random.Generator`` (never the global NumPy state)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (for example np.random.default_rng(0)), "
            f"got {type(rng).__name__}"
        )
    return rng
