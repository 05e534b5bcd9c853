"""The digits: shapes, ranges, a reproducible split, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.data import load_digits, one_hot

pytestmark = pytest.mark.project


def test_split_shapes_scale_and_reproducibility():
    split = load_digits()
    assert split.X_train.shape[1] == 64 and len(split.X_train) + len(split.X_test) == 1797
    assert split.X_train.min() >= 0 and split.X_train.max() <= 1
    assert split.n_classes == 10
    again = load_digits()
    np.testing.assert_array_equal(split.y_test, again.y_test)
    assert not np.array_equal(load_digits(seed=1).y_test, split.y_test)


def test_small_training_set_and_errors():
    assert load_digits(n_train=100).X_train.shape == (100, 64)
    with pytest.raises(ValueError, match="n_train"):
        load_digits(n_train=0)
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits(test_fraction=1.5)


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="labels"):
        one_hot(np.array([3]), 3)


def test_the_course_copy_of_the_digits_is_scikit_learns():
    """The vendored file holds exactly scikit-learn's digits (the oracle), in the same order."""
    from sklearn.datasets import load_digits as sklearn_digits

    from lessons.data import _digits

    reference = sklearn_digits()
    pixels, digits = _digits()
    np.testing.assert_array_equal(pixels, reference.data)
    np.testing.assert_array_equal(digits, reference.target)
    split = load_digits(test_fraction=0.25, seed=0)
    order = np.random.default_rng(0).permutation(1797)
    np.testing.assert_array_equal(split.X_test, reference.data[order[:449]] / 16.0)
    np.testing.assert_array_equal(split.y_train, reference.target[order[449:]])
