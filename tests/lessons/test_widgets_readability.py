"""Every widget is readable without colour: labelled axes, legends, Okabe-Ito colours, distinct line styles.

Built with the reference functions, each widget's figure is checked for:
a label on both axes of every plot (shared axes may carry it on a sibling),
a legend wherever several labelled lines share a plot, colours from the
kit's Okabe-Ito palette only, legend entries that differ by more than their
colour (line style or marker), and a sentence explaining the controls.
"""

from __future__ import annotations

import pytest
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D

from lessons.widgets.kit import PALETTE

from .test_widgets_in_place import WIDGETS

OKABE_ITO = {to_hex(c) for c in PALETTE.values()} | {"#ffffff"}


def _label(ax, which: str) -> str:
    siblings = (ax.get_shared_x_axes() if which == "x" else ax.get_shared_y_axes()).get_siblings(ax)
    return " ".join((s.get_xlabel() if which == "x" else s.get_ylabel()) for s in siblings).strip()


def _params():
    return [pytest.param(name, marks=mark, id=name) for name, (mark, _) in WIDGETS.items()]


@pytest.fixture(scope="module")
def panels():
    return {}


def _panel(panels, name):
    if name not in panels:
        panels[name] = WIDGETS[name][1]()
    return panels[name]


@pytest.mark.parametrize("name", _params())
def test_every_plot_has_both_axis_labels(panels, name):
    fig = _panel(panels, name).figure
    for ax in fig.axes:
        where = ax.get_title() or repr(ax)
        assert _label(ax, "x"), f"{name}: the axes {where!r} has no x label"
        assert _label(ax, "y"), f"{name}: the axes {where!r} has no y label"


@pytest.mark.parametrize("name", _params())
def test_several_labelled_lines_get_a_legend(panels, name):
    fig = _panel(panels, name).figure
    for ax in fig.axes:
        labelled = [line for line in ax.lines if not line.get_label().startswith("_") and len(line.get_xdata())]
        colours = {to_hex(line.get_color()) for line in labelled}
        if len(colours) > 1:
            assert ax.get_legend() is not None or fig.legends, f"{name}: {ax.get_title()!r} needs a legend"


@pytest.mark.parametrize("name", _params())
def test_lines_and_markers_use_the_okabe_ito_palette(panels, name):
    fig = _panel(panels, name).figure
    for ax in fig.axes:
        for line in ax.lines:
            drawn = [line.get_color()] if line.get_linestyle() not in ("None", "none", "") else []
            if line.get_marker() not in ("None", "none", "", None):
                drawn += [line.get_markerfacecolor(), line.get_markeredgecolor()]
            for colour in drawn:
                if isinstance(colour, str) and colour.lower() == "none":
                    continue
                assert to_hex(colour) in OKABE_ITO, f"{name}: {line.get_label()!r} is drawn in {to_hex(colour)}"


@pytest.mark.parametrize("name", _params())
def test_legend_entries_differ_by_more_than_colour(panels, name):
    fig = _panel(panels, name).figure
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    for legend in legends:
        lines = [h for h in legend.legend_handles if isinstance(h, Line2D)]
        looks = [(h.get_linestyle(), h.get_marker()) for h in lines]
        assert len(set(looks)) == len(looks), f"{name}: two legend entries differ only by colour: {looks}"


@pytest.mark.parametrize("name", _params())
def test_the_panel_says_what_its_controls_do(panels, name):
    panel = _panel(panels, name)
    help_text = panel.children[0].value
    assert len(help_text) > 80
    for control in panel.controls.values():
        words = (control.description or "").replace("×", "").split()
        assert words, f"{name}: a control has no description"
