"""The leak checks catch every way a solution or hidden test could reach students."""

from __future__ import annotations

import json

import pytest

from nncourse import authoring, leaks

pytestmark = pytest.mark.project

SOLUTION = 'def f(x):\n    """Double."""\n    ### BEGIN SOLUTION\n    return 2 * x + 0 * x + 0\n    ### END SOLUTION'


def _write(path, cells):
    path.write_text(authoring.render(cells))
    return path


def _good_cells():
    return [authoring.markdown("intro", "# Title"), authoring.solution("f", SOLUTION),
            authoring.graded_test("f", 1, "f: doubles.", "assert f(1) == 2")]


def test_a_well_formed_source_has_no_problems(tmp_path):
    assert leaks.source_problems(_write(tmp_path / "nb.ipynb", _good_cells())) == []


def test_solution_markers_outside_a_solution_cell(tmp_path):
    cells = _good_cells() + [authoring.code("helper", "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")]
    problems = leaks.source_problems(_write(tmp_path / "nb.ipynb", cells))
    assert any("not a solution cell" in p for p in problems)


def test_hidden_tests_outside_a_test_cell_and_unbalanced_markers(tmp_path):
    cells = _good_cells() + [authoring.code("peek", "### BEGIN HIDDEN TESTS\nsecret = 1")]
    problems = leaks.source_problems(_write(tmp_path / "nb.ipynb", cells))
    assert any("not a graded test cell" in p for p in problems)
    assert any("do not pair up" in p for p in problems)


def test_a_solution_cell_without_markers_would_release_the_answer(tmp_path):
    path = _write(tmp_path / "nb.ipynb", _good_cells())
    nb = json.loads(path.read_text())
    nb["cells"][1]["source"] = "def f(x):\n    return 2 * x + 0 * x + 0"
    path.write_text(json.dumps(nb))
    assert any("without ### BEGIN SOLUTION" in p for p in leaks.source_problems(path))


def test_release_problems_find_leaked_solution_and_hidden_text(tmp_path):
    source = _write(tmp_path / "source.ipynb", _good_cells())
    release = tmp_path / "release.ipynb"
    nb = json.loads(source.read_text())  # a "release" that kept everything
    release.write_text(json.dumps(nb))
    problems = leaks.release_problems(source, release)
    assert any("BEGIN SOLUTION" in p for p in problems)
    assert any("hidden test text" in p for p in problems)
    assert any("solution text of f" in p for p in problems)


def test_unreadable_notebook_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not a readable notebook"):
        leaks.source_problems(bad)
