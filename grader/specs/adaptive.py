"""Checks and mistakes for lesson 06, AdaGrad, RMSProp and Adam (reference: ``solutions.adaptive``).

Every function is graded on fixed cases compared with the reference (the
hand-checkable examples, edge cases, gradients small enough that the place of
epsilon shows, random cases, extreme magnitudes without warnings) and on
properties any correct implementation has, each judged from closed forms, not
from the reference:

- the first step from a zero state moves every coordinate with a nonzero
  gradient by ``lr`` (AdaGrad, Adam) or ``lr / sqrt(1 - rho)`` (RMSProp),
  whatever the gradient's scale, and leaves a coordinate with zero gradient
  where it is;
- under a constant gradient, fed back its own state, step ``k`` has the size
  ``lr / sqrt(k)`` (AdaGrad), ``lr / sqrt(1 - rho**k)`` (RMSProp) or ``lr``
  (Adam);
- it returns the new parameters and every state array, each of theta's shape
  (0-d to 3-D).

As in lesson 05 (``grader.specs.momentum``), a 20-step path feeds the
student's own returned state back, as a training loop would, here with a fixed
sequence of gradients (and ``t = 1, 2, ...`` for Adam), and compares it step by
step with the reference's path; the first step that differs is reported.  Its
hint names the catalogued mistake whose own path, fed its own state, is the
student's step for step; failing that, the one mistake that explains the
first differing step on the inputs the student's function actually received
(lesson 05's diagnosis).  The multi-step property diagnoses the same way.
Single-call properties name a mistake only when exactly one fits: from a zero
state several mistakes can give the same step, and a wrong hint is worse than
none.  ``adam_step`` must raise ``ValueError`` for ``t < 1``.

A 0-d ``theta`` is allowed ("any shape"); NumPy turns arithmetic on 0-d arrays
into scalars, so a NumPy scalar returned for a 0-d array is accepted as that
0-d array (by :func:`grader.compare.mismatch`, and by :func:`_unpack` when the
state is fed back).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..calls import Outcome
from ..compare import describe, mismatch
from ..spec import Case, Compare, Mistake, Property, Raises, Runner, Spec, Verdict, failed_call
from ..spec import reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("adaptive")

_rng = np.random.default_rng(606)

_OUTPUTS_R = ("theta", "r")
_OUTPUTS_ADAM = ("theta", "m", "v")

#: Relative tolerance of the closed-form properties: epsilon shifts a step by at most about
#: eps / |grad| <= 1.2e-4 on their gradients, and every catalogued mistake is off by far more.
_STEP_RTOL = 1e-3


# --- helpers shared by the three specs ------------------------------------------------------------

def _n_states(spec: Spec) -> int:
    return len(spec.outputs) - 1


def _args(spec: Spec, theta, grad, states: tuple, t: int) -> tuple:
    """The positional arguments of one step: ``(theta, grad, r)`` or ``(theta, grad, m, v, t)``."""
    return (theta, grad, *states, t) if spec.name in ("adam_step", "adamw_step") else (theta, grad, *states)


def _as_array(value: Any) -> Any:
    """A NumPy scalar (what arithmetic on 0-d arrays gives) as a 0-d array; anything else as it is."""
    if isinstance(value, np.generic) and not isinstance(value, (np.bool_, np.str_, np.bytes_)):
        return np.asarray(value)
    return value


def _unpack(value: Any, shape: tuple, n_states: int) -> tuple[np.ndarray, ...] | None:
    """``value`` as ``(theta, *states)`` of ``shape`` if it can be fed to the next step, else ``None``."""
    if not isinstance(value, (tuple, list)) or len(value) != n_states + 1:
        return None
    items = [_as_array(v) for v in value]
    if not all(isinstance(v, np.ndarray) and v.shape == shape and v.dtype.kind in "fiu" for v in items):
        return None
    return tuple(v.astype(np.float64) for v in items)


def _steps_text(spec: Spec) -> str:
    return "(theta, " + ", ".join(spec.outputs[1:]) + ")"


class _Walk:
    """``len(grads)`` steps from ``theta0`` and ``states0``, feeding the function's own returned state back.

    The gradients are fixed in advance (they do not depend on theta), and
    Adam gets ``t = 1, 2, ...``.  The probe stops at the first call whose
    result cannot be fed back; :meth:`cases` rebuilds, from the outcomes
    alone, the inputs each call received.
    """

    def __init__(self, theta0: np.ndarray, grads: list[np.ndarray], kwargs: dict, n_states: int):
        self.theta0 = np.asarray(theta0, dtype=np.float64)
        self.states0 = tuple(np.zeros_like(self.theta0) for _ in range(n_states))
        self.grads = [np.asarray(g, dtype=np.float64) for g in grads]
        self.kwargs = dict(kwargs)

    @property
    def steps(self) -> int:
        return len(self.grads)

    def run(self, run: Runner, spec: Spec) -> list[Outcome]:
        theta, states = self.theta0, self.states0
        outcomes = []
        for k, grad in enumerate(self.grads):
            outcome = run(_args(spec, theta, grad, states, k + 1), self.kwargs)
            outcomes.append(outcome)
            unpacked = _unpack(outcome.value, self.theta0.shape, len(states)) if outcome.ok else None
            if unpacked is None:
                break
            theta, *states = unpacked
            states = tuple(states)
        return outcomes

    def cases(self, spec: Spec, outcomes: list[Outcome]) -> list[Case]:
        """The inputs of every call the probe made, in order."""
        theta, states = self.theta0, self.states0
        cases = []
        for k, outcome in enumerate(outcomes):
            cases.append(Case(_args(spec, theta, self.grads[k], states, k + 1), self.kwargs))
            unpacked = _unpack(outcome.value, self.theta0.shape, len(states))
            if unpacked is None:
                break
            theta, *states = unpacked
            states = tuple(states)
        return cases

    def what(self, spec: Spec, k: int, case: Case) -> str:
        return f"at step {k + 1} of {self.steps}, {spec.call_text(case)}"


def _matching(spec: Spec, case: Case, received: Any) -> list[Mistake]:
    """The catalogued mistakes that change the result on ``case`` and give exactly ``received``."""
    expected = spec.expected(case)
    found = []
    for m in spec.mistakes:
        if not m.matchable:
            continue
        try:
            wrong = spec.run_trusted(m.fn, case)
        except Exception:  # noqa: BLE001 - a mistake may well crash on some inputs
            continue
        if mismatch(wrong, expected, rtol=spec.rtol, atol=spec.atol) is None:
            continue
        if mismatch(received, wrong, rtol=spec.rtol, atol=spec.atol) is None:
            found.append(m)
    return found


def _diagnosed(spec: Spec, case: Case, outcome: Outcome) -> str | None:
    """The key of the one catalogued mistake that gives what the student returned on ``case``.

    ``None`` when none does, or when several do (from a zero state, for
    example, AdaGrad's running sum and a missing ``(1 - rho)`` give the same
    RMSProp step): a wrong hint is worse than none.
    """
    found = _matching(spec, case, outcome.value) if outcome.ok else []
    return found[0].key if len(found) == 1 else None


_RAISED = object()


def _walk_values(spec: Spec, walk: "_Walk", fn: Callable, steps: int) -> list:
    """What a trusted ``fn`` returns along ``walk``, fed its own state (``_RAISED`` where it raises)."""
    theta, states = walk.theta0, walk.states0
    values: list = []
    for k in range(steps):
        try:
            value = spec.run_trusted(fn, Case(_args(spec, theta, walk.grads[k], states, k + 1), walk.kwargs))
        except Exception:  # noqa: BLE001
            values.append(_RAISED)
            break
        values.append(value)
        unpacked = _unpack(value, walk.theta0.shape, len(states))
        if unpacked is None:
            break
        theta, *rest = unpacked
        states = tuple(rest)
    return values


def _mistake_behind_walk(spec: Spec, walk: "_Walk", cases: list[Case], outcomes: list[Outcome]) -> Mistake | None:
    """The catalogued mistake behind a walk that went wrong.

    First the mistake whose own walk is the student's, step for step (when
    exactly one is); otherwise the one mistake that explains the first step
    that differs from the reference on the inputs the student's function
    received (the diagnosis of lesson 05's path).
    """
    if outcomes and not outcomes[-1].ok and (outcomes[-1].timed_out or outcomes[-1].foreign):
        return None
    candidates = []
    for m in spec.mistakes:
        if not m.matchable:
            continue
        values = _walk_values(spec, walk, m.fn, len(outcomes))
        if len(values) != len(outcomes):
            continue
        same = True
        for value, outcome in zip(values, outcomes):
            if outcome.ok:
                same = value is not _RAISED and mismatch(outcome.value, value, rtol=spec.rtol,
                                                         atol=spec.atol) is None
            else:
                same = value is _RAISED
            if not same:
                break
        if same:
            candidates.append(m)
    if len(candidates) == 1:
        return candidates[0]
    for case, outcome in zip(cases, outcomes):
        if not outcome.ok:
            return None
        if mismatch(outcome.value, spec.expected(case), rtol=spec.rtol, atol=spec.atol) is not None:
            key = _diagnosed(spec, case, outcome)
            return spec.mistake(key)
    return None


class _Path:
    """The 20-step path (the approach of lesson 05): compared step by step with the reference's path.

    The first step that differs is reported; the hint comes from the
    catalogued mistake whose own path is the student's (see
    :func:`_mistake_behind_walk`).
    """

    def __init__(self, title: str, walk: _Walk):
        self.title = title
        self.walk = walk

    def probe(self, run: Runner, spec: Spec) -> list[Outcome]:
        return self.walk.run(run, spec)

    def judge(self, data: list[Outcome], spec: Spec) -> Verdict:
        walk = self.walk
        cases = walk.cases(spec, data)
        expected_in = (walk.theta0, *walk.states0)
        for k, (case, outcome) in enumerate(zip(cases, data)):
            what = walk.what(spec, k, case)
            problem = failed_call(outcome, what)
            if problem:
                return Verdict(self.title, False, problem, _mistake_behind_walk(spec, walk, cases, data))
            expected = spec.run_trusted(
                spec.reference, Case(_args(spec, expected_in[0], walk.grads[k], expected_in[1:], k + 1),
                                     walk.kwargs))
            problem = mismatch(outcome.value, expected, rtol=spec.rtol, atol=spec.atol, outputs=spec.outputs)
            if problem:
                return Verdict(self.title, False, f"{what}: {problem}",
                               _mistake_behind_walk(spec, walk, cases, data))
            expected_in = expected
        if len(data) < walk.steps:  # cannot happen: the probe stops only after a failure
            return Verdict(self.title, False, f"the path stopped after {len(data)} steps")
        return Verdict(self.title, True)


def _path_gradients(shape: tuple, steps: int = 20) -> list[np.ndarray]:
    """A fixed gradient sequence whose coordinates live on very different scales.

    Coordinate scales 100, 1, 1e-3 and 3e-4 (where epsilon's place shows), one
    coordinate with a steady drift plus noise that changes sign, and one whose
    gradient is exactly zero for the first five steps.
    """
    size = int(np.prod(shape))
    scales = np.array([100.0, 1.0, 1e-3, 0.5, 3e-4, 2.0][:size] + [1.0] * max(0, size - 6))
    drift = np.array([0.5, -1.0, 1.0, 0.0, -0.7, 0.3][:size] + [0.2] * max(0, size - 6))
    grads = []
    for k in range(steps):
        g = scales * (drift + _rng.normal(size=size))
        if size > 5 and k < 5:
            g[5] = 0.0
        grads.append(g.reshape(shape))
    return grads


def _constant_gradient_property(title: str, walk: _Walk, size: Callable[[int, dict], float],
                                rule: str) -> Property:
    """Steps of a closed-form size under the constant gradient of ``walk``, the function's own state fed back.

    ``size(k, kwargs)`` is the size of step ``k`` in units of ``lr``; ``rule``
    says it in words (``"lr / sqrt(k)"``).
    """
    grad = walk.grads[0]
    kwargs = walk.kwargs

    def probe(run: Runner, spec: Spec) -> list[Outcome]:
        return walk.run(run, spec)

    def judge(data: list[Outcome], spec: Spec):
        cases = walk.cases(spec, data)
        lr = kwargs["lr"]
        n = _n_states(spec)
        for k, (case, outcome) in enumerate(zip(cases, data)):
            what = walk.what(spec, k, case)
            problem = failed_call(outcome, what)
            if problem:
                mistake = _mistake_behind_walk(spec, walk, cases, data)
                return problem, (mistake.key if mistake else None)
            unpacked = _unpack(outcome.value, grad.shape, n)
            if unpacked is None:
                mistake = _mistake_behind_walk(spec, walk, cases, data)
                return (f"{what} returned {describe(outcome.value)}; it should return "
                        f"{_steps_text(spec)}, arrays of theta's shape",
                        mistake.key if mistake else None)
            step = unpacked[0] - case.args[0]
            target = -lr * size(k + 1, kwargs) * np.sign(grad)
            close = np.isclose(step, target, rtol=_STEP_RTOL, atol=0.0)
            if not np.all(close):
                i = int(np.argmax(~close.ravel()))
                moved = float(step.ravel()[i])
                mistake = _mistake_behind_walk(spec, walk, cases, data)
                return (f"{what}: the parameter with gradient {grad.ravel()[i]:g} moved by "
                        f"{moved:.4g} ({abs(moved) / lr:.4g} times lr); under a constant gradient "
                        f"step k = {k + 1} should move it by {rule} = {abs(float(target.ravel()[i])):.4g}, "
                        "against the sign of its gradient", mistake.key if mistake else None)
        return None

    return Property(title, probe, judge)


#: The constant gradient of the closed-form properties: sizes from 2e-3 to 4e3, both signs.
_CONSTANT_GRAD = np.array([2e-3, -0.5, 30.0, -4e3])


def _constant_walk(steps: int, kwargs: dict, n_states: int) -> _Walk:
    return _Walk(np.zeros(_CONSTANT_GRAD.shape), [_CONSTANT_GRAD] * steps, kwargs, n_states)


def _first_step_property(title: str, cases: list[Case], size: Callable[[dict], float], rule: str) -> Property:
    """One step from a zero state moves each coordinate by ``lr * size(kwargs)``, whatever |grad|."""

    def probe(run: Runner, spec: Spec) -> list[Outcome]:
        return [run.case(c) for c in cases]

    def judge(data: list[Outcome], spec: Spec):
        n = _n_states(spec)
        for case, outcome in zip(cases, data):
            what = spec.call_text(case)
            problem = failed_call(outcome, what)
            if problem:
                return problem, None
            theta, grad = case.args[0], case.args[1]
            unpacked = _unpack(outcome.value, theta.shape, n)
            if unpacked is None:
                return (f"{what} returned {describe(outcome.value)}; it should return "
                        f"{_steps_text(spec)}, arrays of theta's shape", _diagnosed(spec, case, outcome))
            lr = case.kwargs["lr"]
            step = unpacked[0] - theta
            target = -lr * size(case.kwargs) * np.sign(grad)
            close = np.isclose(step, target, rtol=_STEP_RTOL, atol=0.0)
            if not np.all(close):
                i = int(np.argmax(~close.ravel()))
                g = float(grad.ravel()[i])
                moved = float(step.ravel()[i])
                key = _diagnosed(spec, case, outcome)
                if g == 0.0:
                    return (f"{what} moved the parameter whose gradient is 0 by {moved:.4g}; "
                            "a parameter with a zero gradient (and zero state) must not move", key)
                return (f"{what} moved the parameter with gradient {g:g} by {moved:.4g} "
                        f"({abs(moved) / lr:.4g} times lr); the first step moves every parameter with a "
                        f"nonzero gradient by {rule} = {lr * size(case.kwargs):.4g}, against the sign "
                        "of its gradient, whatever the gradient's size", key)
        return None

    return Property(title, probe, judge)


def _shapes_property(outputs: str, cases: list[Case]) -> Property:
    """Returns ``(theta, *states)``, each an array of theta's shape, for theta of 0 to 3 dimensions."""

    def probe(run: Runner, spec: Spec) -> list[Outcome]:
        return [run.case(c) for c in cases]

    def judge(data: list[Outcome], spec: Spec):
        n = _n_states(spec)
        for case, outcome in zip(cases, data):
            what = spec.call_text(case)
            problem = failed_call(outcome, what)
            if problem:
                return problem, None
            shape = case.args[0].shape
            if _unpack(outcome.value, shape, n) is None:
                got = outcome.value
                if isinstance(got, (tuple, list)) and len(got) == n + 1:
                    shapes = ", ".join(str(np.shape(v)) if isinstance(_as_array(v), np.ndarray)
                                       else type(v).__name__ for v in got)
                    got_text = f"values of shapes {shapes}"
                else:
                    got_text = describe(got)
                return (f"{what} returned {got_text}; it should return {_steps_text(spec)}, "
                        f"each a float array of theta's shape {shape}", _diagnosed(spec, case, outcome))
        return None

    return Property(f"returns {outputs}, arrays of theta's shape (0-d to 3-D theta)", probe, judge)


def _normal(*shape: int) -> np.ndarray:
    return _rng.normal(size=shape)


def _squares(*shape: int) -> np.ndarray:
    """A non-negative accumulator of squared gradients."""
    return _rng.chisquare(3, size=shape)


# --- adagrad_step ---------------------------------------------------------------------------------

def _ag_eps_inside(theta, grad, r, *, lr=0.01, eps=1e-7):
    r_new = r + grad**2
    return theta - lr * grad / np.sqrt(r_new + eps), r_new


def _ag_times_two(theta, grad, r, *, lr=0.01, eps=1e-7):
    r_new = r + grad * 2
    return theta - lr * grad / (eps + np.sqrt(r_new)), r_new


def _ag_not_returned(theta, grad, r, *, lr=0.01, eps=1e-7):
    r_new = r + grad**2
    return theta - lr * grad / (eps + np.sqrt(r_new))


def _ag_not_accumulated(theta, grad, r, *, lr=0.01, eps=1e-7):
    r_new = np.asarray(grad, dtype=float) ** 2
    return theta - lr * grad / (eps + np.sqrt(r_new)), r_new


def _ag_stale_r(theta, grad, r, *, lr=0.01, eps=1e-7):
    theta_new = theta - lr * grad / (eps + np.sqrt(r))
    return theta_new, r + grad**2


def _ag_old_r_returned(theta, grad, r, *, lr=0.01, eps=1e-7):
    r_new = r + grad**2
    return theta - lr * grad / (eps + np.sqrt(r_new)), np.array(r, dtype=float)


def _ag_summed(theta, grad, r, *, lr=0.01, eps=1e-7):
    r_new = r + np.sum(np.asarray(grad) ** 2)
    return theta - lr * grad / (eps + np.sqrt(r_new)), r_new


def _ag_no_sqrt(theta, grad, r, *, lr=0.01, eps=1e-7):
    r_new = r + grad**2
    return theta - lr * grad / (eps + r_new), r_new


def _ag_no_eps(theta, grad, r, *, lr=0.01, eps=1e-7):
    r_new = r + grad**2
    return theta - lr * grad / np.sqrt(r_new), r_new


def _ag_sign(theta, grad, r, *, lr=0.01, eps=1e-7):
    r_new = r + grad**2
    return theta + lr * grad / (eps + np.sqrt(r_new)), r_new


def _ag_swapped(theta, grad, r, *, lr=0.01, eps=1e-7):
    r_new = r + grad**2
    return r_new, theta - lr * grad / (eps + np.sqrt(r_new))


_AG_FIRST = [
    Case((np.zeros(5), np.array([2e-3, -0.5, 30.0, -4e3, 0.0]), np.zeros(5)), {"lr": 0.01},
         label="gradients from 2e-3 to 4e3, one zero"),
    Case((np.zeros((2, 2)), np.array([[7e-3, -2.0], [0.0, 900.0]]), np.zeros((2, 2))), {"lr": 0.5}),
]

ADAGRAD_STEP = Spec(
    name="adagrad_step",
    reference=ref.adagrad_step,
    outputs=_OUTPUTS_R,
    groups=(
        Compare("hand-checkable steps (r = 16 and 9 become 25: steps of 0.3 and 0.4)", [
            Case((np.array([1.0, -2.0]), np.array([3.0, -4.0]), np.array([16.0, 9.0])), {"lr": 0.5},
                 label="r becomes 25 in both coordinates"),
            Case((np.array([1.0, -2.0]), np.array([3.0, -4.0]), np.zeros(2)), {"lr": 0.5},
                 label="first step from r = 0: both coordinates move by about lr"),
            Case((np.array([0.7, -1.6]), np.array([3.0, -4.0]), np.array([9.0, 16.0])), {"lr": 0.5},
                 label="a second step"),
        ]),
        Compare("edge cases: zeros, zero gradients, lr 0, the defaults, a 0-d theta, non-square shapes", [
            Case((np.zeros(3), np.zeros(3), np.zeros(3)), {"lr": 0.1}, label="all zeros"),
            Case((np.array([0.5, -1.5, 2.0]), np.array([0.0, 1.5, 0.0]), np.array([4.0, 1.0, 0.0])),
                 {"lr": 0.1}, label="zero gradients: those parameters stay, their r too"),
            Case((np.array([0.5, -1.5]), np.array([3.0, -4.0]), np.array([0.3, 0.7])), {"lr": 0.0},
                 label="lr 0: theta stays, r still grows"),
            Case((np.array([0.25, -0.5, 1.0]), np.array([2e-5, -0.3, 4.0]), np.array([0.0, 0.5, 2.0])),
                 label="default lr and eps"),
            Case((np.array(1.5), np.array(-0.5), np.array(0.2)), {"lr": 0.1}, label="a 0-d theta"),
            Case((_normal(3, 2), _normal(3, 2), _squares(3, 2)), {"lr": 0.05}, label="a (3, 2) matrix"),
            Case((_normal(1, 5), _normal(1, 5), _squares(1, 5)), {"lr": 0.3, "eps": 1e-3},
                 label="a (1, 5) row, eps 1e-3"),
        ]),
        Compare("small gradients, where epsilon's place (outside the square root) matters", [
            Case((np.array([0.2, 0.4, -0.3]), np.array([2e-4, 0.0, -5e-5]), np.array([1e-8, 4e-8, 0.0])),
                 {"lr": 0.01}, label="small r, one zero gradient"),
            Case((np.array([1.0, -1.0, 0.5]), np.array([1e-4, -3e-4, 0.0]), np.zeros(3)), {"lr": 0.01},
                 label="first step with gradients near 1e-4"),
            Case((np.array([1.0, 2.0]), np.array([1e-6, -1e-6]), np.array([1e-12, 0.0])),
                 {"lr": 0.1, "eps": 1e-8}, label="gradients near 1e-6, eps 1e-8"),
        ]),
        Compare("random inputs of several shapes", [
            Case((_normal(*shape), _normal(*shape), _squares(*shape)),
                 {"lr": float(_rng.uniform(0.001, 0.5))}, label=f"random, shape {shape}")
            for shape in [(6,), (4, 3), (2, 3, 4), (10, 1)]
        ]),
        Compare("very large and very small magnitudes (exact, no warnings)", [
            Case((np.array([1.0, -2.0]), np.array([2e150, -1e150]), np.array([5e299, 1e300])),
                 {"lr": 0.5}, label="gradients near 1e150"),
            Case((np.array([3e-144, -1e-144]), np.array([-2e-150, 4e-150]), np.array([1e-300, 0.0])),
                 {"lr": 0.1}, label="gradients near 1e-150: epsilon dominates"),
        ], atol=0.0, warn_free=True),
        _first_step_property("the first step from r = 0 moves every parameter with a nonzero gradient by "
                             "about lr, whatever the gradient's size", _AG_FIRST, lambda kw: 1.0, "lr"),
        _constant_gradient_property(
            "under a constant gradient step k has the size lr / sqrt(k) (AdaGrad's shrinking step)",
            _constant_walk(12, {"lr": 0.1}, 1), lambda k, kw: 1.0 / np.sqrt(k), "lr / sqrt(k)"),
        _shapes_property("(theta, r)", [
            Case((np.array(0.5), np.array(-2.0), np.array(1.0)), {"lr": 0.1}, label="a 0-d theta"),
            Case((_normal(4), _normal(4), _squares(4)), {"lr": 0.1}),
            Case((_normal(3, 2), _normal(3, 2), _squares(3, 2)), {"lr": 0.1}),
            Case((_normal(2, 1, 3), _normal(2, 1, 3), _squares(2, 1, 3)), {"lr": 0.1}),
        ]),
        _Path("20 steps from r = 0 with fixed gradients of very different sizes, feeding back the r you "
              "return", _Walk(_normal(2, 3), _path_gradients((2, 3)), {"lr": 0.1}, 1)),
    ),
    mistakes=(
        Mistake("eps-inside-sqrt", "epsilon goes outside the square root: "
                "theta - lr * grad / (eps + sqrt(r)), not sqrt(r + eps). The two differ when the "
                "gradients are small (sqrt(r) near sqrt(eps)).", _ag_eps_inside),
        Mistake("grad-times-two", "r accumulates the SQUARED gradient, grad**2 (or grad * grad); "
                "grad * 2 doubles it instead.", _ag_times_two),
        Mistake("state-not-returned", "return both the new parameters and the new sum of squares, as a "
                "tuple `return theta_new, r_new`: the next step needs r.", _ag_not_returned),
        Mistake("r-not-accumulated", "AdaGrad's r is the running SUM of all squared gradients: "
                "r_new = r + grad**2. With r_new = grad**2 the past is forgotten and every step has "
                "the size lr.", _ag_not_accumulated),
        Mistake("stale-r", "add the new squared gradient to r first and divide by the square root of the "
                "NEW sum: r_new = r + grad**2, then theta - lr * grad / (eps + sqrt(r_new)).",
                _ag_stale_r),
        Mistake("old-r-returned", "you return the r you were given; return the NEW sum, r + grad**2, so "
                "that the next step can use it.", _ag_old_r_returned),
        Mistake("r-summed-over-parameters", "keep one r per parameter: r + grad**2 element-wise. Summing "
                "the squares over all parameters (np.sum, np.dot, grad @ grad) gives every parameter the "
                "same learning rate, which is what AdaGrad avoids.", _ag_summed),
        Mistake("no-sqrt", "divide by the square ROOT of r: theta - lr * grad / (eps + np.sqrt(r_new)); "
                "dividing by r itself makes the step depend on the gradient's scale.", _ag_no_sqrt),
        Mistake("no-eps", "add eps to the square root: theta - lr * grad / (eps + sqrt(r_new)). "
                "Without it a parameter whose gradients have all been 0 divides 0 by 0.", _ag_no_eps),
        Mistake("sign", "step downhill: theta - lr * grad / (eps + sqrt(r_new)), with a minus sign.",
                _ag_sign),
        Mistake("outputs-swapped", "return the parameters first and r second: "
                "`return theta_new, r_new`.", _ag_swapped),
    ),
)


# --- rmsprop_step ---------------------------------------------------------------------------------

def _rms_running_sum(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r_new = r + grad**2
    return theta - lr * grad / (eps + np.sqrt(r_new)), r_new


def _rms_no_one_minus_rho(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r_new = rho * r + grad**2
    return theta - lr * grad / (eps + np.sqrt(r_new)), r_new


def _rms_rho_swapped(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r_new = (1 - rho) * r + rho * grad**2
    return theta - lr * grad / (eps + np.sqrt(r_new)), r_new


def _rms_eps_inside(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r_new = rho * r + (1 - rho) * grad**2
    return theta - lr * grad / np.sqrt(r_new + eps), r_new


def _rms_times_two(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r_new = rho * r + (1 - rho) * grad * 2
    return theta - lr * grad / (eps + np.sqrt(r_new)), r_new


def _rms_not_returned(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r_new = rho * r + (1 - rho) * grad**2
    return theta - lr * grad / (eps + np.sqrt(r_new))


def _rms_stale_r(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    theta_new = theta - lr * grad / (eps + np.sqrt(r))
    return theta_new, rho * r + (1 - rho) * grad**2


def _rms_old_r_returned(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r_new = rho * r + (1 - rho) * grad**2
    return theta - lr * grad / (eps + np.sqrt(r_new)), np.array(r, dtype=float)


def _rms_not_carried(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r_new = (1 - rho) * np.asarray(grad, dtype=float) ** 2
    return theta - lr * grad / (eps + np.sqrt(r_new)), r_new


def _rms_no_eps(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r_new = rho * r + (1 - rho) * grad**2
    return theta - lr * grad / np.sqrt(r_new), r_new


def _rms_swapped(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r_new = rho * r + (1 - rho) * grad**2
    return r_new, theta - lr * grad / (eps + np.sqrt(r_new))


_RMS_FIRST = [
    Case((np.zeros(5), np.array([2e-3, -0.5, 30.0, -4e3, 0.0]), np.zeros(5)), {"lr": 0.01},
         label="gradients from 2e-3 to 4e3, one zero, default rho 0.9"),
    Case((np.zeros((2, 2)), np.array([[7e-3, -2.0], [0.0, 900.0]]), np.zeros((2, 2))),
         {"lr": 0.1, "rho": 0.5}),
]

RMSPROP_STEP = Spec(
    name="rmsprop_step",
    reference=ref.rmsprop_step,
    outputs=_OUTPUTS_R,
    groups=(
        Compare("hand-checkable steps (rho = 0.75: r = 0.75 r + 0.25 grad**2)", [
            Case((np.array([1.0, -2.0]), np.array([3.0, 0.5]), np.array([0.0, 2.25])),
                 {"lr": 0.1, "rho": 0.75}, label="r becomes [2.25, 1.75]; the first parameter moves 0.2"),
            Case((np.array([1.0, -2.0]), np.array([3.0, -4.0]), np.array([4.0, 12.0])),
                 {"lr": 0.1, "rho": 0.75}, label="r becomes [5.25, 13]"),
            Case((np.array([1.0, -2.0]), np.array([3.0, -4.0]), np.zeros(2)), {"lr": 0.1},
                 label="first step from r = 0 (default rho): lr / sqrt(0.1), about 3.16 lr"),
        ]),
        Compare("edge cases: zeros, zero gradients, rho 0, lr 0, the defaults, a 0-d theta, non-square "
                "shapes", [
            Case((np.zeros(3), np.zeros(3), np.zeros(3)), {"lr": 0.1}, label="all zeros"),
            Case((np.array([0.5, -1.5, 2.0]), np.array([0.0, 1.5, 0.0]), np.array([4.0, 1.0, 0.0])),
                 {"lr": 0.1}, label="zero gradients: those parameters stay, their r decays"),
            Case((np.array([0.5, -1.5, 2.0]), np.array([1.0, -2.0, 0.25]), np.array([0.3, 9.0, 0.2])),
                 {"lr": 0.2, "rho": 0.0}, label="rho 0: r is the last squared gradient"),
            Case((np.array([0.5, -1.5]), np.array([3.0, -4.0]), np.array([0.3, 0.7])),
                 {"lr": 0.0, "rho": 0.8}, label="lr 0: theta stays, r still moves"),
            Case((np.array([0.25, -0.5, 1.0]), np.array([2e-5, -0.3, 4.0]), np.array([0.0, 0.5, 2.0])),
                 label="default lr, rho and eps"),
            Case((np.array(1.5), np.array(-0.5), np.array(0.2)), {"lr": 0.1, "rho": 0.7},
                 label="a 0-d theta"),
            Case((_normal(3, 2), _normal(3, 2), _squares(3, 2)), {"lr": 0.05}, label="a (3, 2) matrix"),
            Case((_normal(1, 5), _normal(1, 5), _squares(1, 5)), {"lr": 0.3, "rho": 0.99, "eps": 1e-3},
                 label="a (1, 5) row, rho 0.99, eps 1e-3"),
        ]),
        Compare("small gradients, where epsilon's place (outside the square root) matters", [
            Case((np.array([0.2, 0.4, -0.3]), np.array([2e-4, 0.0, -5e-5]), np.array([1e-8, 4e-8, 0.0])),
                 {"lr": 0.01}, label="small r, one zero gradient"),
            Case((np.array([1.0, -1.0, 0.5]), np.array([1e-4, -3e-4, 0.0]), np.zeros(3)), {"lr": 0.01},
                 label="first step with gradients near 1e-4"),
            Case((np.array([1.0, 2.0]), np.array([1e-6, -1e-6]), np.array([1e-12, 0.0])),
                 {"lr": 0.1, "rho": 0.5, "eps": 1e-8}, label="gradients near 1e-6, eps 1e-8"),
        ]),
        Compare("random inputs of several shapes", [
            Case((_normal(*shape), _normal(*shape), _squares(*shape)),
                 {"lr": float(_rng.uniform(0.001, 0.5)), "rho": float(_rng.uniform(0.5, 0.999))},
                 label=f"random, shape {shape}")
            for shape in [(6,), (4, 3), (2, 3, 4), (10, 1)]
        ]),
        Compare("very large and very small magnitudes (exact, no warnings)", [
            Case((np.array([1.0, -2.0]), np.array([2e150, -1e150]), np.array([5e299, 1e300])),
                 {"lr": 0.5}, label="gradients near 1e150"),
            Case((np.array([3e-144, -1e-144]), np.array([-2e-150, 4e-150]), np.array([1e-300, 0.0])),
                 {"lr": 0.1}, label="gradients near 1e-150: epsilon dominates"),
        ], atol=0.0, warn_free=True),
        _first_step_property("the first step from r = 0 moves every parameter with a nonzero gradient by "
                             "lr / sqrt(1 - rho), whatever the gradient's size (RMSProp has no bias "
                             "correction)", _RMS_FIRST, lambda kw: 1.0 / np.sqrt(1.0 - kw.get("rho", 0.9)),
                             "lr / sqrt(1 - rho)"),
        _constant_gradient_property(
            "under a constant gradient step k has the size lr / sqrt(1 - rho**k): the steps settle at lr "
            "(r forgets its start at zero)", _constant_walk(30, {"lr": 0.1, "rho": 0.8}, 1),
            lambda k, kw: 1.0 / np.sqrt(1.0 - kw["rho"] ** k),
            "lr / sqrt(1 - rho**k)"),
        _shapes_property("(theta, r)", [
            Case((np.array(0.5), np.array(-2.0), np.array(1.0)), {"lr": 0.1}, label="a 0-d theta"),
            Case((_normal(4), _normal(4), _squares(4)), {"lr": 0.1}),
            Case((_normal(3, 2), _normal(3, 2), _squares(3, 2)), {"lr": 0.1}),
            Case((_normal(2, 1, 3), _normal(2, 1, 3), _squares(2, 1, 3)), {"lr": 0.1}),
        ]),
        _Path("20 steps from r = 0 with fixed gradients of very different sizes, feeding back the r you "
              "return",
              _Walk(_normal(2, 3), _path_gradients((2, 3)), {"lr": 0.01, "rho": 0.9}, 1)),
    ),
    mistakes=(
        Mistake("r-running-sum", "RMSProp keeps a decaying AVERAGE of the squared gradients, "
                "r = rho * r + (1 - rho) * grad**2; r + grad**2 is AdaGrad's running sum, whose steps "
                "shrink for good.", _rms_running_sum),
        Mistake("no-one-minus-rho", "the new squared gradient is weighted by (1 - rho): "
                "r = rho * r + (1 - rho) * grad**2. Without it r is about 1 / (1 - rho) times too "
                "large and the steps too small.", _rms_no_one_minus_rho),
        Mistake("rho-swapped", "rho multiplies the OLD average and (1 - rho) the new squared gradient: "
                "r = rho * r + (1 - rho) * grad**2; you have them the other way round.", _rms_rho_swapped),
        Mistake("eps-inside-sqrt", "epsilon goes outside the square root: "
                "theta - lr * grad / (eps + sqrt(r)), not sqrt(r + eps). The two differ when the "
                "gradients are small (sqrt(r) near sqrt(eps)).", _rms_eps_inside),
        Mistake("grad-times-two", "r averages the SQUARED gradient, grad**2 (or grad * grad); "
                "grad * 2 doubles it instead.", _rms_times_two),
        Mistake("state-not-returned", "return both the new parameters and the new average, as a tuple "
                "`return theta_new, r_new`: the next step needs r.", _rms_not_returned),
        Mistake("stale-r", "update the average first and divide by the square root of the NEW one: "
                "r_new = rho * r + (1 - rho) * grad**2, then theta - lr * grad / (eps + sqrt(r_new)).",
                _rms_stale_r),
        Mistake("old-r-returned", "you return the r you were given; return the NEW average, "
                "rho * r + (1 - rho) * grad**2, so that the next step can use it.", _rms_old_r_returned),
        Mistake("r-not-carried", "the new average must carry the old one: "
                "r = rho * r + (1 - rho) * grad**2. Without `rho * r` only the last gradient counts.",
                _rms_not_carried),
        Mistake("no-eps", "add eps to the square root: theta - lr * grad / (eps + sqrt(r_new)). "
                "Without it a parameter whose gradients have all been 0 divides 0 by 0.", _rms_no_eps),
        Mistake("outputs-swapped", "return the parameters first and r second: "
                "`return theta_new, r_new`.", _rms_swapped),
    ),
)


# --- adam_step ------------------------------------------------------------------------------------

def _moments(grad, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad**2


def _adam_no_correction(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    return theta - lr * m_new / (np.sqrt(v_new) + eps), m_new, v_new


def _adam_t_plus_one(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = t + 1  # "advance the step counter", which the caller already did
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


def _adam_t_minus_one(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1 ** (t - 1)), v_new / (1 - beta2 ** (t - 1))
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


def _adam_eps_inside(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m_new, v_new


def _adam_eps_hat(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - lr_t * m_new / (np.sqrt(v_new) + eps), m_new, v_new


def _adam_betas_swapped(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new = (1 - beta1) * m + beta1 * grad
    v_new = (1 - beta2) * v + beta2 * grad**2
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


def _adam_corrections_swapped(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta2**t), v_new / (1 - beta1**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


def _adam_times_two(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad * 2
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


def _adam_not_returned(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


def _adam_hats_returned(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


def _adam_returns_t(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new, t + 1


def _adam_no_sqrt(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return theta - lr * m_hat / (v_hat + eps), m_new, v_new


def _adam_grad_numerator(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    v_hat = v_new / (1 - beta2**t)
    return theta - lr * grad / (np.sqrt(v_hat) + eps), m_new, v_new


def _adam_no_eps(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat), m_new, v_new


def _adam_no_t_check(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    # Correct for t >= 1; at t = 0 it divides by 1 - beta**0 = 0 instead of refusing.
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


def _adam_case(theta, grad, m, v, t, label="", **kwargs) -> Case:
    return Case((theta, grad, m, v, t), kwargs, label=label)


def _adam_random(shape: tuple) -> Case:
    grad = _normal(*shape)
    return _adam_case(_normal(*shape), grad, 0.3 * _normal(*shape), 0.5 * _squares(*shape),
                      int(_rng.integers(1, 60)), lr=float(_rng.uniform(0.001, 0.3)),
                      beta1=float(_rng.uniform(0.5, 0.95)), beta2=float(_rng.uniform(0.9, 0.9999)),
                      label=f"random, shape {shape}")


_G_WORKED = np.array([1e-3, -5.0, 200.0])

_ADAM_FIRST = [
    _adam_case(np.zeros(6), np.array([1e-4, -0.5, 30.0, -4e3, 0.0, 2e-2]), np.zeros(6), np.zeros(6), 1,
               lr=0.01, label="gradients from 1e-4 to 4e3, one zero"),
    _adam_case(np.zeros((2, 2)), np.array([[7e-3, -2.0], [0.0, 900.0]]), np.zeros((2, 2)),
               np.zeros((2, 2)), 1, lr=0.1, beta1=0.5, beta2=0.9),
]

ADAM_STEP = Spec(
    name="adam_step",
    reference=ref.adam_step,
    outputs=_OUTPUTS_ADAM,
    groups=(
        Compare("hand-checkable steps (the first two steps move each parameter by lr)", [
            _adam_case(np.zeros(3), _G_WORKED, np.zeros(3), np.zeros(3), 1, lr=0.01,
                       label="first step: theta becomes [-0.01, 0.01, -0.01]"),
            _adam_case(np.array([-0.01, 0.01, -0.01]), _G_WORKED, 0.1 * _G_WORKED, 0.001 * _G_WORKED**2, 2,
                       lr=0.01, label="second step, same gradient: again lr"),
            _adam_case(np.array([1.0, -2.0]), np.array([0.5, -1.0]), np.array([0.2, 0.1]),
                       np.array([0.04, 0.25]), 3, lr=0.1, beta1=0.5, beta2=0.75,
                       label="a third step, beta1 0.5, beta2 0.75"),
        ]),
        Compare("edge cases: zero gradients, lr 0, the defaults, a late step, betas 0, a 0-d theta, "
                "non-square shapes, zeros", [
            _adam_case(np.array([0.5, -1.5, 2.0]), np.array([0.0, 1.5, 0.0]), np.array([0.3, -0.2, 0.0]),
                       np.array([0.4, 1.0, 0.0]), 4, lr=0.1,
                       label="zero gradients: the averages still decay"),
            _adam_case(np.array([0.5, -1.5]), np.array([3.0, -4.0]), np.array([0.3, 0.7]),
                       np.array([0.3, 0.7]), 2, lr=0.0, label="lr 0: theta stays, m and v still move"),
            _adam_case(np.array([0.25, -0.5, 1.0]), np.array([2e-7, -0.3, 4.0]), np.array([0.0, 0.1, 0.5]),
                       np.array([0.0, 0.5, 2.0]), 5, label="default lr, betas and eps"),
            _adam_case(np.array([0.5, -1.5]), np.array([0.3, -4.0]), np.array([0.2, -2.0]),
                       np.array([0.1, 9.0]), 1_000_000, lr=0.01,
                       label="a late step, t = 1000000: the correction has vanished"),
            _adam_case(np.array([0.5, -1.5]), np.array([0.3, -4.0]), np.array([0.2, -2.0]),
                       np.array([0.1, 9.0]), 1, lr=0.01, beta1=0.0, beta2=0.0,
                       label="beta1 = beta2 = 0: a sign step"),
            _adam_case(np.array(1.5), np.array(-0.5), np.array(0.2), np.array(0.3), 3, lr=0.1,
                       label="a 0-d theta"),
            _adam_case(_normal(3, 2), _normal(3, 2), 0.3 * _normal(3, 2), _squares(3, 2), 7, lr=0.05,
                       label="a (3, 2) matrix"),
            _adam_case(_normal(1, 5), _normal(1, 5), 0.3 * _normal(1, 5), _squares(1, 5), 2, lr=0.3,
                       beta1=0.8, beta2=0.99, eps=1e-3, label="a (1, 5) row, eps 1e-3"),
            _adam_case(np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3), 1, lr=0.1, label="all zeros"),
        ]),
        Compare("small gradients, where epsilon's place (outside the square root) matters", [
            _adam_case(np.array([1.0, -1.0, 0.5]), np.array([1e-4, -3e-4, 0.0]), np.zeros(3), np.zeros(3),
                       1, lr=0.01, label="first step with gradients near 1e-4"),
            _adam_case(np.array([0.2, 0.4, -0.3]), np.array([2e-6, 0.0, -5e-7]),
                       np.array([1e-6, 3e-7, 0.0]), np.array([1e-12, 4e-12, 0.0]), 3, lr=0.01,
                       label="gradients near 1e-6 at t = 3"),
            _adam_case(np.array([1.0, 2.0]), np.array([1e-8, -1e-8]), np.array([5e-9, 0.0]),
                       np.array([1e-16, 0.0]), 2, lr=0.1, eps=1e-10,
                       label="gradients near 1e-8, eps 1e-10"),
        ]),
        Compare("random inputs of several shapes", [_adam_random(shape) for shape in
                                                    [(6,), (4, 3), (2, 3, 4), (10, 1)]]),
        Compare("very large and very small magnitudes (exact, no warnings)", [
            _adam_case(np.array([1.0, -2.0]), np.array([2e150, -1e150]), np.array([1e150, 3e149]),
                       np.array([5e299, 1e300]), 3, lr=0.5, label="gradients near 1e150"),
            _adam_case(np.array([3e-145, -1e-145]), np.array([-2e-150, 4e-150]), np.array([1e-151, 0.0]),
                       np.array([1e-300, 0.0]), 1, lr=0.001, label="gradients near 1e-150: epsilon dominates"),
        ], atol=0.0, warn_free=True),
        Raises("t < 1 raises ValueError (t is the number of this step, 1 on the first call)", [
            _adam_case(np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.zeros(2), np.zeros(2), 0, lr=0.1),
            _adam_case(np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.zeros(2), np.zeros(2), -3, lr=0.1),
        ], errors=("ValueError",), mistake="no-t-check"),
        _first_step_property("the first step (t = 1, m = v = 0) moves every parameter with a nonzero "
                             "gradient by about lr, whatever the gradient's size", _ADAM_FIRST,
                             lambda kw: 1.0, "lr"),
        _constant_gradient_property(
            "under a constant gradient every step has the size lr (what the bias correction is for)",
            _constant_walk(15, {"lr": 0.01}, 2), lambda k, kw: 1.0, "lr"),
        _shapes_property("(theta, m, v)", [
            _adam_case(np.array(0.5), np.array(-2.0), np.array(0.1), np.array(1.0), 2, lr=0.1,
                       label="a 0-d theta"),
            _adam_case(_normal(4), _normal(4), _normal(4), _squares(4), 2, lr=0.1),
            _adam_case(_normal(3, 2), _normal(3, 2), _normal(3, 2), _squares(3, 2), 2, lr=0.1),
            _adam_case(_normal(2, 1, 3), _normal(2, 1, 3), _normal(2, 1, 3), _squares(2, 1, 3), 2, lr=0.1),
        ]),
        _Path("20 steps from m = v = 0 with fixed gradients of very different sizes, t = 1, 2, ..., 20, "
              "feeding back the m and v you return",
              _Walk(_normal(2, 3), _path_gradients((2, 3)), {"lr": 0.01}, 2)),
    ),
    mistakes=(
        Mistake("no-bias-correction", "your update matches Adam without bias correction: divide m and v "
                "by 1 - beta1**t and 1 - beta2**t (m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t)) "
                "and step with m_hat / (sqrt(v_hat) + eps).", _adam_no_correction),
        Mistake("t-advanced-twice", "t is already the number of this step (1 on the first call), and the "
                "caller advances it: use beta1**t and beta2**t as given. Adding 1 to t inside the step "
                "(or counting from 0) applies the correction of the next step.", _adam_t_plus_one),
        Mistake("t-minus-one", "the bias correction uses this step's number itself, 1 - beta**t with "
                "t = 1 on the first call; with t - 1 the first step divides by 1 - beta**0 = 0.",
                _adam_t_minus_one),
        Mistake("eps-inside-sqrt", "epsilon goes outside the square root: "
                "m_hat / (sqrt(v_hat) + eps), not sqrt(v_hat + eps). The two differ when the gradients "
                "are small.", _adam_eps_inside),
        Mistake("eps-before-correction", "you use the paper's compact form, lr * sqrt(1 - beta2**t) / "
                "(1 - beta1**t) * m / (sqrt(v) + eps), which adds eps BEFORE the correction. This course "
                "adds it after: m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - beta1**t) and "
                "v_hat = v / (1 - beta2**t).", _adam_eps_hat),
        Mistake("betas-swapped", "beta multiplies the OLD average and (1 - beta) the new gradient: "
                "m = beta1 * m + (1 - beta1) * grad and v = beta2 * v + (1 - beta2) * grad**2; you have "
                "them the other way round.", _adam_betas_swapped),
        Mistake("corrections-swapped", "correct each average with its own beta: "
                "m_hat = m / (1 - beta1**t) and v_hat = v / (1 - beta2**t).", _adam_corrections_swapped),
        Mistake("grad-times-two", "v averages the SQUARED gradient, grad**2 (or grad * grad); "
                "grad * 2 doubles it instead.", _adam_times_two),
        Mistake("state-not-returned", "return the new parameters AND both new averages, as a tuple "
                "`return theta_new, m_new, v_new`: the next step needs m and v.", _adam_not_returned),
        Mistake("corrected-moments-returned", "return the averages m and v themselves, not the "
                "bias-corrected m_hat and v_hat: the next step updates m and v and corrects them again "
                "with its own t.", _adam_hats_returned),
        Mistake("t-returned", "return exactly (theta_new, m_new, v_new): t is counted by the caller, who "
                "passes 1, 2, 3 and so on.", _adam_returns_t),
        Mistake("no-sqrt", "divide by the square ROOT of v_hat: m_hat / (np.sqrt(v_hat) + eps).",
                _adam_no_sqrt),
        Mistake("grad-in-numerator", "Adam steps with the corrected moving average m_hat, not the raw "
                "gradient: theta - lr * m_hat / (sqrt(v_hat) + eps).", _adam_grad_numerator),
        Mistake("no-eps", "add eps to the square root: m_hat / (sqrt(v_hat) + eps). Without it a "
                "parameter whose gradients have all been 0 divides 0 by 0.", _adam_no_eps),
        Mistake("no-t-check", "raise ValueError when t < 1 (for example `if t < 1: raise "
                "ValueError(f\"t must be >= 1, got {t}\")`): steps are counted from 1, and at t = 0 the "
                "bias correction would divide by 1 - beta**0 = 0.", _adam_no_t_check, matchable=False),
    ),
)


# --- adamw_step -----------------------------------------------------------------------------------

def _adamw_parts(grad, m, v, t, beta1, beta2, eps):
    """Adam's new moments and its bias-corrected step direction (without the learning rate)."""
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    step = (m_new / (1 - beta1**t)) / (np.sqrt(v_new / (1 - beta2**t)) + eps)
    return m_new, v_new, step


def _adamw_l2_in_gradient(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    m_new, v_new, step = _adamw_parts(grad + weight_decay * theta, m, v, t, beta1, beta2, eps)
    return theta - lr * step, m_new, v_new


def _adamw_decay_without_lr(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                            weight_decay=0.01):
    m_new, v_new, step = _adamw_parts(grad, m, v, t, beta1, beta2, eps)
    return theta * (1 - weight_decay) - lr * step, m_new, v_new


def _adamw_decay_after_step(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                            weight_decay=0.01):
    m_new, v_new, step = _adamw_parts(grad, m, v, t, beta1, beta2, eps)
    return (theta - lr * step) * (1 - lr * weight_decay), m_new, v_new


def _adamw_decay_sign(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    m_new, v_new, step = _adamw_parts(grad, m, v, t, beta1, beta2, eps)
    return theta * (1 + lr * weight_decay) - lr * step, m_new, v_new


def _adamw_no_decay(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    m_new, v_new, step = _adamw_parts(grad, m, v, t, beta1, beta2, eps)
    return theta - lr * step, m_new, v_new


def _adamw_no_correction(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                         weight_decay=0.01):
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    return theta * (1 - lr * weight_decay) - lr * m_new / (np.sqrt(v_new) + eps), m_new, v_new


def _adamw_case(theta, grad, m, v, t, label="", **kwargs) -> Case:
    return Case((theta, grad, m, v, t), kwargs, label=label)


def _adamw_random(shape: tuple) -> Case:
    return _adamw_case(_normal(*shape), _normal(*shape), 0.3 * _normal(*shape), 0.5 * _squares(*shape),
                       int(_rng.integers(1, 60)), lr=float(_rng.uniform(0.001, 0.3)),
                       weight_decay=float(_rng.uniform(0.01, 0.5)), label=f"random, shape {shape}")


ADAMW_STEP = Spec(
    name="adamw_step",
    reference=ref.adamw_step,
    outputs=_OUTPUTS_ADAM,
    groups=(
        Compare("hand-checkable steps: the decay alone, and a first step", [
            _adamw_case(np.array([2.0, -4.0]), np.zeros(2), np.zeros(2), np.zeros(2), 1, lr=0.1, weight_decay=0.5,
                        label="a zero gradient from rest: theta * (1 - lr * weight_decay) = [1.9, -3.8]"),
            _adamw_case(np.array([1.0, -2.0]), np.array([0.5, 3.0]), np.zeros(2), np.zeros(2), 1, lr=0.1,
                        weight_decay=0.1, label="a first step: 0.99 * theta - 0.1 * sign(grad), about [0.89, -2.08]"),
        ]),
        Compare("weight_decay = 0 is Adam, and the default weight_decay is 0.01", [
            _adamw_case(_normal(4), _normal(4), 0.3 * _normal(4), _squares(4), 3, lr=0.05, weight_decay=0.0,
                        label="weight_decay 0"),
            _adamw_case(_normal(3), _normal(3), 0.3 * _normal(3), _squares(3), 2, lr=0.1,
                        label="no weight_decay given: 0.01"),
        ]),
        Compare("a large lr and decay, where decaying the new theta instead of the old one shows", [
            _adamw_case(np.array([3.0, -1.0, 0.5]), np.array([1.0, -2.0, 0.0]), np.array([0.2, -0.5, 0.0]),
                        np.array([0.5, 1.0, 0.0]), 2, lr=0.5, weight_decay=1.0, label="lr 0.5, weight_decay 1"),
        ]),
        Compare("random inputs of several shapes, and a 0-d theta", [_adamw_random(shape) for shape in
                                                                   [(6,), (4, 3), (2, 3, 4)]] + [
            _adamw_case(np.array(1.5), np.array(-0.5), np.array(0.2), np.array(0.3), 3, lr=0.1, weight_decay=0.2,
                        label="a 0-d theta"),
        ]),
        Raises("t < 1 or a negative weight_decay raises ValueError", [
            _adamw_case(np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.zeros(2), np.zeros(2), 0, lr=0.1),
            _adamw_case(np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.zeros(2), np.zeros(2), 1, lr=0.1,
                        weight_decay=-0.1),
        ], errors=("ValueError",)),
        _shapes_property("(theta, m, v)", [
            _adamw_case(np.array(0.5), np.array(-2.0), np.array(0.1), np.array(1.0), 2, lr=0.1),
            _adamw_case(_normal(3, 2), _normal(3, 2), _normal(3, 2), _squares(3, 2), 2, lr=0.1),
        ]),
        _Path("20 steps from m = v = 0, t = 1, 2, ..., 20, with weight_decay 0.1, feeding back the m and v you "
              "return", _Walk(_normal(2, 3), _path_gradients((2, 3)), {"lr": 0.01, "weight_decay": 0.1}, 2)),
    ),
    # The reference takes Adam's step with its module's adam_step: a student's adamw_step built on their own
    # adam_step is judged given that function's catalogued mistake (grader/cascade.py).
    callees=("adam_step",),
    mistakes=(
        Mistake("l2-in-gradient", "that is L2 inside Adam (what torch.optim.Adam(weight_decay=...) does): the "
                "decay term goes through m and v and is divided by sqrt(v_hat). AdamW decouples it: "
                "theta_new = theta * (1 - lr * weight_decay) - lr * m_hat / (sqrt(v_hat) + eps), with m and v "
                "from the gradient alone.", _adamw_l2_in_gradient),
        Mistake("decay-without-lr", "the decay is scaled by the learning rate, as in torch.optim.AdamW: "
                "multiply theta by 1 - lr * weight_decay, not 1 - weight_decay.", _adamw_decay_without_lr),
        Mistake("decay-after-step", "decay the OLD theta: theta * (1 - lr * weight_decay) - lr * step. Decaying "
                "the new theta also shrinks this step.", _adamw_decay_after_step),
        Mistake("decay-sign", "weight decay shrinks the weights: multiply by 1 - lr * weight_decay, not "
                "1 + lr * weight_decay.", _adamw_decay_sign),
        Mistake("no-decay", "your step is Adam's alone: the weight_decay term is missing. Multiply theta by "
                "1 - lr * weight_decay before taking the Adam step.", _adamw_no_decay),
        Mistake("no-bias-correction", "the Adam part of AdamW needs the bias correction: m_hat = m / (1 - "
                "beta1**t), v_hat = v / (1 - beta2**t).", _adamw_no_correction),
    ),
)

# The learning-rate schedules of the same lesson have their own module.
from .schedules import SPECS as _SCHEDULES  # noqa: E402

SPECS = (ADAGRAD_STEP, RMSPROP_STEP, ADAM_STEP, ADAMW_STEP) + _SCHEDULES
