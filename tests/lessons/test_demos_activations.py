"""Lesson 09's demo: deep sigmoid stalls, ReLU/He learns, clipping rescues a large learning rate."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.demos.activations import compare_activations, compare_clipping, demo
from solutions import activations as A

from .stubs import stub

pytestmark = pytest.mark.lesson09


def test_deep_sigmoid_stalls_and_relu_he_learns():
    sig, rel = compare_activations(A.sigmoid, A.sigmoid_grad, A.relu, A.relu_grad)
    assert sig.test_accuracy[-1] < 0.25, "the deep sigmoid network should stay near chance"
    assert rel.test_accuracy[-1] >= 0.85
    first_epoch = sig.grad_norms[0]
    assert first_epoch[0] < 1e-3 * first_epoch[-1], "the sigmoid network's first layer gets a vanishing gradient"
    assert 0.1 < rel.grad_norms[0][0] / rel.grad_norms[0][-1] < 10


def test_clipping_rescues_the_large_learning_rate():
    plain, clipped = compare_clipping(A.relu, A.relu_grad, A.clip_by_global_norm)
    assert not np.all(np.isfinite(plain.train_loss)), "without clipping, lr 0.5 should blow up"
    assert np.all(np.isfinite(clipped.train_loss)) and clipped.test_accuracy[-1] >= 0.85


@pytest.mark.parametrize("name", ["sigmoid", "relu_grad", "clip_by_global_norm"])
def test_demo_names_the_stub_to_implement(name):
    fns = {n: getattr(A, n) for n in ("sigmoid", "sigmoid_grad", "relu", "relu_grad", "clip_by_global_norm")}
    fns[name] = stub(name)
    note = demo(**fns)
    assert f"Implement `{name}` first" in note.data


def test_demo_returns_an_image_every_front_end_shows():
    image = demo(A.sigmoid, A.sigmoid_grad, A.relu, A.relu_grad, A.clip_by_global_norm)
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"


# --- dying ReLUs ---
# Oracle: a ReLU unit negative on every training image gets a gradient of exactly 0 for all of its weights,
# so the set of dead units can only grow; leaky ReLU and ELU units keep a slope there and can come back.

DYING = ("relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "elu", "elu_grad")


@pytest.fixture(scope="module")
def dying():
    from lessons.demos.activations import dying_runs

    return dying_runs(*(getattr(A, n) for n in DYING))


def test_dead_relu_units_never_come_back_and_the_others_do(dying):
    relu, leaky, elu = dying
    assert relu.dead_share[0] > 0.8, "biases of -2 start most units on the negative side"
    assert np.all(np.diff(relu.dead_share) >= 0), "a dead ReLU unit gets no gradient: the share can only grow"
    assert elu.dead_share[-1] < relu.dead_share[-1] - 0.2
    assert leaky.dead_share[-1] < relu.dead_share[-1]
    assert elu.test_accuracy[-1] > relu.test_accuracy[-1] + 0.2
    assert leaky.test_accuracy[-1] > relu.test_accuracy[-1]


def test_the_dying_demo_shows_an_image_or_names_the_stub():
    from IPython.display import Image

    from lessons.demos.activations import dying_relu_demo

    assert isinstance(dying_relu_demo(*(getattr(A, n) for n in DYING)), Image)
    fns = [stub(n) if n == "elu_grad" else getattr(A, n) for n in DYING]
    assert "Implement `elu_grad` first" in dying_relu_demo(*fns).data


# --- float16 and loss scaling ---
# Oracle: NumPy's own float16 rounding; the shares are counted directly on the cast values.

def test_loss_scaling_saves_the_vanishing_gradients_and_too_much_overflows():
    from lessons.demos.activations import loss_scaling

    r = loss_scaling(A.sigmoid, A.sigmoid_grad)
    scales = list(r.scales)
    unscaled, good, huge = scales.index(1.0), scales.index(2.0**16), scales.index(2.0**32)
    assert r.flushed[unscaled] > 0.01 and r.imprecise[unscaled] > 0.1
    assert r.flushed[good] == r.imprecise[good] == r.overflowed[good] == 0.0
    assert r.overflowed[huge] > 0.1
    assert np.median(np.abs(r.first_layer)) < 1e-6, "the first layer's gradients vanish"


def test_the_numerics_demos_show_a_table_a_picture_or_a_note():
    from IPython.display import Image, Markdown

    from lessons.demos.activations import float_formats_table, loss_scaling_demo

    table = float_formats_table().data
    assert "| 65,504 |" in table and "11.09" in table and "88.72" in table and "709.78" in table
    assert isinstance(loss_scaling_demo(A.sigmoid, A.sigmoid_grad), Image)
    note = loss_scaling_demo(stub("sigmoid"), A.sigmoid_grad)
    assert isinstance(note, Markdown) and "Implement `sigmoid` first" in note.data


def test_the_activations_figure_shows_or_names_the_stub():
    from IPython.display import Image, Markdown

    from lessons.demos.activations import activations_figure

    names = ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad",
             "elu", "elu_grad")
    assert isinstance(activations_figure(*(getattr(A, n) for n in names)), Image)
    note = activations_figure(*(stub(n) if n == "tanh_grad" else getattr(A, n) for n in names))
    assert isinstance(note, Markdown) and "Implement `tanh_grad` first" in note.data
