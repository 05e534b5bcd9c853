"""Lesson 05: two student solutions with a catalogued mistake each (name, mistake key, code).

Subtle mistakes that pass the visible checks, so the hidden check must catch
and name them when the notebook is autograded:

* a moving average that holds ``lr * grad`` instead of the gradient, stepping
  with ``theta - m``: with a constant learning rate its path is exactly right
  (and with ``lr = 1``, as in the worked numbers, so is ``m``), but its state
  is on the wrong scale, so it goes wrong as soon as the learning rate
  changes or an average from elsewhere is passed in;
* a Nesterov step that first calls ``grad_fn(theta)``, a line left over from
  ``momentum_step``, and then the right call at the look-ahead point: every
  number is right, but each step costs two gradient evaluations (two
  backward passes in a network).
"""

PLANTED = [
    ("ema_momentum_step", "lr-in-average", """
def ema_momentum_step(theta, grad, m, *, lr, beta=0.9):
    theta = np.asarray(theta, dtype=float)
    m_new = beta * np.asarray(m, dtype=float) + (1 - beta) * lr * np.asarray(grad, dtype=float)
    return theta - m_new, m_new
"""),
    ("nesterov_step", "grad-fn-twice", """
def nesterov_step(theta, grad_fn, velocity, *, lr, momentum=0.9):
    theta = np.asarray(theta, dtype=float)
    velocity = np.asarray(velocity, dtype=float)
    grad = grad_fn(theta)
    look_ahead = theta + momentum * velocity
    grad = grad_fn(look_ahead)
    velocity_new = momentum * velocity - lr * grad
    return theta + velocity_new, velocity_new
"""),
]


#: Classic slips that a visible check catches: (name, mistake key, [(text of the instructor's solution,
#: what the slip writes instead), ...]). The judge still scores them (partial credit), names the mistake
#: in the returned feedback, and notes that the visible checks stopped.
SLIPS = [
    ("momentum_step", "velocity-sign", [("momentum * velocity - lr * grad", "momentum * velocity + lr * grad"),
                                        ("theta_new = theta + velocity_new", "theta_new = theta - velocity_new")]),
]
