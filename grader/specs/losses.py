"""Checks and mistakes for lesson 01, loss functions (reference: ``solutions.losses``).

Every function is compared with the reference (default tolerances) on the
lesson's worked numbers, small hand-checkable cases, seeded random cases of
several shapes, and edge cases: probabilities of exactly 0 and 1, which must
give finite losses without a warning (the clipping), and a non-default
``eps``, which must be used.  Properties any correct implementation has,
judged from closed forms, never from the reference:

- ``mse``: a constant error ``c`` costs exactly ``c**2``, whatever the shape;
- ``mse_grad``: agrees with central differences of the MSE (written out here);
- ``binary_cross_entropy``: ``p = 0.5`` costs ``log 2`` for any labels, hard
  or soft, and a certain, right prediction costs about 0;
- ``categorical_cross_entropy``: a uniform prediction costs ``log K``
  whatever the labels, one-hot or soft;
- ``accuracy``: a fraction ``k / n`` that does not depend on the order of
  the samples, 1 for a perfect prediction.

The curriculum asks for a ``ValueError`` from ``mse`` (and the lesson from
``mse_grad``) when the shapes differ; the other functions are not asked to
check their arguments.
"""

from __future__ import annotations


import numpy as np

from ..calls import Outcome
from ..compare import describe
from ..spec import Case, Compare, Mistake, Property, Raises, Runner, Spec, failed_call, mistake_key, number_of
from ..spec import reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("losses")

_rng = np.random.default_rng(101)


def _probs(n: int, k: int) -> np.ndarray:
    p = _rng.uniform(0.05, 1.0, size=(n, k))
    return p / p.sum(axis=1, keepdims=True)


def _onehot(n: int, k: int) -> np.ndarray:
    return np.eye(k)[_rng.integers(0, k, size=n)]


def _closed_form(cases: list[tuple[Case, float]], title: str, why: str) -> Property:
    """Each case must give its closed-form value (to 1e-9 relative); ``why`` says where it comes from."""

    def probe(run: Runner, spec: Spec):
        return [run.case(c) for c, _ in cases]

    def judge(data: list[Outcome], spec: Spec):
        for (case, want), outcome in zip(cases, data):
            what = spec.call_text(case)
            got, problem = number_of(outcome, what)
            if problem:
                return problem, None
            if np.isfinite(got) and abs(got - want) <= 1e-9 * max(1.0, abs(want)):
                continue
            label = f" ({case.label})" if case.label else ""
            return f"{what}{label} gave {got:.6g}, but {why} {want:.6g}", mistake_key(spec, case, outcome)
        return None

    return Property(title, probe, judge)


# The lesson's worked numbers: two confident-enough correct predictions, then two wrong ones.
RIGHT_PROBS = np.array([[0.55, 0.45], [0.44, 0.56]])
RIGHT_LABELS = np.array([[1.0, 0.0], [0.0, 1.0]])
WRONG_PROBS = np.array([[0.51, 0.49], [0.41, 0.59]])
WRONG_LABELS = np.array([[0.0, 1.0], [1.0, 0.0]])


# --- mse ------------------------------------------------------------------------------------------

def _pair(y_pred, y_true):
    y_pred, y_true = np.asarray(y_pred, dtype=float), np.asarray(y_true, dtype=float)
    if y_pred.shape != y_true.shape:
        raise ValueError(f"y_pred and y_true must have the same shape, got {y_pred.shape} and {y_true.shape}")
    return y_pred, y_true


def _mse_sum(y_pred, y_true):
    y_pred, y_true = _pair(y_pred, y_true)
    return float(np.sum((y_pred - y_true) ** 2))


def _mse_rows(y_pred, y_true):
    y_pred, y_true = _pair(y_pred, y_true)
    d = (y_pred - y_true) ** 2
    return float(np.mean(d.reshape(d.shape[0], -1).sum(axis=1))) if d.ndim > 1 else float(np.mean(d))


def _mse_mean_then_square(y_pred, y_true):
    y_pred, y_true = _pair(y_pred, y_true)
    return float(np.mean(y_pred - y_true) ** 2)


def _mse_root(y_pred, y_true):
    y_pred, y_true = _pair(y_pred, y_true)
    return float(np.sqrt(np.mean((y_pred - y_true) ** 2)))


def _mse_unchecked(y_pred, y_true):
    return float(np.mean((np.asarray(y_pred, dtype=float) - y_true) ** 2))


def _constant_error_cases() -> list[tuple[Case, float]]:
    cases = []
    for shape, c in (((6,), 1.5), ((3, 5), -2.0), ((2, 3, 4), 0.25)):
        y_true = _rng.normal(size=shape)
        cases.append((Case((y_true + c, y_true), label=f"every error is {c:g}"), c * c))
    return cases


MSE = Spec(
    name="mse",
    reference=ref.mse,
    groups=(
        Compare("the lesson's worked example (4/3) and small cases", [
            Case((np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])), label="one error of 2"),
            Case((np.zeros(4), np.zeros(4)), label="perfect prediction"),
            Case((np.array([2.5]), np.array([-0.5])), label="one sample"),
            Case((np.array([1.0, -1.0]), np.array([0.0, 0.0])), label="errors of opposite signs"),
        ]),
        Compare("random inputs of several shapes", [
            Case((_rng.normal(size=(5, 3)), _rng.normal(size=(5, 3)))),
            Case((_rng.normal(size=(1, 7)), _rng.normal(size=(1, 7)))),
            Case((_rng.normal(size=(64,)), _rng.normal(size=(64,)))),
            Case((_rng.normal(size=(2, 3, 4)), _rng.normal(size=(2, 3, 4)))),
        ]),
        Compare("large magnitudes, no warnings", [
            Case((np.array([[1e100, -1e100], [0.0, 1e100]]), np.zeros((2, 2)))),
        ], rtol=1e-9, warn_free=True),
        _closed_form(_constant_error_cases(), "a constant error c costs exactly c**2, whatever the shape",
                     "with every error equal to c, the mean of the squares is c**2 ="),
        Raises("mismatched shapes raise ValueError", [
            Case((np.zeros(3), np.zeros(4))),
            Case((np.zeros((3, 1)), np.zeros(3)), label="would broadcast to (3, 3)"),
        ], mistake="no-shape-check"),
    ),
    mistakes=(
        Mistake("sum-not-mean", "you add up the squared errors; MSE takes their mean "
                "(divide by the number of elements, y_pred.size).", _mse_sum),
        Mistake("mean-over-rows", "you average over the rows only (summing over columns); "
                "the mean is over all elements.", _mse_rows),
        Mistake("mean-then-square", "square each error first, then average: np.mean((y_pred - y_true) ** 2). "
                "The square of the mean error lets errors of opposite signs cancel.", _mse_mean_then_square),
        Mistake("root", "that is the ROOT mean squared error: the MSE has no square root.", _mse_root),
        Mistake("no-shape-check", "raise ValueError when y_pred and y_true have different shapes: NumPy "
                "broadcasts a (3, 1) array against a (3,) one into a (3, 3) table and gives a wrong "
                "number without complaint.", _mse_unchecked, matchable=False),
    ),
)


# --- mse_grad -------------------------------------------------------------------------------------

def _mse_grad_no2(y_pred, y_true):
    y_pred, y_true = _pair(y_pred, y_true)
    return (y_pred - y_true) / y_pred.size


def _mse_grad_nosize(y_pred, y_true):
    y_pred, y_true = _pair(y_pred, y_true)
    return 2 * (y_pred - y_true)


def _mse_grad_rows(y_pred, y_true):
    y_pred, y_true = _pair(y_pred, y_true)
    return 2 * (y_pred - y_true) / y_pred.shape[0]


def _mse_grad_sign(y_pred, y_true):
    y_pred, y_true = _pair(y_pred, y_true)
    return 2 * (y_true - y_pred) / y_pred.size


def _mse_grad_unchecked(y_pred, y_true):
    y_pred = np.asarray(y_pred, dtype=float)
    diff = y_pred - y_true
    return 2 * diff / diff.size


_FD_PRED = _rng.normal(size=(3, 4))
_FD_TRUE = _rng.normal(size=(3, 4))
_FD_H = 1e-6


def _mse_formula(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """The MSE, written out here so the property depends on no reference."""
    return float(((y_pred - y_true) ** 2).sum() / y_pred.size)


def _numerical_mse_grad() -> np.ndarray:
    grad = np.zeros_like(_FD_PRED)
    for idx in np.ndindex(_FD_PRED.shape):
        up, down = _FD_PRED.copy(), _FD_PRED.copy()
        up[idx] += _FD_H
        down[idx] -= _FD_H
        grad[idx] = (_mse_formula(up, _FD_TRUE) - _mse_formula(down, _FD_TRUE)) / (2 * _FD_H)
    return grad


_FD_GRAD = _numerical_mse_grad()
_FD_CASE = Case((_FD_PRED, _FD_TRUE))


def _judge_mse_fd(outcome: Outcome, spec: Spec):
    what = spec.call_text(_FD_CASE)
    problem = failed_call(outcome, what)
    if problem:
        return problem, None
    g = outcome.value
    if not isinstance(g, np.ndarray) or g.shape != _FD_PRED.shape or g.dtype.kind not in "fiu":
        return f"{what} returned {describe(g)}, expected an array of shape {_FD_PRED.shape}", None
    bad = ~(np.abs(g - _FD_GRAD) <= 1e-7 + 1e-6 * np.abs(_FD_GRAD))
    if not np.any(bad):
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return (f"on arrays of shape {_FD_PRED.shape}, entry {idx} of your gradient is {g[idx]:.6g}, but nudging "
            f"that prediction by +/-{_FD_H:g} changes the MSE at a rate of {_FD_GRAD[idx]:.6g} "
            f"({int(bad.sum())} of {g.size} entries differ)", mistake_key(spec, _FD_CASE, outcome))


MSE_GRAD = Spec(
    name="mse_grad",
    reference=ref.mse_grad,
    groups=(
        Compare("small hand-checkable inputs", [
            Case((np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])), label="[0, 0, -4/3]"),
            Case((np.array([2.5]), np.array([-0.5])), label="one sample"),
        ]),
        Compare("random inputs of several shapes", [
            Case((_rng.normal(size=(5, 3)), _rng.normal(size=(5, 3)))),
            Case((_rng.normal(size=(64,)), _rng.normal(size=(64,)))),
            Case((_rng.normal(size=(1, 6)), _rng.normal(size=(1, 6))), label="one row"),
            Case((_rng.normal(size=(3, 2, 2)), _rng.normal(size=(3, 2, 2)))),
        ]),
        Property("agrees with finite differences of the MSE", lambda run, spec: run.case(_FD_CASE),
                 _judge_mse_fd),
        Raises("mismatched shapes raise ValueError", [
            Case((np.zeros((3, 1)), np.zeros(3)), label="would broadcast to (3, 3)"),
            Case((np.zeros(3), np.zeros(4))),
        ], mistake="no-shape-check"),
    ),
    mistakes=(
        Mistake("missing-2", "the derivative of a square brings down a factor 2: "
                "2 * (y_pred - y_true) / y_pred.size.", _mse_grad_no2),
        Mistake("missing-size", "the loss is a mean, so its gradient is divided by the number of "
                "elements (y_pred.size).", _mse_grad_nosize),
        Mistake("rows-not-size", "you divide by the number of rows; MSE averages over all "
                "elements, so divide by y_pred.size.", _mse_grad_rows),
        Mistake("sign", "the gradient points towards larger loss: it is y_pred - y_true, "
                "not y_true - y_pred.", _mse_grad_sign),
        Mistake("no-shape-check", "raise ValueError when y_pred and y_true have different shapes, as in "
                "mse: NumPy would broadcast a (3, 1) array against a (3,) one without complaint.",
                _mse_grad_unchecked, matchable=False),
    ),
)


# --- binary_cross_entropy -------------------------------------------------------------------------

def _bce_noclip(p, y, eps=1e-12):
    p = np.asarray(p, dtype=float)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def _bce_clip_low(p, y, eps=1e-12):
    p = np.maximum(np.asarray(p, dtype=float), eps)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def _bce_sum(p, y, eps=1e-12):
    p = np.clip(p, eps, 1 - eps)
    return float(np.sum(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def _bce_log10(p, y, eps=1e-12):
    p = np.clip(p, eps, 1 - eps)
    return float(np.mean(-(y * np.log10(p) + (1 - y) * np.log10(1 - p))))


def _bce_swapped(p, y, eps=1e-12):
    p = np.clip(p, eps, 1 - eps)
    return float(np.mean(-((1 - y) * np.log(p) + y * np.log(1 - p))))


def _bce_fixed_eps(p, y, eps=1e-12):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def _bce_closed_forms() -> list[tuple[Case, float]]:
    return [
        (Case((np.full(7, 0.5), _rng.integers(0, 2, size=7).astype(float)), label="p = 0.5, hard labels"),
         float(np.log(2))),
        (Case((np.full((3, 4), 0.5), _rng.uniform(size=(3, 4))), label="p = 0.5, soft labels"),
         float(np.log(2))),
    ]


BINARY_CROSS_ENTROPY = Spec(
    name="binary_cross_entropy",
    reference=ref.binary_cross_entropy,
    groups=(
        Compare("small hand-checkable inputs", [
            Case((np.array([0.9, 0.2]), np.array([1.0, 0.0]))),
            Case((np.array([0.5]), np.array([1.0])), label="one sample: log 2"),
            Case((np.array([0.3, 0.8, 0.6]), np.array([0.0, 0.0, 1.0]))),
        ]),
        Compare("random inputs, hard and soft labels", [
            Case((_rng.uniform(0.01, 0.99, size=50), _rng.integers(0, 2, size=50).astype(float))),
            Case((_rng.uniform(0.01, 0.99, size=(4, 3)), _rng.integers(0, 2, size=(4, 3)).astype(float))),
            Case((_rng.uniform(0.01, 0.99, size=20), _rng.uniform(0, 1, size=20)), label="soft labels"),
        ]),
        Compare("probabilities of exactly 0 and 1 (clipped, finite, no warnings)", [
            Case((np.array([0.0, 1.0, 0.3]), np.array([0.0, 1.0, 1.0])), label="confident and right"),
            Case((np.array([0.0, 1.0]), np.array([1.0, 0.0])), label="confident and wrong"),
            Case((np.array([0.0, 0.2]), np.array([0.0, 0.0])), label="p = 0 with label 0"),
        ], warn_free=True),
        Compare("the eps argument (eps = 0.001 caps one sample's loss at -log(0.001) = 6.9)", [
            Case((np.array([0.0, 1.0, 0.5]), np.array([1.0, 0.0, 1.0])), {"eps": 1e-3}),
            Case((np.array([0.0, 1.0]), np.array([0.0, 1.0])), {"eps": 0.01}),
            Case((np.array([0.0, 0.5]), np.array([0.0, 1.0])), {"eps": 0.01}),
        ], warn_free=True),
        _closed_form(_bce_closed_forms(), "p = 0.5 costs log 2 whatever the labels, hard or soft",
                     "with p = 0.5 every term is log 2, so the mean is"),
    ),
    mistakes=(
        Mistake("no-clip", "clip p to [eps, 1 - eps] before taking logs: log(0) is -inf and "
                "0 * log(0) is nan.", _bce_noclip),
        Mistake("clip-low-only", "clip on both sides, np.clip(p, eps, 1 - eps): with p = 1, log(1 - p) "
                "is log(0) = -inf.", _bce_clip_low),
        Mistake("sum-not-mean", "the loss is the mean over samples, not the sum.", _bce_sum),
        Mistake("log10", "use the natural logarithm (np.log), not np.log10.", _bce_log10),
        Mistake("swapped-terms", "y multiplies log(p) and (1 - y) multiplies log(1 - p); "
                "you have them the other way round.", _bce_swapped),
        Mistake("eps-ignored", "clip with the `eps` argument, np.clip(p, eps, 1 - eps), not a fixed 1e-12.",
                _bce_fixed_eps),
    ),
)


# --- categorical_cross_entropy --------------------------------------------------------------------

def _cce_noclip(probs, y_onehot, eps=1e-12):
    return float(np.mean(-np.sum(y_onehot * np.log(probs), axis=1)))


def _cce_sum(probs, y_onehot, eps=1e-12):
    return float(-np.sum(y_onehot * np.log(np.clip(probs, eps, 1 - eps))))


def _cce_all_elements(probs, y_onehot, eps=1e-12):
    return float(np.mean(-y_onehot * np.log(np.clip(probs, eps, 1 - eps))))


def _cce_log10(probs, y_onehot, eps=1e-12):
    return float(np.mean(-np.sum(y_onehot * np.log10(np.clip(probs, eps, 1 - eps)), axis=1)))


def _cce_predicted_class(probs, y_onehot, eps=1e-12):
    return float(np.mean(-np.log(np.clip(np.max(probs, axis=1), eps, 1 - eps))))


def _cce_swapped(probs, y_onehot, eps=1e-12):
    return float(np.mean(-np.sum(probs * np.log(np.clip(y_onehot, eps, 1 - eps)), axis=1)))


def _cce_clip_low(probs, y_onehot, eps=1e-12):
    return float(np.mean(-np.sum(y_onehot * np.log(np.maximum(np.asarray(probs, dtype=float), eps)), axis=1)))


def _cce_fixed_eps(probs, y_onehot, eps=1e-12):
    return float(np.mean(-np.sum(y_onehot * np.log(np.clip(probs, 1e-12, 1 - 1e-12)), axis=1)))


def _cce_closed_forms() -> list[tuple[Case, float]]:
    soft = _rng.uniform(size=(5, 4))
    return [
        (Case((np.full((6, 4), 0.25), _onehot(6, 4)), label="uniform predictions, one-hot labels"),
         float(np.log(4))),
        (Case((np.full((5, 4), 0.25), soft / soft.sum(axis=1, keepdims=True)),
              label="uniform predictions, soft labels"), float(np.log(4))),
        (Case((np.full((1, 10), 0.1), _onehot(1, 10)), label="one sample, 10 classes"), float(np.log(10))),
    ]


CATEGORICAL_CROSS_ENTROPY = Spec(
    name="categorical_cross_entropy",
    reference=ref.categorical_cross_entropy,
    groups=(
        Compare("the lesson's worked numbers (0.589 and 0.802)", [
            Case((RIGHT_PROBS, RIGHT_LABELS), label="right predictions"),
            Case((WRONG_PROBS, WRONG_LABELS), label="wrong predictions"),
        ]),
        Compare("random inputs, one-hot and soft labels", [
            Case((_probs(6, 4), _onehot(6, 4))),
            Case((_probs(1, 10), _onehot(1, 10)), label="one sample"),
            Case((_probs(30, 3), _probs(30, 3)), label="soft labels"),
            Case((_probs(3, 3), _onehot(3, 3)), label="square"),
        ]),
        Compare("probabilities of exactly 0 (clipped, finite, no warnings)", [
            Case((np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), np.array([[1.0, 0, 0], [1.0, 0, 0]]))),
        ], warn_free=True),
        Compare("the eps argument (eps = 0.001 caps one sample's loss at -log(0.001) = 6.9; eps = 0.1 "
                "clips a certain prediction to 0.9, which costs -log(0.9) = 0.105)", [
            Case((np.array([[1.0, 0.0], [0.3, 0.7]]), np.array([[0.0, 1.0], [0.0, 1.0]])), {"eps": 1e-3}),
            Case((np.array([[1.0, 0.0], [0.2, 0.8]]), np.array([[1.0, 0.0], [0.0, 1.0]])), {"eps": 0.1},
                 label="a probability of exactly 1 with eps = 0.1"),
        ], warn_free=True),
        _closed_form(_cce_closed_forms(), "a uniform prediction costs log K whatever the labels",
                     "a uniform prediction over K classes costs log K ="),
    ),
    mistakes=(
        Mistake("predicted-class", "you take the probability of the predicted class (the largest "
                "one); the loss uses the probability the model gives the TRUE class.",
                _cce_predicted_class),
        Mistake("no-clip", "clip the probabilities to [eps, 1 - eps] before the log: log(0) is -inf.",
                _cce_noclip),
        Mistake("sum-not-mean", "average over samples instead of summing over them.", _cce_sum),
        Mistake("mean-over-all-elements", "sum over the classes, then average over the samples; "
                "np.mean over the whole array also divides by the number of classes.",
                _cce_all_elements),
        Mistake("log10", "use the natural logarithm (np.log), not np.log10.", _cce_log10),
        Mistake("swapped-arguments", "the labels weigh the log of the PREDICTED probabilities: "
                "-sum(y_onehot * log(probs)), not -sum(probs * log(y_onehot)).", _cce_swapped),
        Mistake("eps-ignored", "clip with the `eps` argument, np.clip(probs, eps, 1 - eps), not a fixed "
                "1e-12.", _cce_fixed_eps),
        Mistake("clip-low-only", "clip from above as well, to 1 - eps (not 1 + eps, and not only from "
                "below): np.clip(probs, eps, 1 - eps), so a probability of exactly 1 becomes 1 - eps.",
                _cce_clip_low),
    ),
)


# --- accuracy -------------------------------------------------------------------------------------

def _accuracy_axis0(probs, y_onehot):
    return float(np.mean(np.argmax(probs, axis=0) == np.argmax(y_onehot, axis=0)))


def _accuracy_count(probs, y_onehot):
    return float(np.sum(np.argmax(probs, axis=1) == np.argmax(y_onehot, axis=1)))


def _accuracy_threshold(probs, y_onehot):
    probs, y_onehot = np.asarray(probs), np.asarray(y_onehot)
    return float(np.mean(probs[np.arange(len(probs)), np.argmax(y_onehot, axis=1)] > 0.5))


def _accuracy_elementwise(probs, y_onehot):
    return float(np.mean(np.round(probs) == y_onehot))


_ORDER_PROBS = _probs(12, 4)
_ORDER_LABELS = _onehot(12, 4)
_ORDER_PERM = _rng.permutation(12)
_ORDER_CASES = [
    Case((_ORDER_PROBS, _ORDER_LABELS)),
    Case((_ORDER_PROBS[_ORDER_PERM], _ORDER_LABELS[_ORDER_PERM]), label="the same rows, shuffled"),
    Case((_ORDER_PROBS, np.eye(4)[np.argmax(_ORDER_PROBS, axis=1)]), label="labels equal to the predictions"),
]


def _probe_order(run: Runner, spec: Spec):
    return [run.case(c) for c in _ORDER_CASES]


def _judge_order(data: list[Outcome], spec: Spec):
    n = _ORDER_PROBS.shape[0]
    values = []
    for case, outcome in zip(_ORDER_CASES, data):
        v, problem = number_of(outcome, spec.call_text(case))
        if problem:
            return problem, None
        values.append(v)
    plain, shuffled, perfect = values
    for case, outcome, v in zip(_ORDER_CASES, data, values):
        if not (0.0 <= v <= 1.0) or abs(v * n - round(v * n)) > 1e-9:
            return (f"{spec.call_text(case)} gave {v:.6g}; on {n} samples accuracy is a fraction "
                    f"k / {n} between 0 and 1", mistake_key(spec, case, outcome))
    if abs(shuffled - plain) > 1e-12:
        return (f"shuffling the samples (the rows of both arrays alike) changed the accuracy from "
                f"{plain:.6g} to {shuffled:.6g}", mistake_key(spec, _ORDER_CASES[1], data[1]))
    if abs(perfect - 1.0) > 1e-12:
        return (f"with labels equal to the predicted classes every sample is right, so the accuracy is 1, "
                f"got {perfect:.6g}", mistake_key(spec, _ORDER_CASES[2], data[2]))
    return None


ACCURACY = Spec(
    name="accuracy",
    reference=ref.accuracy,
    groups=(
        Compare("the lesson's worked numbers (1.0 and 0.0) and a mixed case (0.5)", [
            Case((RIGHT_PROBS, RIGHT_LABELS)),
            Case((WRONG_PROBS, WRONG_LABELS)),
            Case((np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]]), np.array([[0.0, 1, 0], [0.0, 0, 1]]))),
        ]),
        Compare("random inputs", [
            Case((_probs(40, 5), _onehot(40, 5))),
            Case((_probs(7, 3), _onehot(7, 3))),
            Case((_probs(5, 9), _onehot(5, 9)), label="more classes than samples"),
            Case((np.array([[0.4, 0.3, 0.3], [0.2, 0.35, 0.45]]), np.array([[1.0, 0, 0], [0.0, 0, 1]])),
                 label="the true class wins with less than 0.5"),
        ]),
        Property("a fraction k / n in [0, 1], whatever the order of the samples; 1 for a perfect prediction",
                 _probe_order, _judge_order),
    ),
    mistakes=(
        Mistake("argmax-axis-0", "take the argmax along each row (axis=1): one predicted class "
                "per sample.", _accuracy_axis0),
        Mistake("count-not-fraction", "accuracy is the fraction of correct rows (divide by the "
                "number of samples), not their count.", _accuracy_count),
        Mistake("threshold-half", "the predicted class is the one with the largest probability "
                "(np.argmax(probs, axis=1)): with more than two classes the true class can win with "
                "less than 0.5.", _accuracy_threshold),
        Mistake("elementwise", "compare one predicted class per sample, np.argmax(probs, axis=1), with "
                "the true class, np.argmax(y_onehot, axis=1); comparing the arrays entry by entry "
                "counts every class of every sample.", _accuracy_elementwise),
    ),
)

SPECS = (MSE, MSE_GRAD, BINARY_CROSS_ENTROPY, CATEGORICAL_CROSS_ENTROPY, ACCURACY)
