"""The grader's checks for lesson 05 (momentum_step, ema_momentum_step, nesterov_step).

The generic tests in ``test_catalogue.py`` already prove that the reference
scores full marks and that every catalogued mistake loses points with its
hint.  Here: correct implementations written differently from the reference
(loops, other formulas, in-place arithmetic on copies) must score full marks,
and the lesson's own checks (the recording ``grad_fn``, the 20-step path,
partial credit) say the right things.
"""

from __future__ import annotations


import numpy as np
import pytest

from grader import check
from grader.specs import REGISTRY
from grader.specs.momentum import grad_narrow_valley

pytestmark = pytest.mark.lesson05


# --------------------------------------------------------------------------- correct variants
# Written from the update rules of the curriculum, not from the reference.

def momentum_loops(theta, grad, velocity, *, lr, momentum=0.9):
    theta = np.asarray(theta, dtype=float)
    t = theta.reshape(-1)
    g = np.asarray(grad, dtype=float).reshape(-1)
    v = np.asarray(velocity, dtype=float).reshape(-1)
    t_new = np.empty(t.size)
    v_new = np.empty(t.size)
    for i in range(t.size):
        v_new[i] = momentum * v[i] - lr * g[i]
        t_new[i] = t[i] + v_new[i]
    return t_new.reshape(theta.shape), v_new.reshape(theta.shape)


def momentum_in_place_on_copies(theta, grad, velocity, *, lr, momentum=0.9):
    v = np.array(velocity, dtype=float)
    v *= momentum
    v -= lr * np.asarray(grad)
    t = np.array(theta, dtype=float)
    t += v
    return t, v


def momentum_negated_step(theta, grad, velocity, *, lr, momentum=0.9):
    step = lr * grad - momentum * velocity  # how far to go downhill
    return [theta - step, -step]  # a list is fine too


def ema_loops(theta, grad, m, *, lr, beta=0.9):
    theta = np.asarray(theta, dtype=float)
    shape = theta.shape
    t, g, m0 = (np.asarray(a, dtype=float).ravel() for a in (theta, grad, m))
    t_new, m_new = [], []
    for ti, gi, mi in zip(t, g, m0):
        avg = beta * mi + (1.0 - beta) * gi
        m_new.append(avg)
        t_new.append(ti - lr * avg)
    return np.array(t_new).reshape(shape), np.array(m_new).reshape(shape)


def ema_interpolation(theta, grad, m, *, lr, beta=0.9):
    m_new = m + (1 - beta) * (grad - m)  # move m a fraction (1 - beta) of the way to grad
    return theta - lr * m_new, m_new


def ema_expanded(theta, grad, m, *, lr, beta=0.9):
    theta_new = theta - lr * beta * m - lr * (1 - beta) * grad
    m_new = np.add(np.multiply(beta, m), np.multiply(1 - beta, grad))
    return theta_new, m_new


def nesterov_loops(theta, grad_fn, velocity, *, lr, momentum=0.9):
    theta = np.asarray(theta, dtype=float)
    velocity = np.asarray(velocity, dtype=float)
    g = np.asarray(grad_fn(theta + momentum * velocity), dtype=float).reshape(-1)
    t, v = theta.reshape(-1), velocity.reshape(-1)
    t_new, v_new = np.zeros(t.size), np.zeros(t.size)
    for i in range(t.size):
        v_new[i] = momentum * v[i] - lr * g[i]
        t_new[i] = t[i] + v_new[i]
    return t_new.reshape(theta.shape), v_new.reshape(theta.shape)


def nesterov_from_look_ahead(theta, grad_fn, velocity, *, lr, momentum=0.9):
    ahead = theta + momentum * velocity
    g = grad_fn(ahead)
    # theta + (momentum * velocity - lr * g) is the look-ahead point minus a gradient step.
    return ahead - lr * g, momentum * velocity - lr * g


def nesterov_in_place_on_copies(theta, grad_fn, velocity, *, lr, momentum=0.9):
    v = np.array(velocity, dtype=float)
    v *= momentum                      # the momentum part of the step
    g = grad_fn(np.add(theta, v))      # the gradient where that part lands
    v -= lr * np.asarray(g)
    t = np.array(theta, dtype=float)
    t += v
    return t, v


VARIANTS = {
    "momentum_step": [momentum_loops, momentum_in_place_on_copies, momentum_negated_step],
    "ema_momentum_step": [ema_loops, ema_interpolation, ema_expanded],
    "nesterov_step": [nesterov_loops, nesterov_from_look_ahead, nesterov_in_place_on_copies],
}


@pytest.mark.parametrize("name,variant", [(name, fn) for name, fns in VARIANTS.items() for fn in fns],
                         ids=lambda x: getattr(x, "__name__", x))
def test_correct_variant_gets_full_marks(grade, name, variant):
    score, message = grade(name, variant, points=3)
    assert score == 3, message


def test_variants_do_return_numpy_scalars_for_a_0d_theta():
    """The 0-d edge case really is accepted as NumPy scalars, not only as 0-d arrays."""
    theta, v = ema_interpolation(np.array(1.5), np.array(-0.5), np.array(0.2), lr=0.1, beta=0.7)
    assert isinstance(theta, np.generic) and isinstance(v, np.generic)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_variant_passes_the_real_check_with_every_package_forbidden(capsys, name):
    """The gradient functions the grader hands to nesterov_step are allowed course code."""
    score = check(name, VARIANTS[name][0], points=2)
    out, err = capsys.readouterr()
    assert score == 2 and err == "", out


# --------------------------------------------------------------------------- wrong but instructive

def test_float32_arithmetic_is_not_accepted(grade):
    def momentum_float32(theta, grad, velocity, *, lr, momentum=0.9):
        v = (np.float32(momentum) * velocity.astype(np.float32)
             - np.float32(lr) * grad.astype(np.float32))
        return (theta.astype(np.float32) + v).astype(float), v.astype(float)

    score, message = grade("momentum_step", momentum_float32, points=3)
    assert score < 3
    assert "very large and very small magnitudes" in message


def test_wrong_default_momentum_loses_points(grade):
    def default_half(theta, grad, velocity, *, lr, momentum=0.5):
        v = momentum * velocity - lr * grad
        return theta + v, v

    score, message = grade("momentum_step", default_half, points=3)
    assert score < 3
    assert "[fail] the lesson's worked example" in message


def test_in_place_update_loses_only_the_unchanged_check(grade):
    def in_place(theta, grad, velocity, *, lr, momentum=0.9):
        velocity *= momentum
        velocity -= lr * grad
        return theta + velocity, velocity.copy()

    score, message = grade("momentum_step", in_place, points=3)
    groups = len(REGISTRY["momentum_step"].groups) + 1
    assert score == round(3 * (groups - 1) / groups, 2), message
    assert "in place" in message and "velocity" in message


def test_message_names_the_failing_input_and_what_differs(grade):
    spec = REGISTRY["momentum_step"]
    score, message = grade("momentum_step", spec.mistake("theta-minus-v").fn, points=1)
    assert score < 1
    assert "momentum_step(theta=[ 1., -2.], grad=[2. , 0.5], velocity=[0., 0.], lr=0.1)" in message
    assert "theta: entry (0,) is 1.2, expected 0.8" in message


def test_velocity_in_a_global_variable_is_caught_along_the_path(grade):
    state = {}

    def global_velocity(theta, grad, velocity, *, lr, momentum=0.9):
        v = state.get("v")  # ignores the velocity it is given
        v = momentum * v - lr * grad if v is not None and v.shape == np.shape(theta) else -lr * grad
        state["v"] = v
        return theta + v, v

    score, message = grade("momentum_step", global_velocity, points=3)
    assert score < 1.5, message


def test_path_failure_names_the_step(grade):
    def drifting(theta, grad, velocity, *, lr, momentum=0.9):
        v = momentum * velocity - lr * grad
        if np.linalg.norm(velocity) > 1.0:  # goes wrong only once the ball is rolling fast
            v = v * 1.01
        return theta + v, v

    score, message = grade("momentum_step", drifting, points=3)
    assert score < 3
    assert "[fail] 20 steps along a narrow valley" in message
    assert "at step 2 of 20, momentum_step(theta=[-2.91 , 0.375]" in message


def test_ema_path_is_classical_momentum_with_the_matched_rate():
    """The EMA path group's title is true: lr = 0.03 / (1 - 0.9) traces classical momentum at 0.03."""
    spec = REGISTRY["ema_momentum_step"]
    path = spec.groups[-1]
    assert path.kwargs == {"lr": 0.3, "beta": 0.9}
    theta, v = np.array([-3.0, 1.5]), np.zeros(2)
    theta_m = theta.copy()
    m = np.zeros(2)
    for _ in range(20):
        v = 0.9 * v - 0.03 * grad_narrow_valley(theta)
        theta = theta + v
        m = 0.9 * m + 0.1 * grad_narrow_valley(theta_m)
        theta_m = theta_m - 0.3 * m
    np.testing.assert_allclose(theta_m, theta, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- nesterov's grad_fn

def test_grad_fn_called_twice_at_the_look_ahead_loses_only_that_check(grade):
    def twice(theta, grad_fn, velocity, *, lr, momentum=0.9):
        ahead = theta + momentum * velocity
        grad_fn(ahead)  # e.g. a debugging print of the gradient left in
        v = momentum * velocity - lr * grad_fn(ahead)
        return theta + v, v

    score, message = grade("nesterov_step", twice, points=3)
    groups = len(REGISTRY["nesterov_step"].groups) + 1
    assert score == round(3 * (groups - 1) / groups, 2), message
    assert "[fail] calls grad_fn exactly once per step" in message
    assert "called grad_fn 2 times" in message
    assert REGISTRY["nesterov_step"].mistake("grad-fn-twice").hint in message


def test_grad_fn_once_per_coordinate_is_reported(grade):
    def per_coordinate(theta, grad_fn, velocity, *, lr, momentum=0.9):
        ahead = theta + momentum * velocity
        g = np.array([grad_fn(ahead).ravel()[i] for i in range(ahead.size)]).reshape(np.shape(theta))
        v = momentum * velocity - lr * g
        return theta + v, v

    score, message = grade("nesterov_step", per_coordinate, points=3)
    assert score < 3
    assert "called grad_fn 3 times" in message


@pytest.mark.parametrize("key,where", [
    ("grad-at-theta", "called grad_fn at [ 1. , -0.5, 2. ]"),
    ("look-ahead-without-momentum", "called grad_fn at [ 1.4, -0.2, 1.4]"),
    ("look-ahead-too-far", "called grad_fn at [1.72, 0.04, 0.92]"),
    ("look-ahead-backwards", "called grad_fn at [ 0.64, -0.77, 2.54]"),
])
def test_wrong_look_ahead_point_is_shown_and_diagnosed(grade, key, where):
    spec = REGISTRY["nesterov_step"]
    score, message = grade("nesterov_step", spec.mistake(key).fn, points=3)
    assert score < 3
    assert "[fail] takes the gradient at the look-ahead point" in message
    assert where in message
    assert "theta + momentum * velocity = [ 1.36, -0.23, 1.46]" in message
    assert spec.mistake(key).hint in message


def test_grad_fn_used_as_an_array_is_reported_not_crashed(grade):
    def as_array(theta, grad_fn, velocity, *, lr, momentum=0.9):
        v = momentum * velocity - lr * grad_fn  # forgot to call it
        return theta + v, v

    score, message = grade("nesterov_step", as_array, points=3)
    assert score < 1
    assert "raised TypeError" in message
    assert REGISTRY["nesterov_step"].mistake("grad-fn-not-called").hint in message


def test_an_unrelated_error_gets_no_grad_fn_hint(grade):
    def typo(theta, grad_fn, velocity, *, lr, momentum=0.9):
        return theta + velocty, velocity  # noqa: F821 - the student's typo

    score, message = grade("nesterov_step", typo, points=3)
    assert score == 0
    assert "raised NameError" in message
    assert "Likely mistake" not in message


def test_stepping_from_the_look_ahead_point_keeps_the_call_checks(grade):
    """A wrong update with the right gradient call passes the two grad_fn checks only."""
    spec = REGISTRY["nesterov_step"]
    score, message = grade("nesterov_step", spec.mistake("look-ahead-twice").fn, points=3)
    assert "[ok]   calls grad_fn exactly once per step" in message
    assert "[ok]   takes the gradient at the look-ahead point" in message
    assert 0 < score < 3
