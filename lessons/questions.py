"""The prediction questions of the lessons (see :mod:`lessons.predict`), two or more per lesson.

Each is asked in the notebook just before the widget or demo that shows the outcome. The explanation
says why, and where in the lesson to see it. ``tests/lessons/test_predict.py`` computes every answer
that can be computed.
"""

from __future__ import annotations

from .predict import Question

_QUESTIONS = (
    # --- 01 ---------------------------------------------------------------------------------------
    Question(
        "01-ce-gradient-at-0.01",
        "A sigmoid unit gives the true class the probability <i>p</i> = 0.01 (confidently wrong). How many "
        "times larger is the cross-entropy's gradient with respect to the logit <i>z</i> than the gradient of "
        "sigmoid + MSE?",
        2,
        "The cross-entropy's gradient is <i>p</i> &minus; 1 = &minus;0.99. The MSE's is "
        "2(<i>p</i> &minus; 1) &middot; <i>p</i>(1 &minus; <i>p</i>) &asymp; &minus;0.0196: the sigmoid's "
        "slope <i>p</i>(1 &minus; <i>p</i>) &asymp; 0.0099 almost cancels it. The ratio is 1 / (2<i>p</i>) = "
        "50.5. Set the slider to 0.01 to read it.",
        choices=("about 2", "about 10", "about 50", "about 1,000"),
    ),
    Question(
        "01-demo-which-recovers",
        "Two logistic classifiers of 3s against 8s start from the same <b>confidently wrong</b> weights "
        "and take 150 gradient steps with the same learning rate: one minimises sigmoid + MSE, the other "
        "the cross-entropy. Which classifies better after the 150 steps?",
        1,
        "The cross-entropy run. Where the model is confidently wrong, the MSE gradient carries the factor "
        "&sigma;'(<i>z</i>), close to 0, so that run barely moves from its bad start. The cross-entropy "
        "gradient <i>p</i> &minus; <i>y</i> is largest exactly there.",
        choices=("sigmoid + MSE", "cross-entropy", "about the same"),
    ),
    # --- 02 ---------------------------------------------------------------------------------------
    Question(
        "02-temperature-to-infinity",
        "The logits are <i>z</i> = (1, 2, 3). As the temperature <i>T</i> grows without bound, what does "
        "softmax(<i>z</i> / <i>T</i>) tend to?",
        1,
        "Every <i>z<sub>k</sub></i> / <i>T</i> tends to 0, so every exponential tends to 1: the distribution "
        "becomes uniform, and its entropy tends to log 3 &asymp; 1.099 nats. As <i>T</i> falls towards 0, "
        "softmax tends to the one-hot (0, 0, 1) instead, with entropy 0. The ranking of the classes never "
        "changes.",
        choices=("(0, 0, 1)", "(1/3, 1/3, 1/3)", "(1/6, 2/6, 3/6)"),
    ),
    Question(
        "02-softmax-regression-accuracy",
        "A single linear layer and a softmax, with no hidden layer, is trained on the 8&times;8 digits "
        "(64 raw pixels in, 10 classes out). What test accuracy do you expect?",
        2,
        "Above 90%: the digits are nearly linearly separable in pixel space, so even softmax regression "
        "gets most of them right. The demo below reaches about 95% with your functions. A hidden layer "
        "(lesson 10) adds a couple of points.",
        choices=("about 30%", "about 60%", "above 90%"),
    ),
    Question(
        "02-smoothed-best-probability",
        "Label smoothing with &epsilon; = 0.1 over 10 classes trains against the target 0.9 &times; one-hot + "
        "0.01. Which probability of the true class makes the smoothed loss smallest?",
        0.91,
        "0.91 = 1 &minus; &epsilon; + &epsilon;/<i>K</i>. A cross-entropy is smallest when the model's "
        "distribution equals the target, and the target gives the true class 0.9 + 0.01. The logit gap is "
        "then log(0.91 / 0.01) = log 91 &asymp; 4.51, finite. Without smoothing the best probability is 1, "
        "reached only at an infinite gap.",
        tolerance=0.02,
    ),
    # --- 03 ---------------------------------------------------------------------------------------
    Question(
        "03-noise-of-a-quarter-batch",
        "You divide the batch size by 4 and keep the learning rate. The noise of each step's gradient (its "
        "standard deviation around the full-batch gradient) is multiplied by about:",
        1,
        "By 2. A mini-batch gradient is a mean of <i>B</i> per-example gradients, so its standard deviation "
        "falls like 1/&radic;<i>B</i>. Four times fewer examples make it &radic;4 = 2 times noisier.",
        choices=("4", "2", "1 (unchanged)", "1/2"),
    ),
    Question(
        "03-fastest-per-epoch",
        "Per <b>epoch</b> (one pass over the 1,348 training images), which batch size brings the training "
        "loss down the most?",
        0,
        "Batch size 1: an epoch is then 1,348 steps, against 43 with batches of 32 and a single one with the "
        "full batch. Per <b>second</b> the picture changes, because a step on 32 examples costs barely more "
        "than a step on one. Compare the demo's two panels.",
        choices=("1", "32", "the full batch (1,348)"),
    ),
    # --- 04 ---------------------------------------------------------------------------------------
    Question(
        "04-small-random-factor",
        "Layers of 100 tanh units, weights drawn with standard deviation 0.01. From one layer to the next, "
        "the spread (standard deviation) of the outputs is multiplied by about what number?",
        0.1,
        "About 0.1. A unit sums 100 inputs times weights of variance 0.01&sup2;, so the variance is multiplied "
        "by 100 &times; 0.0001 = 0.01 (tanh is close to the identity near 0), and the spread by "
        "&radic;0.01 = 0.1: 10<sup>&minus;20</sup> after 20 layers.",
        tolerance=0.15,
    ),
    Question(
        "04-relu-from-zeros",
        "A ReLU network (64-64-64-64-10) is trained from <b>all-zero</b> weights, with the course's "
        "convention relu'(0) = 0. What happens?",
        2,
        "Every hidden unit outputs ReLU(0) = 0 and passes back the gradient relu'(0) = 0, so no hidden "
        "weight ever changes. Only the output biases learn, and the network predicts the most frequent "
        "class. A start must break the symmetry between units, and be large enough to carry the signal.",
        choices=("it learns, only more slowly", "it learns like any other start",
                 "only the output biases learn: it predicts one class"),
    ),
    # --- 05 ---------------------------------------------------------------------------------------
    Question(
        "05-velocity-90",
        "Classical momentum with &mu; = 0.99 under a constant gradient. How many steps until the velocity "
        "reaches 90% of its final size &eta;<i>g</i> / (1 &minus; &mu;)?",
        230,
        "After <i>k</i> steps the velocity is (1 &minus; &mu;<sup><i>k</i></sup>) times its final size, so "
        "we need 0.99<sup><i>k</i></sup> &le; 0.1: <i>k</i> = log 0.1 / log 0.99 &asymp; 229.1, that is, "
        "230 steps. With &mu; = 0.9 it takes 22. A large &mu; buys a long memory at the price of a slow "
        "start.",
        tolerance=0.1,
    ),
    Question(
        "05-plateau-start",
        "On the surface below, plain gradient descent (momentum 0, learning rate 0.1) starts on the plateau "
        "at (0, &minus;2.5), below the wells. Where is it after 200 steps?",
        2,
        "Still on the plateau. Only the faint bowl slopes there (|gradient| &asymp; 0.05), so each step moves "
        "about 0.005. Momentum 0.9 adds its steps up and reaches the global minimum from the same start. "
        "Try it with the sliders.",
        choices=("in the global minimum", "in the local minimum", "still crawling on the plateau",
                 "thrown off the surface"),
    ),
    Question(
        "05-newton-near-saddle",
        "Just off the saddle between the two wells, which way does Newton's method, with the exact Hessian, "
        "go?",
        1,
        "Onto the saddle. Newton's step jumps to the critical point of the local quadratic model, and near a "
        "saddle that point is the saddle. Along a direction of negative curvature the step &minus;<i>g</i> / "
        "&lambda; goes uphill. Gradient descent slides off into a minimum instead.",
        choices=("into the nearer minimum", "onto the saddle", "off the surface"),
    ),
    # --- 06 ---------------------------------------------------------------------------------------
    Question(
        "06-uncorrected-first-step",
        "Adam keeps two running averages from zero, <i>m</i> &larr; &beta;<sub>1</sub><i>m</i> + (1 &minus; "
        "&beta;<sub>1</sub>)<i>g</i> and <i>v</i> &larr; &beta;<sub>2</sub><i>v</i> + (1 &minus; "
        "&beta;<sub>2</sub>)<i>g</i>&sup2;, and steps by &eta;<i>m</i> / &radic;<i>v</i>. With the default "
        "&beta;<sub>1</sub> = 0.9 and &beta;<sub>2</sub> = 0.999 but <b>without</b> bias correction, how long "
        "is its very first step, compared with the learning rate &eta;?",
        2,
        "Bigger: <i>m</i><sub>1</sub> = 0.1<i>g</i> and <i>v</i><sub>1</sub> = 0.001<i>g</i>&sup2;, so the "
        "step is &eta; &middot; 0.1 / &radic;0.001 &asymp; 3.16&eta;, whatever the size of <i>g</i>. It grows "
        "to about 6.6&eta; near step 12 before it slowly fades. Bias correction makes the first step about "
        "&eta;.",
        choices=("much smaller than &eta;", "about &eta;", "about 3&eta;, bigger"),
    ),
    Question(
        "06-adagrad-after-100",
        "AdaGrad divides each step by the square root of the <b>sum</b> of all the squared gradients seen so "
        "far. Under a constant gradient, its 100th step is what fraction of its first?",
        0.1,
        "One tenth. AdaGrad divides by the square root of the <b>sum</b> of all squared gradients, "
        "&radic;(<i>t g</i>&sup2;), so the <i>t</i>-th step is &eta; / &radic;<i>t</i>: at <i>t</i> = 100, "
        "&eta; / 10. This is why AdaGrad slows down on long runs, and why RMSProp forgets.",
        tolerance=0.05,
    ),
    Question(
        "06-l2-inside-adam",
        "Three weights have data gradients of sizes 10, 0.1 and 0.001, and an L2 penalty (&lambda; = 0.1) is "
        "added to their gradients before Adam. Which weight does the penalty shrink the least?",
        0,
        "The one with gradients of size 10. The penalty's gradient &lambda;&theta; goes into <i>v</i> and is "
        "divided by &radic;<i>v&#770;</i> &asymp; 10, so it almost vanishes. For the weight with gradients "
        "of 0.001 the penalty dominates <i>v</i> and gets a full step of about &eta;: it is driven to 0 "
        "within about 200 steps. AdamW shrinks all three by the same factor 1 &minus; &eta;&lambda; per step.",
        choices=("the one with gradients of size 10", "the one with 0.1", "the one with 0.001",
                 "all three alike"),
    ),
    Question(
        "06-warmup-at-0.3",
        "Adam trains the digits network for 10 epochs at a peak rate of 0.3, ten times the best constant "
        "rate. Once with that rate constant, once with 40 warmup steps and a cosine decay to 0. What do you "
        "expect?",
        2,
        "The warmup run trains well (about 95% test accuracy) and the constant run does not (below 50%). At "
        "the start Adam steps about &eta; per parameter whatever its gradient, on estimates of <i>v</i> made "
        "from a handful of gradients: 0.3 per step is too much there. Later the same peak rate is harmless, "
        "and the cosine brings it down for the end. At 0.1 both train, and warmup + cosine still ends with a "
        "training loss twenty times lower.",
        choices=("both fail", "the constant rate trains just as well",
                 "warmup + cosine trains well, the constant rate does not"),
    ),
    # --- 07 ---------------------------------------------------------------------------------------
    Question(
        "07-more-patience",
        "You raise early stopping's patience. The best epoch it reports can only become:",
        1,
        "The same or later. More patience trains at least as far, so the best epoch is the lowest loss over "
        "at least the same epochs: it moves only if a lower loss comes later. The widget's curves show where "
        "that happens.",
        choices=("the same or earlier", "the same or later", "either"),
    ),
    Question(
        "07-bag-against-one",
        "8 networks, each trained on its own bootstrap sample of the 200 noisy images, average their "
        "predictions. Against one network trained on all 200 images, the bag's test accuracy is:",
        2,
        "Higher. Each member alone sees only about 63% of the distinct images and usually scores below the "
        "single network. But the members memorize different wrong labels, so their errors differ, and the "
        "average cancels much of them.",
        choices=("lower", "about the same", "higher"),
    ),
    # --- 08 ---------------------------------------------------------------------------------------
    Question(
        "08-no-rescaling",
        "Dropout with <i>p</i> = 0.5 but <b>without</b> the 1/(1 &minus; <i>p</i>) rescaling in training. At "
        "evaluation (no dropout), how many times larger than their training average are the inputs the "
        "next layer receives?",
        2.0,
        "Twice as large. In training a unit passes on <i>x</i> with probability 0.5 and 0 otherwise: "
        "0.5<i>x</i> on average. At evaluation it passes on <i>x</i>. The next layer was trained on inputs "
        "half as large, so its logits come out about doubled and its test loss suffers. Inverted dropout "
        "scales by 1/(1 &minus; <i>p</i>) in training so that evaluation needs no change.",
        tolerance=0.05,
    ),
    Question(
        "08-halve-the-distance",
        "The average of <i>n</i> dropout passes approaches the evaluation-mode logits. To halve its distance "
        "to them, multiply <i>n</i> by:",
        1,
        "By 4. An average of <i>n</i> independent draws has an error of &sigma; / &radic;<i>n</i>, so half "
        "the distance takes four times as many passes. In the demo's log-log plot this is a line of slope "
        "&minus;1/2.",
        choices=("2", "4", "10"),
    ),
    # --- 09 ---------------------------------------------------------------------------------------
    Question(
        "09-ten-sigmoid-layers",
        "The error goes back through ten sigmoid layers. By at least what factor do the activation "
        "derivatives alone shrink it?",
        2,
        "About a million. &sigma;' is at most 1/4, so ten layers shrink the error by at least 4<sup>10</sup> "
        "= 1,048,576, unless the weights make up for it. Watch the sigmoid curve in the widget.",
        choices=("about 10", "about 1,000", "about 1,000,000"),
    ),
    Question(
        "09-dead-after-15-epochs",
        "The hidden biases start at &minus;2, so about 90% of the ReLU units are negative on every training "
        "image. After 15 epochs of training, what share of them is still dead?",
        2,
        "About 90% or more: a unit negative on every image gets a gradient of exactly 0 for all of its "
        "weights, so it never comes back. The share can only grow. Leaky ReLU and ELU units keep a slope on "
        "the negative side and do come back.",
        choices=("back near 0%", "about half", "still about 90% or more"),
    ),
    Question(
        "09-scale-for-float16",
        "Weight gradients between about 10<sup>&minus;10</sup> and 0.1 are to be stored in float16 (smallest "
        "normal 6.1 &times; 10<sup>&minus;5</sup>, largest 65,504). By which loss scale should the loss be "
        "multiplied first, to keep the most of them intact?",
        2,
        "2<sup>16</sup> = 65,536: it lifts 10<sup>&minus;7</sup> to 6.6 &times; 10<sup>&minus;3</sup>, a "
        "normal float16, and the largest gradients, about 0.1, to about 6,500, still below 65,504. Unscaled, "
        "many small gradients become 0 or lose their digits. With 2<sup>32</sup> the largest ones overflow to "
        "inf. PyTorch's GradScaler starts at 2<sup>16</sup> for this reason.",
        choices=("1 (no scaling)", "2^4", "2^16", "2^32"),
    ),
    # --- 10 ---------------------------------------------------------------------------------------
    Question(
        "10-best-h",
        "A central-difference gradient check in float64, on a function whose values and derivatives are "
        "about 1. Which step <i>h</i> gives the smallest error?",
        1,
        "About 10<sup>&minus;5</sup>. The truncation error <i>h</i>&sup2;<i>f'''</i>/6 falls with <i>h</i>; "
        "the rounding error &epsilon;|<i>f</i>|/<i>h</i> grows as <i>h</i> shrinks. They are equal near "
        "<i>h</i> = &epsilon;<sup>1/3</sup> &asymp; 6 &times; 10<sup>&minus;6</sup>. The widget draws the V.",
        choices=("1e-2", "1e-5", "1e-8", "1e-12"),
    ),
    Question(
        "10-numerical-cost",
        "The digits network has 4,810 parameters. One numerical gradient (central differences) costs about "
        "how many forward passes?",
        2,
        "About 10,000: two forward passes per parameter, 2 &times; 4,810 = 9,620. One backward pass costs "
        "about two forward passes, whatever the number of parameters. That is the whole case for "
        "backpropagation.",
        choices=("about 3", "about 100", "about 10,000"),
    ),
)

#: The questions by key.
QUESTIONS: dict[str, Question] = {q.key: q for q in _QUESTIONS}

if len(QUESTIONS) != len(_QUESTIONS):  # pragma: no cover - caught by the tests
    raise RuntimeError("two prediction questions share a key")
