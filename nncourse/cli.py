"""``nncourse``: the instructor's command line."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import warnings
from pathlib import Path

from . import (bundle, collect, demo, export, grading, leaks, pipeline, roster, sandbox, selfcheck, stats,
               visible_hints)
from grader.course import LESSON_IDS, lesson

ROOT = Path(__file__).resolve().parents[1]


def _lessons(ids: list[str], root: Path, kind: str = "source") -> list[str]:
    """The lessons asked for (all that have a ``kind`` notebook by default), each checked to exist."""
    for lesson_id in ids:
        lesson(lesson_id)  # ValueError naming the known lessons
    chosen = ids or [i for i in LESSON_IDS if pipeline.notebook_path(root, kind, i).is_file()]
    missing = [i for i in chosen if not pipeline.notebook_path(root, kind, i).is_file()]
    if missing:
        raise ValueError(f"no {kind} notebook for {', '.join(missing)} under {root / kind}")
    if not chosen:
        raise ValueError(f"no lesson has a {kind} notebook under {root / kind}")
    return chosen


def cmd_release(args) -> int:
    root = Path(args.course).resolve()
    lessons = _lessons(args.lessons, root)
    refused = {i: leaks.source_problems(pipeline.notebook_path(root, "source", i)) for i in lessons}
    refused = {i: p for i, p in refused.items() if p}
    if refused:
        for lesson_id, problems in refused.items():
            print(f"refusing to release {lesson_id}:", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
        return 1
    failures = 0
    for lesson_id in lessons:
        source = pipeline.notebook_path(root, "source", lesson_id)
        release = pipeline.notebook_path(root, "release", lesson_id)
        pipeline.generate(root, lesson_id, db=False)
        problems = leaks.release_problems(source, release)
        if not args.no_validate:
            failed = pipeline.validate(root, source).get("failed", [])
            if failed:
                problems.append(f"the instructor version fails {len(failed)} test cell(s)")
            passed = pipeline.validate(root, release, invert=True).get("passed", [])
            if passed:
                problems.append(f"{len(passed)} test cell(s) of the release pass with no work done")
        if problems:
            failures += 1
            print(f"{lesson_id}: released, but:", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
        else:
            checked = "" if args.no_validate else " (instructor version passes, release fails every test)"
            print(f"released {lesson_id} -> release/{lesson_id}/{lesson_id}.ipynb{checked}")
    if (root / "lessons").is_dir():  # the repository itself, not a course folder beside it
        hints = visible_hints.write(root)
        print(f"wrote {hints.relative_to(root)} (the likely mistakes the visible checks can name)")
    return 1 if failures else 0


def cmd_collect(args) -> int:
    root = Path(args.course).resolve()
    report = collect.collect(root, Path(args.path), roster_file=Path(args.roster) if args.roster else None,
                             student=args.student, lesson=args.lesson)
    counts = (("added", report.added, "added"), ("replaced", report.replaced, "replaced by a newer file"),
              ("unchanged", report.unchanged, "unchanged"),
              ("kept-newer", report.kept_newer, "kept (the collected one is newer)"))
    print(", ".join(f"{label}: {len(items)}" for label, items, _ in counts))
    for _, items, label in counts:
        if items:
            print(f"  {label}: {', '.join(items[:6])}{' ...' if len(items) > 6 else ''}")
    print(f"students registered: {len(report.students)}")
    if report.late:
        print(f"late (the LMS's mark): {len(report.late)}  ({', '.join(report.late)})")
    for note in report.notes:
        print(note)
    if report.roster_problems:
        print(f"roster problems ({len(report.roster_problems)}):")
        for problem in report.roster_problems:
            print(f"  - {problem}")
    superseded = [f for f in report.unplaced if f.superseded]
    unplaced = [f for f in report.unplaced if not f.superseded]
    if superseded:
        print(f"superseded, not collected: {len(superseded)} file(s)")
        for found in superseded:
            print(f"  - {found.name}: {found.reason}")
    if unplaced:
        print(f"could not place {len(unplaced)} file(s):")
        for found in unplaced:
            print(f"  - {found.name}: {found.reason}")
    placed = report.added or report.replaced or report.unchanged or report.kept_newer
    return 0 if placed or not report.unplaced else 1


def _ensure_generated(root: Path, lessons: list[str]) -> None:
    with pipeline.gradebook(root) as gb:
        known = {a.name for a in gb.assignments}
    for lesson_id in lessons:
        if lesson_id not in known:
            pipeline.generate(root, lesson_id)


@contextlib.contextmanager
def _environment(settings: dict[str, str]):
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def cmd_grade(args) -> int:
    root = Path(args.course).resolve()
    lessons = _lessons(args.lessons, root)
    if args.jobs is not None and args.jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {args.jobs}")
    if args.timeout is not None and args.timeout < 1:
        raise ValueError(f"--timeout must be at least 1 second, got {args.timeout}")
    settings = {}  # for this run only; the workers inherit them
    if args.timeout is not None:
        settings[pipeline.CELL_TIMEOUT_ENV] = str(args.timeout)
    if args.no_sandbox:
        settings[sandbox.NO_SANDBOX_ENV] = "1"
    with _environment(settings):
        if sandbox.disabled():
            print("warning: grading without the sandbox: student code runs with your rights", file=sys.stderr)
        sandbox.require()
        _ensure_generated(root, lessons)
        results = grading.grade(root, lessons, jobs=args.jobs, students=args.student, force=args.force)
    failed = [r for r in results if not r.ok]
    troubled = [r for r in results if r.ok and r.problems]
    if not results:
        print("nothing new to grade")
    done = {(r.student, r.lesson) for r in results}
    stale = [r for r in grading.without_feedback(root, lessons) if (r.student, r.lesson) not in done]
    regraded = [r for r in results if r.ok and pipeline.notebook_path(root, "feedback", r.lesson, r.student).is_file()]
    if results or stale:
        grading.feedback(root, [*results, *stale])  # stale: graded by a run stopped before its feedback
    if regraded:
        print(f"graded again: {len(regraded)} submission(s); their earlier feedback is kept in "
              f"{root / grading.HISTORY}/<student>/<lesson>/")
    class_list = roster.course_roster(root)
    rows = export.grades(root, lessons, roster=class_list)
    csv_path = export.write_csv(root / "grades.csv", rows, roster=class_list)
    print()
    print(export.summary(rows, lessons))
    print(f"\ngrades: {csv_path}\nfeedback: {root / 'feedback'}/<student>/<lesson>/<lesson>.html")
    if troubled:
        print(f"\n{len(troubled)} submission(s) graded with problems (those cells score zero):")
        for r in troubled:
            for problem in r.problems:
                print(f"  - {r.student} {r.lesson}: {problem}")
    if failed:
        print(f"\n{len(failed)} submission(s) could not be graded:", file=sys.stderr)
        for r in failed:
            print(f"  - {r.student} {r.lesson}: {r.error}", file=sys.stderr)
        return 1
    return 0


def cmd_override(args) -> int:
    root = Path(args.course).resolve()
    lesson(args.lesson)  # ValueError naming the known lessons
    if args.clear == (args.score is not None):
        raise ValueError("give either a SCORE with --reason, or --clear")
    print(grading.override(root, args.student, args.lesson, args.function, None if args.clear else args.score,
                           args.reason or ""))
    class_list = roster.course_roster(root)
    csv_path = export.write_csv(root / "grades.csv", export.grades(root, _lessons([], root), roster=class_list),
                                roster=class_list)
    print(f"feedback: {pipeline.notebook_path(root, 'feedback', args.lesson, args.student)} (written again)\n"
          f"grades:   {csv_path}")
    return 0


def cmd_export(args) -> int:
    root = Path(args.course).resolve()
    lessons = _lessons(args.lessons, root)
    class_list = roster.course_roster(root)
    if args.format in ("canvas", "moodle") and class_list is None:
        raise ValueError(f"the {args.format} format needs the class list: collect with --roster FILE first "
                         f"(your {args.format} gradebook export), so that its ids go back to {args.format}")
    out = Path(args.out) if args.out else root / "exports" / f"{args.format}-grades.csv"
    if args.out and out.exists():
        raise ValueError(f"{out} exists: give a new file name (nncourse never overwrites a file it did not write)")
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = export.grades(root, lessons, roster=class_list)
    if args.format == "csv":
        export.write_csv(out, rows, roster=class_list)
    elif args.format == "canvas":
        headers = export.canvas_headers(Path(args.canvas_gradebook), lessons) if args.canvas_gradebook else {}
        export.write_canvas(out, rows, class_list, lessons, headers=headers)
    else:
        export.write_moodle(out, rows, class_list, lessons)
    missing = sum(g.score is None for g in rows)
    print(f"{args.format} grades for {len({g.student for g in rows})} student(s) and {len(lessons)} lesson(s) "
          f"written to {out}" + (f"; {missing} submission(s) missing or not graded, left empty" if missing else ""))
    return 0


def cmd_stats(args) -> int:
    root = Path(args.course).resolve()
    found = stats.function_stats(root, _lessons(args.lessons, root))
    print(stats.table(found))
    if any(s.graded for s in found):
        picture = stats.chart(found, Path(args.chart) if args.chart else root / "exports" / "stats.png")
        print(f"\nchart: {picture}")
        for s in found:
            if s.mistakes:
                print(f"  {s.function}, {s.top_mistake}: {s.hint()}")
    return 0


def cmd_bundle(args) -> int:
    root = Path(args.course).resolve()
    out = bundle.build(root, Path(args.out), _lessons(args.lessons, root, kind="release"))
    print(f"student bundle written to {out}")
    return 0


def cmd_selfcheck(args) -> int:
    root = Path(args.course).resolve()
    results = selfcheck.selfcheck(root, _lessons(args.lessons, root))
    print(selfcheck.table(results))
    return 0 if all(r.ok for r in results) else 1


def cmd_demo(args) -> int:
    root = Path(args.course).resolve()
    lessons = _lessons(args.lessons, root)
    work = Path(args.keep).resolve() if args.keep else None
    if work and work.exists() and any(work.iterdir()):
        raise ValueError(f"{work} is not empty: give a new folder to --keep")
    # The demo's students are the course's own samples, so it may grade them unsandboxed; it says so.
    asked = args.no_sandbox or sandbox.disabled()
    reason = None if asked else sandbox.unavailable()
    if asked:
        print("note: the demo grades without the sandbox, as asked (its sample students' code is the course's own)")
    elif reason:
        print(f"note: {reason}.\n      The demo grades its sample students without the sandbox: their code is the "
              "course's own. `nncourse grade` refuses to grade a class's submissions unsandboxed unless told.")
    settings = {sandbox.NO_SANDBOX_ENV: "1"} if asked or reason else {}
    with _environment(settings):
        if work:
            return demo.run(root, work, lessons, jobs=args.jobs)
        with tempfile.TemporaryDirectory(prefix="nncourse-demo-") as tmp:
            code = demo.run(root, Path(tmp), lessons, jobs=args.jobs)
            print("(the temporary course is removed now; use --keep FOLDER to look at the feedback)")
            return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nncourse", description="Run the course: release, grade, check.")
    parser.add_argument("--course", default=str(ROOT), help="the course directory (default: this repository)")
    sub = parser.add_subparsers(dest="command", required=True)
    release = sub.add_parser("release", help="generate the student notebooks in release/ from source/")
    release.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: all)")
    release.add_argument("--no-validate", action="store_true",
                         help="skip running the notebooks (nbgrader validate and --invert)")
    release.set_defaults(func=cmd_release)

    coll = sub.add_parser("collect", help="import submissions from a Canvas or Moodle export (folder or .zip), a "
                          "folder of the course's ids, or one notebook", description="Canvas's Download Submissions "
                          "(doejane_4821_99013_01-loss-functions.ipynb, _late_, -1 for a resubmission), Moodle's "
                          "Download all submissions (Jane Doe_4821_assignsubmission_file_/...), files named "
                          "<student>_<lesson>.ipynb or <student>/<lesson>/*.ipynb, or one .ipynb with --student. "
                          "LMS students are matched to course ids with the roster (roster.csv, or --roster); the lesson "
                          "is read from the file's name, or from the notebook's graded cells. A newer submission "
                          "already collected is never replaced by an older one; collected.json records each one.")
    coll.add_argument("path", help="a folder or a .zip of submissions, or one .ipynb (with --student)")
    coll.add_argument("--roster", metavar="FILE", help="a Canvas or Moodle gradebook export (CSV), or a course roster: "
                      "merged into the course's roster.csv (nobody is dropped) and used to name the students")
    coll.add_argument("--student", metavar="ID", help="the course id of the student whose notebook PATH is")
    coll.add_argument("--lesson", metavar="LESSON", help="the lesson of every file (default: from each file's name, "
                      "or from its graded cells)")
    coll.set_defaults(func=cmd_collect)

    grade = sub.add_parser("grade", help="autograde new or changed submissions in parallel, then write "
                           "feedback and grades.csv")
    grade.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: all)")
    grade.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    grade.add_argument("--timeout", type=int, default=None, metavar="SECONDS",
                       help="the longest a notebook cell may run (default: nbgrader_config.py's, 120)")
    grade.add_argument("--student", action="append", metavar="ID",
                       help="grade only this student's submissions (repeat for several)")
    grade.add_argument("--force", action="store_true",
                       help="grade again even what has not changed (after the catalogue or a deadline changed); "
                       "the earlier feedback is kept in feedback-history/")
    grade.add_argument("--no-sandbox", action="store_true",
                       help=f"run student code without bubblewrap, with your rights (also {sandbox.NO_SANDBOX_ENV}=1); "
                       "only for machines that cannot sandbox")
    grade.set_defaults(func=cmd_grade)

    ovr = sub.add_parser("override", help="set one function's score by hand, with the reason the student reads "
                         "in the feedback (kept in the gradebook; a later autograde keeps it)")
    ovr.add_argument("student")
    ovr.add_argument("lesson")
    ovr.add_argument("function", help="the graded function, e.g. mse")
    ovr.add_argument("score", type=float, nargs="?", help="the new score (0 to the function's points)")
    ovr.add_argument("--reason", help="why, in a sentence for the student")
    ovr.add_argument("--clear", action="store_true", help="go back to the grader's score")
    ovr.set_defaults(func=cmd_override)

    exp = sub.add_parser("export", help="write the grades for the LMS's gradebook import (Canvas, Moodle) or as "
                         "grades.csv's table", description="Canvas: the identity columns of Canvas's gradebook export, "
                         "a Points Possible row and one column per lesson. Moodle: First name, Last name, ID number, "
                         "Email address and one column per lesson, for 'Import grades: CSV file'. Both need the class "
                         "list (collect --roster).")
    exp.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: all)")
    exp.add_argument("--format", choices=("csv", "canvas", "moodle"), default="csv")
    exp.add_argument("--out", metavar="FILE", help="a new file (default: exports/<format>-grades.csv)")
    exp.add_argument("--canvas-gradebook", metavar="FILE",
                     help="Canvas's own gradebook export: each lesson's column keeps its name and assignment id")
    exp.set_defaults(func=cmd_export)

    sta = sub.add_parser("stats", help="per graded function: the class's mean score, the share at full marks and the "
                         "most frequent mistake (what to re-teach), as a table and a chart")
    sta.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: all)")
    sta.add_argument("--chart", metavar="FILE", help="where to write the chart (default: exports/stats.png)")
    sta.set_defaults(func=cmd_stats)

    bun = sub.add_parser("bundle", help="write the student bundle (release notebooks, the lessons package, "
                         "a README) to a new folder or a .zip")
    bun.add_argument("out", help="a new folder, or a file name ending in .zip")
    bun.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: all released)")
    bun.set_defaults(func=cmd_bundle)

    check = sub.add_parser("selfcheck", help="prove the grading sound: instructor version full marks, release "
                           "zero, every catalogued mistake caught, run time per notebook")
    check.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: all)")
    check.set_defaults(func=cmd_selfcheck)

    dem = sub.add_parser("demo", help="the whole workflow on three sample students in a temporary course")
    dem.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: all)")
    dem.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    dem.add_argument("--keep", metavar="FOLDER", help="run in this new folder and keep it")
    dem.add_argument("--no-sandbox", action="store_true",
                     help="grade the sample students without bubblewrap (the demo does so by itself, and says so, "
                     "where the sandbox is unavailable)")
    dem.set_defaults(func=cmd_demo)
    return parser


#: nbgrader 0.9.6's gradebook code warns about its own SQLAlchemy session use on every autograde; the
#: warning is about nbgrader's internals, says nothing an instructor can act on and hides the real output.
NBGRADER_NOISE = r"Object of type <Submitted\w+> not in session"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message=NBGRADER_NOISE)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, pipeline.PipelineError, sandbox.SandboxUnavailable) as exc:
        print(f"nncourse {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
