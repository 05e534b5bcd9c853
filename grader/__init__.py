"""The judge: grading a student's function against the hidden reference, with the catalogue of mistakes.

This package serves the hidden test cells and whoever judges their probes. It holds only what
judging needs: :mod:`~grader.check` (the call a hidden test makes), :mod:`~grader.spec` and
:mod:`~grader.properties` (how a function is tested), :mod:`~grader.calls`, :mod:`~grader.compare`,
:mod:`~grader.probe_codec` and :mod:`~grader.stats` (running the student's code and comparing what it
returns), :mod:`~grader.cascade` (a mistake inherited from an earlier function), :mod:`~grader.course`
(the lessons and their ids), and :mod:`grader.specs`, one module of catalogued mistakes per lesson.
Hidden tests and :mod:`nncourse` (the instructor's tooling) may import it; it imports neither
:mod:`nncourse` nor :mod:`lessons`, and nothing a student runs outside the hidden tests may import it
(``tests/test_layout.py`` enforces the directions).

Hidden test cells call :func:`check`::

    from grader import check
    check("mse", mse, points=2)
"""

from .check import check, evaluate

__all__ = ["check", "evaluate"]
