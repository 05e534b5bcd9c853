"""Lesson 07, regularization: the cells of source/07-regularization/07-regularization.ipynb.

Rebuild the notebook with ``python -m nncourse.authoring 07-regularization``.
"""

from nncourse.authoring import code, free_code, graded_test, markdown, solution

CELLS = [
    markdown("title", r"""
# Lesson 07 · Regularization: L2, L1, early stopping and bagging

A network with enough weights can learn its training set by heart, including every accident in it:
noise in the inputs, and labels that are simply wrong. It then scores perfectly on the images it was
trained on and worse than it could on new ones. That gap between training and held-out performance is
**overfitting**, and every technique that narrows it without collecting more data is called
**regularization**.

This lesson builds four of them:

* an **L2 penalty** on the weights (also called *weight decay*), with its gradient;
* an **L1 penalty**, with its gradient, which drives many weights to zero;
* **early stopping**: watch a validation set during training and stop when it stops improving;
* **bagging**: train several models on bootstrap samples of the data and average their predictions.

Along the way you will see each one at work: a slider on a polynomial that is far too flexible, and a
network on a small slice of the handwritten digits in which one label in five is wrong.

**Names.** Two different numbers are often both written $\alpha$ in textbooks and course notes: the
learning rate and the regularization strength. This course keeps them apart: `lr` (written $\eta$ in
formulas) is the learning rate, and `lam` ($\lambda$) is the strength of a penalty.

**How this notebook works.** Each function you write sits alone in a cell that starts with `def`.
Replace the line `raise NotImplementedError(...)` with your code, run the cell, then run the test cell
below it. The visible checks in the test cell catch most slips; when you submit, hidden tests check
more inputs and tell you the likely mistake. Run the cells from top to bottom.
"""),
    code("setup", r"""
import numpy as np

from lessons.checks import (assert_close, assert_equal, assert_in_range, assert_shape, assert_true, assert_type,
                            assert_unchanged, gradient_check)
from lessons.demos.regularization import bagging_demo, penalties_figure, penalty_demo
from lessons.predict import predict
from lessons.widgets.regularization import early_stopping_widget, polynomial_l2_widget
"""),
    markdown("overfitting", r"""
## 1. Three data sets, and a penalty on the weights

Good practice splits the labelled data three ways:

* the **training set** is what gradient descent fits;
* the **validation set** is never trained on; it is used to *choose* things (a penalty strength, the
  epoch at which to stop, the number of hidden units);
* the **test set** is looked at once, at the very end, to report how well the final model does on data
  that played no part in any choice.

A choice made by looking at the test set makes the test score optimistic, in the same way that
training makes the training score optimistic.

**Penalties.** The first family of regularizers changes the objective. Instead of the loss
$J(\theta)$ alone (the cross-entropy of lesson 02, say), gradient descent minimizes

$$
\tilde J(\theta) = J(\theta) + \Omega(W_1, \dots, W_L),
$$

where $\Omega$ grows with the size of the weight matrices $W_1, \dots, W_L$ of the network's layers.
Large weights let a network respond sharply to tiny changes of its input, which is what fitting noise
takes; a penalty makes every unit of weight cost something, so the network spends weight only where
the data pays for it.

**Biases are not penalized.** A bias only shifts a unit's output; it does not make the function more
sensitive to the input, so it cannot overfit in that way, and there are few biases anyway. Pulling
biases towards 0 would only stop the network from matching simple facts such as the frequency of each
class. In this course, penalties therefore take the **list of weight matrices** only,
`[W1, W2, ...]`, and never see a bias.
"""),
    markdown("l2_intro", r"""
## 2. The L2 penalty

The most common penalty is half the sum of the squares of all weights, times the strength $\lambda$:

$$
\Omega_{L2}(W_1, \dots, W_L) = \frac{\lambda}{2} \sum_{l=1}^{L} \lVert W_l \rVert_F^2
= \frac{\lambda}{2} \sum_{l=1}^{L} \sum_{i,j} \big(W_l\big)_{ij}^2 ,
$$

where $\lVert W \rVert_F^2$, the squared *Frobenius norm*, is simply the sum of the squares of all
entries of $W$. The $\frac12$ is a convention that makes the gradient come out clean (next section).

*Worked example.* $W_1 = \begin{bmatrix} 1 & -2 \\ 0 & 2 \end{bmatrix}$ and $W_2 = \begin{bmatrix} 3
\end{bmatrix}$ with $\lambda = 0.1$. The squares of $W_1$ add up to $1 + 4 + 0 + 4 = 9$, those of $W_2$
to $9$; the total is $18$, and the penalty is $\frac{0.1}{2} \cdot 18 = 0.9$.

Implement `l2_penalty(weights, *, lam)`. `weights` is a Python list of arrays (any shapes, possibly an
empty list, whose penalty is 0), and `lam` is keyword-only: call it as `l2_penalty([W1, W2], lam=0.1)`.
Return a Python `float`.
"""),
    solution("l2_penalty", r'''
def l2_penalty(weights, *, lam):
    """L2 penalty of a list of weight matrices: ``lam / 2 * sum ||W||^2``.

    Parameters
    ----------
    weights : list of ndarray, each e.g. of shape (fan_in, fan_out)
        The weight matrices of the network (no biases); may be empty.
    lam : float
        Regularization strength, >= 0.

    Returns
    -------
    float
        ``lam / 2`` times the sum of the squares of every entry of every matrix.
    """
    ### BEGIN SOLUTION
    total = 0.0
    for W in weights:
        total += float(np.sum(np.square(W)))
    return float(lam / 2 * total)
    ### END SOLUTION
'''),
    graded_test("l2_penalty", 2, "l2_penalty: the worked example 0.9, one matrix, an empty list, lam = 0 and unchanged inputs.", r"""
W1, W2 = np.array([[1.0, -2.0], [0.0, 2.0]]), np.array([[3.0]])
assert_close(l2_penalty([W1, W2], lam=0.1), 0.9, what="l2_penalty([W1, W2], lam=0.1)")
assert_close(l2_penalty([W1], lam=1.0), 4.5, what="l2_penalty([W1], lam=1.0)")
assert_close(l2_penalty([], lam=0.1), 0.0, what="l2_penalty([], lam=0.1) (no matrices)")
assert_close(l2_penalty([W1, W2], lam=0.0), 0.0, what="l2_penalty([W1, W2], lam=0.0)")
assert_type(l2_penalty([W1], lam=0.1), float, what="l2_penalty([W1], lam=0.1) (a Python float: use float(...))")
before = W1.copy()
l2_penalty([W1, W2], lam=0.1)
assert_unchanged(before, W1, what="W1")
"""),
    markdown("l2_grad_intro", r"""
## 3. Its gradient, and why it is called weight decay

Differentiating one term, $\frac{\partial}{\partial w} \frac{\lambda}{2} w^2 = \lambda w$: the 2 of the
square cancels the $\frac12$. For a whole matrix,

$$
\frac{\partial \Omega_{L2}}{\partial W_l} = \lambda\, W_l ,
$$

an array of the shape of $W_l$. It points *away* from 0 (a positive weight gets a positive gradient),
so a descent step pulls every weight towards 0, in proportion to its size. Add it to the gradient of
the loss and take a step with learning rate $\eta$:

$$
W \leftarrow W - \eta \big(\nabla_W J + \lambda W\big) = (1 - \eta\lambda)\, W - \eta\, \nabla_W J .
$$

Before the usual step, every weight is multiplied by $1 - \eta\lambda$, slightly less than 1: the weights
**decay**. A weight that the data never pushes (the loss gradient is 0 for it) shrinks geometrically.
With $\eta = 0.1$ and $\lambda = 0.5$ the factor is $0.95$: after 10 steps such a weight keeps
$0.95^{10} \approx 0.60$ of its size, after 100 steps $0.95^{100} \approx 0.006$.

*Worked example.* $W = \begin{bmatrix} 1 & -2 \\ 0 & 4 \end{bmatrix}$ and $\lambda = 0.5$ give
$\begin{bmatrix} 0.5 & -1 \\ 0 & 2 \end{bmatrix}$.

> **Conventions differ between libraries.** With the $\frac12$, the gradient is $\lambda W$: this is what
> PyTorch's `weight_decay=lam` adds to the gradient. Keras's `L2(l)` adds $l \sum w^2$ *without* the
> $\frac12$, so its gradient is $2 l W$. The same number means a penalty twice as strong in one library as
> in the other: check the formula before copying a strength from one to the other.

Implement `l2_penalty_grad(W, *, lam)` for one matrix `W`; return a new array of the shape of `W`.
"""),
    solution("l2_penalty_grad", r'''
def l2_penalty_grad(W, *, lam):
    """Gradient of the L2 penalty with respect to one weight matrix: ``lam * W``.

    Parameters
    ----------
    W : ndarray of shape (fan_in, fan_out) (any shape works)
        One weight matrix.
    lam : float
        Regularization strength, >= 0.

    Returns
    -------
    ndarray of the shape of ``W``
        ``lam * W``, a new array.
    """
    ### BEGIN SOLUTION
    return lam * np.asarray(W, dtype=float)
    ### END SOLUTION
'''),
    graded_test("l2_penalty_grad", 1, "l2_penalty_grad: the worked example, its shape, and agreement with finite differences.", r"""
W = np.array([[1.0, -2.0], [0.0, 4.0]])
assert_close(l2_penalty_grad(W, lam=0.5), [[0.5, -1.0], [0.0, 2.0]], what="l2_penalty_grad(W, lam=0.5)")
rng = np.random.default_rng(0)
W = rng.normal(size=(3, 4))
assert_shape(l2_penalty_grad(W, lam=0.3), (3, 4), what="l2_penalty_grad of a (3, 4) matrix")
# The penalty of one matrix is written out here, so this test does not depend on your l2_penalty.
gradient_check(lambda V: 0.3 / 2 * np.sum(V ** 2), lambda V: l2_penalty_grad(V, lam=0.3), W, what="l2_penalty_grad")
"""),
    markdown("l1_intro", r"""
## 4. The L1 penalty

Replace the squares by absolute values and you get the L1 penalty:

$$
\Omega_{L1}(W_1, \dots, W_L) = \lambda \sum_{l=1}^{L} \lVert W_l \rVert_1
= \lambda \sum_{l=1}^{L} \sum_{i,j} \big| \big(W_l\big)_{ij} \big| .
$$

There is **no** $\frac12$ in front. (Some course notes write one, by analogy with L2; it does no harm
in itself, since it only rescales $\lambda$, but it is not the usual definition, and a $\lambda$ read
from a paper or a library would then mean half the penalty it should. This course uses
$\lambda \lVert w \rVert_1$.) Also note that $\lVert W \rVert_1$ here is the sum of the absolute values
of *all* entries, which is not what `np.linalg.norm(W, 1)` computes for a matrix (that is the largest
column sum).

*Worked example.* $W_1 = \begin{bmatrix} 1 & -2 \\ 0 & 2 \end{bmatrix}$ and
$W_2 = \begin{bmatrix} -3 \end{bmatrix}$ with $\lambda = 0.5$: the absolute values add up to
$1 + 2 + 0 + 2 + 3 = 8$, and the penalty is $0.5 \cdot 8 = 4.0$ (with the stray $\frac12$ it would be
$2.0$).

Implement `l1_penalty(weights, *, lam)`, with the same arguments as `l2_penalty`.
"""),
    solution("l1_penalty", r'''
def l1_penalty(weights, *, lam):
    """L1 penalty of a list of weight matrices: ``lam * sum |W|``.

    Parameters
    ----------
    weights : list of ndarray, each e.g. of shape (fan_in, fan_out)
        The weight matrices of the network (no biases); may be empty.
    lam : float
        Regularization strength, >= 0.

    Returns
    -------
    float
        ``lam`` times the sum of the absolute values of every entry of every matrix.
    """
    ### BEGIN SOLUTION
    total = 0.0
    for W in weights:
        total += float(np.sum(np.abs(W)))
    return float(lam * total)
    ### END SOLUTION
'''),
    graded_test("l1_penalty", 2, "l1_penalty: the worked example 4.0 (no 1/2), a single weight, an empty list and unchanged inputs.", r"""
W1, W2 = np.array([[1.0, -2.0], [0.0, 2.0]]), np.array([[-3.0]])
assert_close(l1_penalty([W1, W2], lam=0.5), 4.0, what="l1_penalty([W1, W2], lam=0.5)")
assert_close(l1_penalty([np.array([[-2.5]])], lam=0.4), 1.0, what="l1_penalty([[[-2.5]]], lam=0.4)")
assert_close(l1_penalty([], lam=0.5), 0.0, what="l1_penalty([], lam=0.5) (no matrices)")
assert_type(l1_penalty([W1], lam=0.1), float, what="l1_penalty([W1], lam=0.1) (a Python float: use float(...))")
before = W2.copy()
l1_penalty([W1, W2], lam=0.5)
assert_unchanged(before, W2, what="W2")
"""),
    markdown("l1_grad_intro", r"""
## 5. The gradient of L1, and why L1 makes weights exactly zero

For $w \ne 0$, the slope of $\lambda |w|$ is $\lambda$ when $w > 0$ and $-\lambda$ when $w < 0$:

$$
\frac{\partial \Omega_{L1}}{\partial W_l} = \lambda \operatorname{sign}(W_l) .
$$

At $w = 0$ the absolute value has a corner and no derivative. Any value between $-\lambda$ and
$\lambda$ is a valid *subgradient* there; this course uses **0**, which is what `np.sign(0)` gives (and
what PyTorch's automatic differentiation of `abs` uses). A weight that sits exactly at 0 gets no push.

*Worked example.* $W = \begin{bmatrix} 3 & -0.5 \\ 0 & 2 \end{bmatrix}$ and $\lambda = 0.1$ give
$\begin{bmatrix} 0.1 & -0.1 \\ 0 & 0.1 \end{bmatrix}$. The weight 3 and the weight $-0.5$ are pulled
towards 0 with the same force.

**L2 shrinks, L1 subtracts.** Take one weight that the data would like to set to $a$, with the loss
$\frac12 (w - a)^2$, and add a penalty. Setting the derivative to zero:

* with L2, $(w - a) + \lambda w = 0$ gives $w^\star = \dfrac{a}{1 + \lambda}$: the weight is divided by a
  constant, and is never exactly 0 unless $a$ is;
* with L1, $(w - a) + \lambda \operatorname{sign}(w) = 0$ gives $w^\star = \operatorname{sign}(a) \max(|a| - \lambda, 0)$
  (the *soft threshold*): a constant is subtracted from the size, and every weight with $|a| \le \lambda$
  lands **exactly at 0**.

With $\lambda = 1$: for $a = 3$, L2 gives $1.5$ and L1 gives $2$ (large weights suffer less under L1);
for $a = 0.5$, L2 gives $0.25$ and L1 gives $0$. L1 therefore produces **sparse** weights: it
switches off the inputs that do not earn their keep, which is useful when you suspect that only a few
of many inputs matter. L2 spreads the weight over all useful inputs and is the usual default for
networks. Neither is better in general; which works better is a question for the validation set.

One practical note: plain gradient descent with $\lambda \operatorname{sign}(w)$ does not land exactly on
0; it steps over it and then jumps back and forth within $\eta\lambda$ of 0. You will see those tiny
weights in the demo below. (*Proximal* methods apply the soft threshold after each step to get exact
zeros.)

Implement `l1_penalty_grad(W, *, lam)`, with 0 where `W == 0`.
"""),
    solution("l1_penalty_grad", r'''
def l1_penalty_grad(W, *, lam):
    """(Sub)gradient of the L1 penalty with respect to one weight matrix: ``lam * sign(W)``.

    Parameters
    ----------
    W : ndarray of shape (fan_in, fan_out) (any shape works)
        One weight matrix.
    lam : float
        Regularization strength, >= 0.

    Returns
    -------
    ndarray of the shape of ``W``
        ``lam`` where ``W > 0``, ``-lam`` where ``W < 0`` and 0 where ``W == 0``.
    """
    ### BEGIN SOLUTION
    return lam * np.sign(np.asarray(W, dtype=float))
    ### END SOLUTION
'''),
    graded_test("l1_penalty_grad", 2, "l1_penalty_grad: the worked example (0 at 0), all zeros, and finite differences away from 0.", r"""
W = np.array([[3.0, -0.5], [0.0, 2.0]])
assert_close(l1_penalty_grad(W, lam=0.1), [[0.1, -0.1], [0.0, 0.1]], what="l1_penalty_grad(W, lam=0.1)")
assert_close(l1_penalty_grad(np.zeros((2, 3)), lam=1.5), np.zeros((2, 3)), what="l1_penalty_grad of zeros")
rng = np.random.default_rng(1)
W = rng.normal(size=(4, 3))  # no entry is exactly 0, where |w| has no derivative
assert_shape(l1_penalty_grad(W, lam=0.2), (4, 3), what="l1_penalty_grad of a (4, 3) matrix")
# The penalty of one matrix is written out here, so this test does not depend on your l1_penalty.
gradient_check(lambda V: 0.2 * np.sum(np.abs(V)), lambda V: l1_penalty_grad(V, lam=0.2), W, what="l1_penalty_grad")
"""),
    markdown("penalties_figure_intro", r"""
The figure puts the two penalties side by side, with **your** four functions and $\lambda = 0.5$. On the
left, the penalties of one weight and their gradients: L2's gradient $\lambda w$ weakens as the weight
shrinks, L1's is $\pm 0.5$ for every nonzero weight, large or small. On the right, a weight that starts
at 1 and that the data never pushes, under steps of the penalty alone with $\eta = 0.1$. L2 multiplies
it by $1 - \eta\lambda = 0.95$ per step ($0.95^{40} \approx 0.129$) and never reaches 0. L1 subtracts
$\eta\lambda = 0.05$ per step and reaches 0 after 20 steps; plain steps then hop within $0.05$ of 0,
while stopping a step that would cross 0 (the soft threshold of proximal methods) leaves it at exactly 0.
"""),
    code("penalties_demo", r"""
penalties_figure(l2_penalty, l2_penalty_grad, l1_penalty, l1_penalty_grad)
"""),
    markdown("widget_intro", r"""
## 6. See it: an L2 slider on a polynomial that is far too flexible

Twelve points are drawn from $y = \sin(\pi x)$ plus noise of standard deviation $0.25$. A polynomial of
degree 11,

$$
\hat y(x) = b + w_1 x + w_2 x^2 + \dots + w_{11} x^{11},
$$

has twelve coefficients, as many as there are points, so it can pass through every one of them. The
widget fits it by minimizing

$$
\frac{1}{12} \sum_{i=1}^{12} \big(\hat y(x_i) - y_i\big)^2 + \frac{\lambda}{2} \lVert w \rVert^2 ,
$$

with the penalty on $w_1, \dots, w_{11}$ but not on the constant $b$ (it plays the role of a bias). The
minimum is computed exactly, by solving "gradient = 0", and that gradient uses **your
`l2_penalty_grad`** (the widget calls it on each unit vector to read off the matrix $\lambda I$); the
status line shows **your `l2_penalty`** of the fitted coefficients. Eighty more points from the same
source form the validation set.

Answer each question for yourself before you move the slider, then open the answer:

1. At $\lambda = 10^{-8}$, what does the curve do between and beyond the points, and how do the two
   errors compare?

   <details><summary>What you should see, and why</summary>

   The curve threads (almost) every training point and swings far outside the plot near the ends,
   where the points thin out. The training error is far below the noise level, the validation error
   enormous: overfitting in its purest form.

   </details>

2. Slide right. Which of the two errors can only grow, and what does the other do?

   <details><summary>What you should see, and why</summary>

   The training error can only grow: a larger penalty leaves the fit less free. The validation error
   drops by orders of magnitude, bottoms out around $\lambda \approx 10^{-2}$, and rises again.

   </details>

3. At $\lambda = 10$, what is left of the curve?

   <details><summary>What you should see, and why</summary>

   Almost nothing: the coefficients are squeezed so hard that the curve is nearly flat, and both errors
   are large (underfitting).

   </details>

4. The dotted line is the noise variance, $0.25^2 = 0.0625$. Can any $\lambda$ bring the validation
   error well below it?

   <details><summary>What you should see, and why</summary>

   No. No curve can predict the noise, so that is about the lowest validation error one can hope for;
   a training error far *below* it means the curve is fitting the noise.

   </details>
"""),
    code("widget_polynomial", r"""
polynomial_l2_widget(l2_penalty, l2_penalty_grad)
"""),
    markdown("demo_penalty_intro", r"""
## 7. On real data: a network that memorizes wrong labels

The demos of this lesson use a small, deliberately difficult slice of the 8×8 handwritten digits
(scikit-learn ships them; nothing is downloaded):

* **200 training images**, of which exactly **40 (one in five) carry a wrong label**, moved to another
  digit at random, the way careless annotation would leave them;
* a **validation set** and a **test set** of 449 images each, with their true labels.

The network has 64 inputs, 128 ReLU units and 10 outputs (about 9,500 weights for 200 images) and is
trained by mini-batch gradient descent (batches of 20, $\eta = 0.3$, 100 epochs). Without a penalty it
reaches 100% accuracy on the training labels, wrong ones included: to do that, it has to learn 40
images *by heart*, and what it learns from them hurts it on new images.

The demo trains the same network, from the same start and with the same mini-batches, with **your
L2 penalty** at strengths from 0.003 to 0.1 (and no penalty), and once with **your L1
penalty** at $\lambda = 0.003$. It takes a few seconds. Look for:

* the **left plot**: as $\lambda$ grows, the training accuracy on the noisy labels *falls* below 100%
  (the network stops memorizing the wrong labels; question 2 at the end asks what an honest network
  would score on them), while the validation and test accuracies *rise*, until $\lambda$ is so large
  that the network cannot fit anything;
* the **right plot**: the sizes of the first-layer weights on a log scale. L2 shrinks them all. The
  weights of the pixels that are blank in every training image (on the border) receive no gradient from
  the data, so they only decay: 1,000 steps multiply them by $(1 - 0.3 \cdot 0.01)^{1000} \approx 0.05$
  (the bump on the left of the dashed curve). L1 sends most weights into a narrow band below
  $\eta\lambda = 0.0009$, hopping around 0.
"""),
    code("demo_penalty", r"""
penalty_demo(l2_penalty, l2_penalty_grad, l1_penalty, l1_penalty_grad)
"""),
    markdown("es_intro", r"""
## 8. Early stopping

Watch the validation loss during a run without a penalty: it falls, flattens, then climbs again as the
network starts to memorize its training set. The parameters that generalize best were those of the
epoch where it was lowest. **Early stopping** evaluates the validation set after every epoch, keeps a
copy of the weights whenever the validation loss reaches a new best, stops once it has not improved for
a while, and restores the best copy.

> **What is minimized.** The aim is to **minimize the validation loss** (or, equivalently for the
> purpose, to *maximize* the validation accuracy). A sentence that circulates in course notes says the
> goal is to "minimize the validation accuracy": that is a slip. Minimizing accuracy would select the
> worst model.

"For a while" needs a precise rule, because validation curves are noisy: a single bad epoch should not
end training. The rule this course uses (its stopping part is the same as in Keras's `EarlyStopping`):

* Epochs are numbered from **0**; `val_losses[t]` is the validation loss after epoch $t$.
* The best loss so far starts as the loss of epoch 0 (epoch 0 always counts as an improvement).
* Epoch $t \ge 1$ **improves** when it beats the best so far by **more than** `min_delta`:
  $\text{best} - \ell_t > \text{min\_delta}$. Then it becomes the best, and $t$ is the last improvement.
  A loss *equal* to the best is not an improvement, and with `min_delta > 0` tiny gains do not count
  either.
* Training **stops at the first epoch $t$ with $t - s = $ `patience`**, where $s$ is the last improvement:
  that epoch has been evaluated, and it is the `patience`-th disappointing epoch in a row. If that never
  happens, the stop epoch is the last epoch, `len(val_losses) - 1`.
* The **best epoch** is the epoch of the lowest loss among epochs $0, \dots, \text{stop}$ (the earliest
  one if several are equally low). The epochs after the stop were never trained, so they cannot be
  looked at.

*Worked example.* `val_losses = [1.0, 0.8, 0.9, 0.85, 0.7, 0.75]`. Epoch 1 improves (0.8 < 1.0); epochs 2
and 3 do not (0.9 and 0.85 are above 0.8); epoch 4 improves (0.7); epoch 5 does not.

| patience | what happens | `(stop_epoch, best_epoch)` |
| --- | --- | --- |
| 1 | epoch 2 is 1 epoch after the last improvement (1): stop | `(2, 1)` |
| 2 | epoch 3 is 2 epochs after epoch 1: stop; the 0.7 of epoch 4 is never seen | `(3, 1)` |
| 3 | epoch 4 improves before the patience runs out; epoch 5 is only 1 after it | `(5, 4)` |

*With `min_delta`.* `val_losses = [1.0, 0.75, 0.7, 0.68]`, patience 2, `min_delta = 0.1`: epoch 1
improves by 0.25; epochs 2 and 3 beat 0.75 by only 0.05 and 0.07, so they do not count, and training
stops at epoch 3. The best epoch is **3** (0.68 is the lowest loss seen), although epoch 3 was not an
"improvement": `min_delta` decides when to *stop*, not which weights are best. Result: `(3, 3)`.

*Keras differs here.* Keras's `EarlyStopping(restore_best_weights=True)` keeps the weights of the last
epoch that counted as an improvement, that is, one that beat the best by more than `min_delta`. In this
example it would give back epoch **1**'s weights (0.75), not epoch 3's (0.68). With `min_delta = 0` the
two rules pick the same epoch. This course's best epoch is simply the lowest validation loss seen.

Implement `early_stopping(val_losses, *, patience, min_delta=0.0)`: `val_losses` is a 1-D array (or
list) with at least one epoch, `patience` an integer of at least 1. Return the tuple
`(stop_epoch, best_epoch)` of two integers.

*Why it regularizes.* Gradient descent starts from small weights and moves them step by step; stopping
early limits how far they can travel. For a linear model with squared error, stopping after $t$ steps
of size $\eta$ acts much like an L2 penalty with $\lambda \approx 1/(\eta t)$. Unlike a penalty, it costs
nothing to try: one run, watched.
"""),
    solution("early_stopping", r'''
def early_stopping(val_losses, *, patience, min_delta=0.0):
    """The epoch at which early stopping halts training, and the best epoch up to then.

    Parameters
    ----------
    val_losses : array_like of shape (n_epochs,)
        Validation loss after each epoch, epoch 0 first; at least one epoch.
    patience : int
        How many epochs without improvement to wait, >= 1.
    min_delta : float
        An epoch improves only when it beats the best loss so far by more than this.

    Returns
    -------
    stop_epoch : int
        The first epoch ``patience`` epochs after the last improvement, or the
        last epoch (``n_epochs - 1``) if that never happens. 0-based.
    best_epoch : int
        The epoch of the lowest loss among epochs 0 .. stop_epoch (the earliest on ties).
    """
    ### BEGIN SOLUTION
    losses = np.asarray(val_losses, dtype=float)
    best, last_improvement = losses[0], 0
    stop = len(losses) - 1
    for epoch in range(1, len(losses)):
        if best - losses[epoch] > min_delta:
            best, last_improvement = losses[epoch], epoch
        elif epoch - last_improvement >= patience:
            stop = epoch
            break
    best_epoch = int(np.argmin(losses[:stop + 1]))
    return int(stop), best_epoch
    ### END SOLUTION
'''),
    graded_test("early_stopping", 3, "early_stopping: the worked examples, one epoch, a curve that always improves, and a tie.", r"""
curve = np.array([1.0, 0.8, 0.9, 0.85, 0.7, 0.75])
for patience, expected in ((1, (2, 1)), (2, (3, 1)), (3, (5, 4))):
    assert_equal(tuple(early_stopping(curve, patience=patience)), expected,
                 what=f"early_stopping(curve, patience={patience})")
assert_equal(tuple(early_stopping(np.array([1.0, 0.75, 0.7, 0.68]), patience=2, min_delta=0.1)), (3, 3),
             what="min_delta=0.1: stop at 3, and 0.68 is the lowest loss seen")
assert_equal(tuple(early_stopping(np.array([0.7]), patience=3)), (0, 0), what="a single epoch")
assert_equal(tuple(early_stopping(np.array([1.0, 0.8, 0.6, 0.5, 0.45, 0.44]), patience=2)), (5, 5),
             what="a curve that always improves (it never stops)")
result = tuple(early_stopping(np.array([1.0, 0.5, 0.7, 0.5, 0.9]), patience=3))
assert_equal(result, (4, 1), what="a tie: a loss equal to the best is no improvement, and the earliest best wins")
assert_true(all(isinstance(e, (int, np.integer)) for e in result), f"return two integers, got {result}",
            value=result)
"""),
    code("prediction_widget_1", r"""
predict("07-more-patience")
"""),
    markdown("es_widget_intro", r"""
## 9. See it: patience on a real training curve

The widget shows the run of section 7 **without** a penalty: its training loss on the noisy labels
(which heads for 0 as the network memorizes them), its validation loss and, on the right, its
validation and test accuracy after every one of its 100 epochs. The run was computed once, when the
demo or this widget first needed it, and is reused; moving a slider only calls **your
`early_stopping`** on the 100 validation losses. The red line is your stop epoch, the grey area the
epochs that would never be trained, and the star your best epoch, whose weights early stopping
restores.

Answer each question for yourself before you move the sliders, then open the answer:

1. With `patience = 1`, when does the run stop?

   <details><summary>What you should see, and why</summary>

   Far too early. The validation curve is noisy (mini-batches of 20), so the first small bump ends the
   run, long before the loss has stopped falling.

   </details>

2. Raise `patience` from 5 to 20. Are the restored weights better or worse on the test set than the
   weights after all 100 epochs?

   <details><summary>What you should see, and why</summary>

   Better, by several points: the stop moves past the bumps, and the weights of the best epoch were
   saved before the network learned the wrong labels by heart.

   </details>

3. Set `min_delta = 0.05` with patience 5. Does the run stop sooner or later, and can the best epoch be
   one that did not count as an improvement?

   <details><summary>What you should see, and why</summary>

   Sooner, by about ten epochs: only clear gains reset the count. And yes: the best epoch is then one
   that beat the previous best by less than `min_delta`, too little to count as progress, but still the
   lowest validation loss seen.

   </details>
"""),
    code("widget_early_stopping", r"""
early_stopping_widget(early_stopping)
"""),
    markdown("bootstrap_intro", r"""
## 10. Bagging, part 1: bootstrap samples

The last technique does not change the model at all. Train several models and average their
predictions: each model makes its own mistakes, and where they disagree, the average is less wrong than
a typical member. To make the members differ, **bagging** (*bootstrap aggregating*) trains each one on
a different **bootstrap sample** of the training set: $n$ examples drawn from the $n$ available *with
replacement*, so that some examples appear twice or more and others not at all.

How many are left out? Each draw misses a given example with probability $1 - \frac1n$, and the $n$
draws are independent, so the example is absent from the sample with probability

$$
\Big(1 - \frac{1}{n}\Big)^n \xrightarrow[n \to \infty]{} e^{-1} \approx 0.368 .
$$

For $n = 3$ that is $(2/3)^3 = 8/27 \approx 0.30$. For large $n$, a bootstrap sample holds about
**63.2%** of the distinct examples, and the rest of its $n$ slots are repeats. (The left-out 36.8%,
the *out-of-bag* examples, can even serve as a validation set for that member.)

Implement `bootstrap_indices(n, *, rng)`: return a NumPy array of `n` **integer** indices, each drawn
independently and uniformly from $0, 1, \dots, n - 1$ (every index equally likely), so that
`X[idx], y[idx]` is a bootstrap sample. Draw every random number from the generator `rng` that is
passed in, never from `np.random.*` directly: the same seed must give the same sample. `rng.integers`
(whose upper bound is exclusive) or `rng.choice` are the natural tools. A permutation is *not* a
bootstrap sample: it draws without replacement and only reorders the data.
"""),
    solution("bootstrap_indices", r'''
def bootstrap_indices(n, *, rng):
    """Indices of a bootstrap sample: ``n`` draws from ``0 .. n - 1`` with replacement.

    Parameters
    ----------
    n : int
        Size of the data set (and of the sample), >= 1.
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    ndarray of int of shape (n,)
        Independent, uniformly distributed indices in ``[0, n)``.
    """
    ### BEGIN SOLUTION
    return rng.integers(0, n, size=n)
    ### END SOLUTION
'''),
    graded_test("bootstrap_indices", 2, "bootstrap_indices: n integer indices in range, reproducible from the seed, drawn with replacement.", r"""
idx = bootstrap_indices(7, rng=np.random.default_rng(0))
assert_shape(idx, (7,), what="bootstrap_indices(7, rng=...)")
assert_true(np.issubdtype(idx.dtype, np.integer), f"indices must be integers, got dtype {idx.dtype}",
            value=str(idx.dtype))
assert_in_range(idx.min(), 0, 6, what="the smallest of bootstrap_indices(7, rng=...)")
assert_in_range(idx.max(), 0, 6, what="the largest of bootstrap_indices(7, rng=...)")
assert_equal(bootstrap_indices(1, rng=np.random.default_rng(3)), np.array([0]), what="bootstrap_indices(1, rng=...)")
same = bootstrap_indices(50, rng=np.random.default_rng(42)), bootstrap_indices(50, rng=np.random.default_rng(42))
assert_true(np.array_equal(*same), "the same seed must give the same indices: draw from rng only")
other = bootstrap_indices(50, rng=np.random.default_rng(43))
assert_true(not np.array_equal(same[0], other), "different seeds gave the same indices: use the rng argument")
distinct = len(np.unique(bootstrap_indices(1000, rng=np.random.default_rng(7))))
# With replacement about 632 of 1000 are distinct (1000 distinct means drawn without replacement).
assert_in_range(distinct, 590, 675, what="the number of distinct indices in bootstrap_indices(1000, rng=...)")
"""),
    markdown("bagging_intro", r"""
## 11. Bagging, part 2: averaging the members

Each member $m = 1, \dots, M$ outputs class probabilities $p^{(m)}_{ik}$ for sample $i$ and class $k$.
The ensemble's prediction is their average (*soft voting*):

$$
\bar p_{ik} = \frac{1}{M} \sum_{m=1}^{M} p^{(m)}_{ik},
$$

and its predicted class is $\arg\max_k \bar p_{ik}$. Stacked into one array, the members' probabilities
have shape `(n_models, n_samples, n_classes)`, and the ensemble averages over the **first axis**, which
leaves `(n_samples, n_classes)`. The rows of the average still sum to 1.

*Worked example.* Two models, two samples, two classes:

$$
p^{(1)} = \begin{bmatrix} 0.9 & 0.1 \\ 0.4 & 0.6 \end{bmatrix}, \quad
p^{(2)} = \begin{bmatrix} 0.7 & 0.3 \\ 0.8 & 0.2 \end{bmatrix}
\quad\Longrightarrow\quad
\bar p = \begin{bmatrix} 0.8 & 0.2 \\ 0.6 & 0.4 \end{bmatrix} .
$$

On the second sample the members disagree (class 1 for the first, class 0 for the second); the
average sides with the more confident one.

**How much does averaging help?** Suppose each member's error (on some quantity it predicts) has
variance $v$, and two members' errors have correlation $c$. The average of $M$ members then has error
variance

$$
c\, v + \frac{1 - c}{M}\, v .
$$

With independent members ($c = 0$) the variance falls like $v / M$ and would vanish for large $M$;
with identical members ($c = 1$) averaging gains nothing. Members trained on bootstrap samples of the
same data are in between: with $v = 1$, $c = 0.5$ and $M = 8$ the variance is $0.5 + 0.0625 = 0.5625$,
so more members soon stop helping. The claim, sometimes made, that an ensemble's error "approaches
zero" holds only for independent errors, which members that share their training data never have.

Implement `bagging_predict(member_probs)`: return the mean over the models, a new array of shape
`(n_samples, n_classes)` (probabilities, not predicted classes).
"""),
    solution("bagging_predict", r'''
def bagging_predict(member_probs):
    """Prediction of a bagged ensemble: the mean of its members' probabilities.

    Parameters
    ----------
    member_probs : ndarray of shape (n_models, n_samples, n_classes)
        ``member_probs[m]`` holds model ``m``'s predicted probabilities.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        The average over the models (the first axis).
    """
    ### BEGIN SOLUTION
    return np.mean(np.asarray(member_probs, dtype=float), axis=0)
    ### END SOLUTION
'''),
    graded_test("bagging_predict", 1, "bagging_predict: the worked example, the shape, rows summing to 1, and one model.", r"""
member_probs = np.array([[[0.9, 0.1], [0.4, 0.6]],
                         [[0.7, 0.3], [0.8, 0.2]]])
before = member_probs.copy()
assert_close(bagging_predict(member_probs), [[0.8, 0.2], [0.6, 0.4]], what="bagging_predict of the worked example")
assert_unchanged(before, member_probs, what="member_probs")
rng = np.random.default_rng(2)
probs = rng.uniform(0.1, 1.0, size=(3, 5, 4))
probs = probs / probs.sum(axis=2, keepdims=True)  # 3 models, 5 samples, 4 classes
averaged = bagging_predict(probs)
assert_shape(averaged, (5, 4), what="bagging_predict of 3 models, 5 samples, 4 classes")
assert_close(averaged.sum(axis=1), np.ones(5), what="row sums of the average")
assert_close(bagging_predict(probs[:1]), probs[0], what="the average of one model")
"""),
    code("prediction_widget_2", r"""
predict("07-bag-against-one")
"""),
    markdown("demo_bagging_intro", r"""
## 12. On real data: a bag of networks

The demo trains 8 networks of section 7 (no penalty, 60 epochs each), each on its own bootstrap
sample of the 200 noisy training images drawn by **your `bootstrap_indices`**, and from its own random
start. It averages their predicted probabilities on the 449 test images with **your
`bagging_predict`**. It also trains one network on all 200 images, for comparison. It takes a couple of
seconds.

Look for:

* **left**: each member alone (hatched bars) sees only about 63% of the distinct images and, on
  average, scores below one network trained on all the data (grey); the bag of 8 beats every one of
  them;
* **right**: the ensemble's accuracy as members are added. Most of the gain comes from the first few
  members, as the variance formula of section 11 predicts; the curve is bumpy because a few dozen test
  images decide each step.

Why does bagging work so well *here*? Each member memorizes the wrong labels of its own bootstrap
sample, and the samples differ, so the members are wrong in different places; averaging cancels much
of that. The same reasoning explains why ensembles of differently initialized networks help even
without bootstrap samples.
"""),
    code("demo_bagging", r"""
bagging_demo(bootstrap_indices, bagging_predict)
"""),
    markdown("summary", r"""
## Summary

* **Overfitting** is the gap between training and held-out performance. Choose with a **validation**
  set; report on a **test** set that played no part in any choice.
* **L2**: $\frac{\lambda}{2} \sum \lVert W \rVert_F^2$ over the weight matrices (never the biases); gradient
  $\lambda W$. Each step multiplies the weights by $1 - \eta\lambda$: **weight decay**. The $\frac12$
  convention differs between libraries.
* **L1**: $\lambda \sum |W|$, with no $\frac12$; (sub)gradient $\lambda \operatorname{sign}(W)$, 0 at 0. It
  subtracts instead of shrinking, and sets many weights to (about) zero: **sparsity**.
* **Early stopping** minimizes the validation **loss** (never "minimizes the validation accuracy"):
  stop at the first epoch `patience` epochs after the last improvement (an improvement beats the best
  by more than `min_delta`), and restore the epoch with the lowest loss up to the stop. Epochs are
  numbered from 0.
* **Bagging**: bootstrap samples draw $n$ indices **with replacement** (about 63.2% distinct); average
  the members' probabilities over the **first axis**. Averaging removes the independent part of the
  members' errors, $c v + (1 - c) v / M$, not all of it.
* On the noisy digits, each remedy raised the held-out accuracy by several points over a network
  trained to convergence without one.

## Questions to think about

1. With $\eta = 0.01$ and $\lambda = 10^{-3}$, how many steps does weight decay need to halve a weight
   that receives no gradient from the data? (Use $\ln(1 - x) \approx -x$.)
2. In the demo of section 7, why is a training accuracy of about 85% on the noisy labels a *good* sign
   for the regularized network? What training accuracy would a network that knows the true digits
   perfectly get?
3. The polynomial of section 6 penalizes the coefficient of $x^{11}$ exactly as much as that of $x$. On
   $[-1, 1]$, which of the two changes the curve more for the same change of coefficient? What would
   happen if the inputs ranged over $[-10, 10]$ instead? (Penalties assume the inputs are on comparable
   scales.)
4. Your `early_stopping` receives the whole curve at once. Rewrite the rule as a loop that sees one
   epoch at a time during training and decides after each whether to stop: what state must it keep
   between epochs?
5. What is the probability that a bootstrap sample of size $n = 2$ contains the same index twice? For
   $n = 1000$, how many examples does a bootstrap sample leave out, on average?
6. Why would averaging 8 copies of the *same* trained network give no gain, and what is $c$ then?
"""),
    free_code("scratch", "# A scratch cell: try your functions on your own inputs here.\n"),
]
