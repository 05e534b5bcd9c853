"""Fixtures for the instructor's tooling's tests."""

from __future__ import annotations

import pytest

from tests.notebooks.conftest import ROOT


@pytest.fixture
def course(tmp_path):
    """A course folder holding only the course's nbgrader_config.py: collect needs no more."""
    root = tmp_path / "course"
    root.mkdir()
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    return root
