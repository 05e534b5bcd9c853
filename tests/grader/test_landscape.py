"""The judge of lesson 05's optimization landscape (``grader/specs/landscape.py``): correct variants written
differently get full marks, and the cases hold what their labels say.

The reference at full marks, every catalogued mistake losing points and named, and the stub at zero are
proved for every registered function by ``test_catalogue.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.specs import landscape

pytestmark = pytest.mark.lesson05

SPECS = {spec.name: spec for spec in landscape.SPECS}


# --- correct variants, written differently ---

def critical_point_type_signs(hessian, *, tol=1e-8):
    """Counts eigenvalues by sign, from np.linalg.eigh of the symmetrized matrix."""
    H = np.asarray(hessian, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or not np.allclose(H, H.T, rtol=0, atol=1e-10):
        raise ValueError("hessian must be a symmetric square matrix")
    values, _ = np.linalg.eigh(H)
    above, below = int(np.sum(values > tol)), int(np.sum(values < -tol))
    if above and below:
        return "saddle"
    return {len(values): "minimum"}.get(above) or {len(values): "maximum"}.get(below) or "degenerate"


def newton_step_cholesky_free(theta, grad, hessian):
    """Solves by least squares, refusing a rank-deficient matrix first."""
    H, g = np.asarray(hessian, dtype=float), np.asarray(grad, dtype=float)
    theta = np.asarray(theta, dtype=float)
    if H.shape != (theta.size, theta.size) or g.shape != theta.shape:
        raise ValueError("shapes do not match")
    if np.linalg.matrix_rank(H) < theta.size:
        raise ValueError("hessian is singular")
    step, *_ = np.linalg.lstsq(H, g, rcond=None)
    return theta - step


VARIANTS = {"critical_point_type": [critical_point_type_signs], "newton_step": [newton_step_cholesky_free]}


@pytest.mark.parametrize("name,variant", [(n, v) for n, vs in VARIANTS.items() for v in vs],
                         ids=lambda v: getattr(v, "__name__", v))
def test_correct_variants_get_full_marks(grade, name, variant):
    score, text = grade(name, variant, points=3)
    assert score == 3, text


def test_the_saddle_cases_are_saddles_and_the_bowls_land_on_their_minimum():
    """Closed forms behind the labels: the rotated saddle has eigenvalues 3 and -0.5; Newton lands on m."""
    assert np.allclose(np.linalg.eigvalsh(landscape._SADDLE_ROTATED), [-0.5, 3.0])
    for group in landscape.NEWTON_STEP.groups[:3]:
        for case in group.cases:
            theta, grad, hessian = case.args
            landed = theta - np.linalg.inv(hessian) @ grad
            assert np.allclose(hessian @ (theta - landed), grad)
