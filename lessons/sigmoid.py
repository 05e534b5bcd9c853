"""A numerically stable logistic sigmoid for the demos and widgets (lesson 09 has students write their own)."""

from __future__ import annotations

import numpy as np


def stable_sigmoid(z) -> np.ndarray:
    """:math:`1 / (1 + e^{-z})` without overflow: ``e**-|z|`` never exceeds 1."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
