"""The grader's checks of lesson 06's learning-rate schedules: variants written differently get full marks,
every catalogued mistake is told apart on some case, and the schedules' own messages say the right things."""

from __future__ import annotations

import math

import pytest

from grader.spec import Compare
from grader.specs import REGISTRY

pytestmark = pytest.mark.lesson06


def step_decay_loop(step, *, lr, every, drop=0.1):
    if step < 0 or every < 1 or not 0 < drop <= 1:
        raise ValueError("bad arguments")
    rate = lr
    for k in range(1, step + 1):
        if k % every == 0:
            rate *= drop
    return rate


def step_decay_log(step, *, lr, every, drop=0.1):
    if step < 0 or every < 1 or not 0 < drop <= 1:
        raise ValueError("bad arguments")
    return lr * math.exp(math.log(drop) * math.floor(step / every))


def exponential_decay_loop(step, *, lr, gamma):
    if step < 0 or not 0 < gamma <= 1:
        raise ValueError("bad arguments")
    rate = lr
    for _ in range(step):
        rate *= gamma
    return rate


def exponential_decay_exp(step, *, lr, gamma):
    if step < 0 or not 0 < gamma <= 1:
        raise ValueError("bad arguments")
    return lr * math.exp(step * math.log(gamma))


def cosine_decay_sin_squared(step, *, lr, total_steps, min_lr=0.0):
    # (1 + cos x) / 2 = cos(x / 2) ** 2
    if step < 0 or total_steps < 1 or not 0 <= min_lr <= lr:
        raise ValueError("bad arguments")
    x = math.pi * min(step, total_steps) / total_steps
    return min_lr + (lr - min_lr) * math.cos(x / 2) ** 2


def cosine_decay_clamped(step, *, lr, total_steps, min_lr=0.0):
    if step < 0 or total_steps < 1 or not 0 <= min_lr <= lr:
        raise ValueError("bad arguments")
    return max(min_lr, min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * min(step, total_steps) / total_steps)))


def warmup_cosine_inline(step, *, lr, warmup_steps, total_steps, min_lr=0.0):
    if step < 0 or warmup_steps < 0 or warmup_steps >= total_steps or not 0 <= min_lr <= lr:
        raise ValueError("bad arguments")
    if step < warmup_steps:
        return lr * (step + 1) / warmup_steps
    s, span = min(step - warmup_steps, total_steps - warmup_steps), total_steps - warmup_steps
    return min_lr + (lr - min_lr) * (1 + math.cos(math.pi * s / span)) / 2


def warmup_cosine_min(step, *, lr, warmup_steps, total_steps, min_lr=0.0):
    if step < 0 or warmup_steps < 0 or warmup_steps >= total_steps or not 0 <= min_lr <= lr:
        raise ValueError("bad arguments")
    ramp = lr * (step + 1) / warmup_steps if warmup_steps else lr
    progress = min(max(step - warmup_steps, 0) / (total_steps - warmup_steps), 1.0)
    cosine = min_lr + (lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))
    return min(ramp, cosine) if step < warmup_steps else cosine


VARIANTS = {
    "step_decay": [step_decay_loop, step_decay_log],
    "exponential_decay": [exponential_decay_loop, exponential_decay_exp],
    "cosine_decay": [cosine_decay_sin_squared, cosine_decay_clamped],
    "warmup_cosine": [warmup_cosine_inline, warmup_cosine_min],
}


@pytest.mark.parametrize("name,variant", [(n, v) for n, vs in VARIANTS.items() for v in vs],
                         ids=lambda item: getattr(item, "__name__", item))
def test_correct_variants_get_full_marks(grade, name, variant):
    score, message = grade(name, variant, points=2)
    assert score == 2, message


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_mistake_is_told_apart_on_some_case(name):
    spec = REGISTRY[name]
    cases = [c for g in spec.groups if isinstance(g, Compare) for c in g.cases]
    for m in spec.mistakes:
        assert any(spec.diagnose(c, spec.run_trusted(m.fn, c), rtol=spec.rtol, atol=spec.atol) is m
                   for c in cases), m.key


def test_the_warmup_from_zero_convention_is_named(grade):
    score, message = grade("warmup_cosine", REGISTRY["warmup_cosine"].mistake("warmup-from-zero").fn, points=2)
    assert score < 2 and "lr * (step + 1) / warmup_steps" in message
