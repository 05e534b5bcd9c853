"""Driving a notebook in JupyterLab from Playwright: open, run all, read errors, move widget controls.

The page is a real JupyterLab (``window.jupyterapp`` is exposed by the test
server): cells run on a real kernel and the widgets are the ipywidgets and
ipympl front ends a student sees.
"""

from __future__ import annotations

import math
import re

#: The widgets' "not ready" notes (lessons/widgets/kit.py): with the reference answers they must never show.
NOT_READY = re.compile(r"Implement [\w`]+ first|Your [\w`]+ raised")
#: A widget that the front end failed to render shows this text instead.
WIDGET_FAILED = re.compile(r"Error displaying widget|Model not found|Failed to load model class")

_CURRENT = "window.jupyterapp && window.jupyterapp.shell.currentWidget"


def open_notebook(page, lab, path: str, workspace: str) -> None:
    """Open ``path`` (relative to the server root) in a fresh workspace; wait for its kernel to be idle."""
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{path}", "reset"))
    page.wait_for_function(f"""(path) => {{ const w = {_CURRENT};
        const k = w && w.context && w.context.path === path && w.sessionContext.session
                  && w.sessionContext.session.kernel;
        return !!k && k.status === 'idle'; }}""", arg=path, timeout=90_000)


def run_all(page, timeout_ms: int = 240_000) -> None:
    """Run every cell; return when all have run and the kernel is idle, or as soon as one raised."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    try:
        page.wait_for_function(f"""() => {{ const w = {_CURRENT};
            const cells = w.content.widgets.filter(c => c.model.type === 'code'
                                                        && c.model.sharedModel.getSource().trim() !== '');
            const raised = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
            const done = cells.every(c => c.model.executionCount !== null);
            return (done || raised) && w.sessionContext.session.kernel.status === 'idle'; }}""",
                               timeout=timeout_ms, polling=250)
    except PlaywrightTimeout:
        waiting = page.evaluate(f"""() => {{ const w = {_CURRENT};
            return w.content.widgets.map((c, i) => [i, c]).filter(([i, c]) => c.model.type === 'code'
                && c.model.sharedModel.getSource().trim() !== '' && c.model.executionCount === null)
                .map(([i, c]) => i); }}""")
        raise AssertionError(f"Run All did not finish within {timeout_ms / 1000:.0f} s: cells {waiting} "
                             f"have not run (kernel still busy?)") from None


def cell_problems(page) -> list[str]:
    """Every error output and stderr stream of the open notebook, as ``cell <n>: ...`` lines."""
    return page.evaluate(f"""() => {{ const out = [];
        {_CURRENT}.content.widgets.forEach((c, i) => {{
            if (c.model.type !== 'code') return;
            for (const o of c.model.outputs.toJSON()) {{
                if (o.output_type === 'error') out.push(`cell ${{i}}: ${{o.ename}}: ${{o.evalue}}`);
                else if (o.output_type === 'stream' && o.name === 'stderr') out.push(`cell ${{i}} stderr: ${{o.text}}`);
            }}
        }});
        return out; }}""")


def output_text(page) -> str:
    """The rendered text of every output area (widgets included)."""
    return page.evaluate("() => Array.from(document.querySelectorAll('.jp-OutputArea'))"
                         ".map(e => e.innerText).join('\\n')")


def panels(page):
    """The lesson widgets: a box whose children include an ipympl figure (see lessons/widgets/kit.Panel)."""
    return page.locator(".widget-vbox:has(> .jupyter-matplotlib)")


#: A fingerprint of a canvas's pixels (FNV-1a over the RGBA words): far cheaper than ``toDataURL``, whose PNG
#: encoding, polled, would take CPU from the kernel that draws the next picture.
_FINGERPRINT = """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const w = new Uint32Array(d.buffer, d.byteOffset, d.byteLength >> 2);
    let h = 2166136261 >>> 0;
    for (let i = 0; i < w.length; i++) { h = Math.imul(h ^ w[i], 16777619) >>> 0; }
    return `${c.width}x${c.height}:${h}`; }"""


def _canvas(panel):
    return panel.locator(".jupyter-matplotlib canvas").first.element_handle()


def canvas_fingerprint(panel) -> str:
    """A fingerprint of the panel's figure; ``0x0`` or a blank canvas means nothing was drawn."""
    return _canvas(panel).evaluate(_FINGERPRINT)


def canvas_is_drawn(panel) -> bool:
    """Whether the figure's canvas holds a picture (not only transparent or one-coloured pixels)."""
    return _canvas(panel).evaluate("""(c) => { if (!c.width || !c.height) return false;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 4; i < d.length; i += 4) {
            if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) return true;
        }
        return false; }""")


def figure_overflow(panel) -> float:
    """By how many CSS pixels the panel's figure runs past the right edge of its output area (0 if it fits)."""
    return panel.evaluate("""(p) => { const c = p.querySelector('.jupyter-matplotlib canvas');
        const o = p.closest('.jp-OutputArea-output');
        return Math.max(0, c.getBoundingClientRect().right - o.getBoundingClientRect().right); }""")


def wait_until_settled(page, panel, timeout_ms: int = 60_000) -> None:
    """Wait until the kernel is idle and the panel's picture has not changed for 0.6 s."""
    page.wait_for_function(f"""(c) => {{ const u = ({_FINGERPRINT})(c), t = performance.now();
        if (c.__last !== u) {{ c.__last = u; c.__since = t; return false; }}
        const k = {_CURRENT}.sessionContext.session.kernel;
        return t - c.__since > 600 && k.status === 'idle'; }}""", arg=_canvas(panel), timeout=timeout_ms,
                           polling=200)


def wait_for_new_picture(page, panel, before: str, timeout_ms: int = 30_000) -> None:
    page.wait_for_function(f"([c, before]) => ({_FINGERPRINT})(c) !== before", arg=[_canvas(panel), before],
                           timeout=timeout_ms, polling=100)


#: The kinds of control a lesson widget may have, with their CSS selectors inside the panel.
CONTROLS = {
    "slider": ".widget-slider .noUi-handle",
    "dropdown": ".widget-dropdown select",
    "checkbox": ".widget-checkbox input[type=checkbox]",
    "button": "button.widget-button",
}


def controls(panel) -> list[tuple[str, object, str]]:
    """The first control of each kind in the panel, as (kind, locator, label); the panel's first control first."""
    found = []
    for kind, selector in CONTROLS.items():
        loc = panel.locator(selector)
        if loc.count():
            first = loc.first
            position = first.evaluate("(e) => Array.from(e.closest('.widget-vbox').querySelectorAll('*')).indexOf(e)")
            label = first.evaluate("""(e) => { const w = e.closest('.widget-checkbox, .widget-inline-hbox, button');
                const d = w.matches('.widget-checkbox, button') ? w : w.querySelector('.widget-label');
                return (d || w).innerText.replace(/\u200b/g, ''); }""")
            found.append((position, kind, first, label.strip()))
    return [(kind, loc, label) for _position, kind, loc, label in sorted(found, key=lambda t: t[0])]


def _slider_value(handle) -> tuple[float, float, float]:
    """(value, min, max) of a noUiSlider handle, in the slider's own units (exponents for a log slider,
    indices for a selection slider). noUiSlider rounds aria-valuenow/min/max to one decimal;
    aria-valuetext holds the unrounded value."""
    return tuple(float(handle.get_attribute(a)) for a in ("aria-valuetext", "aria-valuemin", "aria-valuemax"))


def move(page, kind: str, control, *, fraction: float = 0.1, max_presses: int = 5) -> str:
    """Move a control as a student does; return what was done (for messages).

    A slider is moved with the arrow keys towards the side with more room, by
    about ``fraction`` of its range (one step for a slider of few steps); a
    dropdown selects its next option; a check box or a button is clicked.
    """
    control.scroll_into_view_if_needed()
    if kind == "slider":
        now, low, high = _slider_value(control)
        key = "ArrowLeft" if now - low >= high - now else "ArrowRight"
        control.focus()
        control.press(key)
        page.wait_for_function("([h, v]) => parseFloat(h.getAttribute('aria-valuetext')) !== v",
                               arg=[control.element_handle(), now], timeout=10_000)
        step = abs(_slider_value(control)[0] - now)
        presses = max(1, min(max_presses, math.ceil(fraction * (high - low) / step))) if step else 1
        for _ in range(presses - 1):
            control.press(key)
        return f"slider {now:g} -> {_slider_value(control)[0]:g} ({presses} x {key})"
    if kind == "dropdown":
        index, count = control.evaluate("s => [s.selectedIndex, s.options.length]")
        control.select_option(index=(index + 1) % count)
        return f"dropdown option {index} -> {(index + 1) % count}"
    control.click()
    return f"{kind} clicked"


def predictions(page):
    """The lesson's prediction questions (lessons/predict.py)."""
    return page.locator(".nncourse-prediction")


def answer_prediction(box) -> None:
    """Answer a prediction as a student does: click its first choice, or type a number and press Check."""
    box.scroll_into_view_if_needed()
    choices = box.locator(".widget-toggle-button")
    if choices.count():
        choices.first.click()
    else:
        box.locator("input").first.fill("1")
        box.locator("button", has_text="Check").click()
    box.get_by_text("Your prediction:").wait_for(timeout=15_000)


def rerun_cell_holding(page, selector: str) -> None:
    """Run again the code cell whose output holds ``selector``; return when it has run."""
    index = page.evaluate(f"""(sel) => {_CURRENT}.content.widgets.findIndex(c => c.model.type === 'code'
                                       && c.node.querySelector(sel) !== null)""", selector)
    assert index >= 0, f"no cell shows {selector}"
    count = page.evaluate(f"(i) => {_CURRENT}.content.widgets[i].model.executionCount", index)
    page.evaluate(f"""(i) => {{ const w = {_CURRENT}; w.content.activeCellIndex = i;
                               return window.jupyterapp.commands.execute('notebook:run-cell'); }}""", index)
    page.wait_for_function(f"""([i, n]) => {{ const w = {_CURRENT}; const c = w.content.widgets[i];
        return c.model.executionCount !== null && c.model.executionCount !== n
               && w.sessionContext.session.kernel.status === 'idle'; }}""", arg=[index, count], timeout=30_000)
