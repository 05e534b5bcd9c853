"""Building blocks shared by the widgets: figures that update in place, and safe calls.

Every widget is a plain function that takes the student's own functions and
returns a :class:`Panel` (an ``ipywidgets.VBox``).  Its ``controls`` can be
moved from Python (``panel.controls["p"].value = 0.1``), which redraws the
figure in place, so tests and benchmarks drive widgets exactly as a student's
slider does.
"""

from __future__ import annotations

import html
import functools
import io
import time
import warnings
from collections import OrderedDict
from typing import Any, Callable

import ipywidgets as widgets
import numpy as np
import PIL.Image
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine

#: Okabe-Ito colours: distinguishable with every common colour-vision deficiency.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#999999",
}
CYCLE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]


def new_figure(width: float = 8.0, height: float = 3.4, **kwargs) -> Figure:
    """A matplotlib figure drawn by an ipympl canvas widget when ipympl is available.

    The canvas is a real Jupyter widget: changing the figure's artists and
    calling :meth:`Panel.redraw` updates the picture in place in JupyterLab,
    without re-creating it.  Without ipympl (plain Python), an Agg canvas is
    used, so tests can still read the figure's data.
    """
    fig = Figure(figsize=(width, height), layout="constrained", **kwargs)
    try:
        from ipympl.backend_nbagg import FigureManager
    except ImportError:  # pragma: no cover - ipympl is a dependency
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    else:
        canvas = _fast_png_canvas()(fig)
        with warnings.catch_warnings():
            # ipympl 0.10's toolbar passes its canvas on to traitlets, which warns about it.
            warnings.filterwarnings("ignore", "Passing unrecognized arguments", DeprecationWarning)
            FigureManager(canvas, 0)
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.toolbar_position = "right"
    fig.set_facecolor("white")
    return fig


#: zlib level of the PNG frames sent to the browser: matplotlib uses Pillow's default (6), which spends
#: about a third of an update here; level 1 is 30-50% faster and still shrinks a frame of
#: unchanged (zero) pixels to a few kilobytes.
PNG_COMPRESS_LEVEL = 1


@functools.lru_cache(maxsize=1)
def _fast_png_canvas():
    """ipympl's canvas, encoding the frames it sends to the browser with :data:`PNG_COMPRESS_LEVEL`."""
    from ipympl.backend_nbagg import Canvas

    class FastPngCanvas(Canvas):
        def get_diff_image(self):
            # matplotlib's FigureCanvasWebAggCore.get_diff_image (3.11), with a faster PNG level.
            if not self._png_is_old:
                return None
            pixels = np.asarray(self.get_renderer().buffer_rgba())
            buff = pixels.view(np.uint32).squeeze(2)
            if self._force_full or buff.shape != self._last_buff.shape or (pixels[:, :, 3] != 255).any():
                self.set_image_mode("full")
                output = buff
            else:
                self.set_image_mode("diff")
                output = np.where(buff != self._last_buff, buff, 0)
            self._last_buff = buff.copy()
            self._force_full = False
            self._png_is_old = False
            data = output.view(dtype=np.uint8).reshape((*output.shape, 4))
            with io.BytesIO() as png:
                PIL.Image.fromarray(data).save(png, format="png", compress_level=PNG_COMPRESS_LEVEL)
                return png.getvalue()

    return FastPngCanvas


def message_html(text: str) -> str:
    """A plain message as HTML for a widget's status line: escaped, `code` spans as <code>, lines as <br>.

    Messages are written like the Markdown a demo shows (``Implement `mse` first``), and may quote a
    student's exception, which can hold anything (``<lambda>``); an unpaired backtick stays as it is.
    """
    parts = html.escape(text, quote=False).split("`")
    if len(parts) % 2 == 0:  # an odd number of backticks: the last one has no partner
        parts[-2:] = [parts[-2] + "`" + parts[-1]]
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts)).replace("\n", "<br>")


def problem_html(text: str) -> str:
    """A message as the bold, coloured line a widget shows where its plot cannot be drawn."""
    return f"<b style='color:{PALETTE['vermillion']}'>{message_html(text)}</b>"


class NotReady(Exception):
    """A student's function is a stub or failed: the widget shows ``message`` instead of a plot."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def note(self, what: str = "this plot"):
        """The message as a bold Markdown line that a demo or figure returns in place of its picture;
        ``what`` names the picture ("this demo", "this figure")."""
        from IPython.display import Markdown

        return Markdown(f"**{self.message.replace('this plot', what)}**")


def attempt(fn: Callable, *args, **kwargs) -> Any:
    """Call a student's function; turn a stub or an error into :class:`NotReady`.

    A stub (``NotImplementedError``) becomes "implement `name` first"; any
    other exception becomes a one-line description, so a widget never shows
    a traceback.
    """
    name = getattr(fn, "__name__", "this function")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise NotReady(f"Implement `{name}` first (and run its cell): this plot uses it.") from None
    except Exception as exc:  # the student's code may raise anything
        raise NotReady(f"Your `{name}` raised {type(exc).__name__}: {exc}") from None


class Panel(widgets.VBox):
    """A widget: controls, a figure that updates in place, and a line of explanation.

    Parameters
    ----------
    controls : dict of str to ipywidgets.Widget
        The controls, by name; moving any of them calls ``update``.  A
        ``widgets.Button`` passes the number of times it was clicked (so a
        "resample" button gives ``update`` a new value on every click).
    figure : matplotlib.figure.Figure
        Created with :func:`new_figure`.
    update : callable
        ``update(**values)`` receives the controls' current values, changes the
        figure's artists and returns an optional status line (HTML).  It may
        raise :class:`NotReady`, whose message is shown instead.
    help_text : str
        What the controls do, shown above them.
    """

    def __init__(self, controls: dict[str, widgets.Widget], figure: Figure,
                 update: Callable[..., str | None], help_text: str = ""):
        self.controls = controls
        self.figure = figure
        self._update = update
        self.status = widgets.HTML()
        self.last_update_seconds = float("nan")
        self._hidden: list = []  # the axes hidden because the student's function is not ready
        canvas = figure.canvas
        if isinstance(canvas, widgets.DOMWidget):
            view: widgets.Widget = canvas
        else:
            view = widgets.Output()
        self._view = view
        help_html = widgets.HTML(f"<p style='margin:0 0 4px 0'>{help_text}</p>") if help_text else None
        children = ([help_html] if help_html else []) + [
            widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
            self.status,
            view,
        ]
        super().__init__(children)
        self._clicks = {name: 0 for name, c in controls.items() if isinstance(c, widgets.Button)}
        for name, control in controls.items():
            if isinstance(control, widgets.Button):
                control.on_click(lambda _button, name=name: self.click(name))
            else:
                control.observe(self._on_change, names="value")
        self.refresh()
        # Lay the figure out once, then keep that layout: recomputing a constrained layout on
        # every redraw would triple the cost of an update.
        if figure.get_layout_engine() is not None:
            figure.draw_without_rendering()
            figure.set_layout_engine("none")

    def values(self) -> dict[str, Any]:
        return {name: self._clicks[name] if name in self._clicks else c.value
                for name, c in self.controls.items()}

    def click(self, name: str) -> None:
        """Press the button control ``name`` (what a student's click does)."""
        self._clicks[name] += 1
        self.refresh()

    def _on_change(self, change) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute and redraw with the controls' current values."""
        start = time.perf_counter()
        self._show_hidden()  # ``update`` sees (and may change) the axes as it left them
        try:
            message = self._update(**self.values())
            self.status.value = message or ""
            ready = True
        except NotReady as exc:
            self.status.value = problem_html(exc.message)
            ready = False
        self.redraw(ready)
        self.last_update_seconds = time.perf_counter() - start

    def _show_hidden(self) -> None:
        for ax in self._hidden:
            ax.set_visible(True)
        self._hidden = []

    def redraw(self, ready: bool = True) -> None:
        """Show the figure's current state; ``ready=False`` hides the plot while the status explains why.

        Only the axes this method hid are shown again when the widget is ready:
        an axes that the widget's ``update`` hid itself stays hidden.
        """
        if ready:
            self._show_hidden()
        else:
            shown = [ax for ax in self.figure.axes if ax.get_visible()]
            for ax in shown:
                ax.set_visible(False)
            self._hidden.extend(shown)
        canvas = self.figure.canvas
        if isinstance(self._view, widgets.Output):
            from IPython.display import display

            self._view.clear_output(wait=True)
            with self._view:
                display(self.figure)
        else:
            canvas.draw_idle()


def log_slider(description: str, *, low_exp: float, high_exp: float, value: float, step: float = 0.1,
               fmt: str = ".3g") -> widgets.FloatLogSlider:
    """A slider over ``10**low_exp`` to ``10**high_exp`` on a log scale."""
    return widgets.FloatLogSlider(value=value, base=10, min=low_exp, max=high_exp, step=step,
                                  description=description, readout_format=fmt, continuous_update=True,
                                  style={"description_width": "initial"})


def slider(description: str, *, low: float, high: float, value: float, step: float,
           fmt: str = ".2f") -> widgets.FloatSlider:
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               readout_format=fmt, continuous_update=True,
                               style={"description_width": "initial"})


def finite_or_nan(values) -> np.ndarray:
    """An array with infinities replaced by nan, so matplotlib leaves a gap instead of failing."""
    arr = np.array(values, dtype=np.float64)
    arr[~np.isfinite(arr)] = np.nan
    return arr


def as_image(fig, *, dpi: int = 200):
    """The figure as a PNG image that any notebook front end shows.

    A figure on an ipympl canvas, returned from a cell, is shown only as its
    text ``<Figure size ...>`` unless matplotlib's inline backend happens to be
    active, and the demo's picture never changes: a static PNG (drawn at
    ``dpi`` for sharp screens, shown at the figure's size) always displays,
    and stays in saved and graded notebooks.
    """
    from IPython.display import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return Image(data=buffer.getvalue(), format="png", width=int(round(fig.get_figwidth() * 100)))


class StaticBackdrop(Artist):
    """Draws the parts of a figure that never change once, then reuses their pixels.

    Text is the slow part of a matplotlib redraw (each tick label, title and
    legend entry costs about a millisecond here), and in these widgets the
    axes, their labels, legends and contours never change: only lines move.
    This figure-level artist, drawn first, renders the given ``static``
    artists into the canvas once and keeps a copy of the pixels; later draws
    restore that copy and the figure draws only what is left visible.

    The static artists stay visible (and count for the layout) until the
    figure's layout is frozen (``Panel`` does that after the first draw).  The
    copy is remade whenever the canvas size, its resolution or the
    visibility of an axes changes, or after :meth:`invalidate` (call it when
    a "static" artist did change, e.g. new contours), and renderers without
    pixel copies (PDF, SVG) simply get the static artists drawn.

    A hidden title would be re-placed by its axes on every draw (matplotlib
    measures it, finds it empty and moves it up), so the axes of a static
    title keep the position the layout gave it: no ``set_title(..., y=1.0)``
    is needed.

    When the "static" artists depend on a few settings (axis limits that
    follow the data through rounded values, say), ``key`` returns a hashable
    summary of them and one picture is kept per value (the last
    ``max_cached``): a control that keeps the key redraws only the lines.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    static : list of (matplotlib.axes.Axes, Artist)
        Each unchanging artist with the axes it belongs to; it is drawn only
        while that axes is visible.
    key : callable, optional
        Returns a hashable summary of everything the static artists depend
        on; by default they depend on nothing.
    max_cached : int
        How many pictures to keep (one per value of ``key()``).
    """

    def __init__(self, figure, static, key: Callable[[], Any] | None = None, max_cached: int = 1):
        super().__init__()
        self._static = list(static)
        self._summary = key if key is not None else (lambda: None)
        self._max_cached = max_cached
        self._pictures: OrderedDict = OrderedDict()
        self._active = False
        self.set_zorder(-100)
        figure.add_artist(self)

    def _frozen(self) -> bool:
        return not isinstance(self.figure.get_layout_engine(), (ConstrainedLayoutEngine, TightLayoutEngine))

    def _draw_static(self, renderer) -> None:
        for axes, artist in self._static:
            if axes.get_visible():
                artist.set_visible(True)
                artist.draw(renderer)
                artist.set_visible(False)

    def draw(self, renderer) -> None:
        if not self._frozen():
            return  # the static artists are still drawn by their axes
        if not self._active:
            for axes, artist in self._static:
                artist.set_visible(False)
                if artist in (axes.title, axes._left_title, axes._right_title):
                    # Keep the titles where the layout put them (``set_title(y=...)`` does the same).
                    axes._autotitlepos = False
            self._active = True
        if not hasattr(renderer, "copy_from_bbox") or "draw_path" in vars(renderer):
            # Vector output, or savefig's dry run (matplotlib then shadows the renderer's drawing
            # methods on the instance, and copied pixels would be blank): draw, cache nothing.
            self._draw_static(renderer)
            return
        key = (id(renderer), renderer.width, renderer.height, self.figure.dpi,
               tuple(axes.get_visible() for axes, _ in self._static), self._summary())
        picture = self._pictures.get(key)
        if picture is None:
            self._draw_static(renderer)
            self._pictures[key] = renderer.copy_from_bbox(self.figure.bbox)
            while len(self._pictures) > self._max_cached:
                self._pictures.popitem(last=False)
        else:
            self._pictures.move_to_end(key)
            renderer.restore_region(picture)

    def invalidate(self) -> None:
        """Forget the cached pixels: the next draw draws the static artists again (after changing one)."""
        self._pictures.clear()
        self.stale = True


def static_parts(ax, *extra, collections: bool = False, texts: bool = False) -> list:
    """The artists of ``ax`` that never change, bottom first, for :class:`StaticBackdrop`.

    Background, ``collections`` (contours, fills) if asked, axes (ticks,
    labels), spines, titles, ``texts`` if asked, ``extra`` artists and the
    legend.  Lines are left out: they are what an update moves.
    """
    parts = [ax.patch, *(ax.collections if collections else ()), ax.xaxis, ax.yaxis, *ax.spines.values(),
             ax.title, ax._left_title, ax._right_title, *(ax.texts if texts else ()), *extra]
    if ax.get_legend() is not None:
        parts.append(ax.get_legend())
    return [(ax, artist) for artist in parts]
