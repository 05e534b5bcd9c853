r"""A small fully connected network in NumPy, built from swappable parts, for the lessons' demos.

Every demo from lesson 03 to lesson 09 trains this network on the digits
(:func:`lessons.data.load_digits`) with the student's own functions for the
part the lesson is about, and the course's defaults for the rest:

=========================  ================================  ================================
part                       course default (in this module)   student's version (lesson)
=========================  ================================  ================================
mini-batches               :func:`minibatches`               ``minibatches`` (03)
weight initializer         :func:`he_normal`                 any initializer (04)
update rule                :func:`sgd_step` via              ``momentum_step`` ... (03, 05, 06)
                           :meth:`Optimizer.sgd`
penalty on the weights     none                              :class:`Penalty` (07)
dropout on hidden layers   none                              :class:`Dropout` (08)
hidden activation          :func:`relu`, :func:`relu_grad`   ``sigmoid`` ... and ``_grad`` (09)
loss                       :data:`CROSS_ENTROPY`             :class:`Loss` (02)
=========================  ================================  ================================

The defaults share the names and signatures of the curriculum's exercises
(one name per concept), so import this *module* in a notebook
(``from lessons import network``), never these names, which would hide the
student's own functions.

Design
------
All parameters live in one flat vector ``theta`` of shape ``(n_params,)``:
for each layer its weights ``W`` of shape ``(fan_in, fan_out)`` (row-major)
then its biases ``b`` of shape ``(fan_out,)``.  :func:`split` gives the
per-layer views.  So every update rule of the course works unchanged on the
whole network, and Nesterov's ``grad_fn(theta)`` is simply "the gradient of the
current mini-batch's loss at these parameters".

A layer computes ``h @ W + b``; every hidden layer is followed by the
activation (and, while training, by dropout); the last layer gives the logits.

Nothing here keeps mutable state: a :class:`Network` is frozen (its ``theta``
is a read-only copy), training returns a new network, optimizer state is
passed in and returned, and randomness comes only from explicit ``rng``
arguments.  Arrays handed to the student's functions are read-only views, so a
function that writes into its argument fails loudly instead of corrupting the
data.  Errors from the student's functions propagate unchanged, in particular
``NotImplementedError`` from a stub: the demos catch it and name the function
to implement.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

__all__ = [
    "Network", "Hidden", "History", "Optimizer", "Loss", "Penalty", "Dropout", "CROSS_ENTROPY",
    "init_network", "split", "forward", "loss_and_grad", "predict_proba", "predict", "accuracy", "train",
    "relu", "relu_grad", "he_normal", "sgd_step", "softmax_cross_entropy", "softmax_cross_entropy_grad",
    "minibatches",
]


# --------------------------------------------------------------------------
# the course's defaults for the parts a lesson is not about
# --------------------------------------------------------------------------

def relu(x):
    r"""The course's default hidden activation, :math:`\max(x, 0)`.

    Parameters
    ----------
    x : ndarray of any shape, e.g. (n_samples, n_units)

    Returns
    -------
    ndarray of the shape of ``x``
    """
    return np.maximum(x, 0.0)


def relu_grad(x):
    r"""Derivative of :func:`relu`: 1 where ``x > 0`` and 0 elsewhere (0 at ``x = 0``, the course's convention).

    Parameters
    ----------
    x : ndarray of any shape, e.g. (n_samples, n_units)

    Returns
    -------
    ndarray of the shape of ``x``, of zeros and ones
    """
    return (np.asarray(x) > 0).astype(np.float64)


def he_normal(fan_in, fan_out, *, rng):
    r"""The course's default initializer: normal with standard deviation :math:`\sqrt{2 / \text{fan\_in}}`.

    Parameters
    ----------
    fan_in, fan_out : int
        Inputs and outputs of the layer.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    Notes
    -----
    He et al. (2015): with ReLU, which zeroes half of its inputs on average,
    :math:`\operatorname{Var}(W) = 2 / \text{fan\_in}` keeps the variance of
    the pre-activations the same from layer to layer.
    """
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def sgd_step(theta, grad, *, lr):
    r"""The course's default update rule, plain gradient descent: :math:`\theta - \eta\, g`.

    Parameters
    ----------
    theta, grad : ndarray of any shape (the same)
    lr : float

    Returns
    -------
    ndarray of the shape of ``theta``
    """
    return theta - lr * grad


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_cross_entropy(logits, y) -> float:
    r"""The course's default loss: mean of :math:`-\log \operatorname{softmax}(z)_{y}` over the samples.

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_classes)
    y : ndarray of int of shape (n_samples,)
        Class labels in ``[0, n_classes)``.

    Returns
    -------
    float

    Notes
    -----
    Computed through :math:`\log\operatorname{softmax}(z) = z - m -
    \log\sum_k e^{z_k - m}` with :math:`m = \max_k z_k` per row, so no
    exponential overflows (finite for logits of magnitude 1e4 and beyond).
    """
    logp = _log_softmax(logits)
    return float(-np.mean(logp[np.arange(len(y)), y]))


def softmax_cross_entropy_grad(logits, y):
    r"""Gradient of :func:`softmax_cross_entropy` with respect to the logits: :math:`(\operatorname{softmax}(z) - \text{onehot}(y)) / n`.

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_classes)
    y : ndarray of int of shape (n_samples,)

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
    """
    grad = np.exp(_log_softmax(logits))
    grad[np.arange(len(y)), y] -= 1.0
    grad /= len(y)
    return grad


def minibatches(X, y, batch_size, *, rng):
    """The course's default mini-batches: one new random permutation per call, every sample once.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    batch_size : int
        At least 1; the last batch is smaller when it does not divide ``n_samples``.
    rng : numpy.random.Generator
        Draws the permutation (one draw per call).

    Returns
    -------
    list of (ndarray of shape (m, n_features), ndarray of shape (m,))
        ``ceil(n_samples / batch_size)`` batches, sharing no memory with ``X`` and ``y``.
    """
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(y), batch_size)]


# --------------------------------------------------------------------------
# the parts a demo may swap
# --------------------------------------------------------------------------

def _name(fn) -> str:
    """The name of a (possibly wrapped) function, for messages."""
    while hasattr(fn, "func"):  # functools.partial
        fn = fn.func
    return getattr(fn, "__name__", repr(fn))


@dataclass(frozen=True, eq=False)
class Loss:
    """A classification loss on logits: ``value(logits, y) -> float`` and ``grad(logits, y) -> (n_samples, n_classes)``.

    ``Loss(softmax_cross_entropy, softmax_cross_entropy_grad)`` with the
    student's functions from lesson 02; :data:`CROSS_ENTROPY` is the course's.
    """

    value: Callable
    grad: Callable


#: The course's default loss: a numerically stable softmax cross-entropy and its gradient.
CROSS_ENTROPY = Loss(softmax_cross_entropy, softmax_cross_entropy_grad)


@dataclass(frozen=True, eq=False)
class Penalty:
    """A penalty on the weight matrices (never the biases), added to the loss and its gradient.

    Parameters
    ----------
    value : callable
        ``value(weights, *, lam) -> float`` with ``weights`` the list of weight
        matrices, e.g. the student's ``l2_penalty`` or ``l1_penalty`` (lesson 07).
    grad : callable
        ``grad(W, *, lam) -> ndarray`` of the shape of ``W``, called once per
        weight matrix, e.g. ``l2_penalty_grad`` or ``l1_penalty_grad``.
    lam : float
        The strength, passed as the keyword ``lam``.
    """

    value: Callable
    grad: Callable
    lam: float


@dataclass(frozen=True, eq=False)
class Dropout:
    """Dropout after every hidden activation, while training only.

    Parameters
    ----------
    forward : callable
        ``forward(x, *, p, rng, train=True) -> (out, mask)``, e.g. the
        student's ``dropout_forward`` (lesson 08). Called with ``train=True``.
    backward : callable
        ``backward(dout, mask) -> ndarray``, e.g. ``dropout_backward``.
    p : float
        Probability of dropping a unit, in ``[0, 1]``.
    """

    forward: Callable
    backward: Callable
    p: float

    def __post_init__(self):
        if not isinstance(self.p, (int, float, np.floating, np.integer)) or not 0.0 <= float(self.p) <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {self.p!r}")


# --------------------------------------------------------------------------
# the network
# --------------------------------------------------------------------------

def _layout(sizes: tuple[int, ...]) -> tuple[tuple[int, int, int, int, int], ...]:
    """``(w_start, w_end, b_end, fan_in, fan_out)`` for each layer in the flat vector."""
    out, start = [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w_end = start + fan_in * fan_out
        out.append((start, w_end, w_end + fan_out, fan_in, fan_out))
        start = w_end + fan_out
    return tuple(out)


def _views(layout, vector: np.ndarray, *, writeable: bool) -> tuple[list[np.ndarray], list[np.ndarray]]:
    weights, biases = [], []
    for w0, w1, b1, fan_in, fan_out in layout:
        W, b = vector[w0:w1].reshape(fan_in, fan_out), vector[w1:b1]
        if not writeable:
            W.flags.writeable = False
            b.flags.writeable = False
        weights.append(W)
        biases.append(b)
    return weights, biases


def _read_only(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.flags.writeable = False
    return view


def _sizes(sizes) -> tuple[int, ...]:
    try:
        out = tuple(int(s) for s in sizes)
        ok = len(out) >= 2 and all(s >= 1 and s == t for s, t in zip(out, sizes))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"sizes must list at least two positive integers (inputs, ..., classes), "
                         f"e.g. (64, 64, 10), got {sizes!r}")
    return out


def split(sizes, vector) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The per-layer views of a flat vector (parameters or a gradient).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths ``(n_features, hidden..., n_classes)``.
    vector : ndarray of shape (n_params,)

    Returns
    -------
    weights : list of ndarray of shape (fan_in, fan_out)
        One per layer: views into ``vector``.
    biases : list of ndarray of shape (fan_out,)
        One per layer: views into ``vector``.
    """
    layout = _layout(_sizes(sizes))
    vector = np.asarray(vector)
    n_params = layout[-1][2]
    if vector.shape != (n_params,):
        raise ValueError(f"vector must have shape ({n_params},) for sizes {tuple(sizes)}, got {vector.shape}")
    return _views(layout, vector, writeable=vector.flags.writeable)


@dataclass(frozen=True, eq=False, repr=False)
class Network:
    """A fully connected network: its layer sizes, its parameters as one flat vector and its activation.

    Parameters
    ----------
    sizes : tuple of int
        ``(n_features, hidden_1, ..., n_classes)``; ``(n_features, n_classes)``
        is softmax regression (no hidden layer).
    theta : ndarray of shape (n_params,)
        All parameters, layer by layer: ``W`` (row-major) then ``b``. Stored as
        a read-only ``float64`` copy.
    activation, activation_grad : callable
        The hidden activation and its derivative, element-wise on
        ``(n_samples, n_units)`` arrays (the student's from lesson 09, or
        :func:`relu` and :func:`relu_grad`).

    Build one with :func:`init_network`; :meth:`with_theta` gives the same
    network with other parameters.
    """

    sizes: tuple[int, ...]
    theta: np.ndarray
    activation: Callable = relu
    activation_grad: Callable = relu_grad
    _layout: tuple = field(init=False)

    def __post_init__(self):
        sizes = _sizes(self.sizes)
        layout = _layout(sizes)
        theta = np.array(self.theta, dtype=np.float64)
        if theta.shape != (layout[-1][2],):
            raise ValueError(f"theta must have shape ({layout[-1][2]},) for sizes {sizes}, got {theta.shape}")
        theta.flags.writeable = False
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "theta", theta)
        object.__setattr__(self, "_layout", layout)

    def __repr__(self) -> str:
        return (f"Network(sizes={self.sizes}, activation={_name(self.activation)}, "
                f"n_params={self.n_params})")

    @property
    def n_params(self) -> int:
        """Length of ``theta``."""
        return self.theta.size

    @property
    def weights(self) -> list[np.ndarray]:
        """Weight matrices, ``(fan_in, fan_out)`` each: read-only views into ``theta``."""
        return _views(self._layout, self.theta, writeable=False)[0]

    @property
    def biases(self) -> list[np.ndarray]:
        """Bias vectors, ``(fan_out,)`` each: read-only views into ``theta``."""
        return _views(self._layout, self.theta, writeable=False)[1]

    def with_theta(self, theta) -> "Network":
        """The same architecture and activation with the parameters ``theta`` (copied)."""
        return Network(self.sizes, theta, self.activation, self.activation_grad)


def init_network(sizes, *, rng, initializer=he_normal, activation=relu, activation_grad=relu_grad) -> Network:
    r"""A new network: weights from ``initializer``, biases zero.

    Parameters
    ----------
    sizes : sequence of int
        ``(n_features, hidden_1, ..., n_classes)``, e.g. ``(64, 64, 10)`` for the digits.
    rng : numpy.random.Generator
        Passed to ``initializer`` (the only randomness).
    initializer : callable, default :func:`he_normal`
        ``initializer(fan_in, fan_out, *, rng) -> (fan_in, fan_out)`` (lesson 04),
        called once per layer, first layer first. Use ``functools.partial`` for
        extra keywords (``partial(small_random_init, scale=0.1)``).
    activation, activation_grad : callable, default :func:`relu`, :func:`relu_grad`
        The hidden activation and its derivative (lesson 09).

    Returns
    -------
    Network

    Raises
    ------
    ValueError
        If ``sizes`` is not a list of positive integers, or ``initializer``
        returns an array of the wrong shape (the message names it).
    """
    sizes = _sizes(sizes)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    layout = _layout(sizes)
    theta = np.zeros(layout[-1][2])
    weights, _ = _views(layout, theta, writeable=True)
    for W in weights:
        fan_in, fan_out = W.shape
        drawn = np.asarray(initializer(fan_in, fan_out, rng=rng), dtype=np.float64)
        if drawn.shape != (fan_in, fan_out):
            raise ValueError(f"{_name(initializer)}({fan_in}, {fan_out}, rng=...) must return shape "
                             f"({fan_in}, {fan_out}), got {drawn.shape}")
        W[...] = drawn
    return Network(sizes, theta, activation, activation_grad)


@dataclass(frozen=True, eq=False)
class Hidden:
    """What :func:`forward` saw in the hidden layers (``L - 1`` of each for ``L`` layers).

    Attributes
    ----------
    pre_activations : list of ndarray of shape (n_samples, n_units)
        ``z_l = h_{l-1} @ W_l + b_l`` for each hidden layer (lesson 09's ``pre_activations``).
    activations : list of ndarray of shape (n_samples, n_units)
        ``activation(z_l)``, before dropout.
    masks : list of ndarray of shape (n_samples, n_units)
        Dropout masks (empty without dropout).
    """

    pre_activations: list
    activations: list
    masks: list


def _checked(result, shape: tuple, what: str) -> np.ndarray:
    if not isinstance(result, np.ndarray):
        result = np.asarray(result, dtype=np.float64)
    if result.shape != shape:
        raise ValueError(f"{what} must return an array of shape {shape}, got {result.shape}")
    return result


def _forward(net_layout, theta, X, activation, dropout, rng):
    """Logits and the cache for :func:`_backward`: inputs of every layer, hidden pre-activations and masks."""
    weights, biases = _views(net_layout, theta, writeable=False)
    inputs, zs, acts, masks = [X], [], [], []
    h = X
    for W, b in zip(weights[:-1], biases[:-1]):
        z = h @ W
        z += b
        z.flags.writeable = False
        a = _checked(activation(z), z.shape, _name(activation))
        zs.append(z)
        acts.append(a)
        if dropout is not None:
            a_ro = _read_only(a)
            out, mask = dropout.forward(a_ro, p=dropout.p, rng=rng, train=True)
            h = _checked(out, z.shape, f"{_name(dropout.forward)} (out)")
            masks.append(_read_only(_checked(mask, z.shape, f"{_name(dropout.forward)} (mask)")))
        else:
            h = a
        inputs.append(h)
    logits = h @ weights[-1]
    logits += biases[-1]
    return logits, (weights, inputs, zs, acts, masks)


def _data(X, y, sizes, what: str = "") -> tuple[np.ndarray, np.ndarray | None]:
    """Read-only float64 ``X`` and int ``y`` views, checked against the network's sizes."""
    x_name, y_name = f"X{what}", f"y{what}"
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != sizes[0] or not np.issubdtype(X.dtype, np.number):
        raise ValueError(f"{x_name} must be a numeric array of shape (n_samples, {sizes[0]}), "
                         f"got {X.dtype} of shape {X.shape}")
    X = _read_only(X.astype(np.float64, copy=False))
    if y is None:
        return X, None
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{y_name} must hold integer class labels, got dtype {y.dtype}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"{y_name} must have shape ({X.shape[0]},) to match {x_name}, got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= sizes[-1]):
        raise ValueError(f"{y_name} must hold labels in [0, {sizes[-1] - 1}], "
                         f"got values from {y.min()} to {y.max()}")
    return X, _read_only(y)


def forward(net: Network, X, *, return_hidden: bool = False, dropout: Dropout | None = None, rng=None):
    """The logits of a batch; optionally what the hidden layers computed.

    Parameters
    ----------
    net : Network
    X : ndarray of shape (n_samples, n_features)
    return_hidden : bool, default False
        Also return a :class:`Hidden` with every hidden layer's
        pre-activations, activations and dropout masks (lessons 04 and 09).
    dropout : Dropout, optional
        Apply dropout in training mode after each hidden activation (lesson
        08's "one dropout pass"); ``None`` is evaluation mode.
    rng : numpy.random.Generator, optional
        Required with ``dropout``.

    Returns
    -------
    logits : ndarray of shape (n_samples, n_classes)
    hidden : Hidden
        Only with ``return_hidden=True``.
    """
    X, _ = _data(X, None, net.sizes)
    if dropout is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator when dropout is given, got {type(rng).__name__}")
    logits, (_, _, zs, acts, masks) = _forward(net._layout, net.theta, X, net.activation, dropout, rng)
    return (logits, Hidden(zs, acts, masks)) if return_hidden else logits


def _backward(net_layout, n_params, y, logits, cache, loss, activation_grad, dropout, penalty):
    weights, inputs, zs, _, masks = cache
    logits.flags.writeable = False
    g = _checked(loss.grad(logits, y), logits.shape, _name(loss.grad))
    grad = np.empty(n_params)
    grad_w, grad_b = _views(net_layout, grad, writeable=True)
    for layer in range(len(weights) - 1, -1, -1):
        np.matmul(inputs[layer].T, g, out=grad_w[layer])
        np.sum(g, axis=0, out=grad_b[layer])
        if layer:
            dh = g @ weights[layer].T
            if dropout is not None:
                dh = _checked(dropout.backward(_read_only(dh), masks[layer - 1]), dh.shape,
                              _name(dropout.backward))
            z = zs[layer - 1]
            g = dh * _checked(activation_grad(z), z.shape, _name(activation_grad))
    if penalty is not None:
        for W, gW in zip(weights, grad_w):
            gW += _checked(penalty.grad(W, lam=penalty.lam), W.shape, _name(penalty.grad))
    return grad


def _objective(net_layout, n_params, theta, X, y, activation, activation_grad, loss, penalty, dropout, rng):
    logits, cache = _forward(net_layout, theta, X, activation, dropout, rng)
    value = float(loss.value(_read_only(logits), y))
    if penalty is not None:
        value += float(penalty.value(cache[0], lam=penalty.lam))
    grad = _backward(net_layout, n_params, y, logits, cache, loss, activation_grad, dropout, penalty)
    return value, grad


def loss_and_grad(net: Network, X, y, *, loss: Loss = CROSS_ENTROPY, penalty: Penalty | None = None,
                  dropout: Dropout | None = None, rng=None) -> tuple[float, np.ndarray]:
    r"""The training objective on a batch and its gradient with respect to ``net.theta``.

    Parameters
    ----------
    net : Network
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of int of shape (n_samples,)
    loss : Loss, default :data:`CROSS_ENTROPY`
    penalty : Penalty, optional
        Added to the loss; its gradient is added to the weights' gradients only.
    dropout : Dropout, optional
        Dropout after each hidden activation (one mask per call, drawn from ``rng``).
    rng : numpy.random.Generator, optional
        Required with ``dropout``.

    Returns
    -------
    value : float
        ``loss(logits, y) + penalty(weights)``.
    grad : ndarray of shape (n_params,)
        Laid out like ``theta``; :func:`split` gives the per-layer parts.

    Notes
    -----
    Backpropagation, with :math:`\delta_L = \partial J / \partial z_L` from
    ``loss.grad`` and :math:`h_0 = X`:

    .. math::

        \frac{\partial J}{\partial W_l} = h_{l-1}^\top \delta_l, \qquad
        \frac{\partial J}{\partial b_l} = \textstyle\sum_i (\delta_l)_i, \qquad
        \delta_{l-1} = \phi'(z_{l-1}) \odot \big(m_{l-1} \odot \delta_l W_l^\top\big),

    where :math:`m` is the dropout mask (all ones without dropout), applied by
    ``dropout.backward``. The penalty adds ``penalty.grad(W_l)`` to each
    :math:`\partial J / \partial W_l`.
    """
    X, y = _data(X, y, net.sizes)
    if dropout is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator when dropout is given, got {type(rng).__name__}")
    return _objective(net._layout, net.n_params, net.theta, X, y, net.activation, net.activation_grad,
                      loss, penalty, dropout, rng)


def predict_proba(net: Network, X, *, dropout: Dropout | None = None, rng=None) -> np.ndarray:
    """Class probabilities, the softmax of the logits.

    Parameters
    ----------
    net : Network
    X : ndarray of shape (n_samples, n_features)
    dropout : Dropout, optional
        One training-mode dropout pass (lesson 08 averages many of them);
        ``None`` (the default) is evaluation mode.
    rng : numpy.random.Generator, optional
        Required with ``dropout``.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        Rows sum to one.
    """
    return np.exp(_log_softmax(forward(net, X, dropout=dropout, rng=rng)))


def predict(net: Network, X) -> np.ndarray:
    """Predicted class labels, the argmax of the logits, as ``(n_samples,)`` integers."""
    return np.argmax(forward(net, X), axis=1)


def accuracy(net: Network, X, y) -> float:
    """Fraction of the samples of ``X`` whose predicted class equals ``y`` (shape ``(n_samples,)``)."""
    X, y = _data(X, y, net.sizes)
    return float(np.mean(predict(net, X) == y))


# --------------------------------------------------------------------------
# optimizers: the student's update rule plus the state it needs
# --------------------------------------------------------------------------

_STATE = {  # kind -> names of the state arrays the step function takes after the gradient
    "sgd": (), "momentum": ("velocity",), "ema_momentum": ("m",), "nesterov": ("velocity",),
    "adagrad": ("r",), "rmsprop": ("r",), "adam": ("m", "v"),
}


@dataclass(frozen=True, eq=False)
class Optimizer:
    """An update rule with the curriculum's signature, its hyperparameters, and how to carry its state.

    Build one with a constructor named after the rule, passing the student's
    step function (or any function with that signature)::

        Optimizer.sgd(sgd_step, lr=0.1)
        Optimizer.momentum(momentum_step, lr=0.05, momentum=0.9)
        Optimizer.ema_momentum(ema_momentum_step, lr=0.5, beta=0.9)
        Optimizer.nesterov(nesterov_step, lr=0.05, momentum=0.9)
        Optimizer.adagrad(adagrad_step, lr=0.01, eps=1e-7)
        Optimizer.rmsprop(rmsprop_step, lr=0.001, rho=0.9, eps=1e-7)
        Optimizer.adam(adam_step, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8)

    The object holds no state: :meth:`init` returns the starting state and
    :meth:`update` takes a state and returns the next one. The
    hyperparameters are always passed to the step function as keywords.
    """

    kind: str
    step_fn: Callable
    hyperparameters: Mapping[str, float]

    def __post_init__(self):
        if self.kind not in _STATE:
            raise ValueError(f"kind must be one of {sorted(_STATE)}, got {self.kind!r}")
        if not callable(self.step_fn):
            raise TypeError(f"step_fn must be a function, got {type(self.step_fn).__name__}")
        object.__setattr__(self, "hyperparameters", dict(self.hyperparameters))

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters.items())
        return f"Optimizer.{self.kind}({_name(self.step_fn)}, {hp})"

    @classmethod
    def sgd(cls, step_fn=sgd_step, *, lr) -> "Optimizer":
        """``step_fn(theta, grad, *, lr) -> theta`` (lesson 03); default the course's :func:`sgd_step`."""
        return cls("sgd", step_fn, {"lr": lr})

    @classmethod
    def momentum(cls, step_fn, *, lr, momentum=0.9) -> "Optimizer":
        """``step_fn(theta, grad, velocity, *, lr, momentum) -> (theta, velocity)`` (lesson 05)."""
        return cls("momentum", step_fn, {"lr": lr, "momentum": momentum})

    @classmethod
    def ema_momentum(cls, step_fn, *, lr, beta=0.9) -> "Optimizer":
        """``step_fn(theta, grad, m, *, lr, beta) -> (theta, m)`` (lesson 05)."""
        return cls("ema_momentum", step_fn, {"lr": lr, "beta": beta})

    @classmethod
    def nesterov(cls, step_fn, *, lr, momentum=0.9) -> "Optimizer":
        """``step_fn(theta, grad_fn, velocity, *, lr, momentum) -> (theta, velocity)`` (lesson 05).

        ``grad_fn(point)`` returns the gradient of the current mini-batch's
        objective at ``point``, of shape ``(n_params,)``.
        """
        return cls("nesterov", step_fn, {"lr": lr, "momentum": momentum})

    @classmethod
    def adagrad(cls, step_fn, *, lr=0.01, eps=1e-7) -> "Optimizer":
        """``step_fn(theta, grad, r, *, lr, eps) -> (theta, r)`` (lesson 06)."""
        return cls("adagrad", step_fn, {"lr": lr, "eps": eps})

    @classmethod
    def rmsprop(cls, step_fn, *, lr=0.001, rho=0.9, eps=1e-7) -> "Optimizer":
        """``step_fn(theta, grad, r, *, lr, rho, eps) -> (theta, r)`` (lesson 06)."""
        return cls("rmsprop", step_fn, {"lr": lr, "rho": rho, "eps": eps})

    @classmethod
    def adam(cls, step_fn, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8) -> "Optimizer":
        """``step_fn(theta, grad, m, v, t, *, lr, beta1, beta2, eps) -> (theta, m, v)`` (lesson 06).

        ``t`` is 1 at the first call and grows by one per step.
        """
        return cls("adam", step_fn, {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps})

    def init(self, theta) -> tuple:
        """The state before the first step: zero arrays of the shape of ``theta`` (and for Adam, ``t = 0`` steps taken)."""
        theta = np.asarray(theta)
        arrays = tuple(np.zeros(theta.shape) for _ in _STATE[self.kind])
        return arrays + (0,) if self.kind == "adam" else arrays

    def update(self, theta: np.ndarray, state: tuple, grad_fn: Callable[[np.ndarray], np.ndarray]):
        """One step: call the step function with the state, return ``(theta_new, state_new)``.

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
        state : tuple
            From :meth:`init` or the previous :meth:`update`.
        grad_fn : callable
            ``grad_fn(theta) -> grad`` of shape ``(n_params,)``. Called once,
            at ``theta``, except for Nesterov, whose step function calls it
            (at the look-ahead point).

        Returns
        -------
        theta_new : ndarray of shape (n_params,)
        state_new : tuple
        """
        hp = self.hyperparameters
        if self.kind == "nesterov":
            result = self.step_fn(theta, grad_fn, *state, **hp)
        elif self.kind == "adam":
            m, v, t = state
            result = self.step_fn(theta, grad_fn(theta), m, v, t + 1, **hp)
        else:
            result = self.step_fn(theta, grad_fn(theta), *state, **hp)
        names = _STATE[self.kind]
        if not names:
            return _checked(result, theta.shape, f"{_name(self.step_fn)} (the new theta)"), state
        expected = "(theta, " + ", ".join(names) + ")"
        if not isinstance(result, (tuple, list)) or len(result) != len(names) + 1:
            raise TypeError(f"{_name(self.step_fn)} must return {expected}, got {type(result).__name__}"
                            + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
        arrays = tuple(_checked(r, theta.shape, f"{_name(self.step_fn)} ({n})")
                       for r, n in zip(result, ("theta",) + names))
        if self.kind == "adam":
            return arrays[0], arrays[1:] + (state[2] + 1,)
        return arrays[0], arrays[1:]


# --------------------------------------------------------------------------
# training
# --------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class History:
    """What happened during :func:`train`, one entry per epoch unless said otherwise.

    Attributes
    ----------
    train_loss, train_accuracy : ndarray of shape (n_epochs,)
        Loss (``loss.value``, without penalty) and accuracy on the whole
        training set after each epoch, in evaluation mode (no dropout).
    val_loss, val_accuracy : ndarray of shape (n_epochs,) or None
        The same on ``(X_val, y_val)`` when given.
    batch_loss : ndarray of shape (n_epochs,)
        Mean over the epoch's steps of the objective the optimizer saw (with
        dropout and penalty).
    step_loss : ndarray of shape (n_steps,)
        That objective at every step (the last gradient evaluation of the step).
    grad_norms : ndarray of shape (n_epochs, n_layers)
        Mean over the epoch's gradient evaluations of the Frobenius norm of
        each layer's weight gradient, first layer first (lesson 09).
    seconds : ndarray of shape (n_epochs,)
        Wall-clock time of each epoch's steps (evaluation excluded).
    """

    train_loss: np.ndarray
    train_accuracy: np.ndarray
    val_loss: np.ndarray | None
    val_accuracy: np.ndarray | None
    batch_loss: np.ndarray
    step_loss: np.ndarray
    grad_norms: np.ndarray
    seconds: np.ndarray

    @property
    def n_epochs(self) -> int:
        return len(self.train_loss)


def _history(rec: dict, n_layers: int) -> History:
    arr = lambda key: np.array(rec[key], dtype=np.float64)  # noqa: E731
    has_val = bool(rec["val_loss"])
    return History(arr("train_loss"), arr("train_accuracy"), arr("val_loss") if has_val else None,
                   arr("val_accuracy") if has_val else None, arr("batch_loss"), arr("step_loss"),
                   np.array(rec["grad_norms"], dtype=np.float64).reshape(-1, n_layers), arr("seconds"))


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _clipped(clip: Callable[[list], list], layout, grad: np.ndarray) -> np.ndarray:
    """Apply ``clip`` to the per-layer gradient arrays and flatten the result again."""
    parts = []
    for w0, w1, b1, fan_in, fan_out in layout:
        parts += [_read_only(grad[w0:w1].reshape(fan_in, fan_out)), _read_only(grad[w1:b1])]
    clipped = list(clip(parts))
    if len(clipped) != len(parts) or any(np.shape(c) != p.shape for c, p in zip(clipped, parts)):
        raise ValueError(f"{_name(clip)} must return a list of {len(parts)} arrays shaped like its input")
    return np.concatenate([np.asarray(c, dtype=np.float64).ravel() for c in clipped])


def train(net: Network, X, y, *, epochs: int, batch_size: int, optimizer: Optimizer, rng,
          loss: Loss = CROSS_ENTROPY, penalty: Penalty | None = None, dropout: Dropout | None = None,
          minibatches: Callable = minibatches, X_val=None, y_val=None,
          clip: Callable[[list], list] | None = None,
          callback: Callable[[int, Network, History], bool | None] | None = None) -> tuple[Network, History]:
    """Train ``net`` with mini-batches and return the trained network and its history.

    Parameters
    ----------
    net : Network
        The starting point (left unchanged).
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of int of shape (n_samples,)
    epochs : int
        Passes over the data (fewer if ``callback`` stops early).
    batch_size : int
    optimizer : Optimizer
        The update rule and its hyperparameters, e.g.
        ``Optimizer.momentum(momentum_step, lr=0.05)``.
    rng : numpy.random.Generator
        The only randomness: shuffling (through ``minibatches``) and dropout masks.
    loss : Loss, default :data:`CROSS_ENTROPY`
    penalty : Penalty, optional
        A penalty on the weights (lesson 07).
    dropout : Dropout, optional
        Dropout after each hidden activation, during training only (lesson 08).
    minibatches : callable, default :func:`minibatches`
        ``minibatches(X, y, batch_size, *, rng)`` yielding ``(X_batch,
        y_batch)`` pairs, called once per epoch (lesson 03).
    X_val : ndarray of shape (n_val, n_features), optional
    y_val : ndarray of int of shape (n_val,), optional
        Evaluated after every epoch when given.
    clip : callable, optional
        ``clip(grads) -> grads`` on the list of per-layer gradient arrays
        ``[dW_1, db_1, dW_2, db_2, ...]`` before every step, for example
        ``lambda g: clip_by_global_norm(g, max_norm=1.0)`` (lesson 09).  The
        recorded gradient norms are those before clipping.
    callback : callable, optional
        ``callback(epoch, net, history)`` after every epoch (0-based), with the
        network and history so far; returning ``True`` stops training (early
        stopping, snapshots for bagging or plots).

    Returns
    -------
    net : Network
        The trained network.
    history : History

    Notes
    -----
    Each step draws no randomness of its own: the order comes from
    ``minibatches`` and the masks from ``dropout``, both through ``rng``, so
    equal seeds give identical runs. Nothing the caller passed is modified.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network (from init_network), got {type(net).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer, e.g. Optimizer.sgd(sgd_step, lr=0.1), "
                        f"got {type(optimizer).__name__}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    epochs = _positive_int("epochs", epochs)
    batch_size = _positive_int("batch_size", batch_size)
    X, y = _data(X, y, net.sizes)
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together")
    if X_val is not None:
        X_val, y_val = _data(X_val, y_val, net.sizes, "_val")

    layout, n_params, n_layers = net._layout, net.n_params, len(net.sizes) - 1
    act, act_grad = net.activation, net.activation_grad
    weight_slices = [slice(w0, w1) for w0, w1, _, _, _ in layout]
    theta = net.theta.copy()
    state = optimizer.init(theta)
    rec: dict[str, list] = {k: [] for k in ("train_loss", "train_accuracy", "val_loss", "val_accuracy",
                                            "batch_loss", "step_loss", "grad_norms", "seconds")}
    current = net
    for epoch in range(epochs):
        norm_sum, n_evals, epoch_losses = np.zeros(n_layers), 0, []
        start = time.perf_counter()
        for X_batch, y_batch in minibatches(X, y, batch_size, rng=rng):
            last = []

            def grad_fn(point, X_batch=X_batch, y_batch=y_batch, last=last):
                nonlocal norm_sum, n_evals
                point = _checked(point, theta.shape, "the point given to grad_fn")
                value, grad = _objective(layout, n_params, point, X_batch, y_batch, act, act_grad,
                                         loss, penalty, dropout, rng)
                norm_sum += [math.sqrt(np.dot(grad[s], grad[s])) for s in weight_slices]
                n_evals += 1
                last.append(value)
                if clip is not None:
                    grad = _clipped(clip, layout, grad)
                return grad

            theta, state = optimizer.update(theta, state, grad_fn)
            epoch_losses.append(last[-1] if last else math.nan)
        rec["seconds"].append(time.perf_counter() - start)
        rec["step_loss"].extend(epoch_losses)
        rec["batch_loss"].append(float(np.mean(epoch_losses)) if epoch_losses else math.nan)
        rec["grad_norms"].append(norm_sum / max(n_evals, 1))
        current = net.with_theta(theta)
        for part, (Xs, ys) in (("train", (X, y)), ("val", (X_val, y_val))):
            if Xs is None:
                continue
            logits = forward(current, Xs)
            rec[f"{part}_loss"].append(float(loss.value(_read_only(logits), ys)))
            rec[f"{part}_accuracy"].append(float(np.mean(np.argmax(logits, axis=1) == ys)))
        if callback is not None and callback(epoch, current, _history(rec, n_layers)) is True:
            break
    return current, _history(rec, n_layers)
