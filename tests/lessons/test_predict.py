"""Predict, then reveal: the widget, the kept answers, and every question's answer computed.

Oracles: the closed forms behind each question (1 / (2p), 1 - mu**k, 1 / sqrt(t), 4**10, 2 * n_params),
the course's own reference functions run step by step, and the lessons' surfaces.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from grader.course import LESSONS
from lessons.predict import Prediction, Question, load_answers, predict, save_answer
from lessons.questions import QUESTIONS

pytestmark = pytest.mark.project

ROOT = Path(__file__).resolve().parents[2]


def test_every_lesson_asks_at_least_two_questions_each_exactly_once():
    asked = {}
    for lesson in LESSONS:
        source = (ROOT / "authoring" / f"{lesson.id}.py").read_text()
        keys = re.findall(r'predict\("([^"]+)"\)', source)
        assert len(keys) >= 2, f"{lesson.id} asks {len(keys)} prediction question(s)"
        assert all(k.startswith(lesson.id[:2] + "-") for k in keys), keys
        for key in keys:
            asked[key] = asked.get(key, 0) + 1
    assert asked == {key: 1 for key in QUESTIONS}, "every question is asked, once"


def test_a_question_must_make_sense():
    with pytest.raises(ValueError, match="index one of its 2 choices"):
        Question("x", "?", 2, "because", choices=("a", "b"))
    with pytest.raises(ValueError, match="finite number"):
        Question("x", "?", math.nan, "because")
    with pytest.raises(ValueError, match="tolerance"):
        Question("x", "?", 1.0, "because", tolerance=1.5)
    assert Question("x", "?", 10.0, "because", tolerance=0.1).is_right(10.9)
    assert not Question("x", "?", 10.0, "because", tolerance=0.1).is_right(11.5)
    assert not Question("x", "?", 10.0, "because").is_right("ten")


def test_answering_reveals_the_answer_and_keeps_it_for_the_next_run(tmp_path):
    store = tmp_path / "predictions.json"
    widget = predict("03-noise-of-a-quarter-batch", store=store)
    assert not widget.revealed and widget.again.layout.display == "none"
    widget.answer("4")
    assert widget.revealed and "Not quite" in widget.reveal.value and "<b>2</b>" in widget.reveal.value
    assert json.loads(store.read_text()) == {"03-noise-of-a-quarter-batch": "4"}
    again = predict("03-noise-of-a-quarter-batch", store=store)  # the cell run again
    assert again.revealed and again.choice.value == "4" and "Your prediction: <b>4</b>" in again.reveal.value
    again.answer("2")
    assert "Right." in again.reveal.value and load_answers(store)["03-noise-of-a-quarter-batch"] == "2"
    again.reset()
    assert not again.revealed and again.choice.value is None and load_answers(store) == {}


def test_a_number_question_takes_a_number(tmp_path):
    widget = predict("05-velocity-90", store=tmp_path / "p.json")
    widget.number.value = 229.0
    widget.check.click()
    assert "Right." in widget.reveal.value
    assert predict("05-velocity-90", store=tmp_path / "p.json").number.value == 229.0


def test_other_answers_are_kept_and_a_broken_store_is_ignored(tmp_path):
    store = tmp_path / "predictions.json"
    store.write_text("{not json")
    assert load_answers(store) == {}
    widget = predict("08-halve-the-distance", store=store)
    assert not widget.revealed
    save_answer(store, "01-ce-gradient-at-0.01", "about 50")
    widget.answer("4")
    assert load_answers(store) == {"01-ce-gradient-at-0.01": "about 50", "08-halve-the-distance": "4"}


def test_a_folder_that_cannot_be_written_costs_only_the_memory(tmp_path):
    store = tmp_path / "gone" / "predictions.json"  # its folder does not exist: no file can be written there
    widget = predict("08-halve-the-distance", store=store)
    widget.answer("2")
    assert widget.revealed and "not kept" in widget.reveal.value and not store.exists()


def test_an_unknown_question_is_named():
    with pytest.raises(ValueError, match="no prediction question 'nope'"):
        predict("nope")
    assert isinstance(predict("10-best-h"), Prediction)  # reading a store that does not exist is no error


# --- the answers, computed ------------------------------------------------------------------------

def _choice(key: str) -> str:
    return QUESTIONS[key].answer_text


def test_01_the_gradient_ratio_at_001():
    p = 0.01
    ce, mse = abs(p - 1), abs(2 * (p - 1) * p * (1 - p))
    assert round(ce / mse) == 51 and _choice("01-ce-gradient-at-0.01") == "about 50"


def test_02_temperature_and_accuracy():
    from solutions.softmax import softmax

    np.testing.assert_allclose(softmax(np.array([1.0, 2.0, 3.0]) / 1e9), [1 / 3] * 3, rtol=1e-8)
    assert _choice("02-temperature-to-infinity") == "(1/3, 1/3, 1/3)"


def test_02_the_smoothed_best_probability():
    from lessons.demos.softmax import _GAPS, smoothing_curves
    from solutions.softmax import log_softmax, softmax

    gap = _GAPS[int(np.argmin(smoothing_curves(log_softmax, epsilons=(0.1,))[0.1]))]
    logits = np.zeros(10)
    logits[0] = gap
    assert QUESTIONS["02-smoothed-best-probability"].is_right(float(softmax(logits)[0]))


def test_03_noise_and_steps_per_epoch():
    rng = np.random.default_rng(3)
    per_example = rng.normal(size=(200_000,))
    spread = [per_example[: (len(per_example) // b) * b].reshape(-1, b).mean(axis=1).std() for b in (32, 8)]
    assert 1.9 < spread[1] / spread[0] < 2.1 and _choice("03-noise-of-a-quarter-batch") == "2"
    assert math.ceil(1348 / 32) == 43


def test_04_small_random_weights_shrink_the_spread_tenfold():
    from solutions.initializers import layer_activation_stds, small_random_init

    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 100))
    stds = layer_activation_stds(x, [small_random_init(100, 100, rng=rng) for _ in range(4)], np.tanh)
    ratios = stds[1:] / stds[:-1]
    assert np.all(np.abs(ratios - QUESTIONS["04-small-random-factor"].answer) < 0.01)


def test_05_velocity_plateau_and_newton():
    from lessons.demos import landscape
    from solutions.momentum import critical_point_type, momentum_step, newton_step

    grad, v, steps = np.array([1.0]), np.zeros(1), 0
    while True:
        _, v = momentum_step(np.zeros(1), grad, v, lr=1.0, momentum=0.99)
        steps += 1
        if abs(v[0]) >= 0.9 * 1.0 / (1 - 0.99):
            break
    assert steps == QUESTIONS["05-velocity-90"].answer
    path = landscape.descent_path(momentum_step, (0.0, -2.5), lr=0.1, momentum=0.0)
    assert "crawling" in landscape.describe(path, critical_point_type)
    assert _choice("05-plateau-start") == "still crawling on the plateau"
    saddle = next(c for c in landscape.CRITICAL_POINTS if c.kind == "saddle")
    assert np.linalg.norm(landscape.newton_path(newton_step)[-1] - saddle.point) < 1e-9
    assert _choice("05-newton-near-saddle") == "onto the saddle"


def test_06_adam_and_adagrad_steps():
    from solutions.adaptive import adagrad_step

    m, v = 0.1 * 1.0, 0.001 * 1.0
    assert round(m / math.sqrt(v), 2) == 3.16 and _choice("06-uncorrected-first-step").startswith("about 3")
    theta, r, moves = np.zeros(1), np.zeros(1), []
    for _ in range(100):
        new, r = adagrad_step(theta, np.ones(1), r, lr=1.0, eps=1e-12)
        moves.append(float(theta[0] - new[0]))
        theta = new
    assert math.isclose(moves[99] / moves[0], QUESTIONS["06-adagrad-after-100"].answer, rel_tol=1e-6)


def test_06_l2_inside_adam_spares_the_large_gradients():
    from lessons.demos.adaptive import DECAY_SCALES, weight_decay_runs
    from solutions.adaptive import adam_step, adamw_step

    runs = weight_decay_runs(adam_step, adamw_step)
    least = int(np.argmax(np.abs(runs.l2_in_adam[-1])))
    assert _choice("06-l2-inside-adam") == f"the one with gradients of size {DECAY_SCALES[least]:g}"


def test_06_warmup_rescues_the_large_rate():
    from lessons.demos.adaptive import schedule_runs
    from solutions.adaptive import adam_step, warmup_cosine

    runs = {r.scheduled: r for r in schedule_runs(adam_step, warmup_cosine, rates=(0.3,))}
    assert runs[True].test_accuracy > 0.9 and runs[False].test_accuracy < 0.6
    assert _choice("06-warmup-at-0.3") == "warmup + cosine trains well, the constant rate does not"


def test_07_patience_can_only_move_the_best_epoch_later():
    from solutions.regularization import early_stopping

    rng = np.random.default_rng(7)
    for _ in range(200):
        losses = list(rng.random(12))
        bests = [early_stopping(losses, patience=p)[1] for p in range(1, 12)]
        assert bests == sorted(bests)
    assert _choice("07-more-patience") == "the same or later"


def test_08_no_rescaling_and_the_square_root_law():
    rng = np.random.default_rng(8)
    kept = rng.random(1_000_000) >= 0.5
    assert 1.99 < 1.0 / kept.mean() < 2.01 and QUESTIONS["08-no-rescaling"].answer == 2.0
    assert math.sqrt(4) == 2 and _choice("08-halve-the-distance") == "4"


def test_09_ten_sigmoid_layers():
    from solutions.activations import sigmoid_grad

    assert float(np.max(sigmoid_grad(np.linspace(-10, 10, 2001)))) == 0.25
    assert 4 ** 10 == 1_048_576 and _choice("09-ten-sigmoid-layers") == "about 1,000,000"


def test_09_the_loss_scale_for_float16():
    from lessons.demos.activations import loss_scaling
    from solutions import activations

    r = loss_scaling(activations.sigmoid, activations.sigmoid_grad, scales=(1.0, 2.0**4, 2.0**16, 2.0**32))
    harmed = r.flushed + r.imprecise + r.overflowed
    assert QUESTIONS["09-scale-for-float16"].choices[int(np.argmin(harmed))] == _choice("09-scale-for-float16")


def test_10_best_step_and_the_cost_of_a_numerical_gradient():
    from lessons.demos.backprop import SIZES
    from lessons.widgets.backprop import H_GRID, error_curve
    from solutions import backprop

    errors = error_curve(backprop.mlp_backward, backprop.numerical_gradient, backprop.relative_error,
                         activation="tanh", depth=1)
    best = H_GRID[int(np.argmin(errors))]
    choices = [float(c) for c in QUESTIONS["10-best-h"].choices]
    assert min(choices, key=lambda c: abs(math.log10(c / best))) == float(_choice("10-best-h"))
    n_params = sum(a * b + b for a, b in zip(SIZES[:-1], SIZES[1:]))
    assert n_params == 4810 and _choice("10-numerical-cost") == "about 10,000"
