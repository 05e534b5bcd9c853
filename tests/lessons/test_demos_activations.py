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
