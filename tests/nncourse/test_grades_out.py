"""Grades out of the course: grades.csv cell by cell, Canvas's and Moodle's import files, the class's stats.

One lesson graded for real (nbgrader, sandboxed) for a roster of four: a complete submission, two with
the same catalogued mistake in ``categorical_cross_entropy`` (one also wrong in ``accuracy``), and one
student who handed nothing in. The expected values come from the lesson's own points (its source
notebook's metadata) and from the mistakes planted here by hand.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from nncourse import cli, pipeline, roster, stats
from tests.notebooks.conftest import ROOT, copy_course

pytestmark = pytest.mark.project
LESSON = "01-loss-functions"
POINTS = {"mse": 2.0, "mse_grad": 2.0, "binary_cross_entropy": 2.0, "categorical_cross_entropy": 3.0, "accuracy": 1.0}

ROSTER = """student,name,sortable_name,canvas_id,sis_user_id,sis_login_id,section,first_name,last_name,id_number,email
alice,Alice Martin,"Martin, Alice",1001,S-1,alice,A,Alice,Martin,N001,alice@uni.example
bob,Bob Li,"Li, Bob",1002,S-2,bob,A,Bob,Li,N002,bob@uni.example
zoe,Zoë Ñúñez,"Ñúñez, Zoë",1003,S-3,zoe,B,Zoë,Ñúñez,N003,zoe@uni.example
carol,Carol de la Cruz,"de la Cruz, Carol",1004,S-4,carol,B,Carol,de la Cruz,N004,carol@uni.example
"""

#: Two mistakes a student makes: the probability of the predicted class instead of the true one, and
#: the argmax over the wrong axis.
PREDICTED_CLASS = ("def categorical_cross_entropy(probs, y_onehot, eps=1e-12):\n"
                   "    return float(np.mean(-np.log(np.clip(np.max(probs, axis=1), eps, 1 - eps))))\n")
WRONG_AXIS = ("def accuracy(probs, y_onehot):\n"
              "    return float(np.mean(np.argmax(probs, axis=0) == np.argmax(y_onehot, axis=0)))\n")


def _answered(replaced: dict[str, str]) -> str:
    source = json.loads(pipeline.notebook_path(ROOT, "source", LESSON).read_text())
    release = json.loads(pipeline.notebook_path(ROOT, "release", LESSON).read_text())
    by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in source["cells"]}
    for cell in release["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            text = replaced.get(gid) or "".join(by_id[gid]["source"])
            cell["source"] = re.sub(r"\n\s*### (BEGIN|END) SOLUTION", "", text)
    return json.dumps(release)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    base = tmp_path_factory.mktemp("grades-out")
    root = copy_course(base / "course", LESSON)
    (root / roster.FILE).write_text(ROSTER, encoding="utf-8")
    export = base / "export"
    export.mkdir()
    (export / f"alice_{LESSON}.ipynb").write_text(_answered({}))
    (export / f"bob_{LESSON}.ipynb").write_text(_answered({"categorical_cross_entropy": PREDICTED_CLASS}))
    (export / f"zoe_{LESSON}.ipynb").write_text(_answered({"categorical_cross_entropy": PREDICTED_CLASS,
                                                           "accuracy": WRONG_AXIS}))
    assert cli.main(["--course", str(root), "collect", str(export)]) == 0
    assert cli.main(["--course", str(root), "grade", LESSON, "--jobs", "2"]) == 0
    return root


def _csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_grades_csv_has_every_roster_student_and_a_column_per_function(course):
    rows = _csv(course / "grades.csv")
    assert rows[0] == ["student", "name", "lesson", "status", "score", "max_score", "submitted", "late", *POINTS]
    by = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert set(by) == {"alice", "bob", "zoe", "carol"}
    total = sum(POINTS.values())
    alice = by["alice"]
    assert (alice["name"], alice["status"], alice["score"], alice["max_score"], alice["late"]) == (
        "Alice Martin", "graded", f"{total:g}", f"{total:g}", "no")
    assert all(alice[f] == f"{p:g}" for f, p in POINTS.items()) and alice["submitted"]
    for student in ("bob", "zoe"):
        row = by[student]
        assert float(row["categorical_cross_entropy"]) < POINTS["categorical_cross_entropy"]
        assert all(row[f] == f"{POINTS[f]:g}" for f in ("mse", "mse_grad", "binary_cross_entropy"))
        assert float(row["score"]) == pytest.approx(sum(float(row[f]) for f in POINTS))
    assert by["bob"]["accuracy"] == "1" and float(by["zoe"]["accuracy"]) < 1
    assert by["zoe"]["name"] == "Zoë Ñúñez"
    carol = by["carol"]
    assert (carol["status"], carol["score"], carol["max_score"], carol["submitted"], carol["late"]) == (
        "missing", "", f"{total:g}", "", "")
    assert all(carol[f] == "" for f in POINTS)


def test_the_canvas_file_keeps_canvas_ids_and_points_possible(course, tmp_path):
    gradebook = tmp_path / "canvas-gradebook.csv"
    gradebook.write_text('Student,ID,SIS User ID,SIS Login ID,Section,Loss functions (777001),Other (5)\n'
                         '    Points Possible,,,,,10.00,4\n', encoding="utf-8")
    out = tmp_path / "canvas.csv"
    assert cli.main(["--course", str(course), "export", LESSON, "--format", "canvas", "--out", str(out),
                     "--canvas-gradebook", str(gradebook)]) == 0
    graded = {r[0]: r for r in _csv(course / "grades.csv")[1:]}
    assert _csv(out) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Loss functions (777001)"],
        ["    Points Possible", "", "", "", "", "10"],
        ["Martin, Alice", "1001", "S-1", "alice", "A", "10"],
        ["Li, Bob", "1002", "S-2", "bob", "A", graded["bob"][4]],
        ["Ñúñez, Zoë", "1003", "S-3", "zoe", "B", graded["zoe"][4]],
        ["de la Cruz, Carol", "1004", "S-4", "carol", "B", ""],
    ]
    assert cli.main(["--course", str(course), "export", LESSON, "--format", "canvas", "--out", str(out)]) == 1  # kept


def test_the_moodle_file_is_keyed_by_id_number_and_email(course, tmp_path):
    out = tmp_path / "moodle.csv"
    assert cli.main(["--course", str(course), "export", LESSON, "--format", "moodle", "--out", str(out)]) == 0
    graded = {r[0]: r for r in _csv(course / "grades.csv")[1:]}
    assert _csv(out) == [
        ["First name", "Last name", "ID number", "Email address", LESSON],
        ["Alice", "Martin", "N001", "alice@uni.example", "10"],
        ["Bob", "Li", "N002", "bob@uni.example", graded["bob"][4]],
        ["Zoë", "Ñúñez", "N003", "zoe@uni.example", graded["zoe"][4]],
        ["Carol", "de la Cruz", "N004", "carol@uni.example", ""],
    ]


def test_stats_name_the_mistake_most_of_the_class_made(course, tmp_path, capsys):
    found = {s.function: s for s in stats.function_stats(course, [LESSON])}
    assert list(found) == list(POINTS)
    cce, acc, mse = found["categorical_cross_entropy"], found["accuracy"], found["mse"]
    assert (mse.graded, mse.mean, mse.full_marks, mse.mistakes) == (3, 2.0, 1.0, ())
    assert cce.graded == 3 and cce.full_marks == pytest.approx(1 / 3) and cce.mistakes[0][1] == 2
    assert acc.full_marks == pytest.approx(2 / 3) and acc.mistakes[0][1] == 1
    assert cce.hint() and acc.hint()  # the catalogue's message for the instructor
    chart = tmp_path / "stats.png"
    assert cli.main(["--course", str(course), "stats", LESSON, "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.split()[1:2] == ["categorical_cross_entropy"])
    assert f"{cce.top_mistake} (2 of 3)" in line and "33%" in line
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_canvas_and_moodle_exports_need_the_class_list(tmp_path):
    root = copy_course(tmp_path / "bare", LESSON)
    assert cli.main(["--course", str(root), "export", LESSON, "--format", "canvas"]) == 1


def test_a_forced_regrade_of_one_student_keeps_the_earlier_feedback(course, capsys):
    from nncourse import grading

    bob = pipeline.notebook_path(course, "feedback", LESSON, "bob")
    alice = pipeline.notebook_path(course, "feedback", LESSON, "alice")
    earlier, alice_written = bob.read_bytes(), alice.stat().st_mtime_ns
    before = _csv(course / "grades.csv")
    capsys.readouterr()
    assert cli.main(["--course", str(course), "grade", LESSON, "--student", "bob", "--force", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "graded again: 1 submission(s)" in out
    kept = list((course / grading.HISTORY / "bob" / LESSON).glob("*.html"))
    assert len(kept) == 1 and kept[0].read_bytes() == earlier
    assert alice.stat().st_mtime_ns == alice_written  # only bob was graded again
    assert _csv(course / "grades.csv") == before  # the same scores, the same submission times
    assert cli.main(["--course", str(course), "grade", LESSON, "--student", "nobody"]) == 1
    assert "no submission of 01-loss-functions from nobody" in capsys.readouterr().err
    assert cli.main(["--course", str(course), "grade", LESSON]) == 0
    assert "nothing new to grade" in capsys.readouterr().out


def test_an_override_changes_one_score_says_why_in_the_feedback_and_survives_a_regrade(course, capsys):
    def score(student, function):
        rows = {r[0]: dict(zip(_csv(course / "grades.csv")[0], r)) for r in _csv(course / "grades.csv")[1:]}
        return rows[student][function], rows[student]["score"]

    graded, total = score("zoe", "accuracy")
    assert cli.main(["--course", str(course), "override", "zoe", LESSON, "accuracy", "1",
                     "--reason", "the axis was right for the data in your own test"]) == 0
    assert score("zoe", "accuracy") == ("1", f"{float(total) - float(graded) + 1:g}")
    page = pipeline.notebook_path(course, "feedback", LESSON, "zoe").read_text()
    assert "Your instructor set the score of accuracy to 1 of 1" in page and "the axis was right" in page
    assert cli.main(["--course", str(course), "grade", LESSON, "--student", "zoe", "--force"]) == 0
    assert score("zoe", "accuracy")[0] == "1"  # a later autograde keeps the instructor's score
    for bad in (["2", "--reason", "x"], ["1"], []):  # above the points, no reason, neither score nor --clear
        assert cli.main(["--course", str(course), "override", "zoe", LESSON, "accuracy", *bad]) == 1
    assert cli.main(["--course", str(course), "override", "zoe", LESSON, "softmax", "1", "--reason", "x"]) == 1
    assert cli.main(["--course", str(course), "override", "zoe", LESSON, "accuracy", "--clear"]) == 0
    assert score("zoe", "accuracy")[0] == graded
    assert "Your instructor set" not in pipeline.notebook_path(course, "feedback", LESSON, "zoe").read_text()


def test_a_written_answer_waits_for_a_person_then_joins_the_grades(tmp_path, capsys):
    """A lesson with a written-answer cell: autograding leaves it, the instructor grades it, the CSV shows it."""
    from nncourse.authoring import markdown, written_answer

    root = copy_course(tmp_path / "course", LESSON)
    path = pipeline.notebook_path(root, "source", LESSON)
    nb = json.loads(path.read_text())
    nb["cells"][1:1] = [markdown("why_question", "In two sentences: why do classifiers minimise cross-entropy?"),
                        written_answer("cross_entropy_answer", 2, "Its gradient does not vanish when the model is confidently wrong.")]
    path.write_text(json.dumps(nb, indent=1))
    assert cli.main(["--course", str(root), "release", LESSON, "--no-validate"]) == 0
    released = json.loads(pipeline.notebook_path(root, "release", LESSON).read_text())
    cell = next(c for c in released["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "cross_entropy_answer")
    assert "Its gradient" not in "".join(cell["source"])  # the model answer stays with the instructor
    cell["source"] = "Because the sigmoid saturates, and the log cancels it."
    export = tmp_path / "export"
    export.mkdir()
    (export / f"ana_{LESSON}.ipynb").write_text(json.dumps(released))
    assert cli.main(["--course", str(root), "collect", str(export)]) == 0
    assert cli.main(["--course", str(root), "grade", LESSON]) == 0

    def row():
        table = _csv(root / "grades.csv")
        return dict(zip(table[0], table[1]))

    before = row()
    assert before["status"] == "to grade by hand" and before["cross_entropy_answer"] == "" and before["max_score"] == "12"
    assert cli.main(["--course", str(root), "override", "ana", LESSON, "cross_entropy_answer", "1.5",
                     "--reason", "right idea; say which factor vanishes"]) == 0
    after = row()
    assert (after["status"], after["cross_entropy_answer"]) == ("graded", "1.5")
    assert float(after["score"]) == pytest.approx(float(before["score"]) + 1.5)
    page = pipeline.notebook_path(root, "feedback", LESSON, "ana").read_text()
    assert "the sigmoid saturates" in page and "say which factor vanishes" in page
    assert "Its gradient does not vanish" not in page


def test_the_formgrader_autogrades_in_the_sandbox_too():
    """The formgrader's Autograde button runs nbgrader's Autograde with the course's config: sandboxed."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    from nncourse.execute import SandboxedExecute

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    steps = config.Autograde.autograde_preprocessors
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    assert SandboxedExecute in steps and Execute in default and Execute not in steps
