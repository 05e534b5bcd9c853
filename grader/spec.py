"""What the grader knows about one graded function, and how it judges it.

A :class:`Spec` lists *groups* of checks.  Each group works in two steps:

``probe(run, spec)``
    runs the student's function (only ever through ``run``, a
    :class:`Runner`) on inputs the grader chose and returns plain data;
``judge(data, spec)``
    decides pass or fail from that data alone, comparing with the hidden
    reference in ``solutions`` and recognising catalogued mistakes.

Keeping the two apart means the judging never depends on anything the
student's code could have changed: it can run in another process.

The score is the share of groups passed, times the cell's points, plus one
implicit group, "leaves its inputs unchanged", judged from every call made
(it counts as passed only when another group passed too).
"""

from __future__ import annotations

import copy
import importlib
import inspect
import numbers
import types
import time
import warnings
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Callable, Iterable, Protocol, Sequence

import numpy as np

from . import compare
from .calls import DEFAULT_TIMEOUT, FORBIDDEN_PACKAGES, Outcome, call, to_plain


class ReferenceUnavailable(ImportError):
    """The hidden reference was needed where it is not installed (the student's kernel)."""


class _MissingFunction:
    """Stands for a reference function in a kernel that cannot import ``solutions``."""

    def __init__(self, module: str, name: str):
        self.__name__ = self.__qualname__ = name
        self._where = f"solutions.{module}.{name}"

    def __call__(self, *args, **kwargs):
        raise ReferenceUnavailable(
            f"{self._where} is not available here: only the grading process judges against the reference")

    def __repr__(self) -> str:
        return f"<unavailable {self._where}>"


def reference_module(module: str) -> types.ModuleType:
    """The hidden reference ``solutions.<module>``, or a stand-in when it cannot be imported.

    The specs are imported both where grading is judged (the reference is
    there) and in the student's grading kernel, which only probes and may not
    see ``solutions`` at all.  There every function of the stand-in raises
    :class:`ReferenceUnavailable` when called, so a probe that used the
    reference would fail loudly instead of quietly.
    """
    try:
        return importlib.import_module(f"solutions.{module}")
    except ImportError:
        stand_in = types.ModuleType(f"solutions.{module} (unavailable)")
        stand_in.__getattr__ = lambda name: _MissingFunction(module, name)  # type: ignore[attr-defined]
        return stand_in


def reference_available() -> bool:
    """True when the hidden reference package ``solutions`` can be imported here."""
    try:
        importlib.import_module("solutions")
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class Case:
    """One set of inputs: positional ``args``, keyword ``kwargs`` and a ``label``."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""


@dataclass(frozen=True)
class Mistake:
    """A mistake students really make, with the words that help them fix it.

    Attributes
    ----------
    key : str
        A short identifier, e.g. ``"sum-not-mean"``.
    hint : str
        Plain words shown to the student when their function matches it.
    fn : callable
        A function that makes exactly this mistake: the grader's own test
        suite checks that it loses points and gets this hint.
    matchable : bool
        ``True`` when the mistake is deterministic, so the grader can
        recognise it by comparing the student's outputs with ``fn``'s.
        Stochastic mistakes are recognised by the property group that names
        them instead.
    """

    key: str
    hint: str
    fn: Callable
    matchable: bool = True


@dataclass(frozen=True)
class Verdict:
    """The judgement of one group: passed or not, and why."""

    title: str
    passed: bool
    detail: str = ""
    mistake: Mistake | None = None


class Group(Protocol):
    title: str

    def probe(self, run: "Runner", spec: "Spec") -> Any: ...

    def judge(self, data: Any, spec: "Spec") -> Verdict: ...


def _fresh(value: Any) -> Any:
    """A copy of an input array (or of a list or tuple of them); anything else as it is."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_fresh(v) for v in value)
    return value


def _replayable(value: Any) -> Any:
    """A copy of a generator (the same draws every time it is used); anything else as it is."""
    return copy.deepcopy(value) if isinstance(value, np.random.Generator) else value


def graded_callees(name: str, fn: Callable) -> dict[types.CodeType, str]:
    """The student's other graded functions that ``fn`` can see, by their code objects.

    They are looked up in ``fn``'s globals (the notebook's namespace) by the
    names of the course's graded functions, so that the probes can record
    which of them ``fn`` calls.
    """
    from .specs import REGISTRY

    found = getattr(fn, "__globals__", None)
    if not isinstance(fn, types.FunctionType) or not isinstance(found, dict):
        return {}
    out = {}
    for other in REGISTRY:
        callee = found.get(other)
        if other != name and isinstance(callee, types.FunctionType) and callee.__code__ is not fn.__code__:
            out[callee.__code__] = other
    return out


class Runner:
    """Calls the student's function for the probes, and stops early when it is hopeless.

    After the first call that times out, or a first call that raises
    ``NotImplementedError`` (a stub), or once ``budget`` seconds are spent,
    further calls are skipped and recorded as such, so a stuck function
    costs one timeout, not one per case.
    """

    SKIPPED = "not run"

    def __init__(self, fn: Callable, spec: "Spec", *, timeout: float = DEFAULT_TIMEOUT,
                 budget: float = 60.0, forbidden: Iterable[str] = FORBIDDEN_PACKAGES):
        self.fn = fn
        self.forbidden = tuple(forbidden)
        self.spec = spec
        self.timeout = timeout
        self.deadline = time.monotonic() + budget
        self.stop_reason: str | None = None
        self.calls = 0
        #: The student's other graded functions that ``fn`` reaches, by their code (see :func:`graded_callees`).
        self.watched = graded_callees(spec.name, fn)
        #: The names of those it called, over all the calls so far.
        self.called: set[str] = set()

    def __call__(self, args: tuple = (), kwargs: dict | None = None, *,
                 post: Callable | None = None, allowed: Iterable[Callable] = ()) -> Outcome:
        if self.stop_reason is None and time.monotonic() > self.deadline:
            self.stop_reason = "the checks ran out of time"
        if self.stop_reason is not None:
            return Outcome(error=f"{self.SKIPPED}: {self.stop_reason}", error_types=("Skipped",))
        post = self.spec.post if post is None else post
        # Fresh copies every time: a function that changes its inputs in place must not
        # corrupt the grader's cases for the calls that follow.
        args = tuple(_fresh(a) for a in args)
        kwargs = {k: _fresh(v) for k, v in (kwargs or {}).items()}
        outcome = call(self.fn, args, kwargs, names=self.spec.arg_names, post=post,
                       timeout=self.timeout, allowed=allowed, forbidden=self.forbidden,
                       watched=self.watched, called=self.called)
        self.calls += 1
        if outcome.timed_out:
            self.stop_reason = f"an earlier call took longer than {self.timeout:g} s"
        elif outcome.foreign:
            self.stop_reason = "it calls into the course's own code"
        elif outcome.not_implemented and self.calls == 1:
            self.stop_reason = "not implemented yet"
        return outcome

    def case(self, case: Case) -> Outcome:
        """Call on a fixed case.  A generator in the case is copied, so every check replays the
        same draws (probes that share one generator between calls pass it to ``run`` directly)."""
        return self(tuple(_replayable(a) for a in case.args),
                    {k: _replayable(v) for k, v in case.kwargs.items()})


@dataclass(frozen=True)
class Spec:
    """Everything the grader knows about one graded function."""

    name: str
    reference: Callable
    groups: tuple
    mistakes: tuple[Mistake, ...] = ()
    outputs: tuple[str, ...] = ()
    post: Callable[[Any], Any] | None = None
    rtol: float = compare.RTOL
    atol: float = compare.ATOL
    #: Graded functions of the same lesson that the reference calls through its module's globals; when the
    #: student's function calls one of them and that one has a catalogued mistake, the judge can tell
    #: whether the student's function is right given it (see :mod:`grader.cascade`). An entry is the
    #: function's name, or a pair (name, the reference module's global that plays its part, such as a
    #: private twin that skips the argument checks).
    callees: tuple[str | tuple[str, str], ...] = ()

    def stand_in(self, callee: str) -> str | None:
        """The global of the reference's module that plays ``callee``'s part, or ``None`` when it calls none."""
        for entry in self.callees:
            name, global_name = (entry, entry) if isinstance(entry, str) else entry
            if name == callee:
                return global_name
        return None

    @cached_property
    def arg_names(self) -> tuple[str, ...]:
        """Names of the reference's positional parameters; ``()`` where the reference is unavailable
        (the judge then names changed arguments from the payload's ``argument <i>``)."""
        if isinstance(self.reference, _MissingFunction):
            return ()
        params = inspect.signature(self.reference).parameters.values()
        return tuple(p.name for p in params
                     if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))

    def mistake(self, key: str | None) -> Mistake | None:
        if key is None:
            return None
        for m in self.mistakes:
            if m.key == key:
                return m
        raise KeyError(f"{self.name}: no catalogued mistake {key!r}")

    def call_text(self, case: Case) -> str:
        parts = [f"{n}={compare.describe(a)}" for n, a in zip(self.arg_names, case.args)]
        parts += [f"{k}={compare.describe(v)}" for k, v in case.kwargs.items()]
        return f"{self.name}({', '.join(parts)})"

    def run_trusted(self, fn: Callable, case: Case) -> Any:
        """Run the reference (or a catalogued mistake) on a case, quietly.

        Generators in the case are copied, so every trusted run sees the same draws, and so are its
        arrays: a catalogued mistake that writes into its arguments must not change the case for the
        checks that follow.
        """
        args = tuple(_fresh(_replayable(a)) for a in case.args)
        kwargs = {k: _fresh(_replayable(v)) for k, v in case.kwargs.items()}
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = fn(*args, **kwargs)
            if self.post is not None:
                result = self.post(result)
        return to_plain(result)

    def expected(self, case: Case) -> Any:
        return self.run_trusted(self.reference, case)

    def diagnose(self, case: Case, received: Any, *, rtol: float, atol: float,
                 others: Sequence[tuple[Case, Any]] = ()) -> Mistake | None:
        """The catalogued mistake whose output on ``case`` equals ``received``.

        When several match there, ``others`` (more cases with the student's
        results on them) picks the one that also explains those; failing
        that, the first in catalogue order.
        """
        expected = self.expected(case)
        candidates = [m for m in self.mistakes if m.matchable and self._explains(m, case, received, expected,
                                                                               rtol, atol)]
        if len(candidates) > 1 and others:
            consistent = [m for m in candidates
                          if all(self._agrees(m, c, value, rtol, atol) for c, value in others)]
            candidates = consistent or candidates
        return candidates[0] if candidates else None

    def _explains(self, mistake: Mistake, case: Case, received: Any, expected: Any, rtol: float,
                  atol: float) -> bool:
        try:
            wrong = self.run_trusted(mistake.fn, case)
        except Exception:
            return False
        if compare.mismatch(wrong, expected, rtol=rtol, atol=atol) is None:
            return False  # this mistake makes no difference on this case
        return compare.mismatch(received, wrong, rtol=rtol, atol=atol) is None

    def _agrees(self, mistake: Mistake, case: Case, received: Any, rtol: float, atol: float) -> bool:
        try:
            return compare.mismatch(received, self.run_trusted(mistake.fn, case), rtol=rtol, atol=atol) is None
        except Exception:
            return False


def failed_call(outcome: Outcome, what: str) -> str | None:
    """A sentence saying why a call did not return normally, or ``None`` if it did."""
    if outcome.timed_out:
        return f"{what} did not finish within its time limit (an endless loop?)"
    if outcome.error is not None:
        if outcome.error.startswith(Runner.SKIPPED):
            return f"{what} was {outcome.error}"
        return f"{what} raised {outcome.error}"
    return None


def number_of(outcome: Outcome, what: str) -> tuple[float | None, str | None]:
    """The returned value as one float, or ``(None, a sentence saying why not)``."""
    problem = failed_call(outcome, what)
    if problem:
        return None, problem
    value = outcome.value
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "fiu":
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        return None, f"{what} returned {compare.describe(value)}, expected a single number (a float)"
    return float(value), None



def mistake_key(spec: Spec, case: Case, outcome: Outcome) -> str | None:
    """The key of the catalogued mistake that gives what the student returned on ``case``, if any."""
    if not outcome.ok:
        return None
    mistake = spec.diagnose(case, outcome.value, rtol=spec.rtol, atol=spec.atol)
    return mistake.key if mistake is not None else None


def _outcomes(data: Any) -> Iterable[Outcome]:
    if isinstance(data, Outcome):
        yield data
    elif isinstance(data, dict):
        for v in data.values():
            yield from _outcomes(v)
    elif isinstance(data, (list, tuple)):
        for v in data:
            yield from _outcomes(v)


class Compare:
    """Compare the student's outputs with the reference's on fixed cases.

    Parameters
    ----------
    title : str
        What the group checks, in words a student understands.
    cases : sequence of Case
    rtol, atol : float, optional
        Tolerances; the spec's by default.
    warn_free : bool
        Also require that no call emits a warning (for extreme but valid inputs).
    """

    def __init__(self, title: str, cases: Sequence[Case], *, rtol: float | None = None,
                 atol: float | None = None, warn_free: bool = False):
        if not cases:
            raise ValueError(f"group {title!r} needs at least one case")
        self.title = title
        self.cases = tuple(cases)
        self.rtol = rtol
        self.atol = atol
        self.warn_free = warn_free

    def probe(self, run: Runner, spec: Spec) -> list[Outcome]:
        return [run.case(c) for c in self.cases]

    def judge(self, data: list[Outcome], spec: Spec) -> Verdict:
        rtol = spec.rtol if self.rtol is None else self.rtol
        atol = spec.atol if self.atol is None else self.atol
        for case, outcome in zip(self.cases, data):
            what = spec.call_text(case)
            problem = failed_call(outcome, what)
            if problem:
                return Verdict(self.title, False, problem)
            received = outcome.value
            expected = spec.expected(case)
            problem = compare.mismatch(received, expected, rtol=rtol, atol=atol, outputs=spec.outputs)
            if problem:
                others = [(c, o.value) for c, o in zip(self.cases, data) if c is not case and o.ok]
                mistake = spec.diagnose(case, received, rtol=rtol, atol=atol, others=others)
                return Verdict(self.title, False, f"{what}: {problem}", mistake)
            if self.warn_free and outcome.warnings:
                mistake = spec.diagnose(case, received, rtol=rtol, atol=atol)
                return Verdict(self.title, False, f"{what} gave the right values but warned: "
                               f"{outcome.warnings[0]}", mistake)
        return Verdict(self.title, True)


class Raises:
    """Require a clear error for invalid inputs (``ValueError`` or ``TypeError`` by default)."""

    def __init__(self, title: str, cases: Sequence[Case], errors: tuple[str, ...] = ("ValueError", "TypeError"),
                 mistake: str | None = None):
        self.title = title
        self.cases = tuple(cases)
        self.errors = errors
        self.mistake_key = mistake

    def probe(self, run: Runner, spec: Spec) -> list[Outcome]:
        return [run.case(c) for c in self.cases]

    def judge(self, data: list[Outcome], spec: Spec) -> Verdict:
        wanted = " or ".join(self.errors)
        for case, outcome in zip(self.cases, data):
            what = spec.call_text(case)
            if outcome.raised(*self.errors):
                continue
            if outcome.timed_out or (outcome.error or "").startswith(Runner.SKIPPED):
                return Verdict(self.title, False, failed_call(outcome, what))
            got = (f"raised {outcome.error}" if outcome.error else
                   f"returned {compare.describe(outcome.value)}")
            detail = f"{what} {got}; it should raise {wanted} with a message saying what is wrong"
            return Verdict(self.title, False, detail, spec.mistake(self.mistake_key))
        return Verdict(self.title, True)


class Property:
    """A custom check: ``probe(run, spec) -> data`` and ``judge(data, spec)``.

    ``judge`` returns ``None`` when the property holds, otherwise a sentence
    saying what was seen, or a pair ``(sentence, mistake_key)`` when the
    catalogued mistake behind the failure depends on what was seen (``None``
    as the key for no hint).  ``mistake`` names the catalogued mistake a
    plain-sentence failure points to, if any; its hint is shown with it.
    """

    def __init__(self, title: str, probe: Callable[[Runner, Spec], Any],
                 judge: Callable[[Any, Spec], str | None], mistake: str | None = None):
        self.title = title
        self._probe = probe
        self._judge = judge
        self.mistake_key = mistake

    def probe(self, run: Runner, spec: Spec) -> Any:
        return self._probe(run, spec)

    def judge(self, data: Any, spec: Spec) -> Verdict:
        problem = self._judge(data, spec)
        if problem is None:
            return Verdict(self.title, True)
        detail, key = problem if isinstance(problem, tuple) else (problem, self.mistake_key)
        return Verdict(self.title, False, detail, spec.mistake(key))


UNCHANGED = "leaves its inputs unchanged"
#: The title of the check a test cell's visible checks count as, when only they failed.
VISIBLE = "the visible checks in the test cell pass"


@dataclass(frozen=True)
class Report:
    """The judgement of one function: verdicts per group, or a reason for zero."""

    name: str
    verdicts: tuple[Verdict, ...] = ()
    zero_reason: str | None = None
    #: Lines shown under the score line (what the visible checks did, which function to fix first).
    notes: tuple[str, ...] = ()
    #: The student's other graded functions this one called while it was probed.
    calls: tuple[str, ...] = ()

    @property
    def passed(self) -> int:
        return sum(v.passed for v in self.verdicts)

    def with_visible_failure(self, problem: str, *, counted: bool = True) -> "Report":
        """This report for a test cell whose visible checks stopped with ``problem`` after the hidden check.

        The hidden checks decide the score.  Only when every one of them passed
        (and ``counted``: not when the failures came from another function the
        student wrote) does the failed visible check count, as one more check,
        failed: what the kernel reports can lower a score, never raise it.
        """
        note = (f"The visible checks in this cell stopped: {problem}. The score comes from the hidden "
                "checks, which try more cases.")
        if not counted or self.zero_reason or not self.verdicts or self.passed < len(self.verdicts):
            return replace(self, notes=self.notes + (note,))
        failed = Verdict(VISIBLE, False, f"they stopped with {problem}, though every hidden check passed")
        return replace(self, verdicts=self.verdicts + (failed,))

    def score(self, points: float) -> float:
        if self.zero_reason or not self.verdicts:
            return 0.0
        return round(points * self.passed / len(self.verdicts), 2)

    def text(self, points: float) -> str:
        score = self.score(points)
        notes = [f"  {n}" for n in self.notes]
        if self.zero_reason:
            return "\n".join([f"{self.name}: {self.zero_reason} Score: 0 of {points:g}.", *notes])
        total = len(self.verdicts)
        if self.passed == total:
            checked = "; ".join(v.title for v in self.verdicts)
            return "\n".join([f"{self.name}: all {total} checks passed ({checked}). Score: {score:g} of {points:g}.",
                              *notes])
        lines = [f"{self.name}: {self.passed} of {total} checks passed. Score: {score:g} of {points:g}.", *notes]
        hinted = set()
        for v in self.verdicts:
            if v.passed:
                lines.append(f"  [ok]   {v.title}")
            else:
                lines.append(f"  [fail] {v.title}: {v.detail}")
                if v.mistake is not None and v.mistake.key not in hinted:
                    hinted.add(v.mistake.key)
                    lines.append(f"         Likely mistake: {v.mistake.hint}")
        return "\n".join(lines)


def probe_all(spec: Spec, fn: Callable, *, timeout: float = DEFAULT_TIMEOUT, budget: float = 60.0,
              forbidden: Iterable[str] = FORBIDDEN_PACKAGES, called: set[str] | None = None) -> list:
    """Run every group's probe: the only step that executes the student's code.

    ``called``, when given, receives the names of the student's other graded
    functions that ``fn`` called during the probes.
    """
    run = Runner(fn, spec, timeout=timeout, budget=budget, forbidden=forbidden)
    data = [group.probe(run, spec) for group in spec.groups]
    if called is not None:
        called |= run.called
    return data


def judge_all(spec: Spec, data: list) -> Report:
    """Judge the probes' data.  Never runs the student's code."""
    outcomes = list(_outcomes(data))
    if outcomes and outcomes[0].not_implemented:
        return Report(spec.name, zero_reason=(
            f"not implemented yet. Replace the `raise NotImplementedError` line in `{spec.name}` "
            "with your code, run the cell, then run this test again."))
    foreign = next((o.foreign for o in outcomes if o.foreign), None)
    if foreign:
        return Report(spec.name, zero_reason=(
            f"your function calls into the course's `{foreign}` package. The graded function must "
            "be your own work, written with NumPy: remove that call."))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        verdicts = [group.judge(d, spec) for group, d in zip(spec.groups, data)]
    changed = sorted({name for o in outcomes for name in o.mutated})
    if not any(o.ok for o in outcomes):
        verdicts.append(Verdict(UNCHANGED, False, "no call returned normally, so this could not be checked"))
    elif not any(v.passed for v in verdicts):
        # A function that returns a constant changes nothing: that alone earns no credit.
        verdicts.append(Verdict(UNCHANGED, False, "counts only once another check passes"))
    elif changed:
        verdicts.append(Verdict(UNCHANGED, False, (
            f"the call changed its argument(s) {', '.join(changed)} in place; work on new arrays "
            "(for example `x = x.copy()`, or `a = a - b` instead of `a -= b`)")))
    else:
        verdicts.append(Verdict(UNCHANGED, True))
    return Report(spec.name, tuple(verdicts))
