"""nncourse on real nbgrader runs: release, collect, parallel grading, feedback, grades, errors."""

from __future__ import annotations

import argparse
import re
import ast
import csv
import json
from pathlib import Path

import pytest

from nncourse import cli, export, grading, pipeline
from grader.specs.losses import SPECS

from tests.notebooks.conftest import ROOT, copy_course

pytestmark = pytest.mark.project
LESSON = "01-loss-functions"


def _course(path: Path) -> Path:
    return copy_course(path, LESSON)


def _export(path: Path, n: int) -> Path:
    """n submissions: complete, blank, and a partial one with a mistake, in turn; plus a broken file."""
    path.mkdir()
    source = json.loads(pipeline.notebook_path(ROOT, "source", LESSON).read_text())
    release = pipeline.notebook_path(ROOT, "release", LESSON).read_text()
    partial = json.loads(release)
    for cell in partial["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "accuracy":
            cell["source"] = "def accuracy(probs, y_onehot):\n    return float((probs.argmax(1) == y_onehot.argmax(1)).mean())"
    kinds = [json.dumps(source), release, json.dumps(partial)]
    for i in range(n):
        (path / f"s{i:02d}_{LESSON}.ipynb").write_text(kinds[i % 3])
    (path / f"broken_{LESSON}.ipynb").write_text("{ this is not json")
    return path


def _code_lines(path: Path) -> set[str]:
    """Lines of code in the functions' bodies (docstrings left out: they are public lesson text)."""
    text = path.read_text()
    lines = text.splitlines()
    out = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            for stmt in body:
                for ln in lines[stmt.lineno - 1:stmt.end_lineno]:
                    if len(ln.strip()) > 25 and not ln.strip().startswith("#"):
                        out.add(ln.strip())
    return out


def _scores(root: Path) -> dict:
    return {(g.student, g.lesson): (g.score, g.max_score) for g in export.grades(root, [LESSON])}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli")
    export = _export(base / "export", 8)
    runs = {}
    for jobs in (1, 2):
        root = _course(base / f"course-{jobs}")
        assert cli.main(["--course", str(root), "collect", str(export)]) == 0
        code = cli.main(["--course", str(root), "grade", LESSON, "--jobs", str(jobs)])
        runs[jobs] = (root, code)
    return runs


def test_parallel_grading_equals_serial_grading(graded):
    (serial, _), (parallel, _) = graded[1], graded[2]
    assert _scores(serial) == _scores(parallel)
    scores = _scores(parallel)
    assert scores[("s00", LESSON)] == (10.0, 10.0)
    assert scores[("s01", LESSON)] == (0.0, 10.0)
    assert scores[("s02", LESSON)] == (1.0, 10.0)  # only accuracy written, correctly


def test_a_broken_submission_scores_zero_is_reported_and_the_others_are_graded(graded):
    root, code = graded[2]
    assert code == 1  # the broken one is reported, visibly
    scores = _scores(root)
    assert scores[("broken", LESSON)] == (0.0, 10.0)
    assert len(scores) == 9


def test_grades_csv_and_feedback(graded):
    root, _ = graded[2]
    with (root / "grades.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert {r["student"] for r in rows} == {f"s{i:02d}" for i in range(8)} | {"broken"}
    html = pipeline.notebook_path(root, "feedback", LESSON, "s02").read_text()
    assert "accuracy: all" in html  # the student's message is there
    leaked = [ln for ln in _code_lines(ROOT / "solutions" / "losses.py") if ln in html]
    assert not leaked, f"reference code reached the feedback: {leaked[:3]}"
    for spec in SPECS:
        for mistake in spec.mistakes:
            assert f"def {mistake.fn.__name__}(" not in html


def test_regrading_only_touches_new_or_changed_work(graded):
    root, _ = graded[2]
    assert grading.pending(root, [LESSON]) == [grading.Job("broken", LESSON, grading.pending(root, [LESSON])[0].digest)]
    notebook = pipeline.notebook_path(root, "submitted", LESSON, "s01")
    notebook.write_text(pipeline.notebook_path(ROOT, "source", LESSON).read_text())
    assert {j.student for j in grading.pending(root, [LESSON])} == {"broken", "s01"}


@pytest.mark.parametrize("argv, message", [
    (["grade", "99-nope"], "unknown lesson"),
    (["collect", "/nonexistent/export"], "does not exist"),
    (["grade", "--jobs", "0", LESSON], "--jobs must be at least 1"),
    (["grade", "--timeout", "0", LESSON], "--timeout must be at least 1 second"),
])
def test_clear_errors(tmp_path, capsys, argv, message):
    root = _course(tmp_path / "course")
    assert cli.main(["--course", str(root), *argv]) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command", ["release", "collect", "grade"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: nncourse" in capsys.readouterr().out


def test_every_command_the_readme_names_exists():
    """The README is the instructor's manual: each ``nncourse <command>`` and ``make <target>`` it names is real."""
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    named = set(re.findall(r"`(?:\.venv/bin/)?nncourse (\w+)", readme))
    assert {"release", "bundle", "collect", "grade", "demo"} <= named, named
    assert named <= set(commands), f"the README names commands nncourse does not have: {named - set(commands)}"
    phony = re.search(r"^\.PHONY: (.*)$", (root / "Makefile").read_text(), re.M).group(1).split()
    targets = set(re.findall(r"`make (\w+)`", readme))
    assert {"lab", "test", "instructor", "sandbox"} <= targets and targets <= set(phony), targets


def test_without_the_instructors_tools_the_command_says_how_to_get_them():
    """After ``make lab`` alone, ``nncourse`` exists (a console script) but nbgrader does not: it says what to run."""
    import subprocess
    import sys
    import tomllib

    import nncourse

    root = Path(__file__).resolve().parents[2]
    extra = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]["instructor"]
    names = {re.split(r"[<>=\[ ]", item)[0] for item in extra} - {"notebook"}  # the lab already has the server
    assert names == set(nncourse.INSTRUCTOR_PACKAGES)
    for missing in nncourse.INSTRUCTOR_PACKAGES:
        run = subprocess.run([sys.executable, "-c", f"import sys; sys.modules[{missing!r}] = None\n"
                              "import nncourse; raise SystemExit(nncourse.main(['--help']))"],
                             capture_output=True, text=True, cwd=root)
        assert run.returncode == 1 and "Traceback" not in run.stderr, (missing, run.stderr)
        assert "run `make instructor`" in run.stderr, run.stderr
