"""``nncourse demo``: the whole instructor workflow on three sample students, in a temporary course.

Release every lesson, write an LMS-style export with three students
(``complete``: every answer right; ``partial``: the first half of each
lesson's functions answered, one of them with a catalogued mistake, the rest
left as stubs; ``blank``: the release untouched), collect it, grade it in
parallel, and show the grades and where the feedback is.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import time
from pathlib import Path

from . import collect, export, grading, pipeline
from grader.course import lesson
from .selfcheck import copy_course
from grader.specs import REGISTRY


def _mistaken_source(name: str) -> tuple[str, str] | None:
    """Source of a catalogued mistake of ``name`` that runs in a notebook (needs only ``np``)."""
    for mistake in REGISTRY[name].mistakes:
        if not mistake.matchable:
            continue
        try:
            names = inspect.getclosurevars(mistake.fn)
            code = inspect.getsource(mistake.fn)
        except (TypeError, OSError):
            continue
        if set(names.globals) <= {"np"} and not names.nonlocals:
            return mistake.key, re.sub(r"^def \w+\(", f"def {name}(", code.strip(), count=1)
    return None


def _with_answers(source: dict, release: dict, answered: set[str], mistaken: dict[str, str]) -> dict:
    nb = json.loads(json.dumps(release))
    by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in source["cells"]}
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in mistaken:
            cell["source"] = mistaken[gid]
        elif gid in answered:
            text = "".join(by_id[gid]["source"])
            cell["source"] = re.sub(r"\n\s*### (BEGIN|END) SOLUTION", "", text)
    return nb


def write_export(root: Path, lessons: list[str], export: Path) -> dict[str, str]:
    """The three students' notebooks as ``<student>_<lesson>.ipynb``; returns the planted mistakes."""
    export.mkdir(parents=True, exist_ok=True)
    planted = {}
    for lesson_id in lessons:
        source = json.loads(pipeline.notebook_path(root, "source", lesson_id).read_text())
        release = json.loads(pipeline.notebook_path(root, "release", lesson_id).read_text())
        functions = lesson(lesson_id).functions
        half = set(functions[: max(1, len(functions) // 2)])
        mistaken = {}
        # One catalogued mistake per lesson, in the first function that has one a notebook can run
        # (answered, so the partial student answers it too).
        for name in functions:
            found = _mistaken_source(name)
            if found:
                planted[f"{lesson_id}/{name}"] = found[0]
                mistaken[name] = found[1]
                half.add(name)
                break
        students = {"complete": _with_answers(source, release, set(functions), {}),
                    "partial": _with_answers(source, release, half, mistaken),
                    "blank": release}
        for student, nb in students.items():
            (export / f"{student}_{lesson_id}.ipynb").write_text(json.dumps(nb))
    return planted


def run(root: Path, work: Path, lessons: list[str], *, jobs: int | None = None, out=None) -> int:
    """The demo in ``work`` (a fresh folder); prints to ``out`` (stdout) as it goes; returns 0 when
    every submission was graded."""
    out = out or sys.stdout
    start = time.perf_counter()
    course = copy_course(root, work / "course", lessons)
    print(f"1. a copy of the course in {course}", file=out)
    for lesson_id in lessons:
        pipeline.generate(course, lesson_id)
    print(f"2. released {len(lessons)} lesson(s) (nbgrader generate_assignment)", file=out)
    planted = write_export(course, lessons, work / "export")
    print(f"3. an LMS export with 3 students x {len(lessons)} lessons in {work / 'export'}; "
          f"'partial' has {len(planted)} catalogued mistake(s), e.g. "
          + ", ".join(f"{k} ({v})" for k, v in list(planted.items())[:2]), file=out)
    report = collect.collect(course, work / "export")
    print(f"4. collected {len(report.added)} submission(s) from {len(report.students)} students", file=out)
    print("5. grading in parallel:", file=out)
    results = grading.grade(course, lessons, jobs=jobs, progress=out)
    grading.feedback(course, results)
    rows = export.grades(course, lessons)
    export.write_csv(course / "grades.csv", rows)
    print("\n" + export.summary(rows, lessons), file=out)
    print(f"\nfeedback: {course / 'feedback'}/<student>/<lesson>/<lesson>.html", file=out)
    print(f"grades:   {course / 'grades.csv'}", file=out)
    print(f"done in {time.perf_counter() - start:.0f} s", file=out)
    failed = [r for r in results if not r.ok]
    return 1 if failed else 0
