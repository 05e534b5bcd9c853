"""Fixtures for notebook tests: lessons that have notebooks, and a temporary course copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.course import LESSONS

ROOT = Path(__file__).resolve().parents[2]

#: Lessons whose instructor notebook exists (the course is written lesson by lesson).
WRITTEN = [lesson for lesson in LESSONS if (ROOT / "source" / lesson.id / f"{lesson.id}.ipynb").is_file()]


def lesson_params():
    return [pytest.param(lesson, id=lesson.id, marks=getattr(pytest.mark, lesson.marker)) for lesson in WRITTEN]


@pytest.fixture
def course(tmp_path) -> Path:
    """A temporary copy of the course directory (config, source, release), with no gradebook."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy2(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    for folder in ("source", "release"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, root / folder)
    return root
