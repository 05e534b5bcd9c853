r"""Momentum and Nesterov momentum, and the optimization landscape (lesson 05-momentum).

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

The optimization landscape, before momentum (second-order information):

- :func:`critical_point_type`: a minimum, a maximum, a saddle or a degenerate
  point, from the signs of the Hessian's eigenvalues.
- :func:`newton_step`: one step of Newton's method, ``theta - H^{-1} grad``.
  It is *not* an optimizer step of the shape above: it has no state and no
  learning rate, and returns ``theta_new`` alone; ``theta`` and ``grad``
  have shape ``(d,)`` and the Hessian ``(d, d)``.

A Hessian with ``inf`` or ``nan`` is a ``ValueError`` for
:func:`critical_point_type` (``eigvalsh`` would return meaningless numbers
without a warning); :func:`newton_step` lets them propagate like the
momentum steps.
"""

from __future__ import annotations

import numpy as np

from solutions import _validation

__all__ = ["momentum_step", "ema_momentum_step", "nesterov_step", "critical_point_type", "newton_step"]


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


# --------------------------------------------------------------------------- the optimization landscape

#: How far from symmetric a Hessian may be, relative to its largest entry (rounding in a computed Hessian).
SYMMETRY_RTOL = 1e-8


def _hessian(value, *, finite: bool) -> np.ndarray:
    """A new float64 square matrix of at least one row (and finite entries if ``finite``)."""
    H = _validation.as_float_array("hessian", value, ndim=2)
    if H.shape[0] != H.shape[1] or H.shape[0] == 0:
        raise ValueError(f"hessian must be a square (d, d) matrix with d >= 1, got shape {H.shape}")
    if finite and not np.all(np.isfinite(H)):
        raise ValueError("hessian must hold finite numbers, got inf or nan")
    return H


def critical_point_type(hessian, *, tol=1e-8):
    r"""Classify a critical point from the eigenvalues of its (symmetric) Hessian.

    Parameters
    ----------
    hessian : array_like of shape (d, d)
        The Hessian of the loss at a point where the gradient is 0: symmetric
        (up to rounding, a difference of ``1e-8`` times the largest entry),
        finite, ``d >= 1``.
    tol : float, default 1e-8
        Eigenvalues in ``[-tol, tol]`` count as 0. A finite real ``>= 0``;
        keyword-only.

    Returns
    -------
    str
        ``"minimum"`` if every eigenvalue is ``> tol``, ``"maximum"`` if every
        one is ``< -tol``, ``"saddle"`` if some are ``> tol`` and some
        ``< -tol`` (zero eigenvalues besides do not matter), and
        ``"degenerate"`` otherwise: some eigenvalue is within ``tol`` of 0 and
        the others do not change sign, so the second derivatives cannot tell.

    Raises
    ------
    TypeError
        If ``hessian`` is not a real numeric array or ``tol`` not a real number.
    ValueError
        If ``hessian`` is not a non-empty square matrix, is not symmetric, or
        holds ``inf`` or ``nan``; or if ``tol`` is negative or not finite.

    Notes
    -----
    Near a critical point :math:`\theta^*` (where :math:`\nabla J = 0`) the
    loss is, to second order,

    .. math::

        J(\theta^* + u) \approx J(\theta^*) + \tfrac12\, u^\top H u
        = J(\theta^*) + \tfrac12 \sum_i \lambda_i\, (q_i^\top u)^2 ,

    with :math:`H = \sum_i \lambda_i q_i q_i^\top` the eigendecomposition of
    the symmetric Hessian. Along each eigenvector :math:`q_i` the loss curves
    up (:math:`\lambda_i > 0`) or down (:math:`\lambda_i < 0`): up along all
    of them is a minimum, down along all a maximum, both a saddle. A zero
    eigenvalue is a flat direction where higher derivatives decide
    (:math:`x^4` and :math:`-x^4` and :math:`x^3` all have :math:`H = 0` at
    0): degenerate, unless another pair of directions already shows a saddle.

    The eigenvalues come from ``np.linalg.eigvalsh`` of :math:`(H + H^\top)/2`
    (it reads only one triangle, so a non-symmetric matrix would be
    classified silently by half of its entries: it is refused instead).
    ``tol`` is absolute: computed eigenvalues carry rounding errors of about
    :math:`10^{-16}` times the largest :math:`|\lambda|`, so scale ``tol``
    with the Hessian when its entries are large.

    Examples
    --------
    :math:`J(x, y) = x^2 - y^2` has the Hessian ``diag(2, -2)`` at its critical
    point 0:

    >>> critical_point_type([[2.0, 0.0], [0.0, -2.0]])
    'saddle'
    >>> critical_point_type([[2.0, 1.0], [1.0, 2.0]])   # eigenvalues 1 and 3
    'minimum'
    >>> critical_point_type([[1.0, 1.0], [1.0, 1.0]])   # eigenvalues 0 and 2
    'degenerate'
    """
    H = _hessian(hessian, finite=True)
    tol = _validation.real_number("tol", tol, low=0.0)
    asymmetry = float(np.max(np.abs(H - H.T)))
    if asymmetry > SYMMETRY_RTOL * float(np.max(np.abs(H))):
        raise ValueError(
            f"hessian must be symmetric (a Hessian's mixed partial derivatives are equal), but "
            f"hessian - hessian.T has an entry of size {asymmetry:.3g}"
        )
    eigenvalues = np.linalg.eigvalsh((H + H.T) / 2.0)
    if np.all(eigenvalues > tol):
        return "minimum"
    if np.all(eigenvalues < -tol):
        return "maximum"
    if np.any(eigenvalues > tol) and np.any(eigenvalues < -tol):
        return "saddle"
    return "degenerate"


def newton_step(theta, grad, hessian):
    r"""One step of Newton's method: ``theta - H^{-1} grad``, by solving a linear system.

    Not an optimizer step of the course's ``name_step(theta, grad, state, *,
    hyperparameters) -> (theta_new, state_new)`` shape: it has no state and no
    learning rate, and returns ``theta_new`` alone.

    Parameters
    ----------
    theta : array_like of shape (d,)
        The current parameters, ``d >= 1``.
    grad : array_like of shape (d,)
        The gradient of the loss at ``theta``.
    hessian : array_like of shape (d, d)
        The Hessian of the loss at ``theta`` (not required to be symmetric or
        positive definite: the step is taken whatever its eigenvalues).

    Returns
    -------
    theta_new : ndarray of shape (d,)
        ``theta - s``, where ``s`` solves ``hessian @ s = grad``.

    Raises
    ------
    TypeError
        If an argument is not a real numeric array.
    ValueError
        If ``theta`` is not 1-D or empty, ``grad`` does not have its shape, or
        ``hessian`` is not ``(d, d)`` or is singular (then no Newton step
        exists). Array values are not checked for finiteness: ``inf`` and
        ``nan`` propagate, as in the momentum steps.

    Notes
    -----
    Newton's method jumps to the critical point of the local quadratic model

    .. math::

        J(\theta + s) \approx J(\theta) + g^\top s + \tfrac12\, s^\top H s,
        \qquad \nabla_s = g + H s = 0 \;\Rightarrow\;
        \theta_{\text{new}} = \theta - H^{-1} g .

    On a quadratic the model is exact, so one step lands on its critical
    point: the minimum when :math:`H` is positive definite, whatever the
    condition number (no learning rate to tune), but equally a *saddle* or a
    maximum, because the step goes to where the gradient vanishes, not
    downhill. On :math:`J = x^2 - y^2` it jumps to the saddle 0 from
    anywhere, where gradient descent slides away along :math:`y`.

    :math:`H^{-1}` is never formed: ``np.linalg.solve`` factors :math:`H`
    (LU, about :math:`\tfrac23 d^3` operations) and solves for the step,
    which is faster and more accurate than an inverse followed by a product.
    Against the :math:`d` operations of a gradient step, and the :math:`d^2`
    numbers a Hessian takes to store, that cost is why Newton's method is not
    used on networks with millions of parameters. A singular :math:`H` (a
    flat direction) makes ``np.linalg.solve`` raise ``LinAlgError``, turned
    here into a ``ValueError``; a nearly singular one gives a finite but huge
    step, without error.

    Examples
    --------
    On :math:`J(x, y) = (x - 1)^2 + 5 (y + 2)^2`, from the origin: gradient
    :math:`(-2, 20)`, Hessian ``diag(2, 10)``; one step reaches the minimum.

    >>> newton_step([0.0, 0.0], [-2.0, 20.0], [[2.0, 0.0], [0.0, 10.0]]).tolist()
    [1.0, -2.0]
    """
    theta = _validation.as_float_array("theta", theta, ndim=1)
    if theta.size == 0:
        raise ValueError("theta must hold at least one parameter, got shape (0,)")
    grad = _validation.as_float_array("grad", grad)
    _validation.same_shape("theta", theta, "grad", grad)
    H = _hessian(hessian, finite=False)
    d = theta.shape[0]
    if H.shape != (d, d):
        raise ValueError(f"hessian must have shape (d, d) = ({d}, {d}) to match theta of shape ({d},), "
                         f"got shape {H.shape}")
    try:
        step = np.linalg.solve(H, grad)
    except np.linalg.LinAlgError:
        raise ValueError(
            "hessian is singular (it has a zero eigenvalue: a flat direction), so the Newton step "
            "hessian^-1 @ grad does not exist"
        ) from None
    return np.asarray(theta - step)
