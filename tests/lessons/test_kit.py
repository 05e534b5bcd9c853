"""The widget kit: panels driven from Python, as a student's clicks and slides drive them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.project


def test_panel_buttons_count_clicks_and_sliders_pass_values():
    import ipywidgets as widgets

    from lessons.widgets.kit import Panel, new_figure, slider

    seen = []
    fig = new_figure()
    fig.add_subplot()
    panel = Panel({"p": slider("p", low=0, high=1, value=0.5, step=0.1), "resample": widgets.Button()},
                  fig, lambda p, resample: seen.append((p, resample)))
    panel.controls["p"].value = 0.7
    panel.click("resample")
    panel.controls["resample"].click()
    assert seen == [(0.5, 0), (0.7, 0), (0.7, 1), (0.7, 2)]


def test_static_backdrop_survives_savefig_as_the_first_draw():
    """savefig's dry run must not be cached as the backdrop: the saved picture keeps its static text."""
    import io

    import numpy as np
    from PIL import Image

    from lessons.widgets.kit import Panel, StaticBackdrop, as_image, new_figure, slider

    fig = new_figure()
    ax = fig.add_subplot()
    line, = ax.plot([0, 1], [0, 1])
    title = ax.set_title("a static title")
    StaticBackdrop(fig, [(ax, title)])
    Panel({"p": slider("p", low=0, high=1, value=0.5, step=0.1)}, fig, lambda p: line.set_ydata([0, p]))
    pixels = np.asarray(Image.open(io.BytesIO(as_image(fig).data)).convert("L"))
    assert (pixels[: pixels.shape[0] // 8] < 100).sum() > 500, "the title is missing from the saved image"
