"""Cheating gains no points: lesson 01 submissions that attack the grader, through real ``nbgrader autograde``.

The grading kernel only probes the student's functions; the hidden tests are
judged by ``JudgeProbes`` in the grading process, from the payload alone,
with the function's name and points read from the cell source nbgrader
restored from the gradebook.  Each test below autogrades one submission in
a temporary course copy and checks every test cell's score against what the
functions earn honestly:

- an honest complete submission: full marks;
- a submission whose kernel replaces the grader (``grader.check`` patched,
  its internals patched, ``sys.modules["grader"]`` replaced): zero
  everywhere, since no probe data reaches the judge;
- a submission that patches NumPy's comparisons, the builtins and the
  grader's in-kernel judging, and edits or deletes hidden test cells: the
  two planted mistakes still lose their points, the honest functions keep
  theirs;
- a submission that forges probe payloads (displayed from a solution cell,
  printed, displayed by the graded function itself), imports ``solutions``,
  reads the reference from disk, or calls ``lessons`` in a graded function:
  no points for any of them.  Reading ``solutions/*.py`` from disk is only
  blocked when the sandbox hides ``solutions/`` (``nncourse.sandbox.HIDE_SOLUTIONS``).

The last tests run ``JudgeProbes`` on single cells: only exactly one probe
payload, displayed in a test cell that neither failed nor wrote to stderr,
is judged, and the name and points come from the strictly parsed source.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nncourse import pipeline
from grader.check import evaluate, probe_payload
from grader.probe_codec import MIME
from tests.notebooks.conftest import ROOT, copy_course

LESSON = "01-loss-functions"
FULL = {"test_mse": 2.0, "test_mse_grad": 2.0, "test_binary_cross_entropy": 2.0,
        "test_categorical_cross_entropy": 3.0, "test_accuracy": 1.0}

pytestmark = [pytest.mark.project, pytest.mark.lesson01]


def _planted() -> dict[str, str]:
    """The two subtle mistakes of lesson 01 that pass the visible checks (name -> code)."""
    namespace: dict = {}
    path = ROOT / "tests" / "notebooks" / "planted" / f"{LESSON}.py"
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return {name: code.strip() for name, _, code in namespace["PLANTED"]}


PLANTED = _planted()


def _earned(name: str, code: str) -> float:
    """What ``code`` (defining ``name``) earns when judged honestly, in this process."""
    namespace = {"np": np}
    exec(code, namespace)
    return evaluate(name, namespace[name], forbidden=("lessons",)).score(FULL[f"test_{name}"])


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = copy_course(tmp_path_factory.mktemp("cheating") / "course", LESSON)
    pipeline.generate(root, LESSON)
    return root


def _source_cells() -> list[dict]:
    return json.loads((ROOT / "source" / LESSON / f"{LESSON}.ipynb").read_text())["cells"]


def _grade_id(cell: dict) -> str | None:
    return cell["metadata"].get("nbgrader", {}).get("grade_id")


def _autograde(course: Path, tmp_path: Path, student: str, cells: list[dict]) -> tuple[dict, dict]:
    """Submit a notebook made of ``cells`` as ``student``; (scores by test cell, their output text)."""
    nb = json.loads((ROOT / "source" / LESSON / f"{LESSON}.ipynb").read_text())
    nb["cells"] = cells
    path = tmp_path / f"{student}.ipynb"
    path.write_text(json.dumps(nb))
    pipeline.submit(course, LESSON, student, path)
    pipeline.autograde(course, LESSON, student)
    scores = {g: s.score for g, s in pipeline.scores(course, LESSON, student).items()}
    graded = json.loads(pipeline.notebook_path(course, "autograded", LESSON, student).read_text())
    texts = {}
    for cell in graded["cells"]:
        if cell["cell_type"] == "code" and (_grade_id(cell) or "").startswith("test_"):
            texts[_grade_id(cell)] = "".join(
                "".join(o.get("text", "")) for o in cell.get("outputs", []) if o["output_type"] == "stream")
    return scores, texts


def _with(cells: list[dict], grade_id: str, source: str) -> None:
    for cell in cells:
        if _grade_id(cell) == grade_id:
            cell["source"] = source
            return
    raise AssertionError(f"no cell {grade_id}")


def _source_of(cells: list[dict], grade_id: str) -> str:
    return next("".join(c["source"]) for c in cells if _grade_id(c) == grade_id)


def test_an_honest_complete_submission_gets_full_marks(course, tmp_path):
    scores, texts = _autograde(course, tmp_path, "honest", _source_cells())
    assert scores == FULL, texts
    assert all("checks passed" in texts[g] for g in FULL), texts


def test_replacing_the_grader_in_the_kernel_scores_zero(course, tmp_path):
    cells = _source_cells()
    # test_mse: the package's check function replaced.
    _with(cells, "mse", _source_of(cells, "mse") + "\n\nimport grader\n"
          "grader.check = lambda name, fn, points=1.0: points\n")
    # test_mse_grad and test_binary_cross_entropy: check restored, its internals patched to judge
    # in the kernel and to award full marks there.
    _with(cells, "mse_grad", _source_of(cells, "mse_grad") + "\n\nimport grader.check as _gc\n"
          "grader.check = _gc.check\n"
          "_gc.probe_only = lambda: False\n"
          "_gc.grade = lambda name, fn, points, **kwargs: points\n")
    # test_categorical_cross_entropy and test_accuracy: a fake grader package.
    _with(cells, "categorical_cross_entropy", _source_of(cells, "categorical_cross_entropy") + "\n\n"
          "import sys, types\n"
          "_fake = types.ModuleType('grader')\n"
          "_fake.check = lambda name, fn, points=1.0: float(points)\n"
          "sys.modules['grader'] = _fake\n")
    scores, texts = _autograde(course, tmp_path, "replaced", cells)
    assert scores == dict.fromkeys(FULL, 0.0), texts
    assert all("no record of the checks" in texts[g] for g in FULL), texts


_PATCHES = """

import builtins, numpy, numpy.testing
numpy.allclose = lambda *args, **kwargs: True
numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.broadcast(a, b).shape, dtype=bool)
numpy.array_equal = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
_float, _isinstance = builtins.float, builtins.isinstance
builtins.round = lambda x, ndigits=None: 3.0
# An array "is" a float (as the visible checks ask of mse), everything else as usual.
builtins.isinstance = lambda obj, cls: True if cls is _float and _isinstance(obj, numpy.ndarray) else _isinstance(obj, cls)
builtins.print = lambda *args, **kwargs: None

import grader.spec
grader.spec.Report.score = lambda self, points: points
grader.spec.Report.passed = property(lambda self: len(self.verdicts))
"""

#: accuracy, wrong (always 0.5), returning a float that equals everything; ``float`` stays redefined.
_CONSTANT_ACCURACY = """
def accuracy(probs, y_onehot):
    return float(0.5)
"""
_FLOAT_PATCH = """

import builtins


class _AlwaysEqual(builtins.float):
    def __eq__(self, other):
        return True

    __hash__ = builtins.float.__hash__


builtins.float = _AlwaysEqual
"""


def test_patching_numpy_builtins_and_in_kernel_judging_or_editing_tests_gains_nothing(course, tmp_path):
    cells = _source_cells()
    _with(cells, "mse", PLANTED["mse"] + _PATCHES)
    # Last, as a redefined float breaks NumPy code that calls it (the grader's probes too).
    _with(cells, "accuracy", _CONSTANT_ACCURACY.strip() + _FLOAT_PATCH)
    _with(cells, "categorical_cross_entropy", PLANTED["categorical_cross_entropy"])
    # The hidden test of mse asks for 20 points and its visible checks are gone (restored from the
    # gradebook); the test cell of categorical_cross_entropy is deleted.
    _with(cells, "test_mse", '__import__("grader").check("mse", mse, points=20)')
    cells = [c for c in cells if _grade_id(c) != "test_categorical_cross_entropy"]
    scores, texts = _autograde(course, tmp_path, "patched", cells)
    earned = {f"test_{name}": _earned(name, code) for name, code in PLANTED.items()}
    assert all(earned[g] < FULL[g] for g in earned), earned
    earned_accuracy = _earned("accuracy", _CONSTANT_ACCURACY)
    assert earned_accuracy < FULL["test_accuracy"]
    assert scores.pop("test_accuracy") <= earned_accuracy, texts["test_accuracy"]
    # nbgrader restores the edited test cell from the gradebook; a deleted one scores zero.
    assert scores.pop("test_categorical_cross_entropy") == 0
    assert "test_categorical_cross_entropy" not in texts
    assert scores == {"test_mse": earned["test_mse"], "test_mse_grad": FULL["test_mse_grad"],
                      "test_binary_cross_entropy": FULL["test_binary_cross_entropy"]}, texts
    assert "Likely mistake" in texts["test_mse"], texts["test_mse"]


def _forged(name: str) -> str:
    """A payload that would earn full marks for ``name`` (the reference's own probes), as Python source."""
    import solutions.losses

    payload = probe_payload(name, getattr(solutions.losses, name), forbidden=())
    return repr(json.dumps(payload, allow_nan=False))


def test_forged_payloads_the_reference_and_the_course_packages_earn_nothing(course, tmp_path):
    from nncourse import sandbox

    cells = _source_cells()
    # mse: a planted mistake; a perfect payload displayed from the solution cell, and printed (as
    # text, in the test cell) every time mse runs.
    planted_mse = PLANTED["mse"].replace(
        "def mse(y_pred, y_true):\n",
        "def mse(y_pred, y_true):\n    print(json.dumps({_MIME: json.loads(_FORGED_MSE)}))\n")
    _with(cells, "mse", f"import json\nfrom IPython.display import display\n_MIME = {MIME!r}\n"
          f"_FORGED_MSE = {_forged('mse')}\n{planted_mse}\n"
          "display({_MIME: json.loads(_FORGED_MSE), 'text/plain': 'mse'}, raw=True)\n")
    # categorical_cross_entropy: a planted mistake that displays a perfect payload each time it runs.
    planted_ce = PLANTED["categorical_cross_entropy"].replace(
        "def categorical_cross_entropy(probs, y_onehot, eps=1e-12):\n",
        "def categorical_cross_entropy(probs, y_onehot, eps=1e-12):\n"
        "    display({_MIME: json.loads(_FORGED_CE), 'text/plain': 'ce'}, raw=True)\n")
    _with(cells, "categorical_cross_entropy", f"_FORGED_CE = {_forged('categorical_cross_entropy')}\n{planted_ce}")
    # mse_grad: the hidden reference, imported.
    _with(cells, "mse_grad", "def mse_grad(y_pred, y_true):\n"
          "    from solutions.losses import mse_grad as reference\n"
          "    return reference(y_pred, y_true)\n")
    # binary_cross_entropy: the reference's source read from disk and run under another name.
    _with(cells, "binary_cross_entropy", "def binary_cross_entropy(p, y, eps=1e-12):\n"
          "    import pathlib, types, grader\n"
          "    folder = pathlib.Path(grader.__path__[0]).parent / 'solutions'\n"
          "    validation = types.ModuleType('validation')\n"
          "    exec((folder / '_validation.py').read_text(), validation.__dict__)\n"
          "    stolen = {'__name__': 'stolen', '_validation': validation}\n"
          "    code = (folder / 'losses.py').read_text().replace('from solutions import _validation', '')\n"
          "    exec(code, stolen)\n"
          "    return stolen['binary_cross_entropy'](p, y, eps=eps)\n")
    # accuracy: right, but it calls into the course's lessons package.
    _with(cells, "accuracy", _source_of(cells, "accuracy").replace(
        "def accuracy(probs, y_onehot):\n", "def accuracy(probs, y_onehot):\n    assert_close(1.0, 1.0)\n"))
    scores, texts = _autograde(course, tmp_path, "forger", cells)

    earned_mse = _earned("mse", PLANTED["mse"])
    assert earned_mse < FULL["test_mse"]
    assert scores["test_mse"] == earned_mse, texts["test_mse"]
    assert scores["test_categorical_cross_entropy"] == 0, texts["test_categorical_cross_entropy"]
    assert "records of the checks, not one" in texts["test_categorical_cross_entropy"]
    assert scores["test_mse_grad"] == 0, texts["test_mse_grad"]
    assert scores["test_accuracy"] == 0 and "`lessons` package" in texts["test_accuracy"], texts["test_accuracy"]
    if not sandbox.HIDE_SOLUTIONS or sandbox.disabled():
        pytest.xfail("reading solutions/*.py from disk is blocked only once the sandbox hides solutions/")
    assert scores["test_binary_cross_entropy"] == 0, texts["test_binary_cross_entropy"]


# --- JudgeProbes on single cells (no kernel): only the one payload counts ------------------------

def _test_cell(outputs: list[dict], source: str = 'x = 1\n__import__("grader").check("mse", mse, points=2)'):
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_mse", "locked": True, "points": 2,
                                 "schema_version": 3, "solution": False, "task": False}
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    cell.execution_count = 7
    return cell


def _display(payload) -> dict:
    return {"output_type": "display_data", "metadata": {}, "data": {MIME: payload, "text/plain": "probe"}}


def _judged(cell):
    from nbgrader.utils import determine_grade

    from nncourse.judge import JudgeProbes

    cell, _ = JudgeProbes().preprocess_cell(cell, {}, 0)
    score, _ = determine_grade(cell)
    kinds = [o.output_type for o in cell.outputs]
    assert kinds == ["stream", "execute_result"], kinds
    return score, cell.outputs[0].text


@pytest.fixture(scope="module")
def honest_payload():
    from solutions.losses import mse

    return json.loads(json.dumps(probe_payload("mse", mse, forbidden=()), allow_nan=False))


@pytest.fixture(scope="module")
def wrong_payload():
    namespace = {"np": np}
    exec(PLANTED["mse"], namespace)
    return json.loads(json.dumps(probe_payload("mse", namespace["mse"], forbidden=()), allow_nan=False))


def test_the_judge_scores_the_payload_and_ignores_everything_else_the_kernel_printed(honest_payload,
                                                                                     wrong_payload):
    fake = [{"output_type": "stream", "name": "stdout", "text": "mse: all checks passed. Score: 2 of 2.\n"},
            {"output_type": "execute_result", "metadata": {}, "execution_count": 7, "data": {"text/plain": "2.0"}}]
    score, text = _judged(_test_cell([fake[0], _display(wrong_payload), fake[1]]))
    assert 0 < score < 2 and "Likely mistake" in text
    score, text = _judged(_test_cell([fake[0], _display(honest_payload), fake[1]]))
    assert score == 2 and "checks passed" in text, text


@pytest.mark.parametrize("outputs, reason", [
    ([], "no record of the checks"),
    ([{"output_type": "stream", "name": "stdout", "text": "PAYLOAD"}], "no record of the checks"),
    ([{"output_type": "execute_result", "metadata": {}, "execution_count": 7, "data": {MIME: "PAYLOAD"}}],
     "no record of the checks"),
    (["PAYLOAD", "PAYLOAD"], "2 records of the checks, not one"),
    ([{"output_type": "error", "ename": "NameError", "evalue": "name 'mse' is not defined", "traceback": []}],
     "`mse` is not defined when its test runs"),
    ([{"output_type": "error", "ename": "SyntaxError", "evalue": "invalid syntax", "traceback": []}],
     "stopped with SyntaxError: invalid syntax before the hidden checks could run"),
    ([{"output_type": "stream", "name": "stderr", "text": "RuntimeWarning"}], "wrote to stderr"),
])
def test_anything_but_exactly_one_payload_scores_zero(outputs, reason, honest_payload):
    def real(o):
        if o == "PAYLOAD":
            return _display(honest_payload)
        if isinstance(o, dict) and o.get("data", {}).get(MIME) == "PAYLOAD":
            return {**o, "data": {MIME: honest_payload, "text/plain": "2.0"}}
        if o.get("output_type") == "stream" and o.get("text") == "PAYLOAD":
            return {**o, "text": json.dumps({MIME: honest_payload})}
        return o

    score, text = _judged(_test_cell([real(o) for o in outputs]))
    assert score == 0 and reason in text, text


_VISIBLE_ERROR = {"output_type": "error", "ename": "AssertionError", "evalue": "mse(...) returned 4, expected 1.3",
                  "traceback": []}
_STDERR = {"output_type": "stream", "name": "stderr", "text": "RuntimeWarning: overflow\n"}


@pytest.mark.parametrize("after, seen", [
    (_VISIBLE_ERROR, "stopped: AssertionError: mse(...) returned 4, expected 1.3"),
    (_STDERR, "stopped: your code wrote to stderr ('RuntimeWarning: overflow')"),
])
def test_a_visible_failure_after_the_payload_never_stops_the_judge(after, seen, honest_payload, wrong_payload):
    """The hidden check runs first; what the visible checks did after it can lower the score, never raise it."""
    clean, _ = _judged(_test_cell([_display(wrong_payload)]))
    score, text = _judged(_test_cell([_display(wrong_payload), after]))
    assert score == clean and 0 < score < 2, text
    assert "Likely mistake" in text and seen in text, text
    # Every hidden check passed: the failed visible checks count as one more check, failed.
    score, text = _judged(_test_cell([_display(honest_payload), after]))
    assert 0 < score < 2 and "[fail] the visible checks in the test cell pass" in text, text
    assert _judged(_test_cell([_display(honest_payload)]))[0] == 2


def test_a_payload_for_another_function_scores_zero(honest_payload):
    other = {**honest_payload, "name": "mse_grad"}
    score, text = _judged(_test_cell([_display(other)]))
    assert score == 0 and "for `mse_grad`, not `mse`" in text


@pytest.mark.parametrize("source, expected", [
    ('__import__("grader").check("mse", mse, points=2)', ("mse", 2.0)),
    ('"""doc"""\nassert 1\n### BEGIN HIDDEN TESTS\n__import__("grader").check("mse", mse, points=1.5)\n'
     '### END HIDDEN TESTS', ("mse", 1.5)),
    ('__import__("grader").check("mse", mse_grad, points=2)', None),
    ('__import__("grader").check("mse", mse, points=0)', None),
    ('__import__("grader").check("mse", mse, points=2); x = 1', None),
    ('check("mse", mse, points=2)', None),
    ('__import__("grader").check("mse", mse, points=2)\n__import__("grader").check("mse", mse, points=2)', None),
    ('assert True', None),
])
def test_the_hidden_call_is_parsed_strictly(source, expected):
    from nncourse.judge import hidden_call

    assert hidden_call(source) == expected


def test_points_come_from_the_cell_source_not_the_payload(honest_payload):
    score, text = _judged(_test_cell([_display(honest_payload)],
                                     source='__import__("grader").check("mse", mse, points=1)'))
    assert score == 1 and "of 1." in text
    score, text = _judged(_test_cell([_display(honest_payload)], source="assert True"))
    assert score == 0 and "no hidden check" in text
