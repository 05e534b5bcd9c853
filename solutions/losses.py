r"""Loss functions (lesson 01-loss-functions).

- :func:`mse` and :func:`mse_grad`: the mean squared error and its gradient.
- :func:`binary_cross_entropy`: the loss of a model that outputs one
  probability per example.
- :func:`categorical_cross_entropy`: the loss of a model that outputs one
  probability per class (one-hot or soft labels).
- :func:`accuracy`: the fraction of rows whose most likely class is right.

Conventions shared by the module:

- Arrays are converted to ``float64`` and never modified; the losses return a
  Python ``float`` (the mean over samples, never the sum).
- The two arrays of a call must have the same shape: nothing is broadcast, so
  a ``(n, 1)`` column against an ``(n,)`` vector is an error rather than a
  silent ``(n, n)`` table.
- Logarithms are natural (nats). The cross-entropies clip probabilities to
  ``[eps, 1 - eps]`` before the logarithm, so a confident mistake costs a
  large but finite loss (``-log(1e-12)``, about 27.6) instead of ``inf``.
"""

from __future__ import annotations

import numpy as np

from solutions import _validation

__all__ = ["mse", "mse_grad", "binary_cross_entropy", "categorical_cross_entropy", "accuracy"]


def _pair(name_a: str, a, name_b: str, b, *, ndim: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two new float64 arrays of one shape with at least one element, or a clear error."""
    a = _validation.as_float_array(name_a, a, ndim=ndim)
    b = _validation.as_float_array(name_b, b, ndim=ndim)
    _validation.same_shape(name_a, a, name_b, b)
    if a.size == 0:
        raise ValueError(f"{name_a} and {name_b} must hold at least one element, got shape {a.shape}")
    return a, b


def _eps(eps) -> float:
    return _validation.real_number("eps", eps, low=0.0, high=0.5, low_open=True, high_open=True)


def mse(y_pred, y_true):
    r"""Mean squared error over all elements.

    Parameters
    ----------
    y_pred : array_like of any shape
        The predictions, for example of shape ``(n_samples,)`` or
        ``(n_samples, n_outputs)``.
    y_true : array_like of the shape of ``y_pred``
        The targets.

    Returns
    -------
    float
        The mean of the squared differences.

    Raises
    ------
    TypeError
        If an argument is not a real numeric array.
    ValueError
        If the shapes differ (nothing is broadcast) or the arrays are empty.

    Notes
    -----
    For :math:`N` elements in total (``y_pred.size``),

    .. math::

        \mathrm{MSE}(\hat y, y) = \frac{1}{N} \sum_{i=1}^{N} (\hat y_i - y_i)^2 .

    The mean runs over every element, so for an ``(n_samples, n_outputs)``
    array it also divides by ``n_outputs`` (PyTorch's ``mse_loss``). Values are
    not checked for finiteness: ``inf`` and ``nan`` propagate.

    Examples
    --------
    >>> mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])   # one error of 2: 4 / 3
    1.3333333333333333
    """
    y_pred, y_true = _pair("y_pred", y_pred, "y_true", y_true)
    return float(np.mean((y_pred - y_true) ** 2))


def mse_grad(y_pred, y_true):
    r"""Gradient of :func:`mse` with respect to ``y_pred``.

    Parameters
    ----------
    y_pred : array_like of any shape
        The predictions.
    y_true : array_like of the shape of ``y_pred``
        The targets.

    Returns
    -------
    ndarray of the shape of ``y_pred``
        :math:`\partial\,\mathrm{MSE} / \partial \hat y`.

    Raises
    ------
    TypeError
        If an argument is not a real numeric array.
    ValueError
        If the shapes differ (nothing is broadcast) or the arrays are empty.

    Notes
    -----
    Each element appears in one term of the mean, so

    .. math::

        \frac{\partial\, \mathrm{MSE}}{\partial \hat y_i} = \frac{2}{N} (\hat y_i - y_i),

    with :math:`N` the number of elements (``y_pred.size``): the factor 2
    comes from the square and the :math:`1/N` from the mean.

    Examples
    --------
    >>> mse_grad([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    array([ 0.        ,  0.        , -1.33333333])
    """
    y_pred, y_true = _pair("y_pred", y_pred, "y_true", y_true)
    return np.asarray(2.0 * (y_pred - y_true) / y_pred.size)


def binary_cross_entropy(p, y, eps=1e-12):
    r"""Mean binary cross-entropy between predicted probabilities and labels.

    Parameters
    ----------
    p : array_like of any shape, for example ``(n_samples,)``
        The predicted probability of the positive class, each in ``[0, 1]``.
    y : array_like of the shape of ``p``
        The labels: 0 or 1, or soft labels in ``[0, 1]``.
    eps : float, default 1e-12
        ``p`` is clipped to ``[eps, 1 - eps]`` before the logarithms; must lie
        in ``(0, 0.5)``.

    Returns
    -------
    float
        The mean loss over all elements, in nats.

    Raises
    ------
    TypeError
        If an array is not real numeric or ``eps`` is not a real number.
    ValueError
        If the shapes differ, the arrays are empty, an entry of ``p`` or ``y``
        lies outside ``[0, 1]`` (or is NaN), or ``eps`` is outside ``(0, 0.5)``.

    Notes
    -----
    With :math:`\tilde p_i = \min(\max(p_i, \epsilon), 1 - \epsilon)`,

    .. math::

        \mathrm{BCE}(p, y) = -\frac{1}{N} \sum_{i=1}^{N}
            \bigl[ y_i \log \tilde p_i + (1 - y_i) \log (1 - \tilde p_i) \bigr] .

    Without the clipping a prediction of exactly 0 or 1 gives
    :math:`\log 0 = -\infty`, and :math:`0 \cdot (-\infty)` is NaN even when
    the prediction is right. The clipping caps the cost of one confident
    mistake at :math:`-\log \epsilon \approx 27.6` nats (PyTorch's
    ``binary_cross_entropy`` caps each logarithm at :math:`-100` instead).

    Examples
    --------
    >>> round(binary_cross_entropy([0.9, 0.2], [1.0, 0.0]), 4)   # -(log 0.9 + log 0.8) / 2
    0.1643
    >>> round(binary_cross_entropy([0.0], [1.0]), 2)             # -log(1e-12), not inf
    27.63
    """
    p, y = _pair("p", p, "y", y)
    _validation.probabilities("p", p)
    _validation.probabilities("y", y)
    eps = _eps(eps)
    p = np.clip(p, eps, 1.0 - eps)
    return float(np.mean(-(y * np.log(p) + (1.0 - y) * np.log1p(-p))))


def categorical_cross_entropy(probs, y_onehot, eps=1e-12):
    r"""Mean categorical cross-entropy between predicted and true class probabilities.

    Parameters
    ----------
    probs : array_like of shape (n_samples, n_classes)
        The predicted probabilities (for example softmax outputs), each in
        ``[0, 1]``. Rows are used as given, not renormalized.
    y_onehot : array_like of shape (n_samples, n_classes)
        The one-hot labels, or soft labels with entries in ``[0, 1]``.
    eps : float, default 1e-12
        ``probs`` is clipped to ``[eps, 1 - eps]`` before the logarithm; must
        lie in ``(0, 0.5)``.

    Returns
    -------
    float
        The loss summed over the classes and averaged over the samples, in nats.

    Raises
    ------
    TypeError
        If an array is not real numeric or ``eps`` is not a real number.
    ValueError
        If an array is not 2-D, the shapes differ, there are no samples or no
        classes, an entry lies outside ``[0, 1]`` (or is NaN), or ``eps`` is
        outside ``(0, 0.5)``.

    Notes
    -----
    With :math:`\tilde p = \min(\max(p, \epsilon), 1 - \epsilon)` element-wise,

    .. math::

        \mathrm{CCE}(P, Y) = -\frac{1}{n} \sum_{i=1}^{n} \sum_{k=1}^{K}
            y_{ik} \log \tilde p_{ik} .

    For a one-hot row only the probability given to the *true* class counts:
    the loss of a sample is :math:`-\log \tilde p_{i, y_i}`. The mean is over
    samples only (not over the :math:`n K` entries). The clipping bounds follow
    :func:`binary_cross_entropy` (and Keras); the upper one moves a perfect
    prediction's loss from 0 to about :math:`10^{-12}`.

    Examples
    --------
    The lesson's two worked examples. Two barely right predictions:

    >>> probs = [[0.55, 0.45], [0.44, 0.56]]
    >>> round(categorical_cross_entropy(probs, [[1, 0], [0, 1]]), 3)  # -(log .55 + log .56) / 2
    0.589

    Two barely wrong ones: the true classes get 0.49 and 0.41.

    >>> probs = [[0.51, 0.49], [0.41, 0.59]]
    >>> round(categorical_cross_entropy(probs, [[0, 1], [1, 0]]), 3)  # -(log .49 + log .41) / 2
    0.802
    """
    probs, y_onehot = _pair("probs", probs, "y_onehot", y_onehot, ndim=2)
    _validation.probabilities("probs", probs)
    _validation.probabilities("y_onehot", y_onehot)
    eps = _eps(eps)
    log_p = np.log(np.clip(probs, eps, 1.0 - eps))
    return float(np.mean(-np.sum(y_onehot * log_p, axis=1)))


def accuracy(probs, y_onehot):
    r"""Fraction of samples whose most probable class is the true class.

    Parameters
    ----------
    probs : array_like of shape (n_samples, n_classes)
        Predicted probabilities, or any scores that rank the classes (logits
        give the same accuracy as their softmax). NaN is not allowed.
    y_onehot : array_like of shape (n_samples, n_classes)
        One-hot labels (for soft labels, the largest entry is the true class).

    Returns
    -------
    float
        A number in ``[0, 1]``.

    Raises
    ------
    TypeError
        If an array is not real numeric.
    ValueError
        If an array is not 2-D, the shapes differ, there are no samples or no
        classes, or an array contains NaN.

    Notes
    -----
    .. math::

        \mathrm{acc} = \frac{1}{n} \sum_{i=1}^{n}
            \mathbf{1}\bigl[\operatorname{argmax}_k p_{ik} = \operatorname{argmax}_k y_{ik}\bigr] .

    Ties go to the lowest class index (NumPy's ``argmax``), in the
    predictions and in the labels alike. Accuracy ignores how confident a
    prediction is: 0.51 and 0.99 for the true class count the same, which is
    why it is reported but not minimized.

    Examples
    --------
    >>> accuracy([[0.55, 0.45], [0.44, 0.56]], [[1, 0], [0, 1]])
    1.0
    >>> accuracy([[0.51, 0.49], [0.41, 0.59]], [[0, 1], [1, 0]])
    0.0
    """
    probs, y_onehot = _pair("probs", probs, "y_onehot", y_onehot, ndim=2)
    for name, arr in (("probs", probs), ("y_onehot", y_onehot)):
        if np.isnan(arr).any():
            raise ValueError(f"{name} must not contain NaN, got NaN in an array of shape {arr.shape}")
    return float(np.mean(np.argmax(probs, axis=1) == np.argmax(y_onehot, axis=1)))
