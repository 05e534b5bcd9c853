"""The test cells that nncourse.authoring writes: the hidden check before the visible ones."""

from __future__ import annotations

import pytest

from nncourse import authoring
from nncourse.judge import hidden_call

pytestmark = pytest.mark.project


def test_the_hidden_check_comes_before_the_visible_checks():
    cell = authoring.graded_test("mse", 2, "mse: the worked example.", "assert_close(mse(a, b), 1.0)")
    lines = cell.source.splitlines()
    assert lines[0] == '"""mse: the worked example."""'
    assert lines[1:4] == ["### BEGIN HIDDEN TESTS", '__import__("grader").check("mse", mse, points=2)',
                          "### END HIDDEN TESTS"]
    assert lines[4:] == ["assert_close(mse(a, b), 1.0)"]
    assert hidden_call(cell.source) == ("mse", 2.0)
    assert cell.metadata["nbgrader"] == {"grade": True, "grade_id": "test_mse", "locked": True, "points": 2,
                                         "schema_version": 3, "solution": False, "task": False}


@pytest.mark.parametrize("docstring, problem", [
    ("Checks mse.", "must start with 'mse:'"),
    ("mse: one\ntwo", "must be one line"),
])
def test_the_docstring_names_the_function_on_one_line(docstring, problem):
    with pytest.raises(ValueError, match=problem):
        authoring.graded_test("mse", 2, docstring, "pass")


def test_points_stay_between_1_and_3():
    with pytest.raises(ValueError, match="between 1 and 3"):
        authoring.graded_test("mse", 4, "mse: x.", "pass")
