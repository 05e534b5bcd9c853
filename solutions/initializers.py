"""Reference implementation for lesson 04-initialization: weight initialization.

Four ways to draw the starting weights of a dense layer ``X @ W + b`` (a small
normal, Glorot's normalized initialization in its uniform and normal forms,
and He's initialization for ReLU layers), a helper that gives an all-zero
matrix for the symmetry demo, and ``layer_activation_stds``, which pushes a
batch through a stack of layers and reports how the spread of the activations
grows or shrinks with depth.

Every initializer takes ``(fan_in, fan_out, *, rng)`` and returns a new
``float64`` array of shape ``(fan_in, fan_out)``; the only source of
randomness is the ``numpy.random.Generator`` passed as ``rng``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

from solutions import _validation as v

__all__ = [
    "small_random_init",
    "glorot_uniform",
    "glorot_normal",
    "he_normal",
    "zeros_init",
    "layer_activation_stds",
]


# --------------------------------------------------------------------------
# private helpers
# --------------------------------------------------------------------------

def _fans(fan_in, fan_out) -> tuple[int, int]:
    """Validate the two layer sizes (integers >= 1)."""
    return v.positive_int("fan_in", fan_in), v.positive_int("fan_out", fan_out)


def _spread(h: np.ndarray) -> float:
    """Population standard deviation of all entries of a finite, non-empty array.

    The entries are divided by their largest magnitude first, so squaring never
    overflows (entries near 1e200 are fine) and the result equals ``np.std(h)``
    up to rounding.
    """
    s = float(np.max(np.abs(h)))
    if s == 0.0:
        return 0.0
    return s * float(np.std(h / s))


# --------------------------------------------------------------------------
# graded functions
# --------------------------------------------------------------------------

def small_random_init(fan_in, fan_out, *, rng: np.random.Generator, scale=0.01) -> np.ndarray:
    """Draw a weight matrix from a normal distribution with a small, fixed spread.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer (rows of ``W``), at least 1.
    fan_out : int
        Number of outputs of the layer (columns of ``W``), at least 1.
    rng : numpy.random.Generator
        The only source of randomness.
    scale : float, default 0.01
        Standard deviation of every weight, ``>= 0`` (``0`` gives zeros).

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
        Independent draws from :math:`\\mathcal{N}(0, \\text{scale}^2)`.

    Raises
    ------
    TypeError
        If ``fan_in`` or ``fan_out`` is not an integer, ``scale`` is not a real
        number or ``rng`` is not a ``numpy.random.Generator``.
    ValueError
        If ``fan_in`` or ``fan_out`` is below 1, or ``scale`` is negative or
        not finite.

    Notes
    -----
    .. math::

        W_{ij} \\sim \\mathcal{N}(0, \\sigma^2), \\qquad \\sigma = \\text{scale}.

    The spread does not depend on the layer's size. A unit of the next layer
    sums ``fan_in`` terms, so its pre-activation has variance
    :math:`\\text{fan\\_in}\\,\\sigma^2\\,\\mathbb{E}[h^2]`: with
    :math:`\\sigma = 0.01` and a few hundred inputs every layer shrinks the
    signal by a factor of about ten, and a deep stack drives it to zero.

    Examples
    --------
    >>> import numpy as np
    >>> W = small_random_init(3, 2, rng=np.random.default_rng(0))
    >>> W.shape
    (3, 2)
    >>> bool(np.all(np.abs(W) < 0.1))
    True
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    rng = v.generator("rng", rng)
    scale = v.real_number("scale", scale, low=0.0)
    return rng.normal(0.0, scale, size=(fan_in, fan_out))


def glorot_uniform(fan_in, fan_out, *, rng: np.random.Generator) -> np.ndarray:
    """Draw a weight matrix with Glorot and Bengio's normalized (uniform) initialization.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer (rows of ``W``), at least 1.
    fan_out : int
        Number of outputs of the layer (columns of ``W``), at least 1.
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
        Independent draws from the uniform distribution on ``[-a, a]`` with
        ``a = sqrt(6 / (fan_in + fan_out))``.

    Raises
    ------
    TypeError
        If ``fan_in`` or ``fan_out`` is not an integer or ``rng`` is not a
        ``numpy.random.Generator``.
    ValueError
        If ``fan_in`` or ``fan_out`` is below 1.

    Notes
    -----
    With :math:`m` = ``fan_in`` and :math:`n` = ``fan_out``,

    .. math::

        W_{ij} \\sim U\\!\\left[-a, a\\right], \\qquad
        a = \\sqrt{\\frac{6}{m + n}}, \\qquad
        \\operatorname{Var}[W_{ij}] = \\frac{a^2}{3} = \\frac{2}{m + n}.

    The variance is the compromise between :math:`1/m`, which keeps the
    variance of the activations constant going forward, and :math:`1/n`,
    which keeps the variance of the gradients constant going backward. The
    square root covers the whole fraction: the bounds :math:`6/\\sqrt{m+n}`
    and :math:`6/(m+n)` found in some notes are wrong.

    Examples
    --------
    >>> import numpy as np
    >>> W = glorot_uniform(200, 100, rng=np.random.default_rng(0))
    >>> W.shape
    (200, 100)
    >>> bound = np.sqrt(6 / (200 + 100))
    >>> bool(np.all(np.abs(W) <= bound))
    True
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    rng = v.generator("rng", rng)
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def glorot_normal(fan_in, fan_out, *, rng: np.random.Generator) -> np.ndarray:
    """Draw a weight matrix with Glorot's initialization in its normal form.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer (rows of ``W``), at least 1.
    fan_out : int
        Number of outputs of the layer (columns of ``W``), at least 1.
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
        Independent draws from :math:`\\mathcal{N}(0, 2 / (\\text{fan\\_in} +
        \\text{fan\\_out}))`.

    Raises
    ------
    TypeError
        If ``fan_in`` or ``fan_out`` is not an integer or ``rng`` is not a
        ``numpy.random.Generator``.
    ValueError
        If ``fan_in`` or ``fan_out`` is below 1.

    Notes
    -----
    .. math::

        W_{ij} \\sim \\mathcal{N}(0, \\sigma^2), \\qquad
        \\sigma = \\sqrt{\\frac{2}{m + n}},

    the same variance as :func:`glorot_uniform` (note that :math:`\\sigma` is
    the square root of the variance :math:`2/(m+n)`, not the variance itself).

    Examples
    --------
    >>> import numpy as np
    >>> W = glorot_normal(300, 100, rng=np.random.default_rng(0))
    >>> W.shape
    (300, 100)
    >>> round(float(W.std()), 2)  # sqrt(2 / 400) = 0.0707...
    0.07
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    rng = v.generator("rng", rng)
    std = math.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_in, fan_out))


def he_normal(fan_in, fan_out, *, rng: np.random.Generator) -> np.ndarray:
    """Draw a weight matrix with He's initialization for ReLU layers.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer (rows of ``W``), at least 1.
    fan_out : int
        Number of outputs of the layer (columns of ``W``), at least 1.
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
        Independent draws from :math:`\\mathcal{N}(0, 2 / \\text{fan\\_in})`.

    Raises
    ------
    TypeError
        If ``fan_in`` or ``fan_out`` is not an integer or ``rng`` is not a
        ``numpy.random.Generator``.
    ValueError
        If ``fan_in`` or ``fan_out`` is below 1.

    Notes
    -----
    .. math::

        W_{ij} \\sim \\mathcal{N}(0, \\sigma^2), \\qquad
        \\sigma = \\sqrt{\\frac{2}{\\text{fan\\_in}}}.

    For :math:`z = h W` with independent zero-mean weights,
    :math:`\\operatorname{Var}[z_j] = \\text{fan\\_in}\\,\\sigma^2\\,
    \\mathbb{E}[h_i^2]`, and a ReLU keeps half of a symmetric
    pre-activation's second moment, :math:`\\mathbb{E}[\\operatorname{relu}(z)^2]
    = \\operatorname{Var}[z]/2`. The factor 2 cancels that half, so the
    second moment of the activations stays the same from layer to layer. This
    is PyTorch's ``kaiming_normal_`` with ``mode="fan_in"`` and
    ``nonlinearity="relu"`` (PyTorch stores the transpose, of shape
    ``(fan_out, fan_in)``).

    Examples
    --------
    >>> import numpy as np
    >>> W = he_normal(200, 300, rng=np.random.default_rng(0))
    >>> W.shape
    (200, 300)
    >>> round(float(W.std()), 2)  # sqrt(2 / 200) = 0.1
    0.1
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    rng = v.generator("rng", rng)
    std = math.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_in, fan_out))


# --------------------------------------------------------------------------
# extra helper for the demos (not graded)
# --------------------------------------------------------------------------

def zeros_init(fan_in, fan_out, *, rng: np.random.Generator | None = None) -> np.ndarray:
    """Return an all-zero weight matrix, with the same call shape as the initializers.

    Not a graded function: the lesson's demo uses it to show that a network
    started from zeros never breaks the symmetry between its hidden units.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer (rows of ``W``), at least 1.
    fan_out : int
        Number of outputs of the layer (columns of ``W``), at least 1.
    rng : numpy.random.Generator or None, default None
        Accepted (and checked) only so that every initializer can be called
        the same way; nothing is drawn from it.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
        Zeros.

    Raises
    ------
    TypeError
        If ``fan_in`` or ``fan_out`` is not an integer, or ``rng`` is neither
        ``None`` nor a ``numpy.random.Generator``.
    ValueError
        If ``fan_in`` or ``fan_out`` is below 1.

    Notes
    -----
    With :math:`W = 0` (and equal biases) every hidden unit computes the same
    function of the input and receives the same gradient,
    :math:`\\partial L / \\partial W_{ij}` being the same for all :math:`j`,
    so gradient descent keeps the columns of :math:`W` equal forever.

    Examples
    --------
    >>> zeros_init(2, 3)
    array([[0., 0., 0.],
           [0., 0., 0.]])
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    if rng is not None:
        v.generator("rng", rng)
    return np.zeros((fan_in, fan_out))


# --------------------------------------------------------------------------
# graded function: activation statistics through depth
# --------------------------------------------------------------------------

def layer_activation_stds(x, weights, activation: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Forward a batch through a stack of layers and return each layer's spread.

    Parameters
    ----------
    x : array_like of shape (n_samples, n_features)
        The input batch, finite, with at least one sample.
    weights : sequence of array_like
        The weight matrices ``[W_1, ..., W_L]``; ``W_l`` has shape
        ``(d_{l-1}, d_l)`` with ``d_0 = n_features`` and every ``d_l >= 1``.
        Entries must be finite. An empty sequence gives an empty result.
    activation : callable
        Maps an array of shape ``(n_samples, d_l)`` to an array of the same
        shape, for example ``np.tanh`` or ``lambda z: np.maximum(z, 0)``. It
        is applied after every layer, the last one included.

    Returns
    -------
    stds : ndarray of shape (len(weights),)
        ``stds[l - 1]`` is the standard deviation (population, ``ddof=0``)
        over all ``n_samples * d_l`` entries of the output ``h_l`` of layer
        ``l``. ``inf`` marks a layer whose output overflowed ``float64``
        (it is not finite), and every layer after it.

    Raises
    ------
    TypeError
        If ``x`` or a weight matrix is not numeric, ``weights`` is a single
        array rather than a sequence of matrices, or ``activation`` is not
        callable.
    ValueError
        If ``x`` is not 2-D, has no sample or holds non-finite values, a
        weight matrix is not 2-D, is empty, holds non-finite values or does not
        chain with the previous layer, or ``activation`` changes the shape.

    Notes
    -----
    With zero biases, :math:`h_0 = x` and

    .. math::

        h_l = f(h_{l-1} W_l), \\qquad
        s_l = \\sqrt{\\frac{1}{N d_l} \\sum_{i,j} \\left(h_{l,ij}
        - \\bar{h}_l\\right)^2}, \\qquad l = 1, \\dots, L,

    where :math:`\\bar{h}_l` is the mean of all :math:`N d_l` entries. With
    independent zero-mean weights of variance :math:`\\sigma_l^2`,
    :math:`\\operatorname{Var}[(h_{l-1} W_l)_{ij}] = d_{l-1}\\,\\sigma_l^2\\,
    \\mathbb{E}[h_{l-1}^2]`: the spread is kept when
    :math:`d_{l-1}\\sigma_l^2` is about 1 (or 2 after a ReLU), and otherwise
    it shrinks or grows geometrically with depth.

    Entries are divided by their largest magnitude before squaring, so the
    spread of activations as large as 1e200 is computed without overflow.
    When the forward pass itself overflows (a deep stack of large weights),
    that layer and all later ones report ``inf`` without a warning; the
    pass stops there.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> weights = [2.0 * np.eye(2), 3.0 * np.eye(2)]
    >>> layer_activation_stds(x, weights, lambda z: z)
    array([2., 6.])
    >>> layer_activation_stds(x, weights, lambda z: np.maximum(z, 0.0))
    array([1., 3.])
    """
    h = v.as_float_array("x", x, ndim=2)
    if h.shape[0] == 0:
        raise ValueError(f"x must hold at least one sample, got shape {h.shape}")
    if not np.all(np.isfinite(h)):
        raise ValueError("x must hold only finite values, got nan or inf")
    if isinstance(weights, np.ndarray) and weights.ndim == 2:
        raise TypeError(
            f"weights must be a sequence of weight matrices, got a single 2-D array of shape "
            f"{weights.shape}; wrap it in a list: [W]"
        )
    if not isinstance(weights, Iterable) or isinstance(weights, (str, bytes)):
        raise TypeError(f"weights must be a sequence of weight matrices, got {type(weights).__name__}")
    if not callable(activation):
        raise TypeError(f"activation must be a callable such as np.tanh, got {type(activation).__name__}")

    mats = []
    rows = h.shape[1]
    for i, w in enumerate(list(weights)):
        name = f"weights[{i}]"
        w = v.as_float_array(name, w, ndim=2)
        if w.size == 0:
            raise ValueError(f"{name} must have at least one row and one column, got shape {w.shape}")
        if w.shape[0] != rows:
            source = f"x of shape {h.shape}" if i == 0 else f"weights[{i - 1}] with {rows} columns"
            raise ValueError(
                f"{name} must have {rows} rows to chain with {source}, got shape {w.shape}"
            )
        if not np.all(np.isfinite(w)):
            raise ValueError(f"{name} must hold only finite values, got nan or inf")
        mats.append(w)
        rows = w.shape[1]

    stds = np.full(len(mats), np.inf)
    for i, w in enumerate(mats):
        # Overflow here is the exploding signal being measured, not an error:
        # it is detected just below and reported as inf.
        with np.errstate(over="ignore", invalid="ignore"):
            z = h @ w
        if not np.all(np.isfinite(z)):
            break
        out = v.as_float_array("the output of activation", activation(z))
        if out.shape != z.shape:
            raise ValueError(
                f"activation must return an array of the shape it receives, {z.shape}, "
                f"got shape {out.shape}"
            )
        if not np.all(np.isfinite(out)):
            break
        stds[i] = _spread(out)
        h = out
    return stds
