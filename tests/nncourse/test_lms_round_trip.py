"""The instructor's loop with a real LMS's files: its submissions zip and gradebook export in, graded for
real (nbgrader, sandboxed), its gradebook import file out, checked cell by cell.

Canvas: sortable names with spaces and accents in the roster, a late file, a resubmission (the later
attempt is the one graded), a renamed notebook (placed by its own cells), and a student the roster does
not know (listed, not graded). Moodle: folders named by full names with spaces and accents, the
gradebook export with a byte-order mark and semicolons. A submission's expected score is the lesson's
points (from its source notebook) for a complete one, 0 for the release as it is.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest

from nncourse import cli, pipeline
from tests.notebooks.conftest import ROOT, copy_course

pytestmark = pytest.mark.project
LESSON = "01-loss-functions"
TOTAL = 10  # the points of lesson 01's graded cells (2 + 2 + 2 + 3 + 1)
WHEN = (2026, 3, 9, 8, 30, 0)


def _complete() -> bytes:
    source = json.loads(pipeline.notebook_path(ROOT, "source", LESSON).read_text())
    release = json.loads(pipeline.notebook_path(ROOT, "release", LESSON).read_text())
    answers = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in source["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")}
    for cell in release["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = re.sub(r"\n\s*### (BEGIN|END) SOLUTION", "", answers[gid])
    return json.dumps(release).encode()


def _blank() -> bytes:
    return pipeline.notebook_path(ROOT, "release", LESSON).read_bytes()


def _zip(path, files: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, WHEN), content)
    return path


def _rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_canvas_in_and_out(tmp_path, capsys):
    root = copy_course(tmp_path / "course", LESSON)
    gradebook = tmp_path / "canvas-gradebook.csv"
    gradebook.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Loss functions (88001),Quiz 1 (88002)\n"
        "    Points Possible,,,,,10.00,5.00\n"
        '"Núñez, José María",4821,S4821,jnunez,Sec A,,\n'
        "\"O'Brien, Zoë\",4822,S4822,zobrien,Sec A,,\n"
        '"Doe, Jane",4823,S4823,jdoe,Sec B,,\n'
        '"Student, Test",9999,,,Sec A,,\n', encoding="utf-8")
    archive = _zip(tmp_path / "submissions.zip", {
        f"nunezjosemaria_4821_70001_{LESSON}.ipynb": _blank(),              # the first attempt
        f"nunezjosemaria_4821_70002_{LESSON}-1.ipynb": _complete(),          # resubmitted: this one counts
        "obrienzoe_late_4822_70003_my work (final).ipynb": _complete(),      # late, and renamed
        f"smithalex_4830_70004_{LESSON}.ipynb": _complete(),                 # not in the roster
    })
    assert cli.main(["--course", str(root), "collect", str(archive), "--roster", str(gradebook)]) == 0
    said = capsys.readouterr().out
    assert "smithalex" in said or "4830" in said  # the unknown student is listed
    assert cli.main(["--course", str(root), "grade", LESSON]) == 0
    out = tmp_path / "canvas-import.csv"
    assert cli.main(["--course", str(root), "export", "--format", "canvas", "--out", str(out),
                     "--canvas-gradebook", str(gradebook), LESSON]) == 0
    assert _rows(out) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Loss functions (88001)"],
        ["    Points Possible", "", "", "", "", f"{TOTAL}"],
        ["Núñez, José María", "4821", "S4821", "jnunez", "Sec A", f"{TOTAL}"],
        ["O'Brien, Zoë", "4822", "S4822", "zobrien", "Sec A", f"{TOTAL}"],
        ["Doe, Jane", "4823", "S4823", "jdoe", "Sec B", ""],
    ]
    grades = {r[0]: r for r in _rows(root / "grades.csv")[1:]}
    assert set(grades) == {"jnunez", "zobrien", "jdoe"}
    assert [grades[s][3] for s in ("jnunez", "zobrien", "jdoe")] == ["graded", "graded", "missing"]
    assert [grades[s][7] for s in ("jnunez", "zobrien")] == ["no", "yes"]  # Canvas's _late_ mark


def test_moodle_in_and_out(tmp_path):
    root = copy_course(tmp_path / "course", LESSON)
    gradebook = tmp_path / "moodle-grades.csv"
    gradebook.write_text("\ufeffFirst name;Last name;ID number;Institution;Department;Email address\n"
                         "José María;Núñez;N4821;Uni;CS;jose.nunez@uni.example\n"
                         "Zoë;O'Brien;N4822;Uni;CS;zoe.obrien@uni.example\n"
                         "Jane;Doe;N4823;Uni;CS;jane.doe@uni.example\n", encoding="utf-8")
    archive = _zip(tmp_path / "moodle.zip", {
        f"José María Núñez_501_assignsubmission_file_/{LESSON}.ipynb": _complete(),
        "Zoë O'Brien_502_assignsubmission_file_/lab one.ipynb": _blank(),     # renamed, nothing answered
        "Jane Doe_503_assignsubmission_onlinetext_onlinetext.html": b"<p>see my notebook</p>",
        "Someone Else_504_assignsubmission_file_/x.ipynb": _complete(),       # not in the roster
    })
    assert cli.main(["--course", str(root), "collect", str(archive), "--roster", str(gradebook)]) == 0
    assert cli.main(["--course", str(root), "grade", LESSON]) == 0
    out = tmp_path / "moodle-import.csv"
    assert cli.main(["--course", str(root), "export", "--format", "moodle", "--out", str(out), LESSON]) == 0
    assert _rows(out) == [
        ["First name", "Last name", "ID number", "Email address", LESSON],
        ["José María", "Núñez", "N4821", "jose.nunez@uni.example", f"{TOTAL}"],
        ["Zoë", "O'Brien", "N4822", "zoe.obrien@uni.example", "0"],
        ["Jane", "Doe", "N4823", "jane.doe@uni.example", ""],
    ]
