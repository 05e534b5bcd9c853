"""Lesson 07: two student solutions with a catalogued mistake each (name, mistake key, code).

Subtle mistakes that pass the visible checks, so the hidden check must catch
and name them when the notebook is autograded:

* an early-stopping loop whose counter of disappointing epochs is never reset
  by an improvement: on the lesson's curves the patience runs out at the same
  epoch, but a curve that improves every other epoch is stopped although it
  never waits `patience` epochs after an improvement;
* bootstrap indices made by rounding ``rng.random(n) * (n - 1)``: integers in
  range, reproducible, with about 63% distinct values, yet the first and the
  last index are drawn half as often as the others.
"""

PLANTED = [
    ("early_stopping", "counter-not-reset", """
def early_stopping(val_losses, *, patience, min_delta=0.0):
    losses = np.asarray(val_losses, dtype=float)
    best = losses[0]
    waited = 0
    stop = len(losses) - 1
    for epoch in range(1, len(losses)):
        if best - losses[epoch] > min_delta:
            best = losses[epoch]
        else:
            waited += 1
            if waited >= patience:
                stop = epoch
                break
    return stop, int(np.argmin(losses[:stop + 1]))
"""),
    ("bootstrap_indices", "rounded", """
def bootstrap_indices(n, *, rng):
    return np.round(rng.random(n) * (n - 1)).astype(np.int64)
"""),
]


#: Classic slips that a visible check catches: (name, mistake key, [(text of the instructor's solution,
#: what the slip writes instead), ...]). The judge still scores them (partial credit), names the mistake
#: in the returned feedback, and notes that the visible checks stopped.
SLIPS = [
    ("l2_penalty_grad", "doubled", [("return lam * np.asarray(W, dtype=float)", "return 2 * lam * np.asarray(W, dtype=float)")]),
]
