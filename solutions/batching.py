"""Reference implementation for lesson 03-mini-batch: mini-batch gradient descent.

Shuffling a data set, cutting it into mini-batches, the gradient of the mean
squared error of a linear model, the plain gradient-descent step, and a small
training loop for linear regression that runs stochastic (``batch_size=1``),
mini-batch and full-batch gradient descent with the same code.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from solutions import _validation as v

__all__ = [
    "shuffle_data",
    "minibatches",
    "linear_mse",
    "linear_mse_grad",
    "sgd_step",
    "train_minibatch_sgd",
]


# --------------------------------------------------------------------------
# private helpers
# --------------------------------------------------------------------------

def _targets(name: str, value) -> np.ndarray:
    """Return a copy of ``value`` as a numeric array with a sample axis, keeping its dtype.

    Targets may be real values (regression) or integer class labels, so the
    dtype is kept rather than forced to ``float64``.
    """
    try:
        arr = np.array(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__} ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a numeric array (integer labels or real targets), got dtype {arr.dtype}"
        )
    if arr.ndim < 1:
        raise ValueError(f"{name} must have a sample axis (at least 1 dimension), got shape {arr.shape}")
    return arr


def _paired(X, y) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``X`` (float, sample axis first) and ``y`` (same number of samples)."""
    X = v.as_float_array("X", X, min_ndim=1)
    y = _targets("y", y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same number of samples (first axis), "
            f"got {X.shape[0]} rows in X (shape {X.shape}) and {y.shape[0]} in y (shape {y.shape})"
        )
    return X, y


def _linear_data(w, b, X, y) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Validate the arguments of a linear least-squares model ``X @ w + b`` against ``y``."""
    X = v.as_float_array("X", X, ndim=2)
    if X.shape[0] == 0:
        raise ValueError(f"X must hold at least one sample, got shape {X.shape}")
    w = v.as_float_array("w", w, ndim=1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(
            f"w must have shape (n_features,) = ({X.shape[1]},) to match X of shape {X.shape}, "
            f"got shape {w.shape}"
        )
    b = float(v.as_float_array("b", b, ndim=0))
    y = v.as_float_array("y", y, ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have shape (n_samples,) = ({X.shape[0]},) to match X of shape {X.shape}, "
            f"got shape {y.shape}"
        )
    return w, b, X, y


def _residual(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    return X @ w + b - y


def _mse_grad(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    r = _residual(w, b, X, y)
    scale = 2.0 / r.shape[0]
    return scale * (X.T @ r), scale * float(np.sum(r))


def _batches(X: np.ndarray, y: np.ndarray, batch_size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Consecutive slices of (private copies of) ``X`` and ``y``; the last may be shorter."""
    for start in range(0, X.shape[0], batch_size):
        stop = start + batch_size
        yield X[start:stop], y[start:stop]


# --------------------------------------------------------------------------
# graded functions
# --------------------------------------------------------------------------

def shuffle_data(X, y, *, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle the samples of ``X`` and ``y`` with one shared random permutation.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        Inputs, one sample per row (any number of trailing axes is allowed).
        Returned as ``float64``.
    y : array_like of shape (n_samples,) or (n_samples, ...)
        Targets or integer labels; their dtype is kept.
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    X_shuffled : ndarray of shape (n_samples, n_features)
        ``X[perm]`` for a permutation ``perm`` drawn uniformly from all
        ``n_samples!`` permutations.
    y_shuffled : ndarray of shape (n_samples,) or (n_samples, ...)
        ``y[perm]`` with the same ``perm``, so row ``i`` of ``X_shuffled``
        still belongs with entry ``i`` of ``y_shuffled``.

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator`` or the data are not numeric.
    ValueError
        If ``X`` and ``y`` hold different numbers of samples.

    Notes
    -----
    With a uniformly random permutation :math:`\\pi` of :math:`\\{0, \\dots, n-1\\}`,

    .. math::

        \\tilde{x}_i = x_{\\pi(i)}, \\qquad \\tilde{y}_i = y_{\\pi(i)},

    so every sample lands in every position with probability :math:`1/n` and
    the pairs :math:`(x_i, y_i)` are kept together. The inputs are not changed:
    new arrays are returned.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(10.0).reshape(5, 2)
    >>> y = np.arange(5)
    >>> Xs, ys = shuffle_data(X, y, rng=np.random.default_rng(0))
    >>> sorted(ys.tolist())
    [0, 1, 2, 3, 4]
    >>> bool(np.array_equal(Xs, X[ys]))  # rows still paired with their labels
    True
    """
    X, y = _paired(X, y)
    rng = v.generator("rng", rng)
    perm = rng.permutation(X.shape[0])
    return X[perm], y[perm]


def minibatches(X, y, batch_size, *, rng: np.random.Generator | None = None):
    """Iterate over ``(X_batch, y_batch)`` pairs that cover the data once.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        Inputs, one sample per row. Batches are ``float64``.
    y : array_like of shape (n_samples,) or (n_samples, ...)
        Targets or integer labels; their dtype is kept.
    batch_size : int
        Number of samples per batch, at least 1. A value larger than
        ``n_samples`` gives a single batch holding every sample.
    rng : numpy.random.Generator, optional
        If given, the samples are shuffled first with a new permutation drawn
        at this call; if ``None`` (the default) they keep their original order.

    Returns
    -------
    batches : iterator of (ndarray, ndarray)
        ``ceil(n_samples / batch_size)`` pairs ``(X_batch, y_batch)`` of shapes
        ``(m, n_features)`` and ``(m, ...)``, with ``m = batch_size`` except for
        the last batch, which holds the ``n_samples % batch_size`` left-over
        samples when ``batch_size`` does not divide ``n_samples``. It is a
        one-pass generator: call ``minibatches`` again for the next epoch.

    Raises
    ------
    TypeError
        If ``batch_size`` is not an integer, ``rng`` is neither ``None`` nor a
        ``numpy.random.Generator``, or the data are not numeric.
    ValueError
        If ``batch_size < 1`` or ``X`` and ``y`` hold different numbers of
        samples.

    Notes
    -----
    With :math:`n` samples, batch size :math:`Q` and a permutation :math:`\\pi`
    (the identity when ``rng`` is ``None``), batch :math:`k = 0, 1, \\dots,
    \\lceil n / Q \\rceil - 1` holds the samples

    .. math::

        B_k = \\{\\pi(i) : kQ \\le i < \\min((k + 1)Q, n)\\},

    so the batches partition the data: each sample appears exactly once per
    pass, and no sample is drawn twice (sampling without replacement).

    The arguments are checked and the data copied (and shuffled) when
    ``minibatches`` is called, not when iteration starts, so a bad
    ``batch_size`` fails at once, and changing ``X`` or ``y`` afterwards does
    not change the batches. The batches never share memory with ``X`` or ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(14.0).reshape(7, 2)
    >>> y = np.arange(7)
    >>> [yb.tolist() for _, yb in minibatches(X, y, 3)]
    [[0, 1, 2], [3, 4, 5], [6]]
    >>> batches = list(minibatches(X, y, 3, rng=np.random.default_rng(0)))
    >>> [len(yb) for _, yb in batches]
    [3, 3, 1]
    >>> sorted(np.concatenate([yb for _, yb in batches]).tolist())
    [0, 1, 2, 3, 4, 5, 6]
    """
    X, y = _paired(X, y)
    batch_size = v.positive_int("batch_size", batch_size, minimum=1)
    if rng is not None:
        rng = v.generator("rng", rng)
        perm = rng.permutation(X.shape[0])
        X, y = X[perm], y[perm]
    # X and y are private copies here (made by the checks or by the indexing),
    # so the slices handed out never alias the caller's arrays.
    return _batches(X, y, batch_size)


def linear_mse(w, b, X, y) -> float:
    """Mean squared error of the linear model ``X @ w + b`` (a helper for plots and demos).

    Parameters
    ----------
    w : array_like of shape (n_features,)
        Weights.
    b : float
        Bias (intercept).
    X : array_like of shape (n_samples, n_features)
        Inputs, at least one sample.
    y : array_like of shape (n_samples,)
        Real targets.

    Returns
    -------
    loss : float
        The mean over the samples of the squared residuals.

    Notes
    -----
    .. math::

        L(w, b) = \\frac{1}{n} \\sum_{i=1}^{n} (x_i^\\top w + b - y_i)^2 .

    Examples
    --------
    >>> linear_mse([2.0], 1.0, [[0.0], [1.0]], [1.0, 4.0])
    0.5
    """
    w, b, X, y = _linear_data(w, b, X, y)
    r = _residual(w, b, X, y)
    return float(np.mean(r * r))


def linear_mse_grad(w, b, X, y) -> tuple[np.ndarray, float]:
    """Gradient of the mean squared error of a linear model, averaged over the batch.

    Parameters
    ----------
    w : array_like of shape (n_features,)
        Weights.
    b : float
        Bias (intercept); a 0-d array is accepted too.
    X : array_like of shape (n_samples, n_features)
        A batch of inputs, at least one sample.
    y : array_like of shape (n_samples,)
        Real targets of the batch.

    Returns
    -------
    grad_w : ndarray of shape (n_features,)
        Derivative of the loss with respect to ``w``.
    grad_b : float
        Derivative of the loss with respect to ``b``.

    Raises
    ------
    ValueError
        If the shapes do not fit together or ``X`` holds no samples.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    With residuals :math:`r_i = x_i^\\top w + b - y_i` over a batch of
    :math:`n` samples,

    .. math::

        L = \\frac{1}{n} \\sum_{i=1}^{n} r_i^2, \\qquad
        \\frac{\\partial L}{\\partial w} = \\frac{2}{n} X^\\top r, \\qquad
        \\frac{\\partial L}{\\partial b} = \\frac{2}{n} \\sum_{i=1}^{n} r_i .

    Dividing by :math:`n` (averaging rather than summing) keeps the size of
    the gradient, and so the right learning rate, independent of the batch
    size.

    Examples
    --------
    >>> import numpy as np
    >>> grad_w, grad_b = linear_mse_grad([2.0], 1.0, [[0.0], [1.0]], [1.0, 4.0])
    >>> grad_w.tolist(), grad_b
    ([-1.0], -1.0)
    """
    w, b, X, y = _linear_data(w, b, X, y)
    return _mse_grad(w, b, X, y)


def sgd_step(theta, grad, *, lr) -> np.ndarray:
    """One plain (stochastic) gradient-descent step.

    Parameters
    ----------
    theta : array_like of any shape
        Current parameters.
    grad : array_like of the shape of ``theta``
        Gradient of the loss at ``theta`` (on a mini-batch, or on all the data).
    lr : float
        Learning rate, ``> 0``.

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
        ``theta - lr * grad`` as a new ``float64`` array (0-d for a scalar
        ``theta``).

    Raises
    ------
    ValueError
        If ``theta`` and ``grad`` differ in shape or ``lr`` is not positive and finite.
    TypeError
        If ``lr`` is not a real number or the arrays are not numeric.

    Notes
    -----
    .. math::

        \\theta_{k} = \\theta_{k-1} - \\eta \\, \\nabla_\\theta L(\\theta_{k-1}),

    where :math:`\\eta` is the learning rate ``lr``. With the gradient of a
    mini-batch of :math:`Q` samples this is
    :math:`\\theta_{k-1} - \\frac{\\eta}{Q}\\sum_{q=1}^{Q} \\nabla \\ell_q(\\theta_{k-1})`.

    Examples
    --------
    >>> sgd_step([1.0, -2.0], [0.5, -1.0], lr=0.1).tolist()
    [0.95, -1.9]
    """
    theta = v.as_float_array("theta", theta)
    grad = v.as_float_array("grad", grad)
    v.same_shape("theta", theta, "grad", grad)
    lr = v.real_number("lr", lr, low=0.0, low_open=True)
    return np.asarray(theta - lr * grad)  # asarray: keep a 0-d array for a scalar theta


def train_minibatch_sgd(X, y, *, batch_size, lr, epochs, rng: np.random.Generator
                        ) -> tuple[np.ndarray, float, np.ndarray]:
    """Fit a linear regression by mini-batch gradient descent on the mean squared error.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        Inputs, at least one sample.
    y : array_like of shape (n_samples,)
        Real targets.
    batch_size : int
        Samples per step, at least 1: ``1`` is stochastic gradient descent,
        ``n_samples`` (or more) is batch gradient descent.
    lr : float
        Learning rate, ``> 0``.
    epochs : int
        Number of passes over the data, ``>= 0``.
    rng : numpy.random.Generator
        Draws a new shuffle of the data at the start of every epoch.

    Returns
    -------
    w : ndarray of shape (n_features,)
        Final weights.
    b : float
        Final bias.
    losses : ndarray of shape (epochs,)
        ``losses[i]`` is the MSE on all the data after epoch ``i``.

    Raises
    ------
    ValueError
        If ``batch_size < 1``, ``lr <= 0``, ``epochs < 0`` or the shapes do not fit.
    TypeError
        If ``rng`` is not a ``numpy.random.Generator`` or an argument has the wrong type.

    Notes
    -----
    Starting from :math:`w = 0, b = 0`, each epoch shuffles the data (see
    :func:`minibatches`) and, for every batch :math:`B` in turn, takes the step

    .. math::

        w \\leftarrow w - \\eta \\frac{2}{|B|} X_B^\\top r_B, \\qquad
        b \\leftarrow b - \\eta \\frac{2}{|B|} \\sum_{i \\in B} r_i, \\qquad
        r_B = X_B w + b - y_B,

    so an epoch takes :math:`\\lceil n / Q \\rceil` steps. When one batch
    holds all the data (``batch_size >= n_samples``) the order of the samples
    cannot change the step, so the data are not shuffled and ``rng`` is not
    used: the result is exactly plain gradient descent, bit for bit the same
    for every seed.

    If ``lr`` is too large the iterates diverge; the losses then grow to
    ``inf`` (and ``nan``) silently, without floating-point warnings, so that a
    plot can show the divergence.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = 2.0 * X[:, 0] + 1.0
    >>> w, b, losses = train_minibatch_sgd(X, y, batch_size=2, lr=0.05, epochs=500,
    ...                                    rng=np.random.default_rng(0))
    >>> np.round(w, 6).tolist(), round(b, 6), losses.shape
    ([2.0], 1.0, (500,))
    """
    X = v.as_float_array("X", X, ndim=2)
    n_samples, n_features = X.shape
    if n_samples == 0:
        raise ValueError(f"X must hold at least one sample, got shape {X.shape}")
    y = v.as_float_array("y", y, ndim=1)
    if y.shape[0] != n_samples:
        raise ValueError(
            f"y must have shape (n_samples,) = ({n_samples},) to match X of shape {X.shape}, "
            f"got shape {y.shape}"
        )
    batch_size = v.positive_int("batch_size", batch_size, minimum=1)
    lr = v.real_number("lr", lr, low=0.0, low_open=True)
    epochs = v.positive_int("epochs", epochs, minimum=0)
    rng = v.generator("rng", rng)

    w = np.zeros(n_features)
    b = 0.0
    losses = np.empty(epochs)
    shuffle_rng = rng if batch_size < n_samples else None
    # Divergence (lr too large) is a legitimate outcome to show, not an error.
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            for X_batch, y_batch in minibatches(X, y, batch_size, rng=shuffle_rng):
                grad_w, grad_b = _mse_grad(w, b, X_batch, y_batch)
                w = w - lr * grad_w
                b = b - lr * grad_b
            r = _residual(w, b, X, y)
            losses[epoch] = np.mean(r * r)
    return w, float(b), losses
