"""The grader's checks for lesson 06 (adagrad_step, rmsprop_step, adam_step).

The generic tests in ``test_catalogue.py`` already prove that the reference
scores full marks and that every catalogued mistake loses points with its
hint.  Here: correct implementations written differently from the reference
(loops, other but equivalent formulas, PyTorch's arrangement of Adam) must
score full marks, and the lesson's own checks (epsilon's place, the
closed-form steps, the 20-step path that feeds the returned state back,
``t < 1``, partial credit) say the right things.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader import check
from grader.spec import Compare
from grader.specs import REGISTRY
from grader.specs.adaptive import _Path

pytestmark = pytest.mark.lesson06


def _verdicts(name, fn):
    from grader.check import evaluate

    return evaluate(name, fn, forbidden=("lessons",)).verdicts


def _group_index(name, title_start):
    titles = [g.title for g in REGISTRY[name].groups]
    matches = [i for i, t in enumerate(titles) if t.startswith(title_start)]
    assert len(matches) == 1, titles
    return matches[0]


# --------------------------------------------------------------------------- correct variants
# Written from the update rules of the curriculum, not from the reference.

def adagrad_loops(theta, grad, r, *, lr=0.01, eps=1e-7):
    theta = np.asarray(theta, dtype=float)
    t, g, acc = (np.asarray(a, dtype=float).reshape(-1) for a in (theta, grad, r))
    t_new, r_new = np.empty(t.size), np.empty(t.size)
    for i in range(t.size):
        r_new[i] = acc[i] + g[i] * g[i]
        t_new[i] = t[i] - lr * g[i] / (eps + math.sqrt(r_new[i]))
    return t_new.reshape(theta.shape), r_new.reshape(theta.shape)


def adagrad_effective_rate(theta, grad, r, *, lr=0.01, eps=1e-7):
    r_new = np.add(r, np.square(grad))
    # sqrt(r + g**2) as the length of the vector (sqrt(r), g): another way to the same root.
    root = np.hypot(np.sqrt(r), grad)
    rate = lr / (eps + root)  # each parameter's own learning rate
    return [theta - rate * grad, r_new]  # a list is fine too


def adagrad_in_place_on_copies(theta, grad, r, *, lr=0.01, eps=1e-7):
    acc = np.array(r, dtype=float)
    acc += np.asarray(grad) ** 2
    denom = np.sqrt(acc)
    denom += eps
    new = np.array(theta, dtype=float)
    new -= lr * np.asarray(grad) / denom
    return new, acc


def rmsprop_loops(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    theta = np.asarray(theta, dtype=float)
    shape = theta.shape
    t, g, avg = (np.asarray(a, dtype=float).ravel() for a in (theta, grad, r))
    t_new, r_new = [], []
    for ti, gi, ri in zip(t, g, avg):
        rn = rho * ri + (1.0 - rho) * gi**2
        r_new.append(rn)
        t_new.append(ti - lr * gi / (eps + math.sqrt(rn)))
    return np.array(t_new).reshape(shape), np.array(r_new).reshape(shape)


def rmsprop_interpolation(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r_new = r + (1 - rho) * (grad * grad - r)  # move r a fraction (1 - rho) of the way to grad**2
    return theta - lr * grad / (np.sqrt(r_new) + eps), r_new


def rmsprop_rms(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    weights = np.array([rho, 1.0 - rho])
    stacked = np.stack([np.asarray(r, dtype=float), np.square(grad)])
    r_new = np.tensordot(weights, stacked, axes=1)  # the weighted average of the two
    rms = np.sqrt(r_new)  # the root mean square of the recent gradients
    return theta - lr * (grad / (rms + eps)), r_new


def _check_t(t):
    if t < 1:
        raise ValueError(f"t must be >= 1 (the number of this step), got {t}")


def adam_loops(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    _check_t(t)
    theta = np.asarray(theta, dtype=float)
    shape = theta.shape
    th, g, m0, v0 = (np.asarray(a, dtype=float).reshape(-1) for a in (theta, grad, m, v))
    th_new, m_new, v_new = np.zeros(th.size), np.zeros(th.size), np.zeros(th.size)
    c1, c2 = 1.0 - beta1**t, 1.0 - beta2**t
    for i in range(th.size):
        m_new[i] = beta1 * m0[i] + (1.0 - beta1) * g[i]
        v_new[i] = beta2 * v0[i] + (1.0 - beta2) * g[i] ** 2
        th_new[i] = th[i] - lr * (m_new[i] / c1) / (math.sqrt(v_new[i] / c2) + eps)
    return th_new.reshape(shape), m_new.reshape(shape), v_new.reshape(shape)


def adam_torch_arrangement(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """As torch.optim.Adam arranges it: the corrections folded into a step size and the denominator."""
    if t < 1:
        raise ValueError(f"t must be at least 1, got {t}")
    m_new = m + (1 - beta1) * (grad - m)
    v_new = v + (1 - beta2) * (grad * grad - v)
    step_size = lr / (1 - beta1**t)
    denom = np.sqrt(v_new) / math.sqrt(1 - beta2**t) + eps
    return theta - step_size * m_new / denom, m_new, v_new


def adam_in_place_on_copies(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    _check_t(t)
    m_new = np.array(m, dtype=float)
    m_new *= beta1
    m_new += (1 - beta1) * np.asarray(grad)
    v_new = np.array(v, dtype=float)
    v_new *= beta2
    v_new += (1 - beta2) * np.asarray(grad) ** 2
    m_hat = m_new / (1 - np.power(beta1, t))
    v_hat = v_new / (1 - np.power(beta2, t))
    new = np.array(theta, dtype=float)
    new -= lr * m_hat / (v_hat**0.5 + eps)
    return (new, m_new, v_new)


VARIANTS = {
    "adagrad_step": [adagrad_loops, adagrad_effective_rate, adagrad_in_place_on_copies],
    "rmsprop_step": [rmsprop_loops, rmsprop_interpolation, rmsprop_rms],
    "adam_step": [adam_loops, adam_torch_arrangement, adam_in_place_on_copies],
}


@pytest.mark.parametrize("name,variant", [(name, fn) for name, fns in VARIANTS.items() for fn in fns],
                         ids=lambda x: getattr(x, "__name__", x))
def test_correct_variant_gets_full_marks(grade, name, variant):
    score, message = grade(name, variant, points=3)
    assert score == 3, message


def test_a_variant_returns_numpy_scalars_for_a_0d_theta():
    """The 0-d cases really are accepted as NumPy scalars, not only as 0-d arrays."""
    theta, m, v = adam_torch_arrangement(np.array(1.5), np.array(-0.5), np.array(0.2), np.array(0.3), 3, lr=0.1)
    assert all(isinstance(x, np.generic) for x in (theta, m, v))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_variant_passes_the_real_check_with_every_package_forbidden(capsys, name):
    score = check(name, VARIANTS[name][0], points=2)
    out, err = capsys.readouterr()
    assert score == 2 and err == "", out


# --------------------------------------------------------------------------- wrong but instructive

@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_float32_arithmetic_is_not_accepted(grade, name):
    def float32(*args, **kwargs):
        args = tuple(a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in args)
        return tuple(np.asarray(x, dtype=np.float64) for x in VARIANTS[name][1](*args, **kwargs))

    score, message = grade(name, float32, points=3)
    assert score < 3
    assert "[fail] very large and very small magnitudes" in message


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_eps_inside_the_root_fails_where_the_gradients_are_small(grade, name):
    spec = REGISTRY[name]
    score, message = grade(name, spec.mistake("eps-inside-sqrt").fn, points=3)
    assert score < 3
    assert "[fail] small gradients, where epsilon's place" in message
    assert "[ok]   random inputs of several shapes" in message  # only small gradients show it
    assert message.count("Likely mistake:") == 1 + (name == "adam_step")  # + the missing t check


def test_first_adam_step_message_says_how_many_times_lr(grade):
    score, message = grade("adam_step", REGISTRY["adam_step"].mistake("no-bias-correction").fn, points=3)
    assert score < 3
    assert ("moved the parameter with gradient 0.0001 by -0.03152 (3.152 times lr); the first step "
            "moves every parameter with a nonzero gradient by lr = 0.01") in message


def test_message_names_the_failing_input_and_what_differs(grade):
    score, message = grade("adagrad_step", REGISTRY["adagrad_step"].mistake("grad-times-two").fn, points=1)
    assert score < 1
    assert "adagrad_step(theta=[ 1., -2.], grad=[ 3., -4.], r=[16., 9.], lr=0.5)" in message
    assert "theta: entry (0,) is 0.680199, expected 0.7 (2 of 2 entries differ)" in message


@pytest.mark.parametrize("name,first,second", [
    ("rmsprop_step", "r-running-sum", "no-one-minus-rho"),
    ("rmsprop_step", "no-one-minus-rho", "r-running-sum"),
    ("adam_step", "no-eps", "t-minus-one"),
    ("adam_step", "t-minus-one", "no-eps"),
])
def test_mistakes_that_agree_from_a_zero_state_get_only_their_own_hint(grade, name, first, second):
    """From r = 0 AdaGrad's sum and a missing (1 - rho) give the same RMSProp step (and at all-zero
    inputs a missing eps and t - 1 both give nan): the other mistake's hint must not show up."""
    spec = REGISTRY[name]
    score, message = grade(name, spec.mistake(first).fn, points=3)
    assert spec.mistake(first).hint in message
    assert spec.mistake(second).hint not in message


def test_in_place_update_loses_only_the_unchanged_check(grade):
    def in_place(theta, grad, r, *, lr=0.01, eps=1e-7):
        r += grad**2
        return theta - lr * grad / (eps + np.sqrt(r)), r.copy()

    score, message = grade("adagrad_step", in_place, points=3)
    groups = len(REGISTRY["adagrad_step"].groups) + 1
    assert score == round(3 * (groups - 1) / groups, 2), message
    assert "in place" in message and "r" in message


def test_missing_t_check_loses_only_the_raises_check(grade):
    def no_check(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        return adam_loops(theta, grad, m, v, max(t, 1), lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    score, message = grade("adam_step", no_check, points=3)
    groups = len(REGISTRY["adam_step"].groups) + 1
    assert score == round(3 * (groups - 1) / groups, 2), message
    assert "[fail] t < 1 raises ValueError" in message
    assert "t=0, lr=0.1) returned" in message
    assert REGISTRY["adam_step"].mistake("no-t-check").hint in message


def test_a_type_error_for_t_below_one_is_not_enough(grade):
    def wrong_error(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        if t < 1:
            raise TypeError("t must be positive")
        return adam_loops(theta, grad, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    score, message = grade("adam_step", wrong_error, points=3)
    assert score < 3
    assert "raised TypeError: t must be positive; it should raise ValueError" in message


# --------------------------------------------------------------------------- state carried between steps

def test_adam_counting_its_own_steps_is_caught(grade):
    count = {"t": 0}

    def own_counter(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        count["t"] += 1  # ignores the t it is given
        return adam_loops(theta, grad, m, v, count["t"], lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    score, message = grade("adam_step", own_counter, points=3)
    assert score < 1.5, message


def test_r_in_a_global_variable_is_caught(grade):
    """A sum kept in a global (restarted when the shape changes) ignores the r it is given."""
    state = {}

    def global_r(theta, grad, r, *, lr=0.01, eps=1e-7):
        acc = state.get("r")  # ignores the r it is given
        acc = (acc if acc is not None and acc.shape == np.shape(theta) else 0.0) + np.square(grad)
        state["r"] = acc
        return theta - lr * grad / (eps + np.sqrt(acc)), acc

    score, message = grade("adagrad_step", global_r, points=3)
    assert score <= 1.5, message
    assert "[fail] hand-checkable steps" in message and "[fail] random inputs" in message


@pytest.mark.parametrize("name,key", [
    ("adagrad_step", "state-not-returned"),
    ("adagrad_step", "old-r-returned"),
    ("adagrad_step", "r-not-accumulated"),
    ("rmsprop_step", "old-r-returned"),
    ("rmsprop_step", "r-not-carried"),
    ("rmsprop_step", "r-running-sum"),
    ("rmsprop_step", "no-one-minus-rho"),
    ("adam_step", "state-not-returned"),
    ("adam_step", "corrected-moments-returned"),
    ("adam_step", "t-returned"),
    ("adam_step", "t-advanced-twice"),
])
def test_the_path_catches_state_mistakes_and_names_them(name, key):
    """The 20-step path alone, which feeds back what the function returns, recognises each state mistake."""
    spec = REGISTRY[name]
    i = next(i for i, g in enumerate(spec.groups) if isinstance(g, _Path))
    verdict = _verdicts(name, spec.mistake(key).fn)[i]
    assert not verdict.passed
    assert verdict.mistake is not None and verdict.mistake.key == key, verdict


def test_path_failure_names_the_step(grade):
    def drifting(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
        theta_new, r_new = rmsprop_interpolation(theta, grad, r, lr=lr, rho=rho, eps=eps)
        if np.max(r) > 1000.0:  # goes wrong only once a large gradient has been seen
            theta_new = theta_new - 1e-3
        return theta_new, r_new

    score, message = grade("rmsprop_step", drifting, points=3)
    assert score < 3
    assert "[fail] 20 steps from r = 0" in message
    assert "at step 3 of 20, rmsprop_step(theta=[[ 1.155 , 0.2777, 1.6543]" in message
    assert "theta: entry (0, 0) is 1.14622, expected 1.14722" in message


def test_constant_gradient_property_shows_adagrads_shrinking_step(grade):
    spec = REGISTRY["adagrad_step"]
    score, message = grade("adagrad_step", spec.mistake("r-not-accumulated").fn, points=3)
    assert score < 3
    assert ("at step 2 of 12, adagrad_step(theta=[-0.1, 0.1, -0.1, 0.1], grad=[ 2.e-03, -5.e-01, 3.e+01, "
            "-4.e+03], r=[4.0e-06, 2.5e-01, 9.0e+02, 1.6e+07], lr=0.1): the parameter with gradient 0.002 moved "
            "by -0.1 (1 times lr); under a constant gradient step k = 2 should move it by lr / sqrt(k) = "
            "0.07071") in message


def test_shape_property_names_what_came_back(grade):
    def r_summed_to_a_number(theta, grad, r, *, lr=0.01, eps=1e-7):
        r_new = np.sum(r) + np.sum(np.square(grad))  # one number for all parameters
        return theta - lr * grad / (eps + np.sqrt(r_new)), r_new

    score, message = grade("adagrad_step", r_summed_to_a_number, points=3)
    assert score < 3
    assert "returned values of shapes (4,), (); it should return (theta, r), each a float array" in message


# --------------------------------------------------------------------------- the cases themselves

@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_matchable_mistake_is_recognised_on_some_compare_case(name):
    """Each deterministic mistake is recognisable by output: some Compare case tells it apart."""
    spec = REGISTRY[name]
    cases = [c for g in spec.groups if isinstance(g, Compare) for c in g.cases]
    for m in spec.mistakes:
        if m.matchable:
            assert any(spec.diagnose(c, spec.run_trusted(m.fn, c), rtol=spec.rtol, atol=spec.atol) is m
                       for c in cases), m.key


def test_epsilon_inside_differs_well_beyond_the_tolerance():
    """The small-gradient cases separate sqrt(r) + eps from sqrt(r + eps) by far more than rtol."""
    for name in sorted(VARIANTS):
        spec = REGISTRY[name]
        group = spec.groups[_group_index(name, "small gradients")]
        wrong = spec.mistake("eps-inside-sqrt").fn
        gaps = [np.max(np.abs(spec.run_trusted(wrong, c)[0] - spec.expected(c)[0])) for c in group.cases]
        assert max(gaps) > 1e3 * (spec.atol + spec.rtol), (name, gaps)


# --------------------------------------------------------------------------- adamw_step
# Written from torch.optim.AdamW's documented algorithm and from the algebra, not from the reference.

def adamw_torch_order(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    if weight_decay < 0:
        raise ValueError("weight_decay must be >= 0")
    decayed = np.asarray(theta, dtype=float) * (1 - lr * weight_decay)  # param.mul_(1 - lr * weight_decay)
    new, m_new, v_new = adam_torch_arrangement(decayed, grad, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return new, m_new, v_new


def adamw_decay_in_the_step(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                            weight_decay=0.01):
    """theta - lr * (adam direction + weight_decay * theta): the same number, written as one step."""
    _check_t(t)
    if weight_decay < 0:
        raise ValueError("weight_decay must be >= 0")
    theta = np.asarray(theta, dtype=float)
    m_new = beta1 * np.asarray(m) + (1 - beta1) * np.asarray(grad)
    v_new = beta2 * np.asarray(v) + (1 - beta2) * np.asarray(grad) ** 2
    direction = (m_new / (1 - beta1**t)) / (np.sqrt(v_new / (1 - beta2**t)) + eps)
    return theta - lr * (direction + weight_decay * theta), m_new, v_new


def adamw_loops(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    _check_t(t)
    if weight_decay < 0:
        raise ValueError("weight_decay must be >= 0")
    theta, grad, m, v = (np.array(a, dtype=float) for a in (theta, grad, m, v))
    out = [np.empty_like(theta) for _ in range(3)]
    for i in np.ndindex(theta.shape):
        mi = beta1 * m[i] + (1 - beta1) * grad[i]
        vi = beta2 * v[i] + (1 - beta2) * grad[i] ** 2
        step = mi / (1 - beta1**t) / (math.sqrt(vi / (1 - beta2**t)) + eps)
        out[0][i], out[1][i], out[2][i] = theta[i] * (1 - lr * weight_decay) - lr * step, mi, vi
    return tuple(out)


@pytest.mark.parametrize("variant", [adamw_torch_order, adamw_decay_in_the_step, adamw_loops],
                         ids=lambda f: f.__name__)
def test_adamw_variants_get_full_marks(grade, variant):
    score, message = grade("adamw_step", variant, points=3)
    assert score == 3, message


def test_adamw_mistakes_are_each_recognised_on_some_case():
    spec = REGISTRY["adamw_step"]
    cases = [c for g in spec.groups if isinstance(g, Compare) for c in g.cases]
    for m in spec.mistakes:
        assert any(spec.diagnose(c, spec.run_trusted(m.fn, c), rtol=spec.rtol, atol=spec.atol) is m
                   for c in cases), m.key


def test_l2_inside_adam_is_told_apart_from_adamw(grade):
    score, message = grade("adamw_step", REGISTRY["adamw_step"].mistake("l2-in-gradient").fn, points=3)
    assert score < 2 and REGISTRY["adamw_step"].mistake("l2-in-gradient").hint in " ".join(message.split())
