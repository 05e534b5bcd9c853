"""Autograding speed: the overhead over plain execution, the parallel speed-up, the demo, a profile.

Each section works in its own temporary copy of the course (released with
``nbgrader generate_assignment``), with the instructor notebooks submitted
as students' work, so every submission gets full marks (checked: a bench
that times a broken grading is worthless).

* :func:`overhead`: one complete submission of every written lesson,
  autograded with ``--jobs 1`` (:func:`nncourse.grading.grade`, one call per
  lesson), against merely executing the same notebooks with nbclient, one
  after the other, each in a fresh kernel (the floor any grader pays); per
  lesson and in total, in wall seconds and in CPU seconds (the CPU ratio
  hardly depends on how loaded the machine is; the wall ratio does); then
  the feedback HTML.
* :func:`parallel`: 12 submissions of the first lesson graded with
  ``--jobs 1`` and with ``--jobs 2``; the speed-up, and the cores each
  actually got (CPU seconds over wall seconds), since the machine is shared.
* :func:`demo`: ``nncourse demo`` for all lessons, as a user runs it (a
  subprocess); the target is 180 seconds on 2 cores.
* :func:`profile`: where the time of one autograde goes, phase by phase, in
  a fresh process (as a new worker starts), alone and with a second
  autograde running at the same time; for the course as configured and for
  what-if settings (:data:`VARIANTS`) tried in a scratch copy of the
  configuration.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nncourse import collect, export, grading, pipeline
from nncourse.selfcheck import copy_course

from . import notebooks
from .timing import Descendants, load, measured

ROOT = Path(__file__).resolve().parents[1]
N_SUBMISSIONS = 12
DEMO_TARGET_S = 180.0


def _course(tmp: Path, lessons: list[str], name: str = "course") -> Path:
    course = copy_course(ROOT, tmp / name, lessons)
    for lesson_id in lessons:
        pipeline.generate(course, lesson_id)
    return course


def _submit(course: Path, lessons: list[str], students: list[str], export: Path) -> None:
    """The instructor notebooks as every student's submission, collected like an LMS export."""
    export.mkdir(parents=True)
    for student in students:
        for lesson_id in lessons:
            text = pipeline.notebook_path(course, "source", lesson_id).read_text()
            (export / f"{student}_{lesson_id}.ipynb").write_text(text)
    collect.collect(course, export)


def _graded(course: Path, lessons: list[str], results: list, expected: int) -> None:
    """Raise unless ``expected`` submissions were graded, each with full marks."""
    failed = [f"{r.student} {r.lesson}: {r.error}" for r in results if not r.ok]
    if failed or len(results) != expected:
        raise RuntimeError(f"bench: {len(results)} of {expected} submissions graded; failures: {failed}")
    short = [f"{g.student} {g.lesson}: {g.score:g}/{g.max_score:g}"
             for g in export.grades(course, lessons) if g.score != g.max_score]
    if short:
        raise RuntimeError(f"bench: the instructor notebooks did not get full marks: {short}")


def _problems(course: Path, lessons: list[str], results: list) -> dict[str, str]:
    """What went wrong per lesson: a submission not graded, or graded short of full marks."""
    problems = {r.lesson: f"not graded: {r.error}" for r in results if not r.ok}
    for g in export.grades(course, lessons):
        if g.score != g.max_score and g.lesson not in problems:
            problems[g.lesson] = f"instructor version scored {g.score:g}/{g.max_score:g}"
    return problems


def overhead() -> dict:
    """Autograde one complete submission vs execute the same notebooks with nbclient; then the feedback.

    A lesson whose instructor notebook fails to run or to get full marks is
    reported (``problem``) and left out of the totals.
    """
    import nbgrader.apps  # noqa: F401 - imported now, not inside the first lesson's release time

    lessons = notebooks.lessons()
    floor, problems, release = {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="nncourse-bench-") as tmp:
        tmp = Path(tmp)
        course = copy_course(ROOT, tmp / "course", lessons)
        for lesson_id in lessons:
            try:
                t = time.perf_counter()
                pipeline.generate(course, lesson_id)
                release[lesson_id] = round(time.perf_counter() - t, 3)
                floor[lesson_id] = notebooks.execute(pipeline.notebook_path(course, "source", lesson_id))
            except Exception as exc:  # noqa: BLE001 - a lesson being written may not run yet
                problems[lesson_id] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:300]}"
        ready = [i for i in lessons if i not in problems]
        _submit(course, ready, ["single"], tmp / "export")
        results, graded = [], {}
        for lesson_id in ready:  # one grade call per lesson: each lesson's CPU time on its own
            with measured() as graded[lesson_id]:
                results += grading.grade(course, [lesson_id], jobs=1, progress=None)
        problems.update(_problems(course, ready, results))
        good = [r for r in results if r.ok]
        with measured() as feedback:
            grading.feedback(course, good)
    seconds = {r.lesson: r.seconds for r in results}
    rows = []
    for i in lessons:
        row = {"lesson": i, "problem": problems.get(i, ""), "release_s": release.get(i)}
        if i in floor:
            row.update(execute_s=floor[i]["total_s"], execute_cpu_s=floor[i]["cpu_s"],
                       load_before=floor[i]["load_before"], load_after=floor[i]["load_after"])
        if i in seconds:
            row.update(autograde_s=round(seconds[i], 3), ratio=round(seconds[i] / floor[i]["total_s"], 2),
                       autograde_cpu_s=graded[i]["cpu_s"], autograde_load_after=graded[i]["load_after"],
                       cpu_ratio=round(graded[i]["cpu_s"] / floor[i]["cpu_s"], 2) if floor[i]["cpu_s"] else None)
        rows.append(row)
    counted = [r for r in rows if not r["problem"]]
    execute_s = sum(r["execute_s"] for r in counted)
    autograde_s = sum(r["autograde_s"] for r in counted)
    execute_cpu = sum(r["execute_cpu_s"] for r in counted)
    autograde_cpu = sum(r["autograde_cpu_s"] for r in counted)
    return {"lessons": rows, "counted": [r["lesson"] for r in counted],
            "execute_s": round(execute_s, 3), "execute_cpu_s": round(execute_cpu, 3),
            "autograde_s": round(autograde_s, 3), "autograde_cpu_s": round(autograde_cpu, 3),
            "autograde_load_before": min((graded[r["lesson"]]["load_before"] for r in counted), default=None),
            "autograde_load_after": max((graded[r["lesson"]]["load_after"] for r in counted), default=None),
            "ratio": round(autograde_s / execute_s, 2) if execute_s else None,
            "cpu_ratio": round(autograde_cpu / execute_cpu, 2) if execute_cpu else None,
            "feedback": feedback, "feedback_per_submission_s": round(feedback["wall_s"] / max(len(good), 1), 3),
            "measured": f"one complete submission of {len(counted)} lessons, --jobs 1; floor: nbclient, "
                        "a fresh kernel per notebook"}


def parallel(lesson_id: str | None = None, n: int = N_SUBMISSIONS) -> dict:
    """Grade ``n`` submissions of one lesson with ``--jobs 1``, then ``--jobs 2``, each in a fresh course."""
    lesson_id = lesson_id or notebooks.lessons()[0]
    runs = {}
    with tempfile.TemporaryDirectory(prefix="nncourse-bench-") as tmp:
        tmp = Path(tmp)
        for jobs in (1, 2):
            course = _course(tmp, [lesson_id], f"jobs{jobs}")
            _submit(course, [lesson_id], [f"s{i:02d}" for i in range(n)], tmp / f"export{jobs}")
            with measured() as m:
                results = grading.grade(course, [lesson_id], jobs=jobs, progress=None)
            _graded(course, [lesson_id], results, n)
            m["per_submission_s"] = round(sum(r.seconds for r in results) / n, 3)
            m["cpu_per_submission_s"] = round(m["cpu_s"] / n, 3)
            runs[f"jobs{jobs}"] = m
    return {"lesson": lesson_id, "submissions": n, **runs,
            "speedup": round(runs["jobs1"]["wall_s"] / runs["jobs2"]["wall_s"], 2),
            "cores_ratio": round(runs["jobs2"]["cores_used"] / max(runs["jobs1"]["cores_used"], 1e-9), 2)}


def _demo_steps(lines: list[tuple[float, str]]) -> dict:
    """Seconds of the demo's steps, from the time each line of its output arrived."""
    def first(prefix: str) -> float | None:
        return next((t for t, line in lines if line.startswith(prefix)), None)

    released, grading = first("2. "), first("5. ")
    graded = max((t for t, line in lines if line.startswith("[")), default=None)  # the last progress bar
    summary = first("feedback: ")
    steps = {"release": released, "export and collect": grading and released and grading - released,
             "grade (parallel)": graded and grading and graded - grading,
             "feedback and grade table": summary and graded and summary - graded}
    return {k: round(v, 2) for k, v in steps.items() if v is not None}


def demo() -> dict:
    """``nncourse demo`` (all lessons, default jobs) in a subprocess; its steps timed from its output."""
    lines = []
    with measured() as m:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "nncourse.cli", "demo"], cwd=ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # one pipe: none can fill up
        for line in proc.stdout:
            lines.append((time.perf_counter() - start, line.strip()))
        proc.wait()
    tail = [line for _, line in lines[-6:]]
    return {**m, "returncode": proc.returncode, "lessons": len(notebooks.lessons()), "target_s": DEMO_TARGET_S,
            "within_target": m["wall_s"] <= DEMO_TARGET_S, "steps": _demo_steps(lines),
            "tail": tail if proc.returncode else []}


# ---------------------------------------------------------------------------------------------
# profile: phase timings inside one autograde, measured by wrapping nbgrader's, nbclient's and
# SQLAlchemy's functions in a fresh child process (python -c _CHILD COURSE LESSON STUDENT).

def _instrument(phases: dict) -> None:
    import functools

    from nbclient.client import NotebookClient
    from nbconvert.preprocessors.base import Preprocessor
    from nbgrader.api import Gradebook
    from nbgrader.converters.autograde import Autograde
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    def add(name, wall, cpu):
        entry = phases.setdefault(name, {"wall_s": 0.0, "cpu_s": 0.0, "calls": 0})
        entry["wall_s"] += wall
        entry["cpu_s"] += cpu
        entry["calls"] += 1

    def wrap(owner, attr, name):
        fn = getattr(owner, attr)

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                add(name(args[0]) if callable(name) else name, time.perf_counter() - t, time.process_time() - c)
        setattr(owner, attr, timed)

    wrap(Autograde, "init_assignment", "nbgrader: init_assignment (gradebook records, copy files)")
    wrap(Gradebook, "__init__", "gradebook: open (create_all, check course)")
    wrap(Session, "commit", "gradebook: commits")
    wrap(Preprocessor, "__call__", lambda self: f"preprocessor {type(self).__name__}")
    # nbgrader's Execute calls nbclient's synchronous wrappers (run_sync made them from the async ones)
    wrap(NotebookClient, "start_new_kernel", "kernel: start process")
    wrap(NotebookClient, "start_new_kernel_client", "kernel: connect, wait until ready")
    wrap(NotebookClient, "execute_cell", "kernel: execute cells")
    wrap(NotebookClient, "_cleanup_kernel", "kernel: shut down")

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_t", []).append((time.perf_counter(), time.process_time()))

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        t, c = conn.info["bench_t"].pop()
        add("gradebook: SQL statements", time.perf_counter() - t, time.process_time() - c)


def profile_child(root: Path, lesson_id: str, student: str, imports: dict) -> dict:
    """One autograde in this fresh process, phase by phase (``imports``: the import steps already timed)."""
    phases: dict = dict(imports)
    start, c0 = time.perf_counter(), os.times()

    def step(name, fn):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        phases[name] = {"wall_s": time.perf_counter() - t, "cpu_s": time.process_time() - c, "calls": 1}
        return out

    _instrument(phases)
    with Descendants() as kernel:  # the sandboxed kernel is never our waited-for child: sample it
        api = step("api(): load nbgrader_config.py, NbGraderAPI", lambda: pipeline.api(root))
        step("autograde (everything below)", lambda: pipeline.checked(
            api.autograde(lesson_id, student, force=True, create=True), f"autograde {lesson_id} for {student}"))
    c1 = os.times()
    reaped = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    cells = pipeline.scores(root, lesson_id, student).values()
    return {"wall_s": time.perf_counter() - start + sum(v["wall_s"] for v in imports.values()),
            "cpu_worker_s": (c1.user - c0.user) + (c1.system - c0.system) + sum(v["cpu_s"] for v in imports.values()),
            "cpu_kernel_s": max(reaped, kernel.cpu),
            "score": [sum(c.score for c in cells), sum(c.max_score for c in cells)],
            "phases": {k: {"wall_s": round(v["wall_s"], 3), "cpu_s": round(v["cpu_s"], 3), "calls": v["calls"]}
                       for k, v in phases.items()}}


#: The child process: time the imports a fresh worker pays before anything else is imported.
_CHILD = """
import json, sys, time
imports = {}
for name, module in (("import jsonschema (its rfc3987_syntax builds a grammar)", "jsonschema"),
                     ("import nbgrader (the rest)", "nbgrader.apps"),
                     ("import the course's grader and bench", "bench.autograde")):
    t, c = time.perf_counter(), time.process_time()
    __import__(module)
    imports[name] = {"wall_s": time.perf_counter() - t, "cpu_s": time.process_time() - c, "calls": 1}
from pathlib import Path
from bench.autograde import profile_child
print(json.dumps(profile_child(Path(sys.argv[1]), sys.argv[2], sys.argv[3], imports)))
"""


def _spawn(course: Path, lesson_id: str, student: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _CHILD, str(course), lesson_id, student],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _collect(proc: subprocess.Popen) -> dict:
    out, _ = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"bench: the profiled autograde failed (exit {proc.returncode})")
    return json.loads(out.strip().splitlines()[-1])


#: What-if settings tried by :func:`profile`, each appended to a scratch copy of nbgrader_config.py
#: (the course's own file is never touched).
VARIANTS = {
    "as configured": "",
    # nbgrader_config.py kills kernels when done and leaves widget and demo cells unrun; what each is worth:
    "kernel shutdown graceful": 'c.ExecutePreprocessor.shutdown_kernel = "graceful"',
    "demo and widget cells run": "c.SandboxedExecute.skip_displays = False",
}


def _profile_course(course: Path, lesson_id: str) -> dict:
    for student in ("warm", "solo", "pair1", "pair2"):
        pipeline.submit(course, lesson_id, student, pipeline.notebook_path(course, "source", lesson_id))
    _collect(_spawn(course, lesson_id, "warm"))  # creates the student's records, warms the file cache
    before = load()
    solo = _collect(_spawn(course, lesson_id, "solo"))
    solo["load_before"], solo["load_after"] = before, load()
    before = load()
    t = time.perf_counter()
    procs = [_spawn(course, lesson_id, s) for s in ("pair1", "pair2")]
    pair = [_collect(p) for p in procs]
    return {"solo": solo, "pair": pair, "pair_wall_s": round(time.perf_counter() - t, 3),
            "pair_load_before": before, "pair_load_after": load()}


def profile(lesson_id: str | None = None, variants: dict[str, str] | None = None) -> dict:
    """Phases of one autograde in a fresh process: alone, then two at once (as ``--jobs 2`` runs them),
    for the course as configured and for each what-if setting in ``variants`` (default :data:`VARIANTS`)."""
    lesson_id = lesson_id or notebooks.lessons()[0]
    out = {"lesson": lesson_id, "variants": {}}
    with tempfile.TemporaryDirectory(prefix="nncourse-bench-") as tmp:
        for i, (name, setting) in enumerate((variants or VARIANTS).items()):
            course = _course(Path(tmp), [lesson_id], f"course{i}")
            if setting:
                with (course / "nbgrader_config.py").open("a") as f:
                    f.write(f"\n# bench what-if\n{setting}\n")
            out["variants"][name] = {"setting": setting, **_profile_course(course, lesson_id)}
    return out
