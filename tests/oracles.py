"""Independent oracles shared by the tests: finite differences and PyTorch.

Expected values in this project's tests come from here, from closed forms or
from the worked numbers of the curriculum, never from the reference's output.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def numerical_grad(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite-difference gradient of a scalar function ``f`` at ``x``.

    Each coordinate is perturbed by ``+h`` and ``-h`` on a copy of ``x``; the
    error is O(h**2).
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        plus = x.copy()
        minus = x.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (f(plus) - f(minus)) / (2 * h)
    return grad


def numerical_elementwise_grad(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of an element-wise function: ``(f(x+h) - f(x-h)) / 2h``."""
    x = np.asarray(x, dtype=np.float64)
    return (f(x + h) - f(x - h)) / (2 * h)


def torch():
    """Import PyTorch lazily (it is a test-only dependency) in double precision."""
    import torch as _torch

    _torch.set_default_dtype(_torch.float64)
    return _torch
