"""Every released lesson in a real JupyterLab: run all cells, move every widget's controls, see the plot change,
answer a prediction question, and open the answer to a question of the prose.

The notebook is the student's release with the reference answers filled in
(``student.py``). For each widget the first control of each kind (slider,
dropdown, check box, button) is moved as a student moves it, and the ipympl
canvas must show a new picture each time. Screenshots of each lesson and of
each widget after each move go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import pytest

from . import notebook_page as nb
from .conftest import ARTIFACTS, VIEWPORT, js_errors
from .student import released_lessons

LESSONS = [pytest.param(lid, marks=getattr(pytest.mark, f"lesson{lid[:2]}"), id=lid) for lid in released_lessons()]


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_lesson_runs_and_every_widget_responds(page, lab, lesson_id):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    nb.open_notebook(page, lab, f"work/{lesson_id}/{lesson_id}.ipynb", workspace=f"w{lesson_id[:2]}")
    nb.run_all(page)
    problems = nb.cell_problems(page)
    assert not problems, f"{lesson_id}: cells raised or wrote to stderr:\n" + "\n".join(problems)
    text = nb.output_text(page)
    for pattern in (nb.NOT_READY, nb.WIDGET_FAILED):
        found = pattern.search(text)
        assert not found, f"{lesson_id}: an output shows {found.group(0)!r} with the reference answers filled in"

    panels = nb.panels(page)
    count = panels.count()
    assert count >= 1, f"{lesson_id}: no widget with an ipympl figure rendered"
    panels.first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{lesson_id}.png"))
    for index in range(count):
        panel = panels.nth(index)
        panel.scroll_into_view_if_needed()
        nb.wait_until_settled(page, panel)
        overflow = nb.figure_overflow(panel)
        assert overflow <= 1, (f"{lesson_id}: widget {index + 1}'s figure is cut off: it runs {overflow:.0f} px past "
                               f"the output area in a {VIEWPORT['width']}-px-wide JupyterLab with the file browser open")
        controls = nb.controls(panel)
        assert controls, f"{lesson_id}: widget {index + 1} has no slider, dropdown, check box or button"
        for kind, control, label in controls:
            assert nb.canvas_is_drawn(panel), f"{lesson_id}: widget {index + 1}'s canvas shows no picture"
            before = nb.canvas_fingerprint(panel)
            done = nb.move(page, kind, control)
            try:
                nb.wait_for_new_picture(page, panel, before)
            except Exception as exc:
                raise AssertionError(f"{lesson_id}, widget {index + 1}, {kind} {label!r}: {done}, "
                                     f"but the plot did not change ({type(exc).__name__})") from None
            nb.wait_until_settled(page, panel)
            panel.screenshot(path=str(ARTIFACTS / f"{lesson_id}-widget{index + 1}-{kind}.png"))
        text = panel.inner_text()
        found = nb.NOT_READY.search(text)
        assert not found, f"{lesson_id}, widget {index + 1}: {found.group(0)!r} after moving its controls"
    problems = nb.cell_problems(page)
    assert not problems, f"{lesson_id}: moving the widgets made cells raise:\n" + "\n".join(problems)

    # Predict, then reveal: the answer and why appear only once answered, and running the cell again keeps them.
    questions = nb.predictions(page)
    assert questions.count() >= 2, f"{lesson_id}: fewer than two prediction questions"
    first = questions.first
    assert "Your prediction:" not in first.inner_text(), f"{lesson_id}: the answer shows before the student answers"
    nb.answer_prediction(first)
    revealed = first.inner_text()
    assert "Right." in revealed or "Not quite" in revealed, revealed
    page.screenshot(path=str(ARTIFACTS / f"{lesson_id}-prediction.png"))
    nb.rerun_cell_holding(page, ".nncourse-prediction")
    first = nb.predictions(page).first
    first.get_by_text("Your prediction:").wait_for(timeout=15_000)
    assert first.inner_text() == revealed, f"{lesson_id}: running the cell again lost the answer"

    # The questions of the prose keep their answers in closed details blocks, whose Markdown and math render.
    answers = page.locator(".jp-RenderedMarkdown details")
    assert answers.count() >= 1, f"{lesson_id}: no question of the prose keeps its answer in a details block"
    block = answers.first
    block.scroll_into_view_if_needed()
    assert not block.evaluate("d => d.open"), f"{lesson_id}: an answer shows before the student opens it"
    block.locator("summary").click()
    page.wait_for_function("d => d.open", arg=block.element_handle())
    answer = block.inner_text()
    assert block.locator("p").count() >= 1, f"{lesson_id}: the Markdown inside a details block did not render: {answer!r}"
    assert "$" not in answer and "**" not in answer, f"{lesson_id}: raw Markdown or math in an answer: {answer!r}"
    block.screenshot(path=str(ARTIFACTS / f"{lesson_id}-answer.png"))
    errors = js_errors(page)
    assert not errors, f"{lesson_id}: JavaScript errors in the page:\n" + "\n".join(errors)


@pytest.mark.lesson01
def test_a_widget_waiting_for_a_stub_shows_its_name_as_code(page, lab):
    """Before the student implements a function, the widget's note names it as code, not between backticks."""
    import json

    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}
             for source in ("from lessons.widgets.losses import loss_saturation_widget\n\n"
                            "def mse(y_true, y_pred):\n    raise NotImplementedError('mse is not implemented yet')\n\n"
                            "def binary_cross_entropy(y_true, p):\n    raise NotImplementedError('not yet')",
                            "loss_saturation_widget(mse, binary_cross_entropy)")]
    path = lab.root / "stub-widget" / "stub.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                           "language": "python"}},
                                "nbformat": 4, "nbformat_minor": 5}))
    nb.open_notebook(page, lab, "stub-widget/stub.ipynb", workspace="stub")
    nb.run_all(page)
    panel = nb.panels(page).first
    panel.wait_for(timeout=30_000)
    note = panel.locator("b", has_text="Implement").first
    note.wait_for(timeout=30_000)
    assert note.locator("code").first.inner_text() == "mse"
    assert "`" not in note.inner_text() and note.inner_text().startswith("Implement mse first"), note.inner_text()
    assert nb.NOT_READY.search(panel.inner_text()), "the pattern the other tests look for no longer matches a note"
