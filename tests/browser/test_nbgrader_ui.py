"""nbgrader's own user interface in the test JupyterLabs: the Validate button and the formgrader, and which
of nbgrader's menus each audience sees (a student's lab has the Validate button and nothing of the
instructor's; an instructor's has the Nbgrader menu and the formgrader).

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
def test_formgrader_opens_for_the_instructor_with_the_course_assignments(page, instructor_lab):
    lab = instructor_lab
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


#: nbgrader's JupyterLab plugins that serve only the instructor.
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:menu", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                      "@jupyter/nbgrader:assignment-list")


def _menus_and_plugins(page, lab, workspace: str) -> tuple[list[str], dict[str, bool]]:
    """Open a notebook of the course; the main menu bar's titles, and which instructor plugins are loaded."""
    nb.open_notebook(page, lab, f"work/{LESSON}/{LESSON}.ipynb", workspace)
    menus = page.locator("#jp-top-panel .lm-MenuBar-itemLabel").all_inner_texts()
    plugins = page.evaluate("(ids) => Object.fromEntries(ids.map(id => [id, window.jupyterapp.hasPlugin(id)]))",
                            list(INSTRUCTOR_PLUGINS))
    return menus, plugins


def _status(lab, path: str) -> int:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(lab.url(path), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.project
def test_the_student_lab_hides_the_instructor_menus_and_the_news(page, lab):
    menus, plugins = _menus_and_plugins(page, lab, "student-menus")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "student-lab.png"))
    assert "File" in menus and "Nbgrader" not in menus, menus
    assert not any(plugins.values()), f"instructor plugins loaded in the student's lab: {plugins}"
    assert page.locator(".jp-NotebookPanel-toolbar .validate-button").count() == 1, "the Validate button is gone"
    assert _status(lab, "formgrader") == 404
    page.wait_for_timeout(1500)  # the news question would appear within a second of opening
    toasts = page.locator(".jp-Notification-Toast, .Toastify__toast").all_inner_texts()
    assert not any("news" in t.lower() for t in toasts), toasts
    assert not js_errors(page), js_errors(page)


@pytest.mark.project
def test_the_instructor_lab_keeps_the_nbgrader_menu(page, instructor_lab):
    menus, plugins = _menus_and_plugins(page, instructor_lab, "instructor-menus")
    assert "Nbgrader" in menus, menus
    assert plugins["@jupyter/nbgrader:menu"] and plugins["@jupyter/nbgrader:create-assignment"], plugins
    assert _status(instructor_lab, "formgrader") in (200, 302)


@pytest.mark.project
def test_opening_and_closing_a_notebook_without_edits_leaves_the_file_untouched(page, lab):
    """The student's copy, made as ``make lab`` makes it (``lessons.workspace``), opened, left alone while the
    kernel starts, and closed: JupyterLab must not count it as modified, ask to save it or rewrite it."""
    from lessons.workspace import sync

    sync(lab.root / "release", lab.root / "open-close")
    target = lab.root / "open-close" / LESSON / f"{LESSON}.ipynb"
    before, mtime = target.read_bytes(), target.stat().st_mtime_ns
    nb.open_notebook(page, lab, target.relative_to(lab.root).as_posix(), "open-close")
    page.wait_for_timeout(1500)  # the kernel's info reply and the widgets' start-up have arrived
    dirty = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.dirty")
    assert not dirty, "opening the notebook marked it as modified (JupyterLab would autosave it)"
    page.evaluate("() => window.jupyterapp.commands.execute('application:close')")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget"
                           " || !window.jupyterapp.shell.currentWidget.context", timeout=15_000)
    assert page.locator(".jp-Dialog").count() == 0, "closing asked whether to save an unedited notebook"
    assert target.read_bytes() == before and target.stat().st_mtime_ns == mtime, "the notebook was rewritten"
