"""Every control of every widget updates the figure IN PLACE: same figure, axes and artists, new pixels.

Each widget is built with the reference functions; each of its controls is
moved to another value (a button is clicked).  Afterwards the figure, its
axes and every line, collection, patch, text and image are the very same
objects (a redraw that re-created them would be slow and would flicker in the
browser), the plot is still shown (no "implement first" note) and the
rendered picture has changed, to the picture of a widget built afresh and
set to the same value (so no cached backdrop is stale).  Speed is measured by ``make bench``, not here.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest

from lessons.widgets.activations import gradient_flow_widget
from lessons.widgets.adaptive import adaptive_race_widget
from lessons.widgets.backprop import gradient_check_widget
from lessons.widgets.batching import batch_size_widget
from lessons.widgets.initializers import activation_stats_widget
from lessons.widgets.landscape import landscape_widget
from lessons.widgets.losses import loss_saturation_widget
from lessons.widgets.momentum import narrow_valley_widget, two_forms_widget
from lessons.widgets.regularization import early_stopping_widget, polynomial_l2_widget
from lessons.widgets.softmax import softmax_temperature_widget
from solutions import activations, adaptive, backprop, batching, initializers, losses, momentum, regularization, softmax

WIDGETS = {
    "loss_saturation_widget": (pytest.mark.lesson01,
                               lambda: loss_saturation_widget(losses.mse, losses.binary_cross_entropy)),
    "softmax_temperature_widget": (pytest.mark.lesson02,
                                   lambda: softmax_temperature_widget(softmax.softmax, softmax.entropy)),
    "batch_size_widget": (pytest.mark.lesson03,
                          lambda: batch_size_widget(batching.minibatches, batching.linear_mse_grad, batching.sgd_step,
                                                    batching.train_minibatch_sgd)),
    "activation_stats_widget": (pytest.mark.lesson04,
                                lambda: activation_stats_widget(initializers.small_random_init,
                                                                initializers.glorot_uniform,
                                                                initializers.glorot_normal, initializers.he_normal,
                                                                initializers.layer_activation_stds)),
    "narrow_valley_widget": (pytest.mark.lesson05,
                             lambda: narrow_valley_widget(momentum.momentum_step, momentum.nesterov_step)),
    "two_forms_widget": (pytest.mark.lesson05,
                         lambda: two_forms_widget(momentum.momentum_step, momentum.ema_momentum_step)),
    "landscape_widget": (pytest.mark.lesson05,
                         lambda: landscape_widget(momentum.momentum_step, momentum.critical_point_type)),
    "adaptive_race_widget": (pytest.mark.lesson06,
                             lambda: adaptive_race_widget(adaptive.adagrad_step, adaptive.rmsprop_step,
                                                          adaptive.adam_step)),
    "polynomial_l2_widget": (pytest.mark.lesson07,
                             lambda: polynomial_l2_widget(regularization.l2_penalty, regularization.l2_penalty_grad)),
    "early_stopping_widget": (pytest.mark.lesson07, lambda: early_stopping_widget(regularization.early_stopping)),
    "gradient_flow_widget": (pytest.mark.lesson09,
                             lambda: gradient_flow_widget(activations.sigmoid, activations.sigmoid_grad,
                                                          activations.relu, activations.relu_grad,
                                                          activations.leaky_relu, activations.leaky_relu_grad,
                                                          activations.elu, activations.elu_grad,
                                                          activations.backprop_delta_norms)),
    "gradient_check_widget": (pytest.mark.lesson10,
                              lambda: gradient_check_widget(backprop.mlp_backward, backprop.numerical_gradient,
                                                            backprop.relative_error)),
}


def _artists(fig) -> list:
    """Every artist the widgets draw data with, per axes, plus the figure-level ones."""
    found = list(fig.artists) + list(fig.legends) + list(fig.texts)
    for ax in fig.axes:
        found += [ax, *ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images]
        if ax.get_legend() is not None:
            found.append(ax.get_legend())
    return found


def _pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


#: Values chosen by hand: a shift of the logits changes the picture only once the naive formula overflows.
CHOSEN = {("softmax_temperature_widget", "shift"): 1000.0}


def _other_value(control: widgets.Widget):
    """A value of ``control`` other than its current one, inside its range (a quarter or three quarters in)."""
    if isinstance(control, widgets.Checkbox):
        return not control.value
    if hasattr(control, "options") and control.options:
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return values[(values.index(control.value) + max(1, len(values) // 4)) % len(values)]
    if isinstance(control, widgets.FloatLogSlider):
        low, high = control.min, control.max
        exponent = np.log(control.value) / np.log(control.base)
        target = low + (0.25 if exponent > (low + high) / 2 else 0.75) * (high - low)
        return float(control.base ** (round(target / control.step) * control.step))
    low, high = control.min, control.max
    target = low + (0.25 if control.value > (low + high) / 2 else 0.75) * (high - low)
    return type(control.value)(round(target / control.step) * control.step)


def _cases():
    for name, (mark, build) in WIDGETS.items():
        for control in build().controls:
            yield pytest.param(name, control, marks=mark, id=f"{name}-{control}")


@pytest.mark.parametrize("name, control", list(_cases()))
def test_moving_a_control_redraws_the_same_artists_with_new_pixels(name, control):
    panel = WIDGETS[name][1]()
    fig = panel.figure
    artists, visible = _artists(fig), [ax.get_visible() for ax in fig.axes]
    before = _pixels(fig)
    if isinstance(panel.controls[control], widgets.Button):
        panel.click(control)
    else:
        value = CHOSEN.get((name, control), _other_value(panel.controls[control]))
        assert value != panel.controls[control].value
        panel.controls[control].value = value
    after = _pixels(fig)
    assert panel.figure is fig
    assert "first" not in panel.status.value and "raised" not in panel.status.value, panel.status.value
    assert [ax.get_visible() for ax in fig.axes] == visible, "the plot is still shown"
    now = _artists(fig)
    assert len(now) == len(artists) and all(a is b for a, b in zip(now, artists)), \
        f"moving {control!r} re-created artists instead of updating them"
    assert not np.array_equal(after, before), f"moving {control!r} did not change the picture"
    # The cached pictures of the unchanging parts are not stale: a widget built at the new value looks the same.
    fresh = WIDGETS[name][1]()
    if isinstance(fresh.controls[control], widgets.Button):
        fresh.click(control)
    else:
        fresh.controls[control].value = panel.controls[control].value
    np.testing.assert_array_equal(_pixels(fresh.figure), after, err_msg="the updated picture is stale")
