"""When one of the student's graded functions calls another: the one to fix first, and the caller judged on its own.

Students build later functions from earlier ones: ``softmax_cross_entropy``
from their ``log_softmax``, ``sigmoid_grad`` from their ``sigmoid``.  When
the callee is wrong, the caller's checks fail too, though its own code may
be right.  The probes record which of the student's other graded functions
each function called (``Report.calls``).  Once every test cell of a notebook
has been judged, :func:`connect` looks at each function that lost points
and called another that lost points too:

- the caller's report says so, and names the function to fix first;
- when the callee's failures all point to one catalogued mistake, and the
  reference of the caller calls that callee (``Spec.callees``), the caller's
  failed check groups are probed again here, with the reference in which
  the callee is that catalogued mistake.  A group whose probes give exactly
  what the student's function gave fails only because of the callee: it
  counts as passed, and the report says so.

Nothing the kernel sent is trusted for this beyond what is judged anyway:
the claim "it calls ``log_softmax``" only makes the judge try, and a group
counts as passed only when the student's outputs on the grader's own inputs
are those of a correct caller built on that very mistake, which is no easier
to forge than a correct function.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from . import compare
from .calls import Outcome
from .spec import UNCHANGED, Mistake, Report, Runner, Spec, Verdict


@dataclass
class Judged:
    """One test cell of a notebook, judged: its function, points, report (or the reason for zero) and data.

    ``kernel_problem`` is what the cell's visible checks did after the hidden
    check (they failed, or wrote to stderr), or ``None``.
    """

    name: str
    points: float
    report: Report | None = None
    data: list | None = None
    kernel_problem: str | None = None
    message: str = ""
    #: True when every check that failed was explained by a callee (the visible checks then cost nothing).
    explained: bool = False

    @property
    def lost_points(self) -> bool:
        return self.report is not None and (bool(self.report.zero_reason)
                                            or self.report.passed < len(self.report.verdicts))

    def result(self) -> tuple[str, float]:
        """The report's text and the score, as the test cell shows them."""
        if self.report is None:
            return self.message, 0.0
        report = self.report
        if self.kernel_problem:
            report = report.with_visible_failure(self.kernel_problem, counted=not self.explained)
        return report.text(self.points), report.score(self.points)


def connect(judged: list[Judged], registry: dict[str, Spec] | None = None) -> None:
    """Name the function to fix first in every caller of a failing function, and judge callers on their own."""
    if registry is None:
        from .specs import REGISTRY as registry
    by_name = {j.name: j for j in judged if j.report is not None and j.name in registry}
    for caller in judged:
        report = caller.report
        if report is None or report.zero_reason or not caller.lost_points or caller.name not in registry:
            continue
        for callee_name in report.calls:
            callee = by_name.get(callee_name)
            if callee is None or callee is caller or not callee.lost_points:
                continue
            _judge_on_its_own(caller, callee, registry)


def _single_mistake(report: Report, spec: Spec) -> Mistake | None:
    """The catalogued mistake all of a report's failures point to, when there is exactly one."""
    if report.zero_reason:
        return None
    keys = {v.mistake.key for v in report.verdicts if not v.passed and v.mistake is not None}
    return spec.mistake(keys.pop()) if len(keys) == 1 else None


@contextlib.contextmanager
def _substituted(reference, name: str, fn):
    """The reference with the global ``name`` of its module (a function it calls) replaced by ``fn``."""
    module = reference.__globals__
    saved = module[name]
    module[name] = fn
    try:
        yield reference
    finally:
        module[name] = saved


def _judge_on_its_own(caller: Judged, callee: Judged, registry: dict[str, Spec]) -> None:
    spec, report = registry[caller.name], caller.report
    name, other = caller.name, callee.name
    mistake = _single_mistake(callee.report, registry[other]) if callee.report is not None else None
    failed = [i for i, v in enumerate(report.verdicts[:len(spec.groups)]) if not v.passed]
    rescued: list[int] = []
    stand_in = spec.stand_in(other)
    if (mistake is not None and mistake.matchable and stand_in is not None and caller.data is not None
            and hasattr(spec.reference, "__globals__") and stand_in in spec.reference.__globals__):
        with _substituted(spec.reference, stand_in, mistake.fn) as built_on_the_mistake, \
                warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            for i in failed:
                group = spec.groups[i]
                try:
                    trusted = group.probe(Runner(built_on_the_mistake, spec, forbidden=()), spec)
                except Exception:  # noqa: BLE001 - a catalogued mistake the probe cannot run: no rescue
                    continue
                if same_data(caller.data[i], trusted, spec):
                    rescued.append(i)
    if not rescued:
        note = (f"{name} calls your {other}, which fails its own checks (see the test of {other}): fix {other} "
                "first; the failures here may come from it.")
        caller.report = replace(report, notes=(note, *report.notes))
        return
    verdicts = list(report.verdicts)
    for i in rescued:
        verdicts[i] = Verdict(f"{verdicts[i].title} (right for your {other})", True)
    if any(v.passed for v in verdicts[:len(spec.groups)]):
        verdicts = [Verdict(UNCHANGED, True) if v.title == UNCHANGED and v.detail.startswith("counts only") else v
                    for v in verdicts]
    if len(rescued) == len(failed):
        note = (f"{name} calls your {other}, which fails its own checks (see the test of {other}). Every check "
                f"of {name} that failed gives exactly what a correct {name} gives with your {other}, so {name} "
                f"is judged right on its own: fix {other} first.")
        caller.explained = True
    else:
        note = (f"{name} calls your {other}, which fails its own checks (see the test of {other}): {len(rescued)} "
                f"of the {len(failed)} checks that failed here fail only because of it and count as passed; the "
                f"others are {name}'s own; fix {other} first.")
    caller.report = replace(report, verdicts=tuple(verdicts), notes=(note, *report.notes))


def same_data(student: Any, trusted: Any, spec: Spec) -> bool:
    """Whether the student's probe data equal the data a trusted function gave (values to the spec's tolerance)."""
    if isinstance(student, Outcome) or isinstance(trusted, Outcome):
        if not (isinstance(student, Outcome) and isinstance(trusted, Outcome)):
            return False
        if student.ok and trusted.ok:
            return (bool(student.warnings) == bool(trusted.warnings)
                    and compare.mismatch(student.value, trusted.value, rtol=spec.rtol, atol=spec.atol,
                                         outputs=spec.outputs) is None)
        if student.error is not None and trusted.error is not None and not (student.timed_out or trusted.timed_out):
            return student.error_types[:1] == trusted.error_types[:1]
        return False
    if isinstance(trusted, dict):
        return (isinstance(student, dict) and student.keys() == trusted.keys()
                and all(same_data(student[k], trusted[k], spec) for k in trusted))
    if isinstance(trusted, (list, tuple)):
        return (isinstance(student, (list, tuple)) and len(student) == len(trusted)
                and all(same_data(s, t, spec) for s, t in zip(student, trusted)))
    if isinstance(trusted, (bool, str, type(None))):
        return student == trusted
    try:
        return compare.mismatch(student, trusted, rtol=spec.rtol, atol=spec.atol) is None
    except TypeError:
        return False
