"""Grading that survives broken and hostile submissions, each submitted through real nbgrader autograding.

One graded course (a module fixture) holds a submission per kind of trouble:
an honest one, one that tries to leave its sandbox, one that loops, exits and
eats memory, one that crashes the kernel, prints megabytes and calls
``exit()``, and files that are not notebooks, old, renamed or accompanied by
extra files.  Each test then checks one case: the affected cells score zero,
the report names the reason, everything else is graded as usual.

Separate tests cover ``kill -9`` of ``nncourse grade`` midway, collecting
again, and grading on a machine without bubblewrap.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from nncourse import cli, collect, export, grading, pipeline, sandbox

from tests.notebooks.conftest import ROOT, copy_course

pytestmark = pytest.mark.project
LESSON = "01-loss-functions"
#: The per-cell limit in these courses: short, yet several times what an honest cell needs here.
TIMEOUT = 30
SOURCE = pipeline.notebook_path(ROOT, "source", LESSON)
FULL = {"test_mse": 2.0, "test_mse_grad": 2.0, "test_binary_cross_entropy": 2.0,
        "test_categorical_cross_entropy": 3.0, "test_accuracy": 1.0}


def _course(path: Path) -> Path:
    return copy_course(path, LESSON)


def _notebook(before: dict[str, str] | None = None, after: dict[str, str] | None = None) -> str:
    """The instructor's (complete) notebook with code put before or after some cells' code."""
    nb = json.loads(SOURCE.read_text())
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        code = "".join(cell["source"])
        if before and gid in before:
            code = before[gid] + "\n" + code
        if after and gid in after:
            code = code + "\n" + after[gid]
        cell["source"] = code
    return json.dumps(nb)


def _escape_code(course: Path, port: int, marker: Path) -> str:
    """Attempts to read, write and connect outside the sandbox; each prints ``blocked <what>`` or ``LEAK <what>``."""
    reads = {
        "solutions": ROOT / "solutions" / "losses.py",
        "source": course / "source" / LESSON / f"{LESSON}.ipynb",
        "gradebook": course / "gradebook.db",
        "other-submission": pipeline.notebook_path(course, "submitted", LESSON, "honest"),
        "other-autograded": course / "autograded" / "someone" / LESSON / "secret.txt",
        "git": ROOT / ".git" / "HEAD",
        "etc-shadow": Path("/etc/shadow"),
    }
    writes = {
        "write-course": course / "hacked.txt",
        "write-submitted": pipeline.notebook_path(course, "submitted", LESSON, "honest"),
        "write-package": ROOT / "lessons" / "hacked.py",
        "write-tmp": marker,
    }
    return f'''
import os as _os, socket as _socket
def _attempt(what, action):
    try:
        action()
    except Exception as exc:
        print("blocked", what, type(exc).__name__)
    else:
        print("LEAK", what)
for _what, _path in {({k: str(v) for k, v in reads.items()})!r}.items():
    _attempt(_what, lambda p=_path: _os.listdir(p) if _os.path.isdir(p) else open(p, "rb").read(10))
for _what, _path in {({k: str(v) for k, v in writes.items()})!r}.items():
    _attempt(_what, lambda p=_path: open(p, "w").write("pwned"))
_attempt("network", lambda: _socket.create_connection(("127.0.0.1", {port}), timeout=3).close())
_attempt("signal-grader", lambda: _os.kill({os.getpid()}, 0))
'''


BOMB = "def _bomb():\n    blocks = []\n    while True:\n        blocks.append(bytearray(10**7))\n_bomb()"


def _outputs(course: Path, student: str) -> dict[str, list]:
    nb = json.loads(pipeline.notebook_path(course, "autograded", LESSON, student).read_text())
    return {cell["metadata"].get("nbgrader", {}).get("grade_id") or f"cell{i}": cell.get("outputs", [])
            for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"}


def _text(outputs: list) -> str:
    return "\n".join("".join(o.get("text", "")) if o["output_type"] == "stream" else json.dumps(o)
                     for o in outputs)


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class _Listener:
    """A TCP server on the loopback that counts connections (none may come from a sandbox)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


def _grade(course: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--course", str(course), "grade", LESSON, "--timeout", str(TIMEOUT), *args])
    return code, out.getvalue(), err.getvalue()


#: Huge outputs that try to slip past the cap: a display updated in place, and a fake probe payload
#: displayed from a solution cell (only test cells' payloads are judged, so only they are kept whole).
HUGE_DISPLAYS = """
from IPython.display import display
handle = display({"text/plain": "small"}, raw=True, display_id=True)
handle.update({"text/plain": "y" * 3_000_000}, raw=True)
display({"application/vnd.nncourse.probe+json": {"blob": "z" * 3_000_000}, "text/plain": "fake"}, raw=True)
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    course = _course(base / "course")
    marker = Path("/tmp") / f"nncourse-escape-{os.getpid()}-{time.time_ns()}"
    listener = _Listener()
    notebooks = {
        "honest": _notebook(),
        "escape": _notebook(after={"mse": _escape_code(course, listener.port, marker)}),
        "exits": _notebook(before={"binary_cross_entropy": "while True:\n    pass",
                                   "categorical_cross_entropy": BOMB,
                                   "accuracy": "import sys\nsys.exit(1)"},
                           after={"mse_grad": "import os\nos._exit(3)"}),
        "crashes": _notebook(before={"mse": "import ctypes\nctypes.string_at(0)"},
                             after={"mse_grad": 'print("x" * 3_000_000)',
                                    "binary_cross_entropy": "exit()",
                                    "categorical_cross_entropy": HUGE_DISPLAYS}),
        "oldformat": nbformat.writes(nbformat.convert(nbformat.read(SOURCE, as_version=4), 3)),
        "notjson": '{"cells": [ this is not json',
        "extras": _notebook(),
    }
    tmp = base / "notebooks"
    tmp.mkdir()
    for student, text in notebooks.items():
        (tmp / f"{student}.ipynb").write_text(text)
        pipeline.submit(course, LESSON, student, tmp / f"{student}.ipynb")
    extras = pipeline.notebook_path(course, "submitted", LESSON, "extras").parent
    (extras / "notes with spaces.txt").write_text("my notes")
    (extras / "données-ü.csv").write_text("a,b\n1,2\n")
    (extras / "sub dir").mkdir()
    (extras / "sub dir" / "x.npy").write_bytes(os.urandom(1000))
    secret = course / "autograded" / "someone" / LESSON / "secret.txt"
    secret.parent.mkdir(parents=True)
    secret.write_text("another student's graded work")
    renamed = pipeline.notebook_path(course, "submitted", LESSON, "renamed").parent
    renamed.mkdir(parents=True)
    (renamed / "my work (final).ipynb").write_text(_notebook())
    submitted_before = _tree_digest(course / "submitted")
    try:
        code, out, err = _grade(course, "--jobs", "2")
    finally:
        listener.close()
    scores = {student: {g: s.score for g, s in pipeline.scores(course, LESSON, student).items()}
              for student in notebooks if student != "notjson"}
    yield {"course": course, "code": code, "out": out, "err": err, "scores": scores, "marker": marker,
           "connections": listener.connections, "submitted_before": submitted_before}
    marker.unlink(missing_ok=True)


def _report(graded, student: str) -> str:
    """The lines of ``nncourse grade``'s output about one student."""
    text = graded["out"] + "\n" + graded["err"]
    return "\n".join(line for line in text.splitlines() if f" {student} " in line)


def test_an_honest_submission_gets_full_marks_in_the_sandbox(graded):
    assert graded["scores"]["honest"] == FULL, graded["err"]


def test_the_sandbox_lets_nothing_out_and_the_honest_parts_stand(graded):
    text = _text(_outputs(graded["course"], "escape")["mse"])
    # Writes may land in the sandbox's own memory (its /tmp): what counts is that nothing outside changes.
    attempts = ["solutions", "source", "gradebook", "other-submission", "other-autograded", "git", "etc-shadow",
                "network", "signal-grader"]
    for what in attempts:
        assert f"blocked {what} " in text, f"{what}: {text}"
    assert not (graded["course"] / "hacked.txt").exists()
    assert not (ROOT / "lessons" / "hacked.py").exists()
    assert not graded["marker"].exists(), "the sandbox's /tmp is the real /tmp"
    assert graded["connections"] == 0
    assert graded["scores"]["escape"] == FULL


def test_submission_files_are_never_altered(graded):
    assert _tree_digest(graded["course"] / "submitted") == graded["submitted_before"]


def test_a_loop_an_exit_a_memory_bomb_and_sys_exit_zero_only_their_cells(graded):
    scores = graded["scores"]["exits"]
    assert scores == {**FULL, "test_mse_grad": 0.0, "test_binary_cross_entropy": 0.0,
                      "test_categorical_cross_entropy": 0.0, "test_accuracy": 0.0}
    report = _report(graded, "exits")
    assert "binary_cross_entropy: CellTimeoutError" in report, report
    assert pipeline.CELL_TIMEOUT_ENV not in os.environ  # --timeout held for that run only
    assert "mse_grad: KernelDied" in report and "exit status 3" in report, report
    assert "categorical_cross_entropy: MemoryError" in report, report
    assert "accuracy: SystemExit" in report, report


def test_a_crash_an_exit_call_and_huge_output(graded):
    scores = graded["scores"]["crashes"]
    assert scores == {**FULL, "test_mse": 0.0, "test_binary_cross_entropy": 0.0}
    report = _report(graded, "crashes")
    assert "mse: KernelDied" in report and "segmentation fault" in report, report
    assert "binary_cross_entropy: KernelExited" in report, report
    assert "mse_grad: output cut" in report, report
    outputs = _outputs(graded["course"], "crashes")["mse_grad"]
    assert len(_text(outputs)) < 110_000
    assert "output cut" in _text(outputs)
    displays = _text(_outputs(graded["course"], "crashes")["categorical_cross_entropy"])
    assert len(displays) < 220_000 and "yyyy" not in displays and "zzzz" not in displays
    assert displays.count("output cut") == 2, displays


def test_an_old_nbformat_is_graded(graded):
    assert graded["scores"]["oldformat"] == FULL


def test_extra_files_and_odd_names_beside_the_notebook_are_harmless(graded):
    assert graded["scores"]["extras"] == FULL


def test_files_that_are_not_notebooks_score_zero_with_a_clear_reason(graded):
    assert graded["code"] == 1  # reported, visibly
    notjson = _report(graded, "notjson")
    assert "not valid JSON" in notjson, notjson
    renamed = _report(graded, "renamed")
    assert f"no {LESSON}.ipynb" in renamed and "my work (final).ipynb" in renamed, renamed
    rows = {(g.student, g.lesson): g.score for g in export.grades(graded["course"], [LESSON])}
    assert rows[("notjson", LESSON)] == 0.0
    assert rows.get(("renamed", LESSON), 0.0) == 0.0
    everyone = {"honest", "escape", "exits", "crashes", "oldformat", "extras"}
    assert everyone <= {s for s, _ in rows}


def test_a_symbolic_link_in_a_submission_is_refused(tmp_path):
    folder = tmp_path / "submitted" / "s" / LESSON
    folder.mkdir(parents=True)
    shutil.copy(SOURCE, folder / f"{LESSON}.ipynb")
    (folder / "data.csv").symlink_to(tmp_path / "gradebook.db")
    assert "symbolic links (data.csv)" in grading.refusal(folder / f"{LESSON}.ipynb")


def _progress(text: str) -> list[tuple[str, str]]:
    return re.findall(r"\] \d+/\d+ (\S+) \S+ [\d.]+ s (ok|FAILED)", text)


def _processes_of(course: Path) -> list[int]:
    """Processes whose command line names the course: the grader's workers and their sandboxed kernels."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if str(course).encode() in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
    return pids


def test_kill_9_midway_then_a_rerun_grades_everything_exactly_once(tmp_path):
    course = _course(tmp_path / "course")
    wrong = tmp_path / "wrong.ipynb"
    wrong.write_text(_notebook(after={"accuracy": "def accuracy(probs, y_onehot):\n    return 0.0"}))
    kinds = {"a": SOURCE, "b": wrong, "c": SOURCE}
    for student, notebook in kinds.items():
        pipeline.submit(course, LESSON, student, notebook)
    submitted = _tree_digest(course / "submitted")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "nncourse.cli", "--course", str(course), "grade", LESSON,
                             "--jobs", "1", "--timeout", str(TIMEOUT)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    first = ""
    for line in proc.stderr:
        first += line
        if _progress(line):
            break
    os.kill(proc.pid, signal.SIGKILL)
    rest = proc.stderr.read()
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    deadline = time.monotonic() + 20
    while _processes_of(course) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _processes_of(course), "a worker or kernel outlived the killed grader"
    run1 = _progress(first + rest)
    assert run1 and len(run1) < len(kinds), run1

    code, out, err = _grade(course, "--jobs", "1")
    assert code == 0, err
    run2 = _progress(err)
    graded = sorted(s for s, status in run1 + run2 if status == "ok")
    assert graded == sorted(kinds), (run1, run2)  # each exactly once over both runs
    assert grading.pending(course, [LESSON]) == []
    rows = {g.student: (g.score, g.max_score) for g in export.grades(course, [LESSON])}
    assert rows == {"a": (10.0, 10.0), "b": (9.0, 10.0), "c": (10.0, 10.0)}
    for student in kinds:
        assert pipeline.notebook_path(course, "feedback", LESSON, student).is_file(), student
    assert _tree_digest(course / "submitted") == submitted


def test_collecting_the_same_or_older_files_again_changes_nothing(tmp_path):
    course = _course(tmp_path / "course")
    export = tmp_path / "export"
    export.mkdir()
    (export / f"ann_{LESSON}.ipynb").write_text(_notebook())
    (export / f"Jane Doe_{LESSON}.ipynb").write_text(_notebook())  # a space: not a usable student id
    (export / "readme.txt").write_text("hello")
    first = collect.collect(course, export)
    assert first.added == (f"ann/{LESSON}",)
    assert {f.name for f in first.unplaced} == {f"Jane Doe_{LESSON}.ipynb", "readme.txt"}
    before = _tree_digest(course / "submitted")
    again = collect.collect(course, export)
    assert again.added == again.replaced == () and again.unchanged == (f"ann/{LESSON}",)
    older = tmp_path / "older"
    older.mkdir()
    (older / f"ann_{LESSON}.ipynb").write_text(pipeline.notebook_path(ROOT, "release", LESSON).read_text())
    os.utime(older / f"ann_{LESSON}.ipynb", (1_000_000_000, 1_000_000_000))
    assert collect.collect(course, older).kept_newer == (f"ann/{LESSON}",)
    assert _tree_digest(course / "submitted") == before


def test_grading_refuses_to_run_unsandboxed_unless_told(tmp_path, monkeypatch):
    course = _course(tmp_path / "course")
    pipeline.submit(course, LESSON, "s", SOURCE)
    monkeypatch.delenv(sandbox.NO_SANDBOX_ENV, raising=False)
    monkeypatch.setattr(sandbox, "tool", lambda name: None)  # a machine without bwrap
    code, out, err = _grade(course)
    assert code == 1
    assert "bwrap" in err and "apt-get install bubblewrap" in err and "--no-sandbox" in err, err
    assert not (course / "autograded").exists()

    code, out, err = _grade(course, "--no-sandbox")
    assert code == 0, err
    assert "without the sandbox" in err
    assert {g.student: g.score for g in export.grades(course, [LESSON])} == {"s": 10.0}


def test_ci_really_sandboxes():
    if os.environ.get("CI") and sandbox.bwrap() is None:
        pytest.fail("CI must grade in the sandbox: make test installs bubblewrap (make sandbox)")
    if sandbox.bwrap() is None:
        pytest.skip("bwrap is not installed here: make sandbox (as root)")
    cmd = sandbox.wrap(["/bin/true"], writable=[])
    assert cmd[0].endswith("bwrap") and "--unshare-net" in cmd
    assert subprocess.run(cmd).returncode == 0


def test_nbgraders_own_autograde_command_runs_the_kernel_in_the_sandbox_too(tmp_path):
    """An instructor who types ``nbgrader autograde`` in the course folder (or presses the formgrader's
    autograde button, which runs the same converter with the same config) gets the same sandbox."""
    course = _course(tmp_path / "course")
    marker = tmp_path / "escaped"
    listener = _Listener()
    notebook = tmp_path / "escape.ipynb"
    notebook.write_text(_notebook(after={"mse": _escape_code(course, listener.port, marker)}))
    pipeline.generate(course, LESSON)
    pipeline.submit(course, LESSON, "escape", notebook)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop(sandbox.NO_SANDBOX_ENV, None)
    try:
        run = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", LESSON, "--student", "escape",
                              "--force"], cwd=course, env=env, capture_output=True, text=True, timeout=600)
    finally:
        listener.close()
    assert run.returncode == 0, run.stderr[-2000:]
    text = _text(_outputs(course, "escape")["mse"])
    for what in ("solutions", "source", "gradebook", "git", "etc-shadow", "network", "signal-grader"):
        assert f"blocked {what} " in text, f"{what}: {text}"
    assert not marker.exists() and listener.connections == 0 and not (course / "hacked.txt").exists()


def test_files_the_kernel_writes_never_reach_the_feedback_or_the_formgrader(tmp_path):
    """The kernel may write in its own autograded folder (its working directory), which nbgrader copies into
    feedback/ and the formgrader serves: a page written there would run on the Jupyter origin."""
    course = _course(tmp_path / "course")
    writer = ("import os as _os\n"
              "open('evil.html', 'w').write('<script>window.__pwned = 1</script>')\n"
              "_os.makedirs('assets', exist_ok=True)\n"
              "open(_os.path.join('assets', 'x.js'), 'w').write('alert(1)')\n")
    notebook = tmp_path / "writer.ipynb"
    notebook.write_text(_notebook(after={"mse": writer}))
    pipeline.submit(course, LESSON, "writer", notebook)
    code, out, err = _grade(course)
    assert code == 0, err
    folder = pipeline.notebook_path(course, "autograded", LESSON, "writer").parent
    feedback = pipeline.notebook_path(course, "feedback", LESSON, "writer").parent
    assert sorted(p.name for p in folder.iterdir()) == [f"{LESSON}.ipynb", "timestamp.txt"]
    assert not (feedback / "evil.html").exists() and not (feedback / "assets").exists()
    assert "wrote assets/x.js, evil.html while it was graded: removed" in out + err
    assert {g: s.score for g, s in pipeline.scores(course, LESSON, "writer").items()} == FULL


FORKS = """
import os as _os
_children = []
try:
    for _ in range(500):
        _pid = _os.fork()
        if _pid == 0:
            _os.execv("/bin/sleep", ["/bin/sleep", "SLEEP"])
        _children.append(_pid)
except OSError as _exc:
    print("refused after", len(_children), "forks:", type(_exc).__name__)
else:
    print("LEAK: 500 forks")
"""


def test_one_submission_holds_a_few_dozen_processes_at_most_and_leaves_none(tmp_path):
    """A fork loop in one cell: the kernel gets at most MAX_PROCESSES, whoever runs the grader (root too);
    that cell's function still scores, the others too, and no process of it is left once graded."""
    course = _course(tmp_path / "course")
    notebook = tmp_path / "forks.ipynb"
    marker = f"600.{os.getpid()}{time.time_ns() % 10**6}"  # the children's command line: sleep <marker>
    notebook.write_text(_notebook(after={"mse": FORKS.replace("SLEEP", marker)}))
    pipeline.submit(course, LESSON, "forks", notebook)
    code, out, err = _grade(course)
    assert code == 0, err
    text = _text(_outputs(course, "forks")["mse"])
    found = re.search(r"refused after (\d+) forks", text)
    assert found and 5 <= int(found.group(1)) < sandbox.MAX_PROCESSES, text
    assert {g: s.score for g, s in pipeline.scores(course, LESSON, "forks").items()} == FULL
    left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True).stdout.split()
    assert not left, f"the submission's processes outlived its grading: {left}"
    base = sandbox.process_limit_base()
    assert base is None or not list(base.glob("nncourse-kernel-*")), "a kernel's pids cgroup was left behind"
