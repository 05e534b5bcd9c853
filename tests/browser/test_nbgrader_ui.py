"""nbgrader's own user interface in the test JupyterLab: the Validate button and the formgrader.

The Validate button (nbgrader's JupyterLab extension) asks the server
extension ``validate_assignment`` to run the notebook and shows nbgrader's
dialog; the formgrader (server extension ``formgrader``) lists the course's
assignments from ``source/``. Both use the course's ``nbgrader_config.py``,
loaded from the server's working directory (the copy of the course).
"""

from __future__ import annotations

import shutil

import pytest

from . import notebook_page as nb
from .conftest import ARTIFACTS, js_errors
from .student import released_lessons

#: The lesson whose notebook is validated: the quickest to run.
LESSON = "01-loss-functions"


def _validate(page, lab, path: str, workspace: str):
    """Open ``path``, press nbgrader's Validate button and return the result dialog."""
    nb.open_notebook(page, lab, path, workspace)
    button = page.locator(".jp-NotebookPanel-toolbar .validate-button").first
    button.click()
    dialog = page.locator(".jp-Dialog.nbgrader-SuccessDialog, .jp-Dialog.nbgrader-ErrorDialog")
    dialog.first.wait_for(timeout=240_000)
    return dialog.first


def _copy(lab, kind: str, name: str) -> str:
    """A copy of the course copy's ``<kind>`` notebook in its own folder (the validator may save into it)."""
    source = lab.root / kind / LESSON / f"{LESSON}.ipynb"
    dest = lab.root / name / LESSON / f"{LESSON}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, dest)
    return dest.relative_to(lab.root).as_posix()


@pytest.mark.lesson01
def test_validate_button_passes_the_notebook_with_the_reference_answers(page, lab):
    dialog = _validate(page, lab, _copy(lab, "work", "validate-answers"), "validate-answers")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "validate-success.png"))
    message = dialog.locator("#validation-message")
    assert "nbgrader-SuccessDialog" in dialog.get_attribute("class"), message.inner_text()
    assert "validation-success" in message.get_attribute("class")
    assert "Success! Your notebook passes all the tests." in message.inner_text()
    assert not js_errors(page), js_errors(page)


@pytest.mark.lesson01
def test_validate_button_fails_the_released_stubs_and_shows_why(page, lab):
    dialog = _validate(page, lab, _copy(lab, "release", "validate-stubs"), "validate-stubs")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "validate-failure.png"))
    message = dialog.locator("#validation-message")
    assert "nbgrader-ErrorDialog" in dialog.get_attribute("class"), message.inner_text()
    assert "validation-failed" in message.get_attribute("class")
    text = message.inner_text()
    assert "The following cell failed" in text
    assert "NotImplementedError" in text and "mse" in text, text[:2000]
    assert not js_errors(page), js_errors(page)


@pytest.mark.project
def test_formgrader_opens_for_the_instructor_with_the_course_assignments(page, lab):
    page.goto(lab.url("formgrader"))
    page.wait_for_url("**/formgrader/manage_assignments**", timeout=60_000)
    names = page.locator("#main-table td.name a")
    names.first.wait_for(timeout=60_000)
    page.wait_for_function("(n) => document.querySelectorAll('#main-table td.name a').length >= n",
                           arg=len(released_lessons()), timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "formgrader.png"), full_page=True)
    listed = sorted(names.all_inner_texts())
    assert listed == released_lessons(), f"formgrader lists {listed}"
    assert not js_errors(page), js_errors(page)
