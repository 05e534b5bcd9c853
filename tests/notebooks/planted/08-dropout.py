"""Lesson 08: a student solution with two catalogued mistakes (name, mistake key, code).

Subtle mistakes that pass the visible checks, so the hidden check must catch
and name them when the notebook is autograded.  Both sit in one
``dropout_forward``, listed once per mistake: every catalogued mistake of
``dropout_backward`` (a new mask, the mask ignored or unscaled, a matrix
product) already fails its visible worked example and finite-difference
check, so none of them is subtle.

* one mask row drawn per call and shared by every sample of the batch
  (``rng.random(x.shape[-1])``): every value is right, about ``p`` of the
  units are dropped and the mean is kept, and for the visible 1-D test of
  100000 units it is exactly right; but units are not dropped independently
  from sample to sample;
* no check of ``p``: ``p = 1.5`` runs and returns zeros instead of raising
  ``ValueError``.
"""

SHARED_MASK_NO_CHECK = """
def dropout_forward(x, *, p, rng, train=True):
    x = np.array(x, dtype=float)
    if not train:
        return x, np.ones_like(x)
    keep = rng.random(x.shape[-1]) >= p  # one number per unit, shared by every sample
    scale = 1.0 / (1.0 - p) if p < 1 else 0.0
    mask = np.broadcast_to(keep * scale, x.shape).copy()
    return x * mask, mask
"""

PLANTED = [
    ("dropout_forward", "shared-mask", SHARED_MASK_NO_CHECK),
    ("dropout_forward", "no-p-check", SHARED_MASK_NO_CHECK),
]


#: Classic slips that a visible check catches: (name, mistake key, [(text of the instructor's solution,
#: what the slip writes instead), ...]). The judge still scores them (partial credit), names the mistake
#: in the returned feedback, and notes that the visible checks stopped.
SLIPS = [
    ("dropout_forward", "no-rescaling", [("mask[keep] = 1.0 / (1.0 - p)", "mask[keep] = 1.0")]),
]
