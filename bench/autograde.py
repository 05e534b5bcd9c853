"""Autograding speed: overhead over plain execution, and the parallel speed-up.

* ``floor``: executing every lesson's instructor notebook with nbclient, one
  after the other (a fresh kernel each), which is the least any grader must do;
* ``autograde``: ``nbgrader autograde`` of one complete submission of the
  same lessons, through :mod:`grader.pipeline`;
* ``speed-up``: grading 12 complete submissions with ``--jobs 1`` and
  ``--jobs 2`` (:func:`grader.grading.grade`).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from grader import collect, grading, pipeline
from grader.course import LESSON_IDS
from grader.selfcheck import copy_course

ROOT = Path(__file__).resolve().parents[1]
N_SUBMISSIONS = 12


def _lessons() -> list[str]:
    return [i for i in LESSON_IDS if pipeline.notebook_path(ROOT, "source", i).is_file()]


def _execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()


def _export(course: Path, lessons: list[str], folder: Path, students: list[str]) -> None:
    folder.mkdir(parents=True)
    for student in students:
        for lesson_id in lessons:
            text = pipeline.notebook_path(course, "source", lesson_id).read_text()
            (folder / f"{student}_{lesson_id}.ipynb").write_text(text)


def run() -> list[dict]:
    lessons = _lessons()
    rows = []
    with tempfile.TemporaryDirectory(prefix="nncourse-bench-") as tmp:
        tmp = Path(tmp)
        course = copy_course(ROOT, tmp / "course", lessons)
        for lesson_id in lessons:
            pipeline.generate(course, lesson_id)

        start = time.perf_counter()
        for lesson_id in lessons:
            _execute(pipeline.notebook_path(course, "source", lesson_id))
        floor = time.perf_counter() - start

        _export(course, lessons, tmp / "one", ["single"])
        collect.collect(course, tmp / "one")
        start = time.perf_counter()
        results = grading.grade(course, lessons, jobs=1, progress=None)
        one = time.perf_counter() - start
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        rows.append({"measure": f"execute {len(lessons)} instructor notebooks with nbclient (floor)",
                     "seconds": floor})
        rows.append({"measure": f"autograde one complete submission of {len(lessons)} lessons", "seconds": one})
        rows.append({"measure": "overhead ratio autograde / floor", "seconds": one / floor})

        lesson_id = lessons[0]
        timings = {}
        for jobs in (1, 2):
            scratch = copy_course(ROOT, tmp / f"jobs{jobs}", [lesson_id])
            pipeline.generate(scratch, lesson_id)
            _export(scratch, [lesson_id], tmp / f"export{jobs}", [f"s{i:02d}" for i in range(N_SUBMISSIONS)])
            collect.collect(scratch, tmp / f"export{jobs}")
            start = time.perf_counter()
            results = grading.grade(scratch, [lesson_id], jobs=jobs, progress=None)
            timings[jobs] = time.perf_counter() - start
            assert len(results) == N_SUBMISSIONS and all(r.ok for r in results)
        rows.append({"measure": f"grade {N_SUBMISSIONS} submissions of {lesson_id}, --jobs 1", "seconds": timings[1]})
        rows.append({"measure": f"grade {N_SUBMISSIONS} submissions of {lesson_id}, --jobs 2", "seconds": timings[2]})
        rows.append({"measure": "speed-up of --jobs 2 over --jobs 1", "seconds": timings[1] / timings[2]})
    return rows
