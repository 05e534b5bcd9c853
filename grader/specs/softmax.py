"""Checks and mistakes for lesson 02, softmax, entropy and cross-entropy (reference: ``solutions.softmax``).

Only the errors the lesson teaches are graded: ``p`` and ``q`` of different
shapes, logits that are not 2-D, labels that are not one integer per row
(one-hot rows, for instance) and labels out of range.  Values the reference
also refuses (NaN logits, rows of all ``-inf``, probabilities outside
``[0, 1]``) are never given.
"""

from __future__ import annotations

import numpy as np

from solutions import softmax as ref

from ..spec import Case, Compare, Mistake, Raises, Spec

_rng = np.random.default_rng(202)


def _dist(*shape: int) -> np.ndarray:
    p = _rng.uniform(0.05, 1.0, size=shape)
    return p / p.sum(axis=-1, keepdims=True)


def _labels(n: int, k: int) -> np.ndarray:
    return _rng.integers(0, k, size=n)


# --- softmax ------------------------------------------------------------------------------------

def _softmax_naive(z, axis=-1):
    e = np.exp(np.asarray(z, dtype=float))
    return e / np.sum(e, axis=axis, keepdims=True)


def _softmax_global_max(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z))
    return e / np.sum(e, axis=axis, keepdims=True)


def _softmax_last_axis(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _softmax_first_axis(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


SOFTMAX = Spec(
    name="softmax",
    reference=ref.softmax,
    groups=(
        Compare("the lesson's worked example and small cases", [
            Case((np.array([1.0, 2.0, 3.0]),), label="softmax(1, 2, 3) = (0.090, 0.245, 0.665)"),
            Case((np.array([[0.0, 0.0], [3.0, -1.0]]),)),
            Case((np.array([5.0]),), label="one class"),
        ]),
        Compare("random logits of several shapes", [
            Case((_rng.normal(size=(6, 4)),)),
            Case((_rng.normal(size=(1, 10)),), label="one sample"),
            Case((_rng.normal(scale=3, size=(3, 5, 2)),)),
        ]),
        Compare("the axis argument", [
            Case((_rng.normal(size=(4, 3)),), {"axis": 0}),
            Case((_rng.normal(size=(2, 3, 4)),), {"axis": 1}),
        ]),
        Compare("huge logits (1e3 and 1e4), rows of very different scales, -inf: finite, no warnings", [
            Case((np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]]),)),
            Case((np.array([[0.0, 1.0], [-1000.0, -999.0]]),), label="one max per row"),
            Case((np.array([[1e4, 0.0, -1e4]]),)),
            Case((np.array([[0.0, -np.inf, 1.0]]),), label="-inf gives probability 0"),
        ], warn_free=True),
    ),
    mistakes=(
        Mistake("no-max", "subtract each row's maximum before np.exp: exp(1000) overflows to inf and "
                "inf / inf is nan.", _softmax_naive),
        Mistake("global-max", "subtract one maximum per row (np.max(z, axis=axis, keepdims=True)), not the "
                "maximum of the whole array: a row far below the global maximum underflows to 0 / 0.",
                _softmax_global_max),
        Mistake("wrong-axis", "normalise along the `axis` argument (the max and the sum both need "
                "axis=axis, keepdims=True), not always along the last axis.", _softmax_last_axis),
        Mistake("first-axis", "the classes are along `axis` (the last axis by default): you normalise "
                "down the columns (axis 0).", _softmax_first_axis),
    ),
)


# --- log_softmax --------------------------------------------------------------------------------

def _log_softmax_of_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return np.log(e / np.sum(e, axis=axis, keepdims=True))


def _log_softmax_naive(z, axis=-1):
    z = np.asarray(z, dtype=float)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def _log_softmax_last_axis(z, axis=-1):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _log_softmax_no_log(z, axis=-1):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.sum(np.exp(shifted), axis=axis, keepdims=True)


LOG_SOFTMAX = Spec(
    name="log_softmax",
    reference=ref.log_softmax,
    groups=(
        Compare("small hand-checkable cases", [
            Case((np.array([1.0, 2.0, 3.0]),)),
            Case((np.array([[0.0, 0.0, 0.0]]),), label="uniform: -log 3 each"),
        ]),
        Compare("random logits of several shapes and axes", [
            Case((_rng.normal(size=(5, 4)),)),
            Case((_rng.normal(scale=4, size=(2, 3, 6)),)),
            Case((_rng.normal(size=(4, 3)),), {"axis": 0}),
            Case((_rng.normal(size=(2, 5, 3)),), {"axis": 1}),
        ]),
        Compare("log-probabilities far below the smallest float: [0, 1000] gives [-1000, 0], no warnings", [
            Case((np.array([[0.0, 1000.0]]),)),
            Case((np.array([[1e4, -1e4, 0.0], [-5.0, 5.0, 0.0]]),)),
        ], warn_free=True),
    ),
    mistakes=(
        Mistake("log-of-softmax", "np.log(softmax(z)) gives -inf where a probability underflows to 0: "
                "compute z - max - log(sum(exp(z - max))) directly (the log-sum-exp trick).",
                _log_softmax_of_softmax),
        Mistake("no-max", "subtract the maximum inside the log-sum-exp: exp(1000) overflows.",
                _log_softmax_naive),
        Mistake("wrong-axis", "use the `axis` argument for the max and the sum (keepdims=True), not always "
                "the last axis.", _log_softmax_last_axis),
        Mistake("missing-log", "log_softmax subtracts the LOG of the sum of exponentials.", _log_softmax_no_log),
    ),
)


# --- entropy ------------------------------------------------------------------------------------

def _entropy_nan(p, axis=-1):
    p = np.asarray(p, dtype=float)
    return -np.sum(p * np.log(p), axis=axis)


def _entropy_bits(p, axis=-1):
    p = np.asarray(p, dtype=float)
    logs = np.log2(np.where(p > 0, p, 1.0))
    return -np.sum(p * logs, axis=axis)


def _entropy_sign(p, axis=-1):
    p = np.asarray(p, dtype=float)
    return np.sum(p * np.log(np.where(p > 0, p, 1.0)), axis=axis)


def _entropy_last_axis(p, axis=-1):
    p = np.asarray(p, dtype=float)
    return -np.sum(p * np.log(np.where(p > 0, p, 1.0)), axis=-1)


ENTROPY = Spec(
    name="entropy",
    reference=ref.entropy,
    groups=(
        Compare("coins: fair (log 2) and biased, a certain outcome (0), the uniform maximum", [
            Case((np.array([0.5, 0.5]),)),
            Case((np.array([0.9, 0.1]),)),
            Case((np.full(8, 1 / 8),), label="log 8"),
        ]),
        Compare("zero probabilities (0 log 0 = 0, no nan, no warnings)", [
            Case((np.array([1.0, 0.0]),)),
            Case((np.array([[0.0, 0.5, 0.5], [0.0, 0.0, 1.0]]),)),
        ], warn_free=True),
        Compare("random distributions, one entropy per row, and the axis argument", [
            Case((_dist(5, 4),)),
            Case((_dist(2, 3, 6),)),
            Case((_dist(4, 3).T.copy(),), {"axis": 0}),
        ]),
    ),
    mistakes=(
        Mistake("log-zero-nan", "0 * log(0) is 0 * -inf = nan in floating point: count terms with p = 0 as 0 "
                "(e.g. np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0)).", _entropy_nan),
        Mistake("bits", "entropy here is in nats: use the natural logarithm np.log, not np.log2.", _entropy_bits),
        Mistake("sign", "entropy is MINUS the sum of p log p (it is never negative).", _entropy_sign),
        Mistake("wrong-axis", "sum along the `axis` argument, not always the last axis.", _entropy_last_axis),
    ),
)


# --- cross_entropy ------------------------------------------------------------------------------

def _xlogy(p, q):
    return np.where(p > 0, p * np.log(np.where(p > 0, q, 1.0)), 0.0)


def _ce_nan(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    return -np.sum(p * np.log(q), axis=axis)


def _ce_swapped(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    with np.errstate(divide="ignore"):
        return -np.sum(_xlogy(q, p), axis=axis)


def _ce_last_axis(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    with np.errstate(divide="ignore"):
        return -np.sum(_xlogy(p, q), axis=-1)


def _ce_unchecked(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    with np.errstate(divide="ignore"):
        return -np.sum(_xlogy(p, q), axis=axis)


CROSS_ENTROPY = Spec(
    name="cross_entropy",
    reference=ref.cross_entropy,
    groups=(
        Compare("a one-hot truth, the uniform model, small cases", [
            Case((np.array([0.0, 1.0, 0.0]), np.array([0.2, 0.5, 0.3]))),
            Case((np.array([0.5, 0.5]), np.array([0.9, 0.1]))),
            Case((np.array([0.25, 0.25, 0.5]), np.full(3, 1 / 3))),
        ]),
        Compare("zeros: 0 log q = 0 even when q = 0, and inf when q = 0 where p is not", [
            Case((np.array([0.0, 1.0]), np.array([0.0, 1.0]))),
            Case((np.array([0.5, 0.5]), np.array([1.0, 0.0]))),
        ]),
        Compare("random distributions, one value per row, and the axis argument", [
            Case((_dist(5, 4), _dist(5, 4))),
            Case((_dist(2, 3, 3), _dist(2, 3, 3))),
            Case((_dist(4, 3).T.copy(), _dist(4, 3).T.copy()), {"axis": 0}),
        ]),
        Raises("p and q of different shapes raise ValueError", [
            Case((np.full((3, 1), 1.0), np.full(3, 1 / 3))),
        ], mistake="unchecked-shapes"),
    ),
    mistakes=(
        Mistake("swapped", "cross-entropy is -sum p log q: the TRUE distribution p weights the log of the "
                "MODEL q; you have them the other way round.", _ce_swapped),
        Mistake("log-zero-nan", "where p = 0 the term is 0, even when q = 0: 0 * log(0) would be nan.",
                _ce_nan),
        Mistake("wrong-axis", "sum along the `axis` argument, not always the last axis.", _ce_last_axis),
        Mistake("unchecked-shapes", "raise ValueError when p and q have different shapes; NumPy would "
                "broadcast (3, 1) against (3,) into a (3, 3) table without complaint.", _ce_unchecked,
                matchable=False),
    ),
)


# --- kl_divergence ------------------------------------------------------------------------------

def _kl_core(p, q, axis):
    with np.errstate(divide="ignore"):
        return np.sum(np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(np.where(p > 0, q, 1.0))),
                               0.0), axis=axis)


def _kl_swapped(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    return _kl_core(q, p, axis)


def _kl_nan(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    return np.sum(p * np.log(p / q), axis=axis)


def _kl_sign(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    return -_kl_core(p, q, axis)


def _kl_unchecked(p, q, axis=-1):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return _kl_core(p, q, axis)


KL_DIVERGENCE = Spec(
    name="kl_divergence",
    reference=ref.kl_divergence,
    groups=(
        Compare("the lesson's coins both ways (0.511 and 0.368), and zero for equal distributions", [
            Case((np.array([0.5, 0.5]), np.array([0.9, 0.1]))),
            Case((np.array([0.9, 0.1]), np.array([0.5, 0.5]))),
            Case((np.array([0.2, 0.3, 0.5]), np.array([0.2, 0.3, 0.5]))),
        ]),
        Compare("zeros in p (terms are 0), no nan, no warnings", [
            Case((np.array([0.0, 1.0]), np.array([0.5, 0.5]))),
            Case((np.array([[0.0, 0.4, 0.6], [1.0, 0.0, 0.0]]), np.array([[0.1, 0.4, 0.5], [0.7, 0.2, 0.1]]))),
        ], warn_free=True),
        Compare("random distributions, one value per row, and the axis argument", [
            Case((_dist(5, 4), _dist(5, 4))),
            Case((_dist(4, 3).T.copy(), _dist(4, 3).T.copy()), {"axis": 0}),
        ]),
        Raises("p and q of different shapes raise ValueError", [
            Case((np.full((3, 1), 1.0), np.full(3, 1 / 3))),
        ], mistake="unchecked-shapes"),
    ),
    mistakes=(
        Mistake("swapped", "KL(p || q) = sum p log(p / q): you computed KL(q || p). KL is not symmetric, "
                "so the order matters (0.511 against 0.368 for the lesson's coins).", _kl_swapped),
        Mistake("log-zero-nan", "terms with p = 0 are 0: p * log(p / q) gives 0 * -inf = nan there.", _kl_nan),
        Mistake("sign", "KL is sum p log(p / q), which is never negative; you have the opposite sign.",
                _kl_sign),
        Mistake("unchecked-shapes", "raise ValueError when p and q have different shapes.", _kl_unchecked,
                matchable=False),
    ),
)


# --- softmax_cross_entropy ----------------------------------------------------------------------

def _checked(logits, y):
    logits = np.asarray(logits, dtype=float)
    y = np.asarray(y)
    if logits.ndim != 2 or y.shape != (logits.shape[0],) or y.min() < 0 or y.max() >= logits.shape[1]:
        raise ValueError("bad logits or labels")
    return logits, y.astype(int)


def _log_probs(logits):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def _sce_naive(logits, y):
    logits, y = _checked(logits, y)
    e = np.exp(logits)
    return float(np.mean(-np.log(e[np.arange(len(y)), y] / e.sum(axis=1))))


def _sce_sum(logits, y):
    logits, y = _checked(logits, y)
    return float(-np.sum(_log_probs(logits)[np.arange(len(y)), y]))


def _sce_predicted(logits, y):
    logits, y = _checked(logits, y)
    return float(np.mean(-np.max(_log_probs(logits), axis=1)))


def _sce_unchecked(logits, y):
    logits = np.asarray(logits, dtype=float)
    y = np.asarray(y)
    if y.ndim == 2:  # one-hot rows taken as they come
        return float(np.mean(-np.sum(y * _log_probs(logits), axis=1)))
    return float(np.mean(-_log_probs(logits)[np.arange(len(y)), y]))


_INVALID = [
    Case((np.zeros((2, 3)), np.array([[1, 0, 0], [0, 0, 1]])), label="one-hot rows instead of labels"),
    Case((np.zeros((2, 3)), np.array([0, 3])), label="a label out of range"),
    Case((np.zeros(3), np.array([0])), label="1-D logits"),
]

SOFTMAX_CROSS_ENTROPY = Spec(
    name="softmax_cross_entropy",
    reference=ref.softmax_cross_entropy,
    groups=(
        Compare("the lesson's worked examples (0.417, then 0.758 with a uniform second sample)", [
            Case((np.array([[2.0, 1.0, 0.1]]), np.array([0]))),
            Case((np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]]), np.array([0, 2]))),
            Case((np.zeros((4, 10)), np.array([0, 3, 9, 5])), label="a uniform guess costs log 10"),
        ]),
        Compare("random logits and labels", [
            Case((_rng.normal(size=(8, 5)), _labels(8, 5))),
            Case((_rng.normal(scale=5, size=(3, 10)), _labels(3, 10))),
        ]),
        Compare("huge logits (1e4): exact, no overflow, no warnings", [
            Case((np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]]), np.array([1, 0]))),
        ], warn_free=True),
        Raises("invalid arguments raise ValueError", _INVALID, mistake="unchecked"),
    ),
    mistakes=(
        Mistake("naive", "go through log_softmax (max subtracted, log-sum-exp): exp(1e4) overflows and "
                "log(softmax) underflows to log(0).", _sce_naive),
        Mistake("sum-not-mean", "the loss is the MEAN over samples, not the sum.", _sce_sum),
        Mistake("predicted-class", "take the log-probability of the TRUE class y[i] in each row "
                "(log_p[np.arange(n), y]), not of the largest one.", _sce_predicted),
        Mistake("unchecked", "y holds one integer label per row: raise ValueError for one-hot rows, labels "
                "out of range or logits that are not 2-D.", _sce_unchecked, matchable=False),
    ),
)


# --- softmax_cross_entropy_grad -----------------------------------------------------------------

def _probs(logits):
    return np.exp(_log_probs(logits))


def _onehot(y, k):
    return np.eye(k)[y]


def _grad_no_n(logits, y):
    logits, y = _checked(logits, y)
    return _probs(logits) - _onehot(y, logits.shape[1])


def _grad_sign(logits, y):
    logits, y = _checked(logits, y)
    return (_onehot(y, logits.shape[1]) - _probs(logits)) / len(y)


def _grad_naive(logits, y):
    logits, y = _checked(logits, y)
    e = np.exp(logits)
    return (e / e.sum(axis=1, keepdims=True) - _onehot(y, logits.shape[1])) / len(y)


def _grad_unchecked(logits, y):
    logits = np.asarray(logits, dtype=float)
    y = np.asarray(y)
    target = y if y.ndim == 2 else _onehot(y, logits.shape[-1])
    return (_probs(np.atleast_2d(logits)) - target) / len(y)


SOFTMAX_CROSS_ENTROPY_GRAD = Spec(
    name="softmax_cross_entropy_grad",
    reference=ref.softmax_cross_entropy_grad,
    groups=(
        Compare("the lesson's worked examples", [
            Case((np.array([[2.0, 1.0, 0.1]]), np.array([0]))),
            Case((np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]]), np.array([0, 2]))),
        ]),
        Compare("random logits and labels of several sizes", [
            Case((_rng.normal(size=(8, 5)), _labels(8, 5))),
            Case((_rng.normal(scale=5, size=(3, 10)), _labels(3, 10))),
            Case((_rng.normal(size=(1, 4)), np.array([2])), label="one sample"),
        ]),
        Compare("huge logits (1e4): finite, no warnings", [
            Case((np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]]), np.array([1, 0]))),
        ], warn_free=True),
        Raises("invalid arguments raise ValueError", _INVALID, mistake="unchecked"),
    ),
    mistakes=(
        Mistake("not-divided-by-n", "the loss is a mean over the n samples, so its gradient is "
                "(softmax - one_hot) / n.", _grad_no_n),
        Mistake("sign", "the gradient is softmax - one_hot (it points uphill), not one_hot - softmax.",
                _grad_sign),
        Mistake("naive", "compute the probabilities stably (subtract each row's maximum): exp(1e4) "
                "overflows to inf and inf / inf is nan.", _grad_naive),
        Mistake("unchecked", "y holds one integer label per row: raise ValueError for one-hot rows, labels "
                "out of range or logits that are not 2-D.", _grad_unchecked, matchable=False),
    ),
)

SPECS = (SOFTMAX, LOG_SOFTMAX, ENTROPY, CROSS_ENTROPY, KL_DIVERGENCE, SOFTMAX_CROSS_ENTROPY,
         SOFTMAX_CROSS_ENTROPY_GRAD)
