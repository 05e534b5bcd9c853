"""Lesson 04's demo: zeros and small random weights stall, Glorot and He learn; zeros keep units identical."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.demos.initializers import (compare_starts, demo, standardized_digits, symmetry_runs, unit_spread,
                                        zeros_init)
from solutions import initializers as ref

from .stubs import stub

pytestmark = pytest.mark.lesson04


def test_unit_spread_is_zero_exactly_for_equal_columns():
    assert unit_spread(np.tile([[1.0], [-2.0], [3.0]], (1, 5))) == 0.0
    assert unit_spread(zeros_init(4, 3)) == 0.0
    # one input, two units with weights -1 and 1: standard deviation 1 across the units
    assert unit_spread(np.array([[-1.0, 1.0]])) == pytest.approx(1.0)


def test_digits_are_standardized_on_the_training_set():
    X_train, y_train, X_test, y_test = standardized_digits()
    assert X_train.shape[1] == 64 and len(X_train) == len(y_train) and len(X_test) == len(y_test)
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-12)
    stds = X_train.std(axis=0)
    assert np.all((np.abs(stds - 1) < 1e-12) | (stds == 0))


def test_glorot_and_he_learn_where_zeros_and_small_weights_stall():
    runs = {run.name: run for run in compare_starts(ref.small_random_init, ref.glorot_uniform, ref.glorot_normal,
                                                    ref.he_normal)}
    assert set(runs) == {"zeros", "small random (0.01)", "Glorot uniform", "Glorot normal", "He normal"}
    for name in ("Glorot uniform", "Glorot normal", "He normal"):
        assert runs[name].test_accuracy[-1] >= 0.9, name
    for name in ("zeros", "small random (0.01)"):
        assert runs[name].test_accuracy.max() <= 0.15, name
    assert np.all(runs["zeros"].spread == 0.0) and not np.any(runs["zeros"].first_layer)
    assert runs["He normal"].train_loss[-1] < 0.5 * runs["He normal"].train_loss[0]


def test_sigmoid_units_started_from_zeros_move_but_stay_identical():
    zeros, glorot = symmetry_runs(ref.glorot_uniform)
    assert np.all(zeros.spread == 0.0), "the units must stay exact copies of each other"
    assert np.linalg.norm(zeros.first_layer) > 1.0, "yet their weights do change"
    assert np.all(zeros.first_layer == zeros.first_layer[:, :1])
    assert glorot.spread[-1] > 0.1
    assert glorot.test_accuracy[-1] >= 0.9 > 0.5 >= zeros.test_accuracy[-1]


def test_demo_names_the_stub_to_implement():
    note = demo(stub("small_random_init"), ref.glorot_uniform, ref.glorot_normal, ref.he_normal)
    assert "Implement `small_random_init` first" in note.data and "this demo" in note.data


def test_demo_explains_a_wrong_shape():
    def he_normal(fan_in, fan_out, *, rng):
        return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_out, fan_in))

    note = demo(ref.small_random_init, ref.glorot_uniform, ref.glorot_normal, he_normal)
    assert "Your `he_normal(3, 2, rng=rng)` returned shape (2, 3), expected (3, 2)" in note.data


def test_demo_returns_an_image_every_front_end_shows():
    image = demo(ref.small_random_init, ref.glorot_uniform, ref.glorot_normal, ref.he_normal)
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
