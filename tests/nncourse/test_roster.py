"""nncourse.roster: the class list from Canvas's and Moodle's gradebook exports, and the course's own roster.csv."""

from __future__ import annotations

import pytest

from nncourse import roster

pytestmark = pytest.mark.project

#: Canvas's gradebook export: its "Points Possible" row, its test student, a student without SIS ids.
CANVAS = """Student,ID,SIS User ID,SIS Login ID,Section,01-loss-functions (88001),Current Score,Final Score
    Points Possible,,,,,10.00,(read only),(read only)
"Núñez, José María",4821,S001,jnunez,Section 1,,,
"O'Brien, Zoë",4822,S002,zobrien,Section 1,8.00,80.00,80.00
"Doe, Jane",4823,,,Section 2,,,
"Student, Test",9999,,,Section 1,,,
"""

#: Moodle's gradebook export as Excel in Europe saves it: a byte-order mark, semicolons.
MOODLE = ("\ufeffFirst name;Last name;ID number;Institution;Department;Email address;"
          "Assignment: 01-loss-functions (Real);Last downloaded from this course\n"
          "José María;Núñez;1001;;;jose.nunez@uni.example;-;1773046800\n"
          "Zoë;O'Brien;;;;zoe.obrien@uni.example;8,00;1773046800\n"
          "Jane;Doe;1003;;;;-;1773046800\n")


def test_canvas_export_skips_points_possible_and_the_test_student():
    r = roster.parse(CANVAS)
    assert r.source == "canvas" and r.problems == ()
    assert r.ids() == ["jnunez", "zobrien", "canvas-4823"]  # SIS login, else canvas-<ID>
    jose = r.get("jnunez")
    assert (jose.name, jose.sortable_name, jose.first_name, jose.last_name) == (
        "José María Núñez", "Núñez, José María", "José María", "Núñez")
    assert (jose.canvas_id, jose.sis_user_id, jose.section) == ("4821", "S001", "Section 1")
    assert r.by_canvas_id("4822").student == "zobrien" and r.by_canvas_id("1") is None
    assert r.by_canvas_id("") is None


def test_canvas_export_without_its_sis_columns():
    r = roster.parse('Student,ID,Section\n    Points Possible,,\n"Doe, Jane",4823,A\n')
    assert r.source == "canvas" and r.ids() == ["canvas-4823"] and r.get("canvas-4823").sortable_name == "Doe, Jane"


def test_moodle_export_with_a_byte_order_mark_and_semicolons():
    r = roster.parse(MOODLE)
    assert r.source == "moodle" and r.problems == ()
    assert r.ids() == ["1001", "zoe.obrien", "1003"]  # ID number, else the e-mail's local part
    zoe = r.get("zoe.obrien")
    assert (zoe.name, zoe.first_name, zoe.last_name, zoe.email) == ("Zoë O'Brien", "Zoë", "O'Brien",
                                                                     "zoe.obrien@uni.example")


def test_read_falls_back_to_windows_encoding(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_bytes(MOODLE.replace("\ufeff", "").replace("Zoë", "Zoe").replace("José María", "José").encode("cp1252"))
    assert roster.read(path).get("1001").first_name == "José"


@pytest.mark.parametrize("name", ["Zoë O'Brien", "zoe o'brien".replace("zoe", "zoë"), "O'Brien Zoë", "obrienzoë",
                                  "O\u2019Brien, Zoë", "Zoe\u0308 O'Brien"])
def test_names_match_across_order_case_punctuation_and_composition(name):
    r = roster.parse(CANVAS)
    assert [s.student for s in r.by_name(name)] == ["zobrien"]


def test_by_name_finds_nobody_for_an_empty_or_unknown_name():
    r = roster.parse(CANVAS)
    assert r.by_name("") == [] and r.by_name("  ,") == [] and r.by_name("Bob Smith") == []


def test_duplicates_are_reported_with_their_line_and_the_first_kept():
    text = CANVAS + '"Núñez, José",4821,S009,jnunez2,Section 1,,,\n"Smith, Bob",5000,S010,zobrien,Section 1,,,\n'
    r = roster.parse(text)
    assert r.ids() == ["jnunez", "zobrien", "canvas-4823"]
    assert len(r.problems) == 2
    assert r.problems[0].startswith("line 7: ") and "same id" in r.problems[0] and "(jnunez)" in r.problems[0]
    assert r.problems[1].startswith("line 8: ") and "(zobrien)" in r.problems[1]


def test_duplicate_ids_in_a_course_roster_and_unusable_ids():
    text = "student,name\nalice,Alice\nalice,Alice Again\nbad id!,Bad\n,Nobody\nbob,Bob\n"
    r = roster.parse(text)
    assert r.source == "course" and r.ids() == ["alice", "bob"]
    assert [p.split(":")[0] for p in r.problems] == ["line 4", "line 5", "line 3"]
    assert "'bad id!' is not usable" in r.problems[0]


def test_moodle_rows_without_any_usable_id_are_reported():
    text = "First name,Last name,ID number,Email address\nAnn,Lee,,\nBen,Ng,,not-an-email\nCy,Po,7,\n"
    r = roster.parse(text)
    assert r.ids() == ["7"]
    assert [p.split(":")[0] for p in r.problems] == ["line 2", "line 3"] and "Ann Lee" in r.problems[0]


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("Name,Grade\nAnn,3\n", "not a roster this course can read"),
    ("First name,Last name,Grade\nAnn,Lee,3\n", "neither an 'ID number' nor an 'Email address'"),
    ("Student,Section\n\"Lee, Ann\",A\n", "header is: Student, Section"),
])
def test_missing_columns_raise_a_clear_error(text, message):
    with pytest.raises(ValueError, match=message):
        roster.parse(text)


def test_read_names_the_file(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("Name,Grade\n")
    with pytest.raises(ValueError, match="broken.csv: not a roster"):
        roster.read(path)
    with pytest.raises(FileNotFoundError, match="no roster at"):
        roster.read(tmp_path / "absent.csv")


def test_write_and_read_back_is_the_same_roster(tmp_path):
    r = roster.parse(CANVAS)
    path = roster.write(tmp_path / roster.FILE, r)
    again = roster.read(path)
    assert again.students == r.students and again.source == "course"
    assert roster.course_roster(tmp_path) == again and roster.course_roster(tmp_path / "none") is None
    assert not (tmp_path / (roster.FILE + ".partial")).exists()


def test_merging_never_drops_anyone_and_keeps_course_ids():
    canvas = roster.parse(CANVAS)
    later = roster.parse('Student,ID,SIS User ID,SIS Login ID,Section\n"Doe, Jane",4823,S003,jdoe,Section 2\n'
                         '"Lee, Ann",4830,S004,alee,Section 2\n')
    both = roster.merged(canvas, later)
    assert both.ids() == ["jnunez", "zobrien", "canvas-4823", "alee"]  # Jane keeps her id, Ann is added
    assert both.get("canvas-4823").sis_login_id == "jdoe"  # and gains what was unknown
    moodle = roster.parse(MOODLE.replace("jose.nunez@uni.example", ""))
    everyone = roster.merged(both, moodle)
    assert everyone.ids()[:4] == both.ids() and len(everyone.students) == 7  # by name alone nobody is the same
    assert roster.merged(None, canvas) is canvas
