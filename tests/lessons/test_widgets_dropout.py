"""Lesson 08's widget: the drawing greys out exactly the zeros of the student's mask, the button draws a
new mask, the slider moves the curves in place without training again, and stubs get a note.

Oracles: the masks the student's function actually returned (recorded by a spy), and training runs
made here with :func:`lessons.network.train` and a dropout layer written in this file
(``(rng.random(shape) >= p) / (1 - p)``), independently of the widget's code.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from lessons import network
from lessons.demos.dropout import P_GRID
from lessons.demos.dropout import EPOCHS
from lessons.demos.regularization import BATCH_SIZE, LR, SIZES, noisy_digits
from lessons.widgets.dropout import LAYERS, dropout_widget
from lessons.widgets.kit import PALETTE
from solutions import dropout as ref

from .stubs import stub

pytestmark = pytest.mark.lesson08

N_HIDDEN = LAYERS[1]
GREY = to_rgba("#DDDDDD")


class Spy:
    """The reference ``dropout_forward``, recording the masks of the drawing and counting training calls."""

    def __init__(self):
        self.drawn: list[np.ndarray] = []
        self.training_calls = 0
        self.__name__ = "dropout_forward"

    def __call__(self, x, *, p, rng, train=True):
        out, mask = ref.dropout_forward(x, p=p, rng=rng, train=train)
        if np.shape(x) == (1, N_HIDDEN):
            self.drawn.append(mask[0].copy())
        elif np.ndim(x) == 2 and np.shape(x)[1] == SIZES[1]:  # the hidden layer of the trained network
            self.training_calls += 1
        return out, mask


@pytest.fixture(scope="module")
def spied():
    spy = Spy()
    return spy, dropout_widget(spy, ref.dropout_backward)


def _hidden_colours(panel) -> np.ndarray:
    units = panel.figure.axes[0].collections[1]
    start = LAYERS[0]
    return units.get_facecolors()[start:start + N_HIDDEN]


def _is_grey(colours) -> np.ndarray:
    return np.all(np.isclose(colours, GREY), axis=1)


def _line(panel, axes: int, label: str):
    return next(line for line in panel.figure.axes[axes].lines if line.get_label() == label)


def _test_dropout(x, *, p, rng, train=True):
    """Inverted dropout written here: the oracle of the training curves.

    It draws one uniform number per unit and drops the unit below ``p``, in the order the reference
    does, so with the same seeds the runs coincide number for number.
    """
    if not train:
        return np.array(x, dtype=float), np.ones(np.shape(x))
    mask = (rng.random(np.shape(x)) >= p) / (1.0 - p)
    return x * mask, mask


def _oracle_run(p: float) -> network.History:
    data = noisy_digits()
    start = network.init_network(SIZES, rng=np.random.default_rng(0))
    dropout = None if p == 0 else network.Dropout(_test_dropout, lambda dout, mask: dout * mask, p)
    _, history = network.train(start, data.X_train, data.y_train, epochs=EPOCHS, batch_size=BATCH_SIZE,
                               optimizer=network.Optimizer.sgd(lr=LR), rng=np.random.default_rng(1),
                               dropout=dropout, X_val=data.X_val, y_val=data.y_val)
    return history


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8, 0.0, 0.9])
def test_grey_units_are_the_zeros_of_the_students_mask(spied, p):
    spy, panel = spied
    panel.controls["p"].value = p
    mask = spy.drawn[-1]
    grey = _is_grey(_hidden_colours(panel))
    np.testing.assert_array_equal(grey, mask == 0)
    n_dropped = int(np.sum(mask == 0))
    assert f"<b>{n_dropped} of {N_HIDDEN}</b> hidden units dropped" in panel.status.value
    # Every connection into or out of a dropped unit is faded: (inputs + outputs) per dropped unit.
    edges = panel.figure.axes[0].collections[0]
    faded = np.sum(edges.get_colors()[:, 3] < 0.2)
    assert faded == n_dropped * (LAYERS[0] + LAYERS[2])
    if p == 0:
        assert not grey.any()


def test_the_kept_units_factor_is_shown(spied):
    spy, panel = spied
    panel.controls["p"].value = 0.8
    label = next(t for t in panel.figure.axes[0].texts if t.get_text().startswith(("kept", "all")))
    if np.any(spy.drawn[-1] != 0):
        assert label.get_text() == "kept \u00d7 5"  # 1 / (1 - 0.8)
    assert "1 / (1 - p) = 5" in panel.status.value


def test_the_button_draws_a_new_mask_and_keeps_the_curves(spied):
    spy, panel = spied
    panel.controls["p"].value = 0.5
    before_mask, before_grey = spy.drawn[-1], _is_grey(_hidden_colours(panel))
    val = _line(panel, 1, "validation").get_ydata().copy()
    panel.click("resample")
    after_mask, after_grey = spy.drawn[-1], _is_grey(_hidden_colours(panel))
    assert not np.array_equal(before_mask, after_mask), "a click must draw another mask"
    assert not np.array_equal(before_grey, after_grey)
    np.testing.assert_array_equal(after_grey, after_mask == 0)
    np.testing.assert_array_equal(_line(panel, 1, "validation").get_ydata(), val)


def test_the_slider_redraws_in_place_without_training_again(spied):
    spy, panel = spied
    lines = [_line(panel, 1, "training"), _line(panel, 1, "validation")]
    units = panel.figure.axes[0].collections[1]
    calls = spy.training_calls
    assert calls > 0, "the grid was trained with the student's function"
    seen = []
    for p in P_GRID:
        panel.controls["p"].value = p
        seen.append(lines[1].get_ydata().copy())
    assert spy.training_calls == calls, "moving the slider must not train again"
    assert [_line(panel, 1, "training"), _line(panel, 1, "validation")] == lines, "the same artists are updated"
    assert panel.figure.axes[0].collections[1] is units
    assert len({tuple(np.round(s, 12)) for s in seen}) == len(P_GRID), "each p has its own curve"


@pytest.mark.parametrize("p", [0.0, 0.5])
def test_the_curves_are_the_runs_of_that_p(spied, p):
    _, panel = spied
    panel.controls["p"].value = p
    history = _oracle_run(p)
    np.testing.assert_allclose(_line(panel, 1, "training").get_ydata(), history.train_loss, rtol=1e-9)
    np.testing.assert_allclose(_line(panel, 1, "validation").get_ydata(), history.val_loss, rtol=1e-9)
    dot = next(line for line in panel.figure.axes[2].lines if line.get_marker() == "o" and len(line.get_xdata()) == 1)
    assert dot.get_xdata()[0] == pytest.approx(p) and dot.get_ydata()[0] == pytest.approx(history.val_accuracy[-1])
    np.testing.assert_allclose(_line(panel, 1, "no dropout: validation").get_ydata(), _oracle_run(0.0).val_loss,
                               rtol=1e-9)


def test_the_accuracy_panel_shows_overfitting_and_underfitting(spied):
    _, panel = spied
    val = _line(panel, 2, "validation").get_ydata()
    train = _line(panel, 2, "training (noisy labels)").get_ydata()
    np.testing.assert_allclose(_line(panel, 2, "validation").get_xdata(), P_GRID)
    assert train[0] == 1.0, "without dropout the 40 wrong labels are memorized"
    assert val[P_GRID.index(0.5)] >= val[0] + 0.04, "dropout 0.5 generalizes better than no dropout"
    assert train[-1] < 0.8 and val[-1] < val[0], "p = 0.9 underfits"


def test_a_stub_forward_gets_a_note_not_a_traceback():
    panel = dropout_widget(stub("dropout_forward"), ref.dropout_backward)
    assert "Implement <code>dropout_forward</code> first" in panel.status.value
    assert not any(ax.get_visible() for ax in panel.figure.axes)
    panel.controls["p"].value = 0.3
    panel.click("resample")
    assert "Implement <code>dropout_forward</code> first" in panel.status.value


def test_a_stub_backward_gets_a_note_before_any_training():
    spy = Spy()
    panel = dropout_widget(spy, stub("dropout_backward"))
    assert "Implement <code>dropout_backward</code> first" in panel.status.value
    assert spy.training_calls == 0


def test_a_forward_returning_only_out_is_named():
    def dropout_forward(x, *, p, rng, train=True):
        return ref.dropout_forward(x, p=p, rng=rng, train=train)[0]

    panel = dropout_widget(dropout_forward, ref.dropout_backward)
    assert "<code>dropout_forward</code> should return a pair (out, mask)" in panel.status.value


def test_the_palette_marks_kept_units_blue(spied):
    _, panel = spied
    panel.controls["p"].value = 0.2
    colours = _hidden_colours(panel)
    kept = ~_is_grey(colours)
    assert kept.any() and np.all(np.isclose(colours[kept], to_rgba(PALETTE["blue"])))
