"""Lesson 03: two student solutions with a catalogued mistake each (name, mistake key, code).

Subtle mistakes that pass the visible checks, so the hidden check must catch
and name them when the notebook is autograded:

* a "shuffle" that rotates the data by a random offset: every sample once,
  each with its target, and the seed changes the result, but only n of the
  n! orders can ever appear;
* a training loop that draws its permutation once, before the epochs, so
  every epoch visits the samples in the same order (on the noise-free points
  of the visible checks it still converges exactly).
"""

PLANTED = [
    ("shuffle_data", "rotation", """
def shuffle_data(X, y, *, rng):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.shape[0] != y.shape[0]:
        raise ValueError("X and y must hold the same number of samples")
    shift = int(rng.integers(X.shape[0]))
    return np.roll(X, shift, axis=0), np.roll(y, shift, axis=0)
"""),
    ("train_minibatch_sgd", "same-order", """
def train_minibatch_sgd(X, y, *, batch_size, lr, epochs, rng):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n_samples, n_features = X.shape
    w, b = np.zeros(n_features), 0.0
    order = rng.permutation(n_samples)
    losses = []
    for epoch in range(epochs):
        for start in range(0, n_samples, batch_size):
            rows = order[start:start + batch_size]
            residuals = X[rows] @ w + b - y[rows]
            w = w - lr * 2 * X[rows].T @ residuals / len(rows)
            b = b - lr * 2 * np.mean(residuals)
        losses.append(np.mean((X @ w + b - y) ** 2))
    return w, b, np.array(losses)
"""),
]


#: Classic slips that a visible check catches: (name, mistake key, [(text of the instructor's solution,
#: what the slip writes instead), ...]). The judge still scores them (partial credit), names the mistake
#: in the returned feedback, and notes that the visible checks stopped.
SLIPS = [
    ("linear_mse_grad", "sum-not-mean", [("2.0 * (X.T @ residuals) / n_samples", "2.0 * (X.T @ residuals)"),
                                         ("2.0 * float(np.sum(residuals)) / n_samples",
                                          "2.0 * float(np.sum(residuals))")]),
]

#: Correct rewrites that call a slipped function: (name, the function it calls, [(text, instead), ...]).
#: The judge tells them which function to fix first and judges them on their own (full marks).
CALLERS = [
    ("train_minibatch_sgd", "linear_mse_grad", [
        ("""            residuals = X[rows] @ w + b - y[rows]
            w = w - lr * 2.0 * (X[rows].T @ residuals) / len(rows)
            b = b - lr * 2.0 * float(np.sum(residuals)) / len(rows)""",
         """            grad_w, grad_b = linear_mse_grad(w, b, X[rows], y[rows])
            w = w - lr * grad_w
            b = b - lr * grad_b""")]),
]
