"""Checks and mistakes for lesson 05, momentum and Nesterov momentum (reference: ``solutions.momentum``).

Every function is graded on fixed cases compared with the reference (the
lesson's worked example, edge cases, random cases, extreme magnitudes) and on
a 20-step path along a narrow quadratic valley in which the student's own
returned state is fed back, as a training loop would.  ``nesterov_step`` is
also watched through a recording ``grad_fn``: it must call it exactly once, at
the look-ahead point ``theta + momentum * velocity``.

A 0-d ``theta`` is allowed ("any shape"); NumPy turns arithmetic on 0-d arrays
into scalars, so a NumPy scalar returned for a 0-d array is accepted as that
0-d array (see :func:`_as_arrays`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..calls import Outcome
from ..compare import describe, mismatch
from ..spec import Case, Compare, Mistake, Property, Runner, Spec, Verdict, failed_call
from ..spec import reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("momentum")

_rng = np.random.default_rng(505)

_OUTPUTS_V = ("theta", "velocity")
_OUTPUTS_M = ("theta", "m")


# --- helpers shared by the three specs ------------------------------------------------------------

def _as_arrays(value: Any) -> Any:
    """A NumPy scalar (what arithmetic on 0-d arrays gives) as a 0-d array; tuples and lists itemwise."""
    if isinstance(value, np.generic) and not isinstance(value, (np.bool_, np.str_, np.bytes_)):
        return np.asarray(value)
    if isinstance(value, tuple):
        return tuple(_as_arrays(v) for v in value)
    if isinstance(value, list):
        return [_as_arrays(v) for v in value]
    return value


def _normalized(outcome: Outcome) -> Outcome:
    return dataclasses.replace(outcome, value=_as_arrays(outcome.value))


def _pair(value: Any, shape: tuple) -> tuple[np.ndarray, np.ndarray] | None:
    """``value`` as ``(theta, state)`` of ``shape`` if it can be fed to the next step, else ``None``."""
    value = _as_arrays(value)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None
    if not all(isinstance(v, np.ndarray) and v.shape == shape and v.dtype.kind in "fiu" for v in value):
        return None
    return value[0].astype(np.float64), value[1].astype(np.float64)


# The lesson's narrow valley J(x) = (x_0**2 + KAPPA * x_1**2) / 2: condition number KAPPA.
KAPPA = 25.0
_VALLEY_SCALES = np.array([1.0, KAPPA])


def grad_narrow_valley(x):
    """Gradient of (x_0**2 + 25 x_1**2) / 2."""
    return _VALLEY_SCALES * np.asarray(x, dtype=np.float64)


class _Path:
    """``steps`` steps along the narrow valley, feeding the function's own returned state back.

    ``mode`` is ``"grad"`` (pass the gradient at ``theta``) or ``"grad_fn"``
    (pass :func:`grad_narrow_valley` itself, for Nesterov).  The path is
    compared step by step with the reference's path from the same start; the
    first step that differs is reported and diagnosed on the inputs the
    student's function actually received.
    """

    def __init__(self, title: str, theta0: np.ndarray, state0: np.ndarray, kwargs: dict, *,
                 mode: str, steps: int = 20):
        self.title = title
        self.theta0 = np.asarray(theta0, dtype=np.float64)
        self.state0 = np.asarray(state0, dtype=np.float64)
        self.kwargs = dict(kwargs)
        self.mode = mode
        self.steps = steps

    def _args(self, theta, state) -> tuple:
        second = grad_narrow_valley(theta) if self.mode == "grad" else grad_narrow_valley
        return (theta, second, state)

    def probe(self, run: Runner, spec: Spec) -> list[Outcome]:
        theta, state = self.theta0, self.state0
        outcomes = []
        for _ in range(self.steps):
            outcome = run(self._args(theta, state), self.kwargs)
            outcomes.append(outcome)
            pair = _pair(outcome.value, self.theta0.shape) if outcome.ok else None
            if pair is None:
                break
            theta, state = pair
        return outcomes

    def judge(self, data: list[Outcome], spec: Spec) -> Verdict:
        mine = (self.theta0, self.state0)
        expected_in = (self.theta0, self.state0)
        for k, outcome in enumerate(data):
            outcome = _normalized(outcome)
            case = Case(self._args(*mine), self.kwargs)
            what = f"at step {k + 1} of {self.steps}, {spec.call_text(case)}"
            problem = failed_call(outcome, what)
            if problem:
                return Verdict(self.title, False, problem)
            expected = spec.run_trusted(spec.reference, Case(self._args(*expected_in), self.kwargs))
            problem = mismatch(outcome.value, expected, rtol=spec.rtol, atol=spec.atol,
                               outputs=spec.outputs)
            if problem:
                mistake = spec.diagnose(case, outcome.value, rtol=spec.rtol, atol=spec.atol)
                return Verdict(self.title, False, f"{what}: {problem}", mistake)
            mine = _pair(outcome.value, self.theta0.shape)
            expected_in = expected
        if len(data) < self.steps:  # cannot happen: the probe stops only after a failure
            return Verdict(self.title, False, f"the path stopped after {len(data)} steps")
        return Verdict(self.title, True)


def _normal(*shape: int) -> np.ndarray:
    return _rng.normal(size=shape)


def _random_cases(shapes: list[tuple], decay_name: str, state_scale: float = 0.3) -> list[Case]:
    """Random theta, gradient and state of each shape, with random ``lr`` and decay ``decay_name``."""
    cases = []
    for shape in shapes:
        theta = _normal(*shape)
        grad = _normal(*shape)
        state = state_scale * _normal(*shape)
        lr = float(_rng.uniform(0.005, 0.5))
        decay = float(_rng.uniform(0.55, 0.98))
        cases.append(Case((theta, grad, state), {"lr": lr, decay_name: decay},
                          label=f"random, shape {shape}"))
    return cases


# --- momentum_step --------------------------------------------------------------------------------

def _m_theta_minus_v(theta, grad, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * np.asarray(grad)
    return theta - v, v


def _m_not_returned(theta, grad, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * np.asarray(grad)
    return theta + v


def _m_not_carried(theta, grad, velocity, *, lr, momentum=0.9):
    v = -lr * np.asarray(grad, dtype=float)
    return theta + v, v


def _m_old_velocity(theta, grad, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * np.asarray(grad)
    return theta + v, np.array(velocity, dtype=float)


def _m_stale_velocity(theta, grad, velocity, *, lr, momentum=0.9):
    theta_new = theta + velocity
    return theta_new, momentum * np.asarray(velocity) - lr * np.asarray(grad)


def _m_velocity_sign(theta, grad, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) + lr * np.asarray(grad)
    return theta - v, v


def _m_torch_buffer(theta, grad, velocity, *, lr, momentum=0.9):
    b = momentum * np.asarray(velocity) + np.asarray(grad)
    return theta - lr * b, b


def _m_dampened(theta, grad, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - (1 - momentum) * lr * np.asarray(grad)
    return theta + v, v


def _m_swapped_outputs(theta, grad, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * np.asarray(grad)
    return v, theta + v


MOMENTUM_STEP = Spec(
    name="momentum_step",
    reference=ref.momentum_step,
    outputs=_OUTPUTS_V,
    groups=(
        Compare("the lesson's worked example (lr=0.1, default momentum 0.9)", [
            Case((np.array([1.0, -2.0]), np.array([2.0, 0.5]), np.zeros(2)), {"lr": 0.1},
                 label="first step from rest"),
            Case((np.array([0.8, -2.05]), np.array([2.0, 0.5]), np.array([-0.2, -0.05])), {"lr": 0.1},
                 label="second step"),
            Case((np.array([-0.1]), np.array([1.0]), np.array([-0.1])), {"lr": 0.1},
                 label="constant gradient: the step grows from 0.1 to 0.19"),
        ]),
        Compare("edge cases: zeros, momentum 0, lr 0, one parameter, a 0-d theta, non-square shapes", [
            Case((np.zeros(3), np.zeros(3), np.zeros(3)), {"lr": 0.1}, label="all zeros"),
            Case((np.array([0.5, -1.5, 2.0]), np.array([1.0, -2.0, 0.25]), np.array([0.3, 0.1, -0.2])),
                 {"lr": 0.2, "momentum": 0.0}, label="momentum 0: plain gradient descent"),
            Case((np.array([0.5, -1.5]), np.array([3.0, -4.0]), np.array([0.3, -0.7])),
                 {"lr": 0.0, "momentum": 0.8}, label="lr 0: coasting on the velocity"),
            Case((np.array([2.0]), np.array([-1.5]), np.array([0.25])), {"lr": 0.3, "momentum": 0.5},
                 label="one parameter"),
            Case((np.array(1.5), np.array(-0.5), np.array(0.2)), {"lr": 0.1, "momentum": 0.7},
                 label="a 0-d theta"),
            Case((_normal(3, 2), _normal(3, 2), 0.2 * _normal(3, 2)), {"lr": 0.05},
                 label="a (3, 2) weight matrix"),
            Case((_normal(1, 5), _normal(1, 5), 0.2 * _normal(1, 5)), {"lr": 0.15, "momentum": 0.95},
                 label="a (1, 5) row"),
        ]),
        Compare("random inputs of several shapes", _random_cases(
            [(6,), (4, 3), (2, 3, 4), (10, 1)], "momentum")),
        Compare("very large and very small magnitudes (exact, no warnings)", [
            Case((np.array([1e150, -3e150]), np.array([2e150, 1e150]), np.array([5e149, -1e150])),
                 {"lr": 0.5, "momentum": 0.9}, label="magnitudes near 1e150"),
            Case((np.array([3e-150, -1e-150]), np.array([-2e-150, 4e-150]), np.array([1e-151, 2e-150])),
                 {"lr": 0.01, "momentum": 0.9}, label="magnitudes near 1e-150"),
        ], warn_free=True),
        _Path("20 steps along a narrow valley (condition number 25), feeding back the velocity you return",
              np.array([-3.0, 1.5]), np.zeros(2), {"lr": 0.03, "momentum": 0.9}, mode="grad"),
    ),
    mistakes=(
        Mistake("theta-minus-v", "in the classical form the velocity already points downhill "
                "(v = momentum * v - lr * grad), so it is ADDED: theta = theta + v, not theta - v.",
                _m_theta_minus_v),
        Mistake("velocity-not-returned", "return both the new parameters and the new velocity, "
                "as a tuple `return theta_new, velocity_new`: the next step needs the velocity.",
                _m_not_returned),
        Mistake("velocity-not-carried", "the new velocity must carry the old one: "
                "v = momentum * velocity - lr * grad. Without `momentum * velocity` this is plain "
                "gradient descent.", _m_not_carried),
        Mistake("old-velocity-returned", "you return the velocity you were given; return the NEW "
                "velocity, momentum * velocity - lr * grad, so that the next step can use it.",
                _m_old_velocity),
        Mistake("stale-velocity", "update the velocity first and move theta by the NEW velocity: "
                "v_new = momentum * velocity - lr * grad, then theta + v_new (you move theta by the "
                "old velocity).", _m_stale_velocity),
        Mistake("velocity-sign", "your velocity has the opposite sign (you keep -v and subtract it). "
                "In this lesson the velocity is the step itself: v = momentum * velocity - lr * grad, "
                "then theta = theta + v.", _m_velocity_sign),
        Mistake("torch-buffer", "you use PyTorch's form (b = momentum * b + grad, theta - lr * b). "
                "Here the velocity holds the step itself: v = momentum * velocity - lr * grad and "
                "theta = theta + v; lr goes inside the velocity.", _m_torch_buffer),
        Mistake("one-minus-momentum", "the factor (1 - momentum) belongs to the moving-average form "
                "(ema_momentum_step); classical momentum is v = momentum * velocity - lr * grad.",
                _m_dampened),
        Mistake("outputs-swapped", "return the parameters first and the velocity second: "
                "`return theta_new, velocity_new`.", _m_swapped_outputs),
    ),
)


# --- ema_momentum_step ----------------------------------------------------------------------------

def _e_no_one_minus_beta(theta, grad, m, *, lr, beta=0.9):
    m_new = beta * np.asarray(m) + np.asarray(grad)
    return theta - lr * m_new, m_new


def _e_beta_swapped(theta, grad, m, *, lr, beta=0.9):
    m_new = (1 - beta) * np.asarray(m) + beta * np.asarray(grad)
    return theta - lr * m_new, m_new


def _e_sign(theta, grad, m, *, lr, beta=0.9):
    m_new = beta * np.asarray(m) + (1 - beta) * np.asarray(grad)
    return theta + lr * m_new, m_new


def _e_not_returned(theta, grad, m, *, lr, beta=0.9):
    m_new = beta * np.asarray(m) + (1 - beta) * np.asarray(grad)
    return theta - lr * m_new


def _e_not_carried(theta, grad, m, *, lr, beta=0.9):
    m_new = (1 - beta) * np.asarray(grad, dtype=float)
    return theta - lr * m_new, m_new


def _e_old_m(theta, grad, m, *, lr, beta=0.9):
    m_new = beta * np.asarray(m) + (1 - beta) * np.asarray(grad)
    return theta - lr * m_new, np.array(m, dtype=float)


def _e_stale_m(theta, grad, m, *, lr, beta=0.9):
    theta_new = theta - lr * np.asarray(m)
    return theta_new, beta * np.asarray(m) + (1 - beta) * np.asarray(grad)


def _e_classical(theta, grad, m, *, lr, beta=0.9):
    v = beta * np.asarray(m) - lr * np.asarray(grad)
    return theta + v, v


def _e_lr_in_average(theta, grad, m, *, lr, beta=0.9):
    m_new = beta * np.asarray(m) + (1 - beta) * lr * np.asarray(grad)
    return theta - m_new, m_new


def _e_swapped_outputs(theta, grad, m, *, lr, beta=0.9):
    m_new = beta * np.asarray(m) + (1 - beta) * np.asarray(grad)
    return m_new, theta - lr * m_new


EMA_MOMENTUM_STEP = Spec(
    name="ema_momentum_step",
    reference=ref.ema_momentum_step,
    outputs=_OUTPUTS_M,
    groups=(
        Compare("the lesson's worked example (lr=1.0, default beta 0.9)", [
            Case((np.array([1.0, -2.0]), np.array([2.0, 0.5]), np.zeros(2)), {"lr": 1.0},
                 label="first step from rest: the same as classical momentum with lr=0.1"),
            Case((np.array([0.8, -2.05]), np.array([2.0, 0.5]), np.array([0.2, 0.05])), {"lr": 1.0},
                 label="second step"),
            Case((np.array([0.8, -2.05]), np.array([2.0, 0.5]), np.array([0.2, 0.05])),
                 {"lr": 0.25, "beta": 0.8}, label="second step, other rates"),
        ]),
        Compare("edge cases: zeros, beta 0, lr 0, one parameter, a 0-d theta, non-square shapes", [
            Case((np.zeros(3), np.zeros(3), np.zeros(3)), {"lr": 0.1}, label="all zeros"),
            Case((np.array([0.5, -1.5, 2.0]), np.array([1.0, -2.0, 0.25]), np.array([0.3, 0.1, -0.2])),
                 {"lr": 0.2, "beta": 0.0}, label="beta 0: plain gradient descent"),
            Case((np.array([0.5, -1.5]), np.array([3.0, -4.0]), np.array([0.3, -0.7])),
                 {"lr": 0.0, "beta": 0.8}, label="lr 0: theta stays, m still moves"),
            Case((np.array([2.0]), np.array([-1.5]), np.array([0.25])), {"lr": 0.3, "beta": 0.6},
                 label="one parameter"),
            Case((np.array(1.5), np.array(-0.5), np.array(0.2)), {"lr": 0.1, "beta": 0.7},
                 label="a 0-d theta"),
            Case((_normal(3, 2), _normal(3, 2), 0.5 * _normal(3, 2)), {"lr": 0.4},
                 label="a (3, 2) weight matrix"),
            Case((_normal(1, 5), _normal(1, 5), 0.5 * _normal(1, 5)), {"lr": 1.5, "beta": 0.95},
                 label="a (1, 5) row"),
        ]),
        Compare("random inputs of several shapes", _random_cases(
            [(6,), (4, 3), (2, 3, 4), (10, 1)], "beta", state_scale=1.0)),
        Compare("very large and very small magnitudes (exact, no warnings)", [
            Case((np.array([1e150, -3e150]), np.array([2e150, 1e150]), np.array([5e149, -1e150])),
                 {"lr": 0.5, "beta": 0.9}, label="magnitudes near 1e150"),
            Case((np.array([3e-150, -1e-150]), np.array([-2e-150, 4e-150]), np.array([1e-151, 2e-150])),
                 {"lr": 0.01, "beta": 0.9}, label="magnitudes near 1e-150"),
        ], warn_free=True),
        _Path("20 steps along a narrow valley (condition number 25) with lr = 0.03 / (1 - beta), "
              "feeding back the m you return: the path of classical momentum with lr = 0.03",
              np.array([-3.0, 1.5]), np.zeros(2), {"lr": 0.3, "beta": 0.9}, mode="grad"),
    ),
    mistakes=(
        Mistake("no-one-minus-beta", "the moving average weights the new gradient by (1 - beta): "
                "m = beta * m + (1 - beta) * grad. Without it m grows to 1 / (1 - beta) times the "
                "gradient (that is the classical velocity's scale, not an average).",
                _e_no_one_minus_beta),
        Mistake("beta-swapped", "beta multiplies the OLD average and (1 - beta) the new gradient: "
                "m = beta * m + (1 - beta) * grad; you have them the other way round.", _e_beta_swapped),
        Mistake("sign", "m averages the gradients, which point uphill, so subtract it: "
                "theta = theta - lr * m.", _e_sign),
        Mistake("m-not-returned", "return both the new parameters and the new average, as a tuple "
                "`return theta_new, m_new`: the next step needs m.", _e_not_returned),
        Mistake("m-not-carried", "the new average must carry the old one: m = beta * m + (1 - beta) * "
                "grad. Without `beta * m` the step is a shrunken plain gradient step.", _e_not_carried),
        Mistake("old-m-returned", "you return the m you were given; return the NEW average, "
                "beta * m + (1 - beta) * grad, so that the next step can use it.", _e_old_m),
        Mistake("stale-m", "update the average first and step with the NEW one: "
                "m_new = beta * m + (1 - beta) * grad, then theta - lr * m_new (you step with the "
                "old m).", _e_stale_m),
        Mistake("classical-form", "this is the classical velocity update (v = beta * v - lr * grad, "
                "theta + v), which belongs to momentum_step. The moving-average form is "
                "m = beta * m + (1 - beta) * grad, then theta = theta - lr * m.", _e_classical),
        Mistake("lr-in-average", "keep lr out of the average: m = beta * m + (1 - beta) * grad holds "
                "gradients only, and the step is theta - lr * m.", _e_lr_in_average),
        Mistake("outputs-swapped", "return the parameters first and the average second: "
                "`return theta_new, m_new`.", _e_swapped_outputs),
    ),
)


# --- nesterov_step --------------------------------------------------------------------------------

def grad_x_squared(x):
    """Gradient of sum(x**2)."""
    return 2.0 * np.asarray(x, dtype=np.float64)


def grad_double_well(x):
    """Gradient of sum(x**4 / 4 - x**2 + x / 2): nonlinear, so where it is taken matters."""
    x = np.asarray(x, dtype=np.float64)
    return x**3 - 2.0 * x + 0.5


def grad_wavy(x):
    """Gradient of sum(sin(x) + 0.1 * x**2)."""
    x = np.asarray(x, dtype=np.float64)
    return np.cos(x) + 0.2 * x


def _look_ahead(theta, velocity, momentum):
    return np.asarray(theta, dtype=float) + momentum * np.asarray(velocity, dtype=float)


def _n_at_theta(theta, grad_fn, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * grad_fn(np.asarray(theta, dtype=float))
    return theta + v, v


def _n_step_from_look_ahead(theta, grad_fn, velocity, *, lr, momentum=0.9):
    ahead = _look_ahead(theta, velocity, momentum)
    v = momentum * np.asarray(velocity) - lr * grad_fn(ahead)
    return ahead + v, v


def _n_too_far(theta, grad_fn, velocity, *, lr, momentum=0.9):
    ahead = _look_ahead(theta, velocity, momentum)
    v = momentum * np.asarray(velocity) - lr * grad_fn(ahead + momentum * np.asarray(velocity))
    return theta + v, v


def _n_full_velocity(theta, grad_fn, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * grad_fn(np.asarray(theta) + velocity)
    return theta + v, v


def _n_backwards(theta, grad_fn, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * grad_fn(np.asarray(theta) - momentum * np.asarray(velocity))
    return theta + v, v


def _n_theta_minus_v(theta, grad_fn, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * grad_fn(_look_ahead(theta, velocity, momentum))
    return theta - v, v


def _n_not_returned(theta, grad_fn, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * grad_fn(_look_ahead(theta, velocity, momentum))
    return theta + v


def _n_not_carried(theta, grad_fn, velocity, *, lr, momentum=0.9):
    v = -lr * grad_fn(_look_ahead(theta, velocity, momentum))
    return theta + v, v


def _n_old_velocity(theta, grad_fn, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * grad_fn(_look_ahead(theta, velocity, momentum))
    return theta + v, np.array(velocity, dtype=float)


def _n_stale_velocity(theta, grad_fn, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * grad_fn(_look_ahead(theta, velocity, momentum))
    return theta + velocity, v


def _n_reformulated(theta, grad_fn, velocity, *, lr, momentum=0.9):
    g = grad_fn(np.asarray(theta, dtype=float))
    v = momentum * np.asarray(velocity) - lr * g
    return theta + momentum * v - lr * g, v


def _n_twice(theta, grad_fn, velocity, *, lr, momentum=0.9):
    grad_fn(np.asarray(theta, dtype=float))  # "just to look": a second, wasted gradient evaluation
    v = momentum * np.asarray(velocity) - lr * grad_fn(_look_ahead(theta, velocity, momentum))
    return theta + v, v


def _n_not_called(theta, grad_fn, velocity, *, lr, momentum=0.9):
    v = momentum * np.asarray(velocity) - lr * grad_fn  # raises TypeError: a function is no array
    return theta + v, v


_NESTEROV_MISTAKES = (
    Mistake("grad-at-theta", "Nesterov takes the gradient at the look-ahead point: call "
            "grad_fn(theta + momentum * velocity), not grad_fn(theta) (that is classical momentum).",
            _n_at_theta),
    Mistake("look-ahead-twice", "the look-ahead point is only where the gradient is measured; the "
            "step starts from theta: theta_new = theta + v_new. Stepping from "
            "theta + momentum * velocity adds the momentum part twice (v_new already contains it).",
            _n_step_from_look_ahead),
    Mistake("look-ahead-too-far", "you move to the look-ahead point twice: evaluate grad_fn at "
            "theta + momentum * velocity, one momentum step ahead, not two.", _n_too_far),
    Mistake("look-ahead-without-momentum", "the look-ahead point is theta + momentum * velocity "
            "(where the momentum part of the step lands); you used theta + velocity.",
            _n_full_velocity),
    Mistake("look-ahead-backwards", "the velocity is the step itself, so the look-ahead point is "
            "theta + momentum * velocity, not theta - momentum * velocity.", _n_backwards),
    Mistake("theta-minus-v", "the velocity already points downhill (v = momentum * v - lr * grad), "
            "so it is ADDED: theta = theta + v, not theta - v.", _n_theta_minus_v),
    Mistake("velocity-not-returned", "return both the new parameters and the new velocity, as a "
            "tuple `return theta_new, velocity_new`: the next step needs the velocity.",
            _n_not_returned),
    Mistake("velocity-not-carried", "the new velocity must carry the old one: "
            "v = momentum * velocity - lr * grad_fn(theta + momentum * velocity).", _n_not_carried),
    Mistake("old-velocity-returned", "you return the velocity you were given; return the NEW "
            "velocity so that the next step can use it.", _n_old_velocity),
    Mistake("stale-velocity", "update the velocity first and move theta by the NEW velocity: "
            "theta + v_new (you move theta by the old velocity).", _n_stale_velocity),
    Mistake("reformulated-form", "you mix in the reformulated update that libraries use "
            "(gradient at theta, then theta + momentum * v_new - lr * grad). This function keeps "
            "theta itself: g = grad_fn(theta + momentum * velocity), v_new = momentum * velocity - "
            "lr * g, theta_new = theta + v_new.", _n_reformulated),
    Mistake("grad-fn-twice", "call grad_fn exactly once per step, at theta + momentum * velocity, "
            "and keep its result in a variable: a gradient is the expensive part of a step (a "
            "whole backward pass in a network).", _n_twice, matchable=False),
    Mistake("grad-fn-not-called", "grad_fn is a function, not a gradient: call it at the look-ahead "
            "point, g = grad_fn(theta + momentum * velocity), and use g in the update.",
            _n_not_called, matchable=False),
)

# Where grad_fn was called, if not at the look-ahead point: the mistake each wrong point points to.
_WRONG_POINTS = (
    ("grad-at-theta", lambda t, v, mu: t),
    ("look-ahead-without-momentum", lambda t, v, mu: t + v),
    ("look-ahead-too-far", lambda t, v, mu: t + 2 * mu * v),
    ("look-ahead-backwards", lambda t, v, mu: t - mu * v),
)

# Cases for the recording grad_fn: the look-ahead point differs from every wrong point above.
_CALL_CASES = (
    Case((np.array([1.0, -0.5, 2.0]), None, np.array([0.4, 0.3, -0.6])), {"lr": 0.1},
         label="default momentum"),
    Case((_normal(2, 3), None, 0.5 * _normal(2, 3)), {"lr": 0.05, "momentum": 0.6}),
    Case((np.array(0.7), None, np.array(-0.9)), {"lr": 0.2, "momentum": 0.8}, label="a 0-d theta"),
)


def _recorder(points: list):
    """A grad_fn that records (a copy of) every point it is called at."""

    def grad_fn(x):
        try:
            points.append(np.array(x, dtype=np.float64, copy=True))
        except Exception:  # noqa: BLE001 - the student may pass anything
            points.append(describe(x))
        return grad_double_well(x)

    return grad_fn


def _probe_calls(run: Runner, spec: Spec) -> list[dict]:
    results = []
    for case in _CALL_CASES:
        points: list = []
        theta, _, velocity = case.args
        outcome = run((theta, _recorder(points), velocity), case.kwargs)
        results.append({"outcome": outcome, "points": list(points)})
    return results


def _call_text(spec: Spec, case: Case) -> str:
    return spec.call_text(case).replace("grad_fn=None", "grad_fn=<a recording grad_fn>")


def _judge_once(data: list[dict], spec: Spec):
    for case, item in zip(_CALL_CASES, data):
        what = _call_text(spec, case)
        n = len(item["points"])
        if n == 1:
            continue
        if n == 0:
            outcome = item["outcome"]
            problem = failed_call(outcome, what)
            if problem:
                # "unsupported operand type(s) for *: 'float' and 'function'": used as an array.
                used_as_value = "'function'" in (outcome.error or "")
                return problem, ("grad-fn-not-called" if used_as_value else None)
            return f"{what} never called grad_fn: the step needs the gradient it returns", "grad-fn-not-called"
        return (f"{what} called grad_fn {n} times; it must be called exactly once per step", "grad-fn-twice")
    return None


def _close(point: Any, target: np.ndarray) -> bool:
    return isinstance(point, np.ndarray) and mismatch(point, target, rtol=1e-9, atol=1e-12) is None


def _judge_where(data: list[dict], spec: Spec):
    for case, item in zip(_CALL_CASES, data):
        what = _call_text(spec, case)
        theta, _, velocity = case.args
        mu = case.kwargs.get("momentum", 0.9)
        target = theta + mu * velocity
        points = item["points"]
        if not points:
            problem = failed_call(item["outcome"], what)
            return (problem or f"{what} never called grad_fn"), None
        if any(_close(p, target) for p in points):
            continue
        first = points[0]
        detail = (f"{what} called grad_fn at {describe(first)}; the look-ahead point is "
                  f"theta + momentum * velocity = {describe(target)}")
        for key, point in _WRONG_POINTS:
            if _close(first, point(theta, velocity, mu)):
                return detail, key
        return detail, None
    return None


def _n_case(theta, grad_fn, velocity, label="", **kwargs) -> Case:
    return Case((theta, grad_fn, velocity), kwargs, label=label)


NESTEROV_STEP = Spec(
    name="nesterov_step",
    reference=ref.nesterov_step,
    outputs=_OUTPUTS_V,
    groups=(
        Compare("the lesson's worked example (J = theta**2, lr=0.1, momentum 0.9)", [
            _n_case(np.array([1.0]), grad_x_squared, np.array([0.5]), lr=0.1, momentum=0.9,
                    label="look-ahead at 1.45: v = 0.16, theta = 1.16"),
            _n_case(np.array([1.0, -2.0]), grad_x_squared, np.zeros(2), lr=0.1,
                    label="first step from rest (default momentum)"),
        ]),
        Compare("edge cases: zeros, momentum 0, lr 0, a 0-d theta, non-square shapes", [
            _n_case(np.zeros(3), grad_x_squared, np.zeros(3), lr=0.1, label="all zeros"),
            _n_case(np.array([0.5, -1.5, 2.0]), grad_double_well, np.array([0.3, 0.1, -0.2]),
                    lr=0.2, momentum=0.0, label="momentum 0: plain gradient descent"),
            _n_case(np.array([0.5, -1.5]), grad_double_well, np.array([0.3, -0.7]), lr=0.0,
                    momentum=0.8, label="lr 0: coasting on the velocity"),
            _n_case(np.array(1.5), grad_double_well, np.array(-0.4), lr=0.1, momentum=0.7,
                    label="a 0-d theta"),
            _n_case(_normal(3, 2), grad_wavy, 0.5 * _normal(3, 2), lr=0.3,
                    label="a (3, 2) weight matrix"),
            _n_case(_normal(1, 5), grad_double_well, 0.5 * _normal(1, 5), lr=0.15, momentum=0.95,
                    label="a (1, 5) row"),
        ]),
        Compare("random inputs of several shapes and gradient functions", [
            _n_case(_normal(6), grad_double_well, 0.5 * _normal(6), lr=0.1, momentum=0.85),
            _n_case(_normal(4, 3), grad_wavy, 0.5 * _normal(4, 3), lr=0.25, momentum=0.7),
            _n_case(_normal(2, 3, 4), grad_double_well, 0.5 * _normal(2, 3, 4), lr=0.05),
            _n_case(_normal(10, 1), grad_x_squared, 0.5 * _normal(10, 1), lr=0.2, momentum=0.6),
        ]),
        Compare("very large and very small magnitudes (exact, no warnings)", [
            _n_case(np.array([1e150, -3e150]), grad_x_squared, np.array([5e149, -1e150]), lr=0.3,
                    momentum=0.9, label="magnitudes near 1e150"),
            _n_case(np.array([3e-150, -1e-150]), grad_x_squared, np.array([1e-151, 2e-150]), lr=0.1,
                    momentum=0.9, label="magnitudes near 1e-150"),
        ], warn_free=True),
        Property("calls grad_fn exactly once per step", _probe_calls, _judge_once),
        Property("takes the gradient at the look-ahead point theta + momentum * velocity",
               _probe_calls, _judge_where),
        _Path("20 steps along a narrow valley (condition number 25), feeding back the velocity you return",
              np.array([-3.0, 1.5]), np.zeros(2), {"lr": 0.03, "momentum": 0.9}, mode="grad_fn"),
    ),
    mistakes=_NESTEROV_MISTAKES,
)

# The optimization landscape of the same lesson (critical_point_type, newton_step) has its own module.
from .landscape import SPECS as _LANDSCAPE  # noqa: E402

SPECS = (MOMENTUM_STEP, EMA_MOMENTUM_STEP, NESTEROV_STEP) + _LANDSCAPE
