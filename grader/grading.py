"""Autograding every new or changed submission, in parallel worker processes.

A submission is "new or changed" when the SHA-256 of its notebook differs
from the one recorded when it was last graded (``autograded/.nncourse-graded.json``).
Each worker runs ``nbgrader autograde`` for one student and lesson; one
broken submission is reported and never stops the others.  The gradebook is
SQLite, opened with a busy timeout (see ``nbgrader_config.py``) so parallel
writers wait for each other instead of failing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from . import pipeline

STATE_FILE = ".nncourse-graded.json"


@dataclass(frozen=True)
class Job:
    student: str
    lesson: str
    digest: str


@dataclass(frozen=True)
class Result:
    student: str
    lesson: str
    digest: str
    ok: bool
    seconds: float
    error: str = ""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _state_path(root: Path) -> Path:
    return Path(root) / "autograded" / STATE_FILE


def load_state(root: Path) -> dict[str, str]:
    path = _state_path(root)
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())
    except ValueError:
        return {}  # a damaged record only means regrading


def _save_state(root: Path, state: dict[str, str]) -> None:
    path = _state_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(state, indent=1, sort_keys=True))
    partial.replace(path)


def submissions(root: Path, lessons: list[str]) -> list[tuple[str, str, Path]]:
    """Every ``(student, lesson, notebook)`` under ``submitted/`` for the given lessons."""
    found = []
    base = Path(root) / "submitted"
    if not base.is_dir():
        return found
    for student_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for lesson_id in lessons:
            notebook = pipeline.notebook_path(root, "submitted", lesson_id, student_dir.name)
            if notebook.is_file():
                found.append((student_dir.name, lesson_id, notebook))
    return found


def pending(root: Path, lessons: list[str]) -> list[Job]:
    """Submissions not graded yet, or changed since they were graded."""
    state = load_state(root)
    jobs = []
    for student, lesson_id, notebook in submissions(root, lessons):
        digest = _digest(notebook)
        if state.get(f"{student}/{lesson_id}") != digest:
            jobs.append(Job(student, lesson_id, digest))
    return jobs


def _run(root: str, job: Job) -> Result:
    """Worker: autograde one submission; never raises."""
    start = time.perf_counter()
    try:
        pipeline.autograde(Path(root), job.lesson, job.student)
    except Exception as exc:  # noqa: BLE001 - one broken submission must not stop the others
        message = str(exc).strip().splitlines()
        tail = [line for line in message if line.strip()][-3:]
        return Result(job.student, job.lesson, job.digest, False, time.perf_counter() - start,
                      " | ".join(tail)[:500] or type(exc).__name__)
    return Result(job.student, job.lesson, job.digest, True, time.perf_counter() - start)


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = int(width * done / total) if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def grade(root: Path, lessons: list[str], *, jobs: int | None = None, progress="stderr") -> list[Result]:
    """Autograde every new or changed submission of ``lessons`` with ``jobs`` worker processes.

    Progress lines go to ``progress`` (a stream; standard error by default; ``None`` for silence).

    Returns one :class:`Result` per submission graded.  The generated
    assignments must exist in the gradebook (``nncourse grade`` makes sure).
    """
    root = Path(root).resolve()
    progress = sys.stderr if progress == "stderr" else progress
    todo = pending(root, lessons)
    if not todo:
        return []
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    state = load_state(root)
    results = []
    if progress:
        print(f"grading {len(todo)} submission(s) with {workers} worker(s)", file=progress)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_run, str(root), job) for job in todo]
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            if result.ok:
                state[f"{result.student}/{result.lesson}"] = result.digest
                _save_state(root, state)  # after each one: an interrupted run resumes where it stopped
            if progress:
                status = "ok" if result.ok else f"FAILED: {result.error}"
                print(f"{_bar(len(results), len(todo))} {result.student} {result.lesson} "
                      f"{result.seconds:.1f} s {status}", file=progress)
    return sorted(results, key=lambda r: (r.lesson, r.student))


def feedback(root: Path, results: list[Result]) -> list[Path]:
    """nbgrader's feedback HTML for every submission graded successfully."""
    api = pipeline.api(root)
    written = []
    for result in results:
        if not result.ok:
            continue
        pipeline.checked(api.generate_feedback(result.lesson, result.student, force=True),
                          f"generate_feedback {result.lesson} for {result.student}")
        written.append(pipeline.notebook_path(root, "feedback", result.lesson, result.student))
    return written


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
    """A table of scores, a row per student and a column per lesson, with per-lesson means."""
    students = sorted({g.student for g in rows})
    cols = [lesson for lesson in lessons if any(g.lesson == lesson for g in rows)]
    if not students:
        return "no graded submissions"
    by = {(g.student, g.lesson): g for g in rows}
    width = max(len("student"), *(len(s) for s in students))
    header = f"{'student':<{width}}  " + "  ".join(f"{c[:12]:>12}" for c in cols) + f"  {'total':>9}"
    lines = [header, "-" * len(header)]
    for s in students:
        cells, total, maximum = [], 0.0, 0.0
        for c in cols:
            g = by.get((s, c))
            cells.append(f"{g.score:>5g} / {g.max_score:<4g}" if g else f"{'-':>12}")
            if g:
                total, maximum = total + g.score, maximum + g.max_score
        lines.append(f"{s:<{width}}  " + "  ".join(f"{x:>12}" for x in cells) + f"  {total:>4g}/{maximum:<4g}")
    means = []
    for c in cols:
        scores = [by[(s, c)].score for s in students if (s, c) in by]
        means.append(f"{sum(scores) / len(scores):>12.2f}" if scores else f"{'-':>12}")
    lines.append("-" * len(header))
    lines.append(f"{'mean':<{width}}  " + "  ".join(means))
    return "\n".join(lines)
