"""nncourse selfcheck and demo, on real nbgrader runs of lesson 01."""

from __future__ import annotations

import dataclasses
import html

import pytest

from nncourse import cli, demo, sandbox, selfcheck
from grader.spec import Mistake
from grader.specs import REGISTRY

pytestmark = pytest.mark.project
LESSON = "01-loss-functions"


def test_selfcheck_passes_and_reports_each_part(capsys):
    assert cli.main(["selfcheck", LESSON]) == 0
    out = capsys.readouterr().out
    mistakes = sum(len(REGISTRY[f].mistakes) for f in ("mse", "mse_grad", "binary_cross_entropy",
                                                      "categorical_cross_entropy", "accuracy"))
    assert f"{mistakes}/{mistakes}" in out and "10/10" in out and "0/10" in out and "ok" in out


def test_selfcheck_fails_when_a_mistake_goes_unnoticed(monkeypatch):
    spec = REGISTRY["mse"]
    unnoticed = Mistake("invisible", "a hint nobody prints", spec.reference)
    monkeypatch.setitem(REGISTRY, "mse", dataclasses.replace(spec, mistakes=spec.mistakes + (unnoticed,)))
    caught, total, problems = selfcheck.mistakes_caught(LESSON)
    assert caught == total - 1
    assert any("'invisible' keeps full marks" in p for p in problems)


def test_demo_runs_the_whole_workflow(tmp_path, capsys):
    assert cli.main(["demo", LESSON, "--jobs", "2", "--keep", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "complete" in out and "partial" in out and "blank" in out
    assert "10 / 10" in out and " 0 / 10" in out
    # It ends with the class's statistics, the planted mistake named, and Canvas's import file.
    stats_part = out[out.index("what the class got wrong"):]
    assert "binary_cross_entropy" in stats_part and "no-clip (1 of 3)" in stats_part
    canvas = (tmp_path / "demo" / "course" / "exports" / "canvas-grades.csv").read_text(encoding="utf-8").splitlines()
    assert canvas[0].endswith("Loss functions (50001)") and canvas[2] == '"Núñez, José María",4821,,complete,Demo,10'
    page = tmp_path / "demo" / "course" / "feedback" / "partial" / LESSON / f"{LESSON}.html"
    text = " ".join(html.unescape(page.read_text()).split())
    planted = demo.write_export(tmp_path / "demo" / "course", [LESSON], tmp_path / "again")
    assert planted
    for where, key in planted.items():  # the feedback names each planted mistake
        name = where.split("/")[1]
        assert " ".join(REGISTRY[name].mistake(key).hint.split()) in text, (name, key)
    assert cli.main(["demo", LESSON, "--keep", str(tmp_path / "demo")]) == 1  # not empty: refused


@pytest.mark.parametrize("argv, available, sandboxed, said", [
    ([], True, True, None),
    ([], False, False, "bwrap and prlimit not found"),
    (["--no-sandbox"], True, False, "without the sandbox, as asked"),
])
def test_the_demo_grades_unsandboxed_only_where_it_must_and_says_so(monkeypatch, capsys, argv, available, sandboxed, said):
    """A fresh machine without bubblewrap still runs the demo (its students are the course's own), and is told."""
    seen = {}

    def fake_run(root, work, lessons, *, jobs=None):
        seen["unsandboxed"] = sandbox.disabled()
        return 0

    monkeypatch.delenv(sandbox.NO_SANDBOX_ENV, raising=False)
    monkeypatch.setattr(demo, "run", fake_run)
    monkeypatch.setattr(sandbox, "tool", lambda name: f"/usr/bin/{name}" if available else None)
    monkeypatch.setattr(sandbox, "_trial", lambda wrapper, limit: "")
    assert cli.main(["demo", LESSON, *argv]) == 0
    out = capsys.readouterr().out
    assert seen["unsandboxed"] is not sandboxed and not sandbox.disabled()  # the switch is for this run only
    if said:
        assert said in out
    else:
        assert "without the sandbox" not in out
    if not available:  # the fix is named, and the real grading is said to stay strict
        assert "make sandbox" in out and "`nncourse grade` refuses" in out
