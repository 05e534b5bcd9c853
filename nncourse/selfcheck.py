"""The instructor's proof that grading is sound, lesson by lesson.

In a temporary copy of the course: the instructor version gets full marks
and the release zero through the real ``nbgrader autograde``; every
catalogued mistake loses points on its own function and is named (through
``check``, the code the hidden tests run); and each notebook's run time is
measured.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import time
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from . import pipeline
from grader.check import grade as grade_function
from grader.course import lesson
from grader.specs import REGISTRY


@dataclass(frozen=True)
class LessonCheck:
    lesson: str
    instructor: tuple[float, float]
    release: tuple[float, float]
    mistakes_caught: int
    mistakes: int
    instructor_seconds: float
    release_seconds: float
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def copy_course(root: Path, dest: Path, lessons: list[str]) -> Path:
    """A copy of the course's configuration and the lessons' source and release folders."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(root) / "nbgrader_config.py", dest / "nbgrader_config.py")
    for lesson_id in lessons:
        for folder in ("source", "release"):
            src = Path(root) / folder / lesson_id
            if src.is_dir():
                shutil.copytree(src, dest / folder / lesson_id, dirs_exist_ok=True)
    return dest


def _total(scores: dict) -> tuple[float, float]:
    return (sum(s.score for s in scores.values()), sum(s.max_score for s in scores.values()))


def mistakes_caught(lesson_id: str) -> tuple[int, int, list[str]]:
    """How many catalogued mistakes of the lesson lose points and are named by ``check``."""
    caught, total, problems = 0, 0, []
    for name in lesson(lesson_id).functions:
        for mistake in REGISTRY[name].mistakes:
            total += 1
            out = io.StringIO()
            with redirect_stdout(out):
                # the mistakes live in grader/: only the student package is off limits here
                score = grade_function(name, mistake.fn, 1.0, forbidden=("lessons",))
            if score < 1.0 and mistake.hint in out.getvalue():
                caught += 1
            else:
                problems.append(f"{name}: mistake {mistake.key!r} "
                                f"{'keeps full marks' if score >= 1.0 else 'is not named'}")
    return caught, total, problems


def check_lesson(root: Path, lesson_id: str) -> LessonCheck:
    """Autograde the instructor and release versions of one lesson in ``root`` (a scratch course)."""
    problems: list[str] = []
    pipeline.generate(root, lesson_id)
    seconds = {}
    totals = {}
    for student, kind in (("selfcheck-instructor", "source"), ("selfcheck-release", "release")):
        pipeline.submit(root, lesson_id, student, pipeline.notebook_path(root, kind, lesson_id))
        start = time.perf_counter()
        pipeline.autograde(root, lesson_id, student)
        seconds[kind] = time.perf_counter() - start
        totals[kind] = _total(pipeline.scores(root, lesson_id, student))
    if totals["source"][0] != totals["source"][1]:
        problems.append(f"instructor version scores {totals['source'][0]:g} of {totals['source'][1]:g}")
    if totals["release"][0] != 0:
        problems.append(f"release scores {totals['release'][0]:g} without any work")
    caught, total, mistake_problems = mistakes_caught(lesson_id)
    return LessonCheck(lesson_id, totals["source"], totals["release"], caught, total,
                       seconds["source"], seconds["release"], tuple(problems + mistake_problems))


def selfcheck(root: Path, lessons: list[str]) -> list[LessonCheck]:
    with tempfile.TemporaryDirectory(prefix="nncourse-selfcheck-") as tmp:
        scratch = copy_course(root, Path(tmp) / "course", lessons)
        return [check_lesson(scratch, lesson_id) for lesson_id in lessons]


def table(results: list[LessonCheck]) -> str:
    header = (f"{'lesson':<24} {'instructor':>11} {'release':>9} {'mistakes caught':>16} "
              f"{'run s (instr.)':>14} {'run s (release)':>15}  status")
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(f"{r.lesson:<24} {r.instructor[0]:>5g}/{r.instructor[1]:<5g} {r.release[0]:>3g}/{r.release[1]:<5g}"
                     f" {r.mistakes_caught:>8}/{r.mistakes:<7} {r.instructor_seconds:>14.1f} "
                     f"{r.release_seconds:>15.1f}  {'ok' if r.ok else 'FAILED'}")
    for r in results:
        for problem in r.problems:
            lines.append(f"  {r.lesson}: {problem}")
    return "\n".join(lines)
