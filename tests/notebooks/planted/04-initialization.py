"""Lesson 04: two student solutions with a catalogued mistake each (name, mistake key, code).

Both pass the visible checks, which look at shapes and at the first two moments (the mean and the
standard deviation) or at the lesson's symmetric worked example; the hidden check must catch and
name them when the notebook is autograded.
"""

PLANTED = [
    # He's uniform variant: the right variance (a**2 / 3 = 2 / fan_in), but not a normal distribution.
    ("he_normal", "uniform-instead", """
def he_normal(fan_in, fan_out, *, rng):
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
"""),
    # The mean of the per-unit standard deviations: equal to np.std(h) when every unit has the same mean,
    # as in the worked example, but not in general.
    ("layer_activation_stds", "per-unit", """
def layer_activation_stds(x, weights, activation):
    h = x
    stds = []
    for W in weights:
        h = activation(h @ W)
        stds.append(np.std(h, axis=0).mean())
    return np.array(stds)
"""),
]


#: Classic slips that a visible check catches: (name, mistake key, [(text of the instructor's solution,
#: what the slip writes instead), ...]). The judge still scores them (partial credit), names the mistake
#: in the returned feedback, and notes that the visible checks stopped.
SLIPS = [
    ("glorot_uniform", "bound-6-over-sqrt", [("np.sqrt(6.0 / (fan_in + fan_out))", "6.0 / np.sqrt(fan_in + fan_out)")]),
]
