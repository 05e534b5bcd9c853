"""The course's lessons and their graded functions, as fixed by the curriculum (``../shared/curriculum.md``
for lessons 01 to 09, ``docs/curriculum.md`` for the course's additions)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    """One lesson: its id (also the nbgrader assignment name), title, module and graded functions."""

    id: str
    title: str
    module: str
    functions: tuple[str, ...]

    @property
    def number(self) -> int:
        return int(self.id[:2])

    @property
    def marker(self) -> str:
        return f"lesson{self.id[:2]}"


LESSONS: tuple[Lesson, ...] = (
    Lesson("01-loss-functions", "Loss functions", "losses",
           ("mse", "mse_grad", "binary_cross_entropy", "categorical_cross_entropy", "accuracy")),
    Lesson("02-softmax-entropy", "Softmax, entropy and cross-entropy", "softmax",
           ("softmax", "log_softmax", "entropy", "cross_entropy", "kl_divergence",
            "softmax_cross_entropy", "softmax_cross_entropy_grad")),
    Lesson("03-mini-batch", "Mini-batch gradient descent", "batching",
           ("shuffle_data", "minibatches", "linear_mse_grad", "sgd_step", "train_minibatch_sgd")),
    Lesson("04-initialization", "Weight initialization", "initializers",
           ("small_random_init", "glorot_uniform", "glorot_normal", "he_normal", "layer_activation_stds")),
    Lesson("05-momentum", "Momentum and Nesterov momentum", "momentum",
           ("momentum_step", "ema_momentum_step", "nesterov_step", "critical_point_type", "newton_step")),
    Lesson("06-adaptive-rates", "AdaGrad, RMSProp, Adam, AdamW and schedules", "adaptive",
           ("adagrad_step", "rmsprop_step", "adam_step", "adamw_step", "step_decay", "exponential_decay",
            "cosine_decay", "warmup_cosine")),
    Lesson("07-regularization", "L2, L1, early stopping and bagging", "regularization",
           ("l2_penalty", "l2_penalty_grad", "l1_penalty", "l1_penalty_grad", "early_stopping",
            "bootstrap_indices", "bagging_predict")),
    Lesson("08-dropout", "Dropout", "dropout", ("dropout_forward", "dropout_backward")),
    Lesson("09-unstable-gradients", "Vanishing and exploding gradients", "activations",
           ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "elu",
            "elu_grad", "prelu_backward", "backprop_delta_norms", "clip_by_global_norm")),
    Lesson("10-backpropagation", "Backpropagation: a multi-layer perceptron from your own parts", "backprop",
           ("dense_forward", "dense_backward", "mlp_backward", "numerical_gradient", "relative_error")),
)

LESSON_IDS: tuple[str, ...] = tuple(lesson.id for lesson in LESSONS)


def lesson(lesson_id: str) -> Lesson:
    """The lesson with this id; ``ValueError`` naming the known ids otherwise."""
    for item in LESSONS:
        if item.id == lesson_id:
            return item
    raise ValueError(f"unknown lesson {lesson_id!r}; the lessons are: {', '.join(LESSON_IDS)}")


def lesson_of(function: str) -> Lesson:
    """The lesson that grades ``function``."""
    for item in LESSONS:
        if function in item.functions:
            return item
    raise ValueError(f"{function!r} is not a graded function of the course")
