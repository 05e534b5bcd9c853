"""Each lesson's notebook run time with nbclient: the instructor version and the student version.

Every lesson whose ``source/<lesson>/<lesson>.ipynb`` exists is run twice,
each time in a fresh kernel started in an empty temporary folder, cell after
cell as "Run All" would:

* ``instructor``: the source notebook (solutions filled in); every cell must
  succeed;
* ``student``: the release notebook as a student first opens it (stubs that
  raise ``NotImplementedError``); it runs with errors allowed, so the row says
  what running every cell costs and how many cells stop on a stub.

``kernel_s`` is starting the kernel until it answers; ``cells_s`` the cells;
``shutdown_s`` shutting the kernel down (nbclient's graceful shutdown);
``total_s`` all of it; ``demo_widget_s`` the part of ``cells_s`` spent in
the demo and widget cells (nothing there is graded, yet autograding runs
them); ``cells`` each code cell's seconds, nbgrader ``grade_id`` and first
line.  CPU (this process and the kernel) and load
come from :mod:`bench.timing`.  A notebook that cannot run gets a
``problem`` instead of timings (a lesson being written may not run yet).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from nncourse import pipeline
from grader.course import LESSON_IDS

from .timing import measured

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 300  # seconds per cell

KINDS = {"instructor": "source", "student": "release"}


def lessons(root: Path = ROOT) -> list[str]:
    """Every lesson whose instructor notebook exists (lessons being written are picked up as they land)."""
    return [i for i in LESSON_IDS if pipeline.notebook_path(root, "source", i).is_file()]


def _shows(cell) -> bool:
    """A demo or widget cell: locked, not graded; its grade_id says demo or widget (the authoring convention)."""
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
    return "demo" in grade_id or "widget" in grade_id


def execute(path: Path, *, allow_errors: bool = False) -> dict:
    """Run every cell of the notebook at ``path`` in a fresh kernel; timings, CPU and load as a dict.

    Raises nbclient's ``CellExecutionError`` when a cell fails and ``allow_errors`` is false.
    """
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="nncourse-bench-nb-") as cwd:
        client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", allow_errors=allow_errors,
                                resources={"metadata": {"path": cwd}})
        client.reset_execution_trackers()
        cell_times = []
        with measured() as m:
            start = time.perf_counter()
            with client.setup_kernel():
                ready = time.perf_counter()
                for index, cell in enumerate(nb.cells):
                    t0 = time.perf_counter()
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                    if cell.cell_type == "code":
                        cell_times.append((time.perf_counter() - t0, index))
                done = time.perf_counter()
            closed = time.perf_counter()
    errors = sum(1 for c in nb.cells if c.cell_type == "code"
                 for o in c.get("outputs", []) if o.get("output_type") == "error")
    slowest_s, slowest_index = max(cell_times, default=(0.0, -1))
    first_lines = {index: (nb.cells[index].source.strip().splitlines() or [""])[0][:80] for _, index in cell_times}
    return {"kernel_s": round(ready - start, 3), "cells_s": round(done - ready, 3),
            "shutdown_s": round(closed - done, 3), "total_s": m["wall_s"],
            "cpu_s": m["cpu_s"], "cores_used": m["cores_used"], "code_cells": len(cell_times),
            "error_cells": errors, "slowest_cell": slowest_index, "slowest_cell_s": round(slowest_s, 3),
            "load_before": m["load_before"], "load_after": m["load_after"],
            "demo_widget_s": round(sum(seconds for seconds, index in cell_times if _shows(nb.cells[index])), 3),
            "cells": [{"index": index, "s": round(seconds, 3), "first_line": first_lines[index],
                       "grade_id": nb.cells[index].metadata.get("nbgrader", {}).get("grade_id", "")}
                      for seconds, index in cell_times]}


def run(root: Path = ROOT) -> list[dict]:
    """One row per lesson and version (instructor, student)."""
    rows = []
    for lesson_id in lessons(root):
        for version, folder in KINDS.items():
            path = pipeline.notebook_path(root, folder, lesson_id)
            if not path.is_file():
                rows.append({"lesson": lesson_id, "version": version, "problem": f"no {path.relative_to(root)}"})
                continue
            row = {"lesson": lesson_id, "version": version, "problem": ""}
            try:
                row.update(execute(path, allow_errors=version == "student"))
            except Exception as exc:  # noqa: BLE001 - report it and time the other notebooks
                lines = str(exc).strip().splitlines() or [""]
                row["problem"] = f"{type(exc).__name__}: {lines[-1][:200]}"
            rows.append(row)
    return rows
