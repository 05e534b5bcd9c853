"""Checks and mistakes for the optimization landscape of lesson 05 (reference: ``solutions.momentum``).

Sections 7 and 8 of lesson 05; ``grader.specs.momentum`` adds these specs to
the lesson's, and ``tests/grader/test_landscape.py`` probes and judges them.

``critical_point_type`` is compared with the reference on diagonal Hessians
and on the same eigenvalues rotated by an orthogonal matrix (so the diagonal
entries and the determinant's sign mislead), on zero eigenvalues beside
others, on eigenvalues just inside, just outside and exactly at ``tol``, and
must refuse matrices that are not square or not symmetric.
``newton_step`` is compared on quadratics whose Newton step is known in closed
form: one step to the minimum of a positive-definite bowl, one step onto the
saddle of ``x**2 - y**2``, a rotated ill-conditioned bowl, and must refuse an
exactly singular Hessian and shapes that do not match.
"""

from __future__ import annotations

import numpy as np

from ..spec import Case, Compare, Mistake, Raises, Spec, reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("momentum")

_rng = np.random.default_rng(505)


def _rotation(d: int) -> np.ndarray:
    q, _ = np.linalg.qr(_rng.normal(size=(d, d)))
    return q


def _rotated(eigenvalues) -> np.ndarray:
    q = _rotation(len(eigenvalues))
    hessian = q @ np.diag(eigenvalues) @ q.T
    return (hessian + hessian.T) / 2  # symmetric to the last bit


# ==================================================================================================
# critical_point_type
# ==================================================================================================

def _classify(eigenvalues, tol, *, positive=None, negative=None) -> str:
    positive = positive or (lambda e: e > tol)
    negative = negative or (lambda e: e < -tol)
    pos, neg = np.any(positive(eigenvalues)), np.any(negative(eigenvalues))
    if pos and neg:
        return "saddle"
    if np.all(positive(eigenvalues)):
        return "minimum"
    if np.all(negative(eigenvalues)):
        return "maximum"
    return "degenerate"


def _cp_diagonal(hessian, *, tol=1e-8):
    return _classify(np.diag(np.asarray(hessian, dtype=float)), tol)


def _cp_no_tol(hessian, *, tol=1e-8):
    return _classify(np.linalg.eigvalsh(np.asarray(hessian, dtype=float)), 0.0)


def _cp_zero_positive(hessian, *, tol=1e-8):
    e = np.linalg.eigvalsh(np.asarray(hessian, dtype=float))
    return _classify(e, tol, positive=lambda v: v >= -tol, negative=lambda v: v < -tol)


def _cp_zero_saddle(hessian, *, tol=1e-8):
    e = np.linalg.eigvalsh(np.asarray(hessian, dtype=float))
    if np.any(np.abs(e) <= tol):
        return "saddle"
    return _classify(e, tol)


def _cp_no_symmetry_check(hessian, *, tol=1e-8):
    hessian = np.asarray(hessian, dtype=float)
    if hessian.ndim != 2 or hessian.shape[0] != hessian.shape[1]:
        raise ValueError("hessian must be square")
    return _classify(np.linalg.eigvalsh(hessian), tol)


_SADDLE_ROTATED = _rotated([3.0, -0.5])  # positive diagonal entries are likely; the determinant is negative
_MIN_ROTATED = _rotated([2.0, 0.1, 5.0])

CRITICAL_POINT_TYPE = Spec(
    name="critical_point_type",
    reference=ref.critical_point_type,
    groups=(
        Compare("diagonal Hessians: the eigenvalues are the diagonal", [
            Case((np.diag([1.0, 2.0]),), label="minimum"), Case((np.diag([-1.0, -3.0]),), label="maximum"),
            Case((np.diag([2.0, -1.0]),), label="saddle"), Case((np.array([[4.0]]),), label="d = 1, minimum"),
        ]),
        Compare("rotated Hessians: the same eigenvalues, other diagonal entries", [
            Case((_SADDLE_ROTATED,), label="eigenvalues 3 and -0.5: a saddle"),
            Case((_MIN_ROTATED,), label="eigenvalues 2, 0.1, 5: a minimum"),
            Case((np.array([[1.0, 2.0], [2.0, 1.0]]),), label="[[1, 2], [2, 1]], eigenvalues 3 and -1: a saddle"),
        ]),
        Compare("zero eigenvalues: degenerate unless the others change sign", [
            Case((np.diag([1.0, 0.0]),), label="[1, 0]: degenerate"),
            Case((np.diag([0.0, 0.0, -2.0]),), label="[0, 0, -2]: degenerate"),
            Case((np.diag([2.0, 0.0, -1.0]),), label="[2, 0, -1]: a saddle (the signs change)"),
            Case((np.zeros((3, 3)),), label="all zero: degenerate"),
        ]),
        Compare("the tolerance: an eigenvalue within tol of 0 counts as 0", [
            Case((np.diag([1.0, 1e-10]),), label="1e-10 with the default tol 1e-8: degenerate"),
            Case((np.diag([1.0, 1e-3]),), {"tol": 1e-2}, label="1e-3 with tol 1e-2: degenerate"),
            Case((np.diag([1.0, 0.5]),), {"tol": 0.5}, label="exactly tol: counts as 0, degenerate"),
            Case((np.diag([1.0, -1e-6]),), {"tol": 0.0}, label="tol 0: -1e-6 is negative, a saddle"),
        ]),
        Raises("a matrix that is not square raises ValueError", [Case((np.ones((2, 3)),))]),
        Raises("a matrix that is not symmetric raises ValueError", [
            Case((np.array([[1.0, 2.0], [0.0, 1.0]]),)),
        ], mistake="no-symmetry-check"),
    ),
    mistakes=(
        Mistake("diagonal", "classify from the EIGENVALUES (np.linalg.eigvalsh(hessian)), not the diagonal "
                "entries: a rotated saddle can have a positive diagonal.", _cp_diagonal),
        Mistake("no-tol", "compare the eigenvalues with tol, not with 0: an eigenvalue of 1e-10 is zero "
                "for practical purposes, and such a point is degenerate.", _cp_no_tol),
        Mistake("zero-positive", "a zero eigenvalue (|e| <= tol) is neither positive nor negative: [1, 0] is "
                "degenerate, not a minimum.", _cp_zero_positive),
        Mistake("zero-saddle", "a zero eigenvalue alone does not make a saddle: a saddle needs an eigenvalue "
                "above tol AND one below -tol; [1, 0] is degenerate.", _cp_zero_saddle),
        Mistake("no-symmetry-check", "a Hessian is symmetric: refuse a matrix that is not (raise ValueError); "
                "np.linalg.eigvalsh reads only one triangle and would classify it silently.",
                _cp_no_symmetry_check, matchable=False),
    ),
)


# ==================================================================================================
# newton_step
# ==================================================================================================

def _newton_case(hessian, minimum, theta, label: str) -> Case:
    """The quadratic 0.5 (x - m)^T H (x - m): its gradient at theta is H (theta - m), its Newton step m."""
    hessian, minimum, theta = (np.asarray(a, dtype=float) for a in (hessian, minimum, theta))
    return Case((theta, hessian @ (theta - minimum), hessian), label=label)


def _ns_sign(theta, grad, hessian):
    return np.asarray(theta, dtype=float) + np.linalg.solve(hessian, grad)


def _ns_times_h(theta, grad, hessian):
    return np.asarray(theta, dtype=float) - np.asarray(hessian, dtype=float) @ np.asarray(grad, dtype=float)


def _ns_diagonal(theta, grad, hessian):
    return np.asarray(theta, dtype=float) - np.asarray(grad, dtype=float) / np.diag(np.asarray(hessian, dtype=float))


def _ns_pair(theta, grad, hessian):
    return np.asarray(theta, dtype=float) - np.linalg.solve(hessian, grad), np.asarray(hessian, dtype=float)


NEWTON_STEP = Spec(
    name="newton_step",
    reference=ref.newton_step,
    rtol=1e-9,
    atol=1e-9,
    groups=(
        Compare("quadratic bowls: one step lands on the minimum", [
            _newton_case(np.diag([2.0, 8.0]), [1.0, -1.0], [3.0, 2.0], "diag(2, 8): to (1, -1)"),
            _newton_case(_rotated([1.0, 4.0, 9.0]), [0.5, 0.0, -2.0], [1.0, 1.0, 1.0], "a rotated bowl in 3-D"),
            _newton_case(np.array([[5.0]]), [2.0], [-1.0], "d = 1"),
        ]),
        Compare("a saddle: Newton's step goes TO it (x**2 - y**2 from (1, 2) lands on (0, 0))", [
            _newton_case(np.diag([2.0, -2.0]), [0.0, 0.0], [1.0, 2.0], "x**2 - y**2"),
            _newton_case(_rotated([3.0, -1.0]), [1.0, 1.0], [0.0, -2.0], "a rotated saddle"),
        ]),
        Compare("an ill-conditioned rotated bowl (condition number 1e4)", [
            _newton_case(_rotated([1e-2, 1e2]), [3.0, -4.0], [0.0, 0.0], "eigenvalues 0.01 and 100"),
        ]),
        Raises("a singular Hessian or shapes that do not match raise ValueError", [
            Case((np.zeros(2), np.ones(2), np.array([[1.0, 2.0], [2.0, 4.0]])), label="singular"),
            Case((np.zeros(2), np.ones(3), np.eye(2)), label="grad of the wrong length"),
            Case((np.zeros(2), np.ones(2), np.eye(3)), label="hessian of the wrong size"),
        ]),
    ),
    mistakes=(
        Mistake("sign", "Newton's step SUBTRACTS the solution of H d = grad: theta_new = theta - "
                "np.linalg.solve(hessian, grad).", _ns_sign),
        Mistake("times-h", "the step divides by the curvature: solve H d = grad (np.linalg.solve(hessian, "
                "grad)) and subtract d; multiplying grad by H goes the wrong way.", _ns_times_h),
        Mistake("diagonal-only", "use the whole Hessian: grad / diag(H) ignores the off-diagonal entries "
                "and is right only when the quadratic is aligned with the axes.", _ns_diagonal),
        Mistake("pair-returned", "newton_step returns theta_new alone: it has no state to carry, unlike the "
                "momentum steps.", _ns_pair),
    ),
)

SPECS = (CRITICAL_POINT_TYPE, NEWTON_STEP)
