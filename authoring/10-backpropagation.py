"""Lesson 10, backpropagation: the cells of source/10-backpropagation/10-backpropagation.ipynb.

Rebuild the notebook with ``python -m nncourse.authoring 10-backpropagation``.
"""

from nncourse.authoring import code, free_code, graded_test, markdown, solution

CELLS = [
    markdown("title", r"""
# Lesson 10 · Backpropagation: a multi-layer perceptron from your own parts

Every demo of this course so far trained a network whose backward pass the course wrote for you. You
wrote pieces of it (the gradient of a loss in lesson 02, of dropout in lesson 08, of the activations
in lesson 09), but never the whole pass that turns one number, the loss, into the gradient of every
weight of every layer. This capstone lesson closes that gap. You will write:

* `dense_forward(X, W, b)` and `dense_backward(dZ, X, W)`: one fully connected layer, forward and
  backward;
* `mlp_backward(X, y, weights, biases, *, activation="relu")`: the loss of a whole multi-layer
  perceptron and the gradient of all its weights and biases, by the **delta recursion**;
* `numerical_gradient(f, x, *, h=1e-5)` and `relative_error(a, b)`: the **gradient check** with which
  every backward pass written by hand should be tested, and with which you will test yours.

Then a widget shows how the gradient check's error depends on the step $h$, a demo measures what a
backward pass costs against a forward pass, and your network learns the handwritten digits.

**Conventions.** As in every lesson, data are batch-first: `X` has shape `(n_samples, n_features)`,
a weight matrix `W` has shape `(fan_in, fan_out)`, and a layer computes `X @ W + b`. Labels `y` are
integers `0 .. K-1`. The loss is the **mean** softmax cross-entropy of lesson 02.

**How this notebook works.** Each function you write sits alone in a cell that starts with `def`.
Replace the line `raise NotImplementedError(...)` with your code, run the cell, then run the test cell
below it. The visible checks in the test cell catch most slips; when you submit, hidden tests check
more inputs and tell you the likely mistake. Run the cells from top to bottom.
"""),
    code("setup", r"""
import numpy as np

from lessons.checks import assert_close, assert_raises, assert_shape, assert_type, assert_unchanged, gradient_check
from lessons.demos.backprop import check_report, cost_demo, digits_demo, neuron_graph_figure
from lessons.predict import predict
from lessons.widgets.backprop import gradient_check_widget
"""),
    markdown("graph", r"""
## 1. The chain rule on a computation graph

Any computation, however long, is a chain of small steps, each with inputs it knows the derivative
of. Draw every intermediate value as a node and every step as an arrow: that is a **computation
graph**. Take a single neuron with a squared loss,

$$
z = w x + b, \qquad a = \tanh(z), \qquad J = (a - t)^2 ,
$$

with $x = 2$, $w = 0.5$, $b = -0.5$ and the target $t = 1$. **Forward**, node by node:
$z = 0.5 \cdot 2 - 0.5 = 0.5$, $a = \tanh(0.5) = 0.4621$, $J = (0.4621 - 1)^2 = 0.2893$.

**Backward**, from the end. Write $\bar v = \partial J / \partial v$ for the gradient of the loss with
respect to a node $v$ (the node's *adjoint*). The last node's is $\bar J = 1$, and each step hands
its inputs the adjoint of its output times its own local derivative:

$$
\bar a = 2 (a - t) = -1.0758, \qquad
\bar z = \bar a \cdot (1 - a^2) = -1.0758 \cdot 0.7864 = -0.8460, \qquad
\bar w = \bar z \cdot x = -1.6921, \qquad \bar b = \bar z = -0.8460 .
$$

That is the chain rule, $\frac{\partial J}{\partial w} = \frac{\partial J}{\partial a}
\frac{\partial a}{\partial z} \frac{\partial z}{\partial w}$, evaluated from the left. Two facts make
it an algorithm rather than a formula:

* **Each step is local.** The step $a = \tanh(z)$ needs only its own derivative $1 - a^2$ and the
  adjoint arriving from above; it knows nothing of the loss or of the other layers.
* **Each adjoint is computed once and reused.** $\bar z$ serves both $\bar w$ and $\bar b$. When a
  node feeds several others (a hidden unit feeds every unit of the next layer), its adjoint is the
  **sum** of what comes back along each arrow.

Going backwards from one scalar output computes the derivative with respect to *every* input in one
sweep. This is **reverse-mode automatic differentiation**; *backpropagation* is its name for neural
networks.
"""),
    markdown("dense_forward_intro", r"""
## 2. A fully connected layer, forward

A fully connected (dense) layer with `fan_in` inputs and `fan_out` units computes, for a whole batch
at once,

$$
Z = X W + b, \qquad X \in \mathbb{R}^{n \times \text{fan\_in}}, \quad
W \in \mathbb{R}^{\text{fan\_in} \times \text{fan\_out}}, \quad b \in \mathbb{R}^{\text{fan\_out}},
$$

where $b$ is added to every row (NumPy's broadcasting does that for you). Row $i$ of $Z$ is the
pre-activation of sample $i$; column $j$ belongs to unit $j$.

*Worked example.* $X = [[1, 2]]$, $W = [[1, 0], [0, -1]]$, $b = [0.5, 0.5]$: $XW = [[1, -2]]$ and
$Z = [[1.5, -1.5]]$.

Implement `dense_forward(X, W, b)`. When the shapes do not chain (`X` has not as many columns as `W`
has rows, or `b` has not one entry per column of `W`), raise a `ValueError` whose message names the
argument: NumPy would sometimes broadcast its way to an answer of the wrong shape without complaint.
"""),
    solution("dense_forward", r'''
def dense_forward(X, W, b):
    """A fully connected layer for a batch: Z = X @ W + b.

    Parameters
    ----------
    X : ndarray of shape (n_samples, fan_in)
    W : ndarray of shape (fan_in, fan_out)
    b : ndarray of shape (fan_out,)

    Returns
    -------
    Z : ndarray of shape (n_samples, fan_out)
    """
    ### BEGIN SOLUTION
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    if X.ndim != 2 or W.ndim != 2 or X.shape[1] != W.shape[0]:
        raise ValueError(f"X of shape {X.shape} and W of shape {W.shape} do not chain: "
                         "X needs as many columns as W has rows")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},), one entry per unit, got {b.shape}")
    return X @ W + b
    ### END SOLUTION
'''),
    graded_test("dense_forward", 1, "dense_forward: the worked example, a square layer, shapes and refused shapes.", r"""
assert_close(dense_forward(np.array([[1.0, 2.0]]), np.array([[1.0, 0.0], [0.0, -1.0]]), np.array([0.5, 0.5])),
             [[1.5, -1.5]], what="dense_forward of the worked example")
# A square W: X @ W and X @ W.T have the same shape but not the same numbers.
assert_close(dense_forward(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros(2)),
             [[7.0, 10.0], [15.0, 22.0]], what="dense_forward(X, W, 0) with X = W = [[1, 2], [3, 4]]")
assert_shape(dense_forward(np.ones((5, 3)), np.ones((3, 4)), np.zeros(4)), (5, 4),
             what="dense_forward of 5 samples through a layer of 3 inputs and 4 units")
assert_raises(ValueError, dense_forward, np.ones((2, 3)), np.ones((4, 2)), np.zeros(2),
              what="dense_forward with X of 3 columns and W of 4 rows")
"""),
    markdown("dense_backward_intro", r"""
## 3. The same layer, backward

The layer receives, from whatever comes after it, the adjoint of its output,
$\delta = \partial J / \partial Z$, of the shape of $Z$. It must hand back the adjoints of everything
it used: $X$ (for the layer below), $W$ and $b$ (for the update). Entry by entry,
$Z_{ij} = \sum_k X_{ik} W_{kj} + b_j$, so

$$
\frac{\partial J}{\partial W_{kj}} = \sum_i \frac{\partial J}{\partial Z_{ij}} X_{ik}, \qquad
\frac{\partial J}{\partial b_j} = \sum_i \frac{\partial J}{\partial Z_{ij}}, \qquad
\frac{\partial J}{\partial X_{ik}} = \sum_j \frac{\partial J}{\partial Z_{ij}} W_{kj},
$$

and as matrix products:

$$
dW = X^{\top} \delta \ \ (\text{fan\_in} \times \text{fan\_out}), \qquad
db = \textstyle\sum_i \delta_{i\cdot} \ \ (\text{fan\_out}), \qquad
dX = \delta\, W^{\top} \ \ (n \times \text{fan\_in}).
$$

A useful habit: **let the shapes tell you the formula.** $dW$ must have the shape of $W$; the only
product of $X$ and $\delta$ that does is $X^{\top}\delta$. $dX$ must have the shape of $X$; the only
product of $\delta$ and $W$ that does is $\delta W^{\top}$. The bias is added to every sample, so its
adjoint **sums** over the samples (axis 0): each sample's contribution counts.

There is no $1/n$ here. If the loss is a mean over the samples, the $1/n$ is already inside $\delta$,
because it came from the loss; a layer that divided again would shrink its gradients with the batch
size.

*Worked example.* $\delta = [[1, -1]]$, $X = [[2, 3]]$, $W$ the 2 × 2 identity:
$dX = [[1, -1]]$, $dW = [[2, -2], [3, -3]]$, $db = [1, -1]$.

Implement `dense_backward(dZ, X, W)`, returning the triple `(dX, dW, db)`.
"""),
    solution("dense_backward", r'''
def dense_backward(dZ, X, W):
    """The backward pass of Z = X @ W + b, given dZ = dJ/dZ.

    Parameters
    ----------
    dZ : ndarray of shape (n_samples, fan_out)
    X : ndarray of shape (n_samples, fan_in), the layer's input in the forward pass
    W : ndarray of shape (fan_in, fan_out)

    Returns
    -------
    dX : ndarray of shape (n_samples, fan_in)
    dW : ndarray of shape (fan_in, fan_out)
    db : ndarray of shape (fan_out,)
    """
    ### BEGIN SOLUTION
    dZ, X, W = (np.asarray(a, dtype=float) for a in (dZ, X, W))
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)
    ### END SOLUTION
'''),
    graded_test("dense_backward", 2, "dense_backward: the worked example, shapes, and finite differences of every output.", r"""
result = dense_backward(np.array([[1.0, -1.0]]), np.array([[2.0, 3.0]]), np.eye(2))
assert_type(result, (tuple, list), length=3, what="dense_backward(dZ, X, W) (return `dX, dW, db`)")
dX, dW, db = result
assert_close(dX, [[1.0, -1.0]], what="dX of the worked example")
assert_close(dW, [[2.0, -2.0], [3.0, -3.0]], what="dW of the worked example")
assert_close(db, [1.0, -1.0], what="db of the worked example")
# A random layer: J = sum(G * Z) has dJ/dZ = G, so each output must match finite differences of J.
rng = np.random.default_rng(10)
X, W, b, G = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 4))
before = [X.copy(), W.copy(), G.copy()]
dX, dW, db = dense_backward(G, X, W)
assert_shape(dX, (5, 3), what="dX")
assert_shape(dW, (3, 4), what="dW")
assert_shape(db, (4,), what="db")
gradient_check(lambda v: np.sum(G * (v @ W + b)), lambda v: dense_backward(G, v, W)[0], X, what="dX")
gradient_check(lambda v: np.sum(G * (X @ v + b)), lambda v: dense_backward(G, X, v)[1], W, what="dW")
gradient_check(lambda v: np.sum(G * (X @ W + v)), lambda v: dense_backward(G, X, W)[2], b, what="db")
for old, new, name in zip(before, (X, W, G), ("X", "W", "dZ")):
    assert_unchanged(old, new, what=name)
"""),
    markdown("neuron_graph_figure_intro", r"""
The figure is section 1's neuron drawn as its computation graph, with **your** layer in it: $z = wx + b$
comes from your `dense_forward`, and $\bar w$, $\bar b$ from your `dense_backward`, handed the
$\bar z$ that arrives from the tanh. Read it left to right for the forward pass (blue, above the
arrows), then right to left for the backward pass (orange, below). Each orange number is the one to
its right times the local derivative written in the box the arrow leaves: that is locality. And
$\bar z$ is computed once and used twice: with $x = 2$, $\bar w$ must be exactly twice $\bar b$; if it
is not, your `dW` has lost its $X$. ($\bar x$ is left for question 1 at the end of the lesson.)
"""),
    code("neuron_graph_demo", r"""
neuron_graph_figure(dense_forward, dense_backward)
"""),
    markdown("recursion", r"""
## 4. A whole network: the delta recursion

An MLP with $L$ layers stacks dense layers with an activation $f$ between them. With $h_0 = X$:

$$
z_l = h_{l-1} W_l + b_l \quad (l = 1, \dots, L), \qquad h_l = f(z_l) \quad (l < L),
$$

and the last pre-activation $z_L$ holds the **logits**. The loss is the mean softmax cross-entropy,
$J = \frac{1}{n} \sum_i \big(\log \sum_k e^{z_{L,ik}} - z_{L,i y_i}\big)$.

Write $\delta_l = \partial J / \partial z_l$, the adjoint of layer $l$'s pre-activations (the notes
call it the *error term*). Three rules give every gradient:

1. **The output.** Lesson 02 found the gradient of the softmax cross-entropy with respect to the
   logits. With $Y$ the one-hot matrix of the labels and the mean over $n$ samples,

   $$\delta_L = \frac{1}{n} \big(\operatorname{softmax}(z_L) - Y\big).$$

2. **The weights of a layer**, from its $\delta$ (section 3):
   $\;\partial J / \partial W_l = h_{l-1}^{\top} \delta_l\;$ and
   $\;\partial J / \partial b_l = \sum_i \delta_{l,i}$.

3. **One layer down.** $z_{l+1} = f(z_l) W_{l+1} + b_{l+1}$: section 3 gives the adjoint of the
   layer's input, $\delta_{l+1} W_{l+1}^{\top}$, and the activation multiplies it, entry by entry,
   by its derivative at $z_l$:

   $$\delta_l = f'(z_l) \odot \big(\delta_{l+1}\, W_{l+1}^{\top}\big).$$

Run rule 1 once, then rules 2 and 3 from the top layer down: that is the whole backward pass. The
forward pass must **keep** what the backward pass needs: every $h_{l-1}$ (for rule 2) and every
$z_l$ (for rule 3).

The derivatives of the two activations you may meet:

* **ReLU**: $f'(z) = 1$ where $z > 0$ and $0$ elsewhere, **including at exactly $0$** (lesson 09's
  convention). Take the mask from the pre-activation $z_l$, not from anything else.
* **tanh**: $f'(z) = 1 - \tanh(z)^2 = 1 - h_l^2$, conveniently computed from the layer's output. (Not
  $1 - z^2$: that is the derivative's formula evaluated at the wrong variable.)

**Stability.** The logits can be large (a confident network), so compute the softmax and the loss
after subtracting each row's largest logit, as in lesson 02: the result is the same, and no
`exp` overflows.

Implement `mlp_backward(X, y, weights, biases, *, activation="relu")`. `weights[l]` and `biases[l]`
are the parameters of layer `l + 1` (Python counts from 0). Return `loss` (a Python `float`) and two
lists, `grads_W` and `grads_b`, with one array per layer, of the shapes of `weights` and `biases`. You
may call your `dense_forward` and `dense_backward`; check what you are given: empty lists or lists of
different lengths, layers that do not chain, labels that are not integers in `0 .. K-1`, and an
activation other than `"relu"` or `"tanh"` raise a `ValueError` that says which; `weights` or
`biases` that is not a list raises a `TypeError`.
"""),
    solution("mlp_backward", r'''
def mlp_backward(X, y, weights, biases, *, activation="relu"):
    """The mean softmax cross-entropy of an MLP and the gradient of every weight and bias.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of int of shape (n_samples,), labels 0 .. K-1
    weights : list of L arrays, weights[l] of shape (fan_in, fan_out) of layer l + 1
    biases : list of L arrays, biases[l] of shape (fan_out,)
    activation : "relu" or "tanh", after every layer but the last

    Returns
    -------
    loss : float
    grads_W : list of L arrays of the shapes of weights
    grads_b : list of L arrays of the shapes of biases
    """
    ### BEGIN SOLUTION
    if not isinstance(weights, (list, tuple)) or not isinstance(biases, (list, tuple)):
        raise TypeError("weights and biases must be lists of arrays, one per layer")
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError(f"need one weight matrix and one bias vector per layer, got {len(weights)} and "
                         f"{len(biases)}")
    if activation not in ("relu", "tanh"):
        raise ValueError(f"activation must be 'relu' or 'tanh', got {activation!r}")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    n_classes = np.shape(weights[-1])[-1]
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"y must hold one integer label in 0 .. {n_classes - 1} per sample")
    hs, zs = [X], []
    for l, (W, b) in enumerate(zip(weights, biases)):
        z = dense_forward(hs[-1], W, b)
        zs.append(z)
        if l < len(weights) - 1:
            hs.append(np.maximum(z, 0.0) if activation == "relu" else np.tanh(z))
    shifted = zs[-1] - zs[-1].max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = X.shape[0]
    loss = float(-log_probs[np.arange(n), y].mean())
    delta = np.exp(log_probs)
    delta[np.arange(n), y] -= 1.0
    delta = delta / n
    grads_W, grads_b = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        d_input, grads_W[l], grads_b[l] = dense_backward(delta, hs[l], weights[l])
        if l > 0:
            slope = (zs[l - 1] > 0).astype(float) if activation == "relu" else 1.0 - hs[l] ** 2
            delta = slope * d_input
    return loss, grads_W, grads_b
    ### END SOLUTION
'''),
    graded_test("mlp_backward", 3, "mlp_backward: one layer of zeros (loss log 2), a hand-checked loss, logits of 1000, finite differences of tanh and ReLU networks, refused networks.", r"""
# One linear layer of zeros: the softmax is uniform, the loss is log 2, and delta = (softmax - onehot) / 1.
result = mlp_backward(np.array([[1.0, 2.0]]), np.array([0]), [np.zeros((2, 2))], [np.zeros(2)])
assert_type(result, (tuple, list), length=3, what="mlp_backward(...) (return `loss, grads_W, grads_b`)")
loss, grads_W, grads_b = result
assert_type(loss, float, what="the loss (a Python float: use float(...))")
assert_close(loss, np.log(2), what="the loss of one linear layer of zeros (log 2)")
assert_type(grads_W, (list, tuple), length=1, what="grads_W (one array per layer)")
assert_close(grads_W[0], [[-0.5, 0.5], [-1.0, 1.0]], what="grads_W[0] of the layer of zeros (x.T @ delta)")
assert_close(grads_b[0], [-0.5, 0.5], what="grads_b[0] of the layer of zeros")
# Two samples, one of each class, logits [1, -1] for both: the mean of log(1 + e**-2) and log(1 + e**2).
loss, _, _ = mlp_backward(np.array([[1.0], [1.0]]), np.array([0, 1]), [np.array([[1.0, -1.0]])], [np.zeros(2)])
assert_close(loss, (np.log1p(np.exp(-2.0)) + np.log1p(np.exp(2.0))) / 2, what="the MEAN loss of two samples")
# Logits of +-1000: the first sample is sure of its class (loss 0), the second sure of the wrong one (loss 2000).
loss, _, _ = mlp_backward(np.array([[1.0], [-1.0]]), np.array([1, 1]), [np.array([[-1000.0, 1000.0]])],
                          [np.zeros(2)])
assert_close(loss, 1000.0, what="the loss with logits of +-1000 (subtract each row's largest logit)")
# A random network of three layers: every gradient against finite differences of your own loss.
rng = np.random.default_rng(10)
X, y = rng.normal(size=(6, 4)), np.array([0, 1, 2, 2, 1, 0])
weights = [rng.normal(size=(4, 5)) / 2, rng.normal(size=(5, 5)) / 2, rng.normal(size=(5, 3)) / 2]
biases = [0.1 * rng.normal(size=5), 0.1 * rng.normal(size=5), 0.1 * rng.normal(size=3)]
copies = [w.copy() for w in weights + biases]
for act in ("tanh", "relu"):
    _, grads_W, grads_b = mlp_backward(X, y, weights, biases, activation=act)
    for l in range(3):
        def loss_of_W(v, l=l, act=act):
            return mlp_backward(X, y, weights[:l] + [v] + weights[l + 1:], biases, activation=act)[0]

        def loss_of_b(v, l=l, act=act):
            return mlp_backward(X, y, weights, biases[:l] + [v] + biases[l + 1:], activation=act)[0]

        gradient_check(loss_of_W, lambda v, l=l: grads_W[l], weights[l], what=f"grads_W[{l}] ({act})")
        gradient_check(loss_of_b, lambda v, l=l: grads_b[l], biases[l], what=f"grads_b[{l}] ({act})")
for old, new in zip(copies, weights + biases):
    assert_unchanged(old, new, what="the weights and biases")
assert_raises(ValueError, mlp_backward, X, y, weights[:2], biases[:2] + biases[:1], what="three biases for two layers")
assert_raises(ValueError, mlp_backward, X, y, weights, biases, activation="sigmoid", what='activation="sigmoid"')
"""),
    code("prediction_widget_1", r"""
predict("10-best-h")
"""),
    markdown("check_intro", r"""
## 5. Checking a gradient

A backward pass with a mistake usually still runs, returns arrays of the right shapes, and often
still makes the loss go down for a while. The only reliable test is to compare it with a gradient
computed in a completely different way: by **finite differences** of the loss itself.

**Central differences.** For each entry $x_i$ of the point, with $e_i$ the unit vector of that entry,

$$
\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h} .
$$

Taylor's theorem says why *central*: expanding both values around $x$, the even terms cancel, and

$$
\frac{f(x + h) - f(x - h)}{2h} = f'(x) + \frac{h^2}{6} f'''(x) + O(h^4),
$$

an error of order $h^2$, where the one-sided $\frac{f(x + h) - f(x)}{h} = f'(x) + \frac{h}{2} f''(x) +
\dots$ has an error of order $h$. (Check with $f(x) = x^3$ at $x = 1$, $h = 0.01$: central gives
$3.0001$, exactly $3 + h^2$; one-sided gives $3.0301$.)

**The choice of h.** Smaller is not always better. The computer stores $f(x \pm h)$ with a relative
error of about $\varepsilon \approx 2.2 \times 10^{-16}$ (float64), so the difference of two values of
size $|f|$ carries an error of about $\varepsilon |f|$, and dividing by $2h$ makes it
$\varepsilon |f| / h$. The total error is about

$$
\underbrace{\frac{h^2}{6} |f'''|}_{\text{truncation}} + \underbrace{\frac{\varepsilon |f|}{h}}_{\text{rounding}},
$$

smallest when the two terms are about equal: $h \approx \varepsilon^{1/3} \approx 6 \times 10^{-6}$ for
a function whose values and derivatives are of order 1. Hence the usual **$h = 10^{-5}$**, where the
error is around $10^{-10}$. With $h = 10^{-10}$ rounding wins and only a few digits survive; with
$h = 10^{-1}$ truncation wins. (The widget below draws this curve for you.)

Implement `numerical_gradient(f, x, *, h=1e-5)`. `x` may have any shape (a weight matrix, say); the
result has the same shape. Two rules: never change the caller's `x` (work on a copy), and give `f` a
point of its own at every call (a careless `f` might write into its argument). Raise a `ValueError`
when `h` is not a number greater than 0.
"""),
    solution("numerical_gradient", r'''
def numerical_gradient(f, x, *, h=1e-5):
    """Central differences of a scalar function f at x, entry by entry.

    Parameters
    ----------
    f : callable, f(x) -> float
    x : ndarray of any shape (left unchanged)
    h : float > 0, the step

    Returns
    -------
    ndarray of the shape of x: entry i is (f(x + h e_i) - f(x - h e_i)) / (2 h)
    """
    ### BEGIN SOLUTION
    if not h > 0:
        raise ValueError(f"h must be a number > 0, got {h!r}")
    point = np.array(x, dtype=float)
    grad = np.zeros_like(point)
    for i in np.ndindex(point.shape):
        saved = point[i]
        point[i] = saved + h
        up = float(f(point.copy()))
        point[i] = saved - h
        down = float(f(point.copy()))
        point[i] = saved
        grad[i] = (up - down) / (2 * h)
    return grad
    ### END SOLUTION
'''),
    graded_test("numerical_gradient", 2, "numerical_gradient: x**2, x**3 with h = 0.01 (exactly 3x**2 + h**2), a matrix point, x unchanged, h <= 0 refused.", r"""
x = np.array([1.0, -2.0, 3.0])
before = x.copy()
grad = numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
assert_shape(grad, (3,), what="numerical_gradient of sum(x**2) at a point of 3 entries")
assert_close(grad, 2 * x, rtol=1e-8, what="numerical_gradient of sum(x**2) (exactly 2x)")
assert_unchanged(before, x, what="x")
# The central difference of x**3 is 3 x**2 + h**2 exactly; a one-sided one is off by about 3 x h.
assert_close(numerical_gradient(lambda v: float(np.sum(v ** 3)), np.array([1.0, 2.0]), h=1e-2),
             [3.0001, 12.0001], rtol=1e-9, what="numerical_gradient of sum(x**3) at [1, 2] with h = 0.01")
M = np.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]])
assert_close(numerical_gradient(lambda v: float(np.sum(np.sin(v))), M), np.cos(M), rtol=1e-8,
             what="numerical_gradient of sum(sin(x)) at a 2 x 3 point (cos(x), same shape)")
assert_raises(ValueError, numerical_gradient, lambda v: float(np.sum(v)), x, h=0.0, what="numerical_gradient with h = 0")
"""),
    markdown("relative_intro", r"""
**Comparing two gradients.** The numerical and the analytic gradient will never agree exactly, so
how close is close enough? An absolute difference means nothing without the size of the numbers
(a difference of $10^{-6}$ is excellent between gradients of size 100 and alarming between gradients
of size $10^{-6}$). The **relative error** of CS231n's gradient checks divides by the size of both,
entry by entry, and keeps the worst entry:

$$
\text{relative\_error}(a, b) = \max_i \frac{|a_i - b_i|}{\max\big(10^{-8},\ |a_i| + |b_i|\big)} .
$$

The floor $10^{-8}$ keeps the entries where both are 0 (a dead ReLU unit's weights, say) from giving
$0/0$; the **max** makes one wrong entry enough to fail, which is the point: a mistake often touches
only one layer or one unit. How to read it, in float64 with $h \approx 10^{-5}$:

* **below $10^{-7}$**: the gradient is right;
* **around $10^{-4}$**: suspicious. It can be right if the function has kinks near the point (ReLU
  units whose pre-activation is within $h$ of 0), otherwise look for a mistake;
* **$10^{-2}$ and above**: the gradient is wrong.

Implement `relative_error(a, b)`: a Python `float`, `0.0` for empty arrays, and a `ValueError` when
the shapes differ.
"""),
    solution("relative_error", r'''
def relative_error(a, b):
    """CS231n's relative error: max over entries of |a - b| / max(1e-8, |a| + |b|).

    Parameters
    ----------
    a, b : ndarrays of the same shape

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
    ### END SOLUTION
'''),
    graded_test("relative_error", 1, "relative_error: hand-checked pairs, the worst entry, zeros, and refused shapes.", r"""
assert_type(relative_error(np.array([1.0]), np.array([3.0])), float, what="relative_error(...) (a Python float)")
assert_close(relative_error(np.array([1.0]), np.array([3.0])), 0.5, what="relative_error([1], [3]) = 2 / 4")
assert_close(relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])), 0.2 / 4.2,
             what="relative_error([1, 2], [1, 2.2]) (the worst entry: 0.2 / 4.2)")
assert_close(relative_error(np.zeros(3), np.zeros(3)), 0.0, what="relative_error of two zero gradients (no 0/0)")
assert_close(relative_error(np.array([1e-12]), np.array([0.0])), 1e-4,
             what="relative_error([1e-12], [0]) (the floor 1e-8 of the denominator)")
assert_raises(ValueError, relative_error, np.zeros(2), np.zeros(3), what="relative_error of shapes (2,) and (3,)")
"""),
    markdown("widget_intro", r"""
## 6. See it: the error of a gradient check against the step h

The widget checks the gradient of a small network (4 inputs, hidden layers of 5 units, 3 classes,
6 samples) with **your three functions**: your `numerical_gradient` of the loss your `mlp_backward`
returns, with respect to all the parameters at once, compared by your `relative_error` with the
gradient your `mlp_backward` returns. It does so for steps $h$ from $10^{-12}$ to $10^{-0.5}$ and
plots the error on log-log axes, with the two terms of section 5 as dashed lines: truncation,
proportional to $h^2$, and rounding, proportional to $1/h$.

Answer each question for yourself before you move the sliders, then open the answer:

1. With the starting settings (tanh, two hidden layers), at which $h$ is the error smallest, and for
   how many decades of $h$ is the check "right" (below $10^{-7}$)?

   <details><summary>What you should see, and why</summary>

   The error is smallest, about $10^{-8}$, near $h = 10^{-5}$, and below $10^{-7}$ only from about
   $10^{-6}$ to $10^{-4}$: two decades. The step that makes a gradient check trustworthy is a narrow
   window between the two kinds of error.

   </details>

2. What are the two slopes of the curve on log-log axes?

   <details><summary>What you should see, and why</summary>

   On the right the error falls by 100 for every factor 10 in $h$ (slope 2, the truncation error of
   central differences, proportional to $h^2$); on the left it grows by about 10 (slope $-1$, rounding
   error, proportional to $1/h$).

   </details>

3. Switch to **relu**. Which side of the curve changes?

   <details><summary>What you should see, and why</summary>

   Only the right. Rounding does not care about the activation, but once $h$ is large enough (about
   $0.03$ here) for some pre-activation to cross 0, the error jumps to about 1: the difference quotient
   then straddles a kink, and no derivative describes it.

   </details>

4. Add hidden layers. Does the smallest error go down or up?

   <details><summary>What you should see, and why</summary>

   Up, from about $5 \times 10^{-10}$ with one hidden layer of tanh to $7 \times 10^{-9}$ with two and
   $2 \times 10^{-8}$ with three: more parameters, and more chances for one entry to be the worst, and
   every extra layer adds its own rounding to the loss.

   </details>
"""),
    code("widget_gradient_check", r"""
gradient_check_widget(mlp_backward, numerical_gradient, relative_error)
"""),
    markdown("report_intro", r"""
In practice a gradient check is run **parameter by parameter**: when it fails, the first layer that
fails, counted from the output, is where the mistake is, because every layer below it inherits the
wrong $\delta$. The table below does this for your `mlp_backward` with your own check ($h = 10^{-5}$),
on the widget's network with two hidden layers, once with tanh and once with ReLU.
"""),
    code("report", r"""
check_report(mlp_backward, numerical_gradient, relative_error)
"""),
    code("prediction_widget_2", r"""
predict("10-numerical-cost")
"""),
    markdown("cost_intro", r"""
## 7. Why one backward pass costs about as much as a forward pass

Count the work. Forward, layer $l$ does one matrix product, $h_{l-1} W_l$: about
$n \cdot \text{fan\_in} \cdot \text{fan\_out}$ multiply-adds. Backward, it does two of the same size,
$h_{l-1}^{\top} \delta_l$ and $\delta_l W_l^{\top}$, plus element-wise work that is negligible beside
them. So the backward pass costs about **twice** the forward pass, and the gradient of *all* the
parameters costs about three forward passes in total, **whatever the number of parameters**.

Compare the obvious alternative: nudge each parameter and measure the loss again (a numerical
gradient, section 5). That costs two forward passes **per parameter**: for the digits network below
(4,810 parameters) about ten thousand forward passes per gradient, against three. This difference,
not any particular elegance, is why every deep-learning framework computes gradients by reverse-mode
differentiation.

The price is **memory**: the backward pass needs every layer's $h$ and $z$, so they are all kept from
the forward pass until the backward pass has used them. For large networks that, rather than time,
is the limit.

The demo times the two ways to a gradient, with your functions, for networks of growing width
(64 inputs, two hidden layers, 10 classes, a batch of 32 images). On the right the times are divided
by the time of one forward pass. Before you run it, guess: as the width grows, how do the two curves
on the right behave?

<details><summary>What you should see, and why</summary>

Your `mlp_backward` stays at a few forward passes, whatever the width; the numerical gradient grows
in proportion to the number of parameters (plus the overhead of calling Python once per parameter).

</details>
"""),
    code("demo_cost", r"""
cost_demo(mlp_backward, numerical_gradient)
"""),
    markdown("digits_intro", r"""
## 8. Your network learns the digits

Now the real thing: the 8 × 8 handwritten digits (1,348 training and 449 test images), a network with
64 inputs, **64 ReLU hidden units** and 10 outputs, trained for 20 epochs on shuffled mini-batches of 32.
Every gradient comes from your `mlp_backward`; the course supplies the rest: **He initialization**
(lesson 04) with zero biases, and **classical momentum** (lesson 05) with $\eta = 0.1$ and
$\mu = 0.9$. The demo measures the accuracy on the test images after every epoch with a forward pass
of its own.

Before you run it, guess the test accuracy after 20 epochs: 80%, 90%, 97% or 99.5%?

<details><summary>What you should see, and why</summary>

The training loss falls by several orders of magnitude, and the test accuracy passes **95%** within a
few epochs and ends at about **97%** (the title states what your network reaches; a correct
`mlp_backward` gives the same numbers as the course's, up to rounding). A mistake that the gradient
check above would catch usually shows here as a loss that stalls or a network that is stuck near
10% (chance).

</details>
"""),
    code("demo_digits", r"""
digits_demo(mlp_backward)
"""),
    markdown("summary", r"""
## Summary

* **Backpropagation** is the chain rule evaluated from the output backwards on the computation graph:
  each step multiplies the adjoint arriving from above by its own local derivative, and a node that
  feeds several others sums their adjoints.
* A **dense layer** $Z = XW + b$ has $dW = X^{\top}\delta$, $db = \sum_i \delta_i$ (over the samples)
  and $dX = \delta W^{\top}$; the shapes tell you which transpose goes where, and the $1/n$ of a mean
  loss is already in $\delta$.
* The **delta recursion**: $\delta_L = (\operatorname{softmax}(z_L) - Y)/n$, then
  $\delta_l = f'(z_l) \odot (\delta_{l+1} W_{l+1}^{\top})$ down to the first layer, with every weight's
  gradient $h_{l-1}^{\top}\delta_l$ on the way. ReLU's $f'$ is the mask $z_l > 0$; tanh's is $1 - h_l^2$.
* A backward pass costs about **two forward passes** whatever the number of parameters; a numerical
  gradient costs **two per parameter**. Backpropagation trades that time for memory: the forward pass
  keeps every $h$ and $z$.
* **Gradient checking**: central differences (error $O(h^2)$), $h \approx 10^{-5}$ in float64
  (truncation against rounding), and CS231n's relative error, read as right below $10^{-7}$ and wrong
  from $10^{-2}$. Check layer by layer; ReLU kinks can spoil the check near a kink.

## Questions to think about

1. In the worked example of section 1, what would $\bar x$ be? Why does a network never need it for
   the first layer's input, yet always needs it for every hidden layer's?
2. A layer's `dense_backward` divided `dW` and `db` by `n_samples`. What happens to training with a
   batch size of 1, and with a batch size of 1,000, compared with the correct version?
3. The backward pass needs every layer's `z` and `h`. Your network has 64 hidden units and a batch of
   32: how many numbers does it keep? How does that grow with the batch size, the width and the depth?
4. Why does the rounding side of the widget's V not depend on the activation, while the truncation
   side does?
5. In float32 ($\varepsilon \approx 1.2 \times 10^{-7}$), which $h$ should a gradient check use, and
   what is the smallest relative error you can expect? What does that mean for the threshold $10^{-7}$?
6. With ReLU hidden units, the check sometimes reports $10^{-4}$ for one weight even when the gradient
   is right. Why, and how would you make sure?
"""),
    free_code("scratch", "# A scratch cell: try your functions on your own inputs here.\n"),
]
