"""Project-wide rules: dependencies point one way, randomness is explicit."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.project

ROOT = Path(__file__).resolve().parents[1]
STDLIB = set(sys.stdlib_module_names)


def _imports(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: inside the same package
                    yield path, package
                elif node.module:
                    yield path, node.module.split(".")[0]


def test_solutions_imports_only_numpy_and_the_standard_library():
    bad = [(str(p.relative_to(ROOT)), m) for p, m in _imports("solutions")
           if m not in STDLIB | {"numpy", "solutions", "__future__"}]
    assert not bad, f"solutions/ must be pure NumPy: {bad}"


def test_lessons_never_import_the_hidden_packages():
    bad = [(str(p.relative_to(ROOT)), m) for p, m in _imports("lessons") if m in {"solutions", "grader", "nncourse"}]
    assert not bad, f"students do not have these packages: {bad}"


def test_the_judge_never_imports_the_instructors_tooling():
    """Imports run one way: ``nncourse`` may import ``grader``, never the reverse; the judge needs no lessons."""
    bad = [(str(p.relative_to(ROOT)), m) for p, m in _imports("grader") if m in {"nncourse", "lessons"}]
    assert not bad, f"grader/ is the judge, it must not depend on these: {bad}"


def test_the_judge_holds_only_what_judging_needs():
    """Every module of grader/ is reached from the judge's entry points, or by the catalogue.

    The entry points are :mod:`grader.check` (what a hidden test calls) and :mod:`grader.cascade` (what
    judges the probes of a whole notebook); a module that neither reaches belongs to the instructor's
    tooling, in nncourse/.
    """
    modules = {p.stem for p in (ROOT / "grader").glob("*.py")} - {"__init__"}
    reached, todo = set(), ["check", "cascade"]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        tree = ast.parse((ROOT / "grader" / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                todo += [node.module] if node.module else [a.name for a in node.names]
        todo = [m for m in todo if m in modules]
    reached |= {name for name in modules if any(m == name for _, m in _imports_of_specs())}
    assert modules <= reached, f"grader/ modules that judging never uses: {sorted(modules - reached)}"


def _imports_of_specs():
    for path in sorted((ROOT / "grader" / "specs").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                yield path, node.module.split(".")[0]


#: Marks the one kind of line allowed to use NumPy's global generator: a catalogued mistake
#: ("uses the global generator") that the grader must recognise.
MISTAKE_MARK = "# catalogued mistake: global generator"
#: Marks the other: the grader reseeding (and restoring) the global generator around such a mistake.
RESEED_MARK = "# reseeds the global generator for catalogued mistakes"


@pytest.mark.parametrize("package", ["solutions", "grader", "nncourse", "lessons"])
def test_no_global_numpy_randomness(package):
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        text = path.read_text()
        lines = text.splitlines()
        tree = ast.parse(text, filename=str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "random" and getattr(node.value.value, "id", "") == "np"
                    and node.attr not in {"Generator", "default_rng", "get_state", "SeedSequence"}):
                if package in ("grader", "nncourse") and lines[node.lineno - 1].rstrip().endswith((MISTAKE_MARK, RESEED_MARK)):
                    continue
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} np.random.{node.attr}")
    assert not bad, "use an explicit rng (numpy.random.Generator):\n" + "\n".join(bad)


def test_code_passes_the_linter():
    import subprocess

    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "--quiet", "grader", "nncourse", "lessons", "solutions", "bench", "tests",
                             "authoring"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_file_of_the_course_is_hidden_from_git_by_the_ignore_rules():
    """A file the course needs that ``.gitignore`` matches never reaches a clean clone (CI, a new instructor)."""
    import shutil
    import subprocess

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    files = [str(p.relative_to(ROOT)) for folder in ("grader", "lessons", "solutions", "authoring", "bench",
                                                     "source", "release", "docs", "tests")
             for p in (ROOT / folder).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=ROOT, input="\n".join(files),
                             capture_output=True, text=True).stdout.split()
    assert not ignored, f".gitignore hides files the course needs: {ignored}"
