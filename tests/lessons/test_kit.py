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


def _pixels(fig):
    import numpy as np

    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def test_a_static_title_stays_where_the_layout_put_it():
    """No ``set_title(..., y=1.0)`` needed: a title hidden by the backdrop does not drift up on redraws."""
    from lessons.widgets.kit import Panel, StaticBackdrop, new_figure, slider, static_parts

    fig = new_figure()
    ax = fig.add_subplot()
    line, = ax.plot([0, 1], [0, 1])
    ax.set_title("a static title")
    StaticBackdrop(fig, static_parts(ax))
    panel = Panel({"p": slider("p", low=0, high=1, value=0.5, step=0.1)}, fig, lambda p: line.set_ydata([0, p]))
    placed = ax.title.get_position()  # where the layout pass, with the title visible, put it
    assert placed[1] == 1.0
    for value in (0.1, 0.2, 0.3):
        panel.controls["p"].value = value
        fig.canvas.draw()
        assert ax.title.get_position() == placed
    ax.title.set_visible(True)  # the backdrop hides it between its own draws
    top = ax.title.get_window_extent(fig.canvas.get_renderer()).ymax
    assert top <= fig.bbox.ymax, "the title has moved off the figure"


def test_static_backdrop_invalidate_redraws_a_changed_static_artist():
    import numpy as np

    from lessons.widgets.kit import Panel, StaticBackdrop, new_figure, slider

    fig = new_figure()
    ax = fig.add_subplot()
    line, = ax.plot([0, 1], [0, 1])
    label = ax.text(0.5, 0.5, "", fontsize=30, transform=ax.transAxes)
    backdrop = StaticBackdrop(fig, [(ax, ax.patch), (ax, label)])
    Panel({"p": slider("p", low=0, high=1, value=0.5, step=0.1)}, fig, lambda p: line.set_ydata([0, p]))
    blank = _pixels(fig)
    label.set_text("CHANGED")
    assert np.array_equal(_pixels(fig), blank), "without invalidate the cached pixels are reused"
    backdrop.invalidate()
    assert not np.array_equal(_pixels(fig), blank), "after invalidate the new text is drawn"


def test_redraw_hides_the_plot_while_not_ready_and_keeps_axes_the_widget_hid():
    from lessons.widgets.kit import NotReady, Panel, new_figure, slider

    fig = new_figure()
    shown, hidden = fig.subplots(1, 2)

    def update(p):
        hidden.set_visible(False)  # this widget never shows its second axes
        if p > 0.5:
            raise NotReady("not yet")

    panel = Panel({"p": slider("p", low=0, high=1, value=0.2, step=0.1)}, fig, update)
    assert shown.get_visible() and not hidden.get_visible()
    panel.controls["p"].value = 0.9
    assert not shown.get_visible() and not hidden.get_visible()
    assert "not yet" in panel.status.value
    panel.controls["p"].value = 0.1
    assert shown.get_visible() and not hidden.get_visible()


def test_one_blas_thread_limits_blas_inside_the_block_only():
    import numpy as np
    from threadpoolctl import threadpool_info

    from lessons.blas import one_blas_thread

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    assert before, "NumPy's BLAS should be visible to threadpoolctl"
    with one_blas_thread():
        assert all(n == 1 for n in blas_threads())
        product = np.ones((20, 10)) @ np.ones((10, 5))
    assert blas_threads() == before
    np.testing.assert_array_equal(product, np.full((20, 5), 10.0))


def test_the_frames_sent_to_the_browser_rebuild_the_rendered_pixels():
    """The faster PNG frames: a full frame, then diffs (zero where unchanged), decode to what Agg drew."""
    import io

    import numpy as np
    from PIL import Image

    from lessons.widgets.kit import new_figure

    fig = new_figure()
    ax = fig.add_subplot()
    line, = ax.plot([0, 1], [0, 1])
    canvas = fig.canvas
    sent = []
    canvas.send_binary = sent.append  # what ipympl would send over the comm
    canvas.draw()
    shown = np.asarray(Image.open(io.BytesIO(sent[-1])).convert("RGBA")).copy()
    assert canvas._image_mode == "full"
    np.testing.assert_array_equal(shown, np.asarray(canvas.buffer_rgba()))
    for y in (0.2, 0.7):
        line.set_ydata([y, 1 - y])
        canvas.draw()
        assert canvas._image_mode == "diff"
        frame = np.asarray(Image.open(io.BytesIO(sent[-1])).convert("RGBA"))
        changed = frame.view(np.uint32)[..., 0] != 0
        assert 0 < changed.mean() < 0.2
        shown[changed] = frame[changed]
        np.testing.assert_array_equal(shown, np.asarray(canvas.buffer_rgba()))


def test_a_widgets_message_shows_code_as_code_and_never_as_markup():
    from lessons.widgets.kit import message_html, problem_html

    assert message_html("Implement `mse` first (and run its cell)") == "Implement <code>mse</code> first (and run its cell)"
    # A student's exception can say anything: it is text, not HTML.
    assert message_html("Your `f` raised TypeError: <lambda>() takes 1 argument & more") == (
        "Your <code>f</code> raised TypeError: &lt;lambda&gt;() takes 1 argument &amp; more")
    assert message_html("a `b` and a stray ` here") == "a <code>b</code> and a stray ` here"  # the unpaired one stays
    assert message_html("two\nlines") == "two<br>lines"
    assert "`" not in problem_html("Implement `mse` first") and "<code>mse</code>" in problem_html("Implement `mse` first")


def test_a_stub_in_a_widget_shows_its_name_as_code():
    import ipywidgets

    from lessons.widgets.kit import Panel, attempt, new_figure
    from tests.lessons.stubs import stub

    fig = new_figure(2, 2)
    fig.subplots()

    def update(x):
        attempt(stub("mse"), x)
        return "drawn"

    panel = Panel({"x": ipywidgets.FloatSlider(value=1.0)}, fig, update, "")
    assert "Implement <code>mse</code> first" in panel.status.value and "`" not in panel.status.value
