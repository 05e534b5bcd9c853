"""Lesson 05's landscape: the surface, its critical points, the widget and Newton's demo.

Oracles: finite differences of the surface's loss and gradient (for its closed-form gradient and
Hessian), NumPy's eigenvalues (for the kinds of the critical points), the closed form of a descent step,
and the stability limit lr * lambda_max < 2 of gradient descent in a well.
"""

from __future__ import annotations

import numpy as np
import pytest
from IPython.display import Image, Markdown

from lessons.demos import landscape as L
from lessons.widgets.landscape import landscape_widget
from solutions import momentum as ref
from tests import oracles

from .stubs import stub

pytestmark = pytest.mark.lesson05


@pytest.mark.parametrize("point", [(0.3, 1.35), (-1.2, 0.4), (2.0, -2.5), (0.0, 0.0)])
def test_the_gradient_and_hessian_are_those_of_the_loss(point):
    p = np.array(point)
    np.testing.assert_allclose(L.gradient(p), oracles.numerical_grad(lambda q: float(L.loss(q)), p),
                               rtol=1e-6, atol=1e-9)
    numeric = np.array([oracles.numerical_grad(lambda q, i=i: float(L.gradient(q)[i]), p) for i in range(2)])
    np.testing.assert_allclose(L.hessian(p), numeric, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(L.hessian(p), L.hessian(p).T)


def test_the_surface_has_two_minima_and_a_saddle_between():
    kinds = [c.kind for c in L.CRITICAL_POINTS]
    assert kinds == ["minimum", "minimum", "saddle"]
    glob, local, saddle = L.CRITICAL_POINTS
    assert glob.loss < local.loss < saddle.loss
    assert glob.point[0] > 1 and local.point[0] < -1 and abs(saddle.point[0]) < 0.5
    for c in L.CRITICAL_POINTS:
        assert np.linalg.norm(L.gradient(c.point)) < 1e-10
        eigenvalues = np.linalg.eigvalsh(L.hessian(c.point))
        assert (eigenvalues.min() < 0 < eigenvalues.max()) == (c.kind == "saddle")


def test_a_descent_path_is_the_students_momentum_step():
    path = L.descent_path(ref.momentum_step, (0.5, -0.5), lr=0.1, momentum=0.0, steps=3)
    assert path.shape == (4, 2)
    np.testing.assert_allclose(path[1], path[0] - 0.1 * L.gradient(path[0]), rtol=1e-12)


def test_each_kind_of_trouble_is_named():
    def where(start, lr, momentum):
        return L.describe(L.descent_path(ref.momentum_step, start, lr=lr, momentum=momentum), ref.critical_point_type)

    assert "the local minimum" in where((-2.5, 0.5), 0.1, 0.0) and "'minimum'" in where((-2.5, 0.5), 0.1, 0.0)
    assert "crawling" in where((0.0, -2.5), 0.1, 0.0)
    assert "the global minimum" in where((0.0, -2.5), 0.1, 0.9), "momentum crosses the plateau"
    assert "thrown off" in where((0.0, 1.42), 0.5, 0.9)
    # In the deep well the curvature is about 6.7: lr = 0.5 is past the limit 2 / 6.7 of gradient descent.
    curvature = np.linalg.eigvalsh(L.hessian(L.CRITICAL_POINTS[0].point)).max()
    assert 0.5 * curvature > 2 > 0.1 * curvature
    assert "bouncing" in where((2.5, 0.3), 0.5, 0.0)


def test_the_widget_moves_the_paths_and_says_where_they_ended():
    panel = landscape_widget(ref.momentum_step, ref.critical_point_type)
    assert panel.status.value.count("local minimum") == 2
    gd, mom = panel.figure.axes[0].lines[-3:-1]
    before = gd.get_xydata().copy()
    panel.controls["x0"].value, panel.controls["y0"].value = 0.0, -2.5
    assert not np.array_equal(before, gd.get_xydata())
    assert "crawling" in panel.status.value.split("<br>")[0] and "global minimum" in panel.status.value.split("<br>")[1]


@pytest.mark.parametrize("missing", ["momentum_step", "critical_point_type"])
def test_a_stub_gets_a_note(missing):
    functions = {"momentum_step": ref.momentum_step, "critical_point_type": ref.critical_point_type}
    functions[missing] = stub(missing)
    panel = landscape_widget(**functions)
    assert f"Implement <code>{missing}</code> first" in panel.status.value


def test_newton_lands_on_the_saddle_and_gradient_descent_leaves_it():
    saddle = next(c for c in L.CRITICAL_POINTS if c.kind == "saddle")
    path = L.newton_path(ref.newton_step)
    assert np.linalg.norm(path[-1] - saddle.point) < 1e-10
    assert np.linalg.norm(L._gd_path(L.NEWTON_START)[-1] - saddle.point) > 1


def test_the_newton_demo_shows_a_picture_or_a_note():
    assert isinstance(L.newton_demo(ref.newton_step), Image)
    note = L.newton_demo(stub("newton_step"))
    assert isinstance(note, Markdown) and "Implement `newton_step` first" in note.data

    def pair(theta, grad, hessian):
        return ref.newton_step(theta, grad, hessian), None

    assert "theta_new alone" in L.newton_demo(pair).data
