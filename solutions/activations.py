r"""Activations and unstable gradients (lesson 09-unstable-gradients).

- :func:`sigmoid`, :func:`sigmoid_grad`: the logistic function, computed so
  that it never overflows, and its derivative (at most 0.25, at 0).
- :func:`tanh`, :func:`tanh_grad`: the hyperbolic tangent, odd and centred
  on 0, and its derivative (at most 1, at 0), computed without overflow and
  keeping its tiny values in the tails.
- :func:`relu`, :func:`relu_grad`; :func:`leaky_relu`, :func:`leaky_relu_grad`;
  :func:`elu`, :func:`elu_grad`: the rectifiers and their derivatives.
- :func:`prelu` and :func:`prelu_backward`: the leaky ReLU whose slope is
  learned, and its backward pass for the input and for the slope.
- :func:`backprop_delta_norms`: the size of the error term of every hidden
  layer, to watch gradients vanish or explode with depth.
- :func:`clip_by_global_norm` and :func:`global_norm`: rescale a whole list of
  gradients when their joint norm is too large (the usual remedy for
  exploding gradients).

Conventions shared by the module:

- Element-wise functions take an array of any shape (a 0-d array for one
  number) and return a new ``float64`` array of that shape; arguments are
  never modified.
- The kink of every rectifier belongs to the negative side: the derivative at
  exactly ``x = 0`` is the left one (``0`` for ReLU, ``alpha`` for Leaky ReLU,
  ELU and PReLU), as in PyTorch.
- Array values are not checked for finiteness. ``nan`` propagates (also
  through the derivatives); finite inputs of any magnitude never overflow or
  warn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solutions import _validation

__all__ = [
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "elu",
    "elu_grad",
    "prelu",
    "prelu_backward",
    "backprop_delta_norms",
    "global_norm",
    "clip_by_global_norm",
]


# --------------------------------------------------------------------------- helpers


def _x(value, name: str = "x") -> np.ndarray:
    return _validation.as_float_array(name, value)


def _keep_nan(x: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """``grad`` as a float64 array, with ``nan`` wherever ``x`` is ``nan``."""
    return np.asarray(np.where(np.isnan(x), np.nan, grad), dtype=np.float64)


def _slope_hyper(value) -> float:
    """A fixed slope hyperparameter (Leaky ReLU, ELU): a finite real ``>= 0``."""
    return _validation.real_number("alpha", value, low=0.0)


def _learned_slope(value) -> float:
    """PReLU's learned slope: any finite real, also a 0-d or one-element array."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise ValueError(f"alpha must be a single number (one shared slope), got an array of shape {value.shape}")
        value = value.reshape(()).item()
    return _validation.real_number("alpha", value)


def _frobenius(a: np.ndarray) -> float:
    """The Frobenius norm of ``a``, without overflow for entries beyond 1e154."""
    return _product_or_inf(*_scaled_norm([a]))


def _grad_list(grads) -> list[np.ndarray]:
    """New float64 copies of a list or tuple of gradient arrays."""
    if isinstance(grads, np.ndarray) or not isinstance(grads, Sequence) or isinstance(grads, (str, bytes)):
        raise TypeError(
            "grads must be a list (or tuple) of gradient arrays, one per parameter, "
            f"got {type(grads).__name__}; wrap a single array as [grad]"
        )
    return [_validation.as_float_array(f"grads[{i}]", g) for i, g in enumerate(grads)]


def _product_or_inf(m: float, r: float) -> float:
    """``m * r`` for ``m >= 0`` and ``r >= 1`` (or both 0), ``inf`` instead of an overflow warning."""
    if m == 0.0 or not np.isfinite(m):
        return m
    if m > np.finfo(np.float64).max / r:
        return float("inf")
    return m * r


def _scaled_norm(arrays: list[np.ndarray]) -> tuple[float, float]:
    """``(m, r)`` with the Euclidean norm of all entries equal to ``m * r``.

    ``m`` is the largest ``|entry|``; when it is positive and finite, ``r`` lies
    in ``[1, sqrt(n_entries)]``, so neither overflows even when the norm itself
    is beyond the float range. ``(0, 0)`` when every entry is 0 or there are
    none; ``(inf, 1)`` or ``(nan, 1)`` when an entry is ``inf`` or ``nan``.
    """
    maxima = [np.max(np.abs(a)) for a in arrays if a.size]
    m = float(np.max(maxima)) if maxima else 0.0  # np.max propagates nan
    if m == 0.0:
        return 0.0, 0.0
    if not np.isfinite(m):
        return m, 1.0
    r = float(np.sqrt(sum(float(np.sum(np.square(a / m))) for a in arrays)))
    return m, r


# --------------------------------------------------------------------------- sigmoid


def sigmoid(x):
    r"""The logistic sigmoid, element-wise, without overflow.

    Parameters
    ----------
    x : array_like of any shape
        The inputs (pre-activations).

    Returns
    -------
    ndarray of the shape of ``x``
        :math:`\sigma(x)`, in ``[0, 1]``.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array.

    Notes
    -----
    .. math::

        \sigma(x) = \frac{1}{1 + e^{-x}} = \frac{e^{x}}{1 + e^{x}} .

    The first form overflows (``exp(-x)``) for :math:`x < -709`, the second for
    :math:`x > 709`. With :math:`e = e^{-|x|} \in (0, 1]` both become safe:

    .. math::

        \sigma(x) = \begin{cases} 1 / (1 + e) & x \ge 0 \\ e / (1 + e) & x < 0 \end{cases}

    so no exponential of a positive number is ever taken, and for very
    negative :math:`x` the result keeps its full relative precision
    (:math:`\sigma(-700) \approx 9.86 \times 10^{-305}`).

    Examples
    --------
    >>> import numpy as np
    >>> sigmoid(np.array([-1e4, 0.0, 1e4]))
    array([0. , 0.5, 1. ])
    >>> float(sigmoid(2.0))
    0.8807970779778823
    """
    x = _x(x)
    e = np.exp(-np.abs(x))
    return np.asarray(np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), dtype=np.float64)


def sigmoid_grad(x):
    r"""The derivative of the sigmoid, element-wise: at most 0.25, at ``x = 0``.

    Parameters
    ----------
    x : array_like of any shape
        The inputs (pre-activations), *not* the sigmoid's outputs.

    Returns
    -------
    ndarray of the shape of ``x``
        :math:`\sigma'(x)`, in ``[0, 0.25]``.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array.

    Notes
    -----
    .. math::

        \sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)
                   = \frac{e^{-|x|}}{\bigl(1 + e^{-|x|}\bigr)^2} \le \frac14 .

    The derivative is even, and it is :math:`\sigma(x)(1 - \sigma(x))`, not
    :math:`\sigma(x)(1 - x)`. The second form is used: for large :math:`x`,
    :math:`1 - \sigma(x)` rounds to 0 while the true derivative
    :math:`\approx e^{-x}` is still representable. Since every sigmoid layer
    multiplies the backpropagated error by at most 1/4, ten layers shrink it by
    at least :math:`4^{10} \approx 10^6`: the vanishing gradient.

    Examples
    --------
    >>> import numpy as np
    >>> sigmoid_grad(np.array([0.0, 2.0, -2.0]))
    array([0.25      , 0.10499359, 0.10499359])
    >>> float(sigmoid_grad(1e4))
    0.0
    """
    x = _x(x)
    e = np.exp(-np.abs(x))
    # Rounding can put e / (1 + e)**2 one ulp above its true maximum 1/4 near x = 0.
    return np.asarray(np.minimum(e / np.square(1.0 + e), 0.25), dtype=np.float64)


# --------------------------------------------------------------------------- tanh


def tanh(x):
    r"""The hyperbolic tangent, element-wise.

    Parameters
    ----------
    x : array_like of any shape
        The inputs (pre-activations).

    Returns
    -------
    ndarray of the shape of ``x``
        :math:`\tanh(x)`, in ``[-1, 1]``; ``nan`` stays ``nan``.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array.

    Notes
    -----
    .. math::

        \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\,\sigma(2x) - 1 .

    Written out, the quotient overflows (``inf / inf = nan``, with a warning)
    once :math:`e^{|x|}` does, beyond :math:`|x| \approx 709.8` (and the form
    :math:`(e^{2x} - 1) / (e^{2x} + 1)` already beyond 355); ``np.tanh`` never
    does, and rounds to exactly :math:`\pm 1` beyond :math:`|x| \approx 19`. Unlike the sigmoid, tanh is
    odd and centred on 0, so a layer of tanh units passes on outputs of mean
    about 0, and its slope at 0 is 1 rather than 1/4.

    Examples
    --------
    >>> import numpy as np
    >>> tanh(np.array([-1e4, 0.0, 1.0, 1e4]))
    array([-1.        ,  0.        ,  0.76159416,  1.        ])
    """
    x = _x(x)
    return np.asarray(np.tanh(x), dtype=np.float64)


def tanh_grad(x):
    r"""The derivative of tanh, element-wise: ``1 - tanh(x)**2``, at most 1, at ``x = 0``.

    Parameters
    ----------
    x : array_like of any shape
        The inputs (pre-activations), *not* tanh's outputs.

    Returns
    -------
    ndarray of the shape of ``x``
        :math:`\tanh'(x)`, in ``[0, 1]`` (``nan`` where ``x`` is ``nan``).

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array.

    Notes
    -----
    .. math::

        \tanh'(x) = 1 - \tanh^2(x) = \frac{1}{\cosh^2 x}
                  = \frac{4\, e^{-2|x|}}{\bigl(1 + e^{-2|x|}\bigr)^2} \le 1 .

    The last form is used: it takes no exponential of a positive number (so
    it never overflows), and for large :math:`|x|` it keeps the tiny true
    value :math:`\approx 4 e^{-2|x|}` where :math:`1 - \tanh^2(x)` has
    already rounded to 0 (from :math:`|x| \approx 19`). The two agree to
    within about :math:`10^{-16}` everywhere. The derivative is even, and
    :math:`\tanh'(x) = 4\,\sigma'(2x)`: a tanh layer passes back at most the
    whole error (slope 1 at 0) where a sigmoid layer passes a quarter, but it
    saturates just the same for large :math:`|x|`.

    Examples
    --------
    >>> import numpy as np
    >>> tanh_grad(np.array([0.0, 1.0, -1.0]))
    array([1.        , 0.41997434, 0.41997434])
    >>> float(tanh_grad(1e4))
    0.0
    """
    x = _x(x)
    # |x| is capped first: 2 |x| would overflow beyond 9e307, and exp(-2000) is 0 anyway.
    e = np.exp(-2.0 * np.minimum(np.abs(x), 1000.0))
    # Rounding can put 4 e / (1 + e)**2 one ulp above its true maximum 1 near x = 0.
    return np.asarray(np.minimum(4.0 * e / np.square(1.0 + e), 1.0), dtype=np.float64)


# --------------------------------------------------------------------------- ReLU family


def relu(x):
    r"""The rectified linear unit, element-wise: ``max(x, 0)``.

    Parameters
    ----------
    x : array_like of any shape
        The inputs (pre-activations).

    Returns
    -------
    ndarray of the shape of ``x``
        :math:`\max(x, 0)`; ``nan`` stays ``nan``.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array.

    Notes
    -----
    .. math::

        \operatorname{ReLU}(x) = \max(x, 0) = \begin{cases} x & x > 0 \\ 0 & x \le 0 \end{cases}

    Examples
    --------
    >>> import numpy as np
    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    x = _x(x)
    return np.asarray(np.maximum(x, 0.0), dtype=np.float64)


def relu_grad(x):
    r"""The derivative of ReLU, element-wise: 1 for ``x > 0``, 0 for ``x <= 0``.

    Parameters
    ----------
    x : array_like of any shape
        The inputs (pre-activations).

    Returns
    -------
    ndarray of the shape of ``x``
        ``1.0`` where ``x > 0``, ``0.0`` where ``x <= 0`` (``nan`` where ``x``
        is ``nan``).

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array.

    Notes
    -----
    .. math::

        \operatorname{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}

    ReLU has no derivative at 0 (the left slope is 0, the right one 1). Any
    value in :math:`[0, 1]` is a valid subgradient; this course, like PyTorch,
    fixes 0. Because the derivative is exactly 1 on the active side, the
    error passes through active units without shrinking; inactive units pass
    nothing (a unit that is never active is "dead").

    Examples
    --------
    >>> import numpy as np
    >>> relu_grad(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 1.])
    """
    x = _x(x)
    return _keep_nan(x, np.where(x > 0, 1.0, 0.0))


def leaky_relu(x, *, alpha=0.01):
    r"""Leaky ReLU, element-wise: ``x`` for ``x > 0``, ``alpha * x`` otherwise.

    Parameters
    ----------
    x : array_like of any shape
        The inputs (pre-activations).
    alpha : float, default 0.01
        The slope on the negative side, a finite real ``>= 0`` (``0`` gives
        ReLU).

    Returns
    -------
    ndarray of the shape of ``x``

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array or ``alpha`` is not a real number.
    ValueError
        If ``alpha`` is negative or not finite.

    Notes
    -----
    .. math::

        f(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}

    Examples
    --------
    >>> import numpy as np
    >>> leaky_relu(np.array([-2.0, 0.0, 3.0]), alpha=0.1)
    array([-0.2,  0. ,  3. ])
    """
    x = _x(x)
    alpha = _slope_hyper(alpha)
    out = x.copy()
    neg = x <= 0
    out[neg] = alpha * x[neg]  # only the negative side is multiplied: 0 * inf never happens there
    return out


def leaky_relu_grad(x, *, alpha=0.01):
    r"""The derivative of Leaky ReLU: 1 for ``x > 0``, ``alpha`` for ``x <= 0``.

    Parameters
    ----------
    x : array_like of any shape
        The inputs (pre-activations).
    alpha : float, default 0.01
        The slope on the negative side, a finite real ``>= 0``.

    Returns
    -------
    ndarray of the shape of ``x``
        ``1.0`` where ``x > 0`` and ``alpha`` where ``x <= 0`` (``nan`` where
        ``x`` is ``nan``).

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array or ``alpha`` is not a real number.
    ValueError
        If ``alpha`` is negative or not finite.

    Notes
    -----
    .. math::

        f'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}

    At the kink the left slope :math:`\alpha` is used, as for ReLU. Units on
    the negative side still pass a fraction :math:`\alpha` of the error, so
    they cannot die.

    Examples
    --------
    >>> import numpy as np
    >>> leaky_relu_grad(np.array([-2.0, 0.0, 3.0]), alpha=0.1)
    array([0.1, 0.1, 1. ])
    """
    x = _x(x)
    alpha = _slope_hyper(alpha)
    return _keep_nan(x, np.where(x > 0, 1.0, alpha))


def elu(x, *, alpha=1.0):
    r"""The exponential linear unit, element-wise, without overflow.

    Parameters
    ----------
    x : array_like of any shape
        The inputs (pre-activations).
    alpha : float, default 1.0
        The value :math:`-\alpha` that the function approaches as
        :math:`x \to -\infty`; a finite real ``>= 0``.

    Returns
    -------
    ndarray of the shape of ``x``
        Values in :math:`(-\alpha, \infty)`.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array or ``alpha`` is not a real number.
    ValueError
        If ``alpha`` is negative or not finite.

    Notes
    -----
    .. math::

        f(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}

    ``np.where`` evaluates both branches on every entry, so ``exp(x)`` of a
    large positive ``x`` would overflow (and warn) even though that value is
    thrown away. The exponential is therefore taken of :math:`\min(x, 0)`,
    with ``expm1`` so that :math:`e^{x} - 1` keeps its precision for small
    :math:`|x|`.

    Examples
    --------
    >>> import numpy as np
    >>> elu(np.array([-1e4, -1.0, 0.0, 1e4]))
    array([-1.00000000e+00, -6.32120559e-01,  0.00000000e+00,  1.00000000e+04])
    """
    x = _x(x)
    alpha = _slope_hyper(alpha)
    return np.asarray(np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0))), dtype=np.float64)


def elu_grad(x, *, alpha=1.0):
    r"""The derivative of ELU: 1 for ``x > 0``, ``alpha * exp(x)`` for ``x <= 0``.

    Parameters
    ----------
    x : array_like of any shape
        The inputs (pre-activations).
    alpha : float, default 1.0
        The ELU's ``alpha``, a finite real ``>= 0``.

    Returns
    -------
    ndarray of the shape of ``x``
        Values in :math:`(0, \max(1, \alpha)]` (``nan`` where ``x`` is
        ``nan``).

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array or ``alpha`` is not a real number.
    ValueError
        If ``alpha`` is negative or not finite.

    Notes
    -----
    .. math::

        f'(x) = \begin{cases} 1 & x > 0 \\ \alpha\, e^{x} & x \le 0 \end{cases}

    On the positive side the derivative is 1, not :math:`\alpha e^{x}`. At 0
    the left value :math:`\alpha` is used (for :math:`\alpha = 1` the two sides
    agree). As for :func:`elu`, the exponential is taken of
    :math:`\min(x, 0)` so that large positive inputs never overflow.

    Examples
    --------
    >>> import numpy as np
    >>> elu_grad(np.array([-1.0, 0.0, 1e4]), alpha=2.0)
    array([0.73575888, 2.        , 1.        ])
    """
    x = _x(x)
    alpha = _slope_hyper(alpha)
    return _keep_nan(x, np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0))))


def prelu(x, alpha):
    r"""Parametric ReLU with one learned slope: ``x`` for ``x > 0``, ``alpha * x`` otherwise.

    An extra helper (not graded): the forward pass that :func:`prelu_backward`
    differentiates.

    Parameters
    ----------
    x : array_like of any shape
        The inputs (pre-activations).
    alpha : float
        The learned slope on the negative side, shared by every entry; any
        finite real (a 0-d or one-element array is accepted).

    Returns
    -------
    ndarray of the shape of ``x``

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array or ``alpha`` is not a real number.
    ValueError
        If ``alpha`` is not finite or is an array of more than one element.

    Notes
    -----
    .. math::

        f(x; \alpha) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}

    The same function as :func:`leaky_relu`, except that :math:`\alpha` is a
    parameter trained by gradient descent rather than a fixed hyperparameter.

    Examples
    --------
    >>> import numpy as np
    >>> prelu(np.array([-2.0, 0.0, 3.0]), 0.25)
    array([-0.5,  0. ,  3. ])
    """
    x = _x(x)
    alpha = _learned_slope(alpha)
    out = x.copy()
    neg = x <= 0
    out[neg] = alpha * x[neg]
    return out


def prelu_backward(x, alpha, dout):
    r"""Backward pass of PReLU: the gradients with respect to the input and the slope.

    Parameters
    ----------
    x : array_like of any shape
        The inputs the forward pass received.
    alpha : float
        The learned slope, shared by every entry; any finite real (a 0-d or
        one-element array is accepted).
    dout : array_like of the shape of ``x``
        The gradient of the loss with respect to the PReLU's outputs.

    Returns
    -------
    dx : ndarray of the shape of ``x``
        The gradient of the loss with respect to ``x``.
    dalpha : float
        The gradient of the loss with respect to ``alpha``.

    Raises
    ------
    TypeError
        If an array is not numeric or ``alpha`` is not a real number.
    ValueError
        If ``dout`` does not have the shape of ``x``, or ``alpha`` is not
        finite or is an array of more than one element.

    Notes
    -----
    With :math:`f(x; \alpha) = x` for :math:`x > 0` and :math:`\alpha x`
    otherwise, and :math:`g = \partial J / \partial f` (``dout``):

    .. math::

        \frac{\partial J}{\partial x_i} = g_i \cdot
            \begin{cases} 1 & x_i > 0 \\ \alpha & x_i \le 0 \end{cases},
        \qquad
        \frac{\partial J}{\partial \alpha} = \sum_{i:\, x_i \le 0} g_i\, x_i .

    One slope is shared by all entries, so its gradient is a sum over every
    entry on the negative side (entries with :math:`x_i > 0` do not depend on
    :math:`\alpha`; those with :math:`x_i = 0` contribute 0 either way).

    Examples
    --------
    >>> import numpy as np
    >>> dx, dalpha = prelu_backward(np.array([-2.0, 0.0, 3.0]), 0.25,
    ...                             np.array([1.0, 1.0, 2.0]))
    >>> dx
    array([0.25, 0.25, 2.  ])
    >>> dalpha
    -2.0
    """
    x = _x(x)
    alpha = _learned_slope(alpha)
    dout = _x(dout, "dout")
    _validation.same_shape("x", x, "dout", dout)
    positive = x > 0
    dx = dout.copy()
    dx[~positive] = alpha * dout[~positive]
    dalpha = float(np.sum(dout[~positive] * x[~positive]))
    return dx, dalpha


# --------------------------------------------------------------------------- deltas through depth


def _matrix_list(name: str, value, *, min_len: int) -> list[np.ndarray]:
    if isinstance(value, np.ndarray) or not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a list (or tuple) of 2-D arrays, got {type(value).__name__}")
    if len(value) < min_len:
        raise ValueError(f"{name} must hold at least {min_len} array(s), got {len(value)}")
    return [_validation.as_float_array(f"{name}[{i}]", a, ndim=2) for i, a in enumerate(value)]


def backprop_delta_norms(weights, pre_activations, act_grad, delta_out):
    r"""Frobenius norms of the hidden layers' error terms, first hidden layer first.

    Parameters
    ----------
    weights : list of L ndarrays
        ``[W_1, ..., W_L]``; ``W_l`` has shape ``(fan_in_l, fan_out_l)`` and
        layer ``l`` computes ``z_l = h_{l-1} @ W_l`` (consecutive shapes must
        chain: ``fan_out_l == fan_in_{l+1}``).
    pre_activations : list of L - 1 ndarrays
        ``[z_1, ..., z_{L-1}]``, one per hidden layer; ``z_l`` has shape
        ``(n_samples, fan_out_l)``. In 0-based lists ``pre_activations[i]``
        pairs with ``weights[i + 1]``.
    act_grad : callable
        The derivative of the hidden activation, applied element-wise:
        ``act_grad(z)`` returns an array of the shape of ``z`` (for example
        :func:`sigmoid_grad` or :func:`relu_grad`).
    delta_out : array_like of shape (n_samples, fan_out_L)
        :math:`\partial J / \partial z_L`, the error term of the output layer.

    Returns
    -------
    ndarray of shape (L - 1,)
        :math:`\|\delta_1\|_F, \ldots, \|\delta_{L-1}\|_F`; empty when
        ``L == 1``. Entries may be ``inf`` (overflow) or ``nan`` (``inf``
        times 0, or ``inf - inf``) for very deep or badly scaled networks: that
        is the phenomenon this function is for, so it returns them without a
        warning.

    Raises
    ------
    TypeError
        If ``weights`` or ``pre_activations`` is not a list of numeric arrays,
        or ``act_grad`` is not callable.
    ValueError
        If an array has the wrong number of dimensions, the lists have
        inconsistent lengths, shapes do not chain, or ``act_grad`` returns an
        array of another shape.

    Notes
    -----
    With :math:`\delta_L = \partial J / \partial z_L` and
    :math:`h_l = f(z_l)`, the chain rule gives, going backwards,

    .. math::

        \delta_l = \frac{\partial J}{\partial z_l}
                 = f'(z_l) \odot \bigl(\delta_{l+1}\, W_{l+1}^{\top}\bigr),
        \qquad l = L - 1, \ldots, 1 .

    (The row-vector, batch-first form of
    :math:`\delta^l = f'(z^l) \odot (W^{l+1})^{\top} \delta^{l+1}`.) Unrolled,
    :math:`\delta_1` is a product of :math:`L - 1` Jacobians: if each one
    shrinks vectors (sigmoid: :math:`f' \le 1/4`; small weights) the early
    deltas vanish geometrically; if each one stretches them (weights
    :math:`1.5\,I` with a linear activation) they explode as
    :math:`1.5^{L-l}`. The gradient of layer :math:`l`'s weights is
    :math:`h_{l-1}^{\top} \delta_l`, so it inherits that scale.

    The norms are computed as :math:`m \sqrt{\sum (a/m)^2}` with
    :math:`m = \max |a|`, so finite deltas beyond :math:`10^{154}` still give a
    finite norm.

    Examples
    --------
    A deep linear chain with weights :math:`1.5\,I`: each layer back multiplies
    the delta by 1.5.

    >>> import numpy as np
    >>> W = [1.5 * np.eye(2)] * 4
    >>> z = [np.ones((1, 2))] * 3
    >>> backprop_delta_norms(W, z, np.ones_like, np.array([[1.0, 0.0]]))
    array([3.375, 2.25 , 1.5  ])
    """
    weights = _matrix_list("weights", weights, min_len=1)
    n_layers = len(weights)
    zs = _matrix_list("pre_activations", pre_activations, min_len=0)
    if len(zs) != n_layers - 1:
        raise ValueError(
            f"pre_activations must hold one array per hidden layer, len(weights) - 1 = {n_layers - 1}, "
            f"got {len(zs)}"
        )
    if not callable(act_grad):
        raise TypeError(f"act_grad must be a callable such as relu_grad, got {type(act_grad).__name__}")
    delta = _validation.as_float_array("delta_out", delta_out, ndim=2)

    for i in range(n_layers - 1):
        if weights[i].shape[1] != weights[i + 1].shape[0]:
            raise ValueError(
                f"weights[{i}] and weights[{i + 1}] do not chain: weights[{i}] has shape {weights[i].shape} "
                f"(fan_out {weights[i].shape[1]}) but weights[{i + 1}] has shape {weights[i + 1].shape} "
                f"(fan_in {weights[i + 1].shape[0]})"
            )
    n_samples = delta.shape[0]
    if delta.shape[1] != weights[-1].shape[1]:
        raise ValueError(
            f"delta_out must have shape (n_samples, {weights[-1].shape[1]}) to match weights[{n_layers - 1}] "
            f"of shape {weights[-1].shape}, got {delta.shape}"
        )
    for i, z in enumerate(zs):
        expected = (n_samples, weights[i].shape[1])
        if z.shape != expected:
            raise ValueError(
                f"pre_activations[{i}] must have shape {expected} (n_samples of delta_out, fan_out of "
                f"weights[{i}]), got {z.shape}"
            )

    norms = np.empty(n_layers - 1)
    for i in range(n_layers - 2, -1, -1):
        z = zs[i]
        slope = _validation.as_float_array(f"act_grad(pre_activations[{i}])", act_grad(z.copy()))
        if slope.shape != z.shape:
            raise ValueError(
                f"act_grad must return an array of the shape of its input: act_grad(pre_activations[{i}]) "
                f"has shape {slope.shape}, expected {z.shape}"
            )
        # Overflow to inf, then nan, is the exploding gradient itself: returned, not warned about.
        with np.errstate(over="ignore", invalid="ignore"):
            delta = slope * (delta @ weights[i + 1].T)
        norms[i] = _frobenius(delta)
    return norms


# --------------------------------------------------------------------------- clipping


def global_norm(grads) -> float:
    r"""The Euclidean norm of all gradients taken together, as one long vector.

    An extra helper (not graded), for monitoring and for checking
    :func:`clip_by_global_norm`.

    Parameters
    ----------
    grads : list of ndarrays of any shapes
        One gradient per parameter array.

    Returns
    -------
    float
        :math:`\sqrt{\sum_k \|g_k\|_F^2}`; ``0.0`` for an empty list. ``inf``
        if an entry is ``inf`` or the norm is beyond the float range (about
        ``1.8e308``), ``nan`` if an entry is ``nan``.

    Raises
    ------
    TypeError
        If ``grads`` is not a list of numeric arrays.

    Notes
    -----
    Computed as :math:`m \sqrt{\sum_k \sum (g_k / m)^2}` with :math:`m` the
    largest :math:`|g|` entry, so large finite gradients do not overflow.

    Examples
    --------
    >>> import numpy as np
    >>> global_norm([np.array([3.0]), np.array([[4.0, 0.0]])])
    5.0
    """
    m, r = _scaled_norm(_grad_list(grads))
    return _product_or_inf(m, r)


def clip_by_global_norm(grads, *, max_norm):
    r"""Rescale a list of gradients so that their global norm is at most ``max_norm``.

    Parameters
    ----------
    grads : list of ndarrays of any shapes
        One gradient per parameter array; every entry must be finite.
    max_norm : float
        The largest global norm allowed, a finite real ``> 0``. Keyword-only
        and required.

    Returns
    -------
    list of ndarrays
        New arrays with the shapes of ``grads``: copies when the global norm
        is at most ``max_norm``, otherwise every gradient times
        ``max_norm / total_norm``.

    Raises
    ------
    TypeError
        If ``grads`` is not a list of numeric arrays or ``max_norm`` is not a
        real number.
    ValueError
        If ``max_norm`` is not a finite positive number, or a gradient holds
        ``inf`` or ``nan`` (no rescaling can repair it).

    Notes
    -----
    With :math:`N = \sqrt{\sum_k \|g_k\|_F^2}`, the global norm over all
    parameters,

    .. math::

        g_k \leftarrow g_k \cdot \min\!\Bigl(1, \frac{\text{max\_norm}}{N}\Bigr)

    for every :math:`k`, with one shared factor. The update keeps its
    direction and only its length is capped, so one exploding step cannot
    throw the parameters far away. Clipping each gradient by its own norm
    instead would change the direction. All-zero gradients (:math:`N = 0`)
    are returned unchanged. PyTorch's ``clip_grad_norm_`` uses
    :math:`\text{max\_norm} / (N + 10^{-6})`, a slightly smaller factor.

    Examples
    --------
    >>> import numpy as np
    >>> clip_by_global_norm([np.array([3.0]), np.array([4.0, 0.0])], max_norm=1.0)
    [array([0.6]), array([0.8, 0. ])]
    >>> clip_by_global_norm([np.array([0.3, 0.4])], max_norm=1.0)
    [array([0.3, 0.4])]
    """
    arrays = _grad_list(grads)
    max_norm = _validation.real_number("max_norm", max_norm, low=0.0, low_open=True)
    for i, g in enumerate(arrays):
        if not np.all(np.isfinite(g)):
            raise ValueError(
                f"grads[{i}] must hold finite values, got {g[~np.isfinite(g)].flat[0]!r}: "
                "clipping cannot repair an inf or nan gradient (lower the learning rate, or skip the step)"
            )
    m, r = _scaled_norm(arrays)
    total = _product_or_inf(m, r)
    if total <= max_norm:
        return arrays  # already new copies; all-zero gradients land here (no 0 / 0)
    if np.isfinite(total):
        factor = max_norm / total
        return [g * factor for g in arrays]
    # The norm itself is beyond the float range although every entry is finite.
    return [(g / m) * (max_norm / r) for g in arrays]
