"""Grading a student's function against the hidden reference.

Hidden test cells call :func:`check`::

    from grader import check
    check("mse", mse, points=2)
"""

from .check import check, evaluate

__all__ = ["check", "evaluate"]
