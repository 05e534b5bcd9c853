"""Lesson 08, dropout: the cells of source/08-dropout/08-dropout.ipynb.

Rebuild the notebook with ``python -m nncourse.authoring 08-dropout``.
"""

from nncourse.authoring import code, free_code, graded_test, markdown, solution

CELLS = [
    markdown("title", r"""
# Lesson 08 · Dropout

Lesson 07 fought overfitting by changing the objective (penalties), by stopping in time, and by
averaging several networks. **Dropout** does something that looks reckless at first: during training,
every time a mini-batch goes through the network, it switches off a random share of the hidden units.
Each switched-off unit outputs 0 for that step, as if it had been removed from the network, together
with all its connections. The next step switches off a different random set.

This lesson builds dropout as a layer, forward and backward:

* `dropout_forward(x, *, p, rng, train=True)`: draw a random mask, drop each unit with probability `p`
  and scale the kept ones so that nothing changes *on average*;
* `dropout_backward(dout, mask)`: send the gradient back through the same mask.

Then you will watch it on the small, noisy slice of the handwritten digits from lesson 07, with a slider
for the drop probability, and check a claim that is often made loosely: that dropout trains an
*ensemble* of networks and that the full network at evaluation time stands in for their average.

**Names.** Throughout the course, `p` is the probability of **dropping** a unit, as in PyTorch
(`torch.nn.Dropout(p)`), Keras (`Dropout(rate)`) and the course notes. The original dropout paper and
older TensorFlow code use the opposite convention (`keep_prob`, the probability of *keeping* a unit);
when you read a number from a paper or a library, check which one it is: `p = 0.2` and
`keep_prob = 0.2` mean very different networks.

**How this notebook works.** Each function you write sits alone in a cell that starts with `def`.
Replace the line `raise NotImplementedError(...)` with your code, run the cell, then run the test cell
below it. The visible checks in the test cell catch most slips; when you submit, hidden tests check
more inputs and tell you the likely mistake. Run the cells from top to bottom.
"""),
    code("setup", r"""
import numpy as np

from lessons.checks import (assert_close, assert_in_range, assert_shape, assert_true, assert_type, assert_unchanged,
                            gradient_check)
from lessons.demos.dropout import comparison_demo, ensemble_demo, rescaling_figure
from lessons.predict import predict
from lessons.widgets.dropout import dropout_widget
"""),
    markdown("noise", r"""
## 1. Dropout as noise during training

Take one hidden layer with activations $x_1, \dots, x_n$ (after the activation function, for one
sample). Dropout draws, independently for every unit, a random variable

$$
r_i = \begin{cases} 0 & \text{with probability } p \quad \text{(the unit is dropped)} \\
1 & \text{with probability } 1 - p \quad \text{(the unit is kept)} \end{cases}
$$

and passes on $r_i x_i$ instead of $x_i$. A dropped unit contributes nothing to the next layer, so for
this step the network is a **thinned network**: the original one with some units deleted. With $n$
hidden units there are $2^n$ possible thinned networks, and all of them **share the same weights**:
a weight that survives in a thinned network is the same number in every thinned network it belongs to.
Every training step samples one thinned network per sample of the mini-batch and takes a gradient step
on it.

Why would this help? A unit can no longer count on any particular other unit being present, so it
cannot become useful only as a correction to another unit's quirks (*co-adaptation*). Each unit has to
carry a feature that is useful with many random sets of partners. Memorizing one odd training image
usually takes a precise conspiracy of many units, and such conspiracies are exactly what random
deletion breaks. Noise in training makes fitting the training set harder and the fit more robust.

Three practical points:

* Dropout is applied **only during training**. When the network is evaluated (validation, test, use),
  every unit is present.
* It can be applied to the hidden units and also to the inputs (usually with a smaller `p`, such as 0.2).
  In this lesson's network it follows the hidden layer.
* The drop probability is a hyperparameter to tune on the validation set: too small and it changes
  nothing, too large and the network can no longer learn (you will see both).
"""),
    code("prediction_widget_1", r"""
predict("08-no-rescaling")
"""),
    markdown("inverted", r"""
## 2. Keeping the expectation: inverted dropout

There is a catch. During training, unit $i$ passes on $r_i x_i$, whose average over the random mask is

$$
\mathbb{E}[r_i x_i] = (1 - p) \cdot x_i + p \cdot 0 = (1 - p)\, x_i .
$$

At evaluation every unit is present, so the next layer would suddenly receive inputs that are
$\frac{1}{1 - p}$ times larger than what it saw during training (twice as large for $p = 0.5$). Two
fixes are possible:

* **classic dropout**: multiply the activations by $(1 - p)$ at evaluation time; or
* **inverted dropout** (what PyTorch, Keras and this course do): scale the kept units *up* by
  $\frac{1}{1 - p}$ during training, and leave evaluation alone.

With inverted dropout the unit is multiplied by the **mask**

$$
m_i = \frac{r_i}{1 - p} = \begin{cases} 0 & \text{with probability } p \\
\dfrac{1}{1 - p} & \text{with probability } 1 - p \end{cases}
\qquad\text{and}\qquad \text{out}_i = m_i\, x_i .
$$

Its expectation is exactly the input:

$$
\mathbb{E}[\text{out}_i] = p \cdot 0 + (1 - p) \cdot \frac{x_i}{1 - p} = x_i .
$$

So during training each unit is, on average, what it will be at evaluation, and the evaluation
network is simply the network: $m_i = 1$ for every unit. What dropout adds is **noise around** $x_i$,
with variance

$$
\operatorname{Var}[\text{out}_i] = \mathbb{E}[\text{out}_i^2] - x_i^2
= (1 - p)\frac{x_i^2}{(1 - p)^2} - x_i^2 = \frac{p}{1 - p}\, x_i^2 ,
$$

which is 0 for $p = 0$, $x_i^2$ for $p = 0.5$, and grows without bound as $p \to 1$.

*Worked example.* $x = (2, -1, 4, 0.5)$ and $p = 0.5$. Suppose the four uniform random numbers drawn on
$[0, 1)$ are $u = (0.7, 0.2, 0.9, 0.4)$, and a unit is dropped when $u_i < p$: units 2 and 4 are dropped.
The mask is $m = (2, 0, 2, 0)$ (kept units get $1 / (1 - 0.5) = 2$) and the output is
$(4, 0, 8, 0)$. Averaged over many masks, the output would be $(2, -1, 4, 0.5)$ again.

**The edge cases.**

* $p = 0$: nothing is dropped; the mask is all ones and `out` equals `x`.
* $p = 1$: everything is dropped; the mask and `out` are all zeros. The factor $\frac{1}{1 - p}$
  would divide by zero, but there is no kept unit to scale, so do not compute it: handle $p = 1$ on its
  own (no `nan`, no warning, no `ZeroDivisionError`). Such a layer blocks all signal, so it is useless
  for training, but it is a valid probability.
* `train=False` (evaluation): dropout does nothing. Return a copy of `x` as `out` and a mask of ones,
  whatever `p` is, and draw no random numbers.
* `p` outside $[0, 1]$ is not a probability: raise a `ValueError` that says which `p` arrived.

Implement `dropout_forward(x, *, p, rng, train=True)`. `x` is an array of any shape (usually
`(n_samples, n_units)`); every entry gets **its own** random number, so different samples of a batch
get different masks. Draw every random number from the generator `rng` that is passed in (for example
`rng.random(x.shape)`), never from `np.random.*` directly: the same seed must give the same mask.
Return the pair `(out, mask)`, two new arrays of the shape of `x`; keep `mask`, the backward pass needs
it.
"""),
    solution("dropout_forward", r'''
def dropout_forward(x, *, p, rng, train=True):
    """Inverted dropout: drop each unit with probability p, scale the kept ones by 1 / (1 - p).

    Parameters
    ----------
    x : ndarray of any shape, e.g. (n_samples, n_units)
        Activations of a layer.
    p : float
        Probability of DROPPING a unit, in [0, 1].
    rng : numpy.random.Generator
        The only source of randomness.
    train : bool
        True for a training pass (random mask); False for evaluation (no dropout).

    Returns
    -------
    out : ndarray of the shape of x
        x * mask, a new array.
    mask : ndarray of the shape of x
        0 for a dropped unit and 1 / (1 - p) for a kept one (all zeros when p = 1);
        all ones when train is False.
    """
    ### BEGIN SOLUTION
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
    x = np.array(x, dtype=float)
    if not train:
        return x, np.ones_like(x)
    keep = rng.random(x.shape) >= p
    mask = np.zeros(x.shape)
    if p < 1.0:
        mask[keep] = 1.0 / (1.0 - p)
    return x * mask, mask
    ### END SOLUTION
'''),
    graded_test("dropout_forward", 3, "dropout_forward: the pair (out, mask), evaluation mode, out = x * mask, p = 0 and p = 1, mask values, drop rate, mean and seed.", r"""
x = np.array([[2.0, -1.0, 4.0, 0.5], [1.0, 3.0, -2.0, 0.25]])
before = x.copy()
result = dropout_forward(x, p=0.5, rng=np.random.default_rng(0))
assert_type(result, (tuple, list), length=2, what="dropout_forward(x, p=0.5, rng=rng), the pair (out, mask)")
out, mask = result
assert_shape(out, x.shape, what="out")
assert_shape(mask, x.shape, what="mask")
assert_unchanged(before, x, what="x")
eval_out, eval_mask = dropout_forward(x, p=0.5, rng=np.random.default_rng(0), train=False)
assert_close(eval_out, x, what="out with train=False (no dropout at evaluation)")
assert_close(eval_mask, np.ones_like(x), what="mask with train=False")
assert_close(out, x * mask, what="out with p = 0.5 (should be x * mask)")
out, mask = dropout_forward(x, p=0.0, rng=np.random.default_rng(0))
assert_close(out, x, what="out with p = 0 (nothing dropped)")
out, mask = dropout_forward(x, p=1.0, rng=np.random.default_rng(0))
assert_close(out, np.zeros_like(x), what="out with p = 1 (everything dropped, no nan)")
assert_close(mask, np.zeros_like(x), what="mask with p = 1")
# 100000 units of 1.0 with p = 0.3: about 30% dropped, and the mean output stays 1 (inverted dropout).
out, mask = dropout_forward(np.ones(100_000), p=0.3, rng=np.random.default_rng(1))
assert_close(np.unique(mask), [0.0, 1 / 0.7], what="np.unique(mask) with p = 0.3 (0 if dropped, 1 / (1 - p) if kept)")
assert_in_range(np.mean(mask == 0), 0.29, 0.31,
                what="the share of units dropped with p = 0.3 (p is the DROP probability)")
assert_in_range(out.mean(), 0.985, 1.015, what="the mean output for inputs of 1 (kept units are scaled by 1 / (1 - p))")
same = [dropout_forward(x, p=0.5, rng=np.random.default_rng(42))[1] for _ in range(2)]
assert_true(np.array_equal(*same),
            "two calls with the same seed (42) gave different masks: draw every random number from the rng argument")
masks = [dropout_forward(np.ones(50), p=0.5, rng=np.random.default_rng(seed))[1] for seed in (1, 2)]
assert_in_range(np.sum(masks[0] != masks[1]), 1, np.inf,
                what="the number of units whose mask differs between seeds 1 and 2 (use the rng argument)")
"""),
    markdown("rescaling_figure_intro", r"""
The figure answers the first prediction. One sample's activations of a layer of 128 ReLU units go
through **your** `dropout_forward` 2,000 times with $p = 0.5$, a fresh mask each time. On the left,
each unit's mean output: yours lie on the diagonal, where the mean is the input itself, which is what
the next layer will receive at evaluation; without the $1/(1 - p)$ rescaling they lie on the line
$(1 - p)\,x$. On the right, the layer's mean output in each pass: the rescaled outputs scatter around
the evaluation value, the others around half of it, so at evaluation the next layer would get inputs
twice as large as any it saw in training. The rescaled histogram is twice as wide: the rescaling keeps
the mean and scales the noise with it.
"""),
    code("rescaling_demo", r"""
rescaling_figure(dropout_forward)
"""),
    markdown("backward_intro", r"""
## 3. The backward pass: the same mask

For a fixed mask, the forward pass is just an element-wise multiplication, $\text{out}_i = m_i x_i$, so
each output depends on one input with slope $m_i$. The chain rule gives

$$
\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial \text{out}_i} \cdot m_i ,
\qquad\text{that is}\qquad \texttt{dx = dout * mask} .
$$

A dropped unit ($m_i = 0$) passes no gradient back: for this step it was not part of the network, so
the weights that feed it get no signal through it. A kept unit passes its gradient back scaled by the
same $\frac{1}{1 - p}$ that scaled it on the way forward.

It must be **the same mask** as in the forward pass, the one returned by `dropout_forward` for this
mini-batch. Drawing a fresh mask in the backward pass would compute the gradient of a different
thinned network than the one whose loss was measured: the gradient would no longer be a gradient of
anything. This is why `dropout_forward` returns the mask, and why the backward function draws no random
numbers at all (it does not even take an `rng`).

*Worked example.* With `dout = [[1, 2, 3]]` and the mask `[[0, 2, 2]]` of $p = 0.5$, the gradient is
`[[0, 4, 6]]`. At evaluation the mask is all ones, and the gradient passes through unchanged.

Implement `dropout_backward(dout, mask)`: return a new array of the shape of `dout`. (Multiply element
by element; `dout @ mask` would be a matrix product, which is something else entirely.)
"""),
    solution("dropout_backward", r'''
def dropout_backward(dout, mask):
    """Gradient through a dropout layer: dout * mask, with the mask of the forward pass.

    Parameters
    ----------
    dout : ndarray of any shape, e.g. (n_samples, n_units)
        Gradient of the loss with respect to the dropout layer's output.
    mask : ndarray of the shape of dout
        The mask that dropout_forward returned for that output.

    Returns
    -------
    ndarray of the shape of dout
        Gradient of the loss with respect to the layer's input x.
    """
    ### BEGIN SOLUTION
    return np.asarray(dout, dtype=float) * np.asarray(mask, dtype=float)
    ### END SOLUTION
'''),
    graded_test("dropout_backward", 2, "dropout_backward: the same gradient twice, the worked example, the evaluation mask, and finite differences through a fixed mask.", r"""
rng = np.random.default_rng(3)
g = rng.normal(size=(6, 10))
mask = (rng.random((6, 10)) >= 0.4) / 0.6  # a dropout mask for p = 0.4, written out here
dx = dropout_backward(g, mask)
assert_true(np.array_equal(dx, dropout_backward(g, mask)),
            "two calls with the same dout and mask gave different gradients: use the mask you are given, draw none")
assert_shape(dx, (6, 10), what="dropout_backward of a (6, 10) gradient")
dout = np.array([[1.0, 2.0, 3.0]])
assert_close(dropout_backward(dout, np.array([[0.0, 2.0, 2.0]])), [[0.0, 4.0, 6.0]],
             what="dropout_backward of the worked example")
assert_unchanged(np.array([[1.0, 2.0, 3.0]]), dout, what="dout")
assert_close(dropout_backward(g, np.ones((6, 10))), g, what="dropout_backward with the evaluation mask of ones")
x = rng.normal(size=(6, 10))
# The loss sum(g * out) with out = x * mask has the gradient g * mask with respect to x.
gradient_check(lambda v: np.sum(g * (v * mask)), lambda v: dropout_backward(g, mask), x, what="dropout_backward")
"""),
    markdown("widget_intro", r"""
## 4. See it: the drop probability on a real network

The demos of this lesson use the data and the network of lesson 07, so you can compare dropout with the
penalties you saw there:

* **200 training images** of the 8×8 digits, of which **40 carry a wrong label**;
* clean **validation** and **test** sets of 449 images each;
* a network with 64 inputs, **128 ReLU hidden units** and 10 outputs, trained by mini-batch gradient
  descent (batches of 20, $\eta = 0.3$, 80 epochs rather than lesson 07's 100), with **your `dropout_forward` and
  `dropout_backward`** after the hidden layer.

Training takes a moment, so when the widget first runs it trains the network **once for each** $p$ of
$0, 0.1, \dots, 0.9$ (ten runs, a few seconds in all) and keeps the results; **moving the slider only
redraws**. ($p = 0$ is the plain network, without a dropout layer.)

* **Left**: a scaled-down drawing of the network (6 inputs, 16 hidden units, 4 outputs). The grey units
  are the ones your `dropout_forward` drops in one mask (it is called on a row of ones), with their
  connections faded: this is the thinned network one sample would train through. The label above the
  hidden layer shows the factor of the kept units, $1/(1 - p)$. **Resample the mask** draws another mask.
* **Middle**: the training and validation losses, epoch by epoch, of the run with this $p$ (measured in
  evaluation mode, without dropout), and in grey the validation loss without dropout.
* **Right**: the accuracy after 80 epochs for every $p$ of the grid, with the current $p$ marked.

Answer each question for yourself before you move the slider, then open the answer:

1. At $p = 0$, what do the training and the validation loss do over the 80 epochs?

   <details><summary>What you should see, and why</summary>

   The training loss goes to almost 0 (the network memorizes the 40 wrong labels) while the validation
   loss stops falling after a few dozen epochs and creeps back up: overfitting.

   </details>

2. Move $p$ to between 0.4 and 0.7. Which way do the two losses move, and the validation accuracy?

   <details><summary>What you should see, and why</summary>

   The training loss stays higher (the wrong labels are no longer learned by heart), the validation
   loss ends lower, and the validation accuracy rises by several points.

   </details>

3. At $p = 0.9$, is more dropout still better?

   <details><summary>What you should see, and why</summary>

   No. Nine units in ten are gone at every step and the kept ones are multiplied by 10; the noise
   drowns the signal, and both losses stay high: underfitting.

   </details>

4. Press the button a few times at the same $p$. Is the number of grey units always the same?

   <details><summary>What you should see, and why</summary>

   No: every unit is dropped independently with probability $p$, so the count of the 16 drawn units
   varies around $16p$, following a binomial distribution with standard deviation $\sqrt{16p(1-p)}$,
   2 units at $p = 0.5$.

   </details>
"""),
    code("widget_dropout", r"""
dropout_widget(dropout_forward, dropout_backward)
"""),
    markdown("demo_comparison_intro", r"""
## 5. On real data: with and without dropout

The same two runs side by side: the plain network and the network with dropout $p = 0.5$ (your
functions), from the same starting weights and with the same order of mini-batches. They were trained
for the widget above and are reused here.

Before you look, guess: which network ends with the lower training loss, and which with the higher
validation accuracy?

<details><summary>What you should see, and why</summary>

* **left**: the dashed training losses. Without dropout it falls to almost 0; with dropout it stays
  clearly above, because the network can no longer fit the wrong labels exactly. The solid validation
  losses do the opposite: the one with dropout ends lower.
* **right**: without dropout the training accuracy reaches 100%, wrong labels included; with dropout it
  stays a little below, and the validation accuracy is several points higher.

</details>
"""),
    code("demo_comparison", r"""
comparison_demo(dropout_forward, dropout_backward)
"""),
    code("prediction_widget_2", r"""
predict("08-halve-the-distance")
"""),
    markdown("ensemble_intro", r"""
## 6. Dropout as an ensemble of thinned networks

Lesson 07 averaged the predictions of 8 separately trained networks. Dropout trains, in one run, an
enormous family of networks: the $2^{128}$ thinned versions of the demo network, with shared weights,
each trained on the few mini-batches in which it happened to be drawn. The ideal prediction would be
their average, which nobody can compute. What is used instead is the **full network at evaluation
time** (every unit present, no scaling with inverted dropout). How good a stand-in is it?

*An exact case.* In the demo network, dropout follows the only hidden layer, and the logits are
$z = (h \odot m) W_2 + b_2$: **linear in the mask**. Since $\mathbb{E}[m] = 1$ (the expectation of
section 2),

$$
\mathbb{E}[z] = (h \odot \mathbb{E}[m])\, W_2 + b_2 = h W_2 + b_2 = z_{\text{eval}} :
$$

the average of the thinned networks' logits over all masks *is* the evaluation-mode logits. The
average of $n$ random passes is an estimate of that expectation, and like every average of $n$
independent draws its error shrinks like $\sigma / \sqrt{n}$, where $\sigma$ is the standard deviation
of one pass: **four times as many passes for half the distance**.

*In general it is an approximation.* After a nonlinearity (a second hidden layer with ReLU, or the
softmax on top of the logits) the expectation no longer passes through: $\mathbb{E}[f(z)] \ne
f(\mathbb{E}[z])$ for a curved $f$. Averaging the thinned networks' *probabilities* (an ensemble, as in
bagging) therefore gives something close to the evaluation-mode network, but not identical to it. In
practice the evaluation network is a good, and very cheap, approximation of the ensemble; so the course
notes' phrase that dropout "averages the results" is right in spirit, but no averaging happens at
evaluation: one pass through the full network takes its place. (Averaging many passes with dropout left
on at test time is also used, under the name *Monte Carlo dropout*, to get a measure of uncertainty.)

The demo takes the network trained with $p = 0.5$ and runs the 449 validation images through it up to
100 times **with dropout on** (your `dropout_forward`, a new mask each pass):

* **left** (log-log): the root-mean-square distance between the average of the first $n$ passes' logits
  and the evaluation-mode logits. It falls along a line of slope $-\tfrac12$: the $1/\sqrt{n}$ law.
* **right**: the validation accuracy of the average of $n$ passes' probabilities. One thinned network
  alone is clearly worse than the full network; averaging a few dozen of them recovers about the
  accuracy of the evaluation-mode network, which gets there in one pass.
"""),
    code("demo_ensemble", r"""
ensemble_demo(dropout_forward, dropout_backward)
"""),
    markdown("summary", r"""
## Summary

* **Dropout** multiplies each hidden unit, at every training step, by a random mask: the unit is
  dropped (0) with probability `p` and kept otherwise. `p` is the **drop** probability (PyTorch, Keras);
  some papers use the keep probability instead.
* **Inverted dropout** scales the kept units by $\frac{1}{1 - p}$ in training, so that
  $\mathbb{E}[\text{out}_i] = x_i$ and **evaluation needs no change**: with `train=False`, `out = x` and
  the mask is all ones. Classic dropout instead multiplies by $1 - p$ at evaluation; never both.
* The noise has variance $\frac{p}{1 - p} x_i^2$: none at $p = 0$, unbounded as $p \to 1$.
  $p = 1$ drops everything, and must be handled without dividing by zero.
* **Backward**: `dx = dout * mask`, with **the same mask** as the forward pass.
* Each step trains one of $2^n$ **thinned networks** with shared weights; the full network at evaluation
  stands in for their average: exactly for the logits when dropout is followed by a linear layer, and
  approximately after nonlinearities. The average of $n$ passes approaches it like $1/\sqrt{n}$.
* On the noisy digits, dropout with $p$ around 0.5 stops the network from memorizing the wrong labels
  and raises the validation accuracy by several points; $p = 0.9$ underfits.

## Questions to think about

1. With $p = 0.2$, what value does a kept unit's mask entry have? What is the standard deviation of
   `out` for an input of 1?
2. A colleague's code multiplies by $1 - p$ at evaluation *and* uses your inverted `dropout_forward` in
   training. What goes wrong, and by how much are the evaluation activations off for $p = 0.5$?
3. Why does the mask have to be drawn independently for each sample of a mini-batch rather than once
   per batch? (Think of what the thinned networks of one step have in common.)
4. In the ensemble demo, how many passes would you need to bring the distance to the evaluation-mode
   logits down to a tenth of its value for one pass?
5. The demo network has one hidden layer. Add a second hidden layer with ReLU and dropout after both:
   is the average of the logits over all masks still exactly the evaluation-mode logits? Why not?
6. Dropout makes each training step cheaper to compute in principle (fewer active units), yet training
   usually needs *more* epochs to converge. Why?
"""),
    free_code("scratch", "# A scratch cell: try your functions on your own inputs here.\n"),
]
