r"""Backpropagation through a multi-layer perceptron (lesson 10-backpropagation, the capstone).

- :func:`dense_forward`, :func:`dense_backward`: a fully connected layer
  ``Z = X @ W + b`` and the gradients of the loss with respect to its input,
  weights and bias, given the gradient with respect to its output.
- :func:`mlp_backward`: the loss and the gradient of every weight and bias of
  an MLP with ReLU or tanh hidden layers and a softmax cross-entropy output,
  by the delta recursion.
- :func:`numerical_gradient` and :func:`relative_error`: the gradient check,
  central differences compared with the analytic gradient the way CS231n
  does.

Conventions (those of the whole course): batch-first arrays, weights of shape
``(fan_in, fan_out)``, a layer computes ``X @ W + b``; inputs are never
modified; invalid arguments raise ``ValueError`` (or ``TypeError``) naming the
argument.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np

from solutions import _validation

__all__ = ["dense_forward", "dense_backward", "mlp_backward", "numerical_gradient", "relative_error"]

#: The hidden activations :func:`mlp_backward` knows, each with its derivative (ReLU's is 0 at 0).
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64)),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
}

#: The floor of the denominator of :func:`relative_error` (CS231n's), so that two zeros compare as equal.
FLOOR = 1e-8


def _layer(X, W, b=None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    X = _validation.as_float_array("X", X, ndim=2)
    W = _validation.as_float_array("W", W, ndim=2)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has {X.shape[1]} features but W has {W.shape[0]} rows: W must be "
                         f"(fan_in, fan_out) = ({X.shape[1]}, ...), got shape {W.shape}")
    if b is None:
        return X, W, None
    b = _validation.as_float_array("b", b, ndim=1)
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape (fan_out,) = ({W.shape[1]},), got shape {b.shape}")
    return X, W, b


def _affine(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`dense_forward` without the argument checks (what :func:`mlp_backward` calls for each layer)."""
    return X @ W + b


def _affine_backward(dZ: np.ndarray, X: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`dense_backward` without the argument checks (what :func:`mlp_backward` calls for each layer)."""
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def dense_forward(X, W, b) -> np.ndarray:
    r"""The output of a fully connected layer, ``X @ W + b``.

    Parameters
    ----------
    X : array_like of shape (n_samples, fan_in)
        The layer's input, one sample per row.
    W : array_like of shape (fan_in, fan_out)
        Weights.
    b : array_like of shape (fan_out,)
        Bias, added to every row.

    Returns
    -------
    Z : ndarray of shape (n_samples, fan_out)

    Raises
    ------
    ValueError
        If the shapes do not chain (``X.shape[1] != W.shape[0]`` or
        ``b.shape != (fan_out,)``) or an argument has the wrong number of
        dimensions.

    Notes
    -----
    .. math:: Z_{ij} = \sum_k X_{ik} W_{kj} + b_j .

    Examples
    --------
    >>> dense_forward([[1.0, 2.0]], [[1.0, 0.0], [0.0, -1.0]], [0.5, 0.5]).tolist()
    [[1.5, -1.5]]
    """
    X, W, b = _layer(X, W, b)
    return _affine(X, W, b)


def dense_backward(dZ, X, W) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The gradients of a fully connected layer, given the gradient of the loss with respect to its output.

    Parameters
    ----------
    dZ : array_like of shape (n_samples, fan_out)
        :math:`\partial L / \partial Z`, where ``Z = X @ W + b``. Any average over
        the samples is already in it (it comes from the loss).
    X : array_like of shape (n_samples, fan_in)
        The layer's input in the forward pass.
    W : array_like of shape (fan_in, fan_out)
        The layer's weights.

    Returns
    -------
    dX : ndarray of shape (n_samples, fan_in)
        ``dZ @ W.T``, passed on to the layer below.
    dW : ndarray of shape (fan_in, fan_out)
        ``X.T @ dZ``.
    db : ndarray of shape (fan_out,)
        ``dZ.sum(axis=0)``: the bias touches every sample's output.

    Raises
    ------
    ValueError
        If the shapes do not match.

    Notes
    -----
    From :math:`Z_{ij} = \sum_k X_{ik} W_{kj} + b_j`, the chain rule gives

    .. math::

        \frac{\partial L}{\partial X_{ik}} = \sum_j \frac{\partial L}{\partial Z_{ij}} W_{kj}, \qquad
        \frac{\partial L}{\partial W_{kj}} = \sum_i X_{ik} \frac{\partial L}{\partial Z_{ij}}, \qquad
        \frac{\partial L}{\partial b_j} = \sum_i \frac{\partial L}{\partial Z_{ij}} .

    Examples
    --------
    >>> dX, dW, db = dense_backward([[1.0, -1.0]], [[2.0, 3.0]], [[1.0, 0.0], [0.0, 1.0]])
    >>> dX.tolist(), dW.tolist(), db.tolist()
    ([[1.0, -1.0]], [[2.0, -2.0], [3.0, -3.0]], [1.0, -1.0])
    """
    X, W, _ = _layer(X, W)
    dZ = _validation.as_float_array("dZ", dZ, ndim=2)
    if dZ.shape != (X.shape[0], W.shape[1]):
        raise ValueError(f"dZ must have the shape of the layer's output (n_samples, fan_out) = "
                         f"({X.shape[0]}, {W.shape[1]}), got shape {dZ.shape}")
    return _affine_backward(dZ, X, W)


def _network(weights, biases, n_features: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    if not isinstance(weights, Sequence) or isinstance(weights, np.ndarray):
        raise TypeError(f"weights must be a list of weight matrices, got {type(weights).__name__}")
    if not isinstance(biases, Sequence) or isinstance(biases, np.ndarray):
        raise TypeError(f"biases must be a list of bias vectors, got {type(biases).__name__}")
    if len(weights) == 0:
        raise ValueError("weights must hold at least one weight matrix, got an empty list")
    if len(biases) != len(weights):
        raise ValueError(f"weights and biases must have one entry per layer, got {len(weights)} weight "
                         f"matrices and {len(biases)} bias vectors")
    Ws, bs = [], []
    fan_in = n_features
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        W = _validation.as_float_array(f"weights[{l - 1}]", W, ndim=2)
        b = _validation.as_float_array(f"biases[{l - 1}]", b, ndim=1)
        if W.shape[0] != fan_in:
            what = "X has" if l == 1 else f"layer {l - 1} has"
            raise ValueError(f"the layers do not chain: {what} {fan_in} outputs but weights[{l - 1}] "
                             f"(layer {l}) has {W.shape[0]} rows, shape {W.shape}")
        if b.shape != (W.shape[1],):
            raise ValueError(f"biases[{l - 1}] must have shape ({W.shape[1]},) to match weights[{l - 1}] "
                             f"of shape {W.shape}, got shape {b.shape}")
        Ws.append(W)
        bs.append(b)
        fan_in = W.shape[1]
    return Ws, bs


def mlp_backward(X, y, weights, biases, *, activation="relu") -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    r"""The mean softmax cross-entropy of a multi-layer perceptron and the gradient of every weight and bias.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        Inputs, one sample per row (at least one sample).
    y : array_like of int of shape (n_samples,)
        Class labels in ``0 .. n_classes - 1``.
    weights : list of L arrays
        ``weights[l - 1]`` is :math:`W_l`, of shape ``(fan_in, fan_out)``; the
        first has ``n_features`` rows, each next one as many rows as the
        previous one has columns, the last ``n_classes`` columns.
    biases : list of L arrays
        ``biases[l - 1]`` is :math:`b_l`, of shape ``(fan_out,)`` of layer ``l``.
    activation : {"relu", "tanh"}, default "relu"
        The activation of every hidden layer (the last layer is linear: it
        gives the logits).

    Returns
    -------
    loss : float
        The mean softmax cross-entropy of the logits against ``y``.
    grads_W : list of L ndarrays
        :math:`\partial \text{loss} / \partial W_l`, shapes of ``weights``.
    grads_b : list of L ndarrays
        :math:`\partial \text{loss} / \partial b_l`, shapes of ``biases``.

    Raises
    ------
    ValueError
        If the lists are empty or of different lengths, the layers do not
        chain (the message names the layer), ``X`` is not 2-D or empty, the
        labels are not integers in range, or ``activation`` is unknown.
    TypeError
        If ``weights`` or ``biases`` is not a list.

    Notes
    -----
    Forward, with :math:`h_0 = X`: :math:`z_l = h_{l-1} W_l + b_l`, and
    :math:`h_l = f(z_l)` for the hidden layers :math:`l < L`; the logits are
    :math:`z_L`. The loss is
    :math:`\frac1n \sum_i \bigl(\log\sum_k e^{z_{L,ik}} - z_{L,i y_i}\bigr)`,
    computed after subtracting each row's maximum.

    Backward, the delta recursion: with :math:`\delta_l = \partial\,\text{loss} / \partial z_l`,

    .. math::

        \delta_L = \frac{1}{n}\bigl(\operatorname{softmax}(z_L) - Y\bigr), \qquad
        \delta_l = f'(z_l) \odot \bigl(\delta_{l+1} W_{l+1}^\top\bigr), \\
        \frac{\partial\,\text{loss}}{\partial W_l} = h_{l-1}^\top \delta_l, \qquad
        \frac{\partial\,\text{loss}}{\partial b_l} = \textstyle\sum_i \delta_{l,i},

    where :math:`Y` is the one-hot matrix of the labels. Every layer costs two
    matrix products backward for one forward, so a backward pass costs about
    twice a forward pass, whatever the number of parameters. The derivative
    of ReLU is taken as 0 at 0 (as in lesson 09).

    Examples
    --------
    One linear layer of zeros: the softmax is uniform and the loss is log 2.

    >>> loss, gW, gb = mlp_backward([[1.0, 2.0]], [0], [np.zeros((2, 2))], [np.zeros(2)])
    >>> round(loss, 6), gW[0].tolist(), gb[0].tolist()
    (0.693147, [[-0.5, 0.5], [-1.0, 1.0]], [-0.5, 0.5])
    """
    X = _validation.as_float_array("X", X, ndim=2)
    if X.shape[0] == 0:
        raise ValueError(f"X must hold at least one sample, got shape {X.shape}")
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    f, f_grad = ACTIVATIONS[activation]
    Ws, bs = _network(weights, biases, X.shape[1])
    n_classes = Ws[-1].shape[1]
    y = _validation.as_int_labels("y", y, n_classes)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape (n_samples,) = ({X.shape[0]},) to match X, got shape {y.shape}")

    hs, zs = [X], []
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        z = _affine(hs[-1], W, b)
        zs.append(z)
        if l < len(Ws):
            hs.append(f(z))
    logits = zs[-1]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = X.shape[0]
    rows = np.arange(n)
    loss = float(-log_probs[rows, y].mean())

    delta = np.exp(log_probs)
    delta[rows, y] -= 1.0
    delta /= n
    grads_W: list[np.ndarray] = [np.empty(0)] * len(Ws)
    grads_b: list[np.ndarray] = [np.empty(0)] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):  # 0-based: layer l + 1 of the notes
        d_input, grads_W[l], grads_b[l] = _affine_backward(delta, hs[l], Ws[l])
        if l > 0:
            delta = f_grad(zs[l - 1]) * d_input
    return loss, grads_W, grads_b


def numerical_gradient(f, x, *, h=1e-5) -> np.ndarray:
    r"""The gradient of a scalar function by central differences, one entry at a time.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for an array ``x`` of the shape given.
    x : array_like of any shape
        The point; it is left unchanged (``f`` is called on a copy).
    h : float, default 1e-5
        The step, a finite number > 0.

    Returns
    -------
    grad : ndarray of the shape of ``x``
        Entry ``i`` is ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``.

    Raises
    ------
    ValueError
        If ``h`` is not a finite number > 0.
    TypeError
        If ``f`` is not callable or returns something that is not a real number.

    Notes
    -----
    By Taylor's theorem the central difference has truncation error
    :math:`\frac{h^2}{6} f'''`, against :math:`\frac{h}{2} f''` for a one-sided
    one; rounding adds about :math:`\epsilon |f| / h` with
    :math:`\epsilon \approx 2.2 \times 10^{-16}`. The total is smallest near
    :math:`h \approx \epsilon^{1/3} \approx 10^{-5}` for values of order 1,
    where the relative error reaches about :math:`10^{-10}`: smaller steps
    lose to rounding, larger ones to truncation (the V-shaped curve of the
    lesson's widget).

    Examples
    --------
    >>> numerical_gradient(lambda v: float(np.sum(v ** 2)), np.array([1.0, -2.0])).round(6).tolist()
    [2.0, -4.0]
    """
    if not callable(f):
        raise TypeError(f"f must be a function of x returning a number, got {type(f).__name__}")
    h = _validation.real_number("h", h, low=0.0, low_open=True)
    x = _validation.as_float_array("x", x)
    point = x.copy()
    grad = np.empty_like(point)
    flat = point.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + h
        up = _scalar(f(point.copy()))
        flat[i] = saved - h
        down = _scalar(f(point.copy()))
        flat[i] = saved
        grad.reshape(-1)[i] = (up - down) / (2.0 * h)
    return grad


def _scalar(value) -> float:
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"f must return a single real number, got {type(value).__name__}")
    return float(value)


def relative_error(a, b) -> float:
    r"""The largest relative difference between two arrays, as CS231n's gradient checks measure it.

    Parameters
    ----------
    a, b : array_like of the same shape
        Typically the analytic and the numerical gradient.

    Returns
    -------
    error : float
        ``max(|a - b| / max(1e-8, |a| + |b|))`` over the entries; 0 for empty
        arrays.

    Raises
    ------
    ValueError
        If the shapes differ.

    Notes
    -----
    .. math:: e = \max_i \frac{|a_i - b_i|}{\max(10^{-8}, |a_i| + |b_i|)} .

    The floor keeps two entries that are both 0 (or both tiny) from dividing
    0 by 0. Rough scale, with central differences in ``float64``: below
    :math:`10^{-7}` the gradient is right; around :math:`10^{-4}` it is
    suspicious unless the function has kinks (ReLU) near the point;
    :math:`10^{-2}` and above, it is wrong.

    Examples
    --------
    >>> relative_error([1.0, 0.0], [1.0 + 1e-9, 0.0]) < 1e-9
    True
    >>> relative_error([1.0], [3.0])
    0.5
    """
    a = _validation.as_float_array("a", a)
    b = _validation.as_float_array("b", b)
    _validation.same_shape("a", a, "b", b)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(FLOOR, np.abs(a) + np.abs(b))))
