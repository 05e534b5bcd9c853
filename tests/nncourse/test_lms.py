"""nncourse.lms: what Canvas's, Moodle's and the course's own file names say."""

from __future__ import annotations

import pytest

from nncourse import lms

pytestmark = pytest.mark.project
L1, L2 = "01-loss-functions", "02-softmax-entropy"


@pytest.mark.parametrize("path, late, attempt, original, lesson", [
    (f"núñezjosémaría_4821_70001_{L1}.ipynb", False, 1, f"{L1}.ipynb", L1),
    (f"obrienzoë_late_4822_70002_{L1}.ipynb", True, 1, f"{L1}.ipynb", L1),
    (f"doejane_4823_70003_{L1}-1.ipynb", False, 2, f"{L1}-1.ipynb", L1),
    (f"doejane_late_4823_70003_{L1}-12.ipynb", True, 13, f"{L1}-12.ipynb", L1),
    ("doejane_4823_70003_my_work.ipynb", False, 1, "my_work.ipynb", None),  # renamed: the notebook will say
    (f"doejane_4823_70003_{L2} (1).ipynb", False, 1, f"{L2} (1).ipynb", L2),  # a browser's copy
    ("doejane_4823_70003_homework-2.ipynb", False, 3, "homework-2.ipynb", None),
    (f"{L2}/doejane_4823_70003_homework.ipynb", False, 1, "homework.ipynb", L2),  # a lesson's folder above
])
def test_canvas_names(path, late, attempt, original, lesson):
    e = lms.parse(path)
    assert (e.lms, e.name, e.lms_id, e.late, e.attempt, e.original, e.lesson, e.reason) == (
        "canvas", e.name, e.lms_id, late, attempt, original, lesson, None)
    assert e.name in {"núñezjosémaría", "obrienzoë", "doejane"} and e.lms_id in {"4821", "4822", "4823"}
    assert e.submission_id.startswith("7000") and e.student == ""


def test_a_canvas_file_that_is_no_notebook():
    e = lms.parse("doejane_4823_70003_report.pdf")
    assert e.lms == "canvas" and e.lms_id == "4823" and e.reason == "not a notebook (.ipynb)"


@pytest.mark.parametrize("path, name, original, lesson", [
    (f"José María Núñez_501_assignsubmission_file_/{L1}.ipynb", "José María Núñez", f"{L1}.ipynb", L1),
    ("Zoë O'Brien_502_assignsubmission_file_/work/deep/my notebook.ipynb", "Zoë O'Brien", "my notebook.ipynb", None),
    (f"Zoë O'Brien_502_assignsubmission_file_/{L2}/nb.ipynb", "Zoë O'Brien", "nb.ipynb", L2),
    (f"Jane Doe_503_assignsubmission_file_{L1}.ipynb", "Jane Doe", f"{L1}.ipynb", L1),  # the flat variant
    (f"{L2}/Jane Doe_503_assignsubmission_file_/nb.ipynb", "Jane Doe", "nb.ipynb", L2),
])
def test_moodle_names(path, name, original, lesson):
    e = lms.parse(path)
    assert (e.lms, e.name, e.original, e.lesson, e.reason, e.late, e.attempt) == (
        "moodle", name, original, lesson, None, False, 1)
    assert e.lms_id in {"501", "502", "503"}


@pytest.mark.parametrize("path", ["Zoë O'Brien_502_assignsubmission_onlinetext_onlinetext.html",
                                  "Zoë O'Brien_502_assignsubmission_onlinetext_/onlinetext.html"])
def test_moodle_online_text_is_a_reason_not_an_error(path):
    e = lms.parse(path)
    assert e.lms == "moodle" and e.name == "Zoë O'Brien" and "onlinetext" in e.reason and "not a file" in e.reason


def test_a_moodle_file_that_is_no_notebook():
    assert lms.parse("Jane Doe_503_assignsubmission_file_/notes.pdf").reason == "not a notebook (.ipynb)"


@pytest.mark.parametrize("path, student, lesson", [
    (f"alice_{L1}.ipynb", "alice", L1),
    (f"bob/{L2}/my work.ipynb", "bob", L2),
    (f"carol/{L1}.ipynb", "carol", L1),
    ("dave/renamed.ipynb", "dave", None),  # the notebook will say
    (f"export/erin_{L1}.ipynb", "erin", L1),
])
def test_the_course_own_layouts(path, student, lesson):
    e = lms.parse(path)
    assert (e.lms, e.student, e.lesson, e.reason) == ("folder", student, lesson, None)


@pytest.mark.parametrize("path, reason", [
    ("readme.txt", "not a notebook"),
    ("renamed.ipynb", "cannot tell the student and lesson"),
    (f"bad name!_{L1}.ipynb", "not usable"),
])
def test_what_the_course_layouts_refuse(path, reason):
    assert reason in lms.parse(path).reason


@pytest.mark.parametrize("path, outside", [
    ("../evil.ipynb", True), ("a/../../evil.ipynb", True), ("/etc/passwd", True), ("..\\evil.ipynb", True),
    ("C:/Users/x.ipynb", True), ("a/b..c.ipynb", False), ("alice/01.ipynb", False),
])
def test_paths_outside_the_folder(path, outside):
    assert lms.unsafe(path) is outside


def test_lesson_in_name():
    assert lms.lesson_in_name(L1) == L1 and lms.lesson_in_name(f"final {L1} v2") == L1
    assert lms.lesson_in_name("homework") is None and lms.lesson_in_name(f"{L1}+{L2}") is None
