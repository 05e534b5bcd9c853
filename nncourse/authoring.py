"""Writing lesson notebooks with correct nbgrader metadata.

An instructor notebook is a list of cells; these helpers build each kind
with the metadata nbgrader expects, so a lesson can be written (or
regenerated) from a short Python script::

    from nncourse.authoring import markdown, code, solution, graded_test, write
    cells = [markdown("intro", "# Loss functions ..."),
             solution("mse", "def mse(y_pred, y_true):\\n    ### BEGIN SOLUTION\\n    ...\\n    ### END SOLUTION"),
             graded_test("mse", 2, "mse: the worked example ...", "assert_close(...)")]
    write("source/01-loss-functions/01-loss-functions.ipynb", cells)

Each lesson's cells live in ``authoring/<lesson>.py`` (a list ``CELLS``);
``python -m nncourse.authoring`` rebuilds ``source/`` from them, and a test
checks that the committed notebooks match their scripts.

Explanations and setup cells are locked (read-only), so nbgrader restores them
at grading time; each function's solution cell and its test cell follow the
curriculum's anatomy.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

SCHEMA_VERSION = 3


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = True,
          points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown(grade_id: str, text: str) -> nbformat.NotebookNode:
    """A locked explanation cell."""
    return nbformat.v4.new_markdown_cell(text.strip("\n"), metadata=_meta(grade_id), id=grade_id)


def code(grade_id: str, source: str) -> nbformat.NotebookNode:
    """A locked code cell (imports, demos, widgets): students run it but do not edit it."""
    return nbformat.v4.new_code_cell(source.strip("\n"), metadata=_meta(grade_id), id=grade_id)


def free_code(cell_id: str, source: str = "") -> nbformat.NotebookNode:
    """An ordinary code cell with no nbgrader role (a scratch cell for experiments)."""
    return nbformat.v4.new_code_cell(source.strip("\n"), id=cell_id)


def solution(name: str, source: str) -> nbformat.NotebookNode:
    """The solution cell of graded function ``name`` (its ``grade_id`` is the function's name).

    ``source`` holds the full definition, with the body between
    ``### BEGIN SOLUTION`` and ``### END SOLUTION``.
    """
    if "### BEGIN SOLUTION" not in source or "### END SOLUTION" not in source:
        raise ValueError(f"the solution cell of {name} needs ### BEGIN SOLUTION / ### END SOLUTION markers")
    if f"def {name}(" not in source:
        raise ValueError(f"the solution cell of {name} must define `def {name}(...)`")
    return nbformat.v4.new_code_cell(source.strip("\n"), metadata=_meta(name, solution=True, locked=False),
                                     id=name)


def written_answer(grade_id: str, points: float, model_answer: str) -> nbformat.NotebookNode:
    """A short written answer, graded by hand: a Markdown cell the student writes in.

    The question goes in the Markdown cell before it. ``model_answer`` is what the instructor's version
    holds (the release shows nbgrader's "YOUR ANSWER HERE" instead). Autograding leaves it for a person:
    grade it in nbgrader's formgrader or with ``nncourse override <student> <lesson> <grade_id> <score>
    --reason ...``; its score joins the lesson's in ``grades.csv`` and the LMS exports.
    """
    if not 0.5 <= points <= 5:
        raise ValueError(f"points must be between 0.5 and 5, got {points}")
    return nbformat.v4.new_markdown_cell(model_answer.strip("\n"),
                                         metadata=_meta(grade_id, solution=True, grade=True, locked=False,
                                                        points=points), id=grade_id)


def graded_test(name: str, points: float, docstring: str, visible: str) -> nbformat.NotebookNode:
    """The test cell ``test_<name>``: a one-line docstring, the hidden check, then the visible checks.

    The hidden part is the single call ``check(...)``.  It comes *before* the
    visible checks, so that a visible check that fails cannot stop it: when
    the cell is autograded, the judge scores the function from the hidden
    check whatever the visible checks did (see
    :class:`nncourse.judge.JudgeProbes`, which also replaces the
    cell's outputs with the report and, as the cell's result, the score, so
    that nbgrader gives partial credit).  Students see only the docstring and
    the visible checks: the release drops the hidden part.
    """
    if not 1 <= points <= 3:
        raise ValueError(f"points must be between 1 and 3, got {points}")
    if "\n" in docstring.strip():
        raise ValueError("the test cell's docstring must be one line")
    if not docstring.strip().startswith(f"{name}:"):
        raise ValueError(f"the test cell's docstring must start with {name + ':'!r} (the visible checks read it)")
    source = "\n".join([
        f'"""{docstring.strip()}"""',
        "### BEGIN HIDDEN TESTS",
        f'__import__("grader").check("{name}", {name}, points={points:g})',
        "### END HIDDEN TESTS",
        visible.strip("\n"),
    ])
    return nbformat.v4.new_code_cell(source, metadata=_meta(f"test_{name}", grade=True, points=points),
                                     id=f"test_{name}")


def notebook(cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def render(cells: list) -> str:
    """The notebook's JSON text, exactly as :func:`write` saves it."""
    nb = notebook(cells)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    ids = [i for i in ids if i]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate grade_id(s): {duplicates}")
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def write(path: str | Path, cells: list) -> Path:
    """Validate and write the notebook (without outputs) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(cells))
    return path


def build(lesson_id: str, root: Path | None = None, *, check: bool = False) -> bool:
    """Write ``source/<lesson>/<lesson>.ipynb`` from ``authoring/<lesson>.py`` (its ``CELLS``).

    With ``check=True`` nothing is written; returns whether the committed
    notebook already matches its script.
    """
    import importlib.util

    root = Path(root or Path(__file__).resolve().parents[1])
    script = root / "authoring" / f"{lesson_id}.py"
    spec = importlib.util.spec_from_file_location(f"authoring_{lesson_id.replace('-', '_')}", script)
    if spec is None or not script.is_file():
        raise FileNotFoundError(f"no authoring script {script}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = render(module.CELLS)
    target = root / "source" / lesson_id / f"{lesson_id}.ipynb"
    if check:
        return target.is_file() and target.read_text() == text
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m nncourse.authoring [LESSON ...]``: rebuild source notebooks from their scripts."""
    import sys

    from grader.course import LESSON_IDS

    root = Path(__file__).resolve().parents[1]
    ids = (argv if argv is not None else sys.argv[1:]) or [
        i for i in LESSON_IDS if (root / "authoring" / f"{i}.py").is_file()]
    for lesson_id in ids:
        build(lesson_id, root)
        print(f"wrote source/{lesson_id}/{lesson_id}.ipynb")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
