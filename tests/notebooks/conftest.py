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


def copy_course(root: Path, lesson_id: str | None = None) -> Path:
    """A course directory made at ``root``: the config, and ``source/`` and ``release/`` (of one lesson,
    or whole), with no gradebook."""
    root.mkdir(parents=True)
    shutil.copy2(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    for folder in ("source", "release"):
        part = Path(folder, lesson_id) if lesson_id else Path(folder)
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, root / part)
    return root


@pytest.fixture
def course(tmp_path) -> Path:
    """A temporary copy of the course directory (config, source, release), with no gradebook."""
    return copy_course(tmp_path / "course")
