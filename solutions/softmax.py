r"""Softmax, entropy and cross-entropy (lesson 02-softmax-entropy).

- :func:`softmax` and :func:`log_softmax`: logits to (log-)probabilities,
  numerically stable along any axis.
- :func:`entropy`, :func:`cross_entropy` and :func:`kl_divergence`: the
  information measures of discrete distributions, in nats.
- :func:`softmax_cross_entropy` and :func:`softmax_cross_entropy_grad`: the
  classification loss on logits with integer labels, and its gradient.
- :func:`one_hot`: integer labels to one-hot rows (a helper for demos).

Conventions shared by the module:

- Arrays are converted to ``float64`` and never modified; results are new
  arrays, the loss is a Python ``float``. Logarithms are natural (nats).
- ``axis`` selects the axis that holds the classes (the last by default); it
  must exist and have at least one entry.
- Logits may be ``-inf`` (a class ruled out: probability 0, log-probability
  ``-inf``) but not NaN or ``+inf``, and every slice along ``axis`` needs at
  least one finite logit: a slice of all ``-inf`` rules out every class, so
  it has no softmax, and is a ``ValueError`` rather than a silent NaN.
- Distributions (``p``, ``q``) must hold entries in ``[0, 1]``; they are used
  as given, not renormalized. ``0 log 0 = 0``, and a term ``p log 0`` with
  ``p > 0`` is infinite (returned as ``inf``, without a warning).
"""

from __future__ import annotations

import numbers

import numpy as np

from solutions import _validation

__all__ = [
    "softmax",
    "log_softmax",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "one_hot",
]


# --------------------------------------------------------------------------- private checks


def _axis(axis, arr: np.ndarray, name: str) -> int:
    """Return ``axis`` as a non-negative int naming a non-empty axis of ``arr``."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer, got {type(axis).__name__}")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(
            f"axis must be in [{-arr.ndim}, {arr.ndim - 1}] for {name} of shape {arr.shape}, got {axis}"
        )
    axis = int(axis) % arr.ndim
    if arr.shape[axis] == 0:
        raise ValueError(f"{name} must have at least one class along axis {axis}, got shape {arr.shape}")
    return axis


def _logits(z, axis, name: str = "z") -> tuple[np.ndarray, int]:
    """Validated float64 logits (finite or -inf, one finite entry per slice) and axis."""
    z = _validation.as_float_array(name, z, min_ndim=1)
    axis = _axis(axis, z, name)
    bad = np.isnan(z) | np.isposinf(z)
    if bad.any():
        raise ValueError(
            f"{name} must not contain NaN or +inf (-inf is allowed: a class ruled out), "
            f"got {float(z[bad].flat[0])}"
        )
    if np.isneginf(z).all(axis=axis).any():
        raise ValueError(
            f"{name} has a slice along axis {axis} whose entries are all -inf: every class is ruled "
            "out, so softmax is undefined there; give at least one class a finite logit"
        )
    return z, axis


def _distribution(name: str, value) -> np.ndarray:
    """A new float64 array, at least 1-D, with every entry in [0, 1] (NaN never is)."""
    return _validation.probabilities(name, _validation.as_float_array(name, value, min_ndim=1))


def _distribution_pair(p, q, axis) -> tuple[np.ndarray, np.ndarray, int]:
    """Validated ``p`` and ``q`` of one shape, and the axis of their outcomes."""
    p = _distribution("p", p)
    q = _distribution("q", q)
    _validation.same_shape("p", p, "q", q)
    return p, q, _axis(axis, p, "p")


def _log(arr: np.ndarray) -> np.ndarray:
    """``log(arr)`` where ``arr > 0`` and ``-inf`` where it is 0, without a divide warning."""
    out = np.full(arr.shape, -np.inf)
    np.log(arr, out=out, where=arr > 0)
    return out


def _weighted(p: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``p * values`` where ``p > 0`` and 0 where ``p == 0`` (so ``0 * -inf`` is 0, not NaN)."""
    return np.multiply(p, values, out=np.zeros(p.shape), where=p > 0)


def _logits_and_labels(logits, y) -> tuple[np.ndarray, np.ndarray]:
    """Validated ``(n_samples, n_classes)`` logits and one integer label per row."""
    logits, _ = _logits(logits, -1, "logits")
    if logits.ndim != 2:
        raise ValueError(
            f"logits must be a 2-D array of shape (n_samples, n_classes), got shape {logits.shape}"
        )
    n_samples, n_classes = logits.shape
    if n_samples == 0:
        raise ValueError(f"logits must hold at least one sample (row), got shape {logits.shape}")
    y = _validation.as_int_labels("y", y, n_classes)
    if y.shape[0] != n_samples:
        raise ValueError(
            f"y must hold one label per row of logits ({n_samples}), got {y.shape[0]} labels"
        )
    return logits, y


# --------------------------------------------------------------------------- softmax


def _shifted(z: np.ndarray, axis: int) -> np.ndarray:
    """``z - max(z)`` along ``axis``: every slice's largest entry becomes 0, the rest are <= 0.

    A difference beyond the float range (logits near +/-1e308) rounds to
    ``-inf``, whose probability is 0 to every digit a float holds, so that
    overflow is expected and silenced; it cannot happen for ordinary logits.
    """
    with np.errstate(over="ignore"):
        return z - np.max(z, axis=axis, keepdims=True)


def softmax(z, axis=-1):
    r"""Softmax along one axis: logits to probabilities.

    Parameters
    ----------
    z : array_like of any shape with at least one dimension
        The logits, for example of shape ``(n_samples, n_classes)``. Entries
        may be ``-inf`` (probability 0), not NaN or ``+inf``.
    axis : int, default -1
        The axis holding the classes.

    Returns
    -------
    ndarray of the shape of ``z``
        Non-negative entries that sum to 1 along ``axis``.

    Raises
    ------
    TypeError
        If ``z`` is not real numeric or ``axis`` is not an integer.
    ValueError
        If ``z`` is 0-D, ``axis`` is out of range or empty, ``z`` contains NaN
        or ``+inf``, or a slice along ``axis`` is all ``-inf``.

    Notes
    -----
    .. math::

        \operatorname{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}
            = \frac{e^{z_k - m}}{\sum_j e^{z_j - m}}, \qquad m = \max_j z_j .

    Subtracting the maximum of *each slice* changes nothing mathematically
    (the factor :math:`e^{-m}` cancels) but makes every exponent
    :math:`\le 0`: nothing overflows, and the largest term is
    :math:`e^0 = 1`, so the denominator lies in :math:`[1, K]` and never
    underflows to 0. Logits of magnitude :math:`10^4` are fine; the naive
    formula gives ``inf / inf = nan`` from :math:`z \approx 710`. A global
    maximum over the whole array would not do: a row whose logits are all far
    below it underflows to ``0 / 0``.

    The outputs lie in :math:`[0, 1]` and sum to 1 (it is the softmax output,
    not a loss built on it, that is a probability).

    Examples
    --------
    >>> import numpy as np
    >>> np.round(softmax([1.0, 2.0, 3.0]), 4)
    array([0.09  , 0.2447, 0.6652])
    >>> np.round(softmax([1001.0, 1002.0, 1003.0]), 4)   # shift invariant, no overflow
    array([0.09  , 0.2447, 0.6652])
    >>> softmax([0.0, -np.inf])
    array([1., 0.])
    """
    z, axis = _logits(z, axis)
    e = np.exp(_shifted(z, axis))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    r"""Logarithm of the softmax along one axis, computed stably.

    Parameters
    ----------
    z : array_like of any shape with at least one dimension
        The logits. Entries may be ``-inf`` (log-probability ``-inf``), not
        NaN or ``+inf``.
    axis : int, default -1
        The axis holding the classes.

    Returns
    -------
    ndarray of the shape of ``z``
        Log-probabilities, all :math:`\le 0`; their exponentials sum to 1
        along ``axis``.

    Raises
    ------
    TypeError
        If ``z`` is not real numeric or ``axis`` is not an integer.
    ValueError
        As :func:`softmax`.

    Notes
    -----
    .. math::

        \log \operatorname{softmax}(z)_k = z_k - \operatorname{logsumexp}(z),
        \qquad
        \operatorname{logsumexp}(z) = m + \log \sum_j e^{z_j - m},
        \quad m = \max_j z_j .

    The sum lies in :math:`[1, K]`, so its logarithm is finite. Taking
    ``np.log(softmax(z))`` instead loses everything below the smallest float:
    a probability of :math:`e^{-1000}` underflows to 0 and its log to
    ``-inf``, where this formula returns :math:`-1000` exactly.

    Examples
    --------
    >>> import numpy as np
    >>> log_softmax([0.0, 1000.0])        # np.log(softmax(...)) would give -inf
    array([-1000.,     0.])
    >>> np.round(np.exp(log_softmax([1.0, 2.0, 3.0])), 4)
    array([0.09  , 0.2447, 0.6652])
    """
    z, axis = _logits(z, axis)
    shifted = _shifted(z, axis)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


# --------------------------------------------------------------------------- entropies


def entropy(p, axis=-1):
    r"""Shannon entropy of discrete distributions, in nats.

    Parameters
    ----------
    p : array_like of any shape with at least one dimension
        Probabilities in ``[0, 1]``, one distribution per slice along
        ``axis`` (for example ``(n_samples, n_classes)``).
    axis : int, default -1
        The axis holding the outcomes.

    Returns
    -------
    ndarray of the shape of ``p`` without ``axis``
        The entropy of each distribution (a NumPy scalar for 1-D ``p``).

    Raises
    ------
    TypeError
        If ``p`` is not real numeric or ``axis`` is not an integer.
    ValueError
        If ``p`` is 0-D, ``axis`` is out of range or empty, or an entry lies
        outside ``[0, 1]`` (or is NaN).

    Notes
    -----
    .. math::

        H(p) = -\sum_k p_k \log p_k, \qquad 0 \log 0 = 0 .

    The convention is the limit :math:`\lim_{x \to 0^+} x \log x = 0`: an
    outcome that never happens adds no uncertainty. (Evaluated naively,
    ``0 * log(0)`` is ``0 * -inf = nan``.) For :math:`K` outcomes,
    :math:`0 \le H \le \log K`: zero for a certain outcome, :math:`\log K`
    for the uniform distribution.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(entropy([0.5, 0.5])), 4), round(float(np.log(2)), 4)
    (0.6931, 0.6931)
    >>> entropy([[1.0, 0.0], [0.25, 0.75]]).round(4)
    array([0.    , 0.5623])
    """
    p = _distribution("p", p)
    axis = _axis(axis, p, "p")
    # 0.0 - s rather than -s: a certain outcome has entropy +0.0, not -0.0
    return 0.0 - np.sum(_weighted(p, _log(p)), axis=axis)


def cross_entropy(p, q, axis=-1):
    r"""Cross-entropy of ``q`` relative to ``p``, in nats.

    Parameters
    ----------
    p : array_like of any shape with at least one dimension
        The true distributions, entries in ``[0, 1]``.
    q : array_like of the shape of ``p``
        The model's distributions, entries in ``[0, 1]``.
    axis : int, default -1
        The axis holding the outcomes.

    Returns
    -------
    ndarray of the shape of ``p`` without ``axis``
        The cross-entropy of each pair (a NumPy scalar for 1-D inputs);
        ``inf`` where ``q`` is 0 on an outcome that ``p`` gives positive
        probability.

    Raises
    ------
    TypeError
        If an array is not real numeric or ``axis`` is not an integer.
    ValueError
        If the shapes differ, an array is 0-D, ``axis`` is out of range or
        empty, or an entry lies outside ``[0, 1]`` (or is NaN).

    Notes
    -----
    .. math::

        H(p, q) = -\sum_k p_k \log q_k
                = H(p) + D_{\mathrm{KL}}(p \,\|\, q) \ge H(p),

    with :math:`0 \log q = 0` for any :math:`q` (an outcome that never
    happens costs nothing, even where :math:`q = 0`). No clipping is done:
    this is the exact quantity, unlike the training losses of lesson 01.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(cross_entropy([1.0, 0.0], [0.25, 0.75])), 4)   # -log 0.25
    1.3863
    >>> cross_entropy([0.0, 1.0], [1.0, 0.0])
    np.float64(inf)
    """
    p, q, axis = _distribution_pair(p, q, axis)
    return 0.0 - np.sum(_weighted(p, _log(q)), axis=axis)  # +0.0, never -0.0


def kl_divergence(p, q, axis=-1):
    r"""Kullback-Leibler divergence :math:`D_{\mathrm{KL}}(p \,\|\, q)`, in nats.

    Parameters
    ----------
    p : array_like of any shape with at least one dimension
        The reference (true) distributions, entries in ``[0, 1]``.
    q : array_like of the shape of ``p``
        The approximating distributions, entries in ``[0, 1]``.
    axis : int, default -1
        The axis holding the outcomes.

    Returns
    -------
    ndarray of the shape of ``p`` without ``axis``
        The divergence of each pair (a NumPy scalar for 1-D inputs); 0 where
        ``p == q`` and ``inf`` where ``q`` is 0 on an outcome that ``p``
        gives positive probability.

    Raises
    ------
    TypeError
        If an array is not real numeric or ``axis`` is not an integer.
    ValueError
        If the shapes differ, an array is 0-D, ``axis`` is out of range or
        empty, or an entry lies outside ``[0, 1]`` (or is NaN).

    Notes
    -----
    .. math::

        D_{\mathrm{KL}}(p \,\|\, q) = \sum_k p_k \log \frac{p_k}{q_k}
            = H(p, q) - H(p), \qquad 0 \log \frac{0}{q} = 0 .

    For distributions (entries summing to 1) it is :math:`\ge 0`, with
    equality only when :math:`p = q` (Gibbs' inequality). It is not
    symmetric: :math:`D_{\mathrm{KL}}(p \| q)` weighs the log-ratio by
    :math:`p`, so swapping the arguments changes the value. PyTorch's
    ``kl_div(input, target)`` computes :math:`D_{\mathrm{KL}}(\text{target}
    \| \cdot)` from ``input`` :math:`= \log q`.

    Examples
    --------
    >>> import numpy as np
    >>> p, q = [0.5, 0.5], [0.9, 0.1]
    >>> round(float(kl_divergence(p, q)), 4), round(float(kl_divergence(q, p)), 4)
    (0.5108, 0.3681)
    >>> kl_divergence(p, p)
    np.float64(0.0)
    """
    p, q, axis = _distribution_pair(p, q, axis)
    # log p - log q only where p > 0: there log p is finite, so the difference is
    # finite or +inf (q == 0), never -inf - (-inf)
    log_ratio = np.subtract(_log(p), _log(q), out=np.zeros(p.shape), where=p > 0)
    return np.sum(_weighted(p, log_ratio), axis=axis)


# --------------------------------------------------------------------------- the classification loss


def one_hot(y, n_classes):
    r"""Integer class labels as one-hot rows.

    Parameters
    ----------
    y : array_like of shape (n_samples,)
        Integer labels in ``[0, n_classes - 1]``.
    n_classes : int
        The number of classes, ``>= 1``.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        ``float64`` rows with a single 1 in column ``y[i]``.

    Raises
    ------
    TypeError
        If ``n_classes`` is not an integer.
    ValueError
        If ``y`` is not 1-D, holds non-integer values or labels outside
        ``[0, n_classes - 1]``, or ``n_classes < 1``.

    Notes
    -----
    Row :math:`i` is the distribution :math:`e_{y_i}` that puts all its mass
    on the true class, so :math:`-\sum_k e_{y_i,k} \log q_k = -\log q_{y_i}`.

    Examples
    --------
    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    n_classes = _validation.positive_int("n_classes", n_classes)
    y = _validation.as_int_labels("y", y, n_classes)
    out = np.zeros((y.shape[0], n_classes))
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def softmax_cross_entropy(logits, y):
    r"""Mean cross-entropy of the softmax of ``logits`` against integer labels.

    Parameters
    ----------
    logits : array_like of shape (n_samples, n_classes)
        Unnormalized scores; may be ``-inf`` (not NaN or ``+inf``), with at
        least one finite entry per row.
    y : array_like of shape (n_samples,)
        Integer labels in ``[0, n_classes - 1]`` (not one-hot rows).

    Returns
    -------
    float
        The mean over samples, in nats (``inf`` if a true class has logit
        ``-inf``).

    Raises
    ------
    TypeError
        If ``logits`` is not real numeric.
    ValueError
        If ``logits`` is not 2-D or has no rows, holds NaN or ``+inf``, or a
        row of all ``-inf``; if ``y`` is not 1-D (for example one-hot), holds
        non-integers or labels outside ``[0, n_classes - 1]``, or its length
        is not ``n_samples``.

    Notes
    -----
    .. math::

        L = -\frac{1}{n} \sum_{i=1}^{n} \log \operatorname{softmax}(z_i)_{y_i}
          = \frac{1}{n} \sum_{i=1}^{n}
            \Bigl( \operatorname{logsumexp}(z_i) - z_{i, y_i} \Bigr) .

    It is computed through :func:`log_softmax`, so logits of :math:`10^4` give
    the exact loss; taking the log of :func:`softmax` would turn a tiny true
    class probability into :math:`\log 0 = -\infty`. This is PyTorch's
    ``cross_entropy(logits, y)``.

    Examples
    --------
    >>> round(softmax_cross_entropy([[2.0, 1.0, 0.1]], [0]), 4)
    0.417
    >>> softmax_cross_entropy([[0.0, 1e4]], [0])   # exactly 1e4, no overflow
    10000.0
    """
    logits, y = _logits_and_labels(logits, y)
    log_p = log_softmax(logits, axis=1)
    return float(0.0 - np.mean(log_p[np.arange(y.shape[0]), y]))  # +0.0, never -0.0


def softmax_cross_entropy_grad(logits, y):
    r"""Gradient of :func:`softmax_cross_entropy` with respect to the logits.

    Parameters
    ----------
    logits : array_like of shape (n_samples, n_classes)
        Unnormalized scores, as for :func:`softmax_cross_entropy`.
    y : array_like of shape (n_samples,)
        Integer labels in ``[0, n_classes - 1]``.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        :math:`\partial L / \partial z`; each row sums to 0.

    Raises
    ------
    TypeError
        If ``logits`` is not real numeric.
    ValueError
        As :func:`softmax_cross_entropy`.

    Notes
    -----
    With :math:`s_i = \operatorname{softmax}(z_i)` and :math:`e_{y_i}` the
    one-hot row of the label,

    .. math::

        \frac{\partial L}{\partial z_i} = \frac{s_i - e_{y_i}}{n} .

    The :math:`1/n` comes from the mean over samples. Each entry lies in
    :math:`[-1/n, 1/n]` however large the logits: the gradient stays large
    when the model is confidently wrong (:math:`s_{i,y_i} \approx 0` gives
    :math:`-1/n` on the true class), unlike a sigmoid followed by MSE, whose
    gradient vanishes there.

    Examples
    --------
    >>> import numpy as np
    >>> np.round(softmax_cross_entropy_grad([[0.0, 0.0], [0.0, np.log(3.0)]], [0, 0]), 4)
    array([[-0.25 ,  0.25 ],
           [-0.375,  0.375]])
    """
    logits, y = _logits_and_labels(logits, y)
    n_samples, n_classes = logits.shape
    return (softmax(logits, axis=1) - one_hot(y, n_classes)) / n_samples
