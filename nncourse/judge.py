"""Step 3 of grading: judging the hidden tests' probes, in the grading process, with :mod:`grader`.

:class:`JudgeProbes` is the nbgrader preprocessor that runs right after a submission's notebook was
executed (:mod:`nncourse.execute`, in the sandbox); ``nbgrader_config.py`` puts it in ``nbgrader
autograde``.  Next come the feedback (:mod:`nncourse.feedback`) and the grades (:mod:`nncourse.export`).
"""

from __future__ import annotations

import re

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

class JudgeProbes(NbGraderPreprocessor):
    """Judge each hidden test in the grading process, from the probe data its kernel sent.

    Runs right after execution in ``nbgrader autograde``.  The grading kernel
    only probes (see :mod:`grader.check`): the hidden test cell
    ``__import__("grader").check("mse", mse, points=2)`` displays the
    probes' data as a :data:`grader.probe_codec.MIME` output.  For every
    autograded test cell this step

    - reads the function's name and points from the cell's source (which
      nbgrader's ``OverwriteCells`` restored from the gradebook), parsing the
      one-line call strictly; never from the payload;
    - takes only the probe payload among the cell's outputs (everything else
      the kernel printed there is ignored), decodes it safely and judges it
      against the hidden reference here, a process that never ran student
      code; the inputs are the grader's own, regenerated here;
    - replaces the cell's outputs with the report (stdout) and the score
      (``execute_result``), which nbgrader's scoring and feedback then use.

    The hidden check runs before the visible checks of its cell (see
    :func:`nncourse.authoring.graded_test`), so a visible check that fails does
    not stop it: the function is judged all the same, and the report says
    which visible check stopped.  What the kernel did after the payload (an
    error, output on stderr) can only lower the score, never raise it: when
    every hidden check passed but a visible one failed, the visible checks
    count as one more check, failed.

    When a function that lost points called another of the student's graded
    functions that lost points too, its report names the one to fix first,
    and its failed checks are judged on their own where the design allows
    (:mod:`grader.cascade`).

    No payload, several payloads, a malformed one or one for another
    function: zero, with a message saying which.
    """

    def preprocess(self, nb, resources):
        """Judge every test cell, then connect callers to the functions they call (:mod:`grader.cascade`)."""
        from grader.cascade import connect

        judged = {index: self._judged(cell) for index, cell in enumerate(nb.cells) if _is_test_cell(cell)}
        connect(list(judged.values()))
        for index, result in judged.items():
            self._write(nb.cells[index], result)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        """One test cell on its own (no other cells to connect it with)."""
        if _is_test_cell(cell):
            self._write(cell, self._judged(cell))
        return cell, resources

    def _write(self, cell, judged) -> None:
        text, score = judged.result()
        self.log.info("JudgeProbes %s: %g of %g", cell.metadata["nbgrader"].get("grade_id"), score, judged.points)
        # What the judge recognised, for the class's statistics (nncourse.stats): the score stays nbgrader's.
        cell.metadata["nncourse"] = {"function": judged.name, "score": float(score), "points": float(judged.points),
                                     "mistakes": mistakes_of(judged.report)}
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=text + "\n"),
            nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(score))},
                                   execution_count=cell.get("execution_count")),
        ]

    def _judged(self, cell):
        from grader.cascade import Judged
        from grader.check import judge_payload_data
        from grader.probe_codec import MIME
        from grader.specs import REGISTRY

        cell_points = float(cell.metadata["nbgrader"].get("points", 0) or 0)
        call = hidden_call(cell.source)
        if call is None:
            return Judged("", cell_points, message=(
                f"This test cell has no hidden check the grader can read (one line `{CHECK_PATTERN.pattern}`). "
                f"Please tell your instructor. Score: 0 of {cell_points:g}."))
        name, points = call
        if name not in REGISTRY:
            return Judged(name, points, message=(f"{name}: not a graded function of this course. Please tell "
                                                 f"your instructor. Score: 0 of {points:g}."))
        payloads = [o["data"][MIME] for o in cell.outputs
                    if o.get("output_type") == "display_data" and MIME in o.get("data", {})]
        kernel_problem = _kernel_problem(cell.outputs)
        if not payloads and kernel_problem:
            return Judged(name, points, message=f"{name}: {_stopped_early(name, cell.outputs)} Score: 0 of {points:g}.")
        if len(payloads) != 1:
            what = "no record of the checks" if not payloads else f"{len(payloads)} records of the checks, not one"
            return Judged(name, points, message=(f"{name}: the grader found {what} in this test cell, so it could "
                                                 f"not judge `{name}`. Score: 0 of {points:g}."))
        try:
            report, data = judge_payload_data(name, payloads[0])
        except Exception as exc:  # noqa: BLE001 - a grader bug must not stop the whole notebook's grading
            self.log.exception("JudgeProbes could not judge %s", name)
            return Judged(name, points, message=(f"{name}: the grader could not finish judging this function "
                                                 f"({type(exc).__name__}). Please tell your instructor. "
                                                 f"Score: 0 of {points:g}."))
        return Judged(name, points, report, data, kernel_problem)


def mistakes_of(report) -> list[str]:
    """The keys of the catalogued mistakes a report recognised, each once, in the order of its checks."""
    keys = []
    for verdict in (report.verdicts if report is not None else ()):
        if not verdict.passed and verdict.mistake is not None and verdict.mistake.key not in keys:
            keys.append(verdict.mistake.key)
    return keys


def _is_test_cell(cell) -> bool:
    from nbgrader import utils

    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def _first_line(text: str, limit: int = 300) -> str:
    return (str(text).strip().splitlines() or [""])[0][:limit]


def _kernel_problem(outputs) -> str | None:
    """What went wrong in the kernel after the hidden check (a visible check failed, stderr), or ``None``."""
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if errors:
        ename, evalue = str(errors[0].get("ename", "Error")), _first_line(errors[0].get("evalue", ""))
        return f"{ename}: {evalue}" if evalue else ename
    stderr = [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    if stderr:
        text = _first_line("".join(stderr[0].get("text", "")), 200)
        return f"your code wrote to stderr ({text!r})" if text else "your code wrote to stderr"
    return None


def _stopped_early(name: str, outputs) -> str:
    """Why a test cell holds no record of the hidden checks although it ran: the check never started."""
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if not errors:
        return ("this test cell wrote to stderr and holds no record of the hidden checks, so the grader could "
                f"not judge `{name}`.")
    ename, evalue = str(errors[0].get("ename", "Error")), _first_line(errors[0].get("evalue", ""))
    if ename == "NameError" and f"'{name}'" in evalue:
        return (f"`{name}` is not defined when its test runs, so nothing could be checked. Run the cell that "
                f"defines it (a syntax error in that cell leaves `{name}` undefined).")
    return f"this test cell stopped with {ename}: {evalue} before the hidden checks could run."


#: The hidden part of a test cell: one line, ``__import__("grader").check("<name>", <name>, points=<points>)``.
CHECK_PATTERN = re.compile(
    r'__import__\("grader"\)\.check\("(?P<name>[A-Za-z_][A-Za-z0-9_]*)", (?P=name), '
    r'points=(?P<points>[0-9]+(?:\.[0-9]+)?)\)')


def hidden_call(source: str) -> tuple[str, float] | None:
    """``(name, points)`` of the one hidden check line in a test cell's source, or ``None``.

    Exactly one line must be that call, whole; anything else (none, two, a
    different spelling, points of 0) gives ``None``.
    """
    found = [m for m in (CHECK_PATTERN.fullmatch(line.strip()) for line in source.splitlines()) if m]
    if len(found) != 1:
        return None
    points = float(found[0]["points"])
    return (found[0]["name"], points) if points > 0 else None
