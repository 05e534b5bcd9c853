"""The student's working copy: new files are copied, existing work is never overwritten."""

from __future__ import annotations

import pytest

from lessons.workspace import main, sync

pytestmark = pytest.mark.project


def test_first_run_copies_everything(tmp_path):
    release = tmp_path / "release"
    (release / "01-a").mkdir(parents=True)
    (release / "01-a" / "01-a.ipynb").write_text("{}")
    copied = sync(release, tmp_path / "work")
    assert [p.name for p in copied] == ["01-a.ipynb"]
    assert (tmp_path / "work" / "01-a" / "01-a.ipynb").read_text() == "{}"


def test_existing_work_is_never_overwritten_and_new_lessons_arrive(tmp_path):
    release = tmp_path / "release"
    (release / "01-a").mkdir(parents=True)
    (release / "01-a" / "01-a.ipynb").write_text("released")
    work = tmp_path / "work"
    sync(release, work)
    (work / "01-a" / "01-a.ipynb").write_text("student's answers")
    (release / "02-b").mkdir()
    (release / "02-b" / "02-b.ipynb").write_text("new lesson")
    copied = sync(release, work)
    assert (work / "01-a" / "01-a.ipynb").read_text() == "student's answers"
    assert [p.name for p in copied] == ["02-b.ipynb"]


def test_missing_release_folder_is_a_clear_error(tmp_path, capsys):
    assert main([str(tmp_path / "nope"), str(tmp_path / "work")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_a_copied_notebook_records_the_kernels_language_and_keeps_everything_else(tmp_path):
    """JupyterLab writes the kernel's language_info into a notebook when its kernel starts: a copy that
    holds it already is not modified by merely opening it (the browser test opens and closes one)."""
    import json
    import sys

    release = tmp_path / "release"
    (release / "01-a").mkdir(parents=True)
    notebook = {"cells": [{"cell_type": "markdown", "id": "t", "metadata": {}, "source": "é"}],
                "metadata": {"kernelspec": {"name": "python3"}, "language_info": {"name": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    (release / "01-a" / "01-a.ipynb").write_text(json.dumps(notebook))
    sync(release, tmp_path / "work")
    copy = json.loads((tmp_path / "work" / "01-a" / "01-a.ipynb").read_text(encoding="utf-8"))
    info = copy["metadata"].pop("language_info")
    assert info["name"] == "python" and info["version"] == sys.version.split()[0]
    assert info["file_extension"] == ".py" and info["mimetype"] == "text/x-python"
    notebook["metadata"].pop("language_info")
    assert copy == notebook
