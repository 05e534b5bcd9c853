"""Lesson 01, loss functions: the cells of source/01-loss-functions/01-loss-functions.ipynb.

Rebuild the notebook with ``python -m nncourse.authoring 01-loss-functions``.
"""

from nncourse.authoring import code, free_code, graded_test, markdown, solution

CELLS = [
    markdown("title", r"""
# Lesson 01 · Loss functions

A network learns by making one number smaller: the **loss**, a measure of how far its predictions are
from the truth. Everything else in training (gradients, optimizers, learning rates) serves that
number, so its choice decides *what* the network learns and *how fast*.

In this lesson you will implement the two families of losses used almost everywhere:

* the **mean squared error** for numbers (regression), with its gradient;
* the **cross-entropy** for probabilities (classification), in its binary and categorical forms;

plus **accuracy**, the number people actually report. At the end, a slider and a small experiment on
real handwritten digits show why classifiers are trained with cross-entropy and not with squared error.

**How this notebook works.** Each function you write sits alone in a cell that starts with `def`.
Replace the line `raise NotImplementedError(...)` with your code, run the cell, then run the test cell
below it. The visible checks in the test cell catch most slips; when you submit, hidden tests check
more inputs and tell you the likely mistake. Run the cells from top to bottom.
"""),
    code("setup", r"""
import numpy as np

from lessons.checks import assert_close, assert_in_range, assert_raises, assert_shape, assert_type, gradient_check
from lessons.demos.losses import demo, loss_shapes_figure
from lessons.predict import predict
from lessons.widgets.losses import loss_saturation_widget
"""),
    markdown("mse_intro", r"""
## 1. Mean squared error

For predictions $\hat y$ and targets $y$ with $N$ entries in all (any shape: one number per sample, or
several outputs per sample), the **mean squared error** is

$$
\mathrm{MSE}(\hat y, y) = \frac{1}{N} \sum_{i=1}^{N} (\hat y_i - y_i)^2 .
$$

Squaring makes every error count as a positive amount and punishes large errors much more than small
ones: an error of 2 costs four times an error of 1. Dividing by $N$ makes the loss an *average*, so it
does not grow with the size of the batch; that keeps the same learning rate sensible for 10 samples
or 10,000.

*Worked example.* Predictions $[1, 2, 3]$ against targets $[1, 2, 5]$: the errors are $0, 0, -2$, the
squares $0, 0, 4$, and the mean is $4/3 \approx 1.333$.

Implement `mse`. It must return a Python `float`, and it must refuse arrays of different shapes with a
`ValueError` that says so: NumPy would otherwise *broadcast* a `(3, 1)` array against a `(3,)` array
into a `(3, 3)` table of differences and give a wrong number without complaint.
"""),
    solution("mse", r'''
def mse(y_pred, y_true):
    """Mean squared error over all elements.

    Parameters
    ----------
    y_pred, y_true : ndarray of the same shape
        Predictions and targets.

    Returns
    -------
    float
        The mean of ``(y_pred - y_true) ** 2`` over every element.

    Raises
    ------
    ValueError
        If the shapes differ.
    """
    ### BEGIN SOLUTION
    y_pred = np.asarray(y_pred, dtype=float)
    y_true = np.asarray(y_true, dtype=float)
    if y_pred.shape != y_true.shape:
        raise ValueError(f"y_pred and y_true must have the same shape, got {y_pred.shape} and {y_true.shape}")
    return float(np.mean((y_pred - y_true) ** 2))
    ### END SOLUTION
'''),
    graded_test("mse", 2, "mse: the worked example, a perfect prediction, and a shape mismatch.", r"""
assert_close(mse(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])), 4 / 3, what="mse([1, 2, 3], [1, 2, 5])")
assert_close(mse(np.zeros((2, 3)), np.zeros((2, 3))), 0.0, what="mse of a perfect prediction")
assert_type(mse(np.ones(3), np.zeros(3)), float, what="mse(ones(3), zeros(3)) (a Python float: use float(...))")
assert_raises(ValueError, mse, np.zeros((3, 1)), np.zeros(3), what="mse with shapes (3, 1) and (3,)")
"""),
    markdown("mse_grad_intro", r"""
## 2. The gradient of the MSE

Training needs to know how the loss changes when each prediction moves. Differentiating one term,
$\frac{\partial}{\partial \hat y_i} (\hat y_i - y_i)^2 = 2(\hat y_i - y_i)$, and keeping the $1/N$ in
front:

$$
\frac{\partial\, \mathrm{MSE}}{\partial \hat y_i} = \frac{2}{N} (\hat y_i - y_i).
$$

The gradient has the shape of $\hat y$. It points *uphill*: each prediction that is too large gets a
positive entry, so a step against the gradient lowers it. Two slips are common: forgetting the factor
2 (the training still works, with half the intended learning rate) and forgetting the $1/N$ (the step
grows with the batch size).

The test compares your gradient with **finite differences**: nudge one prediction by a tiny $h$ both
ways and measure the change in the loss, $\big(L(\hat y + h e_i) - L(\hat y - h e_i)\big) / 2h$. This is
the standard way to check any gradient you write by hand.

Like `mse`, `mse_grad` must refuse arrays of different shapes with a `ValueError`.
"""),
    solution("mse_grad", r'''
def mse_grad(y_pred, y_true):
    """Gradient of ``mse(y_pred, y_true)`` with respect to ``y_pred``.

    Parameters
    ----------
    y_pred, y_true : ndarray of the same shape

    Returns
    -------
    ndarray of the shape of ``y_pred``
        ``2 * (y_pred - y_true) / y_pred.size``.
    """
    ### BEGIN SOLUTION
    y_pred = np.asarray(y_pred, dtype=float)
    y_true = np.asarray(y_true, dtype=float)
    if y_pred.shape != y_true.shape:
        raise ValueError(f"y_pred and y_true must have the same shape, got {y_pred.shape} and {y_true.shape}")
    return 2.0 * (y_pred - y_true) / y_pred.size
    ### END SOLUTION
'''),
    graded_test("mse_grad", 2, "mse_grad: hand-worked values, agreement with finite differences, and a shape mismatch.", r"""
assert_close(mse_grad(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])), [0.0, 0.0, -4 / 3],
             what="mse_grad([1, 2, 3], [1, 2, 5])")
rng = np.random.default_rng(0)
y_pred, y_true = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
assert_shape(mse_grad(y_pred, y_true), (4, 3), what="mse_grad of (4, 3) arrays")
# Finite differences of the MSE written out here, so this test does not depend on your mse.
gradient_check(lambda p: np.mean((p - y_true) ** 2), lambda p: mse_grad(p, y_true), y_pred, what="mse_grad")
assert_raises(ValueError, mse_grad, np.zeros((3, 1)), np.zeros(3), what="mse_grad with shapes (3, 1) and (3,)")
"""),
    markdown("bce_intro", r"""
## 3. Binary cross-entropy

A classifier does not output a number to match; it outputs a **probability**. For two classes, the
model gives $p = P(\text{class } 1 \mid x)$ and the label is $y \in \{0, 1\}$. A good loss should
reward probability placed on what actually happened. The **binary cross-entropy** is the negative
log-probability of the observed label, averaged over the $n$ samples:

$$
\mathrm{BCE}(p, y) = -\frac{1}{n} \sum_{i=1}^{n} \Big( y_i \log p_i + (1 - y_i) \log (1 - p_i) \Big).
$$

For $y_i = 1$ only $-\log p_i$ remains; for $y_i = 0$ only $-\log(1 - p_i)$. The natural logarithm
makes the unit the *nat*. The loss is 0 for a certain, correct prediction and grows without bound as
the model becomes certain of the wrong answer: $-\log(0.5) \approx 0.693$, $-\log(0.01) \approx 4.6$,
$-\log(10^{-12}) \approx 27.6$. Labels between 0 and 1 ("soft labels") are allowed by the same formula.

**Clipping.** A model that outputs exactly $p = 0$ or $p = 1$ makes $\log 0 = -\infty$ appear, and
$0 \cdot \log 0$ evaluates to `nan` in floating point. Clip the probabilities to
$[\varepsilon, 1 - \varepsilon]$ with a tiny $\varepsilon$ (`eps=1e-12`) before taking logs: the loss
stays finite, and no warning is printed.
"""),
    solution("binary_cross_entropy", r'''
def binary_cross_entropy(p, y, eps=1e-12):
    """Mean binary cross-entropy in nats.

    Parameters
    ----------
    p : ndarray
        Predicted probabilities of class 1, any shape.
    y : ndarray of the shape of ``p``
        Labels in [0, 1] (0 or 1, or soft labels).
    eps : float
        ``p`` is clipped to ``[eps, 1 - eps]`` before the logarithms.

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    p = np.clip(np.asarray(p, dtype=float), eps, 1.0 - eps)
    y = np.asarray(y, dtype=float)
    return float(np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))))
    ### END SOLUTION
'''),
    graded_test("binary_cross_entropy", 2, "binary_cross_entropy: log 2 at p = 0.5, a hand-worked pair, p of exactly 0 and 1, and the eps argument.", r"""
assert_close(binary_cross_entropy(np.array([0.5]), np.array([1.0])), np.log(2), what="BCE at p = 0.5")
expected = -(np.log(0.9) + np.log(1 - 0.2)) / 2
assert_close(binary_cross_entropy(np.array([0.9, 0.2]), np.array([1.0, 0.0])), expected,
             what="binary_cross_entropy([0.9, 0.2], [1, 0])")
with np.errstate(all="ignore"):
    edge = binary_cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
assert_in_range(edge, 0.0, 1e-6, what="binary_cross_entropy([0, 1], [0, 1]) (certain and right costs about 0: clip p first)")
assert_close(binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0]), eps=0.01), -np.log(0.01),
             what="binary_cross_entropy([0, 1], [1, 0], eps=0.01) (p clipped to [0.01, 0.99])")
"""),
    markdown("cce_intro", r"""
## 4. Categorical cross-entropy

With $K$ classes the model outputs a probability vector $\mathbf p_i = (p_{i1}, \dots, p_{iK})$ for
each sample (each row sums to 1), and the label is written **one-hot**: $\mathbf y_i$ has a 1 in the
column of the true class and 0 elsewhere. The categorical cross-entropy averages, over the $n$
samples, the negative log-probability of the true class:

$$
\mathrm{CE}(\mathbf P, \mathbf Y) = -\frac{1}{n} \sum_{i=1}^{n} \sum_{k=1}^{K} y_{ik} \log p_{ik} .
$$

With a one-hot row, the inner sum keeps only one term, $-\log p_{i,\text{true}}$. Note what is
averaged: the sum runs over the *classes* and the mean over the *samples*, so `np.mean` over the
whole $(n, K)$ array would divide by $nK$ instead of $n$. Clip as before.

### Worked numbers

Two samples, two classes.

*Right predictions.* $\mathbf P = \begin{bmatrix} 0.55 & 0.45 \\ 0.44 & 0.56 \end{bmatrix}$ with labels
$\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}$. The true classes get 0.55 and 0.56:

$$
\mathrm{CE} = -\tfrac12 (\log 0.55 + \log 0.56) = \tfrac12 (0.598 + 0.580) \approx 0.589 .
$$

*Wrong predictions.* $\mathbf P = \begin{bmatrix} 0.51 & 0.49 \\ 0.41 & 0.59 \end{bmatrix}$ with labels
$\begin{bmatrix} 0 & 1 \\ 1 & 0 \end{bmatrix}$. Now the *true* classes get **0.49** and **0.41**:

$$
\mathrm{CE} = -\tfrac12 (\log 0.49 + \log 0.41) = \tfrac12 (0.713 + 0.892) \approx 0.802 .
$$

> **A classic slip.** It is tempting to read off the *largest* probability in each row (0.51 and 0.59,
> the classes the model predicted) instead of the probability of the *true* class. That gives about
> 0.60, and a version of this example that circulates in course notes mixes the two and prints 0.62.
> The loss must look at the true class: that is the whole point of a loss that punishes wrong
> predictions. Neither model is confident: every probability lies between 0.41 and 0.59, so both
> losses are near $\log 2 \approx 0.693$, the loss of a coin flip, the wrong predictions a little above
> it (0.802) and the right ones a little below (0.589).
"""),
    solution("categorical_cross_entropy", r'''
def categorical_cross_entropy(probs, y_onehot, eps=1e-12):
    """Mean over samples of the cross-entropy between labels and predicted probabilities.

    Parameters
    ----------
    probs : ndarray of shape (n_samples, n_classes)
        Predicted probabilities; each row sums to 1.
    y_onehot : ndarray of shape (n_samples, n_classes)
        One-hot labels (soft labels allowed).
    eps : float
        ``probs`` is clipped to ``[eps, 1 - eps]`` before the logarithm.

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    probs = np.clip(np.asarray(probs, dtype=float), eps, 1.0 - eps)
    y_onehot = np.asarray(y_onehot, dtype=float)
    return float(np.mean(-np.sum(y_onehot * np.log(probs), axis=1)))
    ### END SOLUTION
'''),
    graded_test("categorical_cross_entropy", 3, "categorical_cross_entropy: the lesson's worked numbers 0.589 and 0.802.", r"""
right_p, right_y = np.array([[0.55, 0.45], [0.44, 0.56]]), np.array([[1.0, 0.0], [0.0, 1.0]])
wrong_p, wrong_y = np.array([[0.51, 0.49], [0.41, 0.59]]), np.array([[0.0, 1.0], [1.0, 0.0]])
assert_close(categorical_cross_entropy(right_p, right_y), -(np.log(0.55) + np.log(0.56)) / 2, what="CE, right predictions")
assert_close(categorical_cross_entropy(wrong_p, wrong_y), -(np.log(0.49) + np.log(0.41)) / 2, what="CE, wrong predictions")
assert_close(categorical_cross_entropy(wrong_p, wrong_y), 0.802, rtol=1e-3, what="CE, wrong predictions (the lesson's 0.802)")
"""),
    markdown("accuracy_intro", r"""
## 5. Accuracy

Losses are for training; people judge a classifier by its **accuracy**: the fraction of samples whose
predicted class (the column with the largest probability, `argmax` along each row) equals the true
class (the argmax of the one-hot row).

Accuracy is easy to read but useless for training: it only changes when a prediction crosses from one
class to another, so its gradient is zero almost everywhere. The worked examples show the difference:
both sets of predictions are barely decided, so their losses are close (0.589 and 0.802), while their
accuracies are 1.0 and 0.0.
"""),
    solution("accuracy", r'''
def accuracy(probs, y_onehot):
    """Fraction of samples whose most probable class is the true class.

    Parameters
    ----------
    probs : ndarray of shape (n_samples, n_classes)
    y_onehot : ndarray of shape (n_samples, n_classes)

    Returns
    -------
    float
        In [0, 1].
    """
    ### BEGIN SOLUTION
    predicted = np.argmax(probs, axis=1)
    true = np.argmax(y_onehot, axis=1)
    return float(np.mean(predicted == true))
    ### END SOLUTION
'''),
    graded_test("accuracy", 1, "accuracy: the worked examples give 1.0 and 0.0, a mixed case 0.5, and a winner below 0.5.", r"""
assert_close(accuracy(np.array([[0.55, 0.45], [0.44, 0.56]]), np.array([[1.0, 0.0], [0.0, 1.0]])), 1.0,
             what="accuracy of the right predictions")
assert_close(accuracy(np.array([[0.51, 0.49], [0.41, 0.59]]), np.array([[0.0, 1.0], [1.0, 0.0]])), 0.0,
             what="accuracy of the wrong predictions")
assert_close(accuracy(np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]]), np.array([[0, 1, 0], [0, 0, 1]])), 0.5,
             what="accuracy([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]], classes 1 and 2)")
assert_close(accuracy(np.array([[0.4, 0.3, 0.3]]), np.array([[1, 0, 0]])), 1.0,
             what="accuracy([[0.4, 0.3, 0.3]], class 0) (the largest probability wins, even below 0.5)")
"""),
    code("prediction_widget_1", r"""
predict("01-ce-gradient-at-0.01")
"""),
    markdown("why_ce", r"""
## 6. Why classifiers are trained with cross-entropy

A binary classifier computes a score, the **logit** $z$, and turns it into a probability with the
sigmoid $p = \sigma(z) = 1/(1 + e^{-z})$, whose derivative is $\sigma'(z) = p(1 - p)$. Training moves
$z$, so what matters is the gradient of the loss **with respect to $z$**. Take a sample of class 1:

* Squared error: $L = (p - 1)^2$, so $\dfrac{\partial L}{\partial z} = 2(p - 1)\, p (1 - p)$.
* Cross-entropy: $L = -\log p$, so $\dfrac{\partial L}{\partial z} = -\dfrac{1}{p}\, p(1 - p) = p - 1$.

When the model is **confidently wrong**, $p \to 0$. The squared-error gradient carries the factor $p$
and vanishes: the model barely moves exactly when it is most wrong (the sigmoid *saturates*). The
cross-entropy gradient tends to $-1$: the $1/p$ of the logarithm cancels the saturation, and the push
is strongest where the mistake is worst.

The widget below computes both losses **with your `mse` and `binary_cross_entropy`**, and their
gradients with respect to $z$ by finite differences of your functions. Move the slider towards
$p = 0.01$ and compare the two curves on the right (log scale).
"""),
    code("widget", r"""
loss_saturation_widget(mse, binary_cross_entropy)
"""),
    markdown("loss_shapes_figure_intro", r"""
The figure draws the same two losses against the logit $z$ instead of $p$, for a sample of class 1,
with **your** `mse`, `mse_grad` and `binary_cross_entropy`. On the left, sigmoid + squared error never
costs more than 1, however wrong the model is, while the cross-entropy $\log(1 + e^{-z})$ grows almost
like $-z$. On the right, the gradients in $z$: the squared error pushes hardest, with
$-8/27 \approx -0.30$, at $z = -\ln 2$ ($p = 1/3$), and its push then *fades* as the prediction gets
worse; the cross-entropy's push tends to $-1$. Their ratio is $1/(2p(1-p))$, about 75 at $z = -5$.
"""),
    code("loss_shapes_demo", r"""
loss_shapes_figure(mse, mse_grad, binary_cross_entropy)
"""),
    code("prediction_widget_2", r"""
predict("01-demo-which-recovers")
"""),
    markdown("demo_intro", r"""
## 7. On real data: learning from a bad start

The 8×8 handwritten digits that ship with scikit-learn (1,797 images, no download) make a small real
test. The demo separates 3s from 8s with a logistic classifier, $p = \sigma(\mathbf x \cdot \mathbf w + b)$.
Both runs start from the same **confidently wrong** weights, which point from the average 8 to the
average 3, and take 150 full-batch gradient steps with the same learning rate: one run minimises
sigmoid + MSE (using your `mse_grad` times $\sigma'$), the other the cross-entropy. Your `mse`,
`binary_cross_entropy` and `accuracy` measure the progress.

Run it and compare with your prediction above, then open the explanation:

<details><summary>What you should see, and why</summary>

The squared-error run stays stuck near chance while the cross-entropy run recovers: the previous
section's gradients, at work on real images. Every example starts confidently wrong, where $\sigma'$
is nearly 0, so the squared error's gradient, which carries the factor $\sigma'$, is nearly 0 too;
the cross-entropy's gradient is $p - y$, close to $\pm 1$ exactly when the prediction is most wrong.

</details>
"""),
    code("demo", r"""
demo(mse, mse_grad, binary_cross_entropy, accuracy)
"""),
    markdown("summary", r"""
## Summary

* The **MSE** averages squared errors over all elements; its gradient is $2(\hat y - y)/N$. Refuse
  mismatched shapes instead of letting NumPy broadcast them.
* The **cross-entropy** is the average negative log-probability of the true class: binary with
  $y\log p + (1 - y)\log(1-p)$, categorical with one-hot rows. Sum over classes, average over samples,
  use the natural log, and clip probabilities away from 0 and 1.
* Read the probability of the **true** class, not of the predicted one (0.802, not 0.60 or 0.62, in the
  worked example).
* **Accuracy** is what we report, but it cannot be trained on: it is flat almost everywhere.
* With a sigmoid output, squared error **saturates** when the model is confidently wrong, while
  cross-entropy keeps a gradient of size about 1 there. That is why classifiers minimise cross-entropy.

## Questions to think about

1. Doubling every error multiplies the MSE by what? And the mean *absolute* error?
2. With `eps = 1e-12`, what is the largest value one sample can contribute to the binary
   cross-entropy? Why is a finite maximum useful during training?
3. A model predicts the same probability vector for every sample: the class frequencies of the
   training set. What is its cross-entropy, in terms of those frequencies? (Lesson 02 gives it a name.)
4. Why does the factor $p(1 - p)$ appear in both gradients of section 6, and why does only one of the
   losses cancel it?
"""),
    free_code("scratch", "# A scratch cell: try your functions on your own inputs here.\n"),
]
