"""The student-side checks: silent when right, a readable message when wrong, the likely mistake when known."""

from __future__ import annotations

import numpy as np
import pytest

from lessons import diagnosis
from lessons.checks import (CheckFailed, assert_close, assert_equal, assert_in_range, assert_raises, assert_shape,
                            assert_true, assert_type, assert_unchanged, gradient_check, numerical_gradient)

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


def test_assert_equal_type_range_and_true():
    assert_equal((3, 1), (3, 1))
    assert_equal(np.arange(3), np.array([0, 1, 2]))
    with pytest.raises(CheckFailed, match=r"early_stopping\(curve\) is \(4, 2\), expected \(3, 1\)"):
        assert_equal((4, 2), (3, 1), what="early_stopping(curve)")
    with pytest.raises(CheckFailed, match="is an array of shape"):
        assert_equal(np.zeros(20), np.ones(20))
    assert_type(1.5, float)
    with pytest.raises(CheckFailed, match="mse should be a float, got int"):
        assert_type(1, float, what="mse")
    with pytest.raises(CheckFailed, match="should hold 2 items, got 3"):
        assert_type((1, 2, 3), (tuple, list), length=2)
    assert_in_range(0.5, 0, 1)
    with pytest.raises(CheckFailed, match="the mean is 0.3, expected between -0.01 and 0.01"):
        assert_in_range(0.3, -0.01, 0.01, what="the mean")
    with pytest.raises(CheckFailed, match="at most 0"):
        assert_in_range(2.0, -np.inf, 0)
    assert_true(True, "never shown")
    with pytest.raises(CheckFailed, match="^use the rng argument$"):
        assert_true(False, "use the rng argument")


def test_assert_raises_wants_the_error_and_lets_a_stub_through():
    def checked(x):
        if x < 0:
            raise ValueError("x must be >= 0")
        return x

    assert_raises(ValueError, checked, -1)
    with pytest.raises(CheckFailed, match=r"checked\(\.\.\.\) returned 1; it should raise ValueError"):
        assert_raises(ValueError, checked, 1)
    with pytest.raises(CheckFailed, match=r"f\(0\) raised ZeroDivisionError: .*; it should raise ValueError"):
        assert_raises(ValueError, lambda x: 1 / x, 0, what="f(0)")

    def stub(x):
        raise NotImplementedError("stub is not implemented yet")

    with pytest.raises(NotImplementedError):
        assert_raises(ValueError, stub, 1)


def test_numerical_gradient_matches_a_closed_form():
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x), rtol=1e-8)


def test_gradient_check_catches_a_wrong_gradient():
    x = np.array([1.0, 2.0])
    gradient_check(lambda v: float(v @ v), lambda v: 2 * v, x)
    with pytest.raises(AssertionError, match="finite differences"):
        gradient_check(lambda v: float(v @ v), lambda v: v, x)


# --- the likely mistake ---------------------------------------------------------------------------

TABLE = {
    "mse": [
        {"check": 1, "kind": "close", "what": "mse([1, 2, 3], [1, 2, 5])", "got": diagnosis.signature(4.0),
         "mistake": "sum-not-mean", "hint": "take the mean, not the sum."},
        {"check": 2, "kind": "raises", "what": "mse of (3, 1) and (3,)", "got": diagnosis.signature("returned"),
         "mistake": "no-shape-check", "hint": "raise ValueError for different shapes."},
        {"check": 3, "kind": "raised", "what": None, "got": diagnosis.signature("IndexError"),
         "mistake": "rows", "hint": "index the rows."},
    ],
    "mse_grad": [],
}


@pytest.fixture
def table(monkeypatch):
    monkeypatch.setattr(diagnosis, "_table", lambda: TABLE)


def test_a_value_a_catalogued_mistake_gives_is_named(table):
    with diagnosis.test_cell("mse"):
        with pytest.raises(CheckFailed) as failed:
            assert_close(4.0 + 1e-12, 4 / 3, what="mse([1, 2, 3], [1, 2, 5])")
    assert str(failed.value).splitlines() == ["mse([1, 2, 3], [1, 2, 5]) is 4, expected 1.33333",
                                              "Likely mistake: take the mean, not the sum."]
    assert (failed.value.function, failed.value.index, failed.value.kind) == ("mse", 1, "close")


def test_another_value_or_another_check_names_nothing(table):
    with diagnosis.test_cell("mse"):
        with pytest.raises(CheckFailed) as failed:
            assert_close(5.0, 4 / 3, what="mse([1, 2, 3], [1, 2, 5])")
    assert "Likely mistake" not in str(failed.value)
    with diagnosis.test_cell("mse"):
        assert_close(1.0, 1.0)  # check 1 passes; check 2 is not the one that fails with 4
        with pytest.raises(CheckFailed) as failed:
            assert_close(4.0, 4 / 3, what="mse([1, 2, 3], [1, 2, 5])")
    assert "Likely mistake" not in str(failed.value)


def test_without_a_test_cell_the_label_alone_finds_the_hint(table):
    with pytest.raises(CheckFailed, match="Likely mistake: raise ValueError for different shapes"):
        assert_raises(ValueError, lambda a, b: 0.0, np.zeros((3, 1)), np.zeros(3), what="mse of (3, 1) and (3,)")


def test_the_function_to_fix_first_is_named(table):
    def mse_grad(y_pred, y_true):
        return 2 * mse(y_pred, y_true)  # noqa: F821 - looked up in the notebook's namespace

    ns = {"mse_grad": mse_grad}
    with diagnosis.test_cell("mse_grad", ns) as session:
        session.status["mse"] = "failed"
        with pytest.raises(CheckFailed) as failed:
            assert_close(1.0, 2.0, what="mse_grad(...)")
        session.status.clear()
    assert "mse_grad calls your mse, whose visible checks failed when you last ran them: fix mse first" in str(
        failed.value)


def test_signatures_compare_within_rounding_and_by_shape():
    assert diagnosis.same(diagnosis.signature(np.array([1.0, 2.0])), diagnosis.signature([1.0, 2.0 + 1e-10]))
    assert not diagnosis.same(diagnosis.signature(np.array([1.0, 2.0])), diagnosis.signature([[1.0, 2.0]]))
    assert not diagnosis.same(diagnosis.signature(1.0), diagnosis.signature(1.01))
    big = np.arange(1000.0)
    assert diagnosis.same(diagnosis.signature(big), diagnosis.signature(big * (1 + 1e-9)))
    assert not diagnosis.same(diagnosis.signature(big), diagnosis.signature(big[::-1]))
    assert diagnosis.same(diagnosis.signature((np.nan, "x")), diagnosis.signature((np.nan, "x")))
    assert not diagnosis.same(diagnosis.signature(None), diagnosis.signature(0.0))
