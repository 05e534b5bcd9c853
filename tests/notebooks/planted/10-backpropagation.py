"""Lesson 10: a student solution with two catalogued mistakes (name, mistake key, code).

Subtle mistakes that pass the visible checks, so the hidden check must catch
and name them when the notebook is autograded:

* ``mlp_backward`` takes ReLU's derivative as 1 at exactly 0 (``z >= 0``):
  every gradient of the visible random networks is right (no pre-activation
  is exactly 0 there), but a unit sitting on the kink passes gradient back
  that lesson 09's convention stops;
* ``numerical_gradient`` works on ``np.asarray(x)`` (no copy of a float
  array) and hands ``f`` that very array: it restores each entry, so ``x`` is
  unchanged after the call and the visible checks pass, but an ``f`` that
  writes into its argument moves the point for every later entry.
"""

RELU_GRAD_ONE_AT_ZERO = """
def mlp_backward(X, y, weights, biases, *, activation="relu"):
    if not isinstance(weights, (list, tuple)) or not isinstance(biases, (list, tuple)):
        raise TypeError("weights and biases must be lists")
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError("one weight matrix and one bias vector per layer")
    if activation not in ("relu", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    n_classes = np.shape(weights[-1])[-1]
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= n_classes:
        raise ValueError("bad labels")
    hs, zs = [X], []
    for l, (W, b) in enumerate(zip(weights, biases)):
        zs.append(dense_forward(hs[-1], W, b))
        if l < len(weights) - 1:
            hs.append(np.maximum(zs[-1], 0.0) if activation == "relu" else np.tanh(zs[-1]))
    shifted = zs[-1] - zs[-1].max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    n = X.shape[0]
    loss = float(-np.mean(log_probs[np.arange(n), y]))
    delta = np.exp(log_probs)
    delta[np.arange(n), y] -= 1.0
    delta /= n
    grads_W, grads_b = [None] * len(weights), [None] * len(weights)
    for l in reversed(range(len(weights))):
        d_input, grads_W[l], grads_b[l] = dense_backward(delta, hs[l], weights[l])
        if l > 0:
            slope = (zs[l - 1] >= 0).astype(float) if activation == "relu" else 1.0 - hs[l] ** 2
            delta = slope * d_input
    return loss, grads_W, grads_b
"""

SHARED_POINT = """
def numerical_gradient(f, x, *, h=1e-5):
    if not h > 0:
        raise ValueError(f"h must be > 0, got {h}")
    point = np.asarray(x, dtype=float)
    grad = np.zeros_like(point)
    for i in np.ndindex(point.shape):
        saved = point[i]
        point[i] = saved + h
        up = f(point)
        point[i] = saved - h
        down = f(point)
        point[i] = saved
        grad[i] = (up - down) / (2 * h)
    return grad
"""

PLANTED = [
    ("mlp_backward", "relu-grad-one-at-zero", RELU_GRAD_ONE_AT_ZERO),
    ("numerical_gradient", "in-place", SHARED_POINT),
]

#: Classic slips that a visible check catches: (name, mistake key, [(text of the instructor's solution,
#: what the slip writes instead), ...]). The judge still scores them (partial credit), names the mistake
#: in the returned feedback, and notes that the visible checks stopped.
SLIPS = [
    ("dense_backward", "bias-mean", [("dZ.sum(axis=0)", "dZ.mean(axis=0)")]),
]

#: Correct functions that call a slipped one: (name, the function it calls, [(text, instead), ...]). The
#: instructor's mlp_backward already calls dense_backward for every layer, so it is kept as it is: the
#: judge must tell the student to fix dense_backward first, and find mlp_backward right given that slip.
CALLERS = [
    ("mlp_backward", "dense_backward", []),
]
