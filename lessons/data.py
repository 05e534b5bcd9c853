"""Real data for the demos: the 8x8 handwritten digits that scikit-learn ships.

Nothing is downloaded: the 1,797 images come inside the scikit-learn package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Split:
    """A train/test split: ``X`` of shape ``(n_samples, 64)`` in ``[0, 1]``, integer labels ``y``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max()) + 1)


def load_digits(*, test_fraction: float = 0.25, seed: int = 0, n_train: int | None = None) -> Split:
    """The digits, pixel values scaled to ``[0, 1]``, split at random into train and test sets.

    Parameters
    ----------
    test_fraction : float, default 0.25
        Share of the 1,797 images held out for testing, in ``(0, 1)``.
    seed : int, default 0
        Seed of the shuffle, so every run of a notebook sees the same split.
    n_train : int, optional
        Keep only the first ``n_train`` training images (a small training set
        overfits, which the regularization and dropout lessons need).

    Returns
    -------
    Split
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    from sklearn.datasets import load_digits as _sk_load_digits

    digits = _sk_load_digits()
    X = digits.data.astype(np.float64) / 16.0
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    if n_train is not None:
        if not 1 <= n_train <= len(train):
            raise ValueError(f"n_train must be between 1 and {len(train)}, got {n_train}")
        train = train[:n_train]
    return Split(X[train], y[train], X[test], y[test])


def one_hot(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Integer labels of shape ``(n_samples,)`` as one-hot rows of shape ``(n_samples, n_classes)``."""
    y = np.asarray(y)
    if y.ndim != 1 or (y.size and (y.min() < 0 or y.max() >= n_classes)):
        raise ValueError(f"y must be 1-D integer labels in [0, {n_classes - 1}], got shape {y.shape}")
    return np.eye(n_classes)[y]
