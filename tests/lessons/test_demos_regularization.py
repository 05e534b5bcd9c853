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


# --- the static figure: L1 against L2 on one weight ---
# Oracles: the closed forms lam w**2 / 2, lam w, lam |w|, lam sign(w), and central differences of the penalty
# curves; for pure decay (no data gradient), L2 gives w0 (1 - lr lam)**t and L1 gives w0 - t lr lam until 0.


def test_the_penalty_curves_are_the_closed_forms_and_their_slopes():
    from lessons.demos.regularization import penalty_curves

    w = np.linspace(-2.0, 2.0, 401)
    c = penalty_curves(ref.l2_penalty, ref.l2_penalty_grad, ref.l1_penalty, ref.l1_penalty_grad, w, lam=0.5)
    np.testing.assert_allclose(c["l2"], 0.25 * w**2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(c["l2_grad"], 0.5 * w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(c["l1"], 0.5 * np.abs(w), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(c["l1_grad"], 0.5 * np.sign(w), rtol=0, atol=0)
    h = w[1] - w[0]
    away = np.abs(w[1:-1]) > 1.5 * h  # the corner of |w| at 0 has no derivative
    for key in ("l2", "l1"):
        slope = (c[key][2:] - c[key][:-2]) / (2 * h)
        np.testing.assert_allclose(slope[away], c[key + "_grad"][1:-1][away], rtol=1e-6, atol=1e-9)


def test_pure_decay_shrinks_l2_geometrically_and_takes_l1_linearly_to_zero():
    from lessons.demos.regularization import decay_paths

    paths = decay_paths(ref.l2_penalty_grad, ref.l1_penalty_grad, lr=0.1, lam=0.5, steps=40, start=1.0)
    t = np.arange(41)
    np.testing.assert_allclose(paths["l2"], 0.95**t, rtol=1e-12)
    assert paths["l2"][10] == pytest.approx(0.5987, abs=1e-4), "the lesson's 0.95**10, about 0.60"
    assert np.all(paths["l2"] > 0), "L2 never reaches 0"
    # L1 moves by lr * lam = 0.05 per step: 1 - 0.05 t, which is 0 at t = 20.
    np.testing.assert_allclose(paths["l1"][:20], 1.0 - 0.05 * t[:20], rtol=0, atol=1e-12)
    after = paths["l1"][20:]
    assert np.all(np.abs(after) <= 0.05 + 1e-12), "plain L1 steps stay within lr * lam of 0"
    assert np.all(after != 0.0) and np.ptp(after) > 0.04, "plain L1 steps hop around 0 instead of landing on it"
    np.testing.assert_allclose(paths["l1_stopped"], np.maximum(1.0 - 0.05 * t, 0.0), rtol=0, atol=1e-12)
    # 20 steps in exact arithmetic; in floating point the 20th step ends at about -3e-16, which the stop turns
    # into 0 (the figure says "exactly 0 from step 20").
    assert np.flatnonzero(paths["l1_stopped"] == 0.0)[0] == 20
    assert np.all(paths["l1_stopped"][20:] == 0.0)


def test_the_penalties_figure_shows_or_names_the_stub():
    from IPython.display import Image, Markdown

    from lessons.demos.regularization import penalties_figure

    names = ("l2_penalty", "l2_penalty_grad", "l1_penalty", "l1_penalty_grad")
    assert isinstance(penalties_figure(*(getattr(ref, n) for n in names)), Image)
    for missing in names:
        note = penalties_figure(*(stub(n) if n == missing else getattr(ref, n) for n in names))
        assert isinstance(note, Markdown) and f"Implement `{missing}` first" in note.data
