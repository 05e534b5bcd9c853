"""Lesson 02: two student solutions with a catalogued mistake each (name, mistake key, code).

Subtle mistakes that pass the visible checks, so the hidden check must catch
and name them when the notebook is autograded.
"""

PLANTED = [
    ("softmax", "global-max", """
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z))
    return e / np.sum(e, axis=axis, keepdims=True)
"""),
    ("log_softmax", "wrong-axis", """
def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
"""),
]


#: Classic slips that a visible check catches: (name, mistake key, [(text of the instructor's solution,
#: what the slip writes instead), ...]). The judge still scores them (partial credit), names the mistake
#: in the returned feedback, and notes that the visible checks stopped.
SLIPS = [
    ("softmax", "no-max", [("shifted = z - np.max(z, axis=axis, keepdims=True)", "shifted = z")]),
]
