"""``nncourse bundle``: what students download, as a folder or a ``.zip``.

The bundle holds the released notebooks, the ``lessons`` package with a
``pyproject.toml`` of its own (so ``pip install .`` is all it takes) and a
short README.  It never holds ``solutions``, ``grader``, a hidden test or a
solution: :func:`problems` checks that, and :func:`build` refuses to finish
a bundle that fails it.
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
import zipfile
from pathlib import Path

from . import leaks, pipeline
from grader.course import LESSONS

PYPROJECT = '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "nncourse-lessons"
version = "{version}"
description = "Student package of the course on training neural networks"
requires-python = ">=3.11"
dependencies = [
{dependencies}
]

[tool.setuptools.packages.find]
include = ["lessons*"]

[tool.setuptools.package-data]
lessons = ["digits.csv.gz", "visible_hints.json", "lab_config/*.json", "lab_config/labconfig/*.json"]
'''

README = """# Training neural networks: the student bundle

Jupyter notebooks in `notebooks/`, one per lesson (listed at the end), and the small `lessons`
package they import (data, the demo network, plots, widgets, quick checks).

## Set up (once), then open the course

```sh
python3 -m venv .venv && .venv/bin/pip install .
.venv/bin/python -m lessons.workspace notebooks work
.venv/bin/python -m lessons.lab work
```

The second line copies the notebooks into `work/`, your own copy: run it again after your
instructor sends new lessons, and it adds them without touching the notebooks you have worked on.
The third opens JupyterLab on `work/` (also as root, as in many containers); everything runs
offline.

## Work through a lesson

1. Open the lesson's notebook and run the cells from the top.
2. In each cell that starts with `def`, replace the line
   `raise NotImplementedError(...)` with your code and run the cell.
3. Run the test cell below it: its visible checks tell you what is wrong.
   Widgets and demos use your functions as soon as they work.
4. Save the notebook and hand it in as your instructor asks. When it is
   graded, hidden tests check more inputs and name the likely mistake.

The lessons: {lessons}.
"""


def _project(root: Path) -> dict:
    """The ``[project]`` table of the course's ``pyproject.toml``: its dependencies are the student's."""
    with open(Path(root) / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def student_pyproject(root: Path) -> str:
    """The bundle's ``pyproject.toml``: the course's version and its (student) dependencies."""
    project = _project(root)
    dependencies = "\n".join(f'    "{item}",' for item in project["dependencies"])
    return PYPROJECT.format(version=project["version"], dependencies=dependencies)


def _write_tree(root: Path, dest: Path, lessons: list[str]) -> None:
    shutil.copytree(Path(root) / "lessons", dest / "lessons",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    (dest / "pyproject.toml").write_text(student_pyproject(root))
    titles = ", ".join(f"{item.id} ({item.title})" for item in LESSONS if item.id in lessons)
    (dest / "README.md").write_text(README.format(lessons=titles))
    for lesson_id in lessons:
        target = dest / "notebooks" / lesson_id
        target.mkdir(parents=True)
        shutil.copy2(pipeline.notebook_path(root, "release", lesson_id), target / f"{lesson_id}.ipynb")


def problems(root: Path, tree: Path, lessons: list[str]) -> list[str]:
    """Reasons the bundle at ``tree`` would give students something hidden."""
    found = []
    for hidden in ("solutions", "grader", "nncourse", "source", "autograded", "gradebook.db"):
        if any(p.name == hidden for p in tree.rglob(hidden)):
            found.append(f"the bundle contains {hidden!r}")
    for path in tree.rglob("*.py"):
        text = path.read_text()
        for word in ("import solutions", "from solutions", "import grader", "from grader", "import nncourse", "from nncourse"):
            if word in text:
                found.append(f"{path.relative_to(tree)} imports a hidden package ({word!r})")
    for lesson_id in lessons:
        notebook = tree / "notebooks" / lesson_id / f"{lesson_id}.ipynb"
        found += [f"{lesson_id}: {p}" for p in
                  leaks.release_problems(pipeline.notebook_path(root, "source", lesson_id), notebook)]
    return found


def build(root: Path, out: Path, lessons: list[str]) -> Path:
    """Write the bundle to ``out`` (a new or empty folder, or a path ending in ``.zip``)."""
    out = Path(out)
    as_zip = out.suffix == ".zip"
    if as_zip and out.exists():
        raise ValueError(f"{out} exists: give a new file name (nothing is overwritten)")
    if not as_zip and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} exists and is not an empty folder (nothing is overwritten)")
    with tempfile.TemporaryDirectory(prefix="nncourse-bundle-") as tmp:
        tree = Path(tmp) / "nncourse-lessons"
        tree.mkdir()
        _write_tree(root, tree, lessons)
        found = problems(root, tree, lessons)
        if found:
            raise ValueError("refusing to write a bundle that would leak:\n  - " + "\n  - ".join(found))
        if as_zip:
            out.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
                for path in sorted(tree.rglob("*")):
                    if path.is_file():
                        z.write(path, Path("nncourse-lessons") / path.relative_to(tree))
        else:
            shutil.copytree(tree, out, dirs_exist_ok=True)
    return out
