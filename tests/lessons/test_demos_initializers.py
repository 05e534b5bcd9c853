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


# --- the figure of the spread through 10 layers ---
# Oracles, from section 2's Var[z] = m sigma^2 E[h^2] with m = 256 and inputs of spread about 1:
# - small random (0.01), tanh: z is tiny, tanh(z) ~ z, so each layer multiplies the spread by 0.01 sqrt(256) = 0.16;
# - Glorot normal (sigma^2 = 2 / 512 = 1 / 256), tanh: z ~ N(0, 1) in layer 1, so its spread is sqrt(E[tanh(Z)^2]),
#   computed here by Gauss-Hermite quadrature;
# - ReLU of z ~ N(0, s^2): E[h^2] = s^2 / 2 and E[h] = s / sqrt(2 pi), so std = s sqrt(1/2 - 1/(2 pi)); layer 1 has
#   s^2 = 2 with He (std sqrt(1 - 1/pi) = 0.826) and 1 with Glorot (0.584), and after that the factor per layer is 1
#   with He (the second moment is kept) and sqrt(1/2) with Glorot;
# - doubling He's weights doubles every layer's ReLU output exactly: the spread of layer l is 2^l times He's.

@pytest.fixture(scope="module")
def depth():
    from lessons.demos.initializers import depth_configs, depth_stds

    return depth_stds(ref.layer_activation_stds, depth_configs(ref.small_random_init, ref.glorot_normal,
                                                                ref.he_normal))


def _mean_factor(stds):
    return (stds[-1] / stds[1]) ** (1 / (len(stds) - 2))


def test_the_depth_figures_spreads_follow_the_variance_argument(depth):
    from lessons.demos.initializers import DEPTH_LAYERS

    assert list(depth) == ["small random (0.01), tanh", "Glorot normal, tanh", "Glorot normal, ReLU",
                           "He normal, ReLU", "He normal x 2, ReLU"]
    spread_in = depth["He normal, ReLU"][0]
    assert all(len(s) == DEPTH_LAYERS + 1 and s[0] == spread_in for s in depth.values())
    assert spread_in == pytest.approx(1.0, abs=0.01), "standard normal inputs"
    assert _mean_factor(depth["small random (0.01), tanh"]) == pytest.approx(0.16, rel=0.02)
    nodes, weights = np.polynomial.hermite_e.hermegauss(60)
    tanh_spread = np.sqrt(np.sum(weights * np.tanh(nodes) ** 2) / np.sqrt(2 * np.pi))  # 0.6278
    assert depth["Glorot normal, tanh"][1] == pytest.approx(tanh_spread * spread_in, rel=0.02)
    assert depth["He normal, ReLU"][1] == pytest.approx(np.sqrt(1 - 1 / np.pi) * spread_in, rel=0.03)
    assert depth["Glorot normal, ReLU"][1] == pytest.approx(np.sqrt((1 - 1 / np.pi) / 2) * spread_in, rel=0.03)
    # Each layer's factor is random (256 units); their mean over 9 layers ranged from 0.69 to 0.74 (Glorot) and from
    # 0.98 to 1.05 (He) over 20 seeds, and is 0.70 and 0.99 with this one.
    assert _mean_factor(depth["Glorot normal, ReLU"]) == pytest.approx(np.sqrt(0.5), rel=0.05)
    assert _mean_factor(depth["He normal, ReLU"]) == pytest.approx(1.0, rel=0.05)
    layers = np.arange(DEPTH_LAYERS + 1)
    np.testing.assert_allclose(depth["He normal x 2, ReLU"][1:], 2.0 ** layers[1:] * depth["He normal, ReLU"][1:],
                               rtol=1e-10)


def test_he_without_its_factor_2_shows_in_the_depth_data():
    from lessons.demos.initializers import depth_stds

    def lecun(fan_in, fan_out, *, rng):  # sigma^2 = 1 / fan_in: ReLU then halves the second moment per layer
        return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))

    (stds,) = depth_stds(ref.layer_activation_stds, [("LeCun", lecun, lambda z: np.maximum(z, 0.0), 1.0)]).values()
    assert _mean_factor(stds) == pytest.approx(np.sqrt(0.5), rel=0.05)


def test_the_depth_figure_shows_or_names_the_stub():
    from IPython.display import Image, Markdown

    from lessons.demos.initializers import init_depth_figure

    names = ("small_random_init", "glorot_normal", "he_normal", "layer_activation_stds")
    assert isinstance(init_depth_figure(*(getattr(ref, n) for n in names)), Image)
    for missing in names:
        note = init_depth_figure(*(stub(n) if n == missing else getattr(ref, n) for n in names))
        assert isinstance(note, Markdown) and f"Implement `{missing}` first" in note.data, missing
