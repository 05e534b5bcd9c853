"""The visible checks in a real Jupyter kernel, as a student runs them (nbclient, one kernel for all cases).

The test cell of ``mse`` is lesson 01's own, as released: a summed MSE gets a
few lines naming the likely mistake (from the shipped hints) and no
traceback; a right one gets one line saying how many checks pass; a stub
gets two lines; a function calling one whose checks failed is told which to
fix first; an error of the function itself that a catalogued mistake raises
at that check names the mistake after the error.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from grader.specs import REGISTRY
from tests.notebooks.conftest import ROOT

pytestmark = pytest.mark.lesson01

LESSON = "01-loss-functions"
SUMMED = "def mse(y_pred, y_true):\n    return float(np.sum((np.asarray(y_pred) - y_true) ** 2))"
RIGHT = ("def mse(y_pred, y_true):\n    y_pred, y_true = np.asarray(y_pred, float), np.asarray(y_true, float)\n"
         "    if y_pred.shape != y_true.shape:\n        raise ValueError('shapes differ')\n"
         "    return float(np.mean((y_pred - y_true) ** 2))")
STUB = 'def mse(y_pred, y_true):\n    raise NotImplementedError("mse is not implemented yet: replace this line with your code")'
CALLER = "def mse_grad(y_pred, y_true):\n    return mse(y_pred, y_true) * np.ones_like(y_pred)"
PATCHED_TABLE = ('from lessons import diagnosis\n'
                 'diagnosis._table = lambda: {"mse": [{"check": 1, "kind": "raised", "what": None, '
                 '"got": diagnosis.signature("IndexError"), "mistake": "m", "hint": "index the rows only."}]}')
RAISES = "def mse(y_pred, y_true):\n    return float(y_pred[10])"


def _test_cell(name: str) -> str:
    nb = json.loads((ROOT / "release" / LESSON / f"{LESSON}.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == f"test_{name}":
            return "".join(cell["source"])
    raise KeyError(name)


def _setup_cell() -> str:
    """The release's own set-up cell (NumPy and the check helpers the test cells use)."""
    nb = json.loads((ROOT / "release" / LESSON / f"{LESSON}.ipynb").read_text())
    return next("".join(c["source"]) for c in nb["cells"]
                if c["cell_type"] == "code" and "from lessons.checks import" in "".join(c["source"]))


@pytest.fixture(scope="module")
def ran():
    """Every case's cells run in order in one kernel; returns the outputs of each labelled test cell."""
    mse_test, grad_test = _test_cell("mse"), _test_cell("mse_grad")
    plan = [("setup", _setup_cell()), ("-", SUMMED), ("summed", mse_test), ("-", CALLER), ("cascade", grad_test),
            ("-", RIGHT), ("right", mse_test), ("-", STUB), ("stub", mse_test), ("-", PATCHED_TABLE),
            ("-", RAISES), ("raises", mse_test)]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for _, source in plan]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=60, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return {label: cell.outputs for (label, _), cell in zip(plan, nb.cells) if label != "-"}


def _errors(outputs):
    return [o for o in outputs if o.output_type == "error"]


def _stdout(outputs):
    return "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")


def test_a_failed_check_names_the_likely_mistake_in_a_few_lines(ran):
    (error,) = _errors(ran["summed"])
    lines = [line.replace("\x1b[31m", "").replace("\x1b[1m", "").replace("\x1b[0m", "") for line in error.traceback]
    hint = REGISTRY["mse"].mistake("sum-not-mean").hint
    assert lines == ["mse: visible check 1 failed (line 2 of this cell)",
                     "  mse([1, 2, 3], [1, 2, 5]) is 4, expected 1.33333",
                     f"  Likely mistake: {hint}"]
    assert error.ename == "CheckFailed"
    assert not [o for o in ran["summed"] if o.output_type == "stream" and o.name == "stderr"]


def test_a_passing_cell_says_so_in_one_line(ran):
    assert not _errors(ran["right"])
    out = _stdout(ran["right"]).strip()
    assert out.startswith("mse: ") and out.endswith(
        " visible checks pass; the hidden checks try more cases when you submit."), out
    assert int(out.split()[1]) >= 2


def test_a_stub_gets_two_lines(ran):
    (error,) = _errors(ran["stub"])
    text = "\n".join(error.traceback)
    assert "mse is not implemented yet" in text and "Replace the `raise NotImplementedError(...)` line" in text
    assert "Traceback" not in text and len(error.traceback) == 2


def test_the_function_to_fix_first_is_named(ran):
    (error,) = _errors(ran["cascade"])
    assert ("mse_grad calls your mse, whose visible checks failed when you last ran them: fix mse first"
            in "\n".join(error.traceback))


def test_an_error_a_catalogued_mistake_raises_is_named_after_it(ran):
    (error,) = _errors(ran["raises"])
    assert error.ename == "IndexError"
    assert "Likely mistake: index the rows only." in _stdout(ran["raises"])
