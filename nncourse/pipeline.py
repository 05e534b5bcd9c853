"""The course's nbgrader pipeline, on nbgrader's own Python API.

Every function takes the course directory ``root`` (a folder holding
``nbgrader_config.py``, ``source/`` and ``release/``): the repository itself,
or a temporary copy of it in the tests.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import sandbox
from grader.course import LESSON_IDS, lesson


#: Seconds a cell may run while grading, for one run (``nncourse grade --timeout``); else nbgrader_config.py's.
CELL_TIMEOUT_ENV = "NNCOURSE_CELL_TIMEOUT"


class PipelineError(RuntimeError):
    """An nbgrader step failed; the message holds nbgrader's own log and traceback."""


def _ensure_alembic_on_path() -> None:
    # nbgrader runs the `alembic` command to create or upgrade the gradebook.
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def load_config(root: Path):
    """The traitlets config of the course at ``root`` (its ``nbgrader_config.py``)."""
    from traitlets.config.loader import PyFileConfigLoader

    root = Path(root).resolve()
    config_file = root / "nbgrader_config.py"
    if not config_file.is_file():
        raise FileNotFoundError(f"{root} is not a course directory: no nbgrader_config.py")
    return PyFileConfigLoader(config_file.name, path=str(root)).load_config()


def api(root: Path):
    """An ``NbGraderAPI`` for the course at ``root``."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    _ensure_alembic_on_path()
    config = load_config(root)
    if sandbox.disabled():  # NNCOURSE_NO_SANDBOX=1: the kernels run with the grader's rights
        config.SandboxedKernelManager.sandbox = False
    if os.environ.get(CELL_TIMEOUT_ENV):  # nncourse grade --timeout: the per-cell limit for this run
        config.ExecutePreprocessor.timeout = int(os.environ[CELL_TIMEOUT_ENV])
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def gradebook(root: Path):
    """The course's ``nbgrader.api.Gradebook`` (a context manager)."""
    from nbgrader.api import Gradebook

    _ensure_alembic_on_path()
    config = load_config(root)
    return Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id)


def checked(result: dict, what: str) -> dict:
    if not result.get("success"):
        detail = (result.get("error") or "") + "\n" + (result.get("log") or "")
        raise PipelineError(f"{what} failed:\n{detail.strip()}")
    return result


def notebook_path(root: Path, kind: str, lesson_id: str, student: str | None = None) -> Path:
    """Where a lesson's notebook lives: ``kind`` is source, release, submitted, autograded or feedback."""
    lesson(lesson_id)
    root = Path(root)
    if kind in ("source", "release"):
        return root / kind / lesson_id / f"{lesson_id}.ipynb"
    if student is None:
        raise ValueError(f"a {kind} notebook belongs to a student: pass student=")
    suffix = ".html" if kind == "feedback" else ".ipynb"
    return root / kind / student / lesson_id / f"{lesson_id}{suffix}"


def generate(root: Path, lesson_id: str, *, db: bool = True) -> None:
    """``nbgrader generate_assignment``: write ``release/<lesson>/`` from ``source/<lesson>/``."""
    lesson(lesson_id)
    if db:
        checked(api(root).generate_assignment(lesson_id, force=True, create=True),
                 f"generate_assignment {lesson_id}")
        return
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.apps.api import capture_log

    config = load_config(root)
    config.GenerateAssignment.no_database = True
    config.SaveCells.enabled = False
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = lesson_id
    app = GenerateAssignment(coursedir=coursedir, config=config)
    app.force = True
    checked(capture_log(app), f"generate_assignment {lesson_id}")


def validate(root: Path, notebook: Path, *, invert: bool = False) -> dict:
    """``nbgrader validate`` (``--invert`` with ``invert=True``) on one notebook.

    Returns nbgrader's results: ``failed`` lists test cells that fail (for an
    instructor version that must be empty); with ``invert``, ``passed`` lists
    test cells that pass without any work (for a release that must be empty).
    """
    from nbgrader.validator import Validator

    validator = Validator(config=load_config(root))
    validator.invert = invert
    return validator.validate(str(notebook))


def submit(root: Path, lesson_id: str, student: str, notebook: Path, *,
           timestamp: datetime | None = None) -> Path:
    """Place a student's notebook where ``nbgrader autograde`` looks for it.

    Copies ``notebook`` to ``submitted/<student>/<lesson>/<lesson>.ipynb`` and
    writes nbgrader's ``timestamp.txt`` beside it.
    """
    dest = notebook_path(root, "submitted", lesson_id, student)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, dest)
    stamp = (timestamp or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M:%S.%f %Z").strip()
    (dest.parent / "timestamp.txt").write_text(stamp)
    return dest


def autograde(root: Path, lesson_id: str, student: str) -> None:
    """``nbgrader autograde`` one student's submission of one lesson, its kernel sandboxed (see ``sandbox``)."""
    sandbox.require()
    checked(api(root).autograde(lesson_id, student, force=True, create=True),
             f"autograde {lesson_id} for {student}")


@dataclass(frozen=True)
class CellScore:
    grade_id: str
    score: float
    max_score: float


def scores(root: Path, lesson_id: str, student: str) -> dict[str, CellScore]:
    """The autograded score of each test cell, read from the gradebook."""
    with gradebook(root) as gb:
        submission = gb.find_submission_notebook(lesson_id, lesson_id, student)
        return {g.name: CellScore(g.name, float(g.score), float(g.max_score)) for g in submission.grades}


def all_lessons() -> tuple[str, ...]:
    return LESSON_IDS
