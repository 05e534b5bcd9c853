"""Lesson 09: two student solutions with a catalogued mistake each (name, mistake key, code).

Both pass the visible checks, which use symmetric weights (the chains c * I) and
gradients that are clipped only when alone (two gradients come back unchanged),
so the hidden check must catch and name them when the notebook is autograded.
"""

PLANTED = [
    ("backprop_delta_norms", "w-not-transposed", """
def backprop_delta_norms(weights, pre_activations, act_grad, delta_out):
    delta = np.asarray(delta_out, dtype=float)
    norms = []
    for i in reversed(range(len(pre_activations))):
        delta = act_grad(pre_activations[i]) * (delta @ weights[i + 1])
        norms.append(np.linalg.norm(delta))
    return np.array(norms[::-1])
"""),
    ("clip_by_global_norm", "per-gradient", """
def clip_by_global_norm(grads, *, max_norm):
    clipped = []
    for g in grads:
        norm = np.sqrt(np.sum(np.asarray(g, dtype=float) ** 2))
        clipped.append(g * (max_norm / norm) if norm > max_norm else np.array(g, dtype=float))
    return clipped
"""),
]


#: Classic slips that a visible check catches: (name, mistake key, [(text of the instructor's solution,
#: what the slip writes instead), ...]). The judge still scores them (partial credit), names the mistake
#: in the returned feedback, and notes that the visible checks stopped.
SLIPS = [
    ("sigmoid_grad", "s-times-one-minus-x", [("e = np.exp(-np.abs(x))\n    return e / (1.0 + e) ** 2",
                                              "s = np.exp(-np.logaddexp(0.0, -x))\n    return s * (1 - x)")]),
]
