"""Fixtures for the grader's tests: grading a function and reading its message."""

from __future__ import annotations

import pytest

from grader.check import grade as _grade_with


@pytest.fixture
def grade(capsys):
    """``grade(name, fn, points=1.0) -> (score, message)``; fails if anything reached stderr.

    The reference lives in ``solutions`` and the catalogued mistakes in
    ``grader``, so this grades with only ``lessons`` forbidden; the detection
    of calls into ``solutions`` and ``grader`` has tests of its own that use
    :func:`grader.check` itself (see ``test_catalogue.py``).
    """

    def _grade(name, fn, points=1.0):
        score = _grade_with(name, fn, points, forbidden=("lessons",))
        out, err = capsys.readouterr()
        assert err == "", f"check wrote to stderr (nbgrader would score zero): {err!r}"
        assert 0.0 <= score <= points
        return score, out

    return _grade
