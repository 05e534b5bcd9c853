"""The notebook the browser tests open: the release with the reference answers, nothing hidden."""

from __future__ import annotations

import json

import pytest

from .student import ROOT, notebook, released_lessons, with_answers

LESSONS = [pytest.param(lid, marks=getattr(pytest.mark, f"lesson{lid[:2]}"), id=lid) for lid in released_lessons()]


def _cell(source: str, grade_id: str | None = None, solution: bool = False) -> dict:
    meta = {"nbgrader": {"grade_id": grade_id, "solution": solution}} if grade_id else {}
    return {"cell_type": "code", "metadata": meta, "source": source, "outputs": [], "execution_count": None}


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_release_with_answers_differs_from_the_release_only_in_its_solution_cells(lesson_id):
    source = json.loads(notebook(ROOT, "source", lesson_id).read_text())
    released = json.loads(notebook(ROOT, "release", lesson_id).read_text())
    filled = with_answers(source, released)
    assert len(filled["cells"]) == len(released["cells"])
    answered = 0
    for before, after in zip(released["cells"], filled["cells"]):
        if before["metadata"].get("nbgrader", {}).get("solution"):
            answered += 1
            text = after["source"]
            assert "NotImplementedError" not in text, f"{lesson_id}: a stub is left in {text[:80]!r}"
            assert "### BEGIN SOLUTION" not in text and "### END SOLUTION" not in text
        else:
            assert after == before
    assert answered >= 1, f"{lesson_id}: the release has no solution cell"
    assert "HIDDEN TESTS" not in json.dumps(filled)


@pytest.mark.project
def test_answers_lose_their_markers_and_keep_their_indentation():
    source = {"cells": [_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n",
                              "f", solution=True)]}
    released = {"cells": [_cell("def f(x):\n    raise NotImplementedError('f')", "f", solution=True)]}
    assert with_answers(source, released)["cells"][0]["source"] == "def f(x):\n    return x"
    assert released["cells"][0]["source"] == "def f(x):\n    raise NotImplementedError('f')", "input changed"


@pytest.mark.project
def test_a_solution_cell_without_an_answer_is_named():
    released = {"cells": [_cell("raise NotImplementedError", "g", solution=True)]}
    with pytest.raises(ValueError, match="'g'"):
        with_answers({"cells": [_cell("def f(): ...", "f", solution=True)]}, released)


@pytest.mark.project
def test_a_release_holding_hidden_tests_is_refused():
    released = {"cells": [_cell("### BEGIN HIDDEN TESTS\ncheck('f', f)\n### END HIDDEN TESTS", "test_f")]}
    with pytest.raises(ValueError, match="hidden tests"):
        with_answers({"cells": []}, released)
