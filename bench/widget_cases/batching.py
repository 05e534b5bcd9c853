"""Lesson 03's widget, built with the reference functions."""

import numpy as np

from bench.widgets import WidgetCase
from lessons.widgets.batching import BATCH_SIZES, batch_size_widget
from solutions import batching


def _build():
    return batch_size_widget(batching.minibatches, batching.linear_mse_grad, batching.sgd_step,
                             batching.train_minibatch_sgd)


CASES = [
    # Batch size 1 is the slowest update: 512 steps with the student's functions, and as many again
    # in train_minibatch_sgd.
    WidgetCase("03-mini-batch", "batch_size_widget", _build, "batch_size", list(BATCH_SIZES)),
    WidgetCase("03-mini-batch", "batch_size_widget", _build, "lr", list(np.logspace(-3, -0.5, 11))),
]
