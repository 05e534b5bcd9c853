"""Reference implementation for lesson 07-regularization: L2, L1, early stopping and bagging.

Weight penalties and their gradients (the biases are never penalized), the
early-stopping rule applied to a curve of validation losses, and the two
pieces of bagging: a bootstrap sample of indices and the average of the
members' predicted probabilities.
"""

from __future__ import annotations

import math

import numpy as np

from solutions import _validation as v

__all__ = [
    "l2_penalty",
    "l2_penalty_grad",
    "l1_penalty",
    "l1_penalty_grad",
    "early_stopping",
    "bootstrap_indices",
    "bagging_predict",
]


# --------------------------------------------------------------------------
# private helpers
# --------------------------------------------------------------------------

def _weight_list(name: str, weights) -> list[np.ndarray]:
    """Return ``float64`` copies of a list (or tuple) of weight arrays, or raise a clear error."""
    if not isinstance(weights, (list, tuple)):
        hint = "; wrap a single matrix W as [W]" if isinstance(weights, np.ndarray) else ""
        raise TypeError(f"{name} must be a list of weight matrices, got {type(weights).__name__}{hint}")
    return [v.as_float_array(f"{name}[{i}]", W) for i, W in enumerate(weights)]


def _strength(lam) -> float:
    """The regularization strength: a finite real number >= 0."""
    return v.real_number("lam", lam, low=0.0)


def _scaled_power_sum(arrays: list[np.ndarray], power: int, factor: float) -> float:
    """``factor * sum over arrays of sum(|W| ** power)`` as a Python float, without overflow warnings.

    All entries are first scaled by the power of two ``2**-e`` just above the
    largest magnitude (exact in binary floating point), summed, multiplied by
    ``factor`` and scaled back with ``math.ldexp``. In the normal range this
    gives the same bits as the plain formula; when the true value exceeds the
    largest ``float64`` the result is ``inf`` instead of an overflow warning.
    ``factor = 0`` gives 0. Non-finite entries propagate (``inf`` gives
    ``inf``, NaN gives NaN).
    """
    arrays = [a for a in arrays if a.size]
    if factor == 0.0 or not arrays:
        return 0.0
    largest = float(np.max([np.max(np.abs(a)) for a in arrays]))  # NaN propagates
    if largest == 0.0:
        return 0.0
    if not math.isfinite(largest):
        return factor * sum(float(np.sum(np.abs(a) ** power)) for a in arrays)
    _, e = math.frexp(largest)  # largest < 2**e
    scaled = sum(float(np.sum(np.abs(np.ldexp(a, -e)) ** power)) for a in arrays)
    try:
        return math.ldexp(factor * scaled, power * e)
    except OverflowError:
        return math.inf


# --------------------------------------------------------------------------
# graded functions: penalties
# --------------------------------------------------------------------------

def l2_penalty(weights, *, lam) -> float:
    r"""L2 penalty (weight decay) of a list of weight matrices: ``lam / 2 * sum ||W||^2``.

    Parameters
    ----------
    weights : list of ndarray, each e.g. of shape (fan_in, fan_out)
        The weight matrices of the network, one per layer. Biases are not
        penalized, so they are not in this list. Arrays of any shape are
        accepted; an empty list gives 0.
    lam : float
        Regularization strength :math:`\lambda \ge 0`.

    Returns
    -------
    penalty : float
        :math:`\frac{\lambda}{2} \sum_l \lVert W_l \rVert_F^2`.

    Raises
    ------
    TypeError
        If ``weights`` is not a list or tuple (a single array must be wrapped
        as ``[W]``), an entry is not numeric, or ``lam`` is not a real number.
    ValueError
        If ``lam`` is negative or not finite.

    Notes
    -----
    .. math::

        \Omega(W_1, \dots, W_L) = \frac{\lambda}{2} \sum_{l=1}^{L} \lVert W_l \rVert_F^2
        = \frac{\lambda}{2} \sum_{l=1}^{L} \sum_{i, j} (W_l)_{ij}^2 .

    The factor :math:`\frac{1}{2}` makes the gradient :math:`\lambda W`
    (see :func:`l2_penalty_grad`). Adding the penalty to the loss shrinks
    every weight towards 0 at each gradient step (weight decay):
    :math:`W \leftarrow (1 - \text{lr}\,\lambda) W - \text{lr}\, \nabla L`.

    The sum is computed after scaling by a power of two, so huge weights give
    ``inf`` rather than an overflow warning; ``lam = 0`` gives exactly 0.

    Examples
    --------
    >>> import numpy as np
    >>> l2_penalty([np.array([[1.0, -2.0], [0.0, 2.0]]), np.array([[3.0]])], lam=0.1)
    0.9
    >>> l2_penalty([], lam=0.1)
    0.0
    """
    weights = _weight_list("weights", weights)
    lam = _strength(lam)
    return float(_scaled_power_sum(weights, 2, lam / 2.0))


def l2_penalty_grad(W, *, lam) -> np.ndarray:
    r"""Gradient of the L2 penalty with respect to one weight matrix: ``lam * W``.

    Parameters
    ----------
    W : array_like of shape (fan_in, fan_out) (any shape is accepted)
        One weight matrix.
    lam : float
        Regularization strength :math:`\lambda \ge 0`.

    Returns
    -------
    grad : ndarray of the shape of ``W``
        :math:`\lambda W`, a new ``float64`` array.

    Raises
    ------
    TypeError
        If ``W`` is not numeric or ``lam`` is not a real number.
    ValueError
        If ``lam`` is negative or not finite.

    Notes
    -----
    .. math::

        \frac{\partial}{\partial W} \frac{\lambda}{2} \lVert W \rVert_F^2 = \lambda W .

    The gradient points away from 0, so a descent step pulls every weight
    towards 0 in proportion to its size. ``lam = 0`` gives exact zeros (even
    for infinite weights); an entry too large for ``float64`` once multiplied
    by ``lam`` becomes ``inf`` without a warning.

    Examples
    --------
    >>> l2_penalty_grad([[1.0, -2.0], [0.0, 4.0]], lam=0.5).tolist()
    [[0.5, -1.0], [0.0, 2.0]]
    """
    W = v.as_float_array("W", W)
    lam = _strength(lam)
    if lam == 0.0:
        return np.zeros_like(W)
    with np.errstate(over="ignore"):  # the true gradient exceeds float64: inf is the answer
        return lam * W


def l1_penalty(weights, *, lam) -> float:
    r"""L1 penalty of a list of weight matrices: ``lam * sum |W|``.

    Parameters
    ----------
    weights : list of ndarray, each e.g. of shape (fan_in, fan_out)
        The weight matrices of the network, one per layer (no biases). Arrays
        of any shape are accepted; an empty list gives 0.
    lam : float
        Regularization strength :math:`\lambda \ge 0`.

    Returns
    -------
    penalty : float
        :math:`\lambda \sum_l \lVert W_l \rVert_1`, the sum of the absolute
        values of all entries.

    Raises
    ------
    TypeError
        If ``weights`` is not a list or tuple (a single array must be wrapped
        as ``[W]``), an entry is not numeric, or ``lam`` is not a real number.
    ValueError
        If ``lam`` is negative or not finite.

    Notes
    -----
    .. math::

        \Omega(W_1, \dots, W_L) = \lambda \sum_{l=1}^{L} \lVert W_l \rVert_1
        = \lambda \sum_{l=1}^{L} \sum_{i, j} \lvert (W_l)_{ij} \rvert .

    There is no :math:`\frac{1}{2}` in front (one of the source notes puts one
    there; the usual form, used here, has none). The penalty grows linearly,
    so it keeps pulling small weights with the same force and drives many of
    them to exactly 0 (sparse weights).

    Examples
    --------
    >>> import numpy as np
    >>> l1_penalty([np.array([[1.0, -2.0], [0.0, 2.0]]), np.array([[-3.0]])], lam=0.5)
    4.0
    """
    weights = _weight_list("weights", weights)
    lam = _strength(lam)
    return float(_scaled_power_sum(weights, 1, lam))


def l1_penalty_grad(W, *, lam) -> np.ndarray:
    r"""(Sub)gradient of the L1 penalty with respect to one weight matrix: ``lam * sign(W)``.

    Parameters
    ----------
    W : array_like of shape (fan_in, fan_out) (any shape is accepted)
        One weight matrix.
    lam : float
        Regularization strength :math:`\lambda \ge 0`.

    Returns
    -------
    grad : ndarray of the shape of ``W``
        :math:`\lambda \operatorname{sign}(W)`: ``lam`` where ``W > 0``,
        ``-lam`` where ``W < 0`` and 0 where ``W == 0``; a new ``float64``
        array.

    Raises
    ------
    TypeError
        If ``W`` is not numeric or ``lam`` is not a real number.
    ValueError
        If ``lam`` is negative or not finite.

    Notes
    -----
    .. math::

        \frac{\partial}{\partial W_{ij}} \lambda \lVert W \rVert_1
        = \lambda \operatorname{sign}(W_{ij}), \qquad W_{ij} \ne 0 .

    At :math:`W_{ij} = 0` the absolute value has no derivative; any value in
    :math:`[-\lambda, \lambda]` is a subgradient, and the course uses 0 (as
    ``numpy.sign`` and PyTorch's autograd of ``abs`` do). The step has the same
    size for every nonzero weight, whatever its magnitude.

    Examples
    --------
    >>> l1_penalty_grad([[3.0, -0.5], [0.0, 2.0]], lam=0.1).tolist()
    [[0.1, -0.1], [0.0, 0.1]]
    """
    W = v.as_float_array("W", W)
    lam = _strength(lam)
    return lam * np.sign(W)


# --------------------------------------------------------------------------
# graded functions: early stopping
# --------------------------------------------------------------------------

def early_stopping(val_losses, *, patience, min_delta=0.0) -> tuple[int, int]:
    r"""The epoch at which early stopping halts training, and the best epoch up to then.

    Parameters
    ----------
    val_losses : array_like of shape (n_epochs,)
        Validation loss after each epoch, epoch 0 first. Must be non-empty
        and finite.
    patience : int
        How many epochs without improvement to wait before stopping, >= 1.
    min_delta : float, default 0.0
        An epoch improves only when its loss is below the best loss so far
        by *more* than ``min_delta`` (>= 0).

    Returns
    -------
    stop_epoch : int
        The first epoch that comes ``patience`` epochs after the last
        improvement, or ``n_epochs - 1`` (the last epoch) if that never
        happens. 0-based.
    best_epoch : int
        The epoch of the lowest validation loss among epochs
        ``0 .. stop_epoch`` (the stop epoch included), the earliest one on
        ties. 0-based.

    Raises
    ------
    TypeError
        If ``patience`` is not an integer, ``min_delta`` not a real number or
        ``val_losses`` not numeric.
    ValueError
        If ``patience < 1``, ``min_delta < 0``, or ``val_losses`` is not 1-D,
        is empty or holds NaN or infinite values.

    Notes
    -----
    Write :math:`\ell_t` for the validation loss of epoch :math:`t`. The best
    loss so far starts at :math:`+\infty`, so epoch 0 always counts as the
    first improvement. Epoch :math:`t \ge 1` improves when

    .. math::

        b_{t-1} - \ell_t > \delta, \qquad\text{then } b_t = \ell_t
        \text{ and } s = t \quad (\text{else } b_t = b_{t-1}),

    with :math:`b` the best loss among the improving epochs, :math:`s` the
    last improving epoch and :math:`\delta` = ``min_delta``. A loss equal to
    the best (or lower by exactly :math:`\delta`) is not an improvement.
    Training stops at the first epoch :math:`t` with :math:`t - s =`
    ``patience``, after evaluating it: it is the epoch reached after
    ``patience`` disappointing epochs in a row (the same rule as Keras's
    ``EarlyStopping``). Then

    .. math::

        t_\text{best} = \min \arg\min_{0 \le t \le t_\text{stop}} \ell_t .

    With ``min_delta > 0`` the lowest loss may belong to an epoch that did
    not count as an improvement (it beat the best by less than
    :math:`\delta`); ``best_epoch`` is still that epoch, the one whose weights
    one would restore. Epochs after the stop are never looked at.

    Examples
    --------
    >>> early_stopping([1.0, 0.8, 0.9, 0.85, 0.7, 0.75], patience=2)
    (3, 1)
    >>> early_stopping([1.0, 0.8, 0.9, 0.85, 0.7, 0.75], patience=3)
    (5, 4)
    >>> early_stopping([1.0, 0.75, 0.7, 0.68], patience=2, min_delta=0.1)
    (3, 3)
    """
    losses = v.as_float_array("val_losses", val_losses, ndim=1)
    if losses.size == 0:
        raise ValueError("val_losses must hold at least one epoch's loss, got an empty array")
    bad = ~np.isfinite(losses)
    if bad.any():
        epoch = int(np.flatnonzero(bad)[0])
        raise ValueError(f"val_losses must be finite, got {losses[epoch]} at epoch {epoch}")
    patience = v.positive_int("patience", patience, minimum=1)
    min_delta = v.real_number("min_delta", min_delta, low=0.0)

    values = losses.tolist()  # Python floats: no overflow warnings in best - loss
    best, last_improvement = values[0], 0  # epoch 0 always improves on +inf
    stop = len(values) - 1
    for epoch in range(1, len(values)):
        if best - values[epoch] > min_delta:
            best, last_improvement = values[epoch], epoch
        elif epoch - last_improvement >= patience:
            stop = epoch
            break
    best_epoch = int(np.argmin(losses[: stop + 1]))  # argmin returns the first minimum
    return stop, best_epoch


# --------------------------------------------------------------------------
# graded functions: bagging
# --------------------------------------------------------------------------

def bootstrap_indices(n, *, rng: np.random.Generator) -> np.ndarray:
    r"""Indices of a bootstrap sample: ``n`` draws from ``0 .. n-1`` with replacement.

    Parameters
    ----------
    n : int
        Size of the data set (and of the sample), >= 1.
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    indices : ndarray of shape (n,), dtype int64
        Independent, uniformly distributed indices in ``[0, n)``; use them as
        ``X[indices], y[indices]`` to train one member of a bagged ensemble.

    Raises
    ------
    TypeError
        If ``n`` is not an integer or ``rng`` not a ``numpy.random.Generator``.
    ValueError
        If ``n < 1``.

    Notes
    -----
    Each draw picks index :math:`i` with probability :math:`1/n`, so the
    count of index :math:`i` is Binomial(:math:`n`, :math:`1/n`) and a given
    sample is left out with probability

    .. math::

        \left(1 - \frac{1}{n}\right)^n \xrightarrow[n \to \infty]{} e^{-1} \approx 0.368 .

    A bootstrap sample therefore holds about 63.2% of the distinct samples,
    some of them several times; the left-out ("out-of-bag") samples can serve
    as a validation set for that member.

    Examples
    --------
    >>> import numpy as np
    >>> idx = bootstrap_indices(5, rng=np.random.default_rng(0))
    >>> idx.shape, idx.dtype == np.int64, bool(np.all((0 <= idx) & (idx < 5)))
    ((5,), True, True)
    """
    n = v.positive_int("n", n, minimum=1)
    rng = v.generator("rng", rng)
    return rng.integers(0, n, size=n, dtype=np.int64)


def bagging_predict(member_probs) -> np.ndarray:
    r"""Prediction of a bagged ensemble: the mean of its members' probabilities.

    Parameters
    ----------
    member_probs : array_like of shape (n_models, n_samples, n_classes)
        ``member_probs[m]`` holds model ``m``'s predicted class probabilities,
        entries in ``[0, 1]``; at least one model.

    Returns
    -------
    probs : ndarray of shape (n_samples, n_classes)
        The average over the models (the first axis), a new ``float64``
        array. Rows that sum to 1 in every member sum to 1 here too.

    Raises
    ------
    TypeError
        If ``member_probs`` is not numeric.
    ValueError
        If ``member_probs`` is not 3-D, holds no model, or has an entry
        outside ``[0, 1]`` (or NaN).

    Notes
    -----
    .. math::

        \bar p_{ik} = \frac{1}{M} \sum_{m=1}^{M} p^{(m)}_{ik} .

    The predicted class is :math:`\arg\max_k \bar p_{ik}`. When the members
    make partly independent errors, the average errs less than a typical
    member: for :math:`M` members with errors of variance :math:`v` and
    correlation :math:`c`, the averaged error has variance
    :math:`c v + (1 - c) v / M`.

    Examples
    --------
    >>> import numpy as np
    >>> member_probs = np.array([[[0.9, 0.1], [0.4, 0.6]],
    ...                          [[0.7, 0.3], [0.8, 0.2]]])
    >>> bagging_predict(member_probs).round(12).tolist()
    [[0.8, 0.2], [0.6, 0.4]]
    """
    probs = v.as_float_array("member_probs", member_probs, ndim=3)
    if probs.shape[0] == 0:
        raise ValueError(
            f"member_probs must hold at least one model (axis 0 of shape (n_models, n_samples, n_classes)), "
            f"got shape {probs.shape}"
        )
    v.probabilities("member_probs", probs)
    return probs.mean(axis=0)
