"""The instructor's tooling: the ``nncourse`` command and the steps that take a class's work to grades.

This package serves the instructor. It writes the lessons' notebooks, releases them through nbgrader,
bundles them for a class, and grades what comes back; the judging itself is :mod:`grader`'s, which
this package may import and which never imports this one (``tests/test_layout.py`` enforces it).
Nothing a student runs imports it: neither :mod:`lessons` nor a notebook's hidden tests, and grading
treats a submission that reaches into it as cheating.

A submission flows through the modules in this order:

1. :mod:`~nncourse.collect`: a Canvas or Moodle export, a folder or one notebook, checked and filed per
   student (:mod:`~nncourse.lms` reads the files' names, :mod:`~nncourse.roster` says who is who);
2. :mod:`~nncourse.grading`: one nbgrader autograde per submission, in parallel, each notebook run by
   :mod:`~nncourse.execute` in a kernel that :mod:`~nncourse.sandbox` locks down;
3. :mod:`~nncourse.judge`: the hidden tests' probes, judged outside the kernel by :mod:`grader`;
4. :mod:`~nncourse.feedback`: the feedback a student reads, without the hidden tests;
5. :mod:`~nncourse.export`: the grades as a table.

Before them, the way out to the class: :mod:`~nncourse.authoring` (lesson scripts to notebooks),
:mod:`~nncourse.release` (the stubs that name their function), :mod:`~nncourse.pipeline` (nbgrader's
API: release, gradebook), :mod:`~nncourse.leaks` (nothing hidden reaches a release),
:mod:`~nncourse.bundle` (what a class downloads), :mod:`~nncourse.visible_hints`,
:mod:`~nncourse.selfcheck` and :mod:`~nncourse.demo`, and :mod:`~nncourse.cli`, the command.
"""

from __future__ import annotations

import importlib.util
import sys

#: What ``pip install -e '.[instructor]'`` adds to a student's install (pyproject.toml's extra).
INSTRUCTOR_PACKAGES = ("nbgrader", "nbclient", "nbformat", "latex2mathml")


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules, or one without a spec
        return False


def main(argv: list[str] | None = None) -> int:
    """The ``nncourse`` command; without the instructor's tools installed, says how to install them."""
    missing = [name for name in INSTRUCTOR_PACKAGES if not _installed(name)]
    if missing:
        print(f"nncourse needs the instructor's tools ({', '.join(missing)} not installed): run `make instructor` "
              "in the course's folder, or `pip install -e '.[instructor]'`.", file=sys.stderr)
        return 1
    from . import cli

    return cli.main(argv)
