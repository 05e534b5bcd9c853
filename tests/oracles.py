"""Independent oracles shared by the tests: finite differences and PyTorch.

Expected values in this project's tests come from here, from closed forms or
from the worked numbers of the curriculum, never from the reference's output.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def numerical_grad(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite-difference gradient of a scalar function ``f`` at ``x``.

    Each coordinate is perturbed by ``+h`` and ``-h`` on a copy of ``x``; the
    error is O(h**2).
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        plus = x.copy()
        minus = x.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (f(plus) - f(minus)) / (2 * h)
    return grad


def numerical_elementwise_grad(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of an element-wise function: ``(f(x+h) - f(x-h)) / 2h``."""
    x = np.asarray(x, dtype=np.float64)
    return (f(x + h) - f(x - h)) / (2 * h)


def torch():
    """Import PyTorch lazily (it is a test-only dependency) in double precision."""
    import torch as _torch

    _torch.set_default_dtype(_torch.float64)
    return _torch


def torch_mlp_backward(X, y, weights, biases, *, activation: str = "relu"):
    """``(loss, grads_W, grads_b)`` of an MLP (lesson 10's convention) by PyTorch's autograd.

    Layers ``h @ W + b``, ReLU or tanh after every layer but the last, the mean
    ``torch.nn.functional.cross_entropy`` of the logits against the integer labels ``y``.
    """
    torch_ = torch()
    Ws = [torch_.tensor(np.asarray(W, dtype=np.float64), requires_grad=True) for W in weights]
    bs = [torch_.tensor(np.asarray(b, dtype=np.float64), requires_grad=True) for b in biases]
    h = torch_.tensor(np.asarray(X, dtype=np.float64))
    for l, (W, b) in enumerate(zip(Ws, bs)):
        h = h @ W + b
        if l < len(Ws) - 1:
            h = torch_.relu(h) if activation == "relu" else torch_.tanh(h)
    loss = torch_.nn.functional.cross_entropy(h, torch_.tensor(np.asarray(y), dtype=torch_.int64))
    loss.backward()
    return float(loss.detach()), [W.grad.numpy() for W in Ws], [b.grad.numpy() for b in bs]
