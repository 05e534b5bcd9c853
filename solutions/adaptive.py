r"""AdaGrad, RMSProp and Adam (lesson 06-adaptive-rates).

Three update rules with a learning rate per parameter. They share the
project's optimizer interface ``name_step(theta, grad, <state>, *,
<hyperparameters>) -> (theta_new, <state_new>)``:

- :func:`adagrad_step`: divides by the root of the *sum* of all past squared
  gradients, so every parameter's step can only shrink.
- :func:`rmsprop_step`: the same, with a decaying *average* of the squared
  gradients, so old gradients are forgotten.
- :func:`adam_step`: RMSProp's denominator with a moving average of the
  gradients as the numerator, both corrected for their start at zero.

Conventions shared by the three functions:

- ``theta`` may have any shape (a 0-d array for a single number); the
  gradient and the state arrays have the shape of ``theta``. Everything is
  converted to ``float64`` and the results are new arrays: arguments are never
  modified. Every operation is element-wise: each parameter has its own step.
- The epsilon sits *outside* the square root, ``sqrt(r) + eps``, as in
  PyTorch. It must be ``> 0``: it keeps the division defined where ``r`` is
  zero.
- ``lr`` must be a finite real number ``>= 0``; the decay rates ``rho``,
  ``beta1`` and ``beta2`` lie in ``[0, 1)``.
- The accumulators of squared gradients (``r``, ``v``) must be ``>= 0``; a
  negative entry is a ``ValueError`` (it usually means another array was
  passed in their place). Array values are not otherwise checked: ``inf`` and
  ``nan`` propagate by the usual IEEE rules. The accumulators hold squared
  gradients, so gradients above about ``1e154`` in magnitude overflow them.
"""

from __future__ import annotations

import math

import numpy as np

from solutions import _validation

__all__ = ["adagrad_step", "rmsprop_step", "adam_step"]

# For any float64 beta < 1, beta ** (2 ** 63) underflows to exactly 0.0, so
# capping the exponent there changes nothing and keeps huge Python ints usable.
_MAX_EXPONENT = 2**63


def _state_like(name: str, value, theta: np.ndarray) -> np.ndarray:
    """Return ``value`` as a new float64 array with the shape of ``theta``."""
    arr = _validation.as_float_array(name, value)
    _validation.same_shape("theta", theta, name, arr)
    return arr


def _squares_state(name: str, value, theta: np.ndarray) -> np.ndarray:
    """Like :func:`_state_like`, and the entries must be ``>= 0`` (nan passes)."""
    arr = _state_like(name, value, theta)
    if np.any(arr < 0):
        raise ValueError(
            f"{name} must be non-negative (it accumulates squared gradients), got a "
            f"minimum of {np.nanmin(arr)}; was the gradient or the first moment passed "
            f"as {name}?"
        )
    return arr


def _lr(value) -> float:
    return _validation.real_number("lr", value, low=0.0)


def _eps(value) -> float:
    return _validation.real_number("eps", value, low=0.0, low_open=True)


def _decay(name: str, value) -> float:
    return _validation.real_number(name, value, low=0.0, high=1.0, high_open=True)


def _step_number(value) -> int:
    try:
        return _validation.positive_int("t", value, minimum=1)
    except TypeError as exc:
        raise TypeError(f"{exc} (t is the number of this step: 1 on the first call)") from None
    except ValueError as exc:
        raise ValueError(
            f"{exc}: t is the number of this step, 1 on the first call, 2 on the second "
            "(at t = 0 the bias correction would divide by 1 - beta**0 = 0)"
        ) from None


def _bias_correction(beta: float, t: int) -> float:
    """``1 - beta**t`` for ``0 <= beta < 1`` and an integer ``t >= 1``."""
    return 1.0 - beta ** min(t, _MAX_EXPONENT)


def adagrad_step(theta, grad, r, *, lr=0.01, eps=1e-7):
    r"""One step of AdaGrad.

    Parameters
    ----------
    theta : array_like of any shape
        The current parameters.
    grad : array_like of the shape of ``theta``
        The gradient of the loss at ``theta``.
    r : array_like of the shape of ``theta``
        The sum of the squared gradients of all previous steps, as returned by
        the previous call (zeros before the first). Entries must be ``>= 0``.
    lr : float, default 0.01
        The global learning rate, ``>= 0``.
    eps : float, default 1e-7
        A small constant ``> 0`` added to ``sqrt(r)`` (outside the root).

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
        The parameters after the step.
    r_new : ndarray of the shape of ``theta``
        The updated sum of squared gradients, ``r + grad**2``.

    Raises
    ------
    TypeError
        If an array is not numeric or a hyperparameter is not a real number.
    ValueError
        If ``grad`` or ``r`` does not have the shape of ``theta``, ``r`` has a
        negative entry, or a hyperparameter is outside its range.

    Notes
    -----
    With learning rate :math:`\eta` and gradient :math:`g_t`, element-wise,

    .. math::

        r_t = r_{t-1} + g_t^2, \qquad
        \theta_t = \theta_{t-1} - \frac{\eta}{\epsilon + \sqrt{r_t}}\, g_t .

    Each parameter has the effective learning rate
    :math:`\eta / (\epsilon + \sqrt{r_t})`: large for parameters whose
    gradients have been small, small for those whose gradients have been
    large. Since :math:`\sqrt{r_t} \ge |g_t|`, no coordinate ever moves by more
    than :math:`\eta`, and the first step from :math:`r_0 = 0` moves each
    coordinate with a nonzero gradient by almost exactly :math:`\eta`. The sum
    never decreases, so the steps shrink for good (under a constant gradient
    like :math:`\eta / \sqrt{t}`), which can stop training too early.

    **Where epsilon goes.** Here, as in ``torch.optim.Adagrad``, it is added
    after the root, :math:`\epsilon + \sqrt{r}`; some texts (and Keras) write
    :math:`\sqrt{r + \epsilon}`. The two agree while :math:`\sqrt{r}` is much
    larger than :math:`\sqrt{\epsilon}` (about :math:`3 \times 10^{-4}` for
    :math:`\epsilon = 10^{-7}`). With gradients around that size or smaller,
    the root form damps the step much more: its denominator never drops below
    :math:`\sqrt{\epsilon}`, where ours goes down to :math:`\epsilon`.

    Examples
    --------
    >>> import numpy as np
    >>> theta, r = adagrad_step(np.array([1.0, -2.0]), np.array([3.0, -4.0]),
    ...                         np.array([16.0, 9.0]), lr=0.5)
    >>> r
    array([25., 25.])
    >>> np.round(theta, 6)       # 1 - 0.5 * 3/5 and -2 + 0.5 * 4/5
    array([ 0.7, -1.6])
    """
    theta = _validation.as_float_array("theta", theta)
    grad = _state_like("grad", grad, theta)
    r = _squares_state("r", r, theta)
    lr = _lr(lr)
    eps = _eps(eps)

    r_new = np.asarray(r + grad * grad)
    theta_new = np.asarray(theta - lr * (grad / (eps + np.sqrt(r_new))))
    return theta_new, r_new


def rmsprop_step(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    r"""One step of RMSProp.

    Parameters
    ----------
    theta : array_like of any shape
        The current parameters.
    grad : array_like of the shape of ``theta``
        The gradient of the loss at ``theta``.
    r : array_like of the shape of ``theta``
        The moving average of the squared gradients returned by the previous
        step (zeros before the first). Entries must be ``>= 0``.
    lr : float, default 0.001
        The global learning rate, ``>= 0``.
    rho : float, default 0.9
        The decay of the moving average, in ``[0, 1)``.
    eps : float, default 1e-7
        A small constant ``> 0`` added to ``sqrt(r)`` (outside the root).

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
        The parameters after the step.
    r_new : ndarray of the shape of ``theta``
        The updated moving average of the squared gradients.

    Raises
    ------
    TypeError
        If an array is not numeric or a hyperparameter is not a real number.
    ValueError
        If ``grad`` or ``r`` does not have the shape of ``theta``, ``r`` has a
        negative entry, or a hyperparameter is outside its range.

    Notes
    -----
    .. math::

        r_t = \rho\, r_{t-1} + (1 - \rho)\, g_t^2, \qquad
        \theta_t = \theta_{t-1} - \frac{\eta}{\epsilon + \sqrt{r_t}}\, g_t .

    :math:`r_t` is an exponential moving average: a gradient :math:`k` steps
    old has weight :math:`(1 - \rho)\rho^k`, so the average covers roughly the
    last :math:`1 / (1 - \rho)` steps and AdaGrad's ever-shrinking step is
    gone. :math:`\sqrt{r_t}` is the root mean square of the recent gradients;
    dividing by it makes the step about :math:`\eta` in size whatever the scale
    of the gradient. Since :math:`r_t \ge (1 - \rho) g_t^2`, no coordinate moves
    by more than :math:`\eta / \sqrt{1 - \rho}`. There is no bias correction:
    from :math:`r_0 = 0` the first steps are up to that bound, not :math:`\eta`.

    ``torch.optim.RMSprop(alpha=rho, centered=False, momentum=0)`` is this rule
    with epsilon in the same place. Keras's ``RMSprop`` adds epsilon inside the
    root, :math:`\sqrt{r_t + \epsilon}`; see :func:`adagrad_step` for when that
    makes a difference.

    Examples
    --------
    >>> import numpy as np
    >>> theta, r = rmsprop_step(np.array([1.0, -2.0]), np.array([3.0, 0.5]),
    ...                         np.array([0.0, 2.25]), lr=0.1, rho=0.75)
    >>> r                        # 0.75 * r + 0.25 * grad**2
    array([2.25, 1.75])
    >>> np.round(theta, 6)       # 1 - 0.1 * 3/1.5
    array([ 0.8     , -2.037796])
    """
    theta = _validation.as_float_array("theta", theta)
    grad = _state_like("grad", grad, theta)
    r = _squares_state("r", r, theta)
    lr = _lr(lr)
    rho = _decay("rho", rho)
    eps = _eps(eps)

    r_new = np.asarray(rho * r + (1.0 - rho) * (grad * grad))
    theta_new = np.asarray(theta - lr * (grad / (eps + np.sqrt(r_new))))
    return theta_new, r_new


def adam_step(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""One step of Adam.

    Parameters
    ----------
    theta : array_like of any shape
        The current parameters.
    grad : array_like of the shape of ``theta``
        The gradient of the loss at ``theta``.
    m : array_like of the shape of ``theta``
        The moving average of the gradients (first moment) returned by the
        previous step, without bias correction (zeros before the first).
    v : array_like of the shape of ``theta``
        The moving average of the squared gradients (second moment) returned
        by the previous step, without bias correction (zeros before the
        first). Entries must be ``>= 0``.
    t : int
        The number of this step: 1 for the first call, 2 for the second, and
        so on. The caller advances it by one per call.
    lr : float, default 0.001
        The learning rate, ``>= 0``.
    beta1 : float, default 0.9
        The decay of the first moment, in ``[0, 1)``.
    beta2 : float, default 0.999
        The decay of the second moment, in ``[0, 1)``.
    eps : float, default 1e-8
        A small constant ``> 0`` added to ``sqrt(v_hat)`` (outside the root).

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
        The parameters after the step.
    m_new : ndarray of the shape of ``theta``
        The updated first moment (not bias-corrected).
    v_new : ndarray of the shape of ``theta``
        The updated second moment (not bias-corrected).

    Raises
    ------
    TypeError
        If an array is not numeric, a hyperparameter is not a real number or
        ``t`` is not an integer (``1.0`` and ``True`` are refused).
    ValueError
        If ``grad``, ``m`` or ``v`` does not have the shape of ``theta``, ``v``
        has a negative entry, ``t < 1``, or a hyperparameter is outside its
        range.

    Notes
    -----
    .. math::

        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, \\
        \hat m_t &= \frac{m_t}{1 - \beta_1^t}, \qquad
        \hat v_t = \frac{v_t}{1 - \beta_2^t}, \qquad
        \theta_t = \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.

    Both averages start at zero, so early on they are too small: from zero,
    the weights :math:`(1 - \beta)\beta^{t-k}` of the gradients seen so far sum
    to :math:`1 - \beta^t`, and dividing by that sum (the *bias correction*)
    turns them into true weighted averages. Without it the first step would be
    :math:`(1 - \beta_1) / \sqrt{1 - \beta_2} \approx 3.2` times too long with
    the defaults. With it, the first step from :math:`m_0 = v_0 = 0` is
    :math:`\eta\, g_1 / (|g_1| + \epsilon)`: each coordinate with a nonzero
    gradient moves by about :math:`\eta`, whatever the gradient's scale. Under
    a constant gradient every step is exactly that size.

    ``torch.optim.Adam`` stores the same uncorrected :math:`m_t` and
    :math:`v_t` and computes
    :math:`\eta / (1 - \beta_1^t) \cdot m_t / (\sqrt{v_t} / \sqrt{1 - \beta_2^t}
    + \epsilon)`, which is this formula. Keras's ``Adam`` adds its epsilon to
    :math:`\sqrt{v_t}` before the correction (the :math:`\hat\epsilon` of the
    Adam paper); that equals ours with
    :math:`\epsilon = \hat\epsilon / \sqrt{1 - \beta_2^t}`, which changes with
    :math:`t`.

    Examples
    --------
    The first step moves each coordinate by about ``lr``:

    >>> import numpy as np
    >>> grad = np.array([1e-3, -5.0, 200.0])
    >>> theta, m, v = adam_step(np.zeros(3), grad, np.zeros(3), np.zeros(3), 1, lr=0.01)
    >>> np.round(theta, 6)
    array([-0.01,  0.01, -0.01])
    >>> np.allclose(m, 0.1 * grad), np.allclose(v, 0.001 * grad**2)
    (True, True)
    """
    theta = _validation.as_float_array("theta", theta)
    grad = _state_like("grad", grad, theta)
    m = _state_like("m", m, theta)
    v = _squares_state("v", v, theta)
    t = _step_number(t)
    lr = _lr(lr)
    beta1 = _decay("beta1", beta1)
    beta2 = _decay("beta2", beta2)
    eps = _eps(eps)

    m_new = np.asarray(beta1 * m + (1.0 - beta1) * grad)
    v_new = np.asarray(beta2 * v + (1.0 - beta2) * (grad * grad))
    m_hat = m_new / _bias_correction(beta1, t)
    v_hat = v_new / _bias_correction(beta2, t)
    theta_new = np.asarray(theta - lr * (m_hat / (np.sqrt(v_hat) + eps)))
    return theta_new, m_new, v_new


def adamw_step(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    r"""One step of AdamW: Adam with weight decay decoupled from the gradient.

    Parameters
    ----------
    theta, grad, m, v, t, lr, beta1, beta2, eps
        As for :func:`adam_step`.
    weight_decay : float, default 0.01
        The decay rate :math:`\lambda \ge 0` (PyTorch's default).

    Returns
    -------
    theta_new, m_new, v_new : ndarray of the shape of ``theta``
        As for :func:`adam_step`; ``m`` and ``v`` never see the decay.

    Raises
    ------
    TypeError, ValueError
        As for :func:`adam_step`, and for a ``weight_decay`` that is not a real number ``>= 0``.

    Notes
    -----
    .. math::

        \theta_t = (1 - \eta\lambda)\,\theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},

    with :math:`m`, :math:`v`, :math:`\hat m`, :math:`\hat v` those of Adam, computed from the gradient
    alone. The decay shrinks every weight by the same factor :math:`1 - \eta\lambda`, whatever its gradient
    history. Adding :math:`\lambda\theta` to the gradient instead (L2 inside Adam, what
    ``torch.optim.Adam(weight_decay=...)`` does) sends the penalty through :math:`m` and :math:`v`, so it
    is divided by :math:`\sqrt{\hat v}`. Weights with large gradients are then hardly regularized, and
    weights with small gradients are pulled to 0 at up to the full step :math:`\eta`. This is
    ``torch.optim.AdamW``: it multiplies the parameter by :math:`1 - \eta\lambda` before the Adam step.

    Examples
    --------
    A zero gradient from m = v = 0: only the decay acts.

    >>> import numpy as np
    >>> theta, m, v = adamw_step(np.array([2.0, -4.0]), np.zeros(2), np.zeros(2), np.zeros(2), 1,
    ...                          lr=0.1, weight_decay=0.5)
    >>> theta.tolist()
    [1.9, -3.8]
    """
    theta_arr = _validation.as_float_array("theta", theta)
    lam = _validation.real_number("weight_decay", weight_decay, low=0.0)
    lr_value = _lr(lr)
    theta_new, m_new, v_new = adam_step(theta_arr, grad, m, v, t, lr=lr_value, beta1=beta1, beta2=beta2, eps=eps)
    # adam_step computed theta - lr * step; the decay applies to the old theta, before the step.
    return np.asarray(theta_new - lr_value * lam * theta_arr), m_new, v_new


# --- learning-rate schedules ---------------------------------------------------------------------

def _schedule_step(step) -> int:
    return _validation.positive_int("step", step, minimum=0)


def _schedule_lr(value) -> float:
    return _validation.real_number("lr", value, low=0.0, low_open=True)


def step_decay(step, *, lr, every, drop=0.1) -> float:
    r"""The learning rate of step ``step`` (counted from 0) under step decay.

    ``lr * drop ** (step // every)``: the rate is ``lr`` for the first ``every`` steps, then
    multiplied by ``drop`` every ``every`` steps, as ``torch.optim.lr_scheduler.StepLR(step_size=every,
    gamma=drop)``.

    Raises
    ------
    TypeError
        If ``step`` or ``every`` is not an integer (``True`` is refused), or a rate is not a real number.
    ValueError
        If ``step < 0``, ``every < 1``, ``lr <= 0`` or ``drop`` is outside ``(0, 1]``.

    Examples
    --------
    >>> [round(step_decay(s, lr=0.1, every=10), 6) for s in (0, 9, 10, 25)]
    [0.1, 0.1, 0.01, 0.001]
    """
    step = _schedule_step(step)
    lr = _schedule_lr(lr)
    every = _validation.positive_int("every", every)
    drop = _validation.real_number("drop", drop, low=0.0, high=1.0, low_open=True)
    return float(lr * drop ** (step // every))


def exponential_decay(step, *, lr, gamma) -> float:
    r"""The learning rate of step ``step`` under exponential decay: ``lr * gamma ** step``.

    As ``torch.optim.lr_scheduler.ExponentialLR(gamma=gamma)``. ``gamma`` lies in ``(0, 1]``: the rate
    falls by the same factor every step (0.99 halves it about every 69 steps).

    Examples
    --------
    >>> round(exponential_decay(69, lr=1.0, gamma=0.99), 4)
    0.4998
    """
    step = _schedule_step(step)
    lr = _schedule_lr(lr)
    gamma = _validation.real_number("gamma", gamma, low=0.0, high=1.0, low_open=True)
    return float(lr * gamma ** step)


def _min_lr(value, lr: float) -> float:
    return _validation.real_number("min_lr", value, low=0.0, high=lr)


def cosine_decay(step, *, lr, total_steps, min_lr=0.0) -> float:
    r"""Cosine decay from ``lr`` at step 0 to ``min_lr`` at step ``total_steps``, then ``min_lr``.

    .. math::

        \eta_s = \eta_{\min} + \tfrac12 (\eta - \eta_{\min}) \bigl(1 + \cos(\pi s / T)\bigr), \qquad 0 \le s \le T,

    as ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=total_steps, eta_min=min_lr)`` up to ``T``
    (PyTorch's then rises again; this one stays at ``min_lr``). Slow at first, fastest halfway, slow again
    at the end.

    Examples
    --------
    >>> [round(cosine_decay(s, lr=1.0, total_steps=100), 4) for s in (0, 50, 100, 150)]
    [1.0, 0.5, 0.0, 0.0]
    """
    step = _schedule_step(step)
    lr = _schedule_lr(lr)
    total_steps = _validation.positive_int("total_steps", total_steps)
    min_lr = _min_lr(min_lr, lr)
    if step >= total_steps:
        return float(min_lr)
    return float(min_lr + 0.5 * (lr - min_lr) * (1.0 + math.cos(math.pi * step / total_steps)))


def warmup_cosine(step, *, lr, warmup_steps, total_steps, min_lr=0.0) -> float:
    r"""Linear warmup for ``warmup_steps`` steps, then cosine decay to ``min_lr`` at ``total_steps``.

    Warmup: ``lr * (step + 1) / warmup_steps`` for ``step < warmup_steps``, so the first step already
    moves (``lr / warmup_steps``) and step ``warmup_steps - 1`` reaches ``lr``. Then
    ``cosine_decay(step - warmup_steps, lr=lr, total_steps=total_steps - warmup_steps, min_lr=min_lr)``.
    ``warmup_steps = 0`` is plain cosine decay.

    Raises
    ------
    ValueError
        As :func:`cosine_decay`, and if ``warmup_steps < 0`` or ``warmup_steps >= total_steps``.

    Examples
    --------
    >>> [warmup_cosine(s, lr=1.0, warmup_steps=4, total_steps=14) for s in (0, 3, 4, 9, 14)]
    [0.25, 1.0, 1.0, 0.5, 0.0]
    """
    step = _schedule_step(step)
    lr = _schedule_lr(lr)
    total_steps = _validation.positive_int("total_steps", total_steps)
    warmup_steps = _validation.positive_int("warmup_steps", warmup_steps, minimum=0)
    if warmup_steps >= total_steps:
        raise ValueError(f"warmup_steps must be smaller than total_steps ({total_steps}), got {warmup_steps}")
    min_lr = _min_lr(min_lr, lr)
    if step < warmup_steps:
        return float(lr * (step + 1) / warmup_steps)
    return cosine_decay(step - warmup_steps, lr=lr, total_steps=total_steps - warmup_steps, min_lr=min_lr)
