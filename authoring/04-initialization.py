"""Lesson 04, weight initialization: the cells of source/04-initialization/04-initialization.ipynb.

Rebuild the notebook with ``python -m nncourse.authoring 04-initialization``.
"""

from nncourse.authoring import code, free_code, graded_test, markdown, solution

CELLS = [
    markdown("title", r"""
# Lesson 04 · Weight initialization

Gradient descent needs a place to start. Before the first step, every weight of the network must
already have a value, and that value matters far more than one might guess: started badly, a network
that could reach 95% accuracy stays at chance forever, or its numbers overflow before it learns
anything. Two things go wrong:

* **Symmetry.** If all the hidden units of a layer start equal (all weights zero, say), they compute
  the same thing, receive the same gradient, and stay equal: a layer of 64 units behaves like one.
* **Scale.** Every layer multiplies the spread of the signal by a factor that depends on the size of
  its weights. A factor of 0.1 per layer leaves $10^{-10}$ of the signal after 10 layers; a factor
  of 2 multiplies it by 1,024. The same happens to the gradients on their way back.

Random weights fix the first problem; choosing their **variance** from the size of the layer fixes
the second. In this lesson you will implement the standard recipes:

* `small_random_init`: a normal distribution with a small, fixed standard deviation;
* `glorot_uniform` and `glorot_normal`: Glorot and Bengio's *normalized* initialization, for tanh
  and linear layers;
* `he_normal`: He's initialization, for ReLU layers;
* `layer_activation_stds`: a tool that pushes a batch through a stack of layers and measures how the
  spread of the activations evolves with depth.

A widget then lets you watch the signal vanish or explode through 50 layers, and a demo trains a
network on real handwritten digits from each starting point.

**How this notebook works.** Each function you write sits alone in a cell that starts with `def`.
Replace the line `raise NotImplementedError(...)` with your code, run the cell, then run the test cell
below it. The visible checks in the test cell catch most slips; when you submit, hidden tests check
more inputs and tell you the likely mistake. Run the cells from top to bottom.
"""),
    code("setup", r"""
import numpy as np

from lessons.checks import assert_close, assert_equal, assert_in_range, assert_shape, assert_true, assert_unchanged
from lessons.demos.initializers import demo, init_depth_figure
from lessons.predict import predict
from lessons.widgets.initializers import activation_stats_widget
"""),
    markdown("symmetry", r"""
## 1. Why not start from zero? Symmetry

Take a layer with weight matrix $W$ of shape `(fan_in, fan_out)`: as everywhere in this course, a
layer computes $XW + b$ for a batch $X$ of shape `(n_samples, fan_in)`, so **column $j$ of $W$
holds the incoming weights of unit $j$**. Unit $j$ computes $h_j = f(z_j)$ with
$z_j = \sum_i x_i W_{ij} + b_j$, where $f$ is the activation.

Suppose every column of $W$ is the same, for example because $W = 0$. Then:

1. **Forward:** every unit of the layer gets the same $z_j$ and outputs the same $h_j$.
2. **Backward:** the gradient of the loss with respect to $W_{ij}$ is
   $\dfrac{\partial L}{\partial W_{ij}} = x_i\, f'(z_j)\, \dfrac{\partial L}{\partial h_j}$.
   The units of the next layer see $h_1, h_2, \dots$ only through their weights, and when those are
   equal too (zero, say), $\partial L / \partial h_j$ is the same for every $j$. So every column of the
   gradient is the same.
3. **Update:** subtracting equal columns from equal columns leaves the columns equal.

By induction, this holds after every step, forever: the units remain **copies of each other**. A
layer of 64 units has the power of a layer of one unit. No amount of training can break the tie,
because gradient descent is deterministic and treats the copies identically.

*Worked example.* Two inputs $x = (1, 2)$, two sigmoid hidden units with $W = 0$ and biases 0, and
one output $\hat y = v_1 h_1 + v_2 h_2$ with $v = (0, 0)$. Then $z = (0, 0)$ and
$h = (\sigma(0), \sigma(0)) = (0.5, 0.5)$. With the loss $L = \tfrac12(\hat y - y)^2$ and the target
$y = 1$: $\hat y = 0$, and $\partial L / \partial v_j = (\hat y - y)\, h_j = -0.5$ for **both** units,
while $\partial L / \partial W_{ij} = x_i\, \sigma'(0)\, v_j\, (\hat y - y) = 0$ because $v = 0$.
After one step with learning rate 1, $v = (0.5, 0.5)$: the units are still twins, and at the next step
their columns of $W$ receive the same gradient $x_i \cdot 0.25 \cdot 0.5 \cdot (\hat y - y)$.

Any start with equal columns is stuck the same way, a constant $0.1$ everywhere as much as zero. The
cure is to draw every weight **at random**, independently: the units start different and the
gradients pull them further apart. Biases, on the other hand, can start at 0: once the weights are
random, the units already differ.
"""),
    markdown("scale", r"""
## 2. How large should random weights be? Following the variance

Random, yes; but drawn from which distribution? Look at one unit of a layer with $m$ inputs
(`fan_in` $= m$) and zero bias:

$$
z_j = \sum_{i=1}^{m} h_i W_{ij} .
$$

Assume the weights are independent of each other and of the inputs, with mean 0 and variance
$\sigma^2$. The products $h_i W_{ij}$ then have mean 0, they are uncorrelated, and the variance of
their sum is the sum of their variances:

$$
\operatorname{Var}[z_j] = \sum_{i=1}^{m} \mathbb{E}[h_i^2]\, \mathbb{E}[W_{ij}^2]
= m\, \sigma^2\, \mathbb{E}[h^2] .
$$

Here $\mathbb{E}[h^2]$ is the average squared input (its variance when the inputs have mean 0). So
each layer multiplies the spread of the signal by about $\sqrt{m\sigma^2}$ (for a linear layer, or a
tanh layer whose inputs are small enough for $\tanh(z) \approx z$). Through $L$ layers of the same
size, the factors multiply:

| $m$ | $\sigma$ | factor per layer $\sqrt{m\sigma^2}$ | after 10 layers |
| --- | --- | --- | --- |
| 100 | 0.01 | 0.1 | $10^{-10}$ (the signal vanishes) |
| 100 | 0.1 | 1 | 1 (kept) |
| 100 | 0.2 | 2 | 1,024 (the signal explodes) |

A "small" standard deviation of 0.01 is fine for a layer with a few inputs, and it is what many older
notes recommend; but it is small only relative to $1/\sqrt{m}$. The lesson of the table: **choose
$\sigma^2$ from the fan-in**, $\sigma^2 \approx 1/m$, so that $m\sigma^2 \approx 1$.

The backward pass has the same structure. The gradient with respect to an input of the layer sums
over the $n$ units it feeds (`fan_out` $= n$), $\partial L/\partial h_i = \sum_j W_{ij}\, \partial L/\partial z_j$,
so its variance is multiplied by $n\sigma^2$. Keeping the forward signal asks for $\sigma^2 = 1/m$,
keeping the gradients for $\sigma^2 = 1/n$; both hold only when $m = n$.
"""),
    markdown("small_random_intro", r"""
## 3. Small random weights, and randomness done right

The simplest recipe draws each weight from a normal distribution with a fixed standard deviation:

$$
W_{ij} \sim \mathcal{N}(0, \text{scale}^2), \qquad \text{scale} = 0.01 \text{ by default.}
$$

Implement `small_random_init(fan_in, fan_out, *, rng, scale=0.01)`. Three rules apply to every
initializer of this lesson:

* **Shape `(fan_in, fan_out)`**: one row per input, one column per unit, so that `X @ W` works for a
  batch `X` of shape `(n_samples, fan_in)`. (PyTorch stores the transpose, `(fan_out, fan_in)`; this
  course does not.)
* **`scale` is the standard deviation**, not the variance. NumPy's `rng.normal(loc, scale, size)`
  takes the standard deviation as its second argument too. `scale=0` gives a matrix of zeros.
* **All randomness comes from `rng`**, a `numpy.random.Generator` that the caller creates with
  `np.random.default_rng(seed)` and passes in. Draw with `rng.normal(...)` or `rng.uniform(...)`, never
  with NumPy's global functions (`np.random.normal`, `np.random.seed`), and never create a generator of
  your own inside the function. Then the same seed always gives the same weights, an experiment can
  be repeated exactly, and two calls with different generators give different weights.

Draw all the weights in one call with `size=(fan_in, fan_out)`: each entry is its own independent draw.
"""),
    solution("small_random_init", r'''
def small_random_init(fan_in, fan_out, *, rng, scale=0.01):
    """Weights drawn from a normal distribution with a small, fixed standard deviation.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer (rows of W).
    fan_out : int
        Number of units of the layer (columns of W).
    rng : numpy.random.Generator
        The only source of randomness.
    scale : float, default 0.01
        Standard deviation of every weight.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
        Independent draws from N(0, scale**2).
    """
    ### BEGIN SOLUTION
    return rng.normal(0.0, scale, size=(fan_in, fan_out))
    ### END SOLUTION
'''),
    graded_test("small_random_init", 2,
                "small_random_init: shape, standard deviation (0.01 and scale=0.3), mean 0, and randomness from rng only.", r"""
W = small_random_init(300, 100, rng=np.random.default_rng(0))
assert_shape(W, (300, 100), what="small_random_init(300, 100, rng=rng)")
assert_equal(str(W.dtype), "float64", what="the dtype of small_random_init(300, 100)")
# 30000 draws: their standard deviation is within 0.5% of the true one, so 3% is generous.
assert_close(W.std(), 0.01, rtol=0.03, what="the standard deviation of small_random_init(300, 100)")
assert_in_range(W.mean(), -5e-4, 5e-4, what="the mean of small_random_init(300, 100) (it should be 0)")
W3 = small_random_init(100, 300, rng=np.random.default_rng(1), scale=0.3)
assert_close(W3.std(), 0.3, rtol=0.03, what="the standard deviation with scale=0.3 (scale is the std)")
assert_close(small_random_init(4, 6, rng=np.random.default_rng(2), scale=0.0), np.zeros((4, 6)),
             what="small_random_init(4, 6, scale=0.0) (all zeros)")
first = small_random_init(3, 4, rng=np.random.default_rng(7))
again = small_random_init(3, 4, rng=np.random.default_rng(7))
other = small_random_init(3, 4, rng=np.random.default_rng(8))
assert_true(np.array_equal(first, again), "the same seed must give the same weights: draw them from rng")
assert_true(not np.array_equal(first, other), "another seed must give other weights: use the rng passed in")
state = np.random.get_state()
small_random_init(3, 4, rng=np.random.default_rng(7))
after = np.random.get_state()
assert_true(np.array_equal(state[1], after[1]) and state[2] == after[2],
            "NumPy's global generator was used: draw with rng.normal(...), not np.random.normal(...)")
"""),
    markdown("glorot_intro", r"""
## 4. Glorot's normalized initialization (uniform)

Glorot and Bengio (2010) settled the forward/backward conflict of section 2 with a compromise: the
variance that keeps the signal for a layer whose fan-in and fan-out are both the **average** of the
two,

$$
\operatorname{Var}[W_{ij}] = \frac{2}{m + n}, \qquad m = \mathrm{fan}_\mathrm{in},\ n = \mathrm{fan}_\mathrm{out}.
$$

They drew the weights from a **uniform** distribution on $[-a, a]$. Its variance is

$$
\operatorname{Var}[W] = \int_{-a}^{a} \frac{w^2}{2a}\, dw = \frac{a^2}{3},
\qquad\text{so}\qquad
\frac{a^2}{3} = \frac{2}{m+n} \iff a = \sqrt{\frac{6}{m+n}} .
$$

This is the **normalized initialization**:

$$
W_{ij} \sim U\!\left[-\sqrt{\frac{6}{m+n}},\ \sqrt{\frac{6}{m+n}}\right].
$$

> **A misprint to avoid.** A version of this formula circulating in course notes reads
> $U\big(-\tfrac{6}{\sqrt{m+n}}, \tfrac{6}{m+n}\big)$: the square root covers only the denominator on
> the left, is missing on the right, and the interval is not even centred on 0. The square root
> must cover the **whole fraction**, on both sides. The numbers show how much it matters, for a layer
> with $m = 300$ inputs and $n = 100$ units (target variance $2/400 = 0.005$):
>
> | bound $a$ | value | standard deviation $a/\sqrt3$ | variance / target |
> | --- | --- | --- | --- |
> | $\sqrt{6/(m+n)}$ (correct) | 0.1225 | 0.0707 | 1 |
> | $6/\sqrt{m+n}$ | 0.3 | 0.1732 | 6 |
> | $6/(m+n)$ | 0.015 | 0.00866 | 0.015 |
>
> The lopsided interval $(-0.3, 0.015)$ of the misprint would even give the weights a mean of
> $-0.1425$. In a deep linear stack of square layers of width 100, the bound $6/\sqrt{m+n}$ multiplies
> the spread of the signal by $\sqrt{6} \approx 2.45$ per layer (about 7,800 after 10 layers), and
> $6/(m+n)$ by $0.173$ per layer ($2.4 \times 10^{-8}$ after 10 layers). The cell after the test
> computes these numbers.

Implement `glorot_uniform`. `rng.uniform(low, high, size)` draws uniformly from $[\text{low}, \text{high})$.
"""),
    solution("glorot_uniform", r'''
def glorot_uniform(fan_in, fan_out, *, rng):
    """Glorot and Bengio's normalized initialization: uniform on [-a, a], a = sqrt(6 / (fan_in + fan_out)).

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer (rows of W).
    fan_out : int
        Number of units of the layer (columns of W).
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
        Independent uniform draws, of variance a**2 / 3 = 2 / (fan_in + fan_out).
    """
    ### BEGIN SOLUTION
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))
    ### END SOLUTION
'''),
    graded_test("glorot_uniform", 2,
                "glorot_uniform: shape, weights filling [-a, a] for a = sqrt(6 / (m + n)), std a / sqrt(3), randomness from rng.", r"""
a = np.sqrt(6 / (300 + 100))  # 0.1225
W = glorot_uniform(300, 100, rng=np.random.default_rng(0))
assert_shape(W, (300, 100), what="glorot_uniform(300, 100, rng=rng)")
assert_in_range(W.max(), 0.99 * a, a, what=f"the largest weight (the weights fill [-a, a], a = {a:.4f})")
assert_in_range(W.min(), -a, -0.99 * a, what=f"the smallest weight (the weights fill [-a, a], a = {a:.4f})")
assert_close(W.std(), a / np.sqrt(3), rtol=0.03, what="the standard deviation of glorot_uniform(300, 100)")
assert_in_range(W.mean(), -3e-3, 3e-3, what="the mean of glorot_uniform(300, 100) (it should be 0)")
assert_shape(glorot_uniform(5, 2, rng=np.random.default_rng(1)), (5, 2), what="glorot_uniform(5, 2, rng=rng)")
first, again, other = (glorot_uniform(3, 4, rng=np.random.default_rng(seed)) for seed in (7, 7, 8))
assert_true(np.array_equal(first, again), "the same seed must give the same weights: draw them from rng")
assert_true(not np.array_equal(first, other), "another seed must give other weights: use the rng passed in")
"""),
    code("glorot_errata", r"""
# The misprinted bounds against the correct one, for m = 300 inputs and n = 100 units.
m, n = 300, 100
target = 2 / (m + n)
for label, a in [("sqrt(6 / (m + n))", np.sqrt(6 / (m + n))), ("6 / sqrt(m + n)", 6 / np.sqrt(m + n)),
                 ("6 / (m + n)", 6 / (m + n))]:
    print(f"a = {label:<17} = {a:.4f}:  std {a / np.sqrt(3):.5f},  variance / target = {a**2 / 3 / target:.3g}")
# The factor per layer of a deep linear stack of 100 x 100 layers: sqrt(fan_in * variance).
width = 100
for label, a in [("sqrt(6 / (m + n))", np.sqrt(6 / (2 * width))), ("6 / sqrt(m + n)", 6 / np.sqrt(2 * width)),
                 ("6 / (m + n)", 6 / (2 * width))]:
    factor = np.sqrt(width * a**2 / 3)
    print(f"width {width}, a = {label:<17}: x{factor:.3f} per layer, x{factor**10:.3g} after 10 layers")
"""),
    markdown("glorot_normal_intro", r"""
## 5. Glorot's initialization, normal form

The variance is what matters, not the shape of the distribution. A normal distribution with the same
variance works as well:

$$
W_{ij} \sim \mathcal{N}\!\left(0, \sigma^2\right), \qquad \sigma = \sqrt{\frac{2}{m+n}} .
$$

*Worked example.* For $m = 300$ and $n = 100$, $\sigma = \sqrt{2/400} = 0.0707$: the same standard
deviation as the uniform form above, whose weights never exceed $0.1225$; a normal draw exceeds that
value about 8% of the time. Note that the formula is symmetric in $m$ and $n$: a $100 \times 300$
layer gets the same $\sigma$ as a $300 \times 100$ one.

Watch the square root once more: $2/(m+n)$ is the **variance**, and `rng.normal` wants the standard
deviation.
"""),
    solution("glorot_normal", r'''
def glorot_normal(fan_in, fan_out, *, rng):
    """Glorot's initialization, normal form: N(0, 2 / (fan_in + fan_out)).

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer (rows of W).
    fan_out : int
        Number of units of the layer (columns of W).
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
        Independent normal draws with standard deviation sqrt(2 / (fan_in + fan_out)).
    """
    ### BEGIN SOLUTION
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_in, fan_out))
    ### END SOLUTION
'''),
    graded_test("glorot_normal", 2,
                "glorot_normal: shape, standard deviation sqrt(2 / (m + n)) both ways round, normal tails, randomness from rng.", r"""
W = glorot_normal(300, 100, rng=np.random.default_rng(0))
assert_shape(W, (300, 100), what="glorot_normal(300, 100, rng=rng)")
assert_close(W.std(), np.sqrt(2 / 400), rtol=0.03, what="the standard deviation of glorot_normal(300, 100)")
assert_in_range(W.mean(), -2e-3, 2e-3, what="the mean of glorot_normal(300, 100) (it should be 0)")
# Normal draws have tails: about 80 of 30000 lie beyond 3 std; uniform ones of that std stop at sqrt(3) std.
assert_in_range(np.abs(W).max(), 3 * np.sqrt(2 / 400), np.inf,
                what="the largest |weight| of glorot_normal(300, 100) (normal draws reach beyond 3 std)")
W_wide = glorot_normal(100, 300, rng=np.random.default_rng(1))
assert_shape(W_wide, (100, 300), what="glorot_normal(100, 300, rng=rng)")
assert_close(W_wide.std(), np.sqrt(2 / 400), rtol=0.03, what="the standard deviation of glorot_normal(100, 300)")
first, again, other = (glorot_normal(3, 4, rng=np.random.default_rng(seed)) for seed in (7, 7, 8))
assert_true(np.array_equal(first, again), "the same seed must give the same weights: draw them from rng")
assert_true(not np.array_equal(first, other), "another seed must give other weights: use the rng passed in")
"""),
    markdown("he_intro", r"""
## 6. He's initialization, for ReLU layers

Glorot's analysis assumes an activation that behaves like the identity near 0, as tanh does. A ReLU,
$h = \max(z, 0)$, does not: it sets every negative input to 0. If $z$ is symmetric around 0, half of
its values are zeroed and the other half kept, so the average square of the output is half that of
the input:

$$
\mathbb{E}[h^2] = \mathbb{E}[z^2 \,;\, z > 0] = \tfrac12 \operatorname{Var}[z] .
$$

(It is the second moment $\mathbb{E}[h^2]$ that enters the formula of section 2, not the variance of
$h$: a ReLU's output has a positive mean.) Put into $\operatorname{Var}[z_{\text{next}}] = m\sigma^2\,\mathbb{E}[h^2]$:

$$
\operatorname{Var}[z_{\text{next}}] = m \sigma^2 \cdot \tfrac12 \operatorname{Var}[z] ,
$$

and the factor is 1 when $\sigma^2 = 2/m$. He, Zhang, Ren and Sun (2015) proposed exactly that:

$$
W_{ij} \sim \mathcal{N}\!\left(0, \frac{2}{\mathrm{fan}_\mathrm{in}}\right), \qquad \sigma = \sqrt{\frac{2}{\mathrm{fan}_\mathrm{in}}} .
$$

It depends on the fan-**in** only, the number of inputs each unit sums over, since it is built to keep
the forward signal. *Worked example:* a layer with 200 inputs and 300 units gets
$\sigma = \sqrt{2/200} = 0.1$; a layer with 300 inputs and 200 units gets $\sqrt{2/300} = 0.0816$.
(Without the factor 2, $\sigma = \sqrt{1/\mathrm{fan}_\mathrm{in}}$ is LeCun's initialization, meant for
activations that do not cut half of the signal.)

Implement `he_normal` as a **normal** distribution with that standard deviation.
"""),
    solution("he_normal", r'''
def he_normal(fan_in, fan_out, *, rng):
    """He's initialization for ReLU layers: N(0, 2 / fan_in).

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer (rows of W).
    fan_out : int
        Number of units of the layer (columns of W).
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
        Independent normal draws with standard deviation sqrt(2 / fan_in).
    """
    ### BEGIN SOLUTION
    std = np.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_in, fan_out))
    ### END SOLUTION
'''),
    graded_test("he_normal", 2,
                "he_normal: shape, standard deviation sqrt(2 / fan_in) (0.1 for 200 inputs, 0.0816 for 300), randomness from rng.", r"""
W = he_normal(200, 300, rng=np.random.default_rng(0))
assert_shape(W, (200, 300), what="he_normal(200, 300, rng=rng)")
assert_close(W.std(), 0.1, rtol=0.03, what="the standard deviation of he_normal(200, 300)")
assert_in_range(W.mean(), -3e-3, 3e-3, what="the mean of he_normal(200, 300) (it should be 0)")
W_tall = he_normal(300, 200, rng=np.random.default_rng(1))
assert_shape(W_tall, (300, 200), what="he_normal(300, 200, rng=rng)")
assert_close(W_tall.std(), np.sqrt(2 / 300), rtol=0.03,
             what="the standard deviation of he_normal(300, 200) (it depends on fan_in only)")
first, again, other = (he_normal(3, 4, rng=np.random.default_rng(seed)) for seed in (7, 7, 8))
assert_true(np.array_equal(first, again), "the same seed must give the same weights: draw them from rng")
assert_true(not np.array_equal(first, other), "another seed must give other weights: use the rng passed in")
"""),
    markdown("las_intro", r"""
## 7. Measuring the signal through depth

The formulas above are predictions. To check them, push a batch through a stack of layers and
measure. Implement `layer_activation_stds(x, weights, activation)`:

* `x` has shape `(n_samples, n_features)`; `weights` is a list $[W_1, \dots, W_L]$ whose shapes chain
  (`W_1` has `n_features` rows, and each matrix has as many rows as the previous one has columns);
  `activation` is a function applied elementwise, such as `np.tanh`.
* The biases are zero. Starting from $h_0 = x$, each layer computes $h_l = f(h_{l-1} W_l)$: multiply
  first, then apply the activation, **after every layer, the last one included**.
* Return a NumPy array of shape `(L,)`, with entry $l-1$ the **standard deviation of all the entries of
  $h_l$**, the `n_samples × width` numbers of that layer's output taken together, with `np.std(h)`. That
  is the population standard deviation (`ddof=0`, NumPy's default) around the mean of those entries,
  not a mean of per-unit standard deviations, and not the spread of the input `x` itself.

*Worked example.* $x = \begin{bmatrix} 1 & -1 \\ -1 & 1 \end{bmatrix}$, $W_1 = 2I$, $W_2 = 3I$
($I$ the $2 \times 2$ identity).

* Identity activation: $h_1 = \begin{bmatrix} 2 & -2 \\ -2 & 2 \end{bmatrix}$, mean 0, standard
  deviation 2; $h_2 = 3h_1$, standard deviation 6. Result: $[2, 6]$.
* ReLU: $h_1 = \begin{bmatrix} 2 & 0 \\ 0 & 2 \end{bmatrix}$, mean 1, every entry 1 away from it:
  standard deviation 1. $h_2 = \begin{bmatrix} 6 & 0 \\ 0 & 6 \end{bmatrix}$: standard deviation 3.
  Result: $[1, 3]$.
* tanh: $h_1 = \pm\tanh 2 = \pm 0.9640$, standard deviation $0.9640$; $h_2 = \pm\tanh(3 \times 0.9640)
  = \pm 0.9939$. Result: $[0.9640, 0.9939]$: tanh saturates, and the spread can never exceed 1.

Do not modify `x` or the weights.
"""),
    solution("layer_activation_stds", r'''
def layer_activation_stds(x, weights, activation):
    """Forward a batch through a stack of layers (zero biases) and return each layer's standard deviation.

    Parameters
    ----------
    x : ndarray of shape (n_samples, n_features)
        The input batch.
    weights : list of ndarray
        [W_1, ..., W_L]; W_l has shape (d_{l-1}, d_l) with d_0 = n_features.
    activation : callable
        Applied elementwise after every layer, the last one included.

    Returns
    -------
    stds : ndarray of shape (len(weights),)
        stds[l - 1] is np.std of all the entries of h_l = activation(h_{l-1} @ W_l), with h_0 = x.
    """
    ### BEGIN SOLUTION
    h = np.asarray(x, dtype=float)
    stds = []
    for W in weights:
        h = activation(h @ W)
        stds.append(np.std(h))
    return np.array(stds, dtype=float)
    ### END SOLUTION
'''),
    graded_test("layer_activation_stds", 3,
                "layer_activation_stds: the worked example with identity, ReLU and tanh, shapes, and inputs left unchanged.", r"""
x = np.array([[1.0, -1.0], [-1.0, 1.0]])
weights = [2.0 * np.eye(2), 3.0 * np.eye(2)]
identity = lambda z: z  # noqa: E731
relu = lambda z: np.maximum(z, 0.0)  # noqa: E731
assert_close(layer_activation_stds(x, weights, identity), [2.0, 6.0], what="the worked example, identity")
assert_close(layer_activation_stds(x, weights, relu), [1.0, 3.0], what="the worked example, ReLU")
assert_close(layer_activation_stds(x, weights, np.tanh), [np.tanh(2.0), np.tanh(3 * np.tanh(2.0))],
             what="the worked example, tanh")
rng = np.random.default_rng(0)
x = rng.normal(size=(20, 6))
weights = [rng.normal(size=(6, 8)), rng.normal(size=(8, 5)), rng.normal(size=(5, 7)), rng.normal(size=(7, 3))]
x_copy, weights_copy = x.copy(), [W.copy() for W in weights]
stds = np.asarray(layer_activation_stds(x, weights, np.tanh), dtype=float)
assert_shape(stds, (4,), what="layer_activation_stds with 4 weight matrices, as an array")
assert_in_range(stds.max(), 0.0, 1.0, what="the largest std with tanh (its outputs lie in (-1, 1))")
assert_in_range(stds.min(), 1e-12, 1.0, what="the smallest std with tanh (above 0: the outputs are not constant)")
assert_unchanged(x_copy, x, what="x")
for W, W_copy in zip(weights, weights_copy):
    assert_unchanged(W_copy, W, what="a weight matrix")
assert_close(layer_activation_stds(np.zeros((3, 6)), weights, np.tanh), np.zeros(4), what="a zero input")
# With ReLU (or no activation), every layer's output scales with x, and so does its std.
assert_close(layer_activation_stds(10 * x, weights, relu), 10 * np.asarray(layer_activation_stds(x, weights, relu)),
             what="the stds for 10 * x (they should be 10 times those for x)")
"""),
    code("prediction_widget_1", r"""
predict("04-small-random-factor")
"""),
    markdown("widget_intro", r"""
## 8. Watching the signal through 50 layers

The widget below sends a batch of 200 inputs with 100 standard normal features (spread 1) through a
stack of layers of 100 units, with weights from **your initializers** and standard deviations from
**your `layer_activation_stds`**. The left plot shows the standard deviation of every layer's output on
a log scale, where a constant factor per layer is a straight line; the right plot shows the
distribution of the outputs of the first, middle and last layers. The *weight scale* multiplies every
weight, to see what happens just off the recommended variance.

Each layer has $m = n = 100$, so Glorot's and He's standard deviations are 0.1 and 0.141. Answer
each question for yourself before you change the settings, then open the answer:

1. **Small random, tanh** (the starting setting): by what factor does the spread change per layer, and
   where is it after 20 layers?

   <details><summary>What you should see, and why</summary>

   It falls by a factor of 0.1 per layer, as section 2 predicts for $\sqrt{100 \times 0.01^2}$; after
   20 layers it is around $10^{-20}$, and the histograms of the deeper layers are a spike at 0.
   Gradients shrink the same way on their way back.

   </details>

2. **Glorot normal, tanh**: does the spread stay put over 50 layers?

   <details><summary>What you should see, and why</summary>

   It stays of order 1 over many layers, but drifts down slowly, to about 0.1 after 50 layers, because
   tanh is flatter than the identity away from 0.

   </details>

3. **Glorot, ReLU**, then **He normal, ReLU**: what is the factor per layer in each case?

   <details><summary>What you should see, and why</summary>

   With Glorot, about $1/\sqrt2 \approx 0.71$ per layer, since ReLU halves the average square. With He
   there is no trend over 50 layers. With the widget's weights the spread wanders between 0.48 and 1.26
   (the input's is 1.0) and ends at 0.48, against $0.71^{50} \approx 3 \times 10^{-8}$ for Glorot. The
   wandering is the product of 50 random factors, each close to 1. The absence of a trend is the factor
   2 of section 6 at work.

   </details>

4. **He normal, ReLU, weight scale 2**: guess the spread after 50 layers before you look.

   <details><summary>What you should see, and why</summary>

   About $\times 2$ per layer, some $5 \times 10^{14}$ after 50 layers: doubling every weight doubles
   every layer's output, and ReLU passes the factor on unchanged.

   </details>

5. **Glorot, tanh, weight scale 3**: the spread cannot grow past 1. What do the histograms do instead?

   <details><summary>What you should see, and why</summary>

   The outputs pile up at $\pm 1$: the units *saturate*, where tanh is flat and passes almost no
   gradient back.

   </details>

6. **Sigmoid**, with small random weights: does the spread vanish as it did with tanh?

   <details><summary>What you should see, and why</summary>

   No, it levels off. Sigmoid outputs have mean 0.5, and $0.5 \times$ (the sum of a unit's weights)
   differs from unit to unit: that spread comes from the weights, not from the input. The part that
   depends on the input still shrinks, by about $\tfrac14\sqrt{m\sigma^2}$ per layer (the sigmoid's
   slope at 0 is $\tfrac14$). One number per layer does not tell the whole story.

   </details>

7. **Zeros**: what are the standard deviations, and how many different units are there?

   <details><summary>What you should see, and why</summary>

   Every unit of every layer outputs $f(0)$, the standard deviations are exactly 0 (off the log scale)
   and all the units are identical, whatever the depth.

   </details>
"""),
    markdown("init_depth_figure_intro", r"""
Before the widget, one static picture: 128 standard normal inputs through 10 layers of 256 units, with
weights from **your** initializers and spreads from **your** `layer_activation_stds`, on a log scale
where a constant factor per layer is a straight line. With 256 inputs per unit, small random weights
multiply the spread by $0.01\sqrt{256} = 0.16$ per layer, not by the 0.1 of 100 units: the factor
depends on the fan-in, which is the whole point of Glorot's and He's formulas. Glorot with ReLU loses
about $1/\sqrt2$ per layer; He with ReLU keeps the spread flat, a little below 1: ReLU's outputs have a
positive mean, so for $z \sim \mathcal N(0, 2)$ the second moment $\mathbb E[h^2]$ is 1 but the
standard deviation is $\sqrt{1 - 1/\pi} \approx 0.83$. Doubling He's weights doubles every layer.
"""),
    code("init_depth_demo", r"""
init_depth_figure(small_random_init, glorot_normal, he_normal, layer_activation_stds)
"""),
    code("widget", r"""
activation_stats_widget(small_random_init, glorot_uniform, glorot_normal, he_normal, layer_activation_stds)
"""),
    code("prediction_widget_2", r"""
predict("04-relu-from-zeros")
"""),
    markdown("demo_intro", r"""
## 9. On real data: one network, four starting points

The 8×8 handwritten digits that ship with scikit-learn (1,797 images, no download) make a small real
test. Every pixel is first standardized to mean 0 and standard deviation 1 on the training set, since the
variance argument assumes inputs of that kind. Two experiments use your initializers:

1. **A ReLU network with three hidden layers of 64 units** (64-64-64-64-10) is trained for 15 epochs of
   plain mini-batch SGD (learning rate 0.03, batches of 32), from zeros, small random weights (std
   0.01), Glorot uniform, Glorot normal and He normal weights. Everything else, the data, the order of
   the batches, the learning rate, is identical.
   * From **zeros**, the ReLU units output 0 and, with the course's convention $\text{relu}'(0) = 0$,
     pass no gradient back: only the output biases learn, and the network predicts the most frequent
     class.
   * From **small random** weights, each layer multiplies the signal by about
     $0.01 \times \sqrt{64/2} \approx 0.06$: the logits are around $10^{-5}$ of the input and the gradients
     reaching the first layers are similarly tiny. The network stays at chance during the whole budget.
   * **Glorot** and **He** start learning at the first epoch and reach about 95% test accuracy. At this
     modest depth both work; the widget shows where they part ways.
2. **The symmetry, made visible**: a network with one hidden layer of 8 **sigmoid** units, trained
   from zeros and from your Glorot uniform weights. With a sigmoid, units started at zero output
   $0.5$, so gradients do flow and the weights do move, but every unit receives the same update. Each
   unit's 64 input weights are drawn as an 8×8 image: from zeros, the 8 images are identical and the
   spread across units is exactly 0; from Glorot, 8 different detectors.

The demo trains seven small networks and takes a few seconds.
"""),
    code("demo", r"""
demo(small_random_init, glorot_uniform, glorot_normal, he_normal)
"""),
    markdown("summary", r"""
## Summary

* **Never start with equal weights** (zeros in particular): units that start equal get equal gradients
  and stay copies of each other. Random weights break the symmetry; biases may start at 0.
* A layer with fan-in $m$ and weight variance $\sigma^2$ multiplies the average square of the signal by
  $m\sigma^2$ (and by half that after a ReLU). Away from 1, the signal and the gradients **vanish or
  explode geometrically** with depth. A fixed "small" standard deviation of 0.01 is small only for
  small layers.
* **Glorot** (tanh, linear): $\operatorname{Var}[W] = 2/(m+n)$; uniform on $[-a, a]$ with
  $a = \sqrt{6/(m+n)}$ (the square root covers the whole fraction, on both sides), or normal with
  $\sigma = \sqrt{2/(m+n)}$.
* **He** (ReLU): normal with $\sigma = \sqrt{2/\mathrm{fan}_\mathrm{in}}$; the 2 makes up for the half of the
  signal a ReLU sets to zero.
* Weight matrices have shape `(fan_in, fan_out)`; `rng.normal` takes a standard deviation, not a
  variance; all randomness comes from the `rng` passed in.
* `layer_activation_stds` measures what the theory predicts: a straight line on a log scale when the
  variance is off, a flat one when it is right.

## Questions to think about

1. A layer maps 784 pixels to 10 classes. What are its Glorot bound $a$ and its He standard deviation?
   Which of the two would you use for this (linear) output layer, and why?
2. All weights start at the same constant $0.1$ instead of $0$. Is the symmetry broken? What if only the
   biases are random and the weights are zero?
3. The sigmoid's slope at 0 is $1/4$. Near 0, $\sigma(z) \approx \tfrac12 + z/4$. By what factor would you
   multiply Glorot's standard deviation to keep the spread of a deep sigmoid network, and why is the
   mean of $0.5$ a problem that no choice of variance fixes?
4. He's initialization keeps the forward signal. What standard deviation would keep the variance of
   the gradients in the backward pass of a ReLU network, and when do the two agree?
5. Why does the test of `small_random_init` check that NumPy's global generator was not touched? What
   could go wrong in an experiment that calls `np.random.seed` inside an initializer?
"""),
    free_code("scratch", "# A scratch cell: try your functions on your own inputs here.\n"),
]
