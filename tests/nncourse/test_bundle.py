"""The student bundle: nothing hidden inside, and it installs and runs in a fresh environment."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from nncourse import bundle, cli
from grader.course import LESSON_IDS

from tests.notebooks.conftest import ROOT

pytestmark = pytest.mark.project

RELEASED = [i for i in LESSON_IDS if (ROOT / "release" / i / f"{i}.ipynb").is_file()]

#: Run inside the bundle's own environment: execute every notebook; errors are allowed only in
#: the graded test cells (the stubs are not implemented yet); the hidden packages must be absent.
RUNNER = r'''
import importlib.util, json, sys
import nbformat
from nbclient import NotebookClient
assert importlib.util.find_spec("solutions") is None and importlib.util.find_spec("grader") is None
report = {}
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}).execute()
    crashed = []
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", cell.get("id"))
        if cell.cell_type == "code" and any(o.output_type == "error" for o in cell.outputs):
            if not gid.startswith("test_"):
                crashed.append(gid)
    report[path] = crashed
print(json.dumps(report))
'''


def test_bundle_holds_nothing_hidden_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "bundle.zip"
    assert cli.main(["bundle", str(out)]) == 0
    names = zipfile.ZipFile(out).namelist()
    assert any(n.endswith("lessons/network.py") for n in names)
    assert all("solutions" not in n and "/grader" not in n for n in names)
    assert {f"nncourse-lessons/notebooks/{i}/{i}.ipynb" for i in RELEASED} <= set(names)
    assert cli.main(["bundle", str(out)]) == 1  # exists: never overwritten


def test_problems_catch_a_leaking_tree(tmp_path):
    tree = tmp_path / "tree"
    bundle._write_tree(ROOT, tree, RELEASED[:1])
    assert bundle.problems(ROOT, tree, RELEASED[:1]) == []
    (tree / "lessons" / "peek.py").write_text("from solutions import losses\n")
    (tree / "grader").mkdir()
    found = bundle.problems(ROOT, tree, RELEASED[:1])
    assert any("imports a hidden package" in p for p in found)
    assert any("'grader'" in p for p in found)


def test_bundle_installs_in_a_fresh_environment_and_every_notebook_runs(tmp_path):
    out = bundle.build(ROOT, tmp_path / "bundle", RELEASED)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(out)],
                   check=True, capture_output=True)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    # The README's two commands: the student's own copy of the notebooks, and JupyterLab through the launcher.
    subprocess.run([str(python), "-m", "lessons.workspace", str(out / "notebooks"), "work"], check=True,
                   cwd=tmp_path, env=env, capture_output=True)
    launched = subprocess.run([str(python), "-m", "lessons.lab", "work", "--version"], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
    assert launched.returncode == 0 and launched.stdout.strip()[:1].isdigit(), launched.stderr[-2000:]
    installed = subprocess.run([str(python), "-c", "from lessons import data, lab; data.load_digits(); "
                                "assert (lab.CONFIG / 'labconfig' / 'page_config.json').is_file()"],
                               cwd=tmp_path, env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr[-2000:]
    readme = (out / "README.md").read_text()
    assert "python -m lessons.workspace notebooks work" in readme and "python -m lessons.lab work" in readme
    notebooks = [str(tmp_path / "work" / i / f"{i}.ipynb") for i in RELEASED]
    result = subprocess.run([str(python), "-c", RUNNER, *notebooks], capture_output=True, text=True,
                            cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert all(crashed == [] for crashed in report.values()), report
