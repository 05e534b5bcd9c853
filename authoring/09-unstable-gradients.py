"""Lesson 09, vanishing and exploding gradients: the cells of source/09-unstable-gradients/09-unstable-gradients.ipynb.

Rebuild the notebook with ``python -m nncourse.authoring 09-unstable-gradients``.
"""

from nncourse.authoring import code, free_code, graded_test, markdown, solution

CELLS = [
    markdown("title", r"""
# Lesson 09 · Vanishing and exploding gradients

Backpropagation sends the error of the output back through the network one layer at a time, and at
every layer it **multiplies**: by a weight matrix and by the derivative of the activation. Multiply
twenty numbers a little below 1 and you get almost nothing; multiply twenty numbers a little above 1
and you get a very large number. That is the whole story of this lesson. In a deep network, the
layers near the input can receive gradients millions of times smaller than the layers near the
output (**vanishing gradients**: those layers barely learn), or so large that a single step throws
the weights to infinity (**exploding gradients**: the loss becomes `nan`).

You will implement:

* the **sigmoid** and its derivative, computed so that they never overflow, and see why the
  derivative's maximum of $1/4$ makes deep sigmoid networks hard to train;
* **tanh** and its derivative, the sigmoid centred on zero, which saturates all the same;
* the **rectifiers** that replaced it (ReLU, leaky ReLU, ELU) with their derivatives, and the
  backward pass of **PReLU**, whose negative slope is learned;
* `backprop_delta_norms`, which measures the size of the error term at every layer, so you can
  *watch* gradients vanish or explode;
* `clip_by_global_norm`, the standard remedy for exploding gradients.

A widget then lets you change depth, weight scale and activation and read the result off your own
functions, and a demo trains deep networks on real handwritten digits.

**How this notebook works.** Each function you write sits alone in a cell that starts with `def`.
Replace the line `raise NotImplementedError(...)` with your code, run the cell, then run the test cell
below it. The visible checks catch most slips; when you submit, hidden tests check more inputs and
tell you the likely mistake. Run the cells from top to bottom.
"""),
    code("setup", r"""
import numpy as np

from lessons.checks import assert_close, assert_in_range, assert_shape, assert_type, assert_unchanged, gradient_check
from lessons.demos.activations import activations_figure, demo, dying_relu_demo, float_formats_table, loss_scaling_demo
from lessons.predict import predict
from lessons.widgets.activations import gradient_flow_widget, linear_chain
"""),
    markdown("why", r"""
## 1. Why gradients vanish or explode

Take a network of $L$ layers. Layer $l$ computes the **pre-activation** $z_l = h_{l-1} W_l$ from the
previous layer's output ($h_0 = x$, the input; we leave biases out, they change nothing here), and a
hidden layer then applies the activation, $h_l = f(z_l)$. As everywhere in this course the data are
batch-first: $h_{l-1}$ has shape `(n_samples, fan_in)` and $W_l$ has shape `(fan_in, fan_out)`.

Backpropagation works with the **error term** of each layer, $\delta_l = \partial J / \partial z_l$
(the gradient of the loss $J$ with respect to the pre-activations). The chain rule gives it going
backwards from the output:

$$
\delta_l = f'(z_l) \odot \big(\delta_{l+1}\, W_{l+1}^{\top}\big), \qquad l = L-1, \dots, 1,
$$

where $\odot$ multiplies entry by entry. Two factors appear at every layer: the transposed weights
$W_{l+1}^{\top}$ (which carry the error back from the `fan_out` units of layer $l+1$ to its `fan_in`
inputs) and the derivative of the activation. The gradient of the weights of layer $l$ is
$\partial J / \partial W_l = h_{l-1}^{\top} \delta_l$, so it inherits the size of $\delta_l$.

Unroll the recursion for a network of five layers, in the column-vector notation you will find in
most textbooks, $\delta^{l} = f'(z^{l}) \odot (W^{l+1})^{\top} \delta^{l+1}$:

$$
\begin{aligned}
\delta^{5} &= \frac{\partial J}{\partial z^{5}}, \\
\delta^{4} &= f'(z^{4}) \odot (W^{5})^{\top} \frac{\partial J}{\partial z^{5}}, \\
&\;\;\vdots \\
\delta^{1} &= f'(z^{1}) \odot (W^{2})^{\top} \Big( f'(z^{2}) \odot (W^{3})^{\top} \Big( f'(z^{3}) \odot (W^{4})^{\top}
\Big( f'(z^{4}) \odot (W^{5})^{\top} \frac{\partial J}{\partial z^{5}} \Big)\Big)\Big).
\end{aligned}
$$

> **A correction to a common version of this derivation.** The last factor is the derivative with
> respect to $z^5$, the pre-activation of the output layer, every time it appears. One widely read
> set of notes writes it as $\partial J / \partial n^5$ in the formula for $\delta^1$, a variable that
> is defined nowhere: it is the same $\delta^5 = \partial J / \partial z^5$ as in the lines above.

The error reaching layer 1 is the output error multiplied by **four** weight matrices and **four**
activation derivatives. In a network of 50 layers it is 49 of each. If each pair shrinks vectors by
a factor of about $a$, the first layer gets about $a^{49}$ of the output's error: with $a = 0.8$ that is
$0.8^{49} \approx 1.8 \times 10^{-5}$, with $a = 1.2$ it is $1.2^{49} \approx 7.6 \times 10^{3}$.
Nothing in the recursion keeps $a$ at 1; the activation and the scale of the weights decide it.
"""),
    markdown("chain", r"""
## 2. The deep linear chain, and what floating point does with it

The simplest case shows the mechanism with numbers you can check by hand. Take two units per layer, a
linear activation ($f(z) = z$, so $f' = 1$) and the same weights in every layer:

$$
W = \begin{bmatrix} 1.5 & 0 \\ 0 & 1.5 \end{bmatrix} \quad\Longrightarrow\quad
x\, W^{\,l-1} = 1.5^{\,l-1}\, x, \qquad\qquad
W = \begin{bmatrix} 0.5 & 0 \\ 0 & 0.5 \end{bmatrix} \quad\Longrightarrow\quad x\, W^{\,l-1} = 0.5^{\,l-1}\, x .
$$

Forward or backward, the signal after $l - 1$ layers is $1.5^{l-1}$ or $0.5^{l-1}$ times what it was:
$1.5^{10} \approx 57.7$, $1.5^{50} \approx 6.4 \times 10^{8}$; $0.5^{10} \approx 9.8 \times 10^{-4}$,
$0.5^{50} \approx 8.9 \times 10^{-16}$.

A computer does not hold real numbers but `float64` values, which end somewhere:

* **Overflow.** The largest `float64` is about $1.8 \times 10^{308}$. A result beyond it becomes
  `inf`. Since $1.5^{1750} \approx 1.44 \times 10^{308}$, repeated multiplication gives `inf` from
  layer $l = 1752$ on. One layer later it becomes `nan` ("not a number"): the matrix product adds
  `inf * 1.5` and `inf * 0` (the zero off-diagonal entry), and `inf * 0` has no value. From then on
  every number it touches is `nan`, which is how a training run "goes `nan`".
* **Underflow.** The smallest positive `float64` is $2^{-1074} \approx 4.9 \times 10^{-324}$. Since
  $0.5^{l-1} = 2^{-(l-1)}$, the chain is exactly representable up to layer 1075 and rounds to
  **exactly 0** from layer $l = 1076$ on. Nothing warns you, and a gradient of 0 teaches nothing.

Real networks get into trouble far earlier: a gradient of $10^{-8}$ is not zero, but with a learning
rate of 0.1 it moves a weight by $10^{-9}$ per step, which is no learning at all.

The cell below computes the chain with `linear_chain` from `lessons` (the widget of section 12 plots
it). NumPy normally prints a `RuntimeWarning` on overflow; that helper computes inside
`np.errstate(over="ignore", invalid="ignore")` so that the notebook shows the values rather than a
wall of warnings. Check the numbers above against it.
"""),
    code("chain_values", r"""
up, down = linear_chain(1.5), linear_chain(0.5)  # entry l - 1 holds layer l
for layer in (11, 51, 1751, 1752, 1753):
    print(f"layer {layer:4d}: 1.5**(l-1) = {float(up[layer - 1])!r:>24}")
for layer in (1075, 1076):
    print(f"layer {layer:4d}: 0.5**(l-1) = {float(down[layer - 1])!r:>24}")
"""),
    markdown("collapse", r"""
**Why not stay linear?** A stack of linear layers is itself one linear layer. With biases,

$$
(x W_1 + b_1) W_2 + b_2 = x\,(W_1 W_2) + (b_1 W_2 + b_2),
$$

and by induction $L$ linear layers compute $x\,W + b$ with $W = W_1 W_2 \cdots W_L$ and one bias
vector $b$. Depth then adds nothing a single layer could not do; it only makes the product harder to
train, as the chain above shows. An element-wise non-linearity $f$ between the layers breaks the
identity, $f(x W_1) W_2 \ne x\, W$ for any single $W$ in general, and that is what lets depth pay.
The cell below checks both claims on random weights: the collapsed layer reproduces a 4-layer linear
network to rounding error, while the best single linear map fitted to a tanh network (least squares on
500 inputs) misses it by far more.
"""),
    code("collapse_check", r"""
rng = np.random.default_rng(0)
layers = [(rng.normal(size=(5, 8)), rng.normal(size=8)), (rng.normal(size=(8, 8)), rng.normal(size=8)),
          (rng.normal(size=(8, 6)), rng.normal(size=6)), (rng.normal(size=(6, 3)), rng.normal(size=3))]
x = rng.normal(size=(500, 5))
W, b = np.eye(5), np.zeros(5)
for W_l, b_l in layers:  # fold every layer into one: x W + b
    W, b = W @ W_l, b @ W_l + b_l
deep_linear, deep_tanh = x, x
for k, (W_l, b_l) in enumerate(layers):
    deep_linear = deep_linear @ W_l + b_l
    deep_tanh = deep_tanh @ W_l + b_l
    if k < len(layers) - 1:
        deep_tanh = np.tanh(deep_tanh)
print(f"4 linear layers against one:  largest difference {np.abs(deep_linear - (x @ W + b)).max():.1e}")
design = np.column_stack([x, np.ones(len(x))])  # the best single linear layer for the tanh network
fit, *_ = np.linalg.lstsq(design, deep_tanh, rcond=None)
print(f"tanh network against the best single linear layer: RMS error {np.sqrt(np.mean((design @ fit - deep_tanh) ** 2)):.2f}"
      f" (the outputs have RMS {np.sqrt(np.mean(deep_tanh ** 2)):.2f})")
"""),
    markdown("sigmoid_intro", r"""
## 3. The sigmoid, computed safely

The logistic sigmoid squashes any number into $(0, 1)$:

$$
\sigma(x) = \frac{1}{1 + e^{-x}} = \frac{e^{x}}{1 + e^{x}} .
$$

Worked numbers: $\sigma(0) = 1/2$, $\sigma(2) = 1/(1 + e^{-2}) \approx 0.880797$, $\sigma(-2) = 1 - \sigma(2)
\approx 0.119203$ (the sigmoid is symmetric: $\sigma(-x) = 1 - \sigma(x)$).

**Overflow, again.** `np.exp(709)` is about $8 \times 10^{307}$, `np.exp(710)` is `inf` with a
`RuntimeWarning`. The first formula computes $e^{-x}$, which overflows for $x < -709$; the second
computes $e^{x}$, which overflows for $x > 709$ (and then gives `inf / inf = nan`). The result
itself is harmless, between 0 and 1; only the route to it overflows. The fix is to exponentiate only
numbers that are $\le 0$. With $e = e^{-|x|} \in (0, 1]$:

$$
\sigma(x) = \begin{cases} \dfrac{1}{1 + e} & x \ge 0, \\[2ex] \dfrac{e}{1 + e} & x < 0. \end{cases}
$$

Both lines are the formulas above with $e^{-x}$ or $e^{x}$ replaced by $e$. Compute `e` once for the
whole array and build both branches from it: `np.where(cond, a, b)` evaluates **both** `a` and `b`
on every entry before choosing, so an `np.where` that puts the naive formula in one branch still
overflows on the entries it throws away. Your `sigmoid` must print no warning for inputs as large as
$|x| = 10^4$ (for $x = -10^4$ the answer, about $e^{-10000}$, rounds to 0, which is fine: that is
underflow of a result that really is tiny).
"""),
    solution("sigmoid", r'''
def sigmoid(x):
    """The logistic sigmoid 1 / (1 + exp(-x)), element-wise, without overflow.

    Parameters
    ----------
    x : ndarray of any shape
        Pre-activations.

    Returns
    -------
    ndarray of the shape of ``x``
        Values in [0, 1]; no warning for any finite input.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    ### END SOLUTION
'''),
    graded_test("sigmoid", 2, "sigmoid: sigmoid(0) = 0.5, the worked numbers, symmetry, and no overflow at |x| = 1e4.", r"""
assert_close(sigmoid(np.array([0.0, 2.0, -2.0])), [0.5, 1 / (1 + np.exp(-2.0)), 1 / (1 + np.exp(2.0))],
             what="sigmoid([0, 2, -2])")
x = np.linspace(-8.0, 8.0, 17)
assert_close(sigmoid(-x), 1 - sigmoid(x), what="sigmoid(-x) against 1 - sigmoid(x)")
assert_shape(sigmoid(np.zeros((3, 4))), (3, 4), what="sigmoid of a (3, 4) array")
with np.errstate(all="ignore"):  # the values first, whatever warnings come
    assert_close(sigmoid(np.array([-1e4, -800.0, 800.0, 1e4])), [0.0, 0.0, 1.0, 1.0],
                 what="sigmoid([-1e4, -800, 800, 1e4])")
with np.errstate(over="raise", invalid="raise"):  # now an overflow raises FloatingPointError
    assert_close(sigmoid(np.array([800.0, 1e4])), [1.0, 1.0], what="sigmoid([800, 1e4]) without overflow")
    assert_close(sigmoid(np.array([-1e4, -800.0])), [0.0, 0.0], what="sigmoid([-1e4, -800]) without overflow")
"""),
    code("prediction_widget_1", r"""
predict("09-ten-sigmoid-layers")
"""),
    markdown("sigmoid_grad_intro", r"""
## 4. The sigmoid's derivative, and why it makes gradients vanish

Differentiating $\sigma(x) = (1 + e^{-x})^{-1}$:

$$
\sigma'(x) = \frac{e^{-x}}{(1 + e^{-x})^{2}} = \sigma(x)\,\big(1 - \sigma(x)\big)
= \frac{e^{-|x|}}{\big(1 + e^{-|x|}\big)^{2}} .
$$

The last form is the safe one (it exponentiates only $-|x|$) and shows that the derivative is even.
Be careful with the middle form: it is $\sigma(x)(1 - \sigma(x))$, not $\sigma(x)(1 - x)$, a slip that
is easy to make when the sigmoid's output is stored in a variable named like its input. Note also
that `sigmoid_grad` receives the pre-activation $x$, not the sigmoid's output.

Worked numbers: $\sigma'(0) = \tfrac12 \cdot \tfrac12 = 0.25$; $\sigma'(2) = 0.880797 \times 0.119203
\approx 0.104994$; $\sigma'(\pm 10) \approx 4.5 \times 10^{-5}$.

**The maximum is $1/4$**, at $x = 0$ (the product $s(1 - s)$ of two numbers that add up to 1 is
largest when both are $\tfrac12$). So every sigmoid layer multiplies the error term by at most $1/4$
on its way back, whatever the input. Ten sigmoid layers shrink it by at least $4^{10} = 1{,}048{,}576$,
unless the weights are large enough to make up for it, and large weights push $z$ away from 0 where
$\sigma'$ is smaller still ("saturation"). This is why deep networks of sigmoids were so hard to train
for so long.

Implement `sigmoid_grad` without calling your `sigmoid` (the grader judges each function on its own;
compute `e = np.exp(-np.abs(x))` again). It must not warn for $|x|$ up to $10^4$ either.
"""),
    solution("sigmoid_grad", r'''
def sigmoid_grad(x):
    """The derivative of the sigmoid, sigmoid(x) * (1 - sigmoid(x)), element-wise.

    Parameters
    ----------
    x : ndarray of any shape
        Pre-activations (not the sigmoid's outputs).

    Returns
    -------
    ndarray of the shape of ``x``
        Values in [0, 0.25]; the maximum 0.25 is at x = 0.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return e / (1.0 + e) ** 2
    ### END SOLUTION
'''),
    graded_test("sigmoid_grad", 2, "sigmoid_grad: the peak 0.25 at 0, the worked number at 2, finite differences, no overflow.", r"""
assert_close(sigmoid_grad(np.array([0.0, 2.0, -2.0])), [0.25, 0.1049935854, 0.1049935854], rtol=1e-8,
             what="sigmoid_grad([0, 2, -2])")
x = np.linspace(-6.0, 6.0, 25)
assert_in_range(np.max(sigmoid_grad(x)), -np.inf, 0.25 + 1e-12,
                what="the largest sigmoid_grad on linspace(-6, 6, 25) (the derivative is never above 0.25)")
# Finite differences of the sigmoid written out here, so this test does not depend on your sigmoid.
for x0 in (-3.0, -0.5, 1.0, 4.0):
    gradient_check(lambda v: float(np.sum(1 / (1 + np.exp(-v)))), sigmoid_grad, np.array([x0]),
                   what=f"sigmoid_grad at {x0}")
with np.errstate(all="ignore"):  # the values first, whatever warnings come
    assert_close(sigmoid_grad(np.array([-1e4, 1e4])), [0.0, 0.0], what="sigmoid_grad([-1e4, 1e4])")
with np.errstate(over="raise", invalid="raise"):  # now an overflow raises FloatingPointError
    assert_close(sigmoid_grad(np.array([1e4])), [0.0], what="sigmoid_grad([1e4]) without overflow")
    assert_close(sigmoid_grad(np.array([-1e4])), [0.0], what="sigmoid_grad([-1e4]) without overflow")
"""),
    markdown("tanh_intro", r"""
## 5. tanh: the sigmoid centred on zero

The hyperbolic tangent is the sigmoid stretched and shifted to the interval $(-1, 1)$:

$$
\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\,\sigma(2x) - 1, \qquad
\tanh'(x) = 1 - \tanh^2(x) .
$$

Two differences from the sigmoid matter for training:

* **It is centred on 0.** $\tanh$ is odd ($\tanh(-x) = -\tanh(x)$), so a layer of tanh units passes
  on outputs whose mean is about 0 when its inputs are. A sigmoid layer passes on outputs that are all
  positive (mean about $\tfrac12$), which shifts the next layer's pre-activations and makes the
  gradients of all the weights into one unit share a sign.
* **Its slope at 0 is 1, not $\tfrac14$.** $\tanh'(x) = 4\,\sigma'(2x)$, so near 0 a tanh layer passes
  the error back undiminished. It does **not** cure vanishing gradients, though: for large $|x|$ it
  saturates just like the sigmoid ($\tanh'(\pm 3) \approx 0.0099$, $\tanh'(\pm 10) \approx 8 \times
  10^{-9}$), and a deep tanh network with weights that push units into saturation stalls the same way.

Worked numbers: $\tanh(0) = 0$, $\tanh(1) = 0.761594$, $\tanh'(0) = 1$, $\tanh'(1) = 1 - 0.761594^2
= 0.419974$.

**Computing it safely.** The quotient of exponentials, written out, is `inf / inf = nan` once $|x|$
passes about 710 (the form $(e^{2x} - 1)/(e^{2x} + 1)$ already past 355). `np.tanh` never overflows: use
it. For the derivative, `1 - np.tanh(x)**2` is safe too (it rounds to exactly 0 from $|x| \approx 19$,
where the true value is below $10^{-16}$); the equivalent `1 / np.cosh(x)**2` is not, because `np.cosh`
overflows with a warning past 710. As with `sigmoid_grad`, `tanh_grad` receives the pre-activation
$x$, not tanh's output: $1 - x^2$ would be the right formula applied to the wrong variable.

Implement `tanh(x)` and `tanh_grad(x)`: element-wise, any shape (a single number too), a new
`float64` array, no warning for any finite $x$ up to $10^{308}$, nor for $\pm\infty$.
"""),
    solution("tanh", r'''
def tanh(x):
    """The hyperbolic tangent, element-wise, in (-1, 1); never overflows.

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    ndarray of the shape of ``x``
    """
    ### BEGIN SOLUTION
    return np.tanh(np.asarray(x, dtype=float))
    ### END SOLUTION
'''),
    graded_test("tanh", 1, "tanh: the worked numbers, odd symmetry, and no overflow up to 1e308.", r"""
assert_close(tanh(np.array([0.0, 1.0, -1.0])), [0.0, 0.7615941560, -0.7615941560], rtol=1e-8,
             what="tanh([0, 1, -1])")
x = np.linspace(-5.0, 5.0, 21)
assert_close(tanh(-x), -tanh(x), what="tanh(-x) (tanh is odd: -tanh(x))")
assert_shape(tanh(np.zeros((2, 3))), (2, 3), what="tanh of a (2, 3) array")
with np.errstate(over="raise", invalid="raise"):  # an overflow raises FloatingPointError
    assert_close(tanh(np.array([-1e308, -1e4, 1e4, 1e308])), [-1.0, -1.0, 1.0, 1.0],
                 what="tanh([-1e308, -1e4, 1e4, 1e308]) without overflow")
"""),
    solution("tanh_grad", r'''
def tanh_grad(x):
    """The derivative of tanh, 1 - tanh(x)**2, element-wise; at most 1, at x = 0.

    Parameters
    ----------
    x : ndarray of any shape
        Pre-activations (not tanh's outputs).

    Returns
    -------
    ndarray of the shape of ``x``, values in [0, 1]
    """
    ### BEGIN SOLUTION
    return 1.0 - np.tanh(np.asarray(x, dtype=float)) ** 2
    ### END SOLUTION
'''),
    graded_test("tanh_grad", 1, "tanh_grad: the peak 1 at 0, the worked number at 1, finite differences, no overflow.", r"""
assert_close(tanh_grad(np.array([0.0, 1.0, -1.0])), [1.0, 0.4199743416, 0.4199743416], rtol=1e-8,
             what="tanh_grad([0, 1, -1])")
# Finite differences of np.tanh, so this test does not depend on your tanh.
for x0 in (-2.0, -0.3, 0.8, 3.0):
    gradient_check(lambda v: float(np.sum(np.tanh(v))), tanh_grad, np.array([x0]), what=f"tanh_grad at {x0}")
with np.errstate(over="raise", invalid="raise"):
    assert_close(tanh_grad(np.array([-1e4, 1e4, 1e308])), [0.0, 0.0, 0.0], what="tanh_grad([-1e4, 1e4, 1e308]) without overflow")
"""),
    markdown("relu_intro", r"""
## 6. ReLU

The rectified linear unit keeps the positive part of its input:

$$
\operatorname{ReLU}(x) = \max(x, 0) = \begin{cases} x & x > 0, \\ 0 & x \le 0. \end{cases}
$$

For example $\operatorname{ReLU}([-2, 0, 3]) = [0, 0, 3]$. In NumPy that is `np.maximum(x, 0)`, which
compares entry by entry. (Not `np.max(x, 0)`: that is the *largest entry* along axis 0, a reduction.)

ReLU needs no exponential, cannot overflow, and, as the next section shows, passes the error back
without shrinking it wherever a unit is active.
"""),
    solution("relu", r'''
def relu(x):
    """The rectified linear unit max(x, 0), element-wise.

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    ndarray of the shape of ``x``
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0.0)
    ### END SOLUTION
'''),
    graded_test("relu", 1, "relu: the worked example and a 2-D input.", r"""
assert_close(relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0], what="relu([-2, 0, 3])")
x = np.array([[1.5, -1e300], [-0.1, 1e300]])
assert_close(relu(x), [[1.5, 0.0], [0.0, 1e300]], what="relu of a (2, 2) array")
"""),
    markdown("relu_grad_intro", r"""
## 7. ReLU's derivative, and the value at exactly 0

$$
\operatorname{ReLU}'(x) = \begin{cases} 1 & x > 0, \\ 0 & x < 0. \end{cases}
$$

At $x = 0$ the function has a kink: the slope from the left is 0, from the right 1, so there is no
derivative. Mathematically any value in $[0, 1]$ is a valid choice there (a *subgradient*), and in
practice a pre-activation is almost never exactly 0. But a program must return *something*, and
tests must agree on it. **This course fixes the left-hand slope at every kink**: `relu_grad(0) = 0`,
as PyTorch does. So `relu_grad(np.array([-2.0, 0.0, 3.0]))` is `[0, 0, 1]`.

Why ReLU helps: on the active side the derivative is exactly 1, so the factor $f'(z_l)$ of the
backpropagation formula neither shrinks nor grows the error; only the weights decide. With
He-initialized weights (standard deviation $\sqrt{2/\text{fan\_in}}$, lesson 04), the size of the error
is kept on average from layer to layer. The price: a unit whose pre-activation is negative for every
input passes no gradient at all and never recovers (a "dead" unit).
"""),
    solution("relu_grad", r'''
def relu_grad(x):
    """The derivative of ReLU: 1 where x > 0, 0 where x <= 0 (0 at exactly 0).

    Parameters
    ----------
    x : ndarray of any shape
        Pre-activations.

    Returns
    -------
    ndarray of the shape of ``x``, of zeros and ones
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, 0.0)
    ### END SOLUTION
'''),
    graded_test("relu_grad", 1, "relu_grad: 0 on the negative side and at exactly 0, 1 on the positive side.", r"""
assert_close(relu_grad(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 1.0], what="relu_grad([-2, 0, 3])")
assert_shape(relu_grad(np.zeros((2, 5))), (2, 5), what="relu_grad of a (2, 5) array")
assert_close(relu_grad(np.array([1e-300])), [1.0], what="relu_grad([1e-300]) (any positive input has slope 1)")
"""),
    markdown("leaky_intro", r"""
## 8. Leaky ReLU

Leaky ReLU keeps a small slope $\alpha$ (default 0.01) on the negative side, so no unit can die:

$$
f(x) = \begin{cases} x & x > 0, \\ \alpha x & x \le 0, \end{cases} \qquad
f'(x) = \begin{cases} 1 & x > 0, \\ \alpha & x \le 0. \end{cases}
$$

With $\alpha = 0.1$: $f([-2, 0, 3]) = [-0.2, 0, 3]$ and $f'([-2, 0, 3]) = [0.1, 0.1, 1]$. At the kink
the course again takes the left-hand slope, so $f'(0) = \alpha$. Use the `alpha` argument (a
keyword-only argument, as in `leaky_relu(x, alpha=0.1)`), never a hard-coded 0.01.
"""),
    solution("leaky_relu", r'''
def leaky_relu(x, *, alpha=0.01):
    """Leaky ReLU: x where x > 0, alpha * x where x <= 0, element-wise.

    Parameters
    ----------
    x : ndarray of any shape
    alpha : float, default 0.01
        The slope on the negative side (>= 0).

    Returns
    -------
    ndarray of the shape of ``x``
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * x)
    ### END SOLUTION
'''),
    graded_test("leaky_relu", 1, "leaky_relu: the default slope, alpha = 0.1, and a 2-D input.", r"""
assert_close(leaky_relu(np.array([-2.0, 0.0, 3.0])), [-0.02, 0.0, 3.0], what="leaky_relu([-2, 0, 3])")
assert_close(leaky_relu(np.array([-2.0, 0.0, 3.0]), alpha=0.1), [-0.2, 0.0, 3.0],
             what="leaky_relu([-2, 0, 3], alpha=0.1)")
assert_shape(leaky_relu(np.ones((4, 2))), (4, 2), what="leaky_relu of a (4, 2) array")
"""),
    solution("leaky_relu_grad", r'''
def leaky_relu_grad(x, *, alpha=0.01):
    """The derivative of leaky ReLU: 1 where x > 0, alpha where x <= 0 (alpha at exactly 0).

    Parameters
    ----------
    x : ndarray of any shape
        Pre-activations.
    alpha : float, default 0.01
        The slope on the negative side (>= 0).

    Returns
    -------
    ndarray of the shape of ``x``
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, alpha)
    ### END SOLUTION
'''),
    graded_test("leaky_relu_grad", 1, "leaky_relu_grad: alpha on the negative side and at 0, 1 on the positive side.", r"""
assert_close(leaky_relu_grad(np.array([-2.0, 0.0, 3.0]), alpha=0.1), [0.1, 0.1, 1.0],
             what="leaky_relu_grad([-2, 0, 3], alpha=0.1)")
assert_close(leaky_relu_grad(np.array([-5.0, 5.0])), [0.01, 1.0], what="leaky_relu_grad([-5, 5]) (default alpha)")
assert_shape(leaky_relu_grad(np.ones((2, 3))), (2, 3), what="leaky_relu_grad of a (2, 3) array")
"""),
    markdown("elu_intro", r"""
## 9. ELU

The exponential linear unit bends smoothly on the negative side towards $-\alpha$ (default
$\alpha = 1$):

$$
f(x) = \begin{cases} x & x > 0, \\ \alpha\,(e^{x} - 1) & x \le 0, \end{cases} \qquad
f'(x) = \begin{cases} 1 & x > 0, \\ \alpha\, e^{x} & x \le 0. \end{cases}
$$

Its outputs average closer to 0 than ReLU's, and, like leaky ReLU, it passes some gradient for every
input. Less than it seems, though: its slope $\alpha e^{x}$ on the negative side fades exponentially,
below $10^{-4}$ from $x \approx -9.2$ on (with $\alpha = 1$), so a unit pushed far into the negative side is
nearly as stuck as a dead ReLU.
Worked numbers with $\alpha = 1$: $f(-1) = e^{-1} - 1 \approx -0.632121$, $f(0) = 0$, $f'(-1) = e^{-1}
\approx 0.367879$. With $\alpha = 2$: $f'(-1) \approx 0.735759$ and $f'(0) = 2$ (the left-hand slope
again; for $\alpha = 1$ both sides give 1 anyway). On the positive side the slope is **1**, not
$\alpha e^{x}$.

**Overflow, one more time.** `np.where(x > 0, x, alpha * (np.exp(x) - 1))` computes `np.exp(x)` for
*every* entry, so an input of 1000 overflows (and warns) although its exponential is thrown away.
Exponentiate `np.minimum(x, 0)` instead: it equals `x` on the side where the exponential is used, and
is never positive. (`np.expm1(t)` computes $e^{t} - 1$ accurately for small $t$; use it if you like.)
"""),
    solution("elu", r'''
def elu(x, *, alpha=1.0):
    """The exponential linear unit: x where x > 0, alpha * (exp(x) - 1) where x <= 0.

    Parameters
    ----------
    x : ndarray of any shape
    alpha : float, default 1.0
        The value -alpha is approached as x goes to -infinity (>= 0).

    Returns
    -------
    ndarray of the shape of ``x``
        No overflow for large positive ``x``.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
    ### END SOLUTION
'''),
    graded_test("elu", 2, "elu: the worked numbers, alpha = 2, and no overflow for large positive inputs.", r"""
assert_close(elu(np.array([-1.0, 0.0, 2.0])), [np.exp(-1.0) - 1, 0.0, 2.0], what="elu([-1, 0, 2])")
assert_close(elu(np.array([-1.0, -50.0]), alpha=2.0), [2 * (np.exp(-1.0) - 1), -2.0], what="elu([-1, -50], alpha=2)")
with np.errstate(over="raise", invalid="raise"):
    assert_close(elu(np.array([1000.0, 1e4, -1e4])), [1000.0, 1e4, -1.0], what="elu([1000, 1e4, -1e4])")
"""),
    solution("elu_grad", r'''
def elu_grad(x, *, alpha=1.0):
    """The derivative of ELU: 1 where x > 0, alpha * exp(x) where x <= 0 (alpha at exactly 0).

    Parameters
    ----------
    x : ndarray of any shape
        Pre-activations.
    alpha : float, default 1.0

    Returns
    -------
    ndarray of the shape of ``x``
        No overflow for large positive ``x``.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))
    ### END SOLUTION
'''),
    graded_test("elu_grad", 2, "elu_grad: worked numbers, alpha at 0, finite differences, no overflow.", r"""
assert_close(elu_grad(np.array([-1.0, 0.0, 3.0]), alpha=2.0), [2 * np.exp(-1.0), 2.0, 1.0],
             what="elu_grad([-1, 0, 3], alpha=2)")
# ELU written out here, so this test does not depend on your elu.
elu_here = lambda v: float(np.sum(np.where(v > 0, v, 1.5 * (np.exp(np.minimum(v, 0)) - 1))))
gradient_check(elu_here, lambda v: elu_grad(v, alpha=1.5), np.array([-2.0, -0.3, 0.4, 2.5]), what="elu_grad, alpha=1.5")
with np.errstate(over="raise", invalid="raise"):
    assert_close(elu_grad(np.array([1000.0, 1e4])), [1.0, 1.0], what="elu_grad([1000, 1e4])")
"""),
    markdown("activations_figure_intro", r"""
Here are the five activations so far, side by side, with their derivatives, drawn with **your**
functions. On the right is what backpropagation multiplies the error by at every layer: at most
$\tfrac14$ for the sigmoid, at most 1 for tanh (both fading on either side), and exactly 1 on the
active side for the rectifiers. On the negative side the rectifiers give 0 (ReLU), $\alpha$ (leaky ReLU)
or $\alpha e^{x}$ (ELU).
"""),
    code("activations_demo", r"""
activations_figure(sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu, leaky_relu_grad, elu, elu_grad)
"""),
    markdown("prelu_intro", r"""
## 10. PReLU: a slope that is learned

Parametric ReLU is leaky ReLU whose slope $\alpha$ is a **parameter**, trained by gradient descent
along with the weights. Here one slope is shared by all the entries of the layer:

$$
f(x_i; \alpha) = \begin{cases} x_i & x_i > 0, \\ \alpha\, x_i & x_i \le 0. \end{cases}
$$

The backward pass receives `dout`, the gradient $g_i = \partial J / \partial f_i$ of the loss with
respect to the layer's outputs (same shape as `x`), and returns two gradients:

$$
\frac{\partial J}{\partial x_i} = g_i \cdot \begin{cases} 1 & x_i > 0, \\ \alpha & x_i \le 0, \end{cases}
\qquad\qquad
\frac{\partial J}{\partial \alpha} = \sum_{i:\; x_i \le 0} g_i\, x_i .
$$

The second follows from the chain rule: $\alpha$ influences every output on the negative side, with
$\partial f_i / \partial \alpha = x_i$ there, and no output on the positive side. So `dalpha` sums
`dout * x` over the entries with $x \le 0$ **only**; summing over all entries would count the positive
side, whose outputs do not depend on $\alpha$. (Entries with $x_i = 0$ contribute 0 either way, and
get the left-hand slope $\alpha$ in `dx`, as before.)

Worked example: $x = [-2, 0, 3]$, $\alpha = 0.25$, $g = [1, 1, 2]$ give
$dx = [0.25, 0.25, 2]$ and $d\alpha = 1 \cdot (-2) + 1 \cdot 0 = -2$. Return `dalpha` as a Python
`float`.
"""),
    solution("prelu_backward", r'''
def prelu_backward(x, alpha, dout):
    """Backward pass of PReLU with one shared slope: gradients for the input and the slope.

    Parameters
    ----------
    x : ndarray of any shape
        The inputs the forward pass received.
    alpha : float
        The learned slope on the negative side.
    dout : ndarray of the shape of ``x``
        Gradient of the loss with respect to the PReLU's outputs.

    Returns
    -------
    dx : ndarray of the shape of ``x``
        ``dout`` where x > 0, ``alpha * dout`` where x <= 0.
    dalpha : float
        The sum of ``dout * x`` over the entries with x <= 0.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    dout = np.asarray(dout, dtype=float)
    negative = x <= 0
    dx = np.where(negative, alpha * dout, dout)
    dalpha = float(np.sum(dout[negative] * x[negative]))
    return dx, dalpha
    ### END SOLUTION
'''),
    graded_test("prelu_backward", 2, "prelu_backward: the worked example, and dalpha against finite differences.", r"""
dx, dalpha = prelu_backward(np.array([-2.0, 0.0, 3.0]), 0.25, np.array([1.0, 1.0, 2.0]))
assert_close(dx, [0.25, 0.25, 2.0], what="dx of the worked example")
assert_close(dalpha, -2.0, what="dalpha of the worked example")
rng = np.random.default_rng(9)
x, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
loss = lambda a: float(np.sum(dout * np.where(x > 0, x, a[0] * x)))  # J = sum(dout * prelu(x; alpha))
gradient_check(loss, lambda a: np.array([prelu_backward(x, a[0], dout)[1]]), np.array([0.3]), what="dalpha")
"""),
    markdown("norms_intro", r"""
## 11. Measuring the error term at every layer

To see the problem rather than imagine it, compute $\|\delta_l\|$ for every hidden layer of a
network. `backprop_delta_norms(weights, pre_activations, act_grad, delta_out)` receives:

* `weights = [W_1, ..., W_L]`, where layer $l$ computes $z_l = h_{l-1} W_l$ and $W_l$ has shape
  `(fan_in, fan_out)`;
* `pre_activations = [z_1, ..., z_{L-1}]`, one array of shape `(n_samples, fan_out)` per **hidden**
  layer (the output layer has none here);
* `act_grad`, the derivative of the hidden activation, a function such as your `relu_grad`;
* `delta_out` $= \partial J / \partial z_L$, the error term of the output layer, shape
  `(n_samples, fan_out_L)`.

Going backwards from $\delta_L$ = `delta_out`, compute
$\delta_l = f'(z_l) \odot (\delta_{l+1} W_{l+1}^{\top})$ for $l = L-1, \dots, 1$ and return the
**Frobenius norms** $\|\delta_l\|_F = \sqrt{\sum \delta_{l,ij}^2}$ (`np.linalg.norm(delta)`) as an
array of shape `(L - 1,)`, **first hidden layer first**. Mind the indices of 0-based Python lists:
`pre_activations[i]` is $z_{i+1}$, and the weights that carry the error back to it are those of the
layer above, `weights[i + 1]`. Check the shapes: `delta @ W.T` turns `(n, fan_out)` into
`(n, fan_in)`. `delta_out` itself is not in the result.

Worked example, the chain of section 2 with four layers: `weights = [1.5 * I] * 4`, a linear
activation (`act_grad` returns ones) and `delta_out = [[1, 0]]`. Each step back multiplies by 1.5:
$\|\delta_3\| = 1.5$, $\|\delta_2\| = 2.25$, $\|\delta_1\| = 3.375$, so the function returns
`[3.375, 2.25, 1.5]`.

In very deep or badly scaled networks the deltas may overflow to `inf` and `nan`; that is the
phenomenon being measured, so return those values as they come.
"""),
    solution("backprop_delta_norms", r'''
def backprop_delta_norms(weights, pre_activations, act_grad, delta_out):
    """Frobenius norms of the hidden layers' error terms, first hidden layer first.

    Parameters
    ----------
    weights : list of L ndarrays
        ``W_l`` of shape (fan_in_l, fan_out_l); layer l computes z_l = h_{l-1} @ W_l.
    pre_activations : list of L - 1 ndarrays
        ``z_l`` of shape (n_samples, fan_out_l) for each hidden layer;
        ``pre_activations[i]`` pairs with ``weights[i + 1]``.
    act_grad : callable
        Derivative of the hidden activation, element-wise.
    delta_out : ndarray of shape (n_samples, fan_out_L)
        Gradient of the loss with respect to z_L.

    Returns
    -------
    ndarray of shape (L - 1,)
        ||delta_1||, ..., ||delta_{L-1}||.
    """
    ### BEGIN SOLUTION
    delta = np.asarray(delta_out, dtype=float)
    norms = np.zeros(len(pre_activations))
    for i in range(len(pre_activations) - 1, -1, -1):
        delta = act_grad(pre_activations[i]) * (delta @ weights[i + 1].T)
        norms[i] = np.linalg.norm(delta)
    return norms
    ### END SOLUTION
'''),
    graded_test("backprop_delta_norms", 3, "backprop_delta_norms: the worked chain, the 0.5 I chain, and one hidden layer.", r"""
ones = lambda z: np.ones_like(z)  # the derivative of a linear activation
I = np.eye(2)
assert_close(backprop_delta_norms([1.5 * I] * 4, [np.ones((1, 2))] * 3, ones, np.array([[1.0, 0.0]])),
             [3.375, 2.25, 1.5], what="the worked example (weights 1.5 I)")
assert_close(backprop_delta_norms([0.5 * I] * 6, [np.ones((3, 2))] * 5, ones, np.ones((3, 2))),
             np.sqrt(6) * 0.5 ** np.arange(5, 0, -1), what="weights 0.5 I, three samples")
# One hidden layer whose derivative is 0 for the first unit: only the second unit passes the error.
kill_first = lambda z: np.tile([0.0, 1.0], (len(z), 1))
assert_close(backprop_delta_norms([I, 2 * I], [np.zeros((1, 2))], kill_first, np.array([[3.0, 4.0]])), [8.0],
             what="one hidden layer, first unit inactive")
"""),
    markdown("widget_intro", r"""
## 12. Watching gradients vanish and explode

The widget pushes 64 real digits forward through a stack of hidden layers of 32 units, with weights
of standard deviation $\text{scale}/\sqrt{\text{fan\_in}}$ (scale 1 is LeCun's initialization, $\sqrt 2
\approx 1.41$ He's), computes the softmax cross-entropy's error at the output, and hands everything to
**your** `backprop_delta_norms` with **your** activation and derivative. The left plot shows
$\|\delta_l\|$ for every hidden layer on a log scale; the chosen activation is bold, the others you
have implemented are faint.

Answer each question for yourself before you set the widget, then open the answer:

1. **Sigmoid**, scale 1, 20 layers: by what factor does the error shrink per layer, and how small is
   it at the input? Does raising the scale rescue it?

   <details><summary>What you should see, and why</summary>

   It shrinks by about 4 at every layer (the sigmoid's derivative is at most $\tfrac14$); at the input
   it is about $10^{-12}$ of its size at the top. Raising the scale helps a little, then saturation
   wins: larger weights push the units to where the derivative is nearly 0.

   </details>

2. **ReLU**: which scale keeps the line flat, 1, 1.41 or 2? What happens at the other two?

   <details><summary>What you should see, and why</summary>

   At 1.41 (He) the line is nearly flat. At scale 1 it vanishes slowly, at 2 it explodes: ReLU passes
   half of the units, so the weights must double the variance to keep it. The activation alone does
   not settle the matter; the weights have to match it.

   </details>

3. **Leaky ReLU** and **ELU**: near which scale do they keep the line flat?

   <details><summary>What you should see, and why</summary>

   Near the same scale as ReLU: for positive inputs both are ReLU, and their negative sides pass only
   part of the gradient, so they need about the same doubling of the variance.

   </details>

On the right is the deep linear chain of section 2 as `float64` computes it. Move **chain layer l** to
read the actual values: finite, then `inf` at layer 1752 and `nan` from 1753 on for $1.5^{l-1}$, and
exactly `0.0` from layer 1076 on for $0.5^{l-1}$. (That chain is computed by the widget itself, inside
`np.errstate`, so that the overflow prints no warning.)
"""),
    code("widget", r"""
gradient_flow_widget(sigmoid, sigmoid_grad, relu, relu_grad, leaky_relu, leaky_relu_grad, elu, elu_grad,
                     backprop_delta_norms)
"""),
    markdown("clip_intro", r"""
## 13. Gradient clipping

Good activations and initializations keep gradients of a sensible size at the *start* of training,
but nothing guarantees it later: a large learning rate, an unlucky batch or a steep cliff in the loss
surface can produce one huge gradient, one huge step, and weights that never come back (the loss
turns `inf`, then `nan`). **Clipping by the global norm** caps the length of every step.

Treat all the gradients of the network, `grads = [dW_1, db_1, dW_2, db_2, ...]`, as one long vector
and compute its norm:

$$
N = \sqrt{\sum_k \|g_k\|_F^{2}} .
$$

If $N$ exceeds `max_norm`, multiply **every** gradient by the same factor $\text{max\_norm} / N$;
otherwise return them unchanged:

$$
g_k \leftarrow g_k \cdot \min\!\left(1, \frac{\text{max\_norm}}{N}\right).
$$

Because all gradients share one factor, the step keeps its **direction** and only gets shorter.
Clipping each gradient by its own norm, or clipping each entry with `np.clip`, would change the
direction as well. Only divide when $N > \text{max\_norm}$: that also leaves all-zero gradients
alone, with no division by zero.

**Overflow, one last time.** Exploding gradients can hold entries so large that their squares do not
fit in a `float64`: `(1e200) ** 2` is `inf`. A norm computed naively is then `inf`, and
$\text{max\_norm} / N = 0$ turns every gradient into zeros, although the clipped gradients are
ordinary numbers. Divide by the largest absolute entry $m$ first, $N = m \sqrt{\sum_k \|g_k / m\|_F^{2}}$,
and no square can overflow. (The hidden checks try entries near $10^{308}$.)

Worked example: `grads = [[3.0], [4.0, 0.0]]` has $N = \sqrt{9 + 16} = 5$; with `max_norm=1` the
factor is $1/5$ and the result is `[[0.6], [0.8, 0.0]]`, of global norm exactly 1. With `max_norm=10`
nothing changes.

Return a new list of new arrays, in the order received; do not modify the arrays you were given.
"""),
    solution("clip_by_global_norm", r'''
def clip_by_global_norm(grads, *, max_norm):
    """Rescale a list of gradients so that their global norm is at most max_norm.

    Parameters
    ----------
    grads : list of ndarrays of any shapes
        One gradient per parameter array.
    max_norm : float
        The largest allowed global norm (> 0).

    Returns
    -------
    list of ndarrays
        New arrays of the same shapes; all multiplied by ``max_norm / N`` when
        the global norm N = sqrt(sum of squared entries) exceeds ``max_norm``,
        unchanged copies otherwise.
    """
    ### BEGIN SOLUTION
    grads = [np.asarray(g, dtype=float) for g in grads]
    largest = max((float(np.max(np.abs(g))) for g in grads if g.size), default=0.0)
    if largest == 0.0:
        return [g.copy() for g in grads]
    # Divide by the largest entry first, so that squaring huge gradients cannot overflow.
    total = largest * np.sqrt(sum(float(np.sum((g / largest) ** 2)) for g in grads))
    if total > max_norm:
        return [g * (max_norm / total) for g in grads]
    return [g.copy() for g in grads]
    ### END SOLUTION
'''),
    graded_test("clip_by_global_norm", 2, "clip_by_global_norm: one gradient above and below max_norm, inputs left unchanged, two gradients, all zeros.", r"""
out = clip_by_global_norm([np.array([[6.0, 8.0]])], max_norm=5.0)
assert_type(out, (list, tuple), length=1, what="clip_by_global_norm([[[6, 8]]], max_norm=5), one array per gradient")
assert_close(out[0], [[3.0, 4.0]], what="[[6, 8]] (norm 10) clipped to max_norm 5")
g = np.array([0.3, -0.4])
kept = clip_by_global_norm([g], max_norm=1.0)
assert_close(kept[0], [0.3, -0.4], what="a gradient of norm 0.5 with max_norm 1 (unchanged)")
assert_unchanged(np.array([0.3, -0.4]), g, what="the gradient passed in")
pair = clip_by_global_norm([np.array([3.0]), np.array([4.0])], max_norm=6.0)
assert_close(np.concatenate(pair), [3.0, 4.0],
             what="[3] and [4] with max_norm 6 (unchanged: the global norm is sqrt(9 + 16) = 5)")
with np.errstate(divide="raise", invalid="raise"):  # a division by zero now raises FloatingPointError
    assert_close(clip_by_global_norm([np.zeros(3)], max_norm=1.0)[0], np.zeros(3),
                 what="an all-zero gradient (unchanged, no division by zero)")
"""),
    markdown("demo_intro", r"""
## 14. On real data: deep sigmoid, deep ReLU, and clipping

The demo trains a network with **8 hidden layers** of 32 units on the 8×8 digits (standardized
pixels; 1,348 training and 449 test images, no download) with plain mini-batch SGD, batches of 32, for
6 epochs, using your functions:

1. **Sigmoid** (your `sigmoid` and `sigmoid_grad`), weights of standard deviation $1/\sqrt{\text{fan\_in}}$,
   against **ReLU** (your `relu` and `relu_grad`) with He weights, both at learning rate 0.1. The left
   plot shows the mean norm of each layer's weight gradient during the first epoch: for the sigmoid
   network it falls by more than four orders of magnitude from the last layer to the first, and the
   network stays at chance; the ReLU network's gradients are about the same size in every layer, and
   it learns.
2. The ReLU/He network at learning rate **0.5**: without clipping, the first steps explode and the
   loss becomes `nan`; with your `clip_by_global_norm` (`max_norm=1`, through the `clip=` hook of the
   course's training loop) the same learning rate trains well.

The four runs take a few seconds (nothing is precomputed). The runs that overflow are made inside
`np.errstate(all="ignore")` by the demo's code, so that the notebook shows the result, not warnings.
"""),
    code("demo", r"""
demo(sigmoid, sigmoid_grad, relu, relu_grad, clip_by_global_norm)
"""),
    code("prediction_widget_2", r"""
predict("09-dead-after-15-epochs")
"""),
    markdown("dying_intro", r"""
## 15. Dying ReLUs

ReLU's zero slope on the negative side has a price. A unit whose pre-activation $z = h W + b$ is
negative for **every** training sample outputs 0 for all of them, and, since $\operatorname{ReLU}'(z) = 0$
there, passes back a gradient of 0 for all of them: its incoming weights and bias never change again.
The unit is **dead**, and stays dead. A single large update that pushes a unit's bias far down (a high
learning rate, a bad batch) is enough; so are initial weights or biases that put most units on the
negative side.

Leaky ReLU and ELU keep a non-zero slope for $z < 0$ ($\alpha$ for leaky ReLU, $\alpha e^{z}$ for ELU),
so a unit on the negative side still receives a gradient and can come back.

The demo trains the same network (64 inputs, one hidden layer of 64 units, 10 classes; He weights,
plain SGD with $\eta = 0.1$, batches of 32, 15 epochs) three times, from the same weights and with the
same batches, with **your** ReLU, leaky ReLU ($\alpha = 0.1$) and ELU and their derivatives. The only
oddity is the start: every hidden bias is set to $-2$, as a large update could leave them, which
puts about 90% of the units on the negative side for every image.

* **left**: the share of hidden units whose pre-activation is $\le 0$ on every training image. For
  ReLU this is the share of dead units: expect it to stay where it started (it can only grow);
  leaky ReLU's falls slowly, ELU's quickly, as their units come back.
* **right**: the test accuracy. The ReLU network learns with the few units it has left and ends far
  below the others.
"""),
    code("demo_dying", r"""
dying_relu_demo(relu, relu_grad, leaky_relu, leaky_relu_grad, elu, elu_grad)
"""),
    markdown("numerics_intro", r"""
## 16. Narrower numbers: float16, float32 and loss scaling

Everything in this course computes in `float64`. Large networks are trained in narrower formats:
`float32`, and for speed and memory `float16` (or `bfloat16`) in **mixed precision**, where the matrix
products run in 16 bits and a `float32` copy of the weights takes the updates. Every format ends
somewhere, and the narrower ones end much sooner. The table below is computed by NumPy (`np.finfo`):

* **largest**: beyond it a result is `inf`. For `float16` it is only $65{,}504$.
* **`exp` overflows** for $x > \ln(\text{largest})$: about **11.09** in `float16`, **88.72** in
  `float32`, **709.78** in `float64`. A naive softmax of logits as small as 12 overflows in `float16`.
  The max-subtraction of lesson 02 is not optional there.
* **smallest normal**: below it a number keeps fewer and fewer significant digits (it is
  *subnormal*). For `float16` this is $6.1 \times 10^{-5}$.
* **smallest subnormal**: below about half of it a number rounds to exactly 0. For `float16` this is
  $6 \times 10^{-8}$: a gradient of $10^{-8}$ stored in `float16` is **0**.
* **epsilon**: the relative spacing of the numbers near 1, about $10^{-3}$ in `float16`, so `float16`
  keeps only about three significant decimal digits.

**What it means for gradients.** The deep sigmoid network of section 14 has first-layer gradients
around $10^{-7}$ (they vanish, as the lesson showed). In `float16` many of them flush to 0, and many
more become subnormal and lose their digits. A gradient of 0 teaches nothing, and nothing warns.

**Loss scaling** is the fix used in mixed-precision training. Multiply the loss by a large factor $S$
before the backward pass. By the chain rule every gradient is multiplied by $S$ too, which moves the
whole distribution up, past the subnormal range. Then divide the gradients by $S$ again in `float32`,
before the update. $S$ is a power of 2, so the multiplication changes no digit. Too large an $S$
overflows the largest gradients to `inf`. PyTorch's `GradScaler` therefore starts at $S = 2^{16}$,
halves $S$ whenever a step produces `inf` or `nan` (and skips that step), and doubles it after 2,000
clean steps.

The demo takes one batch of the deep sigmoid network's weight gradients, computed with **your**
`sigmoid` and `sigmoid_grad`, and stores them in `float16` after scaling by $S = 2^0, 2^4, \dots, 2^{32}$.
It counts the gradients that become 0, that come back off by more than 1%, and that become `inf`.
"""),
    code("numerics_demo", r"""
float_formats_table()
"""),
    code("prediction_widget_3", r"""
predict("09-scale-for-float16")
"""),
    code("loss_scaling_demo", r"""
loss_scaling_demo(sigmoid, sigmoid_grad)
"""),
    markdown("summary", r"""
## Summary

* Backpropagation multiplies the error by $W_{l+1}^{\top}$ and by $f'(z_l)$ at every layer:
  $\delta_l = f'(z_l) \odot (\delta_{l+1} W_{l+1}^{\top})$. Over many layers the product shrinks
  (**vanishing**) or grows (**exploding**) geometrically.
* `float64` ends: $1.5^{l-1}$ overflows to `inf` at layer 1752 and turns into `nan` right after;
  $0.5^{l-1}$ underflows to exactly 0 at layer 1076. Real networks stop learning long before.
* The sigmoid's derivative is at most $1/4$, so every sigmoid layer shrinks the error at least
  fourfold ($4^{10} \approx 10^{6}$ over ten layers). Compute both sigmoid functions from
  $e^{-|x|}$ so that nothing overflows.
* **tanh** is odd and centred on 0, with slope 1 at 0 ($\tanh' = 1 - \tanh^2 = 4\sigma'(2x)$), but it
  saturates like the sigmoid; `np.tanh` and `1 - np.tanh(x)**2` never overflow, `1 / np.cosh(x)**2`
  does.
* ReLU's derivative is 1 on the active side; with He weights the error keeps its size. This course
  takes the **left-hand slope** at every kink: 0 for ReLU, $\alpha$ for leaky ReLU, ELU and PReLU.
* ELU: exponentiate `np.minimum(x, 0)` so that `np.where` never sees an overflowing branch.
* PReLU's slope gradient sums `dout * x` over the negative side only.
* **Clipping by the global norm** rescales all gradients by one factor when their joint norm exceeds
  `max_norm`: the step keeps its direction and can no longer explode.
* A ReLU unit negative on every sample is **dead**: no gradient reaches its weights, so it never
  recovers. Leaky ReLU and ELU keep a slope on the negative side and their units come back.
* **Narrow formats** end early: `float16` overflows beyond 65,504 (`exp` beyond 11.09) and flushes to
  0 below about $3 \times 10^{-8}$. **Loss scaling** multiplies the loss, and so every gradient, by a power
  of 2 before the backward pass, and divides again in `float32`. This keeps small gradients out of the
  subnormal range.

## Questions to think about

1. A network has 30 sigmoid layers. What is the largest possible ratio $\|\delta_1\| / \|\delta_{30}\|$
   contributed by the activation derivatives alone? Which weights could make up for it, and what do
   such weights do to the pre-activations, and so to $\sigma'$?
2. Why does $1.5^{l-1}$ become `nan` one layer after `inf` when computed with a $2 \times 2$ matrix
   product, but stay `inf` when computed as a scalar product `x * 1.5`?
3. In the widget, ReLU at scale 1 loses a factor of about $1/\sqrt 2$ per layer. Where does that
   number come from? (Hint: lesson 04.)
4. Clipping by the global norm keeps the direction of the step. Give a two-parameter example in which
   clipping each gradient separately turns a step downhill into a step that is not.
5. The course fixes `relu_grad(0) = 0`. In a network whose inputs are raw digit pixels (many exactly
   0), could this choice ever matter? Where would exact zeros come from?
6. A tanh network and a sigmoid network have the same weights, small enough that every unit works
   near 0. By how much more does the tanh network's error term survive ten layers?
7. In the dying-ReLU demo the dead units of the ReLU network never come back. Could a dead unit come
   back if the layer *before* it changed? What if the dead unit is in the first hidden layer?
"""),
    free_code("scratch", "# A scratch cell: try your functions on your own inputs here.\n"),
]
