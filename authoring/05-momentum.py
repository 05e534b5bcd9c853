"""Lesson 05, momentum and Nesterov momentum: the cells of source/05-momentum/05-momentum.ipynb.

Rebuild the notebook with ``python -m nncourse.authoring 05-momentum``.
"""

from nncourse.authoring import code, free_code, graded_test, markdown, solution

CELLS = [
    markdown("title", r"""
# Lesson 05 · Momentum and Nesterov momentum

Gradient descent decides every step from the gradient at the current point alone, as if it had no
memory. On a loss surface shaped like a long, narrow valley this is a poor strategy: the gradient
points mostly *across* the valley, towards the nearest wall, and only a little *along* it, towards the
minimum. The steps bounce from wall to wall while the progress along the floor is slow, and a larger
learning rate, which would speed up that progress, makes the bouncing blow up.

**Momentum** gives the descent a memory: each step keeps a fraction of the previous one. Pushes that
keep changing sign (across the valley) cancel out, pushes that keep their direction (along it) add
up. **Nesterov momentum** refines the idea by measuring the gradient where the memory is about to
carry the parameters, instead of where they are.

In this lesson you will implement

* `momentum_step`, classical momentum, with a *velocity*;
* `ema_momentum_step`, the same method written as a *moving average* of the gradients, and see when
  the two forms agree and when they do not;
* `nesterov_step`, Nesterov momentum, which takes a *gradient function* instead of a gradient.

Two widgets then race gradient descent, momentum and Nesterov along a valley whose narrowness you
control, and a demo trains a network on real handwritten digits with each of them. The last two
sections leave the valley for the rest of the landscape:

* `critical_point_type`, which tells a minimum from a maximum, a saddle point and a degenerate point
  by the eigenvalues of the Hessian, and a widget with local minima, a saddle, plateaus and a cliff;
* `newton_step`, the second-order step that jumps to the critical point of the local quadratic model,
  and why it is not how networks are trained.

**How this notebook works.** Each function you write sits alone in a cell that starts with `def`.
Replace the line `raise NotImplementedError(...)` with your code, run the cell, then run the test cell
below it. The visible checks in the test cell catch most slips; when you submit, hidden tests check
more inputs and tell you the likely mistake. Run the cells from top to bottom.
"""),
    code("setup", r"""
import numpy as np

from lessons.checks import assert_close, assert_raises, assert_shape, assert_true, assert_type, assert_unchanged
from lessons.demos.landscape import CRITICAL_POINTS, hessian, newton_demo
from lessons.demos.momentum import demo, momentum_paths_figure
from lessons.predict import predict
from lessons.widgets.landscape import landscape_widget
from lessons.widgets.momentum import narrow_valley_widget, two_forms_widget
"""),
    markdown("valley", r"""
## 1. Why gradient descent struggles in a narrow valley

Take the simplest narrow valley, a quadratic in two parameters $x = (x_0, x_1)$:

$$
J(x) = \tfrac12 \left( x_0^2 + \kappa\, x_1^2 \right), \qquad
\nabla J(x) = \begin{bmatrix} x_0 \\ \kappa\, x_1 \end{bmatrix}, \qquad \kappa \ge 1 .
$$

Its minimum is at the origin. Along $x_0$ the valley is flat (curvature 1); across it, along $x_1$,
it is steep (curvature $\kappa$). The ratio of the largest to the smallest curvature, here $\kappa$,
is the **condition number**; the larger it is, the narrower the valley. The loss surfaces of neural
networks have condition numbers in the thousands or more.

A gradient-descent step $x \leftarrow x - \eta \nabla J(x)$, with learning rate $\eta$ (`lr` in the
code), treats the two coordinates separately:

$$
x_0 \leftarrow (1 - \eta)\, x_0, \qquad x_1 \leftarrow (1 - \eta \kappa)\, x_1 .
$$

Each coordinate is multiplied by its own factor at every step, and it shrinks only if that factor
lies between $-1$ and $1$. For the steep coordinate this requires $\eta < 2/\kappa$; above that the
steps across the valley grow and the descent **diverges**. Between $1/\kappa$ and $2/\kappa$ the factor
is negative: $x_1$ changes sign at every step, the path **zigzags** from wall to wall. And however
$\eta$ is chosen below $2/\kappa$, the flat coordinate shrinks by a factor $1 - \eta > 1 - 2/\kappa$ per
step, which is close to 1 when $\kappa$ is large: the progress along the floor is **slow**.

*Worked numbers.* With $\kappa = 25$ the learning rate must stay below $2/25 = 0.08$. Take $\eta = 0.07$:
the steep factor is $1 - 0.07 \cdot 25 = -0.75$ (a zigzag that dies out), the flat factor is $0.93$.
To shrink $x_0$ a hundred times takes $n$ steps with $0.93^n \le 0.01$, that is
$n \ge \ln 0.01 / \ln 0.93 \approx 63.5$: **64 steps**, for a problem with two parameters. The number
of steps grows in proportion to $\kappa$.
"""),
    markdown("momentum_intro", r"""
## 2. Classical momentum

Picture a heavy ball rolling on the loss surface instead of a walker who stops after every step. The
ball has a **velocity** $v$: at each step the velocity keeps a fraction $\mu$ of itself (the
**momentum** coefficient) and the gradient pushes it downhill; then the ball moves by its velocity:

$$
v_t = \mu\, v_{t-1} - \eta\, \nabla J(\theta_{t-1}), \qquad \theta_t = \theta_{t-1} + v_t ,
\qquad v_0 = 0 .
$$

The velocity *is* the step, already pointing downhill (it contains $-\eta \nabla J$), so it is
**added** to the parameters. With $\mu = 0$ nothing is remembered and this is plain gradient descent.
Common values are $\mu = 0.5$, $0.9$, $0.95$ and $0.99$.

A remark on the name: $\mu$ is not the ball's momentum, and it is not a friction either, although both
readings circulate. It is the share of the velocity that *survives* a step; the friction is
$1 - \mu$. With $\mu = 0$ the friction is total (the ball stops after every step), with $\mu$ close to
1 the ball barely slows down.

**Why it helps.** Unrolling the recursion from $v_0 = 0$ shows what the velocity holds:

$$
v_t = -\eta \left( g_t + \mu\, g_{t-1} + \mu^2 g_{t-2} + \dots + \mu^{t-1} g_1 \right),
\qquad g_k = \nabla J(\theta_{k-1}),
$$

a sum of all past gradients with weights that decay geometrically.

* If the gradient keeps its direction, the terms add up. Under a constant gradient $g$ the velocity
  tends to $-\eta g\,(1 + \mu + \mu^2 + \dots) = -\eta g / (1 - \mu)$: the steps grow to $1/(1-\mu)$
  times the plain gradient step, **ten times** for $\mu = 0.9$ and a hundred times for $\mu = 0.99$.
  That is the speed-up along the valley floor.
* If the gradient flips sign at every step, as it does across a zigzagging valley, the terms cancel:
  $1 - \mu + \mu^2 - \dots = 1/(1 + \mu)$, about half a plain step for $\mu = 0.9$. The bouncing is
  damped.

### Worked numbers

Two parameters, $\theta = [1, -2]$, gradient $g = [2, 0.5]$, starting from rest ($v = [0, 0]$), with
$\eta = 0.1$ and $\mu = 0.9$:

$$
v_1 = 0.9 \cdot [0, 0] - 0.1 \cdot [2, 0.5] = [-0.2, -0.05], \qquad
\theta_1 = [1, -2] + [-0.2, -0.05] = [0.8, -2.05] .
$$

The first step from rest is a plain gradient step. With the same gradient again, the velocity
remembers the first step:

$$
v_2 = 0.9 \cdot [-0.2, -0.05] - 0.1 \cdot [2, 0.5] = [-0.38, -0.095], \qquad
\theta_2 = [0.8, -2.05] + [-0.38, -0.095] = [0.42, -2.145] .
$$

Under a constant gradient of 1 on one parameter, the steps are $-0.1$, $-0.19$, $-0.271$, $-0.3439$,
... : each is $0.9$ times the previous plus $-0.1$, approaching $-0.1 / (1 - 0.9) = -1$.

### Implement `momentum_step`

Follow the course's optimizer interface: `momentum_step(theta, grad, velocity, *, lr, momentum=0.9)`
returns the **pair** `(theta_new, velocity_new)`. `theta` may have any shape (a vector, a weight
matrix, even a single number as a 0-d array); `grad` and `velocity` have the same shape. Three things
to get right:

* **Return the new velocity.** The training loop passes it back in at the next step; the velocity
  is the whole memory of the method, so a function that returns the old velocity, or none, has no
  momentum at all.
* **Add the velocity**: `theta + velocity_new`, not `theta - velocity_new`.
* **Do not modify the arguments** (no `theta += ...` or `velocity *= ...`): the caller may still
  need them. Compute new arrays.

It is good practice, though not checked here, to refuse a `grad` or `velocity` whose shape differs
from `theta`'s with a `ValueError`: NumPy would otherwise broadcast a `(3,)` array against a `(3, 1)`
one into a `(3, 3)` result without complaint.
"""),
    solution("momentum_step", r'''
def momentum_step(theta, grad, velocity, *, lr, momentum=0.9):
    """One step of gradient descent with classical momentum.

    Parameters
    ----------
    theta : ndarray of any shape
        The current parameters.
    grad : ndarray of the shape of ``theta``
        The gradient of the loss at ``theta``.
    velocity : ndarray of the shape of ``theta``
        The velocity returned by the previous step (zeros before the first step).
    lr : float
        The learning rate.
    momentum : float
        The share of the velocity kept from one step to the next, in [0, 1).

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
    velocity_new : ndarray of the shape of ``theta``

    Notes
    -----
    With v_t the velocity after step t:
    v_t = momentum * v_(t-1) - lr * grad  and  theta_t = theta_(t-1) + v_t.
    """
    ### BEGIN SOLUTION
    theta = np.asarray(theta, dtype=float)
    grad = np.asarray(grad, dtype=float)
    velocity = np.asarray(velocity, dtype=float)
    if grad.shape != theta.shape or velocity.shape != theta.shape:
        raise ValueError(f"grad and velocity must have the shape of theta, {theta.shape}; "
                         f"got {grad.shape} and {velocity.shape}")
    velocity_new = momentum * velocity - lr * grad
    theta_new = theta + velocity_new
    return theta_new, velocity_new
    ### END SOLUTION
'''),
    graded_test("momentum_step", 2, "momentum_step: the worked numbers, momentum 0 as plain gradient descent, shapes and untouched inputs.", r"""
result = momentum_step(np.array([1.0, -2.0]), np.array([2.0, 0.5]), np.zeros(2), lr=0.1)
assert_type(result, (tuple, list), length=2, what="momentum_step(...) (return a pair: `return theta_new, velocity_new`)")
theta, velocity = result
assert_close(velocity, [-0.2, -0.05], what="the velocity after the first step")
assert_close(theta, [0.8, -2.05], what="theta after the first step")
theta, velocity = momentum_step(theta, np.array([2.0, 0.5]), velocity, lr=0.1)
assert_close(velocity, [-0.38, -0.095], what="the velocity after the second step (it keeps 0.9 of the first)")
assert_close(theta, [0.42, -2.145], what="theta after the second step")

# momentum = 0 forgets the velocity it is given: one plain gradient step, theta - lr * grad.
theta, velocity = momentum_step(np.array([[1.0, 2.0]]), np.array([[0.5, -1.0]]), np.array([[3.0, 3.0]]),
                                lr=0.2, momentum=0.0)
assert_close(theta, [[0.9, 2.2]], what="theta with momentum=0")

# A (3, 2) weight matrix: the shapes are kept and the arguments are left as they were.
rng = np.random.default_rng(0)
theta0, grad0, velocity0 = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
copies = theta0.copy(), grad0.copy(), velocity0.copy()
theta, velocity = momentum_step(theta0, grad0, velocity0, lr=0.05, momentum=0.8)
assert_shape(theta, (3, 2), what="theta_new")
assert_shape(velocity, (3, 2), what="velocity_new")
for before, after, name in zip(copies, (theta0, grad0, velocity0), ("theta", "grad", "velocity")):
    assert_unchanged(before, after, what=name)
"""),
    code("prediction_widget_1", r"""
predict("05-velocity-90")
"""),
    markdown("ema_intro", r"""
## 3. The moving-average form

Many texts, and Adam's first moment (lesson 06), write momentum differently: they keep an
**exponential moving average** $m$ of the gradients and step against it,

$$
m_t = \beta\, m_{t-1} + (1 - \beta)\, \nabla J(\theta_{t-1}), \qquad
\theta_t = \theta_{t-1} - \eta\, m_t, \qquad m_0 = 0 .
$$

Unrolled, $m_t = (1 - \beta)\left(g_t + \beta g_{t-1} + \dots + \beta^{t-1} g_1\right)$: the same
geometric weights as the velocity, times $(1 - \beta)$. The weights $(1 - \beta)\beta^k$ sum to
$1 - \beta^t$, which tends to 1, so $m$ is an *average*: it has the size of one gradient, where the
classical velocity grows to $1/(1-\mu)$ steps. Two consequences:

* The factor $(1 - \beta)$ on the new gradient is what makes it an average. Without it, $m$ would grow
  ten times larger than the gradients (for $\beta = 0.9$), and the learning rate would mean something
  else entirely.
* Starting from $m_0 = 0$, the first averages are too small: $m_1 = (1 - \beta)\, g_1$, a tenth of the
  gradient for $\beta = 0.9$. Adam corrects this bias by dividing by $1 - \beta^t$; plain momentum
  simply lives with a few short first steps.

### Two forms, one path

The two forms are the same method in different units. Take $\beta = \mu$ and give the moving-average
form the learning rate

$$
\eta_{\text{ema}} = \frac{\eta}{1 - \beta} .
$$

Then $v_t = -\eta_{\text{ema}}\, m_t$ at every step, and the parameters follow exactly the same path.
The proof is one line of induction: if $v_{t-1} = -\eta_{\text{ema}} m_{t-1}$ (true at $t = 1$, where
both are 0), then

$$
-\eta_{\text{ema}}\, m_t = \beta \left(-\eta_{\text{ema}}\, m_{t-1}\right)
- \eta_{\text{ema}} (1 - \beta)\, g_t = \mu\, v_{t-1} - \eta\, g_t = v_t ,
$$

and $\theta_{t-1} - \eta_{\text{ema}} m_t = \theta_{t-1} + v_t = \theta_t$.

*Worked numbers.* The example of section 2 with $\beta = 0.9$ and $\eta_{\text{ema}} = 0.1 / (1 - 0.9) = 1$:
$m_1 = 0.9 \cdot [0, 0] + 0.1 \cdot [2, 0.5] = [0.2, 0.05]$ and
$\theta_1 = [1, -2] - 1 \cdot [0.2, 0.05] = [0.8, -2.05]$, the same $\theta_1$ as before, with
$v_1 = -1 \cdot m_1$. The second step gives $m_2 = [0.38, 0.095]$ and again $\theta_2 = [0.42, -2.145]$.

**Where the two forms differ.** Only when the learning rate changes during training (a *schedule*,
say dividing it by 10 after some epochs). The classical velocity is made of steps already multiplied by
the old learning rate, so the change takes effect gradually, as the old velocity decays. The moving
average holds gradients only, so the new learning rate applies to the whole of it at once. The forms
also differ in how the two hyperparameters interact: in the classical form, raising $\mu$ from 0.9 to
0.99 also makes the steps ten times longer, while in the moving-average form the step size stays about
$\eta$ whatever $\beta$ is.

**Which libraries use which form.**

* Keras's `SGD(momentum=...)` keeps the classical velocity: `velocity = momentum * velocity -
  learning_rate * g`, then `w = w + velocity`, exactly `momentum_step`.
* PyTorch's `torch.optim.SGD(momentum=mu)` keeps a buffer $b_t = \mu\, b_{t-1} + g_t$ and steps
  $\theta_t = \theta_{t-1} - \eta\, b_t$. Its buffer holds neither the learning rate nor the factor
  $(1 - \beta)$: with a constant learning rate it is the classical velocity divided by $-\eta$, so the
  same `lr` gives the same path as `momentum_step`. Because $\eta$ sits outside the buffer, though, a
  change of learning rate acts on the whole buffer at once, as in the moving-average form. Its
  `dampening` option, $b_t = \mu\, b_{t-1} + (1 - \text{dampening})\, g_t$, looks like the moving
  average when `dampening = mu`, but PyTorch starts the buffer at the first gradient itself, undamped,
  so it differs from this rule from the first step on.

### Implement `ema_momentum_step`

`ema_momentum_step(theta, grad, m, *, lr, beta=0.9)` returns `(theta_new, m_new)`. Keep the learning
rate out of the average: `m` holds gradients only, and `lr` appears in the step.
"""),
    markdown("momentum_paths_figure_intro", r"""
The figure runs **your** `momentum_step` on the valley of section 1 ($\kappa = 25$) from $(-3, 1)$ with
$\eta = 0.07$, once with momentum 0 (plain gradient descent) and once with $\mu = 0.5$. Gradient
descent does what section 1 predicts: across the valley it is multiplied by $1 - 0.07 \times 25 = -0.75$
per step and zigzags; along the floor by $0.93$ per step, so after 30 steps it is still
$3 \times 0.93^{30} \approx 0.34$ from the minimum. With momentum the steps along the floor build up and
the distance shrinks by about 0.82 per step (the larger root of $z^2 - 1.43 z + 0.5 = 0$): 0.012 after
30 steps, about 28 times closer. On the right's log scale a constant factor per step is a straight
line, and the steeper line is the faster method.
"""),
    code("momentum_paths_demo", r"""
momentum_paths_figure(momentum_step)
"""),
    solution("ema_momentum_step", r'''
def ema_momentum_step(theta, grad, m, *, lr, beta=0.9):
    """One step of momentum in its moving-average form.

    Parameters
    ----------
    theta : ndarray of any shape
        The current parameters.
    grad : ndarray of the shape of ``theta``
        The gradient of the loss at ``theta``.
    m : ndarray of the shape of ``theta``
        The moving average returned by the previous step (zeros before the first step).
    lr : float
        The learning rate.
    beta : float
        The decay of the moving average, in [0, 1).

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
    m_new : ndarray of the shape of ``theta``

    Notes
    -----
    With m_t the average after step t:
    m_t = beta * m_(t-1) + (1 - beta) * grad  and  theta_t = theta_(t-1) - lr * m_t.
    """
    ### BEGIN SOLUTION
    theta = np.asarray(theta, dtype=float)
    grad = np.asarray(grad, dtype=float)
    m = np.asarray(m, dtype=float)
    if grad.shape != theta.shape or m.shape != theta.shape:
        raise ValueError(f"grad and m must have the shape of theta, {theta.shape}; got {grad.shape} and {m.shape}")
    m_new = beta * m + (1.0 - beta) * grad
    theta_new = theta - lr * m_new
    return theta_new, m_new
    ### END SOLUTION
'''),
    graded_test("ema_momentum_step", 2, "ema_momentum_step: the worked numbers, beta 0 as gradient descent, and the classical path with lr / (1 - beta).", r"""
result = ema_momentum_step(np.array([1.0, -2.0]), np.array([2.0, 0.5]), np.zeros(2), lr=1.0)
assert_type(result, (tuple, list), length=2, what="ema_momentum_step(...) (return a pair: `return theta_new, m_new`)")
theta, m = result
assert_close(m, [0.2, 0.05], what="m after the first step, (1 - beta) * grad")
assert_close(theta, [0.8, -2.05], what="theta after the first step")
theta, m = ema_momentum_step(theta, np.array([2.0, 0.5]), m, lr=1.0)
assert_close(m, [0.38, 0.095], what="m after the second step")
assert_close(theta, [0.42, -2.145], what="theta after the second step")

# beta = 0 keeps only the newest gradient: one plain gradient step.
theta, m = ema_momentum_step(np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([3.0, 3.0]), lr=0.2, beta=0.0)
assert_close(theta, [0.9, 2.2], what="theta with beta=0")

# 20 steps on the valley of section 1 (kappa = 25): with lr = 0.03 / (1 - 0.9) the path is the path of
# classical momentum with lr = 0.03, written out here so that this test does not use your momentum_step.
grad_of = lambda x: np.array([1.0, 25.0]) * x
theta, m = np.array([-3.0, 1.0]), np.zeros(2)
classical, velocity = theta.copy(), np.zeros(2)
for step in range(20):
    theta, m = ema_momentum_step(theta, grad_of(theta), m, lr=0.03 / (1 - 0.9), beta=0.9)
    velocity = 0.9 * velocity - 0.03 * grad_of(classical)
    classical = classical + velocity
    assert_close(theta, classical, what=f"theta after step {step + 1} of the valley path")

rng = np.random.default_rng(1)
theta0, grad0, m0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
copies = theta0.copy(), grad0.copy(), m0.copy()
theta, m = ema_momentum_step(theta0, grad0, m0, lr=0.1)
assert_shape(theta, (2, 3), what="theta_new")
assert_shape(m, (2, 3), what="m_new")
for before, after, name in zip(copies, (theta0, grad0, m0), ("theta", "grad", "m")):
    assert_unchanged(before, after, what=name)
"""),
    markdown("two_forms_widget_intro", r"""
### See it: two forms, one path

The widget runs **your** `momentum_step` and **your** `ema_momentum_step` for 40 steps from the same
point of the valley ($\kappa = 25$), with the same momentum. The right panel shows the distance between
the two paths at every step, on a log scale: in the shaded band it is rounding error only (about
$10^{-16}$), so the paths are the same.

* Untick **match** to give both forms the same number as learning rate: the moving-average steps
  become $1 - \beta$ times as long, and the paths part at once.
* Tick **lr ÷ 10** (with match ticked) to divide both learning rates by 10 halfway: the paths agree up
  to the drop and differ after it, for the reason given above.
"""),
    code("two_forms_widget", r"""
two_forms_widget(momentum_step, ema_momentum_step)
"""),
    markdown("nesterov_intro", r"""
## 4. Nesterov momentum

At every step, classical momentum moves by $\mu v_{t-1}$ whatever the gradient says, plus a
correction $-\eta \nabla J$ computed at the *starting* point $\theta_{t-1}$. But the momentum part is
known before the gradient is computed, so the correction can be measured where that part lands, at
the **look-ahead point** $\theta_{t-1} + \mu v_{t-1}$:

$$
v_t = \mu\, v_{t-1} - \eta\, \nabla J\!\left(\theta_{t-1} + \mu\, v_{t-1}\right), \qquad
\theta_t = \theta_{t-1} + v_t .
$$

Only the point where the gradient is taken changes. The benefit shows when the ball is about to
overshoot: if the look-ahead point is already past the valley floor, the gradient there points back,
and the step brakes *before* the overshoot, where classical momentum notices it one step late. This
damps the oscillations of momentum, especially in the steep directions.

### Worked numbers

On $J(\theta) = \theta^2$, whose gradient is $2\theta$, take $\theta = 1$, $v = 0.5$ (the ball is moving
away from the minimum at 0), $\eta = 0.1$ and $\mu = 0.9$:

* look-ahead point: $1 + 0.9 \cdot 0.5 = 1.45$, where the gradient is $2.9$;
* $v_1 = 0.9 \cdot 0.5 - 0.1 \cdot 2.9 = 0.45 - 0.29 = 0.16$;
* $\theta_1 = 1 + 0.16 = 1.16$.

Classical momentum from the same state uses the gradient at $1$, which is $2$:
$v_1 = 0.45 - 0.2 = 0.25$ and $\theta_1 = 1.25$. Nesterov sees the steeper slope ahead and climbs
less far in the wrong direction. From rest ($v = 0$) the look-ahead point is $\theta$ itself, so the
first Nesterov step is a plain gradient step, as for classical momentum.

### A function, not a gradient

Since the gradient is needed at a point that the step itself computes, `nesterov_step` receives a
**gradient function** `grad_fn`: `grad_fn(point)` returns the gradient of the loss at `point`, an
array of the shape of `theta`. In a network, one call is a whole forward and backward pass over the
mini-batch, the expensive part of a step: call `grad_fn` **exactly once**, at the look-ahead point,
and keep its result in a variable. (The hidden tests count the calls.)

Two slips to avoid: the look-ahead point is only where the gradient is *measured*; the step starts
from `theta` (`theta_new = theta + velocity_new`, since `velocity_new` already contains the
$\mu v$ part). And the look-ahead uses $\mu v$, not $v$.

**In libraries.** PyTorch's `SGD(momentum=mu, nesterov=True)` stores the look-ahead point
$\phi_t = \theta_t + \mu v_t$ instead of $\theta_t$, so that the gradient is always taken at the
stored parameters; it is the same method with the variables renamed.

**A claim to handle with care.** It is often said that Nesterov momentum "in general outperforms"
classical momentum. It has a provably better worst-case convergence rate on smooth convex problems
with exact gradients; with the noisy gradients of mini-batches the two usually end up close, as the
demo below shows. Nor is it more stable in every respect: on the quadratic of section 1 classical
momentum converges for $\eta\kappa < 2(1 + \mu)$, Nesterov only for
$\eta\kappa < 2(1 + \mu)/(1 + 2\mu)$, which for $\mu = 0.9$ is $3.8$ against about $1.36$. The widget
lets you find that region.

### Implement `nesterov_step`

`nesterov_step(theta, grad_fn, velocity, *, lr, momentum=0.9)` returns `(theta_new, velocity_new)`.
"""),
    solution("nesterov_step", r'''
def nesterov_step(theta, grad_fn, velocity, *, lr, momentum=0.9):
    """One step of gradient descent with Nesterov momentum.

    Parameters
    ----------
    theta : ndarray of any shape
        The current parameters.
    grad_fn : callable
        ``grad_fn(point)`` returns the gradient of the loss at ``point`` (an ndarray
        of the shape of ``theta``). Called exactly once, at ``theta + momentum * velocity``.
    velocity : ndarray of the shape of ``theta``
        The velocity returned by the previous step (zeros before the first step).
    lr : float
        The learning rate.
    momentum : float
        The share of the velocity kept from one step to the next, in [0, 1).

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
    velocity_new : ndarray of the shape of ``theta``

    Notes
    -----
    With v_t the velocity after step t:
    v_t = momentum * v_(t-1) - lr * grad_fn(theta_(t-1) + momentum * v_(t-1))
    and  theta_t = theta_(t-1) + v_t.
    """
    ### BEGIN SOLUTION
    theta = np.asarray(theta, dtype=float)
    velocity = np.asarray(velocity, dtype=float)
    if velocity.shape != theta.shape:
        raise ValueError(f"velocity must have the shape of theta, {theta.shape}; got {velocity.shape}")
    grad = np.asarray(grad_fn(theta + momentum * velocity), dtype=float)
    velocity_new = momentum * velocity - lr * grad
    theta_new = theta + velocity_new
    return theta_new, velocity_new
    ### END SOLUTION
'''),
    graded_test("nesterov_step", 3, "nesterov_step: the worked numbers with the gradient at the look-ahead point, a first step from rest, shapes and untouched inputs.", r"""
points = []

def grad_of_square(x):
    # The gradient of J(theta) = sum(theta ** 2); records where it is called.
    points.append(np.array(x, dtype=float))
    return 2 * np.asarray(x, dtype=float)

result = nesterov_step(np.array([1.0]), grad_of_square, np.array([0.5]), lr=0.1, momentum=0.9)
assert_type(result, (tuple, list), length=2, what="nesterov_step(...) (return a pair: `return theta_new, velocity_new`)")
theta, velocity = result
assert_true(len(points) > 0, "nesterov_step never called grad_fn: call it at the look-ahead point", value=len(points))
assert_true(any(np.allclose(p, [1.45]) for p in points),
            f"grad_fn was called at {[p.tolist() for p in points]}, never at the look-ahead point "
            "theta + momentum * velocity = 1 + 0.9 * 0.5 = 1.45", value=[p.tolist() for p in points])
assert_close(velocity, [0.16], what="the velocity, 0.9 * 0.5 - 0.1 * 2.9")
assert_close(theta, [1.16], what="theta, 1 + 0.16")

# From rest the look-ahead point is theta: one plain gradient step, theta - lr * 2 * theta.
theta, velocity = nesterov_step(np.array([2.0, -1.0]), grad_of_square, np.zeros(2), lr=0.25)
assert_close(theta, [1.0, -0.5], what="theta after a first step from rest")
assert_close(velocity, [-1.0, 0.5], what="the velocity after a first step from rest")

rng = np.random.default_rng(2)
theta0, velocity0 = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
copies = theta0.copy(), velocity0.copy()
theta, velocity = nesterov_step(theta0, grad_of_square, velocity0, lr=0.1, momentum=0.5)
assert_shape(theta, (3, 2), what="theta_new")
assert_shape(velocity, (3, 2), what="velocity_new")
assert_unchanged(copies[0], theta0, what="theta")
assert_unchanged(copies[1], velocity0, what="velocity")
"""),
    markdown("valley_widget_intro", r"""
## 5. The race in the valley

The widget runs 60 steps of plain gradient descent (written out in the widget), **your**
`momentum_step` and **your** `nesterov_step` on the valley of section 1, from the same point and with
the same learning rate and momentum. The top row shows the three paths over the contours of the loss,
the bottom panel the loss after every step on a log scale. A label on each path says what the run
did:

* **converges**: the loss fell below $10^{-4}$ times its starting value within the 60 steps;
* **oscillates**: it did not, and the path overshoots the minimum back and forth (one coordinate
  changed sign at least four times while still visible);
* **too slow**: neither; steady but slow progress;
* **diverges**: the loss ended higher than it started, or the path flew off.

Answer each question for yourself before you move the sliders, then open the answer:

1. At the start ($\eta = 0.03$, $\mu = 0.9$, $\kappa = 25$), which of the three converges?

   <details><summary>What you should see, and why</summary>

   Only Nesterov. Gradient descent is too slow, classical momentum rings around the minimum, and
   Nesterov's look-ahead gradient damps the ringing enough to converge within the 60 steps.

   </details>

2. Lower the momentum to about 0.5. Does classical momentum still ring?

   <details><summary>What you should see, and why</summary>

   No: for this valley 0.9 is too much, and the ball keeps swinging. At 0.5 the swinging stops, but at
   $\eta = 0.03$ all three runs are now merely too slow: less momentum also means a smaller effective
   step.

   </details>

3. Theory gives the best settings of classical momentum on a quadratic with curvatures between 1 and
   $\kappa$: $\eta = 4/(\sqrt\kappa + 1)^2$ and $\mu = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2$,
   that is $\eta \approx 0.11$ and $\mu \approx 0.44$ for $\kappa = 25$. Guess how many steps momentum
   then needs to shrink the distance to the minimum a million times, against the best plain gradient
   descent ($\eta = 2/(\kappa + 1)$).

   <details><summary>What you should see, and why</summary>

   The distance shrinks by a factor of about $(\sqrt\kappa - 1)/(\sqrt\kappa + 1) = 2/3$ per step,
   against $(\kappa - 1)/(\kappa + 1) \approx 0.92$ for the best plain gradient descent. From the
   widget's start that is 43 steps instead of 173: the number of steps grows like $\sqrt\kappa$
   instead of $\kappa$. That is the real gain of momentum. Set $\eta = 0.11$ and $\mu = 0.44$ and the
   widget shows classical momentum converging, while plain gradient descent, for which $0.11$ is above
   $2/\kappa = 0.08$, diverges.

   </details>

4. Raise the learning rate above $2/\kappa$. Gradient descent diverges; which momentum method survives
   longer?

   <details><summary>What you should see, and why</summary>

   Classical momentum. With $\mu = 0.9$ it survives up to $\eta = 3.8/\kappa$, Nesterov only up to about
   $1.36/\kappa$: the look-ahead that damps the ringing also makes the steep direction less stable.

   </details>

5. Move the condition number to 1 (a round bowl), then to 100, keeping $\eta = 0.03$ and $\mu = 0.9$.
   What changes?

   <details><summary>What you should see, and why</summary>

   In the round bowl every direction has the same curvature: nothing rings, all three paths head
   straight for the minimum, and at this small learning rate all three are too slow. At 100 the
   steep direction is four times as curved as at 25: $\eta = 0.03$ is above $2/\kappa = 0.02$, so
   gradient descent diverges, and above Nesterov's $1.36/\kappa = 0.0136$, so it diverges too, while
   classical momentum, stable up to $3.8/\kappa = 0.038$, survives and oscillates.

   </details>
"""),
    code("valley_widget", r"""
narrow_valley_widget(momentum_step, nesterov_step)
"""),
    markdown("demo_intro", r"""
## 6. On real data: the digits

The demo trains a small network (64 inputs, 32 hidden ReLU units, 10 classes) on the 8×8 handwritten
digits that ship with scikit-learn (1,348 training and 449 test images, no download), with mini-batches
of 64 and the same starting weights, four times for 15 epochs:

1. plain SGD with $\eta = 0.1$;
2. **your** `momentum_step` with $\eta = 0.1$ and $\mu = 0.9$;
3. **your** `nesterov_step` with the same settings;
4. plain SGD with $\eta = 0.1 / (1 - 0.9) = 1$, the step size momentum reaches under a steady
   gradient.

It takes a few seconds. Before you run it, guess: how many epochs do the two momentum runs need to
reach the training loss that plain SGD with the same learning rate reaches after fifteen? And does the
fourth run, plain SGD with the larger rate, keep up with them?

<details><summary>What you should see, and why</summary>

The momentum runs get there within three epochs and end above 95% test accuracy; Nesterov and
classical momentum are close. The fourth run is the fair comparison: on this small problem plain SGD
with the larger learning rate catches up after a few epochs, so much of momentum's gain here is its
larger effective step. The difference shows where that larger step is not allowed: run
`demo(momentum_step, nesterov_step, lr=0.2)` in the scratch cell at the end. Plain SGD with
$\eta = 2$ no longer learns, while momentum with $\eta = 0.2$, whose steps grow to the same size along
consistent directions, still trains well: along the steep directions, where the gradient keeps
flipping sign, its velocity does not build up.

</details>
"""),
    code("demo", r"""
demo(momentum_step, nesterov_step)
"""),
    markdown("landscape_intro", r"""
## 7. Beyond the valley: the landscape of a loss

The valley of section 1 is one kind of trouble; the loss surface of a real network has others. They
are all described by the **critical points**, where the gradient is 0, and by the **Hessian** there,
the matrix of second derivatives $H_{ij} = \partial^2 J / \partial\theta_i \partial\theta_j$. Near a
critical point $\theta^*$ the loss is, to second order,

$$
J(\theta^* + \Delta) \approx J(\theta^*) + \tfrac12\, \Delta^{\top} H \Delta ,
$$

and $H$ is symmetric, so it has real eigenvalues $\lambda_1, \dots, \lambda_d$ with orthogonal
eigenvectors. Along eigenvector $i$ the loss curves up if $\lambda_i > 0$ and down if $\lambda_i < 0$:

* all $\lambda_i > 0$: a **minimum** (every direction curves up);
* all $\lambda_i < 0$: a **maximum**;
* some positive and some negative: a **saddle point**, a minimum along some directions and a maximum
  along others;
* otherwise some $\lambda_i = 0$ and no change of sign: **degenerate**. The quadratic model says
  nothing along the flat directions; higher derivatives decide (at the origin $x^4 + y^2$ has a
  minimum and $x^3 + y^2$ does not, with the same Hessian).

Four pictures to keep in mind, all on the surface of the widget below:

* **Local minima.** A network has many: swapping two hidden units (with their weights) gives the same
  function, so every minimum comes with thousands of copies. Most of them are no worse than each other;
  the minima that trained networks find in practice usually have losses close to the best, so a local
  minimum is less of a worry than it sounds. A poor one can still trap a small model, as in the widget.
* **Saddle points.** In $d$ dimensions, a critical point whose eigenvalues had random signs would be a
  minimum with probability $2^{-d}$: in high dimension saddles vastly outnumber minima. The gradient is
  small near them, so descent slows down there, though a little noise or momentum carries it off along
  a direction of negative curvature.
* **Plateaus.** Regions where the gradient is nearly 0 everywhere, for example where many sigmoid or
  tanh units are saturated (lesson 09). A larger learning rate would cross them faster but is
  dangerous elsewhere; keeping units out of saturation is one reason for careful initialization
  (lesson 04).
* **Cliffs.** Regions where the loss changes abruptly, as when many weights are multiplied together
  (deep or recurrent networks). The gradient on the cliff's face is huge, and one ordinary step throws
  the parameters far away, losing the progress made so far. Gradient clipping (lesson 09) caps that
  step.

**How to classify from the eigenvalues, in code.** `np.linalg.eigvalsh(H)` returns the eigenvalues of
a symmetric matrix (the `h` stands for Hermitian; use it, not `eigvals`, for a Hessian: it is faster and
always returns real numbers). Computed eigenvalues are never exactly 0, so compare with a tolerance:
an eigenvalue counts as positive only if $\lambda > \text{tol}$ and as negative only if
$\lambda < -\text{tol}$. Two shortcuts are tempting and wrong: the **diagonal** entries of $H$ are not its
eigenvalues unless $H$ is diagonal (the saddle $H = [[1, 2], [2, 1]]$ has a positive diagonal and
eigenvalues $3$ and $-1$), and the **determinant**'s sign only counts the negative eigenvalues modulo 2
($\operatorname{diag}(-1, -1, 1)$ has determinant $+1$ and is a saddle).

Implement `critical_point_type(hessian, *, tol=1e-8)`, returning one of the strings `"minimum"`,
`"maximum"`, `"saddle"` or `"degenerate"`. A Hessian is symmetric, and `eigvalsh` reads only one
triangle of the matrix and answers silently for one that is not: check it first and raise a
`ValueError` when it is not square, not finite, or not symmetric
($\max|H - H^{\top}| > 10^{-8} \max|H|$, relative, so that the rounding of a computed Hessian passes),
and a `ValueError` for a `tol` that is negative.
"""),
    solution("critical_point_type", r'''
def critical_point_type(hessian, *, tol=1e-8):
    """The kind of critical point with this Hessian: "minimum", "maximum", "saddle" or "degenerate".

    Parameters
    ----------
    hessian : ndarray of shape (d, d), symmetric, d >= 1
    tol : float >= 0
        An eigenvalue counts as positive if > tol, as negative if < -tol, and as 0 otherwise.

    Returns
    -------
    str
    """
    ### BEGIN SOLUTION
    H = np.asarray(hessian, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.size == 0:
        raise ValueError(f"hessian must be a non-empty square matrix, got shape {H.shape}")
    if not np.all(np.isfinite(H)):
        raise ValueError("hessian must hold finite numbers")
    if np.max(np.abs(H - H.T)) > 1e-8 * np.max(np.abs(H)):
        raise ValueError("hessian must be symmetric")
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0, got {tol!r}")
    eigenvalues = np.linalg.eigvalsh(H)
    positive, negative = eigenvalues > tol, eigenvalues < -tol
    if positive.any() and negative.any():
        return "saddle"
    if positive.all():
        return "minimum"
    if negative.all():
        return "maximum"
    return "degenerate"
    ### END SOLUTION
'''),
    graded_test("critical_point_type", 2, "critical_point_type: the four kinds, a rotated saddle, the determinant's trap, zero and tiny eigenvalues, the lesson's surface, refused matrices.", r"""
assert_type(critical_point_type(np.diag([1.0, 2.0])), str, what='critical_point_type(diag(1, 2)) (a string such as "minimum")')
assert_true(critical_point_type(np.diag([1.0, 2.0])) == "minimum", 'diag(1, 2) should be a "minimum"',
            value=critical_point_type(np.diag([1.0, 2.0])))
assert_true(critical_point_type(np.diag([-1.0, -3.0])) == "maximum", 'diag(-1, -3) should be a "maximum"',
            value=critical_point_type(np.diag([-1.0, -3.0])))
assert_true(critical_point_type(np.array([[1.0, 2.0], [2.0, 1.0]])) == "saddle",
            '[[1, 2], [2, 1]] (eigenvalues 3 and -1) should be a "saddle": use the eigenvalues, not the diagonal',
            value=critical_point_type(np.array([[1.0, 2.0], [2.0, 1.0]])))
assert_true(critical_point_type(np.diag([-1.0, -1.0, 1.0])) == "saddle",
            'diag(-1, -1, 1) (determinant +1) should be a "saddle"', value=critical_point_type(np.diag([-1.0, -1.0, 1.0])))
assert_true(critical_point_type(np.diag([1.0, 0.0])) == "degenerate",
            'diag(1, 0) should be "degenerate" (a zero eigenvalue is neither positive nor negative)',
            value=critical_point_type(np.diag([1.0, 0.0])))
assert_true(critical_point_type(np.diag([1.0, 1e-9])) == "degenerate",
            'diag(1, 1e-9) should be "degenerate": 1e-9 is within tol = 1e-8 of 0',
            value=critical_point_type(np.diag([1.0, 1e-9])))
assert_true(critical_point_type(np.diag([1.0, 1e-9]), tol=0.0) == "minimum",
            'diag(1, 1e-9) with tol = 0 should be a "minimum"', value=critical_point_type(np.diag([1.0, 1e-9]), tol=0.0))
# The critical points of the surface of the widget below, with its exact Hessians.
for c in CRITICAL_POINTS:
    kind = critical_point_type(hessian(c.point))
    assert_true(kind == c.kind, f"the Hessian at {c.name} of the lesson's surface should give {c.kind!r}", value=kind)
assert_raises(ValueError, critical_point_type, np.array([[1.0, 2.0], [0.0, 1.0]]), what="a Hessian that is not symmetric")
assert_raises(ValueError, critical_point_type, np.ones((2, 3)), what="a Hessian that is not square")
"""),
    code("prediction_widget_2", r"""
predict("05-plateau-start")
"""),
    markdown("landscape_widget_intro", r"""
### See it: a surface with every kind of trouble

The surface below has a **global minimum** (the deeper well, right), a **local minimum** (left), a
**saddle** between them, a **plateau** below the wells, a **cliff** along $y = 1.4$ and a high plateau
above it. From the starting point you choose, the widget runs **your** `momentum_step` for 200 steps
twice: once with momentum 0 (plain gradient descent) and once with the momentum of the slider. The
status line says where each ended, using **your** `critical_point_type` on the exact Hessian of the
end point.

Answer each question for yourself before you move the sliders, then open the answer:

1. From the start $(-2.5, 0.5)$, gradient descent ends in the local minimum. Can momentum's extra speed
   carry the point over the saddle into the deeper well?

   <details><summary>What you should see, and why</summary>

   Not from here, and not from any start on the left at these learning rates: momentum 0.9 and 0.95
   also settle in the local minimum, and 0.99 is still swinging around it after 200 steps. Momentum
   helps on plateaus and in narrow valleys; it is no cure for a local minimum, whose walls absorb the
   speed it builds. Which well a descent ends in is decided mostly by the start.

   </details>

2. Start on the plateau at $(0, -2.5)$ with learning rate 0.1. Which descent gets out?

   <details><summary>What you should see, and why</summary>

   Momentum. Gradient descent crawls: the gradient there is about 0.04, and it moves less than 0.2 in
   its last 50 steps. Momentum adds up the small, steady gradient into a speed about ten times larger
   ($1/(1-\mu)$) and reaches the global minimum.

   </details>

3. Start just below the cliff, at $(0, 1.4)$, and raise the learning rate. When does a single step
   throw the point off the surface?

   <details><summary>What you should see, and why</summary>

   With momentum 0.9, already at 0.1: the velocity built on the cliff's face, where the gradient is
   about 12, makes a step 1.3 long. Plain gradient descent survives up to about 0.5 (at 0.3 it bounces
   in the well below) and is thrown off from about 0.6, with a first step of $0.6 \times 12.5 = 7.5$.
   The cliff is why real training clips gradients (lesson 09).

   </details>

4. Start at $(-0.05, -1)$, then move $x$ one notch to $-0.1$. Where does each descent end?

   <details><summary>What you should see, and why</summary>

   In opposite wells: the global minimum from $-0.05$, the local one from $-0.1$. Both times the descent
   passes close to the saddle and leaves it along its direction of negative curvature; the ridge
   through the saddle divides the starts between the two minima, and a start near it decides by a hair.

   </details>

5. From the start $(-2.5, 0.5)$, raise the learning rate to 0.5 with momentum 0. Does the descent
   settle?

   <details><summary>What you should see, and why</summary>

   No, it bounces across the local well. The curvature at its bottom is about 4.0, so the limit
   $2 / \lambda_{\max}$ of section 1 is about 0.5: each step overshoots by the factor
   $|1 - 0.5 \times 4.02| \approx 1.01$, and the bounce never dies. In the deep well, whose curvature is
   about 6.7, the limit is already $0.3$.

   </details>
"""),
    code("landscape_widget", r"""
landscape_widget(momentum_step, critical_point_type)
"""),
    markdown("newton_intro", r"""
## 8. Second-order methods: Newton's step

Gradient descent uses the slope only; the Hessian also knows the curvature. Around the current point
$\theta$, the second-order Taylor model of the loss is

$$
J(\theta + \Delta) \approx J(\theta) + g^{\top} \Delta + \tfrac12\, \Delta^{\top} H \Delta ,
\qquad g = \nabla J(\theta), \quad H = \nabla^2 J(\theta) .
$$

Its gradient with respect to $\Delta$ is $g + H\Delta$, which is 0 at $\Delta = -H^{-1} g$. **Newton's
step** jumps to that critical point of the model:

$$
\theta_{\text{new}} = \theta - H^{-1} g .
$$

On a quadratic loss the model is exact, so one step lands on the critical point, whatever the condition
number: the narrow valley of section 1 is solved in one step, because $H^{-1}$ rescales every direction
by its own curvature. No learning rate appears. So why does nobody train networks this way?

* **It goes to critical points, not to minima.** Along an eigenvector with $\lambda_i < 0$ the step
  $-g_i / \lambda_i$ goes *uphill*, towards the top of that direction. Near a saddle Newton's method
  walks straight onto it, exactly where gradient descent would leave. In high dimension, where saddles
  outnumber minima, that is fatal. (Remedies: add $\lambda I$ to $H$ until it is positive definite,
  the Levenberg–Marquardt damping, or use $|H|$, the absolute values of its eigenvalues.)
* **It costs too much.** $H$ has $d^2$ entries: for a network of a million parameters, $10^{12}$
  numbers, 8 terabytes in float64. Solving $H\Delta = -g$ costs about $\tfrac23 d^3$ operations, against
  $d$ for a gradient step.
* **Mini-batches make $H$ noisy**, and a step that trusts a noisy curvature exactly can be huge.

What survives in practice: methods that approximate the curvature cheaply. Quasi-Newton methods
(L-BFGS) build it from a few recent gradients and are used for small, full-batch problems; Adam and
RMSProp (lesson 06) keep a diagonal estimate of the gradient's scale per parameter, a far cruder but
affordable relative of $H^{-1}$.

**In code: solve, do not invert.** `np.linalg.solve(H, g)` factorizes $H$ once and solves; forming
`np.linalg.inv(H)` and multiplying costs about three times as much and is less accurate. Both fail on
an exactly singular $H$ (`np.linalg.LinAlgError`); a nearly singular one gives a huge, finite step
without any error.

Implement `newton_step(theta, grad, hessian)`: return `theta_new` alone (there is no state and no
learning rate), as a new array; do not change the arguments. Raise a `ValueError` when the shapes do not
fit (`theta` and `grad` of shape `(d,)`, `hessian` of shape `(d, d)`) or when the Hessian is singular.
The Hessian need not be symmetric nor positive definite.
"""),
    solution("newton_step", r'''
def newton_step(theta, grad, hessian):
    """One Newton step: theta - H^{-1} grad, by solving H s = grad.

    Parameters
    ----------
    theta : ndarray of shape (d,)
    grad : ndarray of shape (d,), the gradient at theta
    hessian : ndarray of shape (d, d), the Hessian at theta

    Returns
    -------
    theta_new : ndarray of shape (d,)
    """
    ### BEGIN SOLUTION
    theta, grad, H = (np.asarray(a, dtype=float) for a in (theta, grad, hessian))
    if theta.ndim != 1 or theta.size == 0 or grad.shape != theta.shape:
        raise ValueError(f"theta and grad must be vectors of the same shape, got {theta.shape} and {grad.shape}")
    if H.shape != (theta.size, theta.size):
        raise ValueError(f"hessian must have shape ({theta.size}, {theta.size}), got {H.shape}")
    try:
        return theta - np.linalg.solve(H, grad)
    except np.linalg.LinAlgError:
        raise ValueError("hessian is singular: the Newton step is not defined") from None
    ### END SOLUTION
'''),
    graded_test("newton_step", 2, "newton_step: one step to a bowl's minimum and onto a saddle, sum(exp(x)), a non-symmetric matrix, a singular one refused, shapes and untouched inputs.", r"""
# A quadratic bowl J = 0.5 theta A theta - b theta: one step lands on A^-1 b = [0.2, 0.4] from anywhere.
A, b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, 1.0])
theta = np.array([1.0, -1.0])
before = [theta.copy(), A.copy()]
new = newton_step(theta, A @ theta - b, A)
assert_shape(new, (2,), what="newton_step(...) (return theta_new alone)")
assert_close(new, [0.2, 0.4], what="one Newton step on the bowl from [1, -1]")
assert_unchanged(before[0], theta, what="theta")
assert_unchanged(before[1], A, what="hessian")
# The saddle J = x**2 - y**2: from (1, 2) the gradient is (2, -4), H = diag(2, -2), and the step lands ON the saddle.
assert_close(newton_step(np.array([1.0, 2.0]), np.array([2.0, -4.0]), np.diag([2.0, -2.0])), [0.0, 0.0],
             what="one Newton step on x**2 - y**2 from (1, 2)")
# J = sum(exp(x)): gradient exp(x), Hessian diag(exp(x)), so every Newton step is x - 1.
x = np.array([0.5, -2.0])
assert_close(newton_step(x, np.exp(x), np.diag(np.exp(x))), x - 1, what="a Newton step on sum(exp(x))")
assert_close(newton_step(np.zeros(2), np.array([1.0, 1.0]), np.array([[2.0, 1.0], [0.0, 1.0]])), [0.0, -1.0],
             what="newton_step with the non-symmetric hessian [[2, 1], [0, 1]]")
assert_raises(ValueError, newton_step, np.zeros(2), np.ones(2), np.array([[1.0, 2.0], [2.0, 4.0]]),
              what="newton_step with the singular hessian [[1, 2], [2, 4]]")
assert_raises(ValueError, newton_step, np.zeros(2), np.ones(2), np.eye(3), what="newton_step with a (3, 3) hessian for 2 parameters")
"""),
    code("prediction_widget_3", r"""
predict("05-newton-near-saddle")
"""),
    markdown("newton_demo_intro", r"""
The demo shows both faces of Newton's method with **your** `newton_step`:

* **left**: on the widget's surface, from $(-0.45, 0.35)$, just off the saddle, with the exact Hessian at
  every step. Gradient descent ($\eta = 0.3$) slides off the saddle into the local minimum; Newton's
  steps go straight to the saddle and stay there, because the quadratic model's critical point *is* the
  saddle;
* **right**: the time of one step against the number of parameters $d$, for a random positive-definite
  Hessian that is already given (forming it would cost more still). A gradient step grows like $d$,
  a Newton step like $d^3$ once $d$ is in the hundreds: at $d = 1000$, a few thousand gradient steps
  for one Newton step, and a network has millions of parameters.
"""),
    code("newton_demo", r"""
newton_demo(newton_step)
"""),
    markdown("summary", r"""
## Summary

* In a narrow valley (a large condition number $\kappa$) gradient descent must keep $\eta < 2/\kappa$
  for the steep directions, and then crawls along the flat ones: the number of steps grows like
  $\kappa$.
* **Classical momentum** keeps a velocity, $v \leftarrow \mu v - \eta \nabla J(\theta)$, and *adds* it,
  $\theta \leftarrow \theta + v$. Consistent gradients add up to steps $1/(1 - \mu)$ times longer,
  alternating ones cancel. Well tuned on a quadratic, the steps needed grow like $\sqrt\kappa$.
* The **moving-average form**, $m \leftarrow \beta m + (1 - \beta)\nabla J$, $\theta \leftarrow \theta -
  \eta m$, traces exactly the same path when $\eta_{\text{ema}} = \eta / (1 - \beta)$; the forms differ
  when the learning rate changes during training. Keras keeps the classical velocity; PyTorch keeps
  the decaying sum of gradients $b \leftarrow \mu b + \nabla J$ and steps $-\eta b$ (the classical
  scale of $\eta$, with the learning rate outside the buffer).
* **Nesterov momentum** takes the gradient at the look-ahead point $\theta + \mu v$, still steps from
  $\theta$, and calls the gradient function once. It brakes before overshooting; it is not better in
  every respect (its stable range of $\eta$ is smaller on a quadratic).
* Every step function returns the new state, which the training loop feeds back, and leaves its
  arguments unchanged.
* **Critical points** are classified by the eigenvalues of the Hessian (`eigvalsh`, with a tolerance):
  minimum, maximum, saddle, degenerate; not by its diagonal nor by its determinant. In high dimension
  saddles outnumber minima; plateaus slow descent down; cliffs throw it off; momentum helps across
  plateaus but also flies off cliffs.
* **Newton's step** $\theta - H^{-1} g$ (computed with `solve`) lands on the critical point of the local
  quadratic model in one step: on a bowl's minimum, but also on a saddle. It costs $d^2$ numbers and
  about $d^3$ operations per step, which is why networks are trained with first-order methods.

## Questions to think about

1. Under a constant gradient, how many steps does classical momentum with $\mu = 0.9$ need before its
   step reaches 90% of its final size $\eta g / (1 - \mu)$? And with $\mu = 0.99$?
2. You double $\beta$'s distance to 1 (from 0.99 to 0.98). What happens to the typical step size in the
   moving-average form? In the classical form with $\mu$ changed the same way?
3. With momentum, the loss can go *up* for a few steps even on a convex quadratic, without anything
   being wrong. Why? Which quantity does decrease? (Think of a ball's energy.)
4. `nesterov_step` needs `grad_fn` rather than a gradient. What does a training loop have to hand it,
   and why does the library form $\phi = \theta + \mu v$ avoid that?
5. In the widget, find settings where momentum converges while both gradient descent and Nesterov
   diverge. Explain them with the three stability limits of this lesson.
6. A critical point of a network with a million parameters has a Hessian with 999,999 positive
   eigenvalues and one of $-10^{-6}$. How would gradient descent and Newton's method behave near it?
7. Newton's step on $J(x) = x^4$ from $x = 1$: what is the new $x$, and how many steps does it take to
   get within $10^{-3}$ of the minimum? Why is this slower than on a quadratic?
"""),
    free_code("scratch", "# A scratch cell: try your functions on your own inputs here, for example\n"
                         "# demo(momentum_step, nesterov_step, lr=0.2)\n"),
]
