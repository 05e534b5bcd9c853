"""Lessons in a real JupyterLab: run every cell, move the widget's slider, see the plot change."""

from __future__ import annotations

import json
import re

import pytest

from grader import pipeline

from .conftest import ARTIFACTS, ROOT, Lab

#: Cell classes that mean "this cell raised".
ERROR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


def _student_with_answers(lesson_id: str, dest):
    """The release notebook with the reference answers written into its solution cells."""
    source = json.loads(pipeline.notebook_path(ROOT, "source", lesson_id).read_text())
    answers = {}
    for cell in source["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            text = "".join(cell["source"])
            answers[meta["grade_id"]] = re.sub(r"\n\s*### (BEGIN|END) SOLUTION", "", text)
    released = json.loads(pipeline.notebook_path(ROOT, "release", lesson_id).read_text())
    for cell in released["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(released))


def _canvas_image(page) -> str:
    return page.evaluate("""() => {
        const c = document.querySelector('.jupyter-matplotlib-figure canvas, .jupyter-matplotlib canvas');
        return c ? c.toDataURL() : '';
    }""")


def _kernel_idle(page) -> bool:
    return page.evaluate("""() => {
        const w = window.jupyterapp.shell.currentWidget;
        const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
        return !!k && k.status === 'idle';
    }""")


def _open_and_run_all(page, lab, lesson_id: str) -> None:
    page.goto(lab.url(f"lab/tree/{lesson_id}/{lesson_id}.ipynb"))
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext", timeout=60_000)
    page.wait_for_function("""() => { const s = window.jupyterapp.shell.currentWidget.sessionContext;
                                      return s.session && s.session.kernel; }""", timeout=60_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(".jupyter-matplotlib canvas", timeout=120_000)
    page.wait_for_function("""() => {
        const w = window.jupyterapp.shell.currentWidget;
        const cells = w.content.widgets.filter(c => c.model.type === 'code');
        return cells.every(c => c.model.executionCount !== null)
            && w.sessionContext.session.kernel.status === 'idle'; }""", timeout=180_000)


def _move_first_slider(page, presses: int, key: str) -> None:
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    handle.focus()
    for _ in range(presses):
        handle.press(key)


#: Lessons covered here, with the key that moves their first slider.
LESSONS = [
    pytest.param("01-loss-functions", "ArrowLeft", marks=pytest.mark.lesson01, id="01-loss-functions"),
    pytest.param("03-mini-batch", "ArrowRight", marks=pytest.mark.lesson03, id="03-mini-batch"),
]


@pytest.mark.parametrize("lesson_id, key", LESSONS)
def test_lesson_runs_and_its_widget_responds(browser, tmp_path, lesson_id, key):
    _student_with_answers(lesson_id, tmp_path / lesson_id / f"{lesson_id}.ipynb")
    lab = Lab(tmp_path)
    errors: list[str] = []
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        _open_and_run_all(page, lab, lesson_id)
        assert page.locator(ERROR_OUTPUT).count() == 0, "a cell raised: " + page.locator(ERROR_OUTPUT).first.inner_text()
        before = _canvas_image(page)
        if lesson_id == "01-loss-functions":
            status = page.locator(".widget-html-content").filter(has_text="MSE loss").first
            assert status.inner_text().startswith("p = 0.500")
        _move_first_slider(page, 3 if lesson_id != "01-loss-functions" else 20, key)
        if lesson_id == "01-loss-functions":
            page.wait_for_function("() => Array.from(document.querySelectorAll('.widget-html-content'))"
                                   ".some(e => e.innerText.startsWith('p = 0.300'))", timeout=30_000)
        page.wait_for_function(f"() => {{ const c = document.querySelector('.jupyter-matplotlib canvas');"
                               f" return c && c.toDataURL() !== {json.dumps(before)}; }}", timeout=30_000)
        after = _canvas_image(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{lesson_id}.png"), full_page=False)
        assert before and after, "the ipympl canvas did not render"
        assert before != after, "moving the slider did not change the plot"
        assert not errors, errors
    finally:
        lab.stop()
