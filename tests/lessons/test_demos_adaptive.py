"""Lesson 06's demo: every update rule trains the digits network; stubs get a note."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.demos.adaptive import KINDS, LEARNING_RATES, compare_optimizers, demo
from solutions import adaptive

from .stubs import stub

pytestmark = pytest.mark.lesson06

REFERENCE = (adaptive.adagrad_step, adaptive.rmsprop_step, adaptive.adam_step)


@pytest.fixture(scope="module")
def runs():
    return {run.kind: run for run in compare_optimizers(*REFERENCE)}


def test_every_rule_reaches_the_stated_accuracy(runs):
    assert list(runs) == list(KINDS)
    for kind, run in runs.items():
        assert run.lr == LEARNING_RATES[kind]
        assert len(run.train_loss) == len(run.test_accuracy) == 10
        assert run.test_accuracy[-1] >= 0.93, f"{kind} ended at {run.test_accuracy[-1]:.1%}"
        assert run.train_loss[-1] < 0.15, f"{kind} ended with a training loss of {run.train_loss[-1]:.3f}"


def test_effective_learning_rates_are_recorded_for_the_adaptive_rules(runs):
    assert runs["sgd"].effective is None and runs["momentum"].effective is None
    steps = 10 * -(-1348 // 32)
    for kind in ("adagrad", "rmsprop", "adam"):
        effective = runs[kind].effective
        assert effective.shape == (steps, 3)
        assert np.all(effective[:, 0] <= effective[:, 1]) and np.all(effective[:, 1] <= effective[:, 2])
    # AdaGrad's median keeps falling; RMSProp's and Adam's do not (they forget).
    adagrad, per_epoch = runs["adagrad"].effective[:, 1], steps // 10
    assert adagrad[-1] < adagrad[per_epoch] < adagrad[0]
    for kind in ("rmsprop", "adam"):
        median = runs[kind].effective[:, 1]
        assert median[-1] > median[per_epoch]


def test_a_changed_learning_rate_is_used_and_a_wrong_key_refused():
    (run,) = [r for r in compare_optimizers(*REFERENCE, learning_rates={"adam": 0.001}, epochs=1)
              if r.kind == "adam"]
    assert run.lr == 0.001
    with pytest.raises(ValueError, match="unknown keys"):
        compare_optimizers(*REFERENCE, learning_rates={"nesterov": 0.1}, epochs=1)


@pytest.mark.parametrize("missing", ["adagrad_step", "rmsprop_step", "adam_step"])
def test_demo_names_the_stub_to_implement(missing):
    functions = [stub(f.__name__) if f.__name__ == missing else f for f in REFERENCE]
    note = demo(*functions, epochs=1)
    assert f"Implement `{missing}` first" in note.data


def test_a_wrong_return_value_is_explained():
    def rmsprop_step(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
        return theta - lr * grad

    note = demo(adaptive.adagrad_step, rmsprop_step, adaptive.adam_step, epochs=1)
    assert "Training with your functions failed" in note.data and "rmsprop_step" in note.data


def test_demo_returns_an_image_every_front_end_shows():
    image = demo(*REFERENCE, epochs=1)
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"


# --- weight decay: L2 inside Adam against AdamW ---
# Oracle: AdamW shrinks every weight by (1 - lr * lambda) per step whatever its gradients (the alternating
# data gradients move it by a bounded oscillation only); L2 inside Adam divides the decay by sqrt(v_hat).

def test_adamw_decays_every_weight_alike_and_l2_inside_adam_does_not():
    from lessons.demos.adaptive import DECAY_LAMBDA, DECAY_LR, weight_decay_runs
    from solutions.adaptive import adam_step, adamw_step

    runs = weight_decay_runs(adam_step, adamw_step)
    uniform = (1 - DECAY_LR * DECAY_LAMBDA) ** np.arange(runs.adamw.shape[0])
    np.testing.assert_allclose(runs.adamw, np.repeat(uniform[:, None], 3, axis=1), atol=0.02)
    big, mid, tiny = runs.l2_in_adam[-1]
    assert big > 0.9, "a weight with large gradients is hardly decayed by L2 inside Adam"
    assert abs(tiny) < 0.02 and abs(runs.l2_in_adam[300, 2]) < 0.02, "a weight with tiny gradients is driven to 0"
    assert abs(mid) < 0.05


def test_the_weight_decay_demo_shows_a_picture_or_names_the_stub():
    from IPython.display import Image, Markdown

    from lessons.demos.adaptive import weight_decay_demo
    from solutions.adaptive import adam_step, adamw_step

    assert isinstance(weight_decay_demo(adam_step, adamw_step), Image)
    note = weight_decay_demo(adam_step, stub("adamw_step"))
    assert isinstance(note, Markdown) and "Implement `adamw_step` first" in note.data


# --- learning-rate schedules ---
# Oracles: the schedules' closed forms at their boundaries, and Adam's warmup result of the lesson's
# prose (a constant peak of 0.3 fails, warmup + cosine at the same peak trains).

def test_warmup_rescues_a_peak_rate_that_fails_when_constant():
    from lessons.demos.adaptive import SCHEDULE_WARMUP, schedule_runs
    from solutions.adaptive import adam_step, warmup_cosine

    runs = {(r.lr, r.scheduled): r for r in schedule_runs(adam_step, warmup_cosine)}
    assert runs[(0.3, False)].test_accuracy < 0.6 < 0.9 < runs[(0.3, True)].test_accuracy
    assert runs[(0.1, True)].train_loss[-1] < runs[(0.1, False)].train_loss[-1] / 10
    ramp = runs[(0.1, True)].rates
    assert ramp[0] == pytest.approx(0.1 / SCHEDULE_WARMUP) and ramp[SCHEDULE_WARMUP - 1] == pytest.approx(0.1)
    assert ramp[-1] < 1e-4 and np.all(runs[(0.1, False)].rates == 0.1)


def test_the_schedule_pictures_show_or_name_the_stub():
    from IPython.display import Image, Markdown

    from lessons.demos.adaptive import schedule_demo, schedules_figure
    from solutions.adaptive import adam_step, cosine_decay, exponential_decay, step_decay, warmup_cosine

    assert isinstance(schedules_figure(step_decay, exponential_decay, cosine_decay, warmup_cosine), Image)
    note = schedules_figure(step_decay, stub("exponential_decay"), cosine_decay, warmup_cosine)
    assert isinstance(note, Markdown) and "Implement `exponential_decay` first" in note.data
    note = schedule_demo(adam_step, stub("warmup_cosine"))
    assert isinstance(note, Markdown) and "Implement `warmup_cosine` first" in note.data


def test_the_bias_correction_figure_shows_or_names_the_stub():
    from IPython.display import Image, Markdown

    from lessons.demos.adaptive import bias_correction_figure
    from solutions.adaptive import adam_step

    assert isinstance(bias_correction_figure(adam_step, steps=50), Image)
    note = bias_correction_figure(stub("adam_step"))
    assert isinstance(note, Markdown) and "Implement `adam_step` first" in note.data
