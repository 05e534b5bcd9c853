"""The student-side checks: silent when right, a readable message when wrong."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.checks import assert_close, assert_shape, assert_unchanged, gradient_check, numerical_gradient

pytestmark = pytest.mark.project


def test_assert_close_passes_and_names_the_differing_entry():
    assert_close(np.array([1.0, 2.0]), [1.0, 2.0 + 1e-12])
    with pytest.raises(AssertionError, match=r"entry \(1,\): got 3, expected 2"):
        assert_close(np.array([1.0, 3.0]), [1.0, 2.0], what="f(x)")


def test_assert_close_explains_none_and_shapes():
    with pytest.raises(AssertionError, match="forget to `return`"):
        assert_close(None, 1.0)
    with pytest.raises(AssertionError, match=r"shape \(2,\), expected shape \(2, 1\)"):
        assert_close(np.zeros(2), np.zeros((2, 1)))


def test_assert_shape_and_unchanged():
    assert_shape(np.zeros((2, 3)), (2, 3))
    with pytest.raises(AssertionError, match="NumPy array"):
        assert_shape([0, 0], (2,))
    with pytest.raises(AssertionError, match="in place"):
        assert_unchanged(np.zeros(2), np.ones(2))


def test_numerical_gradient_matches_a_closed_form():
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x), rtol=1e-8)


def test_gradient_check_catches_a_wrong_gradient():
    x = np.array([1.0, 2.0])
    gradient_check(lambda v: float(v @ v), lambda v: 2 * v, x)
    with pytest.raises(AssertionError, match="finite differences"):
        gradient_check(lambda v: float(v @ v), lambda v: v, x)

