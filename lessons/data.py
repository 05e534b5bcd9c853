"""Real data for the demos: the 8x8 handwritten digits.

Nothing is downloaded: the 1,797 images ship with the course, in ``digits.csv.gz``
beside this module (one image per row, 64 pixel counts from 0 to 16, then the
digit). The file is the copy scikit-learn ships, byte for byte, of the test set
of the UCI "Optical Recognition of Handwritten Digits" data (E. Alpaydin and
C. Kaynak, 1998; CC BY 4.0): the course keeps its own so that a student's
install needs no scikit-learn.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DIGITS_FILE = Path(__file__).with_name("digits.csv.gz")


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 images as 0..16 pixel counts of shape ``(1797, 64)``, and their digits; read once."""
    table = np.loadtxt(DIGITS_FILE, delimiter=",", dtype=np.int64)
    pixels, digits = table[:, :-1], table[:, -1]
    pixels.flags.writeable = digits.flags.writeable = False
    return pixels, digits


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
    pixels, digits = _digits()
    X = pixels.astype(np.float64) / 16.0
    y = digits.copy()
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
