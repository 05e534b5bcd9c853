"""The grade table and the CSV file (nncourse/export.py), from rows written by hand."""

from __future__ import annotations

import csv

import pytest

from nncourse.export import Grade, summary, write_csv

pytestmark = pytest.mark.project

ROWS = [Grade("alice", "01-loss-functions", 8.0, 10.0), Grade("alice", "09-unstable-gradients", 12.0, 12.0),
        Grade("bob", "09-unstable-gradients", 3.5, 12.0)]


def test_the_table_names_every_lesson_in_full_and_keeps_its_columns_aligned():
    table = summary(ROWS, ["01-loss-functions", "09-unstable-gradients", "03-mini-batch"])
    lines = table.splitlines()
    header, alice, bob, mean = lines[0], lines[2], lines[3], lines[-1]
    assert header.split() == ["student", "01-loss-functions", "09-unstable-gradients", "total"]  # no lesson ungraded
    def cell(line, lesson):  # the text under a lesson's name, which must not spill into the gap before it
        start = header.index(lesson)
        assert line[start - 2:start] == "  ", line
        return line[start:start + len(lesson)].strip()

    assert [cell(alice, "01-loss-functions"), cell(alice, "09-unstable-gradients")] == ["8 / 10", "12 / 12"]
    assert [cell(bob, "01-loss-functions"), cell(bob, "09-unstable-gradients")] == ["-", "3.5 / 12"]
    assert alice.split()[-1] == "20/22" and bob.split()[-1] == "3.5/12"
    assert mean.split() == ["mean", "8.00", f"{(12 + 3.5) / 2:.2f}"]


def test_no_rows_say_so():
    assert summary([], ["01-loss-functions"]) == "no graded submissions"


def test_the_csv_has_one_row_per_grade_and_a_column_per_graded_cell(tmp_path):
    rows = [Grade("alice", "01-loss-functions", 3.0, 4.0, cells=(("mse", 2.0, 2.0), ("accuracy", 1.0, 2.0))),
            Grade("bob", "01-loss-functions", None, 4.0, "missing", cells=(("mse", None, 2.0), ("accuracy", None, 2.0))),
            Grade("bob", "02-softmax-entropy", 1.5, 3.0, cells=(("softmax", 1.5, 3.0),))]
    path = write_csv(tmp_path / "grades.csv", rows)
    with path.open(newline="") as f:
        table = list(csv.reader(f))
    assert table == [
        ["student", "name", "lesson", "status", "score", "max_score", "submitted", "late", "mse", "accuracy", "softmax"],
        ["alice", "", "01-loss-functions", "graded", "3", "4", "", "no", "2", "1", ""],
        ["bob", "", "01-loss-functions", "missing", "", "4", "", "", "", "", ""],
        ["bob", "", "02-softmax-entropy", "graded", "1.5", "3", "", "no", "", "", "1.5"],
    ]


def test_a_missing_submission_shows_as_missing_in_the_table():
    rows = [*ROWS, Grade("carol", "01-loss-functions", None, 10.0, "missing")]
    lines = summary(rows, ["01-loss-functions", "09-unstable-gradients"]).splitlines()
    carol = next(line for line in lines if line.startswith("carol"))
    assert "missing" in carol and carol.split()[-1] == "0/0"
    assert lines[-1].split()[1] == "8.00"  # the mean of the graded ones
