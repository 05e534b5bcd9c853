"""The one entry point of the hidden tests: ``check(name, fn, points=...)``."""

from __future__ import annotations

import contextlib
import io
import numbers
import sys
import warnings

import numpy as np

from .calls import FORBIDDEN_PACKAGES
from .spec import Report, judge_all, probe_all


def evaluate(name: str, fn, *, forbidden=FORBIDDEN_PACKAGES) -> Report:
    """Probe ``fn`` with the checks of graded function ``name`` and judge the results.

    ``forbidden`` names the course packages the function may not call into;
    the project's own tests narrow it to grade the reference and the
    catalogued mistakes, which live in those packages.

    Raises
    ------
    KeyError
        If ``name`` is not a graded function of the course (an instructor's
        error, never the student's).
    """
    from .specs import REGISTRY

    try:
        spec = REGISTRY[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a graded function; known: {', '.join(sorted(REGISTRY))}") from None
    if not callable(fn):
        return Report(name, zero_reason=(
            f"`{name}` is {type(fn).__name__}, not a function. Define it with `def {name}(...):` "
            "and run its cell."))
    data = probe_all(spec, fn, forbidden=forbidden)
    return judge_all(spec, data)


def check(name: str, fn, points: float = 1.0) -> float:
    """Grade the student's function ``fn`` as graded function ``name``.

    Prints one short message for the student (which checks passed, the first
    input that failed with expected and received values, and the likely
    mistake) and returns the score.

    Parameters
    ----------
    name : str
        The graded function's name, as in the curriculum (e.g. ``"adam_step"``).
    fn : callable
        The student's implementation.
    points : float, default 1.0
        The test cell's points.

    Returns
    -------
    float
        The score in ``[0, points]``: ``points`` times the share of check
        groups passed (each function has several groups: the lesson's worked
        numbers, edge cases, random cases, invalid inputs, properties, and
        "leaves its inputs unchanged"), rounded to two decimals.  A stub
        (``NotImplementedError``) or a function that calls into the course's
        own packages scores 0.

    Notes
    -----
    ``check`` never raises because of the student's code and never writes to
    stderr (nbgrader scores a test cell with stderr output as zero): every
    exception, warning and print of the student's code is caught and
    reported in the message instead.
    """
    return grade(name, fn, points)


def grade(name: str, fn, points: float, *, forbidden=FORBIDDEN_PACKAGES) -> float:
    """:func:`check` with the forbidden packages as a parameter (see :func:`evaluate`)."""
    if isinstance(points, bool) or not isinstance(points, numbers.Real) or not points > 0:
        raise ValueError(f"points must be a positive number, got {points!r}")
    quiet = io.StringIO()
    try:
        with contextlib.redirect_stderr(quiet), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            report = evaluate(name, fn, forbidden=forbidden)
    except KeyError:
        raise
    except Exception as exc:  # a grader bug must not cost the student silently
        print(f"{name}: the grader could not finish checking this function "
              f"({type(exc).__name__}: {exc}). Please tell your instructor. Score: 0 of {points:g}.")
        return 0.0
    print(report.text(points))
    sys.stdout.flush()
    return report.score(points)
