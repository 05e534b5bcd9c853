"""The committed notebooks: sources clean and built from their scripts, releases in sync and leak-free."""

from __future__ import annotations

import json

import pytest

from nncourse import authoring, leaks, pipeline
from grader.specs import REGISTRY

from .conftest import ROOT, lesson_params



@pytest.mark.parametrize("lesson", lesson_params())
def test_source_notebook_has_no_outputs(lesson):
    nb = json.loads(pipeline.notebook_path(ROOT, "source", lesson.id).read_text())
    dirty = [c.get("id") for c in nb["cells"]
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"clear the outputs of cells {dirty} before committing"


@pytest.mark.parametrize("lesson", lesson_params())
def test_source_notebook_matches_its_authoring_script(lesson):
    assert authoring.build(lesson.id, ROOT, check=True), (
        f"source/{lesson.id} differs from authoring/{lesson.id}.py: "
        f"run `python -m nncourse.authoring {lesson.id}`")


@pytest.mark.parametrize("lesson", lesson_params())
def test_notebook_follows_the_curriculum_anatomy(lesson):
    nb = json.loads(pipeline.notebook_path(ROOT, "source", lesson.id).read_text())
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
    for name in lesson.functions:
        sol, test = cells.get(name), cells.get(f"test_{name}")
        assert sol is not None and sol["metadata"]["nbgrader"]["solution"], f"no solution cell for {name}"
        assert f"def {name}(" in "".join(sol["source"])
        assert test is not None and test["metadata"]["nbgrader"]["grade"], f"no test cell for {name}"
        points = test["metadata"]["nbgrader"]["points"]
        assert 1 <= points <= 3
        source = "".join(test["source"])
        assert source.startswith('"""') and source.splitlines()[0].endswith('"""'), "one-line docstring first"
        hidden = source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0].strip()
        assert hidden == f'__import__("grader").check("{name}", {name}, points={points:g})'
        assert name in REGISTRY


@pytest.mark.parametrize("lesson", lesson_params())
def test_release_matches_a_fresh_generation(lesson, course):
    committed = pipeline.notebook_path(ROOT, "release", lesson.id).read_text()
    pipeline.generate(course, lesson.id, db=False)
    fresh = pipeline.notebook_path(course, "release", lesson.id).read_text()
    assert committed == fresh, f"release/{lesson.id} is stale: run `make release`"


@pytest.mark.parametrize("lesson", lesson_params())
def test_source_notebook_would_leak_nothing(lesson):
    assert leaks.source_problems(pipeline.notebook_path(ROOT, "source", lesson.id)) == []


@pytest.mark.parametrize("lesson", lesson_params())
def test_release_holds_no_solution_and_no_hidden_test(lesson):
    problems = leaks.release_problems(pipeline.notebook_path(ROOT, "source", lesson.id),
                                      pipeline.notebook_path(ROOT, "release", lesson.id))
    assert problems == []


@pytest.mark.lesson01
def test_the_answers_to_prediction_questions_never_reach_the_release(tmp_path):
    """An instructor who tried the questions in source/ leaves predictions.json there; nbgrader must not copy it."""
    from .conftest import copy_course

    course = copy_course(tmp_path / "course", "01-loss-functions")
    (course / "source" / "01-loss-functions" / "predictions.json").write_text('{"01-ce-gradient-at-0.01": "about 50"}')
    pipeline.generate(course, "01-loss-functions")
    released = course / "release" / "01-loss-functions"
    assert (released / "01-loss-functions.ipynb").is_file()
    assert not (released / "predictions.json").exists()
