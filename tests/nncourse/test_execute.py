"""Which cells autograding leaves unrun: the widgets and demos, and nothing else."""

from __future__ import annotations

import nbformat
import pytest

from nncourse import authoring
from nncourse.execute import is_display_cell
from tests.notebooks.conftest import ROOT, WRITTEN

pytestmark = pytest.mark.project


def _locked_code_cells(lesson_id: str) -> dict[str, nbformat.NotebookNode]:
    nb = nbformat.read(ROOT / "source" / lesson_id / f"{lesson_id}.ipynb", as_version=4)
    return {cell.metadata.nbgrader["grade_id"]: cell for cell in nb.cells
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("locked")}


@pytest.mark.parametrize("lesson", WRITTEN, ids=lambda lesson: lesson.id)
def test_every_widget_and_demo_cell_is_skipped_and_nothing_else(lesson):
    cells = _locked_code_cells(lesson.id)
    skipped = {gid for gid, cell in cells.items() if is_display_cell(cell)}
    named = {gid for gid in cells if "widget" in gid.split("_") or "demo" in gid.split("_")}
    assert skipped == named, "a widget or demo cell must be a single call whose result is not kept"
    assert skipped, "every lesson has a widget or a demo"
    assert "setup" in cells and "setup" not in skipped


@pytest.mark.parametrize("source, skipped", [
    ("demo(mse, mse_grad)", True),
    ("loss_saturation_widget(mse, binary_cross_entropy)", True),
    ("runs = demo(mse, mse_grad)", False),          # keeps a result a later cell could use
    ("demo(mse)\nx = 1", False),                     # more than the call
    ("import numpy as np", False),
    ("demo(", False),                                # not Python
])
def test_only_a_lone_call_in_a_locked_widget_or_demo_cell_is_skipped(source, skipped):
    assert is_display_cell(authoring.code("demo", source)) is skipped


@pytest.mark.parametrize("cell", [
    authoring.free_code("demo", "demo(mse, mse_grad)"),                              # not locked
    authoring.code("setup", "demo(mse, mse_grad)"),                                 # not a widget or demo
    authoring.code("demonstration", "demo(mse, mse_grad)"),                          # the word, not a prefix
    authoring.graded_test("mse", 1, "mse: checked.", "demo(mse, mse_grad)"),           # a test cell
    authoring.solution("mse", "def mse(y, p):\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION"),
], ids=["unlocked", "setup", "demonstration", "test", "solution"])
def test_other_cells_always_run(cell):
    assert not is_display_cell(cell)
