"""Autograding every new or changed submission, in parallel worker processes.

A submission is "new or changed" when the SHA-256 of its notebook differs
from the one recorded when it was last graded (``autograded/.nncourse-graded.json``).
Each worker runs ``nbgrader autograde`` for one student and lesson; one
broken submission is reported and never stops the others.  The gradebook is
SQLite, opened with a busy timeout (see ``nbgrader_config.py``) so parallel
writers wait for each other instead of failing.

Student code runs in the sandbox of :mod:`nncourse.sandbox` (grading refuses
to start without it unless switched off).  A worker dies with the grading
process, even on ``kill -9``; the record is written after each submission,
so a re-run grades exactly what was not finished.  A submission that cannot
be graded (not JSON, no notebook, symbolic links) gets a one-line reason;
one graded with trouble inside (a timeout, a dead kernel, cut output) is
listed with :func:`problems`.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import execute, pipeline, sandbox
from grader.course import lesson as lesson_info

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
    #: What went wrong inside a graded notebook (timeouts, dead kernels, cut outputs), one line each.
    problems: tuple[str, ...] = ()


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
    """Every ``(student, lesson, notebook)`` under ``submitted/`` for the given lessons.

    A lesson folder without ``<lesson>.ipynb`` (a missing or renamed
    notebook) is listed too: grading reports it and records a zero.
    """
    found = []
    base = Path(root) / "submitted"
    if not base.is_dir():
        return found
    for student_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for lesson_id in lessons:
            notebook = pipeline.notebook_path(root, "submitted", lesson_id, student_dir.name)
            if notebook.is_file() or notebook.parent.is_dir():
                found.append((student_dir.name, lesson_id, notebook))
    return found


def _folder_digest(folder: Path) -> str:
    """For a folder without its notebook: what is in it (a change there means grading again)."""
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
    return "missing:" + hashlib.sha256("\n".join(names).encode()).hexdigest()


def pending(root: Path, lessons: list[str], *, students: list[str] | None = None, force: bool = False) -> list[Job]:
    """Submissions not graded yet, or changed since they were graded; with ``force``, every one.

    ``students`` keeps only those students' submissions (an unknown id raises ``ValueError``).
    """
    state = load_state(root)
    found = submissions(root, lessons)
    if students:
        unknown = sorted(set(students) - {s for s, _, _ in found})
        if unknown:
            raise ValueError(f"no submission of {', '.join(lessons)} from {', '.join(unknown)} under "
                             f"{Path(root) / 'submitted'}")
        found = [item for item in found if item[0] in students]
    jobs = []
    for student, lesson_id, notebook in found:
        digest = _digest(notebook) if notebook.is_file() else _folder_digest(notebook.parent)
        if force or state.get(f"{student}/{lesson_id}") != digest:
            jobs.append(Job(student, lesson_id, digest))
    return jobs


def refusal(notebook: Path) -> str:
    """Why a submitted notebook cannot be graded, in one line for the instructor ("" when it can)."""
    import nbformat

    folder = notebook.parent
    links = sorted(str(p.relative_to(folder)) for p in [folder, *folder.rglob("*")] if p.is_symlink())
    if links:
        return (f"{folder} holds symbolic links ({', '.join(links[:3])}): grading would copy what they point "
                "to into the student's sandbox; replace them with the files themselves")
    if not notebook.is_file():
        others = sorted(p.name for p in folder.glob("*.ipynb"))
        found = f" (found: {', '.join(others[:3])})" if others else " (no notebook at all)"
        return f"no {notebook.name} in {folder}{found}: rename the student's notebook to {notebook.name}"
    raw = notebook.read_bytes()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return f"{notebook.name} is not a notebook: not valid JSON ({exc})"
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        return f"{notebook.name} is not a notebook: valid JSON, but no cells"
    try:
        nbformat.reads(raw.decode(), as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds for a bad notebook
        return f"{notebook.name} is not a notebook nbformat can read: {type(exc).__name__}: {exc}"
    return ""


def problems(root: Path, student: str, lesson_id: str) -> tuple[str, ...]:
    """What went wrong while a submission ran: timeouts, dead kernels, cells not run, cut outputs.

    Read from the report the grading step wrote (see :func:`nncourse.execute.report_path`).
    """
    folder = pipeline.notebook_path(root, "autograded", lesson_id, student).parent
    try:
        return tuple(json.loads(execute.report_path(folder).read_text()))
    except (OSError, ValueError):
        return ()


def _die_with_parent() -> None:
    """Worker initializer: the worker (and so its sandboxed kernel) dies when ``nncourse grade`` does."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: even when the grader is killed with kill -9
        if os.getppid() == 1:  # the grader died before the line above ran
            os._exit(1)


def _run(root: str, job: Job) -> Result:
    """Worker: autograde one submission; never raises."""
    start = time.perf_counter()
    notebook = pipeline.notebook_path(Path(root), "submitted", job.lesson, job.student)
    refused = refusal(notebook)
    if refused.startswith(f"{notebook.parent} holds symbolic links"):
        return Result(job.student, job.lesson, job.digest, False, time.perf_counter() - start, refused)
    try:
        pipeline.autograde(Path(root), job.lesson, job.student)  # also records a zero for an unusable file
    except Exception as exc:  # noqa: BLE001 - one broken submission must not stop the others
        message = str(exc).strip().splitlines()
        tail = [line for line in message if line.strip()][-3:]
        return Result(job.student, job.lesson, job.digest, False, time.perf_counter() - start,
                      refused or " | ".join(tail)[:500] or type(exc).__name__)
    strays = remove_written_files(Path(root), job.student, job.lesson)
    if refused:  # nbgrader got through it all the same (it should not): still say what is wrong
        return Result(job.student, job.lesson, job.digest, False, time.perf_counter() - start, refused)
    found = problems(Path(root), job.student, job.lesson)
    if strays:
        shown = ", ".join(strays[:3]) + (f" and {len(strays) - 3} more" if len(strays) > 3 else "")
        found += (f"the submission's code wrote {shown} while it was graded: removed, so that nothing it made "
                  "reaches the feedback folder or the formgrader's pages",)
    return Result(job.student, job.lesson, job.digest, True, time.perf_counter() - start, problems=found)


def remove_written_files(root: Path, student: str, lesson_id: str) -> list[str]:
    """Delete what the grading kernel wrote into ``autograded/<student>/<lesson>/``; returns their names.

    The kernel's only writable folder is that one, and nbgrader copies it into ``feedback/``, which the
    formgrader serves on the Jupyter server's origin: a page the student's code wrote there would run
    with the instructor's rights. Kept: the autograded notebook, nbgrader's ``timestamp.txt`` and
    whatever was submitted beside the notebook.
    """
    autograded = pipeline.notebook_path(root, "autograded", lesson_id, student).parent
    submitted = pipeline.notebook_path(root, "submitted", lesson_id, student).parent
    if not autograded.is_dir():
        return []
    keep = {Path(autograded.name + ".ipynb"), Path("timestamp.txt")}
    if submitted.is_dir():
        keep |= {p.relative_to(submitted) for p in submitted.rglob("*")}
    removed = []
    for path in sorted(autograded.rglob("*"), reverse=True):  # a folder's content before the folder
        name = path.relative_to(autograded)
        if name in keep:
            continue
        if path.is_symlink() or not path.is_dir():
            path.unlink()
            removed.append(str(name))
        elif not any(path.iterdir()):
            path.rmdir()
    return sorted(removed)


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = int(width * done / total) if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def grade(root: Path, lessons: list[str], *, jobs: int | None = None, progress="stderr",
          students: list[str] | None = None, force: bool = False) -> list[Result]:
    """Autograde every new or changed submission of ``lessons`` with ``jobs`` worker processes
    (only ``students``' when given; every one, changed or not, with ``force``: see :func:`pending`).

    Progress lines go to ``progress`` (a stream; standard error by default; ``None`` for silence).

    Returns one :class:`Result` per submission graded.  The generated
    assignments must exist in the gradebook (``nncourse grade`` makes sure).
    """
    root = Path(root).resolve()
    progress = sys.stderr if progress == "stderr" else progress
    sandbox.require()  # before anything runs: no student code with the grader's rights by accident
    todo = pending(root, lessons, students=students, force=force)
    if not todo:
        return []
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    state = load_state(root)
    results = []
    if progress:
        print(f"grading {len(todo)} submission(s) with {workers} worker(s)", file=progress)
    with ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent) as pool:
        futures = {pool.submit(_run, str(root), job): job for job in todo}
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool as exc:  # a worker was killed (not its kernel): report, go on
                job = futures[future]
                result = Result(job.student, job.lesson, job.digest, False, 0.0,
                                f"the grading worker process died ({exc}); grade again to retry")
            results.append(result)
            if result.ok:
                state[f"{result.student}/{result.lesson}"] = result.digest
                _save_state(root, state)  # after each one: an interrupted run resumes where it stopped
            if progress:
                status = "ok" if result.ok else f"FAILED: {result.error}"
                if result.ok and result.problems:
                    status = f"ok, with {len(result.problems)} problem(s): " + "; ".join(result.problems)
                print(f"{_bar(len(results), len(todo))} {result.student} {result.lesson} "
                      f"{result.seconds:.1f} s {status}", file=progress)
    return sorted(results, key=lambda r: (r.lesson, r.student))


def without_feedback(root: Path, lessons: list[str]) -> list[Result]:
    """Submissions graded (on record) whose feedback is missing: a run stopped before writing it."""
    state = load_state(root)
    out = []
    for student, lesson_id, notebook in submissions(root, lessons):
        graded = state.get(f"{student}/{lesson_id}")
        if (graded and notebook.is_file() and graded == _digest(notebook)
                and not pipeline.notebook_path(root, "feedback", lesson_id, student).is_file()):
            out.append(Result(student, lesson_id, graded, True, 0.0))
    return out


#: Where a submission's earlier feedback goes when it is graded again (outside ``feedback/``, which
#: nbgrader hands back to students).
HISTORY = "feedback-history"


def keep_earlier_feedback(root: Path, student: str, lesson_id: str) -> Path | None:
    """Copy the feedback a submission has now to ``feedback-history/<student>/<lesson>/`` under the time
    it was written; returns the copy, or None when there was none (or the same one is kept already)."""
    current = pipeline.notebook_path(root, "feedback", lesson_id, student)
    if not current.is_file():
        return None
    stamp = datetime.fromtimestamp(current.stat().st_mtime, timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    target = Path(root) / HISTORY / student / lesson_id / f"{lesson_id}-{stamp}.html"
    if target.is_file():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(current, target)
    return target


def feedback(root: Path, results: list[Result]) -> list[Path]:
    """nbgrader's feedback HTML for every submission graded successfully; a submission's earlier
    feedback is kept first (:func:`keep_earlier_feedback`)."""
    api = pipeline.api(root)
    written = []
    for result in results:
        if not result.ok:
            continue
        keep_earlier_feedback(root, result.student, result.lesson)
        pipeline.checked(api.generate_feedback(result.lesson, result.student, force=True),
                          f"generate_feedback {result.lesson} for {result.student}")
        written.append(pipeline.notebook_path(root, "feedback", result.lesson, result.student))
    return written


def override(root: Path, student: str, lesson_id: str, function: str, score: float | None, reason: str) -> str:
    """Set (``score``) or clear (``None``) the instructor's score of one graded function or written
    answer, with the reason.

    The score is nbgrader's manual score of the function's test cell (of the written answer's own
    cell), which a later autograde keeps; the reason is the manual comment on the function's cell (the
    answer's), which the feedback shows beside what the student wrote. Writes the submission's feedback again (keeping the earlier one). Returns a line
    saying what changed.
    """
    if score is not None and not reason.strip():
        raise ValueError("say why with --reason: the student reads it in the feedback")
    from nbgrader.api import MissingEntry

    with pipeline.gradebook(root) as gb:
        grade = comment = None
        for cell in (f"test_{function}", function):  # a function's test cell, or a written answer itself
            try:
                grade = gb.find_grade(cell, lesson_id, lesson_id, student)
                comment = gb.find_comment(function, lesson_id, lesson_id, student)
                break
            except MissingEntry:
                continue
        if grade is None or comment is None:
            raise ValueError(f"no graded {function} in {student}'s {lesson_id} (grade the submission first; the "
                             f"lesson's functions are {', '.join(lesson_info(lesson_id).functions)}, and its "
                             "written answers are named by their cell ids)")
        points = float(grade.max_score)
        if score is not None and not 0 <= score <= points:
            raise ValueError(f"the score of {function} must be between 0 and {points:g}, got {score:g}")
        auto = grade.auto_score
        grade.manual_score = score
        comment.manual_comment = (None if score is None else
                                  f"Your instructor set the score of {function} to {score:g} of {points:g}"
                                  + (f" (the grader gave {auto:g})" if auto is not None else "")
                                  + f": {reason.strip()}")
        gb.db.commit()
    feedback(root, [Result(student, lesson_id, "", True, 0.0)])
    if score is None:
        return f"{student} {lesson_id} {function}: back to the grader's score, {auto or 0:g} of {points:g}"
    return f"{student} {lesson_id} {function}: {score:g} of {points:g} (the grader gave {auto or 0:g}), with your reason"
