"""Step 5 of grading: the scores, from the gradebook, as a table, ``grades.csv`` and the LMSs' import files.

The scores are nbgrader's, written by :mod:`nncourse.grading` after :mod:`nncourse.judge` judged each
hidden test; this module only reads them, with the class list (:mod:`nncourse.roster`) for the
students who handed nothing in and for the LMS's ids, and :mod:`nncourse.collect`'s record of each
submission (its time and whether it was late).

``grades.csv`` has one row per student and lesson: ``student, name, lesson, status, score,
max_score, submitted, late``, then one column per graded cell of the lessons in the file (a graded
function's column is its name; a written answer's, its cell id). ``status`` is ``graded``, or
``missing`` for a roster student with no submission (score and cells empty).
:func:`write_canvas` and :func:`write_moodle` write what the LMS's gradebook import reads.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import pipeline
from . import roster as roster_module
from grader.course import lesson as lesson_info


@dataclass(frozen=True)
class Grade:
    student: str
    lesson: str
    score: float | None
    max_score: float
    status: str = "graded"
    #: ``(column, score, max_score)`` per graded cell, in the notebook's order.
    cells: tuple[tuple[str, float | None, float], ...] = field(default=(), compare=False)
    submitted: datetime | None = field(default=None, compare=False)
    late: bool = field(default=False, compare=False)


def column(cell_name: str) -> str:
    """A graded cell's column: ``test_mse`` is the function ``mse``; a written answer keeps its id."""
    return cell_name.removeprefix("test_")


def lesson_points(root: Path, lesson_id: str) -> dict[str, float]:
    """``{column: points}`` of a lesson's graded cells, in order, from its source notebook."""
    nb = json.loads(pipeline.notebook_path(root, "source", lesson_id).read_text())
    out = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") or meta.get("task"):
            out[column(meta["grade_id"])] = float(meta.get("points", 0))
    return out


def _late(root: Path) -> dict[str, bool]:
    """``{"student/lesson": late}`` from collect's record of each submission."""
    from . import collect

    return {key: bool(r.get("late")) for key, r in collect.records(root).items()}


def grades(root: Path, lessons: list[str], *, roster: roster_module.Roster | None = None) -> list[Grade]:
    """Every autograded submission's scores, cell by cell; and, for each student of the roster (the
    course's ``roster.csv`` by default) without a graded submission of a lesson, a row with no score
    (``missing``, or ``not graded`` when handed in)."""
    roster = roster if roster is not None else roster_module.course_roster(root)
    late = _late(root)
    out = []
    with pipeline.gradebook(root) as gb:
        known = {a.name for a in gb.assignments}
        for lesson_id in lessons:
            points = lesson_points(root, lesson_id)
            maximum = sum(points.values())
            graded = set()
            for submission in (gb.assignment_submissions(lesson_id) if lesson_id in known else []):
                found = [g for nb in submission.notebooks for g in nb.grades]
                # A written answer nobody has graded yet has no score (nbgrader would count it as 0).
                scores = {column(g.name): None if g.auto_score is None and g.manual_score is None else g.score
                          for g in found}
                cells = tuple((c, scores.get(c), p) for c, p in points.items())
                student = submission.student.id
                graded.add(student)
                status = "to grade by hand" if any(g.needs_manual_grade and g.manual_score is None for g in found) else "graded"
                out.append(Grade(student, lesson_id, float(submission.score), float(submission.max_score), status,
                                 cells, submission.timestamp, late.get(f"{student}/{lesson_id}", False)))
            for student in (roster.ids() if roster else []):
                if student not in graded:
                    handed_in = pipeline.notebook_path(root, "submitted", lesson_id, student).is_file()
                    out.append(Grade(student, lesson_id, None, maximum, "not graded" if handed_in else "missing",
                                     tuple((c, None, p) for c, p in points.items())))
    return sorted(out, key=lambda g: (g.student, g.lesson))


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write_csv(path: Path, rows: list[Grade], *, roster: roster_module.Roster | None = None) -> Path:
    """``grades.csv`` (see the module's docstring), written atomically."""
    columns: list[str] = []
    for g in rows:
        columns += [c for c, _, _ in g.cells if c not in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "name", "lesson", "status", "score", "max_score", "submitted", "late", *columns])
    for g in rows:
        person = roster.get(g.student) if roster else None
        cells = {c: s for c, s, _ in g.cells}
        writer.writerow([g.student, person.name if person else "", g.lesson, g.status, _number(g.score),
                         _number(g.max_score), g.submitted.isoformat(sep=" ", timespec="seconds") if g.submitted else "",
                         "yes" if g.late else ("" if g.status == "missing" else "no"),
                         *(_number(cells.get(c)) if c in cells else "" for c in columns)])
    return _write(Path(path), out.getvalue())


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path


def _totals(rows: list[Grade]) -> dict[tuple[str, str], Grade]:
    return {(g.student, g.lesson): g for g in rows}


def write_canvas(path: Path, rows: list[Grade], roster: roster_module.Roster, lessons: list[str], *,
                 headers: dict[str, str] | None = None) -> Path:
    """A CSV that Canvas's gradebook import reads: its own export's identity columns (Student, ID,
    SIS User ID, SIS Login ID, Section), the "Points Possible" row, and one column per lesson.

    ``headers`` maps a lesson to the column name it has in the instructor's Canvas gradebook export
    (``"Loss functions (123456)"``: Canvas matches the number to the assignment); a lesson without one
    is named by its id, and Canvas offers to create that assignment on import. Only students of the
    roster that Canvas knows (a Canvas ID) get a row; a missing submission leaves its cell empty.
    """
    headers = headers or {}
    names = [headers.get(lesson_id, lesson_id) for lesson_id in lessons]
    by = _totals(rows)
    maximum = {g.lesson: g.max_score for g in rows}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *names])
    writer.writerow(["    Points Possible", "", "", "", "", *(_number(maximum.get(lesson_id)) for lesson_id in lessons)])
    for person in roster.students:
        if not person.canvas_id:
            continue
        writer.writerow([person.sortable_name or person.name, person.canvas_id, person.sis_user_id,
                         person.sis_login_id, person.section,
                         *(_number(by[(person.student, lesson_id)].score) if (person.student, lesson_id) in by else ""
                           for lesson_id in lessons)])
    return _write(Path(path), out.getvalue())


def write_moodle(path: Path, rows: list[Grade], roster: roster_module.Roster, lessons: list[str]) -> Path:
    """A CSV for Moodle's "Import grades: CSV file": its export's identity columns (First name, Last name,
    ID number, Email address) and one column per lesson, named by its id.

    In Moodle's import, map "Email address" (or "ID number") to the user field of the same name, and
    each lesson's column to its assignment's grade item. Every roster student gets a row; a missing
    submission leaves its cell empty, which Moodle's import skips rather than setting to zero.
    """
    by = _totals(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["First name", "Last name", "ID number", "Email address", *lessons])
    for person in roster.students:
        first, last = person.first_name, person.last_name
        if not (first or last):
            first, _, last = person.name.partition(" ")
        writer.writerow([first, last, person.id_number, person.email,
                         *(_number(by[(person.student, lesson_id)].score) if (person.student, lesson_id) in by else ""
                           for lesson_id in lessons)])
    return _write(Path(path), out.getvalue())


def canvas_headers(gradebook_export: Path, lessons: list[str]) -> dict[str, str]:
    """Each lesson's column in a Canvas gradebook export, matched by the lesson's id or title in its name."""
    with Path(gradebook_export).open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    found = {}
    for lesson_id in lessons:
        keys = {roster_module.normal_name(lesson_id), roster_module.normal_name(lesson_info(lesson_id).title)}
        matches = [h for h in header if any(k and k in roster_module.normal_name(h) for k in keys)]
        if len(matches) == 1:
            found[lesson_id] = matches[0]
    return found


def summary(rows: list[Grade], lessons: list[str]) -> str:
    """A table of scores, a row per student and a column per lesson (named in full), with per-lesson means."""
    students = sorted({g.student for g in rows})
    cols = [lesson for lesson in lessons if any(g.lesson == lesson for g in rows)]
    if not students:
        return "no graded submissions"
    by = {(g.student, g.lesson): g for g in rows}
    width = max(len("student"), len("mean"), *(len(s) for s in students))
    widths = [max(12, len(c)) for c in cols]
    header = f"{'student':<{width}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(cols, widths)) + f"  {'total':>9}"
    lines = [header, "-" * len(header)]
    for s in students:
        cells, total, maximum = [], 0.0, 0.0
        for c, w in zip(cols, widths):
            g = by.get((s, c))
            shown = f"{g.score:>5g} / {g.max_score:<4g}" if g and g.score is not None else (g.status if g else "-")
            cells.append(f"{shown:>{w}}")
            if g and g.score is not None:
                total, maximum = total + g.score, maximum + g.max_score
        lines.append(f"{s:<{width}}  " + "  ".join(cells) + f"  {total:>4g}/{maximum:<4g}")
    means = []
    for c, w in zip(cols, widths):
        scores = [by[(s, c)].score for s in students if (s, c) in by and by[(s, c)].score is not None]
        means.append(f"{sum(scores) / len(scores):>{w}.2f}" if scores else f"{'-':>{w}}")
    lines.append("-" * len(header))
    lines.append(f"{'mean':<{width}}  " + "  ".join(means))
    return "\n".join(lines)
