"""Lesson 06: two student solutions with a catalogued mistake each (name, mistake key, code).

Subtle mistakes that pass the visible checks, so the hidden check must catch
and name them when the notebook is autograded: epsilon inside the square root
in RMSProp (as one of the source notes and Keras write it), and Adam in the
paper's compact form, which adds epsilon before the bias correction.  Both
differ from the course's rule only for gradients near sqrt(eps) and below.
"""

PLANTED = [
    ("rmsprop_step", "eps-inside-sqrt", """
def rmsprop_step(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    theta, grad, r = (np.asarray(a, dtype=float) for a in (theta, grad, r))
    r_new = rho * r + (1 - rho) * grad**2
    return theta - lr * grad / np.sqrt(r_new + eps), r_new
"""),
    ("adam_step", "eps-before-correction", """
def adam_step(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    if t < 1:
        raise ValueError(f"t must be >= 1, got {t}")
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - lr_t * m_new / (np.sqrt(v_new) + eps), m_new, v_new
"""),
]


#: Classic slips that a visible check catches: (name, mistake key, [(text of the instructor's solution,
#: what the slip writes instead), ...]). The judge still scores them (partial credit), names the mistake
#: in the returned feedback, and notes that the visible checks stopped.
SLIPS = [
    ("adam_step", "no-bias-correction", [("m_new / (1.0 - beta1**t)", "m_new"), ("v_new / (1.0 - beta2**t)", "v_new")]),
]
