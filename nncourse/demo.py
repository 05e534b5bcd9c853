"""``nncourse demo``: the whole instructor workflow on three sample students, in a temporary course.

Release every lesson, write a Canvas-shaped export with three students
(``complete``: every answer right; ``partial``: the first half of each
lesson's functions answered, one of them with a catalogued mistake, the rest
left as stubs; ``blank``: the release untouched), collect it, grade it in
parallel, and show the grades and where the feedback is.
"""

from __future__ import annotations

import csv
import inspect
import json
import os
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from . import collect, export, grading, pipeline, roster, stats
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


#: The demo's students: course id (Canvas's SIS login), Canvas's "Last, First" name and user id.
STUDENTS = (("complete", "Núñez, José María", "4821"), ("partial", "O'Brien, Zoë", "4822"), ("blank", "Doe, Jane", "4823"))
#: Canvas's download time, the date of every file of its zip.
DOWNLOADED = datetime(2026, 3, 9, 8, 30, tzinfo=timezone.utc)


def sortable(name: str) -> str:
    """Canvas's sortable name as its submission files spell it: ``"Núñez, José María"`` -> ``núñezjosémaría``."""
    return "".join(ch for ch in name.casefold() if ch.isalpha())


def roster_path(export: Path) -> Path:
    """Where :func:`write_export` writes the Canvas gradebook export that goes with ``export``."""
    return Path(export).with_name("gradebook.csv")


def write_export(root: Path, lessons: list[str], export: Path) -> dict[str, str]:
    """The three students' notebooks as Canvas's "Download Submissions" names them, and Canvas's
    gradebook export beside them (:func:`roster_path`); returns the planted mistakes.

    ``partial`` handed every lesson in late (``_late_``); ``complete`` handed the first lesson in twice,
    the release untouched and then the answers (``-1``, the later attempt); every file bears the
    download's time, as in Canvas's zip.
    """
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
        for number, (student, name, user_id) in enumerate(STUDENTS):
            prefix = f"{sortable(name)}{'_late' if student == 'partial' else ''}_{user_id}_{70000 + 10 * number}"
            files = {f"{prefix}_{lesson_id}.ipynb": students[student]}
            if student == "complete" and lesson_id == lessons[0]:  # a first attempt, then the answers
                files = {f"{prefix}_{lesson_id}.ipynb": release, f"{prefix}_{lesson_id}-1.ipynb": students[student]}
            for file_name, nb in files.items():
                path = export / file_name
                path.write_text(json.dumps(nb))
                os.utime(path, (DOWNLOADED.timestamp(), DOWNLOADED.timestamp()))
    # Canvas names an assignment's column "<name> (<assignment id>)"; the export writes grades back under it.
    assignments = [f"{lesson(lesson_id).title} ({50001 + i})" for i, lesson_id in enumerate(lessons)]
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *assignments],
            ["    Points Possible", "", "", "", "", *("" for _ in lessons)]]
    rows += [[name, user_id, "", student, "Demo", *("" for _ in lessons)] for student, name, user_id in STUDENTS]
    rows.append(["Student, Test", "9999", "", "", "Demo", *("" for _ in lessons)])  # Canvas's test student
    with roster_path(export).open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
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
    print(f"3. a Canvas export (Download Submissions) with 3 students x {len(lessons)} lessons in {work / 'export'}, "
          f"and its gradebook export {roster_path(work / 'export').name}; "
          f"'partial' has {len(planted)} catalogued mistake(s), e.g. "
          + ", ".join(f"{k} ({v})" for k, v in list(planted.items())[:2]), file=out)
    report = collect.collect(course, work / "export", roster_file=roster_path(work / "export"))
    superseded = sum(f.superseded for f in report.unplaced)
    print(f"4. collected {len(report.added)} submission(s) from {len(report.students)} students, named by Canvas's "
          f"gradebook export ({len(report.late)} late, {superseded} earlier attempt(s) superseded)", file=out)
    print("5. grading in parallel:", file=out)
    results = grading.grade(course, lessons, jobs=jobs, progress=out)
    grading.feedback(course, results)
    class_list = roster.course_roster(course)
    rows = export.grades(course, lessons, roster=class_list)
    export.write_csv(course / "grades.csv", rows, roster=class_list)
    canvas = export.write_canvas(course / "exports" / "canvas-grades.csv", rows, class_list, lessons,
                                 headers=export.canvas_headers(roster_path(work / "export"), lessons))
    print("\n" + export.summary(rows, lessons), file=out)
    found = stats.function_stats(course, lessons)
    chart = stats.chart(found, course / "exports" / "stats.png")
    print("\n6. what the class got wrong (nncourse stats):\n" + stats.table(found), file=out)
    print(f"\nfeedback: {course / 'feedback'}/<student>/<lesson>/<lesson>.html", file=out)
    print(f"grades:   {course / 'grades.csv'}; for Canvas's gradebook import: {canvas}", file=out)
    print(f"chart:    {chart}", file=out)
    print(f"done in {time.perf_counter() - start:.0f} s", file=out)
    failed = [r for r in results if not r.ok]
    return 1 if failed else 0
