"""Step 5 of grading: the scores of every graded submission, from the gradebook, as a table and a CSV file.

The scores are nbgrader's, written by :mod:`nncourse.grading` after :mod:`nncourse.judge` judged each
hidden test; this module only reads them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from . import pipeline


@dataclass(frozen=True)
class Grade:
    student: str
    lesson: str
    score: float
    max_score: float


def grades(root: Path, lessons: list[str]) -> list[Grade]:
    """The score of every autograded submission, from the gradebook."""
    out = []
    with pipeline.gradebook(root) as gb:
        known = {a.name for a in gb.assignments}
        for lesson_id in lessons:
            if lesson_id not in known:
                continue
            for submission in gb.assignment_submissions(lesson_id):
                out.append(Grade(submission.student.id, lesson_id, float(submission.score),
                                 float(submission.max_score)))
    return sorted(out, key=lambda g: (g.student, g.lesson))


def write_csv(path: Path, rows: list[Grade]) -> Path:
    path = Path(path)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "lesson", "score", "max_score"])
        for g in rows:
            writer.writerow([g.student, g.lesson, f"{g.score:g}", f"{g.max_score:g}"])
    return path


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
            cells.append(f"{f'{g.score:>5g} / {g.max_score:<4g}' if g else '-':>{w}}")
            if g:
                total, maximum = total + g.score, maximum + g.max_score
        lines.append(f"{s:<{width}}  " + "  ".join(cells) + f"  {total:>4g}/{maximum:<4g}")
    means = []
    for c, w in zip(cols, widths):
        scores = [by[(s, c)].score for s in students if (s, c) in by]
        means.append(f"{sum(scores) / len(scores):>{w}.2f}" if scores else f"{'-':>{w}}")
    lines.append("-" * len(header))
    lines.append(f"{'mean':<{width}}  " + "  ".join(means))
    return "\n".join(lines)
