"""Lesson 01: two student solutions with a catalogued mistake each (name, mistake key, code).

Subtle mistakes that pass the visible checks, so the hidden check must catch
and name them when the notebook is autograded.
"""

PLANTED = [
    ("mse", "mean-over-rows", """
def mse(y_pred, y_true):
    y_pred, y_true = np.asarray(y_pred, dtype=float), np.asarray(y_true, dtype=float)
    if y_pred.shape != y_true.shape:
        raise ValueError("shapes differ")
    squared = (y_pred - y_true) ** 2
    if squared.ndim == 1:
        return float(squared.mean())
    return float(squared.sum(axis=1).mean())
"""),
    ("categorical_cross_entropy", "no-clip", """
def categorical_cross_entropy(probs, y_onehot, eps=1e-12):
    return float(np.mean(-np.sum(y_onehot * np.log(probs), axis=1)))
"""),
]


#: Classic slips that a visible check catches: (name, mistake key, [(text of the instructor's solution,
#: what the slip writes instead), ...]). The judge still scores them (partial credit), names the mistake
#: in the returned feedback, and notes that the visible checks stopped.
SLIPS = [
    ("mse", "sum-not-mean", [("np.mean((y_pred - y_true) ** 2)", "np.sum((y_pred - y_true) ** 2)")]),
]
