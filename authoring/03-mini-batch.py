"""Lesson 03, mini-batch gradient descent: the cells of source/03-mini-batch/03-mini-batch.ipynb.

Rebuild the notebook with ``python -m nncourse.authoring 03-mini-batch``.
"""

from nncourse.authoring import code, free_code, graded_test, markdown, solution

CELLS = [
    markdown("title", r"""
# Lesson 03 · Mini-batch gradient descent

Gradient descent improves a model by small steps against the gradient of the loss. The loss of a
training set is an **average over examples**, so its exact gradient is an average too, and computing
it means looking at every example before taking a single step. With 1,000 examples that is cheap; with
ten million it is not. This lesson is about the way almost every network is trained instead:
estimate the gradient from a small random **mini-batch** of examples, take a step, and move on to the
next batch.

You will implement the pieces of that loop:

* `shuffle_data`, which puts the examples in a random order without separating inputs from targets;
* `minibatches`, which cuts one pass over the data (an **epoch**) into batches;
* `linear_mse_grad`, the gradient of the squared error of a linear model on one batch;
* `sgd_step`, the update $\theta \leftarrow \theta - \eta\, g$ that every optimizer of this course
  refines;
* `train_minibatch_sgd`, a complete training loop for linear regression that runs stochastic,
  mini-batch and full-batch gradient descent with the same code.

Then a widget lets you watch the noise of small batches on a loss landscape, and a demo trains a
network on handwritten digits with batches of 1, 32 and all the data, timing each.

**How this notebook works.** Each function you write sits alone in a cell that starts with `def`.
Replace the line `raise NotImplementedError(...)` with your code, run the cell, then run the test cell
below it. The visible checks in the test cell catch most slips; when you submit, hidden tests check
more inputs and tell you the likely mistake. Run the cells from top to bottom. Each graded function
must be your own NumPy code: it may call the functions *you* wrote earlier in this notebook, but not
the course's `lessons` package.
"""),
    code("setup", r"""
import numpy as np

from lessons.checks import assert_close, assert_equal, assert_raises, assert_shape, assert_true, assert_unchanged, gradient_check
from lessons.demos.batching import batch_noise_figure, demo
from lessons.predict import predict
from lessons.widgets.batching import batch_size_widget
"""),
    markdown("why_batches", r"""
## 1. One step, how many examples?

Write the parameters of a model as one vector $\theta$ and the loss on example $i$ as
$\ell_i(\theta)$. The training loss is the average over the $n$ examples, and so is its gradient:

$$
L(\theta) = \frac{1}{n} \sum_{i=1}^{n} \ell_i(\theta), \qquad
\nabla L(\theta) = \frac{1}{n} \sum_{i=1}^{n} \nabla \ell_i(\theta).
$$

Gradient descent with learning rate $\eta$ (the argument `lr` in code; some texts write $\alpha$)
repeats $\theta_k = \theta_{k-1} - \eta\, \nabla L(\theta_{k-1})$. There are three ways to spend the
examples:

* **Batch (or full-batch) gradient descent** uses all $n$ examples for every step. The step is exact,
  but it costs $n$ example-gradients, and the model learns nothing until all of them are done.
* **Stochastic gradient descent (SGD)**, in its original sense, uses *one* example per step:
  $\theta_k = \theta_{k-1} - \eta\, \nabla \ell_i(\theta_{k-1})$. A step is $n$ times cheaper, but it
  follows one example's opinion, which can point far from the average.
* **Mini-batch gradient descent** uses a random batch $B$ of $Q$ examples and their *average* gradient:

$$
g_B(\theta) = \frac{1}{Q} \sum_{i \in B} \nabla \ell_i(\theta), \qquad
\theta_k = \theta_{k-1} - \frac{\eta}{Q} \sum_{i \in B} \nabla \ell_i(\theta_{k-1}).
$$

  With $Q = 1$ this is SGD and with $Q = n$ it is batch gradient descent, so one function with a
  `batch_size` argument covers all three. (Today "SGD" usually means the mini-batch version: PyTorch's
  `torch.optim.SGD` is the update rule, and the batch size is chosen elsewhere.)

**Noise and cost.** When $B$ is a random set of examples, $g_B$ is a random estimate of the true
gradient. On average it is right: every example is equally likely to be in $B$, so
$\mathbb{E}[g_B] = \nabla L$ (the estimate is *unbiased*). Its spread shrinks as the batch grows:
if the example-gradients have variance $\sigma^2$ around their mean, a batch drawn without replacement
gives

$$
\operatorname{Var}(g_B) = \frac{\sigma^2}{Q} \cdot \frac{n - Q}{n - 1}.
$$

The first factor is the familiar $1/Q$ of averaging: four times the batch halves the noise (the
standard deviation falls like $1/\sqrt{Q}$) at four times the cost. The second factor, close to 1 when
$Q \ll n$, brings the variance to 0 at $Q = n$, where the "estimate" is the exact gradient.

*Worked example.* Take $n = 4$ examples whose gradients (one parameter) are $3, -1, 2, 0$. The true
gradient is their mean, $1$, and their variance is $\sigma^2 = \frac{2^2 + 2^2 + 1^2 + 1^2}{4} = 2.5$.

* One example per step: the estimate is $3$, $-1$, $2$ or $0$, each with probability $\frac14$. Mean
  $1$, variance $2.5$.
* Batches of two: the six possible pairs give $\frac{3 - 1}{2} = 1$, $2.5$, $1.5$, $0.5$, $-0.5$ and
  $1$. Their mean is $\frac{6}{6} = 1$ again, and their variance is
  $\frac{0 + 2.25 + 0.25 + 0.25 + 2.25 + 0}{6} = 0.833$, which is the formula's
  $\frac{2.5}{2} \cdot \frac{4 - 2}{4 - 1} = 0.833$.
* All four: always exactly $1$.

**Epochs.** Mini-batch training goes through the data in **epochs**: shuffle the examples, cut them
into consecutive batches of $Q$, and take one step per batch. An epoch takes $\lceil n / Q \rceil$
steps and touches every example exactly once, whatever $Q$ is, so "loss after so many epochs" compares
runs at the same amount of work on the examples. Shuffling matters because data sets often come
sorted (by class, by date, by source): consecutive examples resemble each other, and a batch of them
would be a biased sample. A fresh shuffle every epoch also keeps the batches from repeating, so the
noise of one epoch does not repeat in the next.
"""),
    markdown("shuffle_intro", r"""
## 2. Shuffling inputs and targets together

Row $i$ of `X` and entry $i$ of `y` describe the same example; a shuffle must move them **together**.
Draw *one* random permutation $\pi$ of $0, 1, \dots, n - 1$ and apply it to both:

$$
\tilde x_i = x_{\pi(i)}, \qquad \tilde y_i = y_{\pi(i)}.
$$

*Worked example.* With `X = [[0, 0], [1, 1], [2, 4], [3, 9]]`, `y = [0, 10, 20, 30]` and the
permutation `perm = [2, 0, 3, 1]`, the result is `X[perm] = [[2, 4], [0, 0], [3, 9], [1, 1]]` and
`y[perm] = [20, 0, 30, 10]`: row `[2, 4]` still sits next to its target 20.

In NumPy, `perm = rng.permutation(n)` draws a permutation and `X[perm]` ("fancy indexing") builds a
*new* array with the rows in that order, so the inputs are left unchanged. Four things to get right:

* **One permutation for both arrays.** Calling `rng.permutation` twice gives two different orders, and
  every example ends up next to another example's target: the model then learns noise.
* **Every example exactly once.** `rng.integers(0, n, size=n)` or `rng.choice(n, size=n)` draws
  indices *with replacement*: some examples would appear twice and others not at all. That is a
  bootstrap sample (lesson 07), not a shuffle.
* **Randomness only from `rng`.** The function receives a `numpy.random.Generator` and draws from it,
  so the same seed always gives the same order. Never use `np.random.seed` or `np.random.permutation`
  (NumPy's hidden global generator), and never create a new generator with a fixed seed inside the
  function (every call would give the same order).
* **Keep the targets' type.** `X` is returned as `float64`; `y` may hold real numbers or integer class
  labels, and shuffling should not change that (`np.asarray(y)` keeps the dtype).

`shuffle_data` also refuses arrays with different numbers of samples, with a `ValueError` that says how
many rows each one has.
"""),
    solution("shuffle_data", r'''
def shuffle_data(X, y, *, rng):
    """Shuffle the samples of X and y with one shared random permutation.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Inputs, one sample per row.
    y : ndarray of shape (n_samples,)
        Targets or integer labels (their dtype is kept).
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    X_shuffled : ndarray of shape (n_samples, n_features)
        ``X[perm]`` for a random permutation ``perm``.
    y_shuffled : ndarray of shape (n_samples,)
        ``y[perm]`` with the same ``perm``.

    Raises
    ------
    ValueError
        If X and y hold different numbers of samples.
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must hold the same number of samples, got {X.shape[0]} rows in X "
                         f"and {y.shape[0]} in y")
    perm = rng.permutation(X.shape[0])
    return X[perm], y[perm]
    ### END SOLUTION
'''),
    graded_test("shuffle_data", 2, "shuffle_data: every sample once, rows kept with their targets, the order set by rng.", r"""
# Column 0 of X holds each row's index and y[i] = 10 * i, so we can read where every sample went.
X = np.column_stack([np.arange(6.0), np.arange(6.0) ** 2])
y = 10.0 * np.arange(6)
X_before, y_before = X.copy(), y.copy()
X_s, y_s = shuffle_data(X, y, rng=np.random.default_rng(0))
assert_shape(X_s, (6, 2), what="X_shuffled")
assert_shape(y_s, (6,), what="y_shuffled")
assert_close(np.sort(X_s[:, 0]), np.arange(6.0), what="the row indices in X_shuffled, sorted (every sample once)")
assert_close(X_s[:, 1], X_s[:, 0] ** 2, what="column 1 of X_shuffled (rows must move as a whole)")
assert_close(y_s, 10.0 * X_s[:, 0], what="y_shuffled (each target must stay with its own row)")
assert_true(np.array_equal(shuffle_data(X, y, rng=np.random.default_rng(0))[0], X_s),
            "a second shuffle with the same seed gave another order: draw the permutation from rng, not np.random")
orders = {tuple(shuffle_data(X, y, rng=np.random.default_rng(seed))[0][:, 0]) for seed in range(10)}
assert_true(len(orders) > 1, "ten different seeds all gave the same order: draw the permutation from rng",
            value=len(orders))
assert_unchanged(X_before, X, what="X")
assert_unchanged(y_before, y, what="y")
"""),
    markdown("minibatches_intro", r"""
## 3. Cutting an epoch into mini-batches

`minibatches(X, y, batch_size, *, rng=None)` returns the batches of one epoch: a list (or any iterable)
of pairs `(X_batch, y_batch)`.

* **Without `rng`** the samples keep their order and the batches are consecutive slices:
  batch $k$ holds samples $kQ, \dots, \min((k+1)Q, n) - 1$ for $k = 0, 1, \dots, \lceil n/Q \rceil - 1$.
* **With `rng`** the samples are shuffled first, with a **new** permutation drawn from `rng` at every
  call. A training loop calls `minibatches` once per epoch with the same generator, so every epoch
  gets its own order.

*Worked example.* Seven samples, `batch_size = 3`: $\lceil 7/3 \rceil = 3$ batches, holding samples
`[0, 1, 2]`, `[3, 4, 5]` and `[6]`. The **last batch is smaller**: it holds the
$7 \bmod 3 = 1$ left-over sample. Keep it: dropping it would leave that sample out of the epoch (some
libraries offer this as an option, PyTorch's `drop_last=True`; this course always keeps every sample).
With a shuffle, say the permutation `[4, 0, 6, 2, 5, 1, 3]`, the batches hold samples `[4, 0, 6]`,
`[2, 5, 1]` and `[3]`.

Two edge cases follow from the same rule. A `batch_size` larger than $n$ gives **one batch** with all
the samples (Python slices stop at the end of the array: `X[0:10]` of a 7-row array has 7 rows). A
`batch_size` below 1 makes no sense: `range(0, n, 0)` fails with a message about `range` rather than
about your argument, and `range(0, n, -2)` silently gives no batches at all. So check it first:

```python
if batch_size < 1:
    raise ValueError(f"batch_size must be at least 1, got {batch_size}")
```

Check it when `minibatches` is called, before any batch is made. (If you write `minibatches` as a
generator, with `yield`, none of its lines run until the loop asks for the first batch, so a check
inside it comes too late: check first, then return the batches.)

Shuffle the **samples** and then cut, not the other way round: cutting first and then shuffling the
order of the batches keeps the same neighbours together in every epoch.
"""),
    solution("minibatches", r'''
def minibatches(X, y, batch_size, *, rng=None):
    """The mini-batches of one pass over the data (one epoch).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Inputs, one sample per row.
    y : ndarray of shape (n_samples,)
        Targets or integer labels.
    batch_size : int
        Samples per batch, at least 1; the last batch is smaller when
        batch_size does not divide n_samples, and a batch_size above
        n_samples gives one batch.
    rng : numpy.random.Generator, optional
        If given, the samples are shuffled first with a new permutation
        drawn from it; if None they keep their order.

    Returns
    -------
    list of (ndarray of shape (m, n_features), ndarray of shape (m,))
        ceil(n_samples / batch_size) pairs (X_batch, y_batch); every sample
        appears in exactly one of them.

    Raises
    ------
    ValueError
        If batch_size < 1, or X and y hold different numbers of samples.
    """
    ### BEGIN SOLUTION
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    n_samples = X.shape[0]
    if y.shape[0] != n_samples:
        raise ValueError(f"X and y must hold the same number of samples, got {n_samples} rows in X "
                         f"and {y.shape[0]} in y")
    order = np.arange(n_samples) if rng is None else rng.permutation(n_samples)
    batches = []
    for start in range(0, n_samples, batch_size):
        rows = order[start:start + batch_size]
        batches.append((X[rows], y[rows]))
    return batches
    ### END SOLUTION
'''),
    graded_test("minibatches", 3, "minibatches: the worked example 3, 3, 1, one batch when batch_size > n, a shuffled pass set by the seed, a new order per call, ValueError.", r"""
X = np.column_stack([np.arange(7.0), -np.arange(7.0)])  # column 0 holds each row's index
y = 10 * np.arange(7)
batches = list(minibatches(X, y, 3))
assert_equal([len(y_b) for _, y_b in batches], [3, 3, 1], what="the batch sizes of minibatches(X, y, 3) for 7 samples")
for k, (X_b, y_b) in enumerate(batches):
    assert_close(X_b, X[3 * k:3 * k + 3], what=f"X_batch {k} without rng (consecutive rows)")
    assert_close(y_b, y[3 * k:3 * k + 3], what=f"y_batch {k} without rng")
single = list(minibatches(X, y, 10))
assert_equal([len(y_b) for _, y_b in single], [7], what="the batch sizes of minibatches(X, y, 10) for 7 samples (one batch)")
# With a generator: one shuffled pass, every sample once, each row with its own target.
X20 = np.column_stack([np.arange(20.0), np.ones(20)])
y20 = 10 * np.arange(20)
rng = np.random.default_rng(0)
first, second = list(minibatches(X20, y20, 6, rng=rng)), list(minibatches(X20, y20, 6, rng=rng))
assert_equal([len(y_b) for _, y_b in first], [6, 6, 6, 2], what="the batch sizes of minibatches(X20, y20, 6, rng=rng)")
seen = np.concatenate([X_b[:, 0] for X_b, _ in first])
assert_close(np.sort(seen), np.arange(20.0), what="the samples of one shuffled pass, sorted (every sample once)")
for X_b, y_b in first:
    assert_close(y_b, 10 * X_b[:, 0], what="y_batch (each target must stay with its own row)")
assert_true(not np.array_equal(seen, np.arange(20.0)), "with rng the samples should be shuffled", value=seen)
in_order = [bool(np.all(np.diff(X_b[:, 0]) == 1)) for X_b, _ in first]
assert_true(not all(in_order), "every batch holds neighbouring samples in their original order: permute the "
            "samples, then cut them into batches (not only the order of the batches)", value=in_order)
assert_true(not np.array_equal(seen, np.concatenate([X_b[:, 0] for X_b, _ in second])),
            "two calls with the same generator (two epochs) gave the same order: draw a new permutation at every call")
again = np.concatenate([X_b[:, 0] for X_b, _ in minibatches(X20, y20, 6, rng=np.random.default_rng(0))])
assert_true(np.array_equal(seen, again), "the same seed gave another order: shuffle with rng, not np.random")
# Called, not iterated: the error must come at once.
assert_raises(ValueError, minibatches, X, y, 0, what="minibatches(X, y, 0), called without asking for a batch")
"""),
    markdown("grad_intro", r"""
## 4. The gradient of a linear model on one batch

The model of this lesson is **linear regression**: a weight vector $w$ of shape `(n_features,)` and a
bias $b$, predicting $\hat y = X w + b$ for a batch `X` of shape `(m, n_features)`. The loss on the
batch is the mean squared error of lesson 01. With the **residuals** $r = X w + b - y$ (prediction
minus target),

$$
L(w, b) = \frac{1}{m} \sum_{i=1}^{m} r_i^2, \qquad r_i = x_i^\top w + b - y_i .
$$

Each $r_i$ depends on $w_j$ through $x_{ij}$ and on $b$ with slope 1, so the chain rule gives

$$
\frac{\partial L}{\partial w_j} = \frac{2}{m} \sum_{i=1}^{m} r_i\, x_{ij}
\quad\Longleftrightarrow\quad
\nabla_w L = \frac{2}{m} X^\top r,
\qquad
\frac{\partial L}{\partial b} = \frac{2}{m} \sum_{i=1}^{m} r_i .
$$

`X.T @ r` has shape `(n_features,)`, like $w$; the bias gradient is a single number. The division by
$m$, the size of **this batch**, is what makes a batch gradient an *average* of example-gradients, the
$g_B$ of section 1. Without it (a summed gradient), the step would grow with the batch size, and a
learning rate tuned for batches of 8 would blow up with batches of 512. (Count $m$ with `X.shape[0]`,
the number of rows: `X.size` would count rows times features.)

*Worked example.* One feature, $w = [2]$, $b = 1$, inputs $X = \begin{bmatrix} 0 \\ 1 \end{bmatrix}$
and targets $y = (1, 4)$. The predictions are $(1, 3)$, the residuals $r = (0, -1)$ and the loss
$\frac{0 + 1}{2} = 0.5$. Then

$$
\nabla_w L = \frac{2}{2} \big(0 \cdot 0 + 1 \cdot (-1)\big) = -1, \qquad
\frac{\partial L}{\partial b} = \frac{2}{2} (0 - 1) = -1 :
$$

`grad_w = [-1.0]` and `grad_b = -1.0`. Both are negative: raising $w$ or $b$ would lift the second
prediction (3) towards its target (4).

Return `(grad_w, grad_b)` with `grad_w` an array of shape `(n_features,)` and `grad_b` a float.
"""),
    solution("linear_mse_grad", r'''
def linear_mse_grad(w, b, X, y):
    """Gradient of mean((X @ w + b - y) ** 2) with respect to w and b.

    Parameters
    ----------
    w : ndarray of shape (n_features,)
        Weights.
    b : float
        Bias.
    X : ndarray of shape (n_samples, n_features)
        A batch of inputs.
    y : ndarray of shape (n_samples,)
        The batch's targets.

    Returns
    -------
    grad_w : ndarray of shape (n_features,)
        2 / n_samples * X.T @ r, with residuals r = X @ w + b - y.
    grad_b : float
        2 / n_samples * sum(r).
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    residuals = X @ np.asarray(w, dtype=float) + b - y
    n_samples = X.shape[0]
    grad_w = 2.0 * (X.T @ residuals) / n_samples
    grad_b = 2.0 * float(np.sum(residuals)) / n_samples
    return grad_w, grad_b
    ### END SOLUTION
'''),
    graded_test("linear_mse_grad", 2, "linear_mse_grad: the worked example, finite differences, and an average that ignores duplicated batches.", r"""
grad_w, grad_b = linear_mse_grad(np.array([2.0]), 1.0, np.array([[0.0], [1.0]]), np.array([1.0, 4.0]))
assert_close(grad_w, [-1.0], what="grad_w of the worked example")
assert_close(grad_b, -1.0, what="grad_b of the worked example")
rng = np.random.default_rng(0)
X, y, w, b = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=3), 0.3
grad_w, grad_b = linear_mse_grad(w, b, X, y)
assert_shape(grad_w, (3,), what="grad_w for 3 features")
# The loss written out here, so this check does not depend on your other functions.
loss = lambda theta: np.mean((X @ theta[:3] + theta[3] - y) ** 2)
gradient_check(loss, lambda theta: np.append(*linear_mse_grad(theta[:3], theta[3], X, y)), np.append(w, b),
               what="linear_mse_grad as one vector (grad_w, grad_b)")
# An average does not change when every sample appears twice; a sum would double.
twice_w, twice_b = linear_mse_grad(w, b, np.vstack([X, X]), np.concatenate([y, y]))
assert_close(twice_w, grad_w, what="grad_w of the batch stacked twice")
assert_close(twice_b, grad_b, what="grad_b of the batch stacked twice")
"""),
    markdown("sgd_intro", r"""
## 5. The gradient-descent step

The update itself is one line:

$$
\theta_{\text{new}} = \theta - \eta\, g ,
$$

for parameters `theta` of any shape, a gradient `grad` of the same shape and the learning rate `lr`
($\eta$). Minus, because the gradient points uphill.

*Worked example.* `theta = [1.0, -2.0]`, `grad = [0.5, -1.0]`, `lr = 0.1`: the step is
$-0.1 \cdot (0.5, -1.0) = (-0.05, 0.1)$ and the new parameters are `[0.95, -1.9]`.

Return a **new** array: `theta - lr * grad`, not `theta -= lr * grad`, which would change the caller's
array in place (and every copy of it the caller kept, for instance the path of an optimizer they are
plotting). The signature `sgd_step(theta, grad, *, lr)` is the pattern every optimizer of the course
follows: parameters and gradient first, then keyword-only hyperparameters. In lessons 05 and 06,
momentum and Adam add a state to it; the network demos of those lessons accept any function of this
shape.
"""),
    solution("sgd_step", r'''
def sgd_step(theta, grad, *, lr):
    """One plain gradient-descent step.

    Parameters
    ----------
    theta : ndarray of any shape
        Current parameters.
    grad : ndarray of the shape of theta
        Gradient of the loss at theta.
    lr : float
        Learning rate.

    Returns
    -------
    ndarray of the shape of theta
        theta - lr * grad, as a new array.
    """
    ### BEGIN SOLUTION
    return np.asarray(theta, dtype=float) - lr * np.asarray(grad, dtype=float)
    ### END SOLUTION
'''),
    graded_test("sgd_step", 1, "sgd_step: the worked example, any shape, and theta left unchanged.", r"""
assert_close(sgd_step(np.array([1.0, -2.0]), np.array([0.5, -1.0]), lr=0.1), [0.95, -1.9],
             what="sgd_step([1, -2], [0.5, -1], lr=0.1)")
theta = np.ones((2, 3))
before = theta.copy()
new = sgd_step(theta, np.full((2, 3), 2.0), lr=0.25)
assert_shape(new, (2, 3), what="sgd_step on a (2, 3) theta")
assert_close(new, np.full((2, 3), 0.5), what="sgd_step(ones, 2 * ones, lr=0.25)")
assert_unchanged(before, theta, what="theta")
"""),
    markdown("train_intro", r"""
## 6. The training loop

Now put the pieces together. `train_minibatch_sgd(X, y, *, batch_size, lr, epochs, rng)` fits a linear
regression to `X` of shape `(n_samples, n_features)` and targets `y` of shape `(n_samples,)`:

```text
w = zeros(n_features), b = 0
for each epoch:
    for each mini-batch (X_b, y_b) of a fresh shuffle of the data:
        grad_w, grad_b = gradient of the MSE on (X_b, y_b) at (w, b)
        w = w - lr * grad_w
        b = b - lr * grad_b
    losses[epoch] = MSE of (w, b) on ALL of X and y
return w, b, losses
```

Details that matter:

* **A new shuffle every epoch**, drawn from `rng`. Shuffling once before the loop would repeat the
  same batches in the same order every epoch.
* **Both parameters move** after every batch, with the *current* batch's gradient.
* **`losses[i]` is measured after epoch `i`**, on the whole data set, with the parameters at the end
  of that epoch. It is not the loss before the epoch, nor an average of the batch losses seen during
  it (those were computed with parameters that have changed since). `losses` is an array of shape
  `(epochs,)`.
* `batch_size = 1` is stochastic gradient descent; `batch_size = n_samples` (or more) is batch gradient
  descent: one step per epoch on all the data, and the same result for every seed (the order of the
  samples in a single batch changes nothing but the rounding).

You may build the loop from your `minibatches`, `linear_mse_grad` and `sgd_step` (it is what they are
for, and a good test of them), or write the few lines out. Either way the tests below, and the hidden
ones, check the loop as a whole: if you call your other functions, make sure they pass their own tests
first.

*Worked example (one full-batch step).* The four points $x = 0, 1, 2, 3$ on the line $y = 2x + 1$, so
$y = (1, 3, 5, 7)$, with `batch_size = 4`, `lr = 0.05` and one epoch. From $w = b = 0$ the residuals
are $r = -y = (-1, -3, -5, -7)$, so

$$
\nabla_w L = \frac{2}{4} (0 \cdot (-1) + 1 \cdot (-3) + 2 \cdot (-5) + 3 \cdot (-7)) = -17, \qquad
\frac{\partial L}{\partial b} = \frac{2}{4} (-16) = -8,
$$

and the step gives $w = 0 + 0.05 \cdot 17 = 0.85$ and $b = 0 + 0.05 \cdot 8 = 0.4$. The new predictions
are $(0.4, 1.25, 2.1, 2.95)$, the residuals $(-0.6, -1.75, -2.9, -4.05)$, and the loss after this
epoch is

$$
\frac{0.36 + 3.0625 + 8.41 + 16.4025}{4} = 7.05875 .
$$

So the call returns `w = [0.85]`, `b = 0.4` and `losses = [7.05875]`.

These four points lie exactly on a line, so at the solution $w = 2$, $b = 1$ *every* example's
gradient is zero, and even stochastic gradient descent settles there exactly. On real, noisy data the
example-gradients disagree at the minimum, and SGD with a constant learning rate keeps jittering
around it; section 7 shows how much.
"""),
    solution("train_minibatch_sgd", r'''
def train_minibatch_sgd(X, y, *, batch_size, lr, epochs, rng):
    """Fit a linear regression by mini-batch gradient descent on the mean squared error.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    y : ndarray of shape (n_samples,)
        Real targets.
    batch_size : int
        Samples per step: 1 is stochastic gradient descent, n_samples is
        batch gradient descent.
    lr : float
        Learning rate.
    epochs : int
        Passes over the data.
    rng : numpy.random.Generator
        Draws a new shuffle of the data at the start of every epoch.

    Returns
    -------
    w : ndarray of shape (n_features,)
        Final weights (training starts from zeros).
    b : float
        Final bias (training starts from 0).
    losses : ndarray of shape (epochs,)
        losses[i] is the MSE on all of X and y after epoch i.
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n_samples, n_features = X.shape
    w, b = np.zeros(n_features), 0.0
    losses = np.zeros(epochs)
    for epoch in range(epochs):
        order = rng.permutation(n_samples)
        for start in range(0, n_samples, batch_size):
            rows = order[start:start + batch_size]
            residuals = X[rows] @ w + b - y[rows]
            w = w - lr * 2.0 * (X[rows].T @ residuals) / len(rows)
            b = b - lr * 2.0 * float(np.sum(residuals)) / len(rows)
        losses[epoch] = np.mean((X @ w + b - y) ** 2)
    return w, b, losses
    ### END SOLUTION
'''),
    graded_test("train_minibatch_sgd", 3, "train_minibatch_sgd: the worked full-batch step, the last smaller batch, the seed, exact fits with batches of 1 and 3.", r"""
X = np.array([[0.0], [1.0], [2.0], [3.0]])
y = 2.0 * X[:, 0] + 1.0
w, b, losses = train_minibatch_sgd(X, y, batch_size=4, lr=0.05, epochs=1, rng=np.random.default_rng(0))
assert_close(w, [0.85], what="w after one full-batch epoch")
assert_close(b, 0.4, what="b after one full-batch epoch")
assert_close(losses, [7.05875], what="losses after one full-batch epoch")
# A single batch of all the data is plain gradient descent: the seed cannot matter.
run_1 = train_minibatch_sgd(X, y, batch_size=4, lr=0.05, epochs=20, rng=np.random.default_rng(1))
run_2 = train_minibatch_sgd(X, y, batch_size=4, lr=0.05, epochs=20, rng=np.random.default_rng(2))
assert_close(run_1[2], run_2[2], what="full-batch losses with two different seeds")
# Four samples with x = 0, y = 1, batches of 3 and lr = 0.25: two steps per epoch, b = 0 -> 0.5 -> 0.75.
_, b, _ = train_minibatch_sgd(np.zeros((4, 1)), np.ones(4), batch_size=3, lr=0.25, epochs=1,
                              rng=np.random.default_rng(0))
assert_close(b, 0.75, what="b after one epoch of batches of 3 on 4 samples (the last batch holds 1)")
# With batches of 1 the seed sets the order: the same seed gives the same w, other seeds other ones.
ws = [float(train_minibatch_sgd(X, y, batch_size=1, lr=0.05, epochs=2, rng=np.random.default_rng(seed))[0][0])
      for seed in (0, 0, 1, 2)]
assert_true(ws[0] == ws[1], "the same seed gave two different results: shuffle with rng, not np.random")
assert_true(len(set(ws)) > 1, "three seeds gave the same w: shuffle the samples with rng at every epoch", value=ws)
# Noise-free points: stochastic and mini-batch descent reach w = 2, b = 1.
for batch_size in (1, 3):
    w, b, losses = train_minibatch_sgd(X, y, batch_size=batch_size, lr=0.05, epochs=300,
                                       rng=np.random.default_rng(0))
    assert_shape(losses, (300,), what=f"losses for 300 epochs (batch_size {batch_size})")
    assert_close(losses[-1], np.mean((X @ w + b - y) ** 2),
                 what=f"losses[-1] (batch_size {batch_size}): the MSE of the returned w and b on all the data")
    assert_close(w, [2.0], atol=1e-4, what=f"w after 300 epochs with batch_size {batch_size}")
    assert_close(b, 1.0, atol=1e-4, what=f"b after 300 epochs with batch_size {batch_size}")
"""),
    code("prediction_widget_1", r"""
predict("03-noise-of-a-quarter-batch")
"""),
    markdown("widget_intro", r"""
## 7. Noise against cost: a widget

The widget fits a line $\hat y = w x + b$ to 64 noisy points, starting from $w = b = 0$, for 8 epochs.
It runs **your** `minibatches`, `linear_mse_grad` and `sgd_step` step by step, and your
`train_minibatch_sgd` with the same settings for the losses per epoch.

* **Left:** the path of $(w, b)$ after every step, over the contours of the loss on all 64 points
  (the star is the least-squares minimum). The dashed orange path is full-batch gradient descent at the
  same learning rate.
* **Right:** the loss on all 64 points after every step, against the number of **examples processed**,
  the work done (64 per epoch, whatever the batch size). The red dots are the `losses` your
  `train_minibatch_sgd` returns. When both functions draw one permutation per epoch from `rng`, the dots
  sit exactly on the blue curve; otherwise they are a different, equally random run, close to it.

Answer each question for yourself before you move the sliders, then open the answer:

1. At the learning rate 0.05, try batch size 64, then 8, then 1. For the same 512 examples of work,
   which gets closest to the minimum, and what does it do once it is there?

   <details><summary>What you should see, and why</summary>

   Full batch takes 8 careful steps and is still far from the minimum; batches of 8 take 64 steps for
   the same work and get much closer; single examples take 512 steps, get there fastest and then
   **jitter** around the minimum, because each step follows one example.

   </details>

2. With batch size 1, lower the learning rate. Does the jitter grow or shrink, and what does it cost?

   <details><summary>What you should see, and why</summary>

   The jitter shrinks (it scales with the learning rate and with $1/Q$), but the approach slows down.
   Constant-learning-rate SGD never settles exactly; in practice the learning rate is lowered during
   training (a *schedule*), or the batch size raised.

   </details>

3. Raise the learning rate towards 0.3. Which diverges first, full-batch descent or batches of one?

   <details><summary>What you should see, and why</summary>

   Batches of one. Full-batch descent first zigzags across the valley, then diverges beyond about
   0.27. With batch size 1 the loss turns erratic from about 0.1, and at 0.2 (where full-batch descent
   is still fine) it explodes for some seeds, seed 0 among them: a single example can curve the loss
   much more sharply than the average of all of them does, so **small batches need smaller learning
   rates**.

   </details>

4. Change the seed with batch size 1, then with 64. Which paths change?

   <details><summary>What you should see, and why</summary>

   The shuffles change the noisy path of batch size 1, but the full batch is always the same: every
   step of full-batch descent sees all 64 points, whatever their order.

   </details>
"""),
    markdown("batch_noise_figure_intro", r"""
The figure measures the noise of **your** `linear_mse_grad` on 256 fixed points, at $w = 2$, $b = 0$:
for each batch size $Q$, 300 random batches drawn without replacement, and the standard deviation of
each component of the gradient over them (the markers). The lines are section 1's formula,
$\sigma \sqrt{(n - Q)/(Q(n - 1))}$. On log-log axes $1/\sqrt{Q}$ is a straight line of slope
$-\tfrac12$: four times the batch, half the noise. Near $Q = n$ the lines bend down, away from the
dotted $\sigma/\sqrt{Q}$: the factor $\sqrt{(n - Q)/(n - 1)}$ is 0.97 at $Q = 16$, 0.71 at $Q = 128$,
and 0 at $Q = n$, where every batch is the whole data set.
"""),
    code("batch_noise_demo", r"""
batch_noise_figure(linear_mse_grad)
"""),
    code("widget", r"""
batch_size_widget(minibatches, linear_mse_grad, sgd_step, train_minibatch_sgd)
"""),
    code("prediction_widget_2", r"""
predict("03-fastest-per-epoch")
"""),
    markdown("demo_intro", r"""
## 8. On real data: batch sizes 1, 32 and 1,348 on the digits

The 8×8 handwritten digits that ship with scikit-learn (1,797 images; 1,348 for training, 449 held
out; no download) train a small network: 64 inputs, 32 ReLU units and 10 outputs with the softmax
cross-entropy of lesson 02. The course's network code does the forward and backward passes; **your**
`minibatches` cuts every epoch into batches and **your** `sgd_step` updates the parameters. All runs
start from the same weights:

* batch size 1 (stochastic gradient descent), learning rate 0.01, 4 epochs;
* batch size 32, learning rate 0.1, 40 epochs;
* all 1,348 images (full batch), learning rate 0.5, 200 epochs.

The learning rates differ because, as the widget showed, noisier steps need smaller ones; each was
picked by hand to be about as large as works well. Each run gets enough epochs to come close to its
best within a fraction of a second; the whole demo takes a few seconds.

Read the two panels (both on log scales) side by side:

* **Per epoch** (left), smaller batches win: an epoch is 1,348 steps with batch size 1, 43 steps with
  batch size 32 and a single step with the full batch. The full batch needs about a hundred epochs to
  reach the loss that batch size 1 reaches in four, and batch size 32 about a dozen.
* **Per second** (right), the picture changes. A step on 32 examples costs barely more than a step on
  one, because the computer multiplies a $32 \times 64$ matrix almost as fast as a single row of 64,
  and each step pays a fixed overhead (here, Python's). So batch size 32 gets through an epoch some 20
  to 30 times faster than batch size 1, and overtakes it within a fraction of a second. The full batch
  does well here too: on 1,348 small images one step is a single fast matrix product, and its hundreds
  of cheap epochs keep up with batch size 32. That changes on large data sets: with millions of
  examples, one full-batch step costs millions of example-gradients, and it is still only one step.
* **Noise:** near the end the curve of batch size 32 wobbles instead of decreasing smoothly. That is the
  gradient noise of section 1 at a constant learning rate.

The legend gives the time per epoch and the final test accuracy of each run. The times depend on the
computer (and on what else it is doing), so your numbers will differ. Training with batches of 32 to
512 examples is the usual compromise: most of the progress per epoch of small batches, most of the
speed per example of large ones.
"""),
    code("demo", r"""
demo(minibatches, sgd_step)
"""),
    markdown("summary", r"""
## Summary

* The training loss is an average over examples, so its gradient is too. A **mini-batch** of $Q$
  random examples gives an unbiased estimate of it, whose variance falls like $1/Q$ (and reaches 0 at
  $Q = n$): $Q = 1$ is stochastic gradient descent, $Q = n$ batch gradient descent.
* An **epoch** shuffles the data with a **new permutation**, drawn from `rng`, applied to `X` and `y`
  **together**, then cuts it into $\lceil n / Q \rceil$ consecutive batches. Every sample appears
  exactly once; the **last batch is smaller** when $Q$ does not divide $n$; `batch_size < 1` is a
  `ValueError`.
* The batch gradient of the linear model's MSE is $\frac{2}{m} X^\top r$ and $\frac{2}{m}\sum_i r_i$
  with $r = Xw + b - y$: an **average**, so the learning rate does not depend on the batch size.
* `sgd_step` returns a new array $\theta - \eta g$, and the training loop moves **both** $w$ and $b$
  after every batch and records the **full-data** loss **after** each epoch.
* Small batches make more progress per example but are noisy and need smaller learning rates; large
  batches give exact, stable steps but few of them. Batches of tens to hundreds of examples, processed
  as one matrix product, get most of both.

## Questions to think about

1. A data set has 10,000 examples. How many steps does one epoch take with batch sizes 1, 100 and
   10,000, and how many example-gradients does each epoch compute?
2. Your gradient *summed* the example-gradients instead of averaging them. You tuned the learning rate
   with batches of 10, then switched to batches of 1,000. What happens, and how would you fix the
   learning rate?
3. A classmate shuffles with `k = rng.integers(n); np.roll(X, k, axis=0), np.roll(y, k, axis=0)`. Each
   sample appears once and keeps its target, and the seed changes the result. Why is it still not a
   good shuffle? How many of the $n!$ possible orders can it produce?
4. On the four points of section 6, SGD with a constant learning rate converges exactly; on the
   widget's noisy points it does not. What is different at the minimum?
5. Some libraries drop the last, smaller batch of each epoch. What does the model lose when the data
   are *not* reshuffled between epochs, and why does reshuffling make it less harmful?
"""),
    free_code("scratch", "# A scratch cell: try your functions on your own inputs here.\n"),
]
