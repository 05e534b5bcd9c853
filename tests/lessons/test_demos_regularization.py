"""Lesson 07's demos: the L2 sweep and L1 on the noisy digits, and a bag that beats its members."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.demos.regularization import (
    LABEL_NOISE,
    N_TRAIN,
    TINY,
    bagging_demo,
    bagging_runs,
    noisy_digits,
    penalty_demo,
    penalty_runs,
    penalty_summary,
    plot_penalties,
)
from solutions import regularization as ref

from .stubs import stub

pytestmark = pytest.mark.lesson07


def test_the_data_has_exactly_the_stated_share_of_wrong_labels():
    data = noisy_digits()
    assert data.X_train.shape == (N_TRAIN, 64) and len(data.y_val) == len(data.y_test) == 449
    assert int(data.flipped.sum()) == round(LABEL_NOISE * N_TRAIN)
    assert np.all(data.y_train[data.flipped] != data.y_train_true[data.flipped])
    assert np.array_equal(data.y_train[~data.flipped], data.y_train_true[~data.flipped])


@pytest.fixture(scope="module")
def penalties():
    return penalty_runs(ref.l2_penalty, ref.l2_penalty_grad, ref.l1_penalty, ref.l1_penalty_grad)


def test_l2_beats_no_penalty_and_stops_the_memorizing(penalties):
    none, best = penalties.l2_runs[0], penalties.best_l2
    assert none.lam == 0 and none.train_accuracy[-1] == 1.0, "without a penalty the wrong labels are memorized"
    assert best.lam > 0
    assert best.val_accuracy[-1] >= none.val_accuracy[-1] + 0.05
    assert best.test_accuracy[-1] >= none.test_accuracy[-1] + 0.04
    assert best.train_accuracy[-1] < 0.95
    strongest = penalties.l2_runs[-1]
    assert strongest.val_accuracy[-1] < best.val_accuracy[-1] - 0.1, "too much penalty underfits"


def test_l1_makes_the_first_layer_sparse(penalties):
    none, l1 = penalties.l2_runs[0], penalties.l1_run
    assert np.mean(np.abs(l1.first_layer) < TINY) > 0.6
    assert np.mean(np.abs(none.first_layer) < TINY) < 0.05


def test_the_figure_shows_the_sweep_and_the_weights(penalties):
    fig = plot_penalties(penalties)
    ax_acc, ax_w = fig.axes
    val = next(line for line in ax_acc.lines if line.get_label() == "validation")
    np.testing.assert_allclose(val.get_ydata(), [r.val_accuracy[-1] for r in penalties.l2_runs])
    labels = [text.get_text() for text in ax_w.get_legend().get_texts()]
    assert len(labels) == 3 and labels[0].startswith("no penalty") and labels[2].startswith("L1")
    summary = penalty_summary(penalties)
    assert f"Best L2 (lam = {penalties.best_l2.lam:g})" in summary


@pytest.mark.parametrize("name", ["l2_penalty", "l2_penalty_grad", "l1_penalty", "l1_penalty_grad"])
def test_penalty_demo_names_the_stub_to_implement(name):
    fns = {n: getattr(ref, n) for n in ("l2_penalty", "l2_penalty_grad", "l1_penalty", "l1_penalty_grad")}
    fns[name] = stub(name)
    note = penalty_demo(*fns.values())
    assert f"Implement `{name}` first" in note.data


def test_a_gradient_of_the_wrong_shape_is_named():
    def l2_penalty_grad(W, *, lam):
        return lam * np.sum(W)

    note = penalty_demo(ref.l2_penalty, l2_penalty_grad, ref.l1_penalty, ref.l1_penalty_grad)
    assert "`l2_penalty_grad` should return an array of the shape of W" in note.data


@pytest.fixture(scope="module")
def bag():
    return bagging_runs(ref.bootstrap_indices, ref.bagging_predict)


def test_the_bag_beats_every_member(bag):
    members = bag.member_accuracy
    assert bag.ensemble_accuracy[-1] > members.max()
    assert bag.ensemble_accuracy[-1] >= members.mean() + 0.04
    assert bag.ensemble_accuracy[-1] > bag.single_accuracy
    assert bag.ensemble_accuracy[0] == pytest.approx(members[0]), "a bag of one is its member"


def test_members_see_about_63_percent_of_the_images(bag):
    assert np.all(np.abs(bag.distinct_share - (1 - (1 - 1 / N_TRAIN) ** N_TRAIN)) < 0.08)


@pytest.mark.parametrize("name", ["bootstrap_indices", "bagging_predict"])
def test_bagging_demo_names_the_stub_to_implement(name):
    fns = {"bootstrap_indices": ref.bootstrap_indices, "bagging_predict": ref.bagging_predict}
    fns[name] = stub(name)
    note = bagging_demo(*fns.values())
    assert f"Implement `{name}` first" in note.data


def test_indices_out_of_range_are_named():
    def bootstrap_indices(n, *, rng):
        return rng.integers(0, n + 1, size=n)

    note = bagging_demo(bootstrap_indices, ref.bagging_predict)
    assert "`bootstrap_indices(3, rng=rng)` returned indices from" in note.data and "must lie in [0, 2]" in note.data
