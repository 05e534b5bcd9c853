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
