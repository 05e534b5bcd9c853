"""Checks and mistakes for lesson 01, loss functions (reference: ``solutions.losses``)."""

from __future__ import annotations

import numpy as np

from solutions import losses as ref

from ..spec import Case, Compare, Mistake, Raises, Spec

_rng = np.random.default_rng(101)


def _probs(n: int, k: int) -> np.ndarray:
    p = _rng.uniform(0.05, 1.0, size=(n, k))
    return p / p.sum(axis=1, keepdims=True)


def _onehot(n: int, k: int) -> np.ndarray:
    return np.eye(k)[_rng.integers(0, k, size=n)]


# The lesson's worked numbers: two confident-enough correct predictions, then two wrong ones.
RIGHT_PROBS = np.array([[0.55, 0.45], [0.44, 0.56]])
RIGHT_LABELS = np.array([[1.0, 0.0], [0.0, 1.0]])
WRONG_PROBS = np.array([[0.51, 0.49], [0.41, 0.59]])
WRONG_LABELS = np.array([[0.0, 1.0], [1.0, 0.0]])


# --- mse ----------------------------------------------------------------------------------------

def _mse_sum(y_pred, y_true):
    return float(np.sum((np.asarray(y_pred) - y_true) ** 2))


def _mse_rows(y_pred, y_true):
    d = (np.asarray(y_pred, dtype=float) - y_true) ** 2
    return float(np.mean(d.reshape(d.shape[0], -1).sum(axis=1))) if d.ndim > 1 else float(np.mean(d))


MSE = Spec(
    name="mse",
    reference=ref.mse,
    groups=(
        Compare("small hand-checkable inputs", [
            Case((np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])), label="one error of 2"),
            Case((np.zeros(4), np.zeros(4)), label="perfect prediction"),
            Case((np.array([2.5]), np.array([-0.5])), label="one sample"),
        ]),
        Compare("random inputs of several shapes", [
            Case((_rng.normal(size=(5, 3)), _rng.normal(size=(5, 3)))),
            Case((_rng.normal(size=(1, 7)), _rng.normal(size=(1, 7)))),
            Case((_rng.normal(size=(64,)), _rng.normal(size=(64,)))),
            Case((_rng.normal(size=(2, 3, 4)), _rng.normal(size=(2, 3, 4)))),
        ]),
        Compare("large magnitudes", [
            Case((np.array([[1e100, -1e100]]), np.array([[0.0, 0.0]]))),
        ], rtol=1e-9, warn_free=True),
        Raises("mismatched shapes raise ValueError", [
            Case((np.zeros(3), np.zeros(4))),
            Case((np.zeros((3, 1)), np.zeros(3)), label="would broadcast to (3, 3)"),
        ]),
    ),
    mistakes=(
        Mistake("sum-not-mean", "you add up the squared errors; MSE takes their mean "
                "(divide by the number of elements, y_pred.size).", _mse_sum),
        Mistake("mean-over-rows", "you average over the rows only (summing over columns); "
                "the mean is over all elements.", _mse_rows),
    ),
)


# --- mse_grad -----------------------------------------------------------------------------------

def _mse_grad_no2(y_pred, y_true):
    return (np.asarray(y_pred) - y_true) / np.asarray(y_pred).size


def _mse_grad_nosize(y_pred, y_true):
    return 2 * (np.asarray(y_pred) - y_true)


def _mse_grad_rows(y_pred, y_true):
    y_pred = np.asarray(y_pred)
    return 2 * (y_pred - y_true) / y_pred.shape[0]


def _mse_grad_sign(y_pred, y_true):
    return 2 * (np.asarray(y_true) - y_pred) / np.asarray(y_pred).size


MSE_GRAD = Spec(
    name="mse_grad",
    reference=ref.mse_grad,
    groups=(
        Compare("small hand-checkable inputs", [
            Case((np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0]))),
            Case((np.array([2.5]), np.array([-0.5])), label="one sample"),
        ]),
        Compare("random inputs of several shapes", [
            Case((_rng.normal(size=(5, 3)), _rng.normal(size=(5, 3)))),
            Case((_rng.normal(size=(64,)), _rng.normal(size=(64,)))),
            Case((_rng.normal(size=(3, 2, 2)), _rng.normal(size=(3, 2, 2)))),
        ]),
        Raises("mismatched shapes raise ValueError", [Case((np.zeros((3, 1)), np.zeros(3)))]),
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
    ),
)


# --- binary_cross_entropy -----------------------------------------------------------------------

def _bce_noclip(p, y, eps=1e-12):
    p = np.asarray(p, dtype=float)
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


BINARY_CROSS_ENTROPY = Spec(
    name="binary_cross_entropy",
    reference=ref.binary_cross_entropy,
    groups=(
        Compare("small hand-checkable inputs", [
            Case((np.array([0.9, 0.2]), np.array([1.0, 0.0]))),
            Case((np.array([0.5]), np.array([1.0])), label="one sample: log 2"),
        ]),
        Compare("random inputs, hard and soft labels", [
            Case((_rng.uniform(0.01, 0.99, size=50), _rng.integers(0, 2, size=50).astype(float))),
            Case((_rng.uniform(0.01, 0.99, size=(4, 3)), _rng.integers(0, 2, size=(4, 3)).astype(float))),
            Case((_rng.uniform(0.01, 0.99, size=20), _rng.uniform(0, 1, size=20)), label="soft labels"),
        ]),
        Compare("probabilities of exactly 0 and 1 (clipped, finite, no warnings)", [
            Case((np.array([0.0, 1.0, 0.3]), np.array([0.0, 1.0, 1.0])), label="confident and right"),
            Case((np.array([0.0, 1.0]), np.array([1.0, 0.0])), label="confident and wrong"),
        ], warn_free=True),
    ),
    mistakes=(
        Mistake("no-clip", "clip p to [eps, 1 - eps] before taking logs: log(0) is -inf and "
                "0 * log(0) is nan.", _bce_noclip),
        Mistake("sum-not-mean", "the loss is the mean over samples, not the sum.", _bce_sum),
        Mistake("log10", "use the natural logarithm (np.log), not np.log10.", _bce_log10),
        Mistake("swapped-terms", "y multiplies log(p) and (1 - y) multiplies log(1 - p); "
                "you have them the other way round.", _bce_swapped),
    ),
)


# --- categorical_cross_entropy ------------------------------------------------------------------

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
        ]),
        Compare("probabilities of exactly 0 (clipped, finite, no warnings)", [
            Case((np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), np.array([[1.0, 0, 0], [1.0, 0, 0]]))),
        ], warn_free=True),
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
    ),
)


# --- accuracy -----------------------------------------------------------------------------------

def _accuracy_axis0(probs, y_onehot):
    return float(np.mean(np.argmax(probs, axis=0) == np.argmax(y_onehot, axis=0)))


def _accuracy_count(probs, y_onehot):
    return float(np.sum(np.argmax(probs, axis=1) == np.argmax(y_onehot, axis=1)))


ACCURACY = Spec(
    name="accuracy",
    reference=ref.accuracy,
    groups=(
        Compare("the lesson's worked numbers (1.0 and 0.0)", [
            Case((RIGHT_PROBS, RIGHT_LABELS)),
            Case((WRONG_PROBS, WRONG_LABELS)),
        ]),
        Compare("random inputs", [
            Case((_probs(40, 5), _onehot(40, 5))),
            Case((_probs(7, 3), _onehot(7, 3))),
            Case((_probs(5, 9), _onehot(5, 9)), label="more classes than samples"),
        ]),
    ),
    mistakes=(
        Mistake("argmax-axis-0", "take the argmax along each row (axis=1): one predicted class "
                "per sample.", _accuracy_axis0),
        Mistake("count-not-fraction", "accuracy is the fraction of correct rows (divide by the "
                "number of samples), not their count.", _accuracy_count),
    ),
)

SPECS = (MSE, MSE_GRAD, BINARY_CROSS_ENTROPY, CATEGORICAL_CROSS_ENTROPY, ACCURACY)
