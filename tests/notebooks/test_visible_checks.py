"""The visible checks of every test cell, run with the reference, correct variants and catalogued mistakes.

- the reference answer passes them with every other graded function a stub
  (a test cell checks its own function only, so a wrong answer elsewhere
  never fails it);
- every correct variant of the grader's tests passes them too (a failed
  visible check costs points when every hidden check passed, so they must
  never fail correct work);
- the shipped hints (``lessons/visible_hints.json``) are what the release
  step makes from the catalogue now, and name the likely mistake at the
  visible check for at least 80% of the catalogued mistakes.
"""

from __future__ import annotations

import importlib
import json

import pytest

from nncourse import visible_hints
from grader.course import LESSONS
from grader.specs import REGISTRY
from lessons import diagnosis

from .conftest import ROOT, lesson_params

#: The share of catalogued mistakes whose hint a student must hear at the visible check.
NAMED_AT_VISIBLE = 0.80


@pytest.fixture(scope="module")
def notebooks():
    return {}


def _lesson(notebooks, lesson_id):
    if lesson_id not in notebooks:
        notebooks[lesson_id] = visible_hints.Lesson(lesson_id, ROOT)
    return notebooks[lesson_id]


def _stub(name):
    def stub(*args, **kwargs):
        raise NotImplementedError(f"{name} is not implemented yet: replace this line with your code")
    return stub


@pytest.mark.parametrize("lesson", lesson_params())
def test_the_reference_passes_its_visible_checks_whatever_the_other_answers(lesson, notebooks):
    notebook = _lesson(notebooks, lesson.id)
    reference = notebook.namespace()
    for name in lesson.functions:
        stubs = {other: _stub(other) for other in lesson.functions if other != name}
        seen = notebook.run(name, reference[name], replace=stubs)
        assert not seen.failed, f"{name}: {seen.message}"


def _variants(lesson):
    return importlib.import_module(f"tests.grader.test_{lesson.module}").VARIANTS


@pytest.mark.parametrize("lesson", lesson_params())
def test_every_correct_variant_passes_the_visible_checks(lesson, notebooks):
    notebook = _lesson(notebooks, lesson.id)
    failures = []
    for name, variants in _variants(lesson).items():
        for variant in variants:
            seen = notebook.run(name, variant)
            if seen.failed:
                failures.append(f"{name} / {variant.__name__}: {seen.message}")
    assert not failures, "\n".join(failures)


@pytest.mark.project
def test_the_shipped_hints_are_what_the_release_makes_now():
    committed = json.loads(diagnosis.HINTS_FILE.read_text())
    assert committed == json.loads(visible_hints.render(ROOT)), (
        "lessons/visible_hints.json is stale: run `make release` (or `python -m nncourse.visible_hints`)")


@pytest.mark.project
def test_the_shipped_hints_hold_no_code_and_only_catalogued_hints():
    table = json.loads(diagnosis.HINTS_FILE.read_text())["functions"]
    assert set(table) == {f for lesson in LESSONS for f in lesson.functions}
    for name, rows in table.items():
        hints = {m.key: m.hint for m in REGISTRY[name].mistakes}
        for row in rows:
            assert set(row) == {"check", "kind", "what", "got", "mistake", "hint"}
            assert hints[row["mistake"]] == row["hint"]
    text = diagnosis.HINTS_FILE.read_text()
    assert "def " not in text and "solutions" not in text and "lambda" not in text


@pytest.mark.project
def test_most_catalogued_mistakes_are_named_at_the_visible_check():
    rows = visible_hints.coverage(ROOT)
    assert len(rows) == sum(len(spec.mistakes) for spec in REGISTRY.values())
    named = [r for r in rows if r.named]
    assert len(named) >= NAMED_AT_VISIBLE * len(rows), "\n".join(
        f"{r.function} / {r.mistake}: {r.why}" for r in rows if not r.named)
    # A mistake that fails a visible check the same way every time is named there, unless it looks exactly
    # like mistakes listed before it.
    unexplained = [r for r in rows if not r.named and r.why.startswith("not in the shipped hints")]
    assert not unexplained, unexplained
