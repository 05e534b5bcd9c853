"""Lesson 02, softmax, entropy and cross-entropy: the cells of source/02-softmax-entropy/02-softmax-entropy.ipynb.

Rebuild the notebook with ``python -m nncourse.authoring 02-softmax-entropy``.
"""

from nncourse.authoring import code, free_code, graded_test, markdown, solution

CELLS = [
    markdown("title", r"""
# Lesson 02 · Softmax, entropy and cross-entropy

In lesson 01 the model handed us probabilities, and the cross-entropy judged them. But the last layer
of a network does not produce probabilities: it produces one unconstrained real number per class, a
**score** or **logit**, which can be negative, larger than 1, anything. This lesson covers the road
from scores to a loss:

* the **softmax**, which turns scores into probabilities, and how to compute it without overflow;
* the **log-softmax**, for when we need the logarithms of those probabilities (a loss always does);
* **entropy**, **cross-entropy** and the **Kullback-Leibler divergence**, the three measures of
  information that explain *why* the cross-entropy is the right loss;
* the **softmax cross-entropy** on logits and integer labels, the loss behind nearly every classifier,
  and its strikingly simple gradient.

At the end, a widget lets you push logits around and break the naive formula, and you train a
classifier of handwritten digits with your own loss and gradient.

**How this notebook works.** Each function you write sits alone in a cell that starts with `def`.
Replace the line `raise NotImplementedError(...)` with your code, run the cell, then run the test cell
below it. The visible checks in the test cell catch most slips; when you submit, hidden tests check
more inputs and tell you the likely mistake. Run the cells from top to bottom. Each graded function
must be your own NumPy code: it may call the functions *you* wrote earlier in this notebook, but not
the course's `lessons` package.
"""),
    code("setup", r"""
import numpy as np

from lessons.checks import assert_close, assert_in_range, assert_raises, assert_shape, assert_type, assert_unchanged, gradient_check
from lessons.demos.softmax import demo, label_smoothing_figure
from lessons.predict import predict
from lessons.widgets.softmax import softmax_temperature_widget
"""),
    markdown("softmax_intro", r"""
## 1. From scores to probabilities: the softmax

A classifier with $K$ classes ends with $K$ numbers $z = (z_1, \dots, z_K)$, the **logits**. A larger
logit should mean a more likely class, and we want probabilities: positive numbers that add up to 1.
The **softmax** does this in two moves: exponentiate (every $e^{z_k}$ is positive, and larger $z_k$
gives a larger $e^{z_k}$), then divide by the total:

$$
\operatorname{softmax}(z)_k = \frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}, \qquad k = 1, \dots, K .
$$

*Worked example.* For $z = (1, 2, 3)$: $e^1 = 2.718$, $e^2 = 7.389$, $e^3 = 20.086$, total $30.193$, so

$$
\operatorname{softmax}(1, 2, 3) = (0.090,\ 0.245,\ 0.665) .
$$

Each step of 1 in the logits multiplies the probability by $e \approx 2.718$: softmax turns
*differences* of logits into *ratios* of probabilities, $p_k / p_j = e^{z_k - z_j}$.

Properties worth knowing by heart:

* **Probabilities.** Every output lies in $(0, 1)$ for finite logits, and the outputs sum to 1.
* **Order.** The largest logit gets the largest probability, so the predicted class (the argmax) is
  the same whether you look at logits or probabilities.
* **Shift invariance.** Adding the same constant $c$ to every logit changes nothing:
  $\frac{e^{z_k + c}}{\sum_j e^{z_j + c}} = \frac{e^{c}\, e^{z_k}}{e^{c} \sum_j e^{z_j}} = \operatorname{softmax}(z)_k$.
  Only differences between logits matter. Section 2 turns this into the key to a stable computation.
* **Two classes give the sigmoid.** With logits $(z, 0)$, the first probability is
  $\frac{e^{z}}{e^{z} + 1} = \frac{1}{1 + e^{-z}} = \sigma(z)$: the sigmoid of lesson 01 is the
  two-class softmax.
* **Temperature.** Dividing the logits by a *temperature* $T > 0$ before the softmax sharpens the
  distribution when $T < 1$ (it tends to all mass on the largest logit as $T \to 0$) and flattens it
  when $T > 1$ (it tends to the uniform distribution as $T \to \infty$). For $z = (1, 2, 3)$:
  $T = 0.5$ gives $(0.016, 0.117, 0.867)$ and $T = 10$ gives $(0.301, 0.332, 0.367)$.
* **Ruling a class out.** A logit of $-\infty$ gives $e^{-\infty} = 0$: that class gets probability
  exactly 0, and the others share all the mass. Language models use this to forbid tokens.

> **A correction to some course notes.** You may read that with softmax "the loss function will have
> an output between 0 and 1". It is the **softmax outputs** that lie between 0 and 1 (and sum to 1).
> The loss built on them, $-\log$ of the true class's probability, lies anywhere in $[0, \infty)$: it
> is 0 only when the true class gets probability 1, and $-\log 0.001 \approx 6.9$.
"""),
    markdown("stability_intro", r"""
## 2. Computing the softmax without overflow

A `float64` holds numbers up to about $1.8 \times 10^{308}$, so $e^{x}$ **overflows** to `inf` as soon
as $x > 709.78$, and it **underflows** to exactly 0 once $x < -745.13$. Logits that large are not
exotic: a confident network, a large learning rate or a low temperature produce them. The formula as
written then breaks:

* $z = (1000, 1001, 1002)$: every $e^{z_k}$ is `inf`, and $\infty / \infty$ is `nan`. The right answer
  is $(0.090, 0.245, 0.665)$, the same as for $(1, 2, 3)$, by shift invariance.
* $z = (-1000, -1001, -1002)$: every $e^{z_k}$ is 0, and $0 / 0$ is `nan`. The right answer is
  $(0.665, 0.245, 0.090)$.

**The fix** uses shift invariance with $c = -m$, where $m = \max_j z_j$:

$$
\operatorname{softmax}(z)_k = \frac{e^{z_k - m}}{\sum_j e^{z_j - m}} .
$$

Now every exponent is $\le 0$, so nothing overflows; and the largest term is $e^{0} = 1$, so the
denominator lies between 1 and $K$ and can never be 0. Some *small* probabilities may still underflow
to 0, but only those below about $4.9 \times 10^{-324}$, the smallest positive `float64` (a *subnormal*
number; below the smallest normal one, $2.2 \times 10^{-308}$, they already lose digits), whose true
value no `float64` could hold anyway.

**One maximum per row.** With a batch of logits of shape `(n_samples, n_classes)`, each row is its own
distribution and needs its own maximum. Subtracting the *global* maximum of the whole array is a
classic slip: with rows $(0, 1)$ and $(-1000, -999)$ the global maximum is 1, the second row becomes
$(-1001, -1000)$, both exponentials underflow, and that row is $0 / 0$ = `nan`. In NumPy,
`np.max(z, axis=axis, keepdims=True)` gives one maximum per slice; `keepdims=True` keeps the reduced
axis with length 1, so the result has shape `(n_samples, 1)` and broadcasts against `z` row by row.
The sum in the denominator needs the same `axis` and `keepdims=True`.

**Any axis.** The classes sit on the last axis by default (`axis=-1`), but your function must work for
any `axis` and any number of dimensions: `softmax(z, axis=0)` normalizes each column instead.

**Pure function.** Convert the input with `z = np.asarray(z, dtype=float)` and build new arrays
(`shifted = z - m`). Writing `z -= m` would change the caller's array when it already is a `float64`
array: the test checks that your function leaves its input unchanged.

A logit of `-inf` needs no special case: $-\infty - m = -\infty$ and $e^{-\infty} = 0$, as long as the
slice has at least one finite logit (a slice of all `-inf` rules out every class; it has no softmax).
"""),
    solution("softmax", r'''
def softmax(z, axis=-1):
    """Softmax along one axis: logits to probabilities, computed stably.

    Parameters
    ----------
    z : array_like of any shape with at least one dimension
        The logits, for example of shape (n_samples, n_classes). Entries may be
        -inf (probability 0); every slice along ``axis`` has a finite entry.
    axis : int, default -1
        The axis that holds the classes.

    Returns
    -------
    ndarray of the shape of ``z``
        Entries in [0, 1] that sum to 1 along ``axis``.

    Notes
    -----
    softmax(z)_k = exp(z_k - m) / sum_j exp(z_j - m), with m the maximum of
    each slice along ``axis``: the same value as without m, but no exponent
    is positive, so nothing overflows, and the denominator is at least 1.
    """
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)
    ### END SOLUTION
'''),
    graded_test("softmax", 3, "softmax: the worked example, rows summing to 1, huge logits, -inf, other axes.", r"""
z = np.array([1.0, 2.0, 3.0])
assert_close(softmax(z), np.exp(z) / np.sum(np.exp(z)), what="softmax([1, 2, 3])")
assert_close(softmax(z + 1000.0), [0.09003057, 0.24472847, 0.66524096], what="softmax([1001, 1002, 1003])")
assert_close(softmax(np.array([-1000.0, -1001.0, -1002.0])), [0.66524096, 0.24472847, 0.09003057],
             what="softmax([-1000, -1001, -1002])")
assert_close(softmax(np.array([1e4, 0.0])), [1.0, 0.0], what="softmax([1e4, 0])")
assert_close(softmax(np.array([0.0, -np.inf])), [1.0, 0.0], what="softmax([0, -inf])")
rng = np.random.default_rng(0)
logits = rng.normal(size=(4, 5))
before = logits.copy()
probs = softmax(logits)
assert_shape(probs, (4, 5), what="softmax of a (4, 5) array")
assert_close(probs.sum(axis=1), np.ones(4), what="the row sums of softmax(logits)")
assert_unchanged(before, logits, what="softmax's argument z")
assert_close(softmax(logits, axis=0).sum(axis=0), np.ones(5), what="the column sums of softmax(logits, axis=0)")
"""),
    markdown("log_softmax_intro", r"""
## 3. Log-probabilities: the log-softmax

Losses need the **logarithm** of a probability, and computing `np.log(softmax(z))` throws away what
the softmax could not store. Take $z = (0, 1000)$: the first probability is $e^{-1000}$, far below the
smallest `float64`, so `softmax` returns exactly 0 for it, and `np.log(0)` is $-\infty$. Yet its
logarithm is simply $-1000$, a perfectly ordinary number.

Take the logarithm of the formula *before* computing anything:

$$
\log \operatorname{softmax}(z)_k = z_k - \log \sum_j e^{z_j} = z_k - \operatorname{LSE}(z),
$$

where $\operatorname{LSE}(z) = \log \sum_j e^{z_j}$ is the **log-sum-exp**. It needs the same care as
the softmax, and the same trick works: with $m = \max_j z_j$,

$$
\operatorname{LSE}(z) = m + \log \sum_j e^{z_j - m} ,
$$

where the sum lies between 1 and $K$, so its logarithm is finite and small. Putting it together, with
`shifted` $= z - m$ as in your `softmax`:

$$
\log \operatorname{softmax}(z) = \text{shifted} - \log \sum_j e^{\text{shifted}_j} .
$$

For $z = (0, 1000)$ this gives exactly $(-1000, 0)$.

*Worked example.* For $z = (1, 2, 3)$, $\operatorname{LSE}(z) = \log 30.193 = 3.408$, so the
log-probabilities are $(-2.408, -1.408, -0.408)$, and their exponentials are the probabilities
$(0.090, 0.245, 0.665)$ of section 1.

The log-sum-exp is a smooth version of the maximum: $m \le \operatorname{LSE}(z) \le m + \log K$. As
for `softmax`, your function takes an `axis` (the last by default) and works for any shape.
"""),
    solution("log_softmax", r'''
def log_softmax(z, axis=-1):
    """Logarithm of the softmax along one axis, computed without overflow or underflow.

    Parameters
    ----------
    z : array_like of any shape with at least one dimension
        The logits. Entries may be -inf (log-probability -inf).
    axis : int, default -1
        The axis that holds the classes.

    Returns
    -------
    ndarray of the shape of ``z``
        Log-probabilities (all <= 0) whose exponentials sum to 1 along ``axis``.

    Notes
    -----
    log softmax(z)_k = z_k - LSE(z), with the log-sum-exp
    LSE(z) = m + log sum_j exp(z_j - m) and m the maximum of each slice.
    """
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    ### END SOLUTION
'''),
    graded_test("log_softmax", 2, "log_softmax: the worked example, log-probabilities far below the smallest float, shapes, one shift per row.", r"""
z = np.array([1.0, 2.0, 3.0])
assert_close(log_softmax(z), z - np.log(np.sum(np.exp(z))), what="log_softmax([1, 2, 3])")
assert_close(log_softmax(np.array([0.0, 1000.0])), [-1000.0, 0.0], what="log_softmax([0, 1000])")
assert_close(log_softmax(np.array([0.0, -np.inf])), [0.0, -np.inf], what="log_softmax([0, -inf])")
rng = np.random.default_rng(1)
logits = 30.0 * rng.normal(size=(3, 6))
out = log_softmax(logits)
assert_shape(out, (3, 6), what="log_softmax of a (3, 6) array")
assert_in_range(out.max(), -np.inf, 0.0, what="the largest log-probability (it can never be positive)")
assert_close(np.exp(out).sum(axis=1), np.ones(3), what="the row sums of exp(log_softmax(logits))")
assert_close(log_softmax(logits + [[1000.0], [0.0], [-1000.0]]), out,
             what="log_softmax(logits + [[1000], [0], [-1000]]) (a constant per row changes nothing)")
"""),
    markdown("entropy_intro", r"""
## 4. Entropy: how uncertain is a distribution?

Before we can say what makes a good loss, we need a way to measure information. The **surprise** of an
outcome of probability $p$ is $-\log p$: a certain event ($p = 1$) carries no surprise, a coin landing
heads ($p = 1/2$) carries $\log 2 \approx 0.693$, and a one-in-a-million event $\log 10^6 \approx 13.8$.
With the natural logarithm the unit is the **nat**; with $\log_2$ it is the **bit** (1 bit $= \log 2$
nats, so divide nats by $0.693$ to get bits).

The **entropy** of a distribution $p = (p_1, \dots, p_K)$ is its *average* surprise:

$$
H(p) = -\sum_{k=1}^{K} p_k \log p_k .
$$

It measures how uncertain the outcome is:

* $H = 0$ for a certain outcome, $p = (1, 0, \dots, 0)$;
* $H = \log K$, the maximum, for the uniform distribution $(1/K, \dots, 1/K)$: nothing is known;
* always $0 \le H(p) \le \log K$.

*Worked examples.* A fair coin: $H = -2 \cdot \tfrac12 \log \tfrac12 = \log 2 = 0.693$ nats (1 bit).
A biased coin $(0.25, 0.75)$: $H = 0.25 \log 4 + 0.75 \log \tfrac43 = 0.347 + 0.216 = 0.562$ nats.
The softmax of $(1, 2, 3)$: $H = 0.832$ nats, 76% of the maximum $\log 3 = 1.099$.

**The term $0 \log 0$.** An outcome that never happens adds no uncertainty: the convention is
$0 \log 0 = 0$, the limit of $x \log x$ as $x \to 0$. NumPy does not know this:
`0 * np.log(0)` is `0 * -inf`, which is `nan`, with two warnings. Even
`np.where(p > 0, p * np.log(p), 0.0)` warns, because NumPy computes `np.log(p)` for every entry before
choosing. Compute the logarithm only where $p > 0$, for example

```python
terms = np.zeros(p.shape)
positive = p > 0
terms[positive] = p[positive] * np.log(p[positive])
```

then sum `terms` over `axis`. The result has the shape of `p` without that axis: a single number for
one distribution, one entropy per row for an array of shape `(n_samples, n_classes)`.
"""),
    solution("entropy", r'''
def entropy(p, axis=-1):
    """Shannon entropy of discrete distributions, in nats.

    Parameters
    ----------
    p : array_like of any shape with at least one dimension
        Probabilities in [0, 1], one distribution per slice along ``axis``
        (for example of shape (n_samples, n_classes)).
    axis : int, default -1
        The axis that holds the outcomes.

    Returns
    -------
    ndarray (or number) of the shape of ``p`` without ``axis``
        The entropy of each distribution, for example of shape (n_samples,).

    Notes
    -----
    H(p) = -sum_k p_k log p_k, with 0 log 0 = 0 (a term with p_k = 0 is 0).
    """
    ### BEGIN SOLUTION
    p = np.asarray(p, dtype=float)
    terms = np.zeros(p.shape)
    positive = p > 0
    terms[positive] = p[positive] * np.log(p[positive])
    return -np.sum(terms, axis=axis)
    ### END SOLUTION
'''),
    graded_test("entropy", 2, "entropy: a fair and a biased coin, certainty (0 log 0 = 0), the uniform maximum, one entropy per row.", r"""
assert_close(entropy(np.array([0.5, 0.5])), np.log(2), what="entropy of a fair coin")
assert_close(entropy(np.array([0.25, 0.75])), 0.25 * np.log(4) + 0.75 * np.log(4 / 3), what="entropy([0.25, 0.75])")
assert_close(entropy(np.array([1.0, 0.0, 0.0])), 0.0, what="entropy of a certain outcome [1, 0, 0]")
assert_close(entropy(np.full(4, 0.25)), np.log(4), what="entropy of the uniform distribution on 4 outcomes")
batch = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])
out = entropy(batch)
assert_shape(np.asarray(out), (3,), what="entropy of a (3, 3) array (one per row)")
assert_close(out[:2], [np.log(2), 0.0], what="entropy of the rows [0.5, 0.5, 0] and [1, 0, 0]")
assert_close(entropy(batch.T, axis=0), out, what="entropy(p.T, axis=0)")
"""),
    markdown("cross_entropy_intro", r"""
## 5. Cross-entropy: surprise measured with the wrong model

Suppose outcomes really follow $p$, but we *believe* they follow $q$ (a model's prediction). We feel
a surprise of $-\log q_k$ when outcome $k$ happens, and outcome $k$ happens with probability $p_k$. The
average surprise is the **cross-entropy** of $q$ relative to $p$:

$$
H(p, q) = -\sum_{k=1}^{K} p_k \log q_k .
$$

Believing the truth is best: $H(p, q) \ge H(p)$, with equality only when $q = p$ (this is *Gibbs'
inequality*; section 6 shows why). Every wrong belief costs extra surprise on average.

*Worked examples.*

* A one-hot truth $p = (1, 0)$ and a model $q = (0.25, 0.75)$: only the first term survives,
  $H(p, q) = -\log 0.25 = 1.386$ nats. With a one-hot $p$ the cross-entropy is $-\log q_{\text{true}}$,
  the loss of one sample in lesson 01. That is where the loss gets its name.
* $p = (0.7, 0.2, 0.1)$ against the uniform $q = (\tfrac13, \tfrac13, \tfrac13)$: every $-\log q_k$ is
  $\log 3$, so $H(p, q) = \log 3 = 1.099$, while $H(p) = 0.802$. The model that knows nothing pays
  $0.297$ nats per outcome more than the truth would.

**Zero probabilities.** Two conventions make the cross-entropy exact:

* A term with $p_k = 0$ is 0, **whatever** $q_k$ is, even 0: an outcome that never happens costs
  nothing. So $H\big((0, 1), (0, 1)\big) = 0$.
* A term with $p_k > 0$ and $q_k = 0$ is $+\infty$: the model called impossible something that happens.
  So $H\big((0, 1), (1, 0)\big) = \infty$. Return `inf` (`np.inf`), without warnings: compute
  `np.log(q)` only where `p > 0`, and silence the expected division by zero of `np.log(0.0)` with
  `with np.errstate(divide="ignore"):` around that line.

Unlike the training loss of lesson 01, there is **no clipping** here: this function computes the exact
quantity, infinities included.

`p` and `q` must have the **same shape**; raise a `ValueError` that says so otherwise (NumPy would
happily broadcast a `(3, 1)` array against a `(3,)` one, as in lesson 01). The result has the shape of
`p` without `axis`, like `entropy`.
"""),
    solution("cross_entropy", r'''
def cross_entropy(p, q, axis=-1):
    """Cross-entropy of ``q`` relative to ``p``, in nats.

    Parameters
    ----------
    p : array_like of any shape with at least one dimension
        The true distributions, entries in [0, 1].
    q : array_like of the shape of ``p``
        The model's distributions, entries in [0, 1].
    axis : int, default -1
        The axis that holds the outcomes.

    Returns
    -------
    ndarray (or number) of the shape of ``p`` without ``axis``
        inf where ``q`` is 0 on an outcome to which ``p`` gives positive probability.

    Raises
    ------
    ValueError
        If ``p`` and ``q`` have different shapes.

    Notes
    -----
    H(p, q) = -sum_k p_k log q_k, where a term with p_k = 0 is 0.
    """
    ### BEGIN SOLUTION
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    terms = np.zeros(p.shape)
    positive = p > 0
    with np.errstate(divide="ignore"):
        terms[positive] = p[positive] * np.log(q[positive])
    return -np.sum(terms, axis=axis)
    ### END SOLUTION
'''),
    graded_test("cross_entropy", 2, "cross_entropy: a one-hot truth, against the uniform model, zero probabilities, shapes and the axis.", r"""
assert_close(cross_entropy(np.array([1.0, 0.0]), np.array([0.25, 0.75])), np.log(4), what="cross_entropy([1, 0], [0.25, 0.75])")
p = np.array([0.7, 0.2, 0.1])
assert_close(cross_entropy(p, np.full(3, 1 / 3)), np.log(3), what="cross_entropy(p, uniform)")
assert_close(cross_entropy(p, p), -np.sum(p * np.log(p)), what="cross_entropy(p, p), the entropy of p")
assert_close(cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0])), 0.0, what="cross_entropy([0, 1], [0, 1])")
assert_close(cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0])), np.inf, what="cross_entropy([0, 1], [1, 0])")
rng = np.random.default_rng(2)
P, Q = rng.dirichlet(np.ones(4), size=5), rng.dirichlet(np.ones(4), size=5)
out = cross_entropy(P, Q)
assert_shape(np.asarray(out), (5,), what="cross_entropy of two (5, 4) arrays (one per row)")
assert_close(cross_entropy(P.T, Q.T, axis=0), out, what="cross_entropy(p.T, q.T, axis=0)")
assert_in_range(np.min(np.asarray(out) + np.sum(P * np.log(P), axis=1)), -1e-12, np.inf,
                what="the smallest H(p, q) - H(p) (H(p, q) can never be below H(p))")
assert_raises(ValueError, cross_entropy, np.full((3, 1), 0.5), np.full(3, 0.5),
              what="cross_entropy with shapes (3, 1) and (3,)")
"""),
    markdown("kl_intro", r"""
## 6. The Kullback-Leibler divergence

The extra surprise caused by believing $q$ when the truth is $p$ is the **Kullback-Leibler (KL)
divergence**:

$$
D_{\mathrm{KL}}(p \,\|\, q) = H(p, q) - H(p) = \sum_{k=1}^{K} p_k \log \frac{p_k}{q_k} .
$$

It behaves like a distance between distributions, with one important exception:

* $D_{\mathrm{KL}}(p \| q) \ge 0$, and it is 0 only when $q = p$ (Gibbs' inequality, which is the
  statement $H(p, q) \ge H(p)$ of section 5). It follows from $\log x \le x - 1$:
  $-D_{\mathrm{KL}} = \sum_k p_k \log \frac{q_k}{p_k} \le \sum_k p_k \big(\frac{q_k}{p_k} - 1\big) = \sum_k q_k - \sum_k p_k \le 0$,
  the sums running over the outcomes with $p_k > 0$.
* It is **not symmetric**: $D_{\mathrm{KL}}(p \| q) \ne D_{\mathrm{KL}}(q \| p)$ in general. The
  truth $p$ comes first: it weighs the log-ratios.

*Worked example.* A fair coin $p = (0.5, 0.5)$ and a model $q = (0.9, 0.1)$ that thinks tails are rare:

$$
D_{\mathrm{KL}}(p \| q) = 0.5 \log \tfrac{0.5}{0.9} + 0.5 \log \tfrac{0.5}{0.1} = 0.5\,(-0.588) + 0.5\,(1.609) = 0.511,
$$

$$
D_{\mathrm{KL}}(q \| p) = 0.9 \log \tfrac{0.9}{0.5} + 0.1 \log \tfrac{0.1}{0.5} = 0.9\,(0.588) + 0.1\,(-1.609) = 0.368 .
$$

The first is larger: when the truth is a fair coin, tails come half of the time, and each one costs
the model a surprise of $\log 5$ more than it should. Swapping the arguments is a common slip (and
libraries differ: PyTorch's `kl_div(input, target)` takes $\log q$ first and the truth second).

**Why classifiers minimise the cross-entropy.** For a training example the truth $p$ is fixed by the
data, so $H(p)$ is a constant, and minimising $H(p, q) = H(p) + D_{\mathrm{KL}}(p \| q)$ over the
model's $q$ is the same as minimising the KL divergence: it pulls the model's distribution towards the
data's. With one-hot labels $H(p) = 0$, and the cross-entropy *is* the KL divergence.

**Zero probabilities**, as in section 5: a term with $p_k = 0$ is 0; a term with $p_k > 0$ and
$q_k = 0$ is $+\infty$ (returned as `inf`, without warnings). Your function must return exactly 0 when
`p` and `q` are equal; $\log p_k - \log q_k$ and $\log(p_k / q_k)$ both do. Raise `ValueError` when the
shapes differ.
"""),
    solution("kl_divergence", r'''
def kl_divergence(p, q, axis=-1):
    """Kullback-Leibler divergence D_KL(p || q), in nats.

    Parameters
    ----------
    p : array_like of any shape with at least one dimension
        The true (reference) distributions, entries in [0, 1].
    q : array_like of the shape of ``p``
        The approximating distributions, entries in [0, 1].
    axis : int, default -1
        The axis that holds the outcomes.

    Returns
    -------
    ndarray (or number) of the shape of ``p`` without ``axis``
        0 where ``p == q``; inf where ``q`` is 0 on an outcome to which ``p``
        gives positive probability.

    Raises
    ------
    ValueError
        If ``p`` and ``q`` have different shapes.

    Notes
    -----
    D_KL(p || q) = sum_k p_k log(p_k / q_k) = H(p, q) - H(p), where a term
    with p_k = 0 is 0.
    """
    ### BEGIN SOLUTION
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    terms = np.zeros(p.shape)
    positive = p > 0
    with np.errstate(divide="ignore"):
        terms[positive] = p[positive] * (np.log(p[positive]) - np.log(q[positive]))
    return np.sum(terms, axis=axis)
    ### END SOLUTION
'''),
    graded_test("kl_divergence", 2, "kl_divergence: the coins both ways, zero for equal distributions, never negative, the axis, mismatched shapes.", r"""
fair, skewed = np.array([0.5, 0.5]), np.array([0.9, 0.1])
assert_close(kl_divergence(fair, skewed), 0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(0.5 / 0.1), what="KL(fair || skewed)")
assert_close(kl_divergence(skewed, fair), 0.9 * np.log(0.9 / 0.5) + 0.1 * np.log(0.1 / 0.5), what="KL(skewed || fair)")
assert_close(kl_divergence(np.array([0.0, 1.0]), np.array([0.5, 0.5])), np.log(2), what="KL([0, 1] || [0.5, 0.5])")
assert_close(kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0])), np.inf, what="KL([0.5, 0.5] || [1, 0])")
rng = np.random.default_rng(3)
P, Q = rng.dirichlet(np.ones(5), size=6), rng.dirichlet(np.ones(5), size=6)
assert_close(kl_divergence(P, P), np.zeros(6), atol=0.0, what="KL(p || p)")
out = kl_divergence(P, Q)
assert_shape(np.asarray(out), (6,), what="kl_divergence of two (6, 5) arrays (one per row)")
assert_in_range(np.min(out), 0.0, np.inf, what="the smallest KL divergence (it can never be negative)")
assert_close(kl_divergence(P.T, Q.T, axis=0), out, what="kl_divergence(p.T, q.T, axis=0)")
assert_raises(ValueError, kl_divergence, np.full((3, 1), 0.5), np.full(3, 0.5),
              what="kl_divergence with shapes (3, 1) and (3,)")
"""),
    markdown("sce_intro", r"""
## 7. The classification loss: softmax cross-entropy on logits

We can now write the loss of a classifier. The network gives logits $z_i \in \mathbb{R}^K$ for sample
$i$, the model's distribution is $q_i = \operatorname{softmax}(z_i)$, and the truth is the one-hot
distribution of the label $y_i$. The cross-entropy of one sample is $-\log q_{i, y_i}$; the loss is the
mean over the $n$ samples, and with the log-softmax of section 3:

$$
L = -\frac{1}{n} \sum_{i=1}^{n} \log \operatorname{softmax}(z_i)_{y_i}
  = \frac{1}{n} \sum_{i=1}^{n} \Big( \operatorname{LSE}(z_i) - z_{i, y_i} \Big) .
$$

**Integer labels.** Here `y` holds one integer per sample, the class number, with shape `(n_samples,)`;
not one-hot rows (this is also PyTorch's convention for `cross_entropy`). To pick the true class's
log-probability in each row, index with two arrays: `log_p[np.arange(n), y]` is the vector
`[log_p[0, y[0]], log_p[1, y[1]], ...]`.

*Worked example.* One sample with logits $(2.0, 1.0, 0.1)$ of true class 0: $e^{2} = 7.389$,
$e^{1} = 2.718$, $e^{0.1} = 1.105$, total $11.213$, so $q_0 = 7.389 / 11.213 = 0.659$ and the loss is
$-\log 0.659 = 0.417$. Add a second sample with logits $(0, 0, 0)$ and label 2: the model spreads its
bets evenly, $q_2 = 1/3$, costing $\log 3 = 1.099$. The mean over the two samples is $0.758$.

*A uniform guess costs* $\log K$: a model whose logits are all equal (for instance all weights zero)
has loss $\log 10 = 2.303$ on the ten digits. That is the first number of the demo below, and a
useful sanity check whenever you start training.

**Why through the log-softmax.** Take logits $(0, 10^4)$ with true class 0, a model that is
confidently, badly wrong. The exact loss is $\operatorname{LSE}(z) - z_0 = 10^4$ nats. Computed as
`-np.log(softmax(z)[0])`, the probability underflows to 0 and the loss is `inf`; with the clipping of
lesson 01 it becomes $-\log 10^{-12} = 27.6$: finite, but wrong, and flat, so the gradient no longer
says how wrong. The log-softmax form gives the exact value: use your `log_softmax`, or the same two
lines (shift by the row maximum, subtract the log of the sum of exponentials).

**Invalid arguments** raise a `ValueError` that says what was expected and what arrived:

* `logits` must be 2-D, of shape `(n_samples, n_classes)`;
* `y` must be 1-D with one label per row, shape `(n_samples,)`. One-hot rows of shape
  `(n_samples, n_classes)` are the classic confusion: refuse them instead of computing nonsense;
* every label must lie in `0, ..., n_classes - 1`. A label of $-1$ would not fail on its own: NumPy
  reads index $-1$ as the *last* column and gives a wrong loss without complaint.

Return a Python `float`.
"""),
    solution("softmax_cross_entropy", r'''
def softmax_cross_entropy(logits, y):
    """Mean cross-entropy between integer labels and the softmax of the logits.

    Parameters
    ----------
    logits : array_like of shape (n_samples, n_classes)
        Unnormalized scores, one row per sample.
    y : array_like of shape (n_samples,)
        Integer labels in 0, ..., n_classes - 1 (not one-hot rows).

    Returns
    -------
    float
        The mean over samples of -log softmax(logits[i])[y[i]], in nats.

    Raises
    ------
    ValueError
        If ``logits`` is not 2-D, ``y`` is not 1-D with one label per row, or a
        label lies outside 0, ..., n_classes - 1.

    Notes
    -----
    L = (1/n) sum_i (LSE(z_i) - z_{i, y_i}), computed with the log-softmax so
    that logits of 1e4 give the exact loss.
    """
    ### BEGIN SOLUTION
    logits = np.asarray(logits, dtype=float)
    y = np.asarray(y)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (n_samples, n_classes), got shape {logits.shape}")
    n_samples, n_classes = logits.shape
    if y.shape != (n_samples,):
        raise ValueError(f"y must hold one integer label per row of logits, shape ({n_samples},), "
                         f"got shape {y.shape}; pass class numbers, not one-hot rows")
    if np.any(y < 0) or np.any(y >= n_classes):
        raise ValueError(f"labels must lie in 0, ..., {n_classes - 1}, got values from {y.min()} to {y.max()}")
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(n_samples), y.astype(int)]))
    ### END SOLUTION
'''),
    graded_test("softmax_cross_entropy", 3, "softmax_cross_entropy: the worked examples, a uniform guess, huge logits, one shift per row, invalid labels.", r"""
one = np.array([[2.0, 1.0, 0.1]])
assert_close(softmax_cross_entropy(one, np.array([0])), -np.log(np.exp(2.0) / np.sum(np.exp(one))),
             what="softmax_cross_entropy([[2, 1, 0.1]], [0])")
two = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
expected = (-np.log(np.exp(2.0) / np.sum(np.exp(one))) + np.log(3)) / 2
assert_close(softmax_cross_entropy(two, np.array([0, 2])), expected, what="softmax_cross_entropy(two samples, [0, 2])")
assert_close(softmax_cross_entropy(np.zeros((5, 10)), np.arange(5)), np.log(10), what="the loss of a uniform guess")
assert_close(softmax_cross_entropy(np.array([[0.0, 1e4]]), np.array([0])), 1e4, what="softmax_cross_entropy([[0, 1e4]], [0])")
assert_close(softmax_cross_entropy(two + [[1000.0], [-1000.0]], np.array([0, 2])), expected,
             what="softmax_cross_entropy(two samples + [[1000], [-1000]], [0, 2]) (a constant per row changes nothing)")
assert_type(softmax_cross_entropy(two, np.array([0, 2])), float, what="softmax_cross_entropy (a Python float: use float(...))")
for bad_y, why in ((np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), "one-hot rows"), (np.array([0, 3]), "label 3 with 3 classes"),
                   (np.array([0, -1]), "label -1")):
    assert_raises(ValueError, softmax_cross_entropy, two, bad_y, what=f"softmax_cross_entropy with {why}")
"""),
    markdown("grad_intro", r"""
## 8. The gradient of the softmax cross-entropy

Training needs $\partial L / \partial z$, the gradient of the loss with respect to every logit. Start
with one sample and its loss $L_i = \operatorname{LSE}(z_i) - z_{i, y_i}$. The derivative of the
log-sum-exp is the softmax:

$$
\frac{\partial}{\partial z_k} \log \sum_j e^{z_j} = \frac{e^{z_k}}{\sum_j e^{z_j}} = s_k,
\qquad s = \operatorname{softmax}(z),
$$

and the derivative of $z_{y}$ with respect to $z_k$ is 1 when $k = y$ and 0 otherwise. So
$\partial L_i / \partial z_{ik} = s_{ik} - [k = y_i]$: the predicted probabilities minus the one-hot
label. The mean over the samples divides everything by $n$:

$$
\frac{\partial L}{\partial Z} = \frac{S - Y}{n},
$$

where $S$ is the softmax of the logits row by row and $Y$ the one-hot labels, both of shape
`(n_samples, n_classes)`.

What this formula says:

* **Shape and sums.** The gradient has the shape of the logits, and each row sums to 0: raising every
  logit of a row by the same amount does not change the loss (shift invariance again).
* **Bounded, and never saturating.** Every entry lies in $[-1/n, 1/n]$, however extreme the logits. When
  the model is confidently wrong, $s_{y} \approx 0$ and the true class's entry is $\approx -1/n$: the
  push is as strong as it can be, exactly where it is most needed. This is lesson 01's observation
  about sigmoid and cross-entropy, now for $K$ classes; with two classes the formula *is* lesson 01's
  $p - y$.
* **The $1/n$.** It comes from the mean in the loss. Forgetting it makes the step grow with the
  batch size.

*Worked example.* Logits $\begin{bmatrix} 0 & 0 \\ 0 & \log 3 \end{bmatrix}$, labels $(0, 0)$, $n = 2$.
Row 1: $s = (0.5, 0.5)$, minus $(1, 0)$ gives $(-0.5, 0.5)$. Row 2: $s = (\tfrac14, \tfrac34)$, minus
$(1, 0)$ gives $(-0.75, 0.75)$. Divided by $n = 2$:

$$
\frac{\partial L}{\partial Z} = \begin{bmatrix} -0.25 & 0.25 \\ -0.375 & 0.375 \end{bmatrix} .
$$

Compute $S$ stably (your `softmax`, or its lines), subtract 1 at the true classes (`[np.arange(n), y]`
indexing again, on your new array $S$, never on an argument) and divide by $n$. Check `logits` and `y`
exactly as in `softmax_cross_entropy`, with the same `ValueError`s. The test compares your gradient with
finite differences of the loss.
"""),
    solution("softmax_cross_entropy_grad", r'''
def softmax_cross_entropy_grad(logits, y):
    """Gradient of ``softmax_cross_entropy(logits, y)`` with respect to the logits.

    Parameters
    ----------
    logits : array_like of shape (n_samples, n_classes)
        Unnormalized scores, one row per sample.
    y : array_like of shape (n_samples,)
        Integer labels in 0, ..., n_classes - 1 (not one-hot rows).

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        (softmax(logits) - one_hot(y)) / n_samples; each row sums to 0.

    Raises
    ------
    ValueError
        As ``softmax_cross_entropy``.

    Notes
    -----
    dL/dz_ik = (s_ik - [k == y_i]) / n with s_i = softmax(z_i): the derivative
    of LSE(z_i) is softmax(z_i), that of z_{i, y_i} is the one-hot row of y_i.
    """
    ### BEGIN SOLUTION
    logits = np.asarray(logits, dtype=float)
    y = np.asarray(y)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (n_samples, n_classes), got shape {logits.shape}")
    n_samples, n_classes = logits.shape
    if y.shape != (n_samples,):
        raise ValueError(f"y must hold one integer label per row of logits, shape ({n_samples},), "
                         f"got shape {y.shape}; pass class numbers, not one-hot rows")
    if np.any(y < 0) or np.any(y >= n_classes):
        raise ValueError(f"labels must lie in 0, ..., {n_classes - 1}, got values from {y.min()} to {y.max()}")
    e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    grad = e / np.sum(e, axis=1, keepdims=True)
    grad[np.arange(n_samples), y.astype(int)] -= 1.0
    return grad / n_samples
    ### END SOLUTION
'''),
    graded_test("softmax_cross_entropy_grad", 3, "softmax_cross_entropy_grad: the worked example, rows summing to 0, finite differences, huge and shifted logits, a bad label.", r"""
worked = np.array([[0.0, 0.0], [0.0, np.log(3.0)]])
assert_close(softmax_cross_entropy_grad(worked, np.array([0, 0])), [[-0.25, 0.25], [-0.375, 0.375]],
             what="softmax_cross_entropy_grad(worked example)")
rng = np.random.default_rng(4)
logits, y = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
grad = softmax_cross_entropy_grad(logits, y)
assert_shape(grad, (6, 4), what="the gradient for (6, 4) logits")
assert_close(grad.sum(axis=1), np.zeros(6), atol=1e-12, what="the row sums of the gradient")
def loss(z):  # the loss written out here, so this check does not depend on your softmax_cross_entropy
    shifted = z - z.max(axis=1, keepdims=True)
    return np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(y)), y])
gradient_check(loss, lambda z: softmax_cross_entropy_grad(z, y), logits, what="softmax_cross_entropy_grad")
assert_close(softmax_cross_entropy_grad(np.array([[0.0, 1e4]]), np.array([0])), [[-1.0, 1.0]],
             what="the gradient for logits [[0, 1e4]], a confident mistake")
assert_close(softmax_cross_entropy_grad(worked + [[1000.0], [-1000.0]], np.array([0, 0])),
             [[-0.25, 0.25], [-0.375, 0.375]],
             what="softmax_cross_entropy_grad(worked example + [[1000], [-1000]]) (a constant per row changes nothing)")
assert_raises(ValueError, softmax_cross_entropy_grad, worked, np.array([0, -1]),
              what="softmax_cross_entropy_grad with label -1")
"""),
    code("prediction_widget_1", r"""
predict("02-temperature-to-infinity")
"""),
    markdown("widget_intro", r"""
## 9. Play with logits, temperature and overflow

The widget feeds **your `softmax` and `entropy`**. Three sliders set the logits $z$ of three classes,
one sets the temperature $T$, and the last adds a constant $c$ to every logit. The bars on the left
show $\operatorname{softmax}(z / T + c)$ from your function (plain) and from the naive formula
$e^{z} / \sum_j e^{z_j}$ (hatched). On the right, your entropy of $\operatorname{softmax}(z / T)$
against the temperature.

Answer each question for yourself before you move the sliders, then open the answer:

1. Slide $T$ from 0.1 to 10. Does the ranking of the classes ever change?

   <details><summary>What you should see, and why</summary>

   Never: dividing every logit by the same positive $T$ keeps their order, and the exponential keeps
   it too. Only the contrast changes: the entropy falls towards 0 at small $T$ and climbs towards
   $\log 3$ at large $T$.

   </details>

2. Set $z = (1, 2, 3)$ and move the shift $c$ both ways. Which bars move, and at which shifts does the
   naive formula break?

   <details><summary>What you should see, and why</summary>

   Your bars should not move at all: $\operatorname{softmax}(z + c) = \operatorname{softmax}(z)$. The
   naive bars turn into `nan` once the largest logit passes $709.78$ (its exponential overflows to
   `inf`, and $\infty / \infty$ is `nan`), and again once every logit is below $-745.13$ (every
   exponential underflows to 0, and $0/0$ is `nan`).

   </details>

3. Now try $z = (-3, -3, -4)$, $T = 1$ and $c = -740$. Is there a `nan`? Are the naive bars right?

   <details><summary>What you should see, and why</summary>

   No `nan`, but the naive bars are wrong. The exponentials are near $e^{-743}$, below the smallest
   normal `float64` ($2.2 \times 10^{-308}$), where numbers are stored with fewer and fewer significant
   digits: $e^{-743}$ is stored as 4 times the smallest subnormal, $4.9 \times 10^{-324}$, and the
   naive bars come out as $(0.4, 0.4, 0.2)$ instead of $(0.42, 0.42, 0.16)$. Your softmax subtracts
   the largest logit first and never goes near that range.

   </details>

4. Make two logits equal and the third much smaller. What is the entropy?

   <details><summary>What you should see, and why</summary>

   Close to $\log 2 \approx 0.693$: the two equal classes share almost all the probability, half each,
   and the third adds almost nothing. The entropy counts, in nats, how many classes the distribution
   is really spread over.

   </details>
"""),
    code("widget", r"""
softmax_temperature_widget(softmax, entropy)
"""),
    code("prediction_widget_2", r"""
predict("02-softmax-regression-accuracy")
"""),
    markdown("demo_intro", r"""
## 10. On real data: softmax regression on the digits

The simplest classifier that uses everything in this lesson is **softmax regression** (multinomial
logistic regression): one linear layer followed by the softmax. Each 8×8 image of the scikit-learn
digits (1,797 images, no download) is a vector $x$ of 64 pixel values in $[0, 1]$, and

$$
z = x W + b, \qquad W \in \mathbb{R}^{64 \times 10},\ b \in \mathbb{R}^{10} .
$$

Column $k$ of $W$ scores digit $k$. For a batch $X$ of shape `(n_samples, 64)` the logits are
$Z = X W + b$, and the chain rule turns your gradient $G = \partial L / \partial Z$ into the gradients of
the parameters:

$$
\frac{\partial L}{\partial W} = X^\top G, \qquad \frac{\partial L}{\partial b} = \sum_{i} G_i \quad \text{(the column sums of } G\text{)} .
$$

The demo starts from $W = 0$, $b = 0$ (so the first loss is $\log 10 = 2.303$, the uniform guess of
section 7) and takes 200 full-batch gradient steps with learning rate 1 on 1,348 training images,
using **your `softmax_cross_entropy`** for the loss, **your `softmax_cross_entropy_grad`** for the
gradient and **your `softmax`** for the predictions on the 449 held-out images. The training itself
takes well under a second and drawing the figure about as long, so it runs live: nothing is
precomputed.

The right-hand picture shows each column of $W$ as an 8×8 image: the pixels whose ink counts as
evidence for (orange) or against (purple) each digit.
"""),
    code("demo", r"""
demo(softmax, softmax_cross_entropy, softmax_cross_entropy_grad)
"""),
    markdown("nll_intro", r"""
## 11. Cross-entropy is a negative log-likelihood, and label smoothing

**Why this loss?** A classifier with softmax outputs is a probability model: it says that the label of
$x$ is $k$ with probability $p_\theta(k \mid x) = \operatorname{softmax}(z(x))_k$. The *likelihood* of a
training set under the model is the probability it gives to the labels actually observed,
$\prod_i p_\theta(y_i \mid x_i)$ (the samples are independent). Maximum likelihood picks the $\theta$
that makes the observed labels most probable. Taking $-\frac1n \log$ of the product turns it into a mean
that is to be *minimized*:

$$
-\frac{1}{n} \log \prod_{i=1}^{n} p_\theta(y_i \mid x_i) = \frac{1}{n} \sum_{i=1}^{n} -\log p_\theta(y_i \mid x_i),
$$

which is exactly the softmax cross-entropy of this lesson with one-hot targets. Training with
cross-entropy *is* maximum-likelihood estimation, and the loss is called the **negative log-likelihood**
(NLL; PyTorch's `nll_loss` takes log-probabilities such as your `log_softmax`). It is also why the loss
of a model that guesses uniformly over $K$ classes is $\log K$: it gives every label the likelihood
$1/K$.

**Label smoothing.** With one-hot targets the loss keeps falling as the true class's logit pulls away
from the others, and it is 0 only at an infinite gap. A network trained long enough keeps growing its
logits and becomes over-confident. **Label smoothing** (Szegedy et al. 2016) trains against a target
that keeps a little probability for every class:

$$
q = (1 - \varepsilon)\,\text{onehot}(y) + \frac{\varepsilon}{K}, \qquad
L = -\sum_k q_k \log p_k = (1 - \varepsilon)\,\bigl(-\log p_y\bigr) + \varepsilon \cdot \frac1K \sum_k \bigl(-\log p_k\bigr).
$$

This is still a cross-entropy (section 5), with the smoothed $q$ as the true distribution and the
model's $p$ as the guess, and it is smallest when $p = q$: the true class gets $1 - \varepsilon + \varepsilon/K$ and every other class
$\varepsilon/K$. The best logit gap is then finite, $\log\bigl((1 - \varepsilon + \varepsilon/K) /
(\varepsilon/K)\bigr)$: with $\varepsilon = 0.1$ and $K = 10$, $p_y = 0.91$ and the gap is
$\log 91 \approx 4.51$. (This is PyTorch's `cross_entropy(..., label_smoothing=eps)`.)

The figure draws the smoothed loss of a 10-class output, computed with **your** `log_softmax`, against
the gap between the true class's logit and the others (all equal), for several $\varepsilon$.
"""),
    code("prediction_widget_3", r"""
predict("02-smoothed-best-probability")
"""),
    code("label_smoothing_demo", r"""
label_smoothing_figure(log_softmax)
"""),
    markdown("summary", r"""
## Summary

* The **softmax** turns logits into probabilities, $e^{z_k} / \sum_j e^{z_j}$. Its outputs lie between 0
  and 1 and sum to 1 (the *loss* built on them does not lie between 0 and 1). Only differences between
  logits matter, and the temperature sharpens or flattens the distribution.
* Compute it **stably**: subtract the maximum of **each row** (each slice along `axis`) before `np.exp`.
  The naive formula gives `nan` past $|z| \approx 710$ to $745$; a global maximum fails for rows of
  different scales.
* Take logs with the **log-softmax** $z - \operatorname{LSE}(z)$, never `np.log(softmax(z))`, which
  turns tiny probabilities into $-\infty$.
* **Entropy** $H(p) = -\sum p \log p$ measures uncertainty (0 to $\log K$ nats, with $0 \log 0 = 0$).
  **Cross-entropy** $H(p, q) = -\sum p \log q$ is the surprise under a wrong model, and
  **KL divergence** $D_{\mathrm{KL}}(p \| q) = H(p, q) - H(p) \ge 0$ is the cost of the wrong model; it is
  not symmetric, and the truth comes first.
* The **softmax cross-entropy** on logits and integer labels is the mean of
  $\operatorname{LSE}(z_i) - z_{i, y_i}$; its gradient is $(\operatorname{softmax}(Z) - Y)/n$, bounded by
  $1/n$ and largest exactly where the model is confidently wrong.

## Questions to think about

1. Show that $\operatorname{softmax}(z / T)$ tends to all mass on the largest logit as $T \to 0$, and to
   the uniform distribution as $T \to \infty$. What happens as $T \to 0$ when two logits tie for the
   largest?
2. In lesson 01, a model predicted the class frequencies of the training set for every sample. Show that
   its cross-entropy loss equals the entropy of those frequencies. Why is that a good baseline to
   compare a trained model with?
3. $D_{\mathrm{KL}}(p \| q)$ is infinite when $q$ gives probability 0 to an outcome that $p$ allows, but
   finite in the opposite case. Which mistake does training with the cross-entropy punish without
   limit: ruling out what happens, or allowing what never happens?
4. No entry of the gradient ever exceeds $1/n$ in size. What does that imply for a training example
   whose label is wrong, compared with a loss whose gradient grows with the error?
5. A network that multiplies all its logits by 10 keeps its accuracy. What happens to its loss on the
   examples it gets right, and on those it gets wrong? Is a very confident classifier a good one?
"""),
    free_code("scratch", "# A scratch cell: try your functions on your own inputs here.\n"),
]
