"""Each lesson through the real nbgrader pipeline, in a temporary copy of the course.

Generate the assignment, validate the instructor version (passes) and the
release (fails everywhere, ``--invert``), then autograde three submissions:
the instructor version (full marks, its widget and demo cells left unrun), the
release (zero), one with subtle catalogued mistakes in two functions that
pass the visible checks (points lost on those functions only, the mistake
named in the graded notebook), and one with a classic slip that a visible
check catches (scored by the hidden judge all the same, the
mistake named in the graded notebook and in the feedback HTML, and a caller
of the slipped function told to fix it first).  The release also runs whole
in a plain kernel: nothing but the graded cells may fail.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nncourse import grading, pipeline
from nncourse.execute import SKIPPED
from grader.specs import REGISTRY

from .conftest import lesson_params

#: What the judge's report says when the visible checks of a test cell stopped after the hidden check.
VISIBLE_STOPPED = "The visible checks in this cell stopped"


def _planted(lesson_id: str) -> dict:
    """The lesson's ``PLANTED``, ``SLIPS`` and ``CALLERS`` from ``tests/notebooks/planted/<lesson>.py``."""
    path = Path(__file__).parent / "planted" / f"{lesson_id}.py"
    assert path.is_file(), f"choose two subtle mistakes and a classic slip to plant in {path}"
    namespace: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    assert namespace.get("SLIPS"), f"choose a classic slip that a visible check catches, in {path}"
    return {"planted": namespace["PLANTED"], "slips": namespace["SLIPS"], "callers": namespace.get("CALLERS", [])}


def _edited(source_path, edits, dest):
    """The instructor notebook with the solutions of some functions edited: ``[(name, [(old, new), ...])]``."""
    nb = json.loads(source_path.read_text())
    for name, replacements in edits:
        cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == name)
        code = "".join(cell["source"])
        code = "\n".join(line for line in code.splitlines() if "### BEGIN SOLUTION" not in line
                         and "### END SOLUTION" not in line)
        for old, new in replacements:
            assert old in code, f"the solution of {name} no longer holds {old!r}: update the planted slip"
            code = code.replace(old, new)
        cell["source"] = code
    dest.write_text(json.dumps(nb))
    return dest


def _planted_notebook(source_path, mistakes, dest):
    nb = json.loads(source_path.read_text())
    for name, _, code in mistakes:
        for cell in nb["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade_id") == name:
                cell["source"] = code.strip()
    dest.write_text(json.dumps(nb))
    return dest


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
    plants = _planted(lesson.id)
    planted_code = plants["planted"]
    pipeline.generate(course, lesson.id)
    source = pipeline.notebook_path(course, "source", lesson.id)
    release = pipeline.notebook_path(course, "release", lesson.id)

    assert not pipeline.validate(course, source).get("failed"), "the instructor version fails a test"
    inverted = pipeline.validate(course, release, invert=True)
    assert not inverted.get("passed"), f"release tests pass without work: {inverted.get('passed')}"

    planted = _planted_notebook(source, planted_code, tmp_path / "planted.ipynb")
    slipped = _edited(source, [(name, edits) for name, _, edits in plants["slips"]]
                      + [(name, edits) for name, _, edits in plants["callers"]], tmp_path / "slipped.ipynb")
    for student, notebook in (("instructor", source), ("blank", release), ("mistaken", planted),
                              ("slipped", slipped)):
        pipeline.submit(course, lesson.id, student, notebook)
        pipeline.autograde(course, lesson.id, student)

    full = pipeline.scores(course, lesson.id, "instructor")
    assert {g: s.score for g, s in full.items()} == {g: s.max_score for g, s in full.items()}
    assert set(full) == {f"test_{f}" for f in lesson.functions}

    graded = _cell_outputs(pipeline.notebook_path(course, "autograded", lesson.id, "instructor"))
    displays = [gid for gid, outs in graded.items() if SKIPPED in _text(outs)]
    assert displays and all("widget" in gid or "demo" in gid for gid in displays), displays

    blank = pipeline.scores(course, lesson.id, "blank")
    assert all(s.score == 0 for s in blank.values()), blank
    # Autograding skips the widgets and demos: run the student version whole, as a student would.
    student = nbformat.read(release, as_version=4)
    NotebookClient(student, timeout=120, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(release.parent)}}).execute()
    crashed = [cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id") for cell in student.cells
               if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("grade")
               and any(o.output_type == "error" for o in cell.outputs)]
    assert not crashed, f"the student version crashes outside the graded cells: {crashed}"

    mistaken = pipeline.scores(course, lesson.id, "mistaken")
    broken = {f"test_{name}" for name, _, _ in planted_code}
    outputs = _cell_outputs(pipeline.notebook_path(course, "autograded", lesson.id, "mistaken"))
    for gid, score in mistaken.items():
        if gid in broken:
            assert score.score < score.max_score, f"{gid} kept full marks with a planted mistake"
        else:
            assert score.score == score.max_score, f"{gid} lost points though only others were broken"
    for name, key, _ in planted_code:
        text = _text(outputs[f"test_{name}"])
        errors = [o for o in outputs[f"test_{name}"] if o["output_type"] == "error"]
        assert not errors and VISIBLE_STOPPED not in text, f"the visible checks of {name} should not catch {key!r}:\n{text}"
        assert REGISTRY[name].mistake(key).hint in text, text

    # A classic slip fails a visible check; the hidden judge scores it all the same and names it.
    slipped_scores = pipeline.scores(course, lesson.id, "slipped")
    outputs = _cell_outputs(pipeline.notebook_path(course, "autograded", lesson.id, "slipped"))
    feedback = grading.feedback(course, [grading.Result("slipped", lesson.id, "", True, 0.0)])
    page = html.unescape(feedback[0].read_text())
    slips = {f"test_{name}" for name, _, _ in plants["slips"]}
    for name, key, _ in plants["slips"]:
        score, text = slipped_scores[f"test_{name}"], _text(outputs[f"test_{name}"])
        assert score.score < score.max_score, f"{name} kept full marks with the slip {key!r}:\n{text}"
        assert VISIBLE_STOPPED in text, f"a visible check of {name} should catch {key!r}:\n{text}"
        hint = REGISTRY[name].mistake(key).hint
        assert f"Likely mistake: {hint}" in " ".join(text.split()), text
        assert hint in " ".join(page.split()), f"the feedback of {name} does not name {key!r}"
    for name, callee, _ in plants["callers"]:
        text = _text(outputs[f"test_{name}"])
        assert f"fix {callee} first" in text, text
    for gid, score in slipped_scores.items():
        if gid not in slips:
            assert score.score == score.max_score, f"{gid} lost points though only {sorted(slips)} slipped"
