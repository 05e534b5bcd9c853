"""Reference implementation for lesson 08-dropout: inverted dropout.

The forward pass drops each unit with probability ``p`` and scales the kept
units by ``1 / (1 - p)`` (inverted dropout, as ``torch.nn.functional.dropout``
does), so nothing needs rescaling at evaluation time. The backward pass
reuses the forward pass's mask.
"""

from __future__ import annotations

import numpy as np

from solutions import _validation as v

__all__ = ["dropout_forward", "dropout_backward"]


# --------------------------------------------------------------------------
# private helpers
# --------------------------------------------------------------------------

def _flag(name: str, value) -> bool:
    """Return ``value`` as a ``bool``, accepting only ``True``/``False`` (NumPy booleans too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} ({value!r})")
    return bool(value)


def _times_mask(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``values * mask`` with an exact 0 wherever ``mask`` is 0.

    For finite ``values`` this is the plain product. Where the mask is 0 the
    product is not computed, so an ``inf`` there gives 0 (a dropped unit), not
    ``nan`` and an "invalid value" warning. A kept value too large for
    ``float64`` once scaled becomes ``inf`` silently, as in PyTorch.
    """
    out = np.zeros(np.broadcast_shapes(values.shape, mask.shape))
    with np.errstate(over="ignore"):
        np.multiply(values, mask, out=out, where=mask != 0)
    return out


# --------------------------------------------------------------------------
# graded functions
# --------------------------------------------------------------------------

def dropout_forward(x, *, p, rng: np.random.Generator, train=True) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout: drop each unit with probability ``p``, scale the rest by ``1 / (1 - p)``.

    Parameters
    ----------
    x : array_like of any shape, e.g. (n_samples, n_features)
        Activations of a layer. Returned values are ``float64``.
    p : float
        Probability of *dropping* a unit (not of keeping it), in ``[0, 1]``.
        ``p = 0`` keeps every unit; ``p = 1`` drops every unit.
    rng : numpy.random.Generator
        The only source of randomness. Checked in both modes, but only used
        (one uniform number per unit) when ``train`` is ``True``.
    train : bool, default True
        ``True`` for the training pass (random mask); ``False`` for
        evaluation, where dropout does nothing.

    Returns
    -------
    out : ndarray of the shape of ``x``
        ``x * mask``: a new array, never a view of ``x``.
    mask : ndarray of the shape of ``x``
        The values each unit was multiplied by: ``0`` for a dropped unit and
        ``1 / (1 - p)`` for a kept one (all zeros when ``p = 1``); all ones
        when ``train`` is ``False``. Keep it for :func:`dropout_backward`.

    Raises
    ------
    ValueError
        If ``p`` is outside ``[0, 1]`` or not finite.
    TypeError
        If ``p`` is not a real number, ``rng`` is not a
        ``numpy.random.Generator``, ``train`` is not a boolean, or ``x`` is
        not numeric.

    Notes
    -----
    In training, each unit gets an independent Bernoulli variable
    :math:`r_i` that is 1 (keep) with probability :math:`1 - p`, and

    .. math::

        m_i = \\frac{r_i}{1 - p}, \\qquad \\text{out}_i = m_i \\, x_i,
        \\qquad
        \\mathbb{E}[\\text{out}_i] = \\frac{(1 - p)\\, x_i}{1 - p} = x_i,
        \\qquad
        \\operatorname{Var}[\\text{out}_i] = \\frac{p}{1 - p}\\, x_i^2 .

    Because the expected output already equals the input, evaluation uses the
    network unchanged (:math:`m_i = 1`): the full network approximates the
    average of the ensemble of thinned networks sampled in training.

    A unit is dropped when a uniform draw :math:`U_i \\in [0, 1)` satisfies
    :math:`U_i < p`, so ``p = 0`` keeps and ``p = 1`` drops every unit
    exactly; for ``p = 1`` the factor :math:`1 / (1 - p)` is never computed.
    The mask depends only on the shape of ``x`` and the generator, never on
    the values of ``x``. Dropped units are exactly 0 even where ``x`` is
    infinite (no ``inf * 0 = nan``); for finite ``x``, ``out == x * mask``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.ones((2, 4))
    >>> out, mask = dropout_forward(x, p=0.5, rng=np.random.default_rng(0))
    >>> bool(np.all(np.isin(mask, [0.0, 2.0])))  # 0 (dropped) or 1 / (1 - p) (kept)
    True
    >>> bool(np.array_equal(out, x * mask))
    True
    >>> out, mask = dropout_forward(x, p=0.5, rng=np.random.default_rng(0), train=False)
    >>> bool(np.array_equal(out, x)), bool(np.all(mask == 1.0))
    (True, True)
    >>> dropout_forward([1.0, -2.0], p=1.0, rng=np.random.default_rng(0))[0].tolist()
    [0.0, 0.0]
    """
    x = v.as_float_array("x", x)  # a private copy
    p = v.real_number("p", p, low=0.0, high=1.0)
    rng = v.generator("rng", rng)
    train = _flag("train", train)

    if not train:
        return x, np.ones_like(x)

    keep = rng.random(x.shape) >= p  # P(keep) = 1 - p; exact at p = 0 and p = 1
    mask = np.zeros(x.shape)
    if p < 1.0:
        mask[keep] = 1.0 / (1.0 - p)
    return _times_mask(x, mask), mask


def dropout_backward(dout, mask) -> np.ndarray:
    """Gradient of the loss through a dropout layer: ``dout * mask``.

    Parameters
    ----------
    dout : array_like of any shape, e.g. (n_samples, n_features)
        Gradient of the loss with respect to the dropout layer's output.
    mask : array_like of the shape of ``dout``
        The mask returned by the forward pass that produced that output
        (the same mask: never draw a new one here).

    Returns
    -------
    dx : ndarray of the shape of ``dout``
        Gradient of the loss with respect to the layer's input ``x``, a new
        ``float64`` array.

    Raises
    ------
    ValueError
        If ``dout`` and ``mask`` differ in shape.
    TypeError
        If an argument is not numeric.

    Notes
    -----
    The forward pass is linear in :math:`x` with a fixed diagonal,
    :math:`\\text{out}_i = m_i x_i`, so by the chain rule

    .. math::

        \\frac{\\partial L}{\\partial x_i}
        = \\frac{\\partial L}{\\partial \\text{out}_i}\\, m_i .

    A dropped unit passes no gradient back and a kept unit passes its
    gradient scaled by :math:`1 / (1 - p)`. Where ``mask`` is 0 the result is
    exactly 0, even for an infinite ``dout``.

    Examples
    --------
    >>> dropout_backward([[1.0, 2.0, 3.0]], [[0.0, 2.0, 2.0]]).tolist()
    [[0.0, 4.0, 6.0]]
    """
    dout = v.as_float_array("dout", dout)
    mask = v.as_float_array("mask", mask)
    v.same_shape("dout", dout, "mask", mask)
    return _times_mask(dout, mask)
