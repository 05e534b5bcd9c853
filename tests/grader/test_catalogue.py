"""Every graded function: the reference scores full marks, every catalogued mistake
loses points and is named in the message, and the stub scores zero."""

from __future__ import annotations

import pytest

from grader.check import BelowFullMarks, check, grade as judged
from grader.course import LESSONS, lesson_of
from grader.specs import REGISTRY


def _params(items):
    return [pytest.param(*item, marks=getattr(pytest.mark, lesson_of(item[0]).marker),
                         id="-".join(str(i) for i in item[:2]))
            for item in items]


SPEC_NAMES = _params([(name,) + ("",) for name in sorted(REGISTRY)])
MISTAKES = _params([(name, m.key) for name, spec in sorted(REGISTRY.items()) for m in spec.mistakes])


@pytest.mark.project
def test_every_graded_function_has_a_spec():
    expected = {f for lesson in LESSONS for f in lesson.functions}
    assert set(REGISTRY) == expected


@pytest.mark.project
def test_every_graded_function_has_catalogued_mistakes():
    bare = [name for name, spec in REGISTRY.items() if not spec.mistakes]
    assert not bare, f"no catalogued mistakes for {bare}"


@pytest.mark.parametrize("name,_", SPEC_NAMES)
def test_reference_gets_full_marks(grade, name, _):
    score, message = grade(name, REGISTRY[name].reference, points=3)
    assert score == 3, message
    assert "all" in message and "checks passed" in message


@pytest.mark.parametrize("name,key", MISTAKES)
def test_catalogued_mistake_loses_points_and_is_named(grade, name, key):
    mistake = REGISTRY[name].mistake(key)
    score, message = grade(name, mistake.fn, points=3)
    assert score < 3, f"mistake {key!r} got full marks:\n{message}"
    assert mistake.hint in message, f"mistake {key!r} not named:\n{message}"


@pytest.mark.parametrize("name,_", SPEC_NAMES)
def test_stub_scores_zero_with_a_friendly_message(grade, name, _):
    def stub(*args, **kwargs):
        raise NotImplementedError(f"implement {name}")

    score, message = grade(name, stub, points=2)
    assert score == 0
    assert "not implemented yet" in message


@pytest.mark.parametrize("name,_", SPEC_NAMES)
def test_calling_the_reference_scores_zero(capsys, name, _):
    reference = REGISTRY[name].reference

    def borrowed(*args, **kwargs):
        return reference(*args, **kwargs)

    score = judged(name, borrowed, points=2)
    out, err = capsys.readouterr()
    assert score == 0 and err == ""
    assert "own work" in out and "solutions" in out


@pytest.mark.parametrize("name,_", SPEC_NAMES)
def test_no_grader_code_runs_under_the_watch(capsys, name, _):
    """Grading the reference with only ``grader`` forbidden: any grader code that runs as if it were
    the student's (a post step, a comprehension inside one) would cost the student everything."""
    from grader.check import grade as grade_with

    score = grade_with(name, REGISTRY[name].reference, 2, forbidden=("grader",))
    assert score == 2, capsys.readouterr().out


@pytest.mark.parametrize("name,key", MISTAKES[:3])
def test_calling_the_grader_scores_zero(capsys, name, key):
    assert judged(name, REGISTRY[name].mistake(key).fn, points=2) == 0
    assert "`grader` package" in capsys.readouterr().out


def test_a_judged_check_below_full_marks_fails_the_instructors_cell(capsys):
    """In the instructor's notebook the hidden check runs first, so its score is not the cell's result:
    it raises after its report, and ``nbgrader validate`` of the instructor version fails."""
    def mse(y_pred, y_true, total=False):
        if y_pred.shape != y_true.shape:
            raise ValueError(f"shapes {y_pred.shape} and {y_true.shape} differ")
        squares = [(a - b) ** 2 for a, b in zip(y_pred.ravel().tolist(), y_true.ravel().tolist())]
        return float(sum(squares) / (1 if total else len(squares)))

    assert check("mse", mse, points=2) == 2
    with pytest.raises(BelowFullMarks, match="mse scores .* of 2 against the reference"):
        check("mse", lambda y_pred, y_true: mse(y_pred, y_true, total=True), points=2)
    assert "Likely mistake: you add up the squared errors" in capsys.readouterr().out
