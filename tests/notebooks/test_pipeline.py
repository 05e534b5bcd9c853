"""Each lesson through the real nbgrader pipeline, in a temporary copy of the course.

Generate the assignment, validate the instructor version (passes) and the
release (fails everywhere, ``--invert``), then autograde three submissions:
the instructor version (full marks), the release (zero; nothing but the
graded cells may fail), and one with catalogued mistakes in two functions
(points lost on those functions only, the mistake named in the graded
notebook).
"""

from __future__ import annotations

import json

import pytest

from grader import pipeline
from grader.specs import REGISTRY

from .conftest import lesson_params

#: Per lesson, two student solutions with a catalogued mistake each: subtle ones that pass the
#: visible checks, so the hidden check must catch them and name them.
PLANTED = {
    "01-loss-functions": [
        ("mse", "mean-over-rows", """
def mse(y_pred, y_true):
    y_pred, y_true = np.asarray(y_pred, dtype=float), np.asarray(y_true, dtype=float)
    if y_pred.shape != y_true.shape:
        raise ValueError("shapes differ")
    squared = (y_pred - y_true) ** 2
    if squared.ndim == 1:
        return float(squared.mean())
    return float(squared.sum(axis=1).mean())
"""),
        ("categorical_cross_entropy", "no-clip", """
def categorical_cross_entropy(probs, y_onehot, eps=1e-12):
    return float(np.mean(-np.sum(y_onehot * np.log(probs), axis=1)))
"""),
    ],
}


def _planted_notebook(source_path, mistakes, dest):
    nb = json.loads(source_path.read_text())
    for name, _, code in mistakes:
        for cell in nb["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade_id") == name:
                cell["source"] = code.strip()
    dest.write_text(json.dumps(nb))
    return dest


def _validate(course, path, *, invert):
    from nbgrader.validator import Validator

    validator = Validator(config=pipeline.load_config(course))
    validator.invert = invert
    return validator.validate(str(path))


def _cell_outputs(notebook_path):
    nb = json.loads(notebook_path.read_text())
    out = {}
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id") or cell.get("id")
        if cell["cell_type"] == "code":
            out[gid] = cell.get("outputs", [])
    return out


def _text(outputs):
    parts = []
    for o in outputs:
        text = o.get("text", "") if o["output_type"] == "stream" else json.dumps(o.get("data", o))
        parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts)


@pytest.mark.parametrize("lesson", lesson_params())
def test_lesson_through_nbgrader(lesson, course, tmp_path):
    assert lesson.id in PLANTED, f"choose two mistakes to plant for {lesson.id}"
    pipeline.generate(course, lesson.id)
    source = pipeline.notebook_path(course, "source", lesson.id)
    release = pipeline.notebook_path(course, "release", lesson.id)

    assert not _validate(course, source, invert=False).get("failed"), "the instructor version fails a test"
    inverted = _validate(course, release, invert=True)
    assert not inverted.get("passed"), f"release tests pass without work: {inverted.get('passed')}"

    planted = _planted_notebook(source, PLANTED[lesson.id], tmp_path / "planted.ipynb")
    for student, notebook in (("instructor", source), ("blank", release), ("mistaken", planted)):
        pipeline.submit(course, lesson.id, student, notebook)
        pipeline.autograde(course, lesson.id, student)

    full = pipeline.scores(course, lesson.id, "instructor")
    assert {g: s.score for g, s in full.items()} == {g: s.max_score for g, s in full.items()}
    assert set(full) == {f"test_{f}" for f in lesson.functions}

    blank = pipeline.scores(course, lesson.id, "blank")
    assert all(s.score == 0 for s in blank.values()), blank
    outputs = _cell_outputs(pipeline.notebook_path(course, "autograded", lesson.id, "blank"))
    crashed = [gid for gid, outs in outputs.items()
               if not gid.startswith("test_") and any(o["output_type"] == "error" for o in outs)]
    assert not crashed, f"the student version crashes outside the graded cells: {crashed}"

    mistaken = pipeline.scores(course, lesson.id, "mistaken")
    broken = {f"test_{name}" for name, _, _ in PLANTED[lesson.id]}
    outputs = _cell_outputs(pipeline.notebook_path(course, "autograded", lesson.id, "mistaken"))
    for gid, score in mistaken.items():
        if gid in broken:
            assert score.score < score.max_score, f"{gid} kept full marks with a planted mistake"
        else:
            assert score.score == score.max_score, f"{gid} lost points though only others were broken"
    for name, key, _ in PLANTED[lesson.id]:
        text = _text(outputs[f"test_{name}"])
        errors = [o for o in outputs[f"test_{name}"] if o["output_type"] == "error"]
        assert not errors, f"the visible checks of {name} should not catch {key!r}:\n{text}"
        assert REGISTRY[name].mistake(key).hint in text, text
