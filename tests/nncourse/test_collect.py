"""nncourse collect: every export layout, unplaceable files explained, nothing newer ever replaced."""

from __future__ import annotations

import os
import zipfile
from datetime import datetime, timezone

import pytest

from nncourse import collect

pytestmark = pytest.mark.project

NB = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


@pytest.fixture
def course(tmp_path):
    from tests.notebooks.conftest import ROOT

    root = tmp_path / "course"
    root.mkdir()
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    return root


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
