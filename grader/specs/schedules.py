"""Checks and mistakes for lesson 06's learning-rate schedules (reference: ``solutions.adaptive``).

Section 8 of lesson 06; ``grader.specs.adaptive`` adds these specs to the lesson's. Every schedule is a
pure function of the step number, so each is compared with the reference on the steps where its
shape shows (the first, the boundaries of a decay or a warmup, the middle and the end of a cosine,
beyond its end), on the default keywords, and must refuse a negative step and nonsense settings.
"""

from __future__ import annotations

import math

from ..spec import Case, Compare, Mistake, Raises, Spec, reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("adaptive")


def _cases(steps, label: str = "", **kwargs) -> list[Case]:
    return [Case((s,), dict(kwargs), label=f"{label}step {s}" if label else f"step {s}") for s in steps]


# --- step_decay ---------------------------------------------------------------------------------------

def _sd_continuous(step, *, lr, every, drop=0.1):
    return lr * drop ** (step / every)


def _sd_off_by_one(step, *, lr, every, drop=0.1):
    return lr * drop ** ((step + 1) // every)


def _sd_every_step(step, *, lr, every, drop=0.1):
    return lr * drop ** step


STEP_DECAY = Spec(
    name="step_decay",
    reference=ref.step_decay,
    groups=(
        Compare("the boundaries: the rate drops at step every, 2 * every, ...", [
            *_cases((0, 9, 10, 11, 19, 20, 35), lr=0.1, every=10),
        ]),
        Compare("another drop and period, and the default drop 0.1", [
            *_cases((0, 2, 3, 7), lr=0.5, every=3, drop=0.5),
            Case((25,), {"lr": 2.0, "every": 10}, label="no drop given: 0.1"),
        ]),
        Raises("a negative step, every < 1 or a drop outside (0, 1] raises ValueError", [
            Case((-1,), {"lr": 0.1, "every": 10}), Case((5,), {"lr": 0.1, "every": 0}),
            Case((5,), {"lr": 0.1, "every": 3, "drop": 1.5}),
        ], errors=("ValueError",)),
    ),
    mistakes=(
        Mistake("continuous", "step decay keeps the rate constant between drops: lr * drop ** (step // every), "
                "with integer division. drop ** (step / every) decays a little every step (that is exponential "
                "decay).", _sd_continuous),
        Mistake("off-by-one", "steps are counted from 0 and the first drop comes AT step every: "
                "lr * drop ** (step // every); (step + 1) // every drops one step early.", _sd_off_by_one),
        Mistake("every-step", "the rate drops once every `every` steps: drop ** (step // every), not drop ** step.",
                _sd_every_step),
    ),
)


# --- exponential_decay ----------------------------------------------------------------------------------

def _ed_linear(step, *, lr, gamma):
    return lr * (1 - (1 - gamma) * step)


def _ed_one_minus(step, *, lr, gamma):
    return lr * (1 - gamma) ** step


def _ed_exp(step, *, lr, gamma):
    return lr * math.exp(-gamma * step)


EXPONENTIAL_DECAY = Spec(
    name="exponential_decay",
    reference=ref.exponential_decay,
    groups=(
        Compare("hand-checkable steps (gamma 0.5 halves the rate every step)", [
            *_cases((0, 1, 2, 5), lr=1.0, gamma=0.5),
        ]),
        Compare("a slow decay over many steps (gamma 0.99: about half after 69 steps)", [
            *_cases((0, 69, 300, 1000), lr=0.1, gamma=0.99),
        ]),
        Raises("a negative step or a gamma outside (0, 1] raises ValueError", [
            Case((-3,), {"lr": 0.1, "gamma": 0.9}), Case((3,), {"lr": 0.1, "gamma": 1.2}),
            Case((3,), {"lr": 0.1, "gamma": 0.0}),
        ], errors=("ValueError",)),
    ),
    mistakes=(
        Mistake("linear", "exponential decay multiplies by gamma every step: lr * gamma ** step (a power), not "
                "a straight line lr * (1 - (1 - gamma) * step).", _ed_linear),
        Mistake("one-minus-gamma", "gamma is the factor kept each step: lr * gamma ** step, not "
                "lr * (1 - gamma) ** step.", _ed_one_minus),
        Mistake("exp", "use the factor gamma itself, lr * gamma ** step; exp(-gamma * step) treats gamma as a "
                "decay rate and decays far faster.", _ed_exp),
    ),
)


# --- cosine_decay ---------------------------------------------------------------------------------------

def _cd_no_half(step, *, lr, total_steps, min_lr=0.0):
    if step >= total_steps:
        return min_lr
    return min_lr + (lr - min_lr) * math.cos(math.pi * step / total_steps)


def _cd_no_min(step, *, lr, total_steps, min_lr=0.0):
    if step >= total_steps:
        return 0.0
    return 0.5 * lr * (1 + math.cos(math.pi * step / total_steps))


def _cd_periodic(step, *, lr, total_steps, min_lr=0.0):
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * step / total_steps))


def _cd_quarter(step, *, lr, total_steps, min_lr=0.0):
    if step >= total_steps:
        return min_lr
    return min_lr + (lr - min_lr) * math.cos(0.5 * math.pi * step / total_steps)


COSINE_DECAY = Spec(
    name="cosine_decay",
    reference=ref.cosine_decay,
    groups=(
        Compare("the start, the middle and the end (lr, half way, min_lr)", [
            *_cases((0, 25, 50, 75, 100), lr=1.0, total_steps=100),
        ]),
        Compare("a floor min_lr", [*_cases((0, 10, 20), lr=0.1, total_steps=20, min_lr=0.01)]),
        Compare("after total_steps the rate stays at min_lr", [
            *_cases((101, 150, 200), lr=1.0, total_steps=100, min_lr=0.05),
        ]),
        Raises("a negative step, total_steps < 1 or min_lr above lr raises ValueError", [
            Case((-1,), {"lr": 0.1, "total_steps": 10}), Case((0,), {"lr": 0.1, "total_steps": 0}),
            Case((0,), {"lr": 0.1, "total_steps": 10, "min_lr": 0.5}),
        ], errors=("ValueError",)),
    ),
    mistakes=(
        Mistake("no-half", "the cosine goes from 1 to -1 over the schedule: use (1 + cos(pi * step / total_steps)) "
                "/ 2, which goes from 1 to 0, to move from lr to min_lr.", _cd_no_half),
        Mistake("min-lr-ignored", "the schedule ends at min_lr: min_lr + (lr - min_lr) * (1 + cos(...)) / 2.",
                _cd_no_min),
        Mistake("periodic", "after total_steps the rate stays at min_lr; the formula alone would climb back "
                "up (cos keeps turning).", _cd_periodic),
        Mistake("quarter-cosine", "use cos(pi * step / total_steps): half a turn of the cosine, from 1 to -1, "
                "scaled by (1 + cos) / 2. With pi / 2 the rate only reaches min_lr at the very end and falls "
                "fastest there.", _cd_quarter),
    ),
)


# --- warmup_cosine --------------------------------------------------------------------------------------

def _wc_from_zero(step, *, lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return lr * step / warmup_steps
    return ref.cosine_decay(step - warmup_steps, lr=lr, total_steps=total_steps - warmup_steps, min_lr=min_lr)


def _wc_cosine_over_total(step, *, lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return lr * (step + 1) / warmup_steps
    return ref.cosine_decay(step, lr=lr, total_steps=total_steps, min_lr=min_lr)


def _wc_no_warmup(step, *, lr, warmup_steps, total_steps, min_lr=0.0):
    return ref.cosine_decay(step, lr=lr, total_steps=total_steps, min_lr=min_lr)


WARMUP_COSINE = Spec(
    name="warmup_cosine",
    reference=ref.warmup_cosine,
    callees=("cosine_decay",),
    groups=(
        Compare("the warmup: lr * (step + 1) / warmup_steps, reaching lr at step warmup_steps - 1", [
            *_cases((0, 1, 3), lr=1.0, warmup_steps=4, total_steps=14),
        ]),
        Compare("the cosine after the warmup: lr at step warmup_steps, half way, min_lr at total_steps", [
            *_cases((4, 9, 14, 20), lr=1.0, warmup_steps=4, total_steps=14),
            *_cases((10, 55), lr=0.01, warmup_steps=10, total_steps=100, min_lr=0.001),
        ]),
        Compare("warmup_steps = 0 is plain cosine decay", [
            *_cases((0, 5, 10), lr=1.0, warmup_steps=0, total_steps=10),
        ]),
        Raises("warmup_steps >= total_steps, a negative step or min_lr above lr raises ValueError", [
            Case((0,), {"lr": 0.1, "warmup_steps": 10, "total_steps": 10}),
            Case((-1,), {"lr": 0.1, "warmup_steps": 2, "total_steps": 10}),
            Case((0,), {"lr": 0.1, "warmup_steps": 2, "total_steps": 10, "min_lr": 1.0}),
        ], errors=("ValueError",)),
    ),
    mistakes=(
        Mistake("warmup-from-zero", "this course's warmup starts at lr / warmup_steps, so that the first step "
                "already moves: lr * (step + 1) / warmup_steps (lr * step / warmup_steps gives step 0 a rate of "
                "0, a wasted step; some libraries do that).", _wc_from_zero),
        Mistake("cosine-over-total", "the cosine starts when the warmup ends: cosine_decay(step - warmup_steps, "
                "total_steps=total_steps - warmup_steps), so the rate is exactly lr at step warmup_steps.",
                _wc_cosine_over_total),
        Mistake("no-warmup", "for step < warmup_steps the rate climbs linearly: lr * (step + 1) / warmup_steps.",
                _wc_no_warmup),
    ),
)

SPECS = (STEP_DECAY, EXPONENTIAL_DECAY, COSINE_DECAY, WARMUP_COSINE)
