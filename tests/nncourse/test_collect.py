"""nncourse collect: every export layout, unplaceable files explained, nothing newer ever replaced."""

from __future__ import annotations

import os
import zipfile
from datetime import datetime, timezone

import pytest

from nncourse import collect

pytestmark = pytest.mark.project

NB = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def _file(path, content=NB, when=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    if when is not None:
        stamp = when.timestamp()
        os.utime(path, (stamp, stamp))
    return path


def test_both_folder_layouts_are_placed_and_the_rest_explained(tmp_path, course):
    export = tmp_path / "export"
    _file(export / "alice_01-loss-functions.ipynb")
    _file(export / "bob" / "02-softmax-entropy" / "my work.ipynb")
    _file(export / "carol" / "03-mini-batch.ipynb")
    _file(export / "readme.txt", b"hello")
    _file(export / "dave_99-unknown.ipynb")
    _file(export / "bad name!_01-loss-functions.ipynb")
    report = collect.collect(course, export)
    assert sorted(report.added) == ["alice/01-loss-functions", "bob/02-softmax-entropy", "carol/03-mini-batch"]
    reasons = {f.name: f.reason for f in report.unplaced}
    assert "not a notebook" in reasons["readme.txt"]
    assert "cannot tell the student and lesson" in reasons["dave_99-unknown.ipynb"]
    assert "not usable" in reasons["bad name!_01-loss-functions.ipynb"]
    target = course / "submitted" / "bob" / "02-softmax-entropy" / "02-softmax-entropy.ipynb"
    assert target.read_bytes() == NB and (target.parent / "timestamp.txt").is_file()
    assert report.students == ("alice", "bob", "carol")


def test_zip_keeps_the_entry_dates(tmp_path, course):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        info = zipfile.ZipInfo("alice_01-loss-functions.ipynb", date_time=(2026, 3, 4, 5, 6, 8))
        z.writestr(info, NB)
    collect.collect(course, archive)
    folder = course / "submitted" / "alice" / "01-loss-functions"
    assert collect.read_timestamp(folder) == datetime(2026, 3, 4, 5, 6, 8, tzinfo=timezone.utc)


def test_older_never_replaces_newer_and_a_rerun_changes_nothing(tmp_path, course):
    new, old = datetime(2026, 5, 2, tzinfo=timezone.utc), datetime(2026, 5, 1, tzinfo=timezone.utc)
    _file(tmp_path / "late" / "alice_01-loss-functions.ipynb", NB.replace(b"[]", b"[ ]"), when=new)
    _file(tmp_path / "early" / "alice_01-loss-functions.ipynb", NB, when=old)
    collect.collect(course, tmp_path / "late")
    target = course / "submitted" / "alice" / "01-loss-functions" / "01-loss-functions.ipynb"
    before = (target.read_bytes(), (target.parent / "timestamp.txt").read_text())
    report = collect.collect(course, tmp_path / "early")
    assert report.kept_newer == ("alice/01-loss-functions",) and not report.replaced
    again = collect.collect(course, tmp_path / "late")
    assert again.unchanged == ("alice/01-loss-functions",)
    assert (target.read_bytes(), (target.parent / "timestamp.txt").read_text()) == before


def test_a_newer_file_replaces_an_older_one(tmp_path, course):
    old, new = datetime(2026, 5, 1, tzinfo=timezone.utc), datetime(2026, 5, 2, tzinfo=timezone.utc)
    _file(tmp_path / "a" / "alice_01-loss-functions.ipynb", NB, when=old)
    _file(tmp_path / "b" / "alice_01-loss-functions.ipynb", NB.replace(b"[]", b"[ ]"), when=new)
    collect.collect(course, tmp_path / "a")
    assert collect.collect(course, tmp_path / "b").replaced == ("alice/01-loss-functions",)


def test_within_one_export_the_newest_file_wins(tmp_path, course):
    old, new = datetime(2026, 5, 1, tzinfo=timezone.utc), datetime(2026, 5, 2, tzinfo=timezone.utc)
    _file(tmp_path / "x" / "alice_01-loss-functions.ipynb", NB, when=old)
    _file(tmp_path / "x" / "alice" / "01-loss-functions" / "v2.ipynb", NB.replace(b"[]", b"[ ]"), when=new)
    report = collect.collect(course, tmp_path / "x")
    assert any("superseded" in f.reason for f in report.unplaced)
    target = course / "submitted" / "alice" / "01-loss-functions" / "01-loss-functions.ipynb"
    assert b"[ ]" in target.read_bytes()


@pytest.mark.parametrize("make, message", [
    (lambda p: p.mkdir(), "is empty"),
    (lambda p: p.write_bytes(b"PK\x03\x04 definitely not a zip"), "neither a folder nor a zip"),
    (lambda p: None, "does not exist"),
])
def test_clear_errors_for_bad_paths(tmp_path, course, make, message):
    path = tmp_path / "export"
    make(path)
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        collect.collect(course, path)


def test_corrupt_zip_is_named(tmp_path, course):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("alice_01-loss-functions.ipynb", NB * 20)
    data = bytearray(archive.read_bytes())
    data[60] ^= 0xFF  # flip a byte inside the stored file: its CRC no longer matches
    archive.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupt zip"):
        collect.collect(course, archive)


# -- Canvas and Moodle exports, with a roster ------------------------------------------------------

import json  # noqa: E402

from nncourse import cli, roster  # noqa: E402
from tests.notebooks.conftest import ROOT  # noqa: E402

L1, L2 = "01-loss-functions", "02-softmax-entropy"
DOWNLOADED = (2026, 3, 9, 8, 30, 0)  # Canvas's zip: every entry bears the download's time
CANVAS_ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,01-loss-functions (88001)
    Points Possible,,,,,10.00
"Núñez, José María",4821,S001,jnunez,Section 1,
"O'Brien, Zoë",4822,S002,zobrien,Section 1,
"Doe, Jane",4823,S003,jdoe,Section 2,
"Student, Test",9999,,,Section 1,
"""
MOODLE_ROSTER = ("\ufeffFirst name;Last name;ID number;Institution;Department;Email address\n"
                 "José María;Núñez;1001;;;jose.nunez@uni.example\n"
                 "Zoë;O'Brien;1002;;;zoe.obrien@uni.example\n"
                 "Jane;Doe;1003;;;jane.doe@uni.example\n")


def _release(lesson_id: str, mark: str = "") -> bytes:
    """The lesson's real release notebook (its cells' grade_ids name the lesson), marked to tell copies apart."""
    nb = json.loads((ROOT / "release" / lesson_id / f"{lesson_id}.ipynb").read_text())
    nb["metadata"]["mark"] = mark
    return json.dumps(nb).encode()


def _zip(path, files: dict[str, bytes], when=DOWNLOADED):
    with zipfile.ZipFile(path, "w") as z:
        for name, content in files.items():
            z.writestr(zipfile.ZipInfo(name, date_time=when), content)
    return path


def _submitted(course) -> dict[str, bytes]:
    base = course / "submitted"
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*.ipynb"))} if base.is_dir() else {}


@pytest.fixture
def canvas(tmp_path):
    """A Canvas zip: a resubmission, a late file, a renamed notebook, an unknown student, a '..' entry, a
    corrupt notebook for a lesson nobody handed in, a PDF."""
    files = {
        f"núñezjosémaría_4821_70001_{L1}.ipynb": _release(L1, "jose 1"),
        f"núñezjosémaría_4821_70001_{L1}-1.ipynb": _release(L1, "jose 2"),
        f"obrienzoë_late_4822_70002_{L1}.ipynb": _release(L1, "zoe"),
        "doejane_4823_70003_my homework.ipynb": _release(L1, "jane"),
        f"smithbob_5000_70004_{L1}.ipynb": _release(L1, "bob"),
        f"../evil_{L1}.ipynb": _release(L1, "evil"),
        f"obrienzoë_4822_70005_{L2}.ipynb": b'{"cells": [',
        "núñezjosémaría_4821_70001_notes.pdf": b"%PDF-1.4",
    }
    roster_file = tmp_path / "canvas-gradebook.csv"
    roster_file.write_text(CANVAS_ROSTER)
    return _zip(tmp_path / "submissions.zip", files), roster_file


def test_a_canvas_zip_with_its_gradebook_export(canvas, course, capsys):
    archive, roster_file = canvas
    assert cli.main(["--course", str(course), "collect", str(archive), "--roster", str(roster_file)]) == 0
    out = capsys.readouterr().out
    assert _submitted(course) == {f"jdoe/{L1}/{L1}.ipynb": _release(L1, "jane"),
                                  f"jnunez/{L1}/{L1}.ipynb": _release(L1, "jose 2"),  # the later attempt
                                  f"zobrien/{L1}/{L1}.ipynb": _release(L1, "zoe"),
                                  f"zobrien/{L2}/{L2}.ipynb": b'{"cells": ['}  # nothing else of hers for L2
    records = collect.records(course)
    assert sorted(records) == [f"jdoe/{L1}", f"jnunez/{L1}", f"zobrien/{L1}", f"zobrien/{L2}"]
    jose = records[f"jnunez/{L1}"]
    assert {k: jose[k] for k in ("student", "lesson", "lms", "file", "path", "late", "attempt", "timestamp",
                                 "lms_id", "valid")} == {
        "student": "jnunez", "lesson": L1, "lms": "canvas", "file": f"{L1}-1.ipynb",
        "path": f"núñezjosémaría_4821_70001_{L1}-1.ipynb", "late": False, "attempt": 2,
        "timestamp": "2026-03-09T08:30:00+00:00", "lms_id": "4821", "valid": True}
    assert [(s["file"], s["attempt"]) for s in jose["superseded"]] == [(f"{L1}.ipynb", 1)]
    assert jose["export"] == str(archive) and len(jose["sha256"]) == 64
    assert records[f"zobrien/{L1}"]["late"] is True and records[f"jdoe/{L1}"]["file"] == "my homework.ipynb"
    assert records[f"zobrien/{L2}"]["valid"] is False
    assert "added: 4, replaced: 0, unchanged: 0, kept-newer: 0\n" in out
    assert f"late (the LMS's mark): 1  (zobrien/{L1})" in out
    assert "roster: canvas-gradebook.csv (canvas, 3 students) merged into roster.csv: 3 students, 3 new" in out
    assert "roster problems" not in out  # the Points Possible row and the test student are Canvas's own
    assert f"superseded, not collected: 1 file(s)\n  - núñezjosémaría_4821_70001_{L1}.ipynb: superseded" in out
    lines = {line.split(": ", 1)[0].strip("- "): line.split(": ", 1)[1] for line in out.splitlines()
             if line.startswith("  - ")}
    assert lines[f"smithbob_5000_70004_{L1}.ipynb"].startswith("unknown student: Canvas user 5000 (smithbob) is not "
                                                               "in the course's roster")
    assert lines[f"../evil_{L1}.ipynb"].startswith("a path outside the export's folder")
    assert lines["núñezjosémaría_4821_70001_notes.pdf"] == "not a notebook (.ipynb)"
    assert f"zobrien/{L2}: obrienzoë_4822_70005_{L2}.ipynb is not a valid notebook (not JSON: " in out
    assert roster.course_roster(course).ids() == ["jnunez", "zobrien", "jdoe"]
    # Collecting the same zip again changes nothing, and says so.
    before = (course / "collected.json").read_text()
    assert cli.main(["--course", str(course), "collect", str(archive)]) == 0
    assert "added: 0, replaced: 0, unchanged: 4" in capsys.readouterr().out
    assert (course / "collected.json").read_text() == before


def test_without_a_roster_canvas_students_get_canvas_ids(canvas, course):
    archive, _ = canvas
    report = collect.collect(course, archive)
    assert sorted(report.added) == [f"canvas-4821/{L1}", f"canvas-4822/{L1}", f"canvas-4822/{L2}",
                                    f"canvas-4823/{L1}", f"canvas-5000/{L1}"]
    assert not (course / roster.FILE).exists()


def test_a_later_attempt_of_the_same_time_replaces_the_collected_one(tmp_path, course):
    first = _zip(tmp_path / "a.zip", {f"doejane_4823_70003_{L1}.ipynb": _release(L1, "1")})
    second = _zip(tmp_path / "b.zip", {f"doejane_4823_70003_{L1}-1.ipynb": _release(L1, "2")})
    collect.collect(course, first)
    assert collect.collect(course, second).replaced == (f"canvas-4823/{L1}",)
    record = collect.records(course)[f"canvas-4823/{L1}"]
    assert record["attempt"] == 2 and [s["attempt"] for s in record["superseded"]] == [1]
    assert collect.collect(course, first).kept_newer == (f"canvas-4823/{L1}",)  # the first attempt does not return
    assert _submitted(course) == {f"canvas-4823/{L1}/{L1}.ipynb": _release(L1, "2")}


def test_canvas_students_found_by_name_when_the_roster_lacks_their_canvas_id(tmp_path, course):
    roster_file = tmp_path / "class.csv"
    roster_file.write_text("student,name,sortable_name\njnunez,José María Núñez,\"Núñez, José María\"\n"
                           "jdoe1,Jane Doe,\"Doe, Jane\"\njdoe2,Jane Doe,\"Doe, Jane\"\n")
    archive = _zip(tmp_path / "s.zip", {f"núñezjosémaría_4821_1_{L1}.ipynb": _release(L1),
                                        f"doejane_4823_3_{L1}.ipynb": _release(L1)})
    report = collect.collect(course, archive, roster_file=roster_file)
    assert report.added == (f"jnunez/{L1}",)
    (ambiguous,) = report.unplaced
    assert ambiguous.reason == ("Canvas user 4823 (doejane) is ambiguous: the roster has 2 students of that name "
                                "(jdoe1, jdoe2)")


@pytest.fixture
def moodle(tmp_path):
    """Moodle's download, unzipped: folders and the flat variant, a renamed notebook deep inside a folder,
    online text, an unknown student, two different notebooks of one student for one lesson."""
    export = tmp_path / "moodle"
    when = datetime(2026, 3, 9, 8, 30, tzinfo=timezone.utc)
    _file(export / "José María Núñez_501_assignsubmission_file_" / f"{L1}.ipynb", _release(L1, "jose"), when)
    _file(export / "Zoë O'Brien_502_assignsubmission_file_" / "work" / "mein Notizbuch.ipynb", _release(L1, "zoe"), when)
    (export / "Zoë O'Brien_502_assignsubmission_onlinetext_onlinetext.html").write_text("<p>see the file</p>")
    _file(export / f"José María Núñez_501_assignsubmission_file_{L2}.ipynb", _release(L2, "jose"), when)
    _file(export / "Bob Smith_504_assignsubmission_file_" / f"{L1}.ipynb", _release(L1, "bob"), when)
    _file(export / "Jane Doe_503_assignsubmission_file_" / "a.ipynb", _release(L1, "jane a"), when)
    _file(export / "Jane Doe_503_assignsubmission_file_" / "b.ipynb", _release(L1, "jane b"), when)
    roster_file = tmp_path / "moodle-grades.csv"
    roster_file.write_text(MOODLE_ROSTER)
    return export, roster_file


def test_a_moodle_export_with_its_gradebook_export(moodle, course):
    export, roster_file = moodle
    report = collect.collect(course, export, roster_file=roster_file)
    assert _submitted(course) == {f"1001/{L1}/{L1}.ipynb": _release(L1, "jose"),
                                  f"1001/{L2}/{L2}.ipynb": _release(L2, "jose"),
                                  f"1002/{L1}/{L1}.ipynb": _release(L1, "zoe")}  # placed by its grade_ids
    assert report.students == ("1001", "1002")
    records = collect.records(course)
    assert {k: (r["lms"], r["file"], r["lms_id"], r["late"], r["attempt"]) for k, r in records.items()} == {
        f"1001/{L1}": ("moodle", f"{L1}.ipynb", "501", False, 1),
        f"1001/{L2}": ("moodle", f"{L2}.ipynb", "501", False, 1),
        f"1002/{L1}": ("moodle", "mein Notizbuch.ipynb", "502", False, 1)}
    reasons = {f.name: f.reason for f in report.unplaced}
    assert reasons == {
        "Zoë O'Brien_502_assignsubmission_onlinetext_onlinetext.html":
            "Moodle's onlinetext submission (assignsubmission_onlinetext), not a file",
        f"Bob Smith_504_assignsubmission_file_/{L1}.ipynb":
            "unknown student: Moodle's 'Bob Smith' (participant 504) is not in the course's roster (roster.csv); "
            "collect with --roster <a fresh gradebook export>, or add them to it",
        "Jane Doe_503_assignsubmission_file_/a.ipynb": reasons["Jane Doe_503_assignsubmission_file_/b.ipynb"],
        "Jane Doe_503_assignsubmission_file_/b.ipynb": reasons["Jane Doe_503_assignsubmission_file_/a.ipynb"]}
    assert reasons["Jane Doe_503_assignsubmission_file_/a.ipynb"] == (
        f"2 different files for 1003 / {L1} with the same time and attempt (Jane Doe_503_assignsubmission_file_/a.ipynb, "
        "Jane Doe_503_assignsubmission_file_/b.ipynb): none is collected; remove all but one and collect again")


def test_a_moodle_export_needs_a_roster(moodle, course):
    export, _ = moodle
    report = collect.collect(course, export)
    assert not report.added and _submitted(course) == {}
    reason = next(f.reason for f in report.unplaced if f.name.startswith("José María Núñez_501"))
    assert reason == ("Moodle's 'José María Núñez' (participant 501): a Moodle export names students only by full "
                      "name, so it needs the class list: collect with --roster <Moodle gradebook export>")
    assert cli.main(["--course", str(course), "collect", str(export)]) == 1  # nothing placed at all


def test_two_files_for_one_student_never_replace_the_collected_one(moodle, tmp_path, course):
    export, roster_file = moodle
    single = _file(tmp_path / "jane.ipynb", _release(L1, "jane by mail"))
    assert collect.collect(course, single, roster_file=roster_file, student="1003").added == (f"1003/{L1}",)
    collect.collect(course, export)  # the stored roster is used now
    assert _submitted(course)[f"1003/{L1}/{L1}.ipynb"] == _release(L1, "jane by mail")
    assert collect.records(course)[f"1003/{L1}"]["lms"] == "file"


def test_a_malformed_roster_is_reported_and_nothing_else_stops(moodle, tmp_path, course, capsys):
    export, roster_file = moodle
    collect.collect(course, export, roster_file=roster_file)
    stored = (course / roster.FILE).read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text("First name,Last name,Grade\nAnn,Lee,3\n")
    assert cli.main(["--course", str(course), "collect", str(export), "--roster", str(bad)]) == 0
    out = capsys.readouterr().out
    assert ("roster problems (1):\n  - " f"{bad}: this Moodle roster has neither an 'ID number' nor an 'Email address' "
            "column") in out and "not merged, roster.csv used as it is" in out
    assert "unchanged: 3" in out and (course / roster.FILE).read_text() == stored


def test_duplicate_roster_rows_are_listed_and_the_others_used(tmp_path, course, capsys):
    roster_file = tmp_path / "class.csv"
    roster_file.write_text(CANVAS_ROSTER + '"Núñez, José",4821,S009,jnunez2,Section 1,\n')
    archive = _zip(tmp_path / "s.zip", {f"núñezjosémaría_4821_1_{L1}.ipynb": _release(L1)})
    assert cli.main(["--course", str(course), "collect", str(archive), "--roster", str(roster_file)]) == 0
    out = capsys.readouterr().out
    assert ("roster problems (1):\n  - class.csv, line 7: 'José Núñez' has the same id as 'José María Núñez' "
            "(jnunez); kept the first") in out
    assert _submitted(course) == {f"jnunez/{L1}/{L1}.ipynb": _release(L1)}
    assert roster.course_roster(course).ids() == ["jnunez", "zobrien", "jdoe"]


def test_an_unreadable_stored_roster_is_left_as_it_is(tmp_path, course):
    (course / roster.FILE).write_text("who,what\n")
    roster_file = tmp_path / "class.csv"
    roster_file.write_text(CANVAS_ROSTER)
    archive = _zip(tmp_path / "s.zip", {f"doejane_4823_1_{L1}.ipynb": _release(L1)})
    report = collect.collect(course, archive, roster_file=roster_file)
    assert report.added == (f"jdoe/{L1}",) and (course / roster.FILE).read_text() == "who,what\n"
    assert "not used, and left as it is" in report.roster_problems[0]
    assert "used for this collect only" in report.notes[0]


def test_a_corrupt_notebook_never_replaces_a_collected_one(tmp_path, course):
    old, new = datetime(2026, 5, 1, tzinfo=timezone.utc), datetime(2026, 5, 2, tzinfo=timezone.utc)
    _file(tmp_path / "a" / f"alice_{L1}.ipynb", _release(L1), when=old)
    _file(tmp_path / "b" / f"alice_{L1}.ipynb", b"{ not json", when=new)
    collect.collect(course, tmp_path / "a")
    report = collect.collect(course, tmp_path / "b")
    assert not report.replaced and _submitted(course) == {f"alice/{L1}/{L1}.ipynb": _release(L1)}
    (found,) = report.unplaced
    assert found.reason.startswith("not a valid notebook (not JSON: ") and found.reason.endswith(
        f"; the collected alice/{L1} is kept")
    # a corrupt one collected for want of anything else is replaced by any valid one, even an older one
    _file(tmp_path / "c" / f"bob_{L1}.ipynb", b"{ not json", when=new)
    _file(tmp_path / "d" / f"bob_{L1}.ipynb", _release(L1), when=old)
    assert collect.collect(course, tmp_path / "c").added == (f"bob/{L1}",)
    assert collect.collect(course, tmp_path / "d").replaced == (f"bob/{L1}",)
    assert collect.records(course)[f"bob/{L1}"]["valid"] is True


def test_a_corrupt_notebook_whose_name_does_not_say_the_lesson(tmp_path, course):
    _file(tmp_path / "x" / "alice" / "homework.ipynb", b"\xff\xfe")
    (found,) = collect.collect(course, tmp_path / "x").unplaced
    assert found.reason == "not a valid notebook (not UTF-8 text), and its name does not say the lesson"


def test_the_lesson_from_the_notebook_or_a_reason(tmp_path, course):
    both = json.loads(_release(L1))
    both["cells"] += json.loads(_release(L2))["cells"]
    _file(tmp_path / "x" / "alice" / "renamed.ipynb", _release(L2))
    _file(tmp_path / "x" / "bob" / "mixed.ipynb", json.dumps(both).encode())
    _file(tmp_path / "x" / "carol" / "empty.ipynb", NB)
    report = collect.collect(course, tmp_path / "x")
    assert report.added == (f"alice/{L2}",)
    reasons = {f.name: f.reason for f in report.unplaced}
    assert reasons["bob/mixed.ipynb"] == f"its graded cells belong to several lessons ({L1}, {L2}): cannot tell which it is"
    assert reasons["carol/empty.ipynb"].startswith("cannot tell the lesson: neither its name nor its graded cells")


def test_one_notebook_with_student_and_lesson(tmp_path, course, capsys):
    nb = _file(tmp_path / "mailed in.ipynb", NB)
    assert cli.main(["--course", str(course), "collect", str(nb), "--student", "alice", "--lesson", L1]) == 0
    assert _submitted(course) == {f"alice/{L1}/{L1}.ipynb": NB}
    assert collect.records(course)[f"alice/{L1}"]["lms"] == "file"
    renamed = _file(tmp_path / "whatever.ipynb", _release(L2))
    assert collect.collect(course, renamed, student="alice").added == (f"alice/{L2}",)  # from its grade_ids
    (found,) = collect.collect(course, renamed).unplaced
    assert found.reason == "cannot tell whose notebook this is: give --student ID"
    for argv, message in ((["--student", "alice"], "--student is for one notebook"),
                          (["--lesson", "99-nope"], "unknown lesson")):
        assert cli.main(["--course", str(course), "collect", str(tmp_path), *argv]) == 1
        assert message in capsys.readouterr().err
    assert cli.main(["--course", str(course), "collect", str(nb), "--student", "no way"]) == 1
    assert "is not usable" in capsys.readouterr().err


def test_with_a_roster_a_course_id_must_be_in_it(tmp_path, course):
    roster_file = tmp_path / "class.csv"
    roster_file.write_text("student,name\nalice,Alice\n")
    _file(tmp_path / "x" / f"alice_{L1}.ipynb", NB)
    _file(tmp_path / "x" / f"alcie_{L1}.ipynb", NB)
    report = collect.collect(course, tmp_path / "x", roster_file=roster_file)
    assert report.added == (f"alice/{L1}",)
    assert report.unplaced[0].reason.startswith("unknown student 'alcie': not in the course's roster (roster.csv)")


def test_an_unreadable_record_stops_the_collect_before_anything_is_written(tmp_path, course):
    (course / collect.RECORDS).write_text("{ broken")
    _file(tmp_path / "x" / f"alice_{L1}.ipynb", NB)
    with pytest.raises(ValueError, match="collected.json is not readable"):
        collect.collect(course, tmp_path / "x")
    assert _submitted(course) == {} and (course / collect.RECORDS).read_text() == "{ broken"


def test_symbolic_links_are_refused(tmp_path, course):
    secret = _file(tmp_path / "secret.ipynb", NB)
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / f"alice_{L1}.ipynb").symlink_to(secret)
    (found,) = collect.collect(course, tmp_path / "x").unplaced
    assert found.reason.startswith("a symbolic link: refused")


def test_absolute_zip_entries_are_refused(tmp_path, course):
    archive = tmp_path / "s.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("alice_01-loss-functions.ipynb", NB)
        info = zipfile.ZipInfo("x")
        info.filename = "/tmp/bob_01-loss-functions.ipynb"  # ZipInfo strips a leading '/': set it after
        z.writestr(info, NB)
    report = collect.collect(course, archive)
    assert report.added == (f"alice/{L1}",)
    assert [(f.name, f.reason.split(" (")[0]) for f in report.unplaced] == [
        ("/tmp/bob_01-loss-functions.ipynb", "a path outside the export's folder")]
