r"""Momentum and Nesterov momentum (lesson 05-momentum).

Three update rules that share the project's optimizer interface
``name_step(theta, <gradient>, <state>, *, <hyperparameters>) -> (theta_new,
state_new)``:

- :func:`momentum_step`: classical (heavy-ball) momentum with a velocity.
- :func:`ema_momentum_step`: the same method written as an exponential moving
  average of the gradients.
- :func:`nesterov_step`: Nesterov momentum, whose gradient is taken at the
  look-ahead point, so it receives a gradient *function* rather than a value.

Conventions shared by the three functions:

- ``theta`` may have any shape (a 0-d array for a single number); the
  gradient and the state have the shape of ``theta``. Everything is converted
  to ``float64`` and the results are new arrays: arguments are never modified.
- ``lr`` must be a finite real number ``>= 0`` (``0`` leaves only the momentum
  term); ``momentum`` and ``beta`` must lie in ``[0, 1)``: ``0`` is plain
  gradient descent, and ``1`` would be a velocity that never decays.
- Array values are not checked for finiteness: ``inf`` and ``nan`` propagate
  by the usual IEEE rules, as they do in PyTorch, so a diverging run can be
  stepped until it visibly blows up.
"""

from __future__ import annotations

import numpy as np

from solutions import _validation

__all__ = ["momentum_step", "ema_momentum_step", "nesterov_step"]


def _state_like(name: str, value, theta: np.ndarray) -> np.ndarray:
    """Return ``value`` as a new float64 array with the shape of ``theta``."""
    arr = _validation.as_float_array(name, value)
    _validation.same_shape("theta", theta, name, arr)
    return arr


def _lr(value) -> float:
    return _validation.real_number("lr", value, low=0.0)


def _decay(name: str, value) -> float:
    return _validation.real_number(name, value, low=0.0, high=1.0, high_open=True)


def momentum_step(theta, grad, velocity, *, lr, momentum=0.9):
    r"""One step of gradient descent with classical momentum.

    Parameters
    ----------
    theta : array_like of any shape
        The current parameters.
    grad : array_like of the shape of ``theta``
        The gradient of the loss at ``theta``.
    velocity : array_like of the shape of ``theta``
        The velocity returned by the previous step (zeros before the first).
    lr : float
        The learning rate, ``>= 0``. Keyword-only and required.
    momentum : float, default 0.9
        The decay of the velocity, in ``[0, 1)``; ``0`` gives plain gradient
        descent.

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
        The parameters after the step.
    velocity_new : ndarray of the shape of ``theta``
        The velocity to pass to the next step.

    Raises
    ------
    TypeError
        If an array is not numeric or a hyperparameter is not a real number.
    ValueError
        If ``grad`` or ``velocity`` does not have the shape of ``theta``, or a
        hyperparameter is outside its range.

    Notes
    -----
    With momentum :math:`\mu` and learning rate :math:`\eta`,

    .. math::

        v_t = \mu\, v_{t-1} - \eta\, \nabla J(\theta_{t-1}), \qquad
        \theta_t = \theta_{t-1} + v_t .

    The velocity is the step itself, so it is *added*. Under a constant
    gradient :math:`g` the velocity tends to :math:`-\eta g / (1 - \mu)`: the
    step grows up to :math:`1 / (1 - \mu)` times the plain gradient step (ten
    times for :math:`\mu = 0.9`).

    Keras's ``SGD(momentum=...)`` stores this same velocity. PyTorch's
    ``torch.optim.SGD`` stores :math:`b_t = \mu b_{t-1} + \nabla J` and steps
    :math:`\theta_t = \theta_{t-1} - \eta b_t`; it is the same method with
    :math:`v = -\eta b`.

    Examples
    --------
    >>> import numpy as np
    >>> theta, v = momentum_step(np.array([1.0, -2.0]), np.array([2.0, 0.5]),
    ...                          np.zeros(2), lr=0.1)
    >>> v
    array([-0.2 , -0.05])
    >>> theta
    array([ 0.8 , -2.05])

    Under a constant gradient the steps grow: -0.1, then -0.19.

    >>> theta, v = np.zeros(1), np.zeros(1)
    >>> for _ in range(2):
    ...     theta, v = momentum_step(theta, np.ones(1), v, lr=0.1, momentum=0.9)
    >>> np.round(v, 12), np.round(theta, 12)
    (array([-0.19]), array([-0.29]))
    """
    theta = _validation.as_float_array("theta", theta)
    grad = _state_like("grad", grad, theta)
    velocity = _state_like("velocity", velocity, theta)
    lr = _lr(lr)
    momentum = _decay("momentum", momentum)

    velocity_new = np.asarray(momentum * velocity - lr * grad)
    theta_new = np.asarray(theta + velocity_new)
    return theta_new, velocity_new


def ema_momentum_step(theta, grad, m, *, lr, beta=0.9):
    r"""One step of momentum in its moving-average form.

    Parameters
    ----------
    theta : array_like of any shape
        The current parameters.
    grad : array_like of the shape of ``theta``
        The gradient of the loss at ``theta``.
    m : array_like of the shape of ``theta``
        The moving average of the gradients returned by the previous step
        (zeros before the first).
    lr : float
        The learning rate, ``>= 0``. Keyword-only and required.
    beta : float, default 0.9
        The decay of the moving average, in ``[0, 1)``.

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
        The parameters after the step.
    m_new : ndarray of the shape of ``theta``
        The moving average to pass to the next step.

    Raises
    ------
    TypeError
        If an array is not numeric or a hyperparameter is not a real number.
    ValueError
        If ``grad`` or ``m`` does not have the shape of ``theta``, or a
        hyperparameter is outside its range.

    Notes
    -----
    .. math::

        m_t = \beta\, m_{t-1} + (1 - \beta)\, \nabla J(\theta_{t-1}), \qquad
        \theta_t = \theta_{t-1} - \eta\, m_t .

    :math:`m_t` is a weighted average of the past gradients (the weights
    :math:`(1 - \beta)\beta^k` sum to :math:`1 - \beta^t`), so it has the scale
    of one gradient, where the classical velocity has the scale of
    :math:`1 / (1 - \beta)` steps. With :math:`\mu = \beta`, the same start
    and matched learning rates

    .. math::

        \eta_{\text{ema}} = \frac{\eta_{\text{classical}}}{1 - \beta},
        \qquad v_t = -\eta_{\text{ema}}\, m_t ,

    this rule and :func:`momentum_step` trace exactly the same path. They
    differ once the learning rate changes during training: the classical
    velocity keeps the steps already taken at the old rate, while here the new
    rate rescales the whole average at once.

    This is the form of Adam's first moment (lesson 06), without its bias
    correction, so the first steps are short (:math:`m_1 = (1 - \beta) g_1`).
    PyTorch's ``SGD(momentum=beta, dampening=beta)`` comes close, but it
    starts its buffer at the first gradient itself, so it differs from this
    rule on the first step and, through it, on all later ones.

    Examples
    --------
    >>> import numpy as np
    >>> theta, m = ema_momentum_step(np.array([1.0, -2.0]), np.array([2.0, 0.5]),
    ...                              np.zeros(2), lr=1.0, beta=0.9)
    >>> np.round(m, 12)
    array([0.2 , 0.05])
    >>> np.round(theta, 12)
    array([ 0.8 , -2.05])

    With ``lr = 0.1 / (1 - 0.9) = 1.0`` this is the first step of the
    :func:`momentum_step` example with ``lr = 0.1``.
    """
    theta = _validation.as_float_array("theta", theta)
    grad = _state_like("grad", grad, theta)
    m = _state_like("m", m, theta)
    lr = _lr(lr)
    beta = _decay("beta", beta)

    m_new = np.asarray(beta * m + (1.0 - beta) * grad)
    theta_new = np.asarray(theta - lr * m_new)
    return theta_new, m_new


def nesterov_step(theta, grad_fn, velocity, *, lr, momentum=0.9):
    r"""One step of gradient descent with Nesterov momentum.

    Parameters
    ----------
    theta : array_like of any shape
        The current parameters.
    grad_fn : callable
        ``grad_fn(point) -> grad``: the gradient of the loss at ``point``, an
        ndarray of the shape of ``theta``, returned as an array_like of that
        shape. It is called exactly once, at the look-ahead point
        ``theta + momentum * velocity`` (a new array it may keep or modify).
    velocity : array_like of the shape of ``theta``
        The velocity returned by the previous step (zeros before the first).
    lr : float
        The learning rate, ``>= 0``. Keyword-only and required.
    momentum : float, default 0.9
        The decay of the velocity, in ``[0, 1)``; ``0`` gives plain gradient
        descent.

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
        The parameters after the step.
    velocity_new : ndarray of the shape of ``theta``
        The velocity to pass to the next step.

    Raises
    ------
    TypeError
        If ``grad_fn`` is not callable or returns something that is not a
        numeric array, if an array is not numeric, or a hyperparameter is not a
        real number.
    ValueError
        If ``velocity`` or the value of ``grad_fn`` does not have the shape of
        ``theta``, or a hyperparameter is outside its range. The arguments are
        checked before ``grad_fn`` is called.

    Notes
    -----
    .. math::

        v_t = \mu\, v_{t-1} - \eta\, \nabla J(\theta_{t-1} + \mu\, v_{t-1}),
        \qquad \theta_t = \theta_{t-1} + v_t .

    The momentum part of the step, :math:`\mu v_{t-1}`, is taken whatever the
    gradient says, so the gradient is measured where that part lands: the
    correction sees the slope ahead and brakes before an overshoot, where
    classical momentum reacts one step late.

    Libraries store the look-ahead point :math:`\phi_t = \theta_t + \mu v_t`
    instead of :math:`\theta_t`, so that the gradient is taken at the stored
    parameters. PyTorch's ``SGD(momentum=mu, nesterov=True)`` computes
    :math:`b_t = \mu b_{t-1} + \nabla J(\phi_{t-1})` and
    :math:`\phi_t = \phi_{t-1} - \eta(\nabla J(\phi_{t-1}) + \mu b_t)`, which
    is this rule with :math:`v = -\eta b` and :math:`\phi = \theta + \mu v`.

    Examples
    --------
    On :math:`J(\theta) = \theta^2`, whose gradient is :math:`2\theta`:

    >>> import numpy as np
    >>> points = []
    >>> def grad_fn(x):
    ...     points.append(x.copy())
    ...     return 2 * x
    >>> theta, v = nesterov_step(np.array([1.0]), grad_fn, np.array([0.5]),
    ...                          lr=0.1, momentum=0.9)
    >>> points           # one call, at the look-ahead point 1 + 0.9 * 0.5
    [array([1.45])]
    >>> np.round(v, 12), np.round(theta, 12)
    (array([0.16]), array([1.16]))
    """
    theta = _validation.as_float_array("theta", theta)
    if not callable(grad_fn):
        raise TypeError(
            "grad_fn must be a callable that returns the gradient at a point "
            f"(for example lambda x: 2 * x), got {type(grad_fn).__name__}"
        )
    velocity = _state_like("velocity", velocity, theta)
    lr = _lr(lr)
    momentum = _decay("momentum", momentum)

    look_ahead = np.asarray(theta + momentum * velocity)
    raw = grad_fn(look_ahead)
    if raw is None:
        raise TypeError(
            "grad_fn must return the gradient at its argument, got None (is a return missing?)"
        )
    try:
        grad = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"grad_fn must return a real numeric array, got {type(raw).__name__} ({exc})"
        ) from None
    if grad.shape != theta.shape:
        raise ValueError(
            f"grad_fn must return an array of the shape of theta, {theta.shape}, "
            f"got shape {grad.shape}"
        )

    velocity_new = np.asarray(momentum * velocity - lr * grad)
    theta_new = np.asarray(theta + velocity_new)
    return theta_new, velocity_new
