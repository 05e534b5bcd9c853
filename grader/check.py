"""The one entry point of the hidden tests: ``check(name, fn, points=...)``.

``check`` works in one of two modes:

- *judging* (the instructor's side: ``nbgrader validate`` of the source
  notebook, the project's tests): it probes the function, then judges the
  data against the hidden reference in the same process, prints the report
  and returns the score;
- *probe only* (the grading kernel during ``nbgrader autograde``, or any
  kernel that cannot import ``solutions``): it only probes, and displays the
  data as a ``display_data`` output of MIME type
  :data:`grader.probe_codec.MIME`.  The course's ``JudgeProbes`` nbgrader
  preprocessor then judges that data in the grading process, which never ran
  student code, and replaces the cell's outputs with the report and score.
  So nothing the student's code does to ``grader``, NumPy or the builtins in
  the kernel can change how it is judged.

The kernel is in probe-only mode when nbgrader autogrades it
(``NBGRADER_EXECUTION=autograde``, which nbgrader sets for the kernels it
starts), when ``NNCOURSE_PROBE=1``, or when ``solutions`` cannot be imported.
"""

from __future__ import annotations

import contextlib
import io
import json
import numbers
import os
import re
import sys
import warnings
from dataclasses import replace

import numpy as np

from . import probe_codec
from .calls import FORBIDDEN_PACKAGES, Opaque, Outcome
from .spec import Report, judge_all, probe_all, reference_available


def probe_only() -> bool:
    """True in a kernel that must only probe (see the module docstring)."""
    return (os.environ.get("NNCOURSE_PROBE") == "1"
            or os.environ.get("NBGRADER_EXECUTION") == "autograde"
            or not reference_available())


def _spec(name: str):
    from .specs import REGISTRY

    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a graded function; known: {', '.join(sorted(REGISTRY))}") from None


def _not_a_function(name: str, type_name: str) -> Report:
    return Report(name, zero_reason=(
        f"`{name}` is {type_name}, not a function. Define it with `def {name}(...):` and run its cell."))


def probe_payload(name: str, fn, *, forbidden=FORBIDDEN_PACKAGES) -> dict:
    """Probe ``fn`` as graded function ``name``: the payload the kernel sends to the judge.

    The only step that runs the student's code; it needs neither the hidden
    reference nor anything else the student's kernel may not see.

    Raises
    ------
    KeyError
        If ``name`` is not a graded function of the course.
    """
    spec = _spec(name)
    if not callable(fn):
        return probe_codec.make_payload(name, Opaque(type(fn).__name__))
    called: set[str] = set()
    data = probe_all(spec, fn, forbidden=forbidden, called=called)
    return probe_codec.make_payload(name, data, calls=called)


def _named_arguments(data, arg_names: tuple[str, ...]):
    """``data`` with each outcome's ``argument <i>`` (a kernel without the reference) named as the reference does."""
    if isinstance(data, Outcome):
        if not data.mutated:
            return data
        named = []
        for m in data.mutated:
            found = re.fullmatch(r"argument (\d+)", m)
            i = int(found.group(1)) - 1 if found else -1
            named.append(arg_names[i] if 0 <= i < len(arg_names) else m)
        return Outcome(data.value, data.error, data.error_types, data.timed_out, data.warnings,
                       tuple(named), data.foreign)
    if isinstance(data, list):
        return [_named_arguments(d, arg_names) for d in data]
    if isinstance(data, tuple):
        return tuple(_named_arguments(d, arg_names) for d in data)
    if isinstance(data, dict):
        return {k: _named_arguments(v, arg_names) for k, v in data.items()}
    return data


def judge_payload(name: str, payload) -> Report:
    """Judge a payload (parsed JSON, untrusted) as graded function ``name``.

    Never runs student code and never raises because of the payload: a
    payload that is malformed, too large, for another function or of the
    wrong shape for ``name``'s checks scores zero with a message saying so.

    Raises
    ------
    KeyError
        If ``name`` is not a graded function of the course (an instructor's error).
    """
    return judge_payload_data(name, payload)[0]


def judge_payload_data(name: str, payload) -> tuple[Report, list | None]:
    """:func:`judge_payload`, and the probes' data it judged (``None`` when there was none to judge)."""
    spec = _spec(name)
    try:
        got, data = probe_codec.read_payload(payload)
        calls = tuple(c for c in probe_codec.read_calls(payload) if c != name)
    except probe_codec.PayloadError as exc:
        return Report(name, zero_reason=f"the grader's record of this test is malformed ({exc})."), None
    except Exception as exc:  # noqa: BLE001 - the codec's own checks missed something: still no points
        return Report(name, zero_reason=(
            f"the grader's record of this test is malformed ({type(exc).__name__}).")), None
    if got != name:
        return Report(name, zero_reason=(
            f"the grader's record in this test cell is for `{got}`, not `{name}`.")), None
    if isinstance(data, Opaque):
        return _not_a_function(name, data.type_name), None
    if not isinstance(data, list) or len(data) != len(spec.groups):
        return Report(name, zero_reason=(
            f"the grader's record of this test is malformed (it holds {len(data)} check groups, "
            f"expected {len(spec.groups)}).")), None
    data = _named_arguments(data, spec.arg_names)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return replace(judge_all(spec, data), calls=calls), data
    except Exception as exc:  # noqa: BLE001 - data no honest probe produces
        return Report(name, zero_reason=(
            f"the grader's record of this test is malformed (judging it failed: {type(exc).__name__}).")), None


def evaluate(name: str, fn, *, forbidden=FORBIDDEN_PACKAGES) -> Report:
    """Probe ``fn`` with the checks of graded function ``name`` and judge the results, in this process.

    The probes' data goes through the same JSON payload as from a grading
    kernel (see :func:`probe_payload` and :func:`judge_payload`).

    ``forbidden`` names the course packages the function may not call into;
    the project's own tests narrow it to grade the reference and the
    catalogued mistakes, which live in those packages.

    Raises
    ------
    KeyError
        If ``name`` is not a graded function of the course (an instructor's
        error, never the student's).
    """
    payload = probe_payload(name, fn, forbidden=forbidden)
    # Through JSON text, exactly as the judge receives it from a grading kernel.
    return judge_payload(name, json.loads(json.dumps(payload, allow_nan=False)))


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

    In a probe-only kernel (see :func:`probe_only`) it only probes: it
    displays the probes' data for the course's ``JudgeProbes`` preprocessor,
    which judges it outside the kernel and replaces this cell's outputs with
    the message and the score; the kernel itself returns 0.

    Where it judges (the instructor's own notebook, which can import the
    reference), a score below ``points`` also raises :class:`BelowFullMarks`
    after the message: the hidden check runs before the visible checks of
    its cell, so its score is not the cell's result, and ``nbgrader
    validate`` of the instructor version must still fail on an answer that
    the grader does not give full marks.
    """
    if probe_only():
        return send_probes(name, fn, points)
    score = grade(name, fn, points)
    if score < points:
        raise BelowFullMarks(f"{name} scores {score:g} of {points:g} against the reference (see the report above)")
    return score


class BelowFullMarks(AssertionError):
    """A judged hidden check below full marks: in the instructor's notebook, an answer to fix."""


class _GraderBug(Exception):
    """The grader itself failed; its message, for the student, says so."""


def _quietly(name: str, work):
    """``work()`` with nothing reaching stderr, warnings and floating-point errors silenced.

    ``KeyError`` (an unknown graded function: the instructor's error) passes
    through; any other exception is a grader bug, raised as :class:`_GraderBug`,
    which must not cost the student silently.
    """
    try:
        with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return work()
    except KeyError:
        raise
    except Exception as exc:
        raise _GraderBug(f"{name}: the grader could not finish checking this function "
                         f"({type(exc).__name__}: {exc}). Please tell your instructor") from None


def _check_points(points) -> None:
    if isinstance(points, bool) or not isinstance(points, numbers.Real) or not points > 0:
        raise ValueError(f"points must be a positive number, got {points!r}")


def send_probes(name: str, fn, points: float) -> float:
    """:func:`check` in a probe-only kernel: display the payload for the judge; returns 0.

    The score shown by the kernel is always 0 (so a pipeline that forgot the
    judge gives nothing away); the judge replaces it.
    """
    _check_points(points)

    def probe_and_measure():
        payload = probe_payload(name, fn)
        return payload, len(json.dumps(payload, allow_nan=False))

    try:
        payload, size = _quietly(name, probe_and_measure)
    except _GraderBug as bug:
        print(f"{bug}.")
        return 0.0
    if size > probe_codec.MAX_BYTES:
        print(f"{name}: the results of the checks are too large to send to the grader ({size} bytes).")
        return 0.0
    text = f"{name}: checks run; the grader judges them after the notebook has run."
    try:
        from IPython.display import display
    except ImportError:  # not in a kernel: nobody could read the payload
        print(f"{name}: probe-only mode needs a Jupyter kernel to send the results of the checks.")
        return 0.0
    display({probe_codec.MIME: payload, "text/plain": text}, raw=True)
    sys.stdout.flush()
    return 0.0


def grade(name: str, fn, points: float, *, forbidden=FORBIDDEN_PACKAGES) -> float:
    """:func:`check` judged in this process, with the forbidden packages as a parameter (see :func:`evaluate`)."""
    _check_points(points)
    try:
        report = _quietly(name, lambda: evaluate(name, fn, forbidden=forbidden))
    except _GraderBug as bug:
        print(f"{bug}. Score: 0 of {points:g}.")
        return 0.0
    print(report.text(points))
    sys.stdout.flush()
    return report.score(points)
