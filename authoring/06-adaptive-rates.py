"""Lesson 06, AdaGrad, RMSProp and Adam: the cells of source/06-adaptive-rates/06-adaptive-rates.ipynb.

Rebuild the notebook with ``python -m nncourse.authoring 06-adaptive-rates``.
"""

from nncourse.authoring import code, free_code, graded_test, markdown, solution

CELLS = [
    markdown("title", r"""
# Lesson 06 · AdaGrad, RMSProp, Adam, AdamW and schedules

Gradient descent moves every parameter by the same multiple of its gradient, $\eta\, g$. One number,
the learning rate $\eta$, has to suit millions of parameters whose gradients may differ in size by
factors of a thousand: the weights of a layer deep in the network and of the last layer, the weight of
a pixel that is almost always blank and of one that is almost always lit. A rate small enough for the
steepest direction crawls along the flat ones; a rate large enough for the flat ones blows up the steep
ones. Momentum (lesson 05) helps along directions where the gradient keeps its sign, but it keeps a
single learning rate.

The methods of this lesson give **every parameter its own learning rate**, computed from the history
of that parameter's own gradients: divide the gradient by a running measure of its typical size, and
every parameter takes steps of about the same length, $\eta$, whatever the scale of its gradient.

In this lesson you will implement

* `adagrad_step`, which divides by the root of the **sum** of all past squared gradients;
* `rmsprop_step`, which divides by the root of a **moving average** of them, and so forgets;
* `adam_step`, which adds momentum's moving average of the gradients and **corrects both averages**
  for their start at zero: the most used optimizer in deep learning;
* `adamw_step`, Adam with **weight decay decoupled** from the gradient, and why an L2 penalty inside
  Adam regularizes each weight by a different amount;
* four **learning-rate schedules**, `step_decay`, `exponential_decay`, `cosine_decay` and
  `warmup_cosine`, and why Adam in particular wants a warmup.

Along the way you will see exactly where the small constant $\epsilon$ goes (libraries disagree), and
check the bias correction with numbers. A widget then races your three optimizers against gradient
descent and momentum on three small surfaces, and a demo trains a network on real handwritten digits
with each of them.

**How this notebook works.** Each function you write sits alone in a cell that starts with `def`.
Replace the line `raise NotImplementedError(...)` with your code, run the cell, then run the test cell
below it. The visible checks in the test cell catch most slips; when you submit, hidden tests check
more inputs and tell you the likely mistake. Run the cells from top to bottom.
"""),
    code("setup", r"""
import numpy as np

from lessons.checks import assert_close, assert_raises, assert_shape, assert_type, assert_unchanged
from lessons.demos.adaptive import bias_correction_figure, demo, schedule_demo, schedules_figure, weight_decay_demo
from lessons.predict import predict
from lessons.widgets.adaptive import adaptive_race_widget
"""),
    markdown("scale_problem", r"""
## 1. One learning rate for every parameter

Take a valley of two parameters that is a hundred times steeper across than along:

$$
J(x, y) = \tfrac12 \left( 0.1\, x^2 + 10\, y^2 \right), \qquad
\nabla J = \begin{bmatrix} 0.1\, x \\ 10\, y \end{bmatrix} .
$$

At the point $(x, y) = (-1.8, 1)$ the gradient is $(-0.18, 10)$. A gradient step moves $x$ by
$0.18\,\eta$ and $y$ by $10\,\eta$: the parameter that is far from its best value ($x$, 1.8 away)
gets the *small* step, because its direction is flat. Lesson 05 showed the consequence: $\eta$ must
stay below $2/10 = 0.2$ or the steep coordinate $y$ diverges, and then $x$ shrinks by a factor of
only $1 - 0.1\,\eta \ge 0.98$ per step.

Now divide each coordinate of the gradient by its own size. The step becomes $\eta \cdot (-1, 1)$:
both parameters move by $\eta$, towards the minimum, whatever the slopes. Dividing by the *current*
gradient alone would throw away all information about its size (and explode where the gradient is
zero), so the methods below divide by the **root of a running sum or average of the squares** of each
parameter's past gradients. The step of parameter $i$ becomes

$$
\Delta\theta_i = -\frac{\eta}{\epsilon + \sqrt{r_i}}\; g_i ,
$$

where $r_i$ accumulates the squares $g_i^2$, and $\epsilon$ is a tiny constant that keeps the division
defined while $r_i$ is still 0. The factor $\eta / (\epsilon + \sqrt{r_i})$ is parameter $i$'s
**effective learning rate**. All operations are element-wise: `grad ** 2` squares each entry,
`np.sqrt(r)` takes each entry's root, and nothing mixes the parameters.

A note on names: texts use $\alpha$, $\eta$ or $\epsilon$ for the learning rate, and some use $\delta$
for the small constant. This course writes $\eta$ in formulas and `lr` in code, and keeps $\epsilon$
(`eps`) for the small constant.
"""),
    code("prediction_widget_1", r"""
predict("06-adagrad-after-100")
"""),
    markdown("adagrad_intro", r"""
## 2. AdaGrad: divide by the root of the sum of squares

AdaGrad (Duchi, Hazan and Singer, 2011) keeps, for every parameter, the **sum** of its squared
gradients since the start of training:

$$
r_t = r_{t-1} + g_t^2, \qquad
\theta_t = \theta_{t-1} - \frac{\eta}{\epsilon + \sqrt{r_t}}\, g_t, \qquad r_0 = 0 ,
$$

with $g_t$ the gradient at $\theta_{t-1}$. Note the order: the new square is added *first*, and the
step divides by the root of the **new** sum.

**What it does.**

* *The first step has size $\eta$.* From $r_0 = 0$, $r_1 = g_1^2$ and the step is
  $\eta\, g_1 / (\epsilon + |g_1|) \approx \eta \cdot \operatorname{sign}(g_1)$: every parameter with a
  nonzero gradient moves by almost exactly $\eta$, whether its gradient is $10^{-3}$ or $10^{3}$. A
  parameter whose gradient is 0 does not move.
* *No step is ever longer than $\eta$*, since $\sqrt{r_t} \ge |g_t|$.
* *Scale does not matter.* Multiply every gradient by 100 and $r$ grows by $100^2$, so $\sqrt r$ by 100:
  the steps are unchanged (up to $\epsilon$).
* *Rare gradients keep large rates.* A parameter whose gradient is usually 0 (the weight of a pixel
  that is almost always blank, a rare word in a text model) keeps a small $r$ and so a large effective
  learning rate: when its gradient is finally nonzero it still moves by up to $\eta$, while the
  parameters updated at every step have long slowed down. That was AdaGrad's original selling point.
* *The steps only shrink.* $r$ never decreases. Under a constant gradient $g$, $r_k = k\, g^2$, so step
  $k$ has size $\eta / \sqrt k$: $\eta$, $0.707\,\eta$, $0.577\,\eta$, $0.5\,\eta$, ... After $k$ steps
  the distance covered is about $2\eta\sqrt k$ (after 100 steps, $18.6\,\eta$ instead of $100\,\eta$).
  On convex problems this decay is what AdaGrad's convergence guarantees rest on; in a deep network,
  an early phase of large gradients shrinks the learning rates for good, and training can stall long
  before the end.

### Worked numbers

Two parameters, $\theta = [1, -2]$, gradient $g = [3, -4]$, accumulated $r = [16, 9]$ and $\eta = 0.5$:

$$
r_{\text{new}} = [16 + 9,\; 9 + 16] = [25, 25], \qquad \sqrt{r_{\text{new}}} = [5, 5],
$$

$$
\theta_{\text{new}} = [1, -2] - 0.5 \cdot \left[\tfrac{3}{5}, \tfrac{-4}{5}\right]
= [1 - 0.3,\; -2 + 0.4] = [0.7, -1.6] .
$$

($\epsilon = 10^{-7}$ changes these numbers by less than $10^{-8}$.)
"""),
    markdown("epsilon", r"""
### Where the epsilon goes

The small constant can be added **outside** the square root, as above, or **inside** it:

$$
\text{outside: } \frac{\eta\, g}{\epsilon + \sqrt{r}} \qquad\qquad
\text{inside: } \frac{\eta\, g}{\sqrt{r + \epsilon}} .
$$

Both keep the division defined, and texts use both: of the two source notes this course grew from,
one writes it outside and the other inside. They are *different algorithms*, and this course uses
**outside**, as PyTorch does (`torch.optim.Adagrad`, `torch.optim.RMSprop` and `torch.optim.Adam`).
Keras 3 puts it **inside** for `Adagrad` and `RMSprop` (and its `Adagrad` also starts $r$ at 0.1
instead of 0).

When does the difference show? The inside form never lets the denominator drop below
$\sqrt\epsilon$, which for $\epsilon = 10^{-7}$ is about $3.2 \times 10^{-4}$; the outside form goes
down to $\epsilon$ itself. So the two agree while $\sqrt r \gg \sqrt\epsilon$, that is for gradients
well above $3 \times 10^{-4}$, and part company below. Check it on a first AdaGrad step with a small
gradient, $g = 10^{-4}$ (so $r = 10^{-8}$):

* outside: $\dfrac{10^{-4}}{10^{-7} + 10^{-4}} = 0.999$, a step of $0.999\,\eta$;
* inside: $\dfrac{10^{-4}}{\sqrt{10^{-8} + 10^{-7}}} = \dfrac{10^{-4}}{3.32 \times 10^{-4}} = 0.30$,
  a step of only $0.30\,\eta$.

With gradients of $10^{-2}$ both give $0.9995\,\eta$ or better. Small gradients are common (in the
early layers of deep networks, lesson 09, and late in training), so when you compare your optimizer
with a library's, check where its $\epsilon$ sits.

### Implement `adagrad_step`

Follow the course's optimizer interface: `adagrad_step(theta, grad, r, *, lr=0.01, eps=1e-7)` returns
the **pair** `(theta_new, r_new)`. `theta` may have any shape (a vector, a weight matrix, even a single
number as a 0-d array); `grad` and `r` have the same shape. Three things to get right:

* **Return the new sum** `r_new`: the training loop passes it back at the next step. It is AdaGrad's
  whole memory.
* **One sum per parameter**: `r + grad ** 2` element-wise. Do not sum the squares over the parameters
  (`np.sum`, `grad @ grad`): that would give every parameter the same learning rate again.
* **Do not modify the arguments** (no `r += ...`): compute new arrays.

It is good practice, though not checked here, to refuse a `grad` or `r` whose shape differs from
`theta`'s with a `ValueError`: NumPy would otherwise broadcast a `(3,)` array against a `(3, 1)` one
into a `(3, 3)` result without complaint.
"""),
    solution("adagrad_step", r'''
def adagrad_step(theta, grad, r, *, lr=0.01, eps=1e-7):
    """One step of AdaGrad.

    Parameters
    ----------
    theta : ndarray of any shape
        The current parameters.
    grad : ndarray of the shape of ``theta``
        The gradient of the loss at ``theta``.
    r : ndarray of the shape of ``theta``
        The sum of the squared gradients of all previous steps (zeros before the first step).
    lr : float
        The global learning rate.
    eps : float
        A small positive constant added to ``sqrt(r)``, outside the square root.

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
        The parameters after the step.
    r_new : ndarray of the shape of ``theta``
        The new sum of squared gradients, ``r + grad**2``.

    Raises
    ------
    ValueError
        If ``grad`` or ``r`` does not have the shape of ``theta``.

    Notes
    -----
    Element-wise: r_new = r + grad**2 and theta_new = theta - lr * grad / (eps + sqrt(r_new)).
    """
    ### BEGIN SOLUTION
    theta = np.asarray(theta, dtype=float)
    grad = np.asarray(grad, dtype=float)
    r = np.asarray(r, dtype=float)
    if grad.shape != theta.shape or r.shape != theta.shape:
        raise ValueError(f"grad and r must have the shape of theta, {theta.shape}; "
                         f"got {grad.shape} and {r.shape}")
    r_new = r + grad * grad
    theta_new = theta - lr * grad / (eps + np.sqrt(r_new))
    return theta_new, r_new
    ### END SOLUTION
'''),
    graded_test("adagrad_step", 2, "adagrad_step: the worked numbers, first steps of about lr, the shrinking steps lr / sqrt(k), shapes and untouched inputs.", r"""
result = adagrad_step(np.array([1.0, -2.0]), np.array([3.0, -4.0]), np.array([16.0, 9.0]), lr=0.5)
assert_type(result, (tuple, list), length=2, what="adagrad_step(...) (return a pair: `return theta_new, r_new`)")
theta, r = result
assert_close(r, [25.0, 25.0], what="r after adding grad**2 = [9, 16]")
assert_close(theta, [0.7, -1.6], what="theta after the step (1 - 0.5 * 3/5 and -2 + 0.5 * 4/5)")

# From r = 0 every parameter moves by about lr whatever the size of its gradient (exactly
# lr * |g| / (eps + |g|)); a zero gradient does not move. With eps inside the square root, the
# gradient 1e-4 would move by only 0.30 * lr (see "Where the epsilon goes").
grad = np.array([1e-4, -0.5, 30.0, -4000.0, 0.0])
theta, r = adagrad_step(np.zeros(5), grad, np.zeros(5), lr=0.01)
assert_close(r, grad**2, what="r after a first step from r = 0")
assert_close(theta, -0.01 * grad / (1e-7 + np.abs(grad)), what="theta after a first step from r = 0, lr = 0.01")

# Under a constant gradient step k has the size lr / sqrt(k): AdaGrad's shrinking step.
theta, r = np.array([0.0]), np.zeros(1)
for k in range(1, 6):
    new_theta, r = adagrad_step(theta, np.array([2.0]), r, lr=0.1)
    assert_close(theta - new_theta, [0.1 / np.sqrt(k)], what=f"the size of step {k} under a constant gradient")
    theta = new_theta

# A (3, 2) weight matrix: the shapes are kept and the arguments are left as they were.
rng = np.random.default_rng(0)
theta0, grad0, r0 = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.uniform(0.0, 2.0, size=(3, 2))
copies = theta0.copy(), grad0.copy(), r0.copy()
theta, r = adagrad_step(theta0, grad0, r0, lr=0.05)
assert_shape(theta, (3, 2), what="theta_new")
assert_shape(r, (3, 2), what="r_new")
for before, after, name in zip(copies, (theta0, grad0, r0), ("theta", "grad", "r")):
    assert_unchanged(before, after, what=name)
"""),
    markdown("rmsprop_intro", r"""
## 3. RMSProp: a moving average that forgets

RMSProp (proposed by Geoffrey Hinton in a 2012 lecture) keeps AdaGrad's division but replaces the sum
by an **exponential moving average** of the squared gradients, with a decay rate $\rho$ (`rho`, 0.9 by
default):

$$
r_t = \rho\, r_{t-1} + (1 - \rho)\, g_t^2, \qquad
\theta_t = \theta_{t-1} - \frac{\eta}{\epsilon + \sqrt{r_t}}\, g_t, \qquad r_0 = 0 .
$$

The update of $\theta$ is AdaGrad's, epsilon outside the root included; only $r$ changes.

**What it does.**

* *It forgets.* Unrolled, $r_t = (1-\rho)\left(g_t^2 + \rho\, g_{t-1}^2 + \rho^2 g_{t-2}^2 + \dots\right)$:
  a square $k$ steps old has weight $(1 - \rho)\rho^k$, so $r$ mostly reflects the last
  $1/(1 - \rho)$ steps (10 for $\rho = 0.9$). Where AdaGrad's steps shrink for good, RMSProp's recover
  when the gradients get smaller: $\sqrt{r_t}$ is the root mean square (RMS) of the *recent* gradients,
  hence the name.
* *Steps of about $\eta$.* Dividing by the RMS of recent gradients makes the typical step about $\eta$,
  whatever the scale of the gradient. Near a minimum the gradients shrink, $r$ shrinks with them, and
  the steps do *not* shrink: with a constant $\eta$, RMSProp keeps hopping around a minimum at a
  distance of order $\eta$ (the widget shows it). In practice $\eta$ is lowered during training.
* *The factor $(1 - \rho)$ matters.* It makes $r$ an average: the weights
  $(1 - \rho)(1 + \rho + \rho^2 + \dots)$ sum to 1. Without it, $r$ grows to about $1/(1 - \rho)$
  times the squared gradients, ten times for $\rho = 0.9$, and every step is $\sqrt{10} \approx 3.2$ times
  too short.
* *No bias correction.* $r$ starts at 0, so the first averages are too small and the first steps too
  long: $r_1 = (1 - \rho)\, g_1^2$ and the first step has size
  $\eta\, |g_1| / \sqrt{(1-\rho)\, g_1^2} = \eta / \sqrt{1 - \rho}$, that is $3.16\,\eta$ for
  $\rho = 0.9$. Under a constant gradient $r_k = (1 - \rho^k)\, g^2$ and step $k$ has size
  $\eta / \sqrt{1 - \rho^k}$: $3.16\,\eta$, $2.29\,\eta$, $1.92\,\eta$, ..., $1.24\,\eta$ at step 10,
  settling at $\eta$. Adam (next section) removes this start-up effect.

### Worked numbers

$\theta = [1, -2]$, $g = [3, 0.5]$, $r = [0, 2.25]$, $\eta = 0.1$ and $\rho = 0.75$:

$$
r_{\text{new}} = 0.75 \cdot [0, 2.25] + 0.25 \cdot [9, 0.25] = [2.25,\; 1.6875 + 0.0625] = [2.25, 1.75],
$$

$$
\theta_{\text{new}} = \left[1 - 0.1 \cdot \tfrac{3}{1.5},\;\; -2 - 0.1 \cdot \tfrac{0.5}{\sqrt{1.75}}\right]
= [0.8,\; -2.0378] .
$$

The first parameter had $r = 0$: its first step is $0.1 \cdot 3 / \sqrt{0.25 \cdot 9} = 0.2 = \eta / \sqrt{1 - 0.75}$,
twice $\eta$.

### Implement `rmsprop_step`

`rmsprop_step(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7)` returns `(theta_new, r_new)`, with the
same rules as `adagrad_step`: the new average returned, element-wise operations, epsilon outside the
square root, arguments untouched. The classic slip is to keep AdaGrad's running sum, `r + grad ** 2`.
"""),
    solution("rmsprop_step", r'''
def rmsprop_step(theta, grad, r, *, lr=0.001, rho=0.9, eps=1e-7):
    """One step of RMSProp.

    Parameters
    ----------
    theta : ndarray of any shape
        The current parameters.
    grad : ndarray of the shape of ``theta``
        The gradient of the loss at ``theta``.
    r : ndarray of the shape of ``theta``
        The moving average of the squared gradients returned by the previous step
        (zeros before the first step).
    lr : float
        The global learning rate.
    rho : float
        The decay of the moving average, in [0, 1).
    eps : float
        A small positive constant added to ``sqrt(r)``, outside the square root.

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
        The parameters after the step.
    r_new : ndarray of the shape of ``theta``
        The new moving average, ``rho * r + (1 - rho) * grad**2``.

    Raises
    ------
    ValueError
        If ``grad`` or ``r`` does not have the shape of ``theta``.

    Notes
    -----
    Element-wise: r_new = rho * r + (1 - rho) * grad**2 and
    theta_new = theta - lr * grad / (eps + sqrt(r_new)).
    """
    ### BEGIN SOLUTION
    theta = np.asarray(theta, dtype=float)
    grad = np.asarray(grad, dtype=float)
    r = np.asarray(r, dtype=float)
    if grad.shape != theta.shape or r.shape != theta.shape:
        raise ValueError(f"grad and r must have the shape of theta, {theta.shape}; "
                         f"got {grad.shape} and {r.shape}")
    r_new = rho * r + (1.0 - rho) * grad * grad
    theta_new = theta - lr * grad / (eps + np.sqrt(r_new))
    return theta_new, r_new
    ### END SOLUTION
'''),
    graded_test("rmsprop_step", 2, "rmsprop_step: the worked numbers, a first step of lr / sqrt(1 - rho), steps settling at lr, shapes and untouched inputs.", r"""
result = rmsprop_step(np.array([1.0, -2.0]), np.array([3.0, 0.5]), np.array([0.0, 2.25]), lr=0.1, rho=0.75)
assert_type(result, (tuple, list), length=2, what="rmsprop_step(...) (return a pair: `return theta_new, r_new`)")
theta, r = result
assert_close(r, [2.25, 1.75], what="r = 0.75 * r + 0.25 * grad**2")
assert_close(theta, [0.8, -2.0 - 0.1 * 0.5 / np.sqrt(1.75)], what="theta after the step")

# No bias correction: from r = 0 every parameter moves by lr / sqrt(1 - rho), about 3.16 * lr for the
# default rho = 0.9, whatever the size of its gradient, against its sign; a zero gradient does not move.
grad = np.array([0.5, -2.0, 300.0, 0.0])
theta, r = rmsprop_step(np.zeros(4), grad, np.zeros(4), lr=0.01)
assert_close(r, 0.1 * grad**2, what="r after a first step from r = 0 (rho = 0.9)")
assert_close(theta, -0.01 / np.sqrt(0.1) * np.sign(grad), rtol=1e-4, what="theta after a first step, lr = 0.01")

# The average forgets its start at zero: under a constant gradient step k has the size
# lr / sqrt(1 - rho**k), which settles at lr.
theta, r = np.array([0.0]), np.zeros(1)
for k in range(1, 8):
    new_theta, r = rmsprop_step(theta, np.array([-3.0]), r, lr=0.1, rho=0.5)
    assert_close(new_theta - theta, [0.1 / np.sqrt(1 - 0.5**k)], what=f"the size of step {k} under a constant gradient")
    theta = new_theta

rng = np.random.default_rng(1)
theta0, grad0, r0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.uniform(0.0, 2.0, size=(2, 3))
copies = theta0.copy(), grad0.copy(), r0.copy()
theta, r = rmsprop_step(theta0, grad0, r0, lr=0.05, rho=0.8)
assert_shape(theta, (2, 3), what="theta_new")
assert_shape(r, (2, 3), what="r_new")
for before, after, name in zip(copies, (theta0, grad0, r0), ("theta", "grad", "r")):
    assert_unchanged(before, after, what=name)
"""),
    code("prediction_widget_2", r"""
predict("06-uncorrected-first-step")
"""),
    markdown("adam_intro", r"""
## 4. Adam: momentum, RMSProp and a bias correction

Adam (Kingma and Ba, 2015) keeps **two** moving averages per parameter: the gradients themselves, as
in the moving-average form of momentum (lesson 05), and their squares, as in RMSProp:

$$
m_t = \beta_1\, m_{t-1} + (1 - \beta_1)\, g_t, \qquad
v_t = \beta_2\, v_{t-1} + (1 - \beta_2)\, g_t^2, \qquad m_0 = v_0 = 0,
$$

with $\beta_1 = 0.9$ (a memory of about 10 steps) and $\beta_2 = 0.999$ (about 1,000 steps) by
default. It then **corrects** both for their start at zero and steps:

$$
\hat m_t = \frac{m_t}{1 - \beta_1^{\,t}}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^{\,t}}, \qquad
\theta_t = \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} .
$$

Here $t$ is the **number of the step**: 1 at the first step, 2 at the second, and so on. It appears as
an exponent, so it must be exactly right.

### Why the bias correction

Both averages start at 0, and a moving average that starts at 0 is too small for a while. Unrolled,
$m_t = (1 - \beta_1)\left(g_t + \beta_1 g_{t-1} + \dots + \beta_1^{t-1} g_1\right)$: the weights
$(1 - \beta_1)\beta_1^k$ of the $t$ gradients seen so far sum to $(1 - \beta_1)(1 + \beta_1 + \dots +
\beta_1^{t-1}) = 1 - \beta_1^t$, not 1. Dividing by that sum turns $m_t$ into a true weighted average;
the same holds for $v_t$ with $\beta_2$.

*Check it with numbers.* On the first step, with the defaults:

* $m_1 = 0.1\, g$ and $v_1 = 0.001\, g^2$.
* **Without** correction the step would be $\eta \cdot \dfrac{0.1\, |g|}{\sqrt{0.001}\, |g|} =
  \eta \cdot \dfrac{0.1}{0.0316} = 3.16\, \eta$ for every parameter: more than three times too long.
  It gets worse before it gets better: under a constant gradient the uncorrected step is
  $\eta\,(1 - \beta_1^t) / \sqrt{1 - \beta_2^t}$, because $m$ fills up ten times faster than $v$; it
  climbs to about $6.57\,\eta$ at step 12, is still $3.24\,\eta$ at step 100, and falls to $1.26\,\eta$
  only by step 1000, the memory of $v$.
* **With** correction, $\hat m_1 = 0.1\,g / (1 - 0.9) = g$ and $\hat v_1 = 0.001\, g^2 / (1 - 0.999) =
  g^2$, so the step is $\eta\, g / (|g| + \epsilon)$: **about $\eta$ for every parameter, whatever the
  scale of its gradient.** For $g = [10^{-3}, -5, 200]$ and $\eta = 0.01$, $\theta$ moves from
  $[0, 0, 0]$ to $[-0.01, 0.01, -0.01]$ (the first entry to $-0.0099999$: $\epsilon$ takes its share
  of a gradient of $10^{-3}$).
* Second step, same gradient: $m_2 = 0.9 \cdot 0.1 g + 0.1 g = 0.19\, g$ and $1 - 0.9^2 = 0.19$, so
  $\hat m_2 = g$ again; likewise $v_2 = 0.001999\, g^2 = (1 - 0.999^2)\, g^2$. Under a constant gradient
  *every* Adam step has the size $\eta$.

*A step to check by hand* (with unusual betas, so that the corrections are easy numbers):
$\theta = [1, -1]$, $g = [1, -2]$, $m = [0.5, -1]$, $v = [5, 20]$, $t = 2$, $\eta = 0.2$,
$\beta_1 = \beta_2 = 0.5$. Then $m_{\text{new}} = [0.75, -1.5]$ and $v_{\text{new}} = [3, 12]$; both
corrections divide by $1 - 0.5^2 = 0.75$, giving $\hat m = [1, -2]$ and $\hat v = [4, 16]$; the step is
$0.2 \cdot [1/2, -2/4] = [0.1, -0.1]$ and $\theta_{\text{new}} = [0.9, -0.9]$.

### What the step means

$\hat m / \sqrt{\hat v}$ compares the **mean** of the recent gradients with their **root mean
square**. When the gradients of a parameter agree (a clear slope), the two are about equal and the
step is about $\eta$. When they keep changing sign (noise, or a zigzag across a valley), the mean is
small compared with the RMS and the step is short. So Adam takes confident steps along consistent
directions and cautious ones in noisy directions, each parameter on its own scale: momentum and
RMSProp in one rule.

### Three details to get right

* **`t` is counted by the caller.** The training loop passes `t = 1` at the first call, `t = 2` at the
  next, and so on; `adam_step` uses it as it is, and does not add 1 to it (that would apply the
  correction of the next step). Since steps are counted from 1, a `t` below 1 is a mistake in the
  caller, and at `t = 0` the correction would divide by $1 - \beta^0 = 0$: **raise a `ValueError`**
  for `t < 1`.
* **Return the uncorrected averages.** `m_new` and `v_new` are what the next step needs; the corrected
  $\hat m$ and $\hat v$ are used only for this step's update. (Returning $\hat m$ would correct it twice at
  the next step.)
* **Epsilon after the correction, outside the root:** $\sqrt{\hat v_t} + \epsilon$, as in
  `torch.optim.Adam`. The Adam paper also gives a compact form,
  $\theta_t = \theta_{t-1} - \eta_t\, m_t / (\sqrt{v_t} + \hat\epsilon)$ with
  $\eta_t = \eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)$, which Keras uses: its $\hat\epsilon$ is added
  *before* the correction, and equals our $\epsilon$ times $\sqrt{1 - \beta_2^t}$. At $t = 1$ that
  factor is $\sqrt{0.001} = 0.032$, so Keras's default $\hat\epsilon = 10^{-7}$ acts like
  $\epsilon = 3.2 \times 10^{-6}$ in our formula, and like $10^{-7}$ only after thousands of steps. As
  before, the difference shows only for tiny gradients.

### Implement `adam_step`

`adam_step(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8)` returns the
**three** arrays `(theta_new, m_new, v_new)`, each of the shape of `theta`, and leaves its arguments
unchanged.
"""),
    solution("adam_step", r'''
def adam_step(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of Adam.

    Parameters
    ----------
    theta : ndarray of any shape
        The current parameters.
    grad : ndarray of the shape of ``theta``
        The gradient of the loss at ``theta``.
    m : ndarray of the shape of ``theta``
        The moving average of the gradients returned by the previous step, not
        bias-corrected (zeros before the first step).
    v : ndarray of the shape of ``theta``
        The moving average of the squared gradients returned by the previous step, not
        bias-corrected (zeros before the first step).
    t : int
        The number of this step: 1 for the first call, 2 for the second, ...
    lr : float
        The learning rate.
    beta1, beta2 : float
        The decays of the two moving averages, in [0, 1).
    eps : float
        A small positive constant added to ``sqrt(v_hat)``, after the bias correction.

    Returns
    -------
    theta_new : ndarray of the shape of ``theta``
        The parameters after the step.
    m_new : ndarray of the shape of ``theta``
        ``beta1 * m + (1 - beta1) * grad``, not bias-corrected.
    v_new : ndarray of the shape of ``theta``
        ``beta2 * v + (1 - beta2) * grad**2``, not bias-corrected.

    Raises
    ------
    ValueError
        If ``t < 1``, or if ``grad``, ``m`` or ``v`` does not have the shape of ``theta``.

    Notes
    -----
    m_hat = m_new / (1 - beta1**t), v_hat = v_new / (1 - beta2**t) and
    theta_new = theta - lr * m_hat / (sqrt(v_hat) + eps).
    """
    ### BEGIN SOLUTION
    if t < 1:
        raise ValueError(f"t is the number of this step, 1 on the first call; got t = {t}")
    theta = np.asarray(theta, dtype=float)
    grad = np.asarray(grad, dtype=float)
    m = np.asarray(m, dtype=float)
    v = np.asarray(v, dtype=float)
    if grad.shape != theta.shape or m.shape != theta.shape or v.shape != theta.shape:
        raise ValueError(f"grad, m and v must have the shape of theta, {theta.shape}; "
                         f"got {grad.shape}, {m.shape} and {v.shape}")
    m_new = beta1 * m + (1.0 - beta1) * grad
    v_new = beta2 * v + (1.0 - beta2) * grad * grad
    m_hat = m_new / (1.0 - beta1**t)
    v_hat = v_new / (1.0 - beta2**t)
    theta_new = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta_new, m_new, v_new
    ### END SOLUTION
'''),
    graded_test("adam_step", 3, "adam_step: first and second steps of about lr, uncorrected averages returned, the hand-checked step, t < 1 refused, shapes and untouched inputs.", r"""
grad = np.array([1e-3, -5.0, 200.0, 0.0])
result = adam_step(np.zeros(4), grad, np.zeros(4), np.zeros(4), 1, lr=0.01)
assert_type(result, (tuple, list), length=3, what="adam_step(...) (return three arrays: `return theta_new, m_new, v_new`)")
theta1, m, v = result
assert_close(m, 0.1 * grad, what="m after the first step (0.1 * grad, not bias-corrected)")
assert_close(v, 0.001 * grad**2, what="v after the first step (0.001 * grad**2, not bias-corrected)")
# Thanks to the bias correction the first step is about lr for every parameter, whatever the size of
# its gradient (without it, 0.1 / sqrt(0.001) = 3.16 times lr); a zero gradient does not move.
assert_close(theta1, -0.01 * np.sign(grad), rtol=1e-3, what="theta after the first step, lr = 0.01")
# The second step (t = 2) with the same gradient moves every parameter by lr again.
theta2, m, v = adam_step(theta1, grad, m, v, 2, lr=0.01)
assert_close(m, 0.19 * grad, what="m after the second step")
assert_close(theta2 - theta1, -0.01 * np.sign(grad), rtol=1e-3, what="the second step")

# The step checked by hand in the lesson: beta1 = beta2 = 0.5, t = 2, m_hat = [1, -2], v_hat = [4, 16].
theta, m, v = adam_step(np.array([1.0, -1.0]), np.array([1.0, -2.0]), np.array([0.5, -1.0]),
                        np.array([5.0, 20.0]), 2, lr=0.2, beta1=0.5, beta2=0.5)
assert_close(m, [0.75, -1.5], what="m_new (0.5 * m + 0.5 * grad)")
assert_close(v, [3.0, 12.0], what="v_new (0.5 * v + 0.5 * grad**2)")
assert_close(theta, [0.9, -0.9], what="theta after the hand-checked step")
# Adam steps with the average m_hat, not the gradient: with grad = 0, m_hat = 0.75 / 0.75 = 1 still moves theta.
theta, m, v = adam_step(np.array([1.0]), np.array([0.0]), np.array([1.5]), np.array([6.0]), 2, lr=0.2,
                        beta1=0.5, beta2=0.5)
assert_close(theta, [0.9], what="theta after a step with grad = 0, m = 1.5, v = 6 (m_hat = 1, v_hat = 4)")

# Steps are counted from 1: t = 0 is refused.
assert_raises(ValueError, adam_step, np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2), 0, lr=0.1,
              what="adam_step(..., t=0) (t is 1 on the first call)")

rng = np.random.default_rng(2)
theta0, grad0, m0, v0 = (rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)),
                         rng.uniform(0.0, 2.0, size=(3, 2)))
copies = theta0.copy(), grad0.copy(), m0.copy(), v0.copy()
theta, m, v = adam_step(theta0, grad0, m0, v0, 5, lr=0.05)
for value, name in ((theta, "theta_new"), (m, "m_new"), (v, "v_new")):
    assert_shape(value, (3, 2), what=name)
for before, after, name in zip(copies, (theta0, grad0, m0, v0), ("theta", "grad", "m", "v")):
    assert_unchanged(before, after, what=name)
"""),
    markdown("bias_correction_figure_intro", r"""
The figure shows what the correction does over a whole run. Under a constant gradient it draws the size
of **your** `adam_step`'s steps, in units of $\eta$ (flat at 1), and the uncorrected step
$\eta\,(1 - \beta_1^t)/\sqrt{1 - \beta_2^t}$ with the default betas. The uncorrected step starts at
$3.16\,\eta$ and climbs while $m$ fills up faster than $v$. It peaks near step 12 and takes about a
thousand steps, the memory of $v$, to come back to $\eta$.
"""),
    code("bias_correction_demo", r"""
bias_correction_figure(adam_step)
"""),
    markdown("widget_intro", r"""
## 5. The race on three surfaces

The widget runs five update rules for 100 steps from the same point with the **same learning rate**:
plain gradient descent and classical momentum 0.9 (written out in the widget), and **your**
`adagrad_step`, `rmsprop_step` and `adam_step` with their default hyperparameters. The left panel
shows the paths over the contours of the loss, the middle one the loss above the minimum after every
step (log scale), and the right ones the **effective learning rate** of each parameter, the factor
that multiplies its gradient: $\eta / (\epsilon + \sqrt{r})$ for AdaGrad and RMSProp,
$\eta / (\sqrt{\hat v} + \epsilon)$ for Adam (which multiplies $\hat m$), and $\eta$ itself for
gradient descent.

The three surfaces, all drawn in the same window:

* **Narrow valley**, $\tfrac12(0.1\,x^2 + 10\,y^2)$, the example of section 1, from $(-1.8, 1)$.
* **Saddle**, $\tfrac12 x^2 + \tfrac14 (y^2 - 1)^2$: a ridge along $y = 0$ with a saddle point at the
  origin and two minima at $(0, \pm 1)$. The runs start at $(1.8, 10^{-6})$, a hair off the ridge, where
  the gradient along $y$ is about $10^{-6}$.
* **Rosenbrock's banana**, $(1 - x)^2 + 10\,(y - x^2)^2$, a curved valley with its minimum at $(1, 1)$,
  from $(-1.2, 1)$. (The classic version has 100 instead of 10 and needs thousands of steps.)

Answer each question for yourself before you run it in the widget, then open the answer:

1. *Narrow valley, learning rate 0.1.* Which rule reaches the minimum first? Compare the effective
   learning rates the adaptive methods give $x$, the flat direction, and $y$, the steep one: which is
   larger, and by about how much?

   <details><summary>What you should see, and why</summary>

   Gradient descent drops to the valley floor at once and then crawls along it; Adam heads for the
   minimum. The adaptive methods give $x$ a rate about fifty times larger than $y$'s: each divides
   by the size of its own gradients, and the ratio of the starting gradients is $10 / 0.18 = 56$.
   AdaGrad's rates, though, fall as $r$ grows, so it slows down before arriving.

   </details>

2. *Saddle.* The runs start a hair off the ridge, where the gradient along $y$ is about $10^{-6}$.
   Which rules leave the saddle within the 100 steps?

   <details><summary>What you should see, and why</summary>

   Gradient descent multiplies the tiny $y$ by about $1 + \eta$ per step and sits at the saddle for
   the whole run (the loss plateau at 0.25). The adaptive methods divide that tiny gradient by its own
   tiny size: their effective rate for $y$ starts near $10^{5}$ and they leave the ridge at once.

   </details>

3. *Rosenbrock at 0.1, then at 0.01.* The gradient at the start has size 27. Which rules survive the
   larger rate, and which ones crawl at the smaller?

   <details><summary>What you should see, and why</summary>

   At 0.1 gradient descent and momentum diverge within a few steps: their step is $\eta$ times a
   gradient of size 27 at the start, and more on the valley's walls. The adaptive methods move about
   $\eta$ per step whatever the gradient, and follow the curve. At 0.01 gradient descent and momentum
   behave, and the adaptive methods crawl. **The same number means different things**: for gradient
   descent a factor on the gradient, for the adaptive methods a step length.

   </details>

4. Near a minimum, with a constant learning rate, do RMSProp's steps shrink? Does Adam's?

   <details><summary>What you should see, and why</summary>

   RMSProp's do not: it divides the gradient by its own recent size, so its step stays near $\eta$
   however small the gradient gets, and its loss jumps up and down. Adam's average of the gradients
   ($\hat m$) damps that: opposite gradients cancel in it.

   </details>
"""),
    code("widget", r"""
adaptive_race_widget(adagrad_step, rmsprop_step, adam_step)
"""),
    markdown("demo_intro", r"""
## 6. On real data: the digits

The demo trains a small network (64 inputs, 32 hidden ReLU units, 10 classes) on the 8×8 handwritten
digits that ship with scikit-learn (1,348 training and 449 test images, no download) for 10 epochs
with mini-batches of 32, five times from the same starting weights: plain SGD, momentum 0.9, and
**your** `adagrad_step`, `rmsprop_step` and `adam_step`. It takes a few seconds.

**Choosing the learning rates.** Each update rule needs its own. We ran the grid below once, ahead of
time, with correct implementations (it takes minutes, too long for this notebook): the training loss
(cross-entropy in nats) after 10 epochs, for each learning rate.

| learning rate | 0.0003 | 0.001 | 0.003 | 0.01 | 0.03 | 0.1 | 0.3 | 1 | 3 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| SGD | 2.27 | 2.18 | 2.01 | 1.37 | 0.51 | 0.18 | 0.09 | 0.06 | 2.35 |
| momentum 0.9 | 2.01 | 1.40 | 0.52 | 0.18 | 0.09 | 0.09 | 0.17 | 2.03 | 2.49 |
| AdaGrad | 2.19 | 1.94 | 1.28 | 0.37 | 0.13 | 0.08 | 0.06 | 0.24 | 1.75 |
| RMSProp | 1.28 | 0.32 | 0.10 | 0.05 | 0.03 | 0.25 | 2.59 | 3.05 | 5.97 |
| Adam | 1.21 | 0.35 | 0.11 | 0.07 | 0.03 | 0.10 | 2.33 | 2.39 | 2.54 |

Every rule has a good range about one to one and a half decades wide, and the ranges sit in different
places: SGD wants 0.1 to 1, RMSProp and Adam 0.003 to 0.03. The adaptive methods are not free of tuning;
their learning rate is simply on another scale, a step length per parameter, where SGD's multiplies
gradients that are here around 0.01 per parameter. The demo gives each rule the middle (on a log
scale) of the range where its loss ends below 0.2: SGD 0.3, momentum 0.03, AdaGrad 0.1, RMSProp 0.01,
Adam 0.01.

With each rule at its own good rate, which one do you expect to reach the best test accuracy?

<details><summary>What you should see, and why</summary>

All five end near 95% test accuracy: on a problem this small, a well-tuned SGD is hard to beat.

</details>

The lesson is in the right panel, the effective learning rates of the network's parameters
during training (the median, and the band where the middle half of them lie; parameters whose
gradient has always been zero, such as the weights of pixels that are blank in every image, are left
out). AdaGrad's median drops sharply over the first steps and then keeps creeping down; RMSProp's and
Adam's dip, then rise as the gradients shrink (they forget the large gradients of the start). The
middle half of the parameters spans about an order of magnitude, and the medians settle between 1 and
3: for RMSProp and Adam, more than a hundred times their learning rate of 0.01. Each parameter ends up
with its own rate, around and a little above the top of SGD's good range (0.1 to 1), found without
being told.
"""),
    code("demo", r"""
demo(adagrad_step, rmsprop_step, adam_step)
"""),
    markdown("adamw_intro", r"""
## 7. AdamW: weight decay that Adam does not rescale

Lesson 07 regularizes with an **L2 penalty** $\tfrac{\lambda}{2}\lVert\theta\rVert^2$ added to the loss.
Its gradient is $\lambda\theta$, so with plain gradient descent each step becomes

$$
\theta \leftarrow \theta - \eta(g + \lambda\theta) = (1 - \eta\lambda)\,\theta - \eta g :
$$

every weight shrinks by the same factor $1 - \eta\lambda$ per step before the data's step. That is why
L2 regularization is also called **weight decay**: with gradient descent the two are the same thing.

**With Adam they are not.** Add $\lambda\theta$ to the gradient and it goes into $m$ and $v$ like the
rest, so the decay, too, is divided by $\sqrt{\hat v}$:

* a weight whose data gradients are **large** has a large $\sqrt{\hat v}$, and its decay
  $\lambda\theta / \sqrt{\hat v}$ almost vanishes: it is hardly regularized;
* a weight whose data gradients are **tiny** has a $\sqrt{\hat v}$ made mostly of the decay itself, so
  the decay gets a full Adam step of about $\eta$ per step, far more than $\eta\lambda\theta$: it is
  driven to 0.

The same $\lambda$ regularizes each weight by a different amount, set by its gradients, which is not
what anyone asked for. (This is what `torch.optim.Adam(weight_decay=...)` and Keras's `Adam` with an L2
regularizer do.)

**AdamW** (Loshchilov and Hutter, *Decoupled Weight Decay Regularization*, 2019) takes the decay out of
the gradient. $m$ and $v$ are Adam's, computed from the gradient alone, and the weights are shrunk
separately:

$$
\theta_t = (1 - \eta\lambda)\,\theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} .
$$

This is `torch.optim.AdamW` exactly: it multiplies the parameters by $1 - \eta\lambda$ (the decay scaled
by the learning rate), then takes the Adam step. Its default is $\lambda = 0.01$. AdamW is today's
default optimizer for training transformers.

*Worked numbers.* With a zero gradient from $m = v = 0$, only the decay acts: $\theta = [2, -4]$,
$\eta = 0.1$, $\lambda = 0.5$ give $[1.9, -3.8]$. With $\theta = [1, -2]$, $g = [0.5, 3]$, $t = 1$,
$\eta = 0.1$, $\lambda = 0.1$: the decay makes $[0.99, -1.98]$, the Adam step moves each weight by
about $\eta$ against its gradient's sign, and the result is about $[0.89, -2.08]$.

Implement `adamw_step(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
weight_decay=0.01)`. It takes and returns what `adam_step` does, `(theta_new, m_new, v_new)`, and
refuses a negative `weight_decay` (and `t < 1`) with a `ValueError`. You may call your `adam_step`;
decay the **old** `theta`, the one the step starts from.
"""),
    solution("adamw_step", r'''
def adamw_step(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """One step of AdamW: theta * (1 - lr * weight_decay) minus Adam's step.

    Parameters
    ----------
    theta, grad, m, v, t, lr, beta1, beta2, eps
        As for adam_step.
    weight_decay : float >= 0
        The decay rate lambda.

    Returns
    -------
    theta_new, m_new, v_new : ndarrays of the shape of theta (m and v as Adam's, not bias-corrected)
    """
    ### BEGIN SOLUTION
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
    theta = np.asarray(theta, dtype=float)
    stepped, m_new, v_new = adam_step(theta, grad, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return stepped - lr * weight_decay * theta, m_new, v_new
    ### END SOLUTION
'''),
    graded_test("adamw_step", 3, "adamw_step: the decay alone, the worked first step, moments untouched by the decay, weight_decay 0, refused arguments.", r"""
result = adamw_step(np.array([2.0, -4.0]), np.zeros(2), np.zeros(2), np.zeros(2), 1, lr=0.1, weight_decay=0.5)
assert_type(result, (tuple, list), length=3, what="adamw_step(...) (return `theta_new, m_new, v_new`)")
assert_close(result[0], [1.9, -3.8], what="theta after a zero gradient from rest (theta * (1 - lr * weight_decay))")
theta = np.array([1.0, -2.0])
grad = np.array([0.5, 3.0])
before = theta.copy()
theta1, m, v = adamw_step(theta, grad, np.zeros(2), np.zeros(2), 1, lr=0.1, weight_decay=0.1)
# First step: the decay (0.99 * theta), then Adam's step of lr against each gradient's sign (eps takes its share).
assert_close(theta1, 0.99 * theta - 0.1 * grad / (np.abs(grad) + 1e-8), what="theta after the worked first step")
assert_close(m, 0.1 * grad, what="m after the first step (the gradient's average: the decay never enters it)")
assert_close(v, 0.001 * grad**2, what="v after the first step (the squared gradient's average only)")
assert_unchanged(before, theta, what="theta")
# weight_decay = 0 is Adam: the worked second step of adam_step, written out.
theta2, _, _ = adamw_step(np.array([1.0, -1.0]), np.array([1.0, -2.0]), np.array([0.5, -1.0]),
                          np.array([5.0, 20.0]), 1, lr=0.1, beta1=0.5, beta2=0.5, weight_decay=0.0)
m_hat, v_hat = np.array([0.75, -1.5]) / 0.5, np.array([3.0, 12.0]) / 0.5
assert_close(theta2, np.array([1.0, -1.0]) - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8), what="theta with weight_decay 0 (Adam's step)")
assert_raises(ValueError, adamw_step, np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2), 1, weight_decay=-0.1,
              what="adamw_step with weight_decay -0.1")
assert_raises(ValueError, adamw_step, np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2), 0, what="adamw_step with t = 0")
"""),
    markdown("weight_decay_demo_intro", r"""
The demo puts the two kinds of decay side by side. Three weights start at 1. Their data gradients
alternate in sign from step to step, so on average the data has nothing to say about them, and only the
decay should move them. The three have gradients of very different sizes: 10, 0.1 and 0.001. Each
method runs 1,000 steps with $\eta = 0.01$ and $\lambda = 0.1$:

* **left**: **your** `adam_step` fed `grad + lambda * theta` (L2 inside Adam);
* **right**: **your** `adamw_step` with `weight_decay=0.1`.

The dotted line is the uniform decay $(1 - \eta\lambda)^t$, which reaches $e^{-1} \approx 0.37$ after
1,000 steps.
"""),
    code("prediction_widget_3", r"""
predict("06-l2-inside-adam")
"""),
    code("weight_decay_demo", r"""
weight_decay_demo(adam_step, adamw_step)
"""),
    markdown("schedules_intro", r"""
## 8. Learning-rate schedules and warmup

Every run so far kept one learning rate from the first step to the last. Nearly every real training
run changes it, for two reasons at the two ends of training.

**At the end: decay.** With mini-batches, every step follows a noisy gradient (lesson 03). Near a
minimum the true gradient is small, but the noise is not, so with a constant rate the parameters keep
jittering around the minimum in a cloud whose size grows with the learning rate. Lowering the rate late
in training shrinks the cloud, and the loss drops. Common shapes, as a function of the step $s$
(counted from 0) and the starting rate $\eta$:

* **step decay**: $\eta \cdot \text{drop}^{\lfloor s / \text{every} \rfloor}$. The rate is constant,
  then divided by 10 (`drop = 0.1`) every `every` steps; the classic recipe for ResNets divides it at
  epochs 30, 60 and 90. This is PyTorch's `StepLR`.
* **exponential decay**: $\eta\,\gamma^{s}$, the same factor $\gamma < 1$ every step ($\gamma = 0.99$ halves
  the rate about every 69 steps). This is PyTorch's `ExponentialLR`.
* **cosine decay** over $T$ steps: $\eta_{\min} + \tfrac12(\eta - \eta_{\min})\bigl(1 + \cos(\pi s / T)\bigr)$,
  then $\eta_{\min}$ once $s \ge T$. It is slow at first, fastest halfway and gentle at the end, with a
  single setting, its length. This is PyTorch's `CosineAnnealingLR` up to $T$ (PyTorch's then climbs
  back up; ours stays at $\eta_{\min}$).

**At the start: warmup.** **Linear warmup** raises the rate from $\eta / W$ to $\eta$ over the first $W$
steps, $\eta\,(s + 1)/W$ for $s < W$, and the decay starts from there. The course counts like this so that
the very first step already moves; some libraries start at exactly 0 instead. Why should the first steps be
small?

* With random weights the first gradients are large and point in unreliable directions. A big step
  there can throw the network into a region it never recovers from (dead units, saturated units, a
  loss stuck on a plateau).
* **Adam in particular.** Its step is $\eta\,\hat m / \sqrt{\hat v}$, a step of about $\eta$ per
  parameter *whatever the size of the gradient*, so a large, noisy early gradient is not tamed by
  being large. Worse, early on $\hat v$ is an average of very few squared gradients: at $t = 1$ it is
  exactly $g_1^2$, and the step is $\eta\,\operatorname{sign}(g_1)$ for every parameter, however noisy
  $g_1$ is. The bias correction fixes the *mean* of $\hat v$, not its spread, and $\hat v$ averages
  over about $1 / (1 - \beta_2) = 1000$ steps. A warmup keeps the steps small while $\hat v$ is still a
  poor estimate. (RAdam, Liu et al. 2020, measures that spread and corrects for it instead.)

The figure below draws the four schedules of this section with your functions, once they work.

Implement `step_decay(step, *, lr, every, drop=0.1)`, `exponential_decay(step, *, lr, gamma)`,
`cosine_decay(step, *, lr, total_steps, min_lr=0.0)` and `warmup_cosine(step, *, lr, warmup_steps,
total_steps, min_lr=0.0)`, each returning the learning rate of step `step` as a Python `float`. The
last is `lr * (step + 1) / warmup_steps` during the warmup, then your `cosine_decay` of
`step - warmup_steps` over `total_steps - warmup_steps` steps; with `warmup_steps = 0` it is plain
cosine decay. Refuse, with a `ValueError`: a negative step, `every < 1`, a `drop` or a `gamma`
outside $(0, 1]$, `total_steps < 1`, a `min_lr` outside $[0, \text{lr}]$, and `warmup_steps >= total_steps`.
"""),
    solution("step_decay", r'''
def step_decay(step, *, lr, every, drop=0.1):
    """lr * drop ** (step // every): constant, then multiplied by drop every `every` steps (step from 0)."""
    ### BEGIN SOLUTION
    if step < 0 or every < 1 or not 0 < drop <= 1:
        raise ValueError(f"need step >= 0, every >= 1 and 0 < drop <= 1; got {step}, {every}, {drop}")
    return float(lr * drop ** (step // every))
    ### END SOLUTION
'''),
    graded_test("step_decay", 1, "step_decay: the rate before, at and after each drop, and refused arguments.", r"""
rates = [step_decay(s, lr=0.1, every=10) for s in (0, 9, 10, 19, 20)]
assert_type(rates[0], float, what="step_decay(0, lr=0.1, every=10) (a Python float)")
assert_close(rates, [0.1, 0.1, 0.01, 0.01, 0.001], what="step_decay at steps 0, 9, 10, 19, 20 (lr 0.1, every 10)")
assert_close(step_decay(7, lr=0.5, every=3, drop=0.5), 0.125, what="step_decay(7, lr=0.5, every=3, drop=0.5)")
assert_raises(ValueError, step_decay, -1, lr=0.1, every=10, what="step_decay at step -1")
"""),
    solution("exponential_decay", r'''
def exponential_decay(step, *, lr, gamma):
    """lr * gamma ** step: the same factor gamma in (0, 1] every step (step from 0)."""
    ### BEGIN SOLUTION
    if step < 0 or not 0 < gamma <= 1:
        raise ValueError(f"need step >= 0 and 0 < gamma <= 1; got {step}, {gamma}")
    return float(lr * gamma ** step)
    ### END SOLUTION
'''),
    graded_test("exponential_decay", 1, "exponential_decay: halving every step, a slow decay, and refused arguments.", r"""
assert_close([exponential_decay(s, lr=1.0, gamma=0.5) for s in (0, 1, 2, 5)], [1.0, 0.5, 0.25, 0.03125],
             what="exponential_decay at steps 0, 1, 2, 5 (gamma 0.5)")
assert_close(exponential_decay(69, lr=1.0, gamma=0.99), 0.99**69, what="exponential_decay(69, lr=1, gamma=0.99)")
assert_raises(ValueError, exponential_decay, 3, lr=0.1, gamma=1.5, what="exponential_decay with gamma 1.5")
"""),
    solution("cosine_decay", r'''
def cosine_decay(step, *, lr, total_steps, min_lr=0.0):
    """From lr at step 0 to min_lr at step total_steps along half a cosine; min_lr afterwards."""
    ### BEGIN SOLUTION
    if step < 0 or total_steps < 1 or not 0 <= min_lr <= lr:
        raise ValueError(f"need step >= 0, total_steps >= 1 and 0 <= min_lr <= lr; got {step}, {total_steps}, "
                         f"{min_lr}")
    if step >= total_steps:
        return float(min_lr)
    return float(min_lr + 0.5 * (lr - min_lr) * (1 + np.cos(np.pi * step / total_steps)))
    ### END SOLUTION
'''),
    graded_test("cosine_decay", 2, "cosine_decay: the start, a quarter, the middle and the end, a floor, after the end, refused arguments.", r"""
assert_close([cosine_decay(s, lr=1.0, total_steps=100) for s in (0, 25, 50, 100)],
             [1.0, (1 + np.cos(np.pi / 4)) / 2, 0.5, 0.0], what="cosine_decay at steps 0, 25, 50, 100 (100 steps)")
assert_close(cosine_decay(10, lr=0.1, total_steps=20, min_lr=0.01), 0.055,
             what="cosine_decay half way from 0.1 to min_lr 0.01")
assert_close(cosine_decay(150, lr=1.0, total_steps=100, min_lr=0.05), 0.05,
             what="cosine_decay after total_steps (stays at min_lr)")
assert_raises(ValueError, cosine_decay, 0, lr=0.1, total_steps=10, min_lr=0.5, what="cosine_decay with min_lr above lr")
"""),
    solution("warmup_cosine", r'''
def warmup_cosine(step, *, lr, warmup_steps, total_steps, min_lr=0.0):
    """Linear warmup, lr * (step + 1) / warmup_steps, then cosine_decay over the remaining steps."""
    ### BEGIN SOLUTION
    if warmup_steps < 0 or warmup_steps >= total_steps:
        raise ValueError(f"need 0 <= warmup_steps < total_steps; got {warmup_steps} and {total_steps}")
    if step < 0 or not 0 <= min_lr <= lr:
        raise ValueError(f"need step >= 0 and 0 <= min_lr <= lr; got {step} and {min_lr}")
    if step < warmup_steps:
        return float(lr * (step + 1) / warmup_steps)
    return cosine_decay(step - warmup_steps, lr=lr, total_steps=total_steps - warmup_steps, min_lr=min_lr)
    ### END SOLUTION
'''),
    graded_test("warmup_cosine", 2, "warmup_cosine: the warmup, lr where it ends, the cosine half way and at the end, no warmup, refused arguments.", r"""
rates = [warmup_cosine(s, lr=1.0, warmup_steps=4, total_steps=14) for s in (0, 1, 3, 4, 9, 14)]
assert_close(rates, [0.25, 0.5, 1.0, 1.0, 0.5, 0.0],
             what="warmup_cosine at steps 0, 1, 3, 4, 9, 14 (4 warmup steps, 14 in all)")
assert_close([warmup_cosine(s, lr=1.0, warmup_steps=0, total_steps=10) for s in (0, 5, 10)], [1.0, 0.5, 0.0],
             what="warmup_cosine with no warmup (plain cosine decay)")
assert_raises(ValueError, warmup_cosine, 0, lr=0.1, warmup_steps=10, total_steps=10,
              what="warmup_cosine with warmup_steps = total_steps")
"""),
    code("schedules_demo", r"""
schedules_figure(step_decay, exponential_decay, cosine_decay, warmup_cosine)
"""),
    markdown("schedule_demo_intro", r"""
The demo trains the digits network of section 6 with **your** `adam_step` for 10 epochs (430 steps)
four times: at peak rates 0.1 and 0.3 (the second is ten times the rate the table of section 6 found
best), each once at a constant rate and once with **your** `warmup_cosine` (40 warmup steps, then a
cosine decay to 0). The left plot shows the rate of every step, the right one the training loss after
every epoch, with each run's test accuracy in the legend.
"""),
    code("prediction_widget_4", r"""
predict("06-warmup-at-0.3")
"""),
    code("schedule_demo", r"""
schedule_demo(adam_step, warmup_cosine)
"""),
    markdown("summary", r"""
## Summary

* One learning rate suits parameters whose gradients have different scales badly. **Adaptive methods**
  divide each parameter's gradient by a running RMS of its own past gradients, so that each takes
  steps of about $\eta$; the factor $\eta / (\epsilon + \sqrt r)$ is its effective learning rate.
* **AdaGrad** divides by the root of the *sum* of squared gradients: the first step is $\eta$, no step is
  longer, and under a constant gradient step $k$ is $\eta/\sqrt k$; the steps only shrink.
* **RMSProp** uses a *moving average*, $r \leftarrow \rho r + (1 - \rho) g^2$: it forgets, so its steps
  stay about $\eta$; without a bias correction its first step is $\eta / \sqrt{1 - \rho}$
  ($3.16\,\eta$ for $\rho = 0.9$).
* **Adam** averages both the gradients ($m$, $\beta_1$) and their squares ($v$, $\beta_2$), divides each
  by $1 - \beta^t$ with $t$ counted from 1, and steps $\eta\, \hat m / (\sqrt{\hat v} + \epsilon)$: the
  first step, and every step under a constant gradient, has size $\eta$; without the correction the
  first would be $3.16\,\eta$. Return the uncorrected $m$ and $v$; refuse $t < 1$.
* **Epsilon** goes outside the square root and, in Adam, after the correction (PyTorch's convention).
  Keras 3 puts it inside the root for AdaGrad and RMSProp and before the correction in Adam; the forms
  differ for gradients near $\sqrt\epsilon$ and below.
* The learning rate of an adaptive method is a step length, not a factor on the gradient: its good
  values lie on another scale than SGD's, and it still needs tuning.
* **AdamW** decays the weights outside Adam, $\theta \leftarrow (1 - \eta\lambda)\theta - \eta\,\hat m /
  (\sqrt{\hat v} + \epsilon)$, so that every weight shrinks alike. An L2 penalty added to the gradient
  goes through $v$: weights with large gradients are hardly regularized, and weights with tiny gradients
  are driven to 0.
* **Schedules** lower the rate late in training, so that the mini-batch noise stops shaking the
  parameters: step, exponential or cosine decay. A **warmup** raises it over the first steps, while the
  first gradients are unreliable. Adam needs this especially: it steps about $\eta$ whatever the
  gradient, and its $\hat v$ is a poor estimate while it has averaged few gradients.

## Questions to think about

1. AdaGrad's first step is about $\eta$ for every parameter with a nonzero gradient. What does that
   mean for the very first step of a network whose parameters all start at small random values?
2. Why is AdaGrad a good fit for sparse features (a word that appears in one document in a thousand),
   and why is its shrinking step a problem for a deep network trained for many epochs?
3. The adaptive methods rescale each *coordinate*. Rotate the narrow valley by 45° (so that it runs
   along $x = y$): what happens to their advantage over gradient descent? (Hint: in the rotated valley
   each coordinate's gradient mixes the steep and the flat direction.)
4. With $\beta_1 = 0$, what is Adam? And with $\beta_1 = \beta_2 = 0$? (Compare with RMSProp with
   $\rho = 0$, whose step is $\eta\, g / (\epsilon + |g|)$.)
5. Keras's Adam adds $\hat\epsilon$ before the bias correction. For which $t$ is its effective
   $\epsilon$ at most twice $\hat\epsilon$ when $\beta_2 = 0.999$?
"""),
    free_code("scratch", "# A scratch cell: try your functions on your own inputs here, for example\n"
                         "# demo(adagrad_step, rmsprop_step, adam_step, learning_rates={\"adam\": 0.001})\n"),
]
